//! Targets and actuals, and the target table read from them.
//!
//! A write sets the figures of one subject and period; in the same
//! transaction every unit above it gets its children's rollup recomputed
//! (`sub_target`, `sub_actual`), bottom-up, so that a table — even the
//! company's — is one indexed read of at most 12 metrics × 13 periods,
//! however many people and years there are. The rollup lives in the
//! database, so every app server sees a change at once.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::entity::{figure, metric, period_lock, person, unit};
use super::org::load_org_tree;
use super::{Db, Error, FieldError, Lane, Result, audit, begin_write};
use crate::domain::access::{Actor, Reach};
use crate::domain::metric::{Direction, Kind, Metric, Rollup, Total, format_value, parse_value};
use crate::domain::org::{OrgTree, UnitId};
use crate::domain::period::{FiscalYear, Period};
use crate::domain::table::{self, Figures, Status};

/// Which figure a write sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Target,
    Actual,
}

impl Measure {
    /// Where the actor may set this figure: the one rule for the API, the
    /// pages and the imports.
    pub fn reach(self, actor: &Actor) -> Reach {
        match self {
            Measure::Target => actor.targets_write(),
            Measure::Actual => actor.actuals_write(),
        }
    }

    fn code(self) -> &'static str {
        match self {
            Measure::Target => "target",
            Measure::Actual => "actual",
        }
    }
}

/// A metric as stored, with its definition.
#[derive(Debug, Clone)]
pub struct MetricRow {
    pub id: i64,
    pub def: Metric,
    pub position: i32,
    pub active: bool,
}

fn metric_of(m: metric::Model) -> MetricRow {
    MetricRow {
        id: m.id,
        def: Metric {
            kind: m.kind.parse().unwrap_or(Kind::Count),
            direction: m.direction.parse().unwrap_or(Direction::Higher),
            total: m.total.parse().unwrap_or(Total::Sum),
            rollup: m.rollup.parse().unwrap_or(Rollup::Sum),
            code: m.code,
            name: m.name,
            name_en: m.name_en,
            numerator: m.numerator,
            denominator: m.denominator,
            tolerance: m.tolerance,
            source: m.source,
        },
        position: m.position,
        active: m.active,
    }
}

/// Every metric, in table order.
pub async fn load_metrics<C: ConnectionTrait>(conn: &C) -> Result<Vec<MetricRow>> {
    Ok(metric::Entity::find()
        .order_by_asc(metric::Column::Position)
        .order_by_asc(metric::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(metric_of)
        .collect())
}

/// A unit or a person, as figures are keyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    Unit(i64),
    Person(i64),
}

impl Subject {
    pub(crate) fn kind(self) -> &'static str {
        match self {
            Subject::Unit(_) => "unit",
            Subject::Person(_) => "person",
        }
    }

    pub(crate) fn id(self) -> i64 {
        match self {
            Subject::Unit(id) | Subject::Person(id) => id,
        }
    }

    /// The subject of a stored row (`unit`/`person` and id).
    pub(crate) fn of_row(kind: &str, id: i64) -> Subject {
        if kind == "unit" {
            Subject::Unit(id)
        } else {
            Subject::Person(id)
        }
    }

    fn condition(self) -> Condition {
        Condition::all()
            .add(figure::Column::SubjectKind.eq(self.kind()))
            .add(figure::Column::SubjectId.eq(self.id()))
    }
}

/// A subject found from its key (`unit:HD`, `person:E0007`), with what the
/// reach rules and the table need.
#[derive(Debug, Clone)]
pub struct SubjectInfo {
    pub subject: Subject,
    /// `unit:HD` or `person:E0007`.
    pub key: String,
    pub name: String,
    /// The unit of a person, the unit itself for a unit.
    pub unit_id: UnitId,
}

impl SubjectInfo {
    pub(crate) fn unit(u: &crate::domain::org::UnitNode) -> SubjectInfo {
        SubjectInfo {
            subject: Subject::Unit(u.id),
            key: format!("unit:{}", u.code),
            name: u.name.clone(),
            unit_id: u.id,
        }
    }

    pub(crate) fn person(id: i64, employee_no: &str, name: &str, unit_id: UnitId) -> SubjectInfo {
        SubjectInfo {
            subject: Subject::Person(id),
            key: format!("person:{employee_no}"),
            name: name.to_owned(),
            unit_id,
        }
    }

    /// Does `reach` cover this subject?
    pub(crate) fn within(&self, reach: Reach, tree: &OrgTree) -> bool {
        let person = match self.subject {
            Subject::Person(id) => Some(id),
            Subject::Unit(_) => None,
        };
        reach.covers(tree, self.unit_id, person)
    }
}

/// May the actor set this figure of the subject (`unit:HD`, `person:E0007`)?
/// False also for a subject they cannot see. Pages ask before offering an
/// entry grid; [`write`] checks the same for every item it is given.
pub async fn may_write(
    db: &Db,
    actor: &Actor,
    measure: Measure,
    subject_key: &str,
) -> Result<bool> {
    let reach = measure.reach(actor);
    if reach == Reach::Nothing {
        return Ok(false);
    }
    let tree = load_org_tree(db).await?;
    Ok(find_subject(db, actor, &tree, subject_key)
        .await?
        .is_some_and(|s| s.within(reach, &tree)))
}

/// Looks up a subject key; `None` when it is malformed, unknown or outside
/// what the actor may read (the three are not told apart).
pub(crate) async fn find_subject<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    tree: &OrgTree,
    key: &str,
) -> Result<Option<SubjectInfo>> {
    let code = key
        .trim()
        .split_once(':')
        .filter(|(kind, _)| kind.trim() == "person")
        .map(|(_, code)| code.trim());
    let people = people_by_employee_no(conn, code.into_iter()).await?;
    Ok(resolve_subject(actor, tree, &people, key))
}

/// The people with these employee numbers, by number.
pub(crate) async fn people_by_employee_no<'a, C: ConnectionTrait>(
    conn: &C,
    codes: impl Iterator<Item = &'a str>,
) -> Result<HashMap<String, person::Model>> {
    let codes: BTreeSet<&str> = codes.collect();
    let codes: Vec<&str> = codes.into_iter().collect();
    let mut out = HashMap::with_capacity(codes.len());
    for chunk in codes.chunks(500) {
        for p in person::Entity::find()
            .filter(person::Column::EmployeeNo.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
        {
            out.insert(p.employee_no.clone(), p);
        }
    }
    Ok(out)
}

/// [`find_subject`] against people already read.
fn resolve_subject(
    actor: &Actor,
    tree: &OrgTree,
    people: &HashMap<String, person::Model>,
    key: &str,
) -> Option<SubjectInfo> {
    resolve_key(actor, tree, key, |no| {
        people
            .get(no)
            .map(|p| SubjectInfo::person(p.id, &p.employee_no, &p.name, p.unit_id))
    })
}

/// [`find_subject`] from the people kept in memory, for the table.
fn table_subject(
    structure: &super::cache::Structure,
    actor: &Actor,
    key: &str,
) -> Option<SubjectInfo> {
    resolve_key(actor, &structure.tree, key, |no| {
        structure
            .people
            .by_employee_no(no)
            .map(|p| SubjectInfo::person(p.id, &p.employee_no, &p.name, p.unit_id))
    })
}

/// A subject key (`unit:HD`, `person:E0007`) resolved within the actor's
/// reading reach; `person_by_no` finds a person by 工号 wherever the
/// caller keeps people.
fn resolve_key(
    actor: &Actor,
    tree: &OrgTree,
    key: &str,
    person_by_no: impl FnOnce(&str) -> Option<SubjectInfo>,
) -> Option<SubjectInfo> {
    let (kind, code) = key.trim().split_once(':')?;
    let code = code.trim();
    match kind.trim() {
        "unit" => tree
            .by_code(code)
            .filter(|u| actor.units_read().covers(tree, u.id, None))
            .map(SubjectInfo::unit),
        "person" => person_by_no(code).filter(|p| {
            actor
                .people_read()
                .covers(tree, p.unit_id, Some(p.subject.id()))
        }),
        _ => None,
    }
}

/// May the actor read this subject's figures? Reading the subject is not
/// enough: a salesperson sees their own figures, not their team's totals.
pub(crate) fn reads_subject_figures(actor: &Actor, subject: &SubjectInfo) -> bool {
    matches!(subject.subject, Subject::Person(_))
        || actor.people_read() != Reach::Own(actor.person_id.unwrap_or_default())
}

/// One item of `PUT /api/v1/targets` or `PUT /api/v1/actuals`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FigureInput {
    /// Metric code, e.g. `sales_amount`.
    pub metric: String,
    /// `unit:HD` or `person:E0007`.
    pub subject: String,
    /// `2026`, `2026-Q1`, `2026-03`, `2026-W05` or `2026-03-15`.
    pub period: String,
    /// A decimal string (`"600"`, `"1,234.50"`) or a number; `null` clears.
    #[schema(value_type = Option<String>)]
    pub value: Value,
    /// Targets only: the 保底 tier.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub floor: Option<Value>,
    /// Targets only: the 挑战 tier.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub stretch: Option<Value>,
}

