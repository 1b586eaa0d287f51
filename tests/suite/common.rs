//! Test harness: the real app on port 0 against a fresh database, SQLite or
//! PostgreSQL, and an HTTP client that signs in like a script would.
//!
//! `both_databases!` turns each test body into two tests, `sqlite::name`
//! and `postgres::name`. The PostgreSQL half needs `MUBIAO_TEST_POSTGRES`
//! (e.g. `postgres://root@127.0.0.1:5432/test`); each test creates and drops
//! its own database. Without it the half prints that it skipped, unless
//! `MUBIAO_REQUIRE_POSTGRES=1`, which makes the skip a failure.

#![allow(dead_code)]

use std::sync::Arc;

use mubiao::storage::{self, Db};
use mubiao::web::{AppState, WebSettings};
use reqwest::{Method, StatusCode};
use sea_orm::ConnectionTrait;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

struct Inner {
    addr: String,
    db: Db,
    backend: Backend,
    /// PostgreSQL: the admin URL and the name of this test's database.
    pg: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
    db_url: String,
}

/// A running app. Cheap to clone.
#[derive(Clone)]
pub struct TestApp(Arc<Inner>);

fn flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

/// A name for the demo database of this build of the test binary: each
/// test runs in its own process, and all of them share it.
fn demo_key() -> String {
    let exe = std::env::current_exe().expect("test binary");
    let built = std::fs::metadata(&exe)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in format!("{}:{built}", exe.display()).bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// The demo company in a SQLite file, loaded by the first test that needs
/// it and copied by the others.
async fn demo_template_sqlite() -> std::path::PathBuf {
    let template = std::env::temp_dir().join(format!("mubiao-demo-{}.db", demo_key()));
    if template.exists() {
        return template;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("demo.db").display());
    let db = storage::connect(&url).await.expect("connect + migrate");
    assert!(mubiao::demo::load(&db).await.expect("demo loads"));
    // A self-contained copy, then an atomic rename: a process that loses
    // the race to build it finds a complete file either way.
    let partial = dir.path().join("template.db");
    db.execute_unprepared(&format!("VACUUM INTO '{}'", partial.display()))
        .await
        .expect("vacuum into");
    db.close().await.ok();
    let staged = template.with_extension(format!("{}.tmp", std::process::id()));
    std::fs::copy(&partial, &staged).expect("stage the demo");
    std::fs::rename(&staged, &template).expect("publish the demo");
    template
}

/// Creates the test database `name` as a copy of a demo database loaded
/// once per build (under an advisory lock: one process loads it, and
/// copies are made one at a time, as PostgreSQL requires of a template).
async fn demo_template_postgres(admin_db: &sea_orm::DatabaseConnection, admin: &str, name: &str) {
    let template = format!("mubiao_demo_{}", demo_key());
    let conn = admin_db;
    conn.execute_unprepared("SELECT pg_advisory_lock(771204)")
        .await
        .expect("lock");
    let exists = conn
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            format!("SELECT 1 AS one FROM pg_database WHERE datname = '{template}'"),
        ))
        .await
        .expect("look for the demo")
        .is_some();
    if !exists {
        // Demo databases of earlier builds are of no use any more.
        let old = conn
            .query_all_raw(sea_orm::Statement::from_string(
                sea_orm::DatabaseBackend::Postgres,
                "SELECT datname FROM pg_database WHERE datname LIKE 'mubiao_demo_%'".to_owned(),
            ))
            .await
            .unwrap_or_default();
        for r in old {
            if let Ok(n) = r.try_get::<String>("", "datname") {
                conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS {n} WITH (FORCE)"))
                    .await
                    .ok();
            }
        }
        // Loaded under another name and renamed when complete: a load that
        // fails leaves no half demo behind for the next test to copy.
        let loading = format!("{template}_loading");
        conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS {loading} WITH (FORCE)"))
            .await
            .ok();
        conn.execute_unprepared(&format!("CREATE DATABASE {loading}"))
            .await
            .expect("create the demo database");
        let db = storage::connect(&with_database(admin, &loading))
            .await
            .expect("connect + migrate");
        assert!(mubiao::demo::load(&db).await.expect("demo loads"));
        db.close().await.ok();
        conn.execute_unprepared(&format!("ALTER DATABASE {loading} RENAME TO {template}"))
            .await
            .expect("publish the demo database");
    }
    let created = conn
        .execute_unprepared(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
        .await;
    conn.execute_unprepared("SELECT pg_advisory_unlock(771204)")
        .await
        .ok();
    created.expect("copy the demo database");
}

