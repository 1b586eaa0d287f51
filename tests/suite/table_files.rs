//! The target table as files: the .xlsx and CSV export laid out like the
//! seed's 目标管理表, the import of targets and actuals from that grid or a
//! long list, the round trip, and every malformed file refused with the
//! cell to fix and nothing written.

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both_databases;
use crate::common::{Client, TestApp};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const LEGEND: &str = "绿色表示达到且超过目标，黄色表示与目标持平，红色表示未达到目标，无数据时无意义；平均/合计列为自动计算得出";
const NOTE: &str = "本表由华信智能科技有限公司根据各部门每月提交的数据填报后提交总经理";
const E0015: &str = "/api/v1/table?subject=person:E0015&year=2030";
const HD_SH: &str = "/api/v1/table?subject=unit:HD-SH&year=2030";

/// Targets and actuals for 2030 (clear of the demo's own years): every
/// colour, a zero target, tiers, a year target, a percent, a figure too
/// large for a double, and a unit whose figures are its people's rollup.
async fn seed(app: &TestApp) -> Client {
    let gm = app.demo("gm").await;
    let p = "person:E0015";
    let (status, body) = gm.put("/api/v1/targets", json!([
        {"metric": "sales_amount", "subject": p, "period": "2030-01", "value": "600"},
        {"metric": "sales_amount", "subject": p, "period": "2030-02", "value": "600"},
        {"metric": "sales_amount", "subject": p, "period": "2030-03", "value": "1,234.56", "floor": "1000", "stretch": "1500"},
        {"metric": "sales_amount", "subject": p, "period": "2030-04", "value": "600"},
        {"metric": "sales_amount", "subject": p, "period": "2030-05", "value": "123456789012.34"},
        {"metric": "sales_amount", "subject": p, "period": "2030", "value": "9000", "floor": "8000"},
        {"metric": "collection_amount", "subject": p, "period": "2030-06", "value": "98765432109876.54"},
        {"metric": "complaints", "subject": p, "period": "2030-01", "value": "5"},
        {"metric": "satisfaction", "subject": p, "period": "2030-02", "value": "90.5"},
        {"metric": "calls", "subject": p, "period": "2030-04", "value": "0"},
        {"metric": "new_customers", "subject": p, "period": "2030-12", "value": "3"},
        {"metric": "sales_amount", "subject": "person:E0016", "period": "2030-01", "value": "400"},
        {"metric": "visits", "subject": "unit:HD-SH", "period": "2030-07", "value": "80"},
    ])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = gm.put("/api/v1/actuals", json!([
        {"metric": "sales_amount", "subject": p, "period": "2030-01", "value": "645.84"},
        {"metric": "sales_amount", "subject": p, "period": "2030-02", "value": "600"},
        {"metric": "sales_amount", "subject": p, "period": "2030-03", "value": "1000.5"},
        {"metric": "collection_amount", "subject": p, "period": "2030-06", "value": "98765432109876.55"},
        {"metric": "complaints", "subject": p, "period": "2030-01", "value": "7"},
        {"metric": "satisfaction", "subject": p, "period": "2030-02", "value": "91"},
        {"metric": "calls", "subject": p, "period": "2030-04", "value": "12"},
        {"metric": "new_customers", "subject": p, "period": "2030-11", "value": "2"},
        {"metric": "sales_amount", "subject": "person:E0016", "period": "2030-01", "value": "380"},
        {"metric": "visits", "subject": "person:E0016", "period": "2030-07", "value": "85"},
    ])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    gm
}

/// GET returning status, headers and raw bytes.
async fn fetch(c: &Client, path: &str) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let resp = c.request(Method::GET, path).send().await.expect("request");
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.bytes().await.expect("body").to_vec();
    (status, headers, bytes)
}

async fn table(c: &Client, path: &str) -> Value {
    let (status, t) = c.get(path).await;
    assert_eq!(status, StatusCode::OK, "{t}");
    t
}

/// An import's summary without the ids of the plans its versions belong
/// to (they differ with what else the database holds).
fn without_plan_ids(mut summary: Value) -> Value {
    for v in summary["published"].as_array_mut().into_iter().flatten() {
        v.as_object_mut().map(|o| o.remove("plan"));
    }
    summary
}

/// The GM's targets of 2030, published at once as `version` of the
/// company's plan.
fn published_2030(version: u32) -> Value {
    json!([{"year": 2030, "unit": "HQ", "version": version, "status": "published"}])
}

/// The table without what only says where a figure came from (set here or
/// rolled up from the children), which a fresh database legitimately has
/// otherwise.
fn figures_only(mut v: Value) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                for k in ["target_set", "actual_set", "children_target"] {
                    m.remove(k);
                }
                m.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut v);
    v
}