/// What a batch write did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct WriteSummary {
    /// Items whose figures changed (for a manager's targets: items put in
    /// the plan draft).
    pub changed: usize,
    /// Items that already held these figures.
    pub unchanged: usize,
    /// Target changes waiting for approval: the plan drafts they went to.
    /// Empty when everything took effect at once.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pending: Vec<super::plans::VersionRef>,
    /// Target changes published at once, as these plan versions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub published: Vec<super::plans::VersionRef>,
}

/// A parsed, checked item.
#[derive(Debug, Clone)]
pub(crate) struct Checked {
    pub metric: i64,
    pub subject: SubjectInfo,
    pub period: String,
    pub value: Option<i64>,
    /// Targets only; `None` leaves the stored tier as it is.
    pub floor: Option<Option<i64>>,
    pub stretch: Option<Option<i64>>,
}

fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Parses a JSON value into minor units; `Ok(None)` for null.
pub(crate) fn parse_json_value(
    kind: Kind,
    v: &Value,
) -> std::result::Result<Option<i64>, (String, String)> {
    if v.is_null() {
        return Ok(None);
    }
    let Some(text) = value_text(v) else {
        return Err((
            "must be a decimal string, a number or null".into(),
            "应为数字、数字字符串或 null".into(),
        ));
    };
    parse_value(kind, &text).map(Some).map_err(|e| {
        (
            format!("\"{text}\" {}", e.en),
            format!("\"{text}\" {}", e.zh),
        )
    })
}

/// The locked periods, as written.
pub async fn locked_periods<C: ConnectionTrait>(conn: &C) -> Result<HashSet<String>> {
    Ok(period_lock::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|l| l.period)
        .collect())
}

/// Is a period closed by a lock? A day is closed with its month.
pub(crate) fn is_locked(locks: &HashSet<String>, period: Period) -> bool {
    if locks.contains(&period.to_string()) {
        return true;
    }
    match period {
        Period::Day(d) => locks.contains(&Period::month_of(d).to_string()),
        // A week touching a locked month would change that month's figures.
        Period::Week(..) => {
            let (first, last) = FiscalYear::default().span(period);
            [first, last]
                .iter()
                .any(|d| locks.contains(&Period::month_of(*d).to_string()))
        }
        _ => false,
    }
}

/// Sets targets or actuals, all or nothing: any bad item rejects the batch
/// with every bad item listed (`items[3].value: …`).
///
/// Actuals take effect at once, each change audited, and the units above
/// are rolled up in the same transaction. Targets are plan changes (see
/// [`super::plans`]): the GM's and admin's are published at once as a new
/// version of their plan; a manager's go into their plan's draft and take
/// effect once approved and published.
pub async fn write(
    db: &Db,
    actor: &Actor,
    fy: FiscalYear,
    measure: Measure,
    items: &[FigureInput],
) -> Result<WriteSummary> {
    if measure.reach(actor) == Reach::Nothing {
        return Err(Error::Forbidden);
    }
    let txn = begin_write(db, Lane::Figures).await?;
    let tree = load_org_tree(&txn).await?;
    let metrics = load_metrics(&txn).await?;
    let checked = check(&txn, actor, measure, &tree, &metrics, items).await?;
    let summary = match measure {
        Measure::Actual => {
            apply(
                &txn,
                Some(actor),
                measure,
                &tree,
                &metrics,
                checked,
                AuditAs::EachFigure,
            )
            .await?
            .summary
        }
        Measure::Target => {
            super::plans::change_targets(&txn, actor, fy, &tree, &metrics, checked, None).await?
        }
    };
    txn.commit().await?;
    Ok(summary)
}

/// Parses and checks a batch against the metrics, the actor's reach, the
/// locks and the submissions: every bad item is named, or none is.
async fn check<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    measure: Measure,
    tree: &OrgTree,
    metrics: &[MetricRow],
    items: &[FigureInput],
) -> Result<Vec<Checked>> {
    let write_reach = measure.reach(actor);
    let by_code: HashMap<&str, &MetricRow> =
        metrics.iter().map(|m| (m.def.code.as_str(), m)).collect();
    let locks = locked_periods(txn).await?;
    let mut errors = Vec::new();
    let mut forbidden = false;
    let mut checked = Vec::with_capacity(items.len());
    let mut seen = HashSet::new();
    let mut subjects: HashMap<String, Option<SubjectInfo>> = HashMap::new();
    // Everyone the batch names, in a few queries (a split or an import
    // names thousands).
    let people = people_by_employee_no(
        txn,
        items.iter().filter_map(|i| {
            let (kind, code) = i.subject.trim().split_once(':')?;
            (kind.trim() == "person").then(|| code.trim())
        }),
    )
    .await?;
    for (i, item) in items.iter().enumerate() {
        let mut err = |field: &str, en: String, zh: String| {
            errors.push(FieldError::new(format!("items[{i}].{field}"), en, zh));
        };
        let metric = by_code
            .get(item.metric.trim())
            .copied()
            .filter(|m| m.active);
        if metric.is_none() {
            err(
                "metric",
                format!("no metric with code \"{}\"", item.metric),
                format!("没有编码为 \"{}\" 的指标", item.metric),
            );
        }
        if let Some(m) = metric.filter(|m| measure == Measure::Actual && m.def.source != "manual") {
            let (en, zh) = crate::domain::computed::Source::of(&m.def.source)
                .map_or((m.def.source.as_str(), m.def.source.as_str()), |s| s.name());
            err(
                "metric",
                format!(
                    "{} is computed from {en}; it cannot be entered by hand (an admin can switch the metric's source to manual)",
                    m.def.code
                ),
                format!(
                    "{} 由{zh}自动计算，不能手工录入（管理员可将该指标的来源改为手工录入）",
                    m.def.name
                ),
            );
        }
        let subject = match subjects.get(&item.subject) {
            Some(s) => s.clone(),
            None => {
                let s = resolve_subject(actor, tree, &people, &item.subject);
                subjects.insert(item.subject.clone(), s.clone());
                s
            }
        };
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
            Some(s) => {
                if !s.within(write_reach, tree) {
                    forbidden = true;
                }
            }
        }
        let period = match item.period.parse::<Period>() {
            Ok(p) if is_locked(&locks, p) => {
                err(
                    "period",
                    format!("{p} is locked; reopen it with a reason first"),
                    format!("{p} 已锁定，请先说明原因重新开放"),
                );
                None
            }
            Ok(p) => Some(p),
            Err(e) => {
                err(
                    "period",
                    format!("\"{}\" is not {e}", item.period),
                    format!(
                        "\"{}\" 不是有效的期间，例如 2026、2026-Q1、2026-03、2026-W05、2026-03-15",
                        item.period
                    ),
                );
                None
            }
        };
        // 数据填报: a submitted or accepted month is closed to the
        // submitter's side until returned (see `super::submissions`).
        if measure == Measure::Actual
            && let (Some(s), Some(p)) = (&subject, period)
            && let Some((en, zh)) = super::submissions::frozen_for(txn, actor, s.unit_id, p).await?
        {
            err("period", en, zh);
        }
        let kind = metric.map_or(Kind::Amount, |m| m.def.kind);
        let value = parse_json_value(kind, &item.value)
            .map_err(|(en, zh)| err("value", en, zh))
            .ok();
        let mut tier = |field: &str, v: &Option<Value>| -> Option<Option<i64>> {
            let v = v.as_ref()?;
            if measure == Measure::Actual {
                err(
                    field,
                    "only targets have tiers".into(),
                    "只有目标可以设置保底和挑战值".into(),
                );
                return None;
            }
            parse_json_value(kind, v)
                .map_err(|(en, zh)| err(field, en, zh))
                .ok()
        };
        let floor = tier("floor", &item.floor);
        let stretch = tier("stretch", &item.stretch);
        if let (Some(m), Some(s), Some(p), Some(value)) = (metric, subject, period, value) {
            if !seen.insert((m.id, s.subject, p)) {
                err(
                    "period",
                    format!("{} {} {p} appears twice in the batch", m.def.code, s.key),
                    format!("{} {} {p} 在本批中重复出现", m.def.name, s.key),
                );
                continue;
            }
            checked.push(Checked {
                metric: m.id,
                subject: s,
                period: p.to_string(),
                value,
                floor,
                stretch,
            });
        }
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    if forbidden {
        return Err(Error::Forbidden);
    }
    Ok(checked)
}

