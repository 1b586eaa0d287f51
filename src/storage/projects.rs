//! Projects and sales opportunities (项目/商机): stages configured by the
//! admin, each with a follow-up cadence; projects owned by a salesperson,
//! their follow-ups (跟进记录), the orders a won project led to, and the
//! overdue list (a project not followed up within its stage's cadence).
//!
//! Reach is a customer's: [`Actor::customers_read`] and
//! [`Actor::customers_write`] on the project's owner and the owner's unit.
//! Every change is audited in its own transaction, a stage move as its own
//! entry (`stage`, from → to).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Value, json};

use super::entity::{
    customer, order_credit, person, project, project_followup, project_order, project_stage,
    sales_order,
};
use super::org::load_org_tree;
use super::{Db, Error, FieldError, Result, audit};
use crate::domain::access::{Actor, PersonId, Reach};
use crate::domain::metric::{Kind, format_value};
use crate::domain::org::OrgTree;

/// The company's today and time zone: a project's created day and the
/// overdue list are read in it.
#[derive(Debug, Clone, Copy)]
pub struct Today {
    pub date: NaiveDate,
    pub tz: chrono_tz::Tz,
}

impl Today {
    pub fn now(tz: chrono_tz::Tz) -> Today {
        Today {
            date: Utc::now().with_timezone(&tz).date_naive(),
            tz,
        }
    }

    /// The company's calendar day of an instant.
    pub fn day_of(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.tz).date_naive()
    }
}

/// A write transaction of the sales process that feeds no figure: on
/// SQLite `BEGIN IMMEDIATE` (a read-then-write transaction must not fail
/// when another writer commits in between), a plain transaction on
/// PostgreSQL, where unique keys and foreign keys settle races.
pub(crate) async fn begin_immediate(db: &Db) -> Result<DatabaseTransaction> {
    use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
    Ok(db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await?)
}

/// Tells "field absent" (`None`) from "field set to null" (`Some(None)`).
pub(crate) fn double_option<'de, D, T>(d: D) -> std::result::Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A date as stored, `YYYY-MM-DD`, or the field's error.
pub(crate) fn parse_day(field: &str, text: &str) -> std::result::Result<NaiveDate, FieldError> {
    let t = text.trim();
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .ok()
        .filter(|d| t.len() == 10 && (2000..=2100).contains(&chrono::Datelike::year(d)))
        .ok_or_else(|| {
            FieldError::new(
                field,
                format!("\"{text}\" is not a date such as 2026-11-28"),
                format!("\"{text}\" 不是有效日期，例如 2026-11-28"),
            )
        })
}

pub(crate) fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Trimmed text of at most `max` characters, `None` when empty.
pub(crate) fn check_text(
    errors: &mut Vec<FieldError>,
    field: &str,
    text: Option<&str>,
    max: usize,
) -> Option<String> {
    let t = text.map(str::trim).filter(|t| !t.is_empty())?;
    if t.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("at most {max} characters"),
            format!("最多 {max} 个字"),
        ));
        return None;
    }
    Some(t.to_owned())
}

// ---------------------------------------------------------------- stages

/// A stage as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StageView {
    pub code: String,
    pub name: String,
    pub name_en: String,
    /// 1, 2, … in the order projects go through the stages.
    pub position: i32,
    /// A project in this stage is overdue when its last follow-up (or,
    /// without any, its creation) is more than this many days ago.
    pub cadence_days: i32,
    /// Inactive stages take no new projects but keep theirs.
    pub active: bool,
    /// Projects now in this stage.
    pub projects: u64,
}

/// One stage of `PUT /api/v1/project-stages`, in order.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageInput {
    /// Lower-case letters, digits, `_` or `-`, at most 32.
    pub code: String,
    pub name: String,
    /// The English name; the Chinese one when left out.
    #[serde(default)]
    pub name_en: Option<String>,
    /// 1–365.
    pub cadence_days: i64,
    #[serde(default)]
    pub active: Option<bool>,
}

/// Every stage, in order, with how many projects each holds.
pub async fn list_stages<C: ConnectionTrait>(conn: &C) -> Result<Vec<StageView>> {
    let stages = project_stage::Entity::find()
        .order_by_asc(project_stage::Column::Position)
        .order_by_asc(project_stage::Column::Code)
        .all(conn)
        .await?;
    let counts = stage_counts(conn).await?;
    Ok(stages
        .into_iter()
        .enumerate()
        .map(|(i, s)| StageView {
            projects: counts.get(&s.code).copied().unwrap_or(0),
            position: i as i32 + 1,
            code: s.code,
            name: s.name,
            name_en: s.name_en,
            cadence_days: s.cadence_days,
            active: s.active,
        })
        .collect())
}

async fn stage_counts<C: ConnectionTrait>(conn: &C) -> Result<HashMap<String, u64>> {
    use sea_orm::QuerySelect;
    let rows: Vec<(String, i64)> = project::Entity::find()
        .select_only()
        .column(project::Column::Stage)
        .column_as(project::Column::Id.count(), "n")
        .group_by(project::Column::Stage)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(s, n)| (s, u64::try_from(n).unwrap_or(0)))
        .collect())
}

