//! Excel and CSV in and out.
//!
//! Every import starts with [`read_table`], which turns an uploaded `.xlsx`,
//! `.xlsm` or `.csv` file into a plain [`Table`] of trimmed strings, so that
//! each importer (people, targets, actuals, …) only deals with headers and
//! text, and every problem is reported as a [`CellError`] pointing at the
//! cell the user has to fix (`Sheet1!D7`).

pub mod orders;
pub mod people;
pub mod table;

use std::collections::BTreeMap;
use std::fmt;
use std::io::Cursor;

use calamine::{DataRef, ExcelDateTime, Reader, SheetType, SheetVisible, Xlsx, XlsxError};

/// The most data rows (below the header) one file may hold: imports run in
/// one transaction, and a bigger file is almost always a mistake (a whole
/// column formatted down to row 1,048,576).
pub const MAX_ROWS: usize = 100_000;

/// The rightmost column a value may be in (`AMJ`). Keeps a stray value far
/// to the right from blowing every row up to 16,384 cells.
pub const MAX_COLUMNS: usize = 1_024;

/// The most cells (including the empty ones between values) one file may
/// expand to, so that a small file cannot make the server allocate gigabytes.
pub const MAX_CELLS: usize = 4_000_000;

/// The most text one file may expand to: a long shared string repeated in
/// many cells is stored once in the file but copied into every cell here.
pub const MAX_TEXT_BYTES: usize = 64 * 1024 * 1024;

/// The file extensions [`read_table`] accepts, for messages.
const ACCEPTED: &str = ".xlsx, .xlsm, .csv";

/// One sheet of an uploaded file, as text.
///
/// Column `i` (0 = `A`) of the sheet is `headers[i]` and `cells[i]` of every
/// row, so a position can always be turned back into the cell the user sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Sheet name for messages: the worksheet's name, or the file name stem
    /// for CSV (`people` for `people.csv`).
    pub sheet: String,
    /// 1-based row number of the header row (the first non-empty row).
    pub header_row: usize,
    /// Header cells, trimmed; `""` where a column has no header.
    pub headers: Vec<String>,
    /// The non-empty rows below the header, in file order.
    pub rows: Vec<TableRow>,
}

/// One non-empty row of a [`Table`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRow {
    /// 1-based row number as the user sees it in Excel or the CSV file.
    pub row: usize,
    /// Cell texts, trimmed, from column `A` up to the row's last non-empty
    /// cell: a row may be shorter (or longer) than the headers, so read it
    /// with [`TableRow::cell`].
    pub cells: Vec<String>,
}

impl TableRow {
    /// The text of column `index0` (0 = `A`), `""` past the row's end.
    pub fn cell(&self, index0: usize) -> &str {
        self.cells.get(index0).map(String::as_str).unwrap_or("")
    }
}

/// A problem with one cell (or one row, or one column header) of an uploaded
/// file, in both languages, located the way Excel shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct CellError {
    pub sheet: String,
    /// 1-based row number.
    pub row: usize,
    /// Column letter (`D`), when the problem is in one cell.
    pub column: Option<String>,
    /// The field code (`employee_no`), when the column maps to one.
    pub field: Option<String>,
    pub message: String,
    /// The same message in Chinese.
    pub message_zh: String,
}

impl CellError {
    /// An error at `row` (1-based) and column `column0` (0 = `A`) of `sheet`.
    pub fn new(
        sheet: &str,
        row: usize,
        column0: Option<usize>,
        message: impl Into<String>,
        message_zh: impl Into<String>,
    ) -> Self {
        CellError {
            sheet: sheet.to_owned(),
            row,
            column: column0.map(column_letter),
            field: None,
            message: message.into(),
            message_zh: message_zh.into(),
        }
    }

    /// The same error, tied to a field code.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Where the problem is, as Excel writes a reference: `Sheet1!D7`, or
    /// `Sheet1!7` for a whole row. Sheet names with spaces or punctuation are
    /// quoted (`'My sheet'!D7`), as Excel does.
    pub fn location(&self) -> String {
        let plain = self
            .sheet
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.');
        let sheet = if plain && !self.sheet.is_empty() {
            self.sheet.clone()
        } else {
            format!("'{}'", self.sheet.replace('\'', "''"))
        };
        format!(
            "{sheet}!{}{}",
            self.column.as_deref().unwrap_or(""),
            self.row
        )
    }
}

