//! People import: one person per row, headers in Chinese or as English field
//! codes.
//!
//! This module only maps columns to [`NewPerson`] fields and checks that the
//! required cells are filled; every other rule (formats, the unit exists and
//! is within reach, the manager exists, …) is checked by
//! [`crate::storage::org::import_people`], whose errors [`locate`] then points
//! back at the cells of the file.

use super::{CellError, Table, TransferError, column_letter};
use crate::domain::access::Actor;
use crate::storage::org::{self, ImportSummary, NewPerson, RowError};
use crate::storage::{self, Db};

/// One accepted column: its Chinese header, its English field code (as in
/// [`NewPerson`] and in storage's field errors), and whether it must exist.
struct Column {
    zh: &'static str,
    code: &'static str,
    required: bool,
}

const COLUMNS: [Column; 8] = [
    Column {
        zh: "工号",
        code: "employee_no",
        required: true,
    },
    Column {
        zh: "姓名",
        code: "name",
        required: true,
    },
    Column {
        zh: "部门编码",
        code: "unit",
        required: true,
    },
    Column {
        zh: "角色",
        code: "role",
        required: true,
    },
    Column {
        zh: "上级工号",
        code: "manager",
        required: false,
    },
    Column {
        zh: "入职日期",
        code: "hire_date",
        required: false,
    },
    Column {
        zh: "手机",
        code: "phone",
        required: false,
    },
    Column {
        zh: "邮箱",
        code: "email",
        required: false,
    },
];

const EMPLOYEE_NO: usize = 0;
const NAME: usize = 1;
const UNIT: usize = 2;
const ROLE: usize = 3;
const MANAGER: usize = 4;
const HIRE_DATE: usize = 5;
const PHONE: usize = 6;
const EMAIL: usize = 7;

