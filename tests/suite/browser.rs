//! A real browser: headless Chromium, driven through chromedriver, signs in
//! as the demo manager, opens the org tree, adds a team and sees it.
//! Screenshots go to `target/screenshots/` — look at them.
//!
//! Without Chromium the test prints that it skipped; with
//! `MUBIAO_REQUIRE_BROWSER=1` a missing browser is a failure.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::both_databases;
use crate::common::TestApp;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// chromedriver on a free port, stopped when dropped.
pub(crate) struct Driver {
    child: Child,
    url: String,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn browser_available() -> bool {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return true;
    }
    let required = std::env::var("MUBIAO_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "MUBIAO_REQUIRE_BROWSER=1 but {CHROMIUM} or {CHROMEDRIVER} is missing (apt-get install chromium chromium-driver fonts-noto-cjk)"
    );
    eprintln!(
        "skipped: Chromium not installed (apt-get install chromium chromium-driver fonts-noto-cjk)"
    );
    false
}

pub(crate) async fn start_driver() -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let url = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    for _ in 0..100 {
        if http
            .get(format!("{url}/status"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Driver {
        child,
        url,
        _profile: tempfile::tempdir().expect("profile dir"),
    }
}

async fn open_browser(driver: &Driver, width: u32, height: u32) -> Client {
    open_browser_as(driver, width, height, None).await
}

/// A Chromium window of `width` × `height`; with `phone`, Chromium's
/// mobile emulation of a phone of those CSS pixels (a headless window
/// cannot be narrower than about 500 px, an emulated phone's viewport is
/// exactly as wide as asked).
pub(crate) async fn open_browser_as(
    driver: &Driver,
    width: u32,
    height: u32,
    phone: Option<(u32, u32)>,
) -> Client {
    let mut options = json!({
        "binary": CHROMIUM,
        "args": [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--lang=zh-CN",
            format!("--window-size={width},{height}"),
            format!("--user-data-dir={}", driver._profile.path().display()),
        ],
        "prefs": {"intl.accept_languages": "zh-CN,zh"}
    });
    if let Some((w, h)) = phone {
        options["mobileEmulation"] = json!({
            "deviceMetrics": {"width": w, "height": h, "pixelRatio": 2.0, "mobile": true, "touch": true}
        });
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), options);
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("connect to chromedriver")
}

fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

pub(crate) async fn screenshot(browser: &Client, name: &str) {
    let png = browser.screenshot().await.expect("screenshot");
    assert!(png.len() > 1000, "a screenshot has content");
    std::fs::write(screenshot_dir().join(name), png).expect("save screenshot");
}

/// The text of the first element matching `css`. A form just submitted
/// may still be navigating: an element found on the old page goes stale,
/// so it is found again on the new one (for up to five seconds).
pub(crate) async fn text_of(browser: &Client, css: &str) -> String {
    let mut tries = 0;
    loop {
        let found = browser
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("find {css}: {e}"));
        match found.text().await {
            Ok(text) => return text,
            Err(e) if tries < 50 && e.to_string().contains("stale") => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("text of {css}: {e}"),
        }
    }
}

pub(crate) async fn sign_in(browser: &Client, app: &TestApp, username: &str) {
    browser.goto(&app.url("/login")).await.expect("open login");
    browser
        .find(Locator::Css("input[name=username]"))
        .await
        .expect("username field")
        .send_keys(username)
        .await
        .expect("type username");
    browser
        .find(Locator::Css("input[name=password]"))
        .await
        .expect("password field")
        .send_keys("demo")
        .await
        .expect("type password");
    browser
        .find(Locator::Css("form button[type=submit]"))
        .await
        .expect("submit button")
        .click()
        .await
        .expect("submit");
    browser
        .wait()
        .for_element(Locator::Css("header.topbar"))
        .await
        .expect("signed in: the top bar shows");
}

