//! Customers (客户档案), their contacts with the key-customer profile
//! (关键客户信息登记表), follow-up records (销售过程记录) and the birthday
//! and anniversary reminders.
//!
//! Reach is decided by the customer's owner (a salesperson) and that
//! person's unit: [`Actor::customers_read`] and [`Actor::customers_write`].
//! A customer without an owner is seen by those who read all customers.
//! The private profile fields of a contact are read and written only by
//! those [`Actor::may_read_private_profile`] allows; every read that
//! returns them is audited (which records, never the values), and the
//! audit entries of contact changes name the private fields that changed,
//! never their values.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::json;

use super::entity::{customer, customer_contact, customer_note, person};
use super::org::load_org_tree;
use super::{Db, Error, FieldError, Result, audit};
use crate::domain::Expected;
use crate::domain::access::{Actor, PersonId, Reach};
use crate::domain::org::OrgTree;
use crate::domain::person::{parse_date, validate_email, validate_phone};

/// How many ids or names go into one `IN (…)` or multi-row insert.
const CHUNK: usize = 500;

/// The most customers one page of the list holds.
pub const PAGE_SIZE: u64 = 500;

/// Customer statuses: (code, 中文, English).
pub const STATUSES: [(&str, &str, &str); 4] = [
    ("prospect", "潜在", "Prospect"),
    ("active", "成交", "Active"),
    ("dormant", "休眠", "Dormant"),
    ("lost", "流失", "Lost"),
];

/// Kinds of follow-up records (销售过程记录): (code, 中文, English).
pub const NOTE_KINDS: [(&str, &str, &str); 4] = [
    ("question", "问题", "Question"),
    ("suggestion", "建议", "Suggestion"),
    ("complaint", "投诉", "Complaint"),
    ("note", "记录", "Note"),
];

/// The private fields of the key-customer profile, by their API names.
pub const PRIVATE_FIELDS: [&str; 10] = [
    "birthday",
    "anniversary",
    "anniversary_label",
    "background",
    "education",
    "family",
    "interests",
    "goals",
    "personality",
    "private_notes",
];

/// The code of an entry of `table` given by its code, Chinese or English
/// name (`潜在` → `prospect`).
pub fn code_of(
    table: &[(&'static str, &'static str, &'static str)],
    text: &str,
) -> Option<&'static str> {
    let t = text.trim();
    table
        .iter()
        .find(|(code, zh, en)| *code == t || *zh == t || en.eq_ignore_ascii_case(t))
        .map(|r| r.0)
}

/// The label of a code of `table` in one language.
pub fn label_of(
    table: &[(&'static str, &'static str, &'static str)],
    code: &str,
    zh: bool,
) -> &'static str {
    table
        .iter()
        .find(|r| r.0 == code)
        .map_or("", |r| if zh { r.1 } else { r.2 })
}

/// Tells "field absent" (`None`) from "field set to null" (`Some(None)`)
/// in a PATCH body.
fn double_option<'de, D, T>(d: D) -> std::result::Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A write transaction outside the lanes: customer records feed no figure
/// directly. On SQLite `BEGIN IMMEDIATE`, so that a read-then-write does
/// not fail against another writer.
async fn begin(db: &Db) -> Result<DatabaseTransaction> {
    use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
    Ok(db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await?)
}

// ---------------------------------------------------------------- views and inputs

/// A customer as pages and the API show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct CustomerView {
    pub id: i64,
    pub name: String,
    pub industry: Option<String>,
    pub region: Option<String>,
    pub address: Option<String>,
    /// 来源: how the customer was found.
    pub source: Option<String>,
    /// 工号 of the owner (the responsible salesperson).
    pub owner: Option<String>,
    pub owner_name: Option<String>,
    /// Unit code of the owner.
    pub owner_unit: Option<String>,
    /// `prospect` 潜在, `active` 成交, `dormant` 休眠 or `lost` 流失.
    pub status: String,
    /// The day of the first non-cancelled order, `YYYY-MM-DD`.
    pub first_purchase_on: Option<String>,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The private fields of a key-customer profile (关键客户信息登记表).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct PrivateProfile {
    /// `YYYY-MM-DD`, or `--MM-DD` when the year is not known.
    pub birthday: Option<String>,
    /// `YYYY-MM-DD` or `--MM-DD`.
    pub anniversary: Option<String>,
    /// What the anniversary is (结婚纪念日, 公司成立日 …).
    pub anniversary_label: Option<String>,
    /// 背景.
    pub background: Option<String>,
    /// 教育.
    pub education: Option<String>,
    /// 家庭.
    pub family: Option<String>,
    /// 兴趣爱好.
    pub interests: Option<String>,
    /// 事业目标.
    pub goals: Option<String>,
    /// 性格特点.
    pub personality: Option<String>,
    /// 备注.
    pub private_notes: Option<String>,
}

impl PrivateProfile {
    fn of(m: &customer_contact::Model) -> Self {
        PrivateProfile {
            birthday: m.birthday.clone(),
            anniversary: m.anniversary.clone(),
            anniversary_label: m.anniversary_label.clone(),
            background: m.background.clone(),
            education: m.education.clone(),
            family: m.family.clone(),
            interests: m.interests.clone(),
            goals: m.goals.clone(),
            personality: m.personality.clone(),
            private_notes: m.private_notes.clone(),
        }
    }

    /// Is every field empty?
    pub fn is_empty(&self) -> bool {
        self == &PrivateProfile::default()
    }
}

/// `private` of an answer: the private profile fields follow.
pub const SHOWN: &str = "shown";
/// `private` of an answer: the caller may not read the private profile
/// fields, and they are absent (not null).
pub const HIDDEN: &str = "hidden";

/// A contact at a customer. The private profile fields are present only
/// when `private` is `shown`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContactView {
    pub id: i64,
    pub customer_id: i64,
    pub name: String,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// 关键联系人.
    pub is_key: bool,
    /// `shown` (the private profile fields follow) or `hidden` (the caller
    /// may not read them; they are absent).
    pub private: &'static str,
    #[serde(flatten)]
    #[schema(inline)]
    pub profile: Option<PrivateProfile>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A customer's file: the customer and its contacts.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CustomerFile {
    #[serde(flatten)]
    pub customer: CustomerView,
    /// `shown` when the contacts carry their private profile, else `hidden`.
    pub private: &'static str,
    /// May the caller change the customer, its contacts, and add records.
    pub may_write: bool,
    pub contacts: Vec<ContactView>,
}

/// A follow-up record (销售过程记录).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NoteView {
    pub id: i64,
    pub customer_id: i64,
    /// 工号 of the author.
    pub author: Option<String>,
    pub author_name: Option<String>,
    /// `question` 问题, `suggestion` 建议, `complaint` 投诉 or `note` 记录.
    pub kind: String,
    pub content: String,
    /// `YYYY-MM-DD`.
    pub noted_on: String,
    pub created_at: DateTime<Utc>,
}

