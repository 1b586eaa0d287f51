//! Plans (目标分解方案): every target change is a version of the plan of
//! one fiscal year and one unit's subtree.
//!
//! The GM and admin are the top of the approval chain: what they change is
//! published at once as a new version of the company's plan. A manager's
//! changes collect in the draft of their own unit's plan, which goes
//! draft → submitted → approved (by the next manager up or the GM) →
//! published; a submitted draft can be returned with a comment and edited
//! again. Only publishing writes the figures, so the table and the
//! assessments always show published targets.
//!
//! A version keeps each target it changes with the value it replaced, so
//! any two versions compare without replaying the figures.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use serde_json::json;

use super::entity::{person, plan, plan_item, plan_version};
use super::figures::{
    self, AuditAs, Checked, Measure, MetricRow, Subject, SubjectInfo, WriteSummary, load_metrics,
};
use super::org::load_org_tree;
use super::{Db, Error, FieldError, Lane, Result, audit, begin_write};
use crate::domain::access::Actor;
use crate::domain::metric::format_value;
use crate::domain::org::{OrgTree, UnitId};
use crate::domain::period::{FiscalYear, Period};

/// Where a version stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Draft,
    Submitted,
    Returned,
    Approved,
    Published,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Returned => "returned",
            Status::Approved => "approved",
            Status::Published => "published",
        }
    }

    fn parse(code: &str) -> Status {
        match code {
            "submitted" => Status::Submitted,
            "returned" => Status::Returned,
            "approved" => Status::Approved,
            "published" => Status::Published,
            _ => Status::Draft,
        }
    }

    /// May items still be added or changed?
    fn is_editable(self) -> bool {
        matches!(self, Status::Draft | Status::Returned)
    }
}

/// A plan version, as the API names it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct VersionRef {
    pub plan: i64,
    pub year: i32,
    /// The plan's unit code.
    pub unit: String,
    pub version: i32,
    /// `draft`, `submitted`, `returned`, `approved` or `published`.
    pub status: String,
}

/// The fiscal year a period's targets belong to.
pub fn plan_year(fy: FiscalYear, period: Period) -> i32 {
    match period {
        Period::Year(y) | Period::Quarter(y, _) => y,
        Period::Month(y, m) => fy.year_of_month(y, m),
        Period::Day(d) => {
            let Period::Month(y, m) = Period::month_of(d) else {
                return 0;
            };
            fy.year_of_month(y, m)
        }
        // A week belongs where its Thursday is.
        Period::Week(..) => {
            let (monday, _) = fy.span(period);
            plan_year(fy, Period::Day(monday + chrono::Days::new(3)))
        }
    }
}

/// The unit whose plan an actor's changes go to: the company (the first
/// root) for the GM and admin, their own unit for a manager.
fn home_unit(actor: &Actor, tree: &OrgTree) -> Option<UnitId> {
    if actor.publishes_targets_directly() {
        let roots = tree.roots();
        actor
            .unit_id
            .and_then(|u| tree.path(u).first().map(|n| n.id))
            .or_else(|| roots.first().copied())
    } else {
        actor.unit_id
    }
}

