//! Nobody climbs: role changes, account creation, imports and resets that
//! would hand someone more reach than their role gives.

use reqwest::StatusCode;
use serde_json::json;

use crate::both_databases;

both_databases! {
    async fn hr_cannot_make_itself_or_anyone_gm(app) {
        let hr = app.demo("hr").await;
        let (status, _) = hr.patch("/api/v1/people/E0007", json!({"role": "gm"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "HR changing its own role");
        let (status, _) = hr.patch("/api/v1/people/E0001", json!({"role": "sales"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "HR demoting the GM");
        let (status, e) = hr.post("/api/v1/people", json!({
            "employee_no": "E0400", "name": "钱多", "unit": "HQ", "role": "gm",
            "username": "qianduo", "password": "zongjingli1"
        })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e["details"][0]["field"], "role");
        // HR still edits its own contact data.
        let (status, _) = hr.patch("/api/v1/people/E0007", json!({"phone": "13700000007"})).await;
        assert_eq!(status, StatusCode::OK);
        let (_, me) = app.demo("hr").await.get("/api/v1/me").await;
        assert_eq!(me["role"], "hr");
    }

    async fn a_manager_leaves_other_functions_alone(app) {
        let admin = app.demo("admin").await;
        let (status, _) = admin.patch("/api/v1/people/E0006", json!({"unit": "HD-SH"})).await;
        assert_eq!(status, StatusCode::OK, "a sales admin placed in 上海一组");
        let m = app.demo("manager").await;
        let (status, _) = m.patch("/api/v1/people/E0006", json!({"active": false})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = m.patch("/api/v1/people/E0016", json!({"role": "manager"})).await;
        assert_eq!(status, StatusCode::OK, "promoting a salesperson to team lead is theirs");
        let (status, _) = m.patch("/api/v1/people/E0002", json!({"active": false})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "nobody deactivates themselves");
    }

    async fn only_admin_and_hr_create_logins(app) {
        let m = app.demo("manager").await;
        let new = json!({
            "employee_no": "E0401", "name": "孙悦", "unit": "HD-SH", "role": "sales",
            "username": "sunyue", "password": "chushimima1"
        });
        let (status, _) = m.post("/api/v1/people", new.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = m.get("/api/v1/people/E0401").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "nothing was created");
        let hr = app.demo("hr").await;
        let (status, p) = hr.post("/api/v1/people", new).await;
        assert_eq!(status, StatusCode::CREATED, "{p}");
        app.login("sunyue", "chushimima1").await;
    }

    async fn an_import_does_not_bring_back_people_who_left(app) {
        let admin = app.demo("admin").await;
        let (status, _) = admin.patch("/api/v1/people/E0015", json!({"active": false})).await;
        assert_eq!(status, StatusCode::OK);
        let hr = app.demo("hr").await;
        let csv = "工号,姓名,部门编码,角色\nE0015,张晓明,HD-SH,sales\n".as_bytes().to_vec();
        let (status, e) = hr.upload("/api/v1/import/people", "roster.csv", csv).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["details"][0]["row"], 2);
        let (status, _) = app.anonymous().post("/api/v1/login", json!({"username": "sales", "password": "demo"})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "the login stays closed");
    }

    async fn an_import_cannot_escalate_either(app) {
        let hr = app.demo("hr").await;
        let csv = "工号,姓名,部门编码,角色\nE0007,吴静,HQ-HR,总经理\n".as_bytes().to_vec();
        let (status, e) = hr.upload("/api/v1/import/people", "roster.csv", csv).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (_, me) = app.demo("hr").await.get("/api/v1/me").await;
        assert_eq!(me["role"], "hr");
    }

    async fn a_password_reset_revokes_tokens(app) {
        let m = app.demo("manager").await;
        let (_, t) = m.post("/api/v1/tokens", json!({"name": "脚本"})).await;
        let script = app.with_token(t["token"].as_str().unwrap());
        assert_eq!(script.get("/api/v1/me").await.0, StatusCode::OK);
        let admin = app.demo("admin").await;
        let (status, _) = admin.put("/api/v1/users/manager/password", json!({"new_password": "xinmima2026"})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(script.get("/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    }

    async fn search_ignores_case_and_takes_wildcards_literally(app) {
        let gm = app.demo("gm").await;
        let (_, found) = gm.get("/api/v1/people?q=e0015").await;
        assert_eq!(found.as_array().map(Vec::len), Some(1), "{found}");
        let (_, none) = gm.get("/api/v1/people?q=%25").await;
        assert_eq!(none.as_array().map(Vec::len), Some(0), "% is literal: {none}");
        let (_, none) = gm.get("/api/v1/people?q=E00_5").await;
        assert_eq!(none.as_array().map(Vec::len), Some(0), "_ is literal: {none}");
    }

    async fn an_overlong_username_is_just_a_wrong_login(app) {
        let name = "x".repeat(300);
        let (status, e) = app.anonymous().post("/api/v1/login", json!({"username": name, "password": "demo"})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{e}");
    }

    async fn changing_ones_password_ends_the_other_sessions(app) {
        let here = app.demo("sales").await;
        let elsewhere = app.demo("sales").await;
        let (status, _) = here.put("/api/v1/me/password", json!({"old_password": "demo", "new_password": "xinmima2026"})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(here.get("/api/v1/me").await.0, StatusCode::OK, "the session in use stays");
        assert_eq!(elsewhere.get("/api/v1/me").await.0, StatusCode::UNAUTHORIZED, "a stolen cookie stops working");
    }
}
