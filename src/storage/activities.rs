//! Activities (过程): the calls, visits and meetings a salesperson logs,
//! with customer, contact, outcome and next step. They feed the computed
//! actuals (电话量, 拜访量) by person and day, so every write runs in a
//! figures-lane transaction and reports the (person, day) it touched,
//! before and after, to [`computed::records_changed`].
//!
//! Reach: [`Actor::work_read`] and [`Actor::work_write`] by the author —
//! everyone logs their own, a manager reads their subtree's, admin
//! corrects anyone's.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use sea_orm::sea_query::{NullOrdering, Order, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::json;

use super::computed::{self, Records};
use super::customers::{self, PersonInfo, people_by_id, person_by_employee_no};
use super::entity::{activity, person};
use super::org::load_org_tree;
use super::{Db, Error, FieldError, Lane, Result, audit, begin_write};
use crate::domain::access::{Actor, PersonId, Reach};
use crate::domain::org::OrgTree;

/// Kinds of activity: (code, 中文, English).
pub const KINDS: [(&str, &str, &str); 3] = [
    ("call", "电话", "Call"),
    ("visit", "拜访", "Visit"),
    ("meeting", "会议", "Meeting"),
];

/// The most activities one page of the list holds.
pub const PAGE_SIZE: u64 = 200;

fn double_option<'de, D, T>(d: D) -> std::result::Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// An activity as pages and the API show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ActivityView {
    pub id: i64,
    /// 工号 of the person whose activity it is.
    pub person: String,
    pub person_name: String,
    /// `call` 电话, `visit` 拜访 or `meeting` 会议.
    pub kind: String,
    pub customer_id: Option<i64>,
    /// The customer's name, when the caller may read the customer.
    pub customer_name: Option<String>,
    /// Who was called or met.
    pub contact: Option<String>,
    /// `YYYY-MM-DD`.
    pub occurred_on: String,
    /// `HH:MM`.
    pub occurred_time: Option<String>,
    pub outcome: Option<String>,
    pub next_step: Option<String>,
    pub created_at: DateTime<Utc>,
    /// May the caller change or delete it.
    pub may_edit: bool,
}

/// `POST /api/v1/activities`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewActivity {
    /// `call`, `visit`, `meeting` or 电话, 拜访, 会议.
    pub kind: String,
    /// 工号 of the person whose activity it is; defaults to the caller.
    /// Only admin logs for others.
    pub person: Option<String>,
    /// A customer the caller may read.
    pub customer_id: Option<i64>,
    pub contact: Option<String>,
    /// `YYYY-MM-DD`; defaults to today in the company's time zone.
    pub occurred_on: Option<String>,
    /// `HH:MM`.
    pub occurred_time: Option<String>,
    pub outcome: Option<String>,
    pub next_step: Option<String>,
}

/// `PATCH /api/v1/activities/{id}`: only the fields present change; null
/// clears.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityPatch {
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub customer_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub contact: Option<Option<String>>,
    pub occurred_on: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub occurred_time: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub outcome: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub next_step: Option<Option<String>>,
}

/// Narrows the activity list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ActivityFilter {
    /// 工号 of the person.
    pub person: Option<String>,
    /// First day, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD`.
    pub to: Option<String>,
    /// `call`, `visit` or `meeting`.
    pub kind: Option<String>,
    /// Only those with this customer.
    pub customer_id: Option<i64>,
    /// Page number, from 1 (200 a page, newest first).
    pub page: Option<u64>,
}

fn covers(reach: Reach, tree: &OrgTree, p: Option<&PersonInfo>) -> bool {
    p.is_some_and(|p| reach.covers(tree, p.unit_id, Some(p.id)))
}

/// May the actor read activities of `p`? Their read reach, and what they
/// may write: whoever logs their own activities sees them.
fn readable(actor: &Actor, tree: &OrgTree, p: Option<&PersonInfo>) -> bool {
    covers(actor.work_read(), tree, p) || covers(actor.work_write(), tree, p)
}

fn bad_kind(text: &str) -> FieldError {
    FieldError::new(
        "kind",
        format!("\"{}\" is not one of call, visit, meeting", text.trim()),
        format!(
            "\"{}\" 无效，应为 call（电话）、visit（拜访）或 meeting（会议）",
            text.trim()
        ),
    )
}

