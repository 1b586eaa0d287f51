//! Pages: target decomposition (`/decompose`, 目标分解), the plans
//! awaiting approval (`/plans`) and the comparison of two plan versions
//! (`/plans/{id}/compare`).
//!
//! The decomposition page shows one subject's target for a year (top-down)
//! next to what its months and its children add up to (bottom-up), with the
//! gap per cell (分解差异). Splits are previewed on the page itself and
//! applied through [`decompose::split`]: published at once for the GM and
//! admin, into the draft of the manager's plan otherwise — the plan panel
//! below the grid carries that draft through approval.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Deserialize;
use serde_json::Value;

use super::table::{group, group_decimal, unit_label};
use super::{
    Chrome, Opt, crumbs_from_home, not_found_for, redirect_with_notice, render, render_status,
    storage_failure, take_notice,
};
use crate::domain::access::{Actor, Reach};
use crate::domain::metric::{Kind, Rollup, Total, parse_value, to_decimal};
use crate::domain::org::{OrgTree, UnitId};
use crate::domain::period::Period;
use crate::storage::cache::Structure;
use crate::storage::decompose::{self, GrowthRequest, SplitFrom, SplitOutcome, SplitRequest};
use crate::storage::entity::{figure, person};
use crate::storage::figures::{MetricRow, Subject, SubjectInfo, WriteSummary};
use crate::storage::plans::{self, PlanView, Step, VersionView};
use crate::storage::{self, FieldError, figures};
use crate::web::AppState;
use crate::web::auth::{Authenticated, Lang, PageUser};
use crate::web::i18n::{Locale, T};

/// `/decompose`, `/plans` and their forms.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/decompose", get(decompose_page))
        .route("/decompose/split", post(split_post))
        .route("/decompose/months", post(months_post))
        .route("/decompose/growth", post(growth_post))
        .route("/plans", get(plans_page))
        .route("/plans/{plan}/compare", get(compare_page))
        .route("/plans/{plan}/versions/{version}/{step}", post(step_post))
}

#[derive(Debug, Default, Clone, Deserialize)]
struct Params {
    subject: Option<String>,
    year: Option<i32>,
    metric: Option<String>,
}

fn enc(s: &str) -> String {
    crate::web::auth::urlencode(s)
}

/// The fiscal year running today.
fn current_year(state: &AppState) -> i32 {
    use chrono::Datelike;
    let today = Utc::now()
        .with_timezone(&state.settings.time_zone)
        .date_naive();
    state
        .settings
        .fiscal_year
        .year_of_month(today.year(), today.month() as u8)
}

/// The unit whose plan the actor's changes go to: the company for the GM
/// and admin, their own unit for a manager (as [`plans`] decides).
fn plan_unit(actor: &Actor, tree: &OrgTree) -> Option<UnitId> {
    if actor.publishes_targets_directly() {
        actor
            .unit_id
            .and_then(|u| tree.path(u).first().map(|n| n.id))
            .or_else(|| tree.roots().first().copied())
    } else {
        actor.unit_id
    }
}

// ---------------------------------------------------------------- figures as shown

/// A value in minor units as a sales director reads it: amounts with
/// separators, cents only when there are any (a split's remainder).
fn show(kind: Kind, v: i64) -> String {
    let d = to_decimal(kind, v);
    match kind {
        Kind::Amount | Kind::Count => {
            let text = d.to_string();
            match text.split_once('.') {
                Some((int, frac)) if frac.bytes().all(|b| b == b'0') => group(int),
                _ => group_decimal(&text),
            }
        }
        Kind::Percent => format!("{}%", d.normalize()),
        Kind::Ratio | Kind::Score => d.normalize().to_string(),
    }
}

/// A difference with its sign: `+1,000` or `-250.50`.
fn show_signed(kind: Kind, v: i64) -> String {
    if v > 0 {
        format!("+{}", show(kind, v))
    } else {
        show(kind, v)
    }
}

fn exact(kind: Kind, v: Option<i64>) -> String {
    v.map(|v| crate::domain::metric::format_value(kind, v))
        .unwrap_or_default()
}

/// `2027-03` as 3月 / Mar, `2027-Q1` as Q1, `2027` as the year.
fn period_label(t: T, period: &str) -> String {
    match period.parse::<Period>() {
        Ok(Period::Month(_, m)) => match t.0 {
            Locale::Zh => format!("{m}月"),
            Locale::En => [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ][usize::from(m.clamp(1, 12)) - 1]
                .to_owned(),
        },
        Ok(Period::Quarter(_, q)) => format!("Q{q}"),
        Ok(Period::Year(y)) => match t.0 {
            Locale::Zh => format!("{y}年"),
            Locale::En => y.to_string(),
        },
        _ => period.to_owned(),
    }
}

/// A stamp of the API (RFC 3339) in the company's time zone.
fn when(state: &AppState, stamp: Option<&str>) -> String {
    stamp
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|d| {
            d.with_timezone(&state.settings.time_zone)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

// ---------------------------------------------------------------- what the page is about

struct Ctx {
    structure: Arc<Structure>,
    subject: SubjectInfo,
    year: i32,
    metric: MetricRow,
    children: Vec<SubjectInfo>,
}

/// The subject a user lands on: their own unit, or the company.
fn default_subject(actor: &Actor, tree: &OrgTree) -> Option<String> {
    let unit = plan_unit(actor, tree)?;
    tree.get(unit).map(|u| format!("unit:{}", u.code))
}

async fn context(state: &AppState, actor: &Actor, q: &Params) -> Result<Ctx, storage::Error> {
    let reach = actor.targets_write();
    if reach == Reach::Nothing {
        return Err(storage::Error::NotFound);
    }
    let structure = state.structure.get(&state.db).await?;
    let tree = &structure.tree;
    let year = q.year.unwrap_or_else(|| current_year(state));
    if !(1900..=9999).contains(&year) {
        return Err(storage::Error::invalid(
            "year",
            "a year such as 2026",
            "应为年份，例如 2026",
        ));
    }
    let key = match q
        .subject
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => s.to_owned(),
        None => default_subject(actor, tree).ok_or(storage::Error::NotFound)?,
    };
    let subject = figures::find_subject(&state.db, actor, tree, &key)
        .await?
        .filter(|s| s.within(reach, tree))
        .ok_or(storage::Error::NotFound)?;
    let wanted = q.metric.as_deref().unwrap_or("sales_amount").trim();
    let metric = structure
        .metrics
        .iter()
        .filter(|m| m.active)
        .find(|m| m.def.code == wanted)
        .or_else(|| {
            q.metric
                .is_none()
                .then(|| structure.metrics.iter().find(|m| m.active))
                .flatten()
        })
        .cloned()
        .ok_or(storage::Error::NotFound)?;
    let mut children = Vec::new();
    if let Subject::Unit(u) = subject.subject {
        for id in tree.children(u) {
            if let Some(n) = tree.get(*id).filter(|n| n.active) {
                children.push(SubjectInfo {
                    subject: Subject::Unit(n.id),
                    key: format!("unit:{}", n.code),
                    name: n.name.clone(),
                    unit_id: n.id,
                });
            }
        }
        for p in person::Entity::find()
            .filter(person::Column::UnitId.eq(u))
            .filter(person::Column::Active.eq(true))
            .order_by_asc(person::Column::EmployeeNo)
            .all(&state.db)
            .await?
        {
            children.push(SubjectInfo {
                subject: Subject::Person(p.id),
                key: format!("person:{}", p.employee_no),
                name: p.name,
                unit_id: p.unit_id,
            });
        }
    }
    Ok(Ctx {
        structure,
        subject,
        year,
        metric,
        children,
    })
}

/// The published targets of these subjects and periods: (value, set on
/// the subject itself rather than rolled up from its children).
async fn published(
    state: &AppState,
    metric: i64,
    subjects: &[Subject],
    periods: &[String],
) -> Result<HashMap<(Subject, String), (i64, bool)>, storage::Error> {
    let rows = figure::Entity::find()
        .filter(figures::subjects_condition(subjects))
        .filter(figure::Column::MetricId.eq(metric))
        .filter(figure::Column::Period.is_in(periods.iter().map(String::as_str)))
        .all(&state.db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|f| {
            let subject = Subject::of_row(&f.subject_kind, f.subject_id);
            let set = f.target.is_some();
            f.effective_target()
                .map(|v| ((subject, f.period.clone()), (v, set)))
        })
        .collect())
}

