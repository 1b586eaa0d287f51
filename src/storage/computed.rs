//! Computed actuals: figures of the target table that come from the sales
//! process (orders, collections, activities, daily plans) instead of
//! being typed. What each source counts is defined in
//! [`crate::domain::computed`]; this module reads the records and keeps
//! the figures current.
//!
//! Whoever changes such records calls [`records_changed`] (or, for orders
//! and collections, [`orders_changed`]) in the same
//! figures-lane transaction, naming every salesperson and day touched —
//! before and after the change (an order moved from one salesperson or
//! month to another touches both). The people's monthly actuals of every
//! computed metric fed by those records are recomputed from the records
//! and written like any actual, so units above roll them up in the same
//! transaction. Rates are also computed for every unit above, from the
//! sums of their numerators and denominators (`computed_part`).
//!
//! Months that are locked keep their figures: a lock freezes what was
//! reported. Reopening a month recomputes it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, Utc};
use sea_orm::{ConnectionTrait, DatabaseBackend, Value as SqlValue};

use super::cache::Shape;
use super::figures::{self, Checked, MetricRow, Subject, SubjectInfo};
use super::orders::{self, FirstPurchaseMoves};
use super::org::load_org_tree;
use super::{Db, Lane, Result, begin_write, statement};
use crate::domain::access::PersonId;
pub use crate::domain::computed::Records;
use crate::domain::computed::{Source, percent};
use crate::domain::org::{OrgTree, UnitId};

/// A month, `2026-03`.
type Month = String;

/// What a source counted for one subject and month: the figure itself for
/// amounts and counts (`den` = 1), numerator and denominator for rates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Part {
    num: i64,
    den: i64,
}

impl Part {
    fn add(&mut self, other: Part) {
        self.num = self.num.saturating_add(other.num);
        self.den = self.den.saturating_add(other.den);
    }

    fn sub(&mut self, other: Part) {
        self.num = self.num.saturating_sub(other.num);
        self.den = self.den.saturating_sub(other.den);
    }
}

/// Recomputes the computed actuals of the people and days touched by a
/// change of activities or daily plans, in the caller's transaction.
/// `touched` holds (person, day as `YYYY-MM-DD`). Orders and collections
/// go through [`orders_changed`], which also needs to know whose first
/// purchase moved.
pub async fn records_changed<C: ConnectionTrait>(
    txn: &C,
    records: Records,
    touched: &BTreeSet<(PersonId, String)>,
) -> Result<()> {
    let metrics = figures::load_metrics(txn).await?;
    let sources = computed_sources(&metrics, |s| s.fed_by(records));
    if sources.is_empty() || touched.is_empty() {
        return Ok(());
    }
    let people: BTreeSet<PersonId> = touched.iter().map(|(p, _)| *p).collect();
    let months = months_touched(&sources, touched);
    let tree = load_org_tree(txn).await?;
    recompute(txn, &tree, &metrics, &sources, Some(&people), &months, None).await
}

/// Recomputes the computed actuals after orders or collections changed,
/// in the caller's transaction: `touched` as for [`records_changed`], and
/// `moved` the customers whose first purchase moved (see
/// `orders::refresh_first_purchase`).
///
/// An order changes the figures of its own month (and, for repurchases,
/// the rest of the year and the next). One that moves its customer's first
/// purchase also changes the new customers of the months of the first
/// purchase before and after, and, when it moved to another year, the
/// new-customer share of both years, for everyone credited on the
/// customer's orders of those months or years.
pub async fn orders_changed<C: ConnectionTrait>(
    txn: &C,
    shape: &Shape,
    touched: &BTreeSet<(PersonId, String)>,
    moved: &FirstPurchaseMoves,
) -> Result<()> {
    let (tree, metrics) = (shape.tree(), shape.metrics());
    let sources = computed_sources(metrics, |s| s.fed_by(Records::Orders));
    if sources.is_empty() || (touched.is_empty() && moved.is_empty()) {
        return Ok(());
    }
    let touched_people: BTreeSet<PersonId> = touched.iter().map(|(p, _)| *p).collect();
    let touched_months = months_touched(&sources, touched);
    if !touched.is_empty() {
        recompute(
            txn,
            tree,
            metrics,
            &sources,
            Some(&touched_people),
            &touched_months,
            None,
        )
        .await?;
    }
    if moved.is_empty() {
        return Ok(());
    }
    // A customer counts as new on the day of their first purchase: the
    // months of the first purchase before and after change who counts them
    // as new. Their orders count towards the new-customer share of the
    // year of their first purchase: when it moved to another year, the
    // orders of both years change the share. Only the months the
    // recompute above did not cover are recomputed (a new customer's
    // orders of an import are all among its own).
    let mut pairs_of: BTreeMap<Source, BTreeSet<(PersonId, String)>> = BTreeMap::new();
    for (customer, person, day) in orders_of_customers(txn, moved).await? {
        let Some(m) = moved.get(&customer) else {
            continue;
        };
        let (month, year) = (day.get(..7), day.get(..4));
        let (before, after) = (m.before.as_deref(), m.after.as_deref());
        let mut add = |source: Source| {
            let covered = touched_people.contains(&person)
                && month.is_some_and(|m| {
                    touched_months
                        .get(&source)
                        .is_some_and(|months| months.contains(m))
                });
            if !covered {
                pairs_of
                    .entry(source)
                    .or_default()
                    .insert((person, day.clone()));
            }
        };
        if month.is_some() && (month == prefix(before, 7) || month == prefix(after, 7)) {
            add(Source::NewCustomers);
        }
        if prefix(before, 4) != prefix(after, 4)
            && year.is_some()
            && (year == prefix(before, 4) || year == prefix(after, 4))
        {
            add(Source::NewCustomerShare);
        }
    }
    let sources: BTreeMap<Source, Vec<MetricRow>> = sources
        .into_iter()
        .filter(|(s, _)| pairs_of.contains_key(s))
        .collect();
    if sources.is_empty() {
        return Ok(());
    }
    let mut people_left = BTreeSet::new();
    let mut months: BTreeMap<Source, BTreeSet<Month>> = BTreeMap::new();
    for (source, pairs) in &pairs_of {
        people_left.extend(pairs.iter().map(|(p, _)| *p));
        months.insert(
            *source,
            pairs.iter().filter_map(|(_, day)| month_of(day)).collect(),
        );
    }
    recompute(
        txn,
        tree,
        metrics,
        &sources,
        Some(&people_left),
        &months,
        None,
    )
    .await
}

/// A debug line per step of `stage` with the microseconds since it began:
/// where a recompute's time goes (`MUBIAO_LOG=mubiao::storage::computed=debug`).
fn laps(stage: &'static str) -> impl Fn(&str) {
    let started = std::time::Instant::now();
    move |what| tracing::debug!(us = started.elapsed().as_micros() as u64, "{stage}: {what}")
}

/// The first `n` characters of a day (its year or month).
fn prefix(day: Option<&str>, n: usize) -> Option<&str> {
    day.and_then(|d| d.get(..n))
}

/// The months of each source that changes on (person, day) can change;
/// see [`affected_months`].
fn months_touched(
    sources: &BTreeMap<Source, Vec<MetricRow>>,
    touched: &BTreeSet<(PersonId, String)>,
) -> BTreeMap<Source, BTreeSet<Month>> {
    // An import touches 100,000s of (person, day) pairs in a few months.
    let days: BTreeSet<&str> = touched.iter().map(|(_, day)| day.as_str()).collect();
    let touched_months: BTreeSet<Month> = days.into_iter().filter_map(month_of).collect();
    let mut months: BTreeMap<Source, BTreeSet<Month>> = BTreeMap::new();
    for source in sources.keys() {
        let set = months.entry(*source).or_default();
        for month in &touched_months {
            set.extend(affected_months(*source, month));
        }
    }
    months
}

/// (customer, salesperson, order date) of every order of these customers
/// that had a first purchase before the change.
async fn orders_of_customers<C: ConnectionTrait>(
    txn: &C,
    customers: &FirstPurchaseMoves,
) -> Result<BTreeSet<(i64, PersonId, String)>> {
    // A customer without a first purchase before had no order that was
    // not cancelled: their orders that count are all among those changed,
    // whose months are recomputed anyway.
    let ids: Vec<i64> = customers
        .iter()
        .filter(|(_, m)| m.before.is_some())
        .map(|(id, _)| *id)
        .collect();
    let mut out = BTreeSet::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let months = order_months(txn, "o").await?;
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT o.customer_id AS customer, c.person_id AS person, o.order_date AS day \
             FROM sales_order o CROSS JOIN order_credit c \
             WHERE c.order_id = o.id AND {months} AND o.customer_id IN ({})",
            vec!["?"; chunk.len()].join(",")
        );
        let values = chunk.iter().map(|c| (*c).into()).collect();
        for r in txn
            .query_all_raw(statement(txn.get_database_backend(), &sql, values))
            .await?
        {
            out.insert((
                r.try_get("", "customer")?,
                r.try_get("", "person")?,
                r.try_get("", "day")?,
            ));
        }
    }
    Ok(out)
}

