//! Customers (客户档案): reach by the owner, owner changes within reach,
//! the key-customer profile shown only to the owner and their managers
//! (API and pages, each read audited, never the values), follow-up
//! records, birthday and anniversary reminders across the year's end, the
//! import helper, and bad input named field by field.

use mubiao::domain::role::Role;
use mubiao::storage::{accounts, org};
use reqwest::{Method, StatusCode};
use sea_orm::TransactionTrait;
use serde_json::{Value, json};

use crate::both_databases;
use crate::common::{Client, TestApp};

fn fields(e: &Value) -> Vec<&str> {
    e["details"]
        .as_array()
        .map(|a| a.iter().filter_map(|d| d["field"].as_str()).collect())
        .unwrap_or_default()
}

/// A signed-in salesperson of the demo company other than `sales`:
/// 罗佳怡 (E0016), a colleague in the same team.
pub async fn colleague(app: &TestApp) -> Client {
    let db = app.db();
    let id = org::person_id_by_employee_no(db, "E0016")
        .await
        .expect("look up E0016");
    assert!(id.is_some(), "demo has E0016");
    accounts::create_user(db, None, "luojiayi", "luojiayi-2026", Role::Sales, id)
        .await
        .expect("account for E0016");
    app.login("luojiayi", "luojiayi-2026").await
}

/// Adds a customer as `client`; panics unless 201.
pub async fn add_customer(client: &Client, body: Value) -> i64 {
    let (status, c) = client.post("/api/v1/customers", body).await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    c["id"].as_i64().expect("id")
}

/// Posts a page form as the pages do (the CSRF token in the action URL).
pub async fn post_form(c: &Client, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    use mubiao::web::auth::urlencode;
    let body = fields
        .iter()
        .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let sep = if path.contains('?') { '&' } else { '?' };
    c.http
        .post(format!(
            "{}{path}{sep}_csrf={}",
            c.base,
            c.csrf.clone().unwrap_or_default()
        ))
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(body)
        .send()
        .await
        .expect("form")
}

fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .map(|a| a.iter().filter_map(|c| c["name"].as_str()).collect())
        .unwrap_or_default()
}

/// The actors of the `read_private` entries about customer `id`.
async fn private_reads(gm: &Client, id: i64) -> Vec<String> {
    let (status, log) = gm
        .get(&format!("/api/v1/audit?entity=customer&record={id}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{log}");
    log.as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["action"] == "read_private")
        .map(|e| e["actor"].as_str().unwrap_or_default().to_owned())
        .collect()
}

const PROFILE_KEYS: [&str; 10] = [
    "birthday",
    "anniversary",
    "anniversary_label",
    "background",
    "education",
    "family",
    "interests",
    "goals",
    "personality",
    "private_notes",
];

