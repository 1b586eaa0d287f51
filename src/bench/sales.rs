//! `mubiao bench sales`: the sales process at scale. The company of
//! 10,000 people gets 100,000 customers, 10 million order lines (4 million
//! orders, one in ten split 60/40 between two salespeople, one in fifty
//! cancelled, half of them collected) and 20 million calls and visits over
//! 2025 and 2026, bulk-loaded set-based (`INSERT … SELECT` over a number
//! series). Measured:
//!
//! - every computed actual recomputed from scratch
//!   ([`computed::recompute_all`]) at 1 million and at 10 million lines;
//! - the company's table (p50/p95 over HTTP) at 1 million and 10 million
//!   lines;
//! - one new order through `POST /api/v1/orders` until the company table
//!   shows it;
//! - importing a 200,000-row CSV file with the production import
//!   ([`crate::transfer::orders::import_file`]), rows per second.

use std::time::{Duration, Instant};

use chrono::Utc;
use sea_orm::{ConnectionTrait, DatabaseBackend, Value};
use serde_json::json;

use super::{
    BenchConfig, BenchResult, bench_database, build_company, err, load_figures, percentiles,
    rebuild_rollups, stmt, timed_gets,
};
use crate::domain::role::Role;
use crate::storage::{self, Db, accounts, computed};
use crate::web::{AppState, WebSettings};

/// How much to load and measure.
#[derive(Debug, Clone)]
pub struct SalesConfig {
    /// Order lines in all (2 or 3 per order).
    pub lines: u64,
    /// Order lines of the first measurement.
    pub first_lines: u64,
    pub activities: u64,
    pub customers_per_person: u64,
    /// Rows of the imported CSV file.
    pub import_rows: usize,
    /// Orders created over the API and timed, after [`WARM_UP_ORDERS`].
    pub api_orders: usize,
}

impl Default for SalesConfig {
    fn default() -> Self {
        SalesConfig {
            lines: 10_000_000,
            first_lines: 1_000_000,
            activities: 20_000_000,
            customers_per_person: 10,
            import_rows: 200_000,
            api_orders: 200,
        }
    }
}

/// Orders created before those timed, as the table bench's edits: the
/// first uses of each statement on a pooled connection and the first
/// reads of the pages a new order touches are not what a salesperson
/// entering orders all day waits for.
const WARM_UP_ORDERS: usize = 10;

/// The days the records fall on: 2025-01-01 and the 698 after it (to
/// 2026-11-30).
const DAYS: i64 = 699;

/// Orders holding `lines` lines: orders alternate 2 and 3 lines.
fn orders_for(lines: u64) -> u64 {
    lines * 2 / 5
}

/// SQL fragments for the engine: a number series `s(n)` from `?` to `?`
/// (bound first), and the day `expr` days after 2025-01-01 as text.
struct Dialect {
    backend: DatabaseBackend,
}

impl Dialect {
    /// `(prefix, from)`: the statement starts with `prefix` and reads the
    /// numbers `FROM {from}`.
    fn series(&self) -> (&'static str, &'static str) {
        match self.backend {
            DatabaseBackend::Postgres => (
                "",
                "generate_series(CAST(? AS BIGINT), CAST(? AS BIGINT)) AS s(n)",
            ),
            _ => (
                "WITH RECURSIVE s(n) AS (SELECT ? UNION ALL SELECT n + 1 FROM s WHERE n < ?) ",
                "s",
            ),
        }
    }

    fn day(&self, expr: &str) -> String {
        match self.backend {
            DatabaseBackend::Postgres => {
                format!("to_char(DATE '2025-01-01' + CAST({expr} AS INTEGER), 'YYYY-MM-DD')")
            }
            _ => format!("date('2025-01-01', '+' || ({expr}) || ' days')"),
        }
    }
}

/// Ids the generated rows refer to.
struct Ids {
    first_person: i64,
    people: i64,
    first_customer: i64,
    user: i64,
}

