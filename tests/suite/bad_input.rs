//! Bad input gets a precise answer and changes nothing: wrong logins and
//! the throttle, invalid units and people, malformed bodies, broken import
//! files, oversized uploads, missing CSRF tokens and revoked API tokens.
//!
//! Every test checks the status, the error code, the field or cell named in
//! `details`, and that the database did not change (units, people and audit
//! entries counted before and after).

use mubiao::web::WebSettings;
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both_databases;
use crate::common::{Backend, TestApp};

/// What a rejected request must leave untouched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Counts {
    units: u64,
    people: u64,
    audit: u64,
}

async fn counts(app: &TestApp) -> Counts {
    Counts {
        units: mubiao::storage::org::count_units(app.db())
            .await
            .expect("count units"),
        people: mubiao::storage::org::count_people(app.db())
            .await
            .expect("count people"),
        audit: mubiao::storage::audit::count(app.db())
            .await
            .expect("count audit"),
    }
}

/// The `field` of every entry of `details`, in order.
fn fields(body: &Value) -> Vec<&str> {
    body["details"]
        .as_array()
        .map(|d| d.iter().filter_map(|e| e["field"].as_str()).collect())
        .unwrap_or_default()
}

/// Asserts a 422 `invalid` answer naming exactly these fields.
#[track_caller]
fn assert_invalid(status: StatusCode, body: &Value, expected: &[&str]) {
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"], "invalid", "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    let mut got = fields(body);
    got.sort_unstable();
    let mut want = expected.to_vec();
    want.sort_unstable();
    assert_eq!(got, want, "{body}");
    for d in body["details"].as_array().into_iter().flatten() {
        assert!(
            d["message_zh"].as_str().is_some_and(|m| !m.is_empty()),
            "every detail has a Chinese message: {body}"
        );
    }
}

/// `POST /api/v1/login` with the response headers, for `Retry-After`.
async fn login_raw(
    app: &TestApp,
    username: &str,
    password: &str,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let resp = app
        .anonymous()
        .request(Method::POST, "/api/v1/login")
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .expect("login request");
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = serde_json::from_str(&resp.text().await.unwrap_or_default()).unwrap_or(Value::Null);
    (status, headers, body)
}