fn time_text(field: &str, v: Option<&str>, errors: &mut Vec<FieldError>) -> Option<String> {
    let v = v.map(str::trim).filter(|s| !s.is_empty())?;
    match NaiveTime::parse_from_str(v, "%H:%M") {
        Ok(t) => Some(t.format("%H:%M").to_string()),
        Err(_) => {
            errors.push(FieldError::new(
                field,
                "a time such as 09:30",
                "应为时间，例如 09:30",
            ));
            None
        }
    }
}

fn optional_text(
    field: &str,
    v: Option<&str>,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let v = v.map(str::trim).filter(|s| !s.is_empty())?;
    if v.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("at most {max} characters"),
            format!("最多 {max} 个字符"),
        ));
        return None;
    }
    Some(v.to_owned())
}

/// A customer named in a body must be one the actor reads.
async fn check_customer<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    tree: &OrgTree,
    id: i64,
    errors: &mut Vec<FieldError>,
) -> Result<()> {
    if !customers::readable_names(conn, actor, tree, [id])
        .await?
        .contains_key(&id)
    {
        errors.push(FieldError::new(
            "customer_id",
            format!("no customer {id} in your reach"),
            format!("您的权限范围内没有编号为 {id} 的客户"),
        ));
    }
    Ok(())
}

async fn views<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    tree: &OrgTree,
    rows: &[activity::Model],
) -> Result<Vec<ActivityView>> {
    let people = people_by_id(conn, rows.iter().map(|a| a.person_id)).await?;
    let names =
        customers::readable_names(conn, actor, tree, rows.iter().filter_map(|a| a.customer_id))
            .await?;
    let write = actor.work_write();
    Ok(rows
        .iter()
        .filter_map(|a| {
            let p = people.get(&a.person_id);
            readable(actor, tree, p).then(|| ActivityView {
                id: a.id,
                person: p.map(|p| p.employee_no.clone()).unwrap_or_default(),
                person_name: p.map(|p| p.name.clone()).unwrap_or_default(),
                kind: a.kind.clone(),
                customer_id: a.customer_id,
                customer_name: a.customer_id.and_then(|c| names.get(&c).cloned()),
                contact: a.contact.clone(),
                occurred_on: a.occurred_on.clone(),
                occurred_time: a.occurred_time.clone(),
                outcome: a.outcome.clone(),
                next_step: a.next_step.clone(),
                created_at: a.created_at,
                may_edit: covers(write, tree, p),
            })
        })
        .collect())
}

/// The activities the actor may read, filtered, newest first.
pub async fn list(db: &Db, actor: &Actor, filter: &ActivityFilter) -> Result<Vec<ActivityView>> {
    let tree = load_org_tree(db).await?;
    let mut errors = Vec::new();
    let from = filter
        .from
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .and_then(|d| customers::day_text("from", d, &mut errors));
    let to = filter
        .to
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .and_then(|d| customers::day_text("to", d, &mut errors));
    let kind = match filter.kind.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(k) => {
            let code = customers::code_of(&KINDS, k);
            if code.is_none() {
                errors.push(bad_kind(k));
            }
            code
        }
        None => None,
    };
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let mut q = activity::Entity::find()
        .order_by_desc(activity::Column::OccurredOn)
        // Without a time last within its day, on both databases.
        .order_by_with_nulls(
            activity::Column::OccurredTime,
            Order::Desc,
            NullOrdering::Last,
        )
        .order_by_desc(activity::Column::Id);
    let reach = match (actor.work_read(), actor.work_write()) {
        (Reach::Nothing, write) => write,
        (read, _) => read,
    };
    match reach {
        Reach::Nothing => return Ok(Vec::new()),
        Reach::All => {}
        Reach::Own(me) => q = q.filter(activity::Column::PersonId.eq(me)),
        other => {
            let units = other.units(&tree).unwrap_or_default();
            q = q.filter(
                activity::Column::PersonId.in_subquery(
                    Query::select()
                        .column(person::Column::Id)
                        .from(person::Entity)
                        .and_where(person::Column::UnitId.is_in(units))
                        .to_owned(),
                ),
            );
        }
    }
    if let Some(no) = filter.person.as_deref().filter(|s| !s.trim().is_empty()) {
        match person_by_employee_no(db, no).await? {
            Some(p) => q = q.filter(activity::Column::PersonId.eq(p.id)),
            None => return Ok(Vec::new()),
        }
    }
    if let Some(d) = from {
        q = q.filter(activity::Column::OccurredOn.gte(d));
    }
    if let Some(d) = to {
        q = q.filter(activity::Column::OccurredOn.lte(d));
    }
    if let Some(k) = kind {
        q = q.filter(activity::Column::Kind.eq(k));
    }
    if let Some(c) = filter.customer_id {
        q = q.filter(activity::Column::CustomerId.eq(c));
    }
    let page = filter.page.unwrap_or(1).clamp(1, 1_000_000);
    let rows = q
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .all(db)
        .await?;
    views(db, actor, &tree, &rows).await
}