/// What a source counted per person and month.
type PersonParts = BTreeMap<(PersonId, Month), Part>;

/// Recomputes every computed actual from the records, for everyone and
/// every month that has records (and, for amounts and counts, zero for
/// the months between the first record and today): after a metric is
/// switched to a computed source, a month is reopened, or a bulk load.
pub async fn recompute_all(db: &Db) -> Result<()> {
    let txn = begin_write(db, Lane::Figures).await?;
    recompute_all_in(&txn, None).await?;
    txn.commit().await?;
    Ok(())
}

/// [`recompute_all`] in the caller's transaction, optionally limited to
/// some months (a reopened month).
pub(crate) async fn recompute_all_in<C: ConnectionTrait>(
    txn: &C,
    only_months: Option<&BTreeSet<Month>>,
) -> Result<()> {
    // Every record and every figure is read.
    super::with_big_page_cache(txn, recompute_everyone(txn, only_months)).await
}

async fn recompute_everyone<C: ConnectionTrait>(
    txn: &C,
    only_months: Option<&BTreeSet<Month>>,
) -> Result<()> {
    let lap = laps("recompute");
    refresh_first_purchases(txn).await?;
    if only_months.is_none() {
        orders::rebuild_customer_years(txn).await?;
    }
    lap("first purchases, customer years");
    let metrics = figures::load_metrics(txn).await?;
    let sources = computed_sources(&metrics, |_| true);
    let mut months: BTreeMap<Source, BTreeSet<Month>> = BTreeMap::new();
    for source in sources.keys() {
        let Some((first, last)) = record_span(txn, source.records()).await? else {
            continue;
        };
        let set: BTreeSet<Month> = month_range(&first, &last)
            .into_iter()
            .filter(|m| only_months.is_none_or(|only| only.contains(m)))
            .collect();
        months.insert(*source, set);
    }
    // Start clean — figures typed before the metric was switched to its
    // source, or left by records since deleted or moved — except in locked
    // months, which keep what was reported.
    let locks = figures::locked_periods(txn).await?;
    let backend = txn.get_database_backend();
    let (scope, mut values): (String, Vec<SqlValue>) = match only_months {
        Some(only) => (
            format!("period IN ({})", vec!["?"; only.len()].join(",")),
            only.iter().map(|m| m.as_str().into()).collect(),
        ),
        None => ("1 = 1".to_owned(), Vec::new()),
    };
    let (unlocked, locked_values): (String, Vec<SqlValue>) = if locks.is_empty() {
        (String::new(), Vec::new())
    } else {
        (
            format!(" AND period NOT IN ({})", vec!["?"; locks.len()].join(",")),
            locks.iter().map(|m| m.as_str().into()).collect(),
        )
    };
    values.extend(locked_values);
    txn.execute_raw(statement(
        backend,
        &format!("DELETE FROM computed_part WHERE {scope}{unlocked}"),
        values,
    ))
    .await?;
    lap("cleared");
    // People's figures and units' rates are compared with what is stored
    // and only the differences written (see `only_changed`). Amounts and
    // counts roll up to units as sums: a unit's own actual of such a
    // metric, typed before it was computed, goes.
    let scope = Scope {
        only: only_months,
        locks,
    };
    let tree = load_org_tree(txn).await?;
    clear_unit_sums(txn, &tree, &metrics, &sources, &scope).await?;
    recompute(txn, &tree, &metrics, &sources, None, &months, Some(&scope)).await?;
    lap("recomputed");
    if only_months.is_none() {
        // Only what changed was written and rolled up: roll every unit up
        // again for the computed amounts and counts, so that a recompute of
        // everything also mends a unit total left wrong for any reason.
        // (Units' rates were all summed again from their parts above.)
        let pairs: BTreeSet<(i64, String)> = sources
            .iter()
            .filter(|(source, _)| !source.is_rate())
            .flat_map(|(source, rows)| {
                let months = months.get(source).cloned().unwrap_or_default();
                rows.iter()
                    .flat_map(move |m| months.clone().into_iter().map(move |p| (m.id, p)))
            })
            .filter(|(_, p)| scope.covers(p))
            .collect();
        if !pairs.is_empty() {
            let touched: BTreeMap<UnitId, BTreeSet<(i64, String)>> =
                tree.all_ids().map(|u| (u, pairs.clone())).collect();
            figures::recompute_rollups(txn, &tree, &metrics, &touched).await?;
        }
        lap("every unit rolled up");
    }
    Ok(())
}

/// Clears units' own actuals of computed amounts and counts in the given
/// months (not locked), and rolls the units above up.
async fn clear_unit_sums<C: ConnectionTrait>(
    txn: &C,
    tree: &OrgTree,
    metrics: &[MetricRow],
    sources: &BTreeMap<Source, Vec<MetricRow>>,
    scope: &Scope<'_>,
) -> Result<()> {
    let sums: BTreeSet<i64> = sources
        .iter()
        .filter(|(s, _)| !s.is_rate())
        .flat_map(|(_, rows)| rows.iter().map(|m| m.id))
        .collect();
    let units: HashMap<i64, UnitId> = tree.all_ids().map(|u| (u, u)).collect();
    let cleared = only_changed(txn, "unit", &units, &sums, scope, Vec::new()).await?;
    if !cleared.is_empty() {
        figures::set_actuals(txn, tree, metrics, &cleared).await?;
    }
    Ok(())
}

/// The active metrics with a computed source that `wanted` accepts, by
/// source.
fn computed_sources(
    metrics: &[MetricRow],
    wanted: impl Fn(Source) -> bool,
) -> BTreeMap<Source, Vec<MetricRow>> {
    let mut out: BTreeMap<Source, Vec<MetricRow>> = BTreeMap::new();
    for m in metrics.iter().filter(|m| m.active) {
        if let Some(s) = Source::of(&m.def.source).filter(|s| wanted(*s)) {
            out.entry(s).or_default().push(m.clone());
        }
    }
    out
}

/// The months whose figure a record in `month` can change: its own, and
/// for a repurchase rate, which runs over the year and is the base of the
/// next, the rest of its year and the next year.
fn affected_months(source: Source, month: &str) -> Vec<Month> {
    let Some((year, m)) = split_month(month) else {
        return Vec::new();
    };
    match source {
        Source::RepurchaseRate => (m..=12)
            .map(|m| fmt_month(year, m))
            .chain((1..=12).map(|m| fmt_month(year + 1, m)))
            .collect(),
        _ => vec![month.to_owned()],
    }
}

