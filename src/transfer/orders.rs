//! Order import: one order line per row; rows with the same order number
//! are the lines of one order. Headers in Chinese or as English field
//! codes: 订单号, 客户, 销售工号, 下单日期, 产品, 类别, 数量, 单价, 金额
//! (`order_no, customer, employee_no, order_date, product, category,
//! quantity, unit_price, amount`), optionally 第二销售工号 and 分成比例
//! (`second_employee_no, share`: the first salesperson's percent; the
//! second gets the rest).
//!
//! All or nothing: every problem is reported at its cell (`orders!C5`) and
//! nothing is written while one remains. A customer name not yet known
//! creates the customer (owned by the order's first salesperson); an order
//! number that already exists is an error, so importing the same file
//! twice does not double the orders.
//!
//! Built for volume: a CSV file is parsed as it streams (no intermediate
//! table), everything is checked in memory, and the orders are written
//! with multi-row statements in one figures-lane transaction that tells
//! the computed actuals once about every (salesperson, day) touched.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Serialize;

use super::{CellError, Table, TransferError, column_letter};
use crate::domain::access::{Actor, PersonId};
use crate::domain::metric::{Kind, parse_value};
use crate::storage::computed;
use crate::storage::orders::{self as store, BulkOrder, Line};
use crate::storage::{self, Db, Lane, audit, customers};

/// The most data rows a CSV file may hold (an .xlsx goes through
/// [`super::read_table`] and its limit).
pub const MAX_CSV_ROWS: usize = 2_000_000;

/// The most problems reported for one file; the rest are counted.
pub const MAX_PROBLEMS: usize = 1000;

struct Column {
    zh: &'static str,
    code: &'static str,
    required: bool,
}

const COLUMNS: [Column; 11] = [
    Column {
        zh: "订单号",
        code: "order_no",
        required: true,
    },
    Column {
        zh: "客户",
        code: "customer",
        required: true,
    },
    Column {
        zh: "销售工号",
        code: "employee_no",
        required: true,
    },
    Column {
        zh: "下单日期",
        code: "order_date",
        required: true,
    },
    Column {
        zh: "产品",
        code: "product",
        required: true,
    },
    Column {
        zh: "类别",
        code: "category",
        required: false,
    },
    Column {
        zh: "数量",
        code: "quantity",
        required: true,
    },
    Column {
        zh: "单价",
        code: "unit_price",
        required: true,
    },
    Column {
        zh: "金额",
        code: "amount",
        required: false,
    },
    Column {
        zh: "第二销售工号",
        code: "second_employee_no",
        required: false,
    },
    Column {
        zh: "分成比例",
        code: "share",
        required: false,
    },
];

const ORDER_NO: usize = 0;
const CUSTOMER: usize = 1;
const EMPLOYEE_NO: usize = 2;
const ORDER_DATE: usize = 3;
const PRODUCT: usize = 4;
const CATEGORY: usize = 5;
const QUANTITY: usize = 6;
const UNIT_PRICE: usize = 7;
const AMOUNT: usize = 8;
const SECOND: usize = 9;
const SHARE: usize = 10;

fn expected_headers() -> String {
    COLUMNS
        .iter()
        .map(|c| format!("{}/{}", c.zh, c.code))
        .collect::<Vec<_>>()
        .join(", ")
}

fn header_key(header: &str) -> String {
    header
        .trim()
        .trim_start_matches('\u{feff}')
        .trim_matches(|c: char| c == '*' || c == '＊' || c.is_whitespace())
        .to_lowercase()
        .replace([' ', '-'], "_")
}

/// For each accepted column, the 0-based index of its header.
type Layout = [Option<usize>; COLUMNS.len()];

