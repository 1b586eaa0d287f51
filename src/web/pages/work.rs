//! Pages: the daily plan (`/work/today`, `/work/day/{day}`: the morning
//! plan, the evening log, plan against done for the day and its week, a
//! manager's comment) and the weekly report (`/work/week/{week}`: the
//! report form, the team's reports with who has not submitted, comments).

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::{Chrome, crumbs_from_home, redirect_with_notice, render, render_status};
use super::{not_found_for, see_other, storage_failure, take_notice};
use crate::domain::access::Reach;
use crate::storage;
use crate::storage::projects::{Today, ymd};
use crate::storage::work::{
    self as store, DailyPlanInput, DailyPlanView, DayRow, TaskInput, TeamWeek, Totals,
    WeeklyReportInput, WeeklyReportView,
};
use crate::web::AppState;
use crate::web::auth::{Authenticated, Lang, PageUser, urlencode};
use crate::web::i18n::{Locale, T};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/work", get(today_page))
        .route("/work/today", get(today_page))
        .route("/work/day/{day}", get(day).post(day_act))
        .route("/work/week", get(this_week))
        .route("/work/week/{week}", get(week).post(week_act))
}

fn today(state: &AppState) -> NaiveDate {
    Today::now(state.settings.time_zone).date
}

fn weekday(t: T, d: NaiveDate) -> &'static str {
    let i = d.weekday().num_days_from_monday() as usize;
    let zh = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
    let en = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    t.pick(zh[i], en[i])
}

/// Whose work a page shows: `?person=` or the visitor.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PersonQuery {
    person: String,
}

/// The person of the page: the one asked for, else the visitor's own
/// record; `None` when neither.
async fn person_of(
    state: &AppState,
    a: &Authenticated,
    q: &PersonQuery,
) -> storage::Result<Option<String>> {
    match q.person.trim() {
        "" => store::own_employee_no(&state.db, a.actor()).await,
        p => Ok(Some(p.to_owned())),
    }
}

/// `?person=…` for links, empty for the visitor's own pages.
fn person_suffix(q: &PersonQuery) -> String {
    match q.person.trim() {
        "" => String::new(),
        p => format!("?person={}", urlencode(p)),
    }
}

/// A day of the week table, with its labels.
struct WeekDay {
    row: DayRow,
    label: &'static str,
    current: bool,
}

fn week_days(t: T, days: Vec<DayRow>, current: &str) -> Vec<WeekDay> {
    days.into_iter()
        .map(|row| WeekDay {
            label: row.day.parse::<NaiveDate>().map_or("", |d| weekday(t, d)),
            current: row.day == current,
            row,
        })
        .collect()
}

// ---------------------------------------------------------------- daily plan

#[derive(Template)]
#[template(path = "daily.html")]
struct DayPage {
    c: Chrome,
    p: DailyPlanView,
    weekday: &'static str,
    prev: String,
    next: String,
    week: String,
    /// `?person=…` or empty.
    suffix: String,
    /// The tasks, one a line, for the morning form.
    tasks_text: String,
    days: Vec<WeekDay>,
    totals: Totals,
    own: bool,
    /// When the manager commented, as a date of the company's day.
    commented_on: Option<String>,
}

async fn day_page(
    state: &AppState,
    a: &Authenticated,
    locale: Locale,
    day: NaiveDate,
    q: &PersonQuery,
) -> storage::Result<Option<DayPage>> {
    let t = T(locale);
    let Some(person) = person_of(state, a, q).await? else {
        return Ok(None);
    };
    let actor = a.actor();
    let p = store::get_plan(&state.db, actor, &person, &ymd(day)).await?;
    let (_, mon, sun) = store::parse_week(&store::week_of(day))?;
    let range = store::range(&state.db, actor, Some(&person), &ymd(mon), &ymd(sun)).await?;
    let own = q.person.trim().is_empty();
    let title = format!("{} · {}", t.pick("工作计划", "Daily plan"), ymd(day));
    let mut c = Chrome::new(state, a, locale, "work", title).await;
    crumbs_from_home(&mut c);
    c.crumbs.push((
        t.pick("工作计划", "Daily plan").into(),
        "/work/today".into(),
    ));
    if !own {
        c.crumbs.push((p.person_name.clone(), String::new()));
    }
    c.crumbs.push((ymd(day), String::new()));
    Ok(Some(DayPage {
        c,
        weekday: weekday(t, day),
        prev: ymd(day - chrono::Duration::days(1)),
        next: ymd(day + chrono::Duration::days(1)),
        week: store::week_of(day),
        suffix: person_suffix(q),
        tasks_text: p
            .tasks
            .iter()
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        days: week_days(t, range.days, &ymd(day)),
        totals: range.totals,
        own,
        commented_on: company_date(state, p.commented_at),
        p,
    }))
}