/// How a batch of changes is written to the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuditAs {
    /// One entry per changed figure (actuals).
    EachFigure,
    /// Nothing here: the caller records the batch as a whole — a plan
    /// version keeps every target it changed, with its value before.
    Batch,
}

/// One figure a batch changed.
#[derive(Debug, Clone)]
pub(crate) struct Changed {
    pub metric: i64,
    pub subject: Subject,
    pub period: String,
    /// The measure's value before and after.
    pub before: Option<i64>,
    pub after: Option<i64>,
}

/// What [`apply`] did.
pub(crate) struct Applied {
    pub summary: WriteSummary,
    pub changed: Vec<Changed>,
}

/// Writes checked items and rolls the units above up, in the caller's
/// transaction.
pub(crate) async fn apply<C: ConnectionTrait>(
    txn: &C,
    actor: Option<&Actor>,
    measure: Measure,
    tree: &OrgTree,
    metrics: &[MetricRow],
    checked: Vec<Checked>,
    audit_as: AuditAs,
) -> Result<Applied> {
    let codes: HashMap<i64, &str> = metrics
        .iter()
        .map(|m| (m.id, m.def.code.as_str()))
        .collect();
    let mut summary = WriteSummary::default();
    let mut touched: BTreeMap<UnitId, BTreeSet<(i64, String)>> = BTreeMap::new();
    // Batches of thousands (an import, a split to every salesperson) are
    // read and written in a few set-based statements, not item by item.
    let existing = preload(txn, &checked).await?;
    let now = Utc::now();
    let mut upserts = Vec::new();
    let mut entries = Vec::new();
    let mut changed = Vec::new();
    for c in checked {
        let key = (c.metric, c.subject.subject, c.period.clone());
        let current = existing.get(&key);
        let before = current.map(|f| (f.target, f.floor, f.stretch, f.actual));
        let (mut target, mut floor, mut stretch, mut actual) =
            before.unwrap_or((None, None, None, None));
        match measure {
            Measure::Target => {
                target = c.value;
                if let Some(f) = c.floor {
                    floor = f;
                }
                if let Some(s) = c.stretch {
                    stretch = s;
                }
            }
            Measure::Actual => actual = c.value,
        }
        let after = (target, floor, stretch, actual);
        if before == Some(after) || (before.is_none() && after == (None, None, None, None)) {
            summary.unchanged += 1;
            continue;
        }
        summary.changed += 1;
        let measured = |f: (Option<i64>, Option<i64>, Option<i64>, Option<i64>)| match measure {
            Measure::Target => f.0,
            Measure::Actual => f.3,
        };
        changed.push(Changed {
            metric: c.metric,
            subject: c.subject.subject,
            period: c.period.clone(),
            before: before.and_then(measured),
            after: measured(after),
        });
        upserts.push(figure::ActiveModel {
            metric_id: Set(c.metric),
            subject_kind: Set(c.subject.subject.kind().to_owned()),
            subject_id: Set(c.subject.subject.id()),
            period: Set(c.period.clone()),
            target: Set(target),
            floor: Set(floor),
            stretch: Set(stretch),
            actual: Set(actual),
            sub_target: Set(current.and_then(|f| f.sub_target)),
            sub_actual: Set(current.and_then(|f| f.sub_actual)),
            updated_at: Set(now),
            ..Default::default()
        });
        let shape = |f: (Option<i64>, Option<i64>, Option<i64>, Option<i64>)| json!({"target": f.0, "floor": f.1, "stretch": f.2, "actual": f.3});
        if audit_as == AuditAs::EachFigure {
            entries.push(audit::entry(
                actor,
                measure.code(),
                "figure",
                &format!(
                    "{} {} {}",
                    codes.get(&c.metric).unwrap_or(&"?"),
                    c.subject.key,
                    c.period
                ),
                before.map(shape),
                Some(shape(after)),
            ));
        }
        touch_units_above(
            &mut touched,
            tree,
            c.subject.subject,
            Some(c.subject.unit_id),
            c.metric,
            &c.period,
        );
    }
    upsert_figures(
        txn,
        upserts,
        &[
            figure::Column::Target,
            figure::Column::Floor,
            figure::Column::Stretch,
            figure::Column::Actual,
            figure::Column::UpdatedAt,
        ],
    )
    .await?;
    audit::record_many(txn, entries).await?;
    recompute_rollups(txn, tree, metrics, &touched).await?;
    Ok(Applied { summary, changed })
}

/// Marks (metric, period) for a rollup in every unit above a figure of
/// `subject`: from a person's unit `unit`, or from a unit's parent.
fn touch_units_above(
    touched: &mut BTreeMap<UnitId, BTreeSet<(i64, String)>>,
    tree: &OrgTree,
    subject: Subject,
    unit: Option<UnitId>,
    metric: i64,
    period: &str,
) {
    let first = match subject {
        Subject::Person(_) => unit,
        Subject::Unit(u) => tree.get(u).and_then(|n| n.parent),
    };
    if let Some(first) = first {
        for u in tree.path(first) {
            touched
                .entry(u.id)
                .or_default()
                .insert((metric, period.to_owned()));
        }
    }
}

/// Sets the targets of checked items (their tiers left as stored) and
/// rolls the units above up, without reading the figures first: for plan
/// versions, which record what each target replaced themselves.
pub(crate) async fn set_targets<C: ConnectionTrait>(
    txn: &C,
    tree: &OrgTree,
    metrics: &[MetricRow],
    items: &[Checked],
) -> Result<()> {
    set_measure(txn, tree, metrics, items, Measure::Target).await
}

/// Sets the actuals of checked items and rolls the units above up, without
/// reading the figures first: for a recompute of every computed actual.
pub(crate) async fn set_actuals<C: ConnectionTrait>(
    txn: &C,
    tree: &OrgTree,
    metrics: &[MetricRow],
    items: &[Checked],
) -> Result<()> {
    set_measure(txn, tree, metrics, items, Measure::Actual).await
}

async fn set_measure<C: ConnectionTrait>(
    txn: &C,
    tree: &OrgTree,
    metrics: &[MetricRow],
    items: &[Checked],
    measure: Measure,
) -> Result<()> {
    let mut touched: BTreeMap<UnitId, BTreeSet<(i64, String)>> = BTreeMap::new();
    let mut firsts: HashMap<UnitId, Vec<UnitId>> = HashMap::new();
    for c in items {
        let first = match c.subject.subject {
            Subject::Person(_) => Some(c.subject.unit_id),
            Subject::Unit(u) => tree.get(u).and_then(|n| n.parent),
        };
        if let Some(first) = first {
            let path = firsts
                .entry(first)
                .or_insert_with(|| tree.path(first).iter().map(|n| n.id).collect());
            for u in path.iter() {
                touched
                    .entry(*u)
                    .or_default()
                    .insert((c.metric, c.period.clone()));
            }
        }
    }
    upsert_measure(txn, measure, items).await?;
    recompute_rollups(txn, tree, metrics, &touched).await
}

