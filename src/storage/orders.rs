//! Orders (订单) and collections (回款).
//!
//! An order belongs to a customer and is credited to one or more
//! salespeople with percent shares that total exactly 100 (业绩分成); its
//! lines give product, category, quantity, unit price and amount. It steps
//! 录入 → 确认 → 发货 → 开票 → 回款 with a date for each step, or is
//! cancelled. Collections are separate records, partial allowed, split
//! between the salespeople by the order's shares.
//!
//! Reach is decided by the credited salespeople: an order is seen by whoever
//! [`Actor::orders_read`] covers one of them, and changed by whoever
//! [`Actor::orders_write`] covers one of them; a salesperson only enters
//! orders credited (at least in part) to themselves.
//!
//! Every write runs in a figures-lane transaction, tells the computed
//! actuals which (salesperson, day) it touched — before and after — with
//! [`computed::records_changed`], keeps `customer.first_purchase_on`
//! current, and is audited as entity `order`, record the order number.
//!
//! Money is integer 分; quantities are kept × 1000; shares in hundredths
//! of a percent (10000 = 100 %). A credit's amount is the order total split
//! by the shares with the largest-remainder rule
//! ([`crate::domain::split::by_weights`]): everyone gets the floor of their
//! exact part and the fen left over go one each to the largest remainders,
//! ties to the salesperson listed first. Collections are split the same way.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    Value as SqlValue,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::cache::{Shape, StructureCache};
use super::computed;
use super::entity::{
    collection, collection_credit, customer, order_credit, order_line, person, sales_order,
};
use super::figures::load_metrics;
use super::org::load_org_tree;
use super::{Db, Error, FieldError, Lane, Result, audit, begin_write, customers, statement};
use crate::domain::Expected;
use crate::domain::access::{Actor, PersonId, Reach};
use crate::domain::metric::{Kind, MAX_MINOR, format_value, parse_value};
use crate::domain::org::{OrgTree, UnitId};

// ---------------------------------------------------------------- rules without I/O

/// The steps of an order, in order; `cancelled` stands outside them.
pub const STEPS: [&str; 5] = ["entered", "confirmed", "shipped", "invoiced", "paid"];
pub const CANCELLED: &str = "cancelled";

/// The columns of `order_credit`, in the order bulk writes give them.
pub(crate) const CREDIT_COLUMNS: [&str; 7] = [
    "order_id",
    "person_id",
    "share",
    "amount",
    "order_date",
    "customer_id",
    "cancelled",
];

/// Chinese names of the statuses, as the seed writes them.
pub fn status_zh(code: &str) -> &'static str {
    match code {
        "entered" => "录入",
        "confirmed" => "确认",
        "shipped" => "发货",
        "invoiced" => "开票",
        "paid" => "回款",
        "cancelled" => "已取消",
        _ => "?",
    }
}

/// English names of the statuses.
pub fn status_en(code: &str) -> &'static str {
    match code {
        "entered" => "Entered",
        "confirmed" => "Confirmed",
        "shipped" => "Shipped",
        "invoiced" => "Invoiced",
        "paid" => "Paid",
        "cancelled" => "Cancelled",
        _ => "?",
    }
}

/// A status code from its code or Chinese name (`confirmed`, `确认`).
pub fn parse_status(text: &str) -> Option<&'static str> {
    let t = text.trim();
    STEPS
        .iter()
        .chain(std::iter::once(&CANCELLED))
        .find(|s| t.eq_ignore_ascii_case(s) || t == status_zh(s))
        .copied()
}

/// Position of a step in [`STEPS`]; `None` for `cancelled`.
fn step_index(code: &str) -> Option<usize> {
    STEPS.iter().position(|s| *s == code)
}

/// Parses a decimal with at most `scale` decimals into an integer scaled by
/// 10^scale: `1.5` at scale 3 is 1500. Accepts a sign and thousands
/// separators (`1,234.5`), like [`parse_value`].
pub fn parse_fixed(text: &str, scale: u32) -> std::result::Result<i64, Expected> {
    const NOT_A_NUMBER: Expected = Expected::new("is not a number", "不是有效的数字");
    const TOO_LARGE: Expected = Expected::new("is too large", "数值过大");
    let t = text.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    if int.is_empty() && frac.is_empty() {
        return Err(NOT_A_NUMBER);
    }
    if int.contains(',') {
        let groups: Vec<&str> = int.split(',').collect();
        let ok = (1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|g| g.len() == 3);
        if !ok {
            return Err(NOT_A_NUMBER);
        }
    }
    let mut v: i128 = 0;
    for b in int.bytes().filter(|b| *b != b',') {
        if !b.is_ascii_digit() {
            return Err(NOT_A_NUMBER);
        }
        v = v * 10 + i128::from(b - b'0');
        if v > i128::from(i64::MAX) {
            return Err(TOO_LARGE);
        }
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NOT_A_NUMBER);
    }
    if frac.len() > scale as usize {
        return Err(match scale {
            0 => Expected::new("must be a whole number", "必须是整数"),
            2 => Expected::new("at most 2 decimals", "最多 2 位小数"),
            3 => Expected::new("at most 3 decimals", "最多 3 位小数"),
            _ => Expected::new("has too many decimals", "小数位数过多"),
        });
    }
    for i in 0..scale as usize {
        let d = frac.as_bytes().get(i).map_or(0, |b| b - b'0');
        v = v * 10 + i128::from(d);
    }
    if v > i128::from(MAX_MINOR) {
        return Err(TOO_LARGE);
    }
    let v = i64::try_from(v).map_err(|_| TOO_LARGE)?;
    Ok(if neg { -v } else { v })
}

/// The years an order's or collection's day may fall in. A year typed
/// short ("26-3-5" reads as the year 26) is refused rather than kept: the
/// credits' month index is read by lists of months running from the first
/// order's (`computed::credit_months`), which a stray year would make
/// centuries long.
pub const ORDER_YEARS: std::ops::RangeInclusive<i32> = 1990..=2099;

/// A day as typed: `YYYY-MM-DD` (also `YYYY/M/D`), a local date and time
/// `YYYY-MM-DD HH:MM[:SS]` (its date), or an RFC 3339 date-time, which is
/// converted to the company's time zone first (`2026-03-31T16:00:00Z` is
/// 1 April in Shanghai); in one of [`ORDER_YEARS`].
pub fn parse_day(text: &str, tz: Tz) -> std::result::Result<NaiveDate, Expected> {
    const OUT_OF_RANGE: Expected = Expected::new(
        "is not a date from 1990 to 2099",
        "不是 1990 至 2099 年之间的日期",
    );
    let day = any_day(text, tz)?;
    match ORDER_YEARS.contains(&day.year()) {
        true => Ok(day),
        false => Err(OUT_OF_RANGE),
    }
}

/// [`parse_day`] without the bounds on the year.
fn any_day(text: &str, tz: Tz) -> std::result::Result<NaiveDate, Expected> {
    const BAD: Expected = Expected::new(
        "is not a date (YYYY-MM-DD or an RFC 3339 date-time)",
        "不是有效的日期（YYYY-MM-DD 或 RFC 3339 日期时间）",
    );
    let t = text.trim();
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(d);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt.with_timezone(&tz).date_naive());
    }
    for f in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(t, f) {
            return Ok(dt.date());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y/%m/%d") {
        return Ok(d);
    }
    Err(BAD)
}

/// Today in the company's time zone.
pub fn today(tz: Tz) -> NaiveDate {
    Utc::now().with_timezone(&tz).date_naive()
}

/// Quantity (× 1000) times unit price (分), rounded half away from zero to
/// the fen; `None` when out of range.
pub fn line_amount(quantity_milli: i64, unit_price: i64) -> Option<i64> {
    let p = i128::from(quantity_milli) * i128::from(unit_price);
    let q = (p.abs() + 500) / 1000;
    let v = if p < 0 { -q } else { q };
    i64::try_from(v)
        .ok()
        .filter(|v| v.unsigned_abs() <= MAX_MINOR)
}

/// `whole` split by `shares` (hundredths of a percent) so that the parts sum
/// exactly to it: largest remainder, ties to the earlier share.
pub fn split_by_shares(whole: i64, shares: &[i32]) -> Vec<i64> {
    if shares.len() == 1 {
        // One salesperson takes the whole, as the split would give.
        return vec![whole];
    }
    let weights: Vec<Decimal> = shares.iter().map(|s| Decimal::from(*s)).collect();
    match crate::domain::split::by_weights(whole, &weights) {
        Ok(s) => s.parts,
        // Shares are validated positive and the whole is within range;
        // should it ever fail, the first person takes the whole.
        Err(_) => {
            let mut parts = vec![0; shares.len()];
            if let Some(first) = parts.first_mut() {
                *first = whole;
            }
            parts
        }
    }
}

/// The order credits are listed and split in: the larger share first, then
/// the lower employee number. A fen of remainder that two salespeople
/// could take equally goes to the one listed first (1 fen at 50/50: the
/// lower employee number).
pub fn credit_order(a: (i32, Option<&str>), b: (i32, Option<&str>)) -> std::cmp::Ordering {
    b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1))
}

/// Quantity × 1000 as written: `1.5`, `-2`.
pub fn format_quantity(milli: i64) -> String {
    Decimal::new(milli, 3).normalize().to_string()
}

/// A share in hundredths of a percent as a percent: `33.33`.
pub fn format_share(share: i32) -> String {
    format_value(Kind::Percent, i64::from(share))
}

fn money(v: i64) -> String {
    format_value(Kind::Amount, v)
}

fn json_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Longest order number, product, category and customer name.
pub const MAX_ORDER_NO: usize = 64;
pub const MAX_PRODUCT: usize = 128;
pub const MAX_CATEGORY: usize = 64;
pub const MAX_CUSTOMER: usize = 128;
const MAX_NOTE: usize = 2000;
pub const MAX_LINES: usize = 1000;
const MAX_CREDITS: usize = 10;

// ---------------------------------------------------------------- API shapes

/// One line of an order as sent.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineInput {
    pub product: String,
    #[serde(default)]
    pub category: Option<String>,
    /// Up to 3 decimals; negative for a return. A string or a number.
    #[schema(value_type = String, example = "2")]
    pub quantity: Value,
    /// 元 with up to 2 decimals, zero or more.
    #[schema(value_type = String, example = "1999.00")]
    pub unit_price: Value,
    /// Optional: quantity × unit price when left out; when given it must
    /// equal that to the fen.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub amount: Option<Value>,
}

/// One salesperson's share of an order as sent.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreditInput {
    pub employee_no: String,
    /// Percent with up to 2 decimals; all shares total exactly 100. May be
    /// left out when there is one salesperson (100).
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "60")]
    pub share: Option<Value>,
}

/// A new order.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrder {
    /// Unique; generated (`SO20260305-0001`) when left out.
    #[serde(default)]
    pub order_no: Option<String>,
    /// An existing customer …
    #[serde(default)]
    pub customer_id: Option<i64>,
    /// … or a customer's name; a name not yet known creates the customer,
    /// owned by the first credited salesperson.
    #[serde(default)]
    pub customer: Option<String>,
    /// `YYYY-MM-DD`, or an RFC 3339 date-time converted to the company's
    /// time zone; today when left out.
    #[serde(default)]
    pub order_date: Option<String>,
    pub lines: Vec<LineInput>,
    /// Who the order is credited to; the caller's own person record (100 %)
    /// when left out.
    #[serde(default)]
    pub credits: Vec<CreditInput>,
    #[serde(default)]
    pub note: Option<String>,
}

/// Changes to an order; what is left out stays. `lines` and `credits`
/// replace the order's whole lists.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderPatch {
    #[serde(default)]
    pub order_no: Option<String>,
    #[serde(default)]
    pub customer_id: Option<i64>,
    #[serde(default)]
    pub customer: Option<String>,
    #[serde(default)]
    pub order_date: Option<String>,
    #[serde(default)]
    pub lines: Option<Vec<LineInput>>,
    #[serde(default)]
    pub credits: Option<Vec<CreditInput>>,
    /// Empty text clears the note.
    #[serde(default)]
    pub note: Option<String>,
}

/// A status step.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusStep {
    /// `confirmed` 确认, `shipped` 发货, `invoiced` 开票 or `paid` 回款.
    pub status: String,
    /// The step's date (`YYYY-MM-DD` or RFC 3339); today when left out.
    #[serde(default)]
    pub date: Option<String>,
}

