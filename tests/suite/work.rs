//! Daily plans and weekly reports: the morning plan with its defaults, the
//! evening log, calls and visits counted from the activities (plan against
//! done per day and week), weekly reports with the team's list of who has
//! not submitted, managers' comments, reach and bad input.

use chrono::{Datelike, NaiveDate};
use mubiao::domain::role::Role;
use mubiao::storage::{accounts, org};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_databases;
use crate::common::{Client, TestApp};

fn fields(e: &Value) -> Vec<&str> {
    e["details"]
        .as_array()
        .map(|a| a.iter().filter_map(|d| d["field"].as_str()).collect())
        .unwrap_or_default()
}

/// A Monday before the demo company's records (calls and visits from
/// 2025, plans from October 2026, weekly reports of the last weeks): the
/// week 2024-W37 is this test's own.
fn quiet_monday() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 9, 9).unwrap()
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn week(d: NaiveDate) -> String {
    let w = d.iso_week();
    format!("{:04}-W{:02}", w.year(), w.week())
}

async fn colleague(app: &TestApp) -> Client {
    let id = org::person_id_by_employee_no(app.db(), "E0016")
        .await
        .unwrap();
    accounts::create_user(app.db(), None, "luojiayi", "luojiayi-2026", Role::Sales, id)
        .await
        .unwrap();
    app.login("luojiayi", "luojiayi-2026").await
}

