//! Pages: the target table (`/table`) and its entry grid (`/table/edit`).
//!
//! The table is the seed's 目标管理表: metric rows × months, then 平均/合计
//! and the year's target, each cell coloured by the seed's rule — or, on
//! request, the current month against the time elapsed. Below it, charts
//! drawn as SVG here on the server, and the units and people to drill into.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use chrono::Utc;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::Value;

use super::{
    Chrome, crumbs_from_home, redirect_with_notice, render, render_status, storage_failure,
    take_notice,
};
use crate::domain::access::{Actor, Reach};
use crate::domain::metric::{Kind, parse_value};
use crate::domain::period::Period;
use crate::domain::table::{Status, pace_status};
use crate::storage::figures::{self, FigureInput, Measure, RowView, TableView};
use crate::storage::submissions::{self, SubmissionAction, SubmissionStatus};
use crate::storage::{self, org as store};
use crate::web::AppState;
use crate::web::auth::{Authenticated, Lang, PageUser};
use crate::web::i18n::{Locale, T};

/// `/table`, `/table/edit`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/table", get(table_page))
        .route("/table/edit", get(edit_page).post(save_grid))
        .route("/table/submission", post(submission_step))
        .route("/table/sources", get(sources_page))
}

#[derive(Debug, Default, Deserialize)]
struct TableParams {
    subject: Option<String>,
    year: Option<i32>,
    /// `target` (the seed's rule, default) or `pace` (against time elapsed).
    colour: Option<String>,
    /// Metric drawn in the charts.
    chart: Option<String>,
    /// Entry grid: `actual` (default) or `target`.
    measure: Option<String>,
    /// The month of the 本月填报 panel (`2026-03`); the current one by default.
    month: Option<String>,
    /// Phones: all twelve months instead of the running one.
    full: Option<String>,
    /// `accepted`: only months whose submissions are all accepted.
    basis: Option<String>,
}

/// The table a user lands on: their own unit's, their own, or the company's.
async fn default_subject(state: &AppState, actor: &Actor) -> Option<String> {
    if actor.people_read() == Reach::Own(actor.person_id?) {
        let me = store::own_person(&state.db, actor).await.ok().flatten()?;
        return Some(format!("person:{}", me.employee_no));
    }
    let units = store::list_units(&state.db, actor).await.ok()?;
    units.first().map(|u| format!("unit:{}", u.code))
}

/// The company's today, for 时间进度 and the default year.
fn today(state: &AppState) -> chrono::NaiveDate {
    Utc::now()
        .with_timezone(&state.settings.time_zone)
        .date_naive()
}

/// A figure for the page: amounts to the yuan with separators, percents
/// with their sign; the exact value stays in the title and the exports.
fn display(kind: Kind, value: Option<&str>) -> String {
    let Some(v) = value else {
        return String::new();
    };
    let Ok(d) = v.parse::<Decimal>() else {
        return v.to_owned();
    };
    match kind {
        Kind::Amount => group(
            &d.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
                .to_string(),
        ),
        Kind::Count => group(&d.to_string()),
        Kind::Percent => format!("{}%", d.normalize()),
        Kind::Ratio | Kind::Score => d.normalize().to_string(),
    }
}

/// Thousands separators for an integer string.
pub(super) fn group(int: &str) -> String {
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

/// Thousands separators for a decimal string: `-1234567.50` → `-1,234,567.50`.
pub(super) fn group_decimal(text: &str) -> String {
    match text.split_once('.') {
        Some((int, frac)) => format!("{}.{frac}", group(int)),
        None => group(text),
    }
}

fn status_class(s: Status) -> &'static str {
    match s {
        Status::Green => "s-green",
        Status::Yellow => "s-yellow",
        Status::Red => "s-red",
        Status::None => "s-none",
    }
}

/// One cell as the page shows it.
struct CellOut {
    /// `2026-03`, or the year for the total.
    period: String,
    actual: String,
    target: String,
    rate: String,
    class: &'static str,
    title: String,
    /// Units: the children's targets differ from the unit's own.
    gap: Option<String>,
}