both_databases! {
    async fn customers_are_reached_through_their_owner(app) {
        let sales = app.demo("sales").await;
        let (status, c) = sales
            .post("/api/v1/customers", json!({"name": "测试客户·浦东机电", "industry": "机械", "status": "潜在"}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{c}");
        assert_eq!(c["owner"], "E0015", "the salesperson owns what they add: {c}");
        assert_eq!(c["owner_unit"], "HD-SH");
        assert_eq!(c["status"], "prospect");
        let id = c["id"].as_i64().unwrap();
        let path = format!("/api/v1/customers/{id}");

        // Another salesperson, even in the same team, does not see it.
        let other = colleague(&app).await;
        let (status, e) = other.get(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{e}");
        assert!(!e.to_string().contains("浦东机电"), "{e}");
        let (_, list) = other.get("/api/v1/customers?q=浦东机电").await;
        assert_eq!(list, json!([]));
        let (status, _) = other.patch(&path, json!({"status": "active"})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // The manager of the region, the GM and the sales admin read it;
        // the GM may not change it; HR does not reach customers.
        let manager = app.demo("manager").await;
        let gm = app.demo("gm").await;
        let sales_admin = app.demo("sales_admin").await;
        for who in [&manager, &gm, &sales_admin] {
            let (status, f) = who.get(&path).await;
            assert_eq!(status, StatusCode::OK, "{f}");
            assert_eq!(f["name"], "测试客户·浦东机电");
        }
        let (_, list) = manager.get("/api/v1/customers?q=浦东机电").await;
        assert_eq!(names(&list), ["测试客户·浦东机电"], "{list}");
        let (status, _) = gm.patch(&path, json!({"status": "active"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let hr = app.demo("hr").await;
        let (status, _) = hr.get(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = hr.post("/api/v1/customers", json!({"name": "测试客户·人事"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // The owner changes it, but may not give it away.
        let (status, c) = sales.patch(&path, json!({"status": "成交", "region": "上海"})).await;
        assert_eq!(status, StatusCode::OK, "{c}");
        assert_eq!(c["status"], "active");
        assert_eq!(c["region"], "上海");
        let (status, e) = sales.patch(&path, json!({"owner": "E0016"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["owner"]);
        // The manager hands it to a salesperson in their region, not outside it.
        let (status, e) = manager.patch(&path, json!({"owner": "E0028"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["owner"]);
        let (status, e) = manager.patch(&path, json!({"owner": null})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (status, c) = manager.patch(&path, json!({"owner": "E0016"})).await;
        assert_eq!(status, StatusCode::OK, "{c}");
        assert_eq!(c["owner"], "E0016");
        assert_eq!(c["owner_name"], "罗佳怡");
        assert_eq!(sales.get(&path).await.0, StatusCode::NOT_FOUND);
        assert_eq!(other.get(&path).await.0, StatusCode::OK);

        // A customer without owner: the sales admins, admin and GM only.
        let (status, c) = sales_admin.post("/api/v1/customers", json!({"name": "测试客户·无主"})).await;
        assert_eq!(status, StatusCode::CREATED, "{c}");
        assert_eq!(c["owner"], Value::Null);
        let orphan = format!("/api/v1/customers/{}", c["id"]);
        assert_eq!(manager.get(&orphan).await.0, StatusCode::NOT_FOUND);
        assert_eq!(sales.get(&orphan).await.0, StatusCode::NOT_FOUND);
        assert_eq!(gm.get(&orphan).await.0, StatusCode::OK);
        assert_eq!(app.demo("admin").await.get(&orphan).await.0, StatusCode::OK);

        // Names are unique (imports match by exact name).
        let (status, e) = other.post("/api/v1/customers", json!({"name": " 测试客户·浦东机电 "})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["name"]);

        // Filters.
        let (_, list) = manager.get("/api/v1/customers?status=active&q=浦东").await;
        assert_eq!(names(&list), ["测试客户·浦东机电"], "{list}");
        let (_, list) = manager.get("/api/v1/customers?status=prospect&q=浦东").await;
        assert_eq!(list, json!([]));
        let (_, list) = manager.get("/api/v1/customers?owner=E0016&q=浦东").await;
        assert_eq!(names(&list), ["测试客户·浦东机电"], "{list}");
        let (status, e) = manager.get("/api/v1/customers?status=vip").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["status"]);

        // Every change is audited.
        let (_, log) = gm.get(&format!("/api/v1/audit?entity=customer&record={id}")).await;
        let actions: Vec<&str> = log.as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
        assert!(actions.contains(&"create") && actions.iter().filter(|a| **a == "update").count() == 2, "{log}");
    }

    async fn customers_private_profile_only_for_the_owner_and_their_managers(app) {
        let sales = app.demo("sales").await;
        let id = add_customer(&sales, json!({"name": "测试客户·关键"})).await;
        let path = format!("/api/v1/customers/{id}");
        let (status, contact) = sales
            .post(&format!("{path}/contacts"), json!({
                "name": "李总", "title": "总经理", "phone": "13900001111", "is_key": true,
                "birthday": "1975-03-08", "background": "SECRET-背景-甲",
                "family": "SECRET-家庭-乙", "interests": "高尔夫",
            }))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{contact}");
        assert_eq!(contact["private"], "shown");
        assert_eq!(contact["background"], "SECRET-背景-甲");
        let contact_id = contact["id"].as_i64().unwrap();

        let gm = app.demo("gm").await;
        let manager = app.demo("manager").await;
        let sales_admin = app.demo("sales_admin").await;
        let admin = app.demo("admin").await;
        // The owner, the owner's manager and the GM read the profile; each
        // read is one audit entry.
        for (who, name) in [(&sales, "sales"), (&manager, "manager"), (&gm, "gm")] {
            let before = private_reads(&gm, id).await.len();
            let (status, f) = who.get(&path).await;
            assert_eq!(status, StatusCode::OK, "{f}");
            assert_eq!(f["private"], "shown", "{name}: {f}");
            let c = &f["contacts"][0];
            assert_eq!(c["private"], "shown");
            assert_eq!(c["background"], "SECRET-背景-甲", "{name}: {f}");
            assert_eq!(c["birthday"], "1975-03-08");
            assert_eq!(c["education"], Value::Null, "present, though empty");
            let reads = private_reads(&gm, id).await;
            assert_eq!(reads.len(), before + 1, "{name}'s read is audited once");
            assert!(reads.iter().any(|a| a.as_str() == name), "{reads:?}");
        }
        // The sales admin and admin see the customer and its contacts, not
        // the profile: the fields are absent, not null; nothing is audited.
        for (who, name) in [(&sales_admin, "sales_admin"), (&admin, "admin")] {
            let before = private_reads(&gm, id).await.len();
            let (status, f) = who.get(&path).await;
            assert_eq!(status, StatusCode::OK, "{f}");
            assert_eq!(f["private"], "hidden");
            let c = f["contacts"][0].as_object().expect("contact");
            assert_eq!(c["name"], "李总");
            assert_eq!(c["phone"], "13900001111");
            assert_eq!(c["private"], "hidden");
            for k in PROFILE_KEYS {
                assert!(!c.contains_key(k), "{name} gets {k}: {f}");
            }
            assert!(!f.to_string().contains("SECRET"), "{f}");
            assert_eq!(private_reads(&gm, id).await.len(), before, "{name}");
            // Nor in the page.
            let (status, html) = who.page(&format!("/customers/{id}")).await;
            assert_eq!(status, StatusCode::OK);
            assert!(html.contains("李总"), "the contact is listed");
            assert!(!html.contains("SECRET") && !html.contains("1975-03-08"), "{name}'s page shows the profile");
            let reads = private_reads(&gm, id).await;
            assert!(!reads.iter().any(|a| a == name), "{reads:?}");
        }
        // The owner's page shows it, and the read is audited.
        let before = private_reads(&gm, id).await.len();
        let (status, html) = sales.page(&format!("/customers/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("SECRET-背景-甲") && html.contains("1975-03-08"));
        assert_eq!(private_reads(&gm, id).await.len(), before + 1);
        // Another salesperson: nothing at all.
        let other = colleague(&app).await;
        assert_eq!(other.get(&path).await.0, StatusCode::NOT_FOUND);
        let (status, html) = other.page(&format!("/customers/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(!html.contains("李总"));

        // Only those who read the profile write it.
        let cpath = format!("{path}/contacts/{contact_id}");
        let (status, _) = sales_admin.patch(&cpath, json!({"background": "改写"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = sales_admin.patch(&cpath, json!({"birthday": null})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = sales_admin.post(&format!("{path}/contacts"), json!({"name": "王秘书", "family": "x"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, c) = sales_admin.patch(&cpath, json!({"phone": "13900002222"})).await;
        assert_eq!(status, StatusCode::OK, "{c}");
        assert!(c.get("background").is_none() && c["private"] == "hidden", "{c}");
        let (status, c) = sales_admin.post(&format!("{path}/contacts"), json!({"name": "王秘书", "title": "秘书"})).await;
        assert_eq!(status, StatusCode::CREATED, "{c}");
        // The sales admin's edit page has no profile fields.
        let (status, html) = sales_admin.page(&format!("/customers/{id}/contacts/{contact_id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!html.contains("name=\"background\"") && !html.contains("SECRET"));
        let (status, html) = sales.page(&format!("/customers/{id}/contacts/{contact_id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("name=\"background\"") && html.contains("SECRET-背景-甲"));
        // The manager clears a field; the owner sees it gone.
        let (status, c) = manager.patch(&cpath, json!({"family": null, "goals": "上市"})).await;
        assert_eq!(status, StatusCode::OK, "{c}");
        assert_eq!(c["family"], Value::Null);
        assert_eq!(c["goals"], "上市");

        // The audit log names records and the fields changed, never the values.
        let (_, log) = admin.get("/api/v1/audit").await;
        let text = log.to_string();
        assert!(text.contains("read_private"), "{log}");
        assert!(!text.contains("SECRET") && !text.contains("1975-03-08") && !text.contains("上市"), "{log}");
        let (_, log) = gm.get(&format!("/api/v1/audit?entity=customer_contact&record={contact_id}")).await;
        assert!(log.to_string().contains("\"goals\""), "the changed field is named: {log}");
    }

    async fn customers_reminders_wrap_the_year_and_keep_leap_days(app) {
        let sales = app.demo("sales").await;
        let id = add_customer(&sales, json!({"name": "测试客户·提醒"})).await;
        let contacts = format!("/api/v1/customers/{id}/contacts");
        for body in [
            json!({"name": "甲", "birthday": "1980-01-03"}),
            json!({"name": "乙", "birthday": "--12-30", "anniversary": "2012-02-29", "anniversary_label": "结婚纪念日"}),
            json!({"name": "丙", "birthday": "1990-06-15"}),
            json!({"name": "丁"}),
        ] {
            let (status, c) = sales.post(&contacts, body).await;
            assert_eq!(status, StatusCode::CREATED, "{c}");
        }
        let mine = |list: &Value| -> Vec<(String, String, String, i64, Value)> {
            list.as_array()
                .expect("list")
                .iter()
                .filter(|r| r["customer_id"] == id)
                .map(|r| {
                    (
                        r["contact_name"].as_str().unwrap().to_owned(),
                        r["kind"].as_str().unwrap().to_owned(),
                        r["on"].as_str().unwrap().to_owned(),
                        r["in_days"].as_i64().unwrap(),
                        r["years"].clone(),
                    )
                })
                .collect()
        };
        let (status, list) = sales.get("/api/v1/reminders?from=2026-12-25&days=14").await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(
            mine(&list),
            [
                ("乙".into(), "birthday".into(), "2026-12-30".into(), 5, Value::Null),
                ("甲".into(), "birthday".into(), "2027-01-03".into(), 9, json!(47)),
            ],
            "{list}"
        );
        // 29 February on the 28th in a common year, on the 29th in a leap year.
        let (_, list) = sales.get("/api/v1/reminders?from=2027-02-20&days=14").await;
        assert_eq!(mine(&list), [("乙".into(), "anniversary".into(), "2027-02-28".into(), 8, json!(15))], "{list}");
        let r = list.as_array().unwrap().iter().find(|r| r["customer_id"] == id).unwrap();
        assert_eq!(r["label"], "结婚纪念日");
        let (_, list) = sales.get("/api/v1/reminders?from=2028-02-20&days=14").await;
        assert_eq!(mine(&list), [("乙".into(), "anniversary".into(), "2028-02-29".into(), 9, json!(16))], "{list}");
        // The day itself counts; the window's last day too.
        let (_, list) = sales.get("/api/v1/reminders?from=2027-01-03&days=0").await;
        assert_eq!(mine(&list).len(), 1, "{list}");
        let (_, list) = sales.get("/api/v1/reminders?from=2026-12-20&days=10").await;
        assert_eq!(mine(&list).len(), 1, "{list}");

        // The manager sees them; the sales admin and a colleague do not.
        let (_, list) = app.demo("manager").await.get("/api/v1/reminders?from=2026-12-25&days=14").await;
        assert_eq!(mine(&list).len(), 2, "{list}");
        let (_, list) = app.demo("sales_admin").await.get("/api/v1/reminders?from=2026-12-25&days=14").await;
        assert_eq!(list, json!([]));
        let (_, list) = colleague(&app).await.get("/api/v1/reminders?from=2026-12-25&days=14").await;
        assert!(mine(&list).is_empty(), "{list}");
        // Each read is audited.
        let gm = app.demo("gm").await;
        let reads = private_reads(&gm, id).await;
        assert!(reads.iter().filter(|a| a.as_str() == "sales").count() >= 5, "{reads:?}");

        // Bad windows are named.
        for (q, field) in [("days=abc", "days"), ("days=400", "days"), ("days=-1", "days"), ("from=2026-13-01", "from")] {
            let (status, e) = sales.get(&format!("/api/v1/reminders?{q}")).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {e}");
            assert_eq!(fields(&e), [field], "{q}: {e}");
        }
        // The list page shows the block.
        let (status, html) = sales.page("/customers").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("id=\"reminders\""));
    }

    async fn customers_follow_up_records(app) {
        let sales = app.demo("sales").await;
        let id = add_customer(&sales, json!({"name": "测试客户·跟进"})).await;
        let notes = format!("/api/v1/customers/{id}/notes");
        let (status, n) = sales.post(&notes, json!({"kind": "投诉", "content": "交货晚了两天", "noted_on": "2026-11-20"})).await;
        assert_eq!(status, StatusCode::CREATED, "{n}");
        assert_eq!(n["kind"], "complaint");
        assert_eq!(n["author"], "E0015");
        let (status, n) = sales.post(&notes, json!({"kind": "suggestion", "content": "希望提供分期付款", "noted_on": "2026/11/25"})).await;
        assert_eq!(status, StatusCode::CREATED, "{n}");
        assert_eq!(n["noted_on"], "2026-11-25");
        let (status, n) = sales.post(&notes, json!({"kind": "question", "content": "保修几年？"})).await;
        assert_eq!(status, StatusCode::CREATED, "{n}");
        let today = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive().format("%Y-%m-%d").to_string();
        assert_eq!(n["noted_on"], today.as_str(), "today in the company's time zone");
        let (status, list) = app.demo("manager").await.get(&notes).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        let days: Vec<&str> = list.as_array().unwrap().iter().map(|n| n["noted_on"].as_str().unwrap()).collect();
        let mut sorted = days.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(days, sorted, "newest first");
        assert!(days.contains(&"2026-11-20") && days.contains(&"2026-11-25"));
        assert_eq!(colleague(&app).await.get(&notes).await.0, StatusCode::NOT_FOUND);
        // The GM reads but writes nothing; admin has no person to sign it.
        let (status, _) = app.demo("gm").await.post(&notes, json!({"kind": "note", "content": "x"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = app.demo("admin").await.post(&notes, json!({"kind": "note", "content": "x"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, n) = app.demo("sales_admin").await.post(&notes, json!({"kind": "note", "content": "已寄发票"})).await;
        assert_eq!(status, StatusCode::CREATED, "{n}");
        assert_eq!(n["author"], "E0005");
        // The page lists them and adds one.
        let (status, html) = sales.page(&format!("/customers/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("交货晚了两天") && html.contains("已寄发票"));
        let resp = post_form(&sales, &format!("/customers/{id}/notes"), &[("kind", "question"), ("content", "能否提前交货"), ("noted_on", "2026-11-26")]).await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let (_, list) = sales.get(&notes).await;
        assert!(list.to_string().contains("能否提前交货"));
    }

    async fn customers_bad_input_names_every_field(app) {
        let sales = app.demo("sales").await;
        let (status, e) = sales
            .post("/api/v1/customers", json!({"name": " ", "status": "vip", "owner": "NOPE", "industry": "x".repeat(65)}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let f = fields(&e);
        for want in ["name", "status", "owner", "industry"] {
            assert!(f.contains(&want), "{want} missing in {e}");
        }
        assert!(e["details"][0]["message_zh"].as_str().is_some_and(|m| !m.is_empty()));
        let (status, e) = sales.post("/api/v1/customers", json!({"name": "x", "colour": "red"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (_, list) = sales.get("/api/v1/customers?q=colour").await;
        assert_eq!(list, json!([]), "nothing written");

        let id = add_customer(&sales, json!({"name": "测试客户·校验"})).await;
        let (status, e) = sales
            .post(&format!("/api/v1/customers/{id}/contacts"), json!({
                "name": "", "birthday": "1980-02-30", "anniversary": "--13-01", "email": "not-an-email", "phone": "abc"
            }))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let f = fields(&e);
        for want in ["name", "birthday", "anniversary", "email", "phone"] {
            assert!(f.contains(&want), "{want} missing in {e}");
        }
        let (status, e) = sales
            .post(&format!("/api/v1/customers/{id}/notes"), json!({"kind": "praise", "content": "", "noted_on": "2026-02-30"}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["kind", "content", "noted_on"]);
        let (status, _) = sales.get("/api/v1/customers/abc").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _) = sales.get(&format!("/api/v1/customers/{id}/contacts/999999")).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        let (status, _) = sales.delete(&format!("/api/v1/customers/{id}/contacts/999999")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // The form answers 422 with the field named in the page's language.
        let resp = post_form(&sales, "/customers", &[("name", ""), ("status", "prospect"), ("owner", "E0015")]).await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = resp.text().await.unwrap();
        assert!(html.contains("客户名称: 不能为空"), "{html}");
    }

    async fn customers_pages_add_and_show_a_customer(app) {
        let sales = app.demo("sales").await;
        let (status, html) = sales.page("/customers/new").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("value=\"E0015\" selected"), "the owner defaults to oneself");
        let resp = post_form(&sales, "/customers", &[("name", "测试客户·页面"), ("status", "prospect"), ("owner", "E0015"), ("industry", "零售")]).await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let to = resp.headers()["location"].to_str().unwrap().to_owned();
        assert!(to.starts_with("/customers/"), "{to}");
        let (status, html) = sales.page(&to).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("测试客户·页面") && html.contains("零售"));
        let (status, html) = sales.page("/customers?q=页面").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("测试客户·页面"));
        let (_, html) = sales.page("/customers?q=nothing-like-this").await;
        assert!(!html.contains("测试客户·页面"));
        // A contact through the form, with its profile.
        let resp = post_form(&sales, &format!("{to}/contacts"), &[("name", "赵经理"), ("is_key", "on"), ("birthday", "--05-17"), ("interests", "钓鱼")]).await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let (_, html) = sales.page(&to).await;
        assert!(html.contains("赵经理") && html.contains("--05-17") && html.contains("钓鱼"));
        // Editing: another salesperson may not even see the form.
        let other = colleague(&app).await;
        assert_eq!(other.page(&format!("{to}/edit")).await.0, StatusCode::NOT_FOUND);
        assert_eq!(app.demo("gm").await.page(&format!("{to}/edit")).await.0, StatusCode::FORBIDDEN);
        let resp = post_form(&sales, &to, &[("name", "测试客户·页面"), ("status", "dormant"), ("owner", "E0015")]).await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let id = to.rsplit('/').next().unwrap();
        let (_, c) = sales.get(&format!("/api/v1/customers/{id}")).await;
        assert_eq!(c["status"], "dormant");
        assert_eq!(c["industry"], Value::Null, "the form's empty field clears it");
        // English.
        let resp = sales
            .request(Method::GET, "/customers")
            .header("accept-language", "en")
            .send()
            .await
            .unwrap();
        let html = resp.text().await.unwrap();
        assert!(html.contains("Customers") && html.contains("First purchase"), "{html}");
    }

    async fn customers_import_helper_finds_and_creates_by_exact_name(app) {
        let sales = app.demo("sales").await;
        let existing = add_customer(&sales, json!({"name": "测试客户·已有"})).await;
        let owner = org::person_id_by_employee_no(app.db(), "E0015").await.unwrap();
        // A name's first mention gives its owner.
        let mut names: Vec<(String, Option<i64>)> = vec![(" 甲公司 ".into(), None), ("乙公司".into(), owner), ("甲公司".into(), owner), ("".into(), owner), ("测试客户·已有".into(), owner)];
        names.extend((0..1200).map(|i| (format!("批量客户{i:04}"), owner)));
        let txn = app.db().begin().await.unwrap();
        let (ids, created) = mubiao::storage::customers::find_or_create_by_names(&txn, &names).await.unwrap();
        txn.commit().await.unwrap();
        assert_eq!(ids.len(), 1203);
        assert_eq!(created.len(), 1202);
        assert_eq!(&created[..2], ["甲公司", "乙公司"]);
        assert_eq!(ids["测试客户·已有"], existing);
        let txn = app.db().begin().await.unwrap();
        let (again, created) = mubiao::storage::customers::find_or_create_by_names(&txn, &names).await.unwrap();
        txn.commit().await.unwrap();
        assert!(created.is_empty());
        assert_eq!(again, ids);
        // The created customers belong to the owner given.
        let (_, c) = sales.get(&format!("/api/v1/customers/{}", ids["乙公司"])).await;
        assert_eq!(c["owner"], "E0015");
        assert_eq!(c["status"], "prospect");
        let (_, c) = app.demo("admin").await.get(&format!("/api/v1/customers/{}", ids["甲公司"])).await;
        assert!(c["owner"].is_null(), "{c}");
    }
}