/// Maps the header row; unknown, duplicate and missing headers are errors.
fn layout(sheet: &str, header_row: usize, headers: &[&str]) -> (Layout, Vec<CellError>) {
    let mut found: Layout = [None; COLUMNS.len()];
    let mut errors = Vec::new();
    let at =
        |col: Option<usize>, en: String, zh: String| CellError::new(sheet, header_row, col, en, zh);
    for (i, header) in headers.iter().enumerate() {
        if header.trim().is_empty() {
            continue;
        }
        let key = header_key(header);
        match COLUMNS.iter().position(|c| key == c.zh || key == c.code) {
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

/// What the import did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct OrderImportSummary {
    /// Data rows read (order lines).
    pub rows: usize,
    /// Orders created.
    pub orders: usize,
    /// Customers created because their name was not known yet.
    pub customers_created: Vec<String>,
}

/// Where an import is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Rows read and checked so far.
    Reading,
    /// Looking up salespeople, order numbers and customers.
    Checking,
    /// Lines written so far, of `total`.
    Writing,
    /// The computed actuals of the people and days touched.
    Figures,
    Done,
}

#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub stage: Stage,
    pub done: usize,
    pub total: usize,
}

/// Hears the progress of an import (the command line draws it).
pub type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// A listener that ignores everything.
pub fn no_progress() -> ProgressFn {
    Arc::new(|_| {})
}

/// Why a file was not imported.
#[derive(Debug)]
pub enum ImportError {
    File(TransferError),
    Storage(storage::Error),
}

impl From<TransferError> for ImportError {
    fn from(e: TransferError) -> Self {
        ImportError::File(e)
    }
}

impl From<storage::Error> for ImportError {
    fn from(e: storage::Error) -> Self {
        ImportError::Storage(e)
    }
}

impl From<sea_orm::DbErr> for ImportError {
    fn from(e: sea_orm::DbErr) -> Self {
        ImportError::Storage(e.into())
    }
}

/// An order as read from the file, before the database is asked.
#[derive(Debug, Clone)]
struct Pending {
    /// The row of its first line.
    row: usize,
    order_no: String,
    customer: String,
    employee_no: String,
    second: Option<String>,
    /// The first salesperson's share, hundredths of a percent.
    share: i32,
    date_text: String,
    order_date: NaiveDate,
    lines: Vec<Line>,
}

/// The rows of a file turned into orders, with every problem found.
struct Reader {
    sheet: String,
    found: Layout,
    tz: Tz,
    orders: Vec<Pending>,
    index: HashMap<String, usize>,
    rows: usize,
    errors: Vec<CellError>,
    /// Problems past [`MAX_PROBLEMS`].
    more: usize,
}

impl Reader {
    fn new(sheet: &str, found: Layout, tz: Tz) -> Reader {
        Reader {
            sheet: sheet.to_owned(),
            found,
            tz,
            orders: Vec::new(),
            index: HashMap::new(),
            rows: 0,
            errors: Vec::new(),
            more: 0,
        }
    }

    fn error(&mut self, row: usize, field: usize, en: String, zh: String) {
        if self.errors.len() >= MAX_PROBLEMS {
            self.more += 1;
            return;
        }
        self.errors.push(
            CellError::new(&self.sheet, row, self.found[field], en, zh)
                .with_field(COLUMNS[field].code),
        );
    }

    fn empty(&mut self, row: usize, field: usize) {
        let c = &COLUMNS[field];
        self.error(
            row,
            field,
            format!("{} ({}) is empty", c.zh, c.code),
            format!("{}不能为空", c.zh),
        );
    }