/// The plan of (year, unit), created when missing.
async fn plan_of<C: ConnectionTrait>(conn: &C, year: i32, unit: UnitId) -> Result<plan::Model> {
    if let Some(p) = plan::Entity::find()
        .filter(plan::Column::Year.eq(year))
        .filter(plan::Column::UnitId.eq(unit))
        .one(conn)
        .await?
    {
        return Ok(p);
    }
    Ok(plan::ActiveModel {
        year: Set(year),
        unit_id: Set(unit),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

async fn latest_version<C: ConnectionTrait>(
    conn: &C,
    plan_id: i64,
) -> Result<Option<plan_version::Model>> {
    Ok(plan_version::Entity::find()
        .filter(plan_version::Column::PlanId.eq(plan_id))
        .order_by_desc(plan_version::Column::Number)
        .one(conn)
        .await?)
}

async fn new_version<C: ConnectionTrait>(
    conn: &C,
    plan: &plan::Model,
    actor: &Actor,
    status: Status,
    reason: Option<&str>,
) -> Result<plan_version::Model> {
    let number = latest_version(conn, plan.id)
        .await?
        .map_or(1, |v| v.number + 1);
    let now = Utc::now();
    let published = status == Status::Published;
    Ok(plan_version::ActiveModel {
        plan_id: Set(plan.id),
        number: Set(number),
        status: Set(status.code().into()),
        reason: Set(clean(reason)),
        author_user_id: Set(Some(actor.user_id)),
        author: Set(actor.username.clone()),
        created_at: Set(now),
        submitted_at: Set(None),
        decided_by_user_id: Set(published.then_some(actor.user_id)),
        decided_by: Set(published.then(|| actor.username.clone())),
        decided_at: Set(published.then_some(now)),
        comment: Set(None),
        published_at: Set(published.then_some(now)),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

fn clean(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

fn version_ref(plan: &plan::Model, v: &plan_version::Model, tree: &OrgTree) -> VersionRef {
    VersionRef {
        plan: plan.id,
        year: plan.year,
        unit: tree
            .get(plan.unit_id)
            .map(|u| u.code.clone())
            .unwrap_or_default(),
        version: v.number,
        status: v.status.clone(),
    }
}

/// Inserts items, or on their key replaces value and before.
async fn upsert_items<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<plan_item::ActiveModel>,
) -> Result<()> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<plan_item::ActiveModel> = rows.by_ref().take(2000).collect();
        plan_item::Entity::insert_many(chunk)
            .on_conflict(
                OnConflict::columns([
                    plan_item::Column::VersionId,
                    plan_item::Column::SubjectKind,
                    plan_item::Column::SubjectId,
                    plan_item::Column::Period,
                    plan_item::Column::MetricId,
                ])
                .update_columns([plan_item::Column::Value, plan_item::Column::Before])
                .to_owned(),
            )
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

fn item_row(
    version: i64,
    metric: i64,
    subject: Subject,
    period: &str,
    value: Option<i64>,
    before: Option<i64>,
) -> plan_item::ActiveModel {
    plan_item::ActiveModel {
        version_id: Set(version),
        metric_id: Set(metric),
        subject_kind: Set(subject.kind().into()),
        subject_id: Set(subject.id()),
        period: Set(period.into()),
        value: Set(value),
        before: Set(before),
        ..Default::default()
    }
}

/// Target changes, checked: the GM's and admin's are applied and recorded
/// as a published version per fiscal year; anyone else's go into the draft
/// of their unit's plan. Runs in the caller's figures-lane transaction.
pub(crate) async fn change_targets<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    fy: FiscalYear,
    tree: &OrgTree,
    metrics: &[MetricRow],
    checked: Vec<Checked>,
    reason: Option<&str>,
) -> Result<WriteSummary> {
    let Some(home) = home_unit(actor, tree) else {
        return Err(Error::Forbidden);
    };
    // One value per key, the last one given, whichever path and database:
    // PostgreSQL refuses an upsert that touches a row twice.
    let mut last: HashMap<(i64, Subject, String), usize> = HashMap::with_capacity(checked.len());
    for (i, c) in checked.iter().enumerate() {
        last.insert((c.metric, c.subject.subject, c.period.clone()), i);
    }
    let mut by_year: BTreeMap<i32, Vec<Checked>> = BTreeMap::new();
    for (i, c) in checked.into_iter().enumerate() {
        if last.get(&(c.metric, c.subject.subject, c.period.clone())) != Some(&i) {
            continue;
        }
        let year = c.period.parse().map_or(0, |p| plan_year(fy, p));
        by_year.entry(year).or_default().push(c);
    }
    let mut summary = WriteSummary::default();
    for (year, items) in by_year {
        let plan = plan_of(txn, year, home).await?;
        if actor.publishes_targets_directly() {
            let tiers = items
                .iter()
                .any(|c| c.floor.is_some() || c.stretch.is_some());
            let published = if tiers {
                publish_with_tiers(txn, actor, tree, metrics, &plan, items, reason).await?
            } else {
                publish_targets(txn, actor, tree, metrics, &plan, items, reason).await?
            };
            summary.changed += published.changed;
            summary.unchanged += published.unchanged;
            if let Some(version) = published.version {
                record(
                    txn,
                    actor,
                    "plan.publish",
                    &plan,
                    &version,
                    tree,
                    published.changed,
                )
                .await?;
                summary.published.push(version_ref(&plan, &version, tree));
            }
        } else {
            if items
                .iter()
                .any(|c| c.floor.is_some() || c.stretch.is_some())
            {
                return Err(Error::Invalid(vec![FieldError::new(
                    "items",
                    "a plan draft holds targets only; 保底 and 挑战 tiers are set by the GM",
                    "方案草稿只包含目标值；保底和挑战值由总经理设置",
                )]));
            }
            let version = open_draft(txn, &plan, actor, reason).await?;
            let published = published_targets(txn, &items).await?;
            let mut rows = Vec::new();
            for c in &items {
                let before = published
                    .get(&(c.metric, c.subject.subject, c.period.clone()))
                    .copied()
                    .flatten();
                if before == c.value {
                    summary.unchanged += 1;
                } else {
                    summary.changed += 1;
                }
                rows.push(item_row(
                    version.id,
                    c.metric,
                    c.subject.subject,
                    &c.period,
                    c.value,
                    before,
                ));
            }
            upsert_items(txn, rows).await?;
            record(txn, actor, "plan.draft", &plan, &version, tree, items.len()).await?;
            summary.pending.push(version_ref(&plan, &version, tree));
        }
    }
    Ok(summary)
}

/// What publishing a batch did.
struct Published {
    /// The new version; `None` when nothing changed.
    version: Option<plan_version::Model>,
    changed: usize,
    unchanged: usize,
}

/// Publishes targets with their 保底/挑战 tiers through the general write
/// path, which reads every figure first to keep what a batch leaves out.
async fn publish_with_tiers<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    tree: &OrgTree,
    metrics: &[MetricRow],
    plan: &plan::Model,
    items: Vec<Checked>,
    reason: Option<&str>,
) -> Result<Published> {
    let applied = figures::apply(
        txn,
        Some(actor),
        Measure::Target,
        tree,
        metrics,
        items,
        AuditAs::Batch,
    )
    .await?;
    let mut out = Published {
        version: None,
        changed: applied.summary.changed,
        unchanged: applied.summary.unchanged,
    };
    if applied.changed.is_empty() {
        return Ok(out);
    }
    let version = new_version(txn, plan, actor, Status::Published, reason).await?;
    let rows = applied
        .changed
        .iter()
        .map(|c| {
            item_row(
                version.id, c.metric, c.subject, &c.period, c.after, c.before,
            )
        })
        .collect();
    upsert_items(txn, rows).await?;
    out.version = Some(version);
    Ok(out)
}

/// Publishes plain targets set-based: the version's items go in first,
/// what each replaces is copied from the figures in one statement, items
/// that change nothing are dropped, and only then are the figures set and
/// rolled up. No figure is read into memory, so a split to every
/// salesperson and month saves in a few statements.
async fn publish_targets<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    tree: &OrgTree,
    metrics: &[MetricRow],
    plan: &plan::Model,
    items: Vec<Checked>,
    reason: Option<&str>,
) -> Result<Published> {
    let version = new_version(txn, plan, actor, Status::Published, reason).await?;
    let rows: Vec<plan_item::ActiveModel> = items
        .iter()
        .map(|c| {
            item_row(
                version.id,
                c.metric,
                c.subject.subject,
                &c.period,
                c.value,
                None,
            )
        })
        .collect();
    upsert_items(txn, rows).await?;
    let backend = txn.get_database_backend();
    txn.execute_raw(super::statement(
        backend,
        "UPDATE plan_item SET \"before\" = (SELECT f.target FROM figure f \
         WHERE f.subject_kind = plan_item.subject_kind AND f.subject_id = plan_item.subject_id \
         AND f.period = plan_item.period AND f.metric_id = plan_item.metric_id) \
         WHERE version_id = ?",
        vec![version.id.into()],
    ))
    .await?;
    let dropped = txn
        .execute_raw(super::statement(
            backend,
            "DELETE FROM plan_item WHERE version_id = ? \
             AND (\"before\" = value OR (\"before\" IS NULL AND value IS NULL))",
            vec![version.id.into()],
        ))
        .await?
        .rows_affected() as usize;
    let changed = items.len().saturating_sub(dropped);
    if changed == 0 {
        plan_version::Entity::delete_by_id(version.id)
            .exec(txn)
            .await?;
        return Ok(Published {
            version: None,
            changed: 0,
            unchanged: items.len(),
        });
    }
    figures::set_targets(txn, tree, metrics, &items).await?;
    Ok(Published {
        version: Some(version),
        changed,
        unchanged: dropped,
    })
}

/// The draft (or returned version) of a plan, created when there is none;
/// refused while a version waits for approval.
async fn open_draft<C: ConnectionTrait>(
    txn: &C,
    plan: &plan::Model,
    actor: &Actor,
    reason: Option<&str>,
) -> Result<plan_version::Model> {
    if !actor.may_draft_plan(plan.unit_id) {
        return Err(Error::Forbidden);
    }
    match latest_version(txn, plan.id).await? {
        Some(v) if Status::parse(&v.status).is_editable() => {
            if let Some(reason) = clean(reason) {
                let mut active: plan_version::ActiveModel = v.into();
                active.reason = Set(Some(reason));
                return Ok(active.update(txn).await?);
            }
            Ok(v)
        }
        Some(v)
            if matches!(
                Status::parse(&v.status),
                Status::Submitted | Status::Approved
            ) =>
        {
            Err(Error::Invalid(vec![FieldError::new(
                "plan",
                format!(
                    "version {} of this plan is {}; wait for it to be published or returned before changing targets",
                    v.number, v.status
                ),
                format!(
                    "本方案第 {} 版正在审批中，请等待发布或退回后再修改目标",
                    v.number
                ),
            )]))
        }
        _ => new_version(txn, plan, actor, Status::Draft, reason).await,
    }
}

/// The published targets (as set, not rolled up) of a batch's keys.
async fn published_targets<C: ConnectionTrait>(
    conn: &C,
    items: &[Checked],
) -> Result<HashMap<(i64, Subject, String), Option<i64>>> {
    Ok(figures::preload(conn, items)
        .await?
        .into_iter()
        .map(|(k, f)| (k, f.target))
        .collect())
}

async fn record<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    action: &str,
    plan: &plan::Model,
    version: &plan_version::Model,
    tree: &OrgTree,
    items: usize,
) -> Result<()> {
    let unit = tree.get(plan.unit_id).map_or("?", |u| u.code.as_str());
    audit::record(
        conn,
        Some(actor),
        action,
        "plan",
        &format!("{} {unit} v{}", plan.year, version.number),
        None,
        Some(json!({"status": version.status, "items": items, "reason": version.reason, "comment": version.comment})),
    )
    .await
}

// ------------------------------------------------------------ the workflow

/// A step of the approval workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Submit,
    Approve,
    Return,
    Publish,
}

impl Step {
    fn action(self) -> &'static str {
        match self {
            Step::Submit => "plan.submit",
            Step::Approve => "plan.approve",
            Step::Return => "plan.return",
            Step::Publish => "plan.publish",
        }
    }
}