impl fmt::Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location(), self.message)
    }
}

/// Why a file could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// The file as a whole is unusable: wrong type, corrupt, not UTF-8, too
    /// big, empty.
    #[error("{message}")]
    File { message: String, message_zh: String },
    /// The file was read, but some cells are wrong; nothing was imported.
    #[error("{n} problem(s) in the file", n = .0.len())]
    Cells(Vec<CellError>),
}

impl TransferError {
    /// A whole-file error in both languages.
    pub fn file(message: impl Into<String>, message_zh: impl Into<String>) -> Self {
        TransferError::File {
            message: message.into(),
            message_zh: message_zh.into(),
        }
    }
}

impl From<Vec<CellError>> for TransferError {
    fn from(errors: Vec<CellError>) -> Self {
        TransferError::Cells(errors)
    }
}

/// Excel's letter for a 0-based column index: 0 → `A`, 25 → `Z`, 26 → `AA`.
pub fn column_letter(index0: usize) -> String {
    let mut letters = Vec::new();
    let mut n = index0 + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        // rem < 26, so the cast cannot truncate.
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// Reads the first worksheet of an `.xlsx`/`.xlsm` file, or a UTF-8 `.csv`
/// file, chosen by the extension of `filename`.
///
/// Cells become trimmed text: whole numbers without `.0` (employee no 1001
/// stays `1001`), dates as `YYYY-MM-DD`, empty cells as `""`. Fully empty
/// rows are skipped; the first non-empty row is the header. Cells holding an
/// Excel error (`#REF!`, `#N/A`, …) are reported as [`TransferError::Cells`]
/// rather than read as text.
pub fn read_table(filename: &str, bytes: &[u8]) -> Result<Table, TransferError> {
    let base = filename
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(filename)
        .trim();
    let (stem, ext) = match base.rsplit_once('.') {
        Some((stem, ext)) => (stem, ext.to_ascii_lowercase()),
        None => (base, String::new()),
    };
    let grid = match ext.as_str() {
        "xlsx" | "xlsm" => read_xlsx(bytes)?,
        "csv" => {
            let sheet = if stem.is_empty() { "Sheet1" } else { stem };
            read_csv(sheet, bytes)?
        }
        "xls" | "et" | "ods" | "numbers" => {
            return Err(TransferError::file(
                format!(
                    "\"{base}\" is not accepted: save it as .xlsx (Excel Workbook) or CSV UTF-8 first; accepted: {ACCEPTED}"
                ),
                format!(
                    "不支持文件 \"{base}\"：请先另存为 .xlsx（Excel 工作簿）或 CSV UTF-8 格式；可接受：{ACCEPTED}"
                ),
            ));
        }
        _ => {
            return Err(TransferError::file(
                format!("\"{base}\" is not accepted: the file must end in one of {ACCEPTED}"),
                format!("不支持文件 \"{base}\"：文件扩展名须为 {ACCEPTED} 之一"),
            ));
        }
    };
    grid.into_table()
}

/// Rows as read, before the header is picked: non-empty rows only, each
/// with its 1-based row number.
struct Grid {
    sheet: String,
    rows: Vec<TableRow>,
    /// Cells holding an Excel error value.
    errors: Vec<CellError>,
}

impl Grid {
    fn into_table(self) -> Result<Table, TransferError> {
        if !self.errors.is_empty() {
            return Err(TransferError::Cells(self.errors));
        }
        let mut rows = self.rows.into_iter();
        let Some(header) = rows.next() else {
            return Err(TransferError::file(
                format!(
                    "the file is empty: sheet \"{}\" has no header row",
                    self.sheet
                ),
                format!("文件为空：工作表 \"{}\" 没有表头行", self.sheet),
            ));
        };
        Ok(Table {
            sheet: self.sheet,
            header_row: header.row,
            headers: header.cells,
            rows: rows.collect(),
        })
    }
}

/// Counts what a file expands to, and stops it at the limits.
#[derive(Default)]
struct Budget {
    rows: usize,
    cells: usize,
    bytes: usize,
}

impl Budget {
    /// Accounts for one more non-empty row.
    fn row(&mut self) -> Result<(), TransferError> {
        self.rows += 1;
        // The first row is the header.
        if self.rows > MAX_ROWS + 1 {
            return Err(TransferError::file(
                format!("the file has more than {MAX_ROWS} data rows; split it into smaller files"),
                format!("文件数据超过 {MAX_ROWS} 行，请拆分为多个文件"),
            ));
        }
        Ok(())
    }

    /// Accounts for `n` more cells holding `bytes` bytes of text.
    fn cells(&mut self, n: usize, bytes: usize) -> Result<(), TransferError> {
        self.cells += n;
        self.bytes += bytes;
        if self.cells > MAX_CELLS || self.bytes > MAX_TEXT_BYTES {
            return Err(TransferError::file(
                "the file holds too much data for one import; split it into smaller files",
                "文件数据量过大，无法一次导入，请拆分为多个文件",
            ));
        }
        Ok(())
    }
}

fn too_wide(sheet: &str, row: usize, column0: usize) -> TransferError {
    let at = CellError::new(sheet, row, Some(column0), "", "").location();
    let last = column_letter(MAX_COLUMNS - 1);
    TransferError::file(
        format!(
            "cell {at} is beyond the last accepted column {last}; delete the columns to its right"
        ),
        format!("单元格 {at} 超出了最右可用列 {last}，请删除多余的列"),
    )
}

fn not_xlsx(e: &XlsxError) -> TransferError {
    tracing::debug!(error = %e, "unreadable xlsx upload");
    TransferError::file(
        format!(
            "not a valid .xlsx file ({e}); save it again from Excel as \"Excel Workbook (*.xlsx)\""
        ),
        "不是有效的 .xlsx 文件，请在 Excel 中另存为“Excel 工作簿 (*.xlsx)”后重试",
    )
}

/// The first visible worksheet (or the first worksheet, if all are hidden).
fn first_worksheet(sheets: &[calamine::Sheet]) -> Option<String> {
    let worksheets = || sheets.iter().filter(|s| s.typ == SheetType::WorkSheet);
    worksheets()
        .find(|s| s.visible == SheetVisible::Visible)
        .or_else(|| worksheets().next())
        .map(|s| s.name.clone())
}

/// Largest total an .xlsx may unpack to. calamine reads the shared strings
/// whole before any row limit applies, so a small upload that inflates to
/// gigabytes (a zip bomb) is refused from the zip directory alone.
pub const MAX_UNPACKED_BYTES: u128 = 200 * 1024 * 1024;

fn check_unpacked_size(bytes: &[u8], limit: u128) -> Result<(), TransferError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        tracing::debug!(error = %e, "unreadable xlsx upload");
        TransferError::file(
            "not a valid .xlsx file; save it again from Excel as \"Excel Workbook (*.xlsx)\"",
            "不是有效的 .xlsx 文件，请在 Excel 中另存为“Excel 工作簿 (*.xlsx)”后重试",
        )
    })?;
    // The sizes come from the central directory; nothing is inflated here.
    let mut total: u128 = 0;
    for i in 0..archive.len() {
        let size = archive
            .by_index_raw(i)
            .map(|f| f.size())
            .unwrap_or(u64::MAX);
        total = total.saturating_add(u128::from(size));
    }
    if total <= limit {
        return Ok(());
    }
    Err(TransferError::file(
        format!(
            "the workbook unpacks to more than {} MB; split it into smaller files",
            limit / 1024 / 1024
        ),
        format!(
            "工作簿解压后超过 {} MB，请拆分为较小的文件",
            limit / 1024 / 1024
        ),
    ))
}