// ---------------------------------------------------------------- the grid

/// Where a cell's figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Empty,
    /// Set on the subject and published.
    Set,
    /// Not set here: what the children add up to.
    Rolled,
    /// In the viewer's open plan draft.
    Draft,
    /// A preview part; whether it took a remainder, whether it was locked.
    Preview {
        took: bool,
        fixed: bool,
    },
}

#[derive(Debug, Clone, Copy)]
struct Val {
    v: Option<i64>,
    origin: Origin,
}

/// One cell as the page shows it.
struct CellOut {
    text: String,
    title: String,
    class: String,
    /// A symbol beside the figure (✎ draft, ◆ preview, ＋ remainder, ■
    /// locked), explained in the legend and the title.
    mark: String,
    /// 分解差异, flagged with text as well as colour.
    gap: String,
}

impl CellOut {
    fn blank() -> CellOut {
        CellOut {
            text: String::new(),
            title: String::new(),
            class: String::new(),
            mark: String::new(),
            gap: String::new(),
        }
    }
}

struct GridRow {
    name: String,
    key: String,
    /// `self`, `unit`, `person`, `sum` or `gap`.
    kind: &'static str,
    href: String,
    cells: Vec<CellOut>,
    flagged: bool,
}

/// The columns: the year, twelve months, their sum, four quarters.
const YEAR: usize = 0;
const MSUM: usize = 13;
const COLS: usize = 18;

struct Grid {
    heads: Vec<String>,
    rows: Vec<GridRow>,
    /// Children add up (rollup `sum`).
    additive: bool,
    /// Months add up to the year (total `sum`).
    time_additive: bool,
    mismatches: usize,
    /// The subject's own year target as shown (draft or preview included).
    own_year: Option<i64>,
}

/// The periods of the page's columns that hold figures (the year, the
/// months, the quarters), in column order minus the months' sum.
fn own_periods(state: &AppState, year: i32) -> Vec<String> {
    let mut out = vec![Period::Year(year).to_string()];
    out.extend(
        state
            .settings
            .fiscal_year
            .months(year)
            .iter()
            .map(ToString::to_string),
    );
    out.extend((1..=4).map(|q| Period::Quarter(year, q).to_string()));
    out
}

/// Column index of an own period (see [`own_periods`]).
fn column_of(i: usize) -> usize {
    if i <= 12 { i } else { i + 1 }
}

type PreviewMap = HashMap<(String, String), (i64, bool, bool)>;

/// A row's 18 values: the own ones overlaid, the sums derived.
fn row_values(
    subject: &SubjectInfo,
    periods: &[String],
    stored: &HashMap<(Subject, String), (i64, bool)>,
    draft: &HashMap<(i64, Subject, String), Option<i64>>,
    preview: &PreviewMap,
    metric: i64,
) -> Vec<Val> {
    periods
        .iter()
        .map(|p| {
            let mut val = match stored.get(&(subject.subject, p.clone())) {
                Some((v, true)) => Val {
                    v: Some(*v),
                    origin: Origin::Set,
                },
                Some((v, false)) => Val {
                    v: Some(*v),
                    origin: Origin::Rolled,
                },
                None => Val {
                    v: None,
                    origin: Origin::Empty,
                },
            };
            if let Some(d) = draft.get(&(metric, subject.subject, p.clone())) {
                val = Val {
                    v: *d,
                    origin: Origin::Draft,
                };
            }
            if let Some((v, took, fixed)) = preview.get(&(subject.key.clone(), p.clone())) {
                val = Val {
                    v: Some(*v),
                    origin: Origin::Preview {
                        took: *took,
                        fixed: *fixed,
                    },
                };
            }
            val
        })
        .collect()
}

fn sum(vals: impl Iterator<Item = Option<i64>>) -> Option<i64> {
    vals.fold(None, |acc, v| match (acc, v) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0).saturating_add(b.unwrap_or(0))),
    })
}