async fn log(c: &Client, kind: &str, on: &str) {
    let (status, a) = c
        .post(
            "/api/v1/activities",
            json!({"kind": kind, "occurred_on": on, "outcome": "已沟通"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
}

both_databases! {
    async fn plan_against_done_counts_the_activities(app) {
        let sales = app.demo("sales").await;
        let monday = quiet_monday();
        let tuesday = monday + chrono::Duration::days(1);
        let (mon, tue) = (ymd(monday), ymd(tuesday));
        let path = format!("/api/v1/daily-plans/E0015/{mon}");

        // A day not planned yet shows the seed's defaults.
        let (status, p) = sales.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{p}");
        assert_eq!(p["exists"], false);
        assert_eq!(p["planned_calls"], 30);
        assert_eq!(p["planned_visits"], 4);

        // Morning: the plan.
        let (status, p) = sales
            .put(&path, json!({"planned_calls": 20, "planned_visits": 3, "morning_note": "重点跟进地铁项目",
                "tasks": [{"text": "给申通回电话"}, {"text": "准备投标文件"}, {"text": "拜访萧山机场"}]}))
            .await;
        assert_eq!(status, StatusCode::OK, "{p}");
        assert_eq!(p["exists"], true);
        assert_eq!(p["planned_calls"], 20);
        assert_eq!(p["tasks"].as_array().unwrap().len(), 3);
        assert_eq!(p["tasks_done"], 0);

        // The day's work: two calls, one visit, a meeting (not counted),
        // and a call on Tuesday.
        log(&sales, "call", &mon).await;
        log(&sales, "call", &mon).await;
        log(&sales, "visit", &mon).await;
        log(&sales, "meeting", &mon).await;
        log(&sales, "call", &tue).await;
        // A colleague's call is not counted.
        let luo = colleague(&app).await;
        log(&luo, "call", &mon).await;

        // Evening: tasks ticked, the log written; planned figures kept.
        let (status, p) = sales
            .put(&path, json!({"evening_log": "完成两通电话，拜访一家",
                "tasks": [{"text": "给申通回电话", "done": true}, {"text": "准备投标文件", "done": true}, {"text": "拜访萧山机场"}]}))
            .await;
        assert_eq!(status, StatusCode::OK, "{p}");
        assert_eq!(p["planned_calls"], 20);
        assert_eq!(p["morning_note"], "重点跟进地铁项目");
        assert_eq!(p["evening_log"], "完成两通电话，拜访一家");
        assert_eq!(p["done_calls"], 2);
        assert_eq!(p["done_visits"], 1);
        assert_eq!(p["tasks_done"], 2);

        // The week, day by day and in total.
        let (status, r) = sales.get(&format!("/api/v1/daily-plans?person=E0015&week={}", week(monday))).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        let days = r["days"].as_array().unwrap();
        assert_eq!(days.len(), 7);
        assert_eq!(days[0]["day"], mon);
        assert_eq!(days[0]["planned_calls"], 20);
        assert_eq!(days[0]["done_calls"], 2);
        assert_eq!(days[0]["tasks"], 3);
        assert_eq!(days[0]["logged"], true);
        assert_eq!(days[1]["has_plan"], false);
        assert_eq!(days[1]["planned_calls"], Value::Null);
        assert_eq!(days[1]["done_calls"], 1);
        assert_eq!(r["totals"], json!({"days_planned": 1, "planned_calls": 20, "done_calls": 3,
            "planned_visits": 3, "done_visits": 1, "tasks": 3, "tasks_done": 2}));
        // from/to say the same; the caller is the default person.
        let (_, r2) = sales.get(&format!("/api/v1/daily-plans?from={mon}&to={tue}")).await;
        assert_eq!(r2["totals"]["done_calls"], 3);
        assert_eq!(r2["days"].as_array().unwrap().len(), 2);

        // The page shows plan against done.
        let (status, html) = sales.page(&format!("/work/day/{mon}")).await;
        assert_eq!(status, StatusCode::OK);
        for want in ["给申通回电话", "完成两通电话", "重点跟进地铁项目"] {
            assert!(html.contains(want), "{want} missing");
        }
        let (status, _) = sales.page("/work/today").await;
        assert_eq!(status, StatusCode::OK);

        // Every write is audited.
        let (_, audit) = app.demo("admin").await.get(&format!("/api/v1/audit?entity=daily_plan&record=E0015%20{mon}")).await;
        assert_eq!(audit.as_array().unwrap().len(), 2, "{audit}");
    }

    async fn managers_comment_and_see_who_has_not_reported(app) {
        let sales = app.demo("sales").await;
        let manager = app.demo("manager").await;
        let monday = quiet_monday();
        let w = week(monday);
        let day = format!("/api/v1/daily-plans/E0015/{}", ymd(monday));
        let (status, _) = sales.put(&day, json!({"planned_calls": 30})).await;
        assert_eq!(status, StatusCode::OK);

        // The weekly report: a draft, then submitted.
        let report = format!("/api/v1/weekly-reports/E0015/{w}");
        let (status, r) = sales.get(&report).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        assert_eq!(r["exists"], false);
        assert_eq!(r["from"], ymd(monday));
        let (status, e) = sales.put(&report, json!({"submit": true})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["summary"]);
        let (status, r) = sales.put(&report, json!({"summary": "本周拜访3家客户", "next_week_plan": "完成投标", "problems": "需要技术支持"})).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        assert_eq!(r["submitted"], false);
        // A draft cannot be commented.
        let (status, e) = manager.post(&format!("{report}/comment"), json!({"comment": "很好"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (status, r) = sales.put(&report, json!({"submit": true})).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        assert_eq!(r["submitted"], true);
        assert_eq!(r["summary"], "本周拜访3家客户");
        assert_eq!(r["totals"]["planned_calls"], 30);

        // The manager's team list: who has not submitted comes first.
        let (status, t) = manager.get(&format!("/api/v1/weekly-reports?week={w}&unit=HD-SH")).await;
        assert_eq!(status, StatusCode::OK, "{t}");
        let people = t["people"].as_array().unwrap();
        let me = people.iter().find(|p| p["person"] == "E0015").unwrap();
        assert_eq!(me["submitted"], true);
        assert_eq!(me["problems"], "需要技术支持");
        assert_eq!(me["totals"]["planned_calls"], 30);
        assert!(people.iter().any(|p| p["person"] == "E0016" && p["submitted"] == false));
        assert_eq!(t["missing"].as_u64().unwrap() as usize, people.len() - 1);
        assert_eq!(people.last().unwrap()["person"], "E0015");
        // A salesperson's list is themselves.
        let (_, own) = sales.get(&format!("/api/v1/weekly-reports?week={w}")).await;
        let own: Vec<&str> = own["people"].as_array().unwrap().iter().map(|p| p["person"].as_str().unwrap()).collect();
        assert_eq!(own, ["E0015"]);

        // Comments: the manager may; the salesperson not on their own;
        // a colleague does not even see it.
        let (status, r) = manager.post(&format!("{report}/comment"), json!({"comment": "技术支持下周安排"})).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        assert_eq!(r["manager_comment"], "技术支持下周安排");
        assert_eq!(r["commented_by"], "王建国");
        let (status, _) = sales.post(&format!("{report}/comment"), json!({"comment": "自评"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = sales.post(&format!("{day}/comment"), json!({"comment": "自评"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, p) = manager.post(&format!("{day}/comment"), json!({"comment": "电话量达标"})).await;
        assert_eq!(status, StatusCode::OK, "{p}");
        assert_eq!(p["manager_comment"], "电话量达标");
        let (_, p) = sales.get(&day).await;
        assert_eq!(p["manager_comment"], "电话量达标");
        assert_eq!(p["may_comment"], false);
        let luo = colleague(&app).await;
        for path in [report.clone(), day.clone()] {
            let (status, e) = luo.get(&path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            assert!(!e.to_string().contains("本周拜访"));
            let (status, _) = luo.post(&format!("{path}/comment"), json!({"comment": "x"})).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        }
        let (status, _) = luo.put(&day, json!({"planned_calls": 1})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // The manager reads but does not write their people's plans.
        let (status, _) = manager.put(&day, json!({"planned_calls": 1})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // The GM comments too; HR sees nothing.
        let (status, _) = app.demo("gm").await.post(&format!("{report}/comment"), json!({"comment": "继续加油"})).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = app.demo("hr").await.get(&report).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // The pages: the manager's team week, and the report itself.
        let (status, html) = manager.page(&format!("/work/week/{w}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("罗佳怡") && html.contains("张晓明"), "{html}");
        let (status, html) = manager.page(&format!("/work/week/{w}?person=E0015")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("本周拜访3家客户") && html.contains("继续加油"));
        let (status, _) = luo.page(&format!("/work/week/{w}?person=E0015")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    async fn the_day_and_week_pages_save_plans_logs_and_reports(app) {
        use crate::projects::post_form;
        let sales = app.demo("sales").await;
        let day = "/work/day/2024-09-11";
        let (status, to, _) = post_form(&sales, day, &[
            ("action", "morning"), ("planned_calls", "35"), ("planned_visits", "5"),
            ("tasks", "回访申通\n准备标书\n"), ("morning_note", ""),
        ]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(to, day);
        let (status, _, _) = post_form(&sales, day, &[("action", "evening"), ("done_2", "on"), ("evening_log", "标书完成")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, p) = sales.get("/api/v1/daily-plans/E0015/2024-09-11").await;
        assert_eq!(p["planned_calls"], 35);
        assert_eq!(p["tasks"], json!([{"text": "回访申通", "done": false}, {"text": "准备标书", "done": true}]));
        assert_eq!(p["evening_log"], "标书完成");
        // Replanning in the morning keeps what was ticked.
        let (status, _, _) = post_form(&sales, day, &[
            ("action", "morning"), ("planned_calls", "35"), ("planned_visits", "5"),
            ("tasks", "准备标书\n拜访萧山机场"), ("morning_note", "下午外出"),
        ]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, p) = sales.get("/api/v1/daily-plans/E0015/2024-09-11").await;
        assert_eq!(p["tasks"], json!([{"text": "准备标书", "done": true}, {"text": "拜访萧山机场", "done": false}]));
        let (status, _, html) = post_form(&sales, day, &[("action", "morning"), ("planned_calls", "-1"), ("planned_visits", "5"), ("tasks", "")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("-1"), "{html}");
        // The manager comments on the page; the salesperson sees it.
        let manager = app.demo("manager").await;
        let (status, to, _) = post_form(&manager, &format!("{day}?person=E0015"), &[("action", "comment"), ("comment", "拜访要提前预约")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{to}");
        let (_, html) = sales.page(day).await;
        assert!(html.contains("拜访要提前预约"));
        // Its date is the company's day: 23:30 UTC is 07:30 next morning in Shanghai.
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
        use mubiao::storage::entity::{daily_plan, weekly_report};
        let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&chrono::Utc);
        daily_plan::Entity::update_many()
            .col_expr(daily_plan::Column::CommentedAt, Expr::value(at("2024-09-11T23:30:00Z")))
            .filter(daily_plan::Column::CommentedAt.is_not_null())
            .exec(app.db())
            .await
            .unwrap();
        let (_, html) = sales.page(day).await;
        assert!(html.contains("· 2024-09-12"), "the comment's date in Shanghai: {html}");

        // The weekly report: saved, then submitted, then commented.
        let week = "/work/week/2024-W37";
        let (status, _, _) = post_form(&sales, week, &[("action", "save"), ("summary", "本周完成标书"), ("next_week_plan", "投标"), ("problems", "")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, r) = sales.get("/api/v1/weekly-reports/E0015/2024-W37").await;
        assert_eq!(r["submitted"], false);
        let (status, _, _) = post_form(&sales, week, &[("action", "submit"), ("summary", "本周完成标书"), ("next_week_plan", "投标"), ("problems", "需要报价支持")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, r) = sales.get("/api/v1/weekly-reports/E0015/2024-W37").await;
        assert_eq!(r["submitted"], true);
        assert_eq!(r["problems"], "需要报价支持");
        let (status, _, _) = post_form(&manager, &format!("{week}?person=E0015"), &[("action", "comment"), ("comment", "报价下周给你")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, html) = sales.page(week).await;
        assert!(html.contains("报价下周给你"));
        weekly_report::Entity::update_many()
            .col_expr(weekly_report::Column::CommentedAt, Expr::value(at("2024-09-15T17:00:00Z")))
            .filter(weekly_report::Column::CommentedAt.is_not_null())
            .exec(app.db())
            .await
            .unwrap();
        let (_, html) = sales.page(week).await;
        assert!(html.contains("· 2024-09-16"), "the comment's date in Shanghai: {html}");
        let (status, _, _) = post_form(&sales, week, &[("action", "comment"), ("comment", "自评")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _, html) = post_form(&sales, "/work/week/2024-37", &[("action", "save"), ("summary", "x")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("2026-W48"), "names the format: {html}");
    }

    async fn bad_plans_and_reports_name_the_field(app) {
        let sales = app.demo("sales").await;
        let (status, e) = sales
            .put("/api/v1/daily-plans/E0015/2024-09-10", json!({"planned_calls": -5, "planned_visits": 1000,
                "tasks": [{"text": "ok"}, {"text": ""}]}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let f = fields(&e);
        for want in ["planned_calls", "planned_visits", "tasks[1].text"] {
            assert!(f.contains(&want), "{want} missing in {e}");
        }
        let (_, p) = sales.get("/api/v1/daily-plans/E0015/2024-09-10").await;
        assert_eq!(p["exists"], false, "nothing written");
        let (status, e) = sales.put("/api/v1/daily-plans/E0015/2026-02-30", json!({})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&e), ["day"]);
        for bad in ["2026-48", "2026-W54", "W48", "2026-w48x"] {
            let (status, e) = sales.put(&format!("/api/v1/weekly-reports/E0015/{bad}"), json!({"summary": "x"})).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {e}");
            assert_eq!(fields(&e), ["week"], "{bad}");
            assert!(e["details"][0]["message_zh"].as_str().unwrap().contains("2026-W48"));
        }
        let (status, e) = sales.get("/api/v1/weekly-reports?week=48").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&e), ["week"]);
        let (status, e) = sales.get("/api/v1/daily-plans?from=2026-01-01&to=2026-12-31").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&e), ["to"]);
        let (status, e) = app.demo("manager").await.post("/api/v1/daily-plans/E0015/2024-09-10/comment", json!({"comment": "  "})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&e), ["comment"]);
        let (status, _) = sales.get("/api/v1/daily-plans/E9999/2024-09-10").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}
