//! Computed actuals: the target table's figures that come from orders,
//! collections, activities and daily plans, checked against figures
//! computed by hand — with the credit split, an order on the last second
//! of a month, a refund, a cancelled order, a collection before its
//! invoice — kept current on every change, traceable to their records,
//! and refused when typed.
//!
//! The records are in 2032–2033, years the demo company has no records in.

use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::both_databases;
use crate::common::Client;

/// A month's actual of a metric in a subject's table.
async fn actual(c: &Client, subject: &str, metric: &str, month: &str) -> Option<String> {
    let year = &month[..4];
    let (status, t) = c
        .get(&format!("/api/v1/table?subject={subject}&year={year}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{t}");
    let row = t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["metric"] == metric)
        .unwrap_or_else(|| panic!("no row {metric}"))
        .clone();
    let cell = row["months"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["period"] == month)
        .unwrap_or_else(|| panic!("no month {month}"))
        .clone();
    cell["actual"].as_str().map(str::to_owned)
}

async fn order(c: &Client, body: Value) -> i64 {
    let (status, o) = c.post("/api/v1/orders", body).await;
    assert_eq!(status, StatusCode::CREATED, "{o}");
    o["id"].as_i64().expect("order id")
}

fn line(qty: &str, price: &str) -> Value {
    json!({"product": "智能网关", "category": "硬件", "quantity": qty, "unit_price": price})
}