both_databases! {
    async fn manager_adds_a_team_in_the_browser(app) {
        if !browser_available() {
            return;
        }
        let backend = format!("{:?}", app.backend()).to_lowercase();
        let driver = start_driver().await;
        let browser = open_browser(&driver, 1280, 900).await;

        browser.goto(&app.url("/login")).await.expect("open login");
        screenshot(&browser, &format!("login-{backend}.png")).await;
        sign_in(&browser, &app, "manager").await;
        let who = text_of(&browser, "header .userbox .who").await;
        assert!(who.contains("王建国"), "top bar names the manager: {who}");
        screenshot(&browser, &format!("home-manager-{backend}.png")).await;

        browser
            .find(Locator::Css("nav.mainnav a[href='/org']"))
            .await
            .expect("org link")
            .click()
            .await
            .expect("open org tree");
        let tree = text_of(&browser, "main").await;
        assert!(tree.contains("华东大区") && tree.contains("上海一组"), "tree shows the region: {tree}");
        assert!(!tree.contains("华南大区"), "another region stays hidden");

        let form = browser
            .find(Locator::Css("form.add-unit"))
            .await
            .expect("the add-unit form");
        form.find(Locator::Css("input[name=code]")).await.expect("code").send_keys("HD-WX").await.expect("type code");
        form.find(Locator::Css("input[name=name]")).await.expect("name").send_keys("无锡组").await.expect("type name");
        form.find(Locator::Css("select[name=parent] option[value='HD']"))
            .await
            .expect("parent option HD")
            .click()
            .await
            .expect("choose HD");
        form.find(Locator::Css("button[type=submit]")).await.expect("submit").click().await.expect("add");

        browser
            .wait()
            .for_url(&url_of(&app, "/org/HD-WX"))
            .await
            .expect("lands on the new team's page");
        let page = text_of(&browser, "main").await;
        assert!(page.contains("无锡组"), "the new team's page: {page}");
        let crumbs = text_of(&browser, "nav.crumbs").await;
        assert!(crumbs.contains("华东大区") && crumbs.contains("无锡组"), "breadcrumbs: {crumbs}");

        browser.goto(&app.url("/org")).await.expect("back to the tree");
        let tree = text_of(&browser, "main").await;
        assert!(tree.contains("无锡组"), "the tree lists the new team: {tree}");
        screenshot(&browser, &format!("org-manager-{backend}.png")).await;

        browser.goto(&app.url("/people")).await.expect("people");
        let people = text_of(&browser, "main").await;
        assert!(people.contains("张晓明") && !people.contains("黄振华"), "people of HD only: {people}");
        screenshot(&browser, &format!("people-manager-{backend}.png")).await;

        // The same pages on a phone.
        browser.set_window_size(390, 844).await.expect("phone size");
        browser.goto(&app.url("/org")).await.expect("tree on a phone");
        let overflow = overflows(&browser).await;
        assert!(!overflow, "the org page fits a phone's width");
        screenshot(&browser, &format!("org-phone-{backend}.png")).await;

        browser.goto(&app.url("/people")).await.expect("people on a phone");
        screenshot(&browser, &format!("people-phone-{backend}.png")).await;
        browser.close().await.expect("close browser");
    }

    async fn admin_tours_every_page(app) {
        if !browser_available() {
            return;
        }
        let backend = format!("{:?}", app.backend()).to_lowercase();
        let driver = start_driver().await;
        let browser = open_browser(&driver, 1280, 900).await;
        sign_in(&browser, &app, "admin").await;

        // Each page with a text it must show.
        for (path, expect, shot) in [
            ("/org/HD", "杭州组", "unit"),
            ("/people/E0015", "张晓明", "person"),
            ("/people/new", "初始密码", "person-new"),
            ("/admin/users", "sales_admin", "users"),
        ] {
            browser.goto(&app.url(path)).await.expect("open page");
            let main = text_of(&browser, "main").await;
            assert!(main.contains(expect), "{path} shows {expect}: {main}");
            screenshot(&browser, &format!("{shot}-admin-{backend}.png")).await;
        }

        // An import with two bad cells lists both, and imports nothing.
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("人员.csv");
        std::fs::write(
            &file,
            "工号,姓名,部门编码,角色,入职日期\nE0300,秦朗,HD-SH,sales,2026-03-01\nE0301,白露,HX-99,sales,2026-03-01\nE0302,常青,HD-SH,sales,2026-02-30\n",
        )
        .expect("write csv");
        browser.goto(&app.url("/people/import")).await.expect("import page");
        browser
            .find(Locator::Css("input[type=file]"))
            .await
            .expect("file input")
            .send_keys(&file.display().to_string())
            .await
            .expect("choose file");
        browser
            .find(Locator::Css("main form button[type=submit]"))
            .await
            .expect("import button")
            .click()
            .await
            .expect("import");
        // The import page itself has a table (the example): wait for the
        // result's.
        browser.wait().for_element(Locator::Css("section.result.error table")).await.expect("the error table");
        let main = text_of(&browser, "main").await;
        assert!(main.contains("C3") && main.contains("E4"), "both cells are named: {main}");
        screenshot(&browser, &format!("import-errors-admin-{backend}.png")).await;
        let (_, people) = app.demo("gm").await.get("/api/v1/people?q=E030").await;
        assert_eq!(people.as_array().map(Vec::len), Some(0), "nothing was imported");

        // A new API token is shown once.
        browser.goto(&app.url("/account")).await.expect("account page");
        browser
            .find(Locator::Css("form[action^='/account/tokens'] input[name=name]"))
            .await
            .expect("token name")
            .send_keys("月报脚本")
            .await
            .expect("type token name");
        browser
            .find(Locator::Css("form[action^='/account/tokens'] button[type=submit]"))
            .await
            .expect("create token")
            .click()
            .await
            .expect("create");
        // Wait for the answer page itself: `main` alone may still be the
        // page the form was sent from.
        browser
            .wait()
            .for_element(Locator::Css("#new-token"))
            .await
            .expect("the new token is shown");
        let main = text_of(&browser, "main").await;
        assert!(main.contains("mbt_") && main.contains("月报脚本"), "the new token is shown: {main}");
        screenshot(&browser, &format!("account-admin-{backend}.png")).await;

        // The audit log has the token and shows times in Beijing time.
        browser.goto(&app.url("/audit")).await.expect("audit page");
        let main = text_of(&browser, "main").await;
        assert!(main.contains("admin"), "audit lists the admin's change: {main}");
        screenshot(&browser, &format!("audit-admin-{backend}.png")).await;

        // English on request.
        browser.goto(&app.url("/lang/en?next=/org")).await.expect("switch to English");
        let main = text_of(&browser, "main").await;
        assert!(main.contains("Organisation"), "English org page: {main}");
        screenshot(&browser, &format!("org-english-admin-{backend}.png")).await;
        browser.close().await.expect("close browser");
    }

    async fn manager_enters_actuals_and_sees_the_colours(app) {
        if !browser_available() {
            return;
        }
        // A company that keeps its orders elsewhere types its sales.
        app.typed_actuals().await;
        let backend = format!("{:?}", app.backend()).to_lowercase();
        let gm = app.demo("gm").await;
        let (status, body) = gm
            .put(
                "/api/v1/targets",
                json!([
                    {"metric": "sales_amount", "subject": "person:E0016", "period": "2026-12", "value": "500000"},
                    {"metric": "calls", "subject": "person:E0016", "period": "2026-12", "value": "600"},
                ]),
            )
            .await;
        assert!(status.is_success(), "{body}");
        let driver = start_driver().await;
        let browser = open_browser(&driver, 1400, 900).await;
        sign_in(&browser, &app, "manager").await;
        browser
            .goto(&app.url("/table/edit?subject=person%3AE0016&year=2026&measure=actual"))
            .await
            .expect("entry grid");
        for (name, value) in [("v|sales_amount|2026-12", "612345.50"), ("v|calls|2026-12", "420")] {
            let input = browser
                .find(Locator::Css(&format!("input[name='{name}']")))
                .await
                .expect("grid cell");
            input.clear().await.expect("clear");
            input.send_keys(&format!("{value}\t")).await.expect("type and leave the cell");
        }
        // Each cell saved on its own and coloured itself.
        for (metric, class) in [("sales_amount", "s-green"), ("calls", "s-red")] {
            let css = format!("tr[data-metric='{metric}'] td[data-period='2026-12'].{class}");
            browser
                .wait()
                .for_element(Locator::Css(&css))
                .await
                .unwrap_or_else(|e| panic!("{metric} turns {class}: {e}"));
        }
        screenshot(&browser, &format!("grid-manager-{backend}.png")).await;
        // The saved figures are in the table for everyone.
        let (_, t) = gm.get("/api/v1/table?subject=person:E0016&year=2026").await;
        let dec = t["rows"][0]["months"].as_array().and_then(|m| m.iter().find(|c| c["period"] == "2026-12")).cloned();
        assert_eq!(dec.map(|c| c["actual"].clone()), Some(json!("612345.50")));
        browser.goto(&app.url("/table?subject=person%3AE0016&year=2026")).await.expect("table page");
        let main = text_of(&browser, "main").await;
        assert!(main.contains("612,346") || main.contains("612,345"), "the table shows the figure: {main}");
        screenshot(&browser, &format!("table-person-{backend}.png")).await;
        browser.goto(&app.url("/table?subject=unit%3AHD&year=2026")).await.expect("region table");
        let main = text_of(&browser, "main").await;
        assert!(main.contains("华东大区") && main.contains("上海一组"), "region table with drill-down: {main}");
        screenshot(&browser, &format!("table-region-{backend}.png")).await;
        // On a phone: the running month and the year's totals, fitting the
        // screen; the whole year is one tap away.
        browser.set_window_size(390, 844).await.expect("phone size");
        browser.goto(&app.url("/table?subject=unit%3AHD&year=2026")).await.expect("region table on a phone");
        let visible_months = "return [...document.querySelectorAll('table.target-table thead th.m')].filter(e => e.offsetParent !== null).length;";
        let shown = browser.execute(visible_months, vec![]).await.expect("count months");
        assert_eq!(shown.as_i64(), Some(1), "one month on a phone");
        let overflow = overflows(&browser).await;
        assert!(!overflow, "the table page fits a phone's width");
        screenshot(&browser, &format!("table-phone-{backend}.png")).await;
        browser.find(Locator::Css("p.phone-only a")).await.expect("whole-year link").click().await.expect("tap");
        browser.wait().for_url(&url_of(&app, "/table?subject=unit%3AHD&year=2026&full=1")).await.expect("whole year");
        let shown = browser.execute(visible_months, vec![]).await.expect("count months");
        assert_eq!(shown.as_i64(), Some(12), "all twelve months on request");
        browser.close().await.expect("close browser");
    }
    async fn gm_decomposes_the_company_target_in_the_browser(app) {
        if !browser_available() {
            return;
        }
        let backend = format!("{:?}", app.backend()).to_lowercase();
        let driver = start_driver().await;
        let browser = open_browser(&driver, 1400, 1000).await;
        sign_in(&browser, &app, "gm").await;
        // 2027: a year the demo has no targets for.
        let page = app.url("/decompose?subject=unit%3AHQ&year=2027&metric=sales_amount");
        browser.goto(&page).await.expect("decomposition page");
        let main = text_of(&browser, "main").await;
        assert!(main.contains("华信智能科技有限公司") && main.contains("分解差异"), "the grid: {main}");

        let value = browser.find(Locator::Css("form.split-form input[name=value]")).await.expect("whole");
        value.clear().await.expect("clear");
        value.send_keys("10000000").await.expect("type the company target");
        for css in [
            "form.split-form select[name=to] option[value=children]",
            "form.split-form select[name=method] option[value=weights]",
        ] {
            browser.find(Locator::Css(css)).await.expect(css).click().await.expect("choose");
        }
        for (part, weight) in [("unit:HD", "40"), ("unit:HN", "35"), ("unit:HB", "25")] {
            browser
                .find(Locator::Css(&format!("form.split-form input[name='w|{part}']")))
                .await
                .expect("weight input")
                .send_keys(weight)
                .await
                .expect("type weight");
        }
        browser
            .find(Locator::Css("form.split-form button[value=preview]"))
            .await
            .expect("preview button")
            .click()
            .await
            .expect("preview");
        browser.wait().for_element(Locator::Css("#preview")).await.expect("the preview");
        let preview = text_of(&browser, "#preview").await;
        assert!(preview.contains("4,000,000") && preview.contains("3,500,000") && preview.contains("2,500,000"), "the parts: {preview}");
        let hd = text_of(&browser, "tr[data-subject='unit:HD'] td[data-col='0']").await;
        assert!(hd.contains("4,000,000"), "the grid shows the preview: {hd}");
        screenshot(&browser, &format!("decompose-preview-{backend}.png")).await;
        let (_, t) = app.demo("gm").await.get("/api/v1/table?subject=unit:HD&year=2027").await;
        assert!(t["rows"][0]["year_target"].is_null(), "a preview writes nothing");

        browser
            .find(Locator::Css("form.split-form button[value=apply]"))
            .await
            .expect("apply button")
            .click()
            .await
            .expect("apply");
        browser.wait().for_element(Locator::Css(".notice.ok")).await.expect("applied");
        let hd = text_of(&browser, "tr[data-subject='unit:HD'] td[data-col='0']").await;
        assert!(hd.contains("4,000,000"), "HD's year target: {hd}");

        // Each region's year to months, by the car dealers' season.
        browser
            .find(Locator::Css("#months select[name=distribution] option[value=car_dealer]"))
            .await
            .expect("car_dealer")
            .click()
            .await
            .expect("choose car_dealer");
        browser
            .find(Locator::Css("#months button[data-each-child]"))
            .await
            .expect("split all to months")
            .click()
            .await
            .expect("split all");
        let mut jan = String::new();
        for _ in 0..150 {
            // While the page reloads the cell may be gone for a moment.
            jan = match browser
                .find(Locator::Css("tr[data-subject='unit:HD'] td[data-col='1']"))
                .await
            {
                Ok(cell) => cell.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if jan.contains("240,000") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert!(jan.contains("240,000"), "6 % of 4,000,000 in January: {jan}");
        screenshot(&browser, &format!("decompose-applied-{backend}.png")).await;

        // The region's table has the new monthly targets.
        browser.goto(&app.url("/table?subject=unit%3AHD&year=2027")).await.expect("HD table");
        let main = text_of(&browser, "main").await;
        // January 6 %, March 10 %, December 11 % of 4,000,000.
        for v in ["240,000", "400,000", "440,000", "4,000,000"] {
            assert!(main.contains(v), "the HD table shows {v}: {main}");
        }
        screenshot(&browser, &format!("decompose-table-hd-{backend}.png")).await;

        // The plans list and the comparison of the first version.
        browser.goto(&app.url("/plans?year=2027")).await.expect("plans");
        let main = text_of(&browser, "main").await;
        assert!(main.contains("已发布"), "plans: {main}");
        screenshot(&browser, &format!("plans-gm-{backend}.png")).await;
        browser
            .find(Locator::Css(".plan-card a[href*='/compare']"))
            .await
            .expect("compare link")
            .click()
            .await
            .expect("open comparison");
        browser.wait().for_element(Locator::Css("table.changes-table")).await.expect("the changes");
        screenshot(&browser, &format!("plan-compare-gm-{backend}.png")).await;

        // On a phone: the grid scrolls inside its card, the page does not.
        browser.set_window_size(390, 844).await.expect("phone size");
        browser.goto(&page).await.expect("decomposition on a phone");
        let overflow = overflows(&browser).await;
        assert!(!overflow, "the decomposition page fits a phone's width");
        screenshot(&browser, &format!("decompose-phone-{backend}.png")).await;
        browser
            .execute("document.getElementById('grid').scrollIntoView();", vec![])
            .await
            .expect("scroll to the grid");
        screenshot(&browser, &format!("decompose-phone-grid-{backend}.png")).await;
        browser
            .execute("document.getElementById('split').scrollIntoView();", vec![])
            .await
            .expect("scroll to the form");
        screenshot(&browser, &format!("decompose-phone-form-{backend}.png")).await;
        browser.close().await.expect("close browser");
    }
}

/// Does the page scroll sideways (wider than the window)?
pub(crate) async fn overflows(browser: &Client) -> bool {
    browser
        .execute(
            "return document.documentElement.scrollWidth > window.innerWidth + 1;",
            vec![],
        )
        .await
        .expect("measure")
        .as_bool()
        .unwrap_or(true)
}

fn url_of(app: &TestApp, path: &str) -> url::Url {
    url::Url::parse(&app.url(path)).expect("url")
}