/// Takes a workflow step on version `number` of plan `plan_id`.
///
/// Submit: the plan unit's manager, from draft or returned. Approve and
/// return: the next manager up, the GM or admin — never the author; a
/// return needs a comment. Publish: an approved version, by its approver,
/// the GM, admin or the plan unit's manager; this writes the targets.
pub async fn step(
    db: &Db,
    actor: &Actor,
    plan_id: i64,
    number: i32,
    step: Step,
    comment: Option<&str>,
) -> Result<VersionRef> {
    let txn = begin_write(db, Lane::Figures).await?;
    let tree = load_org_tree(&txn).await?;
    let (plan, version) = find_version(&txn, actor, &tree, plan_id, number).await?;
    let status = Status::parse(&version.status);
    let may_approve = actor.may_approve_plan(&tree, plan.unit_id, version.author_user_id);
    let allowed = match step {
        Step::Submit => actor.may_draft_plan(plan.unit_id),
        Step::Approve | Step::Return => may_approve,
        Step::Publish => {
            may_approve
                || actor.may_draft_plan(plan.unit_id)
                || version.decided_by_user_id == Some(actor.user_id)
        }
    };
    if !allowed {
        return Err(Error::Forbidden);
    }
    let from_ok = match step {
        Step::Submit => status.is_editable(),
        Step::Approve => status == Status::Submitted,
        // An approved version that cannot be published (the org changed
        // under it) goes back to its author rather than sticking.
        Step::Return => matches!(status, Status::Submitted | Status::Approved),
        Step::Publish => status == Status::Approved,
    };
    if !from_ok {
        let wanted = match step {
            Step::Submit => "a draft or a returned version",
            Step::Approve => "a submitted version",
            Step::Return => "a submitted or approved version",
            Step::Publish => "an approved version",
        };
        return Err(Error::Invalid(vec![FieldError::new(
            "status",
            format!(
                "version {} is {}; this step needs {wanted}",
                version.number, version.status
            ),
            format!(
                "第 {} 版当前状态为 {}，不能执行此操作",
                version.number, version.status
            ),
        )]));
    }
    let comment = clean(comment);
    if step == Step::Return && comment.is_none() {
        return Err(Error::Invalid(vec![FieldError::new(
            "comment",
            "say why the plan is returned",
            "退回时请填写原因",
        )]));
    }
    let now = Utc::now();
    let items = plan_item::Entity::find()
        .filter(plan_item::Column::VersionId.eq(version.id))
        .all(&txn)
        .await?;
    if step == Step::Submit && items.is_empty() {
        return Err(Error::Invalid(vec![FieldError::new(
            "items",
            "the draft changes no target yet",
            "草稿中还没有任何目标变更",
        )]));
    }
    let mut active: plan_version::ActiveModel = version.clone().into();
    match step {
        Step::Submit => {
            active.status = Set(Status::Submitted.code().into());
            active.submitted_at = Set(Some(now));
        }
        Step::Approve | Step::Return => {
            let to = if step == Step::Approve {
                Status::Approved
            } else {
                Status::Returned
            };
            active.status = Set(to.code().into());
            active.decided_by_user_id = Set(Some(actor.user_id));
            active.decided_by = Set(Some(actor.username.clone()));
            active.decided_at = Set(Some(now));
            active.comment = Set(comment.clone());
        }
        Step::Publish => {
            publish_items(&txn, actor, &tree, &plan, &items).await?;
            active.status = Set(Status::Published.code().into());
            active.published_at = Set(Some(now));
        }
    }
    let version = active.update(&txn).await?;
    record(
        &txn,
        actor,
        step.action(),
        &plan,
        &version,
        &tree,
        items.len(),
    )
    .await?;
    let out = version_ref(&plan, &version, &tree);
    txn.commit().await?;
    Ok(out)
}

