//! The `mubiao` command: serve the app, load the demo, manage users,
//! migrate, back up.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use mubiao::config::{self, FileConfig};
use mubiao::domain::period::FiscalYear;
use mubiao::domain::role::Role;
use mubiao::storage::{self, Engine, accounts};
use mubiao::web::{self, AppState, WebSettings};

// glibc's allocator spent about a sixth of a 200,000-row order import in
// malloc and free (the rows' values, the statements' bound parameters);
// mimalloc keeps freed blocks per thread and size for the next allocation.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Mubiao (目标): sales target management.
#[derive(Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    /// Database URL: sqlite://PATH (created when missing) or postgres://USER@HOST/DB
    /// [default: sqlite://mubiao.db]
    #[arg(long, global = true, env = "MUBIAO_DATABASE_URL")]
    database: Option<String>,

    /// Configuration file [default: mubiao.toml, if present]
    #[arg(long, global = true, env = "MUBIAO_CONFIG")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (pages and JSON API)
    Serve(ServeArgs),
    /// Load the demo company into an empty database
    Demo,
    /// Apply pending database migrations and exit
    Migrate,
    /// Write a consistent copy of a running SQLite database to FILE
    Backup {
        /// Where to write the copy; must not exist yet
        file: PathBuf,
    },
    /// Manage login accounts
    #[command(subcommand)]
    User(UserCommand),
    /// Measure performance on a synthetic company (see the README)
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Import records from a file, all or nothing
    #[command(subcommand)]
    Import(ImportCommand),
    /// Recompute every computed actual (sales, calls, visits …) from the
    /// records; locked months keep their figures
    Recompute,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Orders from .xlsx or .csv (订单号, 客户, 销售工号, 下单日期, 产品, 类别,
    /// 数量, 单价, 金额 …), with progress on stderr
    Orders {
        /// The .xlsx or .csv file
        file: PathBuf,
        /// Company time zone for date-times in the file [default: Asia/Shanghai]
        #[arg(long, env = "MUBIAO_TIME_ZONE")]
        time_zone: Option<String>,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// The target table: 10,000 people, three years, measured over HTTP.
    /// Uses a fresh SQLite file in the temp directory unless --database
    /// names an empty database.
    Table {
        #[arg(long, default_value_t = 50)]
        departments: usize,
        #[arg(long, default_value_t = 20)]
        teams_per_department: usize,
        #[arg(long, default_value_t = 10)]
        people_per_team: usize,
        #[arg(long, default_value_t = 3)]
        years: i32,
        /// Requests per single-table measurement
        #[arg(long, default_value_t = 200)]
        requests: usize,
        /// Concurrent clients in the load run
        #[arg(long, default_value_t = 64)]
        clients: usize,
        /// Length of the load run
        #[arg(long, default_value_t = 30)]
        load_seconds: u64,
    },
    /// Target decomposition: a company target split to 10,000 people ×
    /// 12 months and saved as a published plan version, three rounds.
    Split {
        #[arg(long, default_value_t = 50)]
        departments: usize,
        #[arg(long, default_value_t = 20)]
        teams_per_department: usize,
        #[arg(long, default_value_t = 10)]
        people_per_team: usize,
    },
    /// The sales process: 10,000 people, 10 million order lines and 20
    /// million activities; recompute, company table, a new order over
    /// HTTP and a CSV import measured.
    Sales {
        #[arg(long, default_value_t = 50)]
        departments: usize,
        #[arg(long, default_value_t = 20)]
        teams_per_department: usize,
        #[arg(long, default_value_t = 10)]
        people_per_team: usize,
        /// Order lines in all
        #[arg(long, default_value_t = 10_000_000)]
        lines: u64,
        /// Order lines at the first measurement
        #[arg(long, default_value_t = 1_000_000)]
        first_lines: u64,
        /// Calls and visits in all
        #[arg(long, default_value_t = 20_000_000)]
        activities: u64,
        /// Rows of the imported CSV file
        #[arg(long, default_value_t = 200_000)]
        import_rows: usize,
        /// Orders created over the API and timed (after 10 not timed)
        #[arg(long, default_value_t = 200)]
        api_orders: usize,
    },
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "MUBIAO_LISTEN")]
    listen: Option<String>,
    /// Load the demo company when the database is empty
    #[arg(long, env = "MUBIAO_DEMO")]
    demo: bool,
    /// Mark cookies Secure (set when served behind https)
    #[arg(long, env = "MUBIAO_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Company time zone for display [default: Asia/Shanghai]
    #[arg(long, env = "MUBIAO_TIME_ZONE")]
    time_zone: Option<String>,
    /// Month (1–12) the company's year starts in [default: 1]
    #[arg(long, env = "MUBIAO_FISCAL_YEAR_START")]
    fiscal_year_start: Option<u8>,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; the password is asked for (or read from stdin)
    Add {
        username: String,
        /// admin, gm, manager, sales, sales_admin or hr
        #[arg(long, default_value = "admin")]
        role: String,
        /// Link the account to this person (工号)
        #[arg(long)]
        employee_no: Option<String>,
        /// Read the password from the first line of stdin
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a user's password and end their sessions
    Passwd {
        username: String,
        /// Read the password from the first line of stdin
        #[arg(long)]
        password_stdin: bool,
    },
    /// Create a personal API token for a user and print it
    Token {
        username: String,
        /// What the token is for
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("MUBIAO_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

async fn run(cli: Cli) -> Result<(), String> {
    let config_path = cli
        .config
        .clone()
        .unwrap_or_else(|| PathBuf::from(config::DEFAULT_CONFIG_FILE));
    let file = FileConfig::load(&config_path, cli.config.is_some())?;
    let url = config::pick(
        cli.database.clone(),
        file.database_url.clone(),
        config::DEFAULT_DATABASE_URL.to_owned(),
    );
    let redacted = storage::redact_url(&url);
    let connect = || async {
        storage::connect(&url)
            .await
            .map_err(|e| format!("cannot open database {redacted}: {e}"))
    };
    match cli.command {
        Command::Serve(args) => serve(args, &file, connect().await?, &redacted).await,
        Command::Demo => {
            let db = connect().await?;
            if mubiao::demo::load(&db).await.map_err(|e| e.to_string())? {
                println!("demo company loaded into {redacted}");
                print_demo_logins();
            } else {
                println!("{redacted} already holds data; the demo was not loaded");
            }
            Ok(())
        }
        Command::Migrate => {
            connect().await?;
            println!("{redacted}: migrations applied");
            Ok(())
        }
        Command::Backup { file } => backup(&url, connect().await?, &file).await,
        Command::Recompute => {
            let db = connect().await?;
            let started = std::time::Instant::now();
            storage::computed::recompute_all(&db)
                .await
                .map_err(describe)?;
            println!(
                "computed actuals recomputed in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::User(cmd) => user(cmd, connect().await?).await,
        Command::Import(ImportCommand::Orders {
            file: path,
            time_zone,
        }) => {
            let tz_name = config::pick(time_zone, file.time_zone.clone(), "Asia/Shanghai".into());
            let tz = config::time_zone(&tz_name)?;
            import_orders(connect().await?, &path, tz).await
        }
        Command::Bench(BenchCommand::Table {
            departments,
            teams_per_department,
            people_per_team,
            years,
            requests,
            clients,
            load_seconds,
        }) => {
            let cfg = mubiao::bench::BenchConfig {
                departments,
                teams_per_department,
                people_per_team,
                years,
                requests,
                clients,
                load_seconds,
                ..Default::default()
            };
            mubiao::bench::run_table(cli.database.clone(), cfg).await
        }
        Command::Bench(BenchCommand::Split {
            departments,
            teams_per_department,
            people_per_team,
        }) => {
            let cfg = mubiao::bench::BenchConfig {
                departments,
                teams_per_department,
                people_per_team,
                ..Default::default()
            };
            mubiao::bench::split::run(cli.database.clone(), cfg).await
        }
        Command::Bench(BenchCommand::Sales {
            departments,
            teams_per_department,
            people_per_team,
            lines,
            first_lines,
            activities,
            import_rows,
            api_orders,
        }) => {
            let cfg = mubiao::bench::BenchConfig {
                departments,
                teams_per_department,
                people_per_team,
                ..Default::default()
            };
            let sc = mubiao::bench::sales::SalesConfig {
                lines,
                first_lines,
                activities,
                import_rows,
                api_orders,
                ..Default::default()
            };
            mubiao::bench::sales::run(cli.database.clone(), cfg, sc).await
        }
    }
}

/// True when the `admin` account exists, is active and still has the demo
/// password: only then does the login page list the demo logins.
async fn demo_password_unchanged(db: &storage::Db) -> bool {
    let admin = match accounts::find_user(db, "admin").await {
        Ok(Some(u)) if u.active => u,
        Ok(_) => return false,
        Err(e) => {
            tracing::error!(error = %e, "cannot read the admin account; demo logins not shown");
            return false;
        }
    };
    tokio::task::spawn_blocking(move || {
        accounts::verify_password(&admin.password_hash, mubiao::demo::DEMO_PASSWORD)
    })
    .await
    .unwrap_or(false)
}

fn print_demo_logins() {
    println!(
        "demo logins (password \"{}\"):",
        mubiao::demo::DEMO_PASSWORD
    );
    for l in mubiao::demo::DEMO_LOGINS.iter() {
        println!("  {:<12} {}", l.username, l.who);
    }
}

async fn serve(
    args: ServeArgs,
    file: &FileConfig,
    db: storage::Db,
    redacted: &str,
) -> Result<(), String> {
    let listen = config::pick(
        args.listen,
        file.listen.clone(),
        config::DEFAULT_LISTEN.into(),
    );
    let tz_name = config::pick(
        args.time_zone,
        file.time_zone.clone(),
        "Asia/Shanghai".to_owned(),
    );
    let mut settings = WebSettings {
        time_zone: config::time_zone(&tz_name)?,
        secure_cookies: args.secure_cookies || file.secure_cookies.unwrap_or(false),
        max_upload_bytes: file.max_upload_mb.unwrap_or(10) * 1024 * 1024,
        show_demo_logins: false,
        fiscal_year: {
            let month = config::pick(args.fiscal_year_start, file.fiscal_year_start, 1);
            FiscalYear::starting_in(month)
                .ok_or_else(|| format!("fiscal year start must be a month 1–12, not {month}"))?
        },
    };
    if args.demo {
        match mubiao::demo::load(&db).await {
            Ok(true) => tracing::info!("demo company loaded"),
            Ok(false) => tracing::info!("database not empty; demo not loaded"),
            Err(e) => return Err(format!("loading the demo failed: {e}")),
        }
        // A database whose admin has a password of its own never
        // advertises the demo logins, `--demo` or not.
        settings.show_demo_logins = demo_password_unchanged(&db).await;
        if settings.show_demo_logins {
            print_demo_logins();
        } else {
            println!(
                "admin has a password of its own: the login page does not list the demo accounts"
            );
        }
    }
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("Mubiao serving http://{addr}/ on {redacted}");
    let state = AppState::new(db, settings);
    web::serve(listener, state, shutdown_signal())
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on SIGTERM or Ctrl-C; requests in flight then finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

async fn backup(url: &str, db: storage::Db, target: &std::path::Path) -> Result<(), String> {
    use sea_orm::ConnectionTrait;
    if Engine::of(url) != Some(Engine::Sqlite) {
        return Err(
            "backup copies SQLite databases; for PostgreSQL use pg_dump (see the README)".into(),
        );
    }
    if target.exists() {
        return Err(format!(
            "{} exists already; choose a new file",
            target.display()
        ));
    }
    let path = target
        .to_str()
        .ok_or_else(|| "the backup path must be valid UTF-8".to_owned())?;
    // VACUUM INTO writes a consistent snapshot while the server keeps running.
    db.execute_unprepared(&format!("VACUUM INTO '{}'", path.replace('\'', "''")))
        .await
        .map_err(|e| format!("backup failed: {e}"))?;
    println!("backup written to {}", target.display());
    Ok(())
}

fn read_password(from_stdin: bool) -> Result<String, String> {
    let pw = if from_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else {
        let first = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("Again: ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the two passwords differ".into());
        }
        first
    };
    accounts::check_new_password("password", &pw).map_err(|_| {
        format!(
            "the password must have at least {} characters",
            accounts::MIN_PASSWORD_LEN
        )
    })?;
    Ok(pw)
}

async fn user(cmd: UserCommand, db: storage::Db) -> Result<(), String> {
    match cmd {
        UserCommand::Add {
            username,
            role,
            employee_no,
            password_stdin,
        } => {
            let role: Role = role.parse().map_err(|_| {
                format!(
                    "unknown role \"{role}\"; expected admin, gm, manager, sales, sales_admin or hr"
                )
            })?;
            let person_id = match employee_no {
                Some(no) => Some(
                    storage::org::person_id_by_employee_no(&db, &no)
                        .await
                        .map_err(|e| e.to_string())?
                        .ok_or_else(|| format!("no person with employee no \"{no}\""))?,
                ),
                None => None,
            };
            let pw = read_password(password_stdin)?;
            accounts::create_user(&db, None, &username, &pw, role, person_id)
                .await
                .map_err(describe)?;
            println!("user {username} created with role {role}");
        }
        UserCommand::Passwd {
            username,
            password_stdin,
        } => {
            let pw = read_password(password_stdin)?;
            accounts::set_password(&db, None, &username, None, &pw)
                .await
                .map_err(describe)?;
            println!("password of {username} set; their sessions were ended");
        }
        UserCommand::Token { username, name } => {
            let u = accounts::find_user(&db, &username)
                .await
                .map_err(describe)?
                .ok_or_else(|| format!("no user \"{username}\""))?;
            let (secret, _) = accounts::create_token(&db, None, u.id, &name)
                .await
                .map_err(describe)?;
            println!("{secret}");
        }
    }
    Ok(())
}

/// `mubiao import orders FILE`: the import of the API, with a progress
/// line on stderr (redrawn in place on a terminal).
async fn import_orders(
    db: storage::Db,
    path: &std::path::Path,
    tz: chrono_tz::Tz,
) -> Result<(), String> {
    use mubiao::transfer::TransferError;
    use mubiao::transfer::orders::{self as import, ImportError, Progress, Stage};
    use std::sync::{Arc, Mutex};
    use std::time::Instant;
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let started = Instant::now();
    let tty = std::io::stderr().is_terminal();
    let last = Arc::new(Mutex::new((None::<Stage>, Instant::now())));
    let progress: import::ProgressFn = Arc::new(move |p: Progress| {
        let Ok(mut last) = last.lock() else { return };
        let now = Instant::now();
        let new_stage = last.0 != Some(p.stage);
        if !new_stage && now.duration_since(last.1).as_millis() < 100 && p.stage != Stage::Done {
            return;
        }
        if !tty && !new_stage {
            return;
        }
        *last = (Some(p.stage), now);
        let secs = started.elapsed().as_secs_f64().max(0.001);
        let line = match p.stage {
            Stage::Reading => format!(
                "reading   {:>10} rows  {:>9.0} rows/s",
                p.done,
                p.done as f64 / secs
            ),
            Stage::Checking => format!("checking  {:>10} rows", p.done),
            Stage::Writing => format!(
                "writing   {:>10} / {} lines  {:>3}%",
                p.done,
                p.total,
                (p.done * 100).checked_div(p.total).unwrap_or(100)
            ),
            Stage::Figures => format!("figures   {:>10} salesperson-days", p.done),
            Stage::Done => format!("written   {:>10} lines", p.done),
        };
        let line = format!("{line}  [{secs:.2} s]");
        if tty {
            eprint!("\r\x1b[2K{line}");
            if p.stage == Stage::Done {
                eprintln!();
            }
        } else {
            eprintln!("{line}");
        }
    });
    match import::import_file(&db, None, &name, bytes, tz, progress).await {
        Ok(s) => {
            let secs = started.elapsed().as_secs_f64().max(0.001);
            println!(
                "imported {} orders from {} rows in {:.2} s ({:.0} rows/s); {} customer(s) created",
                s.orders,
                s.rows,
                secs,
                s.rows as f64 / secs,
                s.customers_created.len()
            );
            for c in &s.customers_created {
                println!("  new customer: {c}");
            }
            Ok(())
        }
        Err(ImportError::File(TransferError::Cells(cells))) => {
            if tty {
                eprintln!();
            }
            for c in &cells {
                eprintln!("{c}");
            }
            Err(format!(
                "{} problem(s) in {}; nothing was imported",
                cells.len(),
                path.display()
            ))
        }
        Err(ImportError::File(e)) => Err(format!("{}: {e}; nothing was imported", path.display())),
        Err(ImportError::Storage(e)) => Err(describe(e)),
    }
}

fn describe(e: storage::Error) -> String {
    match e {
        storage::Error::Invalid(fields) => fields
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; "),
        storage::Error::NotFound => "not found".into(),
        other => other.to_string(),
    }
}
