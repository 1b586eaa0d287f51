//! Splitting a target down (目标分解): to a unit's children or over time,
//! previewed or applied as a plan change.
//!
//! The arithmetic is [`crate::domain::split`]; this module finds what it
//! needs — the whole, the children, headcounts, last year's actuals, a
//! named distribution — and hands the parts to [`super::plans`], so a split
//! is approved, published and versioned like any other target change.

use std::collections::{BTreeMap, HashMap};

use chrono::Months;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::entity::{distribution, figure, person};
use super::figures::{self, Checked, MetricRow, Subject, SubjectInfo, WriteSummary, load_metrics};
use super::org::load_org_tree;
use super::{Db, Error, FieldError, Lane, Result, begin_write, plans};
use crate::domain::access::{Actor, Reach};
use crate::domain::metric::{Kind, Rollup, Total, format_value, parse_value};
use crate::domain::org::OrgTree;
use crate::domain::period::{FiscalYear, Period};
use crate::domain::split::{self, Distribution, Grain, SplitError};

/// `POST /api/v1/targets/split`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitRequest {
    /// Metric code, e.g. `sales_amount`.
    pub metric: String,
    /// The target split: `{"subject": "unit:HD", "period": "2026"}`.
    pub from: SplitFrom,
    /// `children` (sub-units and the unit's own people), `quarters`,
    /// `months` or `weeks`.
    pub to: String,
    /// `equal`, `weights`, `last_year`, `headcount` (children) or
    /// `distribution` (over time).
    pub method: String,
    /// For `weights`: part → weight or percentage. Parts are subject keys
    /// (`person:E0007`, `unit:HD-SH`) for children, periods (`2026-03`)
    /// over time; parts not named weigh zero.
    #[serde(default)]
    #[schema(value_type = Option<BTreeMap<String, String>>)]
    pub weights: Option<BTreeMap<String, Value>>,
    /// For `distribution`: a name (`car_dealer`, or one of the company's
    /// own) or twelve percentages, January first, totalling exactly 100.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub distribution: Option<Value>,
    /// Locked parts: part → fixed value. The rest is spread over the others.
    #[serde(default)]
    #[schema(value_type = Option<BTreeMap<String, String>>)]
    pub fixed: Option<BTreeMap<String, Value>>,
    /// The whole to split, set as the `from` target when applied; without
    /// it, the `from` target as it stands (or as the caller's draft has it).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub value: Option<Value>,
    /// `true` computes the parts and writes nothing.
    pub preview: bool,
    /// Why (kept with the plan version).
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitFrom {
    /// `unit:HD` or `person:E0007`.
    pub subject: String,
    /// `2026`, `2026-Q1`, `2026-03`, …
    pub period: String,
}

/// One part of a split.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PartView {
    pub subject: String,
    pub name: String,
    pub period: String,
    /// A decimal string in the metric's unit.
    pub value: String,
    /// Got one smallest unit (¥0.01, one customer) of the rounding
    /// remainder.
    pub took_remainder: bool,
    /// Locked: kept as given, the rest spread around it.
    pub fixed: bool,
}

/// The result of a split.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SplitOutcome {
    pub metric: String,
    pub from: SplitFrom,
    pub to: String,
    pub method: String,
    /// The whole that was split.
    pub whole: String,
    pub parts: Vec<PartView>,
    /// What rounding handed out one smallest unit at a time (`"0.01"`).
    pub remainder: String,
    /// The metric does not add up (a rate, an average): every part gets
    /// the whole instead of a share.
    pub copied: bool,
    /// Growth only: subjects left out for want of last year's actuals.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<String>,
    /// What was written; null for a preview.
    pub applied: Option<WriteSummary>,
}

fn invalid(field: impl Into<String>, en: impl Into<String>, zh: impl Into<String>) -> Error {
    Error::Invalid(vec![FieldError::new(field, en.into(), zh.into())])
}

fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn parse_figure(kind: Kind, field: &str, v: &Value) -> Result<i64> {
    let text = value_text(v).ok_or_else(|| {
        invalid(
            field,
            "must be a decimal string or a number",
            "应为数字或数字字符串",
        )
    })?;
    parse_value(kind, &text).map_err(|e| {
        invalid(
            field,
            format!("\"{text}\" {}", e.en),
            format!("\"{text}\" {}", e.zh),
        )
    })
}

