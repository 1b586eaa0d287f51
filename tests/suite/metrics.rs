//! Metric set-up end to end: the default set, admin adding and changing
//! metrics with precise errors and an audit trail, and the demo's figures.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_databases;

const DEFAULT_CODES: [&str; 12] = [
    "sales_amount",
    "collection_amount",
    "new_customers",
    "new_customer_share",
    "repurchase_rate",
    "satisfaction",
    "market_share",
    "complaints",
    "calls",
    "visits",
    "gross_margin",
    "plan_completion",
];

fn codes(list: &Value) -> Vec<&str> {
    list.as_array()
        .map(|a| a.iter().filter_map(|m| m["code"].as_str()).collect())
        .unwrap_or_default()
}

/// The `field`s of a 422 answer's details.
fn fields(e: &Value) -> Vec<&str> {
    e["details"]
        .as_array()
        .map(|a| a.iter().filter_map(|d| d["field"].as_str()).collect())
        .unwrap_or_default()
}

/// The message of the detail for `field`.
fn message<'a>(e: &'a Value, field: &str) -> &'a str {
    e["details"]
        .as_array()
        .and_then(|a| a.iter().find(|d| d["field"] == field))
        .and_then(|d| d["message"].as_str())
        .unwrap_or_else(|| panic!("no detail for {field} in {e}"))
}

fn row<'a>(table: &'a Value, metric: &str) -> &'a Value {
    table["rows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["metric"] == metric))
        .unwrap_or_else(|| panic!("row {metric} in {table}"))
}

fn month<'a>(table: &'a Value, metric: &str, period: &str) -> &'a Value {
    row(table, metric)["months"]
        .as_array()
        .and_then(|m| m.iter().find(|c| c["period"] == period))
        .unwrap_or_else(|| panic!("{metric} {period}"))
}

fn rate_metric() -> Value {
    json!({
        "code": "collection_rate",
        "name": "回款率",
        "name_en": "Collection rate",
        "kind": "percent",
        "direction": "higher",
        "total": "ratio",
        "numerator": "collection_amount",
        "denominator": "sales_amount",
        "rollup": "average",
        "tolerance": "0.5",
        "source": "manual",
    })
}

