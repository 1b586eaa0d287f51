//! Daily plans (晨计划 + 晚日志), plan against done, and weekly reports
//! (周报) with managers' comments.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;

use crate::storage::projects::{Today, ymd};
use crate::storage::work::{
    self, CommentInput, DailyPlanInput, DailyPlanView, RangeView, TeamWeek, WeeklyReportInput,
    WeeklyReportView,
};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ApiJson, ApiPath, ApiQuery, ErrorBody};

/// Narrows `GET /api/v1/daily-plans`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct RangeQuery {
    /// 工号; the caller when left out.
    pub person: Option<String>,
    /// An ISO week, `2026-W48`, instead of `from` and `to`.
    pub week: Option<String>,
    /// `YYYY-MM-DD`; with `to`, at most 93 days. The current week when
    /// neither they nor `week` are given.
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Narrows `GET /api/v1/weekly-reports`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct TeamQuery {
    /// An ISO week, `2026-W48`; the current week when left out.
    pub week: Option<String>,
    /// A unit code: only its subtree.
    pub unit: Option<String>,
}

fn this_week(state: &AppState) -> String {
    work::week_of(Today::now(state.settings.time_zone).date)
}

/// Plan against done, day by day, for a person (the caller by default):
/// planned calls and visits, calls and visits counted from the
/// activities, tasks and tasks done, with the totals.
#[utoipa::path(get, path = "/api/v1/daily-plans", tag = "work",
    params(RangeQuery),
    responses(
        (status = 200, body = RangeView),
        (status = 404, body = ErrorBody, description = "A person outside the caller's reach"),
        (status = 422, body = ErrorBody),
    ))]
pub async fn list_daily_plans(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<RangeQuery>,
) -> Result<Json<RangeView>, ApiError> {
    let (from, to) = match (q.from, q.to, q.week) {
        (Some(f), Some(t), _) => (f, t),
        (Some(f), None, _) => (f.clone(), f),
        (None, _, week) => {
            let week = week.unwrap_or_else(|| this_week(&state));
            let (_, mon, sun) = work::parse_week(&week)?;
            (ymd(mon), ymd(sun))
        }
    };
    Ok(Json(
        work::range(&state.db, a.actor(), q.person.as_deref(), &from, &to).await?,
    ))
}

/// A person's day: plan, tasks, log, comment, and the calls and visits
/// done. A day not yet planned answers the defaults of a new plan (30
/// calls, 4 visits) with `exists: false`.
#[utoipa::path(get, path = "/api/v1/daily-plans/{person}/{day}", tag = "work",
    params(("person" = String, Path, description = "工号"), ("day" = String, Path, description = "YYYY-MM-DD")),
    responses(
        (status = 200, body = DailyPlanView),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn get_daily_plan(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath((person, day)): ApiPath<(String, String)>,
) -> Result<Json<DailyPlanView>, ApiError> {
    Ok(Json(
        work::get_plan(&state.db, a.actor(), &person, &day).await?,
    ))
}

/// Saves a person's day: the morning plan (planned calls, visits, tasks)
/// or the evening log (tasks ticked done, the log). Fields left out keep
/// their value; `tasks` replaces the day's tasks.
#[utoipa::path(put, path = "/api/v1/daily-plans/{person}/{day}", tag = "work",
    params(("person" = String, Path, description = "工号"), ("day" = String, Path, description = "YYYY-MM-DD")),
    request_body = DailyPlanInput,
    responses(
        (status = 200, body = DailyPlanView),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "A bad field, e.g. negative planned_calls"),
    ))]
pub async fn put_daily_plan(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath((person, day)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<DailyPlanInput>,
) -> Result<Json<DailyPlanView>, ApiError> {
    Ok(Json(
        work::put_plan(&state.db, a.actor(), &person, &day, &input).await?,
    ))
}

/// A manager's (or the GM's) comment on a saved day; never one's own.
#[utoipa::path(post, path = "/api/v1/daily-plans/{person}/{day}/comment", tag = "work",
    params(("person" = String, Path, description = "工号"), ("day" = String, Path, description = "YYYY-MM-DD")),
    request_body = CommentInput,
    responses(
        (status = 200, body = DailyPlanView),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn comment_daily_plan(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath((person, day)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<CommentInput>,
) -> Result<Json<DailyPlanView>, ApiError> {
    Ok(Json(
        work::comment_plan(&state.db, a.actor(), &person, &day, &input.comment).await?,
    ))
}

/// Everyone whose work the caller reads, for one week: submitted or not
/// (those who have not come first), commented, problems named, and the
/// week's plan against done.
#[utoipa::path(get, path = "/api/v1/weekly-reports", tag = "work",
    params(TeamQuery),
    responses(
        (status = 200, body = TeamWeek),
        (status = 404, body = ErrorBody, description = "A unit outside the caller's reach"),
        (status = 422, body = ErrorBody, description = "`week` is not an ISO week"),
    ))]
pub async fn list_weekly_reports(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<TeamQuery>,
) -> Result<Json<TeamWeek>, ApiError> {
    let week = q.week.unwrap_or_else(|| this_week(&state));
    Ok(Json(
        work::team_week(&state.db, a.actor(), &week, q.unit.as_deref()).await?,
    ))
}

/// A person's weekly report with the week's plan against done; an empty
/// draft (`exists: false`) when none is written.
#[utoipa::path(get, path = "/api/v1/weekly-reports/{person}/{week}", tag = "work",
    params(("person" = String, Path, description = "工号"), ("week" = String, Path, description = "ISO week, 2026-W48")),
    responses(
        (status = 200, body = WeeklyReportView),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn get_weekly_report(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath((person, week)): ApiPath<(String, String)>,
) -> Result<Json<WeeklyReportView>, ApiError> {
    Ok(Json(
        work::get_report(&state.db, a.actor(), &person, &week).await?,
    ))
}

/// Saves a weekly report; `submit: true` submits it to the manager.
#[utoipa::path(put, path = "/api/v1/weekly-reports/{person}/{week}", tag = "work",
    params(("person" = String, Path, description = "工号"), ("week" = String, Path, description = "ISO week, 2026-W48")),
    request_body = WeeklyReportInput,
    responses(
        (status = 200, body = WeeklyReportView),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn put_weekly_report(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath((person, week)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<WeeklyReportInput>,
) -> Result<Json<WeeklyReportView>, ApiError> {
    Ok(Json(
        work::put_report(&state.db, a.actor(), &person, &week, &input).await?,
    ))
}

/// A manager's (or the GM's) comment on a submitted weekly report.
#[utoipa::path(post, path = "/api/v1/weekly-reports/{person}/{week}/comment", tag = "work",
    params(("person" = String, Path, description = "工号"), ("week" = String, Path, description = "ISO week, 2026-W48")),
    request_body = CommentInput,
    responses(
        (status = 200, body = WeeklyReportView),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Not submitted, or no comment"),
    ))]
pub async fn comment_weekly_report(
    State(state): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath((person, week)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<CommentInput>,
) -> Result<Json<WeeklyReportView>, ApiError> {
    Ok(Json(
        work::comment_report(&state.db, a.actor(), &person, &week, &input.comment).await?,
    ))
}