/// Streams the cells of the first worksheet, so that the limits apply
/// before anything large is allocated (calamine's `worksheet_range` would
/// allocate the whole bounding box first).
fn read_xlsx(bytes: &[u8]) -> Result<Grid, TransferError> {
    check_unpacked_size(bytes, MAX_UNPACKED_BYTES)?;
    let mut book: Xlsx<Cursor<&[u8]>> = Xlsx::new(Cursor::new(bytes)).map_err(|e| not_xlsx(&e))?;
    let Some(sheet) = first_worksheet(book.sheets_metadata()) else {
        return Err(TransferError::file(
            "the workbook has no worksheet",
            "工作簿中没有工作表",
        ));
    };
    // Row (0-based) → (column 0-based, text) of its non-empty cells.
    let mut sparse: BTreeMap<u32, Vec<(u32, String)>> = BTreeMap::new();
    let mut errors = Vec::new();
    let mut budget = Budget::default();
    match book.worksheet_cells_reader(&sheet) {
        // A sheet without a single cell comes back as "not a worksheet".
        Err(XlsxError::NotAWorksheet(_)) => {}
        Err(e) => return Err(not_xlsx(&e)),
        Ok(mut cells) => {
            while let Some(cell) = cells.next_cell().map_err(|e| not_xlsx(&e))? {
                let (r, c) = cell.get_position();
                let row1 = r as usize + 1;
                let text = match cell.get_value() {
                    DataRef::Error(err) => {
                        budget.cells(1, 0)?;
                        errors.push(CellError::new(
                            &sheet,
                            row1,
                            Some(c as usize),
                            format!("the cell holds the Excel error {err}; enter a value"),
                            format!("单元格内容为 Excel 错误 {err}，请填写有效值"),
                        ));
                        continue;
                    }
                    v => data_ref_text(v),
                };
                if text.is_empty() {
                    continue;
                }
                if c as usize >= MAX_COLUMNS {
                    return Err(too_wide(&sheet, row1, c as usize));
                }
                let row = sparse.entry(r).or_default();
                if row.is_empty() {
                    budget.row()?;
                }
                budget.cells(1, text.len())?;
                row.push((c, text));
            }
        }
    }
    // Now the empty cells between values count too.
    let mut dense_budget = Budget::default();
    let mut rows = Vec::with_capacity(sparse.len());
    for (r, mut cells) in sparse {
        cells.sort_by_key(|(c, _)| *c);
        let width = cells.last().map(|(c, _)| *c as usize + 1).unwrap_or(0);
        dense_budget.cells(width, 0)?;
        let mut dense = vec![String::new(); width];
        for (c, text) in cells {
            if let Some(slot) = dense.get_mut(c as usize) {
                *slot = text;
            }
        }
        rows.push(TableRow {
            row: r as usize + 1,
            cells: dense,
        });
    }
    Ok(Grid {
        sheet,
        rows,
        errors,
    })
}