/// The accepted headers, for messages: `工号/employee_no, 姓名/name, …`.
fn expected_headers() -> String {
    COLUMNS
        .iter()
        .map(|c| format!("{}/{}", c.zh, c.code))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A header as compared: trimmed, lower case, without the `*` templates
/// put on required columns, spaces and dashes as `_` (`Employee No` →
/// `employee_no`).
fn header_key(header: &str) -> String {
    header
        .trim()
        .trim_matches(|c: char| c == '*' || c == '＊' || c.is_whitespace())
        .to_lowercase()
        .replace([' ', '-'], "_")
}

/// Which accepted column a header names, if any.
fn column_of(header: &str) -> Option<usize> {
    let key = header_key(header);
    COLUMNS.iter().position(|c| key == c.zh || key == c.code)
}

/// For each accepted column, the 0-based index of its header in `table`.
type Layout = [Option<usize>; COLUMNS.len()];

/// Maps the header row to fields. Unknown, duplicate and missing headers are
/// errors: a typo in a header would otherwise silently drop a column.
fn layout(table: &Table) -> (Layout, Vec<CellError>) {
    let mut found: Layout = [None; COLUMNS.len()];
    let mut errors = Vec::new();
    let at = |col: Option<usize>, en: String, zh: String| {
        CellError::new(&table.sheet, table.header_row, col, en, zh)
    };
    for (i, header) in table.headers.iter().enumerate() {
        if header.trim().is_empty() {
            if table.rows.iter().any(|r| !r.cell(i).is_empty()) {
                let letter = column_letter(i);
                errors.push(at(
                    Some(i),
                    format!(
                        "column {letter} has values but no header; add one of {} or delete the column",
                        expected_headers()
                    ),
                    format!(
                        "{letter} 列有数据但没有列标题；请填写列标题（{}）或删除该列",
                        expected_headers()
                    ),
                ));
            }
            continue;
        }
        match column_of(header) {
            None => errors.push(at(
                Some(i),
                format!(
                    "unknown column header \"{header}\"; expected headers: {}",
                    expected_headers()
                ),
                format!(
                    "无法识别的列标题 \"{header}\"；可用的列标题：{}",
                    expected_headers()
                ),
            )),
            Some(f) => match found[f] {
                Some(first) => {
                    let c = &COLUMNS[f];
                    let letter = column_letter(first);
                    errors.push(
                        at(
                            Some(i),
                            format!(
                                "column {}/{} appears twice (also in column {letter})",
                                c.zh, c.code
                            ),
                            format!("列标题 {} 重复（另见 {letter} 列）", c.zh),
                        )
                        .with_field(c.code),
                    );
                }
                None => found[f] = Some(i),
            },
        }
    }
    // Data further right than the last header has no header either.
    let width = table.rows.iter().map(|r| r.cells.len()).max().unwrap_or(0);
    for i in table.headers.len()..width {
        if table.rows.iter().any(|r| !r.cell(i).is_empty()) {
            let letter = column_letter(i);
            errors.push(at(
                Some(i),
                format!(
                    "column {letter} has values but no header; add one of {} or delete the column",
                    expected_headers()
                ),
                format!(
                    "{letter} 列有数据但没有列标题；请填写列标题（{}）或删除该列",
                    expected_headers()
                ),
            ));
        }
    }
    for (f, c) in COLUMNS.iter().enumerate() {
        if c.required && found[f].is_none() {
            errors.push(
                at(
                    None,
                    format!(
                        "required column {} ({}) is missing; expected headers: {}",
                        c.zh,
                        c.code,
                        expected_headers()
                    ),
                    format!(
                        "缺少必填列 {}（{}）；可用的列标题：{}",
                        c.zh,
                        c.code,
                        expected_headers()
                    ),
                )
                .with_field(c.code),
            );
        }
    }
    (found, errors)
}

/// Reads people rows from a table, keeping each row's number so that
/// storage's errors can be located with [`locate`].
///
/// Checks only the headers and that 工号, 姓名, 部门编码 and 角色 are filled;
/// empty optional cells become `None`. `username` and `password` are never
/// read from a file: accounts are created one by one.
pub fn parse_people(table: &Table) -> Result<Vec<(usize, NewPerson)>, Vec<CellError>> {
    let (found, errors) = layout(table);
    if !errors.is_empty() {
        return Err(errors);
    }
    if table.rows.is_empty() {
        return Err(vec![CellError::new(
            &table.sheet,
            table.header_row,
            None,
            "there are no data rows below the header",
            "表头下方没有数据行",
        )]);
    }
    let mut errors = Vec::new();
    let mut people = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let text = |f: usize| found[f].map(|i| row.cell(i)).unwrap_or("");
        let optional = |f: usize| Some(text(f)).filter(|t| !t.is_empty()).map(str::to_owned);
        let mut required = |f: usize| {
            let t = text(f);
            if t.is_empty() {
                let c = &COLUMNS[f];
                errors.push(
                    CellError::new(
                        &table.sheet,
                        row.row,
                        found[f],
                        format!("{} ({}) is empty", c.zh, c.code),
                        format!("{}不能为空", c.zh),
                    )
                    .with_field(c.code),
                );
            }
            t.to_owned()
        };
        let person = NewPerson {
            employee_no: required(EMPLOYEE_NO),
            name: required(NAME),
            unit: required(UNIT),
            role: required(ROLE),
            manager: optional(MANAGER),
            hire_date: optional(HIRE_DATE),
            phone: optional(PHONE),
            email: optional(EMAIL),
            username: None,
            password: None,
        };
        people.push((row.row, person));
    }
    if errors.is_empty() {
        Ok(people)
    } else {
        Err(errors)
    }
}

/// Points storage's import errors at cells: `index` is a position in
/// `parsed_rows` (as returned by [`parse_people`]), `field` a field code,
/// which becomes the column letter of that field's header in this file.
/// A field without a column here (or an unexpected index) keeps the row (or
/// the header row) without a column.
pub fn locate(
    table: &Table,
    parsed_rows: &[(usize, NewPerson)],
    errors: Vec<RowError>,
) -> Vec<CellError> {
    let (found, _) = layout(table);
    errors
        .into_iter()
        .map(|e| {
            let row = parsed_rows
                .get(e.index)
                .map(|(row, _)| *row)
                .unwrap_or(table.header_row);
            let column = COLUMNS
                .iter()
                .position(|c| c.code == e.error.field)
                .and_then(|f| found[f]);
            CellError::new(
                &table.sheet,
                row,
                column,
                e.error.message,
                e.error.message_zh,
            )
            .with_field(e.error.field)
        })
        .collect()
}

/// Why a people file was not imported.
#[derive(Debug)]
pub enum ImportError {
    /// The file itself, or cells in it, need fixing.
    File(TransferError),
    /// Reach, or the database.
    Storage(storage::Error),
}