/// `POST /api/v1/customers`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCustomer {
    /// Unique; imports find customers by this exact name.
    pub name: String,
    pub industry: Option<String>,
    pub region: Option<String>,
    pub address: Option<String>,
    /// 来源.
    pub source: Option<String>,
    /// 工号 of the owner, within the caller's reach. Defaults to the caller
    /// (a salesperson or manager); admin and sales admins may leave it out.
    pub owner: Option<String>,
    /// `prospect` (default), `active`, `dormant`, `lost` or their Chinese names.
    pub status: Option<String>,
    pub notes: Option<String>,
}

/// `PATCH /api/v1/customers/{id}`: only the fields present change.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub industry: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub region: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub source: Option<Option<String>>,
    /// 工号 of the new owner, within the caller's write reach; null (admin
    /// and sales admins only) leaves the customer without owner.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub owner: Option<Option<String>>,
    pub status: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

/// `POST /api/v1/customers/{id}/contacts`. The private profile fields may
/// only be given by those who may read them.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContact {
    pub name: String,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    #[serde(default)]
    pub is_key: bool,
    /// `YYYY-MM-DD`, or `--MM-DD` when the year is not known.
    pub birthday: Option<String>,
    pub anniversary: Option<String>,
    pub anniversary_label: Option<String>,
    pub background: Option<String>,
    pub education: Option<String>,
    pub family: Option<String>,
    pub interests: Option<String>,
    pub goals: Option<String>,
    pub personality: Option<String>,
    pub private_notes: Option<String>,
}

/// `PATCH /api/v1/customers/{id}/contacts/{contact}`: only the fields
/// present change; null clears.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    pub is_key: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub birthday: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub anniversary: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub anniversary_label: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub background: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub education: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub family: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub interests: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub goals: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub personality: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub private_notes: Option<Option<String>>,
}

impl From<&NewContact> for ContactPatch {
    /// A new contact as a patch of an empty one: blank fields stay absent.
    fn from(n: &NewContact) -> Self {
        let f = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Some(s.to_owned()))
        };
        ContactPatch {
            name: Some(n.name.clone()),
            title: f(&n.title),
            phone: f(&n.phone),
            email: f(&n.email),
            is_key: Some(n.is_key),
            birthday: f(&n.birthday),
            anniversary: f(&n.anniversary),
            anniversary_label: f(&n.anniversary_label),
            background: f(&n.background),
            education: f(&n.education),
            family: f(&n.family),
            interests: f(&n.interests),
            goals: f(&n.goals),
            personality: f(&n.personality),
            private_notes: f(&n.private_notes),
        }
    }
}

impl ContactPatch {
    /// The private fields this patch sets or clears.
    pub fn private_fields(&self) -> Vec<&'static str> {
        let present = [
            self.birthday.is_some(),
            self.anniversary.is_some(),
            self.anniversary_label.is_some(),
            self.background.is_some(),
            self.education.is_some(),
            self.family.is_some(),
            self.interests.is_some(),
            self.goals.is_some(),
            self.personality.is_some(),
            self.private_notes.is_some(),
        ];
        PRIVATE_FIELDS
            .iter()
            .zip(present)
            .filter(|(_, p)| *p)
            .map(|(f, _)| *f)
            .collect()
    }
}

/// `POST /api/v1/customers/{id}/notes`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewNote {
    /// `question`, `suggestion`, `complaint`, `note` or their Chinese names.
    pub kind: String,
    pub content: String,
    /// `YYYY-MM-DD`; defaults to today in the company's time zone.
    pub noted_on: Option<String>,
}

/// Narrows the customer list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct CustomerFilter {
    /// Part of the name.
    pub q: Option<String>,
    /// 工号 of the owner.
    pub owner: Option<String>,
    /// `prospect`, `active`, `dormant` or `lost`.
    pub status: Option<String>,
    /// Page number, from 1 (500 customers a page, ordered by name).
    pub page: Option<u64>,
}

// ---------------------------------------------------------------- owners and reach

/// A person as customer records need them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PersonInfo {
    pub id: PersonId,
    pub employee_no: String,
    pub name: String,
    pub unit_id: i64,
    pub active: bool,
}

/// The people with these ids, by id.
pub(crate) async fn people_by_id<C: ConnectionTrait>(
    conn: &C,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, PersonInfo>> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<(i64, String, String, i64, bool)> = person::Entity::find()
            .select_only()
            .columns([
                person::Column::Id,
                person::Column::EmployeeNo,
                person::Column::Name,
                person::Column::UnitId,
                person::Column::Active,
            ])
            .filter(person::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        for (id, employee_no, name, unit_id, active) in rows {
            out.insert(
                id,
                PersonInfo {
                    id,
                    employee_no,
                    name,
                    unit_id,
                    active,
                },
            );
        }
    }
    Ok(out)
}

/// The person with this 工号.
pub(crate) async fn person_by_employee_no<C: ConnectionTrait>(
    conn: &C,
    employee_no: &str,
) -> Result<Option<PersonInfo>> {
    let row: Option<(i64, String, String, i64, bool)> = person::Entity::find()
        .select_only()
        .columns([
            person::Column::Id,
            person::Column::EmployeeNo,
            person::Column::Name,
            person::Column::UnitId,
            person::Column::Active,
        ])
        .filter(person::Column::EmployeeNo.eq(employee_no.trim()))
        .into_tuple()
        .one(conn)
        .await?;
    Ok(
        row.map(|(id, employee_no, name, unit_id, active)| PersonInfo {
            id,
            employee_no,
            name,
            unit_id,
            active,
        }),
    )
}