    /// One data row; `cell(i)` is the trimmed text of column `i`.
    fn row<'a>(&mut self, row: usize, cell: impl Fn(usize) -> &'a str) {
        self.rows += 1;
        let found = self.found;
        let text = |f: usize| found[f].map(&cell).unwrap_or("");
        let order_no = text(ORDER_NO);
        let customer = text(CUSTOMER);
        let employee_no = text(EMPLOYEE_NO);
        let date_text = text(ORDER_DATE);
        let second = Some(text(SECOND)).filter(|s| !s.is_empty());
        let share_text = text(SHARE);
        let mut ok = true;
        if order_no.is_empty() {
            self.empty(row, ORDER_NO);
            ok = false;
        } else if order_no.chars().count() > store::MAX_ORDER_NO {
            self.error(
                row,
                ORDER_NO,
                format!("at most {} characters", store::MAX_ORDER_NO),
                format!("订单号最多 {} 个字符", store::MAX_ORDER_NO),
            );
            ok = false;
        }
        // The line itself.
        let mut line_errors: Vec<(usize, String, String)> = Vec::new();
        let line = {
            let mut push = |field: &'static str, en: String, zh: String| {
                let f = COLUMNS
                    .iter()
                    .position(|c| c.code == field)
                    .unwrap_or(PRODUCT);
                line_errors.push((f, en, zh));
            };
            let quantity = text(QUANTITY);
            let price = text(UNIT_PRICE);
            let product = text(PRODUCT);
            // Empty cells are reported as such (an empty message here).
            if product.is_empty() {
                push("product", String::new(), String::new());
            }
            if quantity.is_empty() {
                push("quantity", String::new(), String::new());
            }
            if price.is_empty() {
                push("unit_price", String::new(), String::new());
            }
            if quantity.is_empty() || price.is_empty() {
                None
            } else {
                let mut checked = |field: &'static str, en: String, zh: String| {
                    if !(field == "product" && product.is_empty()) {
                        push(field, en, zh);
                    }
                };
                store::check_line(
                    product,
                    Some(text(CATEGORY)),
                    quantity,
                    price,
                    Some(text(AMOUNT)),
                    &mut checked,
                )
            }
        };
        for (f, en, zh) in line_errors {
            if en.is_empty() {
                self.empty(row, f);
            } else {
                self.error(row, f, en, zh);
            }
        }
        if !ok {
            return;
        }
        if let Some(&i) = self.index.get(order_no) {
            // A further line: the order's fields must agree with its first.
            let (first_row, checks) = {
                let o = &self.orders[i];
                (
                    o.row,
                    [
                        (CUSTOMER, customer != o.customer),
                        (EMPLOYEE_NO, employee_no != o.employee_no),
                        (
                            ORDER_DATE,
                            date_text != o.date_text
                                && store::parse_day(date_text, self.tz).ok() != Some(o.order_date),
                        ),
                        (SECOND, second != o.second.as_deref()),
                    ],
                )
            };
            for (f, differs) in checks {
                if differs {
                    let c = &COLUMNS[f];
                    self.error(
                        row,
                        f,
                        format!(
                            "{} ({}) differs from row {first_row}, the first line of order {order_no}",
                            c.zh, c.code
                        ),
                        format!("{}与订单 {order_no} 的第一行（第 {first_row} 行）不一致", c.zh),
                    );
                }
            }
            if !share_text.is_empty()
                && share_of(share_text, second.is_some()).ok() != Some(self.orders[i].share)
            {
                self.error(
                    row,
                    SHARE,
                    format!(
                        "分成比例 (share) differs from row {first_row}, the first line of order {order_no}"
                    ),
                    format!("分成比例与订单 {order_no} 的第一行（第 {first_row} 行）不一致"),
                );
            }
            if let Some(l) = line {
                self.orders[i].lines.push(l);
            }
            return;
        }
        // The first line of an order.
        let mut order_ok = true;
        if customer.is_empty() {
            self.empty(row, CUSTOMER);
            order_ok = false;
        } else if customer.chars().count() > store::MAX_CUSTOMER {
            self.error(
                row,
                CUSTOMER,
                format!("at most {} characters", store::MAX_CUSTOMER),
                format!("客户名称最多 {} 个字符", store::MAX_CUSTOMER),
            );
            order_ok = false;
        }
        if employee_no.is_empty() {
            self.empty(row, EMPLOYEE_NO);
            order_ok = false;
        }
        let date = if date_text.is_empty() {
            self.empty(row, ORDER_DATE);
            None
        } else {
            match store::parse_day(date_text, self.tz) {
                Ok(d) => Some(d),
                Err(e) => {
                    self.error(
                        row,
                        ORDER_DATE,
                        format!("\"{date_text}\" {}", e.en),
                        format!("\"{date_text}\" {}", e.zh),
                    );
                    None
                }
            }
        };
        if second.is_some_and(|s| s == employee_no) {
            self.error(
                row,
                SECOND,
                "the second salesperson is the first one again".into(),
                "第二销售与第一销售相同".into(),
            );
            order_ok = false;
        }
        let share = if share_text.is_empty() {
            Some(if second.is_some() { 5000 } else { 10000 })
        } else {
            match share_of(share_text, second.is_some()) {
                Ok(s) => Some(s),
                Err((en, zh)) => {
                    self.error(row, SHARE, en, zh);
                    None
                }
            }
        };
        let (Some(date), Some(share), true) = (date, share, order_ok) else {
            // Remember the order anyway so that its other lines are not
            // reported as orders of their own.
            self.index.insert(order_no.to_owned(), self.orders.len());
            self.orders.push(Pending {
                row,
                order_no: order_no.to_owned(),
                customer: customer.to_owned(),
                employee_no: employee_no.to_owned(),
                second: second.map(str::to_owned),
                share: share.unwrap_or(10000),
                date_text: date_text.to_owned(),
                order_date: date.unwrap_or_default(),
                lines: Vec::new(),
            });
            return;
        };
        self.index.insert(order_no.to_owned(), self.orders.len());
        self.orders.push(Pending {
            row,
            order_no: order_no.to_owned(),
            customer: customer.to_owned(),
            employee_no: employee_no.to_owned(),
            second: second.map(str::to_owned),
            share,
            date_text: date_text.to_owned(),
            order_date: date,
            lines: line.into_iter().collect(),
        });
    }
}