struct RowOut {
    /// For computed metrics: where each month's records are listed
    /// (`/table/sources?…&period=`, the month appended).
    sources: Option<String>,
    name: String,
    unit: &'static str,
    lower_better: bool,
    cells: Vec<CellOut>,
    total: CellOut,
    year_target: String,
    year_gap: Option<String>,
}

/// The unit a metric's figures are read in (元, 个, %).
pub(super) fn unit_label(t: T, kind: Kind) -> &'static str {
    match kind {
        Kind::Amount => t.t("table.unit_yuan"),
        Kind::Percent => "%",
        Kind::Count => t.t("table.unit_count"),
        Kind::Ratio | Kind::Score => "",
    }
}

/// 分解差异: a target set here minus what its children's add up to, shown
/// only where the two differ.
fn gap(kind: Kind, own: Option<&str>, children: Option<&str>) -> Option<String> {
    let (own, children) = (own?, children?);
    if own == children {
        return None;
    }
    let own: Decimal = own.parse().ok()?;
    let children: Decimal = children.parse().ok()?;
    Some(display(kind, Some(&(own - children).to_string())))
}

fn cell_out(t: T, kind: Kind, c: &figures::CellView, status: Status) -> CellOut {
    let gap = if c.target_set {
        gap(kind, c.target.as_deref(), c.children_target.as_deref())
    } else {
        None
    };
    let title = format!(
        "{} {} · {} {} · {} {}",
        t.t("table.target"),
        c.target.as_deref().unwrap_or("—"),
        t.t("table.actual"),
        c.actual.as_deref().unwrap_or("—"),
        t.t("table.rate"),
        c.rate
            .as_deref()
            .map_or("—".to_owned(), |r| format!("{r}%")),
    );
    CellOut {
        period: c.period.clone(),
        actual: display(kind, c.actual.as_deref()),
        target: display(kind, c.target.as_deref()),
        rate: c
            .rate
            .as_deref()
            .map_or_else(String::new, |r| format!("{r}%")),
        class: status_class(status),
        title,
        gap,
    }
}

/// Parses a decimal string of the API back into minor units.
fn minor(kind: Kind, v: Option<&str>) -> Option<i64> {
    parse_value(kind, v?).ok()
}

fn rows_out(
    t: T,
    view: &TableView,
    pace: bool,
    today: chrono::NaiveDate,
    state: &AppState,
) -> Vec<RowOut> {
    let fiscal = state.settings.fiscal_year;
    view.rows
        .iter()
        .map(|r| {
            let status_of = |c: &figures::CellView| -> Status {
                if !pace {
                    return c.status;
                }
                let Ok(p) = c.period.parse::<Period>() else {
                    return c.status;
                };
                let (first, last) = fiscal.span(p);
                if today < first || today > last {
                    return c.status;
                }
                // The running period: against the share of time gone.
                pace_status(
                    r.direction,
                    0,
                    minor(r.kind, c.target.as_deref()),
                    minor(r.kind, c.actual.as_deref()),
                    fiscal.elapsed(p, today),
                )
            };
            let total_status = if pace && matches!(r.total_rule, crate::domain::metric::Total::Sum)
            {
                status_of(&r.total)
            } else {
                r.total.status
            };
            RowOut {
                sources: r.computed_from.as_ref().map(|_| {
                    format!(
                        "/table/sources?metric={}&subject={}&period=",
                        crate::web::auth::urlencode(&r.metric),
                        crate::web::auth::urlencode(&view.subject)
                    )
                }),
                name: t.pick(&r.name, &r.name_en).to_owned(),
                unit: unit_label(t, r.kind),
                lower_better: r.direction == crate::domain::metric::Direction::Lower,
                cells: r
                    .months
                    .iter()
                    .map(|c| cell_out(t, r.kind, c, status_of(c)))
                    .collect(),
                total: cell_out(t, r.kind, &r.total, total_status),
                year_target: display(r.kind, r.year_target.as_deref()),
                year_gap: gap(
                    r.kind,
                    r.year_target.as_deref(),
                    r.total.children_target.as_deref(),
                ),
            }
        })
        .collect()
}

