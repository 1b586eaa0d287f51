//! Daily plans (晨计划 + 晚日志) and weekly reports (周报).
//!
//! In the morning a salesperson plans the day — calls, visits, tasks; in
//! the evening they tick the tasks done and write the log. The calls and
//! visits done are never typed: they are counted from the activities
//! (`activity`, kind `call`/`visit`, same person and day). Plan against
//! done is shown per day and per ISO week. Once a week they write the
//! weekly report: summary, next week's plan, problems needing help
//! (需协助解决的问题). Their managers and the GM comment on both.
//!
//! Reach: [`Actor::work_read`] and [`Actor::work_write`] on the author;
//! comments by [`Actor::may_comment_work`]. Daily plans feed the computed
//! actual 计划工作达成率, so every write to them goes in a figures-lane
//! transaction and calls [`computed::records_changed`].

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::computed::{self, Records};
use super::entity::{activity, daily_plan, daily_task, person, user, weekly_report};
use super::org::load_org_tree;
use super::projects::{begin_immediate, check_text, double_option, parse_day, ymd};
use super::{Db, Error, FieldError, Lane, Result, audit, begin_write};
use crate::domain::access::{Actor, PersonId, Reach};
use crate::domain::org::OrgTree;
use crate::domain::period::Period;
use crate::domain::role::Role;

/// The seed: at least 30 calls a day.
pub const DEFAULT_PLANNED_CALLS: i32 = 30;
/// The seed: 20 visits a week, 4 a working day.
pub const DEFAULT_PLANNED_VISITS: i32 = 4;
/// The longest range listed at once.
pub const MAX_RANGE_DAYS: i64 = 93;
const MAX_TASKS: usize = 50;
const MAX_TEXT: usize = 5000;
const MAX_COMMENT: usize = 2000;

/// Who a plan or report belongs to.
#[derive(Debug, Clone)]
pub struct Author {
    pub id: PersonId,
    pub employee_no: String,
    pub name: String,
    pub unit_id: i64,
    pub role: String,
    pub active: bool,
}

impl From<person::Model> for Author {
    fn from(p: person::Model) -> Self {
        Author {
            id: p.id,
            employee_no: p.employee_no,
            name: p.name,
            unit_id: p.unit_id,
            role: p.role,
            active: p.active,
        }
    }
}

/// The person `employee_no` when the actor reads their work; `NotFound`
/// otherwise (the two are not told apart).
async fn author_in_reach<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    tree: &OrgTree,
    employee_no: &str,
) -> Result<Author> {
    person::Entity::find()
        .filter(person::Column::EmployeeNo.eq(employee_no.trim()))
        .one(conn)
        .await?
        .filter(|p| actor.work_read().covers(tree, p.unit_id, Some(p.id)))
        .map(Author::from)
        .ok_or(Error::NotFound)
}

/// The actor's own 工号, for "my plan".
pub async fn own_employee_no(db: &Db, actor: &Actor) -> Result<Option<String>> {
    let Some(me) = actor.person_id else {
        return Ok(None);
    };
    Ok(person::Entity::find_by_id(me)
        .one(db)
        .await?
        .map(|p| p.employee_no))
}

/// A day `YYYY-MM-DD`, or a 422 naming `field`.
fn day_of(field: &str, text: &str) -> Result<NaiveDate> {
    parse_day(field, text).map_err(|e| Error::Invalid(vec![e]))
}

/// An ISO week `2026-W48`, its Monday and Sunday; or a 422 naming `week`.
pub fn parse_week(text: &str) -> Result<(String, NaiveDate, NaiveDate)> {
    match text.trim().parse::<Period>() {
        Ok(Period::Week(y, w)) => {
            let mon = NaiveDate::from_isoywd_opt(y, u32::from(w), chrono::Weekday::Mon)
                .filter(|_| (2000..=2100).contains(&y));
            match mon {
                Some(mon) => Ok((
                    Period::Week(y, w).to_string(),
                    mon,
                    mon + chrono::Duration::days(6),
                )),
                None => Err(bad_week(text)),
            }
        }
        _ => Err(bad_week(text)),
    }
}

fn bad_week(text: &str) -> Error {
    Error::invalid(
        "week",
        format!("\"{text}\" is not an ISO week such as 2026-W48"),
        format!("\"{text}\" 不是有效的周，例如 2026-W48"),
    )
}

/// The ISO week of a day, `2026-W48`.
pub fn week_of(day: NaiveDate) -> String {
    let w = day.iso_week();
    format!("{:04}-W{:02}", w.year(), w.week())
}