/// Recomputes `months` of each source, for `people` (everyone when
/// `None`), and writes what changed.
async fn recompute<C: ConnectionTrait>(
    txn: &C,
    tree: &OrgTree,
    metrics: &[MetricRow],
    sources: &BTreeMap<Source, Vec<MetricRow>>,
    people: Option<&BTreeSet<PersonId>>,
    months: &BTreeMap<Source, BTreeSet<Month>>,
    bulk: Option<&Scope<'_>>,
) -> Result<()> {
    let lap = laps("recompute");
    let locks = figures::locked_periods(txn).await?;
    let units = person_units(txn, people).await?;
    lap("locks, units");
    let now_month = fmt_month(Utc::now().year(), Utc::now().month());
    let mut person_items = Vec::new();
    let mut rate_parts: Vec<(Source, PersonParts)> = Vec::new();
    // The months to compute per source: not locked, and nothing after
    // today that holds no records (a repurchase rate reaches into next
    // year).
    let mut spans: HashMap<Records, Option<(Month, Month)>> = HashMap::new();
    let mut wanted: BTreeMap<Source, BTreeSet<Month>> = BTreeMap::new();
    for source in sources.keys() {
        let Some(months) = months.get(source) else {
            continue;
        };
        let span = match spans.get(&source.records()) {
            Some(span) => span.clone(),
            None => {
                let span = record_span(txn, source.records()).await?;
                spans.insert(source.records(), span.clone());
                span
            }
        };
        let horizon = span.as_ref().map_or(now_month.clone(), |(_, last)| {
            last.clone().max(now_month.clone())
        });
        let months: BTreeSet<Month> = months
            .iter()
            .filter(|m| !is_locked_month(&locks, m) && **m <= horizon)
            .cloned()
            .collect();
        if !months.is_empty() {
            wanted.insert(*source, months);
        }
    }
    let ranges: BTreeMap<Source, (Month, Month)> = wanted
        .iter()
        .filter_map(|(s, m)| Some((*s, (m.first()?.clone(), m.last()?.clone()))))
        .collect();
    lap("spans");
    let mut computed = compute(txn, &ranges, people).await?;
    lap("records read");
    for (source, months) in &wanted {
        let Some(rows) = sources.get(source) else {
            continue;
        };
        let parts = computed.remove(source).unwrap_or_default();
        // Amounts and counts are 0, not blank, for a month without records
        // between the company's first records and today: nothing sold is
        // a figure. Rates without a denominator stay blank.
        let zero_until = spans
            .get(&source.records())
            .cloned()
            .flatten()
            .map(|(first, last)| (first, last.max(now_month.clone())));
        // Those with records of this kind (a recompute of everything), or
        // those whose records changed: an HR clerk without a single order
        // gets no row of zeros.
        let subjects: Vec<PersonId> = match people {
            Some(p) => p.iter().copied().collect(),
            None => {
                let all: BTreeSet<PersonId> = parts.keys().map(|(p, _)| *p).collect();
                all.into_iter().collect()
            }
        };
        let mut kept = BTreeMap::new();
        for person in subjects {
            let Some(unit) = units.get(&person).copied() else {
                continue;
            };
            for month in months {
                let part = parts.get(&(person, month.clone())).copied();
                let value = if source.is_rate() {
                    part.and_then(|p| percent(p.num, p.den))
                } else {
                    part.map(|p| p.num).or_else(|| {
                        zero_until
                            .as_ref()
                            .filter(|(first, last)| first <= month && month <= last)
                            .map(|_| 0)
                    })
                };
                if people.is_none() && value.is_none() {
                    continue;
                }
                for metric in rows {
                    person_items.push(item(metric.id, Subject::Person(person), unit, month, value));
                }
                if source.is_rate() {
                    kept.insert((person, month.clone()), part.unwrap_or_default());
                }
            }
        }
        if source.is_rate() {
            rate_parts.push((*source, kept));
        }
    }
    lap("items");
    if let Some(scope) = bulk {
        let ids = sources.values().flatten().map(|m| m.id).collect();
        person_items = only_changed(txn, "person", &units, &ids, scope, person_items).await?;
        // Every rate's units are compared with what is stored, even a
        // rate nobody has parts of any more (its units' figures go).
        for source in sources.keys().filter(|s| s.is_rate()) {
            if !rate_parts.iter().any(|(s, _)| s == source) {
                rate_parts.push((*source, PersonParts::new()));
            }
        }
    }
    lap("people's figures compared");
    // Units' rates join the people's figures in one write, so the units
    // above are rolled up once.
    let rates = unit_rates(txn, tree, sources, &units, rate_parts, bulk).await?;
    person_items.extend(rates);
    lap("units' rates");
    write(txn, tree, metrics, person_items, bulk.is_some()).await?;
    lap("written");
    Ok(())
}

/// What a recompute of everyone's figures covers: every period of the
/// computed metrics (or only some months, a reopened one), except locked
/// months, which keep what was reported.
struct Scope<'a> {
    only: Option<&'a BTreeSet<Month>>,
    locks: std::collections::HashSet<String>,
}

impl Scope<'_> {
    fn covers(&self, period: &str) -> bool {
        !self.locks.contains(period) && self.only.is_none_or(|only| only.contains(period))
    }
}

/// Of a recompute of everyone's figures, the items that change what is
/// stored: those equal to the stored actual are dropped, and a stored
/// actual of `metrics` in the scope that the recompute did not produce
/// (its records were deleted or moved, or it was typed before the metric
/// was computed) is cleared. `units` maps each subject of `kind` to the
/// unit it rolls up into.
async fn only_changed<C: ConnectionTrait>(
    txn: &C,
    kind: &str,
    units: &HashMap<i64, UnitId>,
    metrics: &BTreeSet<i64>,
    scope: &Scope<'_>,
    items: Vec<Checked>,
) -> Result<Vec<Checked>> {
    if metrics.is_empty() {
        return Ok(items);
    }
    let sql = format!(
        "SELECT metric_id, subject_id, period, actual FROM figure \
         WHERE subject_kind = ? AND actual IS NOT NULL AND metric_id IN ({})",
        vec!["?"; metrics.len()].join(",")
    );
    let mut values: Vec<SqlValue> = vec![kind.into()];
    values.extend(metrics.iter().map(|id| (*id).into()));
    let mut stored: HashMap<(i64, i64, String), i64> = HashMap::new();
    for r in txn
        .query_all_raw(statement(txn.get_database_backend(), &sql, values))
        .await?
    {
        let period: String = r.try_get("", "period")?;
        if scope.covers(&period) {
            stored.insert(
                (
                    r.try_get("", "metric_id")?,
                    r.try_get("", "subject_id")?,
                    period,
                ),
                r.try_get("", "actual")?,
            );
        }
    }
    let mut out = Vec::with_capacity(items.len());
    for c in items {
        let key = (c.metric, c.subject.subject.id(), c.period.clone());
        let before = stored.remove(&key);
        if before != c.value {
            out.push(c);
        }
    }
    for ((metric, subject_id, period), _) in stored {
        let Some(unit) = units.get(&subject_id).copied() else {
            continue;
        };
        let subject = match kind {
            "unit" => Subject::Unit(subject_id),
            _ => Subject::Person(subject_id),
        };
        out.push(item(metric, subject, unit, &period, None));
    }
    Ok(out)
}

fn item(metric: i64, subject: Subject, unit: UnitId, month: &str, value: Option<i64>) -> Checked {
    Checked {
        metric,
        // Keys and names only label per-figure audit entries, which
        // computed figures do not write: the records they come from are
        // audited themselves.
        subject: SubjectInfo {
            subject,
            key: String::new(),
            name: String::new(),
            unit_id: unit,
        },
        period: month.to_owned(),
        value,
        floor: None,
        stretch: None,
    }
}

/// Writes computed actuals and rolls the units above up.
async fn write<C: ConnectionTrait>(
    txn: &C,
    tree: &OrgTree,
    metrics: &[MetricRow],
    items: Vec<Checked>,
    bulk: bool,
) -> Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    if bulk {
        figures::set_actuals(txn, tree, metrics, &items).await
    } else {
        figures::set_changed_actuals(txn, tree, metrics, &items).await
    }
}

/// Keeps the people's numerators and denominators of the rates, sums them
/// up the tree (each unit from its own people and its sub-units), and
/// returns every unit's rate as an actual to write. All rates go together:
/// a new order changes two (new-customer share, repurchase rate), and
/// each statement is a round trip.
async fn unit_rates<C: ConnectionTrait>(
    txn: &C,
    tree: &OrgTree,
    sources: &BTreeMap<Source, Vec<MetricRow>>,
    units_of: &HashMap<PersonId, UnitId>,
    rate_parts: Vec<(Source, PersonParts)>,
    bulk: Option<&Scope<'_>>,
) -> Result<Vec<Checked>> {
    // A few people's records changed: only the months whose parts moved
    // change any unit's rate (a new order in November leaves the rest of
    // the year's repurchase parts as they were).
    let rate_parts = match bulk {
        Some(_) => rate_parts,
        None => changed_parts(txn, rate_parts).await?,
    };
    let mut rows: Vec<PartRow> = Vec::new();
    let mut wanted: Vec<RollWanted> = Vec::new();
    for (source, parts) in &rate_parts {
        if parts.is_empty() {
            continue;
        }
        let months: BTreeSet<Month> = parts.keys().map(|(_, m)| m.clone()).collect();
        let units: BTreeSet<UnitId> = parts
            .keys()
            .filter_map(|(p, _)| units_of.get(p).copied())
            .collect();
        wanted.push((*source, units.into_iter().collect(), months));
        rows.extend(
            parts
                .iter()
                .map(|((p, m), part)| (*source, Subject::Person(*p), m.clone(), *part)),
        );
    }
    save_parts(txn, &rows).await?;
    let mut unit_items = roll_units(txn, tree, sources, &wanted).await?;
    if let Some(scope) = bulk {
        // Every unit's rate was computed: those not among them lost theirs.
        let units: HashMap<i64, UnitId> = tree.all_ids().map(|u| (u, u)).collect();
        let ids = rate_parts
            .iter()
            .filter_map(|(source, _)| sources.get(source))
            .flatten()
            .map(|m| m.id)
            .collect();
        unit_items = only_changed(txn, "unit", &units, &ids, scope, unit_items).await?;
    }
    Ok(unit_items)
}

/// A rate's numerator and denominator for one subject and month.
type PartRow = (Source, Subject, Month, Part);

