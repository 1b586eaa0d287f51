//! The records behind a computed figure: a click on a cell of the target
//! table lists the orders, collections, customers, activities or daily
//! plans it was computed from, so every figure can be checked.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::computed;
use super::figures::{self, Subject};
use super::org::load_org_tree;
use super::{Db, Error, Result, statement};
use crate::domain::access::Actor;
use crate::domain::computed::Source;
use crate::domain::metric::{Kind, format_value};

/// At most this many records are listed; the totals cover them all.
const LIMIT: usize = 500;

/// `GET /api/v1/table/sources` query.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SourcesQuery {
    /// Metric code, e.g. `sales_amount`.
    pub metric: String,
    /// `unit:HD` or `person:E0007`.
    pub subject: String,
    /// A month, `2026-03`.
    pub period: String,
}

/// One record behind a figure.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SourceRecord {
    /// `order`, `collection`, `customer`, `activity` or `daily_plan`.
    pub kind: &'static str,
    /// Order number, customer name, activity kind …
    pub reference: String,
    /// The day that placed it in the month.
    pub date: String,
    pub customer: Option<String>,
    /// The salesperson it counts for.
    pub person: String,
    /// What it adds to the figure, in the metric's unit: the credited
    /// amount, `1` for a count; for rates what it counts, e.g. `3/4`.
    pub value: String,
    /// More: the credit share, whether the customer is new, what was done.
    pub detail: Option<String>,
    /// The record's page, when it has one.
    pub link: Option<String>,
}

/// The records behind one computed figure.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SourcesView {
    pub metric: String,
    pub metric_name: String,
    /// Where it is computed from, e.g. 订单（按下单日期）.
    pub source: String,
    pub source_en: String,
    pub subject: String,
    pub subject_name: String,
    pub period: String,
    /// The figure as the table shows it.
    pub value: Option<String>,
    /// All the records, even when not all are listed.
    pub count: usize,
    pub records: Vec<SourceRecord>,
    /// True when more than the listed records exist.
    pub truncated: bool,
}

/// The records a computed figure of `subject` for a month comes from.
/// 404 for a subject the actor cannot read; 422 for a metric that is not
/// computed or a period that is not a month.
pub async fn records_behind(db: &Db, actor: &Actor, q: &SourcesQuery) -> Result<SourcesView> {
    let tree = load_org_tree(db).await?;
    let subject = figures::find_subject(db, actor, &tree, &q.subject)
        .await?
        .filter(|s| figures::reads_subject_figures(actor, s))
        .ok_or(Error::NotFound)?;
    let metrics = figures::load_metrics(db).await?;
    let metric = metrics
        .iter()
        .find(|m| m.def.code == q.metric && m.active)
        .ok_or_else(|| {
            Error::invalid(
                "metric",
                format!("no metric with code \"{}\"", q.metric),
                format!("没有编码为 \"{}\" 的指标", q.metric),
            )
        })?;
    let source = Source::of(&metric.def.source).ok_or_else(|| {
        Error::invalid(
            "metric",
            format!("{} is entered by hand, not computed from records", q.metric),
            format!("{} 为手工录入，不是由业务记录计算", metric.def.name),
        )
    })?;
    let month = q.period.trim();
    let valid_month = month.len() == 7
        && month.as_bytes()[4] == b'-'
        && month[..4].bytes().all(|b| b.is_ascii_digit())
        && matches!(month[5..].parse::<u32>(), Ok(1..=12));
    if !valid_month {
        return Err(Error::invalid(
            "period",
            "a month is expected, e.g. 2026-03",
            "应为月份，例如 2026-03",
        ));
    }
    // The records themselves are read with the reach of their kind: HR
    // reads every table but no customer's orders or anyone's activities.
    let reach = match source.records() {
        crate::domain::computed::Records::Orders => actor.orders_read(),
        _ => actor.work_read(),
    };
    let people = match subject.subject {
        Subject::Person(p) if reach.covers(&tree, subject.unit_id, Some(p)) => vec![p],
        Subject::Person(_) => return Err(Error::NotFound),
        Subject::Unit(u) => {
            let mut units: BTreeSet<i64> = tree.subtree(u).into_iter().collect();
            match reach.units(&tree) {
                None => {}
                Some(allowed) if !allowed.is_empty() => units.retain(|x| allowed.contains(x)),
                Some(_) => return Err(Error::NotFound),
            }
            people_of(db, &units).await?
        }
    };
    let value = figure_value(db, metric.id, subject.subject, month).await?;
    let (count, records) = if people.is_empty() {
        (0, Vec::new())
    } else {
        list(db, source, &people, month).await?
    };
    let (source_en, source_zh) = source.name();
    Ok(SourcesView {
        metric: metric.def.code.clone(),
        metric_name: metric.def.name.clone(),
        source: source_zh.to_owned(),
        source_en: source_en.to_owned(),
        subject: subject.key.clone(),
        subject_name: subject.name.clone(),
        period: month.to_owned(),
        value: value.map(|v| format_value(metric.def.kind, v)),
        truncated: count > records.len(),
        count,
        records,
    })
}