/// Who commented, as shown: the person's name, else the username.
async fn commenter_names<C: ConnectionTrait>(
    conn: &C,
    user_ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, String>> {
    let ids: Vec<i64> = user_ids
        .into_iter()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(conn)
        .await?;
    let people: HashMap<i64, String> = person::Entity::find()
        .filter(person::Column::Id.is_in(users.iter().filter_map(|u| u.person_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    Ok(users
        .into_iter()
        .map(|u| {
            let name = u
                .person_id
                .and_then(|p| people.get(&p).cloned())
                .unwrap_or(u.username);
            (u.id, name)
        })
        .collect())
}

// ---------------------------------------------------------------- plan vs done

/// One day of plan against done.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct DayRow {
    pub day: String,
    /// A plan was entered for the day.
    pub has_plan: bool,
    /// Planned figures; null without a plan.
    pub planned_calls: Option<i32>,
    pub planned_visits: Option<i32>,
    /// Counted from the activities of the day.
    pub done_calls: i64,
    pub done_visits: i64,
    pub tasks: i64,
    pub tasks_done: i64,
    /// The evening log is written.
    pub logged: bool,
    /// A manager commented.
    pub commented: bool,
}

/// Sums of plan against done over a range.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Totals {
    /// Days with a plan.
    pub days_planned: i64,
    pub planned_calls: i64,
    pub done_calls: i64,
    pub planned_visits: i64,
    pub done_visits: i64,
    pub tasks: i64,
    pub tasks_done: i64,
}

impl Totals {
    fn add(&mut self, d: &DayRow) {
        self.days_planned += i64::from(d.has_plan);
        self.planned_calls += i64::from(d.planned_calls.unwrap_or(0));
        self.planned_visits += i64::from(d.planned_visits.unwrap_or(0));
        self.done_calls += d.done_calls;
        self.done_visits += d.done_visits;
        self.tasks += d.tasks;
        self.tasks_done += d.tasks_done;
    }
}

/// `GET /api/v1/daily-plans`: every day of the range, plan against done.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RangeView {
    pub person: String,
    pub person_name: String,
    pub from: String,
    pub to: String,
    pub days: Vec<DayRow>,
    pub totals: Totals,
}

fn days_between(from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    from.iter_days().take_while(move |d| *d <= to)
}

/// Plan against done of every (person, day) with anything in the range.
async fn day_rows<C: ConnectionTrait>(
    conn: &C,
    people: &[PersonId],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HashMap<(PersonId, String), DayRow>> {
    let (f, t) = (ymd(from), ymd(to));
    let mut out: HashMap<(PersonId, String), DayRow> = HashMap::new();
    for chunk in people.chunks(500) {
        let plans = daily_plan::Entity::find()
            .filter(daily_plan::Column::PersonId.is_in(chunk.iter().copied()))
            .filter(daily_plan::Column::Day.gte(f.as_str()))
            .filter(daily_plan::Column::Day.lte(t.as_str()))
            .all(conn)
            .await?;
        let ids: Vec<i64> = plans.iter().map(|p| p.id).collect();
        let mut tasks: HashMap<i64, (i64, i64)> = HashMap::new();
        for ids in ids.chunks(500) {
            let rows: Vec<(i64, bool)> = daily_task::Entity::find()
                .select_only()
                .column(daily_task::Column::PlanId)
                .column(daily_task::Column::Done)
                .filter(daily_task::Column::PlanId.is_in(ids.iter().copied()))
                .into_tuple()
                .all(conn)
                .await?;
            for (plan, done) in rows {
                let e = tasks.entry(plan).or_default();
                e.0 += 1;
                e.1 += i64::from(done);
            }
        }
        for p in plans {
            let (n, done) = tasks.get(&p.id).copied().unwrap_or_default();
            let row = out.entry((p.person_id, p.day.clone())).or_default();
            row.has_plan = true;
            row.planned_calls = Some(p.planned_calls);
            row.planned_visits = Some(p.planned_visits);
            row.tasks = n;
            row.tasks_done = done;
            row.logged = p.evening_log.as_deref().is_some_and(|l| !l.is_empty());
            row.commented = p.manager_comment.is_some();
        }
        let counts: Vec<(i64, String, String, i64)> = activity::Entity::find()
            .select_only()
            .column(activity::Column::PersonId)
            .column(activity::Column::OccurredOn)
            .column(activity::Column::Kind)
            .column_as(activity::Column::Id.count(), "n")
            .filter(activity::Column::PersonId.is_in(chunk.iter().copied()))
            .filter(activity::Column::OccurredOn.gte(f.as_str()))
            .filter(activity::Column::OccurredOn.lte(t.as_str()))
            .filter(activity::Column::Kind.is_in(["call", "visit"]))
            .group_by(activity::Column::PersonId)
            .group_by(activity::Column::OccurredOn)
            .group_by(activity::Column::Kind)
            .into_tuple()
            .all(conn)
            .await?;
        for (person, day, kind, n) in counts {
            let row = out.entry((person, day)).or_default();
            match kind.as_str() {
                "call" => row.done_calls += n,
                _ => row.done_visits += n,
            }
        }
    }
    Ok(out)
}

/// One person's days from `from` to `to`, each day listed.
async fn range_of<C: ConnectionTrait>(
    conn: &C,
    who: &Author,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<RangeView> {
    let mut rows = day_rows(conn, &[who.id], from, to).await?;
    let mut totals = Totals::default();
    let days = days_between(from, to)
        .map(|d| {
            let key = ymd(d);
            let mut row = rows.remove(&(who.id, key.clone())).unwrap_or_default();
            row.day = key;
            totals.add(&row);
            row
        })
        .collect();
    Ok(RangeView {
        person: who.employee_no.clone(),
        person_name: who.name.clone(),
        from: ymd(from),
        to: ymd(to),
        days,
        totals,
    })
}

/// Plan against done of a person (the actor when `None`) from `from` to
/// `to` (at most [`MAX_RANGE_DAYS`] days).
pub async fn range(
    db: &Db,
    actor: &Actor,
    employee_no: Option<&str>,
    from: &str,
    to: &str,
) -> Result<RangeView> {
    let tree = load_org_tree(db).await?;
    let who = match employee_no.map(str::trim).filter(|s| !s.is_empty()) {
        Some(no) => author_in_reach(db, actor, &tree, no).await?,
        None => match own_employee_no(db, actor).await? {
            Some(no) => author_in_reach(db, actor, &tree, &no).await?,
            None => {
                return Err(Error::invalid(
                    "person",
                    "give the 工号 of the person",
                    "请指定人员工号",
                ));
            }
        },
    };
    let mut errors = Vec::new();
    let from = parse_day("from", from).map_err(|e| errors.push(e)).ok();
    let to = parse_day("to", to).map_err(|e| errors.push(e)).ok();
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            errors.push(FieldError::new(
                "to",
                "must not be before from",
                "结束日期不能早于开始日期",
            ));
        } else if (t - f).num_days() >= MAX_RANGE_DAYS {
            errors.push(FieldError::new(
                "to",
                format!("at most {MAX_RANGE_DAYS} days at once"),
                format!("一次最多 {MAX_RANGE_DAYS} 天"),
            ));
        }
    }
    match (from, to, errors.is_empty()) {
        (Some(f), Some(t), true) => range_of(db, &who, f, t).await,
        _ => Err(Error::Invalid(errors)),
    }
}

// ---------------------------------------------------------------- daily plans

/// One task of a plan.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TaskView {
    pub text: String,
    pub done: bool,
}

