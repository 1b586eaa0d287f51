//! `mubiao bench split`: the company's annual sales target split to 10,000
//! people and each person's share to 12 months (120,000 values), then
//! saved through the production path — the GM's plan change, with its
//! version items and the rollups of every unit above.

use std::time::Instant;

use rust_decimal::Decimal;

use super::{BenchConfig, BenchResult, build_company, err};
use crate::domain::access::Actor;
use crate::domain::metric::Kind;
use crate::domain::period::FiscalYear;
use crate::domain::role::Role;
use crate::domain::split::{self, Grain};
use crate::storage::figures::{Checked, SubjectInfo, load_metrics};
use crate::storage::org::load_org_tree;
use crate::storage::{self, Lane, accounts, begin_write, plans};

/// PostgreSQL plans its joins from table statistics, which autovacuum
/// refreshes some time after a bulk load; a real company's split comes
/// long after its people were loaded, so the bench refreshes them first.
async fn analyze(db: &storage::Db) -> BenchResult<()> {
    use sea_orm::ConnectionTrait;
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        db.execute_unprepared("ANALYZE").await.map_err(err)?;
    }
    Ok(())
}

/// Builds the synthetic company, then times the split and the save.
pub async fn run(database_url: Option<String>, cfg: BenchConfig) -> BenchResult<()> {
    let (url, _dir) = super::bench_database(database_url)?;
    println!("database: {}", storage::redact_url(&url));
    let db = storage::connect(&url).await.map_err(err)?;
    if storage::org::count_units(&db).await.map_err(err)? > 0 {
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
    let user = accounts::create_user(&db, None, "bench", "bench-password", Role::Gm, None)
        .await
        .map_err(err)?;
    let actor = Actor {
        user_id: user.id,
        username: user.username.clone(),
        role: Role::Gm,
        person_id: None,
        unit_id: None,
    };
    let fy = FiscalYear::default();
    let year = cfg.last_year + 1;
    let metrics = load_metrics(&db).await.map_err(err)?;
    let sales = metrics
        .iter()
        .find(|m| m.def.code == "sales_amount")
        .ok_or("no sales_amount metric")?;
    let people = {
        use sea_orm::EntityTrait;
        storage::entity::person::Entity::find()
            .all(&db)
            .await
            .map_err(err)?
    };

    for round in 1..=3 {
        analyze(&db).await?;
        // ¥1.2 billion plus a few fen, so the remainder is never trivial.
        let whole: i64 = 120_000_000_000 + round * 7;
        let t = Instant::now();
        // Uneven weights, as a real company's last-year shares would be.
        let weights: Vec<Decimal> = people
            .iter()
            .map(|p| Decimal::from(50 + super::mix(p.id as u64, round as u64) % 100))
            .collect();
        let shares = split::by_weights(whole, &weights).map_err(|e| e.message(Kind::Amount).en)?;
        let months =
            split::time_parts(fy, crate::domain::period::Period::Year(year), Grain::Months)
                .map_err(|e| e.message(Kind::Amount).en)?;
        let dist = split::builtin_distributions()
            .into_iter()
            .find(|d| d.code == "car_dealer")
            .ok_or("no car_dealer distribution")?
            .calendar
            .in_fiscal_order(fy);
        let month_weights = split::distribution_weights(fy, &months, &dist);
        let mut items = Vec::with_capacity(people.len() * 13);
        for (p, share) in people.iter().zip(&shares.parts) {
            let info = SubjectInfo::person(p.id, &p.employee_no, &p.name, p.unit_id);
            let by_month = split::by_weights(*share, &month_weights)
                .map_err(|e| e.message(Kind::Amount).en)?;
            let item = |period: String, value: i64| Checked {
                metric: sales.id,
                subject: info.clone(),
                period,
                value: Some(value),
                floor: None,
                stretch: None,
            };
            items.push(item(year.to_string(), *share));
            for (m, v) in months.iter().zip(by_month.parts) {
                items.push(item(m.to_string(), v));
            }
        }
        let split_time = t.elapsed();
        let values = items.len();
        let t = Instant::now();
        let txn = begin_write(&db, Lane::Figures).await.map_err(err)?;
        let tree = load_org_tree(&txn).await.map_err(err)?;
        let summary =
            plans::change_targets(&txn, &actor, fy, &tree, &metrics, items, Some("bench"))
                .await
                .map_err(err)?;
        txn.commit().await.map_err(err)?;
        let save_time = t.elapsed();
        println!(
            "round {round}: split {values} values in {:.0} ms, saved ({} changed, version {}) in {:.0} ms — total {:.2} s",
            split_time.as_secs_f64() * 1000.0,
            summary.changed,
            summary.published.first().map_or(0, |v| v.version),
            save_time.as_secs_f64() * 1000.0,
            (split_time + save_time).as_secs_f64(),
        );
    }
    // The company's rolled-up year must be the whole, to the fen.
    let table = storage::figures::table(&db, &actor, fy, "unit:HQ", year)
        .await
        .map_err(err)?;
    let row = table
        .rows
        .iter()
        .find(|r| r.metric == "sales_amount")
        .ok_or("no sales row")?;
    println!(
        "company {year} sales target after the last round: {} (whole 1200000000.21)",
        row.total.target.as_deref().unwrap_or("—")
    );
    Ok(())
}
