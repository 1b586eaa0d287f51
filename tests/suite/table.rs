//! The target table end to end: targets and actuals in, colours, totals,
//! rollups up the tree, locks, reach.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_databases;

/// The cell of `metric` for `period` (a month like "2031-03", or "total").
fn cell<'a>(table: &'a Value, metric: &str, period: &str) -> &'a Value {
    let row = table["rows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["metric"] == metric))
        .unwrap_or_else(|| panic!("row {metric} in {table}"));
    if period == "total" {
        return &row["total"];
    }
    row["months"]
        .as_array()
        .and_then(|m| m.iter().find(|c| c["period"] == period))
        .unwrap_or_else(|| panic!("{metric} {period}"))
}

both_databases! {
    async fn the_seed_colours_green_yellow_red_and_grey(app) {
        // Figures typed by hand, including those the sales process would compute.
        app.typed_actuals().await;
        let gm = app.demo("gm").await;
        let (status, body) = gm.put("/api/v1/targets", json!([
            {"metric": "sales_amount", "subject": "person:E0015", "period": "2031-01", "value": "600"},
            {"metric": "sales_amount", "subject": "person:E0015", "period": "2031-02", "value": 600},
            {"metric": "sales_amount", "subject": "person:E0015", "period": "2031-03", "value": "600.00"},
            {"metric": "sales_amount", "subject": "person:E0015", "period": "2031-04", "value": "600"},
            {"metric": "complaints", "subject": "person:E0015", "period": "2031-01", "value": "5"},
        ])).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["changed"], 5);
        let (status, body) = gm.put("/api/v1/actuals", json!([
            {"metric": "sales_amount", "subject": "person:E0015", "period": "2031-01", "value": "645.84"},
            {"metric": "sales_amount", "subject": "person:E0015", "period": "2031-02", "value": "600"},
            {"metric": "sales_amount", "subject": "person:E0015", "period": "2031-03", "value": "1,200.5"},
            {"metric": "complaints", "subject": "person:E0015", "period": "2031-01", "value": 7},
        ])).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, t) = gm.get("/api/v1/table?subject=person:E0015&year=2031").await;
        assert_eq!(status, StatusCode::OK, "{t}");
        assert_eq!(t["name"], "张晓明");
        let jan = cell(&t, "sales_amount", "2031-01");
        assert_eq!(jan["target"], "600.00");
        assert_eq!(jan["actual"], "645.84");
        assert_eq!(jan["rate"], "107.64");
        assert_eq!(jan["status"], "green");
        assert_eq!(cell(&t, "sales_amount", "2031-02")["status"], "yellow");
        assert_eq!(cell(&t, "sales_amount", "2031-03")["status"], "green");
        // April has a target but no actual: no data, never red.
        let apr = cell(&t, "sales_amount", "2031-04");
        assert_eq!(apr["status"], "none");
        assert_eq!(apr["actual"], Value::Null);
        assert_eq!(apr["rate"], Value::Null);
        // Lower is better: 7 complaints against 5 is red.
        assert_eq!(cell(&t, "complaints", "2031-01")["status"], "red");
        // 合计: 2,400 of targets, 2,446.34 done.
        let total = cell(&t, "sales_amount", "total");
        assert_eq!(total["target"], "2400.00");
        assert_eq!(total["actual"], "2446.34");
        assert_eq!(total["status"], "green");
        assert_eq!(cell(&t, "visits", "2031-01")["status"], "none");
    }

    async fn units_roll_up_their_people_and_show_the_gap(app) {
        // Figures typed by hand, including those the sales process would compute.
        app.typed_actuals().await;
        let gm = app.demo("gm").await;
        let (status, body) = gm.put("/api/v1/targets", json!([
            {"metric": "sales_amount", "subject": "unit:HD", "period": "2031-03", "value": "1000"},
            {"metric": "sales_amount", "subject": "person:E0015", "period": "2031-03", "value": "300"},
            {"metric": "sales_amount", "subject": "person:E0016", "period": "2031-03", "value": "300"},
            {"metric": "sales_amount", "subject": "person:E0020", "period": "2031-03", "value": "250"},
        ])).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = gm.put("/api/v1/actuals", json!([
            {"metric": "sales_amount", "subject": "person:E0015", "period": "2031-03", "value": "320"},
            {"metric": "sales_amount", "subject": "person:E0016", "period": "2031-03", "value": "200"},
            {"metric": "sales_amount", "subject": "person:E0020", "period": "2031-03", "value": "260"},
            {"metric": "satisfaction", "subject": "person:E0015", "period": "2031-03", "value": "90"},
            {"metric": "satisfaction", "subject": "person:E0016", "period": "2031-03", "value": "80"},
        ])).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // 上海一组: 320 + 200 of 300 + 300.
        let (_, team) = gm.get("/api/v1/table?subject=unit:HD-SH&year=2031").await;
        let mar = cell(&team, "sales_amount", "2031-03");
        assert_eq!(mar["actual"], "520.00");
        assert_eq!(mar["target"], "600.00", "no own target: the children's");
        assert_eq!(mar["target_set"], false);
        assert_eq!(mar["status"], "red");
        // Satisfaction averages: (90 + 80) / 2.
        assert_eq!(cell(&team, "satisfaction", "2031-03")["actual"], "85.00");
        // 华东大区 three levels up: its own 1,000 against children's 850.
        let (_, region) = gm.get("/api/v1/table?subject=unit:HD&year=2031").await;
        let mar = cell(&region, "sales_amount", "2031-03");
        assert_eq!(mar["target"], "1000.00");
        assert_eq!(mar["children_target"], "850.00");
        assert_eq!(mar["actual"], "780.00");
        assert_eq!(mar["rate"], "78.00");
        let (_, company) = gm.get("/api/v1/table?subject=unit:HQ&year=2031").await;
        assert_eq!(cell(&company, "sales_amount", "2031-03")["actual"], "780.00");
        let kids: Vec<&str> = region["children"].as_array().unwrap().iter().map(|c| c["subject"].as_str().unwrap()).collect();
        assert!(kids.contains(&"unit:HD-SH") && kids.contains(&"person:E0002"), "{kids:?}");
        // A correction flows up at once.
        let (status, _) = gm.put("/api/v1/actuals", json!([
            {"metric": "sales_amount", "subject": "person:E0016", "period": "2031-03", "value": null},
        ])).await;
        assert_eq!(status, StatusCode::OK);
        let (_, company) = gm.get("/api/v1/table?subject=unit:HQ&year=2031").await;
        assert_eq!(cell(&company, "sales_amount", "2031-03")["actual"], "580.00");
    }

    async fn one_write_rolls_up_sibling_teams_of_different_months(app) {
        // The rollups of a write are worked out from one read: a team
        // changed in one write must count with its new subtotal, a team
        // changed in another month only with what it had stored, and a
        // team's own target above its people's.
        let gm = app.demo("gm").await;
        let (status, body) = gm.put("/api/v1/targets", json!([
            {"metric": "sales_amount", "subject": "unit:HD-SH", "period": "2031-03", "value": "500"},
            {"metric": "sales_amount", "subject": "person:E0020", "period": "2031-03", "value": "80"},
        ])).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = gm.put("/api/v1/targets", json!([
            {"metric": "sales_amount", "subject": "person:E0015", "period": "2031-03", "value": "300"},
            {"metric": "sales_amount", "subject": "person:E0016", "period": "2031-04", "value": "100"},
            {"metric": "sales_amount", "subject": "person:E0020", "period": "2031-04", "value": "250"},
        ])).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, team) = gm.get("/api/v1/table?subject=unit:HD-SH&year=2031").await;
        let mar = cell(&team, "sales_amount", "2031-03");
        assert_eq!(mar["target"], "500.00", "the team's own target");
        assert_eq!(mar["children_target"], "300.00");
        assert_eq!(cell(&team, "sales_amount", "2031-04")["target"], "100.00");
        let (_, region) = gm.get("/api/v1/table?subject=unit:HD&year=2031").await;
        // March: 上海一组's own 500 (not its people's 300) and 杭州组's 80,
        // which this write did not change for March.
        assert_eq!(cell(&region, "sales_amount", "2031-03")["target"], "580.00");
        // April: both teams' new subtotals, 100 + 250.
        assert_eq!(cell(&region, "sales_amount", "2031-04")["target"], "350.00");
        let (_, company) = gm.get("/api/v1/table?subject=unit:HQ&year=2031").await;
        assert_eq!(cell(&company, "sales_amount", "2031-03")["target"], "580.00");
        assert_eq!(cell(&company, "sales_amount", "2031-04")["target"], "350.00");
        // Taking the team's own target away shows its people's again.
        let (status, _) = gm.put("/api/v1/targets", json!([
            {"metric": "sales_amount", "subject": "unit:HD-SH", "period": "2031-03", "value": null},
            {"metric": "sales_amount", "subject": "person:E0020", "period": "2031-04", "value": "200"},
        ])).await;
        assert_eq!(status, StatusCode::OK);
        let (_, company) = gm.get("/api/v1/table?subject=unit:HQ&year=2031").await;
        assert_eq!(cell(&company, "sales_amount", "2031-03")["target"], "380.00");
        assert_eq!(cell(&company, "sales_amount", "2031-04")["target"], "300.00");
    }

    async fn a_moved_salesperson_takes_their_figures_along(app) {
        // Figures typed by hand, including those the sales process would compute.
        app.typed_actuals().await;
        let gm = app.demo("gm").await;
        gm.put("/api/v1/actuals", json!([
            {"metric": "sales_amount", "subject": "person:E0015", "period": "2031-03", "value": "100"},
        ])).await;
        let admin = app.demo("admin").await;
        let (status, _) = admin.patch("/api/v1/people/E0015", json!({"unit": "HN-GZ"})).await;
        assert_eq!(status, StatusCode::OK);
        let (_, hd) = gm.get("/api/v1/table?subject=unit:HD&year=2031").await;
        assert_eq!(cell(&hd, "sales_amount", "2031-03")["actual"], Value::Null);
        let (_, hn) = gm.get("/api/v1/table?subject=unit:HN&year=2031").await;
        assert_eq!(cell(&hn, "sales_amount", "2031-03")["actual"], "100.00");
    }

    async fn a_bad_batch_changes_nothing_and_names_every_item(app) {
        let gm = app.demo("gm").await;
        let (status, e) = gm.put("/api/v1/targets", json!([
            {"metric": "sales_amount", "subject": "person:E0015", "period": "2031-03", "value": "600"},
            {"metric": "sales_amount", "subject": "person:E0015", "period": "2031-04", "value": "12,3O0"},
            {"metric": "no_such", "subject": "person:E0015", "period": "2031-03", "value": "1"},
            {"metric": "sales_amount", "subject": "person:E9999", "period": "2031-03", "value": "1"},
            {"metric": "sales_amount", "subject": "person:E0015", "period": "2031-13", "value": "1"},
            {"metric": "new_customers", "subject": "person:E0015", "period": "2031-03", "value": "2.5"},
            {"metric": "sales_amount", "subject": "person:E0015", "period": "2031-03", "value": "700"},
        ])).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let fields: Vec<&str> = e["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["items[1].value", "items[2].metric", "items[3].subject", "items[4].period", "items[5].value", "items[6].period"]);
        assert!(e["details"][0]["message"].as_str().unwrap().contains("\"12,3O0\" is not a number"));
        let (_, t) = gm.get("/api/v1/table?subject=person:E0015&year=2031").await;
        assert_eq!(cell(&t, "sales_amount", "2031-03")["target"], Value::Null, "nothing written");
    }

    async fn a_locked_month_refuses_edits_until_reopened(app) {
        // Figures typed by hand, including those the sales process would compute.
        app.typed_actuals().await;
        let sa = app.demo("sales_admin").await;
        let item = json!([{"metric": "calls", "subject": "person:E0015", "period": "2031-02", "value": "600"}]);
        let (status, _) = sa.post("/api/v1/periods/2031-02/lock", json!({"reason": "二月结账"})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, e) = sa.put("/api/v1/actuals", item.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e["details"][0]["field"], "items[0].period");
        let (status, _) = sa.post("/api/v1/periods/2031-02/reopen", json!({})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a reason is required");
        let (status, _) = sa.post("/api/v1/periods/2031-02/reopen", json!({"reason": "补录漏单"})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = sa.put("/api/v1/actuals", item).await;
        assert_eq!(status, StatusCode::OK);
        let gm = app.demo("gm").await;
        let (_, log) = gm.get("/api/v1/audit?entity=period&record=2031-02").await;
        let actions: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["reopen", "lock"]);
        assert_eq!(log[0]["after"]["reason"], "补录漏单");
    }

    async fn who_may_write_and_read_tables(app) {
        let target = json!([{"metric": "visits", "subject": "person:E0015", "period": "2031-03", "value": "20"}]);
        let sales = app.demo("sales").await;
        let (status, _) = sales.put("/api/v1/targets", target.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = sales.get("/api/v1/table?subject=person:E0015&year=2031").await;
        assert_eq!(status, StatusCode::OK, "their own table");
        let (status, body) = sales.get("/api/v1/table?subject=person:E0016&year=2031").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "a colleague's table");
        assert!(!body.to_string().contains("罗佳怡"));
        // A manager proposes targets in their subtree, their own unit
        // included: the change waits in their plan's draft for approval,
        // and the table keeps the published targets.
        let m = app.demo("manager").await;
        let (status, w) = m.put("/api/v1/targets", target).await;
        assert_eq!(status, StatusCode::OK, "a manager sets targets below their unit: {w}");
        assert_eq!(w["pending"][0]["unit"], "HD", "{w}");
        assert_eq!(w["pending"][0]["status"], "draft", "{w}");
        let (status, w) = m.put("/api/v1/targets", json!([{"metric": "visits", "subject": "unit:HD", "period": "2031-03", "value": "20"}])).await;
        assert_eq!(status, StatusCode::OK, "and proposes their own unit's: {w}");
        assert_eq!(w["pending"][0]["status"], "draft", "{w}");
        let gm = app.demo("gm").await;
        let (_, t) = gm.get("/api/v1/table?subject=person:E0015&year=2031").await;
        assert_eq!(cell(&t, "visits", "2031-03")["target"], Value::Null, "a draft is not published");
        let (_, t) = gm.get("/api/v1/table?subject=unit:HD&year=2031").await;
        assert_eq!(cell(&t, "visits", "2031-03")["target_set"], false, "{t}");
        let (status, _) = m.put("/api/v1/targets", json!([{"metric": "visits", "subject": "unit:HQ", "period": "2031-03", "value": "20"}])).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "but not the company above them, unknown to them");
        let (status, _) = m.put("/api/v1/targets", json!([{"metric": "visits", "subject": "person:E0028", "period": "2031-03", "value": "20"}])).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "another region is unknown to them");
        let (status, _) = m.get("/api/v1/table?subject=unit:HN&year=2031").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    async fn two_servers_on_one_database_agree_at_once(app) {
        // Figures typed by hand, including those the sales process would compute.
        app.typed_actuals().await;
        let other = app.another_server().await;
        let gm_here = app.demo("gm").await;
        let gm_there = other.demo("gm").await;
        let (_, before) = gm_there.get("/api/v1/table?subject=unit:HQ&year=2031").await;
        let mut before = cell(&before, "visits", "2031-05")["actual"].clone();
        for value in ["1017", "1018", "1019"] {
            let (status, _) = gm_here.put("/api/v1/actuals", json!([
                {"metric": "visits", "subject": "person:E0015", "period": "2031-05", "value": value},
            ])).await;
            assert_eq!(status, StatusCode::OK);
            // The other server shows the change on its very next read.
            let (_, t) = gm_there.get("/api/v1/table?subject=unit:HQ&year=2031").await;
            let (_, p) = gm_there.get("/api/v1/table?subject=person:E0015&year=2031").await;
            assert_eq!(cell(&p, "visits", "2031-05")["actual"], value);
            let now = cell(&t, "visits", "2031-05")["actual"].clone();
            assert_ne!(now, before, "the company total moved");
            before = now;
        }
        // The org tree kept in memory follows a change made elsewhere: a
        // team added through one server has a table on the other at once.
        let admin_here = app.demo("admin").await;
        let (status, _) = admin_here.post("/api/v1/units", json!({"code": "HD-XZ", "name": "徐州组", "parent": "HD"})).await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, t) = gm_there.get("/api/v1/table?subject=unit:HD-XZ&year=2031").await;
        assert_eq!(status, StatusCode::OK, "{t}");
        let (_, hd) = gm_there.get("/api/v1/table?subject=unit:HD&year=2031").await;
        assert!(hd["children"].to_string().contains("HD-XZ"), "{hd}");
        // Writes through both servers interleave without losing a rollup.
        let (s1, _) = gm_here.put("/api/v1/actuals", json!([{"metric": "visits", "subject": "person:E0016", "period": "2031-05", "value": "5"}])).await;
        let (s2, _) = gm_there.put("/api/v1/actuals", json!([{"metric": "visits", "subject": "person:E0017", "period": "2031-05", "value": "7"}])).await;
        assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK));
        let (_, team) = gm_here.get("/api/v1/table?subject=unit:HD-SH&year=2031").await;
        let (_, team2) = gm_there.get("/api/v1/table?subject=unit:HD-SH&year=2031").await;
        assert_eq!(cell(&team, "visits", "2031-05"), cell(&team2, "visits", "2031-05"));
    }

    async fn kept_table_answers_are_gzip_when_asked_and_never_stale(app) {
        app.typed_actuals().await;
        let gm = app.demo("gm").await;
        let path = "/api/v1/table?subject=person:E0015&year=2031";
        let gzipped = |c: &crate::common::Client| {
            let rb = c.request(reqwest::Method::GET, path).header("Accept-Encoding", "gzip");
            async move {
                let r = rb.send().await.expect("request");
                assert_eq!(r.status(), StatusCode::OK);
                let encoding = r.headers().get("content-encoding").map(|v| v.to_str().unwrap().to_owned());
                assert_eq!(r.headers()["content-type"], "application/json");
                assert_eq!(r.headers()["vary"], "accept-encoding");
                let body = r.bytes().await.expect("body");
                (encoding, body)
            }
        };
        let (_, plain) = gm.get(path).await;
        // Built once, then kept: both ways of asking give the same table.
        for _ in 0..2 {
            let (encoding, body) = gzipped(&gm).await;
            assert_eq!(encoding.as_deref(), Some("gzip"));
            assert!(body.len() * 4 < plain.to_string().len(), "{} bytes compressed", body.len());
            let json: Value = serde_json::from_slice(&mubiao::web::table_cache::gunzip(&body).unwrap()).unwrap();
            assert_eq!(json, plain);
        }
        let (_, again) = gm.get(path).await;
        assert_eq!(again, plain, "a kept answer served to a caller without gzip");
        // A figures write, a lock and a rename each show on the next read.
        let (status, _) = gm.put("/api/v1/actuals", json!([
            {"metric": "visits", "subject": "person:E0015", "period": "2031-05", "value": "4321"},
        ])).await;
        assert_eq!(status, StatusCode::OK);
        let (_, t) = gm.get(path).await;
        assert_eq!(cell(&t, "visits", "2031-05")["actual"], "4321");
        let (status, _) = gm.post("/api/v1/periods/2031-05/lock", json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, body) = gzipped(&gm).await;
        let t: Value = serde_json::from_slice(&mubiao::web::table_cache::gunzip(&body).unwrap()).unwrap();
        assert_eq!(t["locked"], json!(["2031-05"]), "{}", t["locked"]);
        let admin = app.demo("admin").await;
        let (status, _) = admin.patch("/api/v1/people/E0015", json!({"name": "张晓明二"})).await;
        assert_eq!(status, StatusCode::OK);
        let (_, t) = gm.get(path).await;
        assert_eq!(t["name"], "张晓明二");
        // What the GM was given is not given to a colleague of E0016.
        let (status, _) = gm.get("/api/v1/table?subject=person:E0016&year=2031").await;
        assert_eq!(status, StatusCode::OK);
        let sales = app.demo("sales").await;
        let (status, _) = sales.get("/api/v1/table?subject=person:E0016&year=2031").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}