/// Does `reach` (of customers) include a customer owned by `owner`? A
/// customer without owner is within `All` only.
fn covers(reach: Reach, tree: &OrgTree, owner: Option<&PersonInfo>) -> bool {
    match owner {
        None => reach == Reach::All,
        Some(o) => reach.covers(tree, o.unit_id, Some(o.id)),
    }
}

/// May `actor` read the private profile of a customer owned by `owner`?
fn may_read_private(actor: &Actor, tree: &OrgTree, owner: Option<&PersonInfo>) -> bool {
    actor.may_read_private_profile(tree, owner.map(|o| o.unit_id), owner.map(|o| o.id))
}

/// Narrows a customer query to the owners within `reach`, roughly (by
/// unit); `None` when the reach holds nothing. Callers check each row
/// with [`covers`].
fn within(
    q: sea_orm::Select<customer::Entity>,
    reach: Reach,
    tree: &OrgTree,
) -> Option<sea_orm::Select<customer::Entity>> {
    Some(match reach {
        Reach::Nothing => return None,
        Reach::All => q,
        Reach::Own(me) => q.filter(customer::Column::OwnerPersonId.eq(me)),
        other => {
            let units = other.units(tree).unwrap_or_default();
            q.filter(
                customer::Column::OwnerPersonId.in_subquery(
                    Query::select()
                        .column(person::Column::Id)
                        .from(person::Entity)
                        .and_where(person::Column::UnitId.is_in(units))
                        .to_owned(),
                ),
            )
        }
    })
}

/// The customer `id` with its owner, or `NotFound` when it is missing or
/// outside the actor's read reach.
async fn find_readable<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    tree: &OrgTree,
    id: i64,
) -> Result<(customer::Model, Option<PersonInfo>)> {
    let c = customer::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let owner = match c.owner_person_id {
        Some(p) => people_by_id(conn, [p]).await?.remove(&p),
        None => None,
    };
    if !covers(actor.customers_read(), tree, owner.as_ref()) {
        return Err(Error::NotFound);
    }
    Ok((c, owner))
}

/// The names of those of `ids` that the actor may read, by id: what the
/// activity records show of their customers.
pub(crate) async fn readable_names<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    tree: &OrgTree,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, String>> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    let reach = actor.customers_read();
    let mut rows = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let part: Vec<(i64, String, Option<i64>)> = customer::Entity::find()
            .select_only()
            .columns([
                customer::Column::Id,
                customer::Column::Name,
                customer::Column::OwnerPersonId,
            ])
            .filter(customer::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        rows.extend(part);
    }
    let owners = people_by_id(conn, rows.iter().filter_map(|r| r.2)).await?;
    Ok(rows
        .into_iter()
        .filter(|(_, _, o)| covers(reach, tree, o.and_then(|o| owners.get(&o))))
        .map(|(id, name, _)| (id, name))
        .collect())
}

/// The customers the actor may read, (id, name), by name: the customer
/// picker of forms. At most `limit`.
pub async fn picker(db: &Db, actor: &Actor, limit: u64) -> Result<Vec<(i64, String)>> {
    let tree = load_org_tree(db).await?;
    let reach = actor.customers_read();
    let q = customer::Entity::find().order_by_asc(customer::Column::Name);
    let Some(q) = within(q, reach, &tree) else {
        return Ok(Vec::new());
    };
    let rows: Vec<(i64, String, Option<i64>)> = q
        .select_only()
        .columns([
            customer::Column::Id,
            customer::Column::Name,
            customer::Column::OwnerPersonId,
        ])
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    let owners = people_by_id(db, rows.iter().filter_map(|r| r.2)).await?;
    Ok(rows
        .into_iter()
        .filter(|(_, _, o)| covers(reach, &tree, o.and_then(|o| owners.get(&o))))
        .map(|(id, name, _)| (id, name))
        .collect())
}

fn view(c: &customer::Model, owner: Option<&PersonInfo>, tree: &OrgTree) -> CustomerView {
    CustomerView {
        id: c.id,
        name: c.name.clone(),
        industry: c.industry.clone(),
        region: c.region.clone(),
        address: c.address.clone(),
        source: c.source.clone(),
        owner: owner.map(|o| o.employee_no.clone()),
        owner_name: owner.map(|o| o.name.clone()),
        owner_unit: owner
            .and_then(|o| tree.get(o.unit_id))
            .map(|u| u.code.clone()),
        status: c.status.clone(),
        first_purchase_on: c.first_purchase_on.clone(),
        notes: c.notes.clone(),
        created_at: c.created_at,
        updated_at: c.updated_at,
    }
}

fn contact_view(m: &customer_contact::Model, private: bool) -> ContactView {
    ContactView {
        id: m.id,
        customer_id: m.customer_id,
        name: m.name.clone(),
        title: m.title.clone(),
        phone: m.phone.clone(),
        email: m.email.clone(),
        is_key: m.is_key,
        private: if private { SHOWN } else { HIDDEN },
        profile: private.then(|| PrivateProfile::of(m)),
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

/// What the audit log keeps of a contact: the public fields only.
fn contact_audit(m: &customer_contact::Model) -> serde_json::Value {
    json!({
        "id": m.id,
        "customer_id": m.customer_id,
        "name": m.name,
        "title": m.title,
        "phone": m.phone,
        "email": m.email,
        "is_key": m.is_key,
    })
}

// ---------------------------------------------------------------- validation

/// `col` contains `text`, ignoring ASCII case, `%` and `_` taken literally.
fn contains_ci(col: customer::Column, text: &str) -> sea_orm::sea_query::SimpleExpr {
    let escaped: String = text
        .to_lowercase()
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    Expr::expr(Func::lower(Expr::col((customer::Entity, col))))
        .like(LikeExpr::new(format!("%{escaped}%")).escape('\\'))
}

/// A required name of 1 to `max` characters.
fn required_text(field: &str, v: &str, max: usize, errors: &mut Vec<FieldError>) -> Option<String> {
    let v = v.trim();
    if v.is_empty() {
        errors.push(FieldError::new(field, "must not be empty", "不能为空"));
        None
    } else if v.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("at most {max} characters"),
            format!("最多 {max} 个字符"),
        ));
        None
    } else {
        Some(v.to_owned())
    }
}