/// Writes an approved version's targets, recording each item's value
/// before as it stands now.
async fn publish_items<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    tree: &OrgTree,
    plan: &plan::Model,
    items: &[plan_item::Model],
) -> Result<()> {
    let metrics = load_metrics(txn).await?;
    let locks = figures::locked_periods(txn).await?;
    let person_ids: BTreeSet<i64> = items
        .iter()
        .filter(|i| i.subject_kind == "person")
        .map(|i| i.subject_id)
        .collect();
    let mut people = HashMap::new();
    for chunk in person_ids.into_iter().collect::<Vec<_>>().chunks(500) {
        for p in person::Entity::find()
            .filter(person::Column::Id.is_in(chunk.iter().copied()))
            .all(txn)
            .await?
        {
            people.insert(p.id, p);
        }
    }
    let mut errors = Vec::new();
    let mut checked = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let subject = Subject::of_row(&item.subject_kind, item.subject_id);
        let info = match subject {
            Subject::Unit(id) => tree.get(id).map(SubjectInfo::unit),
            Subject::Person(id) => people
                .get(&id)
                .map(|p| SubjectInfo::person(p.id, &p.employee_no, &p.name, p.unit_id)),
        };
        // The org may have changed since the draft: everything must still
        // be inside the plan's unit.
        let Some(info) = info.filter(|s| tree.is_within(s.unit_id, plan.unit_id)) else {
            errors.push(FieldError::new(
                format!("items[{i}]"),
                "this target's unit or person is no longer inside the plan's unit".to_owned(),
                "该目标所属的部门或人员已不在本方案的部门内".to_owned(),
            ));
            continue;
        };
        if let Ok(p) = item.period.parse::<Period>()
            && figures::is_locked(&locks, p)
        {
            errors.push(FieldError::new(
                format!("items[{i}].period"),
                format!("{p} is locked; reopen it with a reason first"),
                format!("{p} 已锁定，请先说明原因重新开放"),
            ));
            continue;
        }
        checked.push(Checked {
            metric: item.metric_id,
            subject: info,
            period: item.period.clone(),
            value: item.value,
            floor: None,
            stretch: None,
        });
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let applied = figures::apply(
        txn,
        Some(actor),
        Measure::Target,
        tree,
        &metrics,
        checked,
        AuditAs::Batch,
    )
    .await?;
    // Record what each item replaced, as published until now.
    let befores: HashMap<(i64, Subject, String), Option<i64>> = applied
        .changed
        .into_iter()
        .map(|c| ((c.metric, c.subject, c.period), c.before))
        .collect();
    let rows = items
        .iter()
        .map(|i| {
            let subject = Subject::of_row(&i.subject_kind, i.subject_id);
            let before = befores
                .get(&(i.metric_id, subject, i.period.clone()))
                .copied()
                .unwrap_or(i.value);
            item_row(
                i.version_id,
                i.metric_id,
                subject,
                &i.period,
                i.value,
                before,
            )
        })
        .collect();
    upsert_items(txn, rows).await
}