fn parse_weight(field: &str, v: &Value) -> Result<Decimal> {
    let text = value_text(v).ok_or_else(|| invalid(field, "must be a number", "应为数字"))?;
    let t = text.trim();
    let t = t.strip_suffix('%').map_or(t, str::trim_end);
    t.parse::<Decimal>()
        .ok()
        .filter(|w| !w.is_sign_negative())
        .ok_or_else(|| {
            invalid(
                field,
                format!("\"{text}\" is not a weight (a number of zero or more)"),
                format!("\"{text}\" 不是有效的权重（应为大于等于零的数字）"),
            )
        })
}

fn split_error(kind: Kind, field: &str, e: &SplitError) -> Error {
    let m = e.message(kind);
    invalid(field, m.en, m.zh)
}

/// The same period a year earlier.
fn year_before(p: Period) -> Period {
    match p {
        Period::Year(y) => Period::Year(y - 1),
        Period::Quarter(y, q) => Period::Quarter(y - 1, q),
        Period::Month(y, m) => Period::Month(y - 1, m),
        Period::Week(y, w) => Period::Week(y - 1, w),
        Period::Day(d) => Period::Day(d.checked_sub_months(Months::new(12)).unwrap_or(d)),
    }
}

/// One part before its value is known.
struct Slot {
    info: SubjectInfo,
    period: Period,
    /// How the part is named in `weights` and `fixed`.
    name: String,
}

/// Where a split goes.
enum Direction {
    Children,
    Time(Grain),
}

/// Computes a split and, unless it is a preview, applies it as a plan
/// change: published at once for the GM and admin, a draft for approval
/// for a manager.
pub async fn split(
    db: &Db,
    actor: &Actor,
    fy: FiscalYear,
    req: &SplitRequest,
) -> Result<SplitOutcome> {
    let reach = actor.targets_write();
    if reach == Reach::Nothing {
        return Err(Error::Forbidden);
    }
    if req.preview {
        return compute(db, actor, fy, req, reach).await.map(|(o, _, _)| o);
    }
    let txn = begin_write(db, Lane::Figures).await?;
    let (mut outcome, checked, (tree, metrics)) = compute(&txn, actor, fy, req, reach).await?;
    let summary = plans::change_targets(
        &txn,
        actor,
        fy,
        &tree,
        &metrics,
        checked,
        req.reason.as_deref(),
    )
    .await?;
    txn.commit().await?;
    outcome.applied = Some(summary);
    Ok(outcome)
}

/// Applies several splits as one plan change — one version, all or
/// nothing — e.g. every region's year split to months at once.
pub async fn split_many(
    db: &Db,
    actor: &Actor,
    fy: FiscalYear,
    requests: &[SplitRequest],
    reason: Option<&str>,
) -> Result<WriteSummary> {
    let reach = actor.targets_write();
    if reach == Reach::Nothing {
        return Err(Error::Forbidden);
    }
    let txn = begin_write(db, Lane::Figures).await?;
    let mut all = Vec::new();
    let mut context = None;
    for req in requests {
        let (_, checked, ctx) = compute(&txn, actor, fy, req, reach).await?;
        all.extend(checked);
        context = Some(ctx);
    }
    let Some((tree, metrics)) = context else {
        return Ok(WriteSummary::default());
    };
    let summary = plans::change_targets(&txn, actor, fy, &tree, &metrics, all, reason).await?;
    txn.commit().await?;
    Ok(summary)
}

type Context = (OrgTree, Vec<MetricRow>);