/// Writes computed actuals that differ from what is stored and rolls the
/// units above them up, without reading the figures first: an import
/// recomputes 10,000s. The database compares each value with the stored
/// one and returns the keys it changed. Computed figures keep no audit
/// entries of their own (their records are audited), so nothing else
/// needs the values before.
pub(crate) async fn set_changed_actuals<C: ConnectionTrait>(
    txn: &C,
    tree: &OrgTree,
    metrics: &[MetricRow],
    items: &[Checked],
) -> Result<()> {
    const ROWS: usize = 1000;
    let backend = txn.get_database_backend();
    let now = Utc::now();
    let returning = " RETURNING metric_id, subject_kind, subject_id, period";
    let mut changed: Vec<(i64, Subject, String)> = Vec::new();
    let mut keep = |rows: Vec<sea_orm::QueryResult>| -> Result<()> {
        for r in rows {
            let kind: String = r.try_get("", "subject_kind")?;
            changed.push((
                r.try_get("", "metric_id")?,
                Subject::of_row(&kind, r.try_get("", "subject_id")?),
                r.try_get("", "period")?,
            ));
        }
        Ok(())
    };
    // Values are inserted or replace a different one; blanks only clear a
    // stored actual (a row of blanks is never inserted).
    let (mut values, mut blanks): (Vec<&Checked>, Vec<&Checked>) =
        items.iter().partition(|c| c.value.is_some());
    // In the order of the figures' key: each subject's figures are looked
    // up one after the other (an import's come source by source), and
    // concurrent writers take their rows in one order.
    values.sort_by(|a, b| figure_key(a).cmp(&figure_key(b)));
    blanks.sort_by(|a, b| figure_key(a).cmp(&figure_key(b)));
    // PostgreSQL refuses an upsert that names one key twice; the callers
    // give each (metric, subject, period) once.
    debug_assert!(
        values
            .windows(2)
            .all(|w| figure_key(w[0]) != figure_key(w[1])),
        "a figure twice in one write of computed actuals"
    );
    for chunk in values.chunks(ROWS) {
        let rows = vec!["(?,?,?,?,?,?)"; chunk.len()].join(",");
        let sql = format!(
            "INSERT INTO figure (metric_id, subject_kind, subject_id, period, actual, updated_at) \
             VALUES {rows} ON CONFLICT (subject_kind, subject_id, period, metric_id) DO UPDATE \
             SET actual = excluded.actual, updated_at = excluded.updated_at \
             WHERE figure.actual IS DISTINCT FROM excluded.actual{returning}"
        );
        let bound: Vec<sea_orm::Value> = chunk.iter().flat_map(|c| measure_row(c, now)).collect();
        keep(
            txn.query_all_raw(super::statement(backend, &sql, bound))
                .await?,
        )?;
    }
    for chunk in blanks.chunks(ROWS) {
        let keys = vec!["(?,?,?,?)"; chunk.len()].join(",");
        let sql = format!(
            "UPDATE figure SET actual = NULL, updated_at = ? WHERE actual IS NOT NULL \
             AND (subject_kind, subject_id, period, metric_id) IN (VALUES {keys}){returning}"
        );
        let mut bound: Vec<sea_orm::Value> = Vec::with_capacity(1 + chunk.len() * 4);
        bound.push(now.into());
        for c in chunk {
            bound.extend([
                c.subject.subject.kind().into(),
                c.subject.subject.id().into(),
                c.period.as_str().into(),
                c.metric.into(),
            ]);
        }
        keep(
            txn.query_all_raw(super::statement(backend, &sql, bound))
                .await?,
        )?;
    }
    tracing::debug!(
        changed = changed.len(),
        "computed actuals: changed ones written"
    );
    // The units above each changed figure roll it up.
    let units: HashMap<Subject, UnitId> = items
        .iter()
        .map(|c| (c.subject.subject, c.subject.unit_id))
        .collect();
    let mut touched: BTreeMap<UnitId, BTreeSet<(i64, String)>> = BTreeMap::new();
    for (metric, subject, period) in changed {
        let unit = units.get(&subject).copied();
        touch_units_above(&mut touched, tree, subject, unit, metric, &period);
    }
    recompute_rollups(txn, tree, metrics, &touched).await
}

/// A checked item's place in the figures' key (subject kind, subject,
/// period, metric).
fn figure_key(c: &Checked) -> (&'static str, i64, &str, i64) {
    (
        c.subject.subject.kind(),
        c.subject.subject.id(),
        c.period.as_str(),
        c.metric,
    )
}

/// An item's values in the column order `metric_id, subject_kind,
/// subject_id, period, <measure>, updated_at`.
fn measure_row(c: &Checked, now: chrono::DateTime<Utc>) -> [sea_orm::Value; 6] {
    [
        c.metric.into(),
        c.subject.subject.kind().into(),
        c.subject.subject.id().into(),
        c.period.as_str().into(),
        c.value.into(),
        now.into(),
    ]
}

/// Inserts figures with one measure set, or on their key sets that
/// measure: plain multi-row statements of six values a row, the same text
/// for every full chunk (prepared once) — a recompute writes millions.
async fn upsert_measure<C: ConnectionTrait>(
    conn: &C,
    measure: Measure,
    items: &[Checked],
) -> Result<()> {
    const ROWS: usize = 1000;
    let column = match measure {
        Measure::Target => "target",
        Measure::Actual => "actual",
    };
    let now = Utc::now();
    for chunk in items.chunks(ROWS) {
        let mut sql = format!(
            "INSERT INTO figure (metric_id, subject_kind, subject_id, period, {column}, updated_at) VALUES "
        );
        let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * 6);
        for (i, c) in chunk.iter().enumerate() {
            sql.push_str(if i == 0 {
                "(?,?,?,?,?,?)"
            } else {
                ",(?,?,?,?,?,?)"
            });
            values.extend(measure_row(c, now));
        }
        sql.push_str(&format!(
            " ON CONFLICT (subject_kind, subject_id, period, metric_id) DO UPDATE SET \
             {column} = excluded.{column}, updated_at = excluded.updated_at"
        ));
        conn.execute_raw(super::statement(conn.get_database_backend(), &sql, values))
            .await?;
    }
    Ok(())
}

/// A stored figure's values, without its bookkeeping columns.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Stored {
    pub target: Option<i64>,
    pub floor: Option<i64>,
    pub stretch: Option<i64>,
    pub actual: Option<i64>,
    pub sub_target: Option<i64>,
    pub sub_actual: Option<i64>,
}