/// A cancellation.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Cancel {
    pub reason: String,
    /// Today when left out.
    #[serde(default)]
    pub date: Option<String>,
}

/// A collection (回款) against an order.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCollection {
    /// 元 with up to 2 decimals; negative only for a refund order.
    #[schema(value_type = String, example = "5000.00")]
    pub amount: Value,
    /// Today when left out.
    #[serde(default)]
    pub collected_on: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// Narrows `GET /api/v1/orders`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct OrderFilter {
    /// A customer id.
    pub customer: Option<i64>,
    /// A credited salesperson's employee no.
    pub person: Option<String>,
    /// A status code.
    pub status: Option<String>,
    /// First order date, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last order date, `YYYY-MM-DD`.
    pub to: Option<String>,
    /// Part of the order number or the customer's name.
    pub q: Option<String>,
    /// From 1.
    pub page: Option<u64>,
    /// 50 by default, at most 500.
    pub per_page: Option<u64>,
}

/// A salesperson's part of an order or collection.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CreditView {
    pub employee_no: String,
    pub name: String,
    /// Percent, `33.33`; absent on collections.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<String>,
    /// 元, `33.34`.
    pub amount: String,
    /// The same in 分.
    pub amount_fen: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LineView {
    pub line_no: i32,
    pub product: String,
    pub category: Option<String>,
    pub quantity: String,
    pub unit_price: String,
    pub amount: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CollectionView {
    pub id: i64,
    pub amount: String,
    pub amount_fen: i64,
    pub collected_on: String,
    pub note: Option<String>,
    pub credits: Vec<CreditView>,
}

/// One status step and its date.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StepView {
    pub status: String,
    pub date: Option<String>,
    /// Reached (its date is set).
    pub done: bool,
}

/// An order in a list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrderSummary {
    pub id: i64,
    pub order_no: String,
    pub customer_id: i64,
    pub customer: String,
    pub status: String,
    pub order_date: String,
    /// 元.
    pub total: String,
    pub total_fen: i64,
    /// What was collected so far, 元.
    pub collected: String,
    pub collected_fen: i64,
    pub credits: Vec<CreditView>,
}

/// A page of orders, and the count and sum of everything the filter finds.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrderList {
    pub orders: Vec<OrderSummary>,
    /// Orders matching the filter, all pages.
    pub count: u64,
    /// Their totals added up (cancelled orders excluded), 元.
    pub total: String,
    pub page: u64,
    pub per_page: u64,
}

/// One order with its lines, credits and collections.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrderView {
    pub id: i64,
    pub order_no: String,
    pub customer_id: i64,
    pub customer: String,
    pub status: String,
    pub order_date: String,
    pub confirmed_on: Option<String>,
    pub shipped_on: Option<String>,
    pub invoiced_on: Option<String>,
    pub paid_on: Option<String>,
    pub cancelled_on: Option<String>,
    pub steps: Vec<StepView>,
    pub total: String,
    pub total_fen: i64,
    pub collected: String,
    pub collected_fen: i64,
    /// Total − collected.
    pub outstanding: String,
    pub note: Option<String>,
    pub lines: Vec<LineView>,
    pub credits: Vec<CreditView>,
    pub collections: Vec<CollectionView>,
    /// May the caller change this order?
    pub can_write: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

// ---------------------------------------------------------------- loading

/// An order with everything that hangs on it.
struct Full {
    order: sales_order::Model,
    lines: Vec<order_line::Model>,
    credits: Vec<order_credit::Model>,
    collections: Vec<collection::Model>,
    collection_credits: Vec<collection_credit::Model>,
}

impl Full {
    fn collected(&self) -> i64 {
        self.collections.iter().map(|c| c.amount).sum()
    }

    /// Every day this order counts on: its date, its status dates and its
    /// collections' dates.
    fn days(&self) -> BTreeSet<String> {
        let o = &self.order;
        let mut days: BTreeSet<String> = [
            Some(&o.order_date),
            o.confirmed_on.as_ref(),
            o.shipped_on.as_ref(),
            o.invoiced_on.as_ref(),
            o.paid_on.as_ref(),
            o.cancelled_on.as_ref(),
        ]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
        days.extend(self.collections.iter().map(|c| c.collected_on.clone()));
        days
    }

    /// (person, day) for every credited person and every day.
    fn touched(&self) -> BTreeSet<(PersonId, String)> {
        let days = self.days();
        self.credits
            .iter()
            .flat_map(|c| days.iter().map(move |d| (c.person_id, d.clone())))
            .collect()
    }
}

async fn load_full<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<Full>> {
    let Some(order) = sales_order::Entity::find_by_id(id).one(conn).await? else {
        return Ok(None);
    };
    let lines = order_line::Entity::find()
        .filter(order_line::Column::OrderId.eq(id))
        .order_by_asc(order_line::Column::LineNo)
        .all(conn)
        .await?;
    let mut credits = order_credit::Entity::find()
        .filter(order_credit::Column::OrderId.eq(id))
        .all(conn)
        .await?;
    let people = people_of(conn, credits.iter().map(|c| c.person_id)).await?;
    credits.sort_by(|a, b| {
        credit_order(
            (
                a.share,
                people.get(&a.person_id).map(|p| p.employee_no.as_str()),
            ),
            (
                b.share,
                people.get(&b.person_id).map(|p| p.employee_no.as_str()),
            ),
        )
    });
    let collections = collection::Entity::find()
        .filter(collection::Column::OrderId.eq(id))
        .order_by_asc(collection::Column::CollectedOn)
        .order_by_asc(collection::Column::Id)
        .all(conn)
        .await?;
    let ids: Vec<i64> = collections.iter().map(|c| c.id).collect();
    let collection_credits = if ids.is_empty() {
        Vec::new()
    } else {
        collection_credit::Entity::find()
            .filter(collection_credit::Column::CollectionId.is_in(ids))
            .all(conn)
            .await?
    };
    Ok(Some(Full {
        order,
        lines,
        credits,
        collections,
        collection_credits,
    }))
}

/// id → (employee no, name, unit) of these people.
async fn people_of<C: ConnectionTrait>(
    conn: &C,
    ids: impl IntoIterator<Item = PersonId>,
) -> Result<HashMap<PersonId, person::Model>> {
    let ids: Vec<PersonId> = ids
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        for p in person::Entity::find()
            .filter(person::Column::Id.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            out.insert(p.id, p);
        }
    }
    Ok(out)
}

/// Does `reach` cover one of these credited people?
fn covers_any(
    reach: Reach,
    tree: &OrgTree,
    credits: &[PersonId],
    people: &HashMap<PersonId, person::Model>,
) -> bool {
    if reach == Reach::All {
        return true;
    }
    credits.iter().any(|pid| {
        people
            .get(pid)
            .is_some_and(|p| reach.covers(tree, p.unit_id, Some(p.id)))
    })
}

/// `None` when the actor does not read the order (by its credited people),
/// else whether they may change it.
fn order_reach(
    actor: &Actor,
    tree: &OrgTree,
    full: &Full,
    people: &HashMap<PersonId, person::Model>,
) -> Option<bool> {
    let ids: Vec<PersonId> = full.credits.iter().map(|c| c.person_id).collect();
    covers_any(actor.orders_read(), tree, &ids, people)
        .then(|| covers_any(actor.orders_write(), tree, &ids, people))
}

/// The order if the actor reads it, else `NotFound`; and whether they may
/// change it.
async fn load_in_reach<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    id: i64,
) -> Result<(Full, HashMap<PersonId, person::Model>, OrgTree, bool)> {
    let full = load_full(conn, id).await?.ok_or(Error::NotFound)?;
    let tree = load_org_tree(conn).await?;
    let people = people_of(conn, full.credits.iter().map(|c| c.person_id)).await?;
    let can_write = order_reach(actor, &tree, &full, &people).ok_or(Error::NotFound)?;
    Ok((full, people, tree, can_write))
}

fn view_of(
    full: &Full,
    customer: &str,
    people: &HashMap<PersonId, person::Model>,
    can_write: bool,
) -> OrderView {
    let credit_view = |pid: PersonId, share: Option<i32>, amount: i64| {
        let (no, name) = people
            .get(&pid)
            .map(|p| (p.employee_no.clone(), p.name.clone()))
            .unwrap_or_default();
        CreditView {
            employee_no: no,
            name,
            share: share.map(format_share),
            amount: money(amount),
            amount_fen: amount,
        }
    };
    let o = &full.order;
    let collected = full.collected();
    let dates = [
        Some(o.order_date.clone()),
        o.confirmed_on.clone(),
        o.shipped_on.clone(),
        o.invoiced_on.clone(),
        o.paid_on.clone(),
    ];
    let rank: HashMap<PersonId, usize> = full
        .credits
        .iter()
        .enumerate()
        .map(|(i, c)| (c.person_id, i))
        .collect();
    OrderView {
        id: o.id,
        order_no: o.order_no.clone(),
        customer_id: o.customer_id,
        customer: customer.to_owned(),
        status: o.status.clone(),
        order_date: o.order_date.clone(),
        confirmed_on: o.confirmed_on.clone(),
        shipped_on: o.shipped_on.clone(),
        invoiced_on: o.invoiced_on.clone(),
        paid_on: o.paid_on.clone(),
        cancelled_on: o.cancelled_on.clone(),
        steps: STEPS
            .iter()
            .zip(dates)
            .map(|(s, d)| StepView {
                status: (*s).to_owned(),
                done: d.is_some(),
                date: d,
            })
            .collect(),
        total: money(o.total),
        total_fen: o.total,
        collected: money(collected),
        collected_fen: collected,
        outstanding: money(o.total - collected),
        note: o.note.clone(),
        lines: full
            .lines
            .iter()
            .map(|l| LineView {
                line_no: l.line_no,
                product: l.product.clone(),
                category: l.category.clone(),
                quantity: format_quantity(l.quantity_milli),
                unit_price: money(l.unit_price),
                amount: money(l.amount),
            })
            .collect(),
        credits: full
            .credits
            .iter()
            .map(|c| credit_view(c.person_id, Some(c.share), c.amount))
            .collect(),
        collections: full
            .collections
            .iter()
            .map(|k| {
                let mut credits: Vec<&collection_credit::Model> = full
                    .collection_credits
                    .iter()
                    .filter(|cc| cc.collection_id == k.id)
                    .collect();
                credits.sort_by_key(|cc| rank.get(&cc.person_id).copied().unwrap_or(usize::MAX));
                CollectionView {
                    id: k.id,
                    amount: money(k.amount),
                    amount_fen: k.amount,
                    collected_on: k.collected_on.clone(),
                    note: k.note.clone(),
                    credits: credits
                        .into_iter()
                        .map(|cc| credit_view(cc.person_id, None, cc.amount))
                        .collect(),
                }
            })
            .collect(),
        can_write: can_write && o.status != CANCELLED,
        created_at: o.created_at,
        updated_at: o.updated_at,
    }
}

async fn customer_name<C: ConnectionTrait>(conn: &C, id: i64) -> Result<String> {
    Ok(customer::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(|c| c.name)
        .unwrap_or_default())
}

/// One order, or `NotFound` when missing or out of reach.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<OrderView> {
    let (full, people, _, can_write) = load_in_reach(db, actor, id).await?;
    let name = customer_name(db, full.order.customer_id).await?;
    Ok(view_of(&full, &name, &people, can_write))
}

// ---------------------------------------------------------------- list

/// The SQL condition (and its values) limiting orders to `reach` by their
/// credited people; `None` for everything.
fn reach_condition(reach: Reach, tree: &OrgTree) -> Option<(String, Vec<SqlValue>)> {
    match reach {
        Reach::All => None,
        Reach::Own(me) => Some((
            "EXISTS (SELECT 1 FROM order_credit rc WHERE rc.order_id = o.id AND rc.person_id = ?)"
                .into(),
            vec![me.into()],
        )),
        other => {
            let units: Vec<UnitId> = other.units(tree).unwrap_or_default();
            if units.is_empty() {
                return Some(("1 = 0".into(), Vec::new()));
            }
            let marks = vec!["?"; units.len()].join(", ");
            Some((
                format!(
                    "EXISTS (SELECT 1 FROM order_credit rc JOIN person rp ON rp.id = rc.person_id \
                     WHERE rc.order_id = o.id AND rp.unit_id IN ({marks}))"
                ),
                units.into_iter().map(Into::into).collect(),
            ))
        }
    }
}