fn sheet(bytes: &[u8]) -> calamine::Range<Data> {
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("an xlsx");
    assert_eq!(book.sheet_names(), ["目标管理表"]);
    book.worksheet_range("目标管理表").expect("sheet")
}

/// `(row, col)` 0-based of an Excel reference like `C5`.
fn pos(r: &str) -> (u32, u32) {
    let letters: String = r.chars().take_while(char::is_ascii_alphabetic).collect();
    let col = letters
        .bytes()
        .fold(0u32, |acc, b| acc * 26 + u32::from(b - b'A' + 1))
        - 1;
    let row: u32 = r[letters.len()..].parse().expect("row");
    (row - 1, col)
}

fn at<'a>(s: &'a calamine::Range<Data>, r: &str) -> &'a Data {
    s.get_value(pos(r)).unwrap_or(&Data::Empty)
}

fn text(s: &calamine::Range<Data>, r: &str) -> String {
    match at(s, r) {
        Data::String(t) => t.clone(),
        other => panic!("{r}: expected text, got {other:?}"),
    }
}

fn number(s: &calamine::Range<Data>, r: &str) -> f64 {
    match at(s, r) {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("{r}: expected a number, got {other:?}"),
    }
}

/// The 1-based row whose columns A and B read `name` and `item` (a merged
/// name is in the first row of its block only).
fn row_of(s: &calamine::Range<Data>, name: &str, item: &str) -> u32 {
    let mut current = String::new();
    for r in 3..s.end().map_or(0, |e| e.0 + 1) {
        if let Some(Data::String(a)) = s.get_value((r, 0)) {
            current = a.clone();
        }
        if current == name && matches!(s.get_value((r, 1)), Some(Data::String(b)) if b == item) {
            return r + 1;
        }
    }
    panic!("no row {name} {item}");
}

/// The fill colour (`FFC6EFCE`) of a cell, read from the workbook's XML.
fn fill(bytes: &[u8], r: &str) -> Option<String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).expect("zip");
    let mut part = |name: &str| {
        let mut s = String::new();
        zip.by_name(name)
            .expect(name)
            .read_to_string(&mut s)
            .expect("utf-8");
        s
    };
    let sheet = part("xl/worksheets/sheet1.xml");
    let styles = part("xl/styles.xml");
    let cell = sheet.split(&format!("<c r=\"{r}\"")).nth(1)?;
    let style: usize = cell
        .split_once(" s=\"")?
        .1
        .split('"')
        .next()?
        .parse()
        .ok()?;
    let xfs = styles
        .split("<cellXfs")
        .nth(1)?
        .split("</cellXfs>")
        .next()?;
    let xf = xfs.split("<xf ").nth(style + 1)?;
    let fill_id: usize = xf
        .split_once("fillId=\"")?
        .1
        .split('"')
        .next()?
        .parse()
        .ok()?;
    let fills = styles.split("<fills").nth(1)?.split("</fills>").next()?;
    let f = fills.split("<fill>").nth(fill_id + 1)?;
    Some(
        f.split_once("fgColor rgb=\"")?
            .1
            .split('"')
            .next()?
            .to_owned(),
    )
}

/// An .xlsx whose cells are all text, on a sheet named `Sheet1`.
fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string(r as u32, c as u16, *v).expect("cell");
            }
        }
    }
    book.save_to_buffer().expect("xlsx")
}