/// An optional text: blank is `None`; longer than `max` characters is an
/// error (and `None`).
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

/// Longest free text (notes, profile fields, follow-up records).
pub const TEXT_MAX: usize = 4000;

/// A month and day with an optional year: `YYYY-MM-DD` or `--MM-DD`.
pub fn parse_month_day(text: &str) -> Option<(Option<i32>, u32, u32)> {
    let text = text.trim();
    if let Some(md) = text.strip_prefix("--") {
        let (m, d) = md.split_once('-')?;
        if m.len() != 2 || d.len() != 2 {
            return None;
        }
        let (m, d): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
        // Any day some year has: 2000 is a leap year.
        NaiveDate::from_ymd_opt(2000, m, d)?;
        return Some((None, m, d));
    }
    if text.len() != 10 {
        return None;
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    Some((Some(date.year()), date.month(), date.day()))
}

const MONTH_DAY: Expected = Expected::new(
    "a date such as 1980-05-17, or --05-17 when the year is not known",
    "应为日期，例如 1980-05-17；不知道年份时写 --05-17",
);

fn month_day_text(field: &str, v: Option<&str>, errors: &mut Vec<FieldError>) -> Option<String> {
    let v = v.map(str::trim).filter(|s| !s.is_empty())?;
    match parse_month_day(v) {
        Some((Some(y), m, d)) => Some(format!("{y:04}-{m:02}-{d:02}")),
        Some((None, m, d)) => Some(format!("--{m:02}-{d:02}")),
        None => {
            errors.push(FieldError::expected(field, MONTH_DAY));
            None
        }
    }
}

/// A day as stored: `YYYY-MM-DD`.
pub fn day_text(field: &str, v: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    match parse_date(v) {
        Ok(d) => Some(d.format("%Y-%m-%d").to_string()),
        Err(e) => {
            errors.push(FieldError::expected(field, e));
            None
        }
    }
}

fn bad_code(field: &str, text: &str, table: &[(&str, &str, &str)]) -> FieldError {
    let codes: Vec<&str> = table.iter().map(|r| r.0).collect();
    let zh: Vec<String> = table
        .iter()
        .map(|r| format!("{}（{}）", r.0, r.1))
        .collect();
    FieldError::new(
        field,
        format!("\"{}\" is not one of {}", text.trim(), codes.join(", ")),
        format!("\"{}\" 无效，应为 {}", text.trim(), zh.join("、")),
    )
}

async fn name_taken<C: ConnectionTrait>(conn: &C, name: &str, except: Option<i64>) -> Result<bool> {
    let mut q = customer::Entity::find()
        .select_only()
        .column(customer::Column::Id)
        .filter(customer::Column::Name.eq(name));
    if let Some(id) = except {
        q = q.filter(customer::Column::Id.ne(id));
    }
    let found: Option<i64> = q.into_tuple().one(conn).await?;
    Ok(found.is_some())
}

fn name_taken_error(name: &str) -> FieldError {
    FieldError::new(
        "name",
        format!("a customer named \"{name}\" already exists"),
        format!("客户 \"{name}\" 已存在"),
    )
}

/// The person named as owner: active and within the actor's write reach.
async fn check_owner<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    tree: &OrgTree,
    employee_no: &str,
    errors: &mut Vec<FieldError>,
) -> Result<Option<PersonInfo>> {
    let p = person_by_employee_no(conn, employee_no).await?;
    match p {
        Some(p) if p.active && actor.customers_write().covers(tree, p.unit_id, Some(p.id)) => {
            Ok(Some(p))
        }
        _ => {
            errors.push(FieldError::new(
                "owner",
                format!(
                    "no active person with employee no \"{}\" whose customers you may manage",
                    employee_no.trim()
                ),
                format!(
                    "没有工号为 \"{}\" 且您可管理其客户的在职人员",
                    employee_no.trim()
                ),
            ));
            Ok(None)
        }
    }
}

// ---------------------------------------------------------------- customers

/// The customers the actor may read, filtered, by name.
pub async fn list(db: &Db, actor: &Actor, filter: &CustomerFilter) -> Result<Vec<CustomerView>> {
    let tree = load_org_tree(db).await?;
    let reach = actor.customers_read();
    let q = customer::Entity::find()
        .order_by_asc(customer::Column::Name)
        .order_by_asc(customer::Column::Id);
    let Some(mut q) = within(q, reach, &tree) else {
        return Ok(Vec::new());
    };
    if let Some(s) = filter.status.as_deref().filter(|s| !s.trim().is_empty()) {
        let code = code_of(&STATUSES, s)
            .ok_or_else(|| Error::Invalid(vec![bad_code("status", s, &STATUSES)]))?;
        q = q.filter(customer::Column::Status.eq(code));
    }
    if let Some(no) = filter.owner.as_deref().filter(|s| !s.trim().is_empty()) {
        match person_by_employee_no(db, no).await? {
            Some(p) => q = q.filter(customer::Column::OwnerPersonId.eq(p.id)),
            None => return Ok(Vec::new()),
        }
    }
    if let Some(text) = filter.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        q = q.filter(contains_ci(customer::Column::Name, text));
    }
    let page = filter.page.unwrap_or(1).clamp(1, 1_000_000);
    let rows = q
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .all(db)
        .await?;
    let owners = people_by_id(db, rows.iter().filter_map(|c| c.owner_person_id)).await?;
    Ok(rows
        .iter()
        .filter_map(|c| {
            let owner = c.owner_person_id.and_then(|p| owners.get(&p));
            covers(reach, &tree, owner).then(|| view(c, owner, &tree))
        })
        .collect())
}