fn like_pattern(text: &str) -> String {
    let escaped: String = text
        .to_lowercase()
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    format!("%{escaped}%")
}

/// Orders the actor reads, newest order date first, a page at a time.
pub async fn list(db: &Db, actor: &Actor, filter: &OrderFilter) -> Result<OrderList> {
    let tree = load_org_tree(db).await?;
    let mut conds: Vec<String> = Vec::new();
    let mut values: Vec<SqlValue> = Vec::new();
    let mut errors = Vec::new();
    if let Some((c, v)) = reach_condition(actor.orders_read(), &tree) {
        conds.push(c);
        values.extend(v);
    }
    if let Some(c) = filter.customer {
        // A customer's orders are found month by month (the orders'
        // (month, customer) index).
        conds.push(format!(
            "{} AND o.customer_id = ?",
            computed::order_months(db, "o").await?
        ));
        values.push(c.into());
    }
    if let Some(no) = filter
        .person
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        conds.push(
            "EXISTS (SELECT 1 FROM order_credit fc JOIN person fp ON fp.id = fc.person_id \
             WHERE fc.order_id = o.id AND fp.employee_no = ?)"
                .into(),
        );
        values.push(no.to_owned().into());
    }
    if let Some(s) = filter
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match parse_status(s) {
            Some(code) => {
                conds.push("o.status = ?".into());
                values.push(code.to_owned().into());
            }
            None => errors.push(FieldError::new(
                "status",
                format!(
                    "\"{s}\" is not a status (entered, confirmed, shipped, invoiced, paid, cancelled)"
                ),
                format!("\"{s}\" 不是有效的状态（录入、确认、发货、开票、回款、已取消）"),
            )),
        }
    }
    for (field, text, op) in [("from", &filter.from, ">="), ("to", &filter.to, "<=")] {
        if let Some(t) = text.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            match NaiveDate::parse_from_str(t, "%Y-%m-%d") {
                Ok(d) => {
                    conds.push(format!("o.order_date {op} ?"));
                    values.push(d.to_string().into());
                }
                Err(_) => errors.push(FieldError::new(
                    field,
                    format!("\"{t}\" is not a date YYYY-MM-DD"),
                    format!("\"{t}\" 不是有效的日期（YYYY-MM-DD）"),
                )),
            }
        }
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        conds.push(
            "(LOWER(o.order_no) LIKE ? ESCAPE '\\' OR LOWER(c.name) LIKE ? ESCAPE '\\')".into(),
        );
        let p = like_pattern(q);
        values.push(p.clone().into());
        values.push(p.into());
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let per_page = filter.per_page.unwrap_or(50).clamp(1, 500);
    let page = filter.page.unwrap_or(1).clamp(1, 1_000_000);
    let wh = if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    };
    let backend = db.get_database_backend();
    let from = "FROM sales_order o JOIN customer c ON c.id = o.customer_id";
    let head = db
        .query_one_raw(statement(
            backend,
            &format!(
                "SELECT CAST(COUNT(*) AS BIGINT) AS n, \
                 CAST(COALESCE(SUM(CASE WHEN o.status <> 'cancelled' THEN o.total ELSE 0 END), 0) AS BIGINT) AS total \
                 {from}{wh}"
            ),
            values.clone(),
        ))
        .await?;
    let (count, sum) = match head {
        Some(r) => (r.try_get::<i64>("", "n")?, r.try_get::<i64>("", "total")?),
        None => (0, 0),
    };
    let mut page_values = values;
    page_values.push(i64::try_from(per_page).unwrap_or(50).into());
    page_values.push(i64::try_from((page - 1) * per_page).unwrap_or(0).into());
    let rows = db
        .query_all_raw(statement(
            backend,
            &format!(
                "SELECT o.id, o.order_no, o.customer_id, c.name AS customer, o.status, o.order_date, o.total, \
                 CAST(COALESCE((SELECT SUM(k.amount) FROM collection k WHERE k.order_id = o.id), 0) AS BIGINT) AS collected \
                 {from}{wh} ORDER BY o.order_date DESC, o.id DESC LIMIT ? OFFSET ?"
            ),
            page_values,
        ))
        .await?;
    let mut orders = Vec::with_capacity(rows.len());
    for r in rows {
        let total: i64 = r.try_get("", "total")?;
        let collected: i64 = r.try_get("", "collected")?;
        orders.push(OrderSummary {
            id: r.try_get("", "id")?,
            order_no: r.try_get("", "order_no")?,
            customer_id: r.try_get("", "customer_id")?,
            customer: r.try_get("", "customer")?,
            status: r.try_get("", "status")?,
            order_date: r.try_get("", "order_date")?,
            total: money(total),
            total_fen: total,
            collected: money(collected),
            collected_fen: collected,
            credits: Vec::new(),
        });
    }
    if !orders.is_empty() {
        let ids: Vec<i64> = orders.iter().map(|o| o.id).collect();
        let credits = order_credit::Entity::find()
            .filter(order_credit::Column::OrderId.is_in(ids))
            .all(db)
            .await?;
        let people = people_of(db, credits.iter().map(|c| c.person_id)).await?;
        let mut by_order: HashMap<i64, Vec<order_credit::Model>> = HashMap::new();
        for c in credits {
            by_order.entry(c.order_id).or_default().push(c);
        }
        for o in &mut orders {
            let mut cs = by_order.remove(&o.id).unwrap_or_default();
            cs.sort_by(|a, b| {
                credit_order(
                    (
                        a.share,
                        people.get(&a.person_id).map(|p| p.employee_no.as_str()),
                    ),
                    (
                        b.share,
                        people.get(&b.person_id).map(|p| p.employee_no.as_str()),
                    ),
                )
            });
            o.credits = cs
                .into_iter()
                .map(|c| {
                    let p = people.get(&c.person_id);
                    CreditView {
                        employee_no: p.map(|p| p.employee_no.clone()).unwrap_or_default(),
                        name: p.map(|p| p.name.clone()).unwrap_or_default(),
                        share: Some(format_share(c.share)),
                        amount: money(c.amount),
                        amount_fen: c.amount,
                    }
                })
                .collect();
        }
    }
    Ok(OrderList {
        orders,
        count: u64::try_from(count).unwrap_or(0),
        total: money(sum),
        page,
        per_page,
    })
}

// ---------------------------------------------------------------- checking an order

/// A line after checking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub product: String,
    pub category: Option<String>,
    pub quantity_milli: i64,
    pub unit_price: i64,
    pub amount: i64,
}

/// Checks one line's text fields; every error is pushed as `prefix.field`.
/// Shared by the API and the import.
pub fn check_line(
    product: &str,
    category: Option<&str>,
    quantity: &str,
    unit_price: &str,
    amount: Option<&str>,
    err: &mut dyn FnMut(&'static str, String, String),
) -> Option<Line> {
    let product = product.trim();
    if product.is_empty() || product.chars().count() > MAX_PRODUCT {
        err(
            "product",
            format!("give the product (1–{MAX_PRODUCT} characters)"),
            format!("请填写产品（1–{MAX_PRODUCT} 个字符）"),
        );
    }
    let category = category.map(str::trim).filter(|c| !c.is_empty());
    if category.is_some_and(|c| c.chars().count() > MAX_CATEGORY) {
        err(
            "category",
            format!("at most {MAX_CATEGORY} characters"),
            format!("最多 {MAX_CATEGORY} 个字符"),
        );
    }
    let quantity = match parse_fixed(quantity, 3) {
        Ok(0) => {
            err(
                "quantity",
                "must not be zero (negative for a return)".into(),
                "不能为零（退货请填负数）".into(),
            );
            None
        }
        Ok(q) => Some(q),
        Err(e) => {
            err(
                "quantity",
                format!("\"{}\" {}", quantity.trim(), e.en),
                format!("\"{}\" {}", quantity.trim(), e.zh),
            );
            None
        }
    };
    let price = match parse_value(Kind::Amount, unit_price) {
        Ok(p) if p < 0 => {
            err(
                "unit_price",
                "must not be negative (enter a return as a negative quantity)".into(),
                "不能为负数（退货请将数量填为负数）".into(),
            );
            None
        }
        Ok(p) => Some(p),
        Err(e) => {
            err(
                "unit_price",
                format!("\"{}\" {}", unit_price.trim(), e.en),
                format!("\"{}\" {}", unit_price.trim(), e.zh),
            );
            None
        }
    };
    let (Some(q), Some(p)) = (quantity, price) else {
        return None;
    };
    let Some(computed) = line_amount(q, p) else {
        err(
            "amount",
            "quantity × unit price is too large".into(),
            "数量 × 单价 数值过大".into(),
        );
        return None;
    };
    if let Some(a) = amount.map(str::trim).filter(|a| !a.is_empty()) {
        match parse_value(Kind::Amount, a) {
            Ok(v) if v == computed => {}
            Ok(_) => {
                err(
                    "amount",
                    format!(
                        "{a} is not quantity × unit price ({} × {} = {})",
                        format_quantity(q),
                        money(p),
                        money(computed)
                    ),
                    format!(
                        "金额 {a} 不等于 数量 × 单价（{} × {} = {}）",
                        format_quantity(q),
                        money(p),
                        money(computed)
                    ),
                );
                return None;
            }
            Err(e) => {
                err(
                    "amount",
                    format!("\"{a}\" {}", e.en),
                    format!("\"{a}\" {}", e.zh),
                );
                return None;
            }
        }
    }
    if product.is_empty() || product.chars().count() > MAX_PRODUCT {
        return None;
    }
    Some(Line {
        product: product.to_owned(),
        category: category.map(str::to_owned),
        quantity_milli: q,
        unit_price: p,
        amount: computed,
    })
}

/// Which customer an order is for.
#[derive(Debug, Clone)]
enum CustomerRef {
    Id(i64),
    /// Created when not known.
    Name(String),
}

/// An order after checking, ready to write.
#[derive(Debug, Clone)]
struct Checked {
    order_no: Option<String>,
    customer: CustomerRef,
    order_date: NaiveDate,
    lines: Vec<Line>,
    /// (person, share) in the order given.
    credits: Vec<(PersonId, i32)>,
    total: i64,
    note: Option<String>,
}

/// The whole order as it should be, from a new order or an order with a
/// patch laid over it.
struct Wanted<'a> {
    order_no: Option<&'a str>,
    customer_id: Option<i64>,
    customer: Option<&'a str>,
    order_date: Option<&'a str>,
    lines: &'a [LineInput],
    credits: &'a [CreditInput],
    note: Option<&'a str>,
}

