//! Pages: projects and opportunities (`/projects`, with the overdue
//! block and a new-project form), one project (`/projects/{id}`: stages
//! as steps, key dates, follow-ups, linked orders) and the admin's stage
//! set-up (`/projects/stages`).

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use serde_json::Value;

use super::{Chrome, Opt, crumbs_from_home, redirect_with_notice, render, render_status};
use super::{storage_failure, take_notice};
use crate::domain::access::Reach;
use crate::storage;
use crate::storage::org::{self as org_store, PeopleFilter};
use crate::storage::projects::{
    self as store, NewFollowup, NewProject, ProjectDetail, ProjectFilter, ProjectPatch,
    ProjectView, StageInput, StageView, Today,
};
use crate::web::AppState;
use crate::web::auth::{Authenticated, Lang, PageUser};
use crate::web::i18n::{Locale, T};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/projects", get(list).post(create))
        .route("/projects/stages", get(stages).post(save_stages))
        .route("/projects/{id}", get(show).post(act))
}

fn today(state: &AppState) -> Today {
    Today::now(state.settings.time_zone)
}

fn optional(v: &str) -> Option<String> {
    Some(v.trim()).filter(|v| !v.is_empty()).map(str::to_owned)
}

/// The name of a stage in the page's language.
fn stage_label(t: T, s: &StageView) -> String {
    t.pick(&s.name, &s.name_en).to_owned()
}

fn status_label(t: T, status: &str) -> &'static str {
    match status {
        "won" => t.pick("赢单", "Won"),
        "lost" => t.pick("丢单", "Lost"),
        _ => t.pick("进行中", "Open"),
    }
}

fn status_options(t: T) -> Vec<Opt> {
    store::STATUSES
        .iter()
        .map(|s| Opt::new(*s, status_label(t, s)))
        .collect()
}

/// The customers the visitor reads, for a select.
async fn customer_options(state: &AppState, a: &Authenticated) -> storage::Result<Vec<Opt>> {
    let list = storage::customers::list(&state.db, a.actor(), &Default::default()).await?;
    Ok(list
        .into_iter()
        .map(|c| Opt::new(c.id.to_string(), c.name))
        .collect())
}

/// The active people whose projects the visitor may write, for a select.
async fn owner_options(state: &AppState, a: &Authenticated) -> storage::Result<Vec<Opt>> {
    if matches!(a.actor().customers_write(), Reach::Own(_) | Reach::Nothing) {
        return Ok(Vec::new());
    }
    let people = org_store::list_people(&state.db, a.actor(), &PeopleFilter::default()).await?;
    Ok(people
        .into_iter()
        .filter(|p| p.active)
        .map(|p| {
            Opt::new(
                &p.employee_no,
                format!("{} · {} · {}", p.name, p.employee_no, p.unit_name),
            )
        })
        .collect())
}

// ---------------------------------------------------------------- /projects

/// The filters of the list.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    /// `open` (the default), `won`, `lost` or `all`.
    status: String,
    stage: String,
}

/// The new-project form.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
struct NewForm {
    name: String,
    customer_id: String,
    owner: String,
    stage: String,
    amount: String,
    probability: String,
    bid_on: String,
    delivery_on: String,
    acceptance_on: String,
    note: String,
}

/// A project row with its labels.
struct Row {
    p: ProjectView,
    stage: String,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "projects.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<Row>,
    overdue: Vec<Row>,
    stage_options: Vec<Opt>,
    status_options: Vec<Opt>,
    status: String,
    stage: String,
    can_write: bool,
    can_setup: bool,
    form: NewForm,
    customer_options: Vec<Opt>,
    owner_options: Vec<Opt>,
    new_stage_options: Vec<Opt>,
}

fn row(t: T, stages: &[StageView], p: ProjectView) -> Row {
    let stage = stages
        .iter()
        .find(|s| s.code == p.stage)
        .map_or_else(|| p.stage.clone(), |s| stage_label(t, s));
    Row {
        status: status_label(t, &p.status),
        stage,
        p,
    }
}

