//! Monthly submission (数据填报) end to end: a unit's submitter submits a
//! month, the compiling office returns it with a comment or accepts it;
//! a submitted or accepted month is closed to the submitter's actual edits.

use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both_databases;

const HD_SH: &str = "/api/v1/submissions/HD-SH/2026-03";

fn actual(subject: &str, period: &str, value: &str) -> Value {
    json!([{"metric": "sales_amount", "subject": subject, "period": period, "value": value}])
}

/// A page form's body.
fn form_body(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{k}={}", mubiao::web::auth::urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The status of `unit` in a list answer.
fn status_in<'a>(list: &'a Value, unit: &str) -> &'a Value {
    list["units"]
        .as_array()
        .and_then(|u| u.iter().find(|u| u["unit"] == unit))
        .map_or(&Value::Null, |u| &u["status"])
}

/// A row's month cell of `GET /api/v1/table`.
fn month_actual(table: &Value, metric: &str, period: &str) -> Value {
    table["rows"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["metric"] == metric))
        .and_then(|r| {
            r["months"]
                .as_array()?
                .iter()
                .find(|c| c["period"] == period)
        })
        .map_or(Value::Null, |c| c["actual"].clone())
}

both_databases! {
    async fn the_accepted_basis_shows_a_month_once_every_staffed_unit_is_accepted(app) {
        let gm = app.demo("gm").await;
        let m = app.demo("manager").await;
        let sa = app.demo("sales_admin").await;
        let team = "/api/v1/table?subject=unit:HD-SH&year=2026";
        let region = "/api/v1/table?subject=unit:HD&year=2026";
        let (_, all) = gm.get(team).await;
        assert!(month_actual(&all, "sales_amount", "2026-03").is_string(), "the demo has March actuals: {all}");
        assert!(all.get("unaccepted").is_none(), "nothing withheld on the default basis: {all}");
        let (status, accepted) = gm.get(&format!("{team}&basis=accepted")).await;
        assert_eq!(status, StatusCode::OK, "{accepted}");
        assert_eq!(month_actual(&accepted, "sales_amount", "2026-03"), Value::Null, "not accepted yet");
        assert_eq!(accepted["unaccepted"].as_array().map(Vec::len), Some(12));

        let (status, _) = m.post(&format!("{HD_SH}/submit"), json!({})).await;
        assert_eq!(status, StatusCode::OK);
        let (_, submitted) = gm.get(&format!("{team}&basis=accepted")).await;
        assert_eq!(month_actual(&submitted, "sales_amount", "2026-03"), Value::Null, "submitted is not accepted");
        let (status, _) = sa.post(&format!("{HD_SH}/accept"), json!({})).await;
        assert_eq!(status, StatusCode::OK);
        let (_, done) = gm.get(&format!("{team}&basis=accepted")).await;
        assert_eq!(month_actual(&done, "sales_amount", "2026-03"), month_actual(&all, "sales_amount", "2026-03"));
        assert!(!done["unaccepted"].as_array().is_some_and(|u| u.contains(&json!("2026-03"))), "{done}");
        // The region waits for its other teams.
        let (_, hd) = gm.get(&format!("{region}&basis=accepted")).await;
        assert_eq!(month_actual(&hd, "sales_amount", "2026-03"), Value::Null, "HD-HZ and HD-NJ are not accepted");
        let (_, page) = gm.page("/table?subject=unit%3AHD&year=2026&basis=accepted").await;
        assert!(page.contains("待验收") && page.contains("仅已验收"), "the page says what is withheld");
    }

    async fn a_month_is_submitted_returned_corrected_and_accepted(app) {
        // Figures typed by hand, including those the sales process would compute.
        app.typed_actuals().await;
        let m = app.demo("manager").await;
        let sa = app.demo("sales_admin").await;
        let (status, _) = m.put("/api/v1/actuals", actual("person:E0015", "2026-03", "500")).await;
        assert_eq!(status, StatusCode::OK);

        let (status, s) = m.post(&format!("{HD_SH}/submit"), json!({"comment": "三月数据已齐"})).await;
        assert_eq!(status, StatusCode::OK, "{s}");
        assert_eq!(s["status"], "submitted");
        assert_eq!(s["unit"], "HD-SH");
        assert_eq!(s["submitted_by"], "manager");
        assert_eq!(s["may_submit"], false);
        assert_eq!(s["may_accept"], false, "a manager never accepts");

        // The submitter's side can no longer change the month: the unit's
        // people, the unit itself, a day of the month.
        let (status, e) = m.put("/api/v1/actuals", actual("person:E0015", "2026-03", "520")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["details"][0]["field"], "items[0].period");
        assert!(e["details"][0]["message_zh"].as_str().unwrap_or_default().contains("已提交，等待审核"), "{e}");
        let (status, _) = m.put("/api/v1/actuals", actual("unit:HD-SH", "2026-03", "1")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, _) = m.put("/api/v1/actuals", actual("person:E0015", "2026-03-15", "1")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        // Other months and other units stay open.
        let (status, _) = m.put("/api/v1/actuals", actual("person:E0015", "2026-04", "1")).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = m.put("/api/v1/actuals", actual("person:E0020", "2026-03", "1")).await;
        assert_eq!(status, StatusCode::OK, "HD-HZ is another unit");
        // Targets are not part of the submission.
        let (status, _) = m.put("/api/v1/targets", actual("person:E0015", "2026-03", "600")).await;
        assert_eq!(status, StatusCode::OK);
        // The compiling office may still correct, audited.
        let (status, _) = sa.put("/api/v1/actuals", actual("person:E0016", "2026-03", "300")).await;
        assert_eq!(status, StatusCode::OK);

        // A return needs a comment.
        let (status, e) = sa.post(&format!("{HD_SH}/return"), json!({"comment": "  "})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["details"][0]["field"], "comment");
        let (status, s) = sa.post(&format!("{HD_SH}/return"), json!({"comment": "张晓明三月销售额有误，请核对"})).await;
        assert_eq!(status, StatusCode::OK, "{s}");
        assert_eq!(s["status"], "returned");
        assert_eq!(s["comment"], "张晓明三月销售额有误，请核对");

        // Open again: the manager corrects and submits again.
        let (status, _) = m.put("/api/v1/actuals", actual("person:E0015", "2026-03", "520")).await;
        assert_eq!(status, StatusCode::OK);
        let (status, s) = m.post(&format!("{HD_SH}/submit"), json!({})).await;
        assert_eq!(status, StatusCode::OK, "{s}");
        assert_eq!(s["status"], "submitted");

        // The manager cannot accept; the compiling office does.
        let (status, _) = m.post(&format!("{HD_SH}/accept"), json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (_, s) = sa.get(HD_SH).await;
        assert_eq!(s["may_accept"], true);
        assert_eq!(s["may_return"], true);
        let (status, s) = sa.post(&format!("{HD_SH}/accept"), json!({"comment": "已核对"})).await;
        assert_eq!(status, StatusCode::OK, "{s}");
        assert_eq!(s["status"], "accepted");

        let (status, e) = m.put("/api/v1/actuals", actual("person:E0015", "2026-03", "530")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(e["details"][0]["message_zh"].as_str().unwrap_or_default().contains("已接受"), "{e}");

        // The history: who, when and what for every step.
        let (status, s) = m.get(HD_SH).await;
        assert_eq!(status, StatusCode::OK, "{s}");
        let steps: Vec<(&str, &str, &str)> = s["history"]
            .as_array()
            .expect("history")
            .iter()
            .map(|h| {
                assert!(h["at"].is_string(), "{h}");
                (
                    h["action"].as_str().unwrap_or_default(),
                    h["by"].as_str().unwrap_or_default(),
                    h["comment"].as_str().unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(steps, [
            ("submit", "manager", "三月数据已齐"),
            ("return", "sales_admin", "张晓明三月销售额有误，请核对"),
            ("submit", "manager", ""),
            ("accept", "sales_admin", "已核对"),
        ]);
        assert_eq!(s["history"][0]["by_name"], "王建国");

        // The table shows each month's status; what the GM sees.
        let gm = app.demo("gm").await;
        let (_, t) = gm.get("/api/v1/table?subject=unit:HD-SH&year=2026").await;
        let marks = t["submissions"].as_array().expect("submissions in the table");
        assert_eq!(marks.len(), 12);
        let mar = marks.iter().find(|m| m["period"] == "2026-03").expect("March");
        assert_eq!(mar["status"], "accepted");
        let apr = marks.iter().find(|m| m["period"] == "2026-04").expect("April");
        assert_eq!(apr["status"], "draft");
        let (_, p) = gm.get("/api/v1/table?subject=person:E0015&year=2026").await;
        assert_eq!(p["submissions"], json!([]), "people have no submissions of their own");

        // Every step is in the audit log.
        let (status, log) = gm.get("/api/v1/audit?entity=submission&record=HD-SH%202026-03").await;
        assert_eq!(status, StatusCode::OK, "{log}");
        let actions: Vec<&str> = log.as_array().expect("log").iter().map(|e| e["action"].as_str().unwrap_or_default()).collect();
        assert_eq!(actions, ["accept", "submit", "return", "submit"]);
        assert_eq!(log[0]["actor"], "sales_admin");
        assert_eq!(log[0]["before"]["status"], "submitted");
        assert_eq!(log[0]["after"]["status"], "accepted");
        assert_eq!(log[2]["after"]["comment"], "张晓明三月销售额有误，请核对");
        // The compiling office's correction of a submitted month, too.
        let (_, log) = gm.get("/api/v1/audit?entity=figure&record=sales_amount%20person:E0016%202026-03").await;
        assert_eq!(log[0]["actor"], "sales_admin", "{log}");

        // Returned again after acceptance, the month opens for the manager.
        let (status, _) = gm.post(&format!("{HD_SH}/return"), json!({"comment": "补录漏单"})).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = m.put("/api/v1/actuals", actual("person:E0015", "2026-03", "530")).await;
        assert_eq!(status, StatusCode::OK);
    }

    async fn invalid_steps_are_refused_with_a_reason(app) {
        let m = app.demo("manager").await;
        let sa = app.demo("sales_admin").await;
        let gm = app.demo("gm").await;
        let may = "/api/v1/submissions/HD-SH/2026-05";
        // Nothing submitted: nothing to accept or return.
        let (status, e) = sa.post(&format!("{may}/accept"), json!({})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["details"][0]["field"], "status");
        assert!(e["message"].as_str().unwrap_or_default().contains("not submitted yet"), "{e}");
        assert!(e["details"][0]["message_zh"].as_str().unwrap_or_default().contains("尚未提交"), "{e}");
        let (status, _) = sa.post(&format!("{may}/return"), json!({"comment": "x"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        // Submitted twice.
        let (status, _) = m.post(&format!("{may}/submit"), json!({})).await;
        assert_eq!(status, StatusCode::OK);
        let (status, e) = m.post(&format!("{may}/submit"), json!({})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(e["details"][0]["message_zh"].as_str().unwrap_or_default().contains("已提交"), "{e}");
        // Returned, then accepted without a new submission.
        let (status, _) = sa.post(&format!("{may}/return"), json!({"comment": "请补充拜访量"})).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = sa.post(&format!("{may}/accept"), json!({})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, _) = sa.post(&format!("{may}/return"), json!({"comment": "再退回"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "already returned");

        // A submitter never accepts their own submission, even in the
        // compiling office; someone else there does.
        let gz = "/api/v1/submissions/HN-GZ/2026-03";
        let (status, _) = sa.post(&format!("{gz}/submit"), json!({})).await;
        assert_eq!(status, StatusCode::OK);
        let (_, s) = sa.get(gz).await;
        assert_eq!(s["may_accept"], false);
        let (status, e) = sa.post(&format!("{gz}/accept"), json!({})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (status, _) = gm.post(&format!("{gz}/accept"), json!({})).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = gm.post(&format!("{gz}/accept"), json!({})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "already accepted");
        let (status, _) = sa.post(&format!("{gz}/submit"), json!({})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "accepted: return first");

        // Only months; bodies are checked.
        for bad in ["2026", "2026-13", "2026-03-15", "march"] {
            let (status, e) = m.get(&format!("/api/v1/submissions/HD-SH/{bad}")).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {e}");
            assert_eq!(e["details"][0]["field"], "period");
        }
        let (status, _) = m.get("/api/v1/submissions?period=2026-Q1").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, _) = m.post("/api/v1/submissions/HD-SH/2026-06/submit", json!({"note": "x"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "unknown field");
        let long = "长".repeat(501);
        let (status, e) = m.post("/api/v1/submissions/HD-SH/2026-06/submit", json!({"comment": long})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["details"][0]["field"], "comment");
        let (_, s) = m.get("/api/v1/submissions/HD-SH/2026-06").await;
        assert_eq!(s["status"], "draft", "nothing written");
    }

    async fn who_may_submit_decide_and_see(app) {
        let sales = app.demo("sales").await;
        let m = app.demo("manager").await;
        let hr = app.demo("hr").await;
        let (status, _) = sales.post(&format!("{HD_SH}/submit"), json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "a salesperson does not submit");
        let (status, _) = hr.post(&format!("{HD_SH}/submit"), json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, body) = m.post("/api/v1/submissions/HN-GZ/2026-03/submit", json!({})).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "another region is unknown to them");
        assert!(!body.to_string().contains("广州组"));
        let (status, _) = m.get("/api/v1/submissions/NOPE/2026-03").await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // The manager submits their region's team and their region itself.
        let (status, _) = m.post(&format!("{HD_SH}/submit"), json!({})).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = m.post("/api/v1/submissions/HD/2026-03/submit", json!({})).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = m.post(&format!("{HD_SH}/return"), json!({"comment": "撤回"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "returning is the compiling office's");
        let (status, _) = hr.post(&format!("{HD_SH}/accept"), json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // The list: the units one reads, drafts included.
        let (status, list) = m.get("/api/v1/submissions?period=2026-03").await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list["period"], "2026-03");
        let units: Vec<&str> = list["units"].as_array().expect("units").iter().map(|u| u["unit"].as_str().unwrap_or_default()).collect();
        assert_eq!(units, ["HD", "HD-HZ", "HD-NJ", "HD-SH"], "tree order");
        assert_eq!(status_in(&list, "HD-SH"), "submitted");
        assert_eq!(status_in(&list, "HD"), "submitted");
        assert_eq!(status_in(&list, "HD-HZ"), "draft");
        let sa = app.demo("sales_admin").await;
        sa.post(&format!("{HD_SH}/accept"), json!({})).await;
        sa.post("/api/v1/submissions/HD/2026-03/return", json!({"comment": "请补充大区直属人员数据"})).await;
        let (_, list) = sa.get("/api/v1/submissions?period=2026-03").await;
        assert_eq!(status_in(&list, "HD-SH"), "accepted");
        assert_eq!(status_in(&list, "HD"), "returned");
        assert_eq!(status_in(&list, "HN-GZ"), "draft");
        assert_eq!(status_in(&list, "HQ"), "draft");
        let hd = list["units"].as_array().and_then(|u| u.iter().find(|u| u["unit"] == "HD")).cloned().unwrap_or_default();
        assert_eq!(hd["comment"], "请补充大区直属人员数据");
        // Another month is all drafts.
        let (_, list) = sa.get("/api/v1/submissions?period=2026-04").await;
        assert!(list["units"].as_array().expect("units").iter().all(|u| u["status"] == "draft"));
        // A salesperson sees their own unit's status, nothing else.
        let (status, list) = sales.get("/api/v1/submissions?period=2026-03").await;
        assert_eq!(status, StatusCode::OK);
        let units: Vec<&str> = list["units"].as_array().expect("units").iter().map(|u| u["unit"].as_str().unwrap_or_default()).collect();
        assert_eq!(units, ["HD-SH"]);
    }

    async fn the_table_page_submits_returns_and_accepts(app) {
        let m = app.demo("manager").await;
        let page = "/table?subject=unit:HD-SH&year=2026&month=2026-03";
        let (status, html) = m.page(page).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("本月填报") && html.contains("未提交"), "the panel");
        assert!(html.contains(r#"name="step" value="submit""#));
        assert!(!html.contains(r#"name="step" value="accept""#));
        let post = |c: &crate::common::Client, form: &'static [(&'static str, &'static str)]| {
            let url = format!(
                "/table/submission?subject=unit:HD-SH&year=2026&_csrf={}",
                c.csrf.clone().unwrap_or_default()
            );
            c.request(Method::POST, &url)
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(form_body(form))
                .send()
        };
        let resp = post(&m, &[("step", "submit"), ("period", "2026-03"), ("comment", "三月已齐")]).await.expect("post");
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let back = resp.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or_default().to_owned();
        assert!(back.contains("month=2026-03"), "{back}");
        let (_, html) = m.page(page).await;
        assert_eq!(html.matches(r#"badge info">已提交<"#).count(), 2, "the badge under March and in the panel");
        assert!(!html.contains(r#"name="step" value="submit""#), "no second submit");

        let sa = app.demo("sales_admin").await;
        let (_, html) = sa.page(page).await;
        assert!(html.contains(r#"name="step" value="accept""#));
        assert!(html.contains(r#"name="step" value="return""#));
        let resp = post(&sa, &[("step", "return"), ("period", "2026-03"), ("comment", "请核对")]).await.expect("post");
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let (_, html) = m.page(page).await;
        assert!(html.contains(r#"badge warn">已退回<"#) && html.contains("请核对"));
        // An invalid step on the page answers 422 and changes nothing.
        let resp = post(&sa, &[("step", "accept"), ("period", "2026-03")]).await.expect("post");
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let resp = post(&m, &[("step", "submit"), ("period", "2026-03")]).await.expect("post");
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let resp = post(&sa, &[("step", "accept"), ("period", "2026-03")]).await.expect("post");
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let (_, html) = m.page(page).await;
        assert!(html.contains(r#"badge ok">已接受<"#));
        // Without the CSRF token nothing happens.
        let resp = m
            .http
            .post(format!("{}/table/submission?subject=unit:HD-SH&year=2026", m.base))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body("step=submit&period=2026-04")
            .send()
            .await
            .expect("post");
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        // A person's table has no panel.
        let (_, html) = m.page("/table?subject=person:E0015&year=2026").await;
        assert!(!html.contains("本月填报"));
    }
}