/// A subject's row: its own figures, the months' sum, quarters from their
/// months when not set; and the numbers behind them for the sums below.
fn subject_row(
    t: T,
    kind: Kind,
    time_additive: bool,
    vals: &[Val],
) -> (Vec<CellOut>, Vec<Option<i64>>, bool) {
    let mut numbers = vec![None; COLS];
    let mut cells: Vec<CellOut> = (0..COLS).map(|_| CellOut::blank()).collect();
    let mut flagged = false;
    for (i, val) in vals.iter().enumerate() {
        let col = column_of(i);
        numbers[col] = val.v;
        let cell = &mut cells[col];
        cell.text = val.v.map(|v| show(kind, v)).unwrap_or_default();
        let (class, mark, note) = match val.origin {
            Origin::Empty => ("empty", String::new(), ""),
            Origin::Set => ("set", String::new(), ""),
            Origin::Rolled => ("rolled", String::new(), t.t("decompose.rolled")),
            Origin::Draft => ("drafted", "✎".to_owned(), t.t("decompose.drafted")),
            Origin::Preview { took, fixed } => (
                "preview",
                format!(
                    "◆{}{}",
                    if took { "＋" } else { "" },
                    if fixed { "■" } else { "" }
                ),
                if fixed {
                    t.t("decompose.locked")
                } else if took {
                    t.t("decompose.took_remainder")
                } else {
                    t.t("decompose.previewed")
                },
            ),
        };
        cell.class = class.to_owned();
        cell.mark = mark;
        cell.title = [exact(kind, val.v), note.to_owned()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · ");
        if val.origin == Origin::Draft && val.v.is_none() {
            cell.text = "—".into();
        }
    }
    if time_additive {
        let months = sum(numbers[1..=12].iter().copied());
        numbers[MSUM] = months;
        let cell = &mut cells[MSUM];
        cell.class = "msum".into();
        cell.text = months.map(|v| show(kind, v)).unwrap_or_default();
        cell.title = exact(kind, months);
        if let (Some(y), Some(m)) = (numbers[YEAR], months)
            && y != m
        {
            cell.gap = format!(
                "{} {}",
                t.t("decompose.gap_short"),
                show_signed(kind, y - m)
            );
            cell.class.push_str(" mismatch");
            flagged = true;
        }
        for q in 0..4 {
            let col = 14 + q;
            let of_months = sum(numbers[1 + q * 3..=3 + q * 3].iter().copied());
            match numbers[col] {
                Some(own) => {
                    if let Some(m) = of_months
                        && m != own
                    {
                        let cell = &mut cells[col];
                        cell.gap = format!(
                            "{} {}",
                            t.t("decompose.gap_short"),
                            show_signed(kind, own - m)
                        );
                        cell.class.push_str(" mismatch");
                        flagged = true;
                    }
                }
                None => {
                    numbers[col] = of_months;
                    let cell = &mut cells[col];
                    cell.text = of_months.map(|v| show(kind, v)).unwrap_or_default();
                    cell.title = [
                        exact(kind, of_months),
                        t.t("decompose.from_months").to_owned(),
                    ]
                    .join(" · ");
                    cell.class = "derived".into();
                }
            }
        }
    } else {
        cells[MSUM].text = "—".into();
        cells[MSUM].title = t.t("decompose.not_additive_short").into();
        cells[MSUM].class = "msum na".into();
    }
    (cells, numbers, flagged)
}

#[allow(clippy::too_many_arguments)]
fn grid(
    state: &AppState,
    t: T,
    ctx: &Ctx,
    stored: &HashMap<(Subject, String), (i64, bool)>,
    draft: &HashMap<(i64, Subject, String), Option<i64>>,
    preview: &PreviewMap,
) -> Grid {
    let kind = ctx.metric.def.kind;
    let additive = ctx.metric.def.rollup == Rollup::Sum;
    let time_additive = ctx.metric.def.total == Total::Sum;
    let periods = own_periods(state, ctx.year);
    let metric = ctx.metric.id;
    let mut heads = vec![t.t("decompose.year_target").to_owned()];
    heads.extend(periods[1..=12].iter().map(|p| period_label(t, p)));
    heads.push(t.t("decompose.months_sum").to_owned());
    heads.extend(periods[13..].iter().map(|p| period_label(t, p)));
    let q = format!("year={}&metric={}", ctx.year, enc(&ctx.metric.def.code));
    let mut rows = Vec::new();
    let mut mismatches = 0;
    let own = row_values(&ctx.subject, &periods, stored, draft, preview, metric);
    let (cells, top, flagged) = subject_row(t, kind, time_additive, &own);
    mismatches += usize::from(flagged);
    rows.push(GridRow {
        name: ctx.subject.name.clone(),
        key: ctx.subject.key.clone(),
        kind: "self",
        href: format!("/table?subject={}&year={}", enc(&ctx.subject.key), ctx.year),
        cells,
        flagged,
    });
    let mut child_numbers = Vec::new();
    for child in &ctx.children {
        let vals = row_values(child, &periods, stored, draft, preview, metric);
        let (cells, numbers, flagged) = subject_row(t, kind, time_additive, &vals);
        mismatches += usize::from(flagged);
        child_numbers.push(numbers);
        let (kind_name, href) = match child.subject {
            Subject::Unit(_) => (
                "unit",
                format!("/decompose?subject={}&{q}", enc(&child.key)),
            ),
            Subject::Person(_) => (
                "person",
                format!("/table?subject={}&year={}", enc(&child.key), ctx.year),
            ),
        };
        rows.push(GridRow {
            name: child.name.clone(),
            key: child.key.clone(),
            kind: kind_name,
            href,
            cells,
            flagged,
        });
    }
    if additive && !ctx.children.is_empty() {
        let mut sums = Vec::with_capacity(COLS);
        let mut sum_cells = Vec::with_capacity(COLS);
        let mut gap_cells = Vec::with_capacity(COLS);
        let mut any_gap = false;
        for col in 0..COLS {
            let s = sum(child_numbers.iter().map(|n| n[col]));
            sums.push(s);
            sum_cells.push(CellOut {
                text: s.map(|v| show(kind, v)).unwrap_or_default(),
                title: exact(kind, s),
                class: "sum".into(),
                mark: String::new(),
                gap: String::new(),
            });
            let mut g = CellOut::blank();
            g.class = "gap".into();
            if let (Some(own), Some(s)) = (top[col], s) {
                if own == s {
                    g.text = "✓".into();
                    g.title = t.t("decompose.no_gap").into();
                    g.class.push_str(" ok");
                } else {
                    g.text = format!("⚠ {}", show_signed(kind, own - s));
                    g.title = format!(
                        "{} {} − {} {}",
                        t.t("decompose.top_down"),
                        exact(kind, Some(own)),
                        t.t("decompose.bottom_up"),
                        exact(kind, Some(s))
                    );
                    g.class.push_str(" mismatch");
                    any_gap = true;
                    mismatches += 1;
                }
            }
            gap_cells.push(g);
        }
        rows.push(GridRow {
            name: t.t("decompose.children_sum").into(),
            key: String::new(),
            kind: "sum",
            href: String::new(),
            cells: sum_cells,
            flagged: false,
        });
        rows.push(GridRow {
            name: t.t("decompose.gap_row").into(),
            key: String::new(),
            kind: "gap",
            href: String::new(),
            cells: gap_cells,
            flagged: any_gap,
        });
    }
    Grid {
        heads,
        rows,
        additive,
        time_additive,
        mismatches,
        own_year: top[YEAR],
    }
}

// ---------------------------------------------------------------- the forms' state

/// What the split form holds (typed values survive a preview or an error).
#[derive(Debug, Clone, Default)]
struct SplitState {
    value: String,
    to: String,
    method: String,
    distribution: String,
    reason: String,
    weights: HashMap<String, String>,
    fixed: HashMap<String, String>,
}

impl SplitState {
    fn from_fields(fields: &[(String, String)]) -> SplitState {
        let mut s = SplitState::default();
        for (k, v) in fields {
            let v = v.trim().to_owned();
            match k.as_str() {
                "value" => s.value = v,
                "to" => s.to = v,
                "method" => s.method = v,
                "distribution" => s.distribution = v,
                "reason" => s.reason = v,
                _ => {
                    if let Some(part) = k.strip_prefix("w|") {
                        s.weights.insert(part.to_owned(), v);
                    } else if let Some(part) = k.strip_prefix("f|") {
                        s.fixed.insert(part.to_owned(), v);
                    }
                }
            }
        }
        s
    }
}

#[derive(Debug, Clone, Default)]
struct MonthsState {
    method: String,
    distribution: String,
    reason: String,
}

#[derive(Debug, Clone, Default)]
struct GrowthState {
    growth: String,
    children: bool,
    reason: String,
}

/// Field errors of one form, by the API's field names.
#[derive(Debug, Default)]
struct Errs(HashMap<String, String>);

impl Errs {
    fn get(&self, field: &str) -> &str {
        self.0.get(field).map_or("", String::as_str)
    }

    fn add(&mut self, t: T, f: &FieldError) {
        let msg = t.pick(&f.message_zh, &f.message).to_owned();
        self.0
            .entry(f.field.clone())
            .and_modify(|m| {
                m.push('；');
                m.push_str(&msg);
            })
            .or_insert(msg);
    }
}

/// One part of a split in the form: its weight and lock inputs.
struct PartRow {
    key: String,
    label: String,
    current: String,
    weight: String,
    fixed: String,
    weight_err: String,
    fixed_err: String,
}

struct PartSet {
    /// `children`, `months` or `quarters`.
    to: &'static str,
    title: &'static str,
    parts: Vec<PartRow>,
}

/// A preview as listed below the grid.
struct PreviewOut {
    title: String,
    whole: String,
    parts: Vec<(String, String, String, &'static str)>,
    remainder: String,
    copied: bool,
    skipped: Vec<String>,
}

struct VersionOut {
    number: i32,
    status: &'static str,
    badge: &'static str,
    author: String,
    at: String,
    reason: String,
    decided_by: String,
    decided_at: String,
    comment: String,
    items: usize,
    compare: String,
}

struct PlanOut {
    id: i64,
    unit_name: String,
    year: i32,
    latest: i32,
    versions: Vec<VersionOut>,
    may_submit: bool,
    may_approve: bool,
    may_return: bool,
    may_publish: bool,
}

fn status_of(t: T, status: &str) -> (&'static str, &'static str) {
    match status {
        "draft" => (t.t("plans.draft"), "muted"),
        "submitted" => (t.t("plans.submitted"), "info"),
        "returned" => (t.t("plans.returned"), "warn"),
        "approved" => (t.t("plans.approved"), "ok"),
        "published" => (t.t("plans.published"), "ok"),
        _ => ("?", "muted"),
    }
}

fn version_out(state: &AppState, t: T, plan: i64, v: &VersionView) -> VersionOut {
    let (status, badge) = status_of(t, &v.status);
    VersionOut {
        number: v.version,
        status,
        badge,
        author: v.author.clone(),
        at: when(state, Some(&v.created_at)),
        reason: v.reason.clone().unwrap_or_default(),
        decided_by: v.decided_by.clone().unwrap_or_default(),
        decided_at: when(state, v.decided_at.as_deref()),
        comment: v.comment.clone().unwrap_or_default(),
        items: v.items,
        compare: format!(
            "/plans/{plan}/compare?from={}&to={}",
            v.version - 1,
            v.version
        ),
    }
}

fn plan_out(state: &AppState, t: T, p: &PlanView) -> PlanOut {
    let has = |a: &str| p.actions.iter().any(|x| x == a);
    PlanOut {
        id: p.plan,
        unit_name: p.unit_name.clone(),
        year: p.year,
        latest: p.versions.first().map_or(0, |v| v.version),
        versions: p
            .versions
            .iter()
            .map(|v| version_out(state, t, p.plan, v))
            .collect(),
        may_submit: has("submit"),
        may_approve: has("approve"),
        may_return: has("return"),
        may_publish: has("publish"),
    }
}

// ---------------------------------------------------------------- the page

#[derive(Template)]
#[template(path = "decompose.html")]
struct DecomposePage {
    c: Chrome,
    subject: String,
    subject_name: String,
    year: i32,
    metric: String,
    metric_name: String,
    unit: &'static str,
    /// `subject=…&year=…&metric=…`, for links and form actions.
    qs: String,
    subjects: Vec<Opt>,
    metrics: Vec<Opt>,
    directly: bool,
    grid: Grid,
    has_children: bool,
    form: SplitState,
    errs: Errs,
    part_sets: Vec<PartSet>,
    distributions: Vec<Opt>,
    months_form: MonthsState,
    months_errs: Errs,
    growth_form: GrowthState,
    growth_errs: Errs,
    preview: Option<PreviewOut>,
    plan: Option<PlanOut>,
    plan_unit_name: String,
    awaiting: usize,
    /// Where the plan's workflow buttons return to.
    back: String,
}

/// What a re-rendered page carries from the form that was sent.
#[derive(Default)]
struct Sent {
    split: Option<SplitState>,
    errs: Errs,
    months: Option<MonthsState>,
    months_errs: Errs,
    growth: Option<GrowthState>,
    growth_errs: Errs,
    preview: Option<(SplitOutcome, String)>,
    /// Lines for the error box at the top.
    lines: Vec<String>,
}

/// The units of the subject picker: every active unit in reach, indented
/// by depth.
fn subject_options(t: T, tree: &OrgTree, reach: Reach, current: &SubjectInfo) -> Vec<Opt> {
    let mut out = Vec::new();
    let mut stack: Vec<(UnitId, usize)> = tree.roots().into_iter().rev().map(|r| (r, 0)).collect();
    while let Some((id, depth)) = stack.pop() {
        let Some(n) = tree.get(id) else { continue };
        if n.active && reach.covers(tree, n.id, None) {
            out.push(Opt::new(
                format!("unit:{}", n.code),
                format!("{}{} ({})", "　".repeat(depth), n.name, n.code),
            ));
        }
        for c in tree.children(id).iter().rev() {
            stack.push((*c, depth + 1));
        }
    }
    if !out.iter().any(|o| o.value == current.key) {
        out.push(Opt::new(
            current.key.clone(),
            format!("{} ({})", current.name, t.t("decompose.person")),
        ));
    }
    out
}

async fn build(
    state: &AppState,
    a: &Authenticated,
    locale: Locale,
    q: &Params,
    sent: Sent,
) -> Result<DecomposePage, storage::Error> {
    let t = T(locale);
    let actor = a.actor();
    let ctx = context(state, actor, q).await?;
    let tree = &ctx.structure.tree;
    let kind = ctx.metric.def.kind;
    let periods = own_periods(state, ctx.year);
    let mut subjects: Vec<Subject> = vec![ctx.subject.subject];
    subjects.extend(ctx.children.iter().map(|c| c.subject));
    let stored = published(state, ctx.metric.id, &subjects, &periods).await?;
    let home = plan_unit(actor, tree);
    let draft = match home.filter(|_| !actor.publishes_targets_directly()) {
        Some(unit) => plans::draft_targets(&state.db, ctx.year, unit).await?,
        None => HashMap::new(),
    };
    let mut preview_map = PreviewMap::new();
    let preview = sent.preview.as_ref().map(|(o, title)| {
        for p in &o.parts {
            if let Ok(v) = parse_value(kind, &p.value) {
                preview_map.insert(
                    (p.subject.clone(), p.period.clone()),
                    (v, p.took_remainder, p.fixed),
                );
            }
        }
        if o.to != "self"
            && o.method != "growth"
            && let Ok(v) = parse_value(kind, &o.whole)
        {
            preview_map
                .entry((o.from.subject.clone(), o.from.period.clone()))
                .or_insert((v, false, false));
        }
        let names: HashMap<&str, &str> = std::iter::once(&ctx.subject)
            .chain(&ctx.children)
            .map(|s| (s.key.as_str(), s.name.as_str()))
            .collect();
        PreviewOut {
            title: title.clone(),
            whole: parse_value(kind, &o.whole)
                .map(|v| show(kind, v))
                .unwrap_or_else(|_| o.whole.clone()),
            parts: o
                .parts
                .iter()
                .map(|p| {
                    let mark = if p.fixed {
                        t.t("decompose.locked")
                    } else if p.took_remainder {
                        t.t("decompose.took_remainder")
                    } else {
                        ""
                    };
                    (
                        p.name.clone(),
                        period_label(t, &p.period),
                        parse_value(kind, &p.value)
                            .map(|v| show(kind, v))
                            .unwrap_or_else(|_| p.value.clone()),
                        mark,
                    )
                })
                .collect(),
            remainder: parse_value(kind, &o.remainder)
                .ok()
                .filter(|v| *v != 0)
                .map(|v| show(kind, v))
                .unwrap_or_default(),
            copied: o.copied,
            skipped: o
                .skipped
                .iter()
                .map(|k| names.get(k.as_str()).map_or(k.clone(), |n| (*n).to_owned()))
                .collect(),
        }
    });
    let grid = grid(state, t, &ctx, &stored, &draft, &preview_map);

    // The split form, with what was typed or the current figures.
    let form = sent.split.unwrap_or_else(|| SplitState {
        value: exact(kind, grid.own_year),
        to: if ctx.children.is_empty() {
            "months".into()
        } else {
            "children".into()
        },
        method: "equal".into(),
        distribution: "car_dealer".into(),
        ..Default::default()
    });
    let part_row = |key: String, label: String, current: String, errs: &Errs| PartRow {
        weight: form.weights.get(&key).cloned().unwrap_or_default(),
        fixed: form.fixed.get(&key).cloned().unwrap_or_default(),
        weight_err: errs.get(&format!("weights[\"{key}\"]")).to_owned(),
        fixed_err: errs.get(&format!("fixed[\"{key}\"]")).to_owned(),
        key,
        label,
        current,
    };
    let mut part_sets = Vec::new();
    if !ctx.children.is_empty() {
        part_sets.push(PartSet {
            to: "children",
            title: t.t("decompose.to_children"),
            parts: ctx
                .children
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    part_row(
                        c.key.clone(),
                        c.name.clone(),
                        grid.rows[i + 1].cells[YEAR].text.clone(),
                        &sent.errs,
                    )
                })
                .collect(),
        });
    }
    part_sets.push(PartSet {
        to: "months",
        title: t.t("decompose.to_months"),
        parts: (1..=12)
            .map(|i| {
                part_row(
                    periods[i].clone(),
                    period_label(t, &periods[i]),
                    grid.rows[0].cells[i].text.clone(),
                    &sent.errs,
                )
            })
            .collect(),
    });
    part_sets.push(PartSet {
        to: "quarters",
        title: t.t("decompose.to_quarters"),
        parts: (13..17)
            .map(|i| {
                part_row(
                    periods[i].clone(),
                    period_label(t, &periods[i]),
                    grid.rows[0].cells[column_of(i)].text.clone(),
                    &sent.errs,
                )
            })
            .collect(),
    });
    let distributions = decompose::list_distributions(&state.db)
        .await?
        .into_iter()
        .map(|d| {
            let name = t.pick(&d.name, &d.name_en).to_owned();
            Opt::new(d.code, name)
        })
        .collect();

    // The viewer's plan for the year.
    let mut plan = None;
    let mut plan_unit_name = String::new();
    if let Some(unit) = home {
        plan_unit_name = tree.get(unit).map(|u| u.name.clone()).unwrap_or_default();
        plan = plans::find_for(&state.db, actor, ctx.year, unit)
            .await?
            .map(|p| plan_out(state, t, &p));
    }
    let awaiting = if actor.publishes_targets_directly() || actor.plans_read() != Reach::Nothing {
        plans::list(&state.db, actor, Some(ctx.year))
            .await?
            .iter()
            .filter(|p| p.actions.iter().any(|a| a == "approve"))
            .count()
    } else {
        0
    };

    let mut c = Chrome::new(
        state,
        a,
        locale,
        "decompose",
        format!("{} · {}", ctx.subject.name, t.t("decompose.title")),
    )
    .await;
    c.errors = sent.lines;
    crumbs_from_home(&mut c);
    c.crumbs
        .push((t.t("decompose.title").into(), "/decompose".into()));
    let reach = actor.targets_write();
    for n in tree.path(ctx.subject.unit_id) {
        if reach.covers(tree, n.id, None) && format!("unit:{}", n.code) != ctx.subject.key {
            c.crumbs.push((
                n.name.clone(),
                format!(
                    "/decompose?subject={}&year={}&metric={}",
                    enc(&format!("unit:{}", n.code)),
                    ctx.year,
                    enc(&ctx.metric.def.code)
                ),
            ));
        }
    }
    c.crumbs.push((ctx.subject.name.clone(), String::new()));
    let metrics = ctx
        .structure
        .metrics
        .iter()
        .filter(|m| m.active)
        .map(|m| Opt::new(m.def.code.clone(), t.pick(&m.def.name, &m.def.name_en)))
        .collect();
    let qs = format!(
        "subject={}&year={}&metric={}",
        enc(&ctx.subject.key),
        ctx.year,
        enc(&ctx.metric.def.code)
    );
    Ok(DecomposePage {
        back: format!("/decompose?{qs}"),
        qs,
        subjects: subject_options(t, tree, reach, &ctx.subject),
        subject: ctx.subject.key.clone(),
        subject_name: ctx.subject.name.clone(),
        year: ctx.year,
        metric: ctx.metric.def.code.clone(),
        metric_name: t
            .pick(&ctx.metric.def.name, &ctx.metric.def.name_en)
            .to_owned(),
        unit: unit_label(t, kind),
        metrics,
        directly: actor.publishes_targets_directly(),
        has_children: !ctx.children.is_empty(),
        grid,
        form,
        errs: sent.errs,
        part_sets,
        distributions,
        months_form: sent.months.unwrap_or_else(|| MonthsState {
            method: "distribution".into(),
            distribution: "car_dealer".into(),
            reason: String::new(),
        }),
        months_errs: sent.months_errs,
        growth_form: sent.growth.unwrap_or_default(),
        growth_errs: sent.growth_errs,
        preview,
        plan,
        plan_unit_name,
        awaiting,
        c,
    })
}

