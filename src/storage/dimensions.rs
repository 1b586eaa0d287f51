//! Targets by customer or product category (扩展目标维度): a breakdown
//! inside a subject's target — 华东's March sales for 轿车 and for SUV —
//! whose actuals the sales process feeds from orders.
//!
//! A breakdown does not change the subject's own target, so it is written
//! directly by whoever may set that subject's targets (no plan version);
//! the table shows how much of the target the members cover.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::entity::{dimension_figure, figure};
use super::figures::{self, WriteSummary, load_metrics};
use super::org::load_org_tree;
use super::{Db, Error, FieldError, Lane, Result, audit, begin_write};
use crate::domain::access::{Actor, Reach};
use crate::domain::metric::format_value;
use crate::domain::period::{FiscalYear, Period};
use crate::domain::table::{self, Status};

/// The dimensions a target can be broken down by.
pub const DIMENSIONS: [&str; 2] = ["customer", "category"];

/// One item of `PUT /api/v1/targets/dimensions`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DimensionInput {
    pub metric: String,
    /// `unit:HD` or `person:E0007`.
    pub subject: String,
    pub period: String,
    /// `customer` or `category`.
    pub dimension: String,
    /// The customer's or the product category's name, e.g. `轿车`.
    pub member: String,
    /// A decimal string or number; null clears.
    #[schema(value_type = Option<String>)]
    pub value: Value,
}

/// Sets breakdown targets, all or nothing, each change audited.
pub async fn write(db: &Db, actor: &Actor, items: &[DimensionInput]) -> Result<WriteSummary> {
    // Written at once, so only where the actor's targets take effect at
    // once or lie below their own unit (a unit's own target, and so its
    // breakdown, is set from above).
    let reach = match (actor.targets_write(), actor.publishes_targets_directly()) {
        (Reach::Subtree(own), false) => Reach::Below(own),
        (reach, _) => reach,
    };
    if reach == Reach::Nothing {
        return Err(Error::Forbidden);
    }
    let txn = begin_write(db, Lane::Figures).await?;
    let tree = load_org_tree(&txn).await?;
    let metrics = load_metrics(&txn).await?;
    let locks = figures::locked_periods(&txn).await?;
    let mut errors = Vec::new();
    let mut forbidden = false;
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    let mut subjects = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        let mut err = |field: &str, en: String, zh: String| {
            errors.push(FieldError::new(format!("items[{i}].{field}"), en, zh));
        };
        let metric = metrics
            .iter()
            .find(|m| m.active && m.def.code == item.metric.trim());
        if metric.is_none() {
            err(
                "metric",
                format!("no metric with code \"{}\"", item.metric),
                format!("没有编码为 \"{}\" 的指标", item.metric),
            );
        }
        if !subjects.contains_key(&item.subject) {
            let s = figures::find_subject(&txn, actor, &tree, &item.subject).await?;
            subjects.insert(item.subject.clone(), s);
        }
        let subject = subjects.get(&item.subject).cloned().flatten();
        match &subject {
            None => err(
                "subject",
                format!(
                    "no unit or person \"{}\" (write unit:CODE or person:EMPLOYEE_NO)",
                    item.subject
                ),
                format!(
                    "找不到 \"{}\"（应写作 unit:部门编码 或 person:工号）",
                    item.subject
                ),
            ),
            Some(s) => forbidden |= !s.within(reach, &tree),
        }
        let period = item.period.trim().parse::<Period>().ok();
        if let Some(p) = period.filter(|p| figures::is_locked(&locks, *p)) {
            err(
                "period",
                format!("{p} is locked; reopen it with a reason first"),
                format!("{p} 已锁定，请先说明原因重新开放"),
            );
        }
        if period.is_none() {
            err(
                "period",
                format!(
                    "\"{}\" is not a period such as 2026 or 2026-03",
                    item.period
                ),
                format!("\"{}\" 不是有效的期间，例如 2026 或 2026-03", item.period),
            );
        }
        let dimension = item.dimension.trim();
        if !DIMENSIONS.contains(&dimension) {
            err(
                "dimension",
                format!("\"{dimension}\" is not one of customer, category"),
                format!("\"{dimension}\" 无效，应为 customer（客户）或 category（产品类别）"),
            );
        }
        let member = item.member.trim();
        if member.is_empty() || member.chars().count() > 128 {
            err(
                "member",
                "give the customer's or category's name (1–128 characters)".into(),
                "请填写客户或产品类别名称（1–128 个字符）".into(),
            );
        }
        let value = metric.and_then(|m| {
            figures::parse_json_value(m.def.kind, &item.value)
                .map_err(|(en, zh)| err("value", en, zh))
                .ok()
        });
        if let (Some(m), Some(s), Some(p), Some(value)) = (metric, &subject, period, value) {
            if !seen.insert((m.id, s.subject, p, dimension.to_owned(), member.to_owned())) {
                err(
                    "member",
                    format!(
                        "{} {} {p} {dimension} {member} appears twice in the batch",
                        m.def.code, s.key
                    ),
                    format!("{} {} {p} {member} 在本批中重复出现", m.def.name, s.key),
                );
                continue;
            }
            rows.push((
                m.id,
                m.def.code.clone(),
                s.clone(),
                p,
                dimension.to_owned(),
                member.to_owned(),
                value,
            ));
        }
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    if forbidden {
        return Err(Error::Forbidden);
    }
    let now = Utc::now();
    let mut summary = WriteSummary::default();
    let mut entries = Vec::new();
    let mut models = Vec::new();
    for (metric, code, s, p, dimension, member, value) in rows {
        let before = dimension_figure::Entity::find()
            .filter(dimension_figure::Column::MetricId.eq(metric))
            .filter(dimension_figure::Column::SubjectKind.eq(s.subject.kind()))
            .filter(dimension_figure::Column::SubjectId.eq(s.subject.id()))
            .filter(dimension_figure::Column::Period.eq(p.to_string()))
            .filter(dimension_figure::Column::Dimension.eq(&dimension))
            .filter(dimension_figure::Column::Member.eq(&member))
            .one(&txn)
            .await?
            .and_then(|f| f.target);
        if before == value {
            summary.unchanged += 1;
            continue;
        }
        summary.changed += 1;
        entries.push(audit::entry(
            Some(actor),
            "target",
            "dimension_figure",
            &format!("{code} {} {p} {dimension}:{member}", s.key),
            before.map(|b| json!({"target": b})),
            Some(json!({"target": value})),
        ));
        models.push(dimension_figure::ActiveModel {
            metric_id: Set(metric),
            subject_kind: Set(s.subject.kind().into()),
            subject_id: Set(s.subject.id()),
            period: Set(p.to_string()),
            dimension: Set(dimension),
            member: Set(member),
            target: Set(value),
            actual: Set(None),
            updated_at: Set(now),
            ..Default::default()
        });
    }
    for chunk in models.chunks(1000) {
        dimension_figure::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([
                    dimension_figure::Column::SubjectKind,
                    dimension_figure::Column::SubjectId,
                    dimension_figure::Column::Period,
                    dimension_figure::Column::MetricId,
                    dimension_figure::Column::Dimension,
                    dimension_figure::Column::Member,
                ])
                .update_columns([
                    dimension_figure::Column::Target,
                    dimension_figure::Column::UpdatedAt,
                ])
                .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
    }
    audit::record_many(&txn, entries).await?;
    txn.commit().await?;
    Ok(summary)
}