/// Reads, checks and imports a people file, all or nothing: the one
/// pipeline behind the API, the import page and any later CLI.
pub async fn import_file(
    db: &Db,
    actor: &Actor,
    filename: &str,
    bytes: &[u8],
) -> Result<ImportSummary, ImportError> {
    if !actor.may_import_people() {
        return Err(ImportError::Storage(storage::Error::Forbidden));
    }
    // Parsing a workbook is CPU work: off the async threads.
    let (name, data) = (filename.to_owned(), bytes.to_vec());
    let table = tokio::task::spawn_blocking(move || super::read_table(&name, &data))
        .await
        .map_err(|e| {
            ImportError::Storage(storage::Error::Db(sea_orm::DbErr::Custom(e.to_string())))
        })?
        .map_err(ImportError::File)?;
    let rows = parse_people(&table).map_err(|e| ImportError::File(TransferError::Cells(e)))?;
    let people: Vec<NewPerson> = rows.iter().map(|(_, p)| p.clone()).collect();
    match org::import_people(db, actor, &people).await {
        Ok(Ok(summary)) => Ok(summary),
        Ok(Err(errors)) => Err(ImportError::File(TransferError::Cells(locate(
            &table, &rows, errors,
        )))),
        Err(e) => Err(ImportError::Storage(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::FieldError;
    use crate::transfer::{TransferError, read_table};

    fn csv(text: &str) -> Table {
        read_table("people.csv", text.as_bytes()).unwrap()
    }

    fn errors_of(table: &Table) -> Vec<CellError> {
        match parse_people(table) {
            Err(e) => e,
            Ok(rows) => panic!("expected errors, got {} rows", rows.len()),
        }
    }

    #[test]
    fn chinese_headers_parse() {
        let t = csv("工号,姓名,部门编码,角色,上级工号,入职日期,手机,邮箱\n\
             1001,张伟,SALES-EAST,销售经理,,2020-03-01,13800138000,zhangwei@example.cn\n\
             1002,李娜,SALES-EAST,销售代表,1001,,,\n");
        let people = parse_people(&t).unwrap();
        assert_eq!(people.len(), 2);
        let (row, p) = &people[0];
        assert_eq!(*row, 2);
        assert_eq!(p.employee_no, "1001");
        assert_eq!(p.name, "张伟");
        assert_eq!(p.unit, "SALES-EAST");
        assert_eq!(p.role, "销售经理");
        assert_eq!(p.manager, None);
        assert_eq!(p.hire_date.as_deref(), Some("2020-03-01"));
        assert_eq!(p.phone.as_deref(), Some("13800138000"));
        assert_eq!(p.email.as_deref(), Some("zhangwei@example.cn"));
        assert_eq!(p.username, None);
        assert_eq!(p.password, None);
        let (row, p) = &people[1];
        assert_eq!(*row, 3);
        assert_eq!(p.manager.as_deref(), Some("1001"));
        assert_eq!(p.phone, None);
    }

    #[test]
    fn english_headers_parse_in_any_case_and_order() {
        let t = csv("Role, NAME ,Employee_No,unit,Hire Date,*manager\n\
             sales,王芳,1003,SALES-EAST,2023-07-15,1001\n");
        let people = parse_people(&t).unwrap();
        let p = &people[0].1;
        assert_eq!(p.employee_no, "1003");
        assert_eq!(p.name, "王芳");
        assert_eq!(p.role, "sales");
        assert_eq!(p.hire_date.as_deref(), Some("2023-07-15"));
        assert_eq!(p.manager.as_deref(), Some("1001"));
    }

    #[test]
    fn bom_is_ignored() {
        let t = csv("\u{feff}工号,姓名,部门编码,角色\n1001,张伟,HQ,总经理\n");
        assert_eq!(parse_people(&t).unwrap()[0].1.employee_no, "1001");
    }

    #[test]
    fn missing_name_column_is_reported() {
        let t = csv("工号,部门编码,角色\n1001,HQ,总经理\n");
        let errors = errors_of(&t);
        assert_eq!(errors.len(), 1);
        let e = &errors[0];
        assert_eq!(e.location(), "people!1");
        assert_eq!(e.column, None);
        assert_eq!(e.field.as_deref(), Some("name"));
        assert!(
            e.message.contains("姓名") && e.message.contains("name"),
            "{e}"
        );
        assert!(e.message.contains("工号/employee_no"), "{e}");
        assert!(e.message_zh.contains("缺少必填列 姓名"), "{}", e.message_zh);
    }

    #[test]
    fn empty_employee_no_is_reported_at_its_cell() {
        let t = csv("工号,姓名,部门编码,角色\n1001,张伟,HQ,总经理\n ,李娜,HQ,销售代表\n");
        let errors = errors_of(&t);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].location(), "people!A3");
        assert_eq!(
            errors[0].to_string(),
            "people!A3: 工号 (employee_no) is empty"
        );
        assert_eq!(errors[0].message_zh, "工号不能为空");
        assert_eq!(errors[0].field.as_deref(), Some("employee_no"));
    }

    #[test]
    fn every_empty_required_cell_is_reported() {
        let t = csv("工号,姓名,部门编码,角色\n1001,,,\n");
        let locations: Vec<String> = errors_of(&t).iter().map(CellError::location).collect();
        assert_eq!(locations, ["people!B2", "people!C2", "people!D2"]);
    }

    #[test]
    fn unknown_header_is_reported() {
        let t = csv("工号,姓名,部门编码,角色,部门名称\n1001,张伟,HQ,总经理,总部\n");
        let errors = errors_of(&t);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].location(), "people!E1");
        assert!(errors[0].message.contains("部门名称"), "{}", errors[0]);
    }

    #[test]
    fn duplicate_header_is_reported() {
        let t = csv("工号,姓名,部门编码,角色,employee_no\n1001,张伟,HQ,总经理,1001\n");
        let errors = errors_of(&t);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].location(), "people!E1");
        assert!(errors[0].message.contains("column A"), "{}", errors[0]);
    }

    #[test]
    fn values_without_header_are_reported() {
        let t = csv("工号,姓名,部门编码,角色\n1001,张伟,HQ,总经理,备注\n");
        let errors = errors_of(&t);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].location(), "people!E1");
        // An empty column without a header is fine.
        let t = csv("工号,,姓名,部门编码,角色\n1001,,张伟,HQ,总经理\n");
        assert_eq!(parse_people(&t).unwrap()[0].1.name, "张伟");
    }

    #[test]
    fn no_data_rows_is_reported() {
        let errors = errors_of(&csv("工号,姓名,部门编码,角色\n"));
        assert_eq!(errors[0].location(), "people!1");
    }

    #[test]
    fn storage_errors_are_located_at_their_cells() {
        let t = csv("\n姓名,工号,角色,部门编码\n张伟,1001,总经理,HQ\n李娜,1002,销售代表,NOPE\n");
        let rows = parse_people(&t).unwrap();
        let located = locate(
            &t,
            &rows,
            vec![
                RowError {
                    index: 1,
                    error: FieldError::new("unit", "unknown unit \"NOPE\"", "部门 \"NOPE\" 不存在"),
                },
                RowError {
                    index: 0,
                    error: FieldError::new("manager", "no such manager", "上级不存在"),
                },
            ],
        );
        assert_eq!(located[0].location(), "people!D4");
        assert_eq!(located[0].field.as_deref(), Some("unit"));
        assert_eq!(located[0].message_zh, "部门 \"NOPE\" 不存在");
        // No 上级工号 column in this file: the row only.
        assert_eq!(located[1].location(), "people!3");
    }

    #[test]
    fn xlsx_round_trips_numeric_employee_no_and_date() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let s = book.add_worksheet();
        s.set_name("人员").unwrap();
        let date = rust_xlsxwriter::Format::new().set_num_format("yyyy/m/d");
        for (i, h) in ["工号", "姓名", "部门编码", "角色", "入职日期", "手机"]
            .iter()
            .enumerate()
        {
            s.write_string(0, i as u16, *h).unwrap();
        }
        s.write_number(1, 0, 1001.0).unwrap();
        s.write_string(1, 1, "赵磊").unwrap();
        s.write_string(1, 2, "SALES-NORTH").unwrap();
        s.write_string(1, 3, "销售代表").unwrap();
        let d = rust_xlsxwriter::ExcelDateTime::from_ymd(2021, 9, 1).unwrap();
        s.write_datetime_with_format(1, 4, &d, &date).unwrap();
        s.write_number(1, 5, 13_912_345_678.0).unwrap();
        // Row 3 left without a name.
        s.write_number(2, 0, 1002.0).unwrap();
        s.write_string(2, 2, "SALES-NORTH").unwrap();
        s.write_string(2, 3, "销售代表").unwrap();
        let bytes = book.save_to_buffer().unwrap();

        let t = read_table("people.xlsx", &bytes).unwrap();
        let errors = errors_of(&t);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].to_string(), "人员!B3: 姓名 (name) is empty");

        let t = Table {
            rows: t.rows[..1].to_vec(),
            ..t
        };
        let people = parse_people(&t).unwrap();
        let p = &people[0].1;
        assert_eq!(p.employee_no, "1001");
        assert_eq!(p.hire_date.as_deref(), Some("2021-09-01"));
        assert_eq!(p.phone.as_deref(), Some("13912345678"));
    }

    #[test]
    fn random_bytes_named_xlsx_are_a_file_error() {
        let bytes: Vec<u8> = (0u8..=255).rev().cycle().take(3000).collect();
        assert!(matches!(
            read_table("x.xlsx", &bytes),
            Err(TransferError::File { .. })
        ));
    }
}
