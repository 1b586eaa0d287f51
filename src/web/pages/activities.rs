//! Pages: the activity list (`/activities`: one's own, a manager's team's)
//! and the quick entry that works on a phone (`/activities/new`: pick the
//! customer, tap 电话, 拜访 or 会议 — that tap saves), with editing and
//! deleting one's own.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

use super::customers::add_errors;
use super::{Chrome, Opt, crumbs_from_home, redirect_with_notice, render, render_status};
use super::{storage_failure, take_notice};
use crate::storage;
use crate::storage::activities::{
    self as store, ActivityFilter, ActivityPatch, ActivityView, KINDS, NewActivity,
};
use crate::storage::customers::{self as customers, label_of};
use crate::storage::org::{self as org_store, PeopleFilter};
use crate::web::AppState;
use crate::web::api::customers::today;
use crate::web::auth::{Authenticated, Lang, PageUser};
use crate::web::i18n::{Locale, T};

/// `/activities…`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/activities", get(list).post(create))
        .route("/activities/new", get(new_form))
        .route("/activities/{id}", get(edit_form).post(update))
        .route("/activities/{id}/delete", post(delete))
}

/// The most customers the picker offers.
const PICKER_MAX: u64 = 2000;

fn optional(v: &str) -> Option<String> {
    Some(v.trim()).filter(|v| !v.is_empty()).map(str::to_owned)
}

fn label(t: T, field: &str) -> &'static str {
    match field {
        "kind" => t.t("act.kind"),
        "person" => t.t("act.person"),
        "customer_id" => t.t("act.customer"),
        "contact" => t.t("act.contact"),
        "occurred_on" => t.t("act.day"),
        "occurred_time" => t.t("act.time"),
        "outcome" => t.t("act.outcome"),
        "next_step" => t.t("act.next_step"),
        "from" => t.t("act.from"),
        "to" => t.t("act.to"),
        _ => t.t("common.errors"),
    }
}

fn kind_options(t: T) -> Vec<Opt> {
    KINDS
        .iter()
        .map(|(code, zh, en)| Opt::new(*code, t.pick(zh, en)))
        .collect()
}

async fn customer_options(state: &AppState, a: &Authenticated) -> Result<Vec<Opt>, storage::Error> {
    Ok(customers::picker(&state.db, a.actor(), PICKER_MAX)
        .await?
        .into_iter()
        .map(|(id, name)| Opt::new(id.to_string(), name))
        .collect())
}

// ---------------------------------------------------------------- /activities

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    person: String,
    from: String,
    to: String,
    kind: String,
}

struct Row {
    a: ActivityView,
    kind: &'static str,
}

#[derive(Template)]
#[template(path = "activities.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<Row>,
    person: String,
    from: String,
    to: String,
    kind: String,
    people: Vec<Opt>,
    kinds: Vec<Opt>,
    filtered: bool,
    /// Calls, visits and meetings among the rows.
    counts: [usize; 3],
}

async fn list(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    jar: CookieJar,
    Query(q): Query<ListQuery>,
) -> Response {
    let t = T(locale);
    let actor = a.actor();
    let (jar, notice) = take_notice(jar, t);
    let mut c = Chrome::new(&state, &a, locale, "activities", t.t("nav.activities")).await;
    c.notice = notice;
    crumbs_from_home(&mut c);
    c.crumbs.push((t.t("nav.activities").into(), String::new()));
    let filter = ActivityFilter {
        person: optional(&q.person),
        from: optional(&q.from),
        to: optional(&q.to),
        kind: optional(&q.kind),
        customer_id: None,
        page: None,
    };
    let rows = match store::list(&state.db, actor, &filter).await {
        Ok(r) => r,
        Err(e @ storage::Error::Invalid(_)) => {
            add_errors(&mut c, &e, label);
            Vec::new()
        }
        Err(e) => return storage_failure(&state, &a, locale, e).await,
    };
    let people = match org_store::list_people(&state.db, actor, &PeopleFilter::default()).await {
        Ok(p) => p
            .into_iter()
            .map(|p| Opt::new(&p.employee_no, format!("{} · {}", p.name, p.employee_no)))
            .collect(),
        Err(e) => return storage_failure(&state, &a, locale, e).await,
    };
    let mut counts = [0; 3];
    for r in &rows {
        if let Some(i) = KINDS.iter().position(|k| k.0 == r.kind) {
            counts[i] += 1;
        }
    }
    let page = ListPage {
        rows: rows
            .into_iter()
            .map(|x| Row {
                kind: label_of(&KINDS, &x.kind, t.is_zh()),
                a: x,
            })
            .collect(),
        filtered: filter.person.is_some()
            || filter.from.is_some()
            || filter.to.is_some()
            || filter.kind.is_some(),
        person: q.person,
        from: q.from,
        to: q.to,
        kind: q.kind,
        people,
        kinds: kind_options(t),
        counts,
        c,
    };
    (jar, render(&page)).into_response()
}

// ---------------------------------------------------------------- quick entry

/// The quick-entry form; `kind` comes from the button tapped.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
struct EntryForm {
    kind: String,
    customer: String,
    contact: String,
    occurred_on: String,
    occurred_time: String,
    outcome: String,
    next_step: String,
}

impl EntryForm {
    fn customer_id(&self) -> Result<Option<i64>, storage::Error> {
        match optional(&self.customer) {
            None => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| {
                storage::Error::invalid(
                    "customer_id",
                    format!("\"{v}\" is not a customer"),
                    format!("\"{v}\" 不是有效的客户"),
                )
            }),
        }
    }
}

#[derive(Template)]
#[template(path = "activity_new.html")]
struct EntryPage {
    c: Chrome,
    form: EntryForm,
    customers: Vec<Opt>,
    kinds: Vec<Opt>,
}