/// A person's day: the plan, the log, the tasks, and what was done.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DailyPlanView {
    pub person: String,
    pub person_name: String,
    pub day: String,
    /// Saved; when false, the figures are the defaults a new plan starts
    /// with.
    pub exists: bool,
    pub planned_calls: i32,
    pub planned_visits: i32,
    pub morning_note: Option<String>,
    pub evening_log: Option<String>,
    pub tasks: Vec<TaskView>,
    /// Counted from the day's activities.
    pub done_calls: i64,
    pub done_visits: i64,
    pub tasks_done: i64,
    pub manager_comment: Option<String>,
    pub commented_by: Option<String>,
    pub commented_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub may_write: bool,
    pub may_comment: bool,
}

/// `PUT /api/v1/daily-plans/{person}/{day}`: only the fields present
/// change; `tasks`, when present, replaces the day's tasks.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DailyPlanInput {
    /// 0–1000; a new plan starts at 30.
    #[serde(default)]
    pub planned_calls: Option<i64>,
    /// 0–200; a new plan starts at 4.
    #[serde(default)]
    pub planned_visits: Option<i64>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub morning_note: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub evening_log: Option<Option<String>>,
    #[serde(default)]
    pub tasks: Option<Vec<TaskInput>>,
}

/// One task as written.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskInput {
    pub text: String,
    #[serde(default)]
    pub done: bool,
}

/// `POST …/comment`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentInput {
    pub comment: String,
}

fn plan_json(p: &daily_plan::Model, tasks: &[TaskView]) -> Value {
    json!({
        "planned_calls": p.planned_calls,
        "planned_visits": p.planned_visits,
        "morning_note": p.morning_note,
        "evening_log": p.evening_log,
        "tasks": tasks,
        "manager_comment": p.manager_comment,
    })
}

