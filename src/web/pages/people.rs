//! Pages: the people list (`/people`), adding (`/people/new`), one person
//! (`/people/{no}`) and the Excel/CSV import (`/people/import`).

use askama::Template;
use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Form, Multipart, Path, Query, State};
use axum::handler::Handler;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;

use super::org::{all_unit_options, tree_of, unit_options};
use super::{Chrome, forbidden_for, render, render_status};
use super::{Opt, crumbs_from_home, redirect_with_notice, storage_failure, take_notice};
use crate::domain::access::Actor;
use crate::domain::role::Role;
use crate::storage;
use crate::storage::entity::person;
use crate::storage::org::{self as store, NewPerson, PeopleFilter, PersonPatch, PersonView};
use crate::transfer::{self, CellError, TransferError};
use crate::web::AppState;
use crate::web::auth::{Authenticated, Lang, PageUser};
use crate::web::i18n::{Locale, T};

/// `/people`, `/people/new`, `/people/import`, `/people/{no}`. The import's
/// upload may be `upload_limit` bytes; the other forms get the page limit
/// of [`super::router`].
pub fn router(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/people", get(list).post(create))
        .route("/people/new", get(new_form))
        .route(
            "/people/import",
            get(import_form).post(import.layer(DefaultBodyLimit::max(upload_limit))),
        )
        .route("/people/{no}", get(show).post(update))
}

/// Empty text is "none".
fn optional(v: &str) -> Option<String> {
    Some(v.trim()).filter(|v| !v.is_empty()).map(str::to_owned)
}

/// The roles the actor may give, for a select.
fn role_options(actor: &Actor, t: T) -> Vec<Opt> {
    Role::ALL
        .into_iter()
        .filter(|r| actor.may_assign_role(*r))
        .map(|r| Opt::new(r.code(), t.role(&r)))
        .collect()
}

/// Active people the actor sees, as possible managers; `except` is left out.
fn manager_options(people: &[PersonView], except: Option<&str>) -> Vec<Opt> {
    people
        .iter()
        .filter(|p| p.active && Some(p.employee_no.as_str()) != except)
        .map(|p| {
            Opt::new(
                &p.employee_no,
                format!("{} · {} · {}", p.name, p.employee_no, p.unit_name),
            )
        })
        .collect()
}

// ---------------------------------------------------------------- /people

/// The filters of the list, as the GET form sends them.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    unit: String,
    q: String,
    /// A checkbox: present (`on`) or absent.
    inactive: String,
}

/// One row of the list.
struct Row {
    p: PersonView,
    role: &'static str,
}

#[derive(Template)]
#[template(path = "people.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<Row>,
    unit_options: Vec<Opt>,
    unit: String,
    q: String,
    inactive: bool,
    can_write: bool,
    filtered: bool,
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
    let mut c = Chrome::new(&state, &a, locale, "people", t.t("nav.people")).await;
    c.notice = notice;
    crumbs_from_home(&mut c);
    c.crumbs.push((t.t("nav.people").into(), String::new()));
    let units = match store::list_units(&state.db, actor).await {
        Ok(u) => u,
        Err(e) => return storage_failure(&state, &a, locale, e).await,
    };
    let filter = PeopleFilter {
        unit: optional(&q.unit),
        inactive: !q.inactive.is_empty(),
        q: optional(&q.q),
    };
    let people = match store::list_people(&state.db, actor, &filter).await {
        Ok(p) => p,
        Err(storage::Error::NotFound) => {
            c.errors.push(format!(
                "{}: {}",
                t.t("person.unit"),
                t.t("common.not_found")
            ));
            Vec::new()
        }
        Err(e) => return storage_failure(&state, &a, locale, e).await,
    };
    let rows = people
        .into_iter()
        .map(|p| Row {
            role: t.role(&p.role),
            p,
        })
        .collect();
    let page = ListPage {
        c,
        rows,
        unit_options: all_unit_options(&units, t),
        filtered: filter.unit.is_some() || filter.q.is_some() || filter.inactive,
        unit: filter.unit.unwrap_or_default(),
        q: filter.q.unwrap_or_default(),
        inactive: filter.inactive,
        can_write: actor.may_import_people(),
    };
    (jar, render(&page)).into_response()
}