/// Which breakdown to read.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DimensionQuery {
    /// `unit:HD` or `person:E0007`.
    pub subject: String,
    pub year: i32,
    pub metric: String,
    /// `customer` or `category`.
    pub dimension: String,
}

/// One member's cells.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MemberRow {
    pub member: String,
    pub cells: Vec<DimensionCell>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DimensionCell {
    pub period: String,
    pub target: Option<String>,
    pub actual: Option<String>,
    pub status: Status,
}

/// A subject's breakdown for a year: members × (12 months, then the year),
/// with how much of the subject's own target the members cover.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DimensionTable {
    pub subject: String,
    pub year: i32,
    pub metric: String,
    pub dimension: String,
    pub periods: Vec<String>,
    pub members: Vec<MemberRow>,
    /// The subject's own target per period.
    pub target: Vec<Option<String>>,
    /// The members' targets added up per period.
    pub assigned: Vec<Option<String>>,
    /// Target − assigned: what no member carries yet.
    pub unassigned: Vec<Option<String>>,
}

/// Reads a breakdown; `NotFound` outside the actor's reach.
pub async fn table_of(
    db: &Db,
    actor: &Actor,
    fy: FiscalYear,
    q: &DimensionQuery,
) -> Result<DimensionTable> {
    let tree = load_org_tree(db).await?;
    let subject = figures::find_subject(db, actor, &tree, &q.subject)
        .await?
        // A salesperson sees their own figures, not their team's.
        .filter(|s| figures::reads_subject_figures(actor, s))
        .ok_or(Error::NotFound)?;
    let metrics = load_metrics(db).await?;
    let metric = metrics
        .iter()
        .find(|m| m.def.code == q.metric.trim())
        .ok_or_else(|| {
            Error::Invalid(vec![FieldError::new(
                "metric",
                format!("no metric with code \"{}\"", q.metric),
                format!("没有编码为 \"{}\" 的指标", q.metric),
            )])
        })?;
    if !DIMENSIONS.contains(&q.dimension.trim()) {
        return Err(Error::Invalid(vec![FieldError::new(
            "dimension",
            format!("\"{}\" is not one of customer, category", q.dimension),
            format!("\"{}\" 无效，应为 customer 或 category", q.dimension),
        )]));
    }
    let mut periods: Vec<String> = fy.months(q.year).iter().map(Period::to_string).collect();
    periods.push(Period::Year(q.year).to_string());
    let rows = dimension_figure::Entity::find()
        .filter(dimension_figure::Column::MetricId.eq(metric.id))
        .filter(dimension_figure::Column::SubjectKind.eq(subject.subject.kind()))
        .filter(dimension_figure::Column::SubjectId.eq(subject.subject.id()))
        .filter(dimension_figure::Column::Dimension.eq(q.dimension.trim()))
        .filter(dimension_figure::Column::Period.is_in(periods.clone()))
        .all(db)
        .await?;
    let own: HashMap<String, i64> = figure::Entity::find()
        .filter(figure::Column::MetricId.eq(metric.id))
        .filter(figure::Column::SubjectKind.eq(subject.subject.kind()))
        .filter(figure::Column::SubjectId.eq(subject.subject.id()))
        .filter(figure::Column::Period.is_in(periods.clone()))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|f| Some((f.period.clone(), f.effective_target()?)))
        .collect();
    let kind = metric.def.kind;
    // A computed metric's breakdown takes its actuals from the records,
    // like the metric itself.
    let computed = match crate::domain::computed::Source::of(&metric.def.source) {
        Some(source) => {
            let people = super::sources::people_in(db, &tree, subject.subject).await?;
            let months = &periods[..periods.len() - 1];
            match (months.first(), months.last()) {
                (Some(from), Some(to)) => {
                    super::computed::dimension_actuals(
                        db,
                        source,
                        q.dimension.trim(),
                        &people,
                        from,
                        to,
                    )
                    .await?
                }
                _ => None,
            }
        }
        None => None,
    };
    let computed_actual = |member: &str, period: &str| -> Option<Option<i64>> {
        let by_month = computed.as_ref()?;
        if period.len() == 7 {
            return Some(
                by_month
                    .get(&(member.to_owned(), period.to_owned()))
                    .copied(),
            );
        }
        // The year: the sum of its months.
        let months = &periods[..periods.len() - 1];
        let sum: Option<i64> = months
            .iter()
            .filter_map(|m| by_month.get(&(member.to_owned(), m.clone())))
            .copied()
            .reduce(i64::saturating_add);
        Some(sum)
    };
    let mut by_member: BTreeMap<String, HashMap<String, dimension_figure::Model>> = BTreeMap::new();
    for r in rows {
        by_member
            .entry(r.member.clone())
            .or_default()
            .insert(r.period.clone(), r);
    }
    let mut assigned: Vec<Option<i64>> = vec![None; periods.len()];
    let members = by_member
        .into_iter()
        .map(|(member, cells)| MemberRow {
            cells: periods
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let f = cells.get(p);
                    let t = f.and_then(|f| f.target);
                    let a = computed_actual(&member, p).unwrap_or_else(|| f.and_then(|f| f.actual));
                    if let Some(t) = t {
                        assigned[i] = Some(assigned[i].unwrap_or(0).saturating_add(t));
                    }
                    DimensionCell {
                        period: p.clone(),
                        target: t.map(|v| format_value(kind, v)),
                        actual: a.map(|v| format_value(kind, v)),
                        status: table::status(metric.def.direction, metric.def.tolerance, t, a),
                    }
                })
                .collect(),
            member,
        })
        .collect();
    let target: Vec<Option<i64>> = periods.iter().map(|p| own.get(p).copied()).collect();
    let fmt = |v: Option<i64>| v.map(|v| format_value(kind, v));
    Ok(DimensionTable {
        subject: subject.key,
        year: q.year,
        metric: metric.def.code.clone(),
        dimension: q.dimension.trim().to_owned(),
        members,
        unassigned: target
            .iter()
            .zip(&assigned)
            .map(|(t, a)| fmt(t.map(|t| t.saturating_sub(a.unwrap_or(0)))))
            .collect(),
        target: target.iter().map(|v| fmt(*v)).collect(),
        assigned: assigned.iter().map(|v| fmt(*v)).collect(),
        periods,
    })
}