/// The people whose records make up a subject's figures: the person, or
/// everyone in the unit's subtree.
pub(crate) async fn people_in(
    db: &Db,
    tree: &crate::domain::org::OrgTree,
    subject: Subject,
) -> Result<Vec<i64>> {
    match subject {
        Subject::Person(p) => Ok(vec![p]),
        Subject::Unit(u) => {
            let units: BTreeSet<i64> = tree.subtree(u).into_iter().collect();
            people_of(db, &units).await
        }
    }
}

async fn people_of(db: &Db, units: &BTreeSet<i64>) -> Result<Vec<i64>> {
    let mut out = Vec::new();
    let units: Vec<i64> = units.iter().copied().collect();
    for chunk in units.chunks(500) {
        let sql = format!(
            "SELECT id FROM person WHERE unit_id IN ({})",
            vec!["?"; chunk.len()].join(",")
        );
        let values = chunk.iter().map(|u| (*u).into()).collect();
        for r in db
            .query_all_raw(statement(db.get_database_backend(), &sql, values))
            .await?
        {
            out.push(r.try_get::<i64>("", "id")?);
        }
    }
    Ok(out)
}

async fn figure_value(db: &Db, metric: i64, subject: Subject, month: &str) -> Result<Option<i64>> {
    let row = db
        .query_one_raw(statement(
            db.get_database_backend(),
            "SELECT COALESCE(actual, sub_actual) AS v FROM figure \
             WHERE metric_id = ? AND subject_kind = ? AND subject_id = ? AND period = ?",
            vec![
                metric.into(),
                subject.kind().into(),
                subject.id().into(),
                month.into(),
            ],
        ))
        .await?;
    Ok(match row {
        Some(r) => r.try_get::<Option<i64>>("", "v")?,
        None => None,
    })
}

use sea_orm::ConnectionTrait;