async fn compute<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    fy: FiscalYear,
    req: &SplitRequest,
    reach: Reach,
) -> Result<(SplitOutcome, Vec<Checked>, Context)> {
    let tree = load_org_tree(conn).await?;
    let metrics = load_metrics(conn).await?;
    let metric = active_metric(&metrics, &req.metric)?;
    let kind = metric.def.kind;
    let from = named_subject(conn, actor, &tree, &req.from.subject, "from.subject").await?;
    let period: Period = req.from.period.trim().parse().map_err(|_| {
        invalid(
            "from.period",
            format!(
                "\"{}\" is not a period such as 2026, 2026-Q1 or 2026-03",
                req.from.period
            ),
            format!(
                "\"{}\" 不是有效的期间，例如 2026、2026-Q1、2026-03",
                req.from.period
            ),
        )
    })?;
    let direction = match req.to.trim() {
        "children" => Direction::Children,
        "quarters" => Direction::Time(Grain::Quarters),
        "months" => Direction::Time(Grain::Months),
        "weeks" => Direction::Time(Grain::Weeks),
        other => {
            return Err(invalid(
                "to",
                format!("\"{other}\" is not one of children, quarters, months, weeks"),
                format!("\"{other}\" 无效，应为 children、quarters、months 或 weeks"),
            ));
        }
    };
    let slots = match direction {
        Direction::Children => children(conn, &tree, &from, period).await?,
        Direction::Time(grain) => split::time_parts(fy, period, grain)
            .map_err(|e| split_error(kind, "to", &e))?
            .into_iter()
            .map(|p| Slot {
                info: from.clone(),
                period: p,
                name: p.to_string(),
            })
            .collect(),
    };
    if slots.is_empty() {
        return Err(invalid(
            "to",
            format!("{} has no sub-units or people to split to", from.key),
            format!("{} 下没有可分解的下级部门或人员", from.key),
        ));
    }
    let draft = seen_drafts(conn, actor, fy, period).await?;
    let whole = match &req.value {
        Some(v) => parse_figure(kind, "value", v)?,
        None => current_target(conn, &draft, metric.id, from.subject, period)
            .await?
            .ok_or_else(|| {
                invalid(
                    "value",
                    format!(
                        "{} has no {} target for {period} yet; give \"value\" or set it first",
                        from.key, metric.def.code
                    ),
                    format!(
                        "{} 尚未设置 {period} 的{}目标；请提供 \"value\" 或先设置目标",
                        from.key, metric.def.name
                    ),
                )
            })?,
    };
    let names: HashMap<&str, usize> = slots
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    let mut fixed = vec![None; slots.len()];
    for (key, v) in req.fixed.iter().flatten() {
        let field = format!("fixed[\"{key}\"]");
        let i = *names
            .get(key.trim())
            .ok_or_else(|| not_a_part(&field, key))?;
        fixed[i] = Some(parse_figure(kind, &field, v)?);
    }
    // Rates and averages do not add up: each part gets the whole.
    let additive = match direction {
        Direction::Children => metric.def.rollup == Rollup::Sum,
        Direction::Time(_) => metric.def.total == Total::Sum,
    };
    let method = req.method.trim();
    // A copied metric ignores the method, but a misspelt one is still an error.
    const METHODS: [&str; 5] = ["equal", "weights", "last_year", "headcount", "distribution"];
    if !additive && !METHODS.contains(&method) {
        return Err(invalid(
            "method",
            format!("\"{method}\" is not one of {}", METHODS.join(", ")),
            format!("\"{method}\" 无效，应为 {}", METHODS.join("、")),
        ));
    }
    let split = if additive {
        let weights = weights(conn, fy, req, &metric, &slots, &direction, &names).await?;
        split::with_fixed(whole, &weights, &fixed).map_err(|e| {
            let field = match e {
                SplitError::FixedExceedWhole { .. }
                | SplitError::AllFixedMismatch { .. }
                | SplitError::OutOfRange => "fixed",
                _ => "weights",
            };
            split_error(kind, field, &e)
        })?
    } else {
        split::Split {
            parts: fixed.iter().map(|f| f.unwrap_or(whole)).collect(),
            took_remainder: vec![false; slots.len()],
        }
    };
    let remainder = split.took_remainder.iter().filter(|t| **t).count() as i64;
    let mut checked = Vec::with_capacity(slots.len() + 1);
    let mut forbidden = !from.within(reach, &tree) && req.value.is_some();
    if req.value.is_some() {
        checked.push(target_item(&metric, &from, period, whole));
    }
    let mut parts = Vec::with_capacity(slots.len());
    for (i, slot) in slots.iter().enumerate() {
        forbidden |= !slot.info.within(reach, &tree);
        checked.push(target_item(
            &metric,
            &slot.info,
            slot.period,
            split.parts[i],
        ));
        parts.push(PartView {
            subject: slot.info.key.clone(),
            name: slot.info.name.clone(),
            period: slot.period.to_string(),
            value: format_value(kind, split.parts[i]),
            took_remainder: split.took_remainder[i],
            fixed: fixed[i].is_some(),
        });
    }
    if forbidden {
        return Err(Error::Forbidden);
    }
    let locks = figures::locked_periods(conn).await?;
    let from_written = req.value.is_some().then_some(period);
    if let Some(p) = slots
        .iter()
        .map(|s| s.period)
        .chain(from_written)
        .find(|p| figures::is_locked(&locks, *p))
    {
        return Err(invalid(
            "to",
            format!("{p} is locked; reopen it with a reason first"),
            format!("{p} 已锁定，请先说明原因重新开放"),
        ));
    }
    let outcome = SplitOutcome {
        metric: metric.def.code.clone(),
        from: SplitFrom {
            subject: from.key.clone(),
            period: period.to_string(),
        },
        to: req.to.trim().to_owned(),
        method: method.to_owned(),
        whole: format_value(kind, whole),
        parts,
        remainder: format_value(kind, if whole < 0 { -remainder } else { remainder }),
        copied: !additive,
        skipped: Vec::new(),
        applied: None,
    };
    Ok((outcome, checked, (tree, metrics)))
}