/// A figure row as [`preload`] and the rollups read it: key and values
/// only, as a tuple — a split to every salesperson reads 100,000s of rows,
/// and whole models (with their timestamps) cost several times more.
type StoredRow = (
    i64,
    String,
    i64,
    String,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

fn stored_columns<E: EntityTrait>(
    q: sea_orm::Select<E>,
) -> sea_orm::Selector<sea_orm::SelectGetableTuple<StoredRow>> {
    use sea_orm::QuerySelect;
    q.select_only()
        .columns([
            figure::Column::MetricId,
            figure::Column::SubjectKind,
            figure::Column::SubjectId,
            figure::Column::Period,
            figure::Column::Target,
            figure::Column::Floor,
            figure::Column::Stretch,
            figure::Column::Actual,
            figure::Column::SubTarget,
            figure::Column::SubActual,
        ])
        .into_tuple()
}

/// The condition "subject is one of these".
pub(crate) fn subjects_condition(subjects: &[Subject]) -> Condition {
    let mut cond = Condition::any();
    for kind in ["unit", "person"] {
        let ids: Vec<i64> = subjects
            .iter()
            .filter(|s| s.kind() == kind)
            .map(|s| s.id())
            .collect();
        if !ids.is_empty() {
            cond = cond.add(
                Condition::all()
                    .add(figure::Column::SubjectKind.eq(kind))
                    .add(figure::Column::SubjectId.is_in(ids)),
            );
        }
    }
    cond
}

/// The stored figures of every key in a batch, in one query per thousand
/// subjects.
pub(crate) async fn preload<C: ConnectionTrait>(
    conn: &C,
    checked: &[Checked],
) -> Result<HashMap<(i64, Subject, String), Stored>> {
    let mut out = HashMap::with_capacity(checked.len());
    if checked.is_empty() {
        return Ok(out);
    }
    let metrics: BTreeSet<i64> = checked.iter().map(|c| c.metric).collect();
    let periods: BTreeSet<&str> = checked.iter().map(|c| c.period.as_str()).collect();
    let subjects: BTreeSet<Subject> = checked.iter().map(|c| c.subject.subject).collect();
    let subjects: Vec<Subject> = subjects.into_iter().collect();
    for chunk in subjects.chunks(1000) {
        let rows: Vec<StoredRow> = stored_columns(
            figure::Entity::find()
                .filter(subjects_condition(chunk))
                .filter(figure::Column::MetricId.is_in(metrics.iter().copied()))
                .filter(figure::Column::Period.is_in(periods.iter().copied())),
        )
        .all(conn)
        .await?;
        for (metric, kind, id, period, target, floor, stretch, actual, sub_target, sub_actual) in
            rows
        {
            out.insert(
                (metric, Subject::of_row(&kind, id), period),
                Stored {
                    target,
                    floor,
                    stretch,
                    actual,
                    sub_target,
                    sub_actual,
                },
            );
        }
    }
    Ok(out)
}

/// Inserts figure rows, or on their key updates the given columns; in
/// multi-row statements within the databases' parameter limits.
async fn upsert_figures<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<figure::ActiveModel>,
    update: &[figure::Column],
) -> Result<()> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<figure::ActiveModel> = rows.by_ref().take(2000).collect();
        figure::Entity::insert_many(chunk)
            .on_conflict(
                OnConflict::columns([
                    figure::Column::SubjectKind,
                    figure::Column::SubjectId,
                    figure::Column::Period,
                    figure::Column::MetricId,
                ])
                .update_columns(update.iter().copied())
                .to_owned(),
            )
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

/// Recomputes `sub_target` and `sub_actual` of the given units for the given
/// (metric, period) pairs. Everything is read first, in one statement per
/// 300 units: per unit the sums and counts of its people's and sub-units'
/// figures as stored, and its own stored figures. The new subtotals are
/// then worked out level by level, deepest first, each touched sub-unit's
/// stored value in its parent's sums replaced by its new one, and written
/// in one upsert per 2,000. A new order, which touches a team, its region
/// and the company, costs two statements instead of two per level.
pub async fn recompute_rollups<C: ConnectionTrait>(
    conn: &C,
    tree: &OrgTree,
    metrics: &[MetricRow],
    touched: &BTreeMap<UnitId, BTreeSet<(i64, String)>>,
) -> Result<()> {
    let rules: HashMap<i64, Rollup> = metrics.iter().map(|m| (m.id, m.def.rollup)).collect();
    let units: Vec<UnitId> = touched.keys().copied().collect();
    let mut sums: HashMap<FigureKey, ChildSums> = HashMap::new();
    let mut own: HashMap<FigureKey, OwnFigures> = HashMap::new();
    for chunk in units.chunks(300) {
        let metric_ids: BTreeSet<i64> = chunk
            .iter()
            .flat_map(|u| touched[u].iter().map(|(m, _)| *m))
            .collect();
        let periods: BTreeSet<&str> = chunk
            .iter()
            .flat_map(|u| touched[u].iter().map(|(_, p)| p.as_str()))
            .collect();
        read_rollup_inputs(conn, chunk, &metric_ids, &periods, &mut sums, &mut own).await?;
    }
    // The new (sub_target, sub_actual) of each touched unit and pair.
    let mut fresh: HashMap<FigureKey, (Option<i64>, Option<i64>)> = HashMap::new();
    let now = Utc::now();
    let mut rows = Vec::new();
    for (u, touched_children) in &tree.bottom_up(&units) {
        for (metric_id, period) in &touched[u] {
            let key = (*u, *metric_id, period.clone());
            let mut s = sums.get(&key).copied().unwrap_or_default();
            for child in touched_children {
                let child_key = (*child, *metric_id, period.clone());
                let Some((sub_target, sub_actual)) = fresh.get(&child_key).copied() else {
                    continue;
                };
                let stored = own.get(&child_key).copied().unwrap_or_default();
                s.targets_replace(
                    stored.target.or(stored.sub_target),
                    stored.target.or(sub_target),
                );
                s.actuals_replace(
                    stored.actual.or(stored.sub_actual),
                    stored.actual.or(sub_actual),
                );
            }
            let rule = rules.get(metric_id).copied().unwrap_or(Rollup::Sum);
            let sub_target = table::roll_up(rule, s.target_sum, s.targets);
            let sub_actual = table::roll_up(rule, s.actual_sum, s.actuals);
            fresh.insert(key, (sub_target, sub_actual));
            rows.push(figure::ActiveModel {
                metric_id: Set(*metric_id),
                subject_kind: Set("unit".into()),
                subject_id: Set(*u),
                period: Set(period.clone()),
                target: Set(None),
                floor: Set(None),
                stretch: Set(None),
                actual: Set(None),
                sub_target: Set(sub_target),
                sub_actual: Set(sub_actual),
                updated_at: Set(now),
                ..Default::default()
            });
        }
        // Everything was read before anything is written, so a rollup
        // of the whole tree writes as it goes instead of holding
        // every row.
        if rows.len() >= ROLLUP_ROWS_HELD {
            upsert_subtotals(conn, std::mem::take(&mut rows)).await?;
        }
    }
    upsert_subtotals(conn, rows).await
}

/// Rollup rows held before they are written: a new order's few go in one
/// statement, a rollup of the whole tree in many.
const ROLLUP_ROWS_HELD: usize = 2000;

async fn upsert_subtotals<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<figure::ActiveModel>,
) -> Result<()> {
    upsert_figures(
        conn,
        rows,
        &[figure::Column::SubTarget, figure::Column::SubActual],
    )
    .await
}

/// A unit's figure: (unit, metric, period).
type FigureKey = (UnitId, i64, String);

/// The children's figures of some units, summed and counted.
#[derive(Debug, Clone, Copy, Default)]
struct ChildSums {
    target_sum: i64,
    targets: i64,
    actual_sum: i64,
    actuals: i64,
}

impl ChildSums {
    /// A child's shown target `before` replaced by `after` in the sums.
    fn targets_replace(&mut self, before: Option<i64>, after: Option<i64>) {
        replace(&mut self.target_sum, &mut self.targets, before, after);
    }

    fn actuals_replace(&mut self, before: Option<i64>, after: Option<i64>) {
        replace(&mut self.actual_sum, &mut self.actuals, before, after);
    }
}

fn replace(sum: &mut i64, count: &mut i64, before: Option<i64>, after: Option<i64>) {
    if let Some(v) = before {
        *sum = sum.saturating_sub(v);
        *count -= 1;
    }
    if let Some(v) = after {
        *sum = sum.saturating_add(v);
        *count += 1;
    }
}

/// A unit's own stored figure, as the rollups need it.
#[derive(Debug, Clone, Copy, Default)]
struct OwnFigures {
    target: Option<i64>,
    sub_target: Option<i64>,
    actual: Option<i64>,
    sub_actual: Option<i64>,
}

