//! Pages: one's own account (`/account`: password, language, API tokens)
//! and, for admin, everyone's (`/admin/users`: password resets).

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;

use super::audit::local_time;
use super::{Chrome, not_found_for, render, render_status};
use super::{crumbs_from_home, redirect_with_notice, storage_failure, take_notice};
use crate::domain::role::Role;
use crate::storage::org::{self as store, PeopleFilter, PersonView};
use crate::storage::{self, accounts};
use crate::web::AppState;
use crate::web::auth::{self, Authenticated, Lang, PageUser};
use crate::web::i18n::{Locale, T};

/// `/account…`, `/admin/users…`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(account))
        .route("/account/password", post(change_password))
        .route("/account/locale", post(set_locale))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
        .route("/admin/users", get(users))
        .route("/admin/users/{username}/password", post(reset_password))
}

// ---------------------------------------------------------------- /account

/// One API token as listed.
struct TokenRow {
    id: i64,
    name: String,
    prefix: String,
    created: String,
    last_used: Option<String>,
    revoked: Option<String>,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    c: Chrome,
    username: String,
    role: &'static str,
    person: Option<PersonView>,
    /// `zh`, `en`, or empty for "follow the browser".
    locale: String,
    tokens: Vec<TokenRow>,
    /// The secret of a token just created: shown this once.
    new_token: Option<String>,
    token_name: String,
    min_password: usize,
}

async fn account_page(
    state: &AppState,
    a: &Authenticated,
    locale: Locale,
) -> Result<AccountPage, storage::Error> {
    let t = T(locale);
    let actor = a.actor();
    let mut c = Chrome::new(state, a, locale, "account", t.t("account.title")).await;
    crumbs_from_home(&mut c);
    c.crumbs.push((t.t("account.title").into(), String::new()));
    let person = store::own_person(&state.db, actor).await?;
    let tz = state.settings.time_zone;
    let tokens = accounts::list_tokens(&state.db, actor)
        .await?
        .into_iter()
        .map(|k| TokenRow {
            id: k.id,
            name: k.name,
            prefix: k.prefix,
            created: local_time(k.created_at, tz),
            last_used: k.last_used_at.map(|d| local_time(d, tz)),
            revoked: k.revoked_at.map(|d| local_time(d, tz)),
        })
        .collect();
    Ok(AccountPage {
        c,
        username: a.signed_in.user.username.clone(),
        role: t.role(&actor.role),
        person,
        locale: a.signed_in.user.locale.clone().unwrap_or_default(),
        tokens,
        new_token: None,
        token_name: String::new(),
        min_password: accounts::MIN_PASSWORD_LEN,
    })
}