// ---------------------------------------------------------------- /people/new

/// The fields of the "add person" form.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
struct NewPersonForm {
    employee_no: String,
    name: String,
    unit: String,
    role: String,
    manager: String,
    hire_date: String,
    phone: String,
    email: String,
    username: String,
    password: String,
}

impl NewPersonForm {
    fn to_new(&self) -> NewPerson {
        NewPerson {
            employee_no: self.employee_no.trim().to_owned(),
            name: self.name.clone(),
            unit: self.unit.trim().to_owned(),
            role: self.role.clone(),
            manager: optional(&self.manager),
            hire_date: optional(&self.hire_date),
            phone: optional(&self.phone),
            email: optional(&self.email),
            username: optional(&self.username),
            password: Some(self.password.clone()).filter(|p| !p.is_empty()),
        }
    }
}

#[derive(Template)]
#[template(path = "person_new.html")]
struct NewPage {
    c: Chrome,
    form: NewPersonForm,
    unit_options: Vec<Opt>,
    role_options: Vec<Opt>,
    manager_options: Vec<Opt>,
    min_password: usize,
}

/// Preset of the form: `?unit=CODE` from a unit's page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NewQuery {
    unit: String,
}

async fn new_page(
    state: &AppState,
    a: &Authenticated,
    locale: Locale,
    form: NewPersonForm,
) -> Result<NewPage, storage::Error> {
    let t = T(locale);
    let actor = a.actor();
    let mut c = Chrome::new(state, a, locale, "people", t.t("person.new")).await;
    crumbs_from_home(&mut c);
    c.crumbs.push((t.t("nav.people").into(), "/people".into()));
    c.crumbs.push((t.t("person.new").into(), String::new()));
    let units = store::list_units(&state.db, actor).await?;
    let tree = tree_of(&state.db).await?;
    let people = store::list_people(&state.db, actor, &PeopleFilter::default()).await?;
    Ok(NewPage {
        c,
        unit_options: unit_options(&units, &tree, actor.people_write()),
        role_options: role_options(actor, t),
        manager_options: manager_options(&people, None),
        min_password: storage::accounts::MIN_PASSWORD_LEN,
        form,
    })
}

