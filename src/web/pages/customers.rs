//! Pages: the customer list with upcoming birthdays and anniversaries
//! (`/customers`), a customer's file with contacts, follow-up records and
//! activities (`/customers/{id}`), and the forms to add and change
//! customers and contacts. The key-customer profile appears only for those
//! who may read it (each such page view is audited by storage).

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

use super::{Chrome, Opt, crumbs_from_home, redirect_with_notice, render, render_status};
use super::{forbidden_for, storage_failure, take_notice};
use crate::domain::access::Reach;
use crate::storage::activities::{self, ActivityFilter, ActivityView};
use crate::storage::customers::{
    self as store, ContactPatch, ContactView, CustomerFile, CustomerFilter, CustomerPatch,
    CustomerView, NOTE_KINDS, NewContact, NewCustomer, NewNote, NoteView, Reminder, STATUSES,
};
use crate::storage::org::{self as org_store, PeopleFilter};
use crate::storage::{self, FieldError};
use crate::web::AppState;
use crate::web::api::customers::today;
use crate::web::auth::{Authenticated, Lang, PageUser};
use crate::web::i18n::{Locale, T};

/// `/customers…`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/customers", get(list).post(create))
        .route("/customers/new", get(new_form))
        .route("/customers/{id}", get(show).post(update))
        .route("/customers/{id}/edit", get(edit_form))
        .route("/customers/{id}/notes", post(add_note))
        .route("/customers/{id}/contacts", post(add_contact))
        .route("/customers/{id}/contacts/new", get(new_contact_form))
        .route(
            "/customers/{id}/contacts/{contact}",
            get(edit_contact_form).post(update_contact),
        )
        .route(
            "/customers/{id}/contacts/{contact}/delete",
            post(delete_contact),
        )
}

/// Empty text is "none".
fn optional(v: &str) -> Option<String> {
    Some(v.trim()).filter(|v| !v.is_empty()).map(str::to_owned)
}

/// The UI label of a field of these pages.
fn label(t: T, field: &str) -> &'static str {
    match field {
        "name" => t.t("cust.name"),
        "industry" => t.t("cust.industry"),
        "region" => t.t("cust.region"),
        "address" => t.t("cust.address"),
        "source" => t.t("cust.source"),
        "owner" => t.t("cust.owner"),
        "status" => t.t("cust.status"),
        "notes" => t.t("cust.notes"),
        "title" => t.t("contact.title"),
        "phone" => t.t("contact.phone"),
        "email" => t.t("contact.email"),
        "birthday" => t.t("profile.birthday"),
        "anniversary" => t.t("profile.anniversary"),
        "anniversary_label" => t.t("profile.anniversary_label"),
        "background" => t.t("profile.background"),
        "education" => t.t("profile.education"),
        "family" => t.t("profile.family"),
        "interests" => t.t("profile.interests"),
        "goals" => t.t("profile.goals"),
        "personality" => t.t("profile.personality"),
        "private_notes" => t.t("profile.private_notes"),
        "kind" => t.t("note.kind"),
        "content" => t.t("note.content"),
        "noted_on" => t.t("note.noted_on"),
        "days" => t.t("reminder.days"),
        "from" => t.t("reminder.from"),
        _ => t.t("common.errors"),
    }
}

/// Puts a storage error into the page's error box, each field labelled.
pub(crate) fn add_errors(c: &mut Chrome, e: &storage::Error, label: fn(T, &str) -> &'static str) {
    match e {
        storage::Error::Invalid(fields) => {
            for FieldError {
                field,
                message,
                message_zh,
            } in fields
            {
                let msg = c.t.pick(message_zh, message).to_owned();
                c.errors.push(format!("{}: {msg}", label(c.t, field)));
            }
        }
        other => c.add_error(other),
    }
}

fn status_options(t: T) -> Vec<Opt> {
    STATUSES
        .iter()
        .map(|(code, zh, en)| Opt::new(*code, t.pick(zh, en)))
        .collect()
}

fn status_label(t: T, code: &str) -> &'static str {
    store::label_of(&STATUSES, code, t.is_zh())
}