async fn account(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    jar: CookieJar,
) -> Response {
    let (jar, notice) = take_notice(jar, T(locale));
    match account_page(&state, &a, locale).await {
        Ok(mut page) => {
            page.c.notice = notice;
            (jar, render(&page)).into_response()
        }
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

/// Shows the account page again with the errors of a form.
async fn account_with_error(
    state: &AppState,
    a: &Authenticated,
    locale: Locale,
    e: &storage::Error,
    token_name: String,
) -> Response {
    match account_page(state, a, locale).await {
        Ok(mut page) => {
            page.c.add_error(e);
            page.token_name = token_name;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => storage_failure(state, a, locale, e).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PasswordForm {
    old_password: String,
    new_password: String,
    confirm_password: String,
}

/// `POST /account/password`: one's own, after the current one.
async fn change_password(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    jar: CookieJar,
    Form(form): Form<PasswordForm>,
) -> Response {
    if form.new_password != form.confirm_password {
        let e = storage::Error::invalid(
            "new_password",
            "the two new passwords differ",
            "两次输入的新密码不一致",
        );
        return account_with_error(&state, &a, locale, &e, String::new()).await;
    }
    let username = a.signed_in.user.username.clone();
    match accounts::set_password(
        &state.db,
        Some(a.actor()),
        &username,
        Some(&form.old_password),
        &form.new_password,
    )
    .await
    {
        Ok(()) => {
            let keep = match &a.via {
                crate::web::auth::Via::Cookie(token) => Some(token.as_str()),
                crate::web::auth::Via::Bearer => None,
            };
            if let Err(e) = accounts::end_other_sessions(&state.db, a.actor().user_id, keep).await {
                return storage_failure(&state, &a, locale, e).await;
            }
            redirect_with_notice(jar, "/account", "account.password_changed")
        }
        Err(e @ storage::Error::Invalid(_)) => {
            account_with_error(&state, &a, locale, &e, String::new()).await
        }
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LocaleForm {
    /// `zh`, `en` or `auto`.
    locale: String,
}

/// `POST /account/locale`: the language of the account; `auto` follows the
/// browser again (and forgets the language chosen on the login page).
async fn set_locale(
    State(state): State<AppState>,
    PageUser(a): PageUser,
    jar: CookieJar,
    Form(form): Form<LocaleForm>,
) -> Response {
    let chosen = Locale::from_code(form.locale.trim());
    let code = chosen.map(Locale::code);
    if let Err(e) = accounts::set_locale(&state.db, a.actor(), code).await {
        let locale = chosen.unwrap_or(Locale::Zh);
        return storage_failure(&state, &a, locale, e).await;
    }
    let jar = match code {
        Some(code) => jar.add(
            Cookie::build((auth::LANG_COOKIE, code))
                .path("/")
                .same_site(SameSite::Lax)
                .max_age(cookie::time::Duration::days(365))
                .build(),
        ),
        None => jar.remove(Cookie::build(auth::LANG_COOKIE).path("/")),
    };
    redirect_with_notice(jar, "/account", "account.language_saved")
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TokenForm {
    name: String,
}

/// `POST /account/tokens`: the new secret is shown on the answer itself,
/// once; it is not stored anywhere it could be shown again.
async fn create_token(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Form(form): Form<TokenForm>,
) -> Response {
    let actor = a.actor();
    match accounts::create_token(&state.db, Some(actor), actor.user_id, &form.name).await {
        Ok((secret, _)) => match account_page(&state, &a, locale).await {
            Ok(mut page) => {
                page.new_token = Some(secret);
                let mut resp = render(&page);
                // The page holds a secret: no cache may keep it.
                resp.headers_mut().insert(
                    axum::http::header::CACHE_CONTROL,
                    axum::http::HeaderValue::from_static("no-store"),
                );
                resp
            }
            Err(e) => storage_failure(&state, &a, locale, e).await,
        },
        Err(e @ storage::Error::Invalid(_)) => {
            account_with_error(&state, &a, locale, &e, form.name).await
        }
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

/// `POST /account/tokens/{id}/revoke`: one of one's own tokens.
async fn revoke_token(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Path(id): Path<String>,
    jar: CookieJar,
) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return not_found_for(&state, &a, locale).await;
    };
    match accounts::revoke_token(&state.db, a.actor(), id).await {
        Ok(()) => redirect_with_notice(jar, "/account", "account.token_revoked"),
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

// ---------------------------------------------------------------- /admin/users

/// One account as listed for admin.
struct UserRow {
    username: String,
    role: String,
    /// (工号, name) of the person behind the account.
    person: Option<(String, String)>,
    active: bool,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    c: Chrome,
    users: Vec<UserRow>,
    /// The visitor: their own password is changed under /account.
    me: String,
    /// The account whose reset form failed.
    failed: String,
    min_password: usize,
}

async fn users_page(
    state: &AppState,
    a: &Authenticated,
    locale: Locale,
) -> Result<UsersPage, storage::Error> {
    let t = T(locale);
    let actor = a.actor();
    let list = accounts::list_users(&state.db, actor).await?;
    let people = store::list_people(
        &state.db,
        actor,
        &PeopleFilter {
            inactive: true,
            ..Default::default()
        },
    )
    .await?;
    let by_login: HashMap<&str, (String, String)> = people
        .iter()
        .filter_map(|p| {
            p.username
                .as_deref()
                .map(|u| (u, (p.employee_no.clone(), p.name.clone())))
        })
        .collect();
    let mut c = Chrome::new(state, a, locale, "users", t.t("users.title")).await;
    crumbs_from_home(&mut c);
    c.crumbs.push((t.t("users.title").into(), String::new()));
    let users = list
        .into_iter()
        .map(|u| UserRow {
            role: u
                .role
                .parse::<Role>()
                .map_or_else(|_| u.role.clone(), |r| t.role(&r).to_owned()),
            person: by_login.get(u.username.as_str()).cloned(),
            username: u.username,
            active: u.active,
        })
        .collect();
    Ok(UsersPage {
        c,
        users,
        me: a.signed_in.user.username.clone(),
        failed: String::new(),
        min_password: accounts::MIN_PASSWORD_LEN,
    })
}

async fn users(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    jar: CookieJar,
) -> Response {
    if !a.actor().may_manage_accounts() {
        return not_found_for(&state, &a, locale).await;
    }
    let (jar, notice) = take_notice(jar, T(locale));
    match users_page(&state, &a, locale).await {
        Ok(mut page) => {
            page.c.notice = notice;
            (jar, render(&page)).into_response()
        }
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ResetForm {
    new_password: String,
}

/// `POST /admin/users/{username}/password`: sets a new password and ends
/// the user's sessions.
async fn reset_password(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Path(username): Path<String>,
    jar: CookieJar,
    Form(form): Form<ResetForm>,
) -> Response {
    let actor = a.actor();
    if !actor.may_manage_accounts() {
        return not_found_for(&state, &a, locale).await;
    }
    match accounts::set_password(&state.db, Some(actor), &username, None, &form.new_password).await
    {
        Ok(()) => redirect_with_notice(jar, "/admin/users", "users.reset_done"),
        Err(e @ storage::Error::Invalid(_)) => match users_page(&state, &a, locale).await {
            Ok(mut page) => {
                page.c.add_error(&e);
                for line in &mut page.c.errors {
                    *line = format!("{username} — {line}");
                }
                page.failed = username;
                render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
            }
            Err(e) => storage_failure(&state, &a, locale, e).await,
        },
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}