/// An active metric by code, or a 422 on `metric`.
fn active_metric(metrics: &[MetricRow], code: &str) -> Result<MetricRow> {
    metrics
        .iter()
        .find(|m| m.active && m.def.code == code.trim())
        .cloned()
        .ok_or_else(|| {
            invalid(
                "metric",
                format!("no metric with code \"{code}\""),
                format!("没有编码为 \"{code}\" 的指标"),
            )
        })
}

/// A unit or person the actor may read, or a 422 on `field`.
async fn named_subject<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    tree: &OrgTree,
    key: &str,
    field: &str,
) -> Result<SubjectInfo> {
    figures::find_subject(conn, actor, tree, key)
        .await?
        .ok_or_else(|| {
            invalid(
                field,
                format!("no unit or person \"{key}\" (write unit:CODE or person:EMPLOYEE_NO)"),
                format!("找不到 \"{key}\"（应写作 unit:部门编码 或 person:工号）"),
            )
        })
}

fn not_a_part(field: &str, key: &str) -> Error {
    invalid(
        field,
        format!("\"{key}\" is not one of the parts of this split"),
        format!("\"{key}\" 不是本次分解的对象"),
    )
}

fn target_item(metric: &MetricRow, info: &SubjectInfo, period: Period, value: i64) -> Checked {
    Checked {
        metric: metric.id,
        subject: info.clone(),
        period: period.to_string(),
        value: Some(value),
        floor: None,
        stretch: None,
    }
}

/// A unit's active sub-units, then its active people by employee number.
async fn children<C: ConnectionTrait>(
    conn: &C,
    tree: &OrgTree,
    from: &SubjectInfo,
    period: Period,
) -> Result<Vec<Slot>> {
    let Subject::Unit(unit) = from.subject else {
        return Err(invalid(
            "to",
            format!(
                "{} is a person and has no children; split over time instead",
                from.key
            ),
            format!("{} 是个人，没有下级；请按时间分解", from.key),
        ));
    };
    let mut slots: Vec<Slot> = tree
        .children(unit)
        .iter()
        .filter_map(|id| tree.get(*id))
        .filter(|u| u.active)
        .map(|u| {
            let info = SubjectInfo::unit(u);
            Slot {
                name: info.key.clone(),
                info,
                period,
            }
        })
        .collect();
    for p in person::Entity::find()
        .filter(person::Column::UnitId.eq(unit))
        .filter(person::Column::Active.eq(true))
        .order_by_asc(person::Column::EmployeeNo)
        .all(conn)
        .await?
    {
        let info = SubjectInfo::person(p.id, &p.employee_no, &p.name, p.unit_id);
        slots.push(Slot {
            name: info.key.clone(),
            info,
            period,
        });
    }
    Ok(slots)
}

/// The weight of every part under the request's method.
async fn weights<C: ConnectionTrait>(
    conn: &C,
    fy: FiscalYear,
    req: &SplitRequest,
    metric: &MetricRow,
    slots: &[Slot],
    direction: &Direction,
    names: &HashMap<&str, usize>,
) -> Result<Vec<Decimal>> {
    let method = req.method.trim();
    let children = matches!(direction, Direction::Children);
    match method {
        "equal" => Ok(vec![Decimal::ONE; slots.len()]),
        "weights" => {
            let given = req.weights.as_ref().ok_or_else(|| {
                invalid(
                    "weights",
                    "give a weight per part for method \"weights\"",
                    "按权重分解时请为各项提供权重",
                )
            })?;
            let mut w = vec![Decimal::ZERO; slots.len()];
            for (key, v) in given {
                let field = format!("weights[\"{key}\"]");
                let i = *names
                    .get(key.trim())
                    .ok_or_else(|| not_a_part(&field, key))?;
                w[i] = parse_weight(&field, v)?;
            }
            Ok(w)
        }
        "last_year" => {
            let actuals = last_year_actuals(conn, fy, metric, slots).await?;
            if actuals.iter().all(|a| *a <= 0) {
                return Err(invalid(
                    "method",
                    "there are no actuals last year to take shares from; choose another method",
                    "去年没有实际完成数据可作分解依据，请选择其他方法",
                ));
            }
            Ok(actuals
                .into_iter()
                .map(|a| Decimal::from(a.max(0)))
                .collect())
        }
        "headcount" if children => headcount(conn, slots).await,
        "distribution" if !children => {
            let dist = distribution_of(conn, fy, req.distribution.as_ref()).await?;
            Ok(split::distribution_weights(
                fy,
                &slots.iter().map(|s| s.period).collect::<Vec<_>>(),
                &dist,
            ))
        }
        "headcount" | "distribution" => Err(invalid(
            "method",
            format!(
                "\"{method}\" applies to {}",
                if children {
                    "time (quarters, months, weeks)"
                } else {
                    "children"
                }
            ),
            format!(
                "\"{method}\" 只适用于{}",
                if children {
                    "按时间分解"
                } else {
                    "按下级分解"
                }
            ),
        )),
        other => Err(invalid(
            "method",
            format!("\"{other}\" is not one of equal, weights, last_year, headcount, distribution"),
            format!("\"{other}\" 无效，应为 equal、weights、last_year、headcount 或 distribution"),
        )),
    }
}