/// The people whose customers the actor may manage, as owner options.
async fn owner_options(state: &AppState, a: &Authenticated) -> Result<Vec<Opt>, storage::Error> {
    let actor = a.actor();
    let reach = actor.customers_write();
    if reach == Reach::Nothing {
        return Ok(Vec::new());
    }
    let people = org_store::list_people(&state.db, actor, &PeopleFilter::default()).await?;
    let tree = org_store::load_org_tree(&state.db).await?;
    let own = own_no(state, a).await;
    Ok(people
        .into_iter()
        .filter(|p| match reach {
            Reach::All => true,
            Reach::Own(_) => own.as_deref() == Some(p.employee_no.as_str()),
            r => tree
                .by_code(&p.unit)
                .is_some_and(|u| r.covers(&tree, u.id, None)),
        })
        .map(|p| {
            Opt::new(
                &p.employee_no,
                format!("{} · {} · {}", p.name, p.employee_no, p.unit_name),
            )
        })
        .collect())
}

/// The actor's own 工号, if they are a person.
async fn own_no(state: &AppState, a: &Authenticated) -> Option<String> {
    org_store::own_person(&state.db, a.actor())
        .await
        .ok()
        .flatten()
        .map(|p| p.employee_no)
}

// ---------------------------------------------------------------- /customers

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    q: String,
    status: String,
    owner: String,
}

struct Row {
    c: CustomerView,
    status: &'static str,
}

struct ReminderRow {
    r: Reminder,
    what: String,
}

#[derive(Template)]
#[template(path = "customers.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<Row>,
    q: String,
    status: String,
    owner: String,
    status_options: Vec<Opt>,
    owner_options: Vec<Opt>,
    filtered: bool,
    can_add: bool,
    reminders: Vec<ReminderRow>,
    /// Show the reminders block at all (the actor reads some profiles).
    reminders_shown: bool,
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
    let mut c = Chrome::new(&state, &a, locale, "customers", t.t("nav.customers")).await;
    c.notice = notice;
    crumbs_from_home(&mut c);
    c.crumbs.push((t.t("nav.customers").into(), String::new()));
    let filter = CustomerFilter {
        q: optional(&q.q),
        owner: optional(&q.owner),
        status: optional(&q.status),
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
    let reminders_shown = matches!(
        actor.role,
        crate::domain::role::Role::Gm
            | crate::domain::role::Role::Manager
            | crate::domain::role::Role::Sales
    );
    let reminders = if reminders_shown {
        match store::reminders(&state.db, actor, today(&state), 14).await {
            Ok(r) => r,
            Err(e) => return storage_failure(&state, &a, locale, e).await,
        }
    } else {
        Vec::new()
    };
    let owners = match org_store::list_people(&state.db, actor, &PeopleFilter::default()).await {
        Ok(p) => p
            .into_iter()
            .map(|p| Opt::new(&p.employee_no, format!("{} · {}", p.name, p.employee_no)))
            .collect(),
        Err(e) => return storage_failure(&state, &a, locale, e).await,
    };
    let page = ListPage {
        rows: rows
            .into_iter()
            .map(|r| Row {
                status: status_label(t, &r.status),
                c: r,
            })
            .collect(),
        filtered: filter.q.is_some() || filter.owner.is_some() || filter.status.is_some(),
        q: q.q,
        status: q.status,
        owner: q.owner,
        status_options: status_options(t),
        owner_options: owners,
        can_add: actor.customers_write() != Reach::Nothing,
        reminders: reminders
            .into_iter()
            .map(|r| ReminderRow {
                what: if r.kind == "birthday" {
                    t.t("profile.birthday").to_owned()
                } else {
                    r.label
                        .clone()
                        .unwrap_or_else(|| t.t("profile.anniversary").to_owned())
                },
                r,
            })
            .collect(),
        reminders_shown,
        c,
    };
    (jar, render(&page)).into_response()
}

// ---------------------------------------------------------------- new / edit customer

/// The fields of the customer form.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
struct CustomerForm {
    name: String,
    industry: String,
    region: String,
    address: String,
    source: String,
    owner: String,
    status: String,
    notes: String,
}

impl CustomerForm {
    fn of(v: &CustomerView) -> Self {
        CustomerForm {
            name: v.name.clone(),
            industry: v.industry.clone().unwrap_or_default(),
            region: v.region.clone().unwrap_or_default(),
            address: v.address.clone().unwrap_or_default(),
            source: v.source.clone().unwrap_or_default(),
            owner: v.owner.clone().unwrap_or_default(),
            status: v.status.clone(),
            notes: v.notes.clone().unwrap_or_default(),
        }
    }

    fn to_new(&self) -> NewCustomer {
        NewCustomer {
            name: self.name.clone(),
            industry: optional(&self.industry),
            region: optional(&self.region),
            address: optional(&self.address),
            source: optional(&self.source),
            owner: optional(&self.owner),
            status: optional(&self.status),
            notes: optional(&self.notes),
        }
    }