/// No person to show: the visitor has no person record and named none.
async fn nobody(state: &AppState, a: &Authenticated, locale: Locale) -> Response {
    if a.actor().work_read() != Reach::Nothing && !matches!(a.actor().work_read(), Reach::Own(_)) {
        return see_other(&format!("/work/week/{}", store::week_of(today(state))));
    }
    not_found_for(state, a, locale).await
}

async fn show_day(
    state: AppState,
    a: Authenticated,
    locale: Locale,
    jar: CookieJar,
    day: NaiveDate,
    q: PersonQuery,
) -> Response {
    let (jar, notice) = take_notice(jar, T(locale));
    match day_page(&state, &a, locale, day, &q).await {
        Ok(Some(mut page)) => {
            page.c.notice = notice;
            (jar, render(&page)).into_response()
        }
        Ok(None) => nobody(&state, &a, locale).await,
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

async fn today_page(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    jar: CookieJar,
    Query(q): Query<PersonQuery>,
) -> Response {
    let day = today(&state);
    show_day(state, a, locale, jar, day, q).await
}

fn parse_day(text: &str) -> storage::Result<NaiveDate> {
    storage::projects::parse_day("day", text).map_err(|e| storage::Error::Invalid(vec![e]))
}

async fn day(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Path(day): Path<String>,
    jar: CookieJar,
    Query(q): Query<PersonQuery>,
) -> Response {
    match parse_day(&day) {
        Ok(day) => show_day(state, a, locale, jar, day, q).await,
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

/// The forms of the day page: `action` is `morning`, `evening` or
/// `comment`; evening checkboxes are `done_1`, `done_2`, ….
async fn day_act(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Path(day): Path<String>,
    jar: CookieJar,
    Query(q): Query<PersonQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let get = |key: &str| {
        form.iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let day = match parse_day(&day) {
        Ok(d) => d,
        Err(e) => return storage_failure(&state, &a, locale, e).await,
    };
    let person = match person_of(&state, &a, &q).await {
        Ok(Some(p)) => p,
        Ok(None) => return nobody(&state, &a, locale).await,
        Err(e) => return storage_failure(&state, &a, locale, e).await,
    };
    let actor = a.actor();
    let db = &state.db;
    let d = ymd(day);
    let result = match get("action").as_str() {
        "morning" => match store::get_plan(db, actor, &person, &d).await {
            Ok(current) => {
                let count = |v: String| match v.trim() {
                    "" => None,
                    v => Some(v.parse::<i64>().unwrap_or(-1)),
                };
                let tasks = get("tasks")
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(|text| TaskInput {
                        done: current.tasks.iter().any(|t| t.text == text && t.done),
                        text: text.to_owned(),
                    })
                    .collect();
                let input = DailyPlanInput {
                    planned_calls: count(get("planned_calls")),
                    planned_visits: count(get("planned_visits")),
                    morning_note: Some(Some(get("morning_note"))),
                    evening_log: None,
                    tasks: Some(tasks),
                };
                store::put_plan(db, actor, &person, &d, &input)
                    .await
                    .map(|_| ())
            }
            Err(e) => Err(e),
        },
        "evening" => match store::get_plan(db, actor, &person, &d).await {
            Ok(current) => {
                let tasks = current
                    .tasks
                    .iter()
                    .enumerate()
                    .map(|(i, t)| TaskInput {
                        text: t.text.clone(),
                        done: !get(&format!("done_{}", i + 1)).is_empty(),
                    })
                    .collect();
                let input = DailyPlanInput {
                    evening_log: Some(Some(get("evening_log"))),
                    tasks: Some(tasks),
                    ..Default::default()
                };
                store::put_plan(db, actor, &person, &d, &input)
                    .await
                    .map(|_| ())
            }
            Err(e) => Err(e),
        },
        "comment" => store::comment_plan(db, actor, &person, &d, &get("comment"))
            .await
            .map(|_| ()),
        _ => Err(storage::Error::invalid(
            "action",
            "unknown action",
            "未知操作",
        )),
    };
    let to = format!("/work/day/{d}{}", person_suffix(&q));
    match result {
        Ok(()) => redirect_with_notice(jar, &to, "common.saved"),
        Err(e @ storage::Error::Invalid(_)) => match day_page(&state, &a, locale, day, &q).await {
            Ok(Some(mut page)) => {
                page.c.add_error(&e);
                render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
            }
            Ok(None) => nobody(&state, &a, locale).await,
            Err(e) => storage_failure(&state, &a, locale, e).await,
        },
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

// ---------------------------------------------------------------- weekly report

#[derive(Template)]
#[template(path = "weekly.html")]
struct WeekPage {
    c: Chrome,
    week: String,
    from: String,
    to: String,
    prev: String,
    next: String,
    /// The report shown: the visitor's own, or the person asked for.
    report: Option<WeeklyReportView>,
    days: Vec<WeekDay>,
    totals: Totals,
    /// `?person=…` or empty.
    suffix: String,
    /// Everyone whose work the visitor reads, beyond themselves.
    team: Option<TeamWeek>,
    /// When the manager commented, as a date of the company's day.
    commented_on: Option<String>,
}

async fn week_page(
    state: &AppState,
    a: &Authenticated,
    locale: Locale,
    week: &str,
    q: &PersonQuery,
) -> storage::Result<WeekPage> {
    let t = T(locale);
    let actor = a.actor();
    let (week, mon, sun) = store::parse_week(week)?;
    let report = match person_of(state, a, q).await? {
        Some(p) => Some(store::get_report(&state.db, actor, &p, &week).await?),
        None => None,
    };
    let reads_others = !matches!(actor.work_read(), Reach::Own(_) | Reach::Nothing);
    let team = if reads_others && q.person.trim().is_empty() {
        Some(store::team_week(&state.db, actor, &week, None).await?)
    } else {
        None
    };
    let title = format!("{} · {week}", t.pick("周报", "Weekly report"));
    let mut c = Chrome::new(state, a, locale, "work", title).await;
    crumbs_from_home(&mut c);
    c.crumbs.push((
        t.pick("工作计划", "Daily plan").into(),
        "/work/today".into(),
    ));
    c.crumbs.push((
        t.pick("周报", "Weekly report").into(),
        format!("/work/week/{week}"),
    ));
    if let Some(r) = report.as_ref().filter(|_| !q.person.trim().is_empty()) {
        c.crumbs.push((r.person_name.clone(), String::new()));
    }
    let (days, totals) = match &report {
        Some(r) => (week_days(t, r.days.clone(), ""), r.totals.clone()),
        None => (Vec::new(), Totals::default()),
    };
    Ok(WeekPage {
        c,
        commented_on: company_date(state, report.as_ref().and_then(|r| r.commented_at)),
        from: ymd(mon),
        to: ymd(sun),
        prev: store::week_of(mon - chrono::Duration::days(7)),
        next: store::week_of(mon + chrono::Duration::days(7)),
        week,
        report,
        days,
        totals,
        suffix: person_suffix(q),
        team,
    })
}

/// A moment as the date it was in the company's time zone (a comment at
/// 07:00 in Shanghai belongs to that day, not to the UTC day before).
fn company_date(state: &AppState, at: Option<chrono::DateTime<chrono::Utc>>) -> Option<String> {
    at.map(|at| ymd(at.with_timezone(&state.settings.time_zone).date_naive()))
}

async fn this_week(State(state): State<AppState>, PageUser(_): PageUser) -> Response {
    see_other(&format!("/work/week/{}", store::week_of(today(&state))))
}

async fn week(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Path(week): Path<String>,
    jar: CookieJar,
    Query(q): Query<PersonQuery>,
) -> Response {
    let (jar, notice) = take_notice(jar, T(locale));
    match week_page(&state, &a, locale, &week, &q).await {
        Ok(mut page) => {
            page.c.notice = notice;
            (jar, render(&page)).into_response()
        }
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

/// The report form: `action` is `save`, `submit` or `comment`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WeekForm {
    action: String,
    summary: String,
    next_week_plan: String,
    problems: String,
    comment: String,
}

async fn week_act(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Path(week): Path<String>,
    jar: CookieJar,
    Query(q): Query<PersonQuery>,
    Form(form): Form<WeekForm>,
) -> Response {
    let person = match person_of(&state, &a, &q).await {
        Ok(Some(p)) => p,
        Ok(None) => return not_found_for(&state, &a, locale).await,
        Err(e) => return storage_failure(&state, &a, locale, e).await,
    };
    let actor = a.actor();
    let db = &state.db;
    let result = match form.action.as_str() {
        "save" | "submit" => {
            let input = WeeklyReportInput {
                summary: Some(form.summary.clone()),
                next_week_plan: Some(form.next_week_plan.clone()),
                problems: Some(form.problems.clone()),
                submit: Some(form.action == "submit"),
            };
            store::put_report(db, actor, &person, &week, &input)
                .await
                .map(|_| ())
        }
        "comment" => store::comment_report(db, actor, &person, &week, &form.comment)
            .await
            .map(|_| ()),
        _ => Err(storage::Error::invalid(
            "action",
            "unknown action",
            "未知操作",
        )),
    };
    let to = format!("/work/week/{}{}", urlencode(week.trim()), person_suffix(&q));
    match result {
        Ok(()) => redirect_with_notice(jar, &to, "common.saved"),
        Err(e @ storage::Error::Invalid(_)) => {
            match week_page(&state, &a, locale, &week, &q).await {
                Ok(mut page) => {
                    // What was typed stays in the form.
                    if let Some(r) = page.report.as_mut() {
                        r.summary = form.summary;
                        r.next_week_plan = form.next_week_plan;
                        r.problems = form.problems;
                    }
                    page.c.add_error(&e);
                    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
                }
                Err(e) => storage_failure(&state, &a, locale, e).await,
            }
        }
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}