async fn entry_page(
    state: &AppState,
    a: &Authenticated,
    locale: Locale,
    form: EntryForm,
) -> Result<EntryPage, storage::Error> {
    let t = T(locale);
    let mut c = Chrome::new(state, a, locale, "activities", t.t("act.quick")).await;
    crumbs_from_home(&mut c);
    c.crumbs
        .push((t.t("nav.activities").into(), "/activities".into()));
    c.crumbs.push((t.t("act.quick").into(), String::new()));
    Ok(EntryPage {
        c,
        customers: customer_options(state, a).await?,
        kinds: kind_options(t),
        form,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NewQuery {
    customer: String,
}

async fn new_form(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    jar: CookieJar,
    Query(q): Query<NewQuery>,
) -> Response {
    let t = T(locale);
    let (jar, notice) = take_notice(jar, t);
    let form = EntryForm {
        customer: q.customer,
        occurred_on: today(&state).format("%Y-%m-%d").to_string(),
        ..Default::default()
    };
    match entry_page(&state, &a, locale, form).await {
        Ok(mut p) => {
            p.c.notice = notice;
            (jar, render(&p)).into_response()
        }
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

async fn create(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    jar: CookieJar,
    Form(form): Form<EntryForm>,
) -> Response {
    let result = match form.customer_id() {
        Ok(customer_id) => {
            let new = NewActivity {
                kind: form.kind.clone(),
                person: None,
                customer_id,
                contact: optional(&form.contact),
                occurred_on: optional(&form.occurred_on),
                occurred_time: optional(&form.occurred_time),
                outcome: optional(&form.outcome),
                next_step: optional(&form.next_step),
            };
            store::create(&state.db, a.actor(), &new, today(&state)).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => redirect_with_notice(jar, "/activities/new", "common.saved"),
        Err(e @ storage::Error::Invalid(_)) => match entry_page(&state, &a, locale, form).await {
            Ok(mut p) => {
                add_errors(&mut p.c, &e, label);
                render_status(StatusCode::UNPROCESSABLE_ENTITY, &p)
            }
            Err(e) => storage_failure(&state, &a, locale, e).await,
        },
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

// ---------------------------------------------------------------- edit

#[derive(Template)]
#[template(path = "activity_edit.html")]
struct EditPage {
    c: Chrome,
    id: i64,
    a: ActivityView,
    form: EntryForm,
    customers: Vec<Opt>,
    kinds: Vec<Opt>,
}

async fn edit_page(
    state: &AppState,
    a: &Authenticated,
    locale: Locale,
    id: i64,
    form: Option<EntryForm>,
) -> Result<EditPage, storage::Error> {
    let t = T(locale);
    let view = store::get(&state.db, a.actor(), id).await?;
    if !view.may_edit {
        return Err(storage::Error::Forbidden);
    }
    let mut c = Chrome::new(state, a, locale, "activities", t.t("act.edit")).await;
    crumbs_from_home(&mut c);
    c.crumbs
        .push((t.t("nav.activities").into(), "/activities".into()));
    c.crumbs.push((t.t("act.edit").into(), String::new()));
    let form = form.unwrap_or_else(|| EntryForm {
        kind: view.kind.clone(),
        customer: view.customer_id.map(|c| c.to_string()).unwrap_or_default(),
        contact: view.contact.clone().unwrap_or_default(),
        occurred_on: view.occurred_on.clone(),
        occurred_time: view.occurred_time.clone().unwrap_or_default(),
        outcome: view.outcome.clone().unwrap_or_default(),
        next_step: view.next_step.clone().unwrap_or_default(),
    });
    let mut customers = customer_options(state, a).await?;
    // A customer no longer in the picker stays selectable as it is.
    if let Some(cid) = view.customer_id
        && !customers.iter().any(|o| o.value == cid.to_string())
    {
        let name = view
            .customer_name
            .clone()
            .unwrap_or_else(|| format!("#{cid}"));
        customers.insert(0, Opt::new(cid.to_string(), name));
    }
    Ok(EditPage {
        c,
        id,
        a: view,
        form,
        customers,
        kinds: kind_options(t),
    })
}

async fn edit_form(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
) -> Response {
    match edit_page(&state, &a, locale, id, None).await {
        Ok(p) => render(&p),
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

async fn update(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    jar: CookieJar,
    Path(id): Path<i64>,
    Form(form): Form<EntryForm>,
) -> Response {
    let result = match form.customer_id() {
        Ok(customer_id) => {
            let patch = ActivityPatch {
                kind: Some(form.kind.clone()),
                customer_id: Some(customer_id),
                contact: Some(optional(&form.contact)),
                occurred_on: Some(form.occurred_on.clone()),
                occurred_time: Some(optional(&form.occurred_time)),
                outcome: Some(optional(&form.outcome)),
                next_step: Some(optional(&form.next_step)),
            };
            store::update(&state.db, a.actor(), id, &patch).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => redirect_with_notice(jar, "/activities", "common.saved"),
        Err(e @ storage::Error::Invalid(_)) => {
            match edit_page(&state, &a, locale, id, Some(form)).await {
                Ok(mut p) => {
                    add_errors(&mut p.c, &e, label);
                    render_status(StatusCode::UNPROCESSABLE_ENTITY, &p)
                }
                Err(e) => storage_failure(&state, &a, locale, e).await,
            }
        }
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

async fn delete(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    jar: CookieJar,
    Path(id): Path<i64>,
) -> Response {
    match store::delete(&state.db, a.actor(), id).await {
        Ok(()) => redirect_with_notice(jar, "/activities", "common.saved"),
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}
