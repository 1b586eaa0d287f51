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
}