/// A rate to roll up from some units, for some months.
type RollWanted = (Source, Vec<UnitId>, BTreeSet<Month>);

/// Sums rates' parts up the tree from the units of `wanted` (each unit from
/// its own people and its sub-units), keeps the sums, and returns each
/// unit's rate as an actual to write. As the figures' rollups
/// ([`figures::recompute_rollups`]): everything is read first, one
/// statement per 300 units, the sums are worked out deepest level first
/// with each touched sub-unit's new parts in place of its stored ones,
/// and written in one upsert per 1,000.
async fn roll_units<C: ConnectionTrait>(
    txn: &C,
    tree: &OrgTree,
    sources: &BTreeMap<Source, Vec<MetricRow>>,
    wanted: &[RollWanted],
) -> Result<Vec<Checked>> {
    let mut touched: BTreeMap<UnitId, BTreeSet<(Source, Month)>> = BTreeMap::new();
    for (source, units, months) in wanted {
        for unit in units {
            for u in tree.path(*unit) {
                let pairs = touched.entry(u.id).or_default();
                pairs.extend(months.iter().map(|m| (*source, m.clone())));
            }
        }
    }
    let units: Vec<UnitId> = touched.keys().copied().collect();
    let mut sums: HashMap<(UnitId, Source, Month), Part> = HashMap::new();
    let mut stored: HashMap<(UnitId, Source, Month), Part> = HashMap::new();
    for chunk in units.chunks(300) {
        let pairs = chunk.iter().flat_map(|u| touched[u].iter());
        let chunk_sources: BTreeSet<Source> = pairs.clone().map(|(s, _)| *s).collect();
        let months: BTreeSet<&str> = pairs.map(|(_, m)| m.as_str()).collect();
        read_roll_inputs(txn, chunk, &chunk_sources, &months, &mut sums, &mut stored).await?;
    }
    let mut fresh: HashMap<(UnitId, Source, Month), Part> = HashMap::new();
    let mut rows: Vec<PartRow> = Vec::new();
    let mut unit_items = Vec::new();
    for (u, touched_children) in &tree.bottom_up(&units) {
        for (source, month) in &touched[u] {
            let key = (*u, *source, month.clone());
            let mut part = sums.get(&key).copied().unwrap_or_default();
            for child in touched_children {
                let child_key = (*child, *source, month.clone());
                if let Some(new) = fresh.get(&child_key).copied() {
                    part.sub(stored.get(&child_key).copied().unwrap_or_default());
                    part.add(new);
                }
            }
            fresh.insert(key, part);
            rows.push((*source, Subject::Unit(*u), month.clone(), part));
            for metric in sources.get(source).map(Vec::as_slice).unwrap_or(&[]) {
                unit_items.push(item(
                    metric.id,
                    Subject::Unit(*u),
                    *u,
                    month,
                    percent(part.num, part.den),
                ));
            }
        }
        // Everything was read first: a roll of the whole tree writes
        // as it goes.
        if rows.len() >= 1000 {
            save_parts(txn, &std::mem::take(&mut rows)).await?;
        }
    }
    save_parts(txn, &rows).await?;
    Ok(unit_items)
}

/// After people or units moved in the tree: the computed rates of the
/// units above their old and new places (`units`), summed again from
/// their children's parts for every month the moved subjects have parts
/// in. The moved people's own parts and figures do not change.
pub(crate) async fn units_moved<C: ConnectionTrait>(
    txn: &C,
    tree: &OrgTree,
    metrics: &[MetricRow],
    subjects: &[Subject],
    units: &[UnitId],
) -> Result<()> {
    let sources = computed_sources(metrics, Source::is_rate);
    if sources.is_empty() || subjects.is_empty() || units.is_empty() {
        return Ok(());
    }
    let locks = figures::locked_periods(txn).await?;
    let mut wanted = Vec::new();
    for source in sources.keys() {
        let mut months: BTreeSet<Month> = BTreeSet::new();
        for chunk in subjects.chunks(500) {
            let mut cond = Vec::new();
            let mut values: Vec<SqlValue> = vec![source.code().into()];
            for s in chunk {
                cond.push("(subject_kind = ? AND subject_id = ?)");
                values.push(s.kind().into());
                values.push(s.id().into());
            }
            let sql = format!(
                "SELECT DISTINCT period FROM computed_part WHERE source = ? AND ({})",
                cond.join(" OR ")
            );
            for r in txn
                .query_all_raw(statement(txn.get_database_backend(), &sql, values))
                .await?
            {
                months.insert(r.try_get("", "period")?);
            }
        }
        // Locked months keep what was reported.
        months.retain(|m| !locks.contains(m));
        if !months.is_empty() {
            wanted.push((*source, units.to_vec(), months));
        }
    }
    let items = roll_units(txn, tree, &sources, &wanted).await?;
    write(txn, tree, metrics, items, false).await
}

/// The people's parts that differ from the stored ones (a part never
/// stored counts as zero over zero), of every rate in one read.
async fn changed_parts<C: ConnectionTrait>(
    txn: &C,
    mut rate_parts: Vec<(Source, PersonParts)>,
) -> Result<Vec<(Source, PersonParts)>> {
    let keys = rate_parts.iter().flat_map(|(_, parts)| parts.keys());
    let people: Vec<PersonId> = keys
        .clone()
        .map(|(p, _)| *p)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let months: BTreeSet<&str> = keys.map(|(_, m)| m.as_str()).collect();
    let codes: Vec<&str> = rate_parts.iter().map(|(s, _)| s.code()).collect();
    if people.is_empty() {
        return Ok(rate_parts);
    }
    let list = |n: usize| vec!["?"; n].join(",");
    let mut stored: HashMap<(&str, PersonId, Month), Part> = HashMap::new();
    for chunk in people.chunks(500) {
        let sql = format!(
            "SELECT source, subject_id, period, num, den FROM computed_part \
             WHERE subject_kind = 'person' AND subject_id IN ({}) AND period IN ({}) \
             AND source IN ({})",
            list(chunk.len()),
            list(months.len()),
            list(codes.len())
        );
        let mut values: Vec<SqlValue> = chunk.iter().map(|p| (*p).into()).collect();
        values.extend(months.iter().map(|m| (*m).into()));
        values.extend(codes.iter().map(|c| (*c).into()));
        for r in txn
            .query_all_raw(statement(txn.get_database_backend(), &sql, values))
            .await?
        {
            let source: String = r.try_get("", "source")?;
            let Some(code) = codes.iter().find(|c| **c == source) else {
                continue;
            };
            stored.insert(
                (code, r.try_get("", "subject_id")?, r.try_get("", "period")?),
                Part {
                    num: r.try_get("", "num")?,
                    den: r.try_get("", "den")?,
                },
            );
        }
    }
    for (source, parts) in &mut rate_parts {
        parts.retain(|(p, m), part| {
            stored
                .get(&(source.code(), *p, m.clone()))
                .copied()
                .unwrap_or_default()
                != *part
        });
    }
    Ok(rate_parts)
}

/// Upserts numerators and denominators.
async fn save_parts<C: ConnectionTrait>(txn: &C, rows: &[PartRow]) -> Result<()> {
    for chunk in rows.chunks(1000) {
        let mut sql = String::from(
            "INSERT INTO computed_part (subject_kind, subject_id, period, source, num, den) VALUES ",
        );
        let mut values: Vec<SqlValue> = Vec::with_capacity(chunk.len() * 6);
        for (i, (source, subject, month, part)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str("(?,?,?,?,?,?)");
            values.extend([
                subject.kind().into(),
                subject.id().into(),
                month.as_str().into(),
                source.code().into(),
                part.num.into(),
                part.den.into(),
            ]);
        }
        sql.push_str(
            " ON CONFLICT (subject_kind, subject_id, period, source) \
             DO UPDATE SET num = excluded.num, den = excluded.den",
        );
        txn.execute_raw(statement(txn.get_database_backend(), &sql, values))
            .await?;
    }
    Ok(())
}