/// Runs `sql` (written for `INSERT … SELECT … FROM s`) over `from..=to`
/// in chunks of a million numbers, each its own transaction.
async fn over_series(
    db: &Db,
    d: &Dialect,
    sql: &str,
    from: i64,
    to: i64,
    tail: &[Value],
) -> BenchResult<()> {
    let (prefix, series) = d.series();
    let sql = format!("{prefix}{}", sql.replace("{series}", series));
    let mut start = from;
    while start <= to {
        let end = (start + 999_999).min(to);
        // The series' bounds come first in SQLite's statement (its CTE),
        // last in PostgreSQL's (its FROM).
        let bounds: [Value; 2] = [start.into(), end.into()];
        let values: Vec<Value> = if d.backend == DatabaseBackend::Postgres {
            tail.iter().cloned().chain(bounds).collect()
        } else {
            bounds.into_iter().chain(tail.iter().cloned()).collect()
        };
        db.execute_raw(stmt(db, &sql, values)).await.map_err(err)?;
        start = end + 1;
    }
    Ok(())
}

async fn load_customers(db: &Db, d: &Dialect, ids: &Ids, per_person: u64) -> BenchResult<u64> {
    let n = ids.people * per_person as i64;
    let sql = format!(
        "INSERT INTO customer (id, name, owner_person_id, status, created_at, updated_at) \
         SELECT {c0} + n, '客户' || ({c0} + n), {p0} + (n - 1) / {per}, 'active', ?, ? FROM {{series}}",
        c0 = ids.first_customer - 1,
        p0 = ids.first_person,
        per = per_person,
    );
    let now = Utc::now();
    over_series(db, d, &sql, 1, n, &[now.into(), now.into()]).await?;
    resync(db, "customer").await?;
    Ok(n as u64)
}

/// Orders `from..=to` (ids too) with their lines, credits, collections.
/// Order `n` belongs to person `n % people` and one of their customers;
/// its base price `b` makes lines of `b`, `2b` (and `3b`), so the total
/// is `3b` or `6b`; one in ten is split 60/40 with the next person; one in
/// fifty is cancelled; every second one is collected in full 20 days on.
async fn load_orders(db: &Db, d: &Dialect, ids: &Ids, from: i64, to: i64) -> BenchResult<()> {
    let p = ids.people;
    let (p0, c0) = (ids.first_person, ids.first_customer);
    let base = "((1000 + (n * 7919) % 99000) * 10)";
    let total = format!("((3 + 3 * (n % 2)) * {base})");
    let day = d.day(&format!("n % {DAYS}"));
    let customer = format!("{c0} + (n % {p}) * 10 + (n / {p}) % 10");
    let now = Utc::now();
    let sql = format!(
        "INSERT INTO sales_order (id, order_no, customer_id, status, order_date, confirmed_on, \
         total, created_by_user_id, created_at, updated_at) \
         SELECT n, 'B' || n, {customer}, \
         CASE WHEN n % 50 = 0 THEN 'cancelled' ELSE 'confirmed' END, {day}, {day}, {total}, \
         {user}, ?, ? FROM {{series}}",
        user = ids.user,
    );
    over_series(db, d, &sql, from, to, &[now.into(), now.into()]).await?;
    let sql = format!(
        "INSERT INTO order_line (order_id, line_no, product, category, quantity_milli, \
         unit_price, amount) \
         SELECT n, k.column1 + 1, 'P' || ((n + k.column1) % 50), 'CAT' || ((n + k.column1) % 8), \
         1000 * (k.column1 + 1), {base}, (k.column1 + 1) * {base} \
         FROM {{series}} JOIN (VALUES (0), (1), (2)) AS k ON k.column1 < 2 + n % 2"
    );
    over_series(db, d, &sql, from, to, &[]).await?;
    let split = "(CASE WHEN n % 10 = 0 THEN 1 ELSE 0 END)";
    let share = "(CASE WHEN n % 10 = 0 THEN 6000 - 2000 * k.column1 ELSE 10000 END)";
    let sql = format!(
        "INSERT INTO order_credit (order_id, person_id, share, amount, order_date, customer_id, \
         cancelled) \
         SELECT n, {p0} + (n + k.column1) % {p}, {share}, {total} * {share} / 10000, {day}, \
         {customer}, n % 50 = 0 \
         FROM {{series}} JOIN (VALUES (0), (1)) AS k ON k.column1 <= {split}"
    );
    over_series(db, d, &sql, from, to, &[]).await?;
    let paid = d.day(&format!(
        "CASE WHEN n % {DAYS} + 20 < {DAYS} THEN n % {DAYS} + 20 ELSE {} END",
        DAYS - 1
    ));
    let sql = format!(
        "INSERT INTO collection (id, order_id, amount, collected_on, created_by_user_id, created_at) \
         SELECT n, n, {total}, {paid}, {user}, ? FROM {{series}} \
         WHERE n % 2 = 0 AND n % 50 <> 0",
        user = ids.user,
    );
    over_series(db, d, &sql, from, to, &[now.into()]).await?;
    let sql = format!(
        "INSERT INTO collection_credit (collection_id, person_id, amount, collected_on) \
         SELECT n, {p0} + (n + k.column1) % {p}, {total} * {share} / 10000, {paid} \
         FROM {{series}} JOIN (VALUES (0), (1)) AS k ON k.column1 <= {split} \
         WHERE n % 2 = 0 AND n % 50 <> 0"
    );
    over_series(db, d, &sql, from, to, &[]).await?;
    resync(db, "sales_order").await?;
    resync(db, "collection").await?;
    Ok(())
}