fn month_labels(t: T, view: &TableView) -> Vec<String> {
    view.rows
        .first()
        .map(|r| {
            r.months
                .iter()
                .map(|c| match c.period.parse::<Period>() {
                    Ok(Period::Month(_, m)) => match t.0 {
                        Locale::Zh => format!("{m}月"),
                        Locale::En => [
                            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                            "Nov", "Dec",
                        ][usize::from(m.clamp(1, 12)) - 1]
                            .to_owned(),
                    },
                    _ => c.period.clone(),
                })
                .collect()
        })
        .unwrap_or_default()
}

// ---------------------------------------------------------------- charts

/// A bar or point of a chart, in SVG user units.
struct Bar {
    x: i64,
    y: i64,
    w: i64,
    h: i64,
    label: String,
}

/// Monthly target vs actual as bars, cumulative actual vs the pro-rata
/// target as lines: geometry computed here, drawn by the template.
struct Chart {
    metric: String,
    targets: Vec<Bar>,
    actuals: Vec<Bar>,
    labels: Vec<(i64, String)>,
    /// `x,y x,y …` polylines.
    cumulative_actual: String,
    pro_rata: String,
    max_label: String,
}

const CHART_W: i64 = 720;
const CHART_H: i64 = 200;
const PAD_L: i64 = 40;

fn chart(t: T, row: &RowView, labels: &[String]) -> Option<Chart> {
    let vals = |f: fn(&figures::CellView) -> Option<&String>| -> Vec<Option<Decimal>> {
        row.months
            .iter()
            .map(|c| f(c).and_then(|v| v.parse().ok()))
            .collect()
    };
    let targets = vals(|c| c.target.as_ref());
    let actuals = vals(|c| c.actual.as_ref());
    let max = targets
        .iter()
        .chain(&actuals)
        .flatten()
        .copied()
        .fold(Decimal::ZERO, Decimal::max);
    if max <= Decimal::ZERO {
        return None;
    }
    let slot = (CHART_W - PAD_L) / 12;
    let scale = |v: Decimal| -> i64 {
        let h = v * Decimal::from(CHART_H - 20) / max;
        h.round().try_into().unwrap_or(0)
    };
    let bars = |vals: &[Option<Decimal>], offset: i64| -> Vec<Bar> {
        vals.iter()
            .enumerate()
            .filter_map(|(i, v)| {
                let v = (*v)?;
                let h = scale(v.max(Decimal::ZERO));
                Some(Bar {
                    x: PAD_L + i as i64 * slot + offset,
                    y: CHART_H - h,
                    w: slot / 3,
                    h,
                    label: format!(
                        "{} {}",
                        labels.get(i).map_or("", String::as_str),
                        display(row.kind, Some(&v.to_string()))
                    ),
                })
            })
            .collect()
    };
    // Cumulative lines share a second scale: the year's total target.
    let year_target: Decimal = row
        .total
        .target
        .as_deref()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| targets.iter().flatten().copied().sum());
    let cum_max = year_target
        .max(actuals.iter().flatten().copied().sum())
        .max(Decimal::ONE);
    let cum_scale = |v: Decimal| -> i64 {
        let h = v * Decimal::from(CHART_H - 20) / cum_max;
        CHART_H - h.round().try_into().unwrap_or(0)
    };
    let mut running = Decimal::ZERO;
    let mut cumulative = Vec::new();
    for (i, a) in actuals.iter().enumerate() {
        let Some(a) = a else { break };
        running += *a;
        cumulative.push(format!(
            "{},{}",
            PAD_L + i as i64 * slot + slot / 2,
            cum_scale(running)
        ));
    }
    let pro_rata = (0..12)
        .map(|i| {
            let share = year_target * Decimal::from(i + 1) / Decimal::from(12);
            format!("{},{}", PAD_L + i * slot + slot / 2, cum_scale(share))
        })
        .collect::<Vec<_>>()
        .join(" ");
    Some(Chart {
        metric: t.pick(&row.name, &row.name_en).to_owned(),
        targets: bars(&targets, slot / 6),
        actuals: bars(&actuals, slot / 2),
        labels: labels
            .iter()
            .enumerate()
            .map(|(i, l)| (PAD_L + i as i64 * slot + slot / 2, l.clone()))
            .collect(),
        cumulative_actual: cumulative.join(" "),
        pro_rata,
        max_label: display(row.kind, Some(&max.to_string())),
    })
}

// ---------------------------------------------------------------- the table page