async fn find_plan<C: ConnectionTrait>(
    conn: &C,
    person: PersonId,
    day: NaiveDate,
) -> Result<Option<(daily_plan::Model, Vec<TaskView>)>> {
    let Some(p) = daily_plan::Entity::find()
        .filter(daily_plan::Column::PersonId.eq(person))
        .filter(daily_plan::Column::Day.eq(ymd(day)))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let tasks = daily_task::Entity::find()
        .filter(daily_task::Column::PlanId.eq(p.id))
        .order_by_asc(daily_task::Column::Position)
        .order_by_asc(daily_task::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|t| TaskView {
            text: t.text,
            done: t.done,
        })
        .collect();
    Ok(Some((p, tasks)))
}

async fn plan_view<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    tree: &OrgTree,
    who: &Author,
    day: NaiveDate,
) -> Result<DailyPlanView> {
    let found = find_plan(conn, who.id, day).await?;
    let done = day_rows(conn, &[who.id], day, day)
        .await?
        .remove(&(who.id, ymd(day)))
        .unwrap_or_default();
    let names = commenter_names(
        conn,
        found.as_ref().and_then(|(p, _)| p.commented_by_user_id),
    )
    .await?;
    let may_write = actor.work_write().covers(tree, who.unit_id, Some(who.id));
    let may_comment = actor.may_comment_work(tree, who.unit_id, who.id);
    let base = DailyPlanView {
        person: who.employee_no.clone(),
        person_name: who.name.clone(),
        day: ymd(day),
        exists: false,
        planned_calls: DEFAULT_PLANNED_CALLS,
        planned_visits: DEFAULT_PLANNED_VISITS,
        morning_note: None,
        evening_log: None,
        tasks: Vec::new(),
        done_calls: done.done_calls,
        done_visits: done.done_visits,
        tasks_done: 0,
        manager_comment: None,
        commented_by: None,
        commented_at: None,
        updated_at: None,
        may_write,
        may_comment,
    };
    Ok(match found {
        None => base,
        Some((p, tasks)) => DailyPlanView {
            exists: true,
            planned_calls: p.planned_calls,
            planned_visits: p.planned_visits,
            morning_note: p.morning_note,
            evening_log: p.evening_log,
            tasks_done: tasks.iter().filter(|t| t.done).count() as i64,
            tasks,
            manager_comment: p.manager_comment,
            commented_by: p.commented_by_user_id.and_then(|u| names.get(&u).cloned()),
            commented_at: p.commented_at,
            updated_at: Some(p.updated_at),
            ..base
        },
    })
}

/// A person's day; the defaults of a new plan when none is saved.
pub async fn get_plan(
    db: &Db,
    actor: &Actor,
    employee_no: &str,
    day: &str,
) -> Result<DailyPlanView> {
    let tree = load_org_tree(db).await?;
    let who = author_in_reach(db, actor, &tree, employee_no).await?;
    let day = day_of("day", day)?;
    plan_view(db, actor, &tree, &who, day).await
}