    fn to_patch(&self) -> CustomerPatch {
        CustomerPatch {
            name: Some(self.name.clone()),
            industry: Some(optional(&self.industry)),
            region: Some(optional(&self.region)),
            address: Some(optional(&self.address)),
            source: Some(optional(&self.source)),
            owner: Some(optional(&self.owner)),
            status: Some(self.status.clone()),
            notes: Some(optional(&self.notes)),
        }
    }
}

#[derive(Template)]
#[template(path = "customer_form.html")]
struct FormPage {
    c: Chrome,
    /// `None` for a new customer.
    id: Option<i64>,
    form: CustomerForm,
    status_options: Vec<Opt>,
    owner_options: Vec<Opt>,
    /// The owner may be left empty (admin, sales admins).
    owner_optional: bool,
}

async fn form_page(
    state: &AppState,
    a: &Authenticated,
    locale: Locale,
    id: Option<i64>,
    form: CustomerForm,
) -> Result<FormPage, storage::Error> {
    let t = T(locale);
    let title = if id.is_some() {
        t.t("cust.edit")
    } else {
        t.t("cust.new")
    };
    let mut c = Chrome::new(state, a, locale, "customers", title).await;
    crumbs_from_home(&mut c);
    c.crumbs
        .push((t.t("nav.customers").into(), "/customers".into()));
    if let Some(id) = id {
        c.crumbs
            .push((form.name.clone(), format!("/customers/{id}")));
    }
    c.crumbs.push((title.into(), String::new()));
    Ok(FormPage {
        c,
        id,
        status_options: status_options(t),
        owner_options: owner_options(state, a).await?,
        owner_optional: a.actor().customers_write() == Reach::All,
        form,
    })
}