/// Lists the records of `source` for the people in the month, the first
/// [`LIMIT`] of them, with how many there are.
async fn list(
    db: &Db,
    source: Source,
    people: &[i64],
    month: &str,
) -> Result<(usize, Vec<SourceRecord>)> {
    let from = format!("{month}-01");
    let to = next_month_first_day(month);
    let last_year = month
        .get(..4)
        .and_then(|y| y.parse::<i32>().ok())
        .unwrap_or(1)
        - 1;
    // The months of order credits to read along their month index:
    // last year's and this year's for repurchases.
    let credit_months = match source {
        Source::RepurchaseRate => {
            computed::credit_months("c", &format!("{last_year:04}-01"), month)
        }
        _ => computed::credit_months_for(db, source, month, month).await?,
    };
    let mut all = Vec::new();
    let mut count = 0;
    for chunk in people.chunks(500) {
        let ids = vec!["?"; chunk.len()].join(",");
        let mut values: Vec<sea_orm::Value> = vec![from.clone().into(), to.clone().into()];
        values.extend(chunk.iter().map(|p| (*p).into()));
        let (sql, kind) = match source {
            Source::SalesByOrderDate
            | Source::SalesByShipment
            | Source::SalesByInvoice
            | Source::NewCustomerShare => {
                let date = match source {
                    Source::SalesByShipment => "shipped_on",
                    Source::SalesByInvoice => "invoiced_on",
                    _ => "order_date",
                };
                (
                    format!(
                        "SELECT o.id AS id, o.order_no AS reference, o.{date} AS day, k.name AS customer, \
                         p.name AS person, c.amount AS amount, c.share AS share, \
                         k.first_purchase_on AS first_purchase FROM order_credit c \
                         JOIN sales_order o ON o.id = c.order_id JOIN customer k ON k.id = o.customer_id \
                         JOIN person p ON p.id = c.person_id \
                         WHERE o.status <> 'cancelled' AND {credit_months} AND o.{date} >= ? \
                         AND o.{date} < ? AND c.person_id IN ({ids}) ORDER BY o.{date}, o.order_no"
                    ),
                    "order",
                )
            }
            Source::SalesByCollection | Source::Collections => (
                format!(
                    "SELECT o.id AS id, o.order_no AS reference, k.collected_on AS day, cu.name AS customer, \
                     p.name AS person, c.amount AS amount, CAST(NULL AS INTEGER) AS share, CAST(NULL AS TEXT) AS first_purchase \
                     FROM collection_credit c JOIN collection k ON k.id = c.collection_id \
                     JOIN sales_order o ON o.id = k.order_id JOIN customer cu ON cu.id = o.customer_id \
                     JOIN person p ON p.id = c.person_id \
                     WHERE k.collected_on >= ? AND k.collected_on < ? AND c.person_id IN ({ids}) \
                     ORDER BY k.collected_on, o.order_no"
                ),
                "collection",
            ),
            Source::RepurchaseRate => {
                // Last year's customers of these people, and the day each
                // first bought again this year (empty when not yet).
                let year_start = format!("{}-01-01", &month[..4]);
                values = vec![
                    year_start.clone().into(),
                    format!("{last_year:04}-01-01").into(),
                    to.clone().into(),
                ];
                values.extend(chunk.iter().map(|p| (*p).into()));
                values.push(year_start.into());
                (
                    format!(
                        "SELECT k.id AS id, k.name AS reference,                          COALESCE(MIN(CASE WHEN o.order_date >= ? THEN o.order_date END), '') AS day,                          k.name AS customer, MIN(p.name) AS person, CAST(NULL AS BIGINT) AS amount,                          CAST(NULL AS INTEGER) AS share, CAST(NULL AS TEXT) AS first_purchase                          FROM order_credit c JOIN sales_order o ON o.id = c.order_id                          JOIN customer k ON k.id = o.customer_id JOIN person p ON p.id = c.person_id                          WHERE o.status <> 'cancelled' AND {credit_months} AND o.order_date >= ?                          AND o.order_date < ? AND c.person_id IN ({ids}) GROUP BY k.id, k.name HAVING MIN(o.order_date) < ? \
                         ORDER BY day, reference"
                    ),
                    "repeat",
                )
            }
            Source::NewCustomers => (
                format!(
                    "SELECT DISTINCT k.id AS id, k.name AS reference, o.order_date AS day, k.name AS customer, \
                     p.name AS person, CAST(NULL AS BIGINT) AS amount, CAST(NULL AS INTEGER) AS share, k.first_purchase_on AS first_purchase \
                     FROM order_credit c JOIN sales_order o ON o.id = c.order_id \
                     JOIN customer k ON k.id = o.customer_id AND k.first_purchase_on = o.order_date \
                     JOIN person p ON p.id = c.person_id \
                     WHERE o.status <> 'cancelled' AND {credit_months} AND o.order_date >= ? \
                     AND o.order_date < ? AND c.person_id IN ({ids}) ORDER BY o.order_date, k.name"
                ),
                "customer",
            ),
            Source::Calls | Source::Visits | Source::Meetings => {
                let kind = match source {
                    Source::Calls => "call",
                    Source::Visits => "visit",
                    _ => "meeting",
                };
                (
                    format!(
                        "SELECT a.id AS id, a.kind AS reference, a.occurred_on AS day, k.name AS customer, \
                         p.name AS person, CAST(NULL AS BIGINT) AS amount, CAST(NULL AS INTEGER) AS share, a.outcome AS first_purchase \
                         FROM activity a JOIN person p ON p.id = a.person_id \
                         LEFT JOIN customer k ON k.id = a.customer_id \
                         WHERE a.kind = '{kind}' AND a.occurred_on >= ? AND a.occurred_on < ? \
                         AND a.person_id IN ({ids}) ORDER BY a.occurred_on, a.id"
                    ),
                    "activity",
                )
            }
            Source::PlanCompletion => (
                format!(
                    "SELECT d.id AS id, d.day AS reference, d.day AS day, CAST(NULL AS TEXT) AS customer, \
                     p.name AS person, CAST(NULL AS BIGINT) AS amount, CAST(NULL AS INTEGER) AS share, \
                     CAST(d.planned_calls AS TEXT) || '/' || CAST(d.planned_visits AS TEXT) AS first_purchase \
                     FROM daily_plan d JOIN person p ON p.id = d.person_id \
                     WHERE d.day >= ? AND d.day < ? AND d.person_id IN ({ids}) ORDER BY d.day"
                ),
                "daily_plan",
            ),
        };
        // Each query is in the list's order, so the first LIMIT of all
        // are among the first LIMIT of each: a company's month of orders
        // is counted in the database, not read row by row.
        let backend = db.get_database_backend();
        let rows = db
            .query_all_raw(statement(
                backend,
                &format!("{sql} LIMIT {LIMIT}"),
                values.clone(),
            ))
            .await?;
        count += if rows.len() < LIMIT {
            rows.len()
        } else {
            let counted = db
                .query_one_raw(statement(
                    backend,
                    &format!("SELECT COUNT(*) AS n FROM ({sql}) t"),
                    values,
                ))
                .await?;
            match counted {
                Some(r) => usize::try_from(r.try_get::<i64>("", "n")?).unwrap_or(0),
                None => rows.len(),
            }
        };
        for r in rows {
            all.push(record(source, kind, &r)?);
        }
    }
    all.sort_by(|a, b| (&a.date, &a.reference).cmp(&(&b.date, &b.reference)));
    all.truncate(LIMIT);
    Ok((count, all))
}