fn valid_stage_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 32
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// Replaces the stage set: names, order (the order given), cadence and
/// whether each takes new projects. A stage left out is removed, unless
/// projects are in it. All or nothing, audited as one entry.
pub async fn put_stages(db: &Db, actor: &Actor, items: &[StageInput]) -> Result<Vec<StageView>> {
    if !actor.may_manage_metrics() {
        return Err(Error::Forbidden);
    }
    let txn = begin_immediate(db).await?;
    let before = list_stages(&txn).await?;
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    let mut rows = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let f = |name: &str| format!("items[{i}].{name}");
        let code = item.code.trim();
        if !valid_stage_code(code) {
            errors.push(FieldError::new(
                f("code"),
                format!(
                    "\"{}\" is not a stage code (lower-case letters, digits, _ or -, at most 32)",
                    item.code
                ),
                format!(
                    "\"{}\" 不是有效的阶段编码（小写字母、数字、_ 或 -，最多 32 个）",
                    item.code
                ),
            ));
        } else if !seen.insert(code.to_owned()) {
            errors.push(FieldError::new(
                f("code"),
                format!("stage \"{code}\" appears twice"),
                format!("阶段 \"{code}\" 重复出现"),
            ));
        }
        let name = item.name.trim();
        if name.is_empty() || name.chars().count() > 64 {
            errors.push(FieldError::new(
                f("name"),
                "give a name of 1–64 characters",
                "请填写名称（1–64 个字）",
            ));
        }
        let name_en = item
            .name_en
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or(name);
        if name_en.chars().count() > 64 {
            errors.push(FieldError::new(
                f("name_en"),
                "at most 64 characters",
                "最多 64 个字",
            ));
        }
        if !(1..=365).contains(&item.cadence_days) {
            errors.push(FieldError::new(
                f("cadence_days"),
                format!(
                    "{} is not a number of days from 1 to 365",
                    item.cadence_days
                ),
                format!("{} 天无效，应为 1 到 365 天", item.cadence_days),
            ));
        }
        rows.push(project_stage::Model {
            code: code.to_owned(),
            name: name.to_owned(),
            name_en: name_en.to_owned(),
            position: (i as i32 + 1) * 10,
            cadence_days: i32::try_from(item.cadence_days).unwrap_or(1),
            active: item.active.unwrap_or(true),
        });
    }
    if !rows.iter().any(|r| r.active) {
        errors.push(FieldError::new(
            "items",
            "keep at least one active stage: new projects start in it",
            "至少保留一个启用的阶段：新项目从这里开始",
        ));
    }
    for old in &before {
        if !seen.contains(&old.code) && old.projects > 0 {
            errors.push(FieldError::new(
                "items",
                format!(
                    "stage \"{}\" ({}) holds {} project(s) and cannot be removed; move them or deactivate the stage instead",
                    old.code, old.name_en, old.projects
                ),
                format!(
                    "阶段「{}」中还有 {} 个项目，不能删除；请先移走这些项目，或停用该阶段",
                    old.name, old.projects
                ),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    for old in &before {
        if !seen.contains(&old.code) {
            project_stage::Entity::delete_by_id(old.code.clone())
                .exec(&txn)
                .await?;
        }
    }
    for row in rows {
        let exists = before.iter().any(|b| b.code == row.code);
        let am = row.into_active_model();
        if exists {
            am.reset_all().update(&txn).await?;
        } else {
            am.reset_all().insert(&txn).await?;
        }
    }
    let after = list_stages(&txn).await?;
    let strip = |v: &[StageView]| {
        v.iter()
            .map(|s| json!({"code": s.code, "name": s.name, "name_en": s.name_en, "cadence_days": s.cadence_days, "active": s.active}))
            .collect::<Vec<_>>()
    };
    audit::record(
        &txn,
        Some(actor),
        "update",
        "project_stage",
        "stages",
        Some(json!(strip(&before))),
        Some(json!(strip(&after))),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

// ---------------------------------------------------------------- projects

/// Project statuses.
pub const STATUSES: [&str; 3] = ["open", "won", "lost"];

/// A project as pages and the API show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProjectView {
    pub id: i64,
    pub name: String,
    pub customer_id: Option<i64>,
    pub customer: Option<String>,
    /// 工号 of the owner.
    pub owner: String,
    pub owner_name: String,
    pub stage: String,
    pub stage_name: String,
    pub stage_name_en: String,
    /// Expected amount, yuan with two decimals: `"1250000.00"`.
    pub amount: String,
    /// Win probability in percent, 0–100.
    pub probability: i32,
    pub bid_on: Option<String>,
    pub delivery_on: Option<String>,
    pub acceptance_on: Option<String>,
    /// `open`, `won` or `lost`.
    pub status: String,
    pub last_followup_on: Option<String>,
    /// The stage's cadence in days.
    pub cadence_days: i32,
    /// When the next follow-up is due (open projects only).
    pub next_followup_due: Option<String>,
    /// Days past that date; 0 when not overdue.
    pub days_overdue: i64,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The caller may change it.
    pub may_write: bool,
}

/// One follow-up.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FollowupView {
    pub id: i64,
    pub followed_on: String,
    /// 工号 and name of who followed up.
    pub by: String,
    pub by_name: String,
    pub note: String,
    pub next_step: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// An order linked to a won project.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LinkedOrder {
    pub order_no: String,
    pub order_date: String,
    pub status: String,
    /// Yuan with two decimals.
    pub total: String,
}

/// A project with its follow-ups (newest first) and linked orders.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProjectDetail {
    #[serde(flatten)]
    pub project: ProjectView,
    pub followups: Vec<FollowupView>,
    pub orders: Vec<LinkedOrder>,
}

/// `POST /api/v1/projects`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProject {
    pub name: String,
    #[serde(default)]
    pub customer_id: Option<i64>,
    /// 工号 of the owner; the caller when left out.
    #[serde(default)]
    pub owner: Option<String>,
    /// A stage code; the first active stage when left out.
    #[serde(default)]
    pub stage: Option<String>,
    /// Yuan, a decimal string or number; 0 when left out.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub amount: Value,
    /// 0–100; 0 when left out.
    #[serde(default)]
    pub probability: Option<i64>,
    #[serde(default)]
    pub bid_on: Option<String>,
    #[serde(default)]
    pub delivery_on: Option<String>,
    #[serde(default)]
    pub acceptance_on: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// `PATCH /api/v1/projects/{id}`: only the fields present change; `null`
/// clears an optional one.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub customer_id: Option<Option<i64>>,
    pub owner: Option<String>,
    /// Moves the project to another stage (audited as a stage move).
    pub stage: Option<String>,
    #[schema(value_type = Option<String>)]
    pub amount: Option<Value>,
    pub probability: Option<i64>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub bid_on: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub delivery_on: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub acceptance_on: Option<Option<String>>,
    /// `open`, `won` or `lost`.
    pub status: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub note: Option<Option<String>>,
}

/// `POST /api/v1/projects/{id}/followups`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFollowup {
    /// `YYYY-MM-DD`, not in the future; today when left out.
    #[serde(default)]
    pub followed_on: Option<String>,
    pub note: String,
    #[serde(default)]
    pub next_step: Option<String>,
}

