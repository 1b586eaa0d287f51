//! The decomposition pages (目标分解): the grid with its gap row, preview and
//! apply, a manager's draft through the plan panel, the plans list and the
//! version comparison, and who may not see them.

use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use serde_json::Value;

use crate::both_databases;
use crate::common::Client;

fn form_body(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                mubiao::web::auth::urlencode(k),
                mubiao::web::auth::urlencode(v)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Posts a page form (CSRF in the action URL, as the pages do); status,
/// `Location` and body.
async fn post_form(
    c: &Client,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let sep = if path.contains('?') { '&' } else { '?' };
    let url = format!("{path}{sep}_csrf={}", c.csrf.clone().unwrap_or_default());
    let resp = c
        .http
        .post(format!("{}{url}", c.base))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form_body(fields))
        .send()
        .await
        .expect("post form");
    let status = resp.status();
    let location = resp
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, location, resp.text().await.unwrap_or_default())
}

/// The year target of `metric` in a subject's table (API), as set.
async fn year_target(c: &Client, subject: &str, year: i32, metric: &str) -> Value {
    let (status, t) = c
        .get(&format!("/api/v1/table?subject={subject}&year={year}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{t}");
    t["rows"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["metric"] == metric))
        .map(|r| r["year_target"].clone())
        .unwrap_or(Value::Null)
}

const HQ_SPLIT: &str = "/decompose/split?subject=unit:HQ&year=2027&metric=sales_amount";

fn hq_weights(action: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("value", "10000000"),
        ("to", "children"),
        ("method", "weights"),
        ("distribution", "car_dealer"),
        ("w|unit:HD", "40"),
        ("w|unit:HN", "35"),
        ("w|unit:HB", "25"),
        ("w|2027-01", ""),
        ("f|unit:HB", ""),
        ("reason", "2027 年度目标下达"),
        ("do", action),
    ]
}