/// Checks everything about an order that does not depend on its history;
/// every problem is named by its field.
async fn check<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    tree: &OrgTree,
    w: &Wanted<'_>,
    tz: Tz,
    existing: Option<&sales_order::Model>,
) -> Result<Checked> {
    let mut errors: Vec<FieldError> = Vec::new();
    let order_no = w.order_no.map(str::trim).filter(|s| !s.is_empty());
    if let Some(no) = order_no {
        if no.chars().count() > MAX_ORDER_NO || no.chars().any(char::is_control) {
            errors.push(FieldError::new(
                "order_no",
                format!("1–{MAX_ORDER_NO} characters without line breaks"),
                format!("订单号应为 1–{MAX_ORDER_NO} 个字符，且不含换行"),
            ));
        } else if existing.is_none_or(|e| e.order_no != no)
            && sales_order::Entity::find()
                .filter(sales_order::Column::OrderNo.eq(no))
                .one(conn)
                .await?
                .is_some()
        {
            errors.push(FieldError::new(
                "order_no",
                format!("order number \"{no}\" is already used"),
                format!("订单号 \"{no}\" 已存在"),
            ));
        }
    }
    // The customer: by id, or by name (created when unknown).
    let customer_ref = match (w.customer_id, w.customer.map(str::trim)) {
        (Some(id), _) => match customer::Entity::find_by_id(id).one(conn).await? {
            Some(c) if existing.is_some_and(|e| e.customer_id == id) => Some(CustomerRef::Id(c.id)),
            Some(c) if customer_visible(conn, actor, tree, &c).await? => {
                Some(CustomerRef::Id(c.id))
            }
            _ => {
                errors.push(FieldError::new(
                    "customer_id",
                    format!("no customer {id}"),
                    format!("客户 {id} 不存在"),
                ));
                None
            }
        },
        (None, Some(name)) if !name.is_empty() => {
            if name.chars().count() > MAX_CUSTOMER {
                errors.push(FieldError::new(
                    "customer",
                    format!("at most {MAX_CUSTOMER} characters"),
                    format!("客户名称最多 {MAX_CUSTOMER} 个字符"),
                ));
                None
            } else {
                match customer::Entity::find()
                    .filter(customer::Column::Name.eq(name))
                    .one(conn)
                    .await?
                {
                    Some(c)
                        if existing.is_some_and(|e| e.customer_id == c.id)
                            || customer_visible(conn, actor, tree, &c).await? =>
                    {
                        Some(CustomerRef::Id(c.id))
                    }
                    Some(_) => {
                        errors.push(FieldError::new(
                            "customer",
                            format!(
                                "customer \"{name}\" is looked after by another salesperson; ask a sales admin to enter this order"
                            ),
                            format!("客户 \"{name}\" 由其他销售负责，请由销售内勤录入此订单"),
                        ));
                        None
                    }
                    None => Some(CustomerRef::Name(name.to_owned())),
                }
            }
        }
        _ => {
            errors.push(FieldError::new(
                "customer",
                "give the customer (customer_id, or the customer's name)",
                "请填写客户",
            ));
            None
        }
    };
    let order_date = match w.order_date.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(today(tz)),
        Some(t) => match parse_day(t, tz) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(FieldError::new(
                    "order_date",
                    format!("\"{t}\" {}", e.en),
                    format!("\"{t}\" {}", e.zh),
                ));
                None
            }
        },
    };
    // Lines.
    if w.lines.is_empty() {
        errors.push(FieldError::new(
            "lines",
            "an order needs at least one line",
            "订单至少需要一行明细",
        ));
    }
    if w.lines.len() > MAX_LINES {
        errors.push(FieldError::new(
            "lines",
            format!("at most {MAX_LINES} lines"),
            format!("最多 {MAX_LINES} 行明细"),
        ));
    }
    let mut lines = Vec::with_capacity(w.lines.len());
    for (i, l) in w.lines.iter().enumerate() {
        let mut bad = |field: &str, en: String, zh: String| {
            errors.push(FieldError::new(format!("lines[{i}].{field}"), en, zh));
        };
        let texts = [
            ("quantity", json_text(&l.quantity)),
            ("unit_price", json_text(&l.unit_price)),
        ];
        let mut ok = true;
        for (f, t) in &texts {
            if t.is_none() {
                bad(
                    f,
                    "must be a number or a decimal string".into(),
                    "应为数字".into(),
                );
                ok = false;
            }
        }
        let amount = match &l.amount {
            None | Some(Value::Null) => None,
            Some(v) => match json_text(v) {
                Some(t) => Some(t),
                None => {
                    bad(
                        "amount",
                        "must be a number or a decimal string".into(),
                        "应为数字".into(),
                    );
                    ok = false;
                    None
                }
            },
        };
        if !ok {
            continue;
        }
        let mut push = |f: &'static str, en: String, zh: String| bad(f, en, zh);
        if let Some(line) = check_line(
            &l.product,
            l.category.as_deref(),
            texts[0].1.as_deref().unwrap_or_default(),
            texts[1].1.as_deref().unwrap_or_default(),
            amount.as_deref(),
            &mut push,
        ) {
            lines.push(line);
        }
    }
    let total: i128 = lines.iter().map(|l| i128::from(l.amount)).sum();
    let total = match i64::try_from(total)
        .ok()
        .filter(|t| t.unsigned_abs() <= MAX_MINOR)
    {
        Some(t) => t,
        None => {
            errors.push(FieldError::new(
                "lines",
                "the order total is too large",
                "订单合计数值过大",
            ));
            0
        }
    };
    // Credits: by default the caller alone.
    let own;
    let credits_in: &[CreditInput] = if w.credits.is_empty() {
        match actor.person_id {
            Some(pid) => {
                let no = person::Entity::find_by_id(pid)
                    .one(conn)
                    .await?
                    .map(|p| p.employee_no)
                    .unwrap_or_default();
                own = [CreditInput {
                    employee_no: no,
                    share: None,
                }];
                &own
            }
            None => {
                errors.push(FieldError::new(
                    "credits",
                    "name the salesperson(s) the order is credited to",
                    "请填写业绩归属的销售人员",
                ));
                &[]
            }
        }
    } else {
        w.credits
    };
    if credits_in.len() > MAX_CREDITS {
        errors.push(FieldError::new(
            "credits",
            format!("at most {MAX_CREDITS} salespeople"),
            format!("最多 {MAX_CREDITS} 名销售人员"),
        ));
    }
    let nos: Vec<String> = credits_in
        .iter()
        .map(|c| c.employee_no.trim().to_owned())
        .collect();
    let found: HashMap<String, person::Model> = if nos.is_empty() {
        HashMap::new()
    } else {
        person::Entity::find()
            .filter(person::Column::EmployeeNo.is_in(nos.clone()))
            .all(conn)
            .await?
            .into_iter()
            .map(|p| (p.employee_no.clone(), p))
            .collect()
    };
    let mut credits = Vec::with_capacity(credits_in.len());
    let mut seen = HashSet::new();
    let mut share_sum: i64 = 0;
    let mut shares_ok = true;
    for (i, c) in credits_in.iter().enumerate() {
        let no = c.employee_no.trim();
        let person = found.get(no);
        match person {
            None => errors.push(FieldError::new(
                format!("credits[{i}].employee_no"),
                format!("no person with employee no \"{no}\""),
                format!("工号 \"{no}\" 不存在"),
            )),
            Some(p) if !p.active => errors.push(FieldError::new(
                format!("credits[{i}].employee_no"),
                format!("{} ({no}) is no longer active", p.name),
                format!("{}（{no}）已停用", p.name),
            )),
            Some(p) if !seen.insert(p.id) => errors.push(FieldError::new(
                format!("credits[{i}].employee_no"),
                format!("{no} is listed twice"),
                format!("{no} 重复出现"),
            )),
            Some(_) => {}
        }
        let share = match &c.share {
            None | Some(Value::Null) if credits_in.len() == 1 => Some(10000),
            None | Some(Value::Null) => {
                errors.push(FieldError::new(
                    format!("credits[{i}].share"),
                    "give each salesperson's share in percent",
                    "请填写每位销售的分成比例（%）",
                ));
                None
            }
            Some(v) => match json_text(v).map(|t| (parse_value(Kind::Percent, &t), t)) {
                Some((Ok(s), _)) if s > 0 && s <= 10000 => i32::try_from(s).ok(),
                Some((Ok(_), t)) => {
                    errors.push(FieldError::new(
                        format!("credits[{i}].share"),
                        format!("{t} % is not above 0 and at most 100"),
                        format!("分成比例 {t}% 应大于 0 且不超过 100"),
                    ));
                    None
                }
                Some((Err(e), t)) => {
                    errors.push(FieldError::new(
                        format!("credits[{i}].share"),
                        format!("\"{t}\" {}", e.en),
                        format!("\"{t}\" {}", e.zh),
                    ));
                    None
                }
                None => {
                    errors.push(FieldError::new(
                        format!("credits[{i}].share"),
                        "must be a number or a decimal string",
                        "应为数字",
                    ));
                    None
                }
            },
        };
        match share {
            Some(s) => share_sum += i64::from(s),
            None => shares_ok = false,
        }
        if let (Some(p), Some(s)) = (person, share) {
            credits.push((p.id, s, p.employee_no.clone()));
        }
    }
    credits.sort_by(|a, b| credit_order((a.1, Some(&a.2)), (b.1, Some(&b.2))));
    let credits: Vec<(PersonId, i32)> = credits.into_iter().map(|(p, s, _)| (p, s)).collect();
    if shares_ok && !credits_in.is_empty() && share_sum != 10000 {
        let last = credits_in.len() - 1;
        let sum = format_share(i32::try_from(share_sum).unwrap_or(i32::MAX));
        errors.push(FieldError::new(
            format!("credits[{last}].share"),
            format!("the shares add up to {sum} %, not exactly 100"),
            format!("分成比例合计为 {sum}%，应恰好为 100%"),
        ));
    }
    let note = w.note.map(str::trim).filter(|s| !s.is_empty());
    if note.is_some_and(|n| n.chars().count() > MAX_NOTE) {
        errors.push(FieldError::new(
            "note",
            format!("at most {MAX_NOTE} characters"),
            format!("备注最多 {MAX_NOTE} 个字符"),
        ));
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    // A salesperson enters only orders credited (at least in part) to
    // themselves.
    if actor.orders_write() != Reach::All {
        let people = people_of(conn, credits.iter().map(|c| c.0)).await?;
        let ids: Vec<PersonId> = credits.iter().map(|c| c.0).collect();
        if !covers_any(actor.orders_write(), tree, &ids, &people) {
            return Err(Error::Forbidden);
        }
    }
    Ok(Checked {
        order_no: order_no.map(str::to_owned),
        customer: customer_ref.ok_or_else(|| Error::Invalid(Vec::new()))?,
        order_date: order_date.ok_or_else(|| Error::Invalid(Vec::new()))?,
        lines,
        credits,
        total,
        note: note.map(str::to_owned),
    })
}

/// Does the actor read this customer (by its owner)?
async fn customer_visible<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    tree: &OrgTree,
    c: &customer::Model,
) -> Result<bool> {
    let reach = actor.customers_read();
    if reach == Reach::All {
        return Ok(true);
    }
    let Some(owner) = c.owner_person_id else {
        return Ok(false);
    };
    Ok(person::Entity::find_by_id(owner)
        .one(conn)
        .await?
        .is_some_and(|p| reach.covers(tree, p.unit_id, Some(p.id))))
}

// ---------------------------------------------------------------- writing

/// A customer's first purchase before and after a change of their orders:
/// who counts them as new, and in which month, changed with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstPurchaseMove {
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The customers whose first purchase moved, by id.
pub type FirstPurchaseMoves = BTreeMap<i64, FirstPurchaseMove>;

/// Keeps `first_purchase_on` of these customers equal to their first order
/// that was not cancelled; returns those whose first purchase moved.
pub async fn refresh_first_purchase<C: ConnectionTrait>(
    conn: &C,
    customers: &[i64],
) -> Result<FirstPurchaseMoves> {
    let ids: Vec<i64> = customers
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let backend = conn.get_database_backend();
    let mut moved = FirstPurchaseMoves::new();
    if ids.is_empty() {
        return Ok(moved);
    }
    let months = computed::order_months(conn, "o").await?;
    for chunk in ids.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let values: Vec<sea_orm::Value> = chunk.iter().map(|v| (*v).into()).collect();
        let before = first_purchases(conn, chunk).await?;
        conn.execute_raw(statement(
            backend,
            &format!(
                "UPDATE customer SET first_purchase_on = (SELECT MIN(o.order_date) FROM sales_order o \
                 WHERE {months} AND o.customer_id = customer.id AND o.status <> 'cancelled') \
                 WHERE id IN ({marks})"
            ),
            values,
        ))
        .await?;
        for (id, after) in first_purchases(conn, chunk).await? {
            let before = before.get(&id).cloned().flatten();
            if before != after {
                moved.insert(id, FirstPurchaseMove { before, after });
            }
        }
    }
    Ok(moved)
}

/// `first_purchase_on` of these customers (at most a few hundred).
async fn first_purchases<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
) -> Result<HashMap<i64, Option<String>>> {
    let sql = format!(
        "SELECT id, first_purchase_on FROM customer WHERE id IN ({})",
        vec!["?"; ids.len()].join(", ")
    );
    let values = ids.iter().map(|v| (*v).into()).collect();
    conn.query_all_raw(statement(conn.get_database_backend(), &sql, values))
        .await?
        .into_iter()
        .map(|r| {
            Ok((
                r.try_get::<i64>("", "id")?,
                r.try_get::<Option<String>>("", "first_purchase_on")?,
            ))
        })
        .collect()
}

