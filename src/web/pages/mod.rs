//! Server-rendered HTML pages. Every page works without JavaScript; forms
//! post back, and on success redirect (post/redirect/get).
//!
//! Each page builds a [`Chrome`] (language, top bar, breadcrumbs, CSRF token,
//! notices) and hands it to an askama template that extends `base.html`.

mod account;
mod activities;
mod audit;
mod customers;
mod orders;
mod org;
mod people;
mod plans;
mod projects;
mod table;
mod work;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;

use super::AppState;
use super::auth::{self, Authenticated, Lang, PageUser, Via};
use super::i18n::{Locale, T};
use crate::domain::access::Reach;
use crate::storage::{self, accounts, org as store};

/// Largest body of a page form: far above any real form, far below an
/// upload.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// Every page. Forms may send [`MAX_FORM_BYTES`]; the import page's upload
/// `upload_limit` bytes.
pub fn router(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(set_lang))
        .merge(org::router())
        .merge(people::router(upload_limit))
        .merge(orders::router(upload_limit))
        .merge(account::router())
        .merge(audit::router())
        .merge(table::router())
        .merge(plans::router())
        .merge(customers::router())
        .merge(activities::router())
        .merge(projects::router())
        .merge(work::router())
        // The limit set on a route (the import's) is nearer the handler and
        // wins over this one.
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES))
}

/// The top bar's view of the signed-in user.
pub struct UserBar {
    pub name: String,
    pub username: String,
    pub role: &'static str,
    /// Show the audit log in the navigation.
    pub audit: bool,
    /// Show account administration in the navigation.
    pub accounts: bool,
    /// Show target decomposition (目标分解) in the navigation.
    pub targets: bool,
    /// Show customers, orders and projects.
    pub customers: bool,
    /// Show activities, daily plans and weekly reports.
    pub work: bool,
}

/// What every page around its content needs.
pub struct Chrome {
    pub t: T,
    pub title: String,
    /// Active navigation area: `home`, `org`, `people`, `audit`, `users`.
    pub nav: &'static str,
    pub user: Option<UserBar>,
    /// Goes into every form action as `?_csrf=`.
    pub csrf: String,
    /// (label, link); the last one usually without link.
    pub crumbs: Vec<(String, String)>,
    pub notice: Option<String>,
    pub errors: Vec<String>,
}

impl Chrome {
    /// Chrome for a signed-in user. The name shown is the person's, when
    /// there is one.
    pub async fn new(
        state: &AppState,
        a: &Authenticated,
        locale: Locale,
        nav: &'static str,
        title: impl Into<String>,
    ) -> Chrome {
        let t = T(locale);
        let actor = a.actor();
        let name = match store::own_person(&state.db, actor).await {
            Ok(Some(p)) => p.name,
            _ => a.signed_in.user.username.clone(),
        };
        Chrome {
            t,
            title: title.into(),
            nav,
            user: Some(UserBar {
                name,
                username: a.signed_in.user.username.clone(),
                role: t.role(&actor.role),
                audit: actor.may_read_audit(),
                accounts: actor.may_manage_accounts(),
                targets: actor.targets_write() != Reach::Nothing,
                customers: actor.customers_read() != Reach::Nothing,
                work: actor.work_read() != Reach::Nothing,
            }),
            csrf: a.csrf().to_owned(),
            crumbs: Vec::new(),
            notice: None,
            errors: Vec::new(),
        }
    }

    /// Chrome for pages shown before sign-in.
    pub fn anonymous(locale: Locale, title: impl Into<String>) -> Chrome {
        Chrome {
            t: T(locale),
            title: title.into(),
            nav: "",
            user: None,
            csrf: String::new(),
            crumbs: Vec::new(),
            notice: None,
            errors: Vec::new(),
        }
    }

    /// Turns storage errors into lines for the error box, in the page's
    /// language, with the field's label.
    pub fn add_error(&mut self, e: &storage::Error) {
        match e {
            storage::Error::Invalid(fields) => {
                for f in fields {
                    let label = field_label(self.t, &f.field);
                    let msg = self.t.pick(&f.message_zh, &f.message);
                    self.errors.push(format!("{label}: {msg}"));
                }
            }
            storage::Error::NotFound => self.errors.push(self.t.t("common.not_found").into()),
            storage::Error::Forbidden => self.errors.push(self.t.t("common.forbidden").into()),
            other => {
                tracing::error!(error = %other, "page action failed");
                self.errors.push("internal error / 内部错误".into());
            }
        }
    }
}