both_databases! {
    async fn decompose_page_shows_the_grid_and_the_gap_row(app) {
        let gm = app.demo("gm").await;
        let (status, html) = gm.page("/decompose?year=2026").await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains("华信智能科技有限公司"), "the GM lands on the company");
        for text in ["华东大区", "华南大区", "华北大区", "下级合计", "分解差异", "月度合计", "row-gap"] {
            assert!(html.contains(text), "the GM's grid shows {text}");
        }
        assert!(!html.contains("data-step=\"submit\""), "the GM never submits");

        let m = app.demo("manager").await;
        let (status, html) = m.page("/decompose?year=2026").await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains("华东大区"), "the manager lands on HD");
        for text in ["上海一组", "杭州组", "南京组", "下级合计", "分解差异", "row-gap", "尚无版本"] {
            assert!(html.contains(text), "the manager's grid shows {text}");
        }
        assert!(!html.contains("华南大区"), "another region stays out of the picker");
        // Another region is out of reach.
        let (status, _) = m.page("/decompose?subject=unit:HN&year=2026").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // A non-additive metric says so instead of showing gaps.
        let (status, html) = gm.page("/decompose?subject=unit:HD&year=2026&metric=repurchase_rate").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("不可相加") && !html.contains("row-gap"), "no gap row for a rate");
        // English on request.
        let (_, html) = gm.page("/lang/en?next=/decompose").await;
        let _ = html;
        let (_, html) = gm.page("/decompose?year=2026").await;
        assert!(html.contains("Decomposition grid") && html.contains("Months sum"), "English grid");
    }

    async fn decompose_preview_shows_parts_and_writes_nothing(app) {
        let gm = app.demo("gm").await;
        let (status, _, html) = post_form(&gm, HQ_SPLIT, &hq_weights("preview")).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains("预览"), "a preview");
        for part in ["4,000,000", "3,500,000", "2,500,000"] {
            assert!(html.contains(part), "the preview shows {part}");
        }
        assert!(html.contains(r#"class="num preview"#), "preview cells are marked in the grid");
        assert!(html.contains(r#"value="40""#), "the typed weights survive");
        assert_eq!(year_target(&gm, "unit:HD", 2027, "sales_amount").await, Value::Null, "nothing written");
        assert_eq!(year_target(&gm, "unit:HQ", 2027, "sales_amount").await, Value::Null, "nothing written");

        // Bad input: the message sits next to the field.
        let mut bad = hq_weights("preview");
        bad.retain(|(k, _)| *k != "w|unit:HN" && *k != "f|unit:HB");
        bad.push(("w|unit:HN", "很多"));
        bad.push(("f|unit:HB", "abc"));
        let (status, _, html) = post_form(&gm, HQ_SPLIT, &bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        assert!(html.contains("field-error"), "errors next to the fields");
        assert!(html.contains("很多") , "the typed value stays: {html}");
        assert_eq!(year_target(&gm, "unit:HD", 2027, "sales_amount").await, Value::Null);
    }

    async fn decompose_apply_as_gm_changes_the_table(app) {
        let gm = app.demo("gm").await;
        let (status, location, body) = post_form(&gm, HQ_SPLIT, &hq_weights("apply")).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        assert!(location.starts_with("/decompose?"), "{location}");
        assert_eq!(year_target(&gm, "unit:HQ", 2027, "sales_amount").await, "10000000.00");
        assert_eq!(year_target(&gm, "unit:HD", 2027, "sales_amount").await, "4000000.00");
        assert_eq!(year_target(&gm, "unit:HN", 2027, "sales_amount").await, "3500000.00");
        let (_, html) = gm.page(&location).await;
        assert!(html.contains("已发布为新的方案版本"), "the notice");
        assert!(html.contains("已发布") && html.contains("2027 年度目标下达"), "the plan panel lists the version");

        // Each region's year to months with the car dealers' shape.
        let (status, location, body) = post_form(
            &gm,
            "/decompose/months?subject=unit:HQ&year=2027&metric=sales_amount",
            &[("method", "distribution"), ("distribution", "car_dealer"), ("reason", "按季节")],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let (_, t) = gm.get("/api/v1/table?subject=unit:HD&year=2027").await;
        let months = t["rows"][0]["months"].as_array().cloned().unwrap_or_default();
        let jan = months.iter().find(|c| c["period"] == "2027-01").cloned().unwrap_or_default();
        assert_eq!(jan["target"], "240000.00", "6 % of 4,000,000");
        let (_, html) = gm.page(&location).await;
        assert!(html.contains("row-gap"));

        // Every version is kept and two compare.
        let (_, plans) = gm.get("/api/v1/plans?year=2027").await;
        let plan = plans[0]["plan"].as_i64().expect("a plan");
        let (status, html) = gm.page(&format!("/plans/{plan}/compare?from=0&to=1")).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains("华东大区") && html.contains("4,000,000") && html.contains("2027 年度目标下达"), "{html}");
        let (status, html) = gm.page("/plans?year=2027").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("华信智能科技有限公司") && html.contains("已发布"));
    }

    async fn decompose_manager_apply_goes_to_a_draft_for_approval(app) {
        let m = app.demo("manager").await;
        let split = "/decompose/split?subject=unit:HD&year=2027&metric=sales_amount";
        let (status, location, body) = post_form(
            &m,
            split,
            &[("value", "3000000"), ("to", "children"), ("method", "equal"), ("f|unit:HD-SH", "1200000"), ("reason", "华东分解"), ("do", "apply")],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let gm = app.demo("gm").await;
        assert_eq!(year_target(&gm, "unit:HD-SH", 2027, "sales_amount").await, Value::Null, "the table is unchanged");
        let (_, html) = m.page(&location).await;
        assert!(html.contains("已保存到方案草稿"), "the notice");
        assert!(html.contains("✎") && html.contains("1,200,000"), "drafted cells are marked");
        assert!(html.contains("data-step=\"submit\""), "the plan panel offers submit");

        // Submit from the panel.
        let (_, plans) = m.get("/api/v1/plans?year=2027").await;
        let plan = plans.as_array().and_then(|p| p.iter().find(|p| p["unit"] == "HD")).map(|p| p["plan"].as_i64().unwrap_or(0)).expect("HD plan");
        let back = "/decompose?subject=unit%3AHD&year=2027";
        let (status, location, _) = post_form(&m, &format!("/plans/{plan}/versions/1/submit"), &[("comment", ""), ("back", back)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location, back);
        let (_, html) = m.page(back).await;
        assert!(html.contains("已提交") && !html.contains("data-step=\"submit\""), "submitted");

        // The GM sees it waiting, returns it with a comment … the manager resubmits, the GM approves and publishes.
        let (_, html) = gm.page("/plans?year=2027").await;
        assert!(html.contains("待您审批") && html.contains("data-step=\"approve\""), "awaiting the GM");
        let (status, _, html) = post_form(&gm, &format!("/plans/{plan}/versions/1/return"), &[("comment", "南京组偏低"), ("back", "/plans?year=2027")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
        let (_, html) = m.page(back).await;
        assert!(html.contains("已退回") && html.contains("南京组偏低"));
        let (status, _, _) = post_form(&m, &format!("/plans/{plan}/versions/1/submit"), &[("back", back)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, _, _) = post_form(&gm, &format!("/plans/{plan}/versions/1/approve"), &[("comment", "同意")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, _, _) = post_form(&gm, &format!("/plans/{plan}/versions/1/publish"), &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(year_target(&gm, "unit:HD-SH", 2027, "sales_amount").await, "1200000.00");
        assert_eq!(year_target(&gm, "unit:HD-HZ", 2027, "sales_amount").await, Value::String(year_target(&gm, "unit:HD-NJ", 2027, "sales_amount").await.as_str().unwrap_or("").to_owned()));
        let (_, html) = m.page(&format!("/plans/{plan}/compare?from=0&to=1")).await;
        assert!(html.contains("上海一组") && html.contains("1,200,000") && html.contains("华东分解"), "{html}");
        // A bad step is not a page.
        let (status, _, _) = post_form(&gm, &format!("/plans/{plan}/versions/1/explode"), &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    async fn decompose_pages_are_not_for_salespeople(app) {
        for user in ["sales", "hr", "sales_admin"] {
            let c = app.demo(user).await;
            let (status, html) = c.page("/decompose").await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{user}");
            assert!(!html.contains("分解表"), "{user}");
            let (status, _) = c.page("/decompose?subject=unit:HQ&year=2026").await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{user}");
            let (status, _, _) = post_form(&c, HQ_SPLIT, &hq_weights("apply")).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{user}");
            let (status, _) = c.page("/plans?year=2026").await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{user}");
            let (_, home) = c.page("/").await;
            assert!(!home.contains("href=\"/decompose\""), "no nav link for {user}");
        }
        let gm = app.demo("gm").await;
        assert_eq!(year_target(&gm, "unit:HD", 2027, "sales_amount").await, Value::Null);
        let (_, home) = gm.page("/").await;
        assert!(home.contains("href=\"/decompose\""), "the GM has the nav link");
        let (_, table) = gm.page("/table?subject=unit:HD&year=2026").await;
        assert!(table.contains("分解目标"), "the table page links to the decomposition");
    }
}