async fn decompose_page(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Query(q): Query<Params>,
    jar: CookieJar,
) -> Response {
    let (jar, notice) = take_notice(jar, T(locale));
    match build(&state, &a, locale, &q, Sent::default()).await {
        Ok(mut page) => {
            page.c.notice = notice;
            (jar, render(&page)).into_response()
        }
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

/// The label of a field of the decomposition forms, for the error box.
fn field_label(t: T, field: &str) -> String {
    let key = field.split(['[', '.']).next().unwrap_or(field);
    let label = match key {
        "value" => t.t("decompose.whole"),
        "to" => t.t("decompose.to"),
        "method" => t.t("decompose.method"),
        "distribution" => t.t("decompose.distribution"),
        "weights" => t.t("decompose.weight"),
        "fixed" => t.t("decompose.lock"),
        "growth" => t.t("decompose.growth"),
        "metric" => t.t("table.metric"),
        "from" | "subject" => t.t("decompose.subject"),
        "plan" => t.t("plans.plan"),
        _ => t.t("common.errors"),
    };
    let part = field
        .split_once("[\"")
        .and_then(|(_, r)| r.split_once("\"]"))
        .map(|(p, _)| format!(" {p}"))
        .unwrap_or_default();
    format!("{label}{part}")
}

/// A line of the error box: the field's label and what is wrong with it.
fn error_line(t: T, f: &FieldError) -> String {
    format!(
        "{}: {}",
        field_label(t, &f.field),
        t.pick(&f.message_zh, &f.message)
    )
}

/// The notice after an applied change: published, or waiting in a draft.
fn applied_notice(summary: Option<&WriteSummary>) -> &'static str {
    match summary {
        Some(s) if !s.published.is_empty() => "decompose.notice_published",
        Some(s) if !s.pending.is_empty() => "decompose.notice_drafted",
        _ => "decompose.notice_unchanged",
    }
}

fn page_url(q: &Params, ctx_default: &str) -> String {
    let mut url = "/decompose?".to_owned();
    let mut parts = Vec::new();
    if let Some(s) = &q.subject {
        parts.push(format!("subject={}", enc(s)));
    }
    if let Some(y) = q.year {
        parts.push(format!("year={y}"));
    }
    if let Some(m) = &q.metric {
        parts.push(format!("metric={}", enc(m)));
    }
    if parts.is_empty() {
        return ctx_default.to_owned();
    }
    url.push_str(&parts.join("&"));
    url
}

/// A field of a posted form, trimmed; empty when not sent.
fn field(fields: &[(String, String)], name: &str) -> String {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default()
}

/// The three forms of the page, each with its own field errors.
#[derive(Debug, Clone, Copy)]
enum PageForm {
    Split,
    Months,
    Growth,
}

impl Sent {
    fn errs_of(&mut self, form: PageForm) -> &mut Errs {
        match form {
            PageForm::Split => &mut self.errs,
            PageForm::Months => &mut self.months_errs,
            PageForm::Growth => &mut self.growth_errs,
        }
    }

    /// Files bad input under the form's field errors and the error box's
    /// lines; anything but bad input is not the form's business.
    fn add_invalid(
        &mut self,
        t: T,
        form: PageForm,
        e: storage::Error,
    ) -> Result<(), storage::Error> {
        match e {
            storage::Error::Invalid(fields) => {
                for f in &fields {
                    self.errs_of(form).add(t, f);
                    self.lines.push(error_line(t, f));
                }
                Ok(())
            }
            other => Err(other),
        }
    }
}

/// How a form post of the page answers once the page is known: the page
/// again (a preview, or the form's errors), the error page, or back to the
/// page with a notice.
struct Reply<'a> {
    state: &'a AppState,
    a: &'a Authenticated,
    locale: Locale,
    /// The page's query, with what the post left to the defaults filled in.
    q: Params,
}

