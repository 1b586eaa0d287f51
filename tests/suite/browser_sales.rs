//! A salesperson on a phone (375 × 800): signs in, notes the running
//! month of their target table, logs a visit with the quick entry, enters an
//! order for a new customer credited to themselves, and sees 拜访量 go up by
//! one and 销售额 by 2,500 in the table — then taps the sales figure and
//! finds the order among the records behind it. No page scrolls sideways.
//! Screenshots go to `target/screenshots/browser-sales-*` — look at them.
//!
//! Without Chromium the test prints that it skipped; with
//! `MUBIAO_REQUIRE_BROWSER=1` a missing browser is a failure.

use std::str::FromStr;
use std::time::Duration;

use fantoccini::{Client, Locator};
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::Value;

use crate::both_databases;
use crate::browser::{
    Driver, browser_available, open_browser_as, overflows, screenshot, sign_in, start_driver,
    text_of,
};
use crate::common::{self, TestApp};

const SALES: &str = "person:E0015";
/// The phone: an iPhone SE / 8's CSS pixels.
const PHONE: (u32, u32) = (375, 800);

/// chromedriver on a free port and a phone-sized Chromium (mobile
/// emulation in a 600 × 1000 window), stopped when the driver is dropped.
async fn open_phone() -> (Driver, Client) {
    let driver = start_driver().await;
    let browser = open_browser_as(&driver, 600, 1000, Some(PHONE)).await;
    (driver, browser)
}

/// The running month in the company's time zone (the server's default).
fn running_month() -> String {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m")
        .to_string()
}

