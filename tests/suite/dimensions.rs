//! Targets broken down by customer or product category: set within a
//! subject's target, read back with what no member carries yet, refused
//! with precise messages and outside the writer's reach.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_databases;

fn fields(e: &Value) -> Vec<&str> {
    e["details"]
        .as_array()
        .map(|a| a.iter().filter_map(|d| d["field"].as_str()).collect())
        .unwrap_or_default()
}

const BREAKDOWN: &str =
    "/api/v1/targets/dimensions?subject=unit:HD&year=2033&metric=sales_amount&dimension=category";

both_databases! {
    async fn category_targets_cover_part_of_the_unit_target(app) {
        let gm = app.demo("gm").await;
        let (status, r) = gm
            .put("/api/v1/targets", json!([{"metric": "sales_amount", "subject": "unit:HD", "period": "2033-03", "value": "1000"}]))
            .await;
        assert_eq!(status, StatusCode::OK, "{r}");
        let (status, r) = gm
            .put("/api/v1/targets/dimensions", json!([
                {"metric": "sales_amount", "subject": "unit:HD", "period": "2033-03", "dimension": "category", "member": "轿车", "value": "600"},
                {"metric": "sales_amount", "subject": "unit:HD", "period": "2033-03", "dimension": "category", "member": "SUV", "value": "250.50"},
            ]))
            .await;
        assert_eq!(status, StatusCode::OK, "{r}");
        assert_eq!(r["changed"], 2);
        let (status, t) = gm.get(BREAKDOWN).await;
        assert_eq!(status, StatusCode::OK, "{t}");
        let march = t["periods"].as_array().unwrap().iter().position(|p| p == "2033-03").unwrap();
        let members: Vec<&str> = t["members"].as_array().unwrap().iter().map(|m| m["member"].as_str().unwrap()).collect();
        assert_eq!(members, ["SUV", "轿车"]);
        assert_eq!(t["members"][1]["cells"][march]["target"], "600.00");
        assert_eq!(t["assigned"][march], "850.50");
        assert_eq!(t["target"][march], "1000.00");
        assert_eq!(t["unassigned"][march], "149.50");
        // The unit's own target is untouched by its breakdown.
        let (_, table) = gm.get("/api/v1/table?subject=unit:HD&year=2033").await;
        let sales = table["rows"].as_array().unwrap().iter().find(|r| r["metric"] == "sales_amount").unwrap();
        assert_eq!(sales["months"][2]["target"], "1000.00");
        // Clearing a member, then writing the same value again, changes nothing.
        let clear = json!([{"metric": "sales_amount", "subject": "unit:HD", "period": "2033-03", "dimension": "category", "member": "SUV", "value": null}]);
        let (_, r) = gm.put("/api/v1/targets/dimensions", clear.clone()).await;
        assert_eq!(r["changed"], 1);
        let (_, r) = gm.put("/api/v1/targets/dimensions", clear).await;
        assert_eq!(r["unchanged"], 1);
        let (_, t) = gm.get(BREAKDOWN).await;
        assert_eq!(t["assigned"][march], "600.00");
    }

    async fn bad_breakdowns_name_every_bad_item_and_write_nothing(app) {
        let gm = app.demo("gm").await;
        let (status, e) = gm
            .put("/api/v1/targets/dimensions", json!([
                {"metric": "sales_amount", "subject": "unit:HD", "period": "2033-03", "dimension": "category", "member": "轿车", "value": "600"},
                {"metric": "sales_amount", "subject": "unit:HD", "period": "2033-13", "dimension": "region", "member": "", "value": "12,3O0"},
                {"metric": "nope", "subject": "unit:NOPE", "period": "2033-03", "dimension": "customer", "member": "甲公司", "value": "1"},
            ]))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let f = fields(&e);
        for want in ["items[1].period", "items[1].dimension", "items[1].member", "items[1].value", "items[2].metric", "items[2].subject"] {
            assert!(f.contains(&want), "{want} missing in {e}");
        }
        assert!(!f.iter().any(|f| f.starts_with("items[0]")), "{e}");
        let (_, t) = gm.get(BREAKDOWN).await;
        assert_eq!(t["members"], json!([]), "nothing written: {t}");
        // The demo's locked October: neither a breakdown nor a split into it.
        let (status, e) = gm
            .put("/api/v1/targets/dimensions", json!([{"metric": "sales_amount", "subject": "unit:HD", "period": "2026-10", "dimension": "category", "member": "轿车", "value": "1"}]))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(e.to_string().contains("locked"), "{e}");
        let (status, e) = gm
            .post("/api/v1/targets/split", json!({"metric": "sales_amount", "from": {"subject": "unit:HD", "period": "2026-10"}, "to": "weeks", "method": "equal", "value": "100", "preview": false}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(e.to_string().contains("locked"), "{e}");
        // Figures beyond ¥100 trillion are refused, so company sums stay exact.
        let (status, e) = gm
            .put("/api/v1/targets", json!([{"metric": "sales_amount", "subject": "unit:HD", "period": "2033-03", "value": "1000000000000000"}]))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(e.to_string().contains("too large"), "{e}");
    }

    async fn an_approved_version_can_still_be_returned(app) {
        let manager = app.demo("manager").await;
        let gm = app.demo("gm").await;
        let (status, r) = manager
            .put("/api/v1/targets", json!([{"metric": "sales_amount", "subject": "person:E0015", "period": "2033-05", "value": "900"}]))
            .await;
        assert_eq!(status, StatusCode::OK, "{r}");
        let plan = r["pending"][0]["plan"].as_i64().expect("a draft");
        let steps = format!("/api/v1/plans/{plan}/versions/1");
        let (status, _) = manager.post(&format!("{steps}/submit"), json!({})).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = gm.post(&format!("{steps}/approve"), json!({})).await;
        assert_eq!(status, StatusCode::OK);
        let (_, view) = gm.get(&format!("/api/v1/plans/{plan}")).await;
        assert!(view["actions"].as_array().is_some_and(|a| a.contains(&json!("return"))), "{view}");
        let (status, v) = gm.post(&format!("{steps}/return"), json!({"comment": "组织调整，请重新分解"})).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert_eq!(v["status"], "returned");
    }

    async fn breakdowns_follow_target_reach(app) {
        let item = |subject: &str| json!([{"metric": "sales_amount", "subject": subject, "period": "2033-03", "dimension": "customer", "member": "甲公司", "value": "5"}]);
        let manager = app.demo("manager").await;
        let sales = app.demo("sales").await;
        let (status, r) = manager.put("/api/v1/targets/dimensions", item("unit:HD-SH")).await;
        assert_eq!(status, StatusCode::OK, "a manager breaks down targets in their subtree: {r}");
        let (status, _) = manager.put("/api/v1/targets/dimensions", item("unit:HN")).await;
        assert_ne!(status, StatusCode::OK, "not outside it");
        let (status, _) = manager.put("/api/v1/targets/dimensions", item("unit:HD")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "nor on their own unit, whose target is set from above");
        let (status, _) = sales
            .get("/api/v1/targets/dimensions?subject=unit:HD-SH&year=2033&metric=sales_amount&dimension=customer")
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "a salesperson sees their own figures, not their team's");
        let (status, _) = sales.put("/api/v1/targets/dimensions", item("person:E0015")).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = sales
            .get("/api/v1/targets/dimensions?subject=unit:HN&year=2033&metric=sales_amount&dimension=customer")
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "another region's breakdown is out of reach");
    }
}