/// Each part's actual a year earlier (0 without data): the period's own
/// figure, else — actuals being entered by month — a year's or a quarter's
/// months totalled by the metric's rule.
async fn last_year_actuals<C: ConnectionTrait>(
    conn: &C,
    fy: FiscalYear,
    metric: &MetricRow,
    slots: &[Slot],
) -> Result<Vec<i64>> {
    let mut shifted = Vec::new();
    let mut spans = Vec::with_capacity(slots.len());
    for s in slots {
        let before = year_before(s.period);
        let months: Vec<Period> = match before {
            Period::Year(y) => fy.months(y).to_vec(),
            Period::Quarter(y, q) => fy.quarter_months(y, q).to_vec(),
            _ => Vec::new(),
        };
        let start = shifted.len();
        for period in std::iter::once(before).chain(months) {
            shifted.push(Slot {
                info: s.info.clone(),
                period,
                name: String::new(),
            });
        }
        spans.push(start..shifted.len());
    }
    let actuals = last_year_actuals_at(conn, metric.id, &shifted).await?;
    Ok(spans
        .into_iter()
        .map(|span| {
            let chunk = &actuals[span];
            chunk[0]
                .or_else(|| crate::domain::table::total(metric.def.total, &chunk[1..]))
                .unwrap_or(0)
        })
        .collect())
}

/// Active people in each part's subtree (a person counts one).
async fn headcount<C: ConnectionTrait>(conn: &C, slots: &[Slot]) -> Result<Vec<Decimal>> {
    use sea_orm::QuerySelect;
    let units: Vec<i64> = person::Entity::find()
        .select_only()
        .column(person::Column::UnitId)
        .filter(person::Column::Active.eq(true))
        .into_tuple()
        .all(conn)
        .await?;
    let tree = load_org_tree(conn).await?;
    let mut per_unit: HashMap<i64, i64> = HashMap::new();
    for u in units {
        *per_unit.entry(u).or_default() += 1;
    }
    Ok(slots
        .iter()
        .map(|s| match s.info.subject {
            Subject::Person(_) => Decimal::ONE,
            Subject::Unit(u) => Decimal::from(
                tree.subtree(u)
                    .iter()
                    .map(|id| per_unit.get(id).copied().unwrap_or(0))
                    .sum::<i64>(),
            ),
        })
        .collect())
}

/// The caller's view of unpublished targets: a manager's own plan draft.
async fn seen_drafts<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    fy: FiscalYear,
    period: Period,
) -> Result<HashMap<(i64, Subject, String), Option<i64>>> {
    match actor
        .unit_id
        .filter(|_| !actor.publishes_targets_directly())
    {
        Some(unit) => plans::draft_targets(conn, plans::plan_year(fy, period), unit).await,
        None => Ok(HashMap::new()),
    }
}

/// A subject's own target for a period: the draft's when it has one.
async fn current_target<C: ConnectionTrait>(
    conn: &C,
    draft: &HashMap<(i64, Subject, String), Option<i64>>,
    metric: i64,
    subject: Subject,
    period: Period,
) -> Result<Option<i64>> {
    if let Some(v) = draft.get(&(metric, subject, period.to_string())) {
        return Ok(*v);
    }
    Ok(figure::Entity::find()
        .filter(figure::Column::SubjectKind.eq(subject.kind()))
        .filter(figure::Column::SubjectId.eq(subject.id()))
        .filter(figure::Column::MetricId.eq(metric))
        .filter(figure::Column::Period.eq(period.to_string()))
        .one(conn)
        .await?
        .and_then(|f| f.target))
}

// ------------------------------------------------------- distributions