async fn find_version<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    tree: &OrgTree,
    plan_id: i64,
    number: i32,
) -> Result<(plan::Model, plan_version::Model)> {
    let plan = find_plan(conn, actor, tree, plan_id).await?;
    let version = plan_version::Entity::find()
        .filter(plan_version::Column::PlanId.eq(plan.id))
        .filter(plan_version::Column::Number.eq(number))
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    Ok((plan, version))
}

/// A plan the actor may read; any other answers not found.
async fn find_plan<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    tree: &OrgTree,
    plan_id: i64,
) -> Result<plan::Model> {
    plan::Entity::find_by_id(plan_id)
        .one(conn)
        .await?
        .filter(|p| actor.plans_read().covers(tree, p.unit_id, None))
        .ok_or(Error::NotFound)
}

// ---------------------------------------------------------------- reading

/// A version as listed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VersionView {
    pub version: i32,
    pub status: String,
    pub reason: Option<String>,
    pub author: String,
    pub created_at: String,
    pub submitted_at: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub comment: Option<String>,
    pub published_at: Option<String>,
    /// How many targets it sets.
    pub items: usize,
}

/// A plan with its versions, newest first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanView {
    pub plan: i64,
    pub year: i32,
    pub unit: String,
    pub unit_name: String,
    pub versions: Vec<VersionView>,
    /// What the actor may do with the latest version: `submit`, `approve`,
    /// `return`, `publish`.
    pub actions: Vec<String>,
}