/// A 422 whose first detail is at `row`/`column`, with `text` in its message.
fn refused(status: StatusCode, e: &Value, sheet: &str, row: u64, column: &str, text: &str) {
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let d = &e["details"][0];
    assert_eq!(d["sheet"], sheet, "{e}");
    assert_eq!(d["row"], row, "{e}");
    if column.is_empty() {
        assert_eq!(d["column"], Value::Null, "{e}");
    } else {
        assert_eq!(d["column"], column, "{e}");
    }
    assert!(
        d["message"].as_str().unwrap_or("").contains(text),
        "{text} in {e}"
    );
    assert!(!d["message_zh"].as_str().unwrap_or("").is_empty(), "{e}");
}

/// A whole-file 422 (`field: file`) whose message holds `text`.
fn refused_file(status: StatusCode, e: &Value, text: &str) {
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["details"][0]["field"], "file", "{e}");
    assert!(
        e["message"].as_str().unwrap_or("").contains(text),
        "{text} in {e}"
    );
}

/// Replaces the `index`-th field of the CSV line starting with `prefix`.
fn edit_csv(bytes: &[u8], prefix: &str, index: usize, value: &str) -> Vec<u8> {
    let text = String::from_utf8(bytes.to_vec()).expect("utf-8");
    let mut found = false;
    let lines: Vec<String> = text
        .split("\n")
        .map(|line| {
            if !found && line.starts_with(prefix) {
                found = true;
                let mut fields: Vec<&str> = line.split(',').collect();
                fields[index] = value;
                fields.join(",")
            } else {
                line.to_owned()
            }
        })
        .collect();
    assert!(found, "a line {prefix}");
    lines.join("\n").into_bytes()
}

