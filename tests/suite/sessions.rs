//! Signed-in callers are kept in memory per server: two servers on one
//! database must still agree at once on who is signed in. Every change made
//! through one server is checked on the other on its very next request,
//! after that server has already served (and kept) the caller.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, HeaderMap, HeaderValue, SET_COOKIE};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::json;

use crate::both_databases;
use crate::common::{Client, TestApp};

/// A session of `username` made through `app`: the cookie value and the
/// CSRF token. Read off the answer, so no cookie jar can drop it later.
async fn session(app: &TestApp, username: &str, password: &str) -> (String, String) {
    let resp = reqwest::Client::new()
        .post(app.url("/api/v1/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .expect("login");
    assert_eq!(resp.status(), StatusCode::OK, "login {username}");
    let cookie = resp
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("mubiao_session="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_owned();
    let body: serde_json::Value = resp.json().await.expect("login body");
    let csrf = body["csrf_token"]
        .as_str()
        .expect("a CSRF token")
        .to_owned();
    (cookie, csrf)
}

/// A client of `app` that always sends this session cookie.
fn with_cookie(app: &TestApp, cookie: &str, csrf: &str) -> Client {
    let mut headers = HeaderMap::new();
    headers.insert(
        COOKIE,
        HeaderValue::from_str(&format!("mubiao_session={cookie}")).expect("cookie header"),
    );
    Client {
        http: reqwest::Client::builder()
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        base: app.url(""),
        csrf: Some(csrf.to_owned()),
        bearer: None,
    }
}

/// A new API token of the user behind `c`.
async fn new_token(c: &Client) -> (String, i64) {
    let (status, body) = c.post("/api/v1/tokens", json!({"name": "script"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let token = body["token"].as_str().expect("token").to_owned();
    let id = body["id"].as_i64().expect("token id");
    (token, id)
}

/// `GET /api/v1/me` through `c`: the status and the role.
async fn me(c: &Client) -> (StatusCode, String) {
    let (status, body) = c.get("/api/v1/me").await;
    (status, body["role"].as_str().unwrap_or_default().to_owned())
}

both_databases! {
    async fn logout_through_one_server_ends_the_session_on_the_other(app) {
        let other = app.another_server().await;
        let (cookie, csrf) = session(&app, "sales", "demo").await;
        let here = with_cookie(&app, &cookie, &csrf);
        let there = with_cookie(&other, &cookie, &csrf);
        // Both servers have served, and kept, the session.
        assert_eq!(me(&here).await.0, StatusCode::OK);
        assert_eq!(me(&there).await.0, StatusCode::OK);
        let (status, _) = here.post("/api/v1/logout", json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(me(&there).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(me(&here).await.0, StatusCode::UNAUTHORIZED);
    }

    async fn a_password_change_ends_the_other_sessions_on_every_server(app) {
        let other = app.another_server().await;
        let (kept, kept_csrf) = session(&app, "sales", "demo").await;
        let (stolen, stolen_csrf) = session(&app, "sales", "demo").await;
        let here = with_cookie(&app, &kept, &kept_csrf);
        let kept_there = with_cookie(&other, &kept, &kept_csrf);
        let stolen_there = with_cookie(&other, &stolen, &stolen_csrf);
        assert_eq!(me(&kept_there).await.0, StatusCode::OK);
        assert_eq!(me(&stolen_there).await.0, StatusCode::OK);
        let (status, body) = here.put("/api/v1/me/password", json!({
            "old_password": "demo", "new_password": "a-new-password",
        })).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        assert_eq!(me(&stolen_there).await.0, StatusCode::UNAUTHORIZED, "the other session ended");
        assert_eq!(me(&kept_there).await.0, StatusCode::OK, "the session in use stays");

        // An admin's reset ends every session and revokes every token.
        let (token, _) = new_token(&here).await;
        let token_there = other.with_token(&token);
        assert_eq!(me(&token_there).await.0, StatusCode::OK);
        let admin = app.demo("admin").await;
        let (status, body) = admin.put("/api/v1/users/sales/password", json!({"new_password": "reset-by-admin"})).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        assert_eq!(me(&kept_there).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(me(&token_there).await.0, StatusCode::UNAUTHORIZED);
    }

    async fn a_revoked_token_stops_working_on_every_server(app) {
        let other = app.another_server().await;
        let sales = app.demo("sales").await;
        let (token, id) = new_token(&sales).await;
        let (keep, _) = new_token(&sales).await;
        let there = other.with_token(&token);
        let keep_there = other.with_token(&keep);
        assert_eq!(me(&there).await.0, StatusCode::OK);
        assert_eq!(me(&keep_there).await.0, StatusCode::OK);
        let (status, _) = sales.delete(&format!("/api/v1/tokens/{id}")).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(me(&there).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(me(&keep_there).await.0, StatusCode::OK, "only that token");
        // "Last used" is still written while the caller is kept in memory.
        let (_, tokens) = sales.get("/api/v1/tokens").await;
        let used = tokens.as_array().expect("a list").iter()
            .find(|t| t["name"] == "script" && t["revoked_at"].is_null())
            .expect("the kept token")["last_used_at"].clone();
        assert!(!used.is_null(), "{tokens}");
    }

    async fn a_role_change_through_one_server_changes_reach_on_the_other(app) {
        let other = app.another_server().await;
        let (cookie, csrf) = session(&app, "manager", "demo").await;
        let there = with_cookie(&other, &cookie, &csrf);
        let (token, _) = new_token(&with_cookie(&app, &cookie, &csrf)).await;
        let token_there = other.with_token(&token);
        for c in [&there, &token_there] {
            let (status, t) = c.get("/api/v1/table?subject=unit:HD&year=2031").await;
            assert_eq!(status, StatusCode::OK, "a manager sees their region: {t}");
            assert_eq!(me(c).await, (StatusCode::OK, "manager".to_owned()));
        }
        let admin = app.demo("admin").await;
        let (status, body) = admin.patch("/api/v1/people/E0002", json!({"role": "sales"})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        for c in [&there, &token_there] {
            assert_eq!(me(c).await, (StatusCode::OK, "sales".to_owned()));
            let (status, _) = c.get("/api/v1/table?subject=unit:HD&year=2031").await;
            assert_eq!(status, StatusCode::NOT_FOUND, "a salesperson sees no region");
        }
    }

    async fn a_deactivated_user_is_turned_away_by_every_server(app) {
        let other = app.another_server().await;
        let (cookie, csrf) = session(&app, "sales", "demo").await;
        let there = with_cookie(&other, &cookie, &csrf);
        let (token, _) = new_token(&with_cookie(&app, &cookie, &csrf)).await;
        let token_there = other.with_token(&token);
        assert_eq!(me(&there).await.0, StatusCode::OK);
        assert_eq!(me(&token_there).await.0, StatusCode::OK);
        let hr = app.demo("hr").await;
        let (status, body) = hr.patch("/api/v1/people/E0015", json!({"active": false})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(me(&there).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(me(&token_there).await.0, StatusCode::UNAUTHORIZED);
    }

    async fn a_kept_session_still_ends_when_it_expires(app) {
        use mubiao::storage::{accounts, entity::session};
        let sales = mubiao::storage::accounts::find_user(app.db(), "sales")
            .await
            .expect("query")
            .expect("the sales account");
        let cookie = accounts::random_token();
        // Long enough for the first request on a loaded machine.
        let expires = Utc::now() + Duration::seconds(8);
        session::ActiveModel {
            id_hash: Set(accounts::token_hash(&cookie)),
            user_id: Set(sales.id),
            csrf_token: Set("csrf".to_owned()),
            created_at: Set(Utc::now()),
            expires_at: Set(expires),
        }
        .insert(app.db())
        .await
        .expect("a short session");
        let c = with_cookie(&app, &cookie, "csrf");
        assert_eq!(me(&c).await.0, StatusCode::OK);
        // No write happens in between: only the clock ends the session.
        while Utc::now() <= expires {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(me(&c).await.0, StatusCode::UNAUTHORIZED);
    }
}