async fn new_form(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
) -> Response {
    if a.actor().customers_write() == Reach::Nothing {
        return forbidden_for(&state, &a, locale).await;
    }
    let owner = if a.actor().customers_write() == Reach::All {
        String::new()
    } else {
        own_no(&state, &a).await.unwrap_or_default()
    };
    let form = CustomerForm {
        status: "prospect".into(),
        owner,
        ..Default::default()
    };
    match form_page(&state, &a, locale, None, form).await {
        Ok(p) => render(&p),
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

async fn create(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    jar: CookieJar,
    Form(form): Form<CustomerForm>,
) -> Response {
    match store::create(&state.db, a.actor(), &form.to_new()).await {
        Ok(c) => redirect_with_notice(jar, &format!("/customers/{}", c.id), "common.saved"),
        Err(e @ storage::Error::Invalid(_)) => {
            match form_page(&state, &a, locale, None, form).await {
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

async fn edit_form(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
) -> Response {
    let file = match store::get_public(&state.db, a.actor(), id).await {
        Ok(f) => f,
        Err(e) => return storage_failure(&state, &a, locale, e).await,
    };
    if !file.1 {
        return forbidden_for(&state, &a, locale).await;
    }
    match form_page(&state, &a, locale, Some(id), CustomerForm::of(&file.0)).await {
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
    Form(form): Form<CustomerForm>,
) -> Response {
    match store::update(&state.db, a.actor(), id, &form.to_patch()).await {
        Ok(_) => redirect_with_notice(jar, &format!("/customers/{id}"), "common.saved"),
        Err(e @ storage::Error::Invalid(_)) => {
            match form_page(&state, &a, locale, Some(id), form).await {
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

// ---------------------------------------------------------------- /customers/{id}

struct NoteRow {
    n: NoteView,
    kind: &'static str,
}

struct ActivityRow {
    a: ActivityView,
    kind: &'static str,
}

#[derive(Template)]
#[template(path = "customer.html")]
struct FilePage {
    c: Chrome,
    f: CustomerFile,
    status: &'static str,
    notes: Vec<NoteRow>,
    activities: Vec<ActivityRow>,
    note_kinds: Vec<Opt>,
    note: NoteForm,
    today: String,
    /// The actor may add notes (writes the customer and has a person record).
    can_note: bool,
}

async fn file_page(
    state: &AppState,
    a: &Authenticated,
    locale: Locale,
    id: i64,
    note: NoteForm,
) -> Result<FilePage, storage::Error> {
    let t = T(locale);
    let actor = a.actor();
    let f = store::get(&state.db, actor, id).await?;
    let notes = store::list_notes(&state.db, actor, id).await?;
    let acts = activities::list(
        &state.db,
        actor,
        &ActivityFilter {
            customer_id: Some(id),
            ..Default::default()
        },
    )
    .await?;
    let mut c = Chrome::new(state, a, locale, "customers", f.customer.name.clone()).await;
    crumbs_from_home(&mut c);
    c.crumbs
        .push((t.t("nav.customers").into(), "/customers".into()));
    c.crumbs.push((f.customer.name.clone(), String::new()));
    Ok(FilePage {
        status: status_label(t, &f.customer.status),
        notes: notes
            .into_iter()
            .map(|n| NoteRow {
                kind: store::label_of(&NOTE_KINDS, &n.kind, t.is_zh()),
                n,
            })
            .collect(),
        activities: acts
            .into_iter()
            .map(|x| ActivityRow {
                kind: store::label_of(&activities::KINDS, &x.kind, t.is_zh()),
                a: x,
            })
            .collect(),
        note_kinds: NOTE_KINDS
            .iter()
            .map(|(code, zh, en)| Opt::new(*code, t.pick(zh, en)))
            .collect(),
        note,
        today: today(state).format("%Y-%m-%d").to_string(),
        can_note: f.may_write && actor.person_id.is_some(),
        f,
        c,
    })
}

async fn show(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    jar: CookieJar,
    Path(id): Path<i64>,
) -> Response {
    let t = T(locale);
    let (jar, notice) = take_notice(jar, t);
    let note = NoteForm {
        kind: "note".into(),
        ..Default::default()
    };
    match file_page(&state, &a, locale, id, note).await {
        Ok(mut p) => {
            p.c.notice = notice;
            (jar, render(&p)).into_response()
        }
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

/// The follow-up record form.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
struct NoteForm {
    kind: String,
    content: String,
    noted_on: String,
}

async fn add_note(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    jar: CookieJar,
    Path(id): Path<i64>,
    Form(form): Form<NoteForm>,
) -> Response {
    let new = NewNote {
        kind: form.kind.clone(),
        content: form.content.clone(),
        noted_on: optional(&form.noted_on),
    };
    match store::add_note(&state.db, a.actor(), id, &new, today(&state)).await {
        Ok(_) => redirect_with_notice(jar, &format!("/customers/{id}#notes"), "common.saved"),
        Err(e @ storage::Error::Invalid(_)) => {
            match file_page(&state, &a, locale, id, form).await {
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

// ---------------------------------------------------------------- contacts

/// The contact form. The profile fields are `None` when the form did not
/// carry them (those who may not read the profile never get them).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
struct ContactForm {
    name: String,
    title: String,
    phone: String,
    email: String,
    /// A checkbox: present (`on`) or absent.
    is_key: String,
    birthday: Option<String>,
    anniversary: Option<String>,
    anniversary_label: Option<String>,
    background: Option<String>,
    education: Option<String>,
    family: Option<String>,
    interests: Option<String>,
    goals: Option<String>,
    personality: Option<String>,
    private_notes: Option<String>,
}

impl ContactForm {
    fn of(v: &ContactView) -> Self {
        let p = v.profile.clone().unwrap_or_default();
        ContactForm {
            name: v.name.clone(),
            title: v.title.clone().unwrap_or_default(),
            phone: v.phone.clone().unwrap_or_default(),
            email: v.email.clone().unwrap_or_default(),
            is_key: if v.is_key { "on".into() } else { String::new() },
            birthday: p.birthday,
            anniversary: p.anniversary,
            anniversary_label: p.anniversary_label,
            background: p.background,
            education: p.education,
            family: p.family,
            interests: p.interests,
            goals: p.goals,
            personality: p.personality,
            private_notes: p.private_notes,
        }
    }

    fn to_new(&self) -> NewContact {
        NewContact {
            name: self.name.clone(),
            title: optional(&self.title),
            phone: optional(&self.phone),
            email: optional(&self.email),
            is_key: !self.is_key.is_empty(),
            birthday: self.birthday.clone(),
            anniversary: self.anniversary.clone(),
            anniversary_label: self.anniversary_label.clone(),
            background: self.background.clone(),
            education: self.education.clone(),
            family: self.family.clone(),
            interests: self.interests.clone(),
            goals: self.goals.clone(),
            personality: self.personality.clone(),
            private_notes: self.private_notes.clone(),
        }
    }

    fn to_patch(&self) -> ContactPatch {
        let p = |v: &Option<String>| v.as_deref().map(optional);
        ContactPatch {
            name: Some(self.name.clone()),
            title: Some(optional(&self.title)),
            phone: Some(optional(&self.phone)),
            email: Some(optional(&self.email)),
            is_key: Some(!self.is_key.is_empty()),
            birthday: p(&self.birthday),
            anniversary: p(&self.anniversary),
            anniversary_label: p(&self.anniversary_label),
            background: p(&self.background),
            education: p(&self.education),
            family: p(&self.family),
            interests: p(&self.interests),
            goals: p(&self.goals),
            personality: p(&self.personality),
            private_notes: p(&self.private_notes),
        }
    }
}

#[derive(Template)]
#[template(path = "customer_contact.html")]
struct ContactPage {
    c: Chrome,
    customer_id: i64,
    /// `None` for a new contact.
    contact_id: Option<i64>,
    form: ContactForm,
    /// Show (and send) the key-customer profile fields.
    private: bool,
}

async fn contact_page(
    state: &AppState,
    a: &Authenticated,
    locale: Locale,
    customer_id: i64,
    contact_id: Option<i64>,
    form: Option<ContactForm>,
) -> Result<ContactPage, storage::Error> {
    let t = T(locale);
    // Reads the file (and so the profile, audited) only when editing.
    let (name, may_write, private, stored) = match contact_id {
        Some(cid) => {
            let f = store::get(&state.db, a.actor(), customer_id).await?;
            let contact = f
                .contacts
                .iter()
                .find(|x| x.id == cid)
                .cloned()
                .ok_or(storage::Error::NotFound)?;
            (
                f.customer.name.clone(),
                f.may_write,
                f.private == store::SHOWN,
                Some(contact),
            )
        }
        None => {
            let (v, may_write) = store::get_public(&state.db, a.actor(), customer_id).await?;
            let private = store::may_read_private_of(&state.db, a.actor(), customer_id).await?;
            (v.name, may_write, private, None)
        }
    };
    if !may_write {
        return Err(storage::Error::Forbidden);
    }
    let title = if contact_id.is_some() {
        t.t("contact.edit")
    } else {
        t.t("contact.new")
    };
    let mut c = Chrome::new(state, a, locale, "customers", title).await;
    crumbs_from_home(&mut c);
    c.crumbs
        .push((t.t("nav.customers").into(), "/customers".into()));
    c.crumbs.push((name, format!("/customers/{customer_id}")));
    c.crumbs.push((title.into(), String::new()));
    let form = match (form, &stored) {
        (Some(f), _) => f,
        (None, Some(s)) => ContactForm::of(s),
        (None, None) => ContactForm::default(),
    };
    Ok(ContactPage {
        c,
        customer_id,
        contact_id,
        form,
        private,
    })
}

async fn new_contact_form(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Path(id): Path<i64>,
) -> Response {
    match contact_page(&state, &a, locale, id, None, None).await {
        Ok(p) => render(&p),
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

async fn edit_contact_form(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Path((id, contact)): Path<(i64, i64)>,
) -> Response {
    match contact_page(&state, &a, locale, id, Some(contact), None).await {
        Ok(p) => render(&p),
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

async fn add_contact(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    jar: CookieJar,
    Path(id): Path<i64>,
    Form(form): Form<ContactForm>,
) -> Response {
    match store::add_contact(&state.db, a.actor(), id, &form.to_new()).await {
        Ok(_) => redirect_with_notice(jar, &format!("/customers/{id}#contacts"), "common.saved"),
        Err(e @ storage::Error::Invalid(_)) => {
            match contact_page(&state, &a, locale, id, None, Some(form)).await {
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

async fn update_contact(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    jar: CookieJar,
    Path((id, contact)): Path<(i64, i64)>,
    Form(form): Form<ContactForm>,
) -> Response {
    match store::update_contact(&state.db, a.actor(), id, contact, &form.to_patch()).await {
        Ok(_) => redirect_with_notice(jar, &format!("/customers/{id}#contacts"), "common.saved"),
        Err(e @ storage::Error::Invalid(_)) => {
            match contact_page(&state, &a, locale, id, Some(contact), Some(form)).await {
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

async fn delete_contact(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    jar: CookieJar,
    Path((id, contact)): Path<(i64, i64)>,
) -> Response {
    match store::delete_contact(&state.db, a.actor(), id, contact).await {
        Ok(()) => redirect_with_notice(jar, &format!("/customers/{id}#contacts"), "common.saved"),
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}