impl<'a> Reply<'a> {
    /// The page a form was posted from, and how to answer on it; `Err` is
    /// the error page (no such page in the actor's reach, or storage failed).
    async fn resolve(
        state: &'a AppState,
        a: &'a Authenticated,
        locale: Locale,
        q: &Params,
    ) -> Result<(Ctx, Reply<'a>), Response> {
        match context(state, a.actor(), q).await {
            Ok(ctx) => {
                let q = Params {
                    subject: Some(ctx.subject.key.clone()),
                    year: Some(ctx.year),
                    metric: Some(ctx.metric.def.code.clone()),
                };
                Ok((
                    ctx,
                    Reply {
                        state,
                        a,
                        locale,
                        q,
                    },
                ))
            }
            Err(e) => Err(storage_failure(state, a, locale, e).await),
        }
    }

    async fn failure(&self, e: storage::Error) -> Response {
        storage_failure(self.state, self.a, self.locale, e).await
    }

    /// The page again, with what the form sent.
    async fn page(&self, sent: Sent, status: StatusCode) -> Response {
        match build(self.state, self.a, self.locale, &self.q, sent).await {
            Ok(page) => render_status(status, &page),
            Err(e) => self.failure(e).await,
        }
    }

    /// After an applied change: back to the page, with its notice.
    fn applied(&self, jar: CookieJar, summary: Option<&WriteSummary>) -> Response {
        redirect_with_notice(
            jar,
            &page_url(&self.q, "/decompose"),
            applied_notice(summary),
        )
    }