#[derive(Template)]
#[template(path = "table.html")]
struct TablePage {
    c: Chrome,
    view: TableView,
    rows: Vec<RowOut>,
    pace: bool,
    query: String,
    prev_year: i32,
    next_year: i32,
    can_enter_actuals: bool,
    can_enter_targets: bool,
    /// May propose or set targets on the decomposition page.
    can_plan_targets: bool,
    chart: Option<Chart>,
    chart_options: Vec<(String, String, bool)>,
    children: Vec<(String, String)>,
    compiled_by: String,
    /// Month labels with their submission badge (数据填报).
    month_heads: Vec<MonthHead>,
    /// The query without the basis, for the 全部 link.
    all_query: String,
    /// Actuals only for months whose submissions are all accepted.
    accepted_only: bool,
    /// On a phone only this month's column shows (with the totals), unless
    /// the whole year is asked for.
    focus: usize,
    focus_label: String,
    full_year: bool,
    /// The 本月填报 panel, for units.
    submission: Option<SubmissionPanel>,
}

fn enc(s: &str) -> String {
    crate::web::auth::urlencode(s)
}

/// May the actor set these figures of the subject? Asked of storage, which
/// decides reach; a failure to find out offers no entry.
async fn may_write(state: &AppState, actor: &Actor, subject: &str, measure: Measure) -> bool {
    figures::may_write(&state.db, actor, measure, subject)
        .await
        .unwrap_or(false)
}

async fn table_page(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Query(q): Query<TableParams>,
    jar: CookieJar,
) -> Response {
    let t = T(locale);
    let actor = a.actor();
    let today = today(&state);
    let year = q.year.unwrap_or_else(|| {
        use chrono::Datelike;
        state
            .settings
            .fiscal_year
            .year_of_month(today.year(), today.month() as u8)
    });
    let Some(subject) = q.subject.clone().or(default_subject(&state, actor).await) else {
        return super::not_found_for(&state, &a, locale).await;
    };
    let structure = match state.structure.get_at(&state.db, a.versions).await {
        Ok(s) => s,
        Err(e) => return storage_failure(&state, &a, locale, e).await,
    };
    let basis = match q.basis.as_deref() {
        Some("accepted") => figures::Basis::Accepted,
        _ => figures::Basis::All,
    };
    let view = match figures::table_with(
        &state.db,
        &structure,
        &state.marks.get_at(a.versions),
        actor,
        state.settings.fiscal_year,
        &figures::TableQuery {
            subject: subject.clone(),
            year,
            basis,
        },
    )
    .await
    {
        Ok(v) => v,
        Err(e) => return storage_failure(&state, &a, locale, e).await,
    };
    let (jar, notice) = take_notice(jar, t);
    let mut c = Chrome::new(
        &state,
        &a,
        locale,
        "table",
        format!("{} · {}", view.name, t.t("nav.table")),
    )
    .await;
    c.notice = notice;
    crumbs_from_home(&mut c);
    c.crumbs.push((t.t("nav.table").into(), "/table".into()));
    for p in &view.path {
        if p.subject != view.subject {
            c.crumbs.push((
                p.name.clone(),
                format!("/table?subject={}&year={year}", enc(&p.subject)),
            ));
        }
    }
    c.crumbs.push((view.name.clone(), String::new()));
    let pace = q.colour.as_deref() == Some("pace");
    let months = month_labels(t, &view);
    let rows = rows_out(t, &view, pace, today, &state);
    let chart_code = q.chart.clone().unwrap_or_else(|| "sales_amount".into());
    let chart_row = view
        .rows
        .iter()
        .find(|r| r.metric == chart_code)
        .or(view.rows.first());
    let chart = chart_row.and_then(|r| chart(t, r, &months));
    let chart_options = view
        .rows
        .iter()
        .map(|r| {
            (
                r.metric.clone(),
                t.pick(&r.name, &r.name_en).to_owned(),
                Some(&r.metric) == chart_row.map(|c| &c.metric),
            )
        })
        .collect();
    let can_enter_actuals = may_write(&state, actor, &view.subject, Measure::Actual).await;
    let can_plan_targets = may_write(&state, actor, &view.subject, Measure::Target).await;
    // The entry grid writes targets at once; a manager's targets go through
    // their plan's approval, on the decomposition page.
    let can_enter_targets = can_plan_targets && actor.publishes_targets_directly();
    let children = view
        .children
        .iter()
        .map(|s| {
            (
                s.name.clone(),
                format!("/table?subject={}&year={year}", enc(&s.subject)),
            )
        })
        .collect();
    let compiled_by = view
        .path
        .first()
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let month_heads = month_heads(t, &view, &months);
    // The running month of this year, else the year's last month.
    let focus = view
        .rows
        .first()
        .and_then(|r| {
            let current = figures_month(today);
            r.months.iter().position(|c| c.period == current)
        })
        .unwrap_or(11);
    let focus_label = months.get(focus).cloned().unwrap_or_default();
    let submission = submission_panel(&state, actor, t, &view, q.month.as_deref(), today).await;
    let page = TablePage {
        month_heads,
        focus,
        focus_label,
        full_year: q.full.is_some(),
        submission,
        query: format!(
            "subject={}&year={year}{}",
            enc(&view.subject),
            if basis == figures::Basis::Accepted {
                "&basis=accepted"
            } else {
                ""
            }
        ),
        all_query: format!("subject={}&year={year}", enc(&view.subject)),
        accepted_only: basis == figures::Basis::Accepted,
        prev_year: year - 1,
        next_year: year + 1,
        c,
        rows,
        pace,
        can_enter_actuals,
        can_enter_targets,
        can_plan_targets,
        chart,
        chart_options,
        children,
        compiled_by,
        view,
    };
    (jar, render(&page)).into_response()
}

