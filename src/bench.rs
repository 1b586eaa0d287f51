//! `mubiao bench table`: a synthetic company of 10,000 people, three years
//! of monthly targets and actuals for the 12 metrics, and the target table
//! measured over HTTP against a real server on port 0.
//!
//! The figures are bulk-loaded and rolled up with set-based SQL (what a data
//! migration would do); the measurements then go through the same server,
//! storage and rollup code as production requests.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement, Value};
use serde_json::json;

use crate::domain::period::{FiscalYear, Period};
use crate::domain::role::Role;
use crate::storage::{self, Db, accounts, figures, org};
use crate::web::{AppState, WebSettings};

pub mod sales;
pub mod split;

/// What to build and how hard to measure.
#[derive(Debug, Clone)]
pub struct BenchConfig {
    pub departments: usize,
    pub teams_per_department: usize,
    pub people_per_team: usize,
    /// Years of history, ending with `last_year`.
    pub years: i32,
    pub last_year: i32,
    pub requests: usize,
    pub clients: usize,
    pub load_seconds: u64,
}

impl Default for BenchConfig {
    fn default() -> Self {
        BenchConfig {
            departments: 50,
            teams_per_department: 20,
            people_per_team: 10,
            years: 3,
            last_year: 2026,
            requests: 200,
            clients: 64,
            load_seconds: 30,
        }
    }
}