/// Replaces the database name at the end of a PostgreSQL URL.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let base = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

impl TestApp {
    /// Starts the app on a fresh database, or returns `None` when the
    /// PostgreSQL half is skipped.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, WebSettings::default()).await
    }

    pub async fn spawn_with(backend: Backend, settings: WebSettings) -> Option<TestApp> {
        Self::spawn_from(backend, settings, false).await
    }

    /// Starts the app on a fresh database — with the demo company when
    /// `demo`, copied from a demo database loaded once per build of the
    /// test binary (loading it takes seconds: two years of orders and half
    /// a million calls and visits).
    async fn spawn_from(backend: Backend, settings: WebSettings, demo: bool) -> Option<TestApp> {
        let (db_url, pg, dir) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let path = dir.path().join("test.db");
                if demo {
                    std::fs::copy(demo_template_sqlite().await, &path).expect("copy the demo");
                }
                let url = format!("sqlite://{}", path.display());
                (url, None, Some(dir))
            }
            Backend::Postgres => {
                let Ok(admin) = std::env::var("MUBIAO_TEST_POSTGRES") else {
                    assert!(
                        !flag("MUBIAO_REQUIRE_POSTGRES"),
                        "MUBIAO_REQUIRE_POSTGRES=1 but MUBIAO_TEST_POSTGRES is not set"
                    );
                    eprintln!("skipped: set MUBIAO_TEST_POSTGRES to run the PostgreSQL half");
                    return None;
                };
                let name = format!(
                    "mubiao_t_{}",
                    storage::accounts::random_token()
                        .to_lowercase()
                        .chars()
                        .filter(char::is_ascii_alphanumeric)
                        .take(16)
                        .collect::<String>()
                );
                let admin_db = sea_orm::Database::connect(&admin)
                    .await
                    .expect("connect to MUBIAO_TEST_POSTGRES");
                if demo {
                    demo_template_postgres(&admin_db, &admin, &name).await;
                } else {
                    admin_db
                        .execute_unprepared(&format!("CREATE DATABASE {name}"))
                        .await
                        .expect("create test database");
                }
                admin_db.close().await.ok();
                (with_database(&admin, &name), Some((admin, name)), None)
            }
        };
        let db = storage::connect(&db_url).await.expect("connect + migrate");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind port 0");
        let addr = format!("http://{}", listener.local_addr().expect("addr"));
        let state = AppState::new(db.clone(), settings);
        tokio::spawn(async move {
            mubiao::web::serve(listener, state, std::future::pending())
                .await
                .expect("server");
        });
        Some(TestApp(Arc::new(Inner {
            addr,
            db,
            backend,
            pg,
            _dir: dir,
            db_url,
        })))
    }

    /// A second server process's worth of app — its own pool and port — on
    /// the same database, as behind a load balancer.
    pub async fn another_server(&self) -> TestApp {
        let db = storage::connect(&self.0.db_url).await.expect("connect");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind port 0");
        let addr = format!("http://{}", listener.local_addr().expect("addr"));
        let state = AppState::new(db.clone(), WebSettings::default());
        tokio::spawn(async move {
            mubiao::web::serve(listener, state, std::future::pending())
                .await
                .expect("server");
        });
        TestApp(Arc::new(Inner {
            addr,
            db,
            backend: self.0.backend,
            // The first server owns (and drops) the database.
            pg: None,
            _dir: None,
            db_url: self.0.db_url.clone(),
        }))
    }

    /// Starts the app with the demo company loaded.
    pub async fn with_demo(backend: Backend) -> Option<TestApp> {
        Self::spawn_from(backend, WebSettings::default(), true).await
    }

    /// Switches every metric back to typed actuals, as a company that keeps
    /// its orders elsewhere does: for tests about entering figures by hand.
    pub async fn typed_actuals(&self) {
        let admin = self.demo("admin").await;
        let (_, list) = admin.get("/api/v1/metrics").await;
        for m in list.as_array().expect("metrics") {
            if m["source"] != "manual" {
                let code = m["code"].as_str().expect("code");
                let (status, r) = admin
                    .patch(
                        &format!("/api/v1/metrics/{code}"),
                        serde_json::json!({"source": "manual"}),
                    )
                    .await;
                assert_eq!(status, StatusCode::OK, "{r}");
            }
        }
    }

    pub fn db(&self) -> &Db {
        &self.0.db
    }

    pub fn backend(&self) -> Backend {
        self.0.backend
    }

    /// Asserts that every credit's copies of its order's date, customer
    /// and cancellation equal the order's, every collection credit's date
    /// its collection's, and `person_customer_year` what the credits say;
    /// returns how many order credits there are.
    pub async fn assert_credit_copies_kept(&self) -> i64 {
        let row = self
            .db()
            .query_one_raw(sea_orm::Statement::from_string(
                self.db().get_database_backend(),
                "SELECT CAST(COUNT(*) AS BIGINT) AS credits, \
                 CAST(SUM(CASE WHEN c.order_date <> o.order_date OR c.customer_id <> o.customer_id \
                 OR c.cancelled <> (o.status = 'cancelled') THEN 1 ELSE 0 END) AS BIGINT) AS differ \
                 FROM order_credit c JOIN sales_order o ON o.id = c.order_id",
            ))
            .await
            .unwrap()
            .unwrap();
        let differ: Option<i64> = row.try_get("", "differ").unwrap();
        assert_eq!(
            differ.unwrap_or(0),
            0,
            "credits whose copies differ from their order"
        );
        let collections = self
            .db()
            .query_one_raw(sea_orm::Statement::from_string(
                self.db().get_database_backend(),
                "SELECT CAST(COUNT(*) AS BIGINT) AS differ FROM collection_credit c \
                 JOIN collection k ON k.id = c.collection_id WHERE c.collected_on <> k.collected_on",
            ))
            .await
            .unwrap()
            .unwrap();
        let differ: i64 = collections.try_get("", "differ").unwrap();
        assert_eq!(
            differ, 0,
            "collection credits whose date differs from their collection's"
        );
        // Each salesperson's first month per customer and year, kept for
        // the repurchase rate, is what their credits say.
        let grouped = "SELECT person_id, CAST(substr(order_date, 1, 4) AS INTEGER) AS year, \
             customer_id, MIN(substr(order_date, 1, 7)) AS first_month FROM order_credit \
             WHERE NOT cancelled GROUP BY person_id, substr(order_date, 1, 4), customer_id";
        let kept = "SELECT person_id, year, customer_id, first_month FROM person_customer_year";
        for (a, b, what) in [
            (kept, grouped, "kept but not in the credits"),
            (grouped, kept, "in the credits but not kept"),
        ] {
            let row = self
                .db()
                .query_one_raw(sea_orm::Statement::from_string(
                    self.db().get_database_backend(),
                    format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM ({a} EXCEPT {b}) AS d"),
                ))
                .await
                .unwrap()
                .unwrap();
            let n: i64 = row.try_get("", "n").unwrap();
            assert_eq!(n, 0, "person_customer_year rows {what}");
        }
        row.try_get("", "credits").unwrap()
    }

    pub fn db_url(&self) -> &str {
        &self.0.db_url
    }

    /// Runs the `mubiao` binary on the test's database, off the async
    /// runtime (the server in this process keeps answering meanwhile).
    pub async fn cli(&self, args: &[&str]) -> std::process::Output {
        let url = self.db_url().to_owned();
        let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_mubiao"))
                .arg("--database")
                .arg(url)
                .args(args)
                .env_remove("MUBIAO_DATABASE_URL")
                .env_remove("MUBIAO_CONFIG")
                .env_remove("MUBIAO_TIME_ZONE")
                .env("MUBIAO_LOG", "warn")
                .stdin(std::process::Stdio::null())
                .output()
                .expect("mubiao runs")
        })
        .await
        .expect("the command's thread")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.0.addr)
    }

    /// A client without any credentials.
    pub fn anonymous(&self) -> Client {
        Client {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base: self.0.addr.clone(),
            csrf: None,
            bearer: None,
        }
    }

    /// Signs in through `POST /api/v1/login`; panics if that fails.
    pub async fn login(&self, username: &str, password: &str) -> Client {
        let mut c = self.anonymous();
        let (status, body) = c
            .send(
                Method::POST,
                "/api/v1/login",
                Some(serde_json::json!({"username": username, "password": password})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login {username}: {body}");
        c.csrf = body["csrf_token"].as_str().map(str::to_owned);
        assert!(c.csrf.is_some(), "login returns a CSRF token");
        c
    }

    /// A demo user (password `demo`).
    pub async fn demo(&self, username: &str) -> Client {
        self.login(username, "demo").await
    }

    /// A client that sends `Authorization: Bearer`.
    pub fn with_token(&self, token: &str) -> Client {
        Client {
            bearer: Some(token.to_owned()),
            ..self.anonymous()
        }
    }

    /// Drops the PostgreSQL database of this test.
    pub async fn cleanup(&self) {
        if let Some((admin, name)) = &self.0.pg {
            self.0.db.clone().close().await.ok();
            if let Ok(admin_db) = sea_orm::Database::connect(admin.as_str()).await {
                admin_db
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .ok();
                admin_db.close().await.ok();
            }
        }
    }
}

/// An HTTP client with the cookie jar, CSRF token or bearer token of one
/// user.
#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
}