/// Saves a person's day (creating it with the defaults first), audited,
/// and tells the computed actuals.
pub async fn put_plan(
    db: &Db,
    actor: &Actor,
    employee_no: &str,
    day: &str,
    input: &DailyPlanInput,
) -> Result<DailyPlanView> {
    let txn = begin_write(db, Lane::Figures).await?;
    let tree = load_org_tree(&txn).await?;
    let who = author_in_reach(&txn, actor, &tree, employee_no).await?;
    if !actor.work_write().covers(&tree, who.unit_id, Some(who.id)) {
        return Err(Error::Forbidden);
    }
    let day = day_of("day", day)?;
    let mut errors = Vec::new();
    let mut count = |field: &str, v: Option<i64>, max: i64| -> Option<i32> {
        let v = v?;
        if (0..=max).contains(&v) {
            i32::try_from(v).ok()
        } else {
            errors.push(FieldError::new(
                field,
                format!("{v} is not a whole number from 0 to {max}"),
                format!("{v} 无效，应为 0 到 {max} 的整数"),
            ));
            None
        }
    };
    let calls = count("planned_calls", input.planned_calls, 1000);
    let visits = count("planned_visits", input.planned_visits, 200);
    let morning = input
        .morning_note
        .as_ref()
        .map(|n| check_text(&mut errors, "morning_note", n.as_deref(), MAX_TEXT));
    let evening = input
        .evening_log
        .as_ref()
        .map(|n| check_text(&mut errors, "evening_log", n.as_deref(), MAX_TEXT));
    let mut tasks = None;
    if let Some(list) = &input.tasks {
        if list.len() > MAX_TASKS {
            errors.push(FieldError::new(
                "tasks",
                format!("at most {MAX_TASKS} tasks a day"),
                format!("每天最多 {MAX_TASKS} 项任务"),
            ));
        }
        let mut out = Vec::new();
        for (i, t) in list.iter().enumerate() {
            let text = t.text.trim();
            if text.is_empty() || text.chars().count() > 256 {
                errors.push(FieldError::new(
                    format!("tasks[{i}].text"),
                    "give the task in 1–256 characters",
                    "请填写任务内容（1–256 个字）",
                ));
            }
            out.push(TaskView {
                text: text.to_owned(),
                done: t.done,
            });
        }
        tasks = Some(out);
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let now = Utc::now();
    let found = find_plan(&txn, who.id, day).await?;
    let (before, before_tasks) = match &found {
        Some((p, t)) => (Some(p.clone()), t.clone()),
        None => (None, Vec::new()),
    };
    let mut am = match found {
        Some((p, _)) => p.into_active_model(),
        None => daily_plan::ActiveModel {
            person_id: Set(who.id),
            day: Set(ymd(day)),
            planned_calls: Set(DEFAULT_PLANNED_CALLS),
            planned_visits: Set(DEFAULT_PLANNED_VISITS),
            morning_note: Set(None),
            evening_log: Set(None),
            manager_comment: Set(None),
            commented_by_user_id: Set(None),
            commented_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        },
    };
    if let Some(v) = calls {
        am.planned_calls = Set(v);
    }
    if let Some(v) = visits {
        am.planned_visits = Set(v);
    }
    if let Some(v) = morning {
        am.morning_note = Set(v);
    }
    if let Some(v) = evening {
        am.evening_log = Set(v);
    }
    let tasks_changed = tasks.as_ref().is_some_and(|t| {
        t.len() != before_tasks.len()
            || t.iter()
                .zip(&before_tasks)
                .any(|(a, b)| a.text != b.text || a.done != b.done)
    });
    let changed = before.is_none() || am.is_changed() || tasks_changed;
    if changed {
        am.updated_at = Set(now);
        let saved = match before {
            None => am.insert(&txn).await?,
            Some(_) => am.update(&txn).await?,
        };
        let after_tasks = match &tasks {
            Some(list) if tasks_changed => {
                daily_task::Entity::delete_many()
                    .filter(daily_task::Column::PlanId.eq(saved.id))
                    .exec(&txn)
                    .await?;
                if !list.is_empty() {
                    daily_task::Entity::insert_many(list.iter().enumerate().map(|(i, t)| {
                        daily_task::ActiveModel {
                            plan_id: Set(saved.id),
                            position: Set(i as i32 + 1),
                            text: Set(t.text.clone()),
                            done: Set(t.done),
                            ..Default::default()
                        }
                    }))
                    .exec_without_returning(&txn)
                    .await?;
                }
                list.clone()
            }
            _ => before_tasks.clone(),
        };
        audit::record(
            &txn,
            Some(actor),
            if before.is_none() { "create" } else { "update" },
            "daily_plan",
            &format!("{} {}", who.employee_no, ymd(day)),
            before.as_ref().map(|b| plan_json(b, &before_tasks)),
            Some(plan_json(&saved, &after_tasks)),
        )
        .await?;
        let touched: BTreeSet<(PersonId, String)> = [(who.id, ymd(day))].into();
        computed::records_changed(&txn, Records::DailyPlans, &touched).await?;
    }
    let view = plan_view(&txn, actor, &tree, &who, day).await?;
    txn.commit().await?;
    Ok(view)
}

fn check_comment(text: &str) -> Result<String> {
    let mut errors = Vec::new();
    match check_text(&mut errors, "comment", Some(text), MAX_COMMENT) {
        Some(c) => Ok(c),
        None if errors.is_empty() => Err(Error::invalid(
            "comment",
            "write the comment",
            "请填写点评内容",
        )),
        None => Err(Error::Invalid(errors)),
    }
}

/// A manager's comment on a person's saved day.
pub async fn comment_plan(
    db: &Db,
    actor: &Actor,
    employee_no: &str,
    day: &str,
    comment: &str,
) -> Result<DailyPlanView> {
    let txn = begin_write(db, Lane::Figures).await?;
    let tree = load_org_tree(&txn).await?;
    let who = author_in_reach(&txn, actor, &tree, employee_no).await?;
    if !actor.may_comment_work(&tree, who.unit_id, who.id) {
        return Err(Error::Forbidden);
    }
    let day = day_of("day", day)?;
    let comment = check_comment(comment)?;
    let Some((p, _)) = find_plan(&txn, who.id, day).await? else {
        return Err(Error::invalid(
            "day",
            format!("{} has no plan for {}", who.employee_no, ymd(day)),
            format!("{} 在 {} 没有工作计划", who.name, ymd(day)),
        ));
    };
    let before = p.manager_comment.clone();
    let mut am = p.into_active_model();
    am.manager_comment = Set(Some(comment.clone()));
    am.commented_by_user_id = Set(Some(actor.user_id));
    am.commented_at = Set(Some(Utc::now()));
    am.update(&txn).await?;
    audit::record(
        &txn,
        Some(actor),
        "comment",
        "daily_plan",
        &format!("{} {}", who.employee_no, ymd(day)),
        before.map(|c| json!({"manager_comment": c})),
        Some(json!({"manager_comment": comment})),
    )
    .await?;
    let touched: BTreeSet<(PersonId, String)> = [(who.id, ymd(day))].into();
    computed::records_changed(&txn, Records::DailyPlans, &touched).await?;
    let view = plan_view(&txn, actor, &tree, &who, day).await?;
    txn.commit().await?;
    Ok(view)
}

// ---------------------------------------------------------------- weekly reports

/// A person's weekly report with the week's plan against done.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WeeklyReportView {
    pub person: String,
    pub person_name: String,
    /// `2026-W48`.
    pub week: String,
    /// Monday and Sunday of the week.
    pub from: String,
    pub to: String,
    /// Saved (as a draft or submitted).
    pub exists: bool,
    pub summary: String,
    pub next_week_plan: String,
    /// Problems needing help (需协助解决的问题).
    pub problems: String,
    pub submitted: bool,
    pub submitted_at: Option<DateTime<Utc>>,
    pub manager_comment: Option<String>,
    pub commented_by: Option<String>,
    pub commented_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub may_write: bool,
    pub may_comment: bool,
    /// The week's days, plan against done.
    pub days: Vec<DayRow>,
    pub totals: Totals,
}