/// Narrows `GET /api/v1/projects`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct ProjectFilter {
    /// `open`, `won` or `lost`; every status when left out or `all`.
    pub status: Option<String>,
    /// A stage code.
    pub stage: Option<String>,
    /// 工号 of the owner.
    pub owner: Option<String>,
    pub customer_id: Option<i64>,
    /// Only overdue projects.
    pub overdue: Option<bool>,
}

/// `GET /api/v1/projects/overdue`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OverdueList {
    /// The company's today, against which the list was computed.
    pub today: String,
    /// Most overdue first.
    pub projects: Vec<ProjectView>,
}

/// Who a project belongs to, as reach needs it.
#[derive(Debug, Clone)]
struct Owner {
    id: PersonId,
    unit_id: i64,
    employee_no: String,
    name: String,
    active: bool,
}

async fn owners<C: ConnectionTrait>(
    conn: &C,
    ids: impl IntoIterator<Item = PersonId>,
) -> Result<HashMap<PersonId, Owner>> {
    let ids: Vec<PersonId> = ids
        .into_iter()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        for p in person::Entity::find()
            .filter(person::Column::Id.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
        {
            out.insert(
                p.id,
                Owner {
                    id: p.id,
                    unit_id: p.unit_id,
                    employee_no: p.employee_no,
                    name: p.name,
                    active: p.active,
                },
            );
        }
    }
    Ok(out)
}

async fn owner_by_no<C: ConnectionTrait>(conn: &C, employee_no: &str) -> Result<Option<Owner>> {
    Ok(person::Entity::find()
        .filter(person::Column::EmployeeNo.eq(employee_no.trim()))
        .one(conn)
        .await?
        .map(|p| Owner {
            id: p.id,
            unit_id: p.unit_id,
            employee_no: p.employee_no,
            name: p.name,
            active: p.active,
        }))
}

fn covers(reach: Reach, tree: &OrgTree, o: &Owner) -> bool {
    reach.covers(tree, o.unit_id, Some(o.id))
}

/// Customer id → (name, owner) for the customers named.
async fn customers<C: ConnectionTrait>(
    conn: &C,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, customer::Model>> {
    let ids: Vec<i64> = ids
        .into_iter()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        for c in customer::Entity::find()
            .filter(customer::Column::Id.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
        {
            out.insert(c.id, c);
        }
    }
    Ok(out)
}

/// Stage code → stage.
async fn stages_by_code<C: ConnectionTrait>(
    conn: &C,
) -> Result<BTreeMap<String, project_stage::Model>> {
    Ok(project_stage::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.code.clone(), s))
        .collect())
}

/// The follow-up due date and days overdue of a project today.
fn cadence_of(p: &project::Model, cadence_days: i32, today: &Today) -> (Option<NaiveDate>, i64) {
    if p.status != "open" {
        return (None, 0);
    }
    let base = p
        .last_followup_on
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .unwrap_or_else(|| today.day_of(p.created_at));
    let due = base + chrono::Duration::days(i64::from(cadence_days));
    let late = (today.date - due).num_days().max(0);
    (Some(due), late)
}

/// Everything needed to turn project rows into views.
struct Context {
    tree: OrgTree,
    owners: HashMap<PersonId, Owner>,
    customers: HashMap<i64, customer::Model>,
    stages: BTreeMap<String, project_stage::Model>,
}

impl Context {
    async fn load<C: ConnectionTrait>(conn: &C, rows: &[project::Model]) -> Result<Context> {
        Ok(Context {
            tree: load_org_tree(conn).await?,
            owners: owners(conn, rows.iter().map(|p| p.owner_person_id)).await?,
            customers: customers(conn, rows.iter().filter_map(|p| p.customer_id)).await?,
            stages: stages_by_code(conn).await?,
        })
    }

    fn readable(&self, actor: &Actor, p: &project::Model) -> bool {
        self.owners
            .get(&p.owner_person_id)
            .is_some_and(|o| covers(actor.customers_read(), &self.tree, o))
    }