/// A seasonal distribution as listed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DistributionView {
    pub code: String,
    pub name: String,
    pub name_en: String,
    /// Twelve percentages, January first.
    pub percents: Vec<String>,
    pub builtin: bool,
}

/// `PUT /api/v1/distributions/{code}`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DistributionInput {
    pub name: String,
    #[serde(default)]
    pub name_en: Option<String>,
    /// Twelve percentages, January first, totalling exactly 100.
    #[schema(value_type = Vec<String>)]
    pub percents: Vec<Value>,
}

fn show_percents(d: &Distribution) -> Vec<String> {
    d.percents()
        .iter()
        .map(|p| p.round_dp(2).normalize().to_string())
        .collect()
}

/// The built-in distributions, then the company's own.
pub async fn list_distributions(db: &Db) -> Result<Vec<DistributionView>> {
    let mut out: Vec<DistributionView> = split::builtin_distributions()
        .into_iter()
        .map(|b| DistributionView {
            code: b.code.into(),
            name: b.name_zh.into(),
            name_en: b.name_en.into(),
            percents: show_percents(&b.calendar),
            builtin: true,
        })
        .collect();
    for d in distribution::Entity::find()
        .order_by_asc(distribution::Column::Code)
        .all(db)
        .await?
    {
        let percents: Vec<String> = serde_json::from_str(&d.percents).unwrap_or_default();
        out.push(DistributionView {
            code: d.code,
            name: d.name,
            name_en: d.name_en,
            percents,
            builtin: false,
        });
    }
    Ok(out)
}

fn parse_percents(values: &[Value]) -> Result<Distribution> {
    let mut errors = Vec::new();
    let mut percents = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        match parse_weight(&format!("percents[{i}]"), v) {
            Ok(p) => percents.push(p),
            Err(Error::Invalid(mut e)) => errors.append(&mut e),
            Err(e) => return Err(e),
        }
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    Distribution::new(&percents).map_err(|e| split_error(Kind::Percent, "percents", &e))
}

/// Creates or replaces one of the company's distributions (GM and admin).
pub async fn put_distribution(
    db: &Db,
    actor: &Actor,
    code: &str,
    input: &DistributionInput,
) -> Result<DistributionView> {
    if !actor.publishes_targets_directly() {
        return Err(Error::Forbidden);
    }
    let code = code.trim();
    let valid_code = !code.is_empty()
        && code.len() <= 32
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !valid_code {
        return Err(invalid(
            "code",
            "use 1–32 letters, digits, _ or -",
            "编码应为 1–32 位字母、数字、_ 或 -",
        ));
    }
    if split::builtin_distributions()
        .iter()
        .any(|b| b.code == code)
    {
        return Err(invalid(
            "code",
            format!("\"{code}\" is a built-in distribution; choose another code"),
            format!("\"{code}\" 是内置分布，请换一个编码"),
        ));
    }
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(invalid(
            "name",
            "give a name of 1–64 characters",
            "名称应为 1–64 个字符",
        ));
    }
    let dist = parse_percents(&input.percents)?;
    let percents: Vec<String> = dist
        .percents()
        .iter()
        .map(|p| p.normalize().to_string())
        .collect();
    let txn = begin_write(db, Lane::Figures).await?;
    let before = distribution::Entity::find_by_id(code.to_owned())
        .one(&txn)
        .await?;
    let row = distribution::ActiveModel {
        code: sea_orm::Set(code.to_owned()),
        name: sea_orm::Set(name.to_owned()),
        name_en: sea_orm::Set(
            input
                .name_en
                .as_deref()
                .map(str::trim)
                .unwrap_or(name)
                .to_owned(),
        ),
        percents: sea_orm::Set(serde_json::to_string(&percents).unwrap_or_default()),
        updated_by: sea_orm::Set(actor.username.clone()),
        updated_at: sea_orm::Set(chrono::Utc::now()),
    };
    distribution::Entity::insert(row)
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(distribution::Column::Code)
                .update_columns([
                    distribution::Column::Name,
                    distribution::Column::NameEn,
                    distribution::Column::Percents,
                    distribution::Column::UpdatedBy,
                    distribution::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    super::audit::record(
        &txn,
        Some(actor),
        if before.is_some() { "update" } else { "create" },
        "distribution",
        code,
        before.map(|b| serde_json::json!({"name": b.name, "percents": b.percents})),
        Some(serde_json::json!({"name": name, "percents": percents})),
    )
    .await?;
    txn.commit().await?;
    Ok(DistributionView {
        code: code.to_owned(),
        name: name.to_owned(),
        name_en: input.name_en.clone().unwrap_or_else(|| name.to_owned()),
        percents,
        builtin: false,
    })
}

/// A distribution named or typed in a request, in fiscal-month order.
async fn distribution_of<C: ConnectionTrait>(
    conn: &C,
    fy: FiscalYear,
    given: Option<&Value>,
) -> Result<Distribution> {
    let calendar = match given {
        None => {
            return Err(invalid(
                "distribution",
                "name a distribution or give twelve percentages",
                "请指定分布名称或给出十二个月的百分比",
            ));
        }
        Some(Value::Array(values)) => parse_percents(values).map_err(|e| match e {
            Error::Invalid(fields) => Error::Invalid(
                fields
                    .into_iter()
                    .map(|mut f| {
                        f.field = f.field.replacen("percents", "distribution", 1);
                        f
                    })
                    .collect(),
            ),
            e => e,
        })?,
        Some(Value::String(name)) => {
            let name = name.trim();
            match split::builtin_distributions()
                .into_iter()
                .find(|b| b.code == name)
            {
                Some(b) => b.calendar,
                None => {
                    let row = distribution::Entity::find_by_id(name.to_owned())
                        .one(conn)
                        .await?
                        .ok_or_else(|| {
                            invalid(
                                "distribution",
                                format!("no distribution named \"{name}\""),
                                format!("没有名为 \"{name}\" 的分布"),
                            )
                        })?;
                    let percents: Vec<Value> =
                        serde_json::from_str(&row.percents).unwrap_or_default();
                    parse_percents(&percents)?
                }
            }
        }
        Some(_) => {
            return Err(invalid(
                "distribution",
                "must be a name or a list of twelve percentages",
                "应为分布名称或十二个百分比",
            ));
        }
    };
    Ok(calendar.in_fiscal_order(fy))
}

// ------------------------------------------------------- growth helper

/// `POST /api/v1/targets/growth`: year targets from last year's actual.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrowthRequest {
    pub metric: String,
    /// `unit:HD` or `person:E0007`.
    pub subject: String,
    /// The fiscal year to set; last year's actual is that of the year before.
    pub year: i32,
    /// Growth in percent: `20` for +20 %, `-5` for −5 %.
    #[schema(value_type = String)]
    pub growth: Value,
    /// Also each of the subject's children (sub-units and people).
    #[serde(default)]
    pub children: bool,
    /// `true` computes and writes nothing.
    pub preview: bool,
    #[serde(default)]
    pub reason: Option<String>,
}