    /// Bad input marked on the form that sent it (422); any other error is
    /// the error page.
    async fn invalid(&self, mut sent: Sent, form: PageForm, e: storage::Error) -> Response {
        match sent.add_invalid(T(self.locale), form, e) {
            Ok(()) => self.page(sent, StatusCode::UNPROCESSABLE_ENTITY).await,
            Err(e) => self.failure(e).await,
        }
    }

    /// What became of a split or a growth: previewed on the page (when
    /// there is a preview title), applied, or refused as bad input. `sent`
    /// holds the form as it was typed.
    async fn split_outcome(
        &self,
        jar: CookieJar,
        mut sent: Sent,
        form: PageForm,
        preview_title: Option<String>,
        result: Result<SplitOutcome, storage::Error>,
    ) -> Response {
        match (result, preview_title) {
            (Ok(outcome), Some(title)) => {
                sent.preview = Some((outcome, title));
                self.page(sent, StatusCode::OK).await
            }
            (Ok(outcome), None) => self.applied(jar, outcome.applied.as_ref()),
            (Err(e), _) => self.invalid(sent, form, e).await,
        }
    }
}

/// `POST /decompose/split?subject=…&year=…&metric=…`: preview or apply.
async fn split_post(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Query(q): Query<Params>,
    jar: CookieJar,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let t = T(locale);
    let actor = a.actor();
    let (ctx, reply) = match Reply::resolve(&state, &a, locale, &q).await {
        Ok(r) => r,
        Err(page) => return page,
    };
    let form = SplitState::from_fields(&fields);
    let preview = !fields.iter().any(|(k, v)| k == "do" && v == "apply");
    let year = ctx.year;
    // The parts this split has, to send only their weights and locks.
    let parts: Vec<String> = match form.to.as_str() {
        "children" => ctx.children.iter().map(|c| c.key.clone()).collect(),
        "months" => state
            .settings
            .fiscal_year
            .months(year)
            .iter()
            .map(ToString::to_string)
            .collect(),
        "quarters" => (1..=4)
            .map(|q| Period::Quarter(year, q).to_string())
            .collect(),
        _ => Vec::new(),
    };
    let pick = |m: &HashMap<String, String>| -> Option<std::collections::BTreeMap<String, Value>> {
        let out: std::collections::BTreeMap<String, Value> = parts
            .iter()
            .filter_map(|p| {
                let v = m.get(p)?.trim();
                (!v.is_empty()).then(|| (p.clone(), Value::String(v.to_owned())))
            })
            .collect();
        (!out.is_empty()).then_some(out)
    };
    let req = SplitRequest {
        metric: ctx.metric.def.code.clone(),
        from: SplitFrom {
            subject: ctx.subject.key.clone(),
            period: Period::Year(year).to_string(),
        },
        to: form.to.clone(),
        method: form.method.clone(),
        weights: if form.method == "weights" {
            pick(&form.weights).or_else(|| Some(Default::default()))
        } else {
            None
        },
        distribution: (form.method == "distribution")
            .then(|| Value::String(form.distribution.clone())),
        fixed: pick(&form.fixed),
        value: (!form.value.is_empty()).then(|| Value::String(form.value.clone())),
        preview,
        reason: (!form.reason.is_empty()).then(|| form.reason.clone()),
    };
    let result = decompose::split(&state.db, actor, state.settings.fiscal_year, &req).await;
    let title = preview.then(|| {
        format!(
            "{} · {}",
            t.t("decompose.preview"),
            match form.to.as_str() {
                "children" => t.t("decompose.to_children"),
                "quarters" => t.t("decompose.to_quarters"),
                _ => t.t("decompose.to_months"),
            }
        )
    });
    let sent = Sent {
        split: Some(form),
        ..Default::default()
    };
    reply
        .split_outcome(jar, sent, PageForm::Split, title, result)
        .await
}