/// The UI label of an API field name.
fn field_label(t: T, field: &str) -> &'static str {
    match field {
        "code" => t.t("unit.code"),
        "name" => t.t("unit.name"),
        "parent" => t.t("unit.parent"),
        "head" => t.t("unit.head"),
        "active" => t.t("common.status"),
        "employee_no" => t.t("person.employee_no"),
        "unit" => t.t("person.unit"),
        "role" => t.t("person.role"),
        "manager" => t.t("person.manager"),
        "hire_date" => t.t("person.hire_date"),
        "phone" => t.t("person.phone"),
        "email" => t.t("person.email"),
        "username" => t.t("person.username"),
        "password" => t.t("person.password"),
        "new_password" => t.t("account.new_password"),
        "old_password" => t.t("account.old_password"),
        _ => t.t("common.errors"),
    }
}

/// Renders a template into a response; a rendering failure is logged and
/// answered with 500, never shown.
pub fn render(tpl: &impl Template) -> Response {
    match tpl.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// Like [`render`] with another status (422 for a form with errors).
pub fn render_status(status: StatusCode, tpl: &impl Template) -> Response {
    let mut resp = render(tpl);
    if resp.status() == StatusCode::OK {
        *resp.status_mut() = status;
    }
    resp
}

/// Redirect after a successful form, with a notice shown on arrival.
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    c: Chrome,
    heading: String,
    back: String,
}

/// 403 page for a form posted without a valid CSRF token.
pub fn forbidden_page(a: &Authenticated, req: &Request) -> Response {
    let locale = a
        .signed_in
        .user
        .locale
        .as_deref()
        .and_then(Locale::from_code)
        .unwrap_or_else(|| accept_language(req.headers()));
    let t = T(locale);
    let page = MessagePage {
        c: Chrome::anonymous(locale, t.t("common.csrf")),
        heading: t.t("common.csrf").into(),
        back: "/".into(),
    };
    render_status(StatusCode::FORBIDDEN, &page)
}

fn accept_language(headers: &HeaderMap) -> Locale {
    headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map_or(Locale::Zh, Locale::from_accept_language)
}

/// 404 page, also for records outside the visitor's reach.
pub fn not_found_page(req: &Request) -> Response {
    let locale = accept_language(req.headers());
    let t = T(locale);
    let page = MessagePage {
        c: Chrome::anonymous(locale, t.t("common.not_found")),
        heading: t.t("common.not_found").into(),
        back: "/".into(),
    };
    render_status(StatusCode::NOT_FOUND, &page)
}

/// 405 page for a method a page does not have.
pub fn method_not_allowed_page(req: &Request) -> Response {
    let locale = accept_language(req.headers());
    let t = T(locale);
    let page = MessagePage {
        c: Chrome::anonymous(locale, t.t("common.method_not_allowed")),
        heading: t.t("common.method_not_allowed").into(),
        back: "/".into(),
    };
    render_status(StatusCode::METHOD_NOT_ALLOWED, &page)
}

/// A full 404 page inside the signed-in layout.
pub async fn not_found_for(state: &AppState, a: &Authenticated, locale: Locale) -> Response {
    let t = T(locale);
    let page = MessagePage {
        c: Chrome::new(state, a, locale, "", t.t("common.not_found")).await,
        heading: t.t("common.not_found").into(),
        back: "/".into(),
    };
    render_status(StatusCode::NOT_FOUND, &page)
}

/// A full 403 page inside the signed-in layout.
pub async fn forbidden_for(state: &AppState, a: &Authenticated, locale: Locale) -> Response {
    let t = T(locale);
    let page = MessagePage {
        c: Chrome::new(state, a, locale, "", t.t("common.forbidden")).await,
        heading: t.t("common.forbidden").into(),
        back: "/".into(),
    };
    render_status(StatusCode::FORBIDDEN, &page)
}

// ---------------------------------------------------------------- helpers shared by the page modules

/// The cookie that carries a notice across a post/redirect/get.
const NOTICE_COOKIE: &str = "mubiao_notice";

/// The notices a redirect may carry. Only these keys are read back, so the
/// cookie can never make a page show text a visitor chose.
const NOTICE_KEYS: &[&str] = &[
    "common.saved",
    "unit.created",
    "person.created",
    "account.password_changed",
    "account.language_saved",
    "account.token_revoked",
    "users.reset_done",
    "decompose.notice_published",
    "decompose.notice_drafted",
    "decompose.notice_unchanged",
    "plans.notice_submitted",
    "plans.notice_approved",
    "plans.notice_returned",
    "plans.notice_published",
];