both_databases! {
    async fn everyone_signed_in_lists_the_default_set_in_table_order(app) {
        let (status, _) = app.anonymous().get("/api/v1/metrics").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let sales = app.demo("sales").await;
        let (status, list) = sales.get("/api/v1/metrics").await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(codes(&list), DEFAULT_CODES);
        let complaints = &list[7];
        assert_eq!(complaints["name"], "客户有效投诉");
        assert_eq!(complaints["direction"], "lower");
        assert_eq!(complaints["kind"], "count");
        assert_eq!(complaints["tolerance"], "0");
        assert_eq!(list[0]["tolerance"], "0.00");
        assert_eq!(list[0]["active"], true);
        // Sales come from the orders; satisfaction is typed.
        assert_eq!(list[0]["source"], "orders");
        assert_eq!(list[5]["source"], "manual");
    }

    async fn admin_adds_a_ratio_metric_and_it_joins_the_table(app) {
        let admin = app.demo("admin").await;
        let (status, m) = admin.post("/api/v1/metrics", rate_metric()).await;
        assert_eq!(status, StatusCode::CREATED, "{m}");
        assert_eq!(m["code"], "collection_rate");
        assert_eq!(m["kind"], "percent");
        assert_eq!(m["total"], "ratio");
        assert_eq!(m["numerator"], "collection_amount");
        assert_eq!(m["denominator"], "sales_amount");
        assert_eq!(m["tolerance"], "0.50", "stored in hundredths, shown in the unit");
        assert_eq!(m["active"], true);
        let (_, list) = admin.get("/api/v1/metrics").await;
        assert_eq!(codes(&list).last(), Some(&"collection_rate"), "added at the end");
        assert_eq!(codes(&list).len(), 13);

        // The table has the new row; its year total is Σ collections ÷ Σ
        // sales of the demo's targets, about 90 %.
        let gm = app.demo("gm").await;
        let (status, t) = gm.get("/api/v1/table?subject=person:E0015&year=2026").await;
        assert_eq!(status, StatusCode::OK, "{t}");
        let r = row(&t, "collection_rate");
        assert_eq!(r["name"], "回款率");
        assert_eq!(r["name_en"], "Collection rate");
        assert_eq!(r["total_rule"], "ratio");
        let total: f64 = r["total"]["target"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("ratio total in {r}"));
        assert!((89.0..=91.0).contains(&total), "{total}");
        assert!(r["total"]["actual"].is_string(), "{r}");

        // Audited with the whole definition.
        let (_, log) = gm.get("/api/v1/audit?entity=metric&record=collection_rate").await;
        let log = log.as_array().expect("audit list");
        assert_eq!(log.len(), 1);
        assert_eq!(log[0]["action"], "create");
        assert_eq!(log[0]["actor"], "admin");
        assert_eq!(log[0]["after"]["numerator"], "collection_amount");
        assert_eq!(log[0]["after"]["tolerance"], "0.50");

        // A number works for the tolerance too; name_en defaults to the name.
        let (status, m) = admin.post("/api/v1/metrics", json!({
            "code": "deals_won", "name": "成交单数", "kind": "count", "direction": "higher",
            "total": "sum", "rollup": "sum", "tolerance": 1,
        })).await;
        assert_eq!(status, StatusCode::CREATED, "{m}");
        assert_eq!(m["tolerance"], "1");
        assert_eq!(m["name_en"], "成交单数");
        assert_eq!(m["source"], "manual");
    }

    async fn bad_metrics_are_refused_naming_each_field(app) {
        let admin = app.demo("admin").await;
        let with = |changes: Value| {
            let mut m = rate_metric();
            for (k, v) in changes.as_object().expect("object") {
                if v.is_null() {
                    m.as_object_mut().expect("object").remove(k);
                } else {
                    m[k] = v.clone();
                }
            }
            m
        };
        let (status, e) = admin.post("/api/v1/metrics", with(json!({"kind": "money"}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["kind"]);
        assert!(message(&e, "kind").contains("\"money\""), "{e}");
        assert!(message(&e, "kind").contains("amount, count, percent, ratio, score"), "{e}");
        assert!(e["details"][0]["message_zh"].as_str().is_some_and(|s| s.contains("amount")));

        let (status, e) = admin.post("/api/v1/metrics", with(json!({"denominator": null}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["denominator"]);
        assert!(message(&e, "denominator").contains("ratio"), "{e}");

        let (status, e) = admin.post("/api/v1/metrics", with(json!({"numerator": "collection_rate", "denominator": "no_such"}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["numerator", "denominator"]);
        assert!(message(&e, "numerator").contains("itself"), "{e}");
        assert!(message(&e, "denominator").contains("no metric with code \"no_such\""), "{e}");

        let (status, e) = admin.post("/api/v1/metrics", with(json!({"total": "sum"}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["numerator", "denominator"], "parts only for a ratio");

        let (status, e) = admin.post("/api/v1/metrics", with(json!({"code": "sales_amount"}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["code"]);
        assert!(message(&e, "code").contains("already used"), "{e}");

        for bad in ["Sales-Rate", "", "a_code_that_is_much_longer_than_32"] {
            let (status, e) = admin.post("/api/v1/metrics", with(json!({"code": bad}))).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {e}");
            assert_eq!(fields(&e), ["code"], "{bad}");
        }

        for (bad, says) in [
            (json!("abc"), "not a number"),
            (json!("0.125"), "at most 2 decimals"),
            (json!("-1"), "negative"),
            (json!(true), "decimal string or a number"),
        ] {
            let (status, e) = admin.post("/api/v1/metrics", with(json!({"tolerance": bad}))).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
            assert_eq!(fields(&e), ["tolerance"]);
            assert!(message(&e, "tolerance").contains(says), "{says}: {e}");
        }

        let (status, e) = admin.post("/api/v1/metrics", with(json!({"source": "erp"}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["source"]);

        // Everything missing at once, each named.
        let (status, e) = admin.post("/api/v1/metrics", json!({})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["code", "name", "kind", "direction", "total", "rollup"]);
        assert!(message(&e, "direction").contains("higher, lower"), "{e}");

        // Unknown fields and wrong types are refused as the body's.
        let (status, e) = admin.post("/api/v1/metrics", with(json!({"colour": "red"}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");

        let (_, list) = admin.get("/api/v1/metrics").await;
        assert_eq!(codes(&list), DEFAULT_CODES, "nothing was added");
        let gm = app.demo("gm").await;
        let (_, log) = gm.get("/api/v1/audit?entity=metric").await;
        assert_eq!(log, json!([]), "nothing was audited");
    }

    async fn only_admin_sets_up_metrics(app) {
        for user in ["gm", "manager", "sales", "sales_admin", "hr"] {
            let c = app.demo(user).await;
            let (status, e) = c.post("/api/v1/metrics", rate_metric()).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{user}: {e}");
            let (status, e) = c.patch("/api/v1/metrics/satisfaction", json!({"tolerance": "1"})).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{user}: {e}");
            let (status, _) = c.get("/api/v1/metrics").await;
            assert_eq!(status, StatusCode::OK, "{user} reads them");
        }
        let admin = app.demo("admin").await;
        let (_, list) = admin.get("/api/v1/metrics").await;
        assert_eq!(codes(&list), DEFAULT_CODES);
        assert_eq!(list[5]["tolerance"], "0.00", "unchanged");
    }

    async fn admin_changes_only_the_fields_given_and_it_is_audited(app) {
        let admin = app.demo("admin").await;
        let (status, m) = admin.patch("/api/v1/metrics/satisfaction", json!({"tolerance": "0.5", "name_en": "Satisfaction"})).await;
        assert_eq!(status, StatusCode::OK, "{m}");
        assert_eq!(m["tolerance"], "0.50");
        assert_eq!(m["name_en"], "Satisfaction");
        assert_eq!(m["name"], "客户满意度", "untouched");
        assert_eq!(m["rollup"], "average", "untouched");
        let gm = app.demo("gm").await;
        let (_, log) = gm.get("/api/v1/audit?entity=metric&record=satisfaction").await;
        assert_eq!(log[0]["action"], "update");
        assert_eq!(log[0]["before"]["tolerance"], "0.00");
        assert_eq!(log[0]["after"]["tolerance"], "0.50");
        assert_eq!(log[0]["after"]["name_en"], "Satisfaction");

        // A kind change is refused once there are figures …
        let (status, e) = admin.patch("/api/v1/metrics/complaints", json!({"kind": "score"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["kind"]);
        assert!(message(&e, "kind").contains("change meaning"), "{e}");
        // … allowed before: the tolerance keeps its amount in the new unit.
        let (status, m) = admin.patch("/api/v1/metrics/market_share", json!({"tolerance": "1.5"})).await;
        assert_eq!(status, StatusCode::OK, "{m}");
        let (status, m) = admin.patch("/api/v1/metrics/market_share", json!({"kind": "ratio"})).await;
        assert_eq!(status, StatusCode::OK, "{m}");
        assert_eq!(m["kind"], "ratio");
        assert_eq!(m["tolerance"], "1.5000");
        let (status, e) = admin.patch("/api/v1/metrics/market_share", json!({"kind": "count"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "1.5 is not a whole count: {e}");
        assert_eq!(fields(&e), ["tolerance"]);

        // The code stays; unknown codes are 404; a ratio needs its parts.
        let (status, e) = admin.patch("/api/v1/metrics/calls", json!({"code": "phone_calls"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["code"]);
        let (status, _) = admin.patch("/api/v1/metrics/no_such", json!({"name": "x"})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, e) = admin.patch("/api/v1/metrics/gross_margin", json!({"total": "ratio", "numerator": "gross_margin"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["numerator", "denominator"]);
        let (status, e) = admin.patch("/api/v1/metrics/calls", json!({"direction": "sideways", "rollup": "max"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["direction", "rollup"]);

        // Deactivated metrics leave the table and stay listed.
        let (status, m) = admin.patch("/api/v1/metrics/plan_completion", json!({"active": false})).await;
        assert_eq!(status, StatusCode::OK, "{m}");
        assert_eq!(m["active"], false);
        let (_, t) = gm.get("/api/v1/table?subject=unit:HQ&year=2026").await;
        assert!(t["rows"].as_array().is_some_and(|r| r.iter().all(|r| r["metric"] != "plan_completion")));
        let (_, list) = gm.get("/api/v1/metrics").await;
        assert_eq!(codes(&list), DEFAULT_CODES);

        // A new rollup rule recomputes the units' kept rollups at once.
        let before = month(&t, "sales_amount", "2026-03")["target"].clone();
        assert!(before.is_string(), "{before}");
        let (status, _) = admin.patch("/api/v1/metrics/sales_amount", json!({"rollup": "none"})).await;
        assert_eq!(status, StatusCode::OK);
        let (_, t) = gm.get("/api/v1/table?subject=unit:HQ&year=2026").await;
        assert_eq!(month(&t, "sales_amount", "2026-03")["target"], Value::Null);
        let (status, _) = admin.patch("/api/v1/metrics/sales_amount", json!({"rollup": "sum"})).await;
        assert_eq!(status, StatusCode::OK);
        let (_, t) = gm.get("/api/v1/table?subject=unit:HQ&year=2026").await;
        assert_eq!(month(&t, "sales_amount", "2026-03")["target"], before);

        // An empty patch changes and audits nothing.
        let (_, log_before) = gm.get("/api/v1/audit?entity=metric").await;
        let (status, _) = admin.patch("/api/v1/metrics/visits", json!({})).await;
        assert_eq!(status, StatusCode::OK);
        let (_, log_after) = gm.get("/api/v1/audit?entity=metric").await;
        assert_eq!(log_before, log_after);
    }

    async fn the_demo_has_two_years_of_coloured_figures(app) {
        let gm = app.demo("gm").await;
        let (status, t) = gm.get("/api/v1/table?subject=unit:HQ&year=2026").await;
        assert_eq!(status, StatusCode::OK, "{t}");
        let statuses: Vec<&str> = row(&t, "sales_amount")["months"]
            .as_array()
            .map(|m| m.iter().filter_map(|c| c["status"].as_str()).collect())
            .unwrap_or_default();
        assert!(statuses.contains(&"green"), "{statuses:?}");
        assert!(statuses.contains(&"red"), "{statuses:?}");
        assert_eq!(statuses.last(), Some(&"none"), "December has no actuals yet");
        assert_eq!(t["locked"], json!(["2026-10"]));
        let dec = month(&t, "sales_amount", "2026-12");
        assert!(dec["target"].is_string() && dec["actual"].is_null(), "{dec}");

        // The region's own year target is above what its teams add up to.
        let (_, hd) = gm.get("/api/v1/table?subject=unit:HD&year=2026").await;
        let total = &row(&hd, "sales_amount")["total"];
        let (own, children) = (total["target"].as_str(), total["children_target"].as_str());
        assert!(own.is_some() && children.is_some(), "{total}");
        assert_ne!(own, children, "{total}");
        assert_eq!(row(&hd, "sales_amount")["year_target"].as_str(), own);

        // A salesperson's own table: every demo metric, mostly met.
        let sales = app.demo("sales").await;
        let mut count = std::collections::HashMap::<String, usize>::new();
        for year in [2025, 2026] {
            let (status, t) = sales.get(&format!("/api/v1/table?subject=person:E0015&year={year}")).await;
            assert_eq!(status, StatusCode::OK, "{t}");
            for metric in ["sales_amount", "collection_amount", "new_customers", "calls", "visits", "satisfaction", "complaints"] {
                for c in row(&t, metric)["months"].as_array().expect("months") {
                    *count.entry(c["status"].as_str().unwrap_or("?").to_owned()).or_default() += 1;
                }
            }
        }
        let n = |s: &str| count.get(s).copied().unwrap_or(0);
        assert!(n("green") + n("yellow") > 2 * n("red"), "{count:?}");
        assert!(n("yellow") > 0 && n("red") > 0, "{count:?}");

        // A late submitter's month: a typed metric has a target and no
        // data; sales are computed from the orders, so they are there.
        let (_, t) = gm.get("/api/v1/table?subject=person:E0019&year=2026").await;
        let nov = month(&t, "satisfaction", "2026-11");
        assert!(nov["target"].is_string(), "{nov}");
        assert_eq!(nov["actual"], Value::Null);
        assert_eq!(nov["status"], "none");
        assert!(month(&t, "sales_amount", "2026-11")["actual"].is_string(), "{t}");

        // The locked month refuses edits.
        let (status, e) = gm.put("/api/v1/actuals", json!([
            {"metric": "calls", "subject": "person:E0015", "period": "2026-10", "value": "1"},
        ])).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (_, log) = gm.get("/api/v1/audit?entity=period&record=2026-10").await;
        assert_eq!(log[0]["after"]["reason"], "10月已结账");
    }

    async fn the_openapi_document_describes_the_metric_api(app) {
        let (status, doc) = app.anonymous().get("/api/v1/openapi.json").await;
        assert_eq!(status, StatusCode::OK);
        let post = &doc["paths"]["/api/v1/metrics"]["post"];
        assert!(post["requestBody"].is_object(), "{post}");
        for code in ["201", "403", "422"] {
            assert!(post["responses"][code].is_object(), "{code}: {post}");
        }
        let patch = &doc["paths"]["/api/v1/metrics/{code}"]["patch"];
        assert!(patch["requestBody"].is_object() && patch["responses"]["404"].is_object(), "{patch}");
        let schemas = &doc["components"]["schemas"];
        for s in ["MetricView", "NewMetric", "MetricPatch"] {
            assert!(schemas[s].is_object(), "{s}");
        }
        let required = schemas["NewMetric"]["required"].as_array().cloned().unwrap_or_default();
        assert!(required.contains(&json!("kind")) && !required.contains(&json!("tolerance")), "{required:?}");
    }
}