/// The first salesperson's share from 分成比例: above 0 and below 100 with a
/// second salesperson, else 100.
fn share_of(text: &str, has_second: bool) -> Result<i32, (String, String)> {
    let v = parse_value(Kind::Percent, text).map_err(|e| {
        (
            format!("\"{text}\" {}", e.en),
            format!("\"{text}\" {}", e.zh),
        )
    })?;
    if has_second && !(1..10000).contains(&v) {
        return Err((
            format!(
                "{text} % must be above 0 and below 100: it is the first salesperson's share, the second gets the rest"
            ),
            format!("分成比例 {text}% 应大于 0 且小于 100：这是第一销售的比例，其余归第二销售"),
        ));
    }
    if !has_second && v != 10000 {
        return Err((
            format!(
                "{text} % without a second salesperson: fill 第二销售工号 (second_employee_no), or leave the share empty"
            ),
            format!("分成比例 {text}% 但没有第二销售：请填写第二销售工号，或将分成比例留空"),
        ));
    }
    i32::try_from(v).map_err(|_| ("is too large".into(), "数值过大".into()))
}

/// Line breaks (`\n`, `\r\n` or a lone `\r`) in `s[range]`, as the table
/// reader counts Excel rows.
fn line_breaks(s: &[u8], range: std::ops::Range<usize>) -> usize {
    range
        .filter(|&i| match s.get(i) {
            Some(b'\n') => true,
            Some(b'\r') => s.get(i + 1) != Some(&b'\n'),
            _ => false,
        })
        .count()
}