/// Redirects after a successful form; the page arrived at shows the text of
/// `key` (one of [`NOTICE_KEYS`]) once.
pub(crate) fn redirect_with_notice(jar: CookieJar, to: &str, key: &'static str) -> Response {
    let cookie = Cookie::build((NOTICE_COOKIE, key))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(cookie::time::Duration::minutes(1))
        .build();
    (jar.add(cookie), see_other(to)).into_response()
}

/// Takes the notice left by the redirect that led here, if any, and clears
/// it so that a reload does not show it again.
pub(crate) fn take_notice(jar: CookieJar, t: T) -> (CookieJar, Option<String>) {
    let Some(value) = jar.get(NOTICE_COOKIE).map(|c| c.value().to_owned()) else {
        return (jar, None);
    };
    let jar = jar.remove(Cookie::build(NOTICE_COOKIE).path("/"));
    let notice = NOTICE_KEYS
        .iter()
        .find(|k| **k == value)
        .map(|k| t.t(k).to_owned());
    (jar, notice)
}

/// Starts the breadcrumbs of a page at the home page.
pub(crate) fn crumbs_from_home(c: &mut Chrome) {
    c.crumbs.push((c.t.t("nav.home").into(), "/".into()));
}

/// One `<option>` of a select.
pub(crate) struct Opt {
    pub value: String,
    pub label: String,
}

impl Opt {
    pub(crate) fn new(value: impl Into<String>, label: impl Into<String>) -> Opt {
        Opt {
            value: value.into(),
            label: label.into(),
        }
    }
}

/// The answer to a storage call that failed outside a form: 404 for what
/// is missing or out of reach, 403 for what may not be done, else a logged
/// internal error.
pub(crate) async fn storage_failure(
    state: &AppState,
    a: &Authenticated,
    locale: Locale,
    e: storage::Error,
) -> Response {
    match e {
        storage::Error::NotFound => not_found_for(state, a, locale).await,
        storage::Error::Forbidden => forbidden_for(state, a, locale).await,
        other => {
            let t = T(locale);
            let status = if matches!(other, storage::Error::Invalid(_)) {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::INTERNAL_SERVER_ERROR
            };
            let mut c = Chrome::new(state, a, locale, "", t.t("common.error")).await;
            c.add_error(&other);
            let page = MessagePage {
                c,
                heading: t.t("common.error").into(),
                back: "/".into(),
            };
            render_status(status, &page)
        }
    }
}

// ---------------------------------------------------------------- login

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    next: String,
    username: String,
    demo: Vec<(&'static str, &'static str)>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Only local paths are followed after login, never another site. Browsers
/// drop tabs and newlines from a `Location` and read `\\` as `/`, so
/// `/\t/evil.example` would become `//evil.example`: a path with any control
/// character, whitespace or backslash, or whose second character is a slash
/// or backslash, is not followed.
fn safe_next(next: Option<&str>) -> String {
    let local = |n: &str| {
        n.starts_with('/')
            && !matches!(n.as_bytes().get(1), Some(b'/' | b'\\'))
            && !n
                .chars()
                .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
    };
    match next {
        Some(n) if local(n) => n.to_owned(),
        _ => "/".to_owned(),
    }
}

fn login_page(state: &AppState, locale: Locale, next: String, username: String) -> LoginPage {
    let t = T(locale);
    let demo = if state.settings.show_demo_logins {
        crate::demo::DEMO_LOGINS
            .iter()
            .map(|l| (l.username, l.who))
            .collect()
    } else {
        Vec::new()
    };
    LoginPage {
        c: Chrome::anonymous(locale, t.t("login.title")),
        next,
        username,
        demo,
    }
}