fn data_ref_text(v: &DataRef<'_>) -> String {
    match v {
        DataRef::SharedString(s) => s.trim().to_owned(),
        DataRef::String(s) => s.trim().to_owned(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number_text(*f),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        DataRef::DateTime(d) => datetime_text(d),
        DataRef::DateTimeIso(s) => iso_datetime_text(s),
        DataRef::DurationIso(s) => s.trim().to_owned(),
        DataRef::Error(e) => e.to_string(),
        DataRef::Empty => String::new(),
    }
}

/// Whole numbers without `.0`, so that codes typed as numbers (employee no
/// 1001, phone 13800138000) read back exactly as typed.
fn number_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        // Exact: a whole f64 below 1e15 fits an i64.
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// Dates as `YYYY-MM-DD`; a time of day, if any, as ` HH:MM:SS`; a bare
/// time or a duration as `HH:MM:SS`.
fn datetime_text(d: &ExcelDateTime) -> String {
    if d.is_duration() {
        let secs = (d.as_f64() * 86_400.0).round();
        if !secs.is_finite() || secs.abs() > 1e12 {
            return number_text(d.as_f64());
        }
        // Bounded above, so the cast is exact.
        let secs = secs as i64;
        let sign = if secs < 0 { "-" } else { "" };
        let secs = secs.abs();
        return format!(
            "{sign}{}:{:02}:{:02}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        );
    }
    let (y, mo, day, h, mi, s, _ms) = d.to_ymd_hms_milli();
    let time = format!("{h:02}:{mi:02}:{s:02}");
    if d.as_f64() >= 0.0 && d.as_f64() < 1.0 {
        time
    } else if (h, mi, s) == (0, 0, 0) {
        format!("{y:04}-{mo:02}-{day:02}")
    } else {
        format!("{y:04}-{mo:02}-{day:02} {time}")
    }
}

/// ISO dates stored as text (`t="d"` cells): midnight dropped.
fn iso_datetime_text(s: &str) -> String {
    let s = s.trim();
    match s.split_once('T') {
        Some((date, time))
            if time
                .trim_end_matches('Z')
                .trim_start_matches("00:00:00")
                .trim_start_matches('.')
                .chars()
                .all(|c| c == '0') =>
        {
            date.to_owned()
        }
        Some((date, time)) => format!("{date} {time}"),
        None => s.to_owned(),
    }
}

/// Reads a UTF-8 CSV file (with or without BOM). Row numbers count records
/// the way Excel shows the file: blank lines count as rows, a quoted cell
/// spanning several lines does not add rows.
fn read_csv(sheet: &str, bytes: &[u8]) -> Result<Grid, TransferError> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let line = bytes
                .get(..e.valid_up_to())
                .map(|b| b.iter().filter(|&&c| c == b'\n').count() + 1)
                .unwrap_or(1);
            return Err(TransferError::file(
                format!(
                    "the CSV file must be UTF-8 encoded (line {line} is not); in Excel use \"Save as → CSV UTF-8 (Comma delimited)\", or upload the .xlsx file"
                ),
                format!(
                    "CSV 文件必须为 UTF-8 编码（第 {line} 行不是）；请在 Excel 中“另存为 → CSV UTF-8（逗号分隔）”，或直接上传 .xlsx 文件"
                ),
            ));
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut budget = Budget::default();
    let bytes = text.as_bytes();
    // Line breaks outside quoted cells before `counted`: Excel's row number
    // (csv's own line numbers count breaks inside quoted cells, and place a
    // record after blank lines at the first blank line).
    let mut counted = 0;
    let mut breaks = 0;
    let mut record = csv::StringRecord::new();
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
        // The record starts after any blank lines csv skipped.
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
        // Continue after the record's own terminator; the breaks inside its
        // quoted cells are not rows.
        counted = usize::try_from(reader.position().byte())
            .unwrap_or(bytes.len())
            .clamp(start, bytes.len());
        let inner: usize = record
            .iter()
            .map(|f| line_breaks(f.as_bytes(), 0..f.len()))
            .sum();
        breaks += line_breaks(bytes, start..counted).saturating_sub(inner);
        let mut cells: Vec<String> = record.iter().map(|f| f.trim().to_owned()).collect();
        while cells.last().is_some_and(String::is_empty) {
            cells.pop();
        }
        if cells.is_empty() {
            continue;
        }
        if cells.len() > MAX_COLUMNS {
            return Err(too_wide(sheet, row, cells.len() - 1));
        }
        budget.row()?;
        budget.cells(cells.len(), cells.iter().map(String::len).sum())?;
        rows.push(TableRow { row, cells });
    }
    Ok(Grid {
        sheet: sheet.to_owned(),
        rows,
        errors: Vec::new(),
    })
}