/// Activities `from..=to`: activity `a` is person `a % people`'s, on day
/// `(a / people) % 699`; eight in ten are calls, the rest visits.
async fn load_activities(db: &Db, d: &Dialect, ids: &Ids, from: i64, to: i64) -> BenchResult<()> {
    let p = ids.people;
    let day = d.day(&format!("(n / {p}) % {DAYS}"));
    let sql = format!(
        "INSERT INTO activity (person_id, kind, customer_id, occurred_on, occurred_time, \
         created_by_user_id, created_at) \
         SELECT {p0} + n % {p}, CASE WHEN n % 10 < 8 THEN 'call' ELSE 'visit' END, \
         {c0} + (n % {p}) * 10 + (n / 7) % 10, {day}, '10:00', {user}, ? FROM {{series}}",
        p0 = ids.first_person,
        c0 = ids.first_customer,
        user = ids.user,
    );
    over_series(db, d, &sql, from, to, &[Utc::now().into()]).await
}

/// After explicit ids, PostgreSQL's sequence must move past them.
async fn resync(db: &Db, table: &str) -> BenchResult<()> {
    if db.get_database_backend() == DatabaseBackend::Postgres {
        db.execute_unprepared(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
             (SELECT COALESCE(MAX(id), 1) FROM {table}))"
        ))
        .await
        .map_err(err)?;
    }
    Ok(())
}

/// Refreshes PostgreSQL's planner statistics after a bulk load.
async fn analyze(db: &Db) -> BenchResult<()> {
    if db.get_database_backend() == DatabaseBackend::Postgres {
        db.execute_unprepared("ANALYZE").await.map_err(err)?;
    }
    Ok(())
}

/// The company's sales actual of a month (`months[index]`), as shown.
fn sales_cell(t: &serde_json::Value, index: usize) -> Option<String> {
    t["rows"]
        .as_array()?
        .iter()
        .find(|r| r["metric"] == "sales_amount")?["months"]
        .as_array()?
        .get(index)?["actual"]
        .as_str()
        .map(str::to_owned)
}