/// Reads, per (unit, source, month) of `units`, the sums of the rates'
/// parts of the units' own people and sub-units, and the units' own
/// stored parts, in one statement.
async fn read_roll_inputs<C: ConnectionTrait>(
    txn: &C,
    units: &[UnitId],
    sources: &BTreeSet<Source>,
    months: &BTreeSet<&str>,
    sums: &mut HashMap<(UnitId, Source, Month), Part>,
    stored: &mut HashMap<(UnitId, Source, Month), Part>,
) -> Result<()> {
    let list = |n: usize| vec!["?"; n].join(",");
    let filter = format!(
        "c.source IN ({}) AND c.period IN ({})",
        list(sources.len()),
        list(months.len())
    );
    let sums_of = "c.source, c.period, CAST(SUM(c.num) AS BIGINT) AS num, \
                   CAST(SUM(c.den) AS BIGINT) AS den";
    // `own` tells the sums (0) from a unit's own stored parts (1).
    let sql = format!(
        "SELECT CAST(0 AS BIGINT) AS own, p.unit_id AS unit, {sums_of} \
         FROM person p CROSS JOIN computed_part c \
         WHERE c.subject_kind = 'person' AND c.subject_id = p.id AND p.unit_id IN ({units}) \
         AND {filter} GROUP BY p.unit_id, c.source, c.period \
         UNION ALL \
         SELECT CAST(0 AS BIGINT) AS own, u.parent_id AS unit, {sums_of} \
         FROM org_unit u CROSS JOIN computed_part c \
         WHERE c.subject_kind = 'unit' AND c.subject_id = u.id AND u.parent_id IN ({units}) \
         AND {filter} GROUP BY u.parent_id, c.source, c.period \
         UNION ALL \
         SELECT CAST(1 AS BIGINT) AS own, c.subject_id AS unit, c.source, c.period, c.num, c.den \
         FROM computed_part c WHERE c.subject_kind = 'unit' AND c.subject_id IN ({units}) \
         AND {filter}",
        units = list(units.len()),
    );
    let mut values: Vec<SqlValue> = Vec::new();
    for _ in 0..3 {
        values.extend(units.iter().map(|u| (*u).into()));
        values.extend(sources.iter().map(|s| s.code().into()));
        values.extend(months.iter().map(|m| (*m).into()));
    }
    let rows = txn
        .query_all_raw(statement(txn.get_database_backend(), &sql, values))
        .await?;
    for r in rows {
        let Some(source) = Source::of(&r.try_get::<String>("", "source")?) else {
            continue;
        };
        let key = (
            r.try_get::<i64>("", "unit")?,
            source,
            r.try_get::<String>("", "period")?,
        );
        let part = Part {
            num: r.try_get::<Option<i64>>("", "num")?.unwrap_or(0),
            den: r.try_get::<Option<i64>>("", "den")?.unwrap_or(0),
        };
        if r.try_get::<i64>("", "own")? == 1 {
            stored.insert(key, part);
        } else {
            // A unit's people and its sub-units come as two rows.
            sums.entry(key).or_default().add(part);
        }
    }
    Ok(())
}

/// The unit of each person (of `people`, or of everyone).
async fn person_units<C: ConnectionTrait>(
    txn: &C,
    people: Option<&BTreeSet<PersonId>>,
) -> Result<HashMap<PersonId, UnitId>> {
    let mut out = HashMap::new();
    let backend = txn.get_database_backend();
    let chunks: Vec<Vec<PersonId>> = match people {
        Some(p) => p
            .iter()
            .copied()
            .collect::<Vec<_>>()
            .chunks(500)
            .map(<[_]>::to_vec)
            .collect(),
        None => vec![Vec::new()],
    };
    for chunk in chunks {
        let sql = if people.is_some() {
            format!(
                "SELECT id, unit_id FROM person WHERE id IN ({})",
                vec!["?"; chunk.len()].join(",")
            )
        } else {
            "SELECT id, unit_id FROM person".to_owned()
        };
        let values = chunk.iter().map(|p| (*p).into()).collect();
        for r in txn.query_all_raw(statement(backend, &sql, values)).await? {
            out.insert(
                r.try_get::<i64>("", "id")?,
                r.try_get::<i64>("", "unit_id")?,
            );
        }
    }
    Ok(out)
}

/// The first and the last month that has records of a kind.
async fn record_span<C: ConnectionTrait>(
    txn: &C,
    records: Records,
) -> Result<Option<(Month, Month)>> {
    let (table, col) = match records {
        Records::Orders => ("sales_order", "order_date"),
        Records::Activities => ("activity", "occurred_on"),
        Records::DailyPlans => ("daily_plan", "day"),
    };
    // Two subqueries: each is one step along the index, where SQLite
    // answers `MIN(…), MAX(…)` in one select by reading every row.
    let sql = format!(
        "SELECT (SELECT MIN({col}) FROM {table}) AS first, (SELECT MAX({col}) FROM {table}) AS last"
    );
    let row = txn
        .query_one_raw(statement(txn.get_database_backend(), &sql, Vec::new()))
        .await?;
    let Some(row) = row else { return Ok(None) };
    let first: Option<String> = row.try_get("", "first")?;
    let last: Option<String> = row.try_get("", "last")?;
    Ok(
        match (
            first.as_deref().and_then(month_of),
            last.as_deref().and_then(month_of),
        ) {
            (Some(f), Some(l)) => Some((f, l)),
            _ => None,
        },
    )
}

/// Keeps `customer.first_purchase_on` equal to the date of each customer's
/// first order that was not cancelled: one grouped pass over the orders,
/// where a look-up per customer would seek once per month of orders
/// (orders are indexed by month, then customer). Only customers whose
/// first purchase differs are written.
async fn refresh_first_purchases<C: ConnectionTrait>(txn: &C) -> Result<()> {
    txn.execute_unprepared(
        "UPDATE customer SET first_purchase_on = f.day FROM (\
         SELECT k.id, o.day FROM customer k LEFT JOIN (\
         SELECT customer_id, MIN(order_date) AS day FROM sales_order \
         WHERE status <> 'cancelled' GROUP BY customer_id) o ON o.customer_id = k.id) f \
         WHERE f.id = customer.id AND customer.first_purchase_on IS DISTINCT FROM f.day",
    )
    .await?;
    Ok(())
}

/// What each source counts per (person, month), for the months
/// `from..=to` given per source, for `people` or everyone. Sources read
/// from the same records share one pass over them: sales, new customers
/// and their share of sales one pass over the orders by order date; calls,
/// visits and meetings one over the activities.
async fn compute<C: ConnectionTrait>(
    txn: &C,
    wanted: &BTreeMap<Source, (Month, Month)>,
    people: Option<&BTreeSet<PersonId>>,
) -> Result<HashMap<Source, HashMap<(PersonId, Month), Part>>> {
    // Many people (an import touches every salesperson): one pass for
    // everyone beats a pass per chunk of people. Sums of order credits go
    // along their (month, person, day) index, collections' person by
    // person along their (person, day) index, either way; orders by
    // shipment or invoice date are read
    // along the date index over a few months and by a whole scan over
    // many, where each salesperson's own credits would cost a random read
    // each — which pays off only for thousands of people.
    let months = wanted
        .values()
        .map(|(from, to)| month_range(from, to).len())
        .max()
        .unwrap_or(0);
    let threshold = if months <= 3 { 200 } else { 2_500 };
    let many = people.filter(|p| p.len() > threshold);
    let people: Option<Vec<PersonId>> = match many {
        Some(_) => None,
        None => people.map(|p| p.iter().copied().collect()),
    };
    let mut out: HashMap<Source, HashMap<(PersonId, Month), Part>> = HashMap::new();
    let chunks: Vec<Option<&[PersonId]>> = match &people {
        Some(p) => p.chunks(500).map(Some).collect(),
        None => vec![None],
    };
    // The range covering every source of a shared pass.
    let span = |group: &[Source]| {
        let ranges: Vec<&(Month, Month)> = group.iter().filter_map(|s| wanted.get(s)).collect();
        let from = ranges.iter().map(|r| r.0.as_str()).min()?;
        let to = ranges.iter().map(|r| r.1.as_str()).max()?;
        Some((from.to_owned(), to.to_owned()))
    };
    const BY_ORDER_DATE: [Source; 3] = [
        Source::SalesByOrderDate,
        Source::NewCustomers,
        Source::NewCustomerShare,
    ];
    const ACTIVITIES: [Source; 3] = [Source::Calls, Source::Visits, Source::Meetings];
    let by_other_dates = wanted
        .keys()
        .any(|s| matches!(s, Source::SalesByShipment | Source::SalesByInvoice));
    let first_order = match people.is_some() && by_other_dates {
        true => first_order_month(txn).await?,
        false => None,
    };
    let lap = laps("records read");
    for chunk in chunks {
        let q = |(from, to): &(Month, Month)| Query {
            txn,
            people: chunk,
            from: from.clone(),
            to: to.clone(),
            first_order: first_order.as_deref(),
        };
        if let Some(range) = span(&BY_ORDER_DATE) {
            q(&range).by_order_date(&mut out).await?;
            lap("by order date");
        }
        if let Some(range) = span(&ACTIVITIES) {
            q(&range).activities(&mut out).await?;
            lap("activities");
        }
        for (source, range) in wanted {
            let q = q(range);
            let parts = out.entry(*source).or_default();
            match source {
                Source::SalesByShipment => q.sums(&q.credited_orders("shipped_on"), parts).await?,
                Source::SalesByInvoice => q.sums(&q.credited_orders("invoiced_on"), parts).await?,
                Source::SalesByCollection | Source::Collections => {
                    q.sums(&q.credited_collections(), parts).await?
                }
                Source::RepurchaseRate => q.repurchase(parts).await?,
                Source::PlanCompletion => q.plan_completion(parts).await?,
                // Read in the shared passes above.
                Source::SalesByOrderDate
                | Source::NewCustomers
                | Source::NewCustomerShare
                | Source::Calls
                | Source::Visits
                | Source::Meetings => continue,
            }
            lap(source.code());
        }
    }
    if let Some(wanted_people) = many {
        for parts in out.values_mut() {
            parts.retain(|(p, _), _| wanted_people.contains(p));
        }
    }
    Ok(out)
}