/// After new orders that are not cancelled (an import, a new order):
/// each customer's first purchase is the earlier of the one kept and the
/// new orders' first day, with no pass over the customer's orders.
/// `firsts` holds each customer's first new day.
async fn advance_first_purchases<C: ConnectionTrait>(
    conn: &C,
    firsts: &HashMap<i64, String>,
) -> Result<FirstPurchaseMoves> {
    let ids: Vec<i64> = firsts.keys().copied().collect();
    let mut moved = FirstPurchaseMoves::new();
    for chunk in ids.chunks(500) {
        for (id, before) in first_purchases(conn, chunk).await? {
            let Some(day) = firsts.get(&id) else { continue };
            if before.as_ref().is_none_or(|b| day < b) {
                moved.insert(
                    id,
                    FirstPurchaseMove {
                        before,
                        after: Some(day.clone()),
                    },
                );
            }
        }
    }
    let backend = conn.get_database_backend();
    let changes: Vec<(&i64, &FirstPurchaseMove)> = moved.iter().collect();
    for chunk in changes.chunks(500) {
        let mut values: Vec<SqlValue> = Vec::with_capacity(chunk.len() * 3);
        for (id, m) in chunk {
            values.extend([(**id).into(), m.after.clone().into()]);
        }
        values.extend(chunk.iter().map(|(id, _)| (**id).into()));
        let sql = format!(
            "UPDATE customer SET first_purchase_on = CASE id {} END WHERE id IN ({})",
            vec!["WHEN ? THEN ?"; chunk.len()].join(" "),
            vec!["?"; chunk.len()].join(", ")
        );
        conn.execute_raw(statement(backend, &sql, values)).await?;
    }
    Ok(moved)
}

/// Per salesperson, year and customer, the first month of the credits
/// that are not cancelled: the rows of `person_customer_year`.
const CUSTOMER_YEARS: &str = "SELECT person_id, CAST(substr(order_date, 1, 4) AS INTEGER), \
     customer_id, MIN(substr(order_date, 1, 7)) FROM order_credit WHERE NOT cancelled";
const CUSTOMER_YEARS_GROUPED: &str = "GROUP BY person_id, substr(order_date, 1, 4), customer_id";
const INTO_CUSTOMER_YEARS: &str =
    "INSERT INTO person_customer_year (person_id, year, customer_id, first_month)";

/// Builds `person_customer_year` again from every credit (a recompute of
/// everything).
pub(crate) async fn rebuild_customer_years<C: ConnectionTrait>(conn: &C) -> Result<()> {
    conn.execute_unprepared("DELETE FROM person_customer_year")
        .await?;
    conn.execute_unprepared(&format!(
        "{INTO_CUSTOMER_YEARS} {CUSTOMER_YEARS} {CUSTOMER_YEARS_GROUPED}"
    ))
    .await?;
    Ok(())
}

/// A (salesperson, customer, year) whose `person_customer_year` row may
/// have changed.
type CustomerYear = (PersonId, i64, i32);

/// Keeps these `person_customer_year` rows equal to the credits, after
/// credits of theirs were written, moved or cancelled: each from the
/// salesperson's credits of that year alone.
async fn keep_customer_years<C: ConnectionTrait>(
    conn: &C,
    keys: &BTreeSet<CustomerYear>,
) -> Result<()> {
    let backend = conn.get_database_backend();
    for (person, customer, year) in keys {
        // The year's months: one short run each of the credits' month index.
        let insert = format!(
            "{INTO_CUSTOMER_YEARS} {CUSTOMER_YEARS} AND {} AND person_id = ? \
             AND order_date >= ? AND order_date < ? AND customer_id = ? {CUSTOMER_YEARS_GROUPED}",
            super::computed::credit_months(
                "order_credit",
                &format!("{year:04}-01"),
                &format!("{year:04}-12")
            )
        );
        conn.execute_raw(statement(
            backend,
            "DELETE FROM person_customer_year WHERE person_id = ? AND year = ? AND customer_id = ?",
            vec![(*person).into(), (*year).into(), (*customer).into()],
        ))
        .await?;
        conn.execute_raw(statement(
            backend,
            &insert,
            vec![
                (*person).into(),
                format!("{year:04}-01-01").into(),
                format!("{:04}-01-01", year + 1).into(),
                (*customer).into(),
            ],
        ))
        .await?;
    }
    Ok(())
}

/// The year of a day (`2026-03-05` → 2026).
fn year_of(day: &str) -> Option<i32> {
    day.get(..4).and_then(|y| y.parse().ok())
}

/// The (salesperson, customer, year) of an order's credits as stored.
async fn credit_years<C: ConnectionTrait>(
    conn: &C,
    order_id: i64,
) -> Result<BTreeSet<CustomerYear>> {
    Ok(order_credit::Entity::find()
        .filter(order_credit::Column::OrderId.eq(order_id))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|c| Some((c.person_id, c.customer_id, year_of(&c.order_date)?)))
        .collect())
}

/// A free order number for `day`: `SO20260305-0001`, …
async fn next_order_no<C: ConnectionTrait>(conn: &C, day: NaiveDate) -> Result<String> {
    let prefix = format!("SO{}-", day.format("%Y%m%d"));
    // The day's numbers as a range in byte order ('.' follows '-'), which
    // an index holds on either database: SQLite's unique index compares
    // bytes; PostgreSQL's may sort by a linguistic collation, so there the
    // range is taken in "C", indexed by migration 000030. A `LIKE 'SO…-%'`
    // read every order on both.
    let backend = conn.get_database_backend();
    let column = match backend {
        sea_orm::DatabaseBackend::Postgres => "order_no COLLATE \"C\"",
        _ => "order_no",
    };
    let after = format!("SO{}.", day.format("%Y%m%d"));
    let sql = format!("SELECT order_no FROM sales_order WHERE {column} >= ? AND {column} < ?");
    let mut used = HashSet::new();
    for r in conn
        .query_all_raw(statement(
            backend,
            &sql,
            vec![prefix.clone().into(), after.into()],
        ))
        .await?
    {
        used.insert(r.try_get::<String>("", "order_no")?);
    }
    let mut n = used.len() + 1;
    loop {
        let no = format!("{prefix}{n:04}");
        if !used.contains(&no) {
            return Ok(no);
        }
        n += 1;
    }
}

/// The customer's id, creating it (owned by `owner`) when it is new.
async fn resolve_customer<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    c: &CustomerRef,
    owner: Option<PersonId>,
) -> Result<i64> {
    match c {
        CustomerRef::Id(id) => Ok(*id),
        CustomerRef::Name(name) => {
            let (ids, created) =
                customers::find_or_create_by_names(conn, &[(name.clone(), owner)]).await?;
            if !created.is_empty() {
                audit::record(
                    conn,
                    Some(actor),
                    "create",
                    "customer",
                    name,
                    None,
                    Some(json!({"name": name, "owner_person_id": owner, "via": "order"})),
                )
                .await?;
            }
            ids.get(name.as_str()).copied().ok_or(Error::NotFound)
        }
    }
}

/// Whether an order's lines and credits are written for the first time
/// (a new order has none to delete: two statements fewer) or replace
/// those stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rows {
    New,
    Replacing,
}