async fn list_page(
    state: &AppState,
    a: &Authenticated,
    locale: Locale,
    q: ListQuery,
    form: NewForm,
) -> storage::Result<ListPage> {
    let t = T(locale);
    let actor = a.actor();
    let mut c = Chrome::new(state, a, locale, "projects", t.pick("项目", "Projects")).await;
    crumbs_from_home(&mut c);
    c.crumbs
        .push((t.pick("项目", "Projects").into(), String::new()));
    let today = today(state);
    let stages = store::list_stages(&state.db).await?;
    let status = match q.status.as_str() {
        "" => "open".to_owned(),
        s => s.to_owned(),
    };
    let filter = ProjectFilter {
        status: Some(status.clone()).filter(|s| s != "all"),
        stage: optional(&q.stage),
        ..Default::default()
    };
    let projects = store::list(&state.db, actor, &filter, &today).await?;
    let overdue = store::overdue(&state.db, actor, &today).await?;
    let can_write = actor.customers_write() != Reach::Nothing;
    let (customer_options, owner_options) = if can_write {
        (
            customer_options(state, a).await?,
            owner_options(state, a).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let stage_options: Vec<Opt> = stages
        .iter()
        .map(|s| Opt::new(&s.code, stage_label(t, s)))
        .collect();
    let new_stage_options = stages
        .iter()
        .filter(|s| s.active)
        .map(|s| Opt::new(&s.code, stage_label(t, s)))
        .collect();
    let mut status_opts = status_options(t);
    status_opts.push(Opt::new("all", t.pick("全部", "All")));
    Ok(ListPage {
        c,
        rows: projects.into_iter().map(|p| row(t, &stages, p)).collect(),
        overdue: overdue
            .projects
            .into_iter()
            .map(|p| row(t, &stages, p))
            .collect(),
        stage_options,
        status_options: status_opts,
        status,
        stage: q.stage,
        can_write,
        can_setup: actor.may_manage_metrics(),
        form,
        customer_options,
        owner_options,
        new_stage_options,
    })
}

async fn list(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    jar: CookieJar,
    Query(q): Query<ListQuery>,
) -> Response {
    let (jar, notice) = take_notice(jar, T(locale));
    match list_page(&state, &a, locale, q, NewForm::default()).await {
        Ok(mut page) => {
            page.c.notice = notice;
            (jar, render(&page)).into_response()
        }
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

async fn create(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    jar: CookieJar,
    Form(form): Form<NewForm>,
) -> Response {
    let new = NewProject {
        name: form.name.clone(),
        customer_id: form.customer_id.trim().parse().ok(),
        owner: optional(&form.owner),
        stage: optional(&form.stage),
        amount: optional(&form.amount).map_or(Value::Null, Value::String),
        probability: match form.probability.trim() {
            "" => None,
            p => Some(p.parse().unwrap_or(-1)),
        },
        bid_on: optional(&form.bid_on),
        delivery_on: optional(&form.delivery_on),
        acceptance_on: optional(&form.acceptance_on),
        note: optional(&form.note),
    };
    match store::create(&state.db, a.actor(), &new, &today(&state)).await {
        Ok(p) => redirect_with_notice(jar, &format!("/projects/{}", p.project.id), "common.saved"),
        Err(e @ storage::Error::Invalid(_)) => {
            match list_page(&state, &a, locale, ListQuery::default(), form).await {
                Ok(mut page) => {
                    page.c.add_error(&e);
                    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
                }
                Err(e) => storage_failure(&state, &a, locale, e).await,
            }
        }
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

// ---------------------------------------------------------------- /projects/{id}

/// One step of the stage bar.
struct Step {
    label: String,
    cadence_days: i32,
    /// Passed, current or ahead.
    state: &'static str,
}

/// Every form of the project page; `action` tells which.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
struct ActForm {
    action: String,
    name: String,
    customer_id: String,
    owner: String,
    stage: String,
    amount: String,
    probability: String,
    bid_on: String,
    delivery_on: String,
    acceptance_on: String,
    status: String,
    note: String,
    followed_on: String,
    next_step: String,
    order_no: String,
}

#[derive(Template)]
#[template(path = "project.html")]
struct ProjectPage {
    c: Chrome,
    d: ProjectDetail,
    stage: String,
    status: &'static str,
    steps: Vec<Step>,
    stage_options: Vec<Opt>,
    status_options: Vec<Opt>,
    customer_options: Vec<Opt>,
    owner_options: Vec<Opt>,
    /// The select value of the project's customer.
    customer_value: String,
    today: String,
}

async fn project_page(
    state: &AppState,
    a: &Authenticated,
    locale: Locale,
    id: i64,
) -> storage::Result<ProjectPage> {
    let t = T(locale);
    let d = store::get(&state.db, a.actor(), id, &today(state)).await?;
    let stages = store::list_stages(&state.db).await?;
    let mut c = Chrome::new(state, a, locale, "projects", d.project.name.clone()).await;
    crumbs_from_home(&mut c);
    c.crumbs
        .push((t.pick("项目", "Projects").into(), "/projects".into()));
    c.crumbs.push((d.project.name.clone(), String::new()));
    let current = stages
        .iter()
        .position(|s| s.code == d.project.stage)
        .unwrap_or(usize::MAX);
    let steps = stages
        .iter()
        .enumerate()
        .filter(|(i, s)| s.active || *i == current)
        .map(|(i, s)| Step {
            label: stage_label(t, s),
            cadence_days: s.cadence_days,
            state: match i.cmp(&current) {
                std::cmp::Ordering::Less => "done",
                std::cmp::Ordering::Equal => "current",
                std::cmp::Ordering::Greater => "ahead",
            },
        })
        .collect();
    let stage_options = stages
        .iter()
        .filter(|s| s.active || s.code == d.project.stage)
        .map(|s| Opt::new(&s.code, stage_label(t, s)))
        .collect();
    let (customer_options, owner_options) = if d.project.may_write {
        let mut owners = owner_options(state, a).await?;
        if !owners.iter().any(|o| o.value == d.project.owner) {
            owners.insert(
                0,
                Opt::new(
                    &d.project.owner,
                    format!("{} · {}", d.project.owner_name, d.project.owner),
                ),
            );
        }
        let mut customers = customer_options(state, a).await?;
        // The project's customer stays selectable (the list holds the
        // first customers only), so that saving other fields keeps it.
        if let (Some(id), Some(name)) = (d.project.customer_id, &d.project.customer)
            && !customers.iter().any(|o| o.value == id.to_string())
        {
            customers.insert(0, Opt::new(id.to_string(), name));
        }
        (customers, owners)
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(ProjectPage {
        c,
        stage: stages
            .iter()
            .find(|s| s.code == d.project.stage)
            .map_or_else(|| d.project.stage.clone(), |s| stage_label(t, s)),
        status: status_label(t, &d.project.status),
        steps,
        stage_options,
        status_options: status_options(t),
        customer_options,
        owner_options,
        today: store::ymd(today(state).date),
        customer_value: d
            .project
            .customer_id
            .map(|c| c.to_string())
            .unwrap_or_default(),
        d,
    })
}

async fn show(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    jar: CookieJar,
) -> Response {
    let (jar, notice) = take_notice(jar, T(locale));
    match project_page(&state, &a, locale, id).await {
        Ok(mut page) => {
            page.c.notice = notice;
            (jar, render(&page)).into_response()
        }
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

/// Only the fields that differ from the project go into the patch.
fn edit_patch(p: &ProjectView, f: &ActForm) -> ProjectPatch {
    let differs = |sent: &str, was: Option<&str>| -> Option<Option<String>> {
        let sent = optional(sent);
        (sent.as_deref() != was).then_some(sent)
    };
    ProjectPatch {
        name: (f.name.trim() != p.name).then(|| f.name.clone()),
        customer_id: {
            let sent: Option<i64> = f.customer_id.trim().parse().ok();
            (sent != p.customer_id).then_some(sent)
        },
        owner: (f.owner.trim() != p.owner && !f.owner.trim().is_empty()).then(|| f.owner.clone()),
        stage: (f.stage.trim() != p.stage && !f.stage.trim().is_empty()).then(|| f.stage.clone()),
        amount: (f.amount.trim() != p.amount).then(|| Value::String(f.amount.clone())),
        probability: (f.probability.trim() != p.probability.to_string())
            .then(|| f.probability.trim().parse().unwrap_or(-1)),
        bid_on: differs(&f.bid_on, p.bid_on.as_deref()),
        delivery_on: differs(&f.delivery_on, p.delivery_on.as_deref()),
        acceptance_on: differs(&f.acceptance_on, p.acceptance_on.as_deref()),
        status: (f.status.trim() != p.status && !f.status.trim().is_empty())
            .then(|| f.status.clone()),
        note: differs(&f.note, p.note.as_deref()),
    }
}

async fn act(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
    jar: CookieJar,
    Form(form): Form<ActForm>,
) -> Response {
    let actor = a.actor();
    let today = today(&state);
    let db = &state.db;
    let to = format!("/projects/{id}");
    let result = match form.action.as_str() {
        "edit" => match store::get(db, actor, id, &today).await {
            Ok(d) => {
                let patch = edit_patch(&d.project, &form);
                store::update(db, actor, id, &patch, &today)
                    .await
                    .map(|_| ())
            }
            Err(e) => Err(e),
        },
        "stage" => {
            let patch = ProjectPatch {
                stage: Some(form.stage.clone()),
                ..Default::default()
            };
            store::update(db, actor, id, &patch, &today)
                .await
                .map(|_| ())
        }
        "followup" => {
            let new = NewFollowup {
                followed_on: optional(&form.followed_on),
                note: form.note.clone(),
                next_step: optional(&form.next_step),
            };
            store::add_followup(db, actor, id, &new, &today)
                .await
                .map(|_| ())
        }
        "link" => store::link_order(db, actor, id, &form.order_no, &today)
            .await
            .map(|_| ()),
        "unlink" => store::unlink_order(db, actor, id, &form.order_no, &today)
            .await
            .map(|_| ()),
        "delete" => match store::delete(db, actor, id).await {
            Ok(()) => return redirect_with_notice(jar, "/projects", "common.saved"),
            Err(e) => Err(e),
        },
        _ => Err(storage::Error::invalid(
            "action",
            "unknown action",
            "未知操作",
        )),
    };
    match result {
        Ok(()) => redirect_with_notice(jar, &to, "common.saved"),
        Err(e @ storage::Error::Invalid(_)) => match project_page(&state, &a, locale, id).await {
            Ok(mut page) => {
                page.c.add_error(&e);
                render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
            }
            Err(e) => storage_failure(&state, &a, locale, e).await,
        },
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

// ---------------------------------------------------------------- /projects/stages

#[derive(Template)]
#[template(path = "project_stages.html")]
struct StagesPage {
    c: Chrome,
    stages: Vec<StageView>,
    can_setup: bool,
}

async fn stages_page(
    state: &AppState,
    a: &Authenticated,
    locale: Locale,
) -> storage::Result<StagesPage> {
    let t = T(locale);
    let mut c = Chrome::new(
        state,
        a,
        locale,
        "projects",
        t.pick("项目阶段", "Project stages"),
    )
    .await;
    crumbs_from_home(&mut c);
    c.crumbs
        .push((t.pick("项目", "Projects").into(), "/projects".into()));
    c.crumbs
        .push((t.pick("项目阶段", "Project stages").into(), String::new()));
    Ok(StagesPage {
        c,
        stages: store::list_stages(&state.db).await?,
        can_setup: a.actor().may_manage_metrics(),
    })
}

async fn stages(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    jar: CookieJar,
) -> Response {
    let (jar, notice) = take_notice(jar, T(locale));
    match stages_page(&state, &a, locale).await {
        Ok(mut page) => {
            page.c.notice = notice;
            (jar, render(&page)).into_response()
        }
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

/// The stage form: rows `code_N`, `name_N`, `name_en_N`, `cadence_N`,
/// `position_N`, `active_N`, `remove_N`; row `new` adds a stage.
async fn save_stages(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    jar: CookieJar,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let get = |key: &str| {
        form.iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let mut rows: Vec<(f64, StageInput)> = Vec::new();
    let mut keys: Vec<String> = form
        .iter()
        .filter_map(|(k, _)| k.strip_prefix("code_").map(str::to_owned))
        .collect();
    keys.dedup();
    for (i, key) in keys.iter().enumerate() {
        let code = get(&format!("code_{key}"));
        if code.is_empty() || !get(&format!("remove_{key}")).is_empty() {
            continue;
        }
        let position = get(&format!("position_{key}"))
            .parse::<f64>()
            .unwrap_or(i as f64 + 1000.0);
        rows.push((
            position,
            StageInput {
                code,
                name: get(&format!("name_{key}")),
                name_en: optional(&get(&format!("name_en_{key}"))),
                cadence_days: get(&format!("cadence_{key}")).parse().unwrap_or(0),
                active: Some(!get(&format!("active_{key}")).is_empty()),
            },
        ));
    }
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let items: Vec<StageInput> = rows.into_iter().map(|(_, s)| s).collect();
    match store::put_stages(&state.db, a.actor(), &items).await {
        Ok(_) => redirect_with_notice(jar, "/projects/stages", "common.saved"),
        Err(e @ storage::Error::Invalid(_)) => match stages_page(&state, &a, locale).await {
            Ok(mut page) => {
                page.c.add_error(&e);
                render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
            }
            Err(e) => storage_failure(&state, &a, locale, e).await,
        },
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}