/// Line breaks (`\n`, `\r\n` or a lone `\r`) in `s[range]`, looking past
/// the range's end so that a `\r\n` split by it counts once.
fn line_breaks(s: &[u8], range: std::ops::Range<usize>) -> usize {
    range
        .filter(|&i| match s.get(i) {
            Some(b'\n') => true,
            Some(b'\r') => s.get(i + 1) != Some(&b'\n'),
            _ => false,
        })
        .count()
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_workbook_that_unpacks_too_large_is_refused_before_parsing() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "工号").expect("cell");
        let bytes = book.save_to_buffer().expect("xlsx");
        assert!(check_unpacked_size(&bytes, MAX_UNPACKED_BYTES).is_ok());
        let err = check_unpacked_size(&bytes, 100).unwrap_err();
        assert!(matches!(err, TransferError::File { .. }));
        assert!(check_unpacked_size(b"not a zip", MAX_UNPACKED_BYTES).is_err());
    }

    use super::*;

    fn file_error(r: Result<Table, TransferError>) -> (String, String) {
        match r {
            Err(TransferError::File {
                message,
                message_zh,
            }) => (message, message_zh),
            other => panic!("expected a file error, got {other:?}"),
        }
    }

    #[test]
    fn column_letters_follow_excel() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
        assert_eq!(column_letter(16_383), "XFD");
    }

    #[test]
    fn cell_error_location_and_display() {
        let e = CellError::new("Sheet1", 7, Some(3), "bad", "错");
        assert_eq!(e.location(), "Sheet1!D7");
        assert_eq!(e.to_string(), "Sheet1!D7: bad");
        let e = CellError::new("Sheet1", 7, None, "bad", "错");
        assert_eq!(e.location(), "Sheet1!7");
        let e = CellError::new("人员 名单", 2, Some(0), "bad", "错");
        assert_eq!(e.location(), "'人员 名单'!A2");
        let e = CellError::new("人员", 2, Some(0), "bad", "错");
        assert_eq!(e.location(), "人员!A2");
    }

    #[test]
    fn csv_sheet_is_the_file_stem_and_rows_are_trimmed() {
        let t = read_table(
            "uploads/people.csv",
            " 工号 ,姓名\n1001, 张三 \n".as_bytes(),
        )
        .unwrap();
        assert_eq!(t.sheet, "people");
        assert_eq!(t.header_row, 1);
        assert_eq!(t.headers, ["工号", "姓名"]);
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0].row, 2);
        assert_eq!(t.rows[0].cells, ["1001", "张三"]);
    }

    #[test]
    fn csv_bom_is_ignored() {
        let t = read_table("a.csv", "\u{feff}工号,姓名\r\n1001,张三\r\n".as_bytes()).unwrap();
        assert_eq!(t.headers, ["工号", "姓名"]);
    }

    #[test]
    fn csv_blank_lines_are_skipped_but_counted() {
        let t = read_table(
            "a.csv",
            "\n,,\n工号,姓名\n\n1001,张三\n,\n1002,李四\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(t.header_row, 3);
        let rows: Vec<usize> = t.rows.iter().map(|r| r.row).collect();
        assert_eq!(rows, [5, 7]);
    }

    #[test]
    fn csv_crlf_and_blank_lines_count_as_excel_rows() {
        let t = read_table(
            "a.csv",
            "工号\r\n\r\n1001\r\n\"a\r\nb\"\r\n\r\n1002".as_bytes(),
        )
        .unwrap();
        let rows: Vec<usize> = t.rows.iter().map(|r| r.row).collect();
        assert_eq!(rows, [3, 4, 6]);
        let t = read_table("a.csv", "工号\r1001\r\r1002\r".as_bytes()).unwrap();
        let rows: Vec<usize> = t.rows.iter().map(|r| r.row).collect();
        assert_eq!(rows, [2, 4]);
    }

    #[test]
    fn csv_multiline_cell_is_one_row() {
        let t = read_table(
            "a.csv",
            "工号,备注\n1001,\"第一行\n第二行\"\n1002,x\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(t.rows[0].cell(1), "第一行\n第二行");
        assert_eq!(t.rows[1].row, 3);
    }

    #[test]
    fn csv_must_be_utf8() {
        // "工号" in GBK.
        let (en, zh) = file_error(read_table("a.csv", &[0xB9, 0xA4, 0xBA, 0xC5, b'\n']));
        assert!(en.contains("UTF-8"), "{en}");
        assert!(zh.contains("UTF-8"), "{zh}");
    }

    #[test]
    fn unknown_extension_lists_accepted_ones() {
        let (en, _) = file_error(read_table("people.txt", b"a,b"));
        assert!(en.contains(".xlsx") && en.contains(".csv"), "{en}");
        let (en, _) = file_error(read_table("people", b"a,b"));
        assert!(en.contains(ACCEPTED), "{en}");
        let (en, _) = file_error(read_table("people.xls", b"a,b"));
        assert!(en.contains("save it as .xlsx"), "{en}");
    }

    #[test]
    fn random_bytes_named_xlsx_are_a_file_error() {
        let bytes: Vec<u8> = (0u32..4096)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let (en, zh) = file_error(read_table("x.xlsx", &bytes));
        assert!(en.contains("not a valid .xlsx file"), "{en}");
        assert!(zh.contains(".xlsx"), "{zh}");
        file_error(read_table("x.xlsx", b""));
        file_error(read_table("x.xlsm", b"PK\x03\x04garbage"));
    }

    #[test]
    fn empty_file_is_a_file_error() {
        let (en, _) = file_error(read_table("a.csv", b""));
        assert!(en.contains("empty"), "{en}");
        file_error(read_table("a.csv", b"\n , \n"));
    }

    #[test]
    fn more_than_max_rows_is_a_file_error() {
        let mut s = String::from("工号\n");
        for i in 0..=MAX_ROWS {
            s.push_str(&format!("{i}\n"));
        }
        let (en, _) = file_error(read_table("a.csv", s.as_bytes()));
        assert!(en.contains("100000"), "{en}");
        // Exactly the limit is fine.
        let cut = s.rfind(|c: char| c.is_ascii_digit()).unwrap();
        let upto = s[..cut].rfind('\n').unwrap() + 1;
        assert_eq!(
            read_table("a.csv", &s.as_bytes()[..upto])
                .unwrap()
                .rows
                .len(),
            MAX_ROWS
        );
    }

    #[test]
    fn numbers_and_dates_render_as_typed() {
        assert_eq!(number_text(1001.0), "1001");
        assert_eq!(number_text(13_800_138_000.0), "13800138000");
        assert_eq!(number_text(-3.0), "-3");
        assert_eq!(number_text(0.25), "0.25");
        assert_eq!(number_text(1.5e20), "150000000000000000000");
        let date = ExcelDateTime::new(45_658.0, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(datetime_text(&date), "2025-01-01");
        let dt = ExcelDateTime::new(45_658.5, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(datetime_text(&dt), "2025-01-01 12:00:00");
        assert_eq!(iso_datetime_text("2025-01-01T00:00:00"), "2025-01-01");
        assert_eq!(iso_datetime_text("2025-01-01"), "2025-01-01");
        assert_eq!(
            iso_datetime_text("2025-01-01T08:30:00"),
            "2025-01-01 08:30:00"
        );
    }

    /// Writes a workbook with rust_xlsxwriter, as a user's Excel would.
    fn xlsx(build: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("人员名单").unwrap();
        build(sheet);
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn xlsx_round_trips_numbers_dates_and_positions() {
        let bytes = xlsx(|s| {
            let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
            // Header in row 2, column B onwards; row 1 empty.
            s.write_string(1, 1, " 工号 ").unwrap();
            s.write_string(1, 2, "姓名").unwrap();
            s.write_string(1, 3, "入职日期").unwrap();
            s.write_number(2, 1, 1001.0).unwrap();
            s.write_string(2, 2, "张三").unwrap();
            let d = rust_xlsxwriter::ExcelDateTime::from_ymd(2024, 3, 15).unwrap();
            s.write_datetime_with_format(2, 3, &d, &date).unwrap();
            // Row 4 empty, row 5 only whitespace, row 6 data.
            s.write_string(4, 2, "   ").unwrap();
            s.write_number(5, 1, 1002.5).unwrap();
            s.write_boolean(5, 2, true).unwrap();
        });
        let t = read_table("名单.XLSX", &bytes).unwrap();
        assert_eq!(t.sheet, "人员名单");
        assert_eq!(t.header_row, 2);
        assert_eq!(t.headers, ["", "工号", "姓名", "入职日期"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].row, 3);
        assert_eq!(t.rows[0].cells, ["", "1001", "张三", "2024-03-15"]);
        assert_eq!(t.rows[1].row, 6);
        assert_eq!(t.rows[1].cells, ["", "1002.5", "TRUE"]);
        assert_eq!(t.rows[1].cell(3), "");
    }

    #[test]
    fn xlsx_first_visible_worksheet_is_read() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let hidden = book.add_worksheet();
        hidden.set_name("说明").unwrap();
        hidden.write_string(0, 0, "请勿修改").unwrap();
        hidden.set_hidden(true);
        let data = book.add_worksheet();
        data.set_name("数据").unwrap();
        data.write_string(0, 0, "工号").unwrap();
        data.set_active(true);
        let bytes = book.save_to_buffer().unwrap();
        let t = read_table("a.xlsx", &bytes).unwrap();
        assert_eq!(t.sheet, "数据");
    }

    #[test]
    fn xlsx_empty_sheet_is_a_file_error() {
        let bytes = xlsx(|_| {});
        let (en, _) = file_error(read_table("a.xlsx", &bytes));
        assert!(en.contains("empty"), "{en}");
    }

    #[test]
    fn xlsx_error_cells_are_cell_errors() {
        let bytes = xlsx(|s| {
            s.write_string(0, 0, "姓名").unwrap();
            s.write_formula(
                1,
                0,
                rust_xlsxwriter::Formula::new("=1/0").set_result("#DIV/0!"),
            )
            .unwrap();
        });
        match read_table("a.xlsx", &bytes) {
            Err(TransferError::Cells(errors)) => {
                assert_eq!(errors.len(), 1);
                assert_eq!(errors[0].location(), "人员名单!A2");
                assert!(errors[0].message.contains("#DIV/0!"), "{}", errors[0]);
            }
            other => panic!("expected cell errors, got {other:?}"),
        }
    }

    #[test]
    fn xlsx_value_beyond_last_column_is_a_file_error() {
        let bytes = xlsx(|s| {
            s.write_string(0, 0, "工号").unwrap();
            s.write_string(3, 16_383, "x").unwrap();
        });
        let (en, _) = file_error(read_table("a.xlsx", &bytes));
        assert!(en.contains("XFD4"), "{en}");
    }
}
