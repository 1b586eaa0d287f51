//! The `mubiao` binary itself, run as a user would: every command's help,
//! `migrate`, `demo`, `user add/passwd/token`, `backup`, and `serve` with
//! a clean shutdown on SIGTERM. Each test works in its own temporary
//! directory, where the default `sqlite://mubiao.db` lands.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::common::{Backend, TestApp};

const BIN: &str = env!("CARGO_BIN_EXE_mubiao");

/// The binary, in `dir`, with no `MUBIAO_*` setting leaking in from the
/// environment of the test run.
fn mubiao(dir: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir)
        .env_remove("MUBIAO_DATABASE_URL")
        .env_remove("MUBIAO_CONFIG")
        .env_remove("MUBIAO_LISTEN")
        .env_remove("MUBIAO_DEMO")
        .env_remove("MUBIAO_SECURE_COOKIES")
        .env_remove("MUBIAO_TIME_ZONE")
        .env("MUBIAO_LOG", "warn")
        .stdin(Stdio::null());
    cmd
}

/// Runs `mubiao ARGS` in `dir`, feeding `stdin`.
fn run(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = mubiao(dir);
    cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    if stdin.is_some() {
        cmd.stdin(Stdio::piped());
    }
    let mut child = cmd.spawn().expect("start mubiao");
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().expect("stdin pipe");
        // A command that fails before reading stdin may have closed it.
        pipe.write_all(text.as_bytes()).ok();
    }
    child.wait_with_output().expect("mubiao runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs and asserts success; returns stdout.
#[track_caller]
fn ok(dir: &Path, args: &[&str], stdin: Option<&str>) -> String {
    let o = run(dir, args, stdin);
    assert!(
        o.status.success(),
        "mubiao {args:?} failed ({}):\nstdout: {}\nstderr: {}",
        o.status,
        stdout(&o),
        stderr(&o)
    );
    stdout(&o)
}

/// Runs and asserts failure; returns stderr.
#[track_caller]
fn fails(dir: &Path, args: &[&str], stdin: Option<&str>) -> String {
    let o = run(dir, args, stdin);
    assert!(
        !o.status.success(),
        "mubiao {args:?} should fail:\nstdout: {}\nstderr: {}",
        stdout(&o),
        stderr(&o)
    );
    stderr(&o)
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// Opens a SQLite file the binary wrote, through the library.
async fn open(path: &Path) -> mubiao::storage::Db {
    mubiao::storage::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("open database")
}

#[test]
fn help_works_for_every_command() {
    let dir = tempdir();
    let cases: [&[&str]; 10] = [
        &["--help"],
        &["help"],
        &["serve", "--help"],
        &["demo", "--help"],
        &["migrate", "--help"],
        &["backup", "--help"],
        &["user", "--help"],
        &["user", "add", "--help"],
        &["user", "passwd", "--help"],
        &["user", "token", "--help"],
    ];
    for args in cases {
        let out = ok(dir.path(), args, None);
        assert!(out.contains("Usage:"), "{args:?}: {out}");
    }
    let top = ok(dir.path(), &["--help"], None);
    for command in ["serve", "demo", "migrate", "backup", "user"] {
        assert!(top.contains(command), "--help lists {command}: {top}");
    }
    let user = ok(dir.path(), &["user", "--help"], None);
    for command in ["add", "passwd", "token"] {
        assert!(
            user.contains(command),
            "user --help lists {command}: {user}"
        );
    }
    assert!(ok(dir.path(), &["serve", "--help"], None).contains("--listen"));
    assert!(ok(dir.path(), &["user", "add", "--help"], None).contains("--password-stdin"));
    ok(dir.path(), &["--version"], None);
    // Asking for help touches no database.
    assert!(!dir.path().join("mubiao.db").exists());
    // An unknown command is an error, with usage.
    let err = fails(dir.path(), &["frobnicate"], None);
    assert!(err.contains("Usage"), "{err}");
}

#[tokio::test]
async fn migrate_creates_the_database_in_the_working_directory() {
    let dir = tempdir();
    let db = dir.path().join("mubiao.db");
    assert!(!db.exists());
    let out = ok(dir.path(), &["migrate"], None);
    assert!(out.contains("migrations applied"), "{out}");
    assert!(db.exists(), "mubiao.db created");
    // Running it again is harmless.
    ok(dir.path(), &["migrate"], None);
    let conn = open(&db).await;
    assert_eq!(mubiao::storage::org::count_units(&conn).await.unwrap(), 0);
}

#[tokio::test]
async fn demo_loads_once_and_prints_the_logins() {
    let dir = tempdir();
    let out = ok(dir.path(), &["demo"], None);
    assert!(out.contains("demo company loaded"), "{out}");
    for l in mubiao::demo::DEMO_LOGINS {
        assert!(out.contains(l.username), "{out}");
        assert!(out.contains(l.who), "{out}");
    }
    assert!(out.contains(mubiao::demo::DEMO_PASSWORD), "{out}");
    let again = ok(dir.path(), &["demo"], None);
    assert!(again.contains("not loaded"), "{again}");
    assert!(!again.contains("demo logins"), "{again}");
    let conn = open(&dir.path().join("mubiao.db")).await;
    assert_eq!(
        mubiao::storage::org::count_people(&conn).await.unwrap(),
        mubiao::demo::PEOPLE.len() as u64
    );
}

#[tokio::test]
async fn user_add_passwd_and_token() {
    let dir = tempdir();
    let out = ok(
        dir.path(),
        &["user", "add", "boss", "--role", "gm", "--password-stdin"],
        Some("first-secret\n"),
    );
    assert!(out.contains("boss"), "{out}");
    let token = ok(dir.path(), &["user", "token", "boss"], None);
    let token = token.trim();
    assert!(token.starts_with("mbt_"), "{token}");
    assert_eq!(token.lines().count(), 1, "only the token is printed");

    let db = open(&dir.path().join("mubiao.db")).await;
    use mubiao::storage::accounts;
    let signed = accounts::from_api_token(&db, token)
        .await
        .unwrap()
        .expect("the printed token is valid");
    assert_eq!(signed.user.username, "boss");
    assert_eq!(signed.user.role, "gm");
    accounts::login(&db, "boss", "first-secret")
        .await
        .expect("password from stdin works");
    db.close().await.ok();

    let out = ok(
        dir.path(),
        &["user", "passwd", "boss", "--password-stdin"],
        Some("second-secret\r\n"),
    );
    assert!(out.contains("boss"), "{out}");
    let db = open(&dir.path().join("mubiao.db")).await;
    accounts::login(&db, "boss", "second-secret")
        .await
        .expect("the new password works");
    assert!(matches!(
        accounts::login(&db, "boss", "first-secret").await,
        Err(mubiao::storage::Error::Unauthenticated)
    ));
    db.close().await.ok();

    // A taken name, an unknown role, unknown users fail.
    let err = fails(
        dir.path(),
        &["user", "add", "boss", "--password-stdin"],
        Some("another-secret\n"),
    );
    assert!(err.contains("taken"), "{err}");
    let err = fails(
        dir.path(),
        &["user", "add", "chief", "--role", "boss", "--password-stdin"],
        Some("another-secret\n"),
    );
    assert!(err.contains("unknown role"), "{err}");
    fails(dir.path(), &["user", "token", "nobody"], None);
    fails(
        dir.path(),
        &["user", "passwd", "nobody", "--password-stdin"],
        Some("another-secret\n"),
    );
}

#[tokio::test]
async fn too_short_password_is_refused() {
    let dir = tempdir();
    let err = fails(
        dir.path(),
        &["user", "add", "shorty", "--password-stdin"],
        Some("short\n"),
    );
    assert!(err.contains("at least 8"), "{err}");
    ok(
        dir.path(),
        &["user", "add", "longer", "--password-stdin"],
        Some("long-enough\n"),
    );
    let err = fails(
        dir.path(),
        &["user", "passwd", "longer", "--password-stdin"],
        Some("1234567\n"),
    );
    assert!(err.contains("at least 8"), "{err}");
    let db = open(&dir.path().join("mubiao.db")).await;
    assert!(
        mubiao::storage::accounts::find_user(&db, "shorty")
            .await
            .unwrap()
            .is_none()
    );
    mubiao::storage::accounts::login(&db, "longer", "long-enough")
        .await
        .expect("the password is unchanged");
}

#[tokio::test]
async fn backup_writes_a_usable_copy_and_never_overwrites() {
    let dir = tempdir();
    ok(dir.path(), &["demo"], None);
    let out = ok(dir.path(), &["backup", "copy.db"], None);
    assert!(out.contains("copy.db"), "{out}");
    let copy = dir.path().join("copy.db");
    let bytes = std::fs::read(&copy).expect("backup written");
    assert!(bytes.starts_with(b"SQLite format 3\0"), "a SQLite file");

    let token = ok(
        dir.path(),
        &["--database", "sqlite://copy.db", "user", "token", "admin"],
        None,
    );
    assert!(token.trim().starts_with("mbt_"), "{token}");
    let db = open(&copy).await;
    assert_eq!(
        mubiao::storage::org::count_people(&db).await.unwrap(),
        mubiao::demo::PEOPLE.len() as u64
    );
    assert_eq!(
        mubiao::storage::org::count_units(&db).await.unwrap(),
        mubiao::demo::UNITS.len() as u64
    );
    assert!(
        mubiao::storage::accounts::from_api_token(&db, token.trim())
            .await
            .unwrap()
            .is_some()
    );
    db.close().await.ok();

    // The copy is never overwritten.
    let before = std::fs::read(&copy).expect("copy");
    let err = fails(dir.path(), &["backup", "copy.db"], None);
    assert!(err.contains("exists"), "{err}");
    assert_eq!(std::fs::read(&copy).expect("copy"), before);
}

#[tokio::test]
async fn backup_of_postgres_points_to_pg_dump() {
    // A fresh database of its own, so that the migrations the command runs
    // do not touch the shared one.
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        eprintln!("skipped: set MUBIAO_TEST_POSTGRES to check `backup` on PostgreSQL");
        return;
    };
    let dir = tempdir();
    let url = app.db_url().to_owned();
    let o = run(dir.path(), &["--database", &url, "backup", "x.db"], None);
    app.cleanup().await;
    assert!(!o.status.success(), "stdout: {}", stdout(&o));
    let err = stderr(&o);
    assert!(err.contains("pg_dump"), "{err}");
    assert!(!dir.path().join("x.db").exists());
}

/// Reads the child's stdout on a thread, line by line.
fn lines_of(stdout: std::process::ChildStdout) -> std::sync::mpsc::Receiver<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Kills the server if the test fails before it stopped it.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            self.0.kill().ok();
            self.0.wait().ok();
        }
    }
}