/// A customer's file with its contacts. The contacts carry their private
/// profile only when the actor may read it; such a read is audited.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<CustomerFile> {
    let tree = load_org_tree(db).await?;
    let (c, owner) = find_readable(db, actor, &tree, id).await?;
    let private = may_read_private(actor, &tree, owner.as_ref());
    let contacts = customer_contact::Entity::find()
        .filter(customer_contact::Column::CustomerId.eq(id))
        .order_by_desc(customer_contact::Column::IsKey)
        .order_by_asc(customer_contact::Column::Id)
        .all(db)
        .await?;
    if private && !contacts.is_empty() {
        audit::record(
            db,
            Some(actor),
            "read_private",
            "customer",
            &id.to_string(),
            None,
            Some(json!({"contacts": contacts.iter().map(|c| c.id).collect::<Vec<_>>()})),
        )
        .await?;
    }
    Ok(CustomerFile {
        customer: view(&c, owner.as_ref(), &tree),
        private: if private { SHOWN } else { HIDDEN },
        may_write: covers(actor.customers_write(), &tree, owner.as_ref()),
        contacts: contacts.iter().map(|m| contact_view(m, private)).collect(),
    })
}

/// A customer without its contacts (so without reading any profile), and
/// whether the actor may change it.
pub async fn get_public(db: &Db, actor: &Actor, id: i64) -> Result<(CustomerView, bool)> {
    let tree = load_org_tree(db).await?;
    let (c, owner) = find_readable(db, actor, &tree, id).await?;
    Ok((
        view(&c, owner.as_ref(), &tree),
        covers(actor.customers_write(), &tree, owner.as_ref()),
    ))
}

/// May the actor read (and write) the private profile of customer `id`'s
/// contacts? `NotFound` when the customer is outside their read reach.
pub async fn may_read_private_of(db: &Db, actor: &Actor, id: i64) -> Result<bool> {
    let tree = load_org_tree(db).await?;
    let (_, owner) = find_readable(db, actor, &tree, id).await?;
    Ok(may_read_private(actor, &tree, owner.as_ref()))
}