    fn view(&self, actor: &Actor, p: &project::Model, today: &Today) -> ProjectView {
        let owner = self.owners.get(&p.owner_person_id);
        let stage = self.stages.get(&p.stage);
        let cadence = stage.map_or(14, |s| s.cadence_days);
        let (due, late) = cadence_of(p, cadence, today);
        ProjectView {
            id: p.id,
            name: p.name.clone(),
            customer_id: p.customer_id,
            customer: p
                .customer_id
                .and_then(|c| self.customers.get(&c))
                .map(|c| c.name.clone()),
            owner: owner.map(|o| o.employee_no.clone()).unwrap_or_default(),
            owner_name: owner.map(|o| o.name.clone()).unwrap_or_default(),
            stage: p.stage.clone(),
            stage_name: stage.map_or_else(|| p.stage.clone(), |s| s.name.clone()),
            stage_name_en: stage.map_or_else(|| p.stage.clone(), |s| s.name_en.clone()),
            amount: format_value(Kind::Amount, p.amount),
            probability: p.probability,
            bid_on: p.bid_on.clone(),
            delivery_on: p.delivery_on.clone(),
            acceptance_on: p.acceptance_on.clone(),
            status: p.status.clone(),
            last_followup_on: p.last_followup_on.clone(),
            cadence_days: cadence,
            next_followup_due: due.map(ymd),
            days_overdue: late,
            note: p.note.clone(),
            created_at: p.created_at,
            updated_at: p.updated_at,
            may_write: owner.is_some_and(|o| covers(actor.customers_write(), &self.tree, o)),
        }
    }
}

/// The projects the actor reads, newest first, narrowed by `filter`.
pub async fn list(
    db: &Db,
    actor: &Actor,
    filter: &ProjectFilter,
    today: &Today,
) -> Result<Vec<ProjectView>> {
    let reach = actor.customers_read();
    if reach == Reach::Nothing {
        return Ok(Vec::new());
    }
    let tree = load_org_tree(db).await?;
    let mut q = project::Entity::find().order_by_desc(project::Column::Id);
    match reach {
        Reach::Own(me) => q = q.filter(project::Column::OwnerPersonId.eq(me)),
        Reach::All => {}
        other => {
            let units = other.units(&tree).unwrap_or_default();
            q = q.filter(
                project::Column::OwnerPersonId.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(person::Column::Id)
                        .from(person::Entity)
                        .and_where(person::Column::UnitId.is_in(units))
                        .to_owned(),
                ),
            );
        }
    }
    if let Some(s) = filter
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != "all")
    {
        if !STATUSES.contains(&s) {
            return Err(Error::invalid(
                "status",
                format!("\"{s}\" is not one of open, won, lost"),
                format!("\"{s}\" 无效，应为 open（进行中）、won（赢单）或 lost（丢单）"),
            ));
        }
        q = q.filter(project::Column::Status.eq(s));
    }
    if let Some(s) = filter
        .stage
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        q = q.filter(project::Column::Stage.eq(s));
    }
    if let Some(no) = filter
        .owner
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match owner_by_no(db, no).await? {
            Some(o) => q = q.filter(project::Column::OwnerPersonId.eq(o.id)),
            None => return Ok(Vec::new()),
        }
    }
    if let Some(c) = filter.customer_id {
        q = q.filter(project::Column::CustomerId.eq(c));
    }
    if filter.overdue == Some(true) {
        q = q.filter(project::Column::Status.eq("open"));
    }
    let rows = q.all(db).await?;
    let ctx = Context::load(db, &rows).await?;
    Ok(rows
        .iter()
        .filter(|p| ctx.readable(actor, p))
        .map(|p| ctx.view(actor, p, today))
        .filter(|v| filter.overdue != Some(true) || v.days_overdue > 0)
        .collect())
}

/// The open projects in the actor's reach not followed up within their
/// stage's cadence, most overdue first: a salesperson's own, a manager's
/// team's.
pub async fn overdue(db: &Db, actor: &Actor, today: &Today) -> Result<OverdueList> {
    let filter = ProjectFilter {
        overdue: Some(true),
        ..Default::default()
    };
    let mut projects = list(db, actor, &filter, today).await?;
    projects.sort_by(|a, b| {
        b.days_overdue
            .cmp(&a.days_overdue)
            .then_with(|| a.id.cmp(&b.id))
    });
    Ok(OverdueList {
        today: ymd(today.date),
        projects,
    })
}

/// A project the actor reads, or `NotFound`.
async fn find_readable<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    id: i64,
) -> Result<(project::Model, Context)> {
    let p = project::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let rows = std::slice::from_ref(&p);
    let ctx = Context::load(conn, rows).await?;
    if !ctx.readable(actor, &p) {
        return Err(Error::NotFound);
    }
    Ok((p, ctx))
}

/// A project the actor may change: `NotFound` outside read reach,
/// `Forbidden` inside it but outside write reach.
async fn find_writable<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    id: i64,
) -> Result<(project::Model, Context)> {
    let (p, ctx) = find_readable(conn, actor, id).await?;
    let ok = ctx
        .owners
        .get(&p.owner_person_id)
        .is_some_and(|o| covers(actor.customers_write(), &ctx.tree, o));
    if !ok {
        return Err(Error::Forbidden);
    }
    Ok((p, ctx))
}

/// One project with its follow-ups and linked orders.
pub async fn get(db: &Db, actor: &Actor, id: i64, today: &Today) -> Result<ProjectDetail> {
    let (p, ctx) = find_readable(db, actor, id).await?;
    detail(db, actor, &p, &ctx, today).await
}