/// Sends a body verbatim as JSON.
async fn send_raw(
    c: &crate::common::Client,
    method: Method,
    path: &str,
    body: &str,
) -> (StatusCode, Value) {
    let resp = c
        .request(method, path)
        .header(CONTENT_TYPE, "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("request");
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Every person, including deactivated ones, as admin sees them.
async fn people_count_via_api(app: &TestApp) -> usize {
    let gm = app.demo("gm").await;
    let (status, people) = gm.get("/api/v1/people?inactive=true").await;
    assert_eq!(status, StatusCode::OK, "{people}");
    people.as_array().expect("a list").len()
}

/// A valid people CSV of `n` new salespeople in 上海一组, numbered from
/// `first`.
fn valid_people_csv(first: usize, n: usize) -> Vec<u8> {
    let mut s = String::from("工号,姓名,部门编码,角色,上级工号,入职日期\n");
    for i in first..first + n {
        s.push_str(&format!(
            "T{i:04},测试{i},HD-SH,销售代表,E0008,2024-03-01\n"
        ));
    }
    s.into_bytes()
}

both_databases! {
    async fn wrong_password_and_unknown_user_get_the_same_401(app) {
        let before = counts(&app).await;
        let (status, _, wrong) = login_raw(&app, "sales", "not-the-password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{wrong}");
        assert_eq!(wrong["error"], "unauthenticated");
        assert!(wrong["message"].as_str().is_some_and(|m| !m.is_empty()), "{wrong}");
        let (status, _, unknown) = login_raw(&app, "nobody-here", "demo").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{unknown}");
        // One generic answer: nothing tells which of the two was wrong.
        assert_eq!(wrong, unknown);
        assert_eq!(counts(&app).await, before);
        // The right password still works (two failures are below the limit).
        app.demo("sales").await;
    }

    async fn sixth_login_after_five_failures_is_throttled(app) {
        let before = counts(&app).await;
        for i in 1..=5 {
            let (status, headers, body) = login_raw(&app, "sales", "wrong-password").await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}: {body}");
            assert!(headers.get(RETRY_AFTER).is_none(), "attempt {i}");
        }
        // Even the right password is refused while the name is locked.
        let (status, headers, body) = login_raw(&app, "sales", "demo").await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
        assert_eq!(body["error"], "throttled", "{body}");
        let retry: i64 = headers
            .get(RETRY_AFTER)
            .expect("Retry-After on 429")
            .to_str()
            .expect("ascii")
            .parse()
            .expect("seconds");
        assert!((1..=15 * 60).contains(&retry), "Retry-After {retry}");
        // The lock is per username: others still sign in.
        let (status, _, body) = login_raw(&app, "gm", "demo").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // Unknown names are throttled alike, so the lock does not reveal
        // which names exist.
        for _ in 0..5 {
            let (status, _, _) = login_raw(&app, "ghost", "x").await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
        let (status, headers, body) = login_raw(&app, "ghost", "x").await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
        assert!(headers.get(RETRY_AFTER).is_some());
        assert_eq!(counts(&app).await, before);
    }

    async fn duplicate_invalid_code_and_unknown_parent_are_422(app) {
        let admin = app.demo("admin").await;
        let before = counts(&app).await;
        let (status, body) = admin
            .post("/api/v1/units", json!({"code": "HD-SH", "name": "上海二组", "parent": "HD"}))
            .await;
        assert_invalid(status, &body, &["code"]);
        let (status, body) = admin
            .post("/api/v1/units", json!({"code": "华东 1", "name": "华东一组", "parent": "HD"}))
            .await;
        assert_invalid(status, &body, &["code"]);
        let (status, body) = admin
            .post("/api/v1/units", json!({"code": "HD-X1", "name": "新组", "parent": "NOPE"}))
            .await;
        assert_invalid(status, &body, &["parent"]);
        assert!(body["message"].as_str().unwrap_or_default().contains("NOPE"), "{body}");
        assert_eq!(counts(&app).await, before);
        let gm = app.demo("gm").await;
        let (_, units) = gm.get("/api/v1/units").await;
        assert_eq!(units.as_array().map(Vec::len), Some(13));
        let (status, _) = gm.get("/api/v1/units/HD-X1").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, sh) = gm.get("/api/v1/units/HD-SH").await;
        assert_eq!(sh["name"], "上海一组");
    }

    async fn unit_cannot_move_under_itself_or_its_descendant(app) {
        let admin = app.demo("admin").await;
        let before = counts(&app).await;
        let (status, body) = admin.patch("/api/v1/units/HD", json!({"parent": "HD-SH"})).await;
        assert_invalid(status, &body, &["parent"]);
        let (status, body) = admin.patch("/api/v1/units/HD", json!({"parent": "HD"})).await;
        assert_invalid(status, &body, &["parent"]);
        // A rejected patch changes none of its fields, not even valid ones.
        let (status, body) = admin
            .patch("/api/v1/units/HD", json!({"name": "华东大区（新）", "parent": "HD-NJ"}))
            .await;
        assert_invalid(status, &body, &["parent"]);
        assert_eq!(counts(&app).await, before);
        let gm = app.demo("gm").await;
        let (_, hd) = gm.get("/api/v1/units/HD").await;
        assert_eq!(hd["parent"], "HQ");
        assert_eq!(hd["name"], "华东大区");
        let (_, sh) = gm.get("/api/v1/units/HD-SH").await;
        assert_eq!(sh["parent"], "HD");
    }

    async fn unit_with_active_people_cannot_be_deactivated(app) {
        let admin = app.demo("admin").await;
        let before = counts(&app).await;
        let (status, body) = admin.patch("/api/v1/units/HD-SH", json!({"active": false})).await;
        assert_invalid(status, &body, &["active"]);
        // A region with active teams below it, too.
        let (status, body) = admin.patch("/api/v1/units/HN", json!({"active": false})).await;
        assert_invalid(status, &body, &["active"]);
        assert_eq!(counts(&app).await, before);
        let gm = app.demo("gm").await;
        let (_, sh) = gm.get("/api/v1/units/HD-SH").await;
        assert_eq!(sh["active"], true);
        let (_, hn) = gm.get("/api/v1/units/HN").await;
        assert_eq!(hn["active"], true);
    }

    async fn person_with_many_bad_fields_lists_them_all(app) {
        let admin = app.demo("admin").await;
        let before = counts(&app).await;
        let (status, body) = admin
            .post(
                "/api/v1/people",
                json!({
                    "employee_no": "E0001",
                    "name": "测试员",
                    "unit": "NOPE",
                    "role": "boss",
                    "hire_date": "2024-02-30",
                    "phone": "12ab",
                    "email": "foo@bar",
                }),
            )
            .await;
        assert_invalid(
            status,
            &body,
            &["email", "employee_no", "hire_date", "phone", "role", "unit"],
        );
        assert_eq!(counts(&app).await, before);
        assert_eq!(people_count_via_api(&app).await, 44);
    }

    async fn person_field_errors_are_each_reported(app) {
        let admin = app.demo("admin").await;
        let before = counts(&app).await;
        let valid = json!({
            "employee_no": "E0900",
            "name": "测试员",
            "unit": "HD-SH",
            "role": "sales",
            "hire_date": "2024-03-01",
            "phone": "13800138000",
            "email": "ceshi@example.cn",
        });
        let cases: [(&str, Value, &str); 6] = [
            ("employee_no", json!("E0015"), "employee_no"),
            ("email", json!("foo@bar"), "email"),
            ("phone", json!("12ab"), "phone"),
            ("hire_date", json!("2024-02-30"), "hire_date"),
            ("role", json!("boss"), "role"),
            ("unit", json!("NOPE"), "unit"),
        ];
        for (key, bad, field) in cases {
            let mut body = valid.clone();
            body[key] = bad;
            let (status, answer) = admin.post("/api/v1/people", body).await;
            assert_invalid(status, &answer, &[field]);
        }
        assert_eq!(counts(&app).await, before);
        let gm = app.demo("gm").await;
        let (status, _) = gm.get("/api/v1/people/E0900").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, e15) = gm.get("/api/v1/people/E0015").await;
        assert_eq!(e15["name"], "张晓明");
    }

    async fn unknown_patch_field_is_422_and_malformed_json_400(app) {
        let admin = app.demo("admin").await;
        let before = counts(&app).await;
        let (status, body) = admin.patch("/api/v1/units/HD", json!({"nmae": "华东"})).await;
        assert_invalid(status, &body, &["body"]);
        assert!(body["message"].as_str().unwrap_or_default().contains("nmae"), "{body}");
        let (status, body) = admin
            .patch("/api/v1/people/E0015", json!({"name": "张小明", "nickname": "小明"}))
            .await;
        assert_invalid(status, &body, &["body"]);
        // A field of the wrong type is a 422 as well.
        let (status, body) = admin.patch("/api/v1/units/HD", json!({"active": "no"})).await;
        assert_invalid(status, &body, &["body"]);

        let (status, body) = send_raw(&admin, Method::PATCH, "/api/v1/units/HD", r#"{"name": "华东"#).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"], "bad_request", "{body}");
        let (status, body) = send_raw(&admin, Method::POST, "/api/v1/units", "{code: HD-X1}").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"], "bad_request", "{body}");

        assert_eq!(counts(&app).await, before);
        let gm = app.demo("gm").await;
        let (_, hd) = gm.get("/api/v1/units/HD").await;
        assert_eq!(hd["name"], "华东大区");
        let (_, e15) = gm.get("/api/v1/people/E0015").await;
        assert_eq!(e15["name"], "张晓明");
    }

    async fn import_with_a_missing_column_names_the_header(app) {
        let admin = app.demo("admin").await;
        let before = counts(&app).await;
        let csv = "工号,部门编码,角色\nT0001,HD-SH,销售代表\n";
        let (status, body) = admin.upload("/api/v1/import/people", "people.csv", csv.into()).await;
        assert_invalid(status, &body, &["name"]);
        let d = &body["details"][0];
        assert_eq!(d["sheet"], "people", "{body}");
        assert_eq!(d["row"], 1, "{body}");
        assert_eq!(d["column"], Value::Null, "{body}");
        assert!(d["message"].as_str().unwrap_or_default().contains("姓名"), "{body}");
        assert!(d["message_zh"].as_str().unwrap_or_default().contains("姓名"), "{body}");
        assert_eq!(counts(&app).await, before);
    }

    async fn import_cell_errors_point_at_their_cells(app) {
        let admin = app.demo("admin").await;
        let before = counts(&app).await;
        let csv = "工号,姓名,部门编码,角色,上级工号,入职日期\n\
                   T0001,测试甲,HD-SH,销售代表,E0008,2024-03-01\n\
                   T0002,测试乙,NOPE,销售代表,,2024-03-01\n\
                   T0003,测试丙,HD-SH,销售代表,,2024-02-30\n";
        let (status, body) = admin.upload("/api/v1/import/people", "people.csv", csv.into()).await;
        assert_invalid(status, &body, &["unit", "hire_date"]);
        let cells: Vec<(i64, &str, &str)> = body["details"]
            .as_array()
            .expect("details")
            .iter()
            .map(|d| {
                assert_eq!(d["sheet"], "people", "{d}");
                (
                    d["row"].as_i64().expect("row"),
                    d["column"].as_str().expect("column"),
                    d["field"].as_str().expect("field"),
                )
            })
            .collect();
        assert_eq!(cells, [(3, "C", "unit"), (4, "F", "hire_date")], "{body}");
        assert!(body["message"].as_str().unwrap_or_default().contains("people!C3"), "{body}");
        // All or nothing: the good row 2 was not imported either.
        assert_eq!(counts(&app).await, before);
        let gm = app.demo("gm").await;
        let (status, _) = gm.get("/api/v1/people/T0001").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    async fn import_of_random_bytes_named_xlsx_is_422(app) {
        let admin = app.demo("admin").await;
        let before = counts(&app).await;
        let bytes: Vec<u8> = (0u32..8192)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
            .collect();
        let (status, body) = admin.upload("/api/v1/import/people", "people.xlsx", bytes).await;
        assert_invalid(status, &body, &["file"]);
        assert!(body["message"].as_str().unwrap_or_default().contains(".xlsx"), "{body}");
        // A zip header followed by garbage, too.
        let (status, body) = admin
            .upload("/api/v1/import/people", "people.xlsx", b"PK\x03\x04garbage".to_vec())
            .await;
        assert_invalid(status, &body, &["file"]);
        assert_eq!(counts(&app).await, before);
    }

    async fn valid_csv_with_chinese_headers_imports_then_updates(app) {
        let admin = app.demo("admin").await;
        let before = counts(&app).await;
        // As Excel saves "CSV UTF-8": a BOM and CRLF line ends.
        let csv = "\u{feff}工号,姓名,部门编码,角色,上级工号,入职日期,手机,邮箱\r\n\
                   T0001,测试甲,HD-SH,销售代表,E0008,2024-03-01,13800138000,ceshijia@example.cn\r\n\
                   T0002,测试乙,HD-HZ,销售代表,E0009,2024/3/2,,\r\n\
                   T0003,测试丙,HN-GZ,销售经理,,,,\r\n";
        let (status, body) = admin.upload("/api/v1/import/people", "人员.csv", csv.into()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body, json!({"created": 3, "updated": 0, "rows": 3}));
        let after = counts(&app).await;
        assert_eq!(after.people, before.people + 3);
        assert!(after.audit >= before.audit + 3, "imports are audited");

        let gm = app.demo("gm").await;
        let (status, p) = gm.get("/api/v1/people/T0001").await;
        assert_eq!(status, StatusCode::OK, "{p}");
        assert_eq!(p["name"], "测试甲");
        assert_eq!(p["unit"], "HD-SH");
        assert_eq!(p["role"], "sales");
        assert_eq!(p["manager"], "E0008");
        assert_eq!(p["hire_date"], "2024-03-01");
        assert_eq!(p["phone"], "13800138000");
        assert_eq!(p["email"], "ceshijia@example.cn");
        let (_, p) = gm.get("/api/v1/people/T0002").await;
        assert_eq!(p["hire_date"], "2024-03-02");
        let (_, p) = gm.get("/api/v1/people/T0003").await;
        assert_eq!(p["role"], "manager");

        let (status, body) = admin.upload("/api/v1/import/people", "人员.csv", csv.into()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body, json!({"created": 0, "updated": 3, "rows": 3}));
        assert_eq!(counts(&app).await.people, before.people + 3);
    }

    async fn xlsx_with_english_headers_imports(app) {
        let hr = app.demo("hr").await;
        let before = counts(&app).await;
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("People").expect("sheet name");
        let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        for (col, h) in ["Employee No", "Name", "Unit", "Role", "Manager", "Hire Date", "Phone", "Email"]
            .into_iter()
            .enumerate()
        {
            sheet.write_string(0, col as u16, h).expect("header");
        }
        let rows = [
            ("T0101", "测试丁", "HB-BJ", "sales", "E0013", (2021, 9, 1), 13_912_345_678.0),
            ("T0102", "测试戊", "HB-TJ", "销售代表", "E0014", (2022, 1, 15), 13_912_345_679.0),
        ];
        for (i, (no, name, unit, role, manager, (y, m, d), phone)) in rows.into_iter().enumerate() {
            let r = i as u32 + 1;
            sheet.write_string(r, 0, no).expect("cell");
            sheet.write_string(r, 1, name).expect("cell");
            sheet.write_string(r, 2, unit).expect("cell");
            sheet.write_string(r, 3, role).expect("cell");
            sheet.write_string(r, 4, manager).expect("cell");
            let dt = rust_xlsxwriter::ExcelDateTime::from_ymd(y, m, d).expect("date");
            sheet.write_datetime_with_format(r, 5, &dt, &date).expect("cell");
            sheet.write_number(r, 6, phone).expect("cell");
            sheet.write_string(r, 7, format!("{}@example.cn", no.to_lowercase())).expect("cell");
        }
        let bytes = book.save_to_buffer().expect("xlsx");
        let (status, body) = hr.upload("/api/v1/import/people", "people.xlsx", bytes).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body, json!({"created": 2, "updated": 0, "rows": 2}));
        assert_eq!(counts(&app).await.people, before.people + 2);
        let gm = app.demo("gm").await;
        let (_, p) = gm.get("/api/v1/people/T0101").await;
        assert_eq!(p["unit"], "HB-BJ");
        assert_eq!(p["manager"], "E0013");
        assert_eq!(p["hire_date"], "2021-09-01");
        assert_eq!(p["phone"], "13912345678");
        let (_, p) = gm.get("/api/v1/people/T0102").await;
        assert_eq!(p["role"], "sales");
        assert_eq!(p["email"], "t0102@example.cn");
    }

    async fn upload_over_the_default_limit_is_413(app) {
        let admin = app.demo("admin").await;
        let before = counts(&app).await;
        // A valid CSV, padded past the default 10 MiB with blank lines.
        let mut bytes = valid_people_csv(0, 3);
        bytes.resize(10 * 1024 * 1024 + 4096, b'\n');
        let (status, body) = admin.upload("/api/v1/import/people", "people.csv", bytes).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
        assert_eq!(body["error"], "too_large", "{body}");
        assert_eq!(counts(&app).await, before);
    }

    async fn cookie_write_without_csrf_token_is_403(app) {
        let admin = app.demo("admin").await;
        let csrf = admin.csrf.clone().expect("csrf token");
        let before = counts(&app).await;
        let new_unit = json!({"code": "HD-X1", "name": "新组", "parent": "HD"});
        // The same session (the cookie jar is shared), without the header.
        let mut bare = admin.clone();
        bare.csrf = None;
        let (status, body) = bare.post("/api/v1/units", new_unit.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["error"], "csrf", "{body}");
        // A wrong token is no better.
        let mut wrong = admin.clone();
        wrong.csrf = Some(format!("{csrf}x"));
        let (status, body) = wrong.post("/api/v1/units", new_unit.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["error"], "csrf", "{body}");
        // Nor does a token from another session of another user.
        let mut other = admin.clone();
        other.csrf = app.demo("manager").await.csrf;
        let (status, body) = other.post("/api/v1/units", new_unit.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        // PATCH and token creation are writes too.
        let (status, _) = bare.patch("/api/v1/units/HD", json!({"name": "改名"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = bare.post("/api/v1/tokens", json!({"name": "x"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(counts(&app).await, before);
        let (status, _) = admin.get("/api/v1/units/HD-X1").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // Reads need no token.
        let (status, _) = bare.get("/api/v1/units/HD").await;
        assert_eq!(status, StatusCode::OK);

        // With the header the same request goes through.
        let (status, body) = admin.post("/api/v1/units", new_unit).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["code"], "HD-X1");
        // Forms send the token in the `_csrf` query parameter instead.
        let (status, body) = bare
            .post(&format!("/api/v1/units?_csrf={csrf}"), json!({"code": "HD-X2", "name": "新二组", "parent": "HD"}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(counts(&app).await.units, before.units + 2);
    }

    async fn bearer_token_needs_no_csrf(app) {
        let admin = app.demo("admin").await;
        let (status, created) = admin.post("/api/v1/tokens", json!({"name": "月度报表脚本"})).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let token = created["token"].as_str().expect("token").to_owned();
        assert!(token.starts_with("mbt_"), "{token}");
        let script = app.with_token(&token);
        assert!(script.csrf.is_none());
        let (status, me) = script.get("/api/v1/me").await;
        assert_eq!(status, StatusCode::OK, "{me}");
        assert_eq!(me["username"], "admin");
        assert_eq!(me["csrf_token"], Value::Null);
        let (status, body) = script
            .post("/api/v1/units", json!({"code": "HD-X1", "name": "新组", "parent": "HD"}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let gm = app.demo("gm").await;
        let (_, log) = gm.get("/api/v1/audit?entity=unit&record=HD-X1").await;
        assert_eq!(log[0]["actor"], "admin");
    }

    async fn revoked_token_is_401(app) {
        let admin = app.demo("admin").await;
        let (status, created) = admin.post("/api/v1/tokens", json!({"name": "临时"})).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let token = created["token"].as_str().expect("token").to_owned();
        let id = created["id"].as_i64().expect("id");
        let script = app.with_token(&token);
        let (status, _) = script.get("/api/v1/me").await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = admin.delete(&format!("/api/v1/tokens/{id}")).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

        let before = counts(&app).await;
        let (status, body) = script.get("/api/v1/me").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["error"], "unauthenticated", "{body}");
        let (status, body) = script
            .post("/api/v1/units", json!({"code": "HD-X1", "name": "新组", "parent": "HD"}))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        // A made-up token, too.
        let (status, _) = app.with_token("mbt_not-a-real-token").get("/api/v1/me").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(counts(&app).await, before);
        let (_, tokens) = admin.get("/api/v1/tokens").await;
        assert!(tokens[0]["revoked_at"].is_string(), "{tokens}");
    }

    async fn bad_query_path_or_upload_type_is_a_json_400(app) {
        let admin = app.demo("admin").await;
        let before = counts(&app).await;
        // A query parameter of the wrong type: named in the message.
        let (status, body) = admin.get("/api/v1/people?inactive=maybe").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"], "bad_request", "{body}");
        assert!(body["message"].as_str().is_some_and(|m| m.contains("inactive")), "{body}");
        assert!(body["details"].is_array(), "{body}");
        // A path parameter that is no number.
        let (status, body) = admin.delete("/api/v1/tokens/abc").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"], "bad_request", "{body}");
        assert!(body["message"].as_str().is_some_and(|m| m.contains("abc")), "{body}");
        // An upload that is not multipart/form-data.
        for content_type in ["text/csv", "application/json"] {
            let resp = admin
                .request(Method::POST, "/api/v1/import/people")
                .header(CONTENT_TYPE, content_type)
                .body(valid_people_csv(0, 2))
                .send()
                .await
                .expect("request");
            assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{content_type}");
            let body: Value = resp.json().await.expect("a JSON body");
            assert_eq!(body["error"], "bad_request", "{body}");
            assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
        }
        assert_eq!(counts(&app).await, before);
    }

    async fn wrong_method_is_405_json_for_the_api_and_a_page_elsewhere(app) {
        let admin = app.demo("admin").await;
        let before = counts(&app).await;
        let resp = admin
            .request(Method::PUT, "/api/v1/people")
            .json(&json!({}))
            .send()
            .await
            .expect("request");
        assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
        let allow = resp.headers()["allow"].to_str().expect("allow").to_owned();
        assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
        let body: Value = resp.json().await.expect("a JSON body");
        assert_eq!(body["error"], "method_not_allowed", "{body}");
        assert!(body["details"].is_array(), "{body}");
        let (status, body) = app.anonymous().delete("/api/v1/login").await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(body["error"], "method_not_allowed", "{body}");
        // Pages answer with a page.
        let resp = admin.request(Method::PUT, "/login").send().await.expect("request");
        assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
        let content_type = resp.headers()[CONTENT_TYPE].to_str().expect("type").to_owned();
        assert!(content_type.starts_with("text/html"), "{content_type}");
        assert_eq!(counts(&app).await, before);
    }

    async fn employee_numbers_new_and_import_are_reserved(app) {
        let admin = app.demo("admin").await;
        let before = counts(&app).await;
        for no in ["new", "import", "NEW", "Import"] {
            let (status, body) = admin
                .post(
                    "/api/v1/people",
                    json!({"employee_no": no, "name": "测试员", "unit": "HD-SH", "role": "sales"}),
                )
                .await;
            assert_invalid(status, &body, &["employee_no"]);
            assert!(body["details"][0]["message"].as_str().is_some_and(|m| m.contains("reserved word")), "{body}");
            assert_eq!(body["details"][0]["message_zh"], "保留字，不能作为工号", "{body}");
        }
        // Nor through an import.
        let csv = "工号,姓名,部门编码,角色\nnew,测试员,HD-SH,销售代表\n";
        let (status, body) = admin
            .upload("/api/v1/import/people", "people.csv", csv.as_bytes().to_vec())
            .await;
        assert_invalid(status, &body, &["employee_no"]);
        assert_eq!(body["details"][0]["column"], "A", "{body}");
        assert_eq!(counts(&app).await, before);
        // The pages keep their meaning.
        let (status, html) = admin.page("/people/new").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("<form"), "{html}");
    }

    async fn login_does_not_follow_a_next_with_a_tab(app) {
        // Browsers drop the tab from the Location: `/\t/evil` would be
        // `//evil`, another site.
        for next in ["/%09/evil.example", "/%0A/evil.example", "/%5Cevil.example", "//evil.example"] {
            let resp = app
                .anonymous()
                .request(Method::POST, "/login")
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(format!("username=sales&password=demo&next={next}"))
                .send()
                .await
                .expect("login");
            assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{next}");
            assert_eq!(resp.headers()["location"], "/", "{next}");
        }
        let resp = app
            .anonymous()
            .request(Method::POST, "/login")
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body("username=sales&password=demo&next=/people")
            .send()
            .await
            .expect("login");
        assert_eq!(resp.headers()["location"], "/people");
    }

    async fn page_forms_are_small_but_the_import_page_takes_uploads(app) {
        let before = counts(&app).await;
        // A login form over 64 KiB is refused before it is read.
        let resp = app
            .anonymous()
            .request(Method::POST, "/login")
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(format!("username=sales&password={}", "x".repeat(70 * 1024)))
            .send()
            .await
            .expect("login");
        assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
        // So is a big form of a signed-in user.
        let admin = app.demo("admin").await;
        let resp = admin
            .request(Method::POST, "/people/E0015")
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(format!("action=edit&name={}", "x".repeat(70 * 1024)))
            .send()
            .await
            .expect("edit");
        assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(counts(&app).await, before);
        // The import page's upload may be larger: 100 KiB, padded with
        // blank lines, imports.
        let mut bytes = valid_people_csv(0, 3);
        bytes.resize(100 * 1024, b'\n');
        let part = reqwest::multipart::Part::bytes(bytes).file_name("people.csv");
        let resp = admin
            .request(Method::POST, "/people/import")
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
            .await
            .expect("upload");
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(counts(&app).await.people, before.people + 3);
    }
}

/// Like `common::run`, with settings of one's own.
async fn run_with<F, Fut>(backend: Backend, settings: WebSettings, body: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let Some(app) = TestApp::spawn_with(backend, settings).await else {
        return;
    };
    let loaded = mubiao::demo::load(app.db()).await;
    let result = match loaded {
        Ok(true) => tokio::spawn(body(app.clone())).await,
        other => {
            app.cleanup().await;
            panic!("demo did not load: {other:?}");
        }
    };
    app.cleanup().await;
    if let Err(e) = result {
        if e.is_panic() {
            std::panic::resume_unwind(e.into_panic());
        }
        panic!("test task failed: {e}");
    }
}

/// An upload over a configured limit (here 1 KiB, far below the 2 MiB
/// allowed for JSON bodies) is refused before anything is read or written.
async fn upload_over_a_small_configured_limit(app: TestApp) {
    let admin = app.demo("admin").await;
    let before = counts(&app).await;
    let bytes = valid_people_csv(0, 60);
    assert!(bytes.len() > 2048, "{}", bytes.len());
    let (status, body) = admin
        .upload("/api/v1/import/people", "people.csv", bytes)
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["error"], "too_large", "{body}");
    assert_eq!(counts(&app).await, before);
    // Below the limit the same endpoint works.
    let small = valid_people_csv(0, 2);
    assert!(small.len() < 1024);
    let (status, body) = admin
        .upload("/api/v1/import/people", "people.csv", small)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["created"], 2);
}

fn small_limit() -> WebSettings {
    WebSettings {
        max_upload_bytes: 1024,
        ..Default::default()
    }
}

mod configured_limit {
    use super::*;

    #[tokio::test]
    async fn sqlite_upload_over_a_small_configured_limit_is_413() {
        run_with(
            Backend::Sqlite,
            small_limit(),
            upload_over_a_small_configured_limit,
        )
        .await;
    }

    #[tokio::test]
    async fn postgres_upload_over_a_small_configured_limit_is_413() {
        run_with(
            Backend::Postgres,
            small_limit(),
            upload_over_a_small_configured_limit,
        )
        .await;
    }
}