/// The queries behind the sources, for some people (or everyone) and a
/// range of months.
struct Query<'a, C> {
    txn: &'a C,
    people: Option<&'a [PersonId]>,
    from: Month,
    to: Month,
    /// The month of the first order: credits looked up by their orders'
    /// shipment or invoice date may be of any month from it on.
    first_order: Option<&'a str>,
}

/// A query of (person, month, num) rows, with the date range's parameters
/// first and the people's after them.
struct Grouped {
    sql: String,
}

/// `FROM …` and `WHERE …` of credits joined to the records they credit.
struct Credited {
    from: String,
    filter: String,
}

impl<C: ConnectionTrait> Query<'_, C> {
    fn backend(&self) -> DatabaseBackend {
        self.txn.get_database_backend()
    }

    /// Credits (`c`) joined to their orders (`o`) whose `date` (shipment
    /// or invoice, which the credits do not carry) falls in the range, for
    /// the people or everyone.
    ///
    /// For some people the join starts from their credits (`CROSS JOIN`
    /// fixes SQLite's order), those of every month from the first order's
    /// to the range's last (an order is shipped or invoiced after it is
    /// dated): left to itself, SQLite walks every order of the range by
    /// the date index to find one salesperson's few. For
    /// everyone over many months it reads the orders in the order they are
    /// stored — `|| ''` keeps SQLite off the date index, whose order is
    /// random in the table and costs a page read per order; over a few
    /// months the index is still the shorter way. PostgreSQL plans each by
    /// its statistics.
    fn orders(&self, date: &str) -> Credited {
        match self.people {
            Some(_) => Credited {
                from: "order_credit c CROSS JOIN sales_order o".to_owned(),
                filter: format!(
                    "{} AND o.id = c.order_id AND o.{date} >= ? AND o.{date} < ?{}",
                    months_from_first_order("c", self.first_order, &self.from, &self.to),
                    self.people_clause("c.person_id")
                ),
            },
            None if month_range(&self.from, &self.to).len() <= 3 => Credited {
                from: "sales_order o CROSS JOIN order_credit c".to_owned(),
                filter: format!("o.id = c.order_id AND o.{date} >= ? AND o.{date} < ?"),
            },
            None => Credited {
                from: "sales_order o CROSS JOIN order_credit c".to_owned(),
                filter: format!("o.id = c.order_id AND o.{date} || '' >= ? AND o.{date} || '' < ?"),
            },
        }
    }

    /// Collection credits (`c`), which carry their collection's day, in
    /// the range, for the people or everyone: read along the (person,
    /// day, amount) index, without visiting the collections. For everyone,
    /// person by person (`CROSS JOIN` fixes SQLite's order): one short run
    /// of the index each, in the order the sums group by.
    fn collection_credits(&self) -> Credited {
        match self.people {
            Some(_) => Credited {
                from: "collection_credit c".to_owned(),
                filter: format!(
                    "c.collected_on >= ? AND c.collected_on < ?{}",
                    self.people_clause("c.person_id")
                ),
            },
            None => Credited {
                from: "person p CROSS JOIN collection_credit c".to_owned(),
                filter: "c.person_id = p.id AND c.collected_on >= ? AND c.collected_on < ?"
                    .to_owned(),
            },
        }
    }

    /// Order credits (`c`), which carry their order's day, customer and
    /// cancellation, of one month (the first parameter), for the people
    /// or everyone: read along the (month, person, day, …) index that
    /// holds what the sums need, without visiting the orders — one short
    /// run per person, or for everyone the month whole, in person order.
    fn order_credits(&self) -> Credited {
        Credited {
            from: "order_credit c".to_owned(),
            filter: format!(
                "substr(c.order_date, 1, 7) = ?{}",
                self.people_clause("c.person_id")
            ),
        }
    }

    /// `AND col IN (?, …)` for the people, or nothing for everyone.
    fn people_clause(&self, col: &str) -> String {
        match self.people {
            Some(p) => format!(" AND {col} IN ({})", vec!["?"; p.len()].join(",")),
            None => String::new(),
        }
    }

    /// The range's first day and the day after it, then the people.
    fn params(&self) -> Vec<SqlValue> {
        self.then_people(vec![
            format!("{}-01", self.from).into(),
            format!("{}-01", next_month(&self.to)).into(),
        ])
    }

    /// `values`, then the people of [`Self::people_clause`] (none for
    /// everyone).
    fn then_people(&self, mut values: Vec<SqlValue>) -> Vec<SqlValue> {
        if let Some(p) = self.people {
            values.extend(p.iter().map(|p| (*p).into()));
        }
        values
    }

    fn credited_orders(&self, date: &str) -> Grouped {
        let Credited { from, filter } = self.orders(date);
        Grouped {
            sql: format!(
                "SELECT c.person_id AS person, substr(o.{date}, 1, 7) AS month, \
                 CAST(SUM(c.amount) AS BIGINT) AS num FROM {from} \
                 WHERE {filter} AND o.status <> 'cancelled' \
                 GROUP BY c.person_id, substr(o.{date}, 1, 7)"
            ),
        }
    }

    fn credited_collections(&self) -> Grouped {
        let Credited { from, filter } = self.collection_credits();
        Grouped {
            sql: format!(
                "SELECT c.person_id AS person, substr(c.collected_on, 1, 7) AS month, \
                 CAST(SUM(c.amount) AS BIGINT) AS num FROM {from} WHERE {filter} \
                 GROUP BY c.person_id, substr(c.collected_on, 1, 7)"
            ),
        }
    }

    /// Runs a (person, month, num) query; each row is a figure (`den` 1).
    async fn sums(&self, q: &Grouped, out: &mut HashMap<(PersonId, Month), Part>) -> Result<()> {
        let rows = self
            .txn
            .query_all_raw(statement(self.backend(), &q.sql, self.params()))
            .await?;
        for r in rows {
            let key = (
                r.try_get::<i64>("", "person")?,
                r.try_get::<String>("", "month")?,
            );
            out.entry(key).or_default().add(Part {
                num: r.try_get::<Option<i64>>("", "num")?.unwrap_or(0),
                den: 1,
            });
        }
        Ok(())
    }

    /// One pass over the order credits by order date for sales, new
    /// customers (customers whose first order is on this order's date, for
    /// each salesperson credited on it) and the share of sales to
    /// customers whose first purchase was in the same year.
    async fn by_order_date(
        &self,
        out: &mut HashMap<Source, HashMap<(PersonId, Month), Part>>,
    ) -> Result<()> {
        // The credits carry their order's date, customer and cancellation.
        // Month by month, grouped by person alone: the index's own order,
        // where grouping by month and person sorted every credit first.
        let Credited { from, filter } = self.order_credits();
        let sql = format!(
            "SELECT c.person_id AS person, \
             CAST(SUM(c.amount) AS BIGINT) AS sales, \
             CAST(COUNT(DISTINCT CASE WHEN k.first_purchase_on = c.order_date \
             THEN c.customer_id END) AS BIGINT) AS new_customers, \
             CAST(SUM(CASE WHEN substr(k.first_purchase_on, 1, 4) = substr(c.order_date, 1, 4) \
             THEN c.amount ELSE 0 END) AS BIGINT) AS new_sales \
             FROM {from} CROSS JOIN customer k \
             WHERE {filter} AND k.id = c.customer_id AND NOT c.cancelled \
             GROUP BY c.person_id"
        );
        for month in month_range(&self.from, &self.to) {
            let params = self.then_people(vec![month.clone().into()]);
            for r in self
                .txn
                .query_all_raw(statement(self.backend(), &sql, params))
                .await?
            {
                let key = (r.try_get::<i64>("", "person")?, month.clone());
                let sales = r.try_get::<Option<i64>>("", "sales")?.unwrap_or(0);
                let new_customers = r.try_get::<Option<i64>>("", "new_customers")?.unwrap_or(0);
                let new_sales = r.try_get::<Option<i64>>("", "new_sales")?.unwrap_or(0);
                for (source, part) in [
                    (Source::SalesByOrderDate, Part { num: sales, den: 1 }),
                    (
                        Source::NewCustomers,
                        Part {
                            num: new_customers,
                            den: 1,
                        },
                    ),
                    (
                        Source::NewCustomerShare,
                        Part {
                            num: new_sales,
                            den: sales,
                        },
                    ),
                ] {
                    out.entry(source)
                        .or_default()
                        .entry(key.clone())
                        .or_default()
                        .add(part);
                }
            }
        }
        Ok(())
    }

    /// One pass over the activities for calls, visits and meetings per
    /// person and month, along `ix_activity_person_month`.
    async fn activities(
        &self,
        out: &mut HashMap<Source, HashMap<(PersonId, Month), Part>>,
    ) -> Result<()> {
        let month = "substr(occurred_on, 1, 7)";
        let count = |kind: &str| {
            format!("CAST(SUM(CASE WHEN kind = '{kind}' THEN 1 ELSE 0 END) AS BIGINT) AS {kind}s")
        };
        let sql = format!(
            "SELECT person_id AS person, {month} AS month, {}, {}, {} FROM activity \
             WHERE {month} >= ? AND {month} <= ?{} GROUP BY person_id, {month}",
            count("call"),
            count("visit"),
            count("meeting"),
            self.people_clause("person_id")
        );
        let params = self.then_people(vec![self.from.as_str().into(), self.to.as_str().into()]);
        for r in self
            .txn
            .query_all_raw(statement(self.backend(), &sql, params))
            .await?
        {
            let key = (
                r.try_get::<i64>("", "person")?,
                r.try_get::<String>("", "month")?,
            );
            for (source, column) in [
                (Source::Calls, "calls"),
                (Source::Visits, "visits"),
                (Source::Meetings, "meetings"),
            ] {
                let num = r.try_get::<Option<i64>>("", column)?.unwrap_or(0);
                out.entry(source)
                    .or_default()
                    .entry(key.clone())
                    .or_default()
                    .add(Part { num, den: 1 });
            }
        }
        Ok(())
    }

    /// For each month of a year: of the customers a salesperson sold to in
    /// the year before, how many bought from them again this year up to
    /// the month.
    async fn repurchase(&self, out: &mut HashMap<(PersonId, Month), Part>) -> Result<()> {
        // The customers of the year before count. `person_customer_year`
        // holds, per salesperson, year and customer, the first month of the
        // year they were credited: a few rows per salesperson where their
        // credits are hundreds. The database counts, a year at a time and
        // a column per month of it: sending every row here to be counted
        // cost an import of 10,000 salespeople eight times as long.
        let mut years: BTreeMap<i32, Vec<Month>> = BTreeMap::new();
        for month in month_range(&self.from, &self.to) {
            if let Some((year, _)) = split_month(&month) {
                years.entry(year).or_default().push(month);
            }
        }
        for (year, months) in years {
            let bought: Vec<String> = (0..months.len())
                .map(|i| {
                    format!(
                        "CAST(SUM(CASE WHEN c.first_month <= ? THEN 1 ELSE 0 END) AS BIGINT) AS m{i}"
                    )
                })
                .collect();
            let sql = format!(
                "SELECT p.person_id AS person, CAST(COUNT(*) AS BIGINT) AS customers, {} \
                 FROM person_customer_year p LEFT JOIN person_customer_year c \
                 ON c.person_id = p.person_id AND c.year = ? AND c.customer_id = p.customer_id \
                 WHERE p.year = ?{} GROUP BY p.person_id",
                bought.join(", "),
                self.people_clause("p.person_id")
            );
            let mut params: Vec<SqlValue> = months.iter().map(|m| m.clone().into()).collect();
            params.extend([year.into(), (year - 1).into()]);
            for r in self
                .txn
                .query_all_raw(statement(self.backend(), &sql, self.then_people(params)))
                .await?
            {
                let person: PersonId = r.try_get("", "person")?;
                // At least one: a salesperson without customers last year
                // has no row, and so no rate.
                let den: i64 = r.try_get("", "customers")?;
                for (i, month) in months.iter().enumerate() {
                    let num = r.try_get::<Option<i64>>("", &format!("m{i}"))?.unwrap_or(0);
                    out.insert((person, month.clone()), Part { num, den });
                }
            }
        }
        Ok(())
    }

    /// Per day with a plan: calls and visits done up to the number planned,
    /// and tasks ticked, over everything planned. Only the planned days'
    /// activities are read.
    async fn plan_completion(&self, out: &mut HashMap<(PersonId, Month), Part>) -> Result<()> {
        let plans = format!(
            "SELECT p.person_id AS person, p.day AS day, p.planned_calls AS calls, \
             p.planned_visits AS visits, \
             CAST(COUNT(t.id) AS BIGINT) AS tasks, \
             CAST(COALESCE(SUM(CASE WHEN t.done THEN 1 ELSE 0 END), 0) AS BIGINT) AS done \
             FROM daily_plan p LEFT JOIN daily_task t ON t.plan_id = p.id \
             WHERE p.day >= ? AND p.day < ?{} \
             GROUP BY p.person_id, p.day, p.planned_calls, p.planned_visits",
            self.people_clause("p.person_id")
        );
        let done = format!(
            "SELECT a.person_id AS person, a.occurred_on AS day, a.kind AS kind, \
             CAST(COUNT(*) AS BIGINT) AS n FROM daily_plan p CROSS JOIN activity a \
             WHERE a.person_id = p.person_id AND a.occurred_on = p.day \
             AND a.kind IN ('call', 'visit') AND p.day >= ? AND p.day < ?{} \
             GROUP BY a.person_id, a.occurred_on, a.kind",
            self.people_clause("p.person_id")
        );
        let mut logged: HashMap<(PersonId, String), (i64, i64)> = HashMap::new();
        for r in self
            .txn
            .query_all_raw(statement(self.backend(), &done, self.params()))
            .await?
        {
            let key = (
                r.try_get::<i64>("", "person")?,
                r.try_get::<String>("", "day")?,
            );
            let n: i64 = r.try_get("", "n")?;
            let e = logged.entry(key).or_default();
            if r.try_get::<String>("", "kind")? == "call" {
                e.0 += n;
            } else {
                e.1 += n;
            }
        }
        for r in self
            .txn
            .query_all_raw(statement(self.backend(), &plans, self.params()))
            .await?
        {
            let person: i64 = r.try_get("", "person")?;
            let day: String = r.try_get("", "day")?;
            let calls = i64::from(r.try_get::<i32>("", "calls")?.max(0));
            let visits = i64::from(r.try_get::<i32>("", "visits")?.max(0));
            let tasks: i64 = r.try_get("", "tasks")?;
            let done: i64 = r.try_get("", "done")?;
            let (made, went) = logged
                .get(&(person, day.clone()))
                .copied()
                .unwrap_or_default();
            let Some(month) = month_of(&day) else {
                continue;
            };
            out.entry((person, month)).or_default().add(Part {
                num: made.min(calls) + went.min(visits) + done,
                den: calls + visits + tasks,
            });
        }
        Ok(())
    }
}