/// Writes a CSV file of `rows` order lines, two per order, for existing
/// customers (one order in a hundred names a new one) in November 2026.
fn write_csv(path: &std::path::Path, rows: usize, ids: &Ids, customers: u64) -> BenchResult<()> {
    use std::io::Write;
    let file = std::fs::File::create(path).map_err(err)?;
    let mut out = std::io::BufWriter::new(file);
    writeln!(
        out,
        "订单号,客户,销售工号,下单日期,产品,类别,数量,单价,金额,第二销售工号,分成比例"
    )
    .map_err(err)?;
    for r in 0..rows {
        let o = r / 2;
        let h = super::mix(o as u64, 17);
        let person = (h % ids.people as u64) as i64;
        let customer = if o % 100 == 0 {
            format!("导入新客户{o}")
        } else {
            format!(
                "客户{}",
                ids.first_customer + (person * 10 + (h >> 20) as i64 % 10) % customers as i64
            )
        };
        let price = 100 + (h >> 32) % 9_900;
        let quantity = 1 + r % 2 + (h >> 40) as usize % 5;
        let (second, share) = if o % 10 == 0 {
            (format!("B{:06}", (person + 1) % ids.people + 1), "60")
        } else {
            (String::new(), "")
        };
        writeln!(
            out,
            "IMP{o:07},{customer},B{:06},2026-11-{:02},产品{},类别{},{quantity},{price}.00,{}.00,{second},{share}",
            person + 1,
            1 + o % 27,
            (h >> 8) % 50,
            (h >> 16) % 8,
            quantity as u64 * price,
        )
        .map_err(err)?;
    }
    out.flush().map_err(err)?;
    Ok(())
}