fn stamp(t: Option<chrono::DateTime<Utc>>) -> Option<String> {
    t.map(|t| t.to_rfc3339())
}

/// The plans of a year the actor may read, each with its versions.
pub async fn list(db: &Db, actor: &Actor, year: Option<i32>) -> Result<Vec<PlanView>> {
    let tree = load_org_tree(db).await?;
    let reach = actor.plans_read();
    let mut query = plan::Entity::find().order_by_asc(plan::Column::Year);
    if let Some(y) = year {
        query = query.filter(plan::Column::Year.eq(y));
    }
    let plans: Vec<plan::Model> = query
        .all(db)
        .await?
        .into_iter()
        .filter(|p| reach.covers(&tree, p.unit_id, None))
        .collect();
    let mut out = Vec::with_capacity(plans.len());
    for p in plans {
        out.push(plan_view(db, actor, &tree, p).await?);
    }
    Ok(out)
}

/// One plan with its versions.
pub async fn get(db: &Db, actor: &Actor, plan_id: i64) -> Result<PlanView> {
    let tree = load_org_tree(db).await?;
    let plan = find_plan(db, actor, &tree, plan_id).await?;
    plan_view(db, actor, &tree, plan).await
}

/// The plan of a unit and year, if it has one the actor may read.
pub async fn find_for(db: &Db, actor: &Actor, year: i32, unit: UnitId) -> Result<Option<PlanView>> {
    let tree = load_org_tree(db).await?;
    let Some(plan) = plan::Entity::find()
        .filter(plan::Column::Year.eq(year))
        .filter(plan::Column::UnitId.eq(unit))
        .one(db)
        .await?
        .filter(|p| actor.plans_read().covers(&tree, p.unit_id, None))
    else {
        return Ok(None);
    };
    Ok(Some(plan_view(db, actor, &tree, plan).await?))
}