async fn new_form(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Query(q): Query<NewQuery>,
) -> Response {
    if !a.actor().may_import_people() {
        return forbidden_for(&state, &a, locale).await;
    }
    let form = NewPersonForm {
        unit: q.unit,
        role: Role::Sales.code().to_owned(),
        ..Default::default()
    };
    match new_page(&state, &a, locale, form).await {
        Ok(page) => render(&page),
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

/// `POST /people`: adds a person (and their login, when asked), then shows
/// them.
async fn create(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    jar: CookieJar,
    Form(form): Form<NewPersonForm>,
) -> Response {
    if !a.actor().may_import_people() {
        return forbidden_for(&state, &a, locale).await;
    }
    match store::create_person(&state.db, a.actor(), &form.to_new()).await {
        Ok(p) => redirect_with_notice(jar, &format!("/people/{}", p.employee_no), "person.created"),
        Err(storage::Error::Invalid(errors)) => {
            let e = storage::Error::Invalid(errors);
            // The password is never sent back into the page.
            let form = NewPersonForm {
                password: String::new(),
                ..form
            };
            match new_page(&state, &a, locale, form).await {
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

// ---------------------------------------------------------------- /people/{no}

/// The edit form's fields; in the page, also what it shows.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
struct EditForm {
    /// `edit` (or empty), `deactivate`, `activate`.
    action: String,
    name: Option<String>,
    unit: Option<String>,
    role: Option<String>,
    /// Explicit manager's 工号; empty follows the unit's head.
    manager: Option<String>,
    hire_date: Option<String>,
    phone: Option<String>,
    email: Option<String>,
}

/// What the edit form shows.
#[derive(Debug, Default, Clone)]
struct EditValues {
    name: String,
    unit: String,
    role: String,
    manager: String,
    hire_date: String,
    phone: String,
    email: String,
}

impl EditValues {
    fn of(p: &PersonView) -> EditValues {
        EditValues {
            name: p.name.clone(),
            unit: p.unit.clone(),
            role: p.role.code().to_owned(),
            manager: if p.manager_explicit {
                p.manager.clone().unwrap_or_default()
            } else {
                String::new()
            },
            hire_date: p
                .hire_date
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            phone: p.phone.clone().unwrap_or_default(),
            email: p.email.clone().unwrap_or_default(),
        }
    }

    /// The form's values over the current ones.
    fn typed(mut self, f: EditForm) -> EditValues {
        let over = |field: &mut String, v: Option<String>| {
            if let Some(v) = v {
                *field = v;
            }
        };
        over(&mut self.name, f.name);
        over(&mut self.unit, f.unit);
        over(&mut self.role, f.role);
        over(&mut self.manager, f.manager);
        over(&mut self.hire_date, f.hire_date);
        over(&mut self.phone, f.phone);
        over(&mut self.email, f.email);
        self
    }
}

/// Only what differs from the current record goes into the patch, so that
/// saving an unchanged form changes nothing and audits nothing.
fn edit_patch(current: &PersonView, f: &EditForm) -> PersonPatch {
    let now = EditValues::of(current);
    let changed = |sent: &Option<String>, was: &str| {
        sent.as_deref()
            .map(str::trim)
            .filter(|v| *v != was)
            .map(str::to_owned)
    };
    let changed_opt = |sent: &Option<String>, was: &str| changed(sent, was).map(|v| optional(&v));
    PersonPatch {
        name: changed(&f.name, &now.name),
        unit: changed(&f.unit, &now.unit),
        role: changed(&f.role, &now.role),
        manager: changed_opt(&f.manager, &now.manager),
        hire_date: changed_opt(&f.hire_date, &now.hire_date),
        phone: changed_opt(&f.phone, &now.phone),
        email: changed_opt(&f.email, &now.email),
        active: None,
    }
}

fn is_empty_patch(p: &PersonPatch) -> bool {
    p.name.is_none()
        && p.unit.is_none()
        && p.role.is_none()
        && p.manager.is_none()
        && p.hire_date.is_none()
        && p.phone.is_none()
        && p.email.is_none()
        && p.active.is_none()
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    c: Chrome,
    p: PersonView,
    role: &'static str,
    reports: Vec<PersonView>,
    can_write: bool,
    form: EditValues,
    unit_options: Vec<Opt>,
    role_options: Vec<Opt>,
    manager_options: Vec<Opt>,
}

async fn person_page(
    state: &AppState,
    a: &Authenticated,
    locale: Locale,
    no: &str,
    typed: Option<EditForm>,
) -> Result<PersonPage, storage::Error> {
    let t = T(locale);
    let actor = a.actor();
    let p = store::get_person(&state.db, actor, no).await?;
    let tree = tree_of(&state.db).await?;
    // The exact storage rule (unit reach, nobody but admin and hr edits
    // their own record) needs the ids.
    let can_write = match person::Entity::find()
        .filter(person::Column::EmployeeNo.eq(p.employee_no.as_str()))
        .one(&state.db)
        .await?
    {
        Some(m) => actor.may_write_person(&tree, m.unit_id, m.id),
        None => false,
    };
    let mut c = Chrome::new(state, a, locale, "people", p.name.clone()).await;
    crumbs_from_home(&mut c);
    c.crumbs.push((t.t("nav.people").into(), "/people".into()));
    c.crumbs.push((p.name.clone(), String::new()));
    let people = store::list_people(&state.db, actor, &PeopleFilter::default()).await?;
    let reports = people
        .iter()
        .filter(|q| q.manager.as_deref() == Some(p.employee_no.as_str()))
        .cloned()
        .collect();
    let (unit_options, role_options, manager_options) = if can_write {
        let units = store::list_units(&state.db, actor).await?;
        let mut units_o = unit_options(&units, &tree, actor.people_write());
        if !units_o.iter().any(|o| o.value == p.unit) {
            units_o.insert(0, Opt::new(&p.unit, &p.unit_name));
        }
        let mut roles = role_options(actor, t);
        if !roles.iter().any(|o| o.value == p.role.code()) {
            roles.insert(0, Opt::new(p.role.code(), t.role(&p.role)));
        }
        let mut managers = manager_options(&people, Some(&p.employee_no));
        // A manager set outside the visitor's list stays selectable, so that
        // saving other fields does not clear it.
        if p.manager_explicit
            && let (Some(m), Some(name)) = (&p.manager, &p.manager_name)
            && !managers.iter().any(|o| &o.value == m)
        {
            managers.insert(0, Opt::new(m, format!("{name} · {m}")));
        }
        (units_o, roles, managers)
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    let current = EditValues::of(&p);
    let form = match typed {
        Some(f) => current.typed(f),
        None => current,
    };
    Ok(PersonPage {
        c,
        role: t.role(&p.role),
        p,
        reports,
        can_write,
        form,
        unit_options,
        role_options,
        manager_options,
    })
}

async fn show(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Path(no): Path<String>,
    jar: CookieJar,
) -> Response {
    let (jar, notice) = take_notice(jar, T(locale));
    match person_page(&state, &a, locale, &no, None).await {
        Ok(mut page) => {
            page.c.notice = notice;
            (jar, render(&page)).into_response()
        }
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

/// `POST /people/{no}`: edit, deactivate or reactivate.
async fn update(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Path(no): Path<String>,
    jar: CookieJar,
    Form(form): Form<EditForm>,
) -> Response {
    let actor = a.actor();
    let current = match store::get_person(&state.db, actor, &no).await {
        Ok(p) => p,
        Err(e) => return storage_failure(&state, &a, locale, e).await,
    };
    let patch = match form.action.as_str() {
        "deactivate" => PersonPatch {
            active: Some(false),
            ..Default::default()
        },
        "activate" => PersonPatch {
            active: Some(true),
            ..Default::default()
        },
        _ => edit_patch(&current, &form),
    };
    let to = format!("/people/{}", current.employee_no);
    if is_empty_patch(&patch) {
        return redirect_with_notice(jar, &to, "common.saved");
    }
    match store::update_person(&state.db, actor, &no, &patch).await {
        Ok(_) => redirect_with_notice(jar, &to, "common.saved"),
        Err(storage::Error::Invalid(errors)) => {
            let e = storage::Error::Invalid(errors);
            match person_page(&state, &a, locale, &no, Some(form)).await {
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

// ---------------------------------------------------------------- /people/import

/// One problem of a rejected file: where, and what.
struct Problem {
    at: String,
    message: String,
}

#[derive(Template)]
#[template(path = "people_import.html")]
struct ImportPage {
    c: Chrome,
    /// (created, updated) after a successful import.
    done: Option<(usize, usize)>,
    filename: String,
    problems: Vec<Problem>,
}

async fn import_page(state: &AppState, a: &Authenticated, locale: Locale) -> ImportPage {
    let t = T(locale);
    let mut c = Chrome::new(state, a, locale, "people", t.t("import.title")).await;
    crumbs_from_home(&mut c);
    c.crumbs.push((t.t("nav.people").into(), "/people".into()));
    c.crumbs.push((t.t("import.title").into(), String::new()));
    ImportPage {
        c,
        done: None,
        filename: String::new(),
        problems: Vec::new(),
    }
}

async fn import_form(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
) -> Response {
    if !a.actor().may_import_people() {
        return forbidden_for(&state, &a, locale).await;
    }
    render(&import_page(&state, &a, locale).await)
}

/// Why an upload could not be imported, in the page's terms.
enum ImportFailure {
    /// Wrong request, no file, too big, unreadable file: one message.
    Whole(StatusCode, String),
    /// Cells to fix.
    Cells(Vec<CellError>),
    Storage(storage::Error),
}

/// Reads the first file of the form: (file name, bytes). `limit` is the
/// largest upload accepted, in bytes, for the message.
async fn read_upload(
    mut form: Multipart,
    t: T,
    limit: usize,
) -> Result<(String, Vec<u8>), ImportFailure> {
    let fail = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            let mb = limit.div_ceil(1024 * 1024);
            ImportFailure::Whole(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("{} ({mb} MB)", t.t("import.too_large")),
            )
        } else {
            ImportFailure::Whole(StatusCode::BAD_REQUEST, t.t("import.bad_upload").into())
        }
    };
    while let Some(field) = form.next_field().await.map_err(fail)? {
        let name = field.file_name().unwrap_or_default().trim().to_owned();
        if name.is_empty() {
            continue;
        }
        let bytes = field.bytes().await.map_err(fail)?;
        return Ok((name, bytes.to_vec()));
    }
    Err(ImportFailure::Whole(
        StatusCode::UNPROCESSABLE_ENTITY,
        t.t("import.no_file").into(),
    ))
}

/// The import pipeline of [`transfer::people::import_file`], with its
/// failures in the page's terms.
async fn run_import(
    state: &AppState,
    actor: &Actor,
    filename: &str,
    bytes: &[u8],
    t: T,
) -> Result<(usize, usize), ImportFailure> {
    use transfer::people::ImportError;
    match transfer::people::import_file(&state.db, actor, filename, bytes).await {
        Ok(s) => Ok((s.created, s.updated)),
        Err(ImportError::File(TransferError::File {
            message,
            message_zh,
        })) => Err(ImportFailure::Whole(
            StatusCode::UNPROCESSABLE_ENTITY,
            t.pick(&message_zh, &message).to_owned(),
        )),
        Err(ImportError::File(TransferError::Cells(cells))) => Err(ImportFailure::Cells(cells)),
        Err(ImportError::Storage(e)) => Err(ImportFailure::Storage(e)),
    }
}

/// `POST /people/import` (multipart, field `file`): all or nothing; on
/// errors, every cell to fix.
async fn import(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let t = T(locale);
    let actor = a.actor();
    if !actor.may_import_people() {
        return forbidden_for(&state, &a, locale).await;
    }
    let mut page = import_page(&state, &a, locale).await;
    let result = match form {
        Ok(form) => match read_upload(form, t, state.settings.max_upload_bytes).await {
            Ok((name, bytes)) => {
                page.filename = name.clone();
                run_import(&state, actor, &name, &bytes, t).await
            }
            Err(f) => Err(f),
        },
        Err(_) => Err(ImportFailure::Whole(
            StatusCode::BAD_REQUEST,
            t.t("import.bad_upload").into(),
        )),
    };
    match result {
        Ok(done) => {
            page.done = Some(done);
            render(&page)
        }
        Err(ImportFailure::Whole(status, message)) => {
            page.c.errors.push(message);
            render_status(status, &page)
        }
        Err(ImportFailure::Cells(cells)) => {
            page.problems = cells
                .iter()
                .map(|e| Problem {
                    at: e.location(),
                    message: t.pick(&e.message_zh, &e.message).to_owned(),
                })
                .collect();
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(ImportFailure::Storage(e)) => storage_failure(&state, &a, locale, e).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person() -> PersonView {
        PersonView {
            employee_no: "E0015".into(),
            name: "张晓明".into(),
            unit: "HD-SH1".into(),
            unit_name: "上海一组".into(),
            role: Role::Sales,
            manager: Some("E0010".into()),
            manager_name: Some("李强".into()),
            manager_explicit: false,
            hire_date: chrono::NaiveDate::from_ymd_opt(2023, 4, 1),
            phone: Some("13800000000".into()),
            email: None,
            active: true,
            username: Some("sales".into()),
        }
    }

    #[test]
    fn an_unchanged_form_patches_nothing() {
        let p = person();
        let v = EditValues::of(&p);
        let f = EditForm {
            action: "edit".into(),
            name: Some(v.name),
            unit: Some(v.unit),
            role: Some(v.role),
            manager: Some(v.manager),
            hire_date: Some(v.hire_date),
            phone: Some(v.phone),
            email: Some(v.email),
        };
        assert!(is_empty_patch(&edit_patch(&p, &f)));
    }

    #[test]
    fn only_changed_fields_are_patched() {
        let p = person();
        let f = EditForm {
            phone: Some("".into()),
            manager: Some("E0002".into()),
            name: Some(" 张晓明 ".into()),
            ..Default::default()
        };
        let patch = edit_patch(&p, &f);
        assert_eq!(patch.phone, Some(None));
        assert_eq!(patch.manager, Some(Some("E0002".into())));
        assert!(patch.name.is_none());
        assert!(patch.unit.is_none());
    }
}
