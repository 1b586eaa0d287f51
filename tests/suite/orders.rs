//! Orders and collections over the API: credit splits to the fen, status
//! steps and bad transitions, cancellation, refunds, collections before
//! the invoice and over the total, dates from RFC 3339 date-times in the
//! company's time zone, the customer's first purchase, and reach.

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

/// An order of one line `quantity × price` for `customer` on `date`,
/// credited as `credits` says.
fn order(no: &str, customer: &str, date: &str, price: &str, credits: Value) -> Value {
    json!({
        "order_no": no,
        "customer": customer,
        "order_date": date,
        "lines": [{"product": "智能门锁 X1", "category": "门锁", "quantity": "1", "unit_price": price}],
        "credits": credits,
    })
}

/// Creates an order and returns it; panics unless 201.
async fn create(c: &Client, body: Value) -> Value {
    let (status, o) = c.post("/api/v1/orders", body).await;
    assert_eq!(status, StatusCode::CREATED, "{o}");
    o
}

fn credit_amounts(o: &Value) -> Vec<(String, String)> {
    o["credits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["employee_no"].as_str().unwrap().to_owned(),
                c["amount"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// A form body as a browser sends it.
fn form_body(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The `first_purchase_on` of a customer, read from the database.
async fn first_purchase(app: &TestApp, name: &str) -> Option<String> {
    use mubiao::storage::entity::customer;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    customer::Entity::find()
        .filter(customer::Column::Name.eq(name))
        .one(app.db())
        .await
        .unwrap()
        .expect("customer exists")
        .first_purchase_on
}

both_databases! {
    async fn credit_splits_add_up_to_the_fen(app) {
        let admin = app.demo("sales_admin").await;
        // ¥100.00 at 33.33 / 33.33 / 33.34 %.
        let o = create(&admin, order("T-SPLIT-1", "测试客户甲", "2031-03-05", "100.00", json!([
            {"employee_no": "E0015", "share": "33.33"},
            {"employee_no": "E0016", "share": 33.33},
            {"employee_no": "E0017", "share": "33.34"},
        ]))).await;
        assert_eq!(o["total"], "100.00");
        assert_eq!(o["status"], "entered");
        let mut got = credit_amounts(&o);
        got.sort();
        assert_eq!(got, [
            ("E0015".to_owned(), "33.33".to_owned()),
            ("E0016".to_owned(), "33.33".to_owned()),
            ("E0017".to_owned(), "33.34".to_owned()),
        ]);
        // 1 fen at 50/50: the lower employee number takes it, also when
        // listed second.
        let o = create(&admin, order("T-SPLIT-2", "测试客户甲", "2031-03-05", "0.01", json!([
            {"employee_no": "E0016", "share": "50"},
            {"employee_no": "E0015", "share": "50"},
        ]))).await;
        assert_eq!(credit_amounts(&o), [
            ("E0015".to_owned(), "0.01".to_owned()),
            ("E0016".to_owned(), "0.00".to_owned()),
        ]);
        // A collection of it is split the same way.
        let id = o["id"].as_i64().unwrap();
        let (status, o) = admin.post(&format!("/api/v1/orders/{id}/collections"), json!({"amount": "0.01", "collected_on": "2031-03-06"})).await;
        assert_eq!(status, StatusCode::CREATED, "{o}");
        let k = &o["collections"][0];
        assert_eq!(k["credits"][0]["employee_no"], "E0015");
        assert_eq!(k["credits"][0]["amount"], "0.01");
        assert_eq!(k["credits"][1]["amount"], "0.00");
        // ¥10.00 at 1/3 each (33.33 + 33.33 + 33.34).
        let o = create(&admin, json!({
            "customer": "测试客户甲",
            "order_date": "2031-03-05",
            "lines": [{"product": "网关", "quantity": "3", "unit_price": "3.33", "amount": "9.99"},
                      {"product": "服务", "quantity": "1", "unit_price": "0.01"}],
            "credits": [
                {"employee_no": "E0017", "share": "33.34"},
                {"employee_no": "E0015", "share": "33.33"},
                {"employee_no": "E0016", "share": "33.33"},
            ],
        })).await;
        assert_eq!(o["total"], "10.00");
        let amounts: Vec<i64> = o["credits"].as_array().unwrap().iter().map(|c| c["amount_fen"].as_i64().unwrap()).collect();
        assert_eq!(amounts.iter().sum::<i64>(), 1000);
        assert_eq!(amounts, [334, 333, 333]);
        // Numbered automatically when no number is given: the day's next
        // free number, past one typed by hand, whatever other days and
        // look-alikes on either side of the day's range hold.
        assert_eq!(o["order_no"], "SO20310305-0001", "{o}");
        for (no, day) in [
            ("SO20310305-0003", "2031-03-05"),
            ("SO20310306-0001", "2031-03-06"),
            ("SO20310305.0001", "2031-03-05"),
            ("SO20310305,0001", "2031-03-05"),
        ] {
            create(&admin, order(no, "测试客户甲", day, "1", json!([{"employee_no": "E0015"}]))).await;
        }
        let unnumbered = json!({
            "customer": "测试客户甲",
            "order_date": "2031-03-05",
            "lines": [{"product": "服务", "quantity": "1", "unit_price": "1"}],
            "credits": [{"employee_no": "E0015"}],
        });
        // Two numbers taken: the third is, so the fourth.
        let o = create(&admin, unnumbered.clone()).await;
        assert_eq!(o["order_no"], "SO20310305-0004", "{o}");
        let o = create(&admin, unnumbered).await;
        assert_eq!(o["order_no"], "SO20310305-0005", "{o}");
    }

    async fn bad_orders_name_every_bad_field_and_write_nothing(app) {
        let admin = app.demo("sales_admin").await;
        let (status, e) = admin.post("/api/v1/orders", order("T-BAD-1", "测试客户乙", "2031-03-05", "100", json!([
            {"employee_no": "E0015", "share": "60"},
            {"employee_no": "E0016", "share": "30"},
        ]))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["credits[1].share"], "{e}");
        assert!(e["details"][0]["message"].as_str().unwrap().contains("90.00"), "{e}");
        let (status, e) = admin.post("/api/v1/orders", json!({
            "order_no": "T-BAD-2",
            "customer": "测试客户乙",
            "order_date": "2031-02-30",
            "lines": [
                {"product": "", "quantity": "1", "unit_price": "10"},
                {"product": "门锁", "quantity": "2", "unit_price": "10.00", "amount": "21.00"},
                {"product": "门锁", "quantity": "0.0001", "unit_price": "-1"},
            ],
            "credits": [{"employee_no": "E9999"}, {"employee_no": "E0015", "share": "abc"}],
        })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), [
            "order_date",
            "lines[0].product",
            "lines[1].amount",
            "lines[2].quantity",
            "lines[2].unit_price",
            "credits[0].employee_no",
            "credits[0].share",
            "credits[1].share",
        ], "{e}");
        let amount = e["details"].as_array().unwrap().iter().find(|d| d["field"] == "lines[1].amount").unwrap();
        assert!(amount["message"].as_str().unwrap().contains("2 × 10.00 = 20.00"), "{amount}");
        assert!(amount["message_zh"].as_str().unwrap().contains("金额"), "{amount}");
        // No order and no customer was written.
        let (_, list) = admin.get("/api/v1/orders?q=T-BAD").await;
        assert_eq!(list["count"], 0, "{list}");
        let (_, list) = admin.get("/api/v1/orders?q=测试客户乙").await;
        assert_eq!(list["count"], 0, "{list}");
        // A number used twice.
        create(&admin, order("T-BAD-3", "测试客户乙", "2031-03-05", "1", json!([{"employee_no": "E0015"}]))).await;
        let (status, e) = admin.post("/api/v1/orders", order("T-BAD-3", "测试客户乙", "2031-03-05", "1", json!([{"employee_no": "E0015"}]))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["order_no"], "{e}");
        // A year typed short is not the year 26: refused, with the years
        // a day may fall in.
        let (status, e) = admin.post("/api/v1/orders", order("T-BAD-4", "测试客户乙", "26-3-5", "1", json!([{"employee_no": "E0015"}]))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["order_date"], "{e}");
        assert!(e["details"][0]["message"].as_str().unwrap().contains("1990 to 2099"), "{e}");
    }

    async fn status_steps_forward_with_dates_and_never_back(app) {
        let admin = app.demo("sales_admin").await;
        let o = create(&admin, order("T-STEP-1", "测试客户丙", "2031-03-10", "500", json!([{"employee_no": "E0015"}]))).await;
        let id = o["id"].as_i64().unwrap();
        let path = format!("/api/v1/orders/{id}/status");
        // Not before the order date.
        let (status, e) = admin.post(&path, json!({"status": "confirmed", "date": "2031-03-09"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["date"]);
        let (status, o) = admin.post(&path, json!({"status": "确认", "date": "2031-03-11"})).await;
        assert_eq!(status, StatusCode::OK, "{o}");
        assert_eq!(o["status"], "confirmed");
        assert_eq!(o["confirmed_on"], "2031-03-11");
        // Backwards, or the same step again.
        for s in ["entered", "confirmed"] {
            let (status, e) = admin.post(&path, json!({"status": s, "date": "2031-03-12"})).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{s}: {e}");
            assert_eq!(fields(&e), ["status"], "{e}");
        }
        // Not before the previous step.
        let (status, e) = admin.post(&path, json!({"status": "shipped", "date": "2031-03-10"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (status, e) = admin.post(&path, json!({"status": "done"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        // Skipping forward: the skipped step gets the same date.
        let (status, o) = admin.post(&path, json!({"status": "invoiced", "date": "2031-03-20T10:00:00+08:00"})).await;
        assert_eq!(status, StatusCode::OK, "{o}");
        assert_eq!(o["shipped_on"], "2031-03-20");
        assert_eq!(o["invoiced_on"], "2031-03-20");
        let steps: Vec<bool> = o["steps"].as_array().unwrap().iter().map(|s| s["done"].as_bool().unwrap()).collect();
        assert_eq!(steps, [true, true, true, true, false]);
        let (status, o) = admin.post(&path, json!({"status": "paid", "date": "2031-04-02"})).await;
        assert_eq!(status, StatusCode::OK, "{o}");
        assert_eq!(o["paid_on"], "2031-04-02");
        // The list filters by status and order date.
        let (_, list) = admin.get("/api/v1/orders?status=paid&from=2031-03-01&to=2031-03-31").await;
        assert_eq!(list["count"], 1, "{list}");
        assert_eq!(list["orders"][0]["order_no"], "T-STEP-1");
        let (_, list) = admin.get("/api/v1/orders?status=paid&from=2031-03-11").await;
        assert_eq!(list["count"], 0, "{list}");
        let (status, e) = admin.get("/api/v1/orders?status=nope&from=2031-13-01").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&e), ["status", "from"]);
        // Every step is audited.
        let gm = app.demo("gm").await;
        let (_, log) = gm.get("/api/v1/audit?entity=order&record=T-STEP-1").await;
        let actions: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["status", "status", "status", "create"], "{log}");
    }

    async fn cancellation_needs_a_reason_and_ends_changes(app) {
        let admin = app.demo("sales_admin").await;
        let first = create(&admin, order("T-CAN-1", "测试客户丁", "2031-05-02", "100", json!([{"employee_no": "E0015"}]))).await;
        create(&admin, order("T-CAN-2", "测试客户丁", "2031-06-09", "100", json!([{"employee_no": "E0015"}]))).await;
        assert_eq!(first_purchase(&app, "测试客户丁").await.as_deref(), Some("2031-05-02"));
        let id = first["id"].as_i64().unwrap();
        let (status, e) = admin.post(&format!("/api/v1/orders/{id}/cancel"), json!({"reason": "  ", "date": "2031-05-04"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["reason"]);
        // Not with collections.
        let (status, o) = admin.post(&format!("/api/v1/orders/{id}/collections"), json!({"amount": "10", "collected_on": "2031-05-03"})).await;
        assert_eq!(status, StatusCode::CREATED, "{o}");
        let k = o["collections"][0]["id"].as_i64().unwrap();
        let (status, e) = admin.post(&format!("/api/v1/orders/{id}/cancel"), json!({"reason": "客户撤单", "date": "2031-05-04"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["status"]);
        let (status, o) = admin.delete(&format!("/api/v1/orders/{id}/collections/{k}")).await;
        assert_eq!(status, StatusCode::OK, "{o}");
        assert_eq!(o["collected"], "0.00");
        let (status, o) = admin.post(&format!("/api/v1/orders/{id}/cancel"), json!({"reason": "客户撤单", "date": "2031-05-04"})).await;
        assert_eq!(status, StatusCode::OK, "{o}");
        assert_eq!(o["status"], "cancelled");
        assert_eq!(o["cancelled_on"], "2031-05-04");
        assert!(o["note"].as_str().unwrap().contains("客户撤单"), "{o}");
        assert_eq!(o["can_write"], false);
        // The customer's first purchase is now the other order.
        assert_eq!(first_purchase(&app, "测试客户丁").await.as_deref(), Some("2031-06-09"));
        // A cancelled order changes no more.
        let (status, _) = admin.patch(&format!("/api/v1/orders/{id}"), json!({"note": "x"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, _) = admin.post(&format!("/api/v1/orders/{id}/status"), json!({"status": "confirmed"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, _) = admin.post(&format!("/api/v1/orders/{id}/collections"), json!({"amount": "1"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        // The list's total leaves it out.
        let (_, list) = admin.get("/api/v1/orders?q=T-CAN").await;
        assert_eq!(list["count"], 2);
        assert_eq!(list["total"], "100.00");
        // The customer's orders of every month, the cancelled one with
        // them, and no one else's.
        let customer = first["customer_id"].as_i64().unwrap();
        let (status, list) = admin.get(&format!("/api/v1/orders?customer={customer}")).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        let nos: Vec<&str> = list["orders"].as_array().unwrap().iter().map(|o| o["order_no"].as_str().unwrap()).collect();
        assert_eq!(nos, ["T-CAN-2", "T-CAN-1"], "{list}");
        assert_eq!(list["total"], "100.00");
        // A stray year kept before order days were bounded (1990-2099)
        // does not hide the customer's other orders.
        use sea_orm::ConnectionTrait;
        app.db()
            .execute_unprepared("UPDATE sales_order SET order_date = '0031-06-09' WHERE order_no = 'T-CAN-2'")
            .await
            .unwrap();
        let (_, list) = admin.get(&format!("/api/v1/orders?customer={customer}")).await;
        let nos: Vec<&str> = list["orders"].as_array().unwrap().iter().map(|o| o["order_no"].as_str().unwrap()).collect();
        assert_eq!(nos, ["T-CAN-1", "T-CAN-2"], "{list}");
    }

    async fn credits_keep_their_orders_and_collections_dates_customer_and_cancellation(app) {
        // The demo's orders, cancelled ones among them, written in bulk.
        let demo = app.assert_credit_copies_kept().await;
        assert!(demo > 1000, "{demo}");
        let admin = app.demo("sales_admin").await;
        let o = create(&admin, order("T-CPY-1", "测试客户庚", "2031-08-01", "100.00",
            json!([{"employee_no": "E0015", "share": "70"}, {"employee_no": "E0016", "share": "30"}]))).await;
        let id = o["id"].as_i64().unwrap();
        assert_eq!(app.assert_credit_copies_kept().await, demo + 2);
        // Another customer and another month: the credits follow.
        let (status, o) = admin.patch(&format!("/api/v1/orders/{id}"), json!({
            "customer": "测试客户辛", "order_date": "2031-09-02",
        })).await;
        assert_eq!(status, StatusCode::OK, "{o}");
        assert_eq!(o["order_date"], "2031-09-02");
        assert_eq!(app.assert_credit_copies_kept().await, demo + 2);
        // Into the next year with another salesperson, and back.
        for (day, second) in [("2032-01-10", "E0017"), ("2031-09-02", "E0016")] {
            let (status, o) = admin.patch(&format!("/api/v1/orders/{id}"), json!({
                "order_date": day,
                "credits": [{"employee_no": "E0015", "share": "70"}, {"employee_no": second, "share": "30"}],
            })).await;
            assert_eq!(status, StatusCode::OK, "{o}");
            assert_eq!(app.assert_credit_copies_kept().await, demo + 2);
        }
        // A collection, split again when the split changes.
        let (status, o) = admin.post(&format!("/api/v1/orders/{id}/collections"), json!({"amount": "40", "collected_on": "2031-09-03"})).await;
        assert_eq!(status, StatusCode::CREATED, "{o}");
        let (status, o) = admin.patch(&format!("/api/v1/orders/{id}"), json!({
            "credits": [{"employee_no": "E0015", "share": "50"}, {"employee_no": "E0016", "share": "50"}],
        })).await;
        assert_eq!(status, StatusCode::OK, "{o}");
        assert_eq!(o["collections"][0]["credits"][1]["amount"], "20.00");
        assert_eq!(app.assert_credit_copies_kept().await, demo + 2);
        // An order is cancelled once its collections are gone.
        let collection = o["collections"][0]["id"].as_i64().unwrap();
        let (status, e) = admin.delete(&format!("/api/v1/orders/{id}/collections/{collection}")).await;
        assert!(status.is_success(), "{status} {e}");
        let (status, o) = admin.post(&format!("/api/v1/orders/{id}/cancel"), json!({"reason": "客户撤单", "date": "2031-09-05"})).await;
        assert_eq!(status, StatusCode::OK, "{o}");
        assert_eq!(app.assert_credit_copies_kept().await, demo + 2);
    }

    async fn refunds_and_collections_before_the_invoice(app) {
        let admin = app.demo("sales_admin").await;
        // A refund: a returned line, negative quantity.
        let o = create(&admin, json!({
            "order_no": "T-REF-1",
            "customer": "测试客户戊",
            "order_date": "2031-07-01",
            "lines": [{"product": "智能门锁 X1", "quantity": "-2", "unit_price": "250.00"}],
            "credits": [{"employee_no": "E0015", "share": "60"}, {"employee_no": "E0016", "share": "40"}],
        })).await;
        assert_eq!(o["total"], "-500.00");
        assert_eq!(o["lines"][0]["quantity"], "-2");
        assert_eq!(credit_amounts(&o), [("E0015".to_owned(), "-300.00".to_owned()), ("E0016".to_owned(), "-200.00".to_owned())]);
        let id = o["id"].as_i64().unwrap();
        // Money paid back is a negative collection; a positive one is refused.
        let (status, e) = admin.post(&format!("/api/v1/orders/{id}/collections"), json!({"amount": "100", "collected_on": "2031-07-02"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (status, o) = admin.post(&format!("/api/v1/orders/{id}/collections"), json!({"amount": "-500", "collected_on": "2031-07-02"})).await;
        assert_eq!(status, StatusCode::CREATED, "{o}");
        assert_eq!(o["outstanding"], "0.00");

        // A sale collected in parts, the first before the invoice.
        let o = create(&admin, order("T-COL-1", "测试客户戊", "2031-07-01", "1000.00", json!([{"employee_no": "E0015"}]))).await;
        let id = o["id"].as_i64().unwrap();
        let path = format!("/api/v1/orders/{id}/collections");
        let (status, o) = admin.post(&path, json!({"amount": "300.00", "collected_on": "2031-07-01", "note": "预付款"})).await;
        assert_eq!(status, StatusCode::CREATED, "{o}");
        assert_eq!(o["status"], "entered");
        assert_eq!(o["invoiced_on"], Value::Null);
        assert_eq!(o["collected"], "300.00");
        // Not before the order date, not zero, not over the total.
        let (status, e) = admin.post(&path, json!({"amount": "1", "collected_on": "2031-06-30"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["collected_on"]);
        let (status, e) = admin.post(&path, json!({"amount": "0"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (status, e) = admin.post(&path, json!({"amount": "700.01", "collected_on": "2031-07-05"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["amount"]);
        assert!(e["details"][0]["message"].as_str().unwrap().contains("700.00"), "{e}");
        let (status, o) = admin.post(&path, json!({"amount": "700.00", "collected_on": "2031-07-05"})).await;
        assert_eq!(status, StatusCode::CREATED, "{o}");
        assert_eq!(o["outstanding"], "0.00");
        // Lowering the total below what was collected is refused.
        let (status, e) = admin.patch(&format!("/api/v1/orders/{id}"), json!({
            "lines": [{"product": "智能门锁 X1", "quantity": "1", "unit_price": "999.99"}],
        })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        // Changing the split splits the collections again.
        let (status, o) = admin.patch(&format!("/api/v1/orders/{id}"), json!({
            "credits": [{"employee_no": "E0015", "share": "50"}, {"employee_no": "E0016", "share": "50"}],
        })).await;
        assert_eq!(status, StatusCode::OK, "{o}");
        assert_eq!(o["collections"][0]["credits"][1]["amount"], "150.00");
        assert_eq!(o["credits"][1]["amount"], "500.00");
        // The order date cannot move past a collection.
        let (status, e) = admin.patch(&format!("/api/v1/orders/{id}"), json!({"order_date": "2031-07-03"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["order_date"]);
    }

    async fn date_times_count_on_the_company_day(app) {
        let admin = app.demo("sales_admin").await;
        let o = create(&admin, order("T-TZ-1", "测试客户己", "2031-03-31T23:59:59+08:00", "1", json!([{"employee_no": "E0015"}]))).await;
        assert_eq!(o["order_date"], "2031-03-31");
        let o = create(&admin, order("T-TZ-2", "测试客户己", "2031-03-31T16:00:00Z", "1", json!([{"employee_no": "E0015"}]))).await;
        assert_eq!(o["order_date"], "2031-04-01");
        let o = create(&admin, order("T-TZ-3", "测试客户己", "2031-03-31T15:59:59Z", "1", json!([{"employee_no": "E0015"}]))).await;
        assert_eq!(o["order_date"], "2031-03-31");
        let (_, list) = admin.get("/api/v1/orders?q=T-TZ&from=2031-03-01&to=2031-03-31").await;
        assert_eq!(list["count"], 2, "{list}");
        let (status, e) = admin.post("/api/v1/orders", order("T-TZ-4", "测试客户己", "31/03/2031", "1", json!([{"employee_no": "E0015"}]))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["order_date"]);
    }

    async fn reach_follows_the_credited_salespeople(app) {
        use mubiao::domain::role::Role;
        use mubiao::storage::{accounts, org};
        let sales = app.demo("sales").await; // 张晓明, E0015, HD-SH
        // A salesperson enters their own orders (by default credited to
        // themselves) and splits including themselves …
        let own = create(&sales, json!({
            "order_no": "T-REACH-1",
            "customer": "测试客户庚",
            "order_date": "2031-08-01",
            "lines": [{"product": "门锁", "quantity": "1", "unit_price": "100"}],
        })).await;
        assert_eq!(credit_amounts(&own), [("E0015".to_owned(), "100.00".to_owned())]);
        create(&sales, order("T-REACH-2", "测试客户庚", "2031-08-01", "100", json!([
            {"employee_no": "E0016", "share": "70"}, {"employee_no": "E0015", "share": "30"},
        ]))).await;
        // … but not orders credited to someone else alone.
        let (status, e) = sales.post("/api/v1/orders", order("T-REACH-3", "测试客户庚", "2031-08-01", "100", json!([{"employee_no": "E0016"}]))).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{e}");
        // Nor for a customer someone else looks after.
        let admin = app.demo("sales_admin").await;
        let theirs = create(&admin, order("T-REACH-4", "测试客户辛", "2031-08-01", "100", json!([{"employee_no": "E0028"}]))).await;
        let (status, e) = sales.post("/api/v1/orders", order("T-REACH-5", "测试客户辛", "2031-08-01", "100", json!([{"employee_no": "E0015"}]))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["customer"]);

        // Another salesperson of the same team sees none of 张晓明's own.
        let p = org::person_id_by_employee_no(app.db(), "E0017").await.unwrap();
        accounts::create_user(app.db(), None, "t_orders_e0017", "orders-test-2031", Role::Sales, p).await.unwrap();
        let other = app.login("t_orders_e0017", "orders-test-2031").await;
        let id = own["id"].as_i64().unwrap();
        let (status, _) = other.get(&format!("/api/v1/orders/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = other.patch(&format!("/api/v1/orders/{id}"), json!({"note": "x"})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = other.post(&format!("/api/v1/orders/{id}/collections"), json!({"amount": "1"})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, list) = other.get("/api/v1/orders?q=T-REACH").await;
        assert_eq!(list["count"], 0, "{list}");
        // 张晓明 sees their two, not 曹俊's.
        let (_, list) = sales.get("/api/v1/orders?q=T-REACH").await;
        assert_eq!(list["count"], 2, "{list}");
        let theirs_id = theirs["id"].as_i64().unwrap();
        let (status, _) = sales.get(&format!("/api/v1/orders/{theirs_id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // The head of 华东 reads the team's orders but changes none; the
        // GM reads all; HR none.
        let manager = app.demo("manager").await;
        let (status, o) = manager.get(&format!("/api/v1/orders/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{o}");
        assert_eq!(o["can_write"], false);
        let (status, _) = manager.post(&format!("/api/v1/orders/{id}/status"), json!({"status": "confirmed"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = manager.get(&format!("/api/v1/orders/{theirs_id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, list) = manager.get("/api/v1/orders?q=T-REACH&person=E0015").await;
        assert_eq!(list["count"], 2, "{list}");
        let gm = app.demo("gm").await;
        let (status, _) = gm.get(&format!("/api/v1/orders/{theirs_id}")).await;
        assert_eq!(status, StatusCode::OK);
        let hr = app.demo("hr").await;
        let (_, list) = hr.get("/api/v1/orders?q=T-REACH").await;
        assert_eq!(list["count"], 0);
        // The salesperson may step and collect their own order.
        let (status, o) = sales.post(&format!("/api/v1/orders/{id}/status"), json!({"status": "confirmed", "date": "2031-08-02"})).await;
        assert_eq!(status, StatusCode::OK, "{o}");
        // … and may not hand it to someone else alone.
        let (status, _) = sales.patch(&format!("/api/v1/orders/{id}"), json!({"credits": [{"employee_no": "E0016"}]})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }

    async fn pages_list_enter_and_step_orders(app) {
        let admin = app.demo("sales_admin").await;
        let o = create(&admin, order("T-PAGE-1", "测试客户壬", "2031-09-01", "1234.5", json!([{"employee_no": "E0015"}]))).await;
        let id = o["id"].as_i64().unwrap();
        let (status, html) = admin.page("/orders?q=T-PAGE").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("T-PAGE-1") && html.contains("1,234.50") && html.contains("测试客户壬"), "{html}");
        assert!(html.contains("新建订单") && html.contains("导入订单"));
        let (status, html) = admin.page(&format!("/orders/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("T-PAGE-1") && html.contains("登记回款") && html.contains("取消订单"), "{html}");
        assert!(html.contains("¥1,234.50"), "amounts with thousands separators: {html}");
        assert!(html.contains("value=\"1234.50\""), "the collection field keeps a plain decimal: {html}");
        // The new-order form, as a browser posts it.
        let csrf = admin.csrf.clone().unwrap();
        let form = [
            ("customer", "测试客户壬"), ("order_date", "2031-09-02"), ("order_no", "T-PAGE-2"),
            ("product_0", "门锁"), ("quantity_0", "2"), ("unit_price_0", "10"),
            ("product_1", ""), ("quantity_1", ""), ("unit_price_1", ""),
            ("credit_no_0", "E0015"), ("credit_share_0", "60"),
            ("credit_no_1", "E0016"), ("credit_share_1", "40"),
        ];
        let resp = admin.http.post(app.url(&format!("/orders?_csrf={csrf}"))).header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(form_body(&form)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{}", resp.text().await.unwrap_or_default());
        let (_, list) = admin.get("/api/v1/orders?q=T-PAGE-2").await;
        assert_eq!(list["orders"][0]["total"], "20.00");
        // A bad share names the salesperson row.
        let mut bad = form;
        bad[2] = ("order_no", "T-PAGE-3");
        bad[12] = ("credit_share_1", "30");
        let resp = admin.http.post(app.url(&format!("/orders?_csrf={csrf}"))).header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(form_body(&bad)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = resp.text().await.unwrap();
        assert!(html.contains("销售 2 · 比例"), "{html}");
        // A status step from the order page.
        let resp = admin.http.post(app.url(&format!("/orders/{id}/status?_csrf={csrf}")))
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(form_body(&[("status", "shipped"), ("date", "2031-09-03")])).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let (_, o) = admin.get(&format!("/api/v1/orders/{id}")).await;
        assert_eq!(o["status"], "shipped");
        assert_eq!(o["confirmed_on"], "2031-09-03");
        // Another salesperson's order page is not found.
        let hr = app.demo("hr").await;
        let (status, _) = hr.page(&format!("/orders/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    async fn the_edit_page_changes_lines_and_split_and_the_table_follows(app) {
        let admin = app.demo("sales_admin").await;
        let lines: Vec<Value> = (1..=6)
            .map(|i| json!({"product": format!("门锁 {i}"), "category": "门锁", "quantity": "1", "unit_price": "100"}))
            .collect();
        let o = create(&admin, json!({
            "order_no": "T-EDIT-1", "customer": "测试客户癸", "order_date": "2031-10-05",
            "lines": lines, "credits": [{"employee_no": "E0015"}],
        })).await;
        let id = o["id"].as_i64().unwrap();
        let gm = app.demo("gm").await;
        let october = |t: &Value, metric: &str| -> Value {
            t["rows"].as_array().unwrap().iter().find(|r| r["metric"] == metric).unwrap()["months"][9]["actual"].clone()
        };
        let (_, t) = gm.get("/api/v1/table?subject=person:E0015&year=2031").await;
        assert_eq!(october(&t, "sales_amount"), "600.00");
        // The form shows the order as it stands, all six lines and room for more.
        let (status, html) = admin.page(&format!("/orders/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(&format!("/orders/{id}/edit")), "an edit link on the order");
        let (status, html) = admin.page(&format!("/orders/{id}/edit")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("value=\"门锁 6\"") && html.contains("name=\"product_7\"") && !html.contains("name=\"product_8\""), "{html}");
        assert!(html.contains("value=\"T-EDIT-1\"") && html.contains("value=\"2031-10-05\"") && html.contains("value=\"E0015\""), "{html}");
        let csrf = admin.csrf.clone().unwrap();
        let mut form: Vec<(String, String)> = vec![
            ("customer".into(), "测试客户癸".into()), ("order_date".into(), "2031-10-05".into()),
            ("order_no".into(), "T-EDIT-1".into()), ("note".into(), "改为三件".into()),
            ("credit_no_0".into(), "E0015".into()), ("credit_share_0".into(), "50".into()),
            ("credit_no_1".into(), "E0016".into()), ("credit_share_1".into(), "40".into()),
        ];
        for i in 0..6 {
            form.push((format!("product_{i}"), format!("门锁 {}", i + 1)));
            form.push((format!("quantity_{i}"), if i == 0 { "3" } else { "1" }.into()));
            form.push((format!("unit_price_{i}"), "100".into()));
        }
        let post = |form: &Vec<(String, String)>| {
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            admin.http.post(app.url(&format!("/orders/{id}/edit?_csrf={csrf}")))
                .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(form_body(&pairs))
                .send()
        };
        // Shares of 90 %: refused at the row, nothing changed.
        let resp = post(&form).await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = resp.text().await.unwrap();
        assert!(html.contains("销售 2 · 比例") && html.contains("value=\"40\""), "the error and what was typed: {html}");
        let (_, same) = admin.get(&format!("/api/v1/orders/{id}")).await;
        assert_eq!(same["total"], "600.00");
        form[7].1 = "50".into();
        let resp = post(&form).await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{}", resp.text().await.unwrap_or_default());
        let (_, o) = admin.get(&format!("/api/v1/orders/{id}")).await;
        assert_eq!(o["total"], "800.00");
        assert_eq!(o["lines"].as_array().unwrap().len(), 6, "{o}");
        assert_eq!(o["note"], "改为三件");
        assert_eq!(credit_amounts(&o), [("E0015".to_owned(), "400.00".to_owned()), ("E0016".to_owned(), "400.00".to_owned())]);
        // The table follows at once, for both salespeople.
        let (_, t) = gm.get("/api/v1/table?subject=person:E0015&year=2031").await;
        assert_eq!(october(&t, "sales_amount"), "400.00");
        let (_, t) = gm.get("/api/v1/table?subject=person:E0016&year=2031").await;
        assert_eq!(october(&t, "sales_amount"), "400.00");
        // Someone who may not change orders gets no form.
        let hr = app.demo("hr").await;
        let (status, _) = hr.page(&format!("/orders/{id}/edit")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}