/// Reads, per (unit, metric, period) of `units`, the sums and counts of the
/// shown targets and actuals of the units' people and sub-units, and the
/// units' own stored figures, in one statement.
///
/// `CROSS JOIN` makes SQLite start from the few people and sub-units and
/// look their figures up by key; left to itself it walks every figure of
/// every person (seconds at 10,000 people). PostgreSQL plans it as any join.
async fn read_rollup_inputs<C: ConnectionTrait>(
    conn: &C,
    units: &[UnitId],
    metrics: &BTreeSet<i64>,
    periods: &BTreeSet<&str>,
    sums: &mut HashMap<FigureKey, ChildSums>,
    own: &mut HashMap<FigureKey, OwnFigures>,
) -> Result<()> {
    let list = |n: usize| vec!["?"; n].join(",");
    let filter = format!(
        "f.metric_id IN ({}) AND f.period IN ({})",
        list(metrics.len()),
        list(periods.len())
    );
    let aggregates = "f.metric_id, f.period, \
        CAST(SUM(COALESCE(f.target, f.sub_target)) AS BIGINT) AS target_sum, \
        COUNT(COALESCE(f.target, f.sub_target)) AS targets, \
        CAST(SUM(COALESCE(f.actual, f.sub_actual)) AS BIGINT) AS actual_sum, \
        COUNT(COALESCE(f.actual, f.sub_actual)) AS actuals";
    // `own` tells the sums (0) from a unit's own figure (1), whose four
    // values are then target, sub_target, actual and sub_actual.
    let sql = format!(
        "SELECT CAST(0 AS BIGINT) AS own, p.unit_id AS unit, {aggregates} \
         FROM person p CROSS JOIN figure f \
         WHERE f.subject_kind = 'person' AND f.subject_id = p.id \
         AND p.unit_id IN ({units}) AND {filter} GROUP BY p.unit_id, f.metric_id, f.period \
         UNION ALL \
         SELECT CAST(0 AS BIGINT) AS own, u.parent_id AS unit, {aggregates} \
         FROM org_unit u CROSS JOIN figure f \
         WHERE f.subject_kind = 'unit' AND f.subject_id = u.id \
         AND u.parent_id IN ({units}) AND {filter} GROUP BY u.parent_id, f.metric_id, f.period \
         UNION ALL \
         SELECT CAST(1 AS BIGINT) AS own, f.subject_id AS unit, f.metric_id, f.period, \
         f.target, f.sub_target, f.actual, f.sub_actual FROM figure f \
         WHERE f.subject_kind = 'unit' AND f.subject_id IN ({units}) AND {filter}",
        units = list(units.len()),
    );
    let mut values: Vec<sea_orm::Value> = Vec::new();
    for _ in 0..3 {
        values.extend(units.iter().map(|u| (*u).into()));
        values.extend(metrics.iter().map(|m| (*m).into()));
        values.extend(periods.iter().map(|p| (*p).into()));
    }
    let rows = conn
        .query_all_raw(super::statement(conn.get_database_backend(), &sql, values))
        .await?;
    for r in rows {
        let key = (
            r.try_get::<i64>("", "unit")?,
            r.try_get::<i64>("", "metric_id")?,
            r.try_get::<String>("", "period")?,
        );
        let [a, b, c, d] = ["target_sum", "targets", "actual_sum", "actuals"]
            .map(|column| r.try_get::<Option<i64>>("", column));
        let (a, b, c, d) = (a?, b?, c?, d?);
        if r.try_get::<i64>("", "own")? == 1 {
            own.insert(
                key,
                OwnFigures {
                    target: a,
                    sub_target: b,
                    actual: c,
                    sub_actual: d,
                },
            );
        } else {
            // A unit's people and its sub-units come as two rows.
            let e = sums.entry(key).or_default();
            e.target_sum = e.target_sum.saturating_add(a.unwrap_or(0));
            e.targets += b.unwrap_or(0);
            e.actual_sum = e.actual_sum.saturating_add(c.unwrap_or(0));
            e.actuals += d.unwrap_or(0);
        }
    }
    Ok(())
}

/// Recomputes the rollups of every unit above `units` for every (metric,
/// period) that `subjects` have figures for. Called after a person or a
/// unit moves, on both the old and the new place.
pub async fn refresh_after_move<C: ConnectionTrait>(
    conn: &C,
    subjects: &[Subject],
    units: &[UnitId],
) -> Result<()> {
    let tree = load_org_tree(conn).await?;
    let metrics = load_metrics(conn).await?;
    let mut cond = Condition::any();
    for s in subjects {
        cond = cond.add(s.condition());
    }
    let pairs: BTreeSet<(i64, String)> = figure::Entity::find()
        .filter(cond)
        .all(conn)
        .await?
        .into_iter()
        .map(|f| (f.metric_id, f.period))
        .collect();
    if pairs.is_empty() {
        return Ok(());
    }
    // Computed rates are not rolled up from the figures but from their
    // parts: sum those again first.
    super::computed::units_moved(conn, &tree, &metrics, subjects, units).await?;
    let mut touched: BTreeMap<UnitId, BTreeSet<(i64, String)>> = BTreeMap::new();
    for u in units {
        for n in tree.path(*u) {
            touched
                .entry(n.id)
                .or_default()
                .extend(pairs.iter().cloned());
        }
    }
    recompute_rollups(conn, &tree, &metrics, &touched).await
}

// ---------------------------------------------------------------- the table

/// One cell as the API returns it: decimal strings or null.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CellView {
    pub period: String,
    /// The target shown: as set, else the children's.
    pub target: Option<String>,
    pub actual: Option<String>,
    /// 完成率 in percent, e.g. `"107.64"`; null for "—".
    pub rate: Option<String>,
    pub status: Status,
    /// 保底 and 挑战 tiers, when set.
    pub floor: Option<String>,
    pub stretch: Option<String>,
    /// Units: what the children's targets add up to (分解差异 against
    /// `target`).
    pub children_target: Option<String>,
    /// True when `target` was set on this subject rather than rolled up.
    pub target_set: bool,
    /// True when `actual` was entered on this subject rather than rolled up.
    pub actual_set: bool,
}

/// One metric's row.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RowView {
    pub metric: String,
    pub name: String,
    pub name_en: String,
    pub kind: Kind,
    pub direction: Direction,
    pub total_rule: Total,
    pub months: Vec<CellView>,
    /// The target set for the year itself, or null.
    pub year_target: Option<String>,
    /// 平均/合计: the year target when set, else the months' targets
    /// totalled by rule; the months' actuals totalled by rule.
    pub total: CellView,
    /// The computed source of the actuals (`orders`, `calls` …), or null
    /// when they are entered by hand. A month's records are listed by
    /// `GET /api/v1/table/sources`.
    pub computed_from: Option<String>,
}

/// A subject one can drill down to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubjectRef {
    /// `unit:HD-SH` or `person:E0015`.
    pub subject: String,
    pub name: String,
}

/// The 目标管理表 of one subject and fiscal year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TableView {
    pub subject: String,
    pub name: String,
    pub year: i32,
    pub rows: Vec<RowView>,
    /// Sub-units and people directly in a unit, for drilling down.
    pub children: Vec<SubjectRef>,
    /// From the company down to the subject's unit, for breadcrumbs.
    pub path: Vec<SubjectRef>,
    /// Months of this year that are locked.
    pub locked: Vec<String>,
    /// Units: each month's submission (数据填报) status; accepted months
    /// are what the GM sees. Empty for a person.
    pub submissions: Vec<super::submissions::MonthStatus>,
    /// With `basis=accepted`: the months whose actuals are withheld until
    /// every staffed unit's submission is accepted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unaccepted: Vec<String>,
}

/// Which actuals a table counts.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, Serialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Everything entered so far.
    #[default]
    All,
    /// 已验收口径: a month's actuals only once every staffed unit below has
    /// had its submission accepted by the compiling office — the figures
    /// the GM is given.
    Accepted,
}

/// Narrows `GET /api/v1/table`.
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
pub struct TableQuery {
    /// `unit:HD` or `person:E0007`.
    pub subject: String,
    /// Fiscal year, e.g. 2026.
    pub year: i32,
    /// `all` (default) or `accepted`.
    #[serde(default)]
    #[param(value_type = Option<String>)]
    pub basis: Basis,
}

fn fmt(kind: Kind, v: Option<i64>) -> Option<String> {
    v.map(|v| format_value(kind, v))
}