/// Reads a UTF-8 CSV file as it streams, row by row, into `Reader`.
fn read_csv(
    sheet: &str,
    bytes: &[u8],
    tz: Tz,
    progress: &ProgressFn,
) -> Result<Reader, TransferError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes
            .get(..e.valid_up_to())
            .map(|b| b.iter().filter(|&&c| c == b'\n').count() + 1)
            .unwrap_or(1);
        TransferError::file(
            format!(
                "the CSV file must be UTF-8 encoded (line {line} is not); in Excel use \"Save as → CSV UTF-8 (Comma delimited)\", or upload the .xlsx file"
            ),
            format!(
                "CSV 文件必须为 UTF-8 编码（第 {line} 行不是）；请在 Excel 中“另存为 → CSV UTF-8（逗号分隔）”，或直接上传 .xlsx 文件"
            ),
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bytes = text.as_bytes();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut record = csv::StringRecord::new();
    let mut out: Option<Reader> = None;
    let (mut counted, mut breaks) = (0usize, 0usize);
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                return Err(TransferError::file(
                    format!("the CSV file cannot be read near line {line}: {e}"),
                    format!("CSV 文件第 {line} 行附近无法读取：{e}"),
                ));
            }
        }
        // Excel's row number: blank lines count, breaks inside quoted
        // cells do not.
        let mut start = record
            .position()
            .and_then(|p| usize::try_from(p.byte()).ok())
            .unwrap_or(counted)
            .max(counted);
        while bytes.get(start).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
            start += 1;
        }
        breaks += line_breaks(bytes, counted..start);
        let row = breaks + 1;
        counted = usize::try_from(reader.position().byte())
            .unwrap_or(bytes.len())
            .clamp(start, bytes.len());
        let inner: usize = record
            .iter()
            .filter(|f| f.contains(['\n', '\r']))
            .map(|f| line_breaks(f.as_bytes(), 0..f.len()))
            .sum();
        breaks += line_breaks(bytes, counted.min(start)..counted).saturating_sub(inner);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        match &mut out {
            None => {
                let headers: Vec<&str> = record.iter().collect();
                let (found, errors) = layout(sheet, row, &headers);
                if !errors.is_empty() {
                    return Err(TransferError::Cells(errors));
                }
                out = Some(Reader::new(sheet, found, tz));
            }
            Some(r) => {
                if r.rows >= MAX_CSV_ROWS {
                    return Err(TransferError::file(
                        format!(
                            "the file has more than {MAX_CSV_ROWS} data rows; split it into smaller files"
                        ),
                        format!("文件数据超过 {MAX_CSV_ROWS} 行，请拆分为多个文件"),
                    ));
                }
                r.row(row, |i| record.get(i).map_or("", str::trim));
                if r.rows % 16384 == 0 {
                    progress(Progress {
                        stage: Stage::Reading,
                        done: r.rows,
                        total: 0,
                    });
                }
            }
        }
    }
    out.ok_or_else(|| {
        TransferError::file(
            format!("the file is empty: sheet \"{sheet}\" has no header row"),
            format!("文件为空：工作表 \"{sheet}\" 没有表头行"),
        )
    })
}

/// Reads a workbook (or any [`Table`]) into `Reader`.
fn read_rows(table: &Table, tz: Tz) -> Result<Reader, TransferError> {
    let headers: Vec<&str> = table.headers.iter().map(String::as_str).collect();
    let (found, errors) = layout(&table.sheet, table.header_row, &headers);
    if !errors.is_empty() {
        return Err(TransferError::Cells(errors));
    }
    let mut r = Reader::new(&table.sheet, found, tz);
    for row in &table.rows {
        r.row(row.row, |i| row.cell(i));
    }
    Ok(r)
}

/// Parses a file (`.csv` streamed, `.xlsx`/`.xlsm` through
/// [`super::read_table`]) into orders, checking everything that needs no
/// database.
fn parse(
    filename: &str,
    bytes: &[u8],
    tz: Tz,
    progress: &ProgressFn,
) -> Result<Reader, TransferError> {
    let base = filename
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(filename)
        .trim();
    let reader = match base.rsplit_once('.') {
        Some((stem, ext)) if ext.eq_ignore_ascii_case("csv") => {
            let sheet = if stem.is_empty() { "Sheet1" } else { stem };
            read_csv(sheet, bytes, tz, progress)?
        }
        _ => read_rows(&super::read_table(filename, bytes)?, tz)?,
    };
    if reader.rows == 0 {
        return Err(TransferError::Cells(vec![CellError::new(
            &reader.sheet,
            1,
            None,
            "there are no data rows below the header",
            "表头下方没有数据行",
        )]));
    }
    Ok(reader)
}

