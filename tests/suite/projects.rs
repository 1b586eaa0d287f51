//! Projects (项目/商机): the stage set-up with its follow-up cadence, the
//! overdue list for a salesperson and their manager, stage moves and
//! follow-ups, links to orders, reach and bad input.

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

/// The server's today, as the overdue list reports it.
async fn today(c: &Client) -> chrono::NaiveDate {
    let (status, o) = c.get("/api/v1/projects/overdue").await;
    assert_eq!(status, StatusCode::OK, "{o}");
    o["today"].as_str().unwrap().parse().unwrap()
}

fn days_ago(today: chrono::NaiveDate, n: i64) -> String {
    (today - chrono::Duration::days(n))
        .format("%Y-%m-%d")
        .to_string()
}

/// A login for 罗佳怡 (E0016), 张晓明's colleague in 上海一组.
async fn colleague(app: &TestApp) -> Client {
    let id = org::person_id_by_employee_no(app.db(), "E0016")
        .await
        .unwrap();
    accounts::create_user(app.db(), None, "luojiayi", "luojiayi-2026", Role::Sales, id)
        .await
        .unwrap();
    app.login("luojiayi", "luojiayi-2026").await
}

async fn new_project(c: &Client, name: &str, stage: &str) -> i64 {
    let (status, p) = c
        .post(
            "/api/v1/projects",
            json!({"name": name, "stage": stage, "amount": "1250000", "probability": 40}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    p["id"].as_i64().unwrap()
}

async fn follow(c: &Client, id: i64, on: &str) -> Value {
    let (status, p) = c
        .post(
            &format!("/api/v1/projects/{id}/followups"),
            json!({"followed_on": on, "note": "电话沟通方案", "next_step": "下周拜访"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    p
}

/// The ids in `list` among `mine` (the demo company has projects of its own).
fn ids(list: &Value, mine: &[i64]) -> Vec<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .filter(|id| mine.contains(id))
        .collect()
}

fn entry(list: &Value, id: i64) -> &Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap_or(&Value::Null)
}

both_databases! {
    async fn projects_are_overdue_once_past_their_stage_cadence(app) {
        let sales = app.demo("sales").await;
        let today = today(&sales).await;
        // 前期设计 (weekly), last followed 8 days ago: overdue by one day.
        let design = new_project(&sales, "浦东机场T3弱电", "design").await;
        follow(&sales, design, &days_ago(today, 8)).await;
        // 投标 (fortnightly), 8 days ago: not overdue.
        let bid = new_project(&sales, "张江园区安防", "bid").await;
        follow(&sales, bid, &days_ago(today, 8)).await;
        // 前期设计, exactly 7 days ago: due today, not overdue.
        let due_today = new_project(&sales, "虹桥枢纽改造", "design").await;
        let p = follow(&sales, due_today, &days_ago(today, 7)).await;
        assert_eq!(p["next_followup_due"], today.format("%Y-%m-%d").to_string());
        assert_eq!(p["days_overdue"], 0);
        // Never followed, created today: not overdue.
        let fresh = new_project(&sales, "新项目", "design").await;
        let mine = [design, bid, due_today, fresh];

        let (_, o) = sales.get("/api/v1/projects/overdue").await;
        assert_eq!(ids(&o["projects"], &mine), [design], "{o}");
        let d = entry(&o["projects"], design);
        assert_eq!(d["days_overdue"], 1);
        assert_eq!(d["cadence_days"], 7);
        assert_eq!(d["stage_name"], "前期设计");
        // Most overdue first.
        let late: Vec<i64> = o["projects"].as_array().unwrap().iter().map(|p| p["days_overdue"].as_i64().unwrap()).collect();
        assert!(late.windows(2).all(|w| w[0] >= w[1]), "{late:?}");
        assert!(o["projects"].as_array().unwrap().iter().all(|p| p["owner"] == "E0015"));
        let (_, bid_p) = sales.get(&format!("/api/v1/projects/{bid}")).await;
        assert_eq!(bid_p["days_overdue"], 0);
        assert_eq!(bid_p["next_followup_due"], days_ago(today, -6));

        // Their manager sees the team's overdue list; the colleague does not.
        let (_, m) = app.demo("manager").await.get("/api/v1/projects/overdue").await;
        assert_eq!(ids(&m["projects"], &mine), [design], "{m}");
        assert_eq!(entry(&m["projects"], design)["owner"], "E0015");
        let owners: std::collections::BTreeSet<&str> = m["projects"].as_array().unwrap().iter().map(|p| p["owner"].as_str().unwrap()).collect();
        assert!(owners.len() > 1, "the team's, not only E0015's: {owners:?}");
        let luo = colleague(&app).await;
        let (_, c) = luo.get("/api/v1/projects/overdue").await;
        assert_eq!(ids(&c["projects"], &mine), Vec::<i64>::new());
        assert!(c["projects"].as_array().unwrap().iter().all(|p| p["owner"] == "E0016"));
        // The filtered list says the same.
        let (_, l) = sales.get("/api/v1/projects?overdue=true").await;
        assert_eq!(ids(&l, &mine), [design]);

        // An older follow-up does not move the last one back; today's
        // clears the project from the list.
        let p = follow(&sales, design, &days_ago(today, 20)).await;
        assert_eq!(p["last_followup_on"], days_ago(today, 8));
        assert_eq!(p["followups"].as_array().unwrap().len(), 2);
        let p = follow(&sales, design, &days_ago(today, 0)).await;
        assert_eq!(p["days_overdue"], 0);
        assert_eq!(p["followups"][0]["by"], "E0015");
        let (_, o) = sales.get("/api/v1/projects/overdue").await;
        assert_eq!(ids(&o["projects"], &mine), Vec::<i64>::new());

        // A closed project is never overdue.
        let (status, p) = sales.patch(&format!("/api/v1/projects/{design}"), json!({"status": "lost"})).await;
        assert_eq!(status, StatusCode::OK, "{p}");
        assert_eq!(p["next_followup_due"], Value::Null);

        // The page shows the overdue block and badge.
        let stale = new_project(&sales, "老客户扩容", "design").await;
        follow(&sales, stale, &days_ago(today, 10)).await;
        let (status, html) = sales.page("/projects").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("老客户扩容"), "{html}");
        assert!(html.contains("逾期 3 天"), "the overdue badge: {html}");
    }

    async fn admin_configures_stages_and_cadence(app) {
        let sales = app.demo("sales").await;
        let (status, stages) = sales.get("/api/v1/project-stages").await;
        assert_eq!(status, StatusCode::OK);
        let codes: Vec<&str> = stages.as_array().unwrap().iter().map(|s| s["code"].as_str().unwrap()).collect();
        assert_eq!(codes, ["design", "bid", "detailing", "execution", "acceptance", "collection"]);
        let cadence: Vec<i64> = stages.as_array().unwrap().iter().map(|s| s["cadence_days"].as_i64().unwrap()).collect();
        assert_eq!(cadence, [7, 14, 14, 14, 14, 14]);
        assert_eq!(stages[0]["name"], "前期设计");

        let today = today(&sales).await;
        let bid = new_project(&sales, "张江园区安防", "bid").await;
        follow(&sales, bid, &days_ago(today, 8)).await;

        let mut set = json!([
            {"code": "design", "name": "前期设计", "name_en": "Early design", "cadence_days": 7},
            {"code": "bid", "name": "投标报价", "name_en": "Bidding", "cadence_days": 7},
            {"code": "detailing", "name": "深化设计", "cadence_days": 14},
            {"code": "execution", "name": "备货执行", "cadence_days": 14},
            {"code": "acceptance", "name": "验收", "cadence_days": 14},
            {"code": "collection", "name": "回款", "cadence_days": 30},
            {"code": "warranty", "name": "质保", "name_en": "Warranty", "cadence_days": 60},
        ]);
        // Only admin sets the stages up.
        let (status, _) = sales.put("/api/v1/project-stages", set.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = app.demo("manager").await.put("/api/v1/project-stages", set.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let admin = app.demo("admin").await;
        let (status, s) = admin.put("/api/v1/project-stages", set.clone()).await;
        assert_eq!(status, StatusCode::OK, "{s}");
        assert_eq!(s.as_array().unwrap().len(), 7, "质保 added: {s}");
        assert_eq!(s[1]["name"], "投标报价");
        assert_eq!(s[5]["cadence_days"], 30);
        assert_eq!(s[6]["name_en"], "Warranty");
        assert_eq!(s[6]["position"], 7);
        assert!(s[1]["projects"].as_u64().unwrap() >= 1);
        // A weekly cadence in bidding: now overdue by one day.
        let (_, o) = sales.get("/api/v1/projects/overdue").await;
        assert_eq!(ids(&o["projects"], &[bid]), [bid], "{o}");
        assert_eq!(entry(&o["projects"], bid)["days_overdue"], 1);
        assert_eq!(entry(&o["projects"], bid)["stage_name"], "投标报价");

        // An unused stage is removed; one in use cannot be.
        set.as_array_mut().unwrap().pop();
        let (status, s) = admin.put("/api/v1/project-stages", set.clone()).await;
        assert_eq!(status, StatusCode::OK, "{s}");
        assert_eq!(s.as_array().unwrap().len(), 6);
        let (status, e) = admin
            .put("/api/v1/project-stages", json!([
                {"code": "design", "name": "前期设计", "cadence_days": 7},
                {"code": "Bad Code", "name": "", "cadence_days": 0},
                {"code": "design", "name": "重复", "cadence_days": 400},
            ]))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let f = fields(&e);
        for want in ["items[1].code", "items[1].name", "items[1].cadence_days", "items[2].code", "items[2].cadence_days", "items"] {
            assert!(f.contains(&want), "{want} missing in {e}");
        }
        assert!(e.to_string().contains("投标报价"), "names the stage in use: {e}");
        let (_, still) = sales.get("/api/v1/project-stages").await;
        assert_eq!(still.as_array().unwrap().len(), 6, "nothing changed");

        // A deactivated stage keeps its projects but takes no new ones.
        set[1]["active"] = json!(false);
        let (status, _) = admin.put("/api/v1/project-stages", set).await;
        assert_eq!(status, StatusCode::OK);
        let (status, e) = sales.post("/api/v1/projects", json!({"name": "新项目", "stage": "bid"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["stage"]);
        let (status, _) = sales.patch(&format!("/api/v1/projects/{bid}"), json!({"probability": 60})).await;
        assert_eq!(status, StatusCode::OK, "a project stays in its deactivated stage");
        // Without a stage, a project starts in the first active one.
        let (_, p) = sales.post("/api/v1/projects", json!({"name": "默认阶段"})).await;
        assert_eq!(p["stage"], "design");
        assert_eq!(p["probability"], 0);
        assert_eq!(p["amount"], "0.00");
        // The set-up page shows the stages to everyone, editable by admin.
        let (status, html) = admin.page("/projects/stages").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("投标报价") && html.contains("cadence_1"), "{html}");
        let (_, html) = sales.page("/projects/stages").await;
        assert!(html.contains("投标报价") && !html.contains("cadence_1"));

        // The change is audited.
        let (_, audit) = admin.get("/api/v1/audit?entity=project_stage").await;
        assert_eq!(audit.as_array().unwrap().len(), 3, "{audit}");
    }

    async fn stage_moves_follow_ups_and_order_links(app) {
        let sales = app.demo("sales").await;
        let (status, cust) = sales.post("/api/v1/customers", json!({"name": "上海申通地铁集团"})).await;
        assert_eq!(status, StatusCode::CREATED, "{cust}");
        let customer = cust["id"].as_i64().unwrap();
        let (status, p) = sales
            .post("/api/v1/projects", json!({
                "name": "地铁14号线综合监控", "customer_id": customer, "amount": "3,860,000.50",
                "probability": 30, "bid_on": "2026-12-15", "delivery_on": "2027-03-01",
                "acceptance_on": "2027-06-30", "note": "业主要求国产化"
            }))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{p}");
        let id = p["id"].as_i64().unwrap();
        assert_eq!(p["amount"], "3860000.50");
        assert_eq!(p["customer"], "上海申通地铁集团");
        assert_eq!(p["owner"], "E0015");
        assert_eq!(p["stage"], "design");
        assert_eq!(p["status"], "open");
        assert_eq!(p["bid_on"], "2026-12-15");
        assert_eq!(p["may_write"], true);

        let (status, p) = sales.patch(&format!("/api/v1/projects/{id}"), json!({"stage": "bid", "probability": 50, "bid_on": null})).await;
        assert_eq!(status, StatusCode::OK, "{p}");
        assert_eq!(p["stage"], "bid");
        assert_eq!(p["cadence_days"], 14);
        assert_eq!(p["bid_on"], Value::Null);
        let (_, audit) = app.demo("admin").await.get(&format!("/api/v1/audit?entity=project&record={id}")).await;
        let actions: Vec<&str> = audit.as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap()).collect();
        assert!(actions.contains(&"stage"), "{audit}");
        let stage = audit.as_array().unwrap().iter().find(|a| a["action"] == "stage").unwrap();
        assert_eq!(stage["before"]["stage"], "design");
        assert_eq!(stage["after"]["stage"], "bid");

        // Orders link only to a won project, and only the customer's own.
        let order = insert_order(&app, "SO-PRJ-0001", customer, "E0015").await;
        let other = app.demo("sales").await.post("/api/v1/customers", json!({"name": "杭州萧山机场"})).await.1["id"].as_i64().unwrap();
        insert_order(&app, "SO-PRJ-0002", other, "E0015").await;
        let (status, e) = sales.post(&format!("/api/v1/projects/{id}/orders"), json!({"order_no": "SO-PRJ-0001"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(e.to_string().contains("won"), "{e}");
        let (status, _) = sales.patch(&format!("/api/v1/projects/{id}"), json!({"status": "won", "probability": 100})).await;
        assert_eq!(status, StatusCode::OK);
        let (status, p) = sales.post(&format!("/api/v1/projects/{id}/orders"), json!({"order_no": "SO-PRJ-0001"})).await;
        assert_eq!(status, StatusCode::OK, "{p}");
        assert_eq!(p["orders"][0]["order_no"], "SO-PRJ-0001");
        assert_eq!(p["orders"][0]["total"], "3860000.50");
        let _ = order;
        let (status, e) = sales.post(&format!("/api/v1/projects/{id}/orders"), json!({"order_no": "SO-PRJ-0002"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "another customer's order: {e}");
        let (status, e) = sales.post(&format!("/api/v1/projects/{id}/orders"), json!({"order_no": "SO-NOPE"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&e), ["order_no"]);
        // The detail page shows the steps, the key dates and the order.
        let (status, html) = sales.page(&format!("/projects/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        for want in ["地铁14号线综合监控", "投标", "深化设计", "SO-PRJ-0001", "2027-03-01"] {
            assert!(html.contains(want), "{want} missing");
        }
        let (status, p) = sales.delete(&format!("/api/v1/projects/{id}/orders/SO-PRJ-0001")).await;
        assert_eq!(status, StatusCode::OK, "{p}");
        assert_eq!(p["orders"], json!([]));
        let (status, _) = sales.delete(&format!("/api/v1/projects/{id}")).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = sales.get(&format!("/api/v1/projects/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    async fn projects_are_reached_like_customers(app) {
        let sales = app.demo("sales").await;
        let id = new_project(&sales, "浦东机场T3弱电", "design").await;
        // A colleague does not see it at all.
        let luo = colleague(&app).await;
        let (status, e) = luo.get(&format!("/api/v1/projects/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(!e.to_string().contains("浦东"));
        let (status, _) = luo.patch(&format!("/api/v1/projects/{id}"), json!({"stage": "bid"})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = luo.post(&format!("/api/v1/projects/{id}/followups"), json!({"note": "x"})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, list) = luo.get("/api/v1/projects").await;
        assert_eq!(ids(&list, &[id]), Vec::<i64>::new());
        assert!(list.as_array().unwrap().iter().all(|p| p["owner"] == "E0016"));
        let (status, _) = luo.page(&format!("/projects/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // Nor can they give a project to someone else.
        let (status, _) = luo.post("/api/v1/projects", json!({"name": "x", "owner": "E0015"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        // The manager reads and changes the team's; the GM reads only.
        let manager = app.demo("manager").await;
        let (status, p) = manager.patch(&format!("/api/v1/projects/{id}"), json!({"stage": "bid"})).await;
        assert_eq!(status, StatusCode::OK, "{p}");
        let (status, p) = manager.post("/api/v1/projects", json!({"name": "分配给罗佳怡", "owner": "E0016"})).await;
        assert_eq!(status, StatusCode::CREATED, "{p}");
        assert_eq!(p["owner_name"], "罗佳怡");
        let gm = app.demo("gm").await;
        let (status, p) = gm.get(&format!("/api/v1/projects/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(p["may_write"], false);
        let (status, _) = gm.patch(&format!("/api/v1/projects/{id}"), json!({"probability": 90})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = gm.post("/api/v1/projects", json!({"name": "x", "owner": "E0015"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = app.demo("hr").await.get(&format!("/api/v1/projects/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    async fn the_project_pages_create_follow_up_and_move(app) {
        let sales = app.demo("sales").await;
        let (status, to, _) = post_form(&sales, "/projects", &[
            ("name", "静安寺站改造"), ("stage", "design"), ("amount", "880000"), ("probability", "35"),
            ("bid_on", "2027-01-20"), ("customer_id", ""), ("delivery_on", ""), ("acceptance_on", ""), ("note", ""),
        ]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let id: i64 = to.trim_start_matches("/projects/").parse().unwrap();
        let (_, p) = sales.get(&format!("/api/v1/projects/{id}")).await;
        assert_eq!(p["amount"], "880000.00");
        assert_eq!(p["bid_on"], "2027-01-20");
        let (status, _, _) = post_form(&sales, &format!("/projects/{id}"), &[
            ("action", "followup"), ("followed_on", ""), ("note", "现场踏勘"), ("next_step", "出方案"),
        ]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, _, _) = post_form(&sales, &format!("/projects/{id}"), &[("action", "stage"), ("stage", "bid")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, p) = sales.get(&format!("/api/v1/projects/{id}")).await;
        assert_eq!(p["stage"], "bid");
        assert_eq!(p["followups"][0]["note"], "现场踏勘");
        assert!(p["last_followup_on"].is_string());
        // The edit form changes only what differs.
        let (status, _, _) = post_form(&sales, &format!("/projects/{id}"), &[
            ("action", "edit"), ("name", "静安寺站改造"), ("stage", "bid"), ("status", "open"), ("customer_id", ""),
            ("amount", "880000.00"), ("probability", "50"), ("bid_on", "2027-01-20"), ("delivery_on", ""),
            ("acceptance_on", ""), ("note", ""),
        ]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, audit) = app.demo("admin").await.get(&format!("/api/v1/audit?entity=project&record={id}")).await;
        let update = audit.as_array().unwrap().iter().find(|a| a["action"] == "update").unwrap();
        assert_eq!(update["after"], json!({"probability": 50}));
        // A bad form answers 422 with the error on the page.
        let (status, _, html) = post_form(&sales, &format!("/projects/{id}"), &[("action", "stage"), ("stage", "nope")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("没有阶段"), "{html}");
        let (status, _, _) = post_form(&app.demo("gm").await, &format!("/projects/{id}"), &[("action", "stage"), ("stage", "design")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }

    async fn bad_projects_name_every_bad_field(app) {
        let sales = app.demo("sales").await;
        let (_, list) = sales.get("/api/v1/projects?status=all").await;
        let before = list.as_array().unwrap().len();
        let (status, e) = sales
            .post("/api/v1/projects", json!({
                "name": "", "stage": "nope", "amount": "12,3O0", "probability": 150,
                "bid_on": "2026-13-01", "delivery_on": "2026/3/1", "customer_id": 999999, "owner": "E9999"
            }))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let f = fields(&e);
        for want in ["name", "stage", "amount", "probability", "bid_on", "delivery_on", "customer_id", "owner"] {
            assert!(f.contains(&want), "{want} missing in {e}");
        }
        assert!(e["details"].to_string().contains("没有阶段"), "{e}");
        let (_, list) = sales.get("/api/v1/projects?status=all").await;
        assert_eq!(list.as_array().unwrap().len(), before, "nothing written");
        let id = new_project(&sales, "浦东机场T3弱电", "design").await;
        let (status, e) = sales.patch(&format!("/api/v1/projects/{id}"), json!({"stage": "unknown", "status": "maybe", "amount": "-5"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let f = fields(&e);
        for want in ["stage", "status", "amount"] {
            assert!(f.contains(&want), "{want} missing in {e}");
        }
        let (status, e) = sales.post(&format!("/api/v1/projects/{id}/followups"), json!({"followed_on": "2999-01-01", "note": ""})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let f = fields(&e);
        assert!(f.contains(&"followed_on") && f.contains(&"note"), "{e}");
        let (status, e) = sales.get("/api/v1/projects?status=maybe").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&e), ["status"]);
    }
}

/// Posts a page form (url-encoded, with the CSRF token) and returns the
/// status, the redirect target and the page.
pub async fn post_form(
    c: &Client,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, String) {
    use mubiao::web::auth::urlencode;
    let body = fields
        .iter()
        .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let sep = if path.contains('?') { '&' } else { '?' };
    let csrf = c.csrf.clone().unwrap_or_default();
    let resp = c
        .http
        .post(format!("{}{path}{sep}_csrf={csrf}", c.base))
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let to = resp
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, to, resp.text().await.unwrap_or_default())
}

/// An order of `customer` credited in full to `employee_no`, written
/// directly (the orders API is another part of the sales process).
async fn insert_order(app: &TestApp, order_no: &str, customer: i64, employee_no: &str) -> i64 {
    let db = app.db();
    let person = org::person_id_by_employee_no(db, employee_no)
        .await
        .unwrap()
        .unwrap();
    let now = chrono::Utc::now();
    use sea_orm::{ActiveModelTrait, Set};
    let order = mubiao::storage::entity::sales_order::ActiveModel {
        order_no: Set(order_no.to_owned()),
        customer_id: Set(customer),
        status: Set("entered".to_owned()),
        order_date: Set("2026-11-20".to_owned()),
        total: Set(386_000_050),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    mubiao::storage::entity::order_credit::ActiveModel {
        order_id: Set(order.id),
        person_id: Set(person),
        share: Set(10000),
        amount: Set(386_000_050),
        order_date: Set(order.order_date.clone()),
        customer_id: Set(customer),
        cancelled: Set(false),
    }
    .insert(db)
    .await
    .unwrap();
    order.id
}