fn is_locked_month(locks: &std::collections::HashSet<String>, month: &str) -> bool {
    locks.contains(month)
}

/// `2026-03` of `2026-03-31` (or of a month itself); `None` when malformed.
fn month_of(day: &str) -> Option<Month> {
    let month = day.get(..7)?;
    split_month(month).map(|_| month.to_owned())
}

fn split_month(month: &str) -> Option<(i32, u32)> {
    let (y, m) = month.get(..7)?.split_once('-')?;
    let (y, m) = (y.parse().ok()?, m.parse().ok()?);
    (1..=12).contains(&m).then_some((y, m))
}

fn fmt_month(year: i32, month: u32) -> Month {
    format!("{year:04}-{month:02}")
}

fn next_month(month: &str) -> Month {
    match split_month(month) {
        Some((y, 12)) => fmt_month(y + 1, 1),
        Some((y, m)) => fmt_month(y, m + 1),
        None => month.to_owned(),
    }
}

/// `substr(<alias>.order_date, 1, 7) IN ('2026-10', …)` for every month
/// from `first` to `last` (`YYYY-MM`, both included): the first key of
/// the credits' month index (migration 000028), which a list of months
/// turns into one short run per month and salesperson where a range would
/// read every salesperson's credits of those months. The months are
/// written from parsed numbers (nothing of the caller's text reaches the
/// SQL); a range that cannot be read matches nothing.
pub(crate) fn credit_months(alias: &str, first: &str, last: &str) -> String {
    let list = match (split_month(first), split_month(last)) {
        (Some(_), Some(_)) if first <= last => month_range(first, last)
            .iter()
            .filter_map(|m| split_month(m))
            .map(|(y, m)| format!("'{}'", fmt_month(y, m)))
            .collect::<Vec<_>>()
            .join(", "),
        _ => "NULL".to_owned(),
    };
    format!("substr({alias}.order_date, 1, 7) IN ({list})")
}