// ---------------------------------------------------------------- the entry grid

struct GridCell {
    name: String,
    value: String,
    class: &'static str,
    period: String,
}

struct GridRow {
    metric: String,
    name: String,
    unit: &'static str,
    cells: Vec<GridCell>,
}

#[derive(Template)]
#[template(path = "table_edit.html")]
struct EditPage {
    c: Chrome,
    view: TableView,
    months: Vec<String>,
    grid: Vec<GridRow>,
    measure: &'static str,
    query: String,
}

fn measure_of(q: &TableParams) -> Measure {
    match q.measure.as_deref() {
        Some("target") => Measure::Target,
        _ => Measure::Actual,
    }
}

async fn edit_view(
    state: &AppState,
    a: &Authenticated,
    locale: Locale,
    q: &TableParams,
) -> Result<EditPage, storage::Error> {
    let t = T(locale);
    let actor = a.actor();
    let measure = measure_of(q);
    let year = q.year.unwrap_or_else(|| {
        use chrono::Datelike;
        let d = today(state);
        state
            .settings
            .fiscal_year
            .year_of_month(d.year(), d.month() as u8)
    });
    let subject = match q.subject.clone() {
        Some(s) => s,
        None => default_subject(state, actor)
            .await
            .ok_or(storage::Error::NotFound)?,
    };
    let view = figures::table(&state.db, actor, state.settings.fiscal_year, &subject, year).await?;
    if !may_write(state, actor, &view.subject, measure).await {
        return Err(storage::Error::Forbidden);
    }
    // The grid writes at once; proposals go through the decomposition page.
    if measure == Measure::Target && !actor.publishes_targets_directly() {
        return Err(storage::Error::Forbidden);
    }
    let title = match measure {
        Measure::Target => t.t("table.enter_targets"),
        Measure::Actual => t.t("table.enter_actuals"),
    };
    let mut c = Chrome::new(
        state,
        a,
        locale,
        "table",
        format!("{} · {title}", view.name),
    )
    .await;
    crumbs_from_home(&mut c);
    c.crumbs.push((t.t("nav.table").into(), "/table".into()));
    c.crumbs.push((
        view.name.clone(),
        format!("/table?subject={}&year={year}", enc(&view.subject)),
    ));
    c.crumbs.push((title.into(), String::new()));
    let months = month_labels(t, &view);
    let grid = view
        .rows
        .iter()
        .map(|r| {
            let own = |c: &figures::CellView| match measure {
                Measure::Target if c.target_set => c.target.clone(),
                Measure::Actual if c.actual_set => c.actual.clone(),
                _ => None,
            };
            let mut cells: Vec<GridCell> = r
                .months
                .iter()
                .map(|c| GridCell {
                    name: format!("{}|{}", r.metric, c.period),
                    value: own(c).unwrap_or_default(),
                    class: status_class(c.status),
                    period: c.period.clone(),
                })
                .collect();
            if measure == Measure::Target {
                cells.push(GridCell {
                    name: format!("{}|{}", r.metric, r.total.period),
                    value: r.year_target.clone().unwrap_or_default(),
                    class: status_class(r.total.status),
                    period: r.total.period.clone(),
                });
            }
            GridRow {
                metric: r.metric.clone(),
                name: t.pick(&r.name, &r.name_en).to_owned(),
                unit: unit_label(t, r.kind),
                cells,
            }
        })
        .collect();
    Ok(EditPage {
        query: format!(
            "subject={}&year={year}&measure={}",
            enc(&view.subject),
            match measure {
                Measure::Target => "target",
                Measure::Actual => "actual",
            }
        ),
        c,
        months,
        grid,
        measure: match measure {
            Measure::Target => "target",
            Measure::Actual => "actual",
        },
        view,
    })
}

