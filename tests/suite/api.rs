//! The JSON API end to end: sign-in, units, people, audit, tokens.

use reqwest::StatusCode;
use serde_json::json;

use crate::both_databases;

both_databases! {
    async fn login_returns_the_user_and_a_csrf_token(app) {
        let c = app.demo("manager").await;
        let (status, me) = c.get("/api/v1/me").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(me["username"], "manager");
        assert_eq!(me["name"], "王建国");
        assert_eq!(me["role"], "manager");
        assert_eq!(me["employee_no"], "E0002");
        assert_eq!(me["unit"], "HD");
    }

    async fn manager_lists_only_their_region(app) {
        let c = app.demo("manager").await;
        let (_, units) = c.get("/api/v1/units").await;
        let codes: Vec<&str> = units.as_array().unwrap().iter().map(|u| u["code"].as_str().unwrap()).collect();
        assert_eq!(codes, ["HD", "HD-HZ", "HD-NJ", "HD-SH"]);
        let (_, people) = c.get("/api/v1/people").await;
        let people = people.as_array().unwrap();
        assert!(people.iter().all(|p| p["unit"].as_str().unwrap().starts_with("HD")));
        let (status, _) = c.get("/api/v1/units/HN").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    async fn manager_adds_a_team_and_it_is_audited(app) {
        let c = app.demo("manager").await;
        let (status, unit) = c.post("/api/v1/units", json!({"code": "HD-SH2", "name": "上海二组", "parent": "HD"})).await;
        assert_eq!(status, StatusCode::CREATED, "{unit}");
        assert_eq!(unit["parent"], "HD");
        let gm = app.demo("gm").await;
        let (status, log) = gm.get("/api/v1/audit?entity=unit&record=HD-SH2").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(log[0]["actor"], "manager");
        assert_eq!(log[0]["action"], "create");
        assert_eq!(log[0]["after"]["name"], "上海二组");
    }

    async fn health_check_answers_when_the_database_does(app) {
        let resp = reqwest::get(app.url("/healthz")).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
    }

    async fn openapi_document_lists_the_routes(app) {
        let (status, doc) = app.anonymous().get("/api/v1/openapi.json").await;
        assert_eq!(status, StatusCode::OK);
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        for path in ["/api/v1/login", "/api/v1/units", "/api/v1/people/{employee_no}", "/api/v1/import/people"] {
            assert!(doc["paths"][path].is_object(), "{path} documented");
        }
    }

    async fn salesperson_sees_only_their_own_record(app) {
        let c = app.demo("sales").await;
        let (_, people) = c.get("/api/v1/people").await;
        let nos: Vec<&str> = people.as_array().unwrap().iter().map(|p| p["employee_no"].as_str().unwrap()).collect();
        assert_eq!(nos, ["E0015"]);
        let (status, body) = c.get("/api/v1/people/E0016").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["error"], "not_found");
        let (_, units) = c.get("/api/v1/units").await;
        assert_eq!(units.as_array().unwrap().len(), 1);
        assert_eq!(units[0]["code"], "HD-SH");
    }

    async fn hr_adds_a_person_with_an_account_who_can_then_sign_in(app) {
        let hr = app.demo("hr").await;
        let (status, p) = hr.post("/api/v1/people", json!({
            "employee_no": "E0100", "name": "林晓", "unit": "HD-SH", "role": "sales",
            "hire_date": "2026-11-01", "phone": "13912345678", "email": "linxiao@demo.mubiao.cn",
            "username": "linxiao", "password": "qiuzhi2026"
        })).await;
        assert_eq!(status, StatusCode::CREATED, "{p}");
        // No manager given: the head of 上海一组 is the manager.
        assert_eq!(p["manager"], "E0008");
        assert_eq!(p["manager_explicit"], false);
        assert_eq!(p["username"], "linxiao");
        let lin = app.login("linxiao", "qiuzhi2026").await;
        let (_, me) = lin.get("/api/v1/me").await;
        assert_eq!(me["employee_no"], "E0100");
        assert_eq!(me["role"], "sales");
    }

    async fn deactivating_a_person_closes_their_account(app) {
        let sales = app.demo("sales").await;
        let admin = app.demo("admin").await;
        let (status, p) = admin.patch("/api/v1/people/E0015", json!({"active": false})).await;
        assert_eq!(status, StatusCode::OK, "{p}");
        assert_eq!(p["active"], false);
        // The open session ends, and signing in again fails.
        let (status, _) = sales.get("/api/v1/me").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _) = app.anonymous().post("/api/v1/login", json!({"username": "sales", "password": "demo"})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        // Inactive people are listed only when asked for.
        let (_, active) = admin.get("/api/v1/people?unit=HD-SH").await;
        assert!(active.as_array().unwrap().iter().all(|p| p["employee_no"] != "E0015"));
        let (_, all) = admin.get("/api/v1/people?unit=HD-SH&inactive=true").await;
        assert!(all.as_array().unwrap().iter().any(|p| p["employee_no"] == "E0015"));
    }

    async fn manager_moves_a_salesperson_between_own_teams_but_not_out(app) {
        let m = app.demo("manager").await;
        let (status, p) = m.patch("/api/v1/people/E0015", json!({"unit": "HD-HZ"})).await;
        assert_eq!(status, StatusCode::OK, "{p}");
        assert_eq!(p["unit"], "HD-HZ");
        assert_eq!(p["manager"], "E0009", "the new team's head");
        let (status, _) = m.patch("/api/v1/people/E0015", json!({"unit": "HN-GZ"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "HN-GZ is unknown to the manager");
        let (status, _) = m.patch("/api/v1/people/E0015", json!({"role": "admin"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }

    async fn a_unit_is_renamed_moved_and_given_a_head(app) {
        let admin = app.demo("admin").await;
        let (status, u) = admin.patch("/api/v1/units/HD-NJ", json!({"name": "南京一组", "parent": "HB", "head": "E0003"})).await;
        assert_eq!(status, StatusCode::OK, "{u}");
        assert_eq!(u["name"], "南京一组");
        assert_eq!(u["parent"], "HB");
        assert_eq!(u["head"], "E0003");
        // The manager of 华东 no longer reaches it.
        let m = app.demo("manager").await;
        let (status, _) = m.get("/api/v1/units/HD-NJ").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let gm = app.demo("gm").await;
        let (_, log) = gm.get("/api/v1/audit?entity=unit&record=HD-NJ").await;
        assert_eq!(log[0]["before"]["name"], "南京组");
        assert_eq!(log[0]["after"]["name"], "南京一组");
        assert_eq!(log[0]["before"]["parent"], "HD");
        assert_eq!(log[0]["after"]["parent"], "HB");
    }

    async fn an_empty_unit_can_be_deactivated_and_takes_no_new_people(app) {
        let admin = app.demo("admin").await;
        let (status, _) = admin.post("/api/v1/units", json!({"code": "HB-SJZ", "name": "石家庄组", "parent": "HB"})).await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, u) = admin.patch("/api/v1/units/HB-SJZ", json!({"active": false})).await;
        assert_eq!(status, StatusCode::OK, "{u}");
        assert_eq!(u["active"], false);
        let (status, e) = admin.post("/api/v1/people", json!({"employee_no": "E0200", "name": "韩冰", "unit": "HB-SJZ", "role": "sales"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e["details"][0]["field"], "unit");
    }

    async fn passwords_change_and_reset(app) {
        let sales = app.demo("sales").await;
        let (status, _) = sales.put("/api/v1/me/password", json!({"old_password": "wrong", "new_password": "xinmima2026"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, _) = sales.put("/api/v1/me/password", json!({"old_password": "demo", "new_password": "short"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, _) = sales.put("/api/v1/me/password", json!({"old_password": "demo", "new_password": "xinmima2026"})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        app.login("sales", "xinmima2026").await;
        let admin = app.demo("admin").await;
        let (status, _) = admin.put("/api/v1/users/sales/password", json!({"new_password": "chongzhi2026"})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        // The reset ends the user's sessions.
        let (status, _) = sales.get("/api/v1/me").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        app.login("sales", "chongzhi2026").await;
        let gm = app.demo("gm").await;
        let (_, log) = gm.get("/api/v1/audit?entity=user&record=sales").await;
        let actions: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["password_reset", "password_change", "create"]);
        // The log holds no password or hash.
        assert!(!log.to_string().contains("argon2"));
    }

    async fn api_tokens_work_until_revoked(app) {
        let m = app.demo("manager").await;
        let (status, t) = m.post("/api/v1/tokens", json!({"name": "周报脚本"})).await;
        assert_eq!(status, StatusCode::CREATED, "{t}");
        let secret = t["token"].as_str().unwrap().to_owned();
        assert!(secret.starts_with("mbt_"));
        let script = app.with_token(&secret);
        let (status, me) = script.get("/api/v1/me").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(me["username"], "manager");
        assert_eq!(me["csrf_token"], serde_json::Value::Null);
        // Writes with a token need no CSRF header.
        let (status, _) = script.post("/api/v1/units", json!({"code": "HD-CZ", "name": "常州组", "parent": "HD"})).await;
        assert_eq!(status, StatusCode::CREATED);
        let (_, list) = m.get("/api/v1/tokens").await;
        assert_eq!(list[0]["name"], "周报脚本");
        assert!(list[0]["last_used_at"].is_string());
        assert!(list.to_string().find(&secret).is_none(), "the list never shows the secret");
        let id = t["id"].as_i64().unwrap();
        let (status, _) = m.delete(&format!("/api/v1/tokens/{id}")).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = script.get("/api/v1/me").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }

    async fn logout_ends_the_session(app) {
        let c = app.demo("gm").await;
        let (status, _) = c.post("/api/v1/logout", json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = c.get("/api/v1/me").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }

    async fn pages_are_chinese_by_default_and_english_on_request(app) {
        let c = app.demo("manager").await;
        let (status, html) = c.page("/org").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("lang=\"zh-CN\""));
        assert!(html.contains("组织架构"));
        let resp = c.request(reqwest::Method::GET, "/lang/en?next=/org").send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let (_, html) = c.page("/org").await;
        assert!(html.contains("lang=\"en\""), "the user's choice is kept");
        assert!(html.contains("Organisation"));
        // An English browser gets English before anyone chooses.
        let resp = app.anonymous().request(reqwest::Method::GET, "/login")
            .header("Accept-Language", "en-US,en;q=0.9").send().await.unwrap();
        assert!(resp.text().await.unwrap().contains("Sign in"));
    }

    async fn every_answer_carries_the_security_headers(app) {
        let expected = [
            ("content-security-policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
            ("x-content-type-options", "nosniff"),
            ("referrer-policy", "same-origin"),
            ("x-frame-options", "DENY"),
        ];
        let c = app.anonymous();
        // A page, an API error answered by the middleware, a 404, an asset.
        for path in ["/login", "/api/v1/me", "/nope", "/assets/app.js"] {
            let resp = c.request(reqwest::Method::GET, path).send().await.unwrap();
            for (name, value) in expected {
                assert_eq!(resp.headers().get(name).and_then(|v| v.to_str().ok()), Some(value), "{path}: {name}");
            }
        }
        // The pages need no inline style or script, which the policy refuses.
        let manager = app.demo("manager").await;
        for path in ["/", "/org", "/people", "/people/E0015", "/account"] {
            let (status, html) = manager.page(path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert!(!html.contains(" style=") && !html.contains("<style") && !html.contains("<script>"), "{path}: {html}");
        }
    }

    async fn pages_require_sign_in(app) {
        let resp = app.anonymous().request(reqwest::Method::GET, "/people").send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        assert_eq!(resp.headers()["location"], "/login?next=/people");
    }
}