/// The orders of the scenario; returns the id of order A.
async fn scenario(admin: &Client) -> i64 {
    // Last year's customer 丁, who buys again in March.
    order(
        admin,
        json!({"customer": "测试客户丁", "order_date": "2032-06-01",
        "lines": [line("1", "500")], "credits": [{"employee_no": "E0015"}]}),
    )
    .await;
    order(
        admin,
        json!({"customer": "测试客户丁", "order_date": "2033-03-05",
        "lines": [line("1", "400")], "credits": [{"employee_no": "E0015"}]}),
    )
    .await;
    // A: new customer 甲, entered on the last second of March (Shanghai).
    let a = order(
        admin,
        json!({"customer": "测试客户甲", "order_date": "2033-03-31T23:59:59+08:00",
        "lines": [line("2", "100")], "credits": [{"employee_no": "E0015"}]}),
    )
    .await;
    // A refund line for 甲 on the same day.
    order(
        admin,
        json!({"customer": "测试客户甲", "order_date": "2033-03-31",
        "lines": [line("-1", "50")], "credits": [{"employee_no": "E0015"}]}),
    )
    .await;
    // B: new customer 乙, split 33.33 / 66.67 between two salespeople.
    order(admin, json!({"customer": "测试客户乙", "order_date": "2033-03-10",
        "lines": [line("1", "100")],
        "credits": [{"employee_no": "E0015", "share": "33.33"}, {"employee_no": "E0016", "share": "66.67"}]})).await;
    // A cancelled order counts for nothing, and 丙 never became a customer.
    let d = order(
        admin,
        json!({"customer": "测试客户丙", "order_date": "2033-03-15",
        "lines": [line("1", "1000")], "credits": [{"employee_no": "E0015"}]}),
    )
    .await;
    let (status, r) = admin
        .post(
            &format!("/api/v1/orders/{d}/cancel"),
            json!({"reason": "客户取消", "date": "2033-03-16"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    // 2033-03-31T16:00:00Z is already April 1 in Shanghai.
    order(
        admin,
        json!({"customer": "测试客户甲", "order_date": "2033-03-31T16:00:00Z",
        "lines": [line("3", "100")], "credits": [{"employee_no": "E0015"}]}),
    )
    .await;
    a
}

/// Every non-zero actual of a computed metric in the scenario's years, in
/// order: what a recompute of everything must leave as it is. (Earlier
/// months are the demo's; a recompute of everything also fills its
/// repurchase rate of the months up to the scenario's far-off records.)
async fn computed_actuals(app: &crate::common::TestApp) -> Vec<(String, String, i64, String, i64)> {
    let sql = "SELECT m.code AS code, f.subject_kind AS kind, f.subject_id AS subject, \
         f.period AS period, f.actual AS actual FROM figure f JOIN metric m ON m.id = f.metric_id \
         WHERE m.source <> 'manual' AND f.actual IS NOT NULL AND f.actual <> 0 AND f.period >= '2032' \
         ORDER BY m.code, f.subject_kind, f.subject_id, f.period";
    let rows = app
        .db()
        .query_all_raw(sea_orm::Statement::from_string(
            app.db().get_database_backend(),
            sql,
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            (
                r.try_get("", "code").unwrap(),
                r.try_get("", "kind").unwrap(),
                r.try_get("", "subject").unwrap(),
                r.try_get("", "period").unwrap(),
                r.try_get("", "actual").unwrap(),
            )
        })
        .collect()
}

/// Runs `mubiao recompute` (everything from scratch) and asserts it found
/// every non-zero computed actual from 2032 on as it would have made it.
async fn assert_a_recompute_changes_nothing(app: &crate::common::TestApp) {
    let kept = computed_actuals(app).await;
    assert!(kept.len() > 20, "{kept:?}");
    let o = app.cli(&["recompute"]).await;
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let again = computed_actuals(app).await;
    let gone: Vec<_> = kept.iter().filter(|f| !again.contains(f)).collect();
    let came: Vec<_> = again.iter().filter(|f| !kept.contains(f)).collect();
    assert!(
        gone.is_empty() && came.is_empty(),
        "the recompute changed {gone:?} into {came:?}"
    );
}

both_databases! {

    async fn an_import_moves_first_purchases_and_repurchases_as_a_recompute_would(app) {
        let admin = app.demo("sales_admin").await;
        let gm = app.demo("gm").await;
        scenario(&admin).await;
        // 丁 bought from E0015 already in February 2032; 戊 is E0016's
        // customer of 2032 who buys again in April 2033; 乙's first order
        // is in January 2033, with E0016.
        let csv = "订单号,客户,销售工号,下单日期,产品,类别,数量,单价,金额\n\
            R-001,测试客户丁,E0015,2032-02-10,智能网关,硬件,1,100,100\n\
            R-002,测试客户戊,E0016,2032-05-03,智能网关,硬件,1,200,200\n\
            R-003,测试客户戊,E0016,2033-04-08,智能网关,硬件,1,300,300\n\
            R-004,测试客户乙,E0016,2033-01-20,智能网关,硬件,1,10,10\n";
        let (status, r) = admin.upload("/api/v1/import/orders", "orders.csv", csv.as_bytes().to_vec()).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        assert_eq!(r["customers_created"], json!(["测试客户戊"]));
        let me = "person:E0015";
        let other = "person:E0016";
        assert_eq!(actual(&gm, me, "new_customers", "2032-02").await.as_deref(), Some("1"));
        assert_eq!(actual(&gm, me, "new_customers", "2032-06").await.as_deref(), Some("0"));
        assert_eq!(actual(&gm, other, "new_customers", "2032-05").await.as_deref(), Some("1"));
        assert_eq!(actual(&gm, other, "new_customers", "2033-01").await.as_deref(), Some("1"));
        // 乙 is new no more in March: 甲 alone for E0015, nobody for E0016.
        assert_eq!(actual(&gm, me, "new_customers", "2033-03").await.as_deref(), Some("1"));
        assert_eq!(actual(&gm, other, "new_customers", "2033-03").await.as_deref(), Some("0"));
        // 乙 still first bought this year: E0015's March share keeps them.
        assert_eq!(actual(&gm, me, "new_customer_share", "2033-03").await.as_deref(), Some("31.43"));
        // 丁's orders of 2032 were all new that year, February's and June's.
        assert_eq!(actual(&gm, me, "new_customer_share", "2032-06").await.as_deref(), Some("100.00"));
        // E0016's customers of 2032: 戊, who bought again in April.
        assert_eq!(actual(&gm, other, "repurchase_rate", "2033-03").await.as_deref(), Some("0.00"));
        assert_eq!(actual(&gm, other, "repurchase_rate", "2033-04").await.as_deref(), Some("100.00"));
        assert_eq!(actual(&gm, me, "repurchase_rate", "2033-03").await.as_deref(), Some("100.00"));
        // Nothing collected in a month the import gave orders is a figure,
        // as after an order entered alone.
        assert_eq!(actual(&gm, other, "collection_amount", "2032-05").await.as_deref(), Some("0.00"));
        // The kept first months per customer and year match the credits,
        // and a recompute of everything finds nothing to change.
        app.assert_credit_copies_kept().await;
        assert_a_recompute_changes_nothing(&app).await;
    }

    async fn orders_entered_one_by_one_leave_what_a_recompute_would(app) {
        let admin = app.demo("sales_admin").await;
        let gm = app.demo("gm").await;
        // Sales counted when shipped: an order only entered counts there
        // as nothing yet — 0, not blank, in a month of the company's
        // records: nothing sold is a figure — while its new customers,
        // their share and repurchases count at once.
        let admin_user = app.demo("admin").await;
        let (status, r) = admin_user
            .patch("/api/v1/metrics/sales_amount", json!({"source": "orders_shipped"}))
            .await;
        assert_eq!(status, StatusCode::OK, "{r}");
        let a = scenario(&admin).await;
        let (status, r) = admin
            .post(&format!("/api/v1/orders/{a}/collections"), json!({"amount": "80", "collected_on": "2033-04-05"}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{r}");
        // 丁's earlier order moves their first purchase to 2032-02; 戊 is
        // E0016's customer of 2032 who buys again in April 2033.
        for (customer, day, who) in [
            ("测试客户丁", "2032-02-10", "E0015"),
            ("测试客户戊", "2032-05-03", "E0016"),
            ("测试客户戊", "2033-04-08", "E0016"),
        ] {
            order(&admin, json!({"customer": customer, "order_date": day,
                "lines": [line("1", "100")], "credits": [{"employee_no": who}]})).await;
        }
        let other = "person:E0016";
        assert_eq!(actual(&gm, other, "sales_amount", "2033-04").await.as_deref(), Some("0.00"));
        assert_eq!(actual(&gm, other, "collection_amount", "2033-04").await.as_deref(), Some("0.00"));
        assert_eq!(actual(&gm, "person:E0015", "new_customers", "2032-02").await.as_deref(), Some("1"));
        assert_eq!(actual(&gm, other, "repurchase_rate", "2033-04").await.as_deref(), Some("100.00"));
        assert_eq!(actual(&gm, "person:E0015", "collection_amount", "2033-04").await.as_deref(), Some("80.00"));
        assert_a_recompute_changes_nothing(&app).await;
    }

    async fn order_figures_match_the_hand_computed_ones(app) {
        let admin = app.demo("sales_admin").await;
        let gm = app.demo("gm").await;
        scenario(&admin).await;
        let me = "person:E0015";
        // 400 (丁) + 200 (甲) − 50 (refund) + 33.33 (乙, 33.33 %); not the cancelled 1000.
        assert_eq!(actual(&gm, me, "sales_amount", "2033-03").await.as_deref(), Some("583.33"));
        assert_eq!(actual(&gm, "person:E0016", "sales_amount", "2033-03").await.as_deref(), Some("66.67"));
        assert_eq!(actual(&gm, me, "sales_amount", "2033-04").await.as_deref(), Some("300.00"));
        // The team and the region roll the people up.
        assert_eq!(actual(&gm, "unit:HD-SH", "sales_amount", "2033-03").await.as_deref(), Some("650.00"));
        assert_eq!(actual(&gm, "unit:HD", "sales_amount", "2033-03").await.as_deref(), Some("650.00"));
        // New customers: 甲 and 乙 for E0015, 乙 for E0016; 丁 is last year's.
        assert_eq!(actual(&gm, me, "new_customers", "2033-03").await.as_deref(), Some("2"));
        assert_eq!(actual(&gm, "person:E0016", "new_customers", "2033-03").await.as_deref(), Some("1"));
        // New-customer share: (200 − 50 + 33.33) / 583.33 = 31.43 %.
        assert_eq!(actual(&gm, me, "new_customer_share", "2033-03").await.as_deref(), Some("31.43"));
        // The team's share is the ratio of its sums, (183.33 + 66.67) / 650
        // = 38.46 %, not the average of 31.43 and 100.
        assert_eq!(actual(&gm, "unit:HD-SH", "new_customer_share", "2033-03").await.as_deref(), Some("38.46"));
        // April is all 甲 (new this year): 100 %. The year is the ratio of
        // the summed parts, (183.33 + 300) / (583.33 + 300) = 54.72 %, not
        // the average of the months' 31.43 and 100 (65.72).
        assert_eq!(actual(&gm, me, "new_customer_share", "2033-04").await.as_deref(), Some("100.00"));
        let (_, t) = gm.get(&format!("/api/v1/table?subject={me}&year=2033")).await;
        let share = t["rows"].as_array().unwrap().iter().find(|r| r["metric"] == "new_customer_share").unwrap();
        assert_eq!(share["total"]["actual"], "54.72", "{share}");
        assert_eq!(share["total_rule"], "ratio", "the table says how its year was reached");
        // Repurchase: 丁 (last year's only customer) bought again in March.
        // Months after the last record (and after today) get no rate.
        assert_eq!(actual(&gm, me, "repurchase_rate", "2033-05").await.as_deref(), None);
        assert_eq!(actual(&gm, me, "repurchase_rate", "2033-04").await.as_deref(), Some("100.00"));
        assert_eq!(actual(&gm, me, "repurchase_rate", "2033-03").await.as_deref(), Some("100.00"));
        // Targets by category and by customer get their actuals the same way.
        let (status, r) = gm
            .put("/api/v1/targets/dimensions", json!([
                {"metric": "sales_amount", "subject": me, "period": "2033-03", "dimension": "category", "member": "硬件", "value": "500"},
                {"metric": "sales_amount", "subject": me, "period": "2033-03", "dimension": "customer", "member": "测试客户丁", "value": "300"},
            ]))
            .await;
        assert_eq!(status, StatusCode::OK, "{r}");
        let march = 2;
        let (status, t) = gm
            .get(&format!("/api/v1/targets/dimensions?subject={me}&year=2033&metric=sales_amount&dimension=category"))
            .await;
        assert_eq!(status, StatusCode::OK, "{t}");
        assert_eq!(t["members"][0]["cells"][march]["actual"], "583.33", "{t}");
        assert_eq!(t["members"][0]["cells"][12]["actual"], "883.33", "the year sums its months: {t}");
        let (_, t) = gm
            .get("/api/v1/targets/dimensions?subject=unit:HD-SH&year=2033&metric=sales_amount&dimension=customer")
            .await;
        assert_eq!(t["members"].as_array().map(Vec::len), Some(0), "no breakdown set on the team: {t}");
        let (_, t) = gm
            .get(&format!("/api/v1/targets/dimensions?subject={me}&year=2033&metric=sales_amount&dimension=customer"))
            .await;
        assert_eq!(t["members"][0]["member"], "测试客户丁");
        assert_eq!(t["members"][0]["cells"][march]["actual"], "400.00", "{t}");
        assert_eq!(t["members"][0]["cells"][march]["status"], "green", "{t}");
        // An older order of 乙 entered later moves its first purchase to
        // February, to another salesperson: March counts 乙 new no more.
        order(&admin, json!({"customer": "测试客户乙", "order_date": "2033-02-01",
            "lines": [line("1", "10")], "credits": [{"employee_no": "E0017"}]})).await;
        assert_eq!(actual(&gm, "person:E0017", "new_customers", "2033-02").await.as_deref(), Some("1"));
        assert_eq!(actual(&gm, me, "new_customers", "2033-03").await.as_deref(), Some("1"));
        assert_eq!(actual(&gm, "person:E0016", "new_customers", "2033-03").await.as_deref(), Some("0"));
        assert_eq!(actual(&gm, "unit:HD-SH", "new_customers", "2033-03").await.as_deref(), Some("1"));
        // A second customer of last year, 戊, who has not bought again:
        // half of E0015's customers of 2032 came back in March, none before.
        order(&admin, json!({"customer": "测试客户戊", "order_date": "2032-07-01",
            "lines": [line("1", "10")], "credits": [{"employee_no": "E0015"}]})).await;
        assert_eq!(actual(&gm, me, "repurchase_rate", "2033-02").await.as_deref(), Some("0.00"));
        assert_eq!(actual(&gm, me, "repurchase_rate", "2033-03").await.as_deref(), Some("50.00"));
        assert_eq!(actual(&gm, me, "repurchase_rate", "2033-04").await.as_deref(), Some("50.00"));
        // The team's: E0016 and E0017 had no customers in 2032, so 1 / 2.
        assert_eq!(actual(&gm, "unit:HD-SH", "repurchase_rate", "2033-03").await.as_deref(), Some("50.00"));
        assert_a_recompute_changes_nothing(&app).await;
    }

    async fn collections_count_when_received_even_before_the_invoice(app) {
        let admin = app.demo("sales_admin").await;
        let gm = app.demo("gm").await;
        let a = scenario(&admin).await;
        let (status, r) = admin
            .post(&format!("/api/v1/orders/{a}/collections"), json!({"amount": "80", "collected_on": "2033-04-05"}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{r}");
        assert_eq!(actual(&gm, "person:E0015", "collection_amount", "2033-04").await.as_deref(), Some("80.00"));
        assert_eq!(actual(&gm, "unit:HD", "collection_amount", "2033-04").await.as_deref(), Some("80.00"));
        // Sales on the shipment basis: admin switches the metric; order A
        // then counts in the month it ships, and nothing unshipped counts.
        let admin_user = app.demo("admin").await;
        let (status, r) = admin_user
            .patch("/api/v1/metrics/sales_amount", json!({"source": "orders_shipped"}))
            .await;
        assert_eq!(status, StatusCode::OK, "{r}");
        assert_eq!(actual(&gm, "person:E0015", "sales_amount", "2033-03").await.as_deref(), Some("0.00"));
        for (status, date) in [("confirmed", "2033-04-02"), ("shipped", "2033-04-03")] {
            let (code, r) = admin
                .post(&format!("/api/v1/orders/{a}/status"), json!({"status": status, "date": date}))
                .await;
            assert_eq!(code, StatusCode::OK, "{r}");
        }
        assert_eq!(actual(&gm, "person:E0015", "sales_amount", "2033-04").await.as_deref(), Some("200.00"));
    }

    async fn calls_visits_and_plan_completion_follow_the_day(app) {
        let sales = app.demo("sales").await;
        for kind in ["call", "call", "call", "visit"] {
            let (status, r) = sales
                .post("/api/v1/activities", json!({"kind": kind, "occurred_on": "2033-03-02"}))
                .await;
            assert_eq!(status, StatusCode::CREATED, "{r}");
        }
        let (status, r) = sales
            .put("/api/v1/daily-plans/E0015/2033-03-02", json!({
                "planned_calls": 2, "planned_visits": 2,
                "tasks": [{"text": "报价单", "done": true}, {"text": "回访客户", "done": false}]}))
            .await;
        assert_eq!(status, StatusCode::OK, "{r}");
        assert_eq!(actual(&sales, "person:E0015", "calls", "2033-03").await.as_deref(), Some("3"));
        assert_eq!(actual(&sales, "person:E0015", "visits", "2033-03").await.as_deref(), Some("1"));
        // min(3, 2) calls + min(1, 2) visits + 1 task, of 2 + 2 + 2 planned.
        assert_eq!(actual(&sales, "person:E0015", "plan_completion", "2033-03").await.as_deref(), Some("66.67"));
        // One more visit completes the visits planned: 5 of 6.
        let (status, _) = sales
            .post("/api/v1/activities", json!({"kind": "visit", "occurred_on": "2033-03-02"}))
            .await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(actual(&sales, "person:E0015", "plan_completion", "2033-03").await.as_deref(), Some("83.33"));
        let gm = app.demo("gm").await;
        assert_eq!(actual(&gm, "unit:HD-SH", "visits", "2033-03").await.as_deref(), Some("2"));
    }

    async fn computed_figures_are_not_typed_and_say_where_they_come_from(app) {
        let admin = app.demo("sales_admin").await;
        scenario(&admin).await;
        let gm = app.demo("gm").await;
        let (status, e) = gm
            .put("/api/v1/actuals", json!([{"metric": "sales_amount", "subject": "person:E0015", "period": "2033-03", "value": "1"}]))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(e.to_string().contains("cannot be entered by hand"), "{e}");
        // The table marks the row and lists the records behind a cell.
        let (_, t) = gm.get("/api/v1/table?subject=person:E0015&year=2033").await;
        let row = t["rows"].as_array().unwrap().iter().find(|r| r["metric"] == "sales_amount").unwrap();
        assert_eq!(row["computed_from"], "orders");
        let (status, s) = gm
            .get("/api/v1/table/sources?metric=sales_amount&subject=unit:HD-SH&period=2033-03")
            .await;
        assert_eq!(status, StatusCode::OK, "{s}");
        assert_eq!(s["value"], "650.00");
        // 丁, 甲, the refund, and 乙 twice (two salespeople): five credits.
        assert_eq!(s["count"], 5, "{s}");
        let total: f64 = s["records"].as_array().unwrap().iter()
            .map(|r| r["value"].as_str().unwrap().parse::<f64>().unwrap()).sum();
        assert!((total - 650.0).abs() < 0.001, "{s}");
        assert!(s["records"].as_array().unwrap().iter().all(|r| r["reference"] != "" && r["link"].as_str().is_some_and(|l| l.starts_with("/orders/"))));
        let (status, page) = gm
            .page("/table/sources?metric=sales_amount&subject=person:E0015&period=2033-03")
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("测试客户甲") && page.contains("583") && page.contains("分成 33.33%"), "{page}");
        let (_, page) = gm.page("/table?subject=person:E0015&year=2033").await;
        assert!(
            page.contains("/table/sources?metric=sales_amount&#38;subject=person%3AE0015&#38;period=2033-03"),
            "the cell links to its records"
        );
        // A manual metric has no records; a colleague's figure is not theirs to trace.
        let (status, _) = gm.get("/api/v1/table/sources?metric=satisfaction&subject=person:E0015&period=2033-03").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        // HR reads every table but no customer's orders.
        let hr = app.demo("hr").await;
        let (status, _) = hr.get("/api/v1/table/sources?metric=sales_amount&subject=unit:HD-SH&period=2033-03").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let colleague = app.demo("sales").await;
        let (status, _) = colleague.get("/api/v1/table/sources?metric=sales_amount&subject=person:E0016&period=2033-03").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // A file carrying computed figures (a re-imported export, say)
        // imports the rest and says what it skipped.
        let csv = "主体,指标,期间,值\nperson:E0015,sales_amount,2033-03,5\nperson:E0015,complaints,2033-03,1\n";
        let (status, r) = gm.upload("/api/v1/import/actuals", "actuals.csv", csv.as_bytes().to_vec()).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        assert_eq!(r["changed"], 1, "{r}");
        assert_eq!(r["skipped_computed"][0]["metric"], "sales_amount", "{r}");
        assert_eq!(r["skipped_computed"][0]["figures"], 1, "{r}");
        assert_eq!(actual(&gm, "person:E0015", "sales_amount", "2033-03").await.as_deref(), Some("583.33"));
        // Switched back to manual entry, the figure can be typed again.
        let admin_user = app.demo("admin").await;
        let (status, r) = admin_user.patch("/api/v1/metrics/calls", json!({"source": "manual"})).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        let (status, r) = gm
            .put("/api/v1/actuals", json!([{"metric": "calls", "subject": "person:E0015", "period": "2033-03", "value": "12"}]))
            .await;
        assert_eq!(status, StatusCode::OK, "{r}");
        // A source of the wrong kind is refused.
        let (status, e) = admin_user.patch("/api/v1/metrics/calls", json!({"source": "orders"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    }

    async fn mubiao_recompute_rebuilds_drifted_figures_and_clears_stray_ones(app) {
        let admin = app.demo("sales_admin").await;
        let gm = app.demo("gm").await;
        scenario(&admin).await;
        // What an upgraded database can hold: a person's figure that no
        // longer matches the records, a unit's own actual of a computed
        // amount (typed before it was computed), and a figure of a month
        // after the last records and after today.
        let sql = |s: &str| {
            let backend = app.db().get_database_backend();
            sea_orm::Statement::from_string(backend, s.to_owned())
        };
        let metric = "(SELECT id FROM metric WHERE code = 'sales_amount')";
        let person = "(SELECT id FROM person WHERE employee_no = 'E0015')";
        let unit = "(SELECT id FROM org_unit WHERE code = 'HD-SH')";
        for stmt in [
            format!("UPDATE figure SET actual = 1 WHERE metric_id = {metric} AND subject_kind = 'person' AND subject_id = {person} AND period = '2033-03'"),
            format!("UPDATE figure SET actual = 99900 WHERE metric_id = {metric} AND subject_kind = 'unit' AND subject_id = {unit} AND period = '2033-03'"),
            format!("INSERT INTO figure (metric_id, subject_kind, subject_id, period, actual, updated_at) VALUES ({metric}, 'person', {person}, '2034-01', 77700, CURRENT_TIMESTAMP)"),
        ] {
            let done = app.db().execute_raw(sql(&stmt)).await.unwrap();
            assert_eq!(done.rows_affected(), 1, "{stmt}");
        }
        let o = app.cli(&["recompute"]).await;
        let (out, err) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        assert!(o.status.success(), "stdout: {out}\nstderr: {err}");
        assert!(out.contains("computed actuals recomputed"), "{out}");
        assert_eq!(actual(&gm, "person:E0015", "sales_amount", "2033-03").await.as_deref(), Some("583.33"));
        assert_eq!(actual(&gm, "unit:HD-SH", "sales_amount", "2033-03").await.as_deref(), Some("650.00"));
        assert_eq!(actual(&gm, "person:E0015", "sales_amount", "2034-01").await, None);
        // Run again, nothing changes.
        let o = app.cli(&["recompute"]).await;
        assert!(o.status.success());
        assert_eq!(actual(&gm, "unit:HD-SH", "sales_amount", "2033-03").await.as_deref(), Some("650.00"));
    }

    async fn a_moved_salesperson_takes_their_rate_parts_along(app) {
        let admin = app.demo("sales_admin").await;
        let gm = app.demo("gm").await;
        scenario(&admin).await;
        assert_eq!(actual(&gm, "unit:HD-SH", "new_customer_share", "2033-03").await.as_deref(), Some("38.46"));
        let boss = app.demo("admin").await;
        let (status, p) = boss.patch("/api/v1/people/E0016", json!({"unit": "HD-HZ"})).await;
        assert_eq!(status, StatusCode::OK, "{p}");
        // 上海 keeps E0015's 183.33 of 583.33; 杭州 gets E0016's 66.67 of
        // 66.67, all of it to new customer 乙.
        assert_eq!(actual(&gm, "unit:HD-SH", "new_customer_share", "2033-03").await.as_deref(), Some("31.43"));
        assert_eq!(actual(&gm, "unit:HD-HZ", "new_customer_share", "2033-03").await.as_deref(), Some("100.00"));
        // The region above both is unchanged: (183.33 + 66.67) / 650.
        assert_eq!(actual(&gm, "unit:HD", "new_customer_share", "2033-03").await.as_deref(), Some("38.46"));
        assert_eq!(actual(&gm, "unit:HD-HZ", "sales_amount", "2033-03").await.as_deref(), Some("66.67"));
        // A roster import that moves them back does the same.
        let csv = "工号,姓名,部门编码,角色\nE0016,调回测试,HD-SH,sales\n";
        let (status, r) = boss.upload("/api/v1/import/people", "people.csv", csv.as_bytes().to_vec()).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        assert_eq!(actual(&gm, "unit:HD-SH", "new_customer_share", "2033-03").await.as_deref(), Some("38.46"));
        assert_eq!(actual(&gm, "unit:HD-SH", "sales_amount", "2033-03").await.as_deref(), Some("650.00"));
        assert_eq!(actual(&gm, "unit:HD-HZ", "new_customer_share", "2033-03").await.as_deref(), None);
    }

    async fn a_locked_month_keeps_its_figures_until_reopened(app) {
        let admin = app.demo("sales_admin").await;
        let gm = app.demo("gm").await;
        order(&admin, json!({"customer": "锁定测试客户", "order_date": "2033-05-10",
            "lines": [line("1", "100")], "credits": [{"employee_no": "E0015"}]})).await;
        let (status, r) = gm.post("/api/v1/periods/2033-05/lock", json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{r}");
        order(&admin, json!({"customer": "锁定测试客户", "order_date": "2033-05-11",
            "lines": [line("1", "50")], "credits": [{"employee_no": "E0015"}]})).await;
        assert_eq!(actual(&gm, "person:E0015", "sales_amount", "2033-05").await.as_deref(), Some("100.00"));
        let (status, r) = gm.post("/api/v1/periods/2033-05/reopen", json!({"reason": "补录订单"})).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{r}");
        assert_eq!(actual(&gm, "person:E0015", "sales_amount", "2033-05").await.as_deref(), Some("150.00"));
    }
}