/// The activity `id` with its person: `NotFound` when missing or outside
/// the actor's read reach.
async fn find_readable<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    tree: &OrgTree,
    id: i64,
) -> Result<(activity::Model, PersonInfo)> {
    let a = activity::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let p = people_by_id(conn, [a.person_id])
        .await?
        .remove(&a.person_id)
        .ok_or(Error::NotFound)?;
    if !readable(actor, tree, Some(&p)) {
        return Err(Error::NotFound);
    }
    Ok((a, p))
}

/// One activity.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<ActivityView> {
    let tree = load_org_tree(db).await?;
    let (a, _) = find_readable(db, actor, &tree, id).await?;
    let mut v = views(db, actor, &tree, std::slice::from_ref(&a)).await?;
    v.pop().ok_or(Error::NotFound)
}

fn audit_json(a: &activity::Model) -> serde_json::Value {
    json!({
        "id": a.id,
        "person_id": a.person_id,
        "kind": a.kind,
        "customer_id": a.customer_id,
        "contact": a.contact,
        "occurred_on": a.occurred_on,
        "occurred_time": a.occurred_time,
        "outcome": a.outcome,
        "next_step": a.next_step,
    })
}

/// Logs an activity, dated `today` unless given.
pub async fn create(
    db: &Db,
    actor: &Actor,
    new: &NewActivity,
    today: NaiveDate,
) -> Result<ActivityView> {
    let write = actor.work_write();
    if write == Reach::Nothing {
        return Err(Error::Forbidden);
    }
    let txn = begin_write(db, Lane::Figures).await?;
    let tree = load_org_tree(&txn).await?;
    let mut errors = Vec::new();
    let person = match new.person.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(no) => match person_by_employee_no(&txn, no).await? {
            Some(p) if p.active && covers(write, &tree, Some(&p)) => Some(p),
            _ => {
                errors.push(FieldError::new(
                    "person",
                    format!(
                        "no active person with employee no \"{}\" whose activities you may log",
                        no.trim()
                    ),
                    format!("没有工号为 \"{}\" 且您可为其登记活动的在职人员", no.trim()),
                ));
                None
            }
        },
        None => match actor.person_id {
            Some(me) => people_by_id(&txn, [me]).await?.remove(&me),
            None => {
                errors.push(FieldError::new(
                    "person",
                    "give the employee no of the person whose activity it is",
                    "请填写活动所属人员的工号",
                ));
                None
            }
        },
    };
    let kind = customers::code_of(&KINDS, &new.kind);
    if kind.is_none() {
        errors.push(bad_kind(&new.kind));
    }
    if let Some(c) = new.customer_id {
        check_customer(&txn, actor, &tree, c, &mut errors).await?;
    }
    let contact = optional_text("contact", new.contact.as_deref(), 64, &mut errors);
    let day = match new.occurred_on.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(d) => customers::day_text("occurred_on", d, &mut errors),
        None => Some(today.format("%Y-%m-%d").to_string()),
    };
    let time = time_text("occurred_time", new.occurred_time.as_deref(), &mut errors);
    let outcome = optional_text(
        "outcome",
        new.outcome.as_deref(),
        customers::TEXT_MAX,
        &mut errors,
    );
    let next_step = optional_text(
        "next_step",
        new.next_step.as_deref(),
        customers::TEXT_MAX,
        &mut errors,
    );
    let (Some(person), Some(kind), Some(day)) = (person, kind, day) else {
        return Err(Error::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let m = activity::ActiveModel {
        person_id: Set(person.id),
        kind: Set(kind.to_owned()),
        customer_id: Set(new.customer_id),
        contact: Set(contact),
        occurred_on: Set(day.clone()),
        occurred_time: Set(time),
        outcome: Set(outcome),
        next_step: Set(next_step),
        created_by_user_id: Set(actor.user_id),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let touched: BTreeSet<(PersonId, String)> = [(person.id, day)].into_iter().collect();
    computed::records_changed(&txn, Records::Activities, &touched).await?;
    audit::record(
        &txn,
        Some(actor),
        "create",
        "activity",
        &m.id.to_string(),
        None,
        Some(audit_json(&m)),
    )
    .await?;
    let mut v = views(&txn, actor, &tree, std::slice::from_ref(&m)).await?;
    txn.commit().await?;
    v.pop().ok_or(Error::NotFound)
}

/// Changes an activity (one's own; admin anyone's).
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    patch: &ActivityPatch,
) -> Result<ActivityView> {
    let txn = begin_write(db, Lane::Figures).await?;
    let tree = load_org_tree(&txn).await?;
    let (a, p) = find_readable(&txn, actor, &tree, id).await?;
    if !covers(actor.work_write(), &tree, Some(&p)) {
        return Err(Error::Forbidden);
    }
    let before = audit_json(&a);
    let old_day = a.occurred_on.clone();
    let mut am: activity::ActiveModel = a.into();
    let mut errors = Vec::new();
    if let Some(k) = &patch.kind {
        match customers::code_of(&KINDS, k) {
            Some(code) => am.kind = Set(code.to_owned()),
            None => errors.push(bad_kind(k)),
        }
    }
    if let Some(c) = &patch.customer_id {
        if let Some(id) = c {
            check_customer(&txn, actor, &tree, *id, &mut errors).await?;
        }
        am.customer_id = Set(*c);
    }
    if let Some(v) = &patch.contact {
        am.contact = Set(optional_text("contact", v.as_deref(), 64, &mut errors));
    }
    if let Some(d) = &patch.occurred_on
        && let Some(d) = customers::day_text("occurred_on", d, &mut errors)
    {
        am.occurred_on = Set(d);
    }
    if let Some(v) = &patch.occurred_time {
        am.occurred_time = Set(time_text("occurred_time", v.as_deref(), &mut errors));
    }
    if let Some(v) = &patch.outcome {
        am.outcome = Set(optional_text(
            "outcome",
            v.as_deref(),
            customers::TEXT_MAX,
            &mut errors,
        ));
    }
    if let Some(v) = &patch.next_step {
        am.next_step = Set(optional_text(
            "next_step",
            v.as_deref(),
            customers::TEXT_MAX,
            &mut errors,
        ));
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let m = am.update(&txn).await?;
    let touched: BTreeSet<(PersonId, String)> = [(p.id, old_day), (p.id, m.occurred_on.clone())]
        .into_iter()
        .collect();
    computed::records_changed(&txn, Records::Activities, &touched).await?;
    audit::record(
        &txn,
        Some(actor),
        "update",
        "activity",
        &id.to_string(),
        Some(before),
        Some(audit_json(&m)),
    )
    .await?;
    let mut v = views(&txn, actor, &tree, std::slice::from_ref(&m)).await?;
    txn.commit().await?;
    v.pop().ok_or(Error::NotFound)
}

/// Deletes an activity (one's own; admin anyone's).
pub async fn delete(db: &Db, actor: &Actor, id: i64) -> Result<()> {
    let txn = begin_write(db, Lane::Figures).await?;
    let tree = load_org_tree(&txn).await?;
    let (a, p) = find_readable(&txn, actor, &tree, id).await?;
    if !covers(actor.work_write(), &tree, Some(&p)) {
        return Err(Error::Forbidden);
    }
    activity::Entity::delete_by_id(id).exec(&txn).await?;
    let touched: BTreeSet<(PersonId, String)> =
        [(p.id, a.occurred_on.clone())].into_iter().collect();
    computed::records_changed(&txn, Records::Activities, &touched).await?;
    audit::record(
        &txn,
        Some(actor),
        "delete",
        "activity",
        &id.to_string(),
        Some(audit_json(&a)),
        None,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