type BenchResult<T> = Result<T, String>;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// A statement with the backend's placeholders (`?` or `$n`).
fn stmt(db: &Db, sql: &str, values: Vec<Value>) -> Statement {
    let backend = db.get_database_backend();
    let sql = if backend == DatabaseBackend::Postgres {
        let mut out = String::with_capacity(sql.len() + 16);
        let mut n = 0;
        for ch in sql.chars() {
            if ch == '?' {
                n += 1;
                out.push_str(&format!("${n}"));
            } else {
                out.push(ch);
            }
        }
        out
    } else {
        sql.to_owned()
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// Inserts rows in chunks of multi-row `INSERT`s inside one transaction.
async fn bulk_insert(
    db: &Db,
    table: &str,
    columns: &[&str],
    rows: impl Iterator<Item = Vec<Value>>,
) -> BenchResult<u64> {
    use sea_orm::TransactionTrait;
    let per_stmt = (30_000 / columns.len()).min(1000);
    let txn = db.begin().await.map_err(err)?;
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(per_stmt);
    let mut total = 0u64;
    let flush = |batch: &mut Vec<Vec<Value>>| {
        let row = format!("({})", vec!["?"; columns.len()].join(","));
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {}",
            columns.join(","),
            vec![row; batch.len()].join(",")
        );
        let values: Vec<Value> = batch.drain(..).flatten().collect();
        stmt(db, &sql, values)
    };
    for r in rows {
        batch.push(r);
        if batch.len() == per_stmt {
            total += batch.len() as u64;
            txn.execute_raw(flush(&mut batch)).await.map_err(err)?;
        }
    }
    if !batch.is_empty() {
        total += batch.len() as u64;
        txn.execute_raw(flush(&mut batch)).await.map_err(err)?;
    }
    txn.commit().await.map_err(err)?;
    Ok(total)
}

/// A deterministic spread of values: no two people alike, no randomness.
fn mix(a: u64, b: u64) -> u64 {
    let mut x = a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    x ^= x >> 29;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^ (x >> 32)
}

/// Rebuilds every unit's rollup with one set-based statement per tree
/// level, deepest first. The same rules as the per-write path in
/// [`figures::recompute_rollups`]; used after bulk loads.
pub async fn rebuild_rollups(db: &Db) -> BenchResult<()> {
    let (tree, units) = org::load_tree(db).await.map_err(err)?;
    let mut by_depth: std::collections::BTreeMap<usize, Vec<i64>> = Default::default();
    for u in &units {
        by_depth
            .entry(tree.path(u.id).len())
            .or_default()
            .push(u.id);
    }
    let now = Utc::now();
    for (_, ids) in by_depth.iter().rev() {
        for chunk in ids.chunks(500) {
            let list = chunk
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(",");
            let roll = |col: &str, sub: &str| {
                format!(
                    "CASE m.rollup WHEN 'sum' THEN SUM(COALESCE(c.{col}, c.{sub})) \
                     WHEN 'average' THEN CAST(ROUND(AVG(COALESCE(c.{col}, c.{sub}))) AS BIGINT) END"
                )
            };
            let sql = format!(
                "INSERT INTO figure (metric_id, subject_kind, subject_id, period, sub_target, sub_actual, updated_at) \
                 SELECT c.metric_id, 'unit', c.parent, c.period, {}, {}, ? FROM ( \
                   SELECT f.metric_id, f.period, f.target, f.sub_target, f.actual, f.sub_actual, p.unit_id AS parent \
                   FROM figure f JOIN person p ON f.subject_kind = 'person' AND f.subject_id = p.id \
                   WHERE p.unit_id IN ({list}) \
                   UNION ALL \
                   SELECT f.metric_id, f.period, f.target, f.sub_target, f.actual, f.sub_actual, u.parent_id AS parent \
                   FROM figure f JOIN org_unit u ON f.subject_kind = 'unit' AND f.subject_id = u.id \
                   WHERE u.parent_id IN ({list}) \
                 ) c JOIN metric m ON m.id = c.metric_id \
                 WHERE 1 = 1 \
                 GROUP BY c.metric_id, c.parent, c.period, m.rollup \
                 ON CONFLICT (subject_kind, subject_id, period, metric_id) \
                 DO UPDATE SET sub_target = excluded.sub_target, sub_actual = excluded.sub_actual",
                roll("target", "sub_target"),
                roll("actual", "sub_actual"),
            );
            db.execute_raw(stmt(db, &sql, vec![now.into()]))
                .await
                .map_err(err)?;
        }
    }
    Ok(())
}

/// Ids of what [`build_company`] made.
struct Company {
    departments: Vec<(i64, String)>,
    teams: Vec<(i64, String)>,
    people: Vec<(i64, String)>,
}

async fn build_company(db: &Db, cfg: &BenchConfig) -> BenchResult<Company> {
    let now = Utc::now();
    let hq = org::insert_unit(db, "HQ", "基准测试公司", None)
        .await
        .map_err(err)?;
    let depts: Vec<(String, String)> = (1..=cfg.departments)
        .map(|d| (format!("D{d:03}"), format!("第{d}事业部")))
        .collect();
    bulk_insert(
        db,
        "org_unit",
        &[
            "code",
            "name",
            "parent_id",
            "active",
            "created_at",
            "updated_at",
        ],
        depts.iter().map(|(c, n)| {
            vec![
                c.clone().into(),
                n.clone().into(),
                hq.id.into(),
                true.into(),
                now.into(),
                now.into(),
            ]
        }),
    )
    .await?;
    let (_, units) = org::load_tree(db).await.map_err(err)?;
    let departments: Vec<(i64, String)> = units
        .iter()
        .filter(|u| u.parent_id == Some(hq.id))
        .map(|u| (u.id, u.code.clone()))
        .collect();
    let team_rows: Vec<(String, String, i64)> = departments
        .iter()
        .flat_map(|(id, code)| {
            (1..=cfg.teams_per_department)
                .map(move |t| (format!("{code}-T{t:02}"), format!("{code}第{t}组"), *id))
        })
        .collect();
    bulk_insert(
        db,
        "org_unit",
        &[
            "code",
            "name",
            "parent_id",
            "active",
            "created_at",
            "updated_at",
        ],
        team_rows.iter().map(|(c, n, p)| {
            vec![
                c.clone().into(),
                n.clone().into(),
                (*p).into(),
                true.into(),
                now.into(),
                now.into(),
            ]
        }),
    )
    .await?;
    let (_, units) = org::load_tree(db).await.map_err(err)?;
    let dept_ids: std::collections::HashSet<i64> = departments.iter().map(|d| d.0).collect();
    let teams: Vec<(i64, String)> = units
        .iter()
        .filter(|u| u.parent_id.is_some_and(|p| dept_ids.contains(&p)))
        .map(|u| (u.id, u.code.clone()))
        .collect();
    let mut n = 0usize;
    let person_rows: Vec<(String, String, i64)> = teams
        .iter()
        .flat_map(|(id, _)| {
            (0..cfg.people_per_team)
                .map(move |_| *id)
                .collect::<Vec<_>>()
        })
        .map(|team| {
            n += 1;
            (format!("B{n:06}"), format!("员工{n}"), team)
        })
        .collect();
    bulk_insert(
        db,
        "person",
        &[
            "employee_no",
            "name",
            "unit_id",
            "role",
            "active",
            "created_at",
            "updated_at",
        ],
        person_rows.iter().map(|(no, name, unit)| {
            vec![
                no.clone().into(),
                name.clone().into(),
                (*unit).into(),
                "sales".into(),
                true.into(),
                now.into(),
                now.into(),
            ]
        }),
    )
    .await?;
    use sea_orm::EntityTrait;
    let with_ids: Vec<(i64, String)> = storage::entity::person::Entity::find()
        .all(db)
        .await
        .map_err(err)?
        .into_iter()
        .map(|p| (p.id, p.employee_no))
        .collect();
    Ok(Company {
        departments,
        teams,
        people: with_ids,
    })
}

/// Loads `years` of monthly targets and actuals for every person.
async fn load_figures(
    db: &Db,
    company: &Company,
    years: std::ops::RangeInclusive<i32>,
) -> BenchResult<u64> {
    let metrics = figures::load_metrics(db).await.map_err(err)?;
    let now = Utc::now();
    let fiscal = FiscalYear::default();
    let periods: Vec<String> = years
        .flat_map(|y| fiscal.months(y).into_iter().map(|p: Period| p.to_string()))
        .collect();
    let rows = company.people.iter().flat_map(|(pid, _)| {
        let metrics = &metrics;
        periods.iter().flat_map(move |period| {
            metrics.iter().map(move |m| {
                let h = mix(
                    *pid as u64,
                    m.id as u64
                        ^ (period.len() as u64) << 8
                        ^ period.bytes().fold(0u64, |a, b| a * 31 + u64::from(b)),
                );
                let target: i64 = match m.def.kind {
                    crate::domain::metric::Kind::Amount => 30_000_000 + (h % 50_000_000) as i64,
                    crate::domain::metric::Kind::Percent => 8_000 + (h % 1_500) as i64,
                    _ => 20 + (h % 600) as i64,
                };
                // Within ±20 % of the target: a mix of green, yellow, red.
                let actual = target * (80 + (h >> 20) as i64 % 41) / 100;
                vec![
                    m.id.into(),
                    "person".into(),
                    (*pid).into(),
                    period.clone().into(),
                    Some(target).into(),
                    Some(actual).into(),
                    now.into(),
                ]
            })
        })
    });
    bulk_insert(
        db,
        "figure",
        &[
            "metric_id",
            "subject_kind",
            "subject_id",
            "period",
            "target",
            "actual",
            "updated_at",
        ],
        rows,
    )
    .await
}

/// p50, p95, p99 and the mean of a set of durations, in milliseconds.
fn percentiles(mut d: Vec<Duration>) -> (f64, f64, f64, f64) {
    if d.is_empty() {
        return (0.0, 0.0, 0.0, 0.0);
    }
    d.sort();
    let at = |q: f64| {
        d[((d.len() as f64 * q).ceil() as usize).clamp(1, d.len()) - 1].as_secs_f64() * 1000.0
    };
    let mean = d.iter().map(Duration::as_secs_f64).sum::<f64>() / d.len() as f64 * 1000.0;
    (at(0.50), at(0.95), at(0.99), mean)
}

async fn timed_gets(client: &reqwest::Client, url: &str, n: usize) -> BenchResult<Vec<Duration>> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        let resp = client.get(url).send().await.map_err(err)?;
        if !resp.status().is_success() {
            return Err(format!("{url}: {}", resp.status()));
        }
        resp.bytes().await.map_err(err)?;
        out.push(start.elapsed());
    }
    Ok(out)
}