/// Last year's actual × (1 + growth %), for a subject and optionally its
/// children. Subjects without actuals last year are left out (and named
/// in `skipped`); none with actuals is a 422.
pub async fn growth(
    db: &Db,
    actor: &Actor,
    fy: FiscalYear,
    req: &GrowthRequest,
) -> Result<SplitOutcome> {
    let reach = actor.targets_write();
    if reach == Reach::Nothing {
        return Err(Error::Forbidden);
    }
    let g = value_text(&req.growth)
        .and_then(|t| {
            t.trim()
                .trim_end_matches('%')
                .trim()
                .parse::<Decimal>()
                .ok()
        })
        .filter(|g| *g >= Decimal::from(-100))
        .ok_or_else(|| {
            invalid(
                "growth",
                "must be a percentage of -100 or more, e.g. 20 for +20 %",
                "增长率应为不小于 -100 的百分数，例如 20 表示增长 20%",
            )
        })?;
    if !(1901..=9999).contains(&req.year) {
        return Err(invalid(
            "year",
            "a year such as 2026",
            "应为年份，例如 2026",
        ));
    }
    // A preview only reads: it must not hold the writers' lock.
    let txn = if req.preview {
        use sea_orm::TransactionTrait;
        db.begin().await?
    } else {
        begin_write(db, Lane::Figures).await?
    };
    let tree = load_org_tree(&txn).await?;
    let metrics = load_metrics(&txn).await?;
    let metric = active_metric(&metrics, &req.metric)?;
    if metric.def.total == Total::Ratio {
        return Err(invalid(
            "metric",
            format!(
                "{} is a ratio of two metrics; grow its numerator and denominator instead",
                metric.def.code
            ),
            format!(
                "{} 是两个指标之比，请分别设置分子和分母指标的目标",
                metric.def.name
            ),
        ));
    }
    let from = named_subject(&txn, actor, &tree, &req.subject, "subject").await?;
    let year = Period::Year(req.year);
    let mut slots = vec![Slot {
        name: from.key.clone(),
        info: from.clone(),
        period: year,
    }];
    if req.children {
        slots.extend(children(&txn, &tree, &from, year).await?);
    }
    // Last year's total by the metric's rule, from its months (or the
    // year's own figure when one was entered for the year).
    let last_months: Vec<Period> = fy.months(req.year - 1).to_vec();
    let mut month_slots = Vec::new();
    for s in &slots {
        for m in &last_months {
            month_slots.push(Slot {
                info: s.info.clone(),
                period: *m,
                name: String::new(),
            });
        }
        month_slots.push(Slot {
            info: s.info.clone(),
            period: Period::Year(req.year - 1),
            name: String::new(),
        });
    }
    let actuals = last_year_actuals_at(&txn, metric.id, &month_slots).await?;
    let mut parts = Vec::new();
    let mut checked = Vec::new();
    let mut skipped = Vec::new();
    let mut forbidden = false;
    for (i, s) in slots.iter().enumerate() {
        let chunk = &actuals[i * 13..i * 13 + 13];
        let last =
            chunk[12].or_else(|| crate::domain::table::total(metric.def.total, &chunk[..12]));
        let Some(last) = last else {
            skipped.push(s.info.key.clone());
            continue;
        };
        let value = split::grow(last, g);
        forbidden |= !s.info.within(reach, &tree);
        checked.push(target_item(&metric, &s.info, year, value));
        parts.push(PartView {
            subject: s.info.key.clone(),
            name: s.info.name.clone(),
            period: year.to_string(),
            value: format_value(metric.def.kind, value),
            took_remainder: false,
            fixed: false,
        });
    }
    if parts.is_empty() {
        return Err(invalid(
            "subject",
            format!("there are no actuals in {} to grow from", req.year - 1),
            format!("{} 年没有实际完成数据可作增长依据", req.year - 1),
        ));
    }
    if forbidden {
        return Err(Error::Forbidden);
    }
    let whole = checked.first().and_then(|c| c.value).unwrap_or(0);
    let mut outcome = SplitOutcome {
        metric: metric.def.code.clone(),
        from: SplitFrom {
            subject: from.key.clone(),
            period: year.to_string(),
        },
        to: if req.children {
            "children".into()
        } else {
            "self".into()
        },
        method: "growth".into(),
        whole: format_value(metric.def.kind, whole),
        parts,
        remainder: format_value(metric.def.kind, 0),
        copied: false,
        skipped,
        applied: None,
    };
    if !req.preview {
        let summary = plans::change_targets(
            &txn,
            actor,
            fy,
            &tree,
            &metrics,
            checked,
            req.reason.as_deref(),
        )
        .await?;
        txn.commit().await?;
        outcome.applied = Some(summary);
    }
    Ok(outcome)
}