fn cell_view(kind: Kind, period: String, cell: &table::Cell, f: Option<&TableFigure>) -> CellView {
    CellView {
        period,
        target: fmt(kind, cell.target),
        actual: fmt(kind, cell.actual),
        rate: cell.rate.map(|r| format!("{r:.2}")),
        status: cell.status,
        floor: fmt(kind, f.and_then(|f| f.floor)),
        stretch: fmt(kind, f.and_then(|f| f.stretch)),
        children_target: fmt(kind, f.and_then(|f| f.sub_target)),
        target_set: f.is_some_and(|f| f.target.is_some()),
        actual_set: f.is_some_and(|f| f.actual.is_some()),
    }
}

/// What a table shows of one `figure` row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct TableFigure {
    metric_id: i64,
    period: String,
    target: Option<i64>,
    floor: Option<i64>,
    stretch: Option<i64>,
    actual: Option<i64>,
    sub_target: Option<i64>,
    sub_actual: Option<i64>,
}

impl TableFigure {
    fn effective_target(&self) -> Option<i64> {
        self.target.or(self.sub_target)
    }

    fn effective_actual(&self) -> Option<i64> {
        self.actual.or(self.sub_actual)
    }

    /// One row as packed by [`table_figures`]: eight comma-separated
    /// fields, empty for NULL.
    fn unpack(packed: &str) -> Result<TableFigure> {
        let bad = || {
            Error::Db(sea_orm::DbErr::Custom(format!(
                "bad packed figure {packed}"
            )))
        };
        let mut fields = packed.split(',');
        let mut next = || fields.next().ok_or_else(bad);
        let number = |s: &str| -> Result<Option<i64>> {
            if s.is_empty() {
                Ok(None)
            } else {
                s.parse().map(Some).map_err(|_| bad())
            }
        };
        Ok(TableFigure {
            metric_id: next()?.parse().map_err(|_| bad())?,
            period: next()?.to_owned(),
            target: number(next()?)?,
            floor: number(next()?)?,
            stretch: number(next()?)?,
            actual: number(next()?)?,
            sub_target: number(next()?)?,
            sub_actual: number(next()?)?,
        })
    }
}

/// The figures of one subject for `periods`, in one row: the SQLite driver
/// hands every result row from its own thread to the request's, and for a
/// table's 156 rows that hand-over cost more than the query itself under
/// load. Numbers and period keys never hold `,` or `;`.
/// A subject's figures of some periods and, for computed rates, the
/// numerators and denominators they come from (by source code and
/// period), in one query.
async fn table_figures(
    db: &Db,
    subject: Subject,
    periods: &[String],
) -> Result<(Vec<TableFigure>, HashMap<(String, String), (i64, i64)>)> {
    use sea_orm::DatabaseBackend;
    let row = "CAST(metric_id AS TEXT) || ',' || period || ',' || \
               COALESCE(CAST(target AS TEXT), '') || ',' || \
               COALESCE(CAST(\"floor\" AS TEXT), '') || ',' || \
               COALESCE(CAST(stretch AS TEXT), '') || ',' || \
               COALESCE(CAST(actual AS TEXT), '') || ',' || \
               COALESCE(CAST(sub_target AS TEXT), '') || ',' || \
               COALESCE(CAST(sub_actual AS TEXT), '')";
    let part = "source || ',' || period || ',' || CAST(num AS TEXT) || ',' || CAST(den AS TEXT)";
    let backend = db.get_database_backend();
    let agg = |expr: &str| match backend {
        DatabaseBackend::Postgres => format!("string_agg({expr}, ';')"),
        _ => format!("group_concat({expr}, ';')"),
    };
    let marks = vec!["?"; periods.len()].join(",");
    // Packed into one row of two texts: the SQLite driver hands each
    // result row over between threads, and for 156 rows that cost more
    // than the query.
    let sql = format!(
        "SELECT (SELECT {} FROM figure WHERE subject_kind = ? AND subject_id = ? \
         AND period IN ({marks})) AS packed, \
         (SELECT {} FROM computed_part WHERE subject_kind = ? AND subject_id = ? \
         AND period IN ({marks})) AS parts",
        agg(row),
        agg(part)
    );
    let mut values: Vec<sea_orm::Value> = Vec::new();
    for _ in 0..2 {
        values.push(subject.kind().into());
        values.push(subject.id().into());
        values.extend(periods.iter().map(|p| p.as_str().into()));
    }
    let Some(r) = db
        .query_one_raw(super::statement(backend, &sql, values))
        .await?
    else {
        return Ok(Default::default());
    };
    let packed: Option<String> = r.try_get("", "packed")?;
    let figures = packed
        .iter()
        .flat_map(|p| p.split(';'))
        .filter(|r| !r.is_empty())
        .map(TableFigure::unpack)
        .collect::<Result<Vec<_>>>()?;
    let parts: Option<String> = r.try_get("", "parts")?;
    let mut by_source = HashMap::new();
    for p in parts.iter().flat_map(|p| p.split(';')) {
        let mut f = p.split(',');
        if let (Some(source), Some(period), Some(Ok(num)), Some(Ok(den))) = (
            f.next(),
            f.next(),
            f.next().map(str::parse::<i64>),
            f.next().map(str::parse::<i64>),
        ) {
            by_source.insert((source.to_owned(), period.to_owned()), (num, den));
        }
    }
    Ok((figures, by_source))
}

/// The table of one subject for one fiscal year; `NotFound` for a subject
/// outside the actor's reach.
pub async fn table(
    db: &Db,
    actor: &Actor,
    fiscal: FiscalYear,
    subject_key: &str,
    year: i32,
) -> Result<TableView> {
    let structure = super::cache::Structure::load(db).await?;
    let marks = super::cache::Marks::default();
    let query = TableQuery {
        subject: subject_key.to_owned(),
        year,
        basis: Basis::All,
    };
    table_with(db, &structure, &marks, actor, fiscal, &query).await
}