/// `POST /decompose/months`: every child's year target to its months.
async fn months_post(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Query(q): Query<Params>,
    jar: CookieJar,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let t = T(locale);
    let actor = a.actor();
    let (ctx, reply) = match Reply::resolve(&state, &a, locale, &q).await {
        Ok(r) => r,
        Err(page) => return page,
    };
    let form = MonthsState {
        method: field(&fields, "method"),
        distribution: field(&fields, "distribution"),
        reason: field(&fields, "reason"),
    };
    let request = |child: &SubjectInfo, preview: bool| SplitRequest {
        metric: ctx.metric.def.code.clone(),
        from: SplitFrom {
            subject: child.key.clone(),
            period: Period::Year(ctx.year).to_string(),
        },
        to: "months".into(),
        method: form.method.clone(),
        weights: None,
        distribution: (form.method == "distribution")
            .then(|| Value::String(form.distribution.clone())),
        fixed: None,
        value: None,
        preview,
        reason: (!form.reason.is_empty()).then(|| form.reason.clone()),
    };
    let fy = state.settings.fiscal_year;
    // Check every child first, so that a bad one leaves all untouched.
    let mut todo = Vec::new();
    let mut sent = Sent::default();
    for child in &ctx.children {
        match decompose::split(&state.db, actor, fy, &request(child, true)).await {
            Ok(o) if parse_value(ctx.metric.def.kind, &o.whole).unwrap_or(0) != 0 => {
                todo.push(child);
            }
            Ok(_) => {}
            // No year target: nothing to split for this child.
            Err(storage::Error::Invalid(f)) if f.iter().all(|f| f.field == "value") => {}
            Err(storage::Error::Invalid(f)) => {
                for e in &f {
                    sent.months_errs.add(t, e);
                    sent.lines
                        .push(format!("{} · {}", child.name, error_line(t, e)));
                }
            }
            Err(e) => return reply.failure(e).await,
        }
    }
    if sent.lines.is_empty() && todo.is_empty() {
        let msg = t.t("decompose.no_child_targets");
        sent.months_errs.0.insert("children".into(), msg.into());
        sent.lines.push(msg.into());
    }
    if !sent.lines.is_empty() {
        sent.months = Some(form);
        return reply.page(sent, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let requests: Vec<SplitRequest> = todo.iter().map(|c| request(c, false)).collect();
    let reason = (!form.reason.is_empty()).then(|| form.reason.clone());
    match decompose::split_many(&state.db, actor, fy, &requests, reason.as_deref()).await {
        Ok(summary) => reply.applied(jar, Some(&summary)),
        Err(e) => {
            let sent = Sent {
                months: Some(form),
                ..Default::default()
            };
            reply.invalid(sent, PageForm::Months, e).await
        }
    }
}

/// `POST /decompose/growth`: year targets from last year × (1 + g %).
async fn growth_post(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Query(q): Query<Params>,
    jar: CookieJar,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let t = T(locale);
    let actor = a.actor();
    let (ctx, reply) = match Reply::resolve(&state, &a, locale, &q).await {
        Ok(r) => r,
        Err(page) => return page,
    };
    let form = GrowthState {
        growth: field(&fields, "growth"),
        children: !field(&fields, "children").is_empty(),
        reason: field(&fields, "reason"),
    };
    let preview = field(&fields, "do") != "apply";
    let req = GrowthRequest {
        metric: ctx.metric.def.code.clone(),
        subject: ctx.subject.key.clone(),
        year: ctx.year,
        growth: Value::String(form.growth.clone()),
        children: form.children,
        preview,
        reason: (!form.reason.is_empty()).then(|| form.reason.clone()),
    };
    let result = decompose::growth(&state.db, actor, state.settings.fiscal_year, &req).await;
    let title = preview.then(|| {
        format!(
            "{} · {}",
            t.t("decompose.preview"),
            t.t("decompose.growth_title")
        )
    });
    let sent = Sent {
        growth: Some(form),
        ..Default::default()
    };
    reply
        .split_outcome(jar, sent, PageForm::Growth, title, result)
        .await
}

// ---------------------------------------------------------------- workflow steps

#[derive(Debug, Deserialize)]
struct StepForm {
    #[serde(default)]
    comment: String,
    /// Where to go afterwards: a `/decompose…` or `/plans…` path.
    #[serde(default)]
    back: String,
}

/// Only our own two pages are returned to.
fn safe_back(back: &str) -> Option<&str> {
    let ok = (back.starts_with("/decompose") || back.starts_with("/plans"))
        && !back
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
        && !back.contains("//");
    ok.then_some(back)
}

/// `POST /plans/{plan}/versions/{version}/{submit|approve|return|publish}`.
async fn step_post(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Path((plan, version, step)): Path<(i64, i32, String)>,
    jar: CookieJar,
    Form(form): Form<StepForm>,
) -> Response {
    let (step, notice) = match step.as_str() {
        "submit" => (Step::Submit, "plans.notice_submitted"),
        "approve" => (Step::Approve, "plans.notice_approved"),
        "return" => (Step::Return, "plans.notice_returned"),
        "publish" => (Step::Publish, "plans.notice_published"),
        _ => return not_found_for(&state, &a, locale).await,
    };
    let comment = Some(form.comment.trim()).filter(|c| !c.is_empty());
    match plans::step(&state.db, a.actor(), plan, version, step, comment).await {
        Ok(v) => {
            let back = safe_back(&form.back)
                .map(str::to_owned)
                .unwrap_or_else(|| format!("/plans?year={}", v.year));
            redirect_with_notice(jar, &back, notice)
        }
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

// ---------------------------------------------------------------- /plans

struct PlanRow {
    plan: PlanOut,
    unit_code: String,
    count: usize,
    latest: Option<VersionOut>,
    awaiting: bool,
    decompose: String,
}

#[derive(Template)]
#[template(path = "plans.html")]
struct PlansPage {
    c: Chrome,
    year: i32,
    rows: Vec<PlanRow>,
    back: String,
}

#[derive(Debug, Deserialize)]
struct YearQuery {
    year: Option<i32>,
}

async fn plans_page(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Query(q): Query<YearQuery>,
    jar: CookieJar,
) -> Response {
    let t = T(locale);
    let actor = a.actor();
    if actor.plans_read() == Reach::Nothing {
        return not_found_for(&state, &a, locale).await;
    }
    let year = q.year.unwrap_or_else(|| current_year(&state));
    let list = match plans::list(&state.db, actor, Some(year)).await {
        Ok(l) => l,
        Err(e) => return storage_failure(&state, &a, locale, e).await,
    };
    let mut rows: Vec<PlanRow> = list
        .iter()
        .map(|p| {
            let out = plan_out(&state, t, p);
            PlanRow {
                unit_code: p.unit.clone(),
                count: p.versions.len(),
                latest: p
                    .versions
                    .first()
                    .map(|v| version_out(&state, t, p.plan, v)),
                awaiting: out.may_approve,
                decompose: format!(
                    "/decompose?subject={}&year={}",
                    enc(&format!("unit:{}", p.unit)),
                    p.year
                ),
                plan: out,
            }
        })
        .collect();
    // Plans waiting for the viewer first.
    rows.sort_by_key(|r| !r.awaiting);
    let (jar, notice) = take_notice(jar, t);
    let mut c = Chrome::new(&state, &a, locale, "decompose", t.t("plans.title")).await;
    c.notice = notice;
    crumbs_from_home(&mut c);
    c.crumbs
        .push((t.t("decompose.title").into(), "/decompose".into()));
    c.crumbs.push((t.t("plans.title").into(), String::new()));
    let page = PlansPage {
        c,
        year,
        rows,
        back: format!("/plans?year={year}"),
    };
    (jar, render(&page)).into_response()
}

// ---------------------------------------------------------------- compare

struct ChangeOut {
    metric: String,
    subject: String,
    subject_key: String,
    period: String,
    from: String,
    to: String,
    delta: String,
    versions: String,
}

#[derive(Template)]
#[template(path = "plan_compare.html")]
struct ComparePage {
    c: Chrome,
    plan: i64,
    unit_name: String,
    year: i32,
    from: i32,
    to: i32,
    options: Vec<(i32, String)>,
    changes: Vec<ChangeOut>,
    versions: Vec<VersionOut>,
}

#[derive(Debug, Deserialize)]
struct CompareQuery {
    from: Option<i32>,
    to: Option<i32>,
}

async fn compare_page(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Path(plan_id): Path<i64>,
    Query(q): Query<CompareQuery>,
) -> Response {
    let t = T(locale);
    let actor = a.actor();
    let plan = match plans::get(&state.db, actor, plan_id).await {
        Ok(p) => p,
        Err(e) => return storage_failure(&state, &a, locale, e).await,
    };
    let latest = plan.versions.first().map_or(0, |v| v.version);
    let to = q.to.unwrap_or(latest);
    let from = q.from.unwrap_or((to - 1).max(0));
    let cmp = match plans::compare(&state.db, actor, plan_id, from, to).await {
        Ok(c) => c,
        Err(e) => return storage_failure(&state, &a, locale, e).await,
    };
    let structure = match state.structure.get(&state.db).await {
        Ok(s) => s,
        Err(e) => return storage_failure(&state, &a, locale, e).await,
    };
    let metric_of: HashMap<&str, &MetricRow> = structure
        .metrics
        .iter()
        .map(|m| (m.def.code.as_str(), m))
        .collect();
    let changes = cmp
        .changes
        .iter()
        .map(|ch| {
            let m = metric_of.get(ch.metric.as_str());
            let kind = m.map_or(Kind::Amount, |m| m.def.kind);
            let parse = |v: &Option<String>| v.as_deref().and_then(|v| parse_value(kind, v).ok());
            let (before, after) = (parse(&ch.from), parse(&ch.to));
            ChangeOut {
                metric: m.map_or(ch.metric.clone(), |m| {
                    t.pick(&m.def.name, &m.def.name_en).to_owned()
                }),
                subject: ch.subject_name.clone(),
                subject_key: ch.subject.clone(),
                period: ch.period.clone(),
                from: before.map_or("—".into(), |v| show(kind, v)),
                to: after.map_or("—".into(), |v| show(kind, v)),
                delta: match (before, after) {
                    (Some(b), Some(a)) => show_signed(kind, a - b),
                    _ => String::new(),
                },
                versions: ch
                    .versions
                    .iter()
                    .map(|v| format!("v{v}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            }
        })
        .collect();
    let mut options = vec![(0, t.t("plans.before_plan").to_owned())];
    for v in plan.versions.iter().rev() {
        options.push((
            v.version,
            format!("v{} · {}", v.version, status_of(t, &v.status).0),
        ));
    }
    let mut c = Chrome::new(&state, &a, locale, "decompose", t.t("plans.compare")).await;
    crumbs_from_home(&mut c);
    c.crumbs.push((
        t.t("plans.title").into(),
        format!("/plans?year={}", plan.year),
    ));
    c.crumbs.push((
        format!(
            "{} {} · {}",
            plan.unit_name,
            plan.year,
            t.t("plans.compare")
        ),
        String::new(),
    ));
    let page = ComparePage {
        c,
        plan: plan_id,
        unit_name: plan.unit_name.clone(),
        year: plan.year,
        from: cmp.from,
        to: cmp.to,
        options,
        changes,
        versions: cmp
            .versions
            .iter()
            .map(|v| version_out(&state, t, plan_id, v))
            .collect(),
    };
    render(&page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decompose_figures_keep_the_cents_of_a_remainder() {
        assert_eq!(show(Kind::Amount, 100_000_000), "1,000,000");
        assert_eq!(show(Kind::Amount, 333_333_334), "3,333,333.34");
        assert_eq!(show(Kind::Count, 1234), "1,234");
        assert_eq!(show_signed(Kind::Amount, 50_000), "+500");
        assert_eq!(show_signed(Kind::Amount, -50_000), "-500");
    }

    #[test]
    fn decompose_returns_only_to_its_own_pages() {
        assert_eq!(
            safe_back("/decompose?year=2027"),
            Some("/decompose?year=2027")
        );
        assert_eq!(safe_back("/plans?year=2027"), Some("/plans?year=2027"));
        assert_eq!(safe_back("//evil.example"), None);
        assert_eq!(safe_back("/plans//evil"), None);
        assert_eq!(safe_back("https://evil.example"), None);
    }
}