/// The peak resident memory of this process, from /proc (Linux).
fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// The database to build in: the one named, or a fresh SQLite file in the
/// temp directory (its directory returned so the caller keeps it).
fn bench_database(
    database_url: Option<String>,
) -> BenchResult<(String, Option<std::path::PathBuf>)> {
    Ok(match database_url {
        Some(u) => (u, None),
        None => {
            let dir = std::env::temp_dir().join(format!("mubiao-bench-{}", std::process::id()));
            std::fs::create_dir_all(&dir).map_err(err)?;
            (
                format!("sqlite://{}", dir.join("bench.db").display()),
                Some(dir),
            )
        }
    })
}

/// Runs the whole benchmark and prints a report.
pub async fn run_table(database_url: Option<String>, cfg: BenchConfig) -> BenchResult<()> {
    let (url, _dir) = bench_database(database_url)?;
    println!("database: {}", storage::redact_url(&url));
    let db = storage::connect(&url).await.map_err(err)?;
    if org::count_units(&db).await.map_err(err)? > 0 {
        return Err("the bench needs an empty database".into());
    }
    let t = Instant::now();
    let company = build_company(&db, &cfg).await?;
    println!(
        "org: {} departments, {} teams, {} people in {:.1} s",
        company.departments.len(),
        company.teams.len(),
        company.people.len(),
        t.elapsed().as_secs_f64()
    );
    // Bulk-loaded past the org lane: mark the tree changed as that lane would.
    storage::bump_structure(&db).await.map_err(err)?;
    let first_year = cfg.last_year - cfg.years + 1;

    // The server, as in production.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(err)?;
    let base = format!("http://{}", listener.local_addr().map_err(err)?);
    let state = AppState::new(db.clone(), WebSettings::default());
    let tables = state.tables.clone();
    tokio::spawn(async move {
        let _ = crate::web::serve(listener, state, std::future::pending()).await;
    });
    let user = accounts::create_user(&db, None, "bench", "bench-password", Role::Gm, None)
        .await
        .map_err(err)?;
    let (token, _) = accounts::create_token(&db, None, user.id, "bench")
        .await
        .map_err(err)?;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {token}").parse().map_err(err)?,
    );
    let client = reqwest::Client::builder()
        .default_headers(headers)
        .pool_max_idle_per_host(cfg.clients * 2)
        .build()
        .map_err(err)?;

    let company_url = format!("{base}/api/v1/table?subject=unit:HQ&year={}", cfg.last_year);
    let dept_url = format!(
        "{base}/api/v1/table?subject=unit:{}&year={}",
        company
            .departments
            .first()
            .map(|d| d.1.as_str())
            .unwrap_or("HQ"),
        cfg.last_year
    );
    let person_url = format!(
        "{base}/api/v1/table?subject=person:{}&year={}",
        company
            .people
            .first()
            .map(|p| p.1.as_str())
            .unwrap_or("B000001"),
        cfg.last_year
    );

    let mut report = Vec::new();
    for (label, years) in [
        ("1 year", cfg.last_year..=cfg.last_year),
        ("all years", first_year..=cfg.last_year - 1),
    ] {
        let t = Instant::now();
        let rows = load_figures(&db, &company, years).await?;
        let load = t.elapsed();
        let t = Instant::now();
        rebuild_rollups(&db).await?;
        // The bulk load bypasses the figures lane; servers must still see it.
        storage::bump_figures(&db).await.map_err(err)?;
        println!(
            "figures: +{rows} person rows in {:.1} s ({:.0} rows/s), rollups rebuilt in {:.1} s",
            load.as_secs_f64(),
            rows as f64 / load.as_secs_f64(),
            t.elapsed().as_secs_f64()
        );
        timed_gets(&client, &company_url, 10).await?;
        let (p50, p95, _, _) = percentiles(timed_gets(&client, &company_url, cfg.requests).await?);
        report.push(format!(
            "company table, {label} of history: p50 {p50:.2} ms, p95 {p95:.2} ms"
        ));
        println!("{}", report.last().map(String::as_str).unwrap_or_default());
    }
    for (label, url) in [
        ("department table", &dept_url),
        ("person table", &person_url),
    ] {
        let (p50, p95, _, _) = percentiles(timed_gets(&client, url, cfg.requests).await?);
        report.push(format!("{label}: p50 {p50:.2} ms, p95 {p95:.2} ms"));
        println!("{}", report.last().map(String::as_str).unwrap_or_default());
    }

    // One actual edit until the company table shows it.
    let (pid_no, _) = company
        .people
        .first()
        .map(|p| (p.1.clone(), p.0))
        .ok_or("no people")?;
    let june_complaints = |t: &serde_json::Value| -> Option<String> {
        t["rows"]
            .as_array()?
            .iter()
            .find(|r| r["metric"] == "complaints")?["months"]
            .as_array()?
            .get(5)?["actual"]
            .as_str()
            .map(str::to_owned)
    };
    // As many edits as table requests, after ten unmeasured ones that
    // prepare the write's statements on the pooled connections, as the
    // table measurements warm up with ten reads.
    const WARM_UP: usize = 10;
    let mut edits = Vec::new();
    for i in 0..WARM_UP + cfg.requests {
        let before: serde_json::Value = client
            .get(&company_url)
            .send()
            .await
            .map_err(err)?
            .json()
            .await
            .map_err(err)?;
        let before = june_complaints(&before);
        let value = format!("{}", 1_000_000 + i * 137);
        let start = Instant::now();
        let resp = client
            .put(format!("{base}/api/v1/actuals"))
            .json(&json!([{"metric": "complaints", "subject": format!("person:{pid_no}"), "period": format!("{}-06", cfg.last_year), "value": value}]))
            .send()
            .await
            .map_err(err)?;
        if !resp.status().is_success() {
            return Err(format!(
                "edit: {} {}",
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
            if june_complaints(&t) != before {
                seen = true;
                break;
            }
        }
        if !seen {
            return Err("the edit never showed in the company table".into());
        }
        if i >= WARM_UP {
            edits.push(start.elapsed());
        }
    }
    let (p50, p95, _, _) = percentiles(edits);
    report.push(format!(
        "edit to visible in the company table: p50 {p50:.2} ms, p95 {p95:.2} ms"
    ));
    println!("{}", report.last().map(String::as_str).unwrap_or_default());

    if let Some(mb) = peak_memory_mb() {
        println!("peak memory before the load run: {mb:.0} MB");
    }
    // Load: many clients asking for person and team tables.
    let deadline = Instant::now() + Duration::from_secs(cfg.load_seconds);
    let people = Arc::new(
        company
            .people
            .iter()
            .map(|p| p.1.clone())
            .collect::<Vec<_>>(),
    );
    let teams = Arc::new(
        company
            .teams
            .iter()
            .map(|t| t.1.clone())
            .collect::<Vec<_>>(),
    );
    let mut tasks = Vec::new();
    for c in 0..cfg.clients {
        let client = client.clone();
        let base = base.clone();
        let people = people.clone();
        let teams = teams.clone();
        let year = cfg.last_year;
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut errors = 0u64;
            let mut i = c as u64;
            while Instant::now() < deadline {
                i = mix(i, 7);
                let url = if i.is_multiple_of(2) {
                    format!(
                        "{base}/api/v1/table?subject=person:{}&year={year}",
                        people[(i as usize / 2) % people.len().max(1)]
                    )
                } else {
                    format!(
                        "{base}/api/v1/table?subject=unit:{}&year={year}",
                        teams[(i as usize / 2) % teams.len().max(1)]
                    )
                };
                let start = Instant::now();
                // As a browser or an HTTP library asks; the answer is
                // decompressed here so its cost is counted.
                let answer = client
                    .get(&url)
                    .header(reqwest::header::ACCEPT_ENCODING, "gzip")
                    .send()
                    .await;
                match answer {
                    Ok(r) if r.status().is_success() => {
                        let gzip = r.headers().get(reqwest::header::CONTENT_ENCODING)
                            == Some(&reqwest::header::HeaderValue::from_static("gzip"));
                        let body = r.bytes().await;
                        let json = match (&body, gzip) {
                            (Ok(b), true) => crate::web::table_cache::gunzip(b).ok(),
                            (Ok(b), false) => Some(b.to_vec()),
                            (Err(_), _) => None,
                        };
                        if !json.is_some_and(|j| j.starts_with(b"{")) {
                            errors += 1;
                        }
                        times.push(start.elapsed());
                    }
                    _ => errors += 1,
                }
            }
            (times, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (times, e) = t.await.map_err(err)?;
        all.extend(times);
        errors += e;
    }
    let count = all.len();
    let (p50, p95, p99, _) = percentiles(all);
    report.push(format!(
        "load, {} clients for {} s: {:.0} requests/s, p50 {p50:.2} ms, p95 {p95:.2} ms, p99 {p99:.2} ms, {errors} errors",
        cfg.clients,
        cfg.load_seconds,
        count as f64 / cfg.load_seconds as f64,
    ));
    println!("{}", report.last().map(String::as_str).unwrap_or_default());
    let (answers, bytes) = tables.usage();
    report.push(format!(
        "table answers kept after the load run: {answers}, {:.1} MB compressed",
        bytes as f64 / 1e6
    ));
    println!("{}", report.last().map(String::as_str).unwrap_or_default());
    if let Some(mb) = peak_memory_mb() {
        report.push(format!(
            "peak memory (server and load clients in one process): {mb:.0} MB"
        ));
        println!("{}", report.last().map(String::as_str).unwrap_or_default());
    }
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
    fn percentiles_of_a_known_set() {
        let d: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        let (p50, p95, p99, mean) = percentiles(d);
        assert_eq!((p50, p95, p99), (50.0, 95.0, 99.0));
        assert!((mean - 50.5).abs() < 1e-9);
    }
}