/// [`table`] with the tree, metrics and people at hand, e.g. from
/// [`super::cache::StructureCache`], and locks and submission statuses
/// from [`super::cache::MarksCache`].
pub async fn table_with(
    db: &Db,
    structure: &super::cache::Structure,
    marks: &super::cache::Marks,
    actor: &Actor,
    fiscal: FiscalYear,
    query: &TableQuery,
) -> Result<TableView> {
    let (subject_key, year, basis) = (query.subject.as_str(), query.year, query.basis);
    let tree = &structure.tree;
    let metrics = &structure.metrics;
    if !(1900..=9999).contains(&year) {
        return Err(Error::invalid(
            "year",
            "a year such as 2026",
            "应为年份，例如 2026",
        ));
    }
    let subject = table_subject(structure, actor, subject_key)
        .filter(|s| reads_subject_figures(actor, s))
        .ok_or(Error::NotFound)?;
    let months = fiscal.months(year);
    let year_key = Period::Year(year).to_string();
    let mut periods: Vec<String> = months.iter().map(ToString::to_string).collect();
    periods.push(year_key.clone());
    let (rows, computed) = table_figures(db, subject.subject, &periods).await?;
    let withheld = match basis {
        Basis::All => vec![false; months.len()],
        Basis::Accepted => unaccepted(db, structure, &subject, &periods[..months.len()]).await?,
    };
    let by_key: HashMap<(i64, &str), &TableFigure> = rows
        .iter()
        .map(|r| ((r.metric_id, r.period.as_str()), r))
        .collect();
    let figures_of = |metric_id: i64| -> Figures {
        let mut f = Figures::default();
        for (i, p) in periods.iter().take(12).enumerate() {
            if let Some(r) = by_key.get(&(metric_id, p.as_str())) {
                f.targets[i] = r.effective_target();
                if !withheld[i] {
                    f.actuals[i] = r.effective_actual();
                }
            }
        }
        f.year_target = by_key
            .get(&(metric_id, year_key.as_str()))
            .and_then(|r| r.target);
        f
    };
    let id_of: HashMap<&str, i64> = metrics
        .iter()
        .map(|m| (m.def.code.as_str(), m.id))
        .collect();
    let mut out = Vec::new();
    for m in metrics.iter().filter(|m| m.active) {
        let f = figures_of(m.id);
        let parts = match (&m.def.numerator, &m.def.denominator) {
            (Some(n), Some(d)) => match (id_of.get(n.as_str()), id_of.get(d.as_str())) {
                (Some(n), Some(d)) => Some((figures_of(*n), figures_of(*d))),
                _ => None,
            },
            _ => None,
        };
        let mut row = table::build_row(&m.def, &f, parts.as_ref().map(|(n, d)| (n, d)));
        // A computed rate's year is the ratio of the year's summed
        // numerators and denominators, not an average of the months (a
        // month of two orders weighs less than one of two hundred).
        // (A repurchase rate's parts run from January to the month: they
        // do not add up over months.) A month shown without parts — locked
        // before the metric was computed — leaves the rule's total.
        use crate::domain::computed::Source;
        let computed_from = Source::of(&m.def.source);
        let source = computed_from.filter(|s| {
            s.is_rate() && *s != Source::RepurchaseRate && m.def.total == Total::Average
        });
        let mut total_rule = m.def.total;
        if let Some(source) = source {
            let (mut num, mut den, mut every_month) = (0i64, 0i64, true);
            for (i, p) in periods.iter().take(months.len()).enumerate() {
                let part = computed.get(&(source.code().to_owned(), p.clone()));
                match (part, f.actuals[i]) {
                    (Some((n, d)), Some(_)) => {
                        num = num.saturating_add(*n);
                        den = den.saturating_add(*d);
                    }
                    (None, Some(_)) => every_month = false,
                    (_, None) => {}
                }
            }
            if every_month {
                let actual = table::ratio(m.def.kind, Some(num), Some(den));
                row.total = table::Cell::new(&m.def, row.total.target, actual);
                // Say so: the year is a ratio of sums here, not an average.
                total_rule = Total::Ratio;
            }
        }
        let kind = m.def.kind;
        out.push(RowView {
            computed_from: computed_from.map(|s| s.code().to_owned()),
            metric: m.def.code.clone(),
            name: m.def.name.clone(),
            name_en: m.def.name_en.clone(),
            kind,
            direction: m.def.direction,
            total_rule,
            months: row
                .months
                .iter()
                .zip(&periods)
                .map(|(c, p)| {
                    cell_view(kind, p.clone(), c, by_key.get(&(m.id, p.as_str())).copied())
                })
                .collect(),
            year_target: fmt(kind, row.year_target),
            total: cell_view(
                kind,
                year_key.clone(),
                &row.total,
                by_key.get(&(m.id, year_key.as_str())).copied(),
            ),
        });
    }
    let mut children = Vec::new();
    if let Subject::Unit(u) = subject.subject {
        for c in tree.children(u) {
            if let Some(n) = tree
                .get(*c)
                .filter(|n| actor.units_read().covers(tree, n.id, None))
            {
                children.push(SubjectRef {
                    subject: format!("unit:{}", n.code),
                    name: n.name.clone(),
                });
            }
        }
        for p in structure.people.active_in(u) {
            if actor.people_read().covers(tree, p.unit_id, Some(p.id)) {
                children.push(SubjectRef {
                    subject: format!("person:{}", p.employee_no),
                    name: p.name.clone(),
                });
            }
        }
    }
    let path = tree
        .path(subject.unit_id)
        .into_iter()
        .filter(|n| actor.units_read().covers(tree, n.id, None))
        .map(|n| SubjectRef {
            subject: format!("unit:{}", n.code),
            name: n.name.clone(),
        })
        .collect();
    let locks = marks.locks(db).await?;
    let submissions = match subject.subject {
        Subject::Unit(u) => marks
            .month_statuses(db, u, &periods[..months.len()])
            .await?
            .as_ref()
            .clone(),
        Subject::Person(_) => Vec::new(),
    };
    Ok(TableView {
        subject: subject.key,
        name: subject.name,
        year,
        rows: out,
        children,
        path,
        locked: months
            .iter()
            .map(ToString::to_string)
            .filter(|p| locks.contains(p))
            .collect(),
        submissions,
        unaccepted: periods
            .iter()
            .zip(&withheld)
            .filter(|(_, w)| **w)
            .map(|(p, _)| p.clone())
            .collect(),
    })
}

/// Per month, whether some staffed unit in the subject's part of the tree
/// (a person: their unit) has no accepted submission yet.
async fn unaccepted(
    db: &Db,
    structure: &super::cache::Structure,
    subject: &SubjectInfo,
    months: &[String],
) -> Result<Vec<bool>> {
    let units: Vec<UnitId> = match subject.subject {
        Subject::Person(_) => vec![subject.unit_id],
        Subject::Unit(u) => structure
            .tree
            .subtree(u)
            .into_iter()
            .filter(|u| structure.people.active_in(*u).next().is_some())
            .collect(),
    };
    let accepted = super::submissions::accepted(db, &units, months).await?;
    Ok(months
        .iter()
        .map(|m| units.iter().any(|u| !accepted.contains(&(*u, m.clone()))))
        .collect())
}

// ---------------------------------------------------------------- locks

/// Locks a month: its figures change only after it is reopened.
pub async fn lock_period(db: &Db, actor: &Actor, period: &str, reason: Option<&str>) -> Result<()> {
    if !actor.may_lock_periods() {
        return Err(Error::Forbidden);
    }
    let p = parse_month(period)?;
    let txn = begin_write(db, Lane::Figures).await?;
    if period_lock::Entity::find_by_id(p.clone())
        .one(&txn)
        .await?
        .is_none()
    {
        period_lock::ActiveModel {
            period: Set(p.clone()),
            locked_by: Set(actor.username.clone()),
            locked_at: Set(Utc::now()),
            reason: Set(reason.map(str::to_owned)),
        }
        .insert(&txn)
        .await?;
        audit::record(
            &txn,
            Some(actor),
            "lock",
            "period",
            &p,
            None,
            Some(json!({"reason": reason})),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Reopens a locked month; the reason is required and audited.
pub async fn reopen_period(db: &Db, actor: &Actor, period: &str, reason: &str) -> Result<()> {
    if !actor.may_lock_periods() {
        return Err(Error::Forbidden);
    }
    let p = parse_month(period)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::invalid(
            "reason",
            "say why the month is reopened",
            "请填写重新开放的原因",
        ));
    }
    let txn = begin_write(db, Lane::Figures).await?;
    let lock = period_lock::Entity::find_by_id(p.clone())
        .one(&txn)
        .await?
        .ok_or(Error::NotFound)?;
    period_lock::Entity::delete_by_id(p.clone())
        .exec(&txn)
        .await?;
    // Computed actuals were frozen while the month was locked: the
    // records may have changed since.
    super::computed::recompute_all_in(&txn, Some(&BTreeSet::from([p.clone()]))).await?;
    audit::record(
        &txn,
        Some(actor),
        "reopen",
        "period",
        &p,
        Some(json!({"locked_by": lock.locked_by, "reason": lock.reason})),
        Some(json!({"reason": reason})),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

fn parse_month(period: &str) -> Result<String> {
    match period.parse::<Period>() {
        Ok(p @ Period::Month(..)) => Ok(p.to_string()),
        _ => Err(Error::invalid(
            "period",
            format!("\"{period}\" is not a month such as 2026-03"),
            format!("\"{period}\" 不是月份，例如 2026-03"),
        )),
    }
}

/// Finds a unit by id, for callers holding only the id.
pub async fn unit_code<C: ConnectionTrait>(conn: &C, id: UnitId) -> Result<Option<String>> {
    Ok(unit::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(|u| u.code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_figures_read_back_with_their_nulls() {
        let f = TableFigure::unpack("3,2026-05,100,,120,90,,").expect("a packed row");
        assert_eq!(
            f,
            TableFigure {
                metric_id: 3,
                period: "2026-05".to_owned(),
                target: Some(100),
                floor: None,
                stretch: Some(120),
                actual: Some(90),
                sub_target: None,
                sub_actual: None,
            }
        );
        assert!(TableFigure::unpack("3,2026-05,x,,,,,").is_err());
        assert!(TableFigure::unpack("3,2026-05").is_err());
    }
}