async fn write_lines<C: ConnectionTrait>(
    conn: &C,
    order_id: i64,
    lines: &[Line],
    rows: Rows,
) -> Result<()> {
    if rows == Rows::Replacing {
        order_line::Entity::delete_many()
            .filter(order_line::Column::OrderId.eq(order_id))
            .exec(conn)
            .await?;
    }
    if lines.is_empty() {
        return Ok(());
    }
    for (start, chunk) in lines.chunks(1000).enumerate().map(|(i, c)| (i * 1000, c)) {
        let rows = chunk
            .iter()
            .enumerate()
            .map(|(i, l)| order_line::ActiveModel {
                order_id: Set(order_id),
                line_no: Set(i32::try_from(start + i + 1).unwrap_or(i32::MAX)),
                product: Set(l.product.clone()),
                category: Set(l.category.clone()),
                quantity_milli: Set(l.quantity_milli),
                unit_price: Set(l.unit_price),
                amount: Set(l.amount),
                ..Default::default()
            });
        order_line::Entity::insert_many(rows)
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

/// Writes the credits of the order as now stored (their copies of its
/// date, customer and cancellation with them), and splits its collections
/// again by them.
async fn write_credits<C: ConnectionTrait>(
    conn: &C,
    order: &sales_order::Model,
    credits: &[(PersonId, i32)],
    collections: &[collection::Model],
    rows: Rows,
) -> Result<()> {
    let mut keys = BTreeSet::new();
    if rows == Rows::Replacing {
        keys = credit_years(conn, order.id).await?;
        order_credit::Entity::delete_many()
            .filter(order_credit::Column::OrderId.eq(order.id))
            .exec(conn)
            .await?;
    }
    let shares: Vec<i32> = credits.iter().map(|c| c.1).collect();
    let parts = split_by_shares(order.total, &shares);
    order_credit::Entity::insert_many(credits.iter().zip(&parts).map(|((pid, share), amount)| {
        order_credit::ActiveModel {
            order_id: Set(order.id),
            person_id: Set(*pid),
            share: Set(*share),
            amount: Set(*amount),
            order_date: Set(order.order_date.clone()),
            customer_id: Set(order.customer_id),
            cancelled: Set(order.status == CANCELLED),
        }
    }))
    .exec_without_returning(conn)
    .await?;
    if let Some(year) = year_of(&order.order_date) {
        keys.extend(credits.iter().map(|(p, _)| (*p, order.customer_id, year)));
    }
    keep_customer_years(conn, &keys).await?;
    for k in collections {
        write_collection_credits(conn, k, credits).await?;
    }
    Ok(())
}

/// Splits a collection by the order's credit shares (its date copied onto
/// each part).
async fn write_collection_credits<C: ConnectionTrait>(
    conn: &C,
    collection: &collection::Model,
    credits: &[(PersonId, i32)],
) -> Result<()> {
    collection_credit::Entity::delete_many()
        .filter(collection_credit::Column::CollectionId.eq(collection.id))
        .exec(conn)
        .await?;
    let shares: Vec<i32> = credits.iter().map(|c| c.1).collect();
    let parts = split_by_shares(collection.amount, &shares);
    collection_credit::Entity::insert_many(credits.iter().zip(&parts).map(|((pid, _), a)| {
        collection_credit::ActiveModel {
            collection_id: Set(collection.id),
            person_id: Set(*pid),
            amount: Set(*a),
            collected_on: Set(collection.collected_on.clone()),
        }
    }))
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// What the audit log keeps of an order.
fn audit_view(full: &Full, customer: &str, people: &HashMap<PersonId, person::Model>) -> Value {
    let o = &full.order;
    json!({
        "order_no": o.order_no,
        "customer": customer,
        "status": o.status,
        "order_date": o.order_date,
        "confirmed_on": o.confirmed_on,
        "shipped_on": o.shipped_on,
        "invoiced_on": o.invoiced_on,
        "paid_on": o.paid_on,
        "cancelled_on": o.cancelled_on,
        "total": money(o.total),
        "lines": full.lines.iter().map(|l| json!({
            "product": l.product,
            "category": l.category,
            "quantity": format_quantity(l.quantity_milli),
            "unit_price": money(l.unit_price),
            "amount": money(l.amount),
        })).collect::<Vec<_>>(),
        "credits": full.credits.iter().map(|c| json!({
            "employee_no": people.get(&c.person_id).map(|p| p.employee_no.clone()),
            "share": format_share(c.share),
            "amount": money(c.amount),
        })).collect::<Vec<_>>(),
        "collected": money(full.collected()),
        "note": o.note,
    })
}

/// Reads the order back in the transaction: its audit view and what it
/// touches.
/// An order as stored at one moment of a write, with what its view needs.
struct Snapshot {
    full: Full,
    people: HashMap<PersonId, person::Model>,
    customer: String,
    /// What the audit log keeps of it.
    audit: Value,
    /// The (salesperson, day) pairs whose figures it feeds.
    touched: BTreeSet<(PersonId, String)>,
}

async fn snapshot<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Snapshot> {
    let full = load_full(conn, id).await?.ok_or(Error::NotFound)?;
    let people = people_of(conn, full.credits.iter().map(|c| c.person_id)).await?;
    let customer = customer_name(conn, full.order.customer_id).await?;
    let audit = audit_view(&full, &customer, &people);
    let touched = full.touched();
    Ok(Snapshot {
        full,
        people,
        customer,
        audit,
        touched,
    })
}

/// Finishes a write: the computed actuals, the audit entry, the commit.
/// Returns the order as the actor now sees it (read in the transaction,
/// so the caller need not read it again), or `None` when the write took
/// it out of their reach.
async fn finish(
    txn: sea_orm::DatabaseTransaction,
    shape: &Shape,
    actor: &Actor,
    action: &str,
    id: i64,
    before: Option<(Value, BTreeSet<(PersonId, String)>)>,
    moved: &FirstPurchaseMoves,
) -> Result<Option<OrderView>> {
    let started = std::time::Instant::now();
    let Snapshot {
        full: after,
        people,
        customer,
        audit: view,
        touched: touched_after,
    } = snapshot(&txn, id).await?;
    tracing::debug!(
        us = started.elapsed().as_micros() as u64,
        "order: read back"
    );
    let mut touched = touched_after;
    let before_view = before.map(|(v, t)| {
        touched.extend(t);
        v
    });
    computed::orders_changed(&txn, shape, &touched, moved).await?;
    tracing::debug!(us = started.elapsed().as_micros() as u64, "order: computed");
    audit::record(
        &txn,
        Some(actor),
        action,
        "order",
        &after.order.order_no,
        before_view,
        Some(view),
    )
    .await?;
    txn.commit().await?;
    tracing::debug!(
        us = started.elapsed().as_micros() as u64,
        "order: committed"
    );
    Ok(order_reach(actor, shape.tree(), &after, &people)
        .map(|can_write| view_of(&after, &customer, &people, can_write)))
}

/// Enters a new order; returns it as the actor sees it. `kept` holds the
/// server's tree and metrics, used when still current.
pub async fn create(
    db: &Db,
    kept: &StructureCache,
    actor: &Actor,
    new: &NewOrder,
    tz: Tz,
) -> Result<OrderView> {
    if actor.orders_write() == Reach::Nothing {
        return Err(Error::Forbidden);
    }
    let started = std::time::Instant::now();
    let txn = begin_write(db, Lane::Figures).await?;
    let shape = kept.shape_in(&txn).await?;
    let tree = shape.tree();
    tracing::debug!(us = started.elapsed().as_micros() as u64, "order: begun");
    let w = Wanted {
        order_no: new.order_no.as_deref(),
        customer_id: new.customer_id,
        customer: new.customer.as_deref(),
        order_date: new.order_date.as_deref(),
        lines: &new.lines,
        credits: &new.credits,
        note: new.note.as_deref(),
    };
    let c = check(&txn, actor, tree, &w, tz, None).await?;
    let owner = c.credits.first().map(|c| c.0);
    let customer_id = resolve_customer(&txn, actor, &c.customer, owner).await?;
    let order_no = match &c.order_no {
        Some(no) => no.clone(),
        None => next_order_no(&txn, c.order_date).await?,
    };
    let now = Utc::now();
    let order = sales_order::ActiveModel {
        order_no: Set(order_no),
        customer_id: Set(customer_id),
        status: Set(STEPS[0].to_owned()),
        order_date: Set(c.order_date.to_string()),
        total: Set(c.total),
        note: Set(c.note.clone()),
        created_by_user_id: Set(Some(actor.user_id)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    write_lines(&txn, order.id, &c.lines, Rows::New).await?;
    write_credits(&txn, &order, &c.credits, &[], Rows::New).await?;
    // A new order is not cancelled: the customer's first purchase is the
    // earlier of the one kept and this order's day.
    let firsts = HashMap::from([(customer_id, order.order_date.clone())]);
    let moved = advance_first_purchases(&txn, &firsts).await?;
    tracing::debug!(us = started.elapsed().as_micros() as u64, "order: written");
    finish(txn, &shape, actor, "create", order.id, None, &moved)
        .await?
        .ok_or(Error::NotFound)
}

/// Loads an order for a change: `NotFound` outside read reach, `Forbidden`
/// outside write reach, 422 when cancelled.
async fn for_change(
    txn: &sea_orm::DatabaseTransaction,
    actor: &Actor,
    id: i64,
) -> Result<(Full, Shape)> {
    let (full, _, tree, can_write) = load_in_reach(txn, actor, id).await?;
    if !can_write {
        return Err(Error::Forbidden);
    }
    if full.order.status == CANCELLED {
        return Err(Error::invalid(
            "status",
            "the order is cancelled and can no longer be changed",
            "订单已取消，不能再修改",
        ));
    }
    let metrics = load_metrics(txn).await?;
    Ok((full, Shape::Read { tree, metrics }))
}

/// The dates of the order's steps so far, with their field names.
fn step_dates(o: &sales_order::Model) -> [(&'static str, Option<&String>); 4] {
    [
        ("confirmed_on", o.confirmed_on.as_ref()),
        ("shipped_on", o.shipped_on.as_ref()),
        ("invoiced_on", o.invoiced_on.as_ref()),
        ("paid_on", o.paid_on.as_ref()),
    ]
}

/// Changes an order: number, customer, date, lines, credits, note.
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    patch: &OrderPatch,
    tz: Tz,
) -> Result<Option<OrderView>> {
    if actor.orders_write() == Reach::Nothing {
        // Still 404 for what the actor cannot see.
        let tree = load_org_tree(db).await?;
        let full = load_full(db, id).await?.ok_or(Error::NotFound)?;
        let ids: Vec<PersonId> = full.credits.iter().map(|c| c.person_id).collect();
        let people = people_of(db, ids.iter().copied()).await?;
        if !covers_any(actor.orders_read(), &tree, &ids, &people) {
            return Err(Error::NotFound);
        }
        return Err(Error::Forbidden);
    }
    let txn = begin_write(db, Lane::Figures).await?;
    let (full, shape) = for_change(&txn, actor, id).await?;
    let Snapshot {
        audit: before_view,
        touched: before_touched,
        ..
    } = snapshot(&txn, id).await?;
    let o = &full.order;
    let people = people_of(&txn, full.credits.iter().map(|c| c.person_id)).await?;
    let current_lines: Vec<LineInput> = full
        .lines
        .iter()
        .map(|l| LineInput {
            product: l.product.clone(),
            category: l.category.clone(),
            quantity: Value::String(format_quantity(l.quantity_milli)),
            unit_price: Value::String(money(l.unit_price)),
            amount: None,
        })
        .collect();
    let current_credits: Vec<CreditInput> = full
        .credits
        .iter()
        .map(|c| CreditInput {
            employee_no: people
                .get(&c.person_id)
                .map(|p| p.employee_no.clone())
                .unwrap_or_default(),
            share: Some(Value::String(format_share(c.share))),
        })
        .collect();
    let customer_given = patch.customer_id.is_some() || patch.customer.is_some();
    let w = Wanted {
        order_no: Some(patch.order_no.as_deref().unwrap_or(&o.order_no)),
        customer_id: if customer_given {
            patch.customer_id
        } else {
            Some(o.customer_id)
        },
        customer: patch.customer.as_deref(),
        order_date: Some(patch.order_date.as_deref().unwrap_or(&o.order_date)),
        lines: patch.lines.as_deref().unwrap_or(&current_lines),
        credits: patch.credits.as_deref().unwrap_or(&current_credits),
        note: match &patch.note {
            Some(n) => Some(n.as_str()),
            None => o.note.as_deref(),
        },
    };
    let c = check(&txn, actor, shape.tree(), &w, tz, Some(o)).await?;
    // What the order's history allows.
    let mut errors = Vec::new();
    let day = c.order_date.to_string();
    if let Some((field, d)) = step_dates(o)
        .into_iter()
        .filter_map(|(f, d)| d.map(|d| (f, d)))
        .find(|(_, d)| **d < day)
    {
        errors.push(FieldError::new(
            "order_date",
            format!("{day} is after the order's {field} {d}"),
            format!("下单日期 {day} 晚于该订单已有的步骤日期 {d}"),
        ));
    }
    if let Some(k) = full.collections.iter().find(|k| k.collected_on < day) {
        errors.push(FieldError::new(
            "order_date",
            format!("{day} is after the collection of {}", k.collected_on),
            format!("下单日期 {day} 晚于已有回款日期 {}", k.collected_on),
        ));
    }
    let collected = full.collected();
    if collected != 0 && !collection_fits(c.total, collected) {
        errors.push(FieldError::new(
            "lines",
            format!(
                "the new total {} is less than what was already collected ({})",
                money(c.total),
                money(collected)
            ),
            format!(
                "新的订单合计 {} 小于已回款 {}",
                money(c.total),
                money(collected)
            ),
        ));
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let owner = c.credits.first().map(|c| c.0);
    let customer_id = resolve_customer(&txn, actor, &c.customer, owner).await?;
    let mut am: sales_order::ActiveModel = o.clone().into();
    if let Some(no) = &c.order_no {
        am.order_no = Set(no.clone());
    }
    am.customer_id = Set(customer_id);
    am.order_date = Set(day);
    am.total = Set(c.total);
    am.note = Set(c.note.clone());
    am.updated_at = Set(Utc::now());
    let updated = am.update(&txn).await?;
    write_lines(&txn, id, &c.lines, Rows::Replacing).await?;
    write_credits(
        &txn,
        &updated,
        &c.credits,
        &full.collections,
        Rows::Replacing,
    )
    .await?;
    let moved = refresh_first_purchase(&txn, &[o.customer_id, customer_id]).await?;
    finish(
        txn,
        &shape,
        actor,
        "update",
        id,
        Some((before_view, before_touched)),
        &moved,
    )
    .await
}

/// May `collected` in all stand against an order of `total`? Same sign,
/// and no more than the total.
fn collection_fits(total: i64, collected: i64) -> bool {
    if total >= 0 {
        (0..=total).contains(&collected)
    } else {
        (total..=0).contains(&collected)
    }
}

fn parse_date_field(field: &str, text: Option<&str>, tz: Tz) -> Result<NaiveDate> {
    match text.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(today(tz)),
        Some(t) => parse_day(t, tz).map_err(|e| {
            Error::invalid(
                field,
                format!("\"{t}\" {}", e.en),
                format!("\"{t}\" {}", e.zh),
            )
        }),
    }
}

/// Moves an order forward to `step.status`. Steps may be skipped forward
/// (a skipped step gets the same date), never backward; each date is on or
/// after the order date and the steps before it.
pub async fn set_status(
    db: &Db,
    actor: &Actor,
    id: i64,
    step: &StatusStep,
    tz: Tz,
) -> Result<Option<OrderView>> {
    let txn = begin_write(db, Lane::Figures).await?;
    let (full, shape) = for_change(&txn, actor, id).await?;
    let Snapshot {
        audit: before_view,
        touched: before_touched,
        ..
    } = snapshot(&txn, id).await?;
    let o = &full.order;
    let target = parse_status(&step.status)
        .filter(|s| *s != CANCELLED && *s != STEPS[0])
        .ok_or_else(|| {
            Error::invalid(
                "status",
                format!(
                    "\"{}\" is not a step (confirmed, shipped, invoiced, paid); cancel with POST …/cancel",
                    step.status
                ),
                format!(
                    "\"{}\" 不是有效的步骤（确认、发货、开票、回款）；取消订单请使用取消操作",
                    step.status
                ),
            )
        })?;
    let to = step_index(target).unwrap_or(0);
    let from = step_index(&o.status).unwrap_or(0);
    if to <= from {
        return Err(Error::invalid(
            "status",
            format!(
                "the order is already {} ({}); steps only go forward",
                o.status,
                status_zh(&o.status)
            ),
            format!("订单已处于“{}”，状态只能向后推进", status_zh(&o.status)),
        ));
    }
    let date = parse_date_field("date", step.date.as_deref(), tz)?;
    let day = date.to_string();
    let latest = step_dates(o)
        .into_iter()
        .filter_map(|(_, d)| d.cloned())
        .chain(std::iter::once(o.order_date.clone()))
        .max()
        .unwrap_or_default();
    if day < latest {
        return Err(Error::invalid(
            "date",
            format!(
                "{day} is before the order's latest date {latest} (order date or an earlier step)"
            ),
            format!("{day} 早于该订单的下单日期或上一步骤日期 {latest}"),
        ));
    }
    let mut am: sales_order::ActiveModel = o.clone().into();
    for step in &STEPS[(from + 1)..=to] {
        let set = Set(Some(day.clone()));
        match *step {
            "confirmed" if o.confirmed_on.is_none() => am.confirmed_on = set,
            "shipped" if o.shipped_on.is_none() => am.shipped_on = set,
            "invoiced" if o.invoiced_on.is_none() => am.invoiced_on = set,
            "paid" if o.paid_on.is_none() => am.paid_on = set,
            _ => {}
        }
    }
    am.status = Set(target.to_owned());
    am.updated_at = Set(Utc::now());
    am.update(&txn).await?;
    finish(
        txn,
        &shape,
        actor,
        "status",
        id,
        Some((before_view, before_touched)),
        &FirstPurchaseMoves::new(),
    )
    .await
}

/// Cancels an order with a reason. An order with collections cannot be
/// cancelled: delete them first, or enter the refund as an order.
pub async fn cancel(
    db: &Db,
    actor: &Actor,
    id: i64,
    req: &Cancel,
    tz: Tz,
) -> Result<Option<OrderView>> {
    let txn = begin_write(db, Lane::Figures).await?;
    let (full, shape) = for_change(&txn, actor, id).await?;
    let Snapshot {
        audit: before_view,
        touched: before_touched,
        ..
    } = snapshot(&txn, id).await?;
    let o = &full.order;
    let mut errors = Vec::new();
    let reason = req.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        errors.push(FieldError::new(
            "reason",
            "say why the order is cancelled (1–500 characters)",
            "请填写取消原因（1–500 个字符）",
        ));
    }
    if !full.collections.is_empty() {
        errors.push(FieldError::new(
            "status",
            "the order has collections; delete them before cancelling",
            "该订单已有回款记录，请先删除回款再取消",
        ));
    }
    let date = match parse_date_field("date", req.date.as_deref(), tz) {
        Ok(d) => Some(d.to_string()),
        Err(Error::Invalid(e)) => {
            errors.extend(e);
            None
        }
        Err(e) => return Err(e),
    };
    if let Some(d) = date.as_ref().filter(|d| **d < o.order_date) {
        errors.push(FieldError::new(
            "date",
            format!("{d} is before the order date {}", o.order_date),
            format!("{d} 早于下单日期 {}", o.order_date),
        ));
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let mut am: sales_order::ActiveModel = o.clone().into();
    am.status = Set(CANCELLED.to_owned());
    am.cancelled_on = Set(date);
    let line = format!("取消原因 / cancelled: {reason}");
    am.note = Set(Some(match &o.note {
        Some(n) => format!("{n}\n{line}"),
        None => line,
    }));
    am.updated_at = Set(Utc::now());
    am.update(&txn).await?;
    // The credits' copy of the cancellation.
    order_credit::Entity::update_many()
        .col_expr(
            order_credit::Column::Cancelled,
            sea_orm::sea_query::Expr::value(true),
        )
        .filter(order_credit::Column::OrderId.eq(id))
        .exec(&txn)
        .await?;
    keep_customer_years(&txn, &credit_years(&txn, id).await?).await?;
    let moved = refresh_first_purchase(&txn, &[o.customer_id]).await?;
    finish(
        txn,
        &shape,
        actor,
        "cancel",
        id,
        Some((before_view, before_touched)),
        &moved,
    )
    .await
}

/// Records a collection against an order; returns its id. Partial
/// collections are fine, also before the invoice; all together may not
/// exceed the order total.
pub async fn add_collection(
    db: &Db,
    actor: &Actor,
    id: i64,
    new: &NewCollection,
    tz: Tz,
) -> Result<i64> {
    let txn = begin_write(db, Lane::Figures).await?;
    let (full, shape) = for_change(&txn, actor, id).await?;
    let Snapshot {
        audit: before_view,
        touched: before_touched,
        ..
    } = snapshot(&txn, id).await?;
    let o = &full.order;
    let mut errors = Vec::new();
    let amount = match json_text(&new.amount).map(|t| (parse_value(Kind::Amount, &t), t)) {
        Some((Ok(0), _)) => {
            errors.push(FieldError::new("amount", "must not be zero", "不能为零"));
            None
        }
        Some((Ok(a), _)) => Some(a),
        Some((Err(e), t)) => {
            errors.push(FieldError::new(
                "amount",
                format!("\"{t}\" {}", e.en),
                format!("\"{t}\" {}", e.zh),
            ));
            None
        }
        None => {
            errors.push(FieldError::new(
                "amount",
                "must be a number or a decimal string",
                "应为数字",
            ));
            None
        }
    };
    let collected = full.collected();
    if let Some(a) = amount
        && !collection_fits(o.total, collected.saturating_add(a))
    {
        let left = o.total - collected;
        errors.push(FieldError::new(
            "amount",
            format!(
                "{} would exceed the order: total {}, collected {}, outstanding {}",
                money(a),
                money(o.total),
                money(collected),
                money(left)
            ),
            format!(
                "回款 {} 超出订单：合计 {}，已回款 {}，未回款 {}",
                money(a),
                money(o.total),
                money(collected),
                money(left)
            ),
        ));
    }
    let date = match parse_date_field("collected_on", new.collected_on.as_deref(), tz) {
        Ok(d) => Some(d.to_string()),
        Err(Error::Invalid(e)) => {
            errors.extend(e);
            None
        }
        Err(e) => return Err(e),
    };
    if let Some(d) = date.as_ref().filter(|d| **d < o.order_date) {
        errors.push(FieldError::new(
            "collected_on",
            format!("{d} is before the order date {}", o.order_date),
            format!("{d} 早于下单日期 {}", o.order_date),
        ));
    }
    let note = new.note.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if note.is_some_and(|n| n.chars().count() > MAX_NOTE) {
        errors.push(FieldError::new(
            "note",
            format!("at most {MAX_NOTE} characters"),
            format!("备注最多 {MAX_NOTE} 个字符"),
        ));
    }
    let (Some(amount), Some(date)) = (amount, date) else {
        return Err(Error::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let k = collection::ActiveModel {
        order_id: Set(id),
        amount: Set(amount),
        collected_on: Set(date),
        note: Set(note.map(str::to_owned)),
        created_by_user_id: Set(Some(actor.user_id)),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let credits: Vec<(PersonId, i32)> = full
        .credits
        .iter()
        .map(|c| (c.person_id, c.share))
        .collect();
    write_collection_credits(&txn, &k, &credits).await?;
    touch_order(&txn, id).await?;
    finish(
        txn,
        &shape,
        actor,
        "collect",
        id,
        Some((before_view, before_touched)),
        &FirstPurchaseMoves::new(),
    )
    .await?;
    Ok(k.id)
}

async fn touch_order<C: ConnectionTrait>(conn: &C, id: i64) -> Result<()> {
    sales_order::Entity::update_many()
        .col_expr(
            sales_order::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(sales_order::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Deletes a collection of an order.
pub async fn delete_collection(
    db: &Db,
    actor: &Actor,
    id: i64,
    collection_id: i64,
) -> Result<Option<OrderView>> {
    let txn = begin_write(db, Lane::Figures).await?;
    let (full, shape) = for_change(&txn, actor, id).await?;
    if !full.collections.iter().any(|k| k.id == collection_id) {
        return Err(Error::NotFound);
    }
    let Snapshot {
        audit: before_view,
        touched: before_touched,
        ..
    } = snapshot(&txn, id).await?;
    collection_credit::Entity::delete_many()
        .filter(collection_credit::Column::CollectionId.eq(collection_id))
        .exec(&txn)
        .await?;
    collection::Entity::delete_by_id(collection_id)
        .exec(&txn)
        .await?;
    touch_order(&txn, id).await?;
    finish(
        txn,
        &shape,
        actor,
        "delete_collection",
        id,
        Some((before_view, before_touched)),
        &FirstPurchaseMoves::new(),
    )
    .await
}

// ---------------------------------------------------------------- bulk (imports)

/// An order of an import, with everything resolved to ids.
#[derive(Debug, Clone)]
pub struct BulkOrder {
    pub order_no: String,
    pub customer_id: i64,
    pub order_date: String,
    pub lines: Vec<Line>,
    /// (person, share), shares totalling 10000.
    pub credits: Vec<(PersonId, i32)>,
}

/// Every person: employee no → (id, active).
pub async fn people_by_employee_no<C: ConnectionTrait>(
    conn: &C,
) -> Result<HashMap<String, (PersonId, bool)>> {
    use sea_orm::QuerySelect;
    let rows: Vec<(i64, String, bool)> = person::Entity::find()
        .select_only()
        .columns([
            person::Column::Id,
            person::Column::EmployeeNo,
            person::Column::Active,
        ])
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, no, active)| (no, (id, active)))
        .collect())
}

/// Which of these order numbers are taken already.
pub async fn existing_order_nos<C: ConnectionTrait>(
    conn: &C,
    nos: &[&str],
) -> Result<HashSet<String>> {
    use sea_orm::QuerySelect;
    let mut out = HashSet::new();
    for chunk in nos.chunks(1000) {
        let rows: Vec<String> = sales_order::Entity::find()
            .select_only()
            .column(sales_order::Column::OrderNo)
            .filter(sales_order::Column::OrderNo.is_in(chunk.iter().map(|s| (*s).to_owned())))
            .into_tuple()
            .all(conn)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// Rows per multi-row statement: `columns` × rows stays under SQLite's
/// 32,766 and PostgreSQL's 65,535 bound values.
/// Inserts rows into `table` with multi-row statements. Each row has the
/// columns `columns` (taking their values one row after the other from
/// `values`) and then `fixed` (the same values for every row, bound once
/// per statement: `INSERT … SELECT column1, …, ? FROM (VALUES …)`). Rows
/// per statement keep the bound values under SQLite's 32,766 and
/// PostgreSQL's 65,535. Plain `?` placeholders: SQLite looks numbered
/// ones (`?7`) up one by one, which is quadratic in a statement this big.
async fn insert_rows<C: ConnectionTrait>(
    conn: &C,
    table: &str,
    columns: &[&str],
    values: Vec<SqlValue>,
    fixed: &[(&str, SqlValue)],
    progress: &mut (dyn FnMut(usize) + Send),
) -> Result<()> {
    insert_rows_with(conn, table, columns, values, fixed, "", progress).await
}

/// [`insert_rows`] with no fixed values and a clause after each statement's
/// rows (`ON CONFLICT …`).
async fn insert_rows_then<C: ConnectionTrait>(
    conn: &C,
    table: &str,
    columns: &[&str],
    values: Vec<SqlValue>,
    then: &str,
) -> Result<()> {
    insert_rows_with(conn, table, columns, values, &[], then, &mut |_| {}).await
}

async fn insert_rows_with<C: ConnectionTrait>(
    conn: &C,
    table: &str,
    columns: &[&str],
    values: Vec<SqlValue>,
    fixed: &[(&str, SqlValue)],
    then: &str,
    progress: &mut (dyn FnMut(usize) + Send),
) -> Result<()> {
    let backend = conn.get_database_backend();
    let width = columns.len();
    let per = (30_000 / width).max(1);
    let names: Vec<&str> = columns
        .iter()
        .copied()
        .chain(fixed.iter().map(|(c, _)| *c))
        .collect();
    let group = format!("({})", vec!["?"; width].join(", "));
    let head = if fixed.is_empty() {
        format!("INSERT INTO {table} ({}) VALUES ", names.join(", "))
    } else {
        let picked: Vec<String> = (1..=width)
            .map(|i| format!("column{i}"))
            .chain(fixed.iter().map(|_| "?".to_owned()))
            .collect();
        format!(
            "INSERT INTO {table} ({}) SELECT {} FROM (VALUES ",
            names.join(", "),
            picked.join(", ")
        )
    };
    let tail = if fixed.is_empty() {
        then.to_owned()
    } else {
        format!(") AS v{then}")
    };
    let text = |n: usize| {
        let mut sql = String::with_capacity(head.len() + n * (group.len() + 2) + tail.len());
        sql.push_str(&head);
        for i in 0..n {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&group);
        }
        sql.push_str(&tail);
        statement(backend, &sql, Vec::new()).sql
    };
    // The text of a full statement is the same every time (and prepared
    // once); only the last, shorter one differs.
    let full = text(per);
    let mut values = values.into_iter().peekable();
    while values.peek().is_some() {
        let mut chunk: Vec<SqlValue> = Vec::with_capacity(fixed.len() + per * width);
        chunk.extend(fixed.iter().map(|(_, v)| v.clone()));
        chunk.extend(values.by_ref().take(per * width));
        let n = (chunk.len() - fixed.len()) / width;
        let sql = if n == per { full.clone() } else { text(n) };
        conn.execute_raw(sea_orm::Statement::from_sql_and_values(backend, sql, chunk))
            .await?;
        progress(n);
    }
    Ok(())
}

/// 分 as 元 with two decimals (`-12.05`), without going through a decimal.
fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let a = fen.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// A JSON string literal.
fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
}

/// Writes many new orders (status 录入) with their lines and credits in
/// the caller's figures-lane transaction, with multi-row statements; one
/// audit entry per order. `progress` hears how many lines were written so
/// far. Returns what the orders touch and the customers whose first
/// purchase moved, for [`computed::orders_changed`]. A big load runs on a
/// [`crate::storage::Bulk`] connection.
pub async fn bulk_insert<C: ConnectionTrait>(
    conn: &C,
    actor: Option<&Actor>,
    orders: Vec<BulkOrder>,
    progress: &mut (dyn FnMut(usize) + Send),
) -> Result<(BTreeSet<(PersonId, String)>, FirstPurchaseMoves)> {
    let backend = conn.get_database_backend();
    let started = std::time::Instant::now();
    let first_id: i64 = conn
        .query_one_raw(statement(
            backend,
            "SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) AS m FROM sales_order",
            Vec::new(),
        ))
        .await?
        .map(|r| r.try_get::<i64>("", "m"))
        .transpose()?
        .unwrap_or(0)
        + 1;
    let now = Utc::now();
    let user = actor.map(|a| a.user_id);
    let line_count: usize = orders.iter().map(|o| o.lines.len()).sum();
    let credit_count: usize = orders.iter().map(|o| o.credits.len()).sum();
    let mut order_values: Vec<SqlValue> = Vec::with_capacity(orders.len() * 5);
    let mut line_values: Vec<SqlValue> = Vec::with_capacity(line_count * 7);
    let mut credit_rows: Vec<(PersonId, String, i64, i32, i64, i64)> =
        Vec::with_capacity(credit_count);
    let mut audit_values: Vec<SqlValue> = Vec::with_capacity(orders.len() * 2);
    let touched: BTreeSet<(PersonId, String)> = orders
        .iter()
        .flat_map(|o| o.credits.iter().map(|c| (c.0, o.order_date.as_str())))
        .collect::<HashSet<_>>()
        .into_iter()
        .map(|(p, d)| (p, d.to_owned()))
        .collect();
    // Each customer's first new day, and each credited (salesperson,
    // year, customer)'s first new month.
    let mut firsts: HashMap<i64, String> = HashMap::new();
    let mut years: HashMap<(PersonId, i32, i64), &str> = HashMap::new();
    for o in &orders {
        firsts
            .entry(o.customer_id)
            .and_modify(|first| {
                if o.order_date < *first {
                    first.clone_from(&o.order_date);
                }
            })
            .or_insert_with(|| o.order_date.clone());
        // Dates come from parsed days: both are always there.
        let (Some(year), Some(month)) = (year_of(&o.order_date), o.order_date.get(..7)) else {
            continue;
        };
        for (person, _) in &o.credits {
            years
                .entry((*person, year, o.customer_id))
                .and_modify(|first| *first = month.min(*first))
                .or_insert(month);
        }
    }
    let year_values: Vec<SqlValue> = years
        .into_iter()
        .flat_map(|((person, year, customer), month)| {
            [
                person.into(),
                year.into(),
                customer.into(),
                month.to_owned().into(),
            ]
        })
        .collect();
    let actor_name = actor.map_or_else(|| "system".to_owned(), |a| a.username.clone());
    for (i, o) in orders.into_iter().enumerate() {
        let id = first_id + i64::try_from(i).unwrap_or(i64::MAX - first_id);
        let total: i64 = o.lines.iter().map(|l| l.amount).sum();
        let line_count = o.lines.len();
        for (n, l) in o.lines.into_iter().enumerate() {
            line_values.extend([
                id.into(),
                i32::try_from(n + 1).unwrap_or(i32::MAX).into(),
                l.product.into(),
                l.category.into(),
                l.quantity_milli.into(),
                l.unit_price.into(),
                l.amount.into(),
            ]);
        }
        let shares: Vec<i32> = o.credits.iter().map(|c| c.1).collect();
        let mut credits_json = String::new();
        for ((pid, share), amount) in o.credits.iter().zip(split_by_shares(total, &shares)) {
            credit_rows.push((
                *pid,
                o.order_date.clone(),
                id,
                *share,
                amount,
                o.customer_id,
            ));
            if !credits_json.is_empty() {
                credits_json.push(',');
            }
            credits_json.push_str(&format!(
                "{{\"person_id\":{pid},\"share\":\"{}\",\"amount\":\"{}\"}}",
                yuan(i64::from(*share)),
                yuan(amount)
            ));
        }
        let after = format!(
            "{{\"order_no\":{},\"customer_id\":{},\"order_date\":\"{}\",\"total\":\"{}\",\"lines\":{},\"credits\":[{credits_json}],\"via\":\"import\"}}",
            json_str(&o.order_no),
            o.customer_id,
            o.order_date,
            yuan(total),
            line_count,
        );
        order_values.extend([
            id.into(),
            o.order_no.clone().into(),
            o.customer_id.into(),
            o.order_date.into(),
            total.into(),
        ]);
        audit_values.extend([o.order_no.into(), after.into()]);
    }
    // In the order of the credits' (month, person, day, …) index: each of
    // its pages is visited once, not once per credit.
    credit_rows.sort_unstable_by(|a, b| {
        (a.1.get(..7), a.0, &a.1, a.2).cmp(&(b.1.get(..7), b.0, &b.1, b.2))
    });
    let credit_values: Vec<SqlValue> = credit_rows
        .into_iter()
        .flat_map(|(person, day, order, share, amount, customer)| {
            [
                order.into(),
                person.into(),
                share.into(),
                amount.into(),
                day.into(),
                customer.into(),
                false.into(),
            ]
        })
        .collect();
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "import: rows built"
    );
    let mut ignore = |_| {};
    insert_rows(
        conn,
        "sales_order",
        &["id", "order_no", "customer_id", "order_date", "total"],
        order_values,
        &[
            ("status", STEPS[0].into()),
            ("created_by_user_id", user.into()),
            ("created_at", now.into()),
            ("updated_at", now.into()),
        ],
        &mut ignore,
    )
    .await?;
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "import: orders written"
    );
    if backend == sea_orm::DatabaseBackend::Postgres {
        // Ids were given explicitly: the sequence moves past them.
        conn.execute_unprepared(
            "SELECT setval(pg_get_serial_sequence('sales_order', 'id'), (SELECT MAX(id) FROM sales_order))",
        )
        .await?;
    }
    insert_rows(
        conn,
        "order_line",
        &[
            "order_id",
            "line_no",
            "product",
            "category",
            "quantity_milli",
            "unit_price",
            "amount",
        ],
        line_values,
        &[],
        progress,
    )
    .await?;
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "import: lines written"
    );
    insert_rows(
        conn,
        "order_credit",
        &CREDIT_COLUMNS,
        credit_values,
        &[],
        &mut ignore,
    )
    .await?;
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "import: credits written"
    );
    insert_rows(
        conn,
        "audit_entry",
        &["record", "after"],
        audit_values,
        &[
            ("at", now.into()),
            ("actor_user_id", user.into()),
            ("actor", actor_name.into()),
            ("action", "import".into()),
            ("entity", "order".into()),
        ],
        &mut ignore,
    )
    .await?;
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "import: audit written"
    );
    let moved = advance_first_purchases(conn, &firsts).await?;
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "import: first purchases kept"
    );
    // New credits can only bring a customer's first month in a year
    // forward.
    insert_rows_then(
        conn,
        "person_customer_year",
        &["person_id", "year", "customer_id", "first_month"],
        year_values,
        " ON CONFLICT (person_id, year, customer_id) DO UPDATE SET first_month = \
         CASE WHEN excluded.first_month < person_customer_year.first_month \
         THEN excluded.first_month ELSE person_customer_year.first_month END",
    )
    .await?;
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "import: customer years kept"
    );
    Ok((touched, moved))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_point_numbers() {
        assert_eq!(parse_fixed("1.5", 3), Ok(1500));
        assert_eq!(parse_fixed("-2", 3), Ok(-2000));
        assert_eq!(parse_fixed("1,234.125", 3), Ok(1_234_125));
        assert_eq!(parse_fixed(".5", 3), Ok(500));
        assert!(parse_fixed("1.2345", 3).is_err());
        assert!(parse_fixed("abc", 3).is_err());
        assert!(parse_fixed("", 3).is_err());
        assert!(parse_fixed("1,23", 3).is_err());
        assert!(parse_fixed("99999999999999999999", 3).is_err());
    }

    #[test]
    fn days_in_the_company_time_zone() {
        let sh = chrono_tz::Asia::Shanghai;
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(parse_day("2026-03-31", sh), Ok(d(2026, 3, 31)));
        assert_eq!(
            parse_day("2026-03-31T23:59:59+08:00", sh),
            Ok(d(2026, 3, 31))
        );
        assert_eq!(parse_day("2026-03-31T16:00:00Z", sh), Ok(d(2026, 4, 1)));
        assert_eq!(parse_day("2026-03-31T15:59:59Z", sh), Ok(d(2026, 3, 31)));
        assert_eq!(parse_day("2026-03-31 23:59:59", sh), Ok(d(2026, 3, 31)));
        assert_eq!(parse_day("2026/3/5", sh), Ok(d(2026, 3, 5)));
        assert!(parse_day("2026-02-30", sh).is_err());
        assert!(parse_day("yesterday", sh).is_err());
        // Years typed short, or far out, are refused, with the bounds said.
        for far in [
            "26-3-5",
            "26/3/5",
            "1989-12-31",
            "2100-01-01",
            "+10000-01-01",
        ] {
            let e = parse_day(far, sh).expect_err(far);
            assert!(
                e.en.contains("1990") || e.en.contains("YYYY"),
                "{far}: {}",
                e.en
            );
        }
        assert_eq!(parse_day("1990-01-01", sh), Ok(d(1990, 1, 1)));
        assert_eq!(parse_day("2099-12-31", sh), Ok(d(2099, 12, 31)));
    }

    #[test]
    fn line_amounts_round_to_the_fen() {
        assert_eq!(line_amount(2000, 199_900), Some(399_800));
        assert_eq!(line_amount(-1000, 5000), Some(-5000));
        // 1.5 × 3.33 = 4.995 → 5.00; the return rounds the same way.
        assert_eq!(line_amount(1500, 333), Some(500));
        assert_eq!(line_amount(-1500, 333), Some(-500));
        assert_eq!(line_amount(1, 1), Some(0));
    }

    #[test]
    fn credit_splits_sum_exactly() {
        assert_eq!(
            split_by_shares(10000, &[3333, 3333, 3334]),
            vec![3333, 3333, 3334]
        );
        // 1 fen at 50/50: the first listed takes it.
        assert_eq!(split_by_shares(1, &[5000, 5000]), vec![1, 0]);
        assert_eq!(split_by_shares(-1, &[5000, 5000]), vec![-1, 0]);
        assert_eq!(split_by_shares(100, &[3333, 3333, 3334]), vec![33, 33, 34]);
        // 10 fen at 1/3 each: remainders .33, .33, .34 → the third.
        assert_eq!(split_by_shares(10, &[3333, 3333, 3334]), vec![3, 3, 4]);
        let parts = split_by_shares(999_999, &[1234, 5678, 3088]);
        assert_eq!(parts.iter().sum::<i64>(), 999_999);
    }

    #[test]
    fn statuses_by_code_or_name() {
        assert_eq!(parse_status("确认"), Some("confirmed"));
        assert_eq!(parse_status("Shipped"), Some("shipped"));
        assert_eq!(parse_status("已取消"), Some("cancelled"));
        assert_eq!(parse_status("done"), None);
        assert_eq!(format_quantity(1500), "1.5");
        assert_eq!(format_quantity(-2000), "-2");
    }

    #[test]
    fn collections_stay_within_the_order() {
        assert!(collection_fits(100, 100));
        assert!(!collection_fits(100, 101));
        assert!(!collection_fits(100, -1));
        assert!(collection_fits(-100, -40));
        assert!(!collection_fits(-100, 10));
    }
}