/// Starts `mubiao serve --listen 127.0.0.1:0 --demo` in `dir`; returns the
/// server, its base URL and the lines it printed before serving.
fn serve_demo(dir: &Path) -> (KillOnDrop, String, Vec<String>) {
    let log = std::fs::File::create(dir.join("serve.log")).expect("log file");
    let child = mubiao(dir)
        .args(["serve", "--listen", "127.0.0.1:0", "--demo"])
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log))
        .spawn()
        .expect("start mubiao serve");
    let mut server = KillOnDrop(child);
    let lines = lines_of(server.0.stdout.take().expect("stdout"));

    let deadline = Instant::now() + Duration::from_secs(60);
    let mut printed = Vec::new();
    let base = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = lines.recv_timeout(left).unwrap_or_else(|_| {
            let log = std::fs::read_to_string(dir.join("serve.log")).unwrap_or_default();
            panic!("no \"Mubiao serving\" line; stdout: {printed:?}\nstderr: {log}")
        });
        if let Some(rest) = line.strip_prefix("Mubiao serving ") {
            let url = rest.split_whitespace().next().expect("a URL");
            break url.trim_end_matches('/').to_owned();
        }
        printed.push(line);
    };
    (server, base, printed)
}

#[tokio::test]
async fn serve_answers_and_stops_cleanly_on_sigterm() {
    let dir = tempdir();
    let (mut server, base, printed) = serve_demo(dir.path());
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    assert!(!base.ends_with(":0"), "the real port is printed: {base}");
    // `--demo` prints the demo logins before serving.
    assert!(
        printed.iter().any(|l| l.contains("demo logins")),
        "{printed:?}"
    );

    let http = reqwest::Client::new();
    let resp = http
        .get(format!("{base}/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(resp.status(), StatusCode::OK);
    let resp = http
        .get(format!("{base}/login"))
        .send()
        .await
        .expect("login page");
    assert_eq!(resp.status(), StatusCode::OK);
    let page = resp.text().await.expect("page");
    for l in mubiao::demo::DEMO_LOGINS {
        assert!(page.contains(l.username), "login page lists {}", l.username);
        assert!(page.contains(l.who), "login page lists {}", l.who);
    }
    // The demo accounts work.
    let resp = http
        .post(format!("{base}/api/v1/login"))
        .json(&serde_json::json!({"username": "manager", "password": "demo"}))
        .send()
        .await
        .expect("login");
    assert_eq!(resp.status(), StatusCode::OK);

    let pid = server.0.id().to_string();
    let status = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -TERM {pid}");
    let deadline = Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(s) = server.0.try_wait().expect("wait") {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "mubiao serve did not stop within 10 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let log = std::fs::read_to_string(dir.path().join("serve.log")).unwrap_or_default();
    assert!(exit.success(), "exit {exit}; stderr: {log}");
    assert!(dir.path().join("mubiao.db").exists());
}

/// `serve --demo` on a database whose admin chose a password of their own
/// does not advertise the demo logins, on the page or in its output.
#[tokio::test]
async fn serve_demo_hides_the_logins_once_admin_has_a_real_password() {
    let dir = tempdir();
    ok(dir.path(), &["demo"], None);
    ok(
        dir.path(),
        &["user", "passwd", "admin", "--password-stdin"],
        Some("a-real-secret-1\n"),
    );
    let (_server, base, printed) = serve_demo(dir.path());
    assert!(
        !printed.iter().any(|l| l.contains("demo logins")),
        "{printed:?}"
    );
    let resp = reqwest::get(format!("{base}/login"))
        .await
        .expect("login page");
    assert_eq!(resp.status(), StatusCode::OK);
    let page = resp.text().await.expect("page");
    for l in mubiao::demo::DEMO_LOGINS {
        assert!(!page.contains(l.who), "login page lists {}: {page}", l.who);
    }
    assert!(!page.contains("class=\"demo\""), "{page}");
}