async fn edit_page(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Query(q): Query<TableParams>,
) -> Response {
    match edit_view(&state, &a, locale, &q).await {
        Ok(page) => render(&page),
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

/// `POST /table/edit`: the whole grid at once (without JavaScript). Only
/// cells whose value changed are written; an emptied cell clears its value.
async fn save_grid(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Query(q): Query<TableParams>,
    jar: CookieJar,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let measure = measure_of(&q);
    let Some(subject) = q.subject.clone() else {
        return super::not_found_for(&state, &a, locale).await;
    };
    let originals: std::collections::HashMap<&str, &str> = fields
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("o|")?, v.as_str())))
        .collect();
    let items: Vec<FigureInput> = fields
        .iter()
        .filter_map(|(k, v)| {
            let key = k.strip_prefix("v|")?;
            let v = v.trim();
            if originals.get(key).map(|o| o.trim()) == Some(v) {
                return None;
            }
            let (metric, period) = key.split_once('|')?;
            Some(FigureInput {
                metric: metric.to_owned(),
                subject: subject.clone(),
                period: period.to_owned(),
                value: if v.is_empty() {
                    Value::Null
                } else {
                    Value::String(v.to_owned())
                },
                floor: None,
                stretch: None,
            })
        })
        .collect();
    let back = format!(
        "/table?subject={}&year={}",
        enc(&subject),
        q.year.unwrap_or_default()
    );
    match figures::write(
        &state.db,
        a.actor(),
        state.settings.fiscal_year,
        measure,
        &items,
    )
    .await
    {
        Ok(s) if !s.pending.is_empty() => {
            redirect_with_notice(jar, &back, "common.sent_for_approval")
        }
        Ok(_) => redirect_with_notice(jar, &back, "common.saved"),
        Err(e @ storage::Error::Invalid(_)) => match edit_view(&state, &a, locale, &q).await {
            Ok(mut page) => {
                // Keep what was typed; name the cells in the errors.
                let typed: std::collections::HashMap<&str, &str> = fields
                    .iter()
                    .filter_map(|(k, v)| Some((k.strip_prefix("v|")?, v.as_str())))
                    .collect();
                for row in &mut page.grid {
                    for cell in &mut row.cells {
                        if let Some(v) = typed.get(cell.name.as_str()) {
                            cell.value = (*v).to_owned();
                        }
                    }
                }
                if let storage::Error::Invalid(fields_err) = &e {
                    for f in fields_err {
                        let at = f
                            .field
                            .strip_prefix("items[")
                            .and_then(|s| s.split_once(']'))
                            .and_then(|(i, _)| i.parse::<usize>().ok())
                            .and_then(|i| items.get(i))
                            .map(|it| format!("{} {}", it.metric, it.period))
                            .unwrap_or_default();
                        let msg = page.c.t.pick(&f.message_zh, &f.message).to_owned();
                        page.c.errors.push(format!("{at}: {msg}"));
                    }
                }
                render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
            }
            Err(e) => storage_failure(&state, &a, locale, e).await,
        },
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

// ---------------------------------------------------------------- monthly submission (数据填报)

/// A month label of the table's header, with its submission badge.
struct MonthHead {
    label: String,
    /// (badge class, text); none for a draft.
    badge: Option<(&'static str, &'static str)>,
}

fn status_badge(t: T, s: SubmissionStatus) -> Option<(&'static str, &'static str)> {
    match s {
        SubmissionStatus::Draft => None,
        SubmissionStatus::Submitted => Some(("info", t.t("submission.submitted"))),
        SubmissionStatus::Returned => Some(("warn", t.t("submission.returned"))),
        SubmissionStatus::Accepted => Some(("ok", t.t("submission.accepted"))),
    }
}

/// The month period (`2026-03`) holding a day.
fn figures_month(day: chrono::NaiveDate) -> String {
    crate::domain::period::Period::month_of(day).to_string()
}

fn month_heads(t: T, view: &TableView, labels: &[String]) -> Vec<MonthHead> {
    let periods: Vec<&str> = view
        .rows
        .first()
        .map(|r| r.months.iter().map(|c| c.period.as_str()).collect())
        .unwrap_or_default();
    labels
        .iter()
        .enumerate()
        .map(|(i, label)| MonthHead {
            label: label.clone(),
            badge: if periods
                .get(i)
                .is_some_and(|p| view.unaccepted.iter().any(|u| u == p))
            {
                Some(("muted", t.t("table.not_accepted")))
            } else {
                periods
                    .get(i)
                    .and_then(|p| view.submissions.iter().find(|s| s.period == *p))
                    .and_then(|s| status_badge(t, s.status))
            },
        })
        .collect()
}

/// One step of the history, as the panel lists it.
struct StepOut {
    action: &'static str,
    by: String,
    at: String,
    comment: String,
}

/// The 本月填报 panel: a unit's month, its status and the steps the
/// viewer may take.
struct SubmissionPanel {
    period: String,
    status: &'static str,
    badge: &'static str,
    comment: String,
    history: Vec<StepOut>,
    may_submit: bool,
    may_return: bool,
    may_accept: bool,
    /// (value, label, selected) for the month picker.
    months: Vec<(String, String, bool)>,
}

/// The panel's month: the one asked for when it is in the table's year,
/// else the current month when the year holds it, else the year's last
/// (a past year) or first (a future year) month.
fn panel_month(view: &TableView, asked: Option<&str>, today: chrono::NaiveDate) -> Option<String> {
    use chrono::Datelike;
    let periods: Vec<&str> = view.submissions.iter().map(|s| s.period.as_str()).collect();
    if let Some(p) = asked.map(str::trim).filter(|p| periods.contains(p)) {
        return Some(p.to_owned());
    }
    let current = Period::Month(today.year(), today.month() as u8).to_string();
    if periods.contains(&current.as_str()) {
        return Some(current);
    }
    let first = periods.first()?;
    let last = periods.last()?;
    let pick = if current.as_str() > *last {
        last
    } else {
        first
    };
    Some((*pick).to_owned())
}

async fn submission_panel(
    state: &AppState,
    actor: &Actor,
    t: T,
    view: &TableView,
    asked: Option<&str>,
    today: chrono::NaiveDate,
) -> Option<SubmissionPanel> {
    let code = view.subject.strip_prefix("unit:")?;
    let period = panel_month(view, asked, today)?;
    let s = match submissions::get(&state.db, actor, code, &period).await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "submission panel");
            return None;
        }
    };
    let tz = state.settings.time_zone;
    let labels = month_labels(t, view);
    Some(SubmissionPanel {
        status: match s.status {
            SubmissionStatus::Draft => t.t("submission.draft"),
            other => status_badge(t, other).map_or("", |b| b.1),
        },
        badge: status_badge(t, s.status).map_or("muted", |b| b.0),
        comment: s.comment.clone().unwrap_or_default(),
        history: s
            .history
            .iter()
            .rev()
            .map(|h| StepOut {
                action: match h.action {
                    SubmissionAction::Submit => t.t("submission.submit"),
                    SubmissionAction::Return => t.t("submission.return"),
                    SubmissionAction::Accept => t.t("submission.accept"),
                },
                by: h.by_name.clone().unwrap_or_else(|| h.by.clone()),
                at: h.at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
                comment: h.comment.clone().unwrap_or_default(),
            })
            .collect(),
        may_submit: s.may_submit,
        may_return: s.may_return,
        may_accept: s.may_accept,
        months: view
            .submissions
            .iter()
            .zip(labels)
            .map(|(m, l)| (m.period.clone(), l, m.period == s.period))
            .collect(),
        period: s.period,
    })
}