/// Each slot's actual at exactly its period (`None` without data).
async fn last_year_actuals_at<C: ConnectionTrait>(
    conn: &C,
    metric: i64,
    slots: &[Slot],
) -> Result<Vec<Option<i64>>> {
    let mut index: HashMap<(Subject, String), Vec<usize>> = HashMap::new();
    for (i, s) in slots.iter().enumerate() {
        index
            .entry((s.info.subject, s.period.to_string()))
            .or_default()
            .push(i);
    }
    let mut out = vec![None; slots.len()];
    for f in figures_of(conn, metric, index.keys()).await? {
        let key = (
            Subject::of_row(&f.subject_kind, f.subject_id),
            f.period.clone(),
        );
        for i in index.get(&key).into_iter().flatten() {
            out[*i] = f.effective_actual();
        }
    }
    Ok(out)
}

/// The stored figures of one metric for these (subject, period) keys.
async fn figures_of<'a, C: ConnectionTrait>(
    conn: &C,
    metric: i64,
    keys: impl Iterator<Item = &'a (Subject, String)>,
) -> Result<Vec<figure::Model>> {
    let keys: Vec<&(Subject, String)> = keys.collect();
    let periods: std::collections::BTreeSet<&str> = keys.iter().map(|(_, p)| p.as_str()).collect();
    let subjects: std::collections::BTreeSet<Subject> = keys.iter().map(|(s, _)| *s).collect();
    let subjects: Vec<Subject> = subjects.into_iter().collect();
    let mut out = Vec::new();
    for chunk in subjects.chunks(300) {
        let cond = figures::subjects_condition(chunk);
        out.extend(
            figure::Entity::find()
                .filter(cond)
                .filter(figure::Column::MetricId.eq(metric))
                .filter(figure::Column::Period.is_in(periods.iter().copied()))
                .all(conn)
                .await?,
        );
    }
    Ok(out)
}
