//! Activities: calls, visits and meetings logged by their owner (today in
//! the company's time zone by default), read by the owner's managers,
//! changed and deleted only by the owner (audited), refused with every bad
//! field named, and the quick entry page that saves with one tap.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_databases;
use crate::customers::{add_customer, colleague, post_form};

fn fields(e: &Value) -> Vec<&str> {
    e["details"]
        .as_array()
        .map(|a| a.iter().filter_map(|d| d["field"].as_str()).collect())
        .unwrap_or_default()
}

fn today() -> String {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
        .format("%Y-%m-%d")
        .to_string()
}

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .map(|a| a.iter().filter_map(|x| x["id"].as_i64()).collect())
        .unwrap_or_default()
}

both_databases! {
    async fn activities_are_logged_read_by_managers_and_changed_by_their_owner(app) {
        let sales = app.demo("sales").await;
        let customer = add_customer(&sales, json!({"name": "测试客户·拜访"})).await;
        let (status, visit) = sales
            .post("/api/v1/activities", json!({
                "kind": "visit", "customer_id": customer, "contact": "李总",
                "outcome": "谈了报价", "next_step": "下周送样"
            }))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{visit}");
        assert_eq!(visit["person"], "E0015");
        assert_eq!(visit["occurred_on"], today().as_str(), "today in Asia/Shanghai");
        assert_eq!(visit["customer_name"], "测试客户·拜访");
        assert_eq!(visit["may_edit"], true);
        let visit_id = visit["id"].as_i64().unwrap();
        let (status, call) = sales
            .post("/api/v1/activities", json!({"kind": "电话", "occurred_on": "2031-11-03", "occurred_time": "09:05"}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{call}");
        assert_eq!(call["kind"], "call");
        assert_eq!(call["occurred_time"], "09:05");
        let call_id = call["id"].as_i64().unwrap();

        // Filters: kind, day range, person.
        let (_, list) = sales.get("/api/v1/activities?kind=call&from=2031-01-01").await;
        assert_eq!(ids(&list), [call_id]);
        let (_, list) = sales.get("/api/v1/activities?kind=visit&from=2031-01-01").await;
        assert_eq!(list, json!([]));
        let (_, list) = sales.get("/api/v1/activities?from=2031-11-01&to=2031-11-30").await;
        assert_eq!(ids(&list), [call_id]);
        let (_, list) = sales.get("/api/v1/activities?from=2031-11-04&to=2031-11-30").await;
        assert_eq!(list, json!([]));
        let (_, list) = sales.get(&format!("/api/v1/activities?customer_id={customer}")).await;
        assert_eq!(ids(&list), [visit_id]);

        // The region's manager reads them but changes nothing.
        let manager = app.demo("manager").await;
        let (_, list) = manager.get("/api/v1/activities?person=E0015&from=2031-01-01").await;
        assert_eq!(ids(&list), [call_id]);
        assert_eq!(list[0]["may_edit"], false);
        let (_, list) = manager.get("/api/v1/activities?person=E0016&from=2031-01-01").await;
        assert_eq!(list, json!([]));
        let (status, a) = manager.get(&format!("/api/v1/activities/{visit_id}")).await;
        assert_eq!(status, StatusCode::OK, "{a}");
        assert_eq!(a["may_edit"], false);
        let path = format!("/api/v1/activities/{call_id}");
        assert_eq!(manager.patch(&path, json!({"outcome": "x"})).await.0, StatusCode::FORBIDDEN);
        assert_eq!(manager.delete(&path).await.0, StatusCode::FORBIDDEN);
        // A colleague does not see them at all; the GM does.
        let other = colleague(&app).await;
        assert_eq!(other.get(&path).await.0, StatusCode::NOT_FOUND);
        assert_eq!(other.patch(&path, json!({"outcome": "x"})).await.0, StatusCode::NOT_FOUND);
        assert_eq!(other.delete(&path).await.0, StatusCode::NOT_FOUND);
        let (_, list) = other.get("/api/v1/activities?from=2031-01-01").await;
        assert_eq!(list, json!([]));
        let gm = app.demo("gm").await;
        assert_eq!(gm.get(&path).await.0, StatusCode::OK);
        // HR reads nobody's but their own.
        let hr = app.demo("hr").await;
        assert_eq!(hr.get(&path).await.0, StatusCode::NOT_FOUND);
        let (status, own) = hr.post("/api/v1/activities", json!({"kind": "meeting", "occurred_on": "2031-11-03"})).await;
        assert_eq!(status, StatusCode::CREATED, "{own}");
        let (_, list) = hr.get("/api/v1/activities?from=2031-01-01").await;
        assert_eq!(ids(&list), [own["id"].as_i64().unwrap()]);

        // The owner moves it to another day and kind, then deletes it.
        let (status, a) = sales.patch(&path, json!({"occurred_on": "2031-11-04", "kind": "meeting", "occurred_time": null})).await;
        assert_eq!(status, StatusCode::OK, "{a}");
        assert_eq!(a["kind"], "meeting");
        assert_eq!(a["occurred_on"], "2031-11-04");
        assert_eq!(a["occurred_time"], Value::Null);
        assert_eq!(sales.delete(&path).await.0, StatusCode::NO_CONTENT);
        assert_eq!(sales.get(&path).await.0, StatusCode::NOT_FOUND);
        let (_, log) = gm.get(&format!("/api/v1/audit?entity=activity&record={call_id}")).await;
        let actions: Vec<&str> = log.as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
        assert_eq!(actions, ["delete", "update", "create"], "{log}");

        // Admin corrects anyone's and logs for someone by 工号.
        let admin = app.demo("admin").await;
        let (status, a) = admin.post("/api/v1/activities", json!({"kind": "call", "person": "E0016", "occurred_on": "2026-11-05"})).await;
        assert_eq!(status, StatusCode::CREATED, "{a}");
        assert_eq!(a["person"], "E0016");
        let (status, _) = admin.patch(&format!("/api/v1/activities/{visit_id}"), json!({"outcome": "更正"})).await;
        assert_eq!(status, StatusCode::OK);
    }

    async fn activities_bad_input_names_every_field(app) {
        let sales = app.demo("sales").await;
        let (_, before) = sales.get("/api/v1/activities").await;
        let sales_admin = app.demo("sales_admin").await;
        // A customer of 华南 (E0028): outside 张晓明's reach.
        let outside = add_customer(&sales_admin, json!({"name": "测试客户·华南", "owner": "E0028"})).await;
        for (body, field) in [
            (json!({"kind": "email"}), "kind"),
            (json!({"kind": "call", "occurred_on": "2026-02-30"}), "occurred_on"),
            (json!({"kind": "call", "occurred_on": "yesterday"}), "occurred_on"),
            (json!({"kind": "call", "occurred_time": "25:00"}), "occurred_time"),
            (json!({"kind": "call", "customer_id": outside}), "customer_id"),
            (json!({"kind": "call", "customer_id": 987654321}), "customer_id"),
            (json!({"kind": "call", "person": "E0016"}), "person"),
            (json!({"kind": "call", "contact": "x".repeat(65)}), "contact"),
        ] {
            let (status, e) = sales.post("/api/v1/activities", body.clone()).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {e}");
            assert_eq!(fields(&e), [field], "{body}: {e}");
        }
        let (status, e) = sales
            .post("/api/v1/activities", json!({"kind": "fax", "occurred_on": "2026-13-01", "occurred_time": "9h", "customer_id": outside}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["kind", "customer_id", "occurred_on", "occurred_time"]);
        let (status, e) = sales.post("/api/v1/activities", json!({"kind": "call", "when": "now"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (_, list) = sales.get("/api/v1/activities").await;
        assert_eq!(ids(&list), ids(&before), "nothing was written");
        // Admin has no person record of their own.
        let (status, e) = app.demo("admin").await.post("/api/v1/activities", json!({"kind": "call"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["person"]);
        // Filters.
        for (q, field) in [("from=2026-13-01", "from"), ("to=31.12.2026", "to"), ("kind=fax", "kind")] {
            let (status, e) = sales.get(&format!("/api/v1/activities?{q}")).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {e}");
            assert_eq!(fields(&e), [field]);
        }
        // A patch is checked the same way.
        let (_, a) = sales.post("/api/v1/activities", json!({"kind": "call"})).await;
        let path = format!("/api/v1/activities/{}", a["id"]);
        let (status, e) = sales.patch(&path, json!({"kind": "fax", "occurred_on": "2026-02-30", "customer_id": outside})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(fields(&e), ["kind", "customer_id", "occurred_on"]);
        let (_, a) = sales.get(&path).await;
        assert_eq!(a["kind"], "call", "nothing changed");
    }

    async fn activities_quick_entry_saves_with_one_tap(app) {
        let sales = app.demo("sales").await;
        let customer = add_customer(&sales, json!({"name": "测试客户·快速"})).await;
        let (status, html) = sales.page(&format!("/activities/new?customer={customer}")).await;
        assert_eq!(status, StatusCode::OK);
        for want in ["电话", "拜访", "会议", "name=\"kind\" value=\"visit\"", "测试客户·快速", &format!("value=\"{customer}\" selected"), &today()] {
            assert!(html.contains(want), "{want} missing");
        }
        assert!(html.contains("width=device-width"), "made for phones");
        let resp = post_form(&sales, "/activities", &[("kind", "visit"), ("customer", &customer.to_string()), ("contact", "王工"), ("occurred_on", &today()), ("occurred_time", ""), ("outcome", "送了样品"), ("next_step", "")]).await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        assert_eq!(resp.headers()["location"], "/activities/new");
        let (_, list) = sales.get(&format!("/api/v1/activities?customer_id={customer}")).await;
        assert_eq!(ids(&list).len(), 1, "{list}");
        let a = &list[0];
        assert_eq!(a["kind"], "visit");
        assert_eq!(a["customer_id"], customer);
        assert_eq!(a["contact"], "王工");
        assert_eq!(a["next_step"], Value::Null);
        // A bad day comes back with the error and what was typed.
        let resp = post_form(&sales, "/activities", &[("kind", "call"), ("customer", ""), ("contact", "张三"), ("occurred_on", "2026-02-30")]).await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = resp.text().await.unwrap();
        assert!(html.contains("日期") && html.contains("张三"), "{html}");
        // The list: one's own; the manager sees the team's.
        let (status, html) = sales.page("/activities").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("送了样品"));
        let (status, html) = app.demo("manager").await.page("/activities?person=E0015").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("送了样品") && html.contains("张晓明"));
        let (_, html) = colleague(&app).await.page("/activities").await;
        assert!(!html.contains("送了样品"));
        // Editing and deleting through the pages.
        let id = a["id"].as_i64().unwrap();
        let (status, html) = sales.page(&format!("/activities/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("送了样品"));
        assert_eq!(app.demo("manager").await.page(&format!("/activities/{id}")).await.0, StatusCode::FORBIDDEN);
        let resp = post_form(&sales, &format!("/activities/{id}/delete"), &[]).await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        assert_eq!(sales.get(&format!("/api/v1/activities/{id}")).await.0, StatusCode::NOT_FOUND);
    }
}