/// A month's actual of a metric in the salesperson's table, over the API;
/// no figure counts as zero.
async fn api_actual(c: &common::Client, metric: &str, month: &str) -> Decimal {
    let (status, t) = c
        .get(&format!(
            "/api/v1/table?subject={SALES}&year={}",
            &month[..4]
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{t}");
    let row = t["rows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["metric"] == metric))
        .unwrap_or_else(|| panic!("no row {metric}: {t}"));
    let cell = row["months"]
        .as_array()
        .and_then(|m| m.iter().find(|c| c["period"] == month))
        .unwrap_or_else(|| panic!("no month {month} in {row}"));
    match &cell["actual"] {
        Value::Null => Decimal::ZERO,
        Value::String(s) => Decimal::from_str(s).unwrap_or_else(|e| panic!("{s}: {e}")),
        other => panic!("actual {other}"),
    }
}

/// The running month's figure of each metric row as the page shows it
/// (`—` when there is none), by the row's name.
async fn page_figures(browser: &Client) -> Value {
    browser
        .execute(
            "const out = {};
             for (const r of document.querySelectorAll('table.target-table tbody tr')) {
               const th = r.querySelector('th.metric');
               const cur = r.querySelector('td.cur .a');
               if (th && cur) out[th.firstChild.textContent.trim()] = cur.textContent.trim();
             }
             return out;",
            vec![],
        )
        .await
        .expect("read the table")
}

/// A figure of the page as a whole number (`12,346` → 12346, `—` → 0).
fn whole(figures: &Value, name: &str) -> i64 {
    let text = figures[name]
        .as_str()
        .unwrap_or_else(|| panic!("no row {name} with a running month: {figures}"));
    if text == "—" {
        return 0;
    }
    text.replace(',', "")
        .parse()
        .unwrap_or_else(|e| panic!("{name} shows {text}: {e}"))
}

async fn fill(browser: &Client, css: &str, value: &str) {
    let input = browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("find {css}: {e}"));
    input.clear().await.expect("clear");
    input.send_keys(value).await.expect("type");
}

async fn value_of(browser: &Client, css: &str) -> String {
    browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("find {css}: {e}"))
        .prop("value")
        .await
        .expect("value")
        .unwrap_or_default()
}

/// Scrolls an element to the top of the screen, below the sticky top bar.
async fn scroll_to(browser: &Client, css: &str) {
    browser
        .execute(
            "document.querySelector(arguments[0]).scrollIntoView({block: 'start'}); const bar = document.querySelector('header.topbar'); window.scrollBy(0, -((bar ? bar.offsetHeight : 0) + 12));",
            vec![Value::String(css.to_owned())],
        )
        .await
        .unwrap_or_else(|e| panic!("scroll to {css}: {e}"));
    tokio::time::sleep(Duration::from_millis(100)).await;
}

async fn assert_fits(browser: &Client, what: &str) {
    assert!(!overflows(browser).await, "{what} fits a phone's width");
}

fn table_url(app: &TestApp, month: &str) -> String {
    app.url(&format!(
        "/table?subject=person%3AE0015&year={}",
        &month[..4]
    ))
}

both_databases! {
    async fn browser_sales_logs_a_visit_and_an_order_on_a_phone(app) {
        if !browser_available() {
            return;
        }
        let backend = format!("{:?}", app.backend()).to_lowercase();
        let shot = |step: &str| format!("browser-sales-{step}-{backend}.png");
        let month = running_month();
        let api = app.demo("sales").await;
        let visits_before = api_actual(&api, "visits", &month).await;
        let sales_before = api_actual(&api, "sales_amount", &month).await;

        let (_phone, browser) = open_phone().await;
        sign_in(&browser, &app, "sales").await;
        let width = browser.execute("return window.innerWidth;", vec![]).await.expect("width");
        assert_eq!(width.as_u64(), Some(u64::from(PHONE.0)), "a phone-wide viewport");
        // On a phone the name may sit in the folded menu: read it, seen or not.
        let who = browser
            .execute("return document.querySelector('header .userbox .who').textContent;", vec![])
            .await
            .expect("who");
        let who = who.as_str().unwrap_or_default();
        assert!(who.contains("张晓明"), "top bar names the salesperson: {who}");

        // The table before: the running month of their own table.
        browser.goto(&table_url(&app, &month)).await.expect("table");
        let before = page_figures(&browser).await;
        assert_eq!(whole(&before, "拜访量"), i64::try_from(visits_before).unwrap_or(-1), "page and API agree: {before}");
        assert_fits(&browser, "the table").await;
        screenshot(&browser, &shot("1-table-before")).await;

        // A visit, logged with the quick entry.
        browser.goto(&app.url("/activities/new")).await.expect("quick entry");
        let day = value_of(&browser, "input[name=occurred_on]").await;
        assert!(day.starts_with(&month), "the entry defaults to today ({day}), in {month}");
        let customer = browser
            .find(Locator::Css("select[name=customer] option:nth-child(2)"))
            .await
            .expect("a customer of the salesperson's to pick");
        let customer_name = customer.text().await.expect("customer name");
        customer.click().await.expect("pick the customer");
        fill(&browser, "textarea[name=outcome]", "介绍了新款智能门锁，客户有采购意向").await;
        fill(&browser, "textarea[name=next_step]", "下周送样品").await;
        assert_fits(&browser, "the quick entry").await;
        screenshot(&browser, &shot("2-activity-form")).await;
        let visit = browser
            .find(Locator::Css(".big-buttons button[value=visit]"))
            .await
            .expect("the 拜访 button");
        assert_eq!(visit.text().await.expect("label"), "拜访");
        let height = visit.rectangle().await.expect("button size").3;
        assert!(height >= 44.0, "the 拜访 button is big enough to tap: {height}px");
        visit.click().await.expect("tap 拜访");
        let notice = browser
            .wait()
            .for_element(Locator::Css(".notice.ok"))
            .await
            .expect("saved")
            .text()
            .await
            .expect("notice");
        assert!(notice.contains("已保存"), "the notice says saved: {notice}");
        screenshot(&browser, &shot("3-activity-saved")).await;
        let (_, list) = api.get(&format!("/api/v1/activities?from={day}&to={day}&kind=visit")).await;
        assert!(
            list.to_string().contains(&customer_name),
            "the visit to {customer_name} is recorded: {list}"
        );

        // An order for a new customer, credited to themselves.
        let new_customer = format!("浦东新锐楼宇科技（{backend}）");
        browser.goto(&app.url("/orders")).await.expect("orders");
        assert_fits(&browser, "the orders list").await;
        browser
            .find(Locator::Css("#new summary"))
            .await
            .expect("the 新建订单 section")
            .click()
            .await
            .expect("open the form");
        fill(&browser, "#new input[name=customer]", &new_customer).await;
        fill(&browser, "#new input[name=product_0]", "智能门锁 X1").await;
        fill(&browser, "#new input[name=category_0]", "门锁").await;
        fill(&browser, "#new input[name=quantity_0]", "2").await;
        fill(&browser, "#new input[name=unit_price_0]", "1250.00").await;
        assert_eq!(value_of(&browser, "#new input[name=credit_no_0]").await, "E0015", "credited to themselves");
        assert_eq!(value_of(&browser, "#new input[name=credit_share_0]").await, "100");
        assert!(value_of(&browser, "#new input[name=order_date]").await.starts_with(&month));
        assert_fits(&browser, "the order form").await;
        scroll_to(&browser, "#new").await;
        screenshot(&browser, &shot("4-order-form")).await;
        scroll_to(&browser, "#new fieldset:nth-of-type(2)").await;
        screenshot(&browser, &shot("5-order-form-credits")).await;
        browser
            .find(Locator::Css("#new button[type=submit]"))
            .await
            .expect("save button")
            .click()
            .await
            .expect("save the order");
        let order_no = browser
            .wait()
            .for_element(Locator::Css(".page-head h1 code"))
            .await
            .expect("the new order's page")
            .text()
            .await
            .expect("order no");
        let page = text_of(&browser, "main").await;
        assert!(page.contains(&new_customer)
                && (page.contains("2,500.00") || page.contains("2500.00")), "the order: {page}");
        assert_fits(&browser, "the order page").await;
        screenshot(&browser, &shot("6-order-saved")).await;
        // Their own order can be changed on its edit page, shown filled in.
        browser
            .find(Locator::Css(".page-head a[href$='/edit']"))
            .await
            .expect("the 修改订单 button")
            .click()
            .await
            .expect("open the edit page");
        browser
            .wait()
            .for_element(Locator::Css("form input[name=product_0]"))
            .await
            .expect("the edit form");
        assert_eq!(value_of(&browser, "input[name=product_0]").await, "智能门锁 X1");
        assert_eq!(value_of(&browser, "input[name=customer]").await, new_customer);
        assert_fits(&browser, "the order's edit page").await;
        screenshot(&browser, &shot("6b-order-edit")).await;

        // The table after: one more visit, 2,500 more sales, at once.
        assert_eq!(api_actual(&api, "visits", &month).await, visits_before + Decimal::ONE);
        assert_eq!(api_actual(&api, "sales_amount", &month).await, sales_before + Decimal::from(2500));
        browser.goto(&table_url(&app, &month)).await.expect("table again");
        let after = page_figures(&browser).await;
        assert_eq!(whole(&after, "拜访量"), whole(&before, "拜访量") + 1, "visits: {before} → {after}");
        assert_eq!(whole(&after, "销售额"), whole(&before, "销售额") + 2500, "sales: {before} → {after}");
        assert_eq!(whole(&after, "电话量"), whole(&before, "电话量"), "a visit is not a call");
        assert_fits(&browser, "the table").await;
        // The running month, the year's total and target fit the screen:
        // the table need not be scrolled sideways inside its card either.
        let wide = browser
            .execute(
                "const w = document.querySelector('table.target-table').closest('.table-wrap'); return w.scrollWidth > w.clientWidth + 1;",
                vec![],
            )
            .await
            .expect("measure the table");
        assert_eq!(wide.as_bool(), Some(false), "the running month's table fits a phone");
        screenshot(&browser, &shot("7-table-after")).await;
        scroll_to(&browser, "td.cur a.traced[href*='metric=visits']").await;
        screenshot(&browser, &shot("7b-table-after-visits")).await;

        // The sales figure leads to the records behind it, the order among them.
        let link = browser
            .find(Locator::Css("td.cur a.traced[href*='metric=sales_amount']"))
            .await
            .expect("the running month's sales figure is a link");
        assert!(
            link.attr("href").await.expect("href").unwrap_or_default().ends_with(&format!("period={month}")),
            "the link is for the running month"
        );
        scroll_to(&browser, "td.cur a.traced[href*='metric=sales_amount']").await;
        link.click().await.expect("tap the sales figure");
        browser
            .wait()
            .for_element(Locator::Css("table.sources-table"))
            .await
            .expect("the records behind the figure");
        let sources = text_of(&browser, "main").await;
        assert!(sources.contains("销售额"), "the page names the metric: {sources}");
        assert!(
            sources.contains(&order_no) && sources.contains(&new_customer),
            "the sources list order {order_no} for {new_customer}: {sources}"
        );
        assert_fits(&browser, "the sources page").await;
        screenshot(&browser, &shot("8-sources")).await;
        scroll_to(&browser, "table.sources-table").await;
        screenshot(&browser, &shot("9-sources-table")).await;

        // The visits figure leads to the visit.
        browser.goto(&table_url(&app, &month)).await.expect("table");
        browser
            .find(Locator::Css("td.cur a.traced[href*='metric=visits']"))
            .await
            .expect("the running month's visits figure is a link")
            .click()
            .await
            .expect("tap the visits figure");
        browser
            .wait()
            .for_element(Locator::Css("table.sources-table"))
            .await
            .expect("the visits behind the figure");
        let sources = text_of(&browser, "main").await;
        assert!(sources.contains(&customer_name), "the visit to {customer_name} is listed: {sources}");
        assert_fits(&browser, "the visits' sources page").await;
        browser.close().await.expect("close browser");
    }
}