/// [`credit_months`] for sums of order credits by `source`'s date from
/// `first` to `last`: those months for order dates; for shipment or
/// invoice dates, which the credits do not carry, every month from the
/// first order's (an order is shipped and invoiced after it is dated).
pub(crate) async fn credit_months_for<C: ConnectionTrait>(
    conn: &C,
    source: Source,
    first: &str,
    last: &str,
) -> Result<String> {
    let first_order = match source {
        Source::SalesByShipment | Source::SalesByInvoice => first_order_month(conn).await?,
        _ => None,
    };
    Ok(months_from_first_order(
        "c",
        first_order.as_deref(),
        first,
        last,
    ))
}

/// [`credit_months`] from the first order's month when given (else from
/// `first`) to `last`. An order dated outside [`orders::ORDER_YEARS`],
/// kept before those bounds were checked, makes it no condition at all
/// (every month; the callers' own date conditions still apply): a list
/// from its year would be centuries long and cut short, and miss orders.
fn months_from_first_order(
    alias: &str,
    first_order: Option<&str>,
    first: &str,
    last: &str,
) -> String {
    match first_order {
        Some(month) if !in_order_years(month) => "1 = 1".to_owned(),
        Some(month) => credit_months(alias, month, last),
        None => credit_months(alias, first, last),
    }
}

/// Whether a month's year is one orders may be dated in.
fn in_order_years(month: &str) -> bool {
    split_month(month).is_some_and(|(year, _)| orders::ORDER_YEARS.contains(&year))
}

/// The month of the first order ever dated, if any: where credits looked
/// up by another date than their own (shipment, invoice) may start.
pub(crate) async fn first_order_month<C: ConnectionTrait>(conn: &C) -> Result<Option<Month>> {
    Ok(record_span(conn, Records::Orders)
        .await?
        .map(|(first, _)| first))
}

/// [`credit_months`] of `alias` (orders or their credits) for every month
/// orders are dated in: how a customer's orders are found through the
/// orders' (month, customer) index (migration 000029), one short run per
/// month. Nothing when there are no orders. Orders dated outside
/// [`orders::ORDER_YEARS`] (kept before those bounds were checked) make it
/// no condition at all: every order is then read, but none is missed.
pub(crate) async fn order_months<C: ConnectionTrait>(conn: &C, alias: &str) -> Result<String> {
    Ok(match record_span(conn, Records::Orders).await? {
        Some((first, last)) if in_order_years(&last) => {
            months_from_first_order(alias, Some(&first), &first, &last)
        }
        Some(_) => "1 = 1".to_owned(),
        None => credit_months(alias, "", ""),
    })
}

/// Every month from `first` to `last`, both included.
fn month_range(first: &str, last: &str) -> Vec<Month> {
    let mut out = Vec::new();
    let mut m = first.to_owned();
    while m.as_str() <= last && out.len() < 12 * 200 {
        out.push(m.clone());
        m = next_month(&m);
    }
    out
}

/// The actuals of a target breakdown (目标 by customer or product
/// category) of `people` for some months, by (member, month): credited
/// order amounts by customer name or by line category. A salesperson's
/// share of a line is rounded half away from zero per category and month.
/// `None` for a source without such a breakdown (collections by category,
/// counts, rates).
pub(crate) async fn dimension_actuals<C: ConnectionTrait>(
    conn: &C,
    source: Source,
    dimension: &str,
    people: &[PersonId],
    from: &str,
    to: &str,
) -> Result<Option<HashMap<(String, Month), i64>>> {
    let date = match source {
        Source::SalesByOrderDate => "o.order_date",
        Source::SalesByShipment => "o.shipped_on",
        Source::SalesByInvoice => "o.invoiced_on",
        Source::SalesByCollection | Source::Collections => "k.collected_on",
        _ => return Ok(None),
    };
    let collected = date == "k.collected_on";
    let (select, from_clause, scale) = match (dimension, collected) {
        ("customer", false) => (
            "cu.name AS member, CAST(SUM(c.amount) AS BIGINT) AS v",
            "order_credit c JOIN sales_order o ON o.id = c.order_id \
             JOIN customer cu ON cu.id = o.customer_id",
            false,
        ),
        ("customer", true) => (
            "cu.name AS member, CAST(SUM(c.amount) AS BIGINT) AS v",
            "collection_credit c JOIN collection k ON k.id = c.collection_id \
             JOIN sales_order o ON o.id = k.order_id JOIN customer cu ON cu.id = o.customer_id",
            false,
        ),
        ("category", false) => (
            "COALESCE(l.category, '') AS member, CAST(SUM(l.amount * c.share) AS BIGINT) AS v",
            "order_credit c JOIN sales_order o ON o.id = c.order_id \
             JOIN order_line l ON l.order_id = o.id",
            true,
        ),
        _ => return Ok(None),
    };
    let filter = if collected {
        String::new()
    } else {
        format!(
            "o.status <> 'cancelled' AND {} AND ",
            credit_months_for(conn, source, from, to).await?
        )
    };
    let mut out: HashMap<(String, Month), i64> = HashMap::new();
    for chunk in people.chunks(500) {
        let sql = format!(
            "SELECT {select}, substr({date}, 1, 7) AS month FROM {from_clause} \
             WHERE {filter}{date} >= ? AND {date} < ? AND c.person_id IN ({}) \
             GROUP BY member, substr({date}, 1, 7)",
            vec!["?"; chunk.len()].join(",")
        );
        let mut values: Vec<SqlValue> = vec![
            format!("{from}-01").into(),
            format!("{}-01", next_month(to)).into(),
        ];
        values.extend(chunk.iter().map(|p| (*p).into()));
        for r in conn
            .query_all_raw(statement(conn.get_database_backend(), &sql, values))
            .await?
        {
            let v: i64 = r.try_get::<Option<i64>>("", "v")?.unwrap_or(0);
            // Shares are hundredths of a percent: 10,000 is the whole line.
            let v = if scale {
                let (q, rem) = (v / 10_000, v % 10_000);
                q + (2 * rem.abs() >= 10_000) as i64 * rem.signum()
            } else {
                v
            };
            let key = (
                r.try_get::<String>("", "member")?,
                r.try_get::<String>("", "month")?,
            );
            *out.entry(key).or_default() += v;
        }
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_step_over_the_year_end() {
        assert_eq!(next_month("2026-12"), "2027-01");
        assert_eq!(month_range("2026-11", "2027-02").len(), 4);
        assert_eq!(month_of("2026-03-31"), Some("2026-03".into()));
        assert_eq!(month_of("2026-13-01"), None);
    }

    #[test]
    fn credit_months_are_listed_from_parsed_months_only() {
        assert_eq!(
            credit_months("c", "2026-11", "2027-01"),
            "substr(c.order_date, 1, 7) IN ('2026-11', '2026-12', '2027-01')"
        );
        assert_eq!(
            credit_months("c", "2026-11", "2026-11"),
            "substr(c.order_date, 1, 7) IN ('2026-11')"
        );
        // Backwards, unreadable or hostile ranges match nothing.
        for (first, last) in [("2026-12", "2026-11"), ("2026-1'", "2026-12"), ("x", "y")] {
            assert_eq!(
                credit_months("c", first, last),
                "substr(c.order_date, 1, 7) IN (NULL)"
            );
        }
    }

    #[test]
    fn a_first_order_of_a_stray_year_lists_every_month() {
        assert_eq!(
            months_from_first_order("c", Some("2026-10"), "2026-12", "2026-12"),
            "substr(c.order_date, 1, 7) IN ('2026-10', '2026-11', '2026-12')"
        );
        assert_eq!(
            months_from_first_order("c", None, "2026-12", "2026-12"),
            "substr(c.order_date, 1, 7) IN ('2026-12')"
        );
        // "26-3-5" kept as the year 26 before days were bounded.
        assert_eq!(
            months_from_first_order("c", Some("0026-03"), "2026-12", "2026-12"),
            "1 = 1"
        );
    }

    #[test]
    fn a_repurchase_reaches_into_the_next_year() {
        let months = affected_months(Source::RepurchaseRate, "2026-11");
        assert_eq!(months.first().map(String::as_str), Some("2026-11"));
        assert_eq!(months.last().map(String::as_str), Some("2027-12"));
        assert_eq!(
            affected_months(Source::NewCustomers, "2026-11"),
            vec!["2026-11".to_owned()]
        );
    }
}