fn record(source: Source, kind: &'static str, r: &sea_orm::QueryResult) -> Result<SourceRecord> {
    let id: i64 = r.try_get("", "id")?;
    let reference: String = r.try_get("", "reference")?;
    let date: String = r.try_get("", "day")?;
    let customer: Option<String> = r.try_get("", "customer")?;
    let person: String = r.try_get("", "person")?;
    let amount: Option<i64> = r.try_get("", "amount")?;
    let share: Option<i32> = r.try_get("", "share").ok().flatten();
    let extra: Option<String> = r.try_get("", "first_purchase")?;
    let year = date.get(..4).unwrap_or_default();
    let (value, detail, link) = match kind {
        "order" | "collection" => {
            let value = format_value(Kind::Amount, amount.unwrap_or(0));
            let mut detail = share
                .filter(|s| *s != 10_000)
                .map(|s| format!("分成 {}%", format_value(Kind::Percent, i64::from(s))));
            if source == Source::NewCustomerShare {
                let new = extra.as_deref().and_then(|f| f.get(..4)) == Some(year);
                let label = if new { "新客户" } else { "老客户" };
                detail = Some(match detail {
                    Some(d) => format!("{label} · {d}"),
                    None => label.to_owned(),
                });
            }
            (value, detail, Some(format!("/orders/{id}")))
        }
        "customer" => (
            "1".to_owned(),
            extra.map(|f| format!("首单 {f}")),
            Some(format!("/customers/{id}")),
        ),
        "repeat" => {
            let again = !date.is_empty();
            (
                if again { "1" } else { "0" }.to_owned(),
                Some(if again {
                    "本年已续购".to_owned()
                } else {
                    "本年尚未续购".to_owned()
                }),
                Some(format!("/customers/{id}")),
            )
        }
        "activity" => (
            "1".to_owned(),
            extra,
            Some(format!("/activities?day={date}")),
        ),
        _ => (
            "".to_owned(),
            extra.map(|p| format!("计划 电话/拜访 {p}")),
            None,
        ),
    };
    Ok(SourceRecord {
        kind,
        reference,
        date,
        customer,
        person,
        value,
        detail,
        link,
    })
}

fn next_month_first_day(month: &str) -> String {
    let (y, m) = month.split_once('-').unwrap_or(("0", "0"));
    let (y, m): (i32, u32) = (y.parse().unwrap_or(0), m.parse().unwrap_or(0));
    if m >= 12 {
        format!("{:04}-01-01", y + 1)
    } else {
        format!("{y:04}-{:02}-01", m + 1)
    }
}