async fn plan_view<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    tree: &OrgTree,
    plan: plan::Model,
) -> Result<PlanView> {
    let versions = plan_version::Entity::find()
        .filter(plan_version::Column::PlanId.eq(plan.id))
        .order_by_desc(plan_version::Column::Number)
        .all(conn)
        .await?;
    let ids: Vec<i64> = versions.iter().map(|v| v.id).collect();
    let mut counts: HashMap<i64, usize> = HashMap::new();
    // Counted by the database: a company-wide version holds 100,000s of items.
    for chunk in ids.chunks(500) {
        use sea_orm::QuerySelect;
        let rows: Vec<(i64, i64)> = plan_item::Entity::find()
            .select_only()
            .column(plan_item::Column::VersionId)
            .column_as(plan_item::Column::Id.count(), "items")
            .filter(plan_item::Column::VersionId.is_in(chunk.iter().copied()))
            .group_by(plan_item::Column::VersionId)
            .into_tuple()
            .all(conn)
            .await?;
        for (version, n) in rows {
            counts.insert(version, usize::try_from(n).unwrap_or(0));
        }
    }
    let mut actions = Vec::new();
    if let Some(latest) = versions.first() {
        let status = Status::parse(&latest.status);
        let may_approve = actor.may_approve_plan(tree, plan.unit_id, latest.author_user_id);
        if status.is_editable() && actor.may_draft_plan(plan.unit_id) {
            actions.push("submit".to_owned());
        }
        if status == Status::Submitted && may_approve {
            actions.extend(["approve".to_owned(), "return".to_owned()]);
        }
        if status == Status::Approved && may_approve {
            actions.push("return".to_owned());
        }
        if status == Status::Approved
            && (may_approve
                || actor.may_draft_plan(plan.unit_id)
                || latest.decided_by_user_id == Some(actor.user_id))
        {
            actions.push("publish".to_owned());
        }
    }
    let unit = tree.get(plan.unit_id);
    Ok(PlanView {
        plan: plan.id,
        year: plan.year,
        unit: unit.map(|u| u.code.clone()).unwrap_or_default(),
        unit_name: unit.map(|u| u.name.clone()).unwrap_or_default(),
        versions: versions
            .into_iter()
            .map(|v| VersionView {
                items: counts.get(&v.id).copied().unwrap_or(0),
                version: v.number,
                status: v.status,
                reason: v.reason,
                author: v.author,
                created_at: v.created_at.to_rfc3339(),
                submitted_at: stamp(v.submitted_at),
                decided_by: v.decided_by,
                decided_at: stamp(v.decided_at),
                comment: v.comment,
                published_at: stamp(v.published_at),
            })
            .collect(),
        actions,
    })
}

/// One target's change between two versions.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChangeView {
    pub metric: String,
    /// `unit:HD` or `person:E0007`.
    pub subject: String,
    pub subject_name: String,
    pub period: String,
    /// The target as of the older version, and the newer; null when unset.
    pub from: Option<String>,
    pub to: Option<String>,
    /// The versions in between that set it.
    pub versions: Vec<i32>,
}

/// What changed from one version of a plan to another.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Comparison {
    pub plan: i64,
    pub from: i32,
    pub to: i32,
    /// The versions after `from` up to `to`: who, when, why.
    pub versions: Vec<VersionView>,
    pub changes: Vec<ChangeView>,
}

