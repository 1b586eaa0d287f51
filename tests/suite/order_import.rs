//! The order import over the API (.csv and .xlsx) and from the command
//! line: a good file creates its orders and the customers not yet known;
//! a bad one names every bad cell and writes nothing.

use reqwest::StatusCode;
use serde_json::Value;

use crate::both_databases;
use crate::common::TestApp;

const GOOD: &str = "订单号,客户,销售工号,下单日期,产品,类别,数量,单价,金额,第二销售工号,分成比例\n\
I-001,导入测试客户甲,E0015,2032-03-05,智能门锁 X1,门锁,10,1299.00,12990.00,,\n\
I-001,导入测试客户甲,E0015,2032-03-05,安装服务,服务,10,80,,,\n\
I-002,导入测试客户乙,E0016,2032-03-31T16:00:00Z,网关 G2,网关,-1,699,-699.00,E0015,60\n\
I-003,导入测试客户甲,E0028,2032-03-06,网关 G2,网关,1.5,3.33,,,\n";

fn locations(e: &Value) -> Vec<String> {
    e["details"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| {
                    format!(
                        "{}!{}{}",
                        d["sheet"].as_str().unwrap_or(""),
                        d["column"].as_str().unwrap_or(""),
                        d["row"]
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn count(app: &TestApp, q: &str) -> i64 {
    let gm = app.demo("gm").await;
    let (status, list) = gm.get(&format!("/api/v1/orders?q={q}")).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list["count"].as_i64().unwrap()
}

both_databases! {
    async fn a_good_file_creates_orders_and_customers(app) {
        let admin = app.demo("sales_admin").await;
        let (status, r) = admin.upload("/api/v1/import/orders", "orders.csv", GOOD.as_bytes().to_vec()).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        assert_eq!(r["rows"], 4);
        assert_eq!(r["orders"], 3);
        assert_eq!(r["customers_created"], serde_json::json!(["导入测试客户甲", "导入测试客户乙"]));
        let (_, list) = admin.get("/api/v1/orders?q=I-00").await;
        assert_eq!(list["count"], 3, "{list}");
        let find = |no: &str| list["orders"].as_array().unwrap().iter().find(|o| o["order_no"] == no).cloned().unwrap();
        let one = find("I-001");
        assert_eq!(one["total"], "13790.00");
        assert_eq!(one["status"], "entered");
        assert_eq!(one["order_date"], "2032-03-05");
        let two = find("I-002");
        assert_eq!(two["order_date"], "2032-04-01");
        assert_eq!(two["total"], "-699.00");
        let split: Vec<(String, String, String)> = two["credits"].as_array().unwrap().iter()
            .map(|c| (c["employee_no"].as_str().unwrap().into(), c["share"].as_str().unwrap().into(), c["amount"].as_str().unwrap().into()))
            .collect();
        assert_eq!(split, [
            ("E0015".to_owned(), "40.00".to_owned(), "-279.60".to_owned()),
            ("E0016".to_owned(), "60.00".to_owned(), "-419.40".to_owned()),
        ].into_iter().rev().collect::<Vec<_>>());
        // 1.5 × 3.33 = 4.995, to the fen.
        assert_eq!(find("I-003")["total"], "5.00");
        let id = one["id"].as_i64().unwrap();
        let (_, o) = admin.get(&format!("/api/v1/orders/{id}")).await;
        assert_eq!(o["lines"].as_array().unwrap().len(), 2);
        assert_eq!(o["lines"][1]["amount"], "800.00");
        // A new order after the import gets a fresh id on both databases.
        let (status, o) = admin.post("/api/v1/orders", serde_json::json!({
            "customer": "导入测试客户甲", "order_date": "2032-03-07",
            "lines": [{"product": "门锁", "quantity": "1", "unit_price": "1"}],
            "credits": [{"employee_no": "E0015"}],
        })).await;
        assert_eq!(status, StatusCode::CREATED, "{o}");
        // The imported credits carry their orders' dates and customers.
        let credits = app.assert_credit_copies_kept().await;
        assert!(credits > 5, "{credits}");
        // The same file again: every order number exists already.
        let (status, e) = admin.upload("/api/v1/import/orders", "orders.csv", GOOD.as_bytes().to_vec()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(locations(&e), ["orders!A2", "orders!A4", "orders!A5"], "{e}");
        assert_eq!(count(&app, "I-00").await, 3);
        // Imports are audited.
        let gm = app.demo("gm").await;
        let (_, log) = gm.get("/api/v1/audit?entity=order&record=I-002").await;
        assert_eq!(log[0]["action"], "import", "{log}");
        assert_eq!(log[0]["after"]["order_no"], "I-002", "{log}");
        assert_eq!(log[0]["after"]["total"], "-699.00", "{log}");
    }

    async fn the_import_leaves_the_pool_checkpointing_its_log(app) {
        let admin = app.demo("sales_admin").await;
        let (status, r) = admin.upload("/api/v1/import/orders", "orders.csv", GOOD.as_bytes().to_vec()).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        if app.backend() != crate::common::Backend::Sqlite {
            return;
        }
        // The import commits without a checkpoint on a connection of its
        // own; every pooled connection still checkpoints a long log when
        // it commits. Eight transactions at once hold eight connections.
        use sea_orm::{ConnectionTrait, TransactionTrait};
        let mut held = Vec::new();
        for _ in 0..8 {
            let txn = app.db().begin().await.unwrap();
            let row = txn
                .query_one_raw(sea_orm::Statement::from_string(
                    sea_orm::DatabaseBackend::Sqlite,
                    "PRAGMA wal_autocheckpoint",
                ))
                .await
                .unwrap()
                .unwrap();
            let pages: i64 = row.try_get_by_index(0).unwrap();
            assert_eq!(pages, 1000);
            held.push(txn);
        }
    }

    async fn a_workbook_imports_like_a_csv(app) {
        let mut book = rust_xlsxwriter::Workbook::new();
        let s = book.add_worksheet();
        s.set_name("订单").unwrap();
        for (i, h) in ["order_no", "customer", "employee_no", "order_date", "product", "quantity", "unit_price"].iter().enumerate() {
            s.write_string(0, i as u16, *h).unwrap();
        }
        s.write_string(1, 0, "X-001").unwrap();
        s.write_string(1, 1, "导入测试客户丙").unwrap();
        s.write_string(1, 2, "E0015").unwrap();
        let d = rust_xlsxwriter::ExcelDateTime::from_ymd(2032, 5, 6).unwrap();
        s.write_datetime_with_format(1, 3, &d, &rust_xlsxwriter::Format::new().set_num_format("yyyy/m/d")).unwrap();
        s.write_string(1, 4, "门锁").unwrap();
        s.write_number(1, 5, 3.0).unwrap();
        s.write_number(1, 6, 19.9).unwrap();
        s.write_string(2, 0, "X-002").unwrap();
        s.write_string(2, 1, "导入测试客户丙").unwrap();
        s.write_number(2, 2, 15.0).unwrap();
        s.write_datetime_with_format(2, 3, &d, &rust_xlsxwriter::Format::new().set_num_format("yyyy/m/d")).unwrap();
        s.write_string(2, 4, "门锁").unwrap();
        s.write_number(2, 5, 1.0).unwrap();
        s.write_number(2, 6, 1.0).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let admin = app.demo("admin").await;
        let (status, e) = admin.upload("/api/v1/import/orders", "orders.xlsx", bytes.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(locations(&e), ["订单!C3"], "{e}");
        assert!(e["details"][0]["message"].as_str().unwrap().contains("\"15\""), "{e}");
        assert_eq!(count(&app, "X-00").await, 0);
    }

    async fn a_bad_file_names_every_cell_and_writes_nothing(app) {
        let admin = app.demo("sales_admin").await;
        let bad = "订单号,客户,销售工号,下单日期,产品,类别,数量,单价,金额\n\
B-001,导入测试客户丁,E0015,2032-03-05,门锁,门锁,2,10,21\n\
B-001,导入测试客户戊,E0015,2032-03-05,门锁,门锁,1,10,\n\
B-002,导入测试客户丁,E9999,2032-03-05,门锁,门锁,1,abc,\n\
B-003,导入测试客户丁,E0015,2032-13-05,,门锁,0,10,\n\
B-004,导入测试客户丁,E0015,2032-03-05,门锁,门锁,1,10,\n";
        let (status, e) = admin.upload("/api/v1/import/orders", "orders.csv", bad.as_bytes().to_vec()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(locations(&e), [
            "orders!I2", "orders!B3", "orders!H4", "orders!E5", "orders!G5", "orders!D5", "orders!C4",
        ], "{e}");
        assert!(e["message"].as_str().unwrap().contains("nothing was imported"), "{e}");
        let zh: Vec<&str> = e["details"].as_array().unwrap().iter().map(|d| d["message_zh"].as_str().unwrap()).collect();
        assert!(zh[6].contains("E9999"), "{zh:?}");
        // Nothing written: not the good order B-004, not the customers.
        assert_eq!(count(&app, "B-00").await, 0);
        assert_eq!(count(&app, "导入测试客户").await, 0);
        // Headers first: unknown and missing ones.
        let (status, e) = admin.upload("/api/v1/import/orders", "orders.csv", "订单号,客户,销售工号,产品,数量,单价,颜色\nA,B,C,D,1,1,红\n".as_bytes().to_vec()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(locations(&e), ["orders!G1", "orders!1"], "{e}");
        // Only the compiling office and admin import.
        let sales = app.demo("sales").await;
        let (status, _) = sales.upload("/api/v1/import/orders", "orders.csv", GOOD.as_bytes().to_vec()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // The import form on the orders page reports cells too.
        let csrf = admin.csrf.clone().unwrap();
        let part = reqwest::multipart::Part::bytes(bad.as_bytes().to_vec()).file_name("orders.csv");
        let resp = admin.http.post(app.url(&format!("/orders/import?_csrf={csrf}")))
            .multipart(reqwest::multipart::Form::new().part("file", part)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = resp.text().await.unwrap();
        assert!(html.contains("orders!C4") && html.contains("E9999"), "{html}");
    }

    async fn the_command_line_imports_with_progress(app) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("orders.csv");
        std::fs::write(&file, GOOD).unwrap();
        let path = file.to_str().unwrap();
        let db = app.db_url().to_owned();
        let o = app.cli(&["import", "orders", path]).await;
        let (out, err) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        assert!(o.status.success(), "{db}\nstdout: {out}\nstderr: {err}");
        assert!(out.contains("imported 3 orders from 4 rows"), "{out}");
        assert!(out.contains("new customer: 导入测试客户乙"), "{out}");
        assert!(err.contains("written") && err.contains("4 lines"), "{err}");
        assert_eq!(count(&app, "I-00").await, 3);
        // Written by the system, audited as such.
        let gm = app.demo("gm").await;
        let (_, log) = gm.get("/api/v1/audit?entity=order&record=I-001").await;
        assert_eq!(log[0]["actor"], "system", "{log}");
        // Again: refused with the cells, nothing written, a failure status.
        let o = app.cli(&["import", "orders", path]).await;
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success());
        assert!(err.contains("orders!A2: order number \"I-001\" already exists"), "{err}");
        assert!(err.contains("nothing was imported"), "{err}");
        assert_eq!(count(&app, "I-00").await, 3);
    }

    async fn a_month_of_many_orders_lists_the_first_500_and_counts_them_all(app) {
        let admin = app.demo("sales_admin").await;
        // 600 orders in July 2033: E0015 and E0016, one a day-and-hour apart.
        let mut csv = String::from("订单号,客户,销售工号,下单日期,产品,类别,数量,单价,金额\n");
        for i in 0..600 {
            let person = if i % 2 == 0 { "E0015" } else { "E0016" };
            csv.push_str(&format!("M-{i:04},批量客户{},{person},2033-07-{:02},门锁,门锁,1,10,\n", i % 7, 1 + i % 31));
        }
        let (status, r) = admin.upload("/api/v1/import/orders", "orders.csv", csv.into_bytes()).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        let gm = app.demo("gm").await;
        let (status, v) = gm.get("/api/v1/table/sources?metric=sales_amount&subject=unit:HQ&period=2033-07").await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert_eq!(v["count"], 600);
        assert_eq!(v["truncated"], true);
        let records = v["records"].as_array().unwrap();
        assert_eq!(records.len(), 500);
        // The earliest first, across both salespeople.
        let dates: Vec<&str> = records.iter().map(|r| r["date"].as_str().unwrap()).collect();
        assert_eq!(dates.first(), Some(&"2033-07-01"));
        assert!(dates.windows(2).all(|w| w[0] <= w[1]), "in date order");
        assert!(records.iter().any(|r| r["person"] == "张晓明") && records.iter().any(|r| r["person"] != "张晓明"));
        // One salesperson's 300 are all listed.
        let (_, v) = gm.get("/api/v1/table/sources?metric=sales_amount&subject=person:E0015&period=2033-07").await;
        assert_eq!((v["count"].as_i64(), v["truncated"].as_bool()), (Some(300), Some(false)));
        assert_eq!(v["records"].as_array().unwrap().len(), 300);
    }
}