/// `PUT /api/v1/weekly-reports/{person}/{week}`: the fields present
/// change; `submit: true` submits it (a submitted report stays editable).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeeklyReportInput {
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub next_week_plan: Option<String>,
    #[serde(default)]
    pub problems: Option<String>,
    #[serde(default)]
    pub submit: Option<bool>,
}

/// One person of the team in `GET /api/v1/weekly-reports`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TeamRow {
    pub person: String,
    pub name: String,
    pub unit: String,
    pub unit_name: String,
    pub submitted: bool,
    pub submitted_at: Option<DateTime<Utc>>,
    pub commented: bool,
    /// Problems needing help, when the report names any.
    pub problems: Option<String>,
    pub totals: Totals,
}

/// The reports of everyone in reach for one week.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TeamWeek {
    pub week: String,
    pub from: String,
    pub to: String,
    pub people: Vec<TeamRow>,
    /// How many have not submitted.
    pub missing: usize,
}

fn report_json(r: &weekly_report::Model) -> Value {
    json!({
        "summary": r.summary,
        "next_week_plan": r.next_week_plan,
        "problems": r.problems,
        "submitted_at": r.submitted_at,
        "manager_comment": r.manager_comment,
    })
}

async fn find_report<C: ConnectionTrait>(
    conn: &C,
    person: PersonId,
    week: &str,
) -> Result<Option<weekly_report::Model>> {
    Ok(weekly_report::Entity::find()
        .filter(weekly_report::Column::PersonId.eq(person))
        .filter(weekly_report::Column::Week.eq(week))
        .one(conn)
        .await?)
}

async fn report_view<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    tree: &OrgTree,
    who: &Author,
    week: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<WeeklyReportView> {
    let r = find_report(conn, who.id, week).await?;
    let range = range_of(conn, who, from, to).await?;
    let names = commenter_names(conn, r.as_ref().and_then(|r| r.commented_by_user_id)).await?;
    Ok(WeeklyReportView {
        person: who.employee_no.clone(),
        person_name: who.name.clone(),
        week: week.to_owned(),
        from: ymd(from),
        to: ymd(to),
        exists: r.is_some(),
        summary: r.as_ref().map(|r| r.summary.clone()).unwrap_or_default(),
        next_week_plan: r
            .as_ref()
            .map(|r| r.next_week_plan.clone())
            .unwrap_or_default(),
        problems: r.as_ref().map(|r| r.problems.clone()).unwrap_or_default(),
        submitted: r.as_ref().is_some_and(|r| r.submitted_at.is_some()),
        submitted_at: r.as_ref().and_then(|r| r.submitted_at),
        manager_comment: r.as_ref().and_then(|r| r.manager_comment.clone()),
        commented_by: r
            .as_ref()
            .and_then(|r| r.commented_by_user_id)
            .and_then(|u| names.get(&u).cloned()),
        commented_at: r.as_ref().and_then(|r| r.commented_at),
        updated_at: r.as_ref().map(|r| r.updated_at),
        may_write: actor.work_write().covers(tree, who.unit_id, Some(who.id)),
        may_comment: actor.may_comment_work(tree, who.unit_id, who.id),
        days: range.days,
        totals: range.totals,
    })
}