#[derive(Debug, Deserialize)]
struct StepForm {
    /// `submit`, `return` or `accept`.
    step: String,
    period: String,
    #[serde(default)]
    comment: String,
}

/// `POST /table/submission?subject=unit:…&year=…`: one step of the
/// monthly submission, then back to the table at that month.
async fn submission_step(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Query(q): Query<TableParams>,
    jar: CookieJar,
    Form(form): Form<StepForm>,
) -> Response {
    let Some(code) = q.subject.as_deref().and_then(|s| s.strip_prefix("unit:")) else {
        return super::not_found_for(&state, &a, locale).await;
    };
    let Some(step) = SubmissionAction::parse(form.step.trim()) else {
        let e = storage::Error::invalid("step", "submit, return or accept", "应为提交、退回或接受");
        return storage_failure(&state, &a, locale, e).await;
    };
    let comment = Some(form.comment.as_str());
    match submissions::act(&state.db, a.actor(), code, &form.period, step, comment).await {
        Ok(s) => {
            let year = q.year.map(|y| format!("&year={y}")).unwrap_or_default();
            let back = format!(
                "/table?subject={}{year}&month={}",
                enc(&format!("unit:{}", s.unit)),
                enc(&s.period)
            );
            redirect_with_notice(jar, &back, "common.saved")
        }
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_shown_as_a_sales_director_reads_them() {
        assert_eq!(display(Kind::Amount, Some("645840.00")), "645,840");
        assert_eq!(display(Kind::Amount, Some("-1234.50")), "-1,235");
        assert_eq!(display(Kind::Count, Some("600")), "600");
        assert_eq!(display(Kind::Percent, Some("92.50")), "92.5%");
        assert_eq!(display(Kind::Amount, None), "");
        assert_eq!(group("1234567"), "1,234,567");
        assert_eq!(group("123"), "123");
        assert_eq!(group_decimal("-1234567.50"), "-1,234,567.50");
        assert_eq!(group_decimal("999.00"), "999.00");
    }
}

/// `/table/sources`: the records a computed figure comes from.
#[derive(Template)]
#[template(path = "table_sources.html")]
struct SourcesPage {
    c: Chrome,
    view: crate::storage::sources::SourcesView,
    /// The figure as the table shows it, with its unit.
    value: String,
    back: String,
}

async fn sources_page(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Query(q): Query<crate::storage::sources::SourcesQuery>,
) -> Response {
    let t = T(locale);
    let view = match crate::storage::sources::records_behind(&state.db, a.actor(), &q).await {
        Ok(v) => v,
        Err(e) => return storage_failure(&state, &a, locale, e).await,
    };
    let kind = figures::load_metrics(&state.db)
        .await
        .ok()
        .and_then(|ms| ms.into_iter().find(|m| m.def.code == view.metric))
        .map_or(Kind::Amount, |m| m.def.kind);
    let value = match &view.value {
        Some(v) => format!("{} {}", display(kind, Some(v)), unit_label(t, kind)),
        None => "—".to_owned(),
    };
    let mut view = view;
    for r in &mut view.records {
        // Amounts with thousands separators, to the fen.
        if r.value.contains('.') {
            r.value = group_decimal(&r.value);
        }
    }
    let year = view.period.get(..4).unwrap_or_default();
    let back = format!(
        "/table?subject={}&year={year}",
        crate::web::auth::urlencode(&view.subject)
    );
    let mut c = Chrome::new(
        &state,
        &a,
        locale,
        "table",
        format!(
            "{} · {} · {}",
            view.subject_name, view.metric_name, view.period
        ),
    )
    .await;
    crumbs_from_home(&mut c);
    c.crumbs.push((t.t("nav.table").into(), "/table".into()));
    c.crumbs.push((view.subject_name.clone(), back.clone()));
    render(&SourcesPage {
        c,
        view,
        value,
        back,
    })
}