both_databases! {
    async fn the_xlsx_export_is_the_seed_table_with_numbers_fills_legend_and_note(app) {
        // Figures typed by hand, including those the sales process would compute.
        app.typed_actuals().await;
        let gm = seed(&app).await;
        let (status, headers, bytes) = fetch(&gm, "/api/v1/table.xlsx?subject=person:E0015&year=2030").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-type"], XLSX);
        let disposition = headers["content-disposition"].to_str().unwrap();
        assert!(disposition.starts_with("attachment; filename=\"mubiao-table-person-E0015-2030.xlsx\""), "{disposition}");
        // 张晓明_2030年目标管理表.xlsx
        assert!(disposition.contains("filename*=UTF-8''%E5%BC%A0%E6%99%93%E6%98%8E_2030%E5%B9%B4"), "{disposition}");
        let s = sheet(&bytes);
        assert_eq!(text(&s, "A1"), "张晓明 2030年目标管理表");
        assert_eq!((text(&s, "A2"), text(&s, "B2"), text(&s, "C2")), ("主体".into(), "person:E0015".into(), "年度".into()));
        assert_eq!(number(&s, "D2"), 2030.0);
        let header: Vec<String> = ["A3", "B3", "C3", "D3", "N3", "O3", "P3"].iter().map(|r| text(&s, r)).collect();
        assert_eq!(header, ["指标", "项目", "1月", "2月", "12月", "平均/合计", "年度目标"]);
        // 销售额: 目标, 实际, 完成率, then its tiers.
        assert_eq!(row_of(&s, "销售额", "目标"), 4);
        assert_eq!(row_of(&s, "销售额", "实际"), 5);
        assert_eq!(row_of(&s, "销售额", "完成率"), 6);
        assert_eq!(row_of(&s, "销售额", "保底"), 7);
        assert_eq!(row_of(&s, "销售额", "挑战"), 8);
        assert_eq!(row_of(&s, "回款额", "目标"), 9, "no tiers: three rows");
        // Numbers, not formulas or text.
        assert_eq!(number(&s, "C4"), 600.0);
        assert_eq!(number(&s, "E4"), 1234.56);
        assert_eq!(number(&s, "G4"), 123456789012.34);
        assert_eq!(number(&s, "C5"), 645.84);
        assert!((number(&s, "C6") - 1.0764).abs() < 1e-9, "107.64 %");
        assert_eq!(number(&s, "E7"), 1000.0);
        assert_eq!(number(&s, "E8"), 1500.0);
        // 合计 of the targets is the year target; 年度目标 and its 保底.
        assert_eq!(number(&s, "O4"), 9000.0);
        assert_eq!(number(&s, "P4"), 9000.0);
        assert_eq!(number(&s, "P7"), 8000.0);
        // No data: empty, never 0.
        assert_eq!(at(&s, "F5"), &Data::Empty, "April has no actual");
        assert_eq!(at(&s, "F6"), &Data::Empty);
        assert_eq!(at(&s, "H4"), &Data::Empty);
        // A percent reads back as written: 90.5, shown 90.50%.
        let sat = row_of(&s, "客户满意度", "目标");
        assert_eq!(number(&s, &format!("D{sat}")), 90.5);
        // Too large for a double: kept exact as text.
        let coll = row_of(&s, "回款额", "目标");
        assert_eq!(text(&s, &format!("H{coll}")), "98765432109876.54");
        // A zero target: coloured, but no rate.
        let calls = row_of(&s, "电话量", "完成率");
        assert_eq!(text(&s, &format!("F{calls}")), "—");
        // The seed's fills on 实际 and 完成率.
        assert_eq!(fill(&bytes, "C5").as_deref(), Some("FFC6EFCE"), "green");
        assert_eq!(fill(&bytes, "C6").as_deref(), Some("FFC6EFCE"), "green");
        assert_eq!(fill(&bytes, "D5").as_deref(), Some("FFFFEB9C"), "yellow");
        assert_eq!(fill(&bytes, "E5").as_deref(), Some("FFFFC7CE"), "red");
        assert_eq!(fill(&bytes, "F5"), None, "no data, no fill");
        assert_eq!(fill(&bytes, "C4"), None, "targets are not coloured");
        let complaints = row_of(&s, "客户有效投诉", "实际");
        assert_eq!(fill(&bytes, &format!("C{complaints}")).as_deref(), Some("FFFFC7CE"), "7 complaints against 5 is red");
        // The legend and the note below the table.
        let cells: Vec<String> = s.used_cells().filter_map(|(_, _, d)| match d { Data::String(t) => Some(t.clone()), _ => None }).collect();
        assert!(cells.iter().any(|t| t == LEGEND), "legend");
        assert!(cells.iter().any(|t| t == NOTE), "note");
        // Outside one's reach: not found.
        let sales = app.demo("sales").await;
        let (status, _, _) = fetch(&sales, "/api/v1/table.xlsx?subject=person:E0016&year=2030").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _, bytes) = fetch(&sales, "/api/v1/table.xlsx?subject=person:E0015&year=2030").await;
        assert_eq!(status, StatusCode::OK, "one's own table");
        // The compiling unit is the top of what the reader sees.
        let cells: Vec<String> = sheet(&bytes).used_cells().filter_map(|(_, _, d)| match d { Data::String(t) => Some(t.clone()), _ => None }).collect();
        assert!(cells.iter().any(|t| t.starts_with("本表由上海一组")), "{cells:?}");
    }

    async fn the_csv_export_is_the_same_grid_with_a_bom(app) {
        // Figures typed by hand, including those the sales process would compute.
        app.typed_actuals().await;
        let gm = seed(&app).await;
        let (status, headers, bytes) = fetch(&gm, "/api/v1/table.csv?subject=person:E0015&year=2030").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
        assert!(headers["content-disposition"].to_str().unwrap().contains("mubiao-table-person-E0015-2030.csv"));
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with('\u{feff}'), "a BOM for Excel");
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines[0], "张晓明 2030年目标管理表");
        assert!(lines[1].starts_with("主体,person:E0015,年度,2030,"));
        assert_eq!(lines[2], "指标,项目,1月,2月,3月,4月,5月,6月,7月,8月,9月,10月,11月,12月,平均/合计,年度目标");
        assert_eq!(lines[3], "销售额,目标,600.00,600.00,1234.56,600.00,123456789012.34,,,,,,,,9000.00,9000.00");
        assert_eq!(lines[4], "销售额,实际,645.84,600.00,1000.50,,,,,,,,,,2246.34,");
        assert_eq!(lines[5], "销售额,完成率,107.64%,100.00%,81.04%,,,,,,,,,,24.96%,");
        assert!(lines.contains(&LEGEND));
        assert_eq!(lines.last().copied(), Some(NOTE));
        let (status, _, _) = fetch(&gm, "/api/v1/table.csv?subject=unit:NOPE&year=2030").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = gm.get("/api/v1/table.csv?subject=unit:HD").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "the year is required");
    }

    async fn exports_imported_into_a_fresh_app_give_the_same_tables(app) {
        // Figures typed by hand, including those the sales process would compute.
        app.typed_actuals().await;
        let gm = seed(&app).await;
        let person = table(&gm, E0015).await;
        let unit = table(&gm, HD_SH).await;
        assert_eq!(unit["rows"][0]["months"][0]["target"], "1000.00", "the unit shows its people's rollup");
        let (_, _, person_xlsx) = fetch(&gm, "/api/v1/table.xlsx?subject=person:E0015&year=2030").await;
        let (_, _, person_csv) = fetch(&gm, "/api/v1/table.csv?subject=person:E0015&year=2030").await;
        let (_, _, unit_csv) = fetch(&gm, "/api/v1/table.csv?subject=unit:HD-SH&year=2030").await;
        let (_, _, unit_xlsx) = fetch(&gm, "/api/v1/table.xlsx?subject=unit:HD-SH&year=2030").await;
        // The person's table from the .xlsx, the unit's from the CSV.
        crate::common::run(app.backend(), move |fresh| async move {
            fresh.typed_actuals().await;
            let gm = fresh.demo("gm").await;
            let (status, r) = gm.upload("/api/v1/import/targets", "张晓明.xlsx", person_xlsx.clone()).await;
            assert_eq!(status, StatusCode::OK, "{r}");
            // 销售额 Jan–May and the year (March and the year carry their
            // tiers in the same figure), and one month of five more metrics.
            assert_eq!(without_plan_ids(r), json!({"rows": 11, "changed": 11, "unchanged": 0, "published": published_2030(1)}));
            let (status, r) = gm.upload("/api/v1/import/actuals", "张晓明.xlsx", person_xlsx).await;
            assert_eq!(status, StatusCode::OK, "{r}");
            assert_eq!(r, json!({"rows": 8, "changed": 8, "unchanged": 0}));
            assert_eq!(table(&gm, E0015).await, person, "identical, down to where each figure was set");
            let (status, r) = gm.upload("/api/v1/import/targets", "unit.csv", unit_csv.clone()).await;
            assert_eq!(status, StatusCode::OK, "{r}");
            let (status, r) = gm.upload("/api/v1/import/actuals", "unit.csv", unit_csv).await;
            assert_eq!(status, StatusCode::OK, "{r}");
            assert_eq!(figures_only(table(&gm, HD_SH).await), figures_only(unit.clone()));
            // The CSV of the person gives the same as its .xlsx: nothing
            // left to change.
            for path in ["/api/v1/import/targets", "/api/v1/import/actuals"] {
                let (status, r) = gm.upload(path, "p.csv", person_csv.clone()).await;
                assert_eq!(status, StatusCode::OK, "{r}");
                assert_eq!(r["changed"], 0, "{path}: {r}");
                let (status, r) = gm.upload(path, "u.xlsx", unit_xlsx.clone()).await;
                assert_eq!(status, StatusCode::OK, "{r}");
                assert_eq!(r["changed"], 0, "{path}: {r}");
            }
            assert_eq!(table(&gm, E0015).await, person);
        })
        .await;
    }

    async fn reimporting_an_export_changes_nothing_then_an_edit_changes_one_figure(app) {
        // Figures typed by hand, including those the sales process would compute.
        app.typed_actuals().await;
        let gm = seed(&app).await;
        let (status, _) = gm.post("/api/v1/periods/2030-01/lock", json!({"reason": "一月结账"})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let person = table(&gm, E0015).await;
        let unit = table(&gm, HD_SH).await;
        let (_, _, bytes) = fetch(&gm, "/api/v1/table.xlsx?subject=unit:HD-SH&year=2030").await;
        for path in ["/api/v1/import/targets", "/api/v1/import/actuals"] {
            let (status, r) = gm.upload(path, "u.xlsx", bytes.clone()).await;
            assert_eq!(status, StatusCode::OK, "{r}");
            assert_eq!(r["changed"], 0, "{r}");
            assert_eq!(r["rows"], r["unchanged"], "{r}");
        }
        // The unit's rolled-up figures stay rollups; the locked January
        // is no error while it is unchanged.
        assert_eq!(table(&gm, HD_SH).await, unit);
        let (_, _, csv) = fetch(&gm, "/api/v1/table.csv?subject=person:E0015&year=2030").await;
        // February's target 600 → 650.
        let edited = edit_csv(&csv, "销售额,目标,", 3, "650");
        let (status, r) = gm.upload("/api/v1/import/targets", "p.csv", edited).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        assert_eq!(without_plan_ids(r), json!({"rows": 11, "changed": 1, "unchanged": 10, "published": published_2030(2)}));
        let after = table(&gm, E0015).await;
        assert_eq!(after["rows"][0]["months"][1]["target"], "650.00");
        assert_eq!(after["rows"][0]["months"][0], person["rows"][0]["months"][0]);
        // A change in the locked month is refused at its cell.
        let edited = edit_csv(&csv, "销售额,实际,", 2, "700");
        let (status, e) = gm.upload("/api/v1/import/actuals", "p.csv", edited).await;
        refused(status, &e, "p", 5, "C", "2030-01 is locked");
        // An empty cell is skipped, not cleared.
        let edited = edit_csv(&csv, "销售额,实际,", 3, "");
        let (status, r) = gm.upload("/api/v1/import/actuals", "p.csv", edited).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        assert_eq!(r["changed"], 0);
        assert_eq!(table(&gm, E0015).await["rows"][0]["months"][1]["actual"], "600.00");
    }

    async fn a_long_list_sets_targets_with_tiers_and_actuals(app) {
        // Figures typed by hand, including those the sales process would compute.
        app.typed_actuals().await;
        let gm = app.demo("gm").await;
        let targets = "subject,metric,period,value,floor,stretch\n\
            person:E0016,sales_amount,2030-03,500,450,600\n\
            person:E0016,客户满意度,2030-03,90%,,\n\
            unit:HD-HZ,calls,2030,1200,,\n\
            person:E0016,visits,2030-04,,,\n";
        let (status, r) = gm.upload("/api/v1/import/targets", "list.csv", targets.as_bytes().to_vec()).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        assert_eq!(without_plan_ids(r), json!({"rows": 3, "changed": 3, "unchanged": 0, "published": published_2030(1)}));
        let actuals = xlsx(&[
            &["主体", "指标", "期间", "值"],
            &["person:E0016", "销售额", "2030-03", "512.5"],
            &["person:E0016", "satisfaction", "2030-03", "88"],
        ]);
        let (status, r) = gm.upload("/api/v1/import/actuals", "list.xlsx", actuals).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        assert_eq!(r["changed"], 2);
        let t = table(&gm, "/api/v1/table?subject=person:E0016&year=2030").await;
        let mar = &t["rows"][0]["months"][2];
        assert_eq!((&mar["target"], &mar["floor"], &mar["stretch"], &mar["actual"], &mar["status"]),
            (&json!("500.00"), &json!("450.00"), &json!("600.00"), &json!("512.50"), &json!("green")));
        let sat = t["rows"].as_array().unwrap().iter().find(|r| r["metric"] == "satisfaction").unwrap();
        assert_eq!(sat["months"][2]["target"], "90.00");
        assert_eq!(sat["months"][2]["status"], "red");
        let hz = table(&gm, "/api/v1/table?subject=unit:HD-HZ&year=2030").await;
        let calls = hz["rows"].as_array().unwrap().iter().find(|r| r["metric"] == "calls").unwrap();
        assert_eq!(calls["year_target"], "1200");
        // Tiers are for targets only.
        let (status, e) = gm.upload("/api/v1/import/actuals", "list.csv", targets.as_bytes().to_vec()).await;
        refused(status, &e, "list", 2, "E", "only targets have 保底/挑战 tiers");
    }

    async fn malformed_files_are_refused_at_the_cell_and_change_nothing(app) {
        // Figures typed by hand, including those the sales process would compute.
        app.typed_actuals().await;
        let gm = seed(&app).await;
        let before = table(&gm, E0015).await;
        let imports = ["/api/v1/import/targets", "/api/v1/import/actuals"];

        // Text in a number cell.
        let file = xlsx(&[
            &["张晓明 2030年目标管理表"],
            &["主体", "person:E0015", "年度", "2030"],
            &["指标", "项目", "1月", "2月", "3月"],
            &["销售额", "目标", "700", "12,3O0", "800"],
            &["", "实际", "1", "2", "x"],
        ]);
        let (status, e) = gm.upload(imports[0], "grid.xlsx", file.clone()).await;
        refused(status, &e, "Sheet1", 4, "D", "\"12,3O0\" is not a number");
        assert!(e["message"].as_str().unwrap().contains("Sheet1!D4: \"12,3O0\" is not a number"), "{e}");
        assert_eq!(e["details"].as_array().unwrap().len(), 1, "the 实际 row is not read for targets: {e}");
        let (status, e) = gm.upload(imports[1], "grid.xlsx", file).await;
        refused(status, &e, "Sheet1", 5, "E", "\"x\" is not a number");

        // An unknown metric, by name in the grid, by code in a list.
        let (_, _, csv) = fetch(&gm, "/api/v1/table.csv?subject=person:E0015&year=2030").await;
        let mut edited = edit_csv(&csv, "回款额,目标,", 0, "营业额");
        edited = edit_csv(&edited, "销售额,目标,", 2, "700");
        let (status, e) = gm.upload(imports[0], "p.csv", edited).await;
        refused(status, &e, "p", 9, "A", "no metric \"营业额\"");
        let list = "主体,指标,期间,值\nperson:E0015,sales_amount,2030-01,1\nperson:E0015,turnover,2030-01,1\n";
        let (status, e) = gm.upload(imports[1], "list.csv", list.as_bytes().to_vec()).await;
        refused(status, &e, "list", 3, "B", "no metric \"turnover\"");

        // An unknown person: in a list (after the values check out, from
        // the all-or-nothing write), and as the grid's 主体.
        let list = "主体,指标,期间,值\nperson:E0015,sales_amount,2030-08,100\nperson:E9999,sales_amount,2030-08,1\n";
        let (status, e) = gm.upload(imports[0], "list.csv", list.as_bytes().to_vec()).await;
        refused(status, &e, "list", 3, "A", "no unit or person \"person:E9999\"");
        let edited = edit_csv(&edit_csv(&csv, "主体,", 1, "person:E9999"), "销售额,目标,", 2, "700");
        let (status, e) = gm.upload(imports[0], "p.csv", edited).await;
        refused(status, &e, "p", 2, "B", "no unit or person \"person:E9999\"");

        // Duplicate rows.
        let list = "主体,指标,期间,值\nperson:E0015,sales_amount,2030-01,700\nperson:E0015,销售额,2030-01,800\n";
        let (status, e) = gm.upload(imports[0], "list.csv", list.as_bytes().to_vec()).await;
        refused(status, &e, "list", 3, "C", "already in row 2");
        let file = xlsx(&[
            &["主体", "person:E0015", "年度", "2030"],
            &["指标", "项目", "1月"],
            &["销售额", "目标", "700"],
            &["", "实际", "1"],
            &["销售额", "目标", "800"],
        ]);
        let (status, e) = gm.upload(imports[0], "grid.xlsx", file).await;
        refused(status, &e, "Sheet1", 5, "B", "duplicate row: 销售额 目标 is already in row 3");

        // An empty sheet; a list with a header only.
        let (status, e) = gm.upload(imports[0], "empty.xlsx", xlsx(&[])).await;
        refused_file(status, &e, "empty");
        assert!(e["message"].as_str().unwrap().contains("Sheet1"), "{e}");
        let (status, e) = gm.upload(imports[1], "empty.csv", Vec::new()).await;
        refused_file(status, &e, "empty");
        let (status, e) = gm.upload(imports[1], "list.csv", "主体,指标,期间,值\n".as_bytes().to_vec()).await;
        refused(status, &e, "list", 1, "", "no data rows");

        // The wrong layout says what was expected.
        let people = "工号,姓名,部门编码,角色\nE0100,林晓,HD-SH,sales\n";
        let (status, e) = gm.upload(imports[0], "people.csv", people.as_bytes().to_vec()).await;
        refused(status, &e, "people", 1, "", "主体/subject, 指标/metric, 期间/period, 值/value");
        assert!(e["details"][0]["message"].as_str().unwrap().contains("指标 | 项目 | 1月 … 12月 | 平均/合计"), "{e}");
        let grid_without_key = xlsx(&[&["指标", "项目", "1月"], &["销售额", "目标", "700"]]);
        let (status, e) = gm.upload(imports[0], "grid.xlsx", grid_without_key).await;
        refused(status, &e, "Sheet1", 1, "", "主体 (subject) is missing");
        let bad_month = xlsx(&[&["主体", "person:E0015", "年度", "2030"], &["指标", "项目", "1月", "13月"], &["销售额", "目标", "700", "1"]]);
        let (status, e) = gm.upload(imports[0], "grid.xlsx", bad_month).await;
        refused(status, &e, "Sheet1", 2, "D", "unknown column header \"13月\"");

        // An .xls file; random bytes.
        let (status, e) = gm.upload(imports[0], "目标.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 legacy".to_vec()).await;
        refused_file(status, &e, "save it as .xlsx");
        let noise: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        let (status, e) = gm.upload(imports[1], "table.xlsx", noise.clone()).await;
        refused_file(status, &e, "not a valid .xlsx");
        let (status, e) = gm.upload(imports[1], "table.csv", noise).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (status, e) = gm.upload(imports[1], "table.pdf", b"%PDF-1.7".to_vec()).await;
        refused_file(status, &e, "not accepted");

        assert_eq!(table(&gm, E0015).await, before, "nothing was written");
        assert_eq!(
            table(&gm, "/api/v1/table?subject=person:E0015&year=2030").await["rows"][0]["months"][7]["target"],
            Value::Null
        );
    }

    async fn only_those_who_may_write_figures_import_them(app) {
        // Figures typed by hand, including those the sales process would compute.
        app.typed_actuals().await;
        let gm = seed(&app).await;
        let before = table(&gm, E0015).await;
        let list = "主体,指标,期间,值\nperson:E0015,sales_amount,2030-01,1\n";
        let sales = app.demo("sales").await;
        let (status, _) = sales.upload("/api/v1/import/targets", "l.csv", list.as_bytes().to_vec()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = sales.upload("/api/v1/import/actuals", "l.csv", list.as_bytes().to_vec()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let hr = app.demo("hr").await;
        let (status, _) = hr.upload("/api/v1/import/targets", "l.csv", list.as_bytes().to_vec()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // A manager proposes targets in their subtree, their own unit
        // included: imported into their plan's draft, not yet the table.
        let manager = app.demo("manager").await;
        let own = "主体,指标,期间,值\nunit:HD,sales_amount,2030-01,1\n";
        let (status, r) = manager.upload("/api/v1/import/targets", "l.csv", own.as_bytes().to_vec()).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        assert_eq!(r["pending"][0]["status"], "draft", "{r}");
        let (status, r) = manager.upload("/api/v1/import/targets", "l.csv", list.as_bytes().to_vec()).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        assert_eq!(r["pending"][0]["unit"], "HD", "{r}");
        assert_eq!(table(&gm, E0015).await, before, "a draft changes no target");
        let outside = "主体,指标,期间,值\nperson:E0028,sales_amount,2030-01,1\n";
        let (status, _) = manager.upload("/api/v1/import/targets", "l.csv", outside.as_bytes().to_vec()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "another region is unknown to them");
        let (status, _) = app.anonymous().upload("/api/v1/import/targets", "l.csv", list.as_bytes().to_vec()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _, _) = fetch(&app.anonymous(), "/api/v1/table.xlsx?subject=unit:HD&year=2030").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        // The GM's import is published at once.
        let (status, r) = gm.upload("/api/v1/import/targets", "l.csv", list.as_bytes().to_vec()).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        assert_eq!(r["published"][0]["status"], "published", "{r}");
        let after = table(&gm, E0015).await;
        assert_eq!(after["rows"][0]["months"][0]["target"], "1.00");
        assert_ne!(after, before);
    }
}