/// Compares versions `a` and `b` of a plan (in either order): every target
/// set by a version after the older up to the newer, with its value as of
/// each. Version 0 is "before the plan".
pub async fn compare(db: &Db, actor: &Actor, plan_id: i64, a: i32, b: i32) -> Result<Comparison> {
    let (from, to) = (a.min(b), a.max(b));
    let plan_view = get(db, actor, plan_id).await?;
    let known = |n: i32| n == 0 || plan_view.versions.iter().any(|v| v.version == n);
    for (field, n) in [("from", a), ("to", b)] {
        if !known(n) {
            return Err(Error::Invalid(vec![FieldError::new(
                field,
                format!("this plan has no version {n}"),
                format!("本方案没有第 {n} 版"),
            )]));
        }
    }
    let versions = plan_version::Entity::find()
        .filter(plan_version::Column::PlanId.eq(plan_id))
        .filter(plan_version::Column::Number.gt(from))
        .filter(plan_version::Column::Number.lte(to))
        .order_by_asc(plan_version::Column::Number)
        .all(db)
        .await?;
    let numbers: HashMap<i64, i32> = versions.iter().map(|v| (v.id, v.number)).collect();
    let mut items = Vec::new();
    for chunk in versions
        .iter()
        .map(|v| v.id)
        .collect::<Vec<_>>()
        .chunks(500)
    {
        items.extend(
            plan_item::Entity::find()
                .filter(plan_item::Column::VersionId.is_in(chunk.iter().copied()))
                .all(db)
                .await?,
        );
    }
    items.sort_by_key(|i| numbers.get(&i.version_id).copied().unwrap_or(0));
    // Key → (value before the first version touching it, value after the
    // last, the versions).
    type Key = (i64, Subject, String);
    type Span = (Option<i64>, Option<i64>, Vec<i32>);
    let mut changes: BTreeMap<Key, Span> = BTreeMap::new();
    for i in &items {
        let key = (
            i.metric_id,
            Subject::of_row(&i.subject_kind, i.subject_id),
            i.period.clone(),
        );
        let n = numbers.get(&i.version_id).copied().unwrap_or(0);
        let e = changes
            .entry(key)
            .or_insert((i.before, i.value, Vec::new()));
        e.1 = i.value;
        e.2.push(n);
    }
    let tree = load_org_tree(db).await?;
    let metrics = load_metrics(db).await?;
    let metric_of: HashMap<i64, &MetricRow> = metrics.iter().map(|m| (m.id, m)).collect();
    let person_ids: Vec<i64> = changes
        .keys()
        .filter_map(|(_, s, _)| match s {
            Subject::Person(id) => Some(*id),
            Subject::Unit(_) => None,
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut people = HashMap::new();
    for chunk in person_ids.chunks(500) {
        for p in person::Entity::find()
            .filter(person::Column::Id.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            people.insert(p.id, (format!("person:{}", p.employee_no), p.name));
        }
    }
    let changes = changes
        .into_iter()
        .filter(|(_, (before, after, _))| before != after)
        .map(|((metric, subject, period), (before, after, versions))| {
            let m = metric_of.get(&metric);
            let fmt = |v: Option<i64>| {
                v.map(|v| m.map_or(v.to_string(), |m| format_value(m.def.kind, v)))
            };
            let (key, name) = match subject {
                Subject::Unit(id) => tree
                    .get(id)
                    .map(|u| (format!("unit:{}", u.code), u.name.clone()))
                    .unwrap_or_default(),
                Subject::Person(id) => people.get(&id).cloned().unwrap_or_default(),
            };
            ChangeView {
                metric: m.map(|m| m.def.code.clone()).unwrap_or_default(),
                subject: key,
                subject_name: name,
                period,
                from: fmt(before),
                to: fmt(after),
                versions,
            }
        })
        .collect();
    Ok(Comparison {
        plan: plan_id,
        from,
        to,
        versions: plan_view
            .versions
            .into_iter()
            .filter(|v| v.version > from && v.version <= to)
            .rev()
            .collect(),
        changes,
    })
}

/// The targets a plan's open draft proposes (for the decomposition page to
/// show over the published ones), keyed by (metric, subject, period).
pub(crate) async fn draft_targets<C: ConnectionTrait>(
    conn: &C,
    year: i32,
    unit: UnitId,
) -> Result<HashMap<(i64, Subject, String), Option<i64>>> {
    let Some(plan) = plan::Entity::find()
        .filter(plan::Column::Year.eq(year))
        .filter(plan::Column::UnitId.eq(unit))
        .one(conn)
        .await?
    else {
        return Ok(HashMap::new());
    };
    let Some(latest) = latest_version(conn, plan.id)
        .await?
        .filter(|v| Status::parse(&v.status) != Status::Published)
    else {
        return Ok(HashMap::new());
    };
    Ok(plan_item::Entity::find()
        .filter(plan_item::Column::VersionId.eq(latest.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|i| {
            (
                (
                    i.metric_id,
                    Subject::of_row(&i.subject_kind, i.subject_id),
                    i.period,
                ),
                i.value,
            )
        })
        .collect())
}