async fn detail<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    p: &project::Model,
    ctx: &Context,
    today: &Today,
) -> Result<ProjectDetail> {
    let rows = project_followup::Entity::find()
        .filter(project_followup::Column::ProjectId.eq(p.id))
        .order_by_desc(project_followup::Column::FollowedOn)
        .order_by_desc(project_followup::Column::Id)
        .all(conn)
        .await?;
    let people = owners(conn, rows.iter().map(|f| f.person_id)).await?;
    let followups = rows
        .into_iter()
        .map(|f| {
            let by = people.get(&f.person_id);
            FollowupView {
                id: f.id,
                followed_on: f.followed_on,
                by: by.map(|o| o.employee_no.clone()).unwrap_or_default(),
                by_name: by.map(|o| o.name.clone()).unwrap_or_default(),
                note: f.note,
                next_step: f.next_step,
                created_at: f.created_at,
            }
        })
        .collect();
    let links: Vec<i64> = project_order::Entity::find()
        .filter(project_order::Column::ProjectId.eq(p.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|l| l.order_id)
        .collect();
    let orders = if links.is_empty() {
        Vec::new()
    } else {
        sales_order::Entity::find()
            .filter(sales_order::Column::Id.is_in(links))
            .order_by_asc(sales_order::Column::OrderDate)
            .order_by_asc(sales_order::Column::OrderNo)
            .all(conn)
            .await?
            .into_iter()
            .map(|o| LinkedOrder {
                order_no: o.order_no,
                order_date: o.order_date,
                status: o.status,
                total: format_value(Kind::Amount, o.total),
            })
            .collect()
    };
    Ok(ProjectDetail {
        project: ctx.view(actor, p, today),
        followups,
        orders,
    })
}

/// The checked fields of a new or changed project.
struct Checked {
    name: Option<String>,
    customer_id: Option<Option<i64>>,
    owner: Option<Owner>,
    stage: Option<String>,
    amount: Option<i64>,
    probability: Option<i32>,
    bid_on: Option<Option<String>>,
    delivery_on: Option<Option<String>>,
    acceptance_on: Option<Option<String>>,
    status: Option<String>,
    note: Option<Option<String>>,
}

/// Checks the fields present, collecting every error. `forbidden` is set
/// when the owner named lies outside the actor's write reach.
#[allow(clippy::too_many_arguments)]
async fn check<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    tree: &OrgTree,
    patch: &ProjectPatch,
    errors: &mut Vec<FieldError>,
    forbidden: &mut bool,
    current_stage: Option<&str>,
) -> Result<Checked> {
    let name = match &patch.name {
        None => None,
        Some(n) => {
            let n = n.trim();
            if n.is_empty() || n.chars().count() > 128 {
                errors.push(FieldError::new(
                    "name",
                    "give the project's name (1–128 characters)",
                    "请填写项目名称（1–128 个字）",
                ));
            }
            Some(n.to_owned())
        }
    };
    let customer_id = match patch.customer_id {
        Some(Some(id)) => {
            let found = customer::Entity::find_by_id(id).one(conn).await?;
            let ok = match found {
                None => false,
                Some(c) => match c.owner_person_id {
                    None => actor.customers_read() == Reach::All,
                    Some(owner) => owners(conn, [owner])
                        .await?
                        .get(&owner)
                        .is_some_and(|o| covers(actor.customers_read(), tree, o)),
                },
            };
            if !ok {
                errors.push(FieldError::new(
                    "customer_id",
                    format!("no customer with id {id}"),
                    format!("找不到编号为 {id} 的客户"),
                ));
            }
            Some(Some(id))
        }
        other => other,
    };
    let owner = match &patch.owner {
        None => None,
        Some(no) => match owner_by_no(conn, no).await? {
            Some(o) if o.active && covers(actor.customers_read(), tree, &o) => {
                if !covers(actor.customers_write(), tree, &o) {
                    *forbidden = true;
                }
                Some(o)
            }
            _ => {
                errors.push(FieldError::new(
                    "owner",
                    format!("no active person with 工号 \"{no}\""),
                    format!("找不到工号为 \"{no}\" 的在职人员"),
                ));
                None
            }
        },
    };
    let stage = match &patch.stage {
        None => None,
        Some(code) => {
            let code = code.trim();
            let found = project_stage::Entity::find_by_id(code.to_owned())
                .one(conn)
                .await?;
            match found {
                // A project may stay in a stage since deactivated.
                Some(s) if s.active || current_stage == Some(code) => Some(s.code),
                Some(s) => {
                    errors.push(FieldError::new(
                        "stage",
                        format!("stage \"{}\" is no longer in use", s.code),
                        format!("阶段「{}」已停用", s.name),
                    ));
                    None
                }
                None => {
                    errors.push(FieldError::new(
                        "stage",
                        format!("no stage \"{code}\""),
                        format!("没有阶段 \"{code}\""),
                    ));
                    None
                }
            }
        }
    };
    let amount = match &patch.amount {
        None => None,
        Some(v) => match super::figures::parse_json_value(Kind::Amount, v) {
            Ok(a) => {
                let a = a.unwrap_or(0);
                if a < 0 {
                    errors.push(FieldError::new(
                        "amount",
                        "must not be negative",
                        "不能为负数",
                    ));
                }
                Some(a)
            }
            Err((en, zh)) => {
                errors.push(FieldError::new("amount", en, zh));
                None
            }
        },
    };
    let probability = match patch.probability {
        None => None,
        Some(p) if (0..=100).contains(&p) => Some(p as i32),
        Some(p) => {
            errors.push(FieldError::new(
                "probability",
                format!("{p} is not a percentage from 0 to 100"),
                format!("{p} 无效，赢单概率应为 0 到 100"),
            ));
            None
        }
    };
    let mut date = |field: &str, v: &Option<Option<String>>| -> Option<Option<String>> {
        match v {
            None => None,
            Some(None) => Some(None),
            Some(Some(t)) if t.trim().is_empty() => Some(None),
            Some(Some(t)) => match parse_day(field, t) {
                Ok(d) => Some(Some(ymd(d))),
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
        }
    };
    let bid_on = date("bid_on", &patch.bid_on);
    let delivery_on = date("delivery_on", &patch.delivery_on);
    let acceptance_on = date("acceptance_on", &patch.acceptance_on);
    let status = match &patch.status {
        None => None,
        Some(s) if STATUSES.contains(&s.trim()) => Some(s.trim().to_owned()),
        Some(s) => {
            errors.push(FieldError::new(
                "status",
                format!("\"{s}\" is not one of open, won, lost"),
                format!("\"{s}\" 无效，应为 open（进行中）、won（赢单）或 lost（丢单）"),
            ));
            None
        }
    };
    let note = patch
        .note
        .as_ref()
        .map(|n| check_text(errors, "note", n.as_deref(), 2000));
    Ok(Checked {
        name,
        customer_id,
        owner,
        stage,
        amount,
        probability,
        bid_on,
        delivery_on,
        acceptance_on,
        status,
        note,
    })
}

fn audit_json(p: &project::Model) -> Value {
    json!({
        "name": p.name,
        "customer_id": p.customer_id,
        "owner_person_id": p.owner_person_id,
        "stage": p.stage,
        "amount": p.amount,
        "probability": p.probability,
        "bid_on": p.bid_on,
        "delivery_on": p.delivery_on,
        "acceptance_on": p.acceptance_on,
        "status": p.status,
        "note": p.note,
    })
}

/// Creates a project owned by `new.owner` (the caller by default).
pub async fn create(
    db: &Db,
    actor: &Actor,
    new: &NewProject,
    today: &Today,
) -> Result<ProjectDetail> {
    if actor.customers_write() == Reach::Nothing {
        return Err(Error::Forbidden);
    }
    let txn = begin_immediate(db).await?;
    let tree = load_org_tree(&txn).await?;
    let mut errors = Vec::new();
    let mut forbidden = false;
    let owner_no = match (&new.owner, actor.person_id) {
        (Some(o), _) if !o.trim().is_empty() => Some(o.clone()),
        (_, Some(me)) => owners(&txn, [me])
            .await?
            .get(&me)
            .map(|o| o.employee_no.clone()),
        _ => None,
    };
    if owner_no.is_none() {
        errors.push(FieldError::new(
            "owner",
            "give the 工号 of the project's owner",
            "请填写项目负责人的工号",
        ));
    }
    let first_stage = match &new.stage {
        Some(s) if !s.trim().is_empty() => s.clone(),
        _ => project_stage::Entity::find()
            .filter(project_stage::Column::Active.eq(true))
            .order_by_asc(project_stage::Column::Position)
            .one(&txn)
            .await?
            .map(|s| s.code)
            .unwrap_or_default(),
    };
    let patch = ProjectPatch {
        name: Some(new.name.clone()),
        customer_id: new.customer_id.map(Some),
        owner: owner_no,
        stage: Some(first_stage),
        amount: Some(new.amount.clone()),
        probability: Some(new.probability.unwrap_or(0)),
        bid_on: new.bid_on.clone().map(Some),
        delivery_on: new.delivery_on.clone().map(Some),
        acceptance_on: new.acceptance_on.clone().map(Some),
        status: None,
        note: Some(new.note.clone()),
    };
    let c = check(
        &txn,
        actor,
        &tree,
        &patch,
        &mut errors,
        &mut forbidden,
        None,
    )
    .await?;
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    if forbidden {
        return Err(Error::Forbidden);
    }
    let (Some(owner), Some(stage)) = (c.owner, c.stage) else {
        return Err(Error::invalid("owner", "no owner", "缺少负责人"));
    };
    let now = Utc::now();
    let row = project::ActiveModel {
        name: Set(c.name.unwrap_or_default()),
        customer_id: Set(c.customer_id.flatten()),
        owner_person_id: Set(owner.id),
        stage: Set(stage),
        amount: Set(c.amount.unwrap_or(0)),
        probability: Set(c.probability.unwrap_or(0)),
        bid_on: Set(c.bid_on.flatten()),
        delivery_on: Set(c.delivery_on.flatten()),
        acceptance_on: Set(c.acceptance_on.flatten()),
        status: Set("open".to_owned()),
        last_followup_on: Set(None),
        note: Set(c.note.flatten()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        Some(actor),
        "create",
        "project",
        &row.id.to_string(),
        None,
        Some(audit_json(&row)),
    )
    .await?;
    let ctx = Context::load(&txn, std::slice::from_ref(&row)).await?;
    let out = detail(&txn, actor, &row, &ctx, today).await?;
    txn.commit().await?;
    Ok(out)
}

/// Changes the fields present; a stage move is audited on its own.
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    patch: &ProjectPatch,
    today: &Today,
) -> Result<ProjectDetail> {
    let txn = begin_immediate(db).await?;
    let (before, ctx) = find_writable(&txn, actor, id).await?;
    let mut errors = Vec::new();
    let mut forbidden = false;
    let c = check(
        &txn,
        actor,
        &ctx.tree,
        patch,
        &mut errors,
        &mut forbidden,
        Some(&before.stage),
    )
    .await?;
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    if forbidden {
        return Err(Error::Forbidden);
    }
    let mut am = before.clone().into_active_model();
    if let Some(v) = c.name {
        am.name = Set(v);
    }
    if let Some(v) = c.customer_id {
        am.customer_id = Set(v);
    }
    if let Some(o) = c.owner {
        am.owner_person_id = Set(o.id);
    }
    if let Some(v) = c.stage.clone() {
        am.stage = Set(v);
    }
    if let Some(v) = c.amount {
        am.amount = Set(v);
    }
    if let Some(v) = c.probability {
        am.probability = Set(v);
    }
    if let Some(v) = c.bid_on {
        am.bid_on = Set(v);
    }
    if let Some(v) = c.delivery_on {
        am.delivery_on = Set(v);
    }
    if let Some(v) = c.acceptance_on {
        am.acceptance_on = Set(v);
    }
    if let Some(v) = c.status {
        am.status = Set(v);
    }
    if let Some(v) = c.note {
        am.note = Set(v);
    }
    if am.is_changed() {
        am.updated_at = Set(Utc::now());
        let after = am.update(&txn).await?;
        let key = id.to_string();
        if after.stage != before.stage {
            audit::record(
                &txn,
                Some(actor),
                "stage",
                "project",
                &key,
                Some(json!({"stage": before.stage})),
                Some(json!({"stage": after.stage})),
            )
            .await?;
        }
        let (b, a) = (audit_json(&before), audit_json(&after));
        let changed: Vec<&String> = b
            .as_object()
            .into_iter()
            .flat_map(|o| o.keys())
            .filter(|k| *k != "stage" && b.get(k.as_str()) != a.get(k.as_str()))
            .collect();
        if !changed.is_empty() {
            let pick = |v: &Value| {
                Value::Object(
                    changed
                        .iter()
                        .filter_map(|k| v.get(k.as_str()).map(|x| ((*k).clone(), x.clone())))
                        .collect(),
                )
            };
            audit::record(
                &txn,
                Some(actor),
                "update",
                "project",
                &key,
                Some(pick(&b)),
                Some(pick(&a)),
            )
            .await?;
        }
        let ctx = Context::load(&txn, std::slice::from_ref(&after)).await?;
        let out = detail(&txn, actor, &after, &ctx, today).await?;
        txn.commit().await?;
        return Ok(out);
    }
    let out = detail(&txn, actor, &before, &ctx, today).await?;
    txn.commit().await?;
    Ok(out)
}

/// Deletes a project with its follow-ups and order links.
pub async fn delete(db: &Db, actor: &Actor, id: i64) -> Result<()> {
    let txn = begin_immediate(db).await?;
    let (p, _) = find_writable(&txn, actor, id).await?;
    project_followup::Entity::delete_many()
        .filter(project_followup::Column::ProjectId.eq(id))
        .exec(&txn)
        .await?;
    project_order::Entity::delete_many()
        .filter(project_order::Column::ProjectId.eq(id))
        .exec(&txn)
        .await?;
    project::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(
        &txn,
        Some(actor),
        "delete",
        "project",
        &id.to_string(),
        Some(audit_json(&p)),
        None,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Records a follow-up; the project's last follow-up becomes its date
/// when that is later.
pub async fn add_followup(
    db: &Db,
    actor: &Actor,
    id: i64,
    new: &NewFollowup,
    today: &Today,
) -> Result<ProjectDetail> {
    let txn = begin_immediate(db).await?;
    let (p, _) = find_writable(&txn, actor, id).await?;
    let mut errors = Vec::new();
    let day = match new.followed_on.as_deref().filter(|d| !d.trim().is_empty()) {
        None => Some(today.date),
        Some(t) => match parse_day("followed_on", t) {
            Ok(d) if d > today.date => {
                errors.push(FieldError::new(
                    "followed_on",
                    format!("{t} is in the future; record a follow-up once it happened"),
                    format!("{t} 是将来的日期；请在跟进之后再记录"),
                ));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(e);
                None
            }
        },
    };
    let note = check_text(&mut errors, "note", Some(&new.note), 2000);
    if note.is_none() && !errors.iter().any(|e| e.field == "note") {
        errors.push(FieldError::new(
            "note",
            "say what was done and learnt",
            "请填写跟进内容",
        ));
    }
    let next_step = check_text(&mut errors, "next_step", new.next_step.as_deref(), 2000);
    let (Some(day), Some(note), true) = (day, note, errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let by = actor.person_id.unwrap_or(p.owner_person_id);
    let now = Utc::now();
    let f = project_followup::ActiveModel {
        project_id: Set(id),
        person_id: Set(by),
        followed_on: Set(ymd(day)),
        note: Set(note),
        next_step: Set(next_step),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let day_s = ymd(day);
    let later = p.last_followup_on.as_deref().is_none_or(|l| *l < *day_s);
    let p = if later {
        let mut am = p.into_active_model();
        am.last_followup_on = Set(Some(day_s.clone()));
        am.updated_at = Set(now);
        am.update(&txn).await?
    } else {
        p
    };
    audit::record(
        &txn,
        Some(actor),
        "followup",
        "project",
        &id.to_string(),
        None,
        Some(json!({"followup_id": f.id, "followed_on": day_s, "next_step": f.next_step})),
    )
    .await?;
    let ctx = Context::load(&txn, std::slice::from_ref(&p)).await?;
    let out = detail(&txn, actor, &p, &ctx, today).await?;
    txn.commit().await?;
    Ok(out)
}

/// Links a won project to one of its orders (by order number). The order
/// must be one the actor reads and, when the project names a customer,
/// that customer's.
pub async fn link_order(
    db: &Db,
    actor: &Actor,
    id: i64,
    order_no: &str,
    today: &Today,
) -> Result<ProjectDetail> {
    let txn = begin_immediate(db).await?;
    let (p, ctx) = find_writable(&txn, actor, id).await?;
    let no = order_no.trim();
    let order = sales_order::Entity::find()
        .filter(sales_order::Column::OrderNo.eq(no))
        .one(&txn)
        .await?;
    let readable = match &order {
        None => false,
        Some(o) => order_readable(&txn, actor, &ctx.tree, o.id).await?,
    };
    let Some(order) = order.filter(|_| readable) else {
        return Err(Error::invalid(
            "order_no",
            format!("no order \"{no}\""),
            format!("找不到订单 \"{no}\""),
        ));
    };
    if p.status != "won" {
        return Err(Error::invalid(
            "order_no",
            "only a won project links to orders: mark it won first",
            "只有已赢单的项目才能关联订单，请先标记为赢单",
        ));
    }
    if p.customer_id.is_some_and(|c| c != order.customer_id) {
        return Err(Error::invalid(
            "order_no",
            format!("order \"{no}\" is another customer's"),
            format!("订单 \"{no}\" 属于其他客户"),
        ));
    }
    let exists = project_order::Entity::find_by_id((id, order.id))
        .one(&txn)
        .await?
        .is_some();
    if !exists {
        project_order::ActiveModel {
            project_id: Set(id),
            order_id: Set(order.id),
        }
        .insert(&txn)
        .await?;
        audit::record(
            &txn,
            Some(actor),
            "link_order",
            "project",
            &id.to_string(),
            None,
            Some(json!({"order_no": order.order_no})),
        )
        .await?;
    }
    let out = detail(&txn, actor, &p, &ctx, today).await?;
    txn.commit().await?;
    Ok(out)
}

/// Removes the link of a project to an order.
pub async fn unlink_order(
    db: &Db,
    actor: &Actor,
    id: i64,
    order_no: &str,
    today: &Today,
) -> Result<ProjectDetail> {
    let txn = begin_immediate(db).await?;
    let (p, ctx) = find_writable(&txn, actor, id).await?;
    let no = order_no.trim();
    let order = sales_order::Entity::find()
        .filter(sales_order::Column::OrderNo.eq(no))
        .one(&txn)
        .await?;
    let linked = match &order {
        Some(o) => project_order::Entity::find_by_id((id, o.id))
            .one(&txn)
            .await?
            .is_some(),
        None => false,
    };
    let Some(order) = order.filter(|_| linked) else {
        return Err(Error::NotFound);
    };
    project_order::Entity::delete_by_id((id, order.id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        Some(actor),
        "unlink_order",
        "project",
        &id.to_string(),
        Some(json!({"order_no": order.order_no})),
        None,
    )
    .await?;
    let out = detail(&txn, actor, &p, &ctx, today).await?;
    txn.commit().await?;
    Ok(out)
}

/// Does the actor read this order (through any salesperson it credits)?
async fn order_readable<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    tree: &OrgTree,
    order_id: i64,
) -> Result<bool> {
    let reach = actor.orders_read();
    if reach == Reach::All {
        return Ok(true);
    }
    let credited: Vec<PersonId> = order_credit::Entity::find()
        .filter(order_credit::Column::OrderId.eq(order_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| c.person_id)
        .collect();
    let people = owners(conn, credited).await?;
    Ok(people.values().any(|o| covers(reach, tree, o)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(last: Option<&str>, status: &str) -> project::Model {
        project::Model {
            id: 1,
            name: "p".into(),
            customer_id: None,
            owner_person_id: 1,
            stage: "design".into(),
            amount: 0,
            probability: 0,
            bid_on: None,
            delivery_on: None,
            acceptance_on: None,
            status: status.into(),
            last_followup_on: last.map(str::to_owned),
            note: None,
            // 2026-11-01 08:00 in Shanghai.
            created_at: "2026-11-01T00:00:00Z".parse().unwrap(),
            updated_at: "2026-11-01T00:00:00Z".parse().unwrap(),
        }
    }

    fn today(d: &str) -> Today {
        Today {
            date: d.parse().unwrap(),
            tz: chrono_tz::Asia::Shanghai,
        }
    }

    #[test]
    fn overdue_counts_days_past_the_cadence() {
        let t = today("2026-11-28");
        // Last followed 8 days ago, weekly cadence: one day overdue.
        let (due, late) = cadence_of(&project(Some("2026-11-20"), "open"), 7, &t);
        assert_eq!(due.map(ymd).as_deref(), Some("2026-11-27"));
        assert_eq!(late, 1);
        // Fortnightly: not yet.
        assert_eq!(
            cadence_of(&project(Some("2026-11-20"), "open"), 14, &t).1,
            0
        );
        // Exactly on the cadence: due today, not overdue.
        assert_eq!(cadence_of(&project(Some("2026-11-21"), "open"), 7, &t).1, 0);
        // Never followed: counted from the created day.
        assert_eq!(cadence_of(&project(None, "open"), 7, &t).1, 20);
        // Closed projects are never overdue.
        assert_eq!(cadence_of(&project(None, "won"), 7, &t), (None, 0));
    }

    #[test]
    fn dates_are_strict() {
        assert!(parse_day("d", "2026-11-28").is_ok());
        assert!(parse_day("d", "2026-2-3").is_err());
        assert!(parse_day("d", "2026-02-30").is_err());
        assert!(parse_day("d", "28.11.2026").is_err());
    }
}