async fn login_form(
    State(state): State<AppState>,
    Lang(locale): Lang,
    Query(q): Query<NextQuery>,
) -> Response {
    render(&login_page(
        &state,
        locale,
        safe_next(q.next.as_deref()),
        String::new(),
    ))
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    Lang(locale): Lang,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    match accounts::login(&state.db, &form.username, &form.password).await {
        Ok(s) => {
            let secure = auth::is_https(&state, &headers);
            (
                jar.add(auth::session_cookie(s.token, secure)),
                Redirect::to(&next),
            )
                .into_response()
        }
        Err(e) => {
            let t = T(locale);
            let mut page = login_page(&state, locale, next, form.username);
            let (status, msg) = match e {
                storage::Error::Throttled(_) => {
                    (StatusCode::TOO_MANY_REQUESTS, t.t("login.throttled"))
                }
                storage::Error::Unauthenticated => (StatusCode::UNAUTHORIZED, t.t("login.failed")),
                other => {
                    tracing::error!(error = %other, "login failed");
                    (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "internal error / 内部错误",
                    )
                }
            };
            page.c.errors.push(msg.to_owned());
            render_status(status, &page)
        }
    }
}

async fn logout(State(state): State<AppState>, jar: CookieJar, PageUser(a): PageUser) -> Response {
    if let Via::Cookie(token) = &a.via
        && let Err(e) = accounts::logout(&state.db, token).await
    {
        tracing::error!(error = %e, "logout failed");
    }
    (
        jar.add(auth::clear_session_cookie()),
        Redirect::to("/login"),
    )
        .into_response()
}

/// `GET /lang/{zh|en}`: the language for this browser, and for the user's
/// account when signed in.
async fn set_lang(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
    jar: CookieJar,
    req: Request,
) -> Response {
    let Some(locale) = Locale::from_code(&code) else {
        return not_found_page(&req);
    };
    if let Some(a) = req.extensions().get::<Authenticated>()
        && let Err(e) = accounts::set_locale(&state.db, a.actor(), Some(locale.code())).await
    {
        tracing::error!(error = %e, "saving the language failed");
    }
    let cookie = Cookie::build((auth::LANG_COOKIE, locale.code()))
        .path("/")
        .same_site(SameSite::Lax)
        .max_age(cookie::time::Duration::days(365))
        .build();
    (jar.add(cookie), Redirect::to(&safe_next(q.next.as_deref()))).into_response()
}

// ---------------------------------------------------------------- home

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Chrome,
    name: String,
    units: usize,
    people: usize,
    reach: String,
}

async fn home(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
) -> Response {
    let t = T(locale);
    let actor = a.actor();
    let c = Chrome::new(&state, &a, locale, "home", t.t("nav.home")).await;
    let units = store::list_units(&state.db, actor).await;
    let people = store::list_people(&state.db, actor, &Default::default()).await;
    let (units, people) = match (units, people) {
        (Ok(u), Ok(p)) => (u, p),
        (Err(e), _) | (_, Err(e)) => {
            let mut c = c;
            c.add_error(&e);
            let page = HomePage {
                name: String::new(),
                units: 0,
                people: 0,
                reach: String::new(),
                c,
            };
            return render_status(StatusCode::INTERNAL_SERVER_ERROR, &page);
        }
    };
    let own_unit = units.first().map(|u| u.name.clone()).unwrap_or_default();
    let reach = match actor.people_read() {
        Reach::All => t.pick("全公司", "The whole company").to_owned(),
        Reach::Subtree(_) => match locale {
            Locale::Zh => format!("{own_unit}及其下级部门"),
            Locale::En => format!("{own_unit} and the units below it"),
        },
        Reach::Own(_) => t.pick("本人的记录", "Your own records").to_owned(),
        _ => t.t("common.none").to_owned(),
    };
    let name = c.user.as_ref().map(|u| u.name.clone()).unwrap_or_default();
    render(&HomePage {
        c,
        name,
        units: units.len(),
        people: people.len(),
        reach,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_only_returns_to_local_pages() {
        assert_eq!(safe_next(Some("/org/HD")), "/org/HD");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn login_does_not_follow_paths_browsers_would_rewrite() {
        // Browsers strip tabs and newlines, and read `\` as `/`.
        assert_eq!(safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(safe_next(Some("/\n/evil.example")), "/");
        assert_eq!(safe_next(Some("/\r/evil.example")), "/");
        assert_eq!(safe_next(Some("/ /evil.example")), "/");
        assert_eq!(safe_next(Some("/\u{a0}/evil.example")), "/");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("/org/\\evil")), "/");
        assert_eq!(safe_next(Some("\\/evil.example")), "/");
        // Percent-encoded, the tab stays part of a local path.
        assert_eq!(safe_next(Some("/%09/evil.example")), "/%09/evil.example");
        assert_eq!(safe_next(Some("/people?q=a%20b")), "/people?q=a%20b");
    }
}