impl Client {
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let mut rb = self
            .http
            .request(method.clone(), format!("{}{path}", self.base));
        if let Some(t) = &self.bearer {
            rb = rb.bearer_auth(t);
        }
        if let Some(c) = self.csrf.as_ref().filter(|_| method != Method::GET) {
            rb = rb.header("X-CSRF-Token", c);
        }
        rb
    }

    /// Sends a JSON request and returns status and JSON body (`Null` when
    /// the body is empty or not JSON).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut rb = self.request(method, path);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let resp = rb.send().await.expect("request");
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::PATCH, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.send(Method::DELETE, path, None).await
    }

    /// Uploads a file as multipart field `file`.
    pub async fn upload(&self, path: &str, filename: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(filename.to_owned());
        let form = reqwest::multipart::Form::new().part("file", part);
        let resp = self
            .request(Method::POST, path)
            .multipart(form)
            .send()
            .await
            .expect("upload");
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Fetches a page as text.
    pub async fn page(&self, path: &str) -> (StatusCode, String) {
        let resp = self.request(Method::GET, path).send().await.expect("page");
        let status = resp.status();
        (status, resp.text().await.unwrap_or_default())
    }
}

/// Runs a test body against a fresh app (demo loaded), then drops its
/// database even when the body panics.
pub async fn run<F, Fut>(backend: Backend, body: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let Some(app) = TestApp::with_demo(backend).await else {
        return;
    };
    let result = tokio::spawn(body(app.clone())).await;
    app.cleanup().await;
    if let Err(e) = result {
        if e.is_panic() {
            std::panic::resume_unwind(e.into_panic());
        }
        panic!("test task failed: {e}");
    }
}

/// Declares each test once per database:
///
/// ```ignore
/// both_databases! {
///     async fn manager_sees_own_region(app) { … }
/// }
/// ```
#[macro_export]
macro_rules! both_databases {
    ($(async fn $name:ident($app:ident) $body:block)*) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test]
                async fn $name() {
                    $crate::common::run($crate::common::Backend::Sqlite, |$app| async move $body).await;
                }
            )*
        }
        mod postgres {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test]
                async fn $name() {
                    $crate::common::run($crate::common::Backend::Postgres, |$app| async move $body).await;
                }
            )*
        }
    };
}

#[test]
fn postgres_url_gets_the_test_database() {
    assert_eq!(
        with_database("postgres://root@127.0.0.1:5432/test", "x"),
        "postgres://root@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgres://root@127.0.0.1/test?sslmode=disable", "x"),
        "postgres://root@127.0.0.1/x?sslmode=disable"
    );
}