/// Adds a customer. A salesperson or manager who names no owner becomes
/// the owner; admin and sales admins may leave it without one.
pub async fn create(db: &Db, actor: &Actor, new: &NewCustomer) -> Result<CustomerView> {
    let write = actor.customers_write();
    if write == Reach::Nothing {
        return Err(Error::Forbidden);
    }
    let txn = begin(db).await?;
    let tree = load_org_tree(&txn).await?;
    let mut errors = Vec::new();
    let name = required_text("name", &new.name, 128, &mut errors);
    if let Some(n) = &name
        && name_taken(&txn, n, None).await?
    {
        errors.push(name_taken_error(n));
    }
    let industry = optional_text("industry", new.industry.as_deref(), 64, &mut errors);
    let region = optional_text("region", new.region.as_deref(), 64, &mut errors);
    let address = optional_text("address", new.address.as_deref(), 255, &mut errors);
    let source = optional_text("source", new.source.as_deref(), 64, &mut errors);
    let notes = optional_text("notes", new.notes.as_deref(), TEXT_MAX, &mut errors);
    let status = match new.status.as_deref().filter(|s| !s.trim().is_empty()) {
        None => Some("prospect"),
        Some(s) => {
            let code = code_of(&STATUSES, s);
            if code.is_none() {
                errors.push(bad_code("status", s, &STATUSES));
            }
            code
        }
    };
    let owner = match new.owner.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(no) => check_owner(&txn, actor, &tree, no, &mut errors).await?,
        None if write == Reach::All => None,
        None => match actor.person_id {
            Some(me) => people_by_id(&txn, [me]).await?.remove(&me),
            None => None,
        },
    };
    if owner.is_none() && write != Reach::All && errors.is_empty() {
        errors.push(FieldError::new(
            "owner",
            "give the owner's employee no",
            "请填写负责人工号",
        ));
    }
    let (Some(name), Some(status)) = (name, status) else {
        return Err(Error::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let now = Utc::now();
    let m = customer::ActiveModel {
        name: Set(name),
        industry: Set(industry),
        region: Set(region),
        address: Set(address),
        source: Set(source),
        owner_person_id: Set(owner.as_ref().map(|o| o.id)),
        status: Set(status.to_owned()),
        first_purchase_on: Set(None),
        notes: Set(notes),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let v = view(&m, owner.as_ref(), &tree);
    audit::record(
        &txn,
        Some(actor),
        "create",
        "customer",
        &m.id.to_string(),
        None,
        Some(json!(v)),
    )
    .await?;
    txn.commit().await?;
    Ok(v)
}

/// Changes a customer. A new owner must be within the actor's write reach.
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    patch: &CustomerPatch,
) -> Result<CustomerView> {
    let txn = begin(db).await?;
    let tree = load_org_tree(&txn).await?;
    let (c, owner) = find_readable(&txn, actor, &tree, id).await?;
    let write = actor.customers_write();
    if !covers(write, &tree, owner.as_ref()) {
        return Err(Error::Forbidden);
    }
    let before = view(&c, owner.as_ref(), &tree);
    let mut am: customer::ActiveModel = c.clone().into();
    let mut errors = Vec::new();
    if let Some(n) = &patch.name
        && let Some(n) = required_text("name", n, 128, &mut errors)
    {
        if n != c.name && name_taken(&txn, &n, Some(id)).await? {
            errors.push(name_taken_error(&n));
        }
        am.name = Set(n);
    }
    if let Some(v) = &patch.industry {
        am.industry = Set(optional_text("industry", v.as_deref(), 64, &mut errors));
    }
    if let Some(v) = &patch.region {
        am.region = Set(optional_text("region", v.as_deref(), 64, &mut errors));
    }
    if let Some(v) = &patch.address {
        am.address = Set(optional_text("address", v.as_deref(), 255, &mut errors));
    }
    if let Some(v) = &patch.source {
        am.source = Set(optional_text("source", v.as_deref(), 64, &mut errors));
    }
    if let Some(v) = &patch.notes {
        am.notes = Set(optional_text("notes", v.as_deref(), TEXT_MAX, &mut errors));
    }
    if let Some(s) = &patch.status {
        match code_of(&STATUSES, s) {
            Some(code) => am.status = Set(code.to_owned()),
            None => errors.push(bad_code("status", s, &STATUSES)),
        }
    }
    let mut new_owner = owner.clone();
    if let Some(o) = &patch.owner {
        match o.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(no) if owner.as_ref().is_some_and(|p| p.employee_no == no) => {}
            Some(no) => {
                if let Some(p) = check_owner(&txn, actor, &tree, no, &mut errors).await? {
                    am.owner_person_id = Set(Some(p.id));
                    new_owner = Some(p);
                }
            }
            None if write == Reach::All => {
                am.owner_person_id = Set(None);
                new_owner = None;
            }
            None => errors.push(FieldError::new(
                "owner",
                "only admin and sales admins may leave a customer without owner",
                "只有系统管理员和销售内勤可以取消客户的负责人",
            )),
        }
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    am.updated_at = Set(Utc::now());
    let m = am.update(&txn).await?;
    let after = view(&m, new_owner.as_ref(), &tree);
    audit::record(
        &txn,
        Some(actor),
        "update",
        "customer",
        &id.to_string(),
        Some(json!(before)),
        Some(json!(after)),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

// ---------------------------------------------------------------- contacts

/// Applies `p` to a contact, collecting every error.
fn apply_contact(
    p: &ContactPatch,
    am: &mut customer_contact::ActiveModel,
    errors: &mut Vec<FieldError>,
) {
    if let Some(n) = &p.name
        && let Some(n) = required_text("name", n, 64, errors)
    {
        am.name = Set(n);
    }
    if let Some(v) = &p.title {
        am.title = Set(optional_text("title", v.as_deref(), 64, errors));
    }
    if let Some(v) = &p.phone {
        let v = v.as_deref().map(str::trim).filter(|s| !s.is_empty());
        am.phone = Set(v.and_then(|v| {
            validate_phone(v)
                .map(str::to_owned)
                .map_err(|e| errors.push(FieldError::expected("phone", e)))
                .ok()
        }));
    }
    if let Some(v) = &p.email {
        let v = v.as_deref().map(str::trim).filter(|s| !s.is_empty());
        am.email = Set(v.and_then(|v| {
            validate_email(v)
                .map(str::to_owned)
                .map_err(|e| errors.push(FieldError::expected("email", e)))
                .ok()
        }));
    }
    if let Some(k) = p.is_key {
        am.is_key = Set(k);
    }
    if let Some(v) = &p.birthday {
        am.birthday = Set(month_day_text("birthday", v.as_deref(), errors));
    }
    if let Some(v) = &p.anniversary {
        am.anniversary = Set(month_day_text("anniversary", v.as_deref(), errors));
    }
    if let Some(v) = &p.anniversary_label {
        am.anniversary_label = Set(optional_text("anniversary_label", v.as_deref(), 64, errors));
    }
    let texts = [
        ("background", &p.background, &mut am.background),
        ("education", &p.education, &mut am.education),
        ("family", &p.family, &mut am.family),
        ("interests", &p.interests, &mut am.interests),
        ("goals", &p.goals, &mut am.goals),
        ("personality", &p.personality, &mut am.personality),
        ("private_notes", &p.private_notes, &mut am.private_notes),
    ];
    for (field, v, slot) in texts {
        if let Some(v) = v {
            *slot = Set(optional_text(field, v.as_deref(), TEXT_MAX, errors));
        }
    }
}

/// The customer of a contact write, checked: readable (else 404),
/// writable (else 403), and the private fields only for those who may
/// read them (else 403). Returns whether the actor reads the profile.
async fn check_contact_write<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    tree: &OrgTree,
    customer_id: i64,
    private_fields: &[&str],
) -> Result<bool> {
    let (_, owner) = find_readable(conn, actor, tree, customer_id).await?;
    if !covers(actor.customers_write(), tree, owner.as_ref()) {
        return Err(Error::Forbidden);
    }
    let private = may_read_private(actor, tree, owner.as_ref());
    if !private && !private_fields.is_empty() {
        return Err(Error::Forbidden);
    }
    Ok(private)
}

/// Adds a contact to a customer.
pub async fn add_contact(
    db: &Db,
    actor: &Actor,
    customer_id: i64,
    new: &NewContact,
) -> Result<ContactView> {
    let txn = begin(db).await?;
    let tree = load_org_tree(&txn).await?;
    let patch = ContactPatch::from(new);
    let private_fields = patch.private_fields();
    let private = check_contact_write(&txn, actor, &tree, customer_id, &private_fields).await?;
    let now = Utc::now();
    let mut am = customer_contact::ActiveModel {
        customer_id: Set(customer_id),
        is_key: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let mut errors = Vec::new();
    apply_contact(&patch, &mut am, &mut errors);
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let m = am.insert(&txn).await?;
    let mut after = contact_audit(&m);
    after["private_fields"] = json!(private_fields);
    audit::record(
        &txn,
        Some(actor),
        "create",
        "customer_contact",
        &m.id.to_string(),
        None,
        Some(after),
    )
    .await?;
    txn.commit().await?;
    Ok(contact_view(&m, private))
}

async fn find_contact<C: ConnectionTrait>(
    conn: &C,
    customer_id: i64,
    contact_id: i64,
) -> Result<customer_contact::Model> {
    customer_contact::Entity::find_by_id(contact_id)
        .filter(customer_contact::Column::CustomerId.eq(customer_id))
        .one(conn)
        .await?
        .ok_or(Error::NotFound)
}

/// Changes a contact; the audit entry names the private fields changed,
/// never their values.
pub async fn update_contact(
    db: &Db,
    actor: &Actor,
    customer_id: i64,
    contact_id: i64,
    patch: &ContactPatch,
) -> Result<ContactView> {
    let txn = begin(db).await?;
    let tree = load_org_tree(&txn).await?;
    let private_fields = patch.private_fields();
    let private = check_contact_write(&txn, actor, &tree, customer_id, &private_fields).await?;
    let c = find_contact(&txn, customer_id, contact_id).await?;
    let before = contact_audit(&c);
    let mut am: customer_contact::ActiveModel = c.into();
    let mut errors = Vec::new();
    apply_contact(patch, &mut am, &mut errors);
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    am.updated_at = Set(Utc::now());
    let m = am.update(&txn).await?;
    let mut after = contact_audit(&m);
    after["private_fields"] = json!(private_fields);
    audit::record(
        &txn,
        Some(actor),
        "update",
        "customer_contact",
        &contact_id.to_string(),
        Some(before),
        Some(after),
    )
    .await?;
    txn.commit().await?;
    Ok(contact_view(&m, private))
}

/// Removes a contact with its profile.
pub async fn delete_contact(
    db: &Db,
    actor: &Actor,
    customer_id: i64,
    contact_id: i64,
) -> Result<()> {
    let txn = begin(db).await?;
    let tree = load_org_tree(&txn).await?;
    check_contact_write(&txn, actor, &tree, customer_id, &[]).await?;
    let c = find_contact(&txn, customer_id, contact_id).await?;
    customer_contact::Entity::delete_by_id(contact_id)
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        Some(actor),
        "delete",
        "customer_contact",
        &contact_id.to_string(),
        Some(contact_audit(&c)),
        None,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- follow-up records

/// A customer's follow-up records, newest first.
pub async fn list_notes(db: &Db, actor: &Actor, customer_id: i64) -> Result<Vec<NoteView>> {
    let tree = load_org_tree(db).await?;
    find_readable(db, actor, &tree, customer_id).await?;
    let rows = customer_note::Entity::find()
        .filter(customer_note::Column::CustomerId.eq(customer_id))
        .order_by_desc(customer_note::Column::NotedOn)
        .order_by_desc(customer_note::Column::Id)
        .all(db)
        .await?;
    let authors = people_by_id(db, rows.iter().map(|n| n.person_id)).await?;
    Ok(rows
        .iter()
        .map(|n| note_view(n, authors.get(&n.person_id)))
        .collect())
}

fn note_view(n: &customer_note::Model, author: Option<&PersonInfo>) -> NoteView {
    NoteView {
        id: n.id,
        customer_id: n.customer_id,
        author: author.map(|a| a.employee_no.clone()),
        author_name: author.map(|a| a.name.clone()),
        kind: n.kind.clone(),
        content: n.content.clone(),
        noted_on: n.noted_on.clone(),
        created_at: n.created_at,
    }
}

/// Adds a follow-up record by the actor (who needs a person record),
/// dated `today` unless given.
pub async fn add_note(
    db: &Db,
    actor: &Actor,
    customer_id: i64,
    new: &NewNote,
    today: NaiveDate,
) -> Result<NoteView> {
    let txn = begin(db).await?;
    let tree = load_org_tree(&txn).await?;
    let (_, owner) = find_readable(&txn, actor, &tree, customer_id).await?;
    if !covers(actor.customers_write(), &tree, owner.as_ref()) {
        return Err(Error::Forbidden);
    }
    let Some(me) = actor.person_id else {
        return Err(Error::Forbidden);
    };
    let mut errors = Vec::new();
    let kind = code_of(&NOTE_KINDS, &new.kind);
    if kind.is_none() {
        errors.push(bad_code("kind", &new.kind, &NOTE_KINDS));
    }
    let content = required_text("content", &new.content, TEXT_MAX, &mut errors);
    let noted_on = match new.noted_on.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(d) => day_text("noted_on", d, &mut errors),
        None => Some(today.format("%Y-%m-%d").to_string()),
    };
    let (Some(kind), Some(content), Some(noted_on)) = (kind, content, noted_on) else {
        return Err(Error::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let m = customer_note::ActiveModel {
        customer_id: Set(customer_id),
        person_id: Set(me),
        kind: Set(kind.to_owned()),
        content: Set(content),
        noted_on: Set(noted_on),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let authors = people_by_id(&txn, [me]).await?;
    let v = note_view(&m, authors.get(&me));
    audit::record(
        &txn,
        Some(actor),
        "create",
        "customer_note",
        &m.id.to_string(),
        None,
        Some(json!(v)),
    )
    .await?;
    txn.commit().await?;
    Ok(v)
}

// ---------------------------------------------------------------- reminders

/// An upcoming birthday or anniversary of a contact.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Reminder {
    /// `birthday` or `anniversary`.
    pub kind: &'static str,
    /// The day it falls on, `YYYY-MM-DD` (a 29 February on the 28th in
    /// other years).
    pub on: String,
    /// Days from the first day asked for; 0 is that day.
    pub in_days: i64,
    /// The years it marks on that day, when the year is known.
    pub years: Option<i32>,
    /// What the anniversary is.
    pub label: Option<String>,
    pub contact_id: i64,
    pub contact_name: String,
    pub customer_id: i64,
    pub customer_name: String,
}

/// The first day on or after `from` that a yearly day of `month` and `day`
/// falls on; a 29 February falls on the 28th in other years.
pub fn next_occurrence(month: u32, day: u32, from: NaiveDate) -> Option<NaiveDate> {
    [from.year(), from.year() + 1].into_iter().find_map(|y| {
        NaiveDate::from_ymd_opt(y, month, day)
            .or_else(|| {
                (month == 2 && day == 29)
                    .then(|| NaiveDate::from_ymd_opt(y, 2, 28))
                    .flatten()
            })
            .filter(|d| *d >= from)
    })
}

/// The most days reminders look ahead.
pub const REMINDER_DAYS_MAX: u32 = 366;

/// Birthdays and anniversaries from `from` to `days` days after it, of the
/// contacts whose private profile the actor may read, soonest first. A read
/// that returns any is audited, one entry per customer.
pub async fn reminders(
    db: &Db,
    actor: &Actor,
    from: NaiveDate,
    days: u32,
) -> Result<Vec<Reminder>> {
    if days > REMINDER_DAYS_MAX {
        return Err(Error::invalid(
            "days",
            format!("at most {REMINDER_DAYS_MAX} days"),
            format!("最多 {REMINDER_DAYS_MAX} 天"),
        ));
    }
    let tree = load_org_tree(db).await?;
    let q = customer::Entity::find().filter(customer::Column::OwnerPersonId.is_not_null());
    let Some(q) = within(q, actor.customers_read(), &tree) else {
        return Ok(Vec::new());
    };
    let rows: Vec<(i64, String, Option<i64>)> = q
        .select_only()
        .columns([
            customer::Column::Id,
            customer::Column::Name,
            customer::Column::OwnerPersonId,
        ])
        .into_tuple()
        .all(db)
        .await?;
    let owners = people_by_id(db, rows.iter().filter_map(|r| r.2)).await?;
    let customers: BTreeMap<i64, String> = rows
        .into_iter()
        .filter(|(_, _, o)| {
            let owner = o.and_then(|o| owners.get(&o));
            covers(actor.customers_read(), &tree, owner) && may_read_private(actor, &tree, owner)
        })
        .map(|(id, name, _)| (id, name))
        .collect();
    let ids: Vec<i64> = customers.keys().copied().collect();
    let until = from + chrono::Duration::days(i64::from(days));
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let contacts = customer_contact::Entity::find()
            .filter(customer_contact::Column::CustomerId.is_in(chunk.to_vec()))
            .filter(
                sea_orm::Condition::any()
                    .add(customer_contact::Column::Birthday.is_not_null())
                    .add(customer_contact::Column::Anniversary.is_not_null()),
            )
            .all(db)
            .await?;
        for c in contacts {
            let days_of = [
                ("birthday", c.birthday.as_deref(), None),
                (
                    "anniversary",
                    c.anniversary.as_deref(),
                    c.anniversary_label.clone(),
                ),
            ];
            for (kind, text, label) in days_of {
                let Some((year, m, d)) = text.and_then(parse_month_day) else {
                    continue;
                };
                let Some(on) = next_occurrence(m, d, from).filter(|on| *on <= until) else {
                    continue;
                };
                out.push(Reminder {
                    kind,
                    on: on.format("%Y-%m-%d").to_string(),
                    in_days: (on - from).num_days(),
                    years: year.map(|y| on.year() - y).filter(|y| *y >= 0),
                    label,
                    contact_id: c.id,
                    contact_name: c.name.clone(),
                    customer_id: c.customer_id,
                    customer_name: customers.get(&c.customer_id).cloned().unwrap_or_default(),
                });
            }
        }
    }
    out.sort_by(|a, b| {
        (a.in_days, &a.customer_name, &a.contact_name, a.kind).cmp(&(
            b.in_days,
            &b.customer_name,
            &b.contact_name,
            b.kind,
        ))
    });
    let mut read: BTreeMap<i64, HashSet<i64>> = BTreeMap::new();
    for r in &out {
        read.entry(r.customer_id).or_default().insert(r.contact_id);
    }
    let entries = read
        .into_iter()
        .map(|(customer, contacts)| {
            let mut contacts: Vec<i64> = contacts.into_iter().collect();
            contacts.sort_unstable();
            audit::entry(
                Some(actor),
                "read_private",
                "customer",
                &customer.to_string(),
                None,
                Some(json!({"contacts": contacts, "via": "reminders"})),
            )
        })
        .collect();
    audit::record_many(db, entries).await?;
    Ok(out)
}

// ---------------------------------------------------------------- imports

/// The ids of the customers named in `names` (exact match after
/// trimming), creating those that do not exist yet with the owner given
/// with their first mention and status `prospect`. For imports:
/// set-based, in the caller's transaction. Returns name → id for every
/// non-empty name given, and the names created (in the order first
/// given). Empty names are skipped; names longer than 128 characters are
/// the caller's to refuse.
pub async fn find_or_create_by_names<C: ConnectionTrait>(
    txn: &C,
    names: &[(String, Option<PersonId>)],
) -> Result<(HashMap<String, i64>, Vec<String>)> {
    let mut wanted: Vec<String> = Vec::new();
    let mut owners: HashMap<String, Option<PersonId>> = HashMap::new();
    for (n, owner) in names {
        let n = n.trim();
        if !n.is_empty() && !owners.contains_key(n) {
            owners.insert(n.to_owned(), *owner);
            wanted.push(n.to_owned());
        }
    }
    let mut ids = lookup_ids(txn, &wanted).await?;
    let created: Vec<String> = wanted
        .iter()
        .filter(|n| !ids.contains_key(*n))
        .cloned()
        .collect();
    if !created.is_empty() {
        let now = Utc::now();
        for chunk in created.chunks(CHUNK) {
            let rows = chunk.iter().map(|n| customer::ActiveModel {
                name: Set(n.clone()),
                owner_person_id: Set(owners.get(n).copied().flatten()),
                status: Set("prospect".to_owned()),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            });
            customer::Entity::insert_many(rows)
                .exec_without_returning(txn)
                .await?;
        }
        ids.extend(lookup_ids(txn, &created).await?);
    }
    Ok((ids, created))
}

/// name → id of the customers with exactly these names.
async fn lookup_ids<C: ConnectionTrait>(txn: &C, names: &[String]) -> Result<HashMap<String, i64>> {
    let mut out = HashMap::with_capacity(names.len());
    for chunk in names.chunks(CHUNK) {
        let rows: Vec<(i64, String)> = customer::Entity::find()
            .select_only()
            .column(customer::Column::Id)
            .column(customer::Column::Name)
            .filter(customer::Column::Name.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(txn)
            .await?;
        out.extend(rows.into_iter().map(|(id, name)| (name, id)));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn month_days_with_and_without_year() {
        assert_eq!(parse_month_day("1980-05-17"), Some((Some(1980), 5, 17)));
        assert_eq!(parse_month_day("--02-29"), Some((None, 2, 29)));
        assert_eq!(parse_month_day("--02-30"), None);
        assert_eq!(parse_month_day("--2-3"), None);
        assert_eq!(parse_month_day("1981-02-29"), None);
        assert_eq!(parse_month_day("17.5."), None);
    }

    #[test]
    fn next_occurrence_wraps_the_year_and_keeps_leap_days() {
        assert_eq!(
            next_occurrence(1, 3, ymd(2026, 12, 25)),
            Some(ymd(2027, 1, 3))
        );
        assert_eq!(
            next_occurrence(12, 25, ymd(2026, 12, 25)),
            Some(ymd(2026, 12, 25))
        );
        assert_eq!(
            next_occurrence(2, 29, ymd(2027, 2, 1)),
            Some(ymd(2027, 2, 28))
        );
        assert_eq!(
            next_occurrence(2, 29, ymd(2028, 2, 1)),
            Some(ymd(2028, 2, 29))
        );
        // After the 28th of a common year: the next is the following year's.
        assert_eq!(
            next_occurrence(2, 29, ymd(2027, 3, 1)),
            Some(ymd(2028, 2, 29))
        );
    }

    #[test]
    fn codes_by_code_or_name() {
        assert_eq!(code_of(&STATUSES, "潜在"), Some("prospect"));
        assert_eq!(code_of(&STATUSES, " lost "), Some("lost"));
        assert_eq!(code_of(&NOTE_KINDS, "投诉"), Some("complaint"));
        assert_eq!(code_of(&NOTE_KINDS, "praise"), None);
    }
}