/// Builds the company and its records, then measures.
pub async fn run(
    database_url: Option<String>,
    cfg: BenchConfig,
    sc: SalesConfig,
) -> BenchResult<()> {
    let (url, dir) = bench_database(database_url)?;
    println!("database: {}", storage::redact_url(&url));
    let db = storage::connect(&url).await.map_err(err)?;
    if storage::org::count_units(&db).await.map_err(err)? > 0 {
        return Err("the bench needs an empty database".into());
    }
    let d = Dialect {
        backend: db.get_database_backend(),
    };
    let mut report: Vec<String> = Vec::new();
    let mut say = |line: String| {
        println!("{line}");
        report.push(line);
    };

    let t = Instant::now();
    let company = build_company(&db, &cfg).await?;
    storage::bump_structure(&db).await.map_err(err)?;
    let last_year = cfg.last_year;
    let figures = load_figures(&db, &company, last_year - 1..=last_year).await?;
    rebuild_rollups(&db).await?;
    println!(
        "org: {} people, {figures} person figures (targets) in {:.1} s",
        company.people.len(),
        t.elapsed().as_secs_f64()
    );
    let first_person = company
        .people
        .iter()
        .map(|p| p.0)
        .min()
        .ok_or("no people")?;
    let last_person = company
        .people
        .iter()
        .map(|p| p.0)
        .max()
        .ok_or("no people")?;
    let people = company.people.len() as i64;
    if last_person - first_person + 1 != people {
        return Err("the bench needs the people's ids in one run".into());
    }
    let admin = accounts::create_user(&db, None, "bench", "bench-password", Role::SalesAdmin, None)
        .await
        .map_err(err)?;
    let ids = Ids {
        first_person,
        people,
        first_customer: 1,
        user: admin.id,
    };

    let t = Instant::now();
    let customers = load_customers(&db, &d, &ids, sc.customers_per_person).await?;
    println!(
        "customers: {customers} in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    // The server, as in production.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(err)?;
    let base = format!("http://{}", listener.local_addr().map_err(err)?);
    let state = AppState::new(db.clone(), WebSettings::default());
    tokio::spawn(async move {
        let _ = crate::web::serve(listener, state, std::future::pending()).await;
    });
    let (token, _) = accounts::create_token(&db, None, admin.id, "bench")
        .await
        .map_err(err)?;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {token}").parse().map_err(err)?,
    );
    let client = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .map_err(err)?;
    let company_url = format!("{base}/api/v1/table?subject=unit:HQ&year={last_year}");

    let phases = [sc.first_lines.min(sc.lines), sc.lines];
    let mut loaded_orders = 0i64;
    let mut loaded_activities = 0i64;
    for lines in phases {
        let orders = orders_for(lines) as i64;
        let activities = (sc.activities as f64 * lines as f64 / sc.lines.max(1) as f64) as i64;
        let t = Instant::now();
        load_orders(&db, &d, &ids, loaded_orders + 1, orders).await?;
        let order_time = t.elapsed();
        let t = Instant::now();
        load_activities(&db, &d, &ids, loaded_activities + 1, activities).await?;
        let activity_time = t.elapsed();
        let new_lines = (orders - loaded_orders) as f64 * 2.5;
        println!(
            "loaded orders to {orders} ({:.0} lines/s with their orders, credits and collections) \
             and activities to {activities} ({:.0}/s)",
            new_lines / order_time.as_secs_f64(),
            (activities - loaded_activities) as f64 / activity_time.as_secs_f64(),
        );
        loaded_orders = orders;
        loaded_activities = activities;
        analyze(&db).await?;
        let label = if lines >= 1_000_000 {
            format!("{} M lines", lines / 1_000_000)
        } else {
            format!("{lines} lines")
        };
        let t = Instant::now();
        computed::recompute_all(&db).await.map_err(err)?;
        say(format!(
            "recompute every computed actual from scratch, {label} and {:.0} M activities: {:.1} s",
            activities as f64 / 1e6,
            t.elapsed().as_secs_f64()
        ));
        timed_gets(&client, &company_url, 10).await?;
        let (p50, p95, _, _) = percentiles(timed_gets(&client, &company_url, 200).await?);
        say(format!(
            "company table, {label}: p50 {p50:.2} ms, p95 {p95:.2} ms"
        ));
    }

    // One order through the API until the company table shows it.
    let november = 10;
    let mut times = Vec::new();
    for i in 0..WARM_UP_ORDERS + sc.api_orders {
        let before = client.get(&company_url).send().await.map_err(err)?;
        let before: serde_json::Value = before.json().await.map_err(err)?;
        let before = sales_cell(&before, november);
        let person = (i as i64 * 7919) % ids.people;
        let body = json!({
            "customer_id": ids.first_customer + person * 10,
            "order_date": format!("{last_year}-11-{:02}", 1 + i % 27),
            "lines": [{"product": "产品A", "category": "类别1", "quantity": "2", "unit_price": format!("{}.00", 100 + i)}],
            "credits": [{"employee_no": format!("B{:06}", person + 1)}],
        });
        let start = Instant::now();
        let resp = client
            .post(format!("{base}/api/v1/orders"))
            .json(&body)
            .send()
            .await
            .map_err(err)?;
        if !resp.status().is_success() {
            return Err(format!(
                "new order: {} {}",
                resp.status(),
                resp.text().await.unwrap_or_default()
            ));
        }
        let mut seen = false;
        for _ in 0..1000 {
            let t: serde_json::Value = client
                .get(&company_url)
                .send()
                .await
                .map_err(err)?
                .json()
                .await
                .map_err(err)?;
            if sales_cell(&t, november) != before {
                seen = true;
                break;
            }
        }
        if !seen {
            return Err("the new order never showed in the company table".into());
        }
        if i >= WARM_UP_ORDERS {
            times.push(start.elapsed());
        }
    }
    let (p50, p95, _, _) = percentiles(times);
    say(format!(
        "one new order (POST /api/v1/orders) until the company table shows it, {} orders after {WARM_UP_ORDERS} not timed: p50 {p50:.2} ms, p95 {p95:.2} ms",
        sc.api_orders
    ));

    // The production import of a CSV file into the loaded database.
    let csv_dir = match &dir {
        Some(d) => d.clone(),
        None => std::env::temp_dir(),
    };
    let csv = csv_dir.join(format!("bench-orders-{}.csv", std::process::id()));
    write_csv(&csv, sc.import_rows, &ids, customers)?;
    let bytes = std::fs::read(&csv).map_err(err)?;
    let _ = std::fs::remove_file(&csv);
    let t = Instant::now();
    let summary = crate::transfer::orders::import_file(
        &db,
        None,
        "orders.csv",
        bytes,
        chrono_tz::Asia::Shanghai,
        crate::transfer::orders::no_progress(),
    )
    .await
    .map_err(|e| format!("import: {e:?}"))?;
    let took = t.elapsed();
    say(format!(
        "order import from CSV: {} rows ({} orders, {} new customers) in {:.2} s: {:.0} rows/s",
        summary.rows,
        summary.orders,
        summary.customers_created.len(),
        took.as_secs_f64(),
        summary.rows as f64 / took.as_secs_f64().max(1e-9)
    ));
    // The import returns once its orders are committed and visible; on
    // SQLite the pages it changed are copied from the log into the
    // database file after that (a checkpoint, started in the background).
    // Waiting for it here shows what the import costs in all.
    if db.get_database_backend() == DatabaseBackend::Sqlite {
        // A checkpoint asked for while another runs answers "busy" (1)
        // at once, without waiting.
        loop {
            let busy = db
                .query_one_raw(sea_orm::Statement::from_string(
                    DatabaseBackend::Sqlite,
                    "PRAGMA wal_checkpoint(TRUNCATE)",
                ))
                .await
                .map_err(err)?
                .map(|r| r.try_get_by_index::<i64>(0))
                .transpose()
                .map_err(err)?;
            if busy != Some(1) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let all = t.elapsed();
        say(format!(
            "order import from CSV with SQLite's checkpoint after it: {:.2} s: {:.0} rows/s",
            all.as_secs_f64(),
            summary.rows as f64 / all.as_secs_f64().max(1e-9)
        ));
    }
    let t: serde_json::Value = client
        .get(&company_url)
        .send()
        .await
        .map_err(err)?
        .json()
        .await
        .map_err(err)?;
    println!(
        "company sales, November {last_year}, after the import: {}",
        sales_cell(&t, november).unwrap_or_else(|| "—".into())
    );
    tokio::time::sleep(Duration::from_millis(10)).await;
    println!("\nsummary\n-------");
    for line in report {
        println!("{line}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_hold_the_lines_asked_for() {
        // Orders alternate 2 and 3 lines: 2.5 a line on average.
        assert_eq!(orders_for(10_000_000), 4_000_000);
        assert_eq!(orders_for(1_000_000), 400_000);
        let lines: u64 = (1..=orders_for(1_000_000)).map(|n| 2 + n % 2).sum();
        assert_eq!(lines, 1_000_000);
    }

    /// A small run of the whole bench on SQLite: the generated records
    /// are valid (foreign keys hold, credits and collections add up) and
    /// every measurement runs.
    #[tokio::test]
    async fn a_small_run_completes() -> Result<(), String> {
        let dir = tempfile::tempdir().map_err(err)?;
        let url = format!("sqlite://{}", dir.path().join("b.db").display());
        let cfg = BenchConfig {
            departments: 2,
            teams_per_department: 2,
            people_per_team: 5,
            ..BenchConfig::default()
        };
        let sc = SalesConfig {
            lines: 5_000,
            first_lines: 1_000,
            activities: 2_000,
            customers_per_person: 10,
            import_rows: 400,
            api_orders: 3,
        };
        run(Some(url.clone()), cfg, sc).await?;
        let db = storage::connect(&url).await.map_err(err)?;
        let one = |sql: &'static str| {
            let db = db.clone();
            async move {
                let row = db
                    .query_one_raw(stmt(&db, sql, Vec::new()))
                    .await
                    .map_err(err)?
                    .ok_or("no row")?;
                row.try_get::<i64>("", "n").map_err(err)
            }
        };
        assert_eq!(
            one("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM order_line WHERE order_id <= 2000")
                .await?,
            5_000
        );
        // Credits add up to each order's total, collections to theirs.
        assert_eq!(
            one(
                "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM sales_order o WHERE o.total <> \
                 (SELECT SUM(c.amount) FROM order_credit c WHERE c.order_id = o.id) \
                 OR o.total <> (SELECT SUM(l.amount) FROM order_line l WHERE l.order_id = o.id)"
            )
            .await?,
            0
        );
        assert_eq!(
            one(
                "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM collection k WHERE k.amount <> \
                 (SELECT SUM(c.amount) FROM collection_credit c WHERE c.collection_id = k.id)"
            )
            .await?,
            0
        );
        assert_eq!(
            one("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM activity").await?,
            2_000
        );
        Ok(())
    }
}
