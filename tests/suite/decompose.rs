//! Target decomposition end to end: splits to children and over time,
//! distributions, locked parts, headcount and last-year shares, rates
//! that do not add up, the growth helper, and the plan versions every
//! target change goes through (the GM's published at once, a manager's
//! drafted, submitted, returned or approved, and published).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_databases;
use crate::common::{Client, TestApp};

/// A decimal string as integer cents (or hundredths), exactly.
fn cents(text: &str) -> i64 {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    assert!(frac.len() <= 2, "more than two decimals in {text:?}");
    let frac = format!("{frac:0<2}");
    let v = whole
        .parse::<i64>()
        .unwrap_or_else(|_| panic!("not a number: {text:?}"))
        * 100
        + frac
            .parse::<i64>()
            .unwrap_or_else(|_| panic!("not a number: {text:?}"));
    if negative { -v } else { v }
}

/// Cents as the API writes an amount.
fn money(c: i64) -> String {
    let sign = if c < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", c.abs() / 100, c.abs() % 100)
}

/// The cell of `metric` for `period` (a month like "2032-03", or "total").
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
        .unwrap_or_else(|| panic!("{metric} {period} in {row}"))
}

/// The target of `subject` for a month, as the GM's table shows it.
async fn target_of(gm: &Client, subject: &str, month: &str) -> Value {
    let year = &month[..4];
    let (status, t) = gm
        .get(&format!("/api/v1/table?subject={subject}&year={year}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{t}");
    cell(&t, "sales_amount", month)["target"].clone()
}

fn values(outcome: &Value) -> Vec<String> {
    outcome["parts"]
        .as_array()
        .unwrap_or_else(|| panic!("parts in {outcome}"))
        .iter()
        .map(|p| p["value"].as_str().expect("a part's value").to_owned())
        .collect()
}

fn sum(values: &[String]) -> i64 {
    values.iter().map(|v| cents(v)).sum()
}

/// The fields a 422 names.
fn fields(e: &Value) -> Vec<String> {
    e["details"]
        .as_array()
        .unwrap_or_else(|| panic!("details in {e}"))
        .iter()
        .map(|d| d["field"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn refused(status: StatusCode, e: &Value, field: &str, says: &str) {
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(fields(e), [field], "{e}");
    let message = e["details"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(says),
        "{field}: {message:?} should say {says:?}"
    );
}

/// A unit T3 under 华东 with exactly three salespeople, E0901..E0903.
async fn three_people(app: &TestApp) {
    let admin = app.demo("admin").await;
    let (status, body) = admin
        .post(
            "/api/v1/units",
            json!({"code": "T3", "name": "三人组", "parent": "HD"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for (no, name) in [("E0901", "甲一"), ("E0902", "乙二"), ("E0903", "丙三")] {
        let (status, body) = admin
            .post(
                "/api/v1/people",
                json!({"employee_no": no, "name": name, "unit": "T3", "role": "sales"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
}

/// A split request from `subject` at `period`.
fn split(subject: &str, period: &str, to: &str, method: &str, extra: Value) -> Value {
    let mut req = json!({
        "metric": "sales_amount",
        "from": {"subject": subject, "period": period},
        "to": to,
        "method": method,
        "preview": true,
    });
    for (k, v) in extra.as_object().expect("extra is an object") {
        req[k] = v.clone();
    }
    req
}

/// `plan` of `unit` in a `GET /api/v1/plans` answer.
fn plan_of<'a>(plans: &'a Value, unit: &str) -> &'a Value {
    plans
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["unit"] == unit))
        .unwrap_or_else(|| panic!("a plan of {unit} in {plans}"))
}

both_databases! {
    async fn an_equal_split_in_three_gives_the_cent_to_the_first_part(app) {
        three_people(&app).await;
        let gm = app.demo("gm").await;
        let req = split("unit:T3", "2032-03", "children", "equal", json!({"value": "100.00"}));
        let (status, o) = gm.post("/api/v1/targets/split", req.clone()).await;
        assert_eq!(status, StatusCode::OK, "{o}");
        assert_eq!(o["whole"], "100.00");
        assert_eq!(values(&o), ["33.34", "33.33", "33.33"]);
        let subjects: Vec<&str> = o["parts"].as_array().unwrap().iter().map(|p| p["subject"].as_str().unwrap()).collect();
        assert_eq!(subjects, ["person:E0901", "person:E0902", "person:E0903"]);
        let took: Vec<bool> = o["parts"].as_array().unwrap().iter().map(|p| p["took_remainder"].as_bool().unwrap()).collect();
        assert_eq!(took, [true, false, false]);
        assert_eq!(o["remainder"], "0.01");
        assert_eq!(o["copied"], false);
        assert_eq!(o["applied"], Value::Null, "a preview writes nothing");
        assert_eq!(o["parts"][0]["period"], "2032-03");
        assert_eq!(o["parts"][1]["name"], "乙二");
        // The preview wrote nothing: no target, no plan.
        assert_eq!(target_of(&gm, "person:E0901", "2032-03").await, Value::Null);
        assert_eq!(target_of(&gm, "unit:T3", "2032-03").await, Value::Null);
        let (status, plans) = gm.get("/api/v1/plans?year=2032").await;
        assert_eq!(status, StatusCode::OK, "{plans}");
        assert_eq!(plans, json!([]), "a preview makes no plan version");

        // Applied by the GM: published at once.
        let mut req = req;
        req["preview"] = json!(false);
        req["reason"] = json!("三月目标平分");
        let (status, o) = gm.post("/api/v1/targets/split", req).await;
        assert_eq!(status, StatusCode::OK, "{o}");
        assert_eq!(values(&o), ["33.34", "33.33", "33.33"]);
        let published = &o["applied"]["published"];
        assert_eq!(published.as_array().map(Vec::len), Some(1), "{o}");
        assert_eq!(published[0]["status"], "published");
        assert_eq!(published[0]["unit"], "HQ", "the company's plan");
        assert_eq!(published[0]["year"], 2032);
        assert_eq!(published[0]["version"], 1);
        assert!(o["applied"].get("pending").is_none_or(|p| p.as_array().is_some_and(Vec::is_empty)), "{o}");
        assert_eq!(target_of(&gm, "person:E0901", "2032-03").await, "33.34");
        assert_eq!(target_of(&gm, "person:E0902", "2032-03").await, "33.33");
        assert_eq!(target_of(&gm, "person:E0903", "2032-03").await, "33.33");
        assert_eq!(target_of(&gm, "unit:T3", "2032-03").await, "100.00", "the whole given is set too");
        let (_, plans) = gm.get("/api/v1/plans?year=2032").await;
        let plan = plan_of(&plans, "HQ");
        assert_eq!(plan["year"], 2032);
        let versions = plan["versions"].as_array().unwrap();
        assert_eq!(versions.len(), 1, "{plan}");
        assert_eq!(versions[0]["status"], "published");
        assert_eq!(versions[0]["items"], 4, "the whole and three parts");
        assert_eq!(versions[0]["reason"], "三月目标平分");
        assert_eq!(versions[0]["author"], "gm");
    }

    async fn bad_distributions_weights_and_locks_are_refused_by_name(app) {
        let gm = app.demo("gm").await;
        let year = |extra: Value| split("unit:HD", "2032", "months", "distribution", extra);
        // Twelve percentages totalling 96.
        let (status, e) = gm.post("/api/v1/targets/split", year(json!({"value": "1200", "distribution": [8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8]}))).await;
        refused(status, &e, "distribution", "total 96");
        let (status, e) = gm.put("/api/v1/distributions/spring_fair", json!({"name": "春季展会", "percents": [8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8]})).await;
        refused(status, &e, "percents", "total 96");
        // Eleven values.
        let eleven = json!(["10", "10", "10", "10", "10", "10", "10", "10", "10", "5", "5"]);
        let (status, e) = gm.post("/api/v1/targets/split", year(json!({"value": "1200", "distribution": eleven.clone()}))).await;
        refused(status, &e, "distribution", "not 11");
        let (status, e) = gm.put("/api/v1/distributions/spring_fair", json!({"name": "春季展会", "percents": eleven})).await;
        refused(status, &e, "percents", "not 11");
        // An unknown name.
        let (status, e) = gm.post("/api/v1/targets/split", year(json!({"value": "1200", "distribution": "no_such"}))).await;
        refused(status, &e, "distribution", "no_such");
        // Nothing was stored; a good one is, and splits.
        let (status, list) = gm.get("/api/v1/distributions").await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert!(!list.to_string().contains("spring_fair"), "{list}");
        assert!(list.as_array().unwrap().iter().any(|d| d["code"] == "car_dealer" && d["builtin"] == true), "{list}");
        let good = json!(["10", "10", "10", "10", "10", "10", "5", "5", "5", "5", "10", "10"]);
        let (status, d) = gm.put("/api/v1/distributions/spring_fair", json!({"name": "春季展会", "percents": good})).await;
        assert_eq!(status, StatusCode::OK, "{d}");
        assert_eq!(d["builtin"], false);
        let (status, o) = gm.post("/api/v1/targets/split", year(json!({"value": "1200", "distribution": "spring_fair"}))).await;
        assert_eq!(status, StatusCode::OK, "{o}");
        assert_eq!(values(&o)[0], "120.00");
        assert_eq!(values(&o)[6], "60.00");
        assert_eq!(sum(&values(&o)), 120_000);

        let children = |extra: Value| split("unit:HD", "2032-03", "children", "weights", extra);
        // Weights all zero.
        let (status, e) = gm.post("/api/v1/targets/split", children(json!({"value": "100", "weights": {"unit:HD-SH": 0, "unit:HD-HZ": "0"}}))).await;
        refused(status, &e, "weights", "all zero");
        // No weights at all for method "weights".
        let (status, e) = gm.post("/api/v1/targets/split", children(json!({"value": "100"}))).await;
        refused(status, &e, "weights", "weight");
        // A part that is not a child of HD.
        let (status, e) = gm.post("/api/v1/targets/split", children(json!({"value": "100", "weights": {"unit:HD-SH": 1, "unit:HN-GZ": 1}}))).await;
        refused(status, &e, "weights[\"unit:HN-GZ\"]", "unit:HN-GZ");
        let equal = |extra: Value| split("unit:HD", "2032-03", "children", "equal", extra);
        let (status, e) = gm.post("/api/v1/targets/split", equal(json!({"value": "100", "fixed": {"person:E0028": "10"}}))).await;
        refused(status, &e, "fixed[\"person:E0028\"]", "person:E0028");
        // A locked part beyond the whole.
        let (status, e) = gm.post("/api/v1/targets/split", equal(json!({"value": "100", "fixed": {"unit:HD-SH": "150"}}))).await;
        refused(status, &e, "fixed", "beyond the whole of 100.00");
        assert!(e["details"][0]["message"].as_str().unwrap_or_default().contains("150.00"), "{e}");
        // None of it wrote anything.
        let (_, plans) = gm.get("/api/v1/plans?year=2032").await;
        assert_eq!(plans, json!([]));
    }

    async fn splits_over_time_add_up_to_the_whole_exactly(app) {
        let gm = app.demo("gm").await;
        // 12,345.67 by the car-dealer season, Jan..Dec 6 5 10 10 9 8 7 7 9
        // 9 9 11 %: e.g. January 6 % = 740.7402 → 740.74, March 10 % =
        // 1,234.567 → 1,234.57. Flooring leaves 4 cents, which go to the
        // largest remainders: March and April (.70), July and August (.69).
        let req = split("unit:HD", "2032", "months", "distribution", json!({"value": "12345.67", "distribution": "car_dealer"}));
        let (status, o) = gm.post("/api/v1/targets/split", req.clone()).await;
        assert_eq!(status, StatusCode::OK, "{o}");
        let months = values(&o);
        assert_eq!(
            months,
            ["740.74", "617.28", "1234.57", "1234.57", "1111.11", "987.65", "864.20", "864.20", "1111.11", "1111.11", "1111.11", "1358.02"]
        );
        assert_eq!(sum(&months), cents("12345.67"));
        let periods: Vec<&str> = o["parts"].as_array().unwrap().iter().map(|p| p["period"].as_str().unwrap()).collect();
        assert_eq!(periods[0], "2032-01");
        assert_eq!(periods[11], "2032-12");
        let took: Vec<usize> = o["parts"].as_array().unwrap().iter().enumerate().filter(|(_, p)| p["took_remainder"] == true).map(|(i, _)| i).collect();
        assert_eq!(took, [2, 3, 6, 7]);
        assert_eq!(o["remainder"], "0.04");
        // Applied, the months show in HD's table.
        let mut apply = req;
        apply["preview"] = json!(false);
        let (status, o) = gm.post("/api/v1/targets/split", apply).await;
        assert_eq!(status, StatusCode::OK, "{o}");
        assert_eq!(target_of(&gm, "unit:HD", "2032-01").await, "740.74");
        assert_eq!(target_of(&gm, "unit:HD", "2032-12").await, "1358.02");

        // A year in four equal quarters.
        let (status, o) = gm.post("/api/v1/targets/split", split("unit:HD", "2033", "quarters", "equal", json!({"value": "100.03"}))).await;
        assert_eq!(status, StatusCode::OK, "{o}");
        assert_eq!(values(&o), ["25.01", "25.01", "25.01", "25.00"]);
        let periods: Vec<&str> = o["parts"].as_array().unwrap().iter().map(|p| p["period"].as_str().unwrap()).collect();
        assert_eq!(periods, ["2033-Q1", "2033-Q2", "2033-Q3", "2033-Q4"]);

        // A year in ISO weeks: 2032 starts on a Thursday, so it has 53.
        let (status, o) = gm.post("/api/v1/targets/split", split("person:E0015", "2032", "weeks", "equal", json!({"value": "1000000.00"}))).await;
        assert_eq!(status, StatusCode::OK, "{o}");
        let weeks = values(&o);
        assert_eq!(weeks.len(), 53, "{o}");
        assert_eq!(sum(&weeks), cents("1000000.00"));
        assert!(weeks.iter().all(|w| (cents(w) - 1_886_792).abs() <= 1), "{weeks:?}");
        // And by a distribution, weeks follow their months' shares.
        let (status, o) = gm.post("/api/v1/targets/split", split("person:E0015", "2032", "weeks", "distribution", json!({"value": "9999.99", "distribution": "car_dealer"}))).await;
        assert_eq!(status, StatusCode::OK, "{o}");
        assert_eq!(sum(&values(&o)), cents("9999.99"));
    }

    async fn a_locked_part_keeps_its_value_and_the_rest_is_respread(app) {
        three_people(&app).await;
        let gm = app.demo("gm").await;
        let req = split("unit:T3", "2032", "children", "equal", json!({"value": "1000", "fixed": {"person:E0902": "500"}}));
        let (status, o) = gm.post("/api/v1/targets/split", req).await;
        assert_eq!(status, StatusCode::OK, "{o}");
        assert_eq!(values(&o), ["250.00", "500.00", "250.00"]);
        let fixed: Vec<bool> = o["parts"].as_array().unwrap().iter().map(|p| p["fixed"].as_bool().unwrap()).collect();
        assert_eq!(fixed, [false, true, false]);
        // An odd rest: 1000.01 − 500 in two.
        let req = split("unit:T3", "2032", "children", "equal", json!({"value": "1000.01", "fixed": {"person:E0902": "500"}}));
        let (_, o) = gm.post("/api/v1/targets/split", req).await;
        assert_eq!(values(&o), ["250.01", "500.00", "250.00"]);
        assert_eq!(o["remainder"], "0.01");
    }

    async fn headcount_and_last_year_give_proportional_shares(app) {
        let gm = app.demo("gm").await;
        // Headcount: every active person below each child counts one.
        let (status, o) = gm.post("/api/v1/targets/split", split("unit:HD", "2032", "children", "headcount", json!({"value": "10000"}))).await;
        assert_eq!(status, StatusCode::OK, "{o}");
        let parts = o["parts"].as_array().unwrap();
        let mut heads = Vec::new();
        for p in parts {
            let subject = p["subject"].as_str().unwrap();
            let n = match subject.strip_prefix("unit:") {
                Some(code) => {
                    let (status, people) = gm.get(&format!("/api/v1/people?unit={code}")).await;
                    assert_eq!(status, StatusCode::OK, "{people}");
                    people.as_array().unwrap().len() as i64
                }
                None => 1,
            };
            heads.push(n);
        }
        let total: i64 = heads.iter().sum();
        assert!(total > 3, "{heads:?}");
        for (p, n) in parts.iter().zip(&heads) {
            let exact = 1_000_000 * n;
            let got = cents(p["value"].as_str().unwrap()) * total;
            assert!((got - exact).abs() <= total, "{} has {n} of {total} people but {}", p["subject"], p["value"]);
        }
        assert_eq!(sum(&values(&o)), 1_000_000);
        assert!(parts.iter().any(|p| p["subject"] == "unit:HD-SH"), "{o}");

        // Last year: HD's 2026 target (the demo's) in proportion to what
        // each child sold in 2025.
        let (_, t) = gm.get("/api/v1/table?subject=unit:HD&year=2026").await;
        let whole = cell(&t, "sales_amount", "total")["target"].as_str().expect("HD has a 2026 target").to_owned();
        let (status, o) = gm.post("/api/v1/targets/split", split("unit:HD", "2026", "children", "last_year", json!({}))).await;
        assert_eq!(status, StatusCode::OK, "{o}");
        assert_eq!(o["whole"], whole, "the current target is the whole");
        let parts = o["parts"].as_array().unwrap();
        let mut actuals = Vec::new();
        for p in parts {
            let (_, t) = gm.get(&format!("/api/v1/table?subject={}&year=2025", p["subject"].as_str().unwrap())).await;
            actuals.push(cell(&t, "sales_amount", "total")["actual"].as_str().map_or(0, cents));
        }
        let total: i64 = actuals.iter().sum();
        assert!(total > 0, "the demo sold in 2025: {actuals:?}");
        assert!(actuals.iter().filter(|a| **a > 0).count() >= 3, "{actuals:?}");
        let whole = i128::from(cents(&whole));
        for (p, a) in parts.iter().zip(&actuals) {
            let exact = whole * i128::from(*a);
            let got = i128::from(cents(p["value"].as_str().unwrap())) * i128::from(total);
            assert!((got - exact).abs() <= i128::from(total), "{} sold {a} of {total} but gets {}", p["subject"], p["value"]);
        }
        assert_eq!(i128::from(sum(&values(&o))), whole);
    }

    async fn a_rate_is_copied_to_every_part_not_shared(app) {
        let gm = app.demo("gm").await;
        let mut req = split("unit:HD", "2032-03", "children", "equal", json!({"value": "85.5"}));
        req["metric"] = json!("repurchase_rate");
        let (status, o) = gm.post("/api/v1/targets/split", req).await;
        assert_eq!(status, StatusCode::OK, "{o}");
        assert_eq!(o["copied"], true);
        assert_eq!(o["whole"], "85.50");
        let parts = values(&o);
        assert!(parts.len() >= 3, "{o}");
        assert!(parts.iter().all(|p| p == "85.50"), "{parts:?}");
        assert_eq!(o["remainder"], "0.00");
        // The method is not used for a copy, but a misspelt one is refused.
        let mut req = split("unit:HD", "2032-03", "children", "eqaul", json!({"value": "85.5"}));
        req["metric"] = json!("repurchase_rate");
        let (status, e) = gm.post("/api/v1/targets/split", req).await;
        refused(status, &e, "method", "eqaul");
        // A growth year out of range is a 422, not an overflow.
        let (status, e) = gm
            .post("/api/v1/targets/growth", json!({"metric": "sales_amount", "subject": "unit:HD", "year": -2147483648, "growth": "20", "preview": true}))
            .await;
        refused(status, &e, "year", "2026");
    }

    async fn a_managers_change_waits_for_approval_and_versions_compare(app) {
        let gm = app.demo("gm").await;
        let manager = app.demo("manager").await;
        let sales = app.demo("sales").await;
        let item = |v: &str| json!([{"metric": "sales_amount", "subject": "person:E0015", "period": "2032-03", "value": v}]);
        let (status, w) = manager.put("/api/v1/targets", item("500")).await;
        assert_eq!(status, StatusCode::OK, "{w}");
        let pending = &w["pending"];
        assert_eq!(pending.as_array().map(Vec::len), Some(1), "{w}");
        assert_eq!(pending[0]["unit"], "HD", "the manager's own unit's plan");
        assert_eq!(pending[0]["year"], 2032);
        assert_eq!(pending[0]["version"], 1);
        assert_eq!(pending[0]["status"], "draft");
        assert!(w.get("published").is_none_or(|p| p.as_array().is_some_and(Vec::is_empty)), "{w}");
        assert_eq!(target_of(&gm, "person:E0015", "2032-03").await, Value::Null, "a draft changes no target");
        let plan = pending[0]["plan"].as_i64().expect("plan id");
        let step = |s: &str, v: i64| format!("/api/v1/plans/{plan}/versions/{v}/{s}");

        let (status, p) = manager.get(&format!("/api/v1/plans/{plan}")).await;
        assert_eq!(status, StatusCode::OK, "{p}");
        assert_eq!(p["actions"], json!(["submit"]));
        assert_eq!(p["versions"][0]["items"], 1);
        let (status, r) = manager.post(&step("submit", 1), json!({})).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        assert_eq!(r["status"], "submitted");
        // While submitted, the manager cannot change the plan.
        let (status, e) = manager.put("/api/v1/targets", item("550")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["plan"], "{e}");
        // A salesperson reads no plans: the plan does not exist for them.
        let (status, _) = sales.post(&step("approve", 1), json!({})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, list) = sales.get("/api/v1/plans").await;
        assert_eq!((status, list), (StatusCode::OK, json!([])));
        // Nobody approves their own plan.
        let (status, _) = manager.post(&step("approve", 1), json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // Returning needs a comment.
        let (status, e) = gm.post(&step("return", 1), json!({})).await;
        refused(status, &e, "comment", "why");
        let (status, e) = gm.post(&step("return", 1), json!({"comment": "  "})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (status, r) = gm.post(&step("return", 1), json!({"comment": "三月偏低，请调到600"})).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        assert_eq!(r["status"], "returned");
        let (_, p) = manager.get(&format!("/api/v1/plans/{plan}")).await;
        assert_eq!(p["versions"][0]["comment"], "三月偏低，请调到600");
        assert_eq!(p["versions"][0]["decided_by"], "gm");
        // Edited and submitted again.
        let (status, w) = manager.put("/api/v1/targets", item("600")).await;
        assert_eq!(status, StatusCode::OK, "{w}");
        assert_eq!(w["pending"][0]["version"], 1, "the returned version is edited");
        let (status, r) = manager.post(&step("submit", 1), json!({})).await;
        assert_eq!((status, r["status"].clone()), (StatusCode::OK, json!("submitted")));
        // Publishing needs an approved version.
        let (status, e) = manager.post(&step("publish", 1), json!({})).await;
        refused(status, &e, "status", "submitted");
        let (status, r) = gm.post(&step("approve", 1), json!({"comment": "同意"})).await;
        assert_eq!((status, r["status"].clone()), (StatusCode::OK, json!("approved")), "{r}");
        assert_eq!(target_of(&gm, "person:E0015", "2032-03").await, Value::Null, "approved is not yet published");
        let (status, r) = manager.post(&step("publish", 1), json!({})).await;
        assert_eq!((status, r["status"].clone()), (StatusCode::OK, json!("published")), "{r}");
        assert_eq!(target_of(&gm, "person:E0015", "2032-03").await, "600.00");

        // A second change is version 2.
        let (status, w) = manager.put("/api/v1/targets", item("650")).await;
        assert_eq!(status, StatusCode::OK, "{w}");
        assert_eq!(w["pending"][0]["version"], 2);
        assert_eq!(w["pending"][0]["status"], "draft");
        assert_eq!(target_of(&gm, "person:E0015", "2032-03").await, "600.00");
        for (who, s) in [(&manager, "submit"), (&gm, "approve"), (&gm, "publish")] {
            let (status, r) = who.post(&step(s, 2), json!({})).await;
            assert_eq!(status, StatusCode::OK, "{s}: {r}");
        }
        assert_eq!(target_of(&gm, "person:E0015", "2032-03").await, "650.00");

        let (status, c) = manager.get(&format!("/api/v1/plans/{plan}/compare?from=1&to=2")).await;
        assert_eq!(status, StatusCode::OK, "{c}");
        let changes = c["changes"].as_array().unwrap();
        assert_eq!(changes.len(), 1, "{c}");
        assert_eq!(changes[0]["metric"], "sales_amount");
        assert_eq!(changes[0]["subject"], "person:E0015");
        assert_eq!(changes[0]["subject_name"], "张晓明");
        assert_eq!(changes[0]["period"], "2032-03");
        assert_eq!(changes[0]["from"], "600.00");
        assert_eq!(changes[0]["to"], "650.00");
        assert_eq!(changes[0]["versions"], json!([2]));
        let versions: Vec<i64> = c["versions"].as_array().unwrap().iter().map(|v| v["version"].as_i64().unwrap()).collect();
        assert_eq!(versions, [2]);
        let (_, c) = gm.get(&format!("/api/v1/plans/{plan}/compare?from=0&to=2")).await;
        assert_eq!(c["changes"][0]["from"], Value::Null);
        assert_eq!(c["changes"][0]["to"], "650.00");
        assert_eq!(c["changes"][0]["versions"], json!([1, 2]));
        let (status, e) = gm.get(&format!("/api/v1/plans/{plan}/compare?from=1&to=7")).await;
        refused(status, &e, "to", "no version 7");

        // Every step is audited once per version.
        let (_, log) = gm.get("/api/v1/audit?entity=plan").await;
        let actions: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        for a in ["plan.draft", "plan.submit", "plan.return", "plan.approve", "plan.publish"] {
            assert!(actions.contains(&a), "{a} in {actions:?}");
        }

        // The GM's change is published at once.
        let (status, w) = gm.put("/api/v1/targets", json!([{"metric": "sales_amount", "subject": "person:E0016", "period": "2032-04", "value": "700"}])).await;
        assert_eq!(status, StatusCode::OK, "{w}");
        assert_eq!(w["published"][0]["status"], "published");
        assert_eq!(w["published"][0]["unit"], "HQ");
        assert!(w.get("pending").is_none_or(|p| p.as_array().is_some_and(Vec::is_empty)), "{w}");
        assert_eq!(target_of(&gm, "person:E0016", "2032-04").await, "700.00");
        let (_, plans) = gm.get("/api/v1/plans?year=2032").await;
        assert_eq!(plan_of(&plans, "HQ")["versions"][0]["status"], "published");
        assert_eq!(plan_of(&plans, "HD")["versions"].as_array().map(Vec::len), Some(2));
    }

    async fn growth_sets_last_years_actual_plus_twenty_percent(app) {
        let gm = app.demo("gm").await;
        let (_, t) = gm.get("/api/v1/table?subject=unit:HD&year=2025").await;
        let last = cents(cell(&t, "sales_amount", "total")["actual"].as_str().expect("HD sold in 2025"));
        assert!(last > 0);
        // × 1.2, half away from zero to the cent.
        let expected = money((last * 12 + 5) / 10);
        let req = json!({"metric": "sales_amount", "subject": "unit:HD", "year": 2026, "growth": "20", "preview": true});
        let (status, o) = gm.post("/api/v1/targets/growth", req.clone()).await;
        assert_eq!(status, StatusCode::OK, "{o}");
        assert_eq!(o["whole"], expected);
        assert_eq!(values(&o), vec![expected.clone()]);
        assert_eq!(o["parts"][0]["subject"], "unit:HD");
        assert_eq!(o["applied"], Value::Null);
        let mut apply = req;
        apply["preview"] = json!(false);
        let (status, o) = gm.post("/api/v1/targets/growth", apply).await;
        assert_eq!(status, StatusCode::OK, "{o}");
        assert_eq!(o["applied"]["published"][0]["year"], 2026);
        let (_, t) = gm.get("/api/v1/table?subject=unit:HD&year=2026").await;
        assert_eq!(cell(&t, "sales_amount", "total")["target"], expected);
        // A salesperson may not.
        let sales = app.demo("sales").await;
        let (status, _) = sales.post("/api/v1/targets/growth", json!({"metric": "sales_amount", "subject": "person:E0015", "year": 2026, "growth": "20", "preview": true})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
}