/// A person's report for a week, with the week's plan against done.
pub async fn get_report(
    db: &Db,
    actor: &Actor,
    employee_no: &str,
    week: &str,
) -> Result<WeeklyReportView> {
    let tree = load_org_tree(db).await?;
    let who = author_in_reach(db, actor, &tree, employee_no).await?;
    let (week, from, to) = parse_week(week)?;
    report_view(db, actor, &tree, &who, &week, from, to).await
}

/// Saves (and, with `submit`, submits) a person's weekly report.
pub async fn put_report(
    db: &Db,
    actor: &Actor,
    employee_no: &str,
    week: &str,
    input: &WeeklyReportInput,
) -> Result<WeeklyReportView> {
    let txn = begin_immediate(db).await?;
    let tree = load_org_tree(&txn).await?;
    let who = author_in_reach(&txn, actor, &tree, employee_no).await?;
    if !actor.work_write().covers(&tree, who.unit_id, Some(who.id)) {
        return Err(Error::Forbidden);
    }
    let (week, from, to) = parse_week(week)?;
    let mut errors = Vec::new();
    let mut text = |field: &str, v: &Option<String>| -> Option<String> {
        v.as_ref()
            .map(|t| check_text(&mut errors, field, Some(t), MAX_TEXT).unwrap_or_default())
    };
    let summary = text("summary", &input.summary);
    let next = text("next_week_plan", &input.next_week_plan);
    let problems = text("problems", &input.problems);
    let found = find_report(&txn, who.id, &week).await?;
    let final_summary = summary
        .clone()
        .or_else(|| found.as_ref().map(|r| r.summary.clone()))
        .unwrap_or_default();
    let submit = input.submit == Some(true);
    if submit && final_summary.is_empty() && !errors.iter().any(|e| e.field == "summary") {
        errors.push(FieldError::new(
            "summary",
            "write the week's summary before submitting",
            "提交前请填写本周工作总结",
        ));
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let now = Utc::now();
    let before = found.clone();
    let mut am = match found {
        Some(r) => r.into_active_model(),
        None => weekly_report::ActiveModel {
            person_id: Set(who.id),
            week: Set(week.clone()),
            summary: Set(String::new()),
            next_week_plan: Set(String::new()),
            problems: Set(String::new()),
            manager_comment: Set(None),
            commented_by_user_id: Set(None),
            commented_at: Set(None),
            submitted_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        },
    };
    if let Some(v) = summary {
        am.summary = Set(v);
    }
    if let Some(v) = next {
        am.next_week_plan = Set(v);
    }
    if let Some(v) = problems {
        am.problems = Set(v);
    }
    if submit && before.as_ref().is_none_or(|r| r.submitted_at.is_none()) {
        am.submitted_at = Set(Some(now));
    }
    if before.is_none() || am.is_changed() {
        am.updated_at = Set(now);
        let saved = match before {
            None => am.insert(&txn).await?,
            Some(_) => am.update(&txn).await?,
        };
        let action = match (&before, submit) {
            (Some(b), true) if b.submitted_at.is_none() => "submit",
            (None, true) => "submit",
            (None, false) => "create",
            _ => "update",
        };
        audit::record(
            &txn,
            Some(actor),
            action,
            "weekly_report",
            &format!("{} {week}", who.employee_no),
            before.as_ref().map(report_json),
            Some(report_json(&saved)),
        )
        .await?;
    }
    let view = report_view(&txn, actor, &tree, &who, &week, from, to).await?;
    txn.commit().await?;
    Ok(view)
}

/// A manager's comment on a submitted weekly report.
pub async fn comment_report(
    db: &Db,
    actor: &Actor,
    employee_no: &str,
    week: &str,
    comment: &str,
) -> Result<WeeklyReportView> {
    let txn = begin_immediate(db).await?;
    let tree = load_org_tree(&txn).await?;
    let who = author_in_reach(&txn, actor, &tree, employee_no).await?;
    if !actor.may_comment_work(&tree, who.unit_id, who.id) {
        return Err(Error::Forbidden);
    }
    let (week, from, to) = parse_week(week)?;
    let comment = check_comment(comment)?;
    let Some(r) = find_report(&txn, who.id, &week)
        .await?
        .filter(|r| r.submitted_at.is_some())
    else {
        return Err(Error::invalid(
            "week",
            format!("{} has not submitted a report for {week}", who.employee_no),
            format!("{} 尚未提交 {week} 的周报", who.name),
        ));
    };
    let before = r.manager_comment.clone();
    let mut am = r.into_active_model();
    am.manager_comment = Set(Some(comment.clone()));
    am.commented_by_user_id = Set(Some(actor.user_id));
    am.commented_at = Set(Some(Utc::now()));
    am.update(&txn).await?;
    audit::record(
        &txn,
        Some(actor),
        "comment",
        "weekly_report",
        &format!("{} {week}", who.employee_no),
        before.map(|c| json!({"manager_comment": c})),
        Some(json!({"manager_comment": comment})),
    )
    .await?;
    let view = report_view(&txn, actor, &tree, &who, &week, from, to).await?;
    txn.commit().await?;
    Ok(view)
}

/// Everyone whose work the actor reads (salespeople and managers, active)
/// in `unit`'s subtree when given, with their report status and the
/// week's plan against done: who has not submitted comes first.
pub async fn team_week(db: &Db, actor: &Actor, week: &str, unit: Option<&str>) -> Result<TeamWeek> {
    let (week, from, to) = parse_week(week)?;
    let tree = load_org_tree(db).await?;
    let reach = actor.work_read();
    let mut q = person::Entity::find()
        .filter(person::Column::Active.eq(true))
        .filter(person::Column::Role.is_in([Role::Sales.code(), Role::Manager.code()]))
        .order_by_asc(person::Column::UnitId)
        .order_by_asc(person::Column::EmployeeNo);
    match reach {
        Reach::Nothing => return Ok(empty_week(week, from, to)),
        Reach::Own(me) => q = q.filter(person::Column::Id.eq(me)),
        Reach::All => {}
        other => q = q.filter(person::Column::UnitId.is_in(other.units(&tree).unwrap_or_default())),
    }
    if let Some(code) = unit.map(str::trim).filter(|c| !c.is_empty()) {
        let u = tree
            .by_code(code)
            .filter(|u| actor.units_read().covers(&tree, u.id, None))
            .ok_or(Error::NotFound)?;
        q = q.filter(person::Column::UnitId.is_in(tree.subtree(u.id)));
    }
    let people: Vec<Author> = q
        .all(db)
        .await?
        .into_iter()
        .map(Author::from)
        .filter(|p| reach.covers(&tree, p.unit_id, Some(p.id)))
        .collect();
    let ids: Vec<PersonId> = people.iter().map(|p| p.id).collect();
    let mut reports: HashMap<PersonId, weekly_report::Model> = HashMap::new();
    for chunk in ids.chunks(500) {
        for r in weekly_report::Entity::find()
            .filter(weekly_report::Column::Week.eq(week.as_str()))
            .filter(weekly_report::Column::PersonId.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            reports.insert(r.person_id, r);
        }
    }
    let days = day_rows(db, &ids, from, to).await?;
    let mut totals: HashMap<PersonId, Totals> = HashMap::new();
    for ((p, _), row) in &days {
        totals.entry(*p).or_default().add(row);
    }
    let mut rows: Vec<TeamRow> = people
        .into_iter()
        .map(|p| {
            let r = reports.get(&p.id);
            let unit = tree.get(p.unit_id);
            TeamRow {
                person: p.employee_no,
                name: p.name,
                unit: unit.map(|u| u.code.clone()).unwrap_or_default(),
                unit_name: unit.map(|u| u.name.clone()).unwrap_or_default(),
                submitted: r.is_some_and(|r| r.submitted_at.is_some()),
                submitted_at: r.and_then(|r| r.submitted_at),
                commented: r.is_some_and(|r| r.manager_comment.is_some()),
                problems: r
                    .filter(|r| r.submitted_at.is_some())
                    .map(|r| r.problems.clone())
                    .filter(|p| !p.is_empty()),
                totals: totals.remove(&p.id).unwrap_or_default(),
            }
        })
        .collect();
    rows.sort_by_key(|r| r.submitted);
    let missing = rows.iter().filter(|r| !r.submitted).count();
    Ok(TeamWeek {
        week,
        from: ymd(from),
        to: ymd(to),
        people: rows,
        missing,
    })
}

fn empty_week(week: String, from: NaiveDate, to: NaiveDate) -> TeamWeek {
    TeamWeek {
        week,
        from: ymd(from),
        to: ymd(to),
        people: Vec::new(),
        missing: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_are_iso_weeks() {
        let (w, from, to) = parse_week("2026-W48").unwrap();
        assert_eq!(w, "2026-W48");
        assert_eq!(ymd(from), "2026-11-23");
        assert_eq!(ymd(to), "2026-11-29");
        assert!(parse_week("2026-48").is_err());
        assert!(parse_week("2026-W54").is_err());
        assert!(parse_week("2026-W8").is_err());
        assert_eq!(week_of("2026-11-28".parse().unwrap()), "2026-W48");
        // The first days of January may belong to the previous ISO year.
        assert_eq!(week_of("2027-01-01".parse().unwrap()), "2026-W53");
    }
}