fn with_more(mut errors: Vec<CellError>, more: usize, sheet: &str) -> Vec<CellError> {
    if more > 0 {
        errors.push(CellError::new(
            sheet,
            1,
            None,
            format!("… and {more} more problem(s) not listed; fix the ones above and import again"),
            format!("……另有 {more} 个问题未列出；请先修正以上问题后重新导入"),
        ));
    }
    errors
}

/// Reads, checks and imports an order file, all or nothing: the pipeline
/// behind the API, the orders page and `mubiao import orders`. `actor` is
/// `None` on the command line (the system).
pub async fn import_file(
    db: &Db,
    actor: Option<&Actor>,
    filename: &str,
    bytes: Vec<u8>,
    tz: Tz,
    progress: ProgressFn,
) -> Result<OrderImportSummary, ImportError> {
    if actor.is_some_and(|a| !a.may_import_orders()) {
        return Err(ImportError::Storage(storage::Error::Forbidden));
    }
    // Parsing is CPU work: off the async threads.
    let (name, p) = (filename.to_owned(), progress.clone());
    let mut r = tokio::task::spawn_blocking(move || parse(&name, &bytes, tz, &p))
        .await
        .map_err(|e| {
            ImportError::Storage(storage::Error::Db(sea_orm::DbErr::Custom(e.to_string())))
        })??;
    progress(Progress {
        stage: Stage::Checking,
        done: r.rows,
        total: r.rows,
    });
    let begun = std::time::Instant::now();
    let connection = storage::Bulk::open(db).await?;
    let txn = storage::begin_write(connection.db(), Lane::Figures).await?;
    // Salespeople and order numbers.
    let people = store::people_by_employee_no(&txn).await?;
    let nos: Vec<&str> = r.orders.iter().map(|o| o.order_no.as_str()).collect();
    let taken = store::existing_order_nos(&txn, &nos).await?;
    tracing::debug!(
        us = begun.elapsed().as_micros() as u64,
        "import: salespeople and order numbers read"
    );
    let mut resolved: Vec<Option<Vec<(PersonId, i32)>>> = Vec::with_capacity(r.orders.len());
    let orders = std::mem::take(&mut r.orders);
    for o in &orders {
        if taken.contains(&o.order_no) {
            r.error(
                o.row,
                ORDER_NO,
                format!(
                    "order number \"{}\" already exists; an import only adds new orders",
                    o.order_no
                ),
                format!("订单号 \"{}\" 已存在；导入只能新增订单", o.order_no),
            );
        }
        let mut find = |no: &str, field: usize| match people.get(no) {
            Some((id, true)) => Some(*id),
            Some((_, false)) => {
                r.error(
                    o.row,
                    field,
                    format!("the person with employee no \"{no}\" is no longer active"),
                    format!("工号 \"{no}\" 的人员已停用"),
                );
                None
            }
            None => {
                r.error(
                    o.row,
                    field,
                    format!("no person with employee no \"{no}\""),
                    format!("工号 \"{no}\" 不存在"),
                );
                None
            }
        };
        let first = if o.employee_no.is_empty() {
            None
        } else {
            find(&o.employee_no, EMPLOYEE_NO)
        };
        let second = o.second.as_deref().map(|s| find(s, SECOND));
        resolved.push(match (first, second) {
            (Some(a), None) => Some(vec![(a, 10000)]),
            (Some(a), Some(Some(b))) => {
                let mut c = vec![
                    (a, o.share, o.employee_no.as_str()),
                    (b, 10000 - o.share, o.second.as_deref().unwrap_or_default()),
                ];
                c.sort_by(|x, y| store::credit_order((x.1, Some(x.2)), (y.1, Some(y.2))));
                Some(c.into_iter().map(|(p, s, _)| (p, s)).collect())
            }
            _ => None,
        });
    }
    if !r.errors.is_empty() || r.more > 0 {
        drop(txn);
        let errors = with_more(std::mem::take(&mut r.errors), r.more, &r.sheet);
        return Err(ImportError::File(TransferError::Cells(errors)));
    }
    // Customers: created when unknown, owned by the first salesperson of
    // the first order naming them.
    let names: Vec<(String, Option<PersonId>)> = orders
        .iter()
        .zip(&resolved)
        .map(|(o, credits)| {
            let owner = people
                .get(&o.employee_no)
                .map(|p| p.0)
                .or(credits.as_ref().and_then(|c| c.first().map(|c| c.0)));
            (o.customer.clone(), owner)
        })
        .collect();
    let (customer_ids, created) = customers::find_or_create_by_names(&txn, &names).await?;
    tracing::debug!(
        us = begun.elapsed().as_micros() as u64,
        "import: customers found or created"
    );
    let mut bulk = Vec::with_capacity(orders.len());
    let mut lines_total = 0;
    for (o, credits) in orders.into_iter().zip(resolved) {
        let Some(customer_id) = customer_ids.get(&o.customer).copied() else {
            return Err(ImportError::Storage(storage::Error::NotFound));
        };
        lines_total += o.lines.len();
        bulk.push(BulkOrder {
            order_no: o.order_no,
            customer_id,
            order_date: o.order_date.to_string(),
            lines: o.lines,
            credits: credits.unwrap_or_default(),
        });
    }
    progress(Progress {
        stage: Stage::Writing,
        done: 0,
        total: lines_total,
    });
    let mut written = 0;
    let p = progress.clone();
    let mut tick = move |n: usize| {
        written += n;
        p(Progress {
            stage: Stage::Writing,
            done: written,
            total: lines_total,
        });
    };
    let order_count = bulk.len();
    let started = std::time::Instant::now();
    let (touched, moved) = store::bulk_insert(&txn, actor, bulk, &mut tick).await?;
    progress(Progress {
        stage: Stage::Figures,
        done: touched.len(),
        total: touched.len(),
    });
    let shape = crate::storage::cache::Shape::read(&txn).await?;
    // Every source fed by orders, also those an entered order cannot
    // change (collections, shipments): a salesperson's month then holds
    // every figure an order entered alone would give it — nothing
    // collected yet is 0, not blank.
    computed::orders_changed(&txn, &shape, &touched, &moved).await?;
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "import: written, computed actuals"
    );
    let mut entries: Vec<_> = created
        .iter()
        .map(|name| {
            audit::entry(
                actor,
                "create",
                "customer",
                name,
                None,
                Some(serde_json::json!({"name": name, "via": "order import"})),
            )
        })
        .collect();
    entries.push(audit::entry(
        actor,
        "import",
        "order_import",
        filename,
        None,
        Some(serde_json::json!({
            "rows": r.rows,
            "orders": order_count,
            "customers_created": created.len(),
        })),
    ));
    audit::record_many(&txn, entries).await?;
    txn.commit().await?;
    connection.finish(db).await;
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "import: committed"
    );
    progress(Progress {
        stage: Stage::Done,
        done: lines_total,
        total: lines_total,
    });
    Ok(OrderImportSummary {
        rows: r.rows,
        orders: order_count,
        customers_created: created,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SH: Tz = chrono_tz::Asia::Shanghai;

    fn parsed(text: &str) -> Result<Reader, TransferError> {
        parse("orders.csv", text.as_bytes(), SH, &no_progress())
    }

    fn problems(text: &str) -> Vec<String> {
        match parsed(text) {
            Ok(r) => r.errors.iter().map(|e| e.to_string()).collect(),
            Err(TransferError::Cells(c)) => c.iter().map(|e| e.to_string()).collect(),
            Err(e) => vec![e.to_string()],
        }
    }

    const HEAD: &str = "订单号,客户,销售工号,下单日期,产品,类别,数量,单价,金额\n";

    #[test]
    fn rows_of_one_order_become_its_lines() {
        let r = parsed(&format!(
            "{HEAD}A1,华为,E1,2026-03-05,轿车,整车,2,100.00,200\n\
             A1,华为,E1,2026-03-05,配件,,1.5,3.33,\n\
             A2,中兴,E2,2026-03-31T16:00:00Z,SUV,整车,-1,50,-50.00\n"
        ))
        .unwrap();
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.rows, 3);
        assert_eq!(r.orders.len(), 2);
        assert_eq!(r.orders[0].lines.len(), 2);
        assert_eq!(r.orders[0].lines[1].amount, 500);
        assert_eq!(r.orders[1].order_date.to_string(), "2026-04-01");
        assert_eq!(r.orders[1].lines[0].amount, -5000);
    }

    #[test]
    fn english_headers_and_a_split() {
        let r = parsed(
            "order_no,customer,employee_no,order_date,product,quantity,unit_price,second_employee_no,share\n\
             B1,X,E1,2026-01-02,P,1,10,E2,60\n",
        )
        .unwrap();
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.orders[0].share, 6000);
        assert_eq!(r.orders[0].second.as_deref(), Some("E2"));
    }

    #[test]
    fn every_cell_error_is_located() {
        let p = problems(&format!(
            "{HEAD}A1,华为,E1,2026-03-05,轿车,整车,2,100.00,201\n\
             A1,中兴,E1,2026-03-06,配件,,x,3.33,\n\
             ,华为,E1,2026-03-05,轿车,整车,2,1,\n\
             A3,华为,E1,2026-02-30,,整车,0,-1,\n"
        ));
        assert_eq!(
            p.iter()
                .map(|e| e.split(':').next().unwrap_or(""))
                .collect::<Vec<_>>(),
            [
                "orders!I2",
                "orders!G3",
                "orders!B3",
                "orders!D3",
                "orders!A4",
                "orders!E5",
                "orders!G5",
                "orders!H5",
                "orders!D5"
            ],
            "{p:#?}"
        );
        assert!(p[0].contains("2 × 100.00 = 200.00"), "{}", p[0]);
    }

    #[test]
    fn header_problems() {
        let p = problems("订单号,客户,销售工号,产品,数量,单价,备注\nA,B,C,D,1,1,x\n");
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(
            p[0].starts_with("orders!G1: unknown column header"),
            "{p:?}"
        );
        assert!(p[1].contains("下单日期"), "{p:?}");
    }

    #[test]
    fn shares_must_fit_the_second_salesperson() {
        let head = "订单号,客户,销售工号,下单日期,产品,数量,单价,第二销售工号,分成比例\n";
        let p = problems(&format!(
            "{head}A,B,E1,2026-01-01,P,1,1,E2,100\nB,B,E1,2026-01-01,P,1,1,,60\nC,B,E1,2026-01-01,P,1,1,E1,\n"
        ));
        assert_eq!(
            p.iter()
                .map(|e| e.split(':').next().unwrap_or(""))
                .collect::<Vec<_>>(),
            ["orders!I2", "orders!I3", "orders!H4"],
            "{p:#?}"
        );
        let r = parsed(&format!("{head}A,B,E1,2026-01-01,P,1,1,E2,\n")).unwrap();
        assert_eq!(r.orders[0].share, 5000);
    }

    #[test]
    fn row_numbers_count_blank_lines() {
        let p = problems(&format!("{HEAD}\nA1,华为,E1,2026-03-05,轿车,整车,x,1,\n"));
        assert_eq!(p.len(), 1);
        assert!(p[0].starts_with("orders!G3:"), "{p:?}");
    }
}
