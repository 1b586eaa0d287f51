//! The target table (目标管理表) as a file.
//!
//! **Export** ([`to_xlsx`], [`to_csv`]) lays a [`TableView`] out like the
//! seed's table:
//!
//! | row | content |
//! |---|---|
//! | 1 | title `{name} {year}年目标管理表` (merged across the table) |
//! | 2 | `主体` \| `unit:HD` \| `年度` \| `2026` \| hint — the key the import reads |
//! | 3 | `指标` \| `项目` \| `1月` … `12月` (fiscal order) \| `平均/合计` \| `年度目标` |
//! | 4… | per metric: `目标`, `实际`, `完成率`, then `保底` and `挑战` when the metric has tiers |
//! | then | a blank row, the seed's legend line, the note naming the compiling unit |
//!
//! Values are numbers with the metric's decimals (never formulas), empty
//! where there is no data; the `实际` and `完成率` cells carry the seed's
//! fills (green / yellow / red, none without data). `年度目标` holds the
//! figures set on the year itself: the year target on the `目标` row, the
//! year's tiers on the `保底`/`挑战` rows — so that a round trip keeps them.
//!
//! **Import** ([`import_file`]) reads targets or actuals from that grid (the
//! `目标`, `保底`, `挑战` rows for targets; the `实际` rows for actuals;
//! `完成率` and `平均/合计` are ignored) or from a long list with the headers
//! 主体/subject, 指标/metric, 期间/period, 值/value (and 保底/floor,
//! 挑战/stretch for targets). Every problem is a [`CellError`]; values are
//! checked before anything is written, then the whole file goes through one
//! all-or-nothing [`figures::write`], whose item errors are pointed back at
//! the cells they came from.

use std::collections::{BTreeMap, HashMap, HashSet};

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use serde::Serialize;
use serde_json::Value;

use super::{CellError, Table, TableRow, TransferError, column_letter, read_table};
use crate::domain::access::{Actor, Reach};
use crate::domain::computed::Source;
use crate::domain::metric::{Kind, format_value, parse_value};
use crate::domain::period::{FiscalYear, Period};
use crate::domain::table::Status;
use crate::storage::figures::{self, CellView, FigureInput, Measure, MetricRow, TableView};
use crate::storage::{self, Db};

/// The seed's legend line, written below the table.
pub const LEGEND: &str = "绿色表示达到且超过目标，黄色表示与目标持平，红色表示未达到目标，无数据时无意义；平均/合计列为自动计算得出";

/// The seed's note naming the office that compiles the table.
pub fn note(compiling_unit: &str) -> String {
    format!("本表由{compiling_unit}根据各部门每月提交的数据填报后提交总经理")
}

/// The worksheet name of an export.
pub const SHEET: &str = "目标管理表";

const KEY_SUBJECT: &str = "主体";
const KEY_YEAR: &str = "年度";
const KEY_HINT: &str = "导入时据此识别主体和年度，请勿修改";
const H_METRIC: &str = "指标";
const H_ITEM: &str = "项目";
const H_TOTAL: &str = "平均/合计";
const H_YEAR: &str = "年度目标";

/// The rows of one metric in the grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Item {
    Target,
    Actual,
    Rate,
    Floor,
    Stretch,
}

impl Item {
    fn zh(self) -> &'static str {
        match self {
            Item::Target => "目标",
            Item::Actual => "实际",
            Item::Rate => "完成率",
            Item::Floor => "保底",
            Item::Stretch => "挑战",
        }
    }

    fn code(self) -> &'static str {
        match self {
            Item::Target => "target",
            Item::Actual => "actual",
            Item::Rate => "rate",
            Item::Floor => "floor",
            Item::Stretch => "stretch",
        }
    }

    fn parse(text: &str) -> Option<Item> {
        let key = header_key(text);
        [
            Item::Target,
            Item::Actual,
            Item::Rate,
            Item::Floor,
            Item::Stretch,
        ]
        .into_iter()
        .find(|i| key == i.zh() || key == i.code())
        .or(match key.as_str() {
            "完成" => Some(Item::Actual),
            "达成率" => Some(Item::Rate),
            _ => None,
        })
    }
}

// ---------------------------------------------------------------- export

/// One cell of the exported grid, before it becomes xlsx or CSV.
#[derive(Debug, Clone, PartialEq)]
enum Out {
    Empty,
    Text(String),
    /// A whole number without grouping (the year).
    Int(i64),
    /// A figure as a decimal string in its metric's kind.
    Figure(Kind, String),
    /// 完成率 in percent as a decimal string (`"107.64"`).
    Rate(String),
}

#[derive(Debug, Clone)]
struct OutCell {
    out: Out,
    /// The seed's fill, on 实际 and 完成率 cells.
    fill: Option<Status>,
}

impl OutCell {
    fn plain(out: Out) -> Self {
        OutCell { out, fill: None }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Line {
    Title,
    Key,
    Header,
    /// A metric's row; `first` and `span` let the xlsx merge its name.
    Metric {
        first: bool,
        span: usize,
    },
    Blank,
    Legend,
    Note,
}

struct OutRow {
    line: Line,
    cells: Vec<OutCell>,
}

/// Columns of the grid: 指标, 项目, twelve months, 平均/合计, 年度目标.
const COLUMNS: usize = 16;

/// `3月` for `2026-03`; the period itself if it is not a month.
fn month_label(period: &str) -> String {
    match period.parse::<Period>() {
        Ok(Period::Month(_, m)) => format!("{m}月"),
        _ => period.to_owned(),
    }
}

fn figure(kind: Kind, v: &Option<String>) -> OutCell {
    OutCell::plain(match v {
        Some(s) => Out::Figure(kind, s.clone()),
        None => Out::Empty,
    })
}

/// The 完成率 cell: the rate, "—" when the cell has a colour but no rate
/// (a zero target), empty without data.
fn rate(c: &CellView) -> OutCell {
    let out = match (&c.rate, c.status) {
        (Some(r), _) => Out::Rate(r.clone()),
        (None, Status::None) => Out::Empty,
        (None, _) => Out::Text("—".into()),
    };
    OutCell {
        out,
        fill: Some(c.status),
    }
}

fn actual(kind: Kind, c: &CellView) -> OutCell {
    OutCell {
        fill: Some(c.status),
        ..figure(kind, &c.actual)
    }
}

/// The subject's top unit as the actor sees it: the office that compiles.
fn compiling_unit(view: &TableView) -> &str {
    view.path
        .first()
        .map(|p| p.name.as_str())
        .unwrap_or(view.name.as_str())
}

/// The grid of a table, shared by the xlsx and CSV writers.
fn grid(view: &TableView) -> Vec<OutRow> {
    let text = |s: &str| OutCell::plain(Out::Text(s.to_owned()));
    let mut rows = vec![
        OutRow {
            line: Line::Title,
            cells: vec![text(&format!("{} {}年目标管理表", view.name, view.year))],
        },
        OutRow {
            line: Line::Key,
            cells: vec![
                text(KEY_SUBJECT),
                text(&view.subject),
                text(KEY_YEAR),
                OutCell::plain(Out::Int(i64::from(view.year))),
                text(KEY_HINT),
            ],
        },
    ];
    let months: Vec<String> = view
        .rows
        .first()
        .map(|r| r.months.iter().map(|c| month_label(&c.period)).collect())
        .unwrap_or_default();
    let mut header = vec![text(H_METRIC), text(H_ITEM)];
    header.extend(months.iter().map(|m| text(m)));
    header.push(text(H_TOTAL));
    header.push(text(H_YEAR));
    rows.push(OutRow {
        line: Line::Header,
        cells: header,
    });
    for r in &view.rows {
        let kind = r.kind;
        let tiers = |get: fn(&CellView) -> &Option<String>| {
            r.months.iter().chain([&r.total]).any(|c| get(c).is_some())
        };
        let mut items = vec![Item::Target, Item::Actual, Item::Rate];
        if tiers(|c| &c.floor) {
            items.push(Item::Floor);
        }
        if tiers(|c| &c.stretch) {
            items.push(Item::Stretch);
        }
        let span = items.len();
        for (i, item) in items.into_iter().enumerate() {
            let mut cells = vec![text(&r.name), text(item.zh())];
            let empty = || OutCell::plain(Out::Empty);
            match item {
                Item::Target => {
                    cells.extend(r.months.iter().map(|c| figure(kind, &c.target)));
                    cells.push(figure(kind, &r.total.target));
                    cells.push(figure(kind, &r.year_target));
                }
                Item::Actual => {
                    cells.extend(r.months.iter().map(|c| actual(kind, c)));
                    cells.push(actual(kind, &r.total));
                    cells.push(empty());
                }
                Item::Rate => {
                    cells.extend(r.months.iter().map(rate));
                    cells.push(rate(&r.total));
                    cells.push(empty());
                }
                Item::Floor => {
                    cells.extend(r.months.iter().map(|c| figure(kind, &c.floor)));
                    cells.push(empty());
                    cells.push(figure(kind, &r.total.floor));
                }
                Item::Stretch => {
                    cells.extend(r.months.iter().map(|c| figure(kind, &c.stretch)));
                    cells.push(empty());
                    cells.push(figure(kind, &r.total.stretch));
                }
            }
            rows.push(OutRow {
                line: Line::Metric {
                    first: i == 0,
                    span,
                },
                cells,
            });
        }
    }
    rows.push(OutRow {
        line: Line::Blank,
        cells: Vec::new(),
    });
    rows.push(OutRow {
        line: Line::Legend,
        cells: vec![text(LEGEND)],
    });
    rows.push(OutRow {
        line: Line::Note,
        cells: vec![text(&note(compiling_unit(view)))],
    });
    rows
}

/// Excel's number format for a kind's decimals. Percents are written as
/// `30` shown `30.00%` (a literal sign), so that the number read back is
/// the value as the API writes it.
fn number_format(kind: Kind) -> &'static str {
    match kind {
        Kind::Amount => "#,##0.00",
        Kind::Count => "#,##0",
        Kind::Percent => "0.00\"%\"",
        Kind::Ratio => "0.0000",
        Kind::Score => "0.00",
    }
}

/// The seed's colours as Excel's "Good", "Neutral" and "Bad" styles:
/// (fill, font).
fn fill_colors(status: Status) -> Option<(u32, u32)> {
    match status {
        Status::Green => Some((0xC6EFCE, 0x006100)),
        Status::Yellow => Some((0xFFEB9C, 0x9C5700)),
        Status::Red => Some((0xFFC7CE, 0x9C0006)),
        Status::None => None,
    }
}

/// Below 10^15 minor units a figure has at most 15 significant digits, so
/// the double Excel stores reads back as exactly the same decimal.
const EXACT_MINOR: i64 = 1_000_000_000_000_000;

/// A figure as the number Excel stores, or `None` when a double could not
/// hold it exactly (it is then written as text, which imports the same).
fn figure_number(kind: Kind, text: &str) -> Option<f64> {
    let minor = parse_value(kind, text).ok()?;
    if minor.abs() >= EXACT_MINOR {
        return None;
    }
    // Both operands are exact doubles, so the quotient is the double
    // nearest the decimal, and prints back as that decimal.
    Some(minor as f64 / 10f64.powi(kind.scale() as i32))
}

/// `107.64` (percent) as the fraction Excel formats with `0.00%`.
fn rate_number(text: &str) -> Option<f64> {
    let r: Decimal = text.parse().ok()?;
    (r / Decimal::ONE_HUNDRED).to_f64()
}

/// The table as an .xlsx workbook.
pub fn to_xlsx(view: &TableView) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(SHEET)?;
    let border = Format::new()
        .set_border(FormatBorder::Thin)
        .set_border_color(Color::RGB(0xA6A6A6));
    let centered = border.clone().set_align(FormatAlign::Center);
    let title = Format::new()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let key = Format::new().set_font_color(Color::RGB(0x808080));
    let header = centered
        .clone()
        .set_bold()
        .set_background_color(Color::RGB(0xD9E1F2));
    let name = centered
        .clone()
        .set_bold()
        .set_align(FormatAlign::VerticalCenter);
    let small = Format::new().set_font_size(10);
    let last_col = (COLUMNS - 1) as u16;
    sheet.set_column_width(0, 16)?;
    sheet.set_column_width(1, 8)?;
    for c in 2..COLUMNS as u16 {
        sheet.set_column_width(c, 11)?;
    }
    for (r, row) in grid(view).iter().enumerate() {
        let r = u32::try_from(r).map_err(|_| XlsxError::RowColumnLimitError)?;
        match row.line {
            Line::Title => {
                let t = match row.cells.first().map(|c| &c.out) {
                    Some(Out::Text(t)) => t.as_str(),
                    _ => "",
                };
                sheet.merge_range(r, 0, r, last_col, t, &title)?;
                sheet.set_row_height(r, 24)?;
                continue;
            }
            Line::Legend | Line::Note => {
                if let Some(Out::Text(t)) = row.cells.first().map(|c| &c.out) {
                    sheet.write_string_with_format(r, 0, t, &small)?;
                }
                continue;
            }
            Line::Blank => continue,
            Line::Key | Line::Header | Line::Metric { .. } => {}
        }
        for (c, cell) in row.cells.iter().enumerate() {
            let c = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
            let base = match row.line {
                Line::Key => key.clone(),
                Line::Header => header.clone(),
                _ if c == 1 => centered.clone(),
                _ => border.clone(),
            };
            let base = match cell.fill.and_then(fill_colors) {
                Some((bg, font)) => base
                    .set_background_color(Color::RGB(bg))
                    .set_font_color(Color::RGB(font)),
                None => base,
            };
            match (&cell.out, row.line) {
                (Out::Text(t), Line::Metric { first, span }) if c == 0 => {
                    if first {
                        let last = r + u32::try_from(span.saturating_sub(1)).unwrap_or(0);
                        if last > r {
                            sheet.merge_range(r, 0, last, 0, t, &name)?;
                        } else {
                            sheet.write_string_with_format(r, 0, t, &name)?;
                        }
                    }
                }
                (Out::Text(t), _) => {
                    sheet.write_string_with_format(r, c, t, &base)?;
                }
                (Out::Int(n), _) => {
                    // A year: four digits, exact as a double.
                    sheet.write_number_with_format(r, c, *n as f64, &base)?;
                }
                (Out::Figure(kind, t), _) => match figure_number(*kind, t) {
                    Some(n) => {
                        sheet.write_number_with_format(
                            r,
                            c,
                            n,
                            &base.set_num_format(number_format(*kind)),
                        )?;
                    }
                    None => {
                        sheet.write_string_with_format(
                            r,
                            c,
                            t,
                            &base.set_align(FormatAlign::Right),
                        )?;
                    }
                },
                (Out::Rate(t), _) => match rate_number(t) {
                    Some(n) => {
                        sheet.write_number_with_format(r, c, n, &base.set_num_format("0.00%"))?;
                    }
                    None => {
                        sheet.write_string_with_format(r, c, format!("{t}%"), &base)?;
                    }
                },
                (Out::Empty, Line::Metric { .. }) => {
                    sheet.write_blank(r, c, &base)?;
                }
                (Out::Empty, _) => {}
            }
        }
    }
    // The title, key and header rows and the metric names stay in view.
    sheet.set_freeze_panes(3, 2)?;
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(2, 2)?;
    book.save_to_buffer()
}

/// Text Excel would run as a formula when it opens a CSV file; such cells
/// get a leading `'`, which the import drops again.
fn csv_safe(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// The table as CSV: the same grid, UTF-8 with a BOM so that Excel opens
/// it with the right encoding. Metric names are repeated on each of their
/// rows (a CSV file cannot merge cells); rates are written `107.64%`.
pub fn to_csv(view: &TableView) -> Result<Vec<u8>, csv::Error> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(&mut out);
        for row in grid(view) {
            let cells: Vec<String> = row
                .cells
                .iter()
                .map(|c| match &c.out {
                    Out::Empty => String::new(),
                    Out::Text(t) => csv_safe(t),
                    Out::Int(n) => n.to_string(),
                    Out::Figure(_, t) => t.clone(),
                    Out::Rate(t) => format!("{t}%"),
                })
                .collect();
            if cells.is_empty() {
                w.write_record([""])?;
            } else {
                w.write_record(&cells)?;
            }
        }
        w.flush()?;
    }
    Ok(out)
}

/// The download's file names: an ASCII fallback
/// (`mubiao-table-unit-HD-2026.xlsx`) and the full name
/// (`华东大区_2026年目标管理表.xlsx`).
pub fn file_names(view: &TableView, ext: &str) -> (String, String) {
    let ascii: String = view
        .subject
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let full: String = format!("{}_{}年目标管理表.{ext}", view.name, view.year)
        .chars()
        .map(|c| {
            if c.is_control() || "/\\\"".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    (format!("mubiao-table-{ascii}-{}.{ext}", view.year), full)
}

// ---------------------------------------------------------------- import

/// What an import did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct FigureImportSummary {
    /// Figures read from the file: one per filled cell of the grid (a
    /// target and its tiers count once), one per row of a list.
    pub rows: usize,
    /// Figures that changed.
    pub changed: usize,
    /// Figures that already held these values (in the grid, also values
    /// equal to what the table shows, e.g. a unit's rolled-up figures, which
    /// are left to the rollup).
    pub unchanged: usize,
    /// A manager's targets wait for approval in these plan drafts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pending: Vec<crate::storage::plans::VersionRef>,
    /// The GM's and admin's targets, published at once as these plan
    /// versions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub published: Vec<crate::storage::plans::VersionRef>,
    /// Actuals of metrics computed from the sales process (a re-imported
    /// export, say) are not imported: the metric codes skipped, with how
    /// many figures each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped_computed: Vec<SkippedMetric>,
}

/// Figures of one computed metric an import left out.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SkippedMetric {
    pub metric: String,
    pub name: String,
    /// How many figures of it the file held.
    pub figures: usize,
    /// Where the metric's actuals come from instead, e.g. 订单（按下单日期）.
    pub source: String,
}

/// Why a table file was not imported.
#[derive(Debug)]
pub enum ImportError {
    /// The file, or cells in it, need fixing; nothing was written.
    File(TransferError),
    /// Reach, or the database.
    Storage(storage::Error),
}

impl From<TransferError> for ImportError {
    fn from(e: TransferError) -> Self {
        ImportError::File(e)
    }
}

impl From<Vec<CellError>> for ImportError {
    fn from(e: Vec<CellError>) -> Self {
        ImportError::File(TransferError::Cells(e))
    }
}

impl From<storage::Error> for ImportError {
    fn from(e: storage::Error) -> Self {
        ImportError::Storage(e)
    }
}

/// A cell: 1-based row, 0-based column.
type At = (usize, usize);

/// Where each field of one item came from, to point errors back at it.
#[derive(Debug, Clone, Default)]
struct Origin {
    metric: Option<At>,
    subject: Option<At>,
    period: Option<At>,
    value: Option<At>,
    floor: Option<At>,
    stretch: Option<At>,
}

impl Origin {
    fn of(&self, field: &str) -> Option<At> {
        match field {
            "metric" => self.metric,
            "subject" => self.subject,
            "period" => self.period,
            "value" => self.value,
            "floor" => self.floor,
            "stretch" => self.stretch,
            _ => None,
        }
    }
}

/// One figure read from the file, checked and in minor units.
#[derive(Debug, Clone)]
struct Read {
    metric: usize,
    subject: String,
    period: Period,
    value: Option<i64>,
    floor: Option<i64>,
    stretch: Option<i64>,
    origin: Origin,
}

/// The grid's key block: which table the grid is.
#[derive(Debug, Clone)]
struct GridKey {
    subject: String,
    subject_at: At,
    year: i32,
    year_at: At,
}

/// What a file holds, before anything is written.
#[derive(Debug)]
struct Parsed {
    figures: Vec<Read>,
    /// Set for the grid layout.
    grid: Option<GridKey>,
}

/// A header or label as compared: trimmed, lower case, without the `*`
/// templates put on required columns or a CSV-safety `'`.
fn header_key(text: &str) -> String {
    text.trim()
        .trim_start_matches('\'')
        .trim_matches(|c: char| c == '*' || c == '＊' || c.is_whitespace())
        .to_lowercase()
}

/// A cell's text with a CSV-safety `'` dropped.
fn clean(text: &str) -> &str {
    let t = text.trim();
    t.strip_prefix('\'').unwrap_or(t).trim()
}

fn cell_err(table: &Table, at: At, en: impl Into<String>, zh: impl Into<String>) -> CellError {
    CellError::new(&table.sheet, at.0, Some(at.1), en, zh)
}

/// Finds an active metric by code, Chinese name or English name.
fn find_metric(metrics: &[MetricRow], text: &str) -> Option<usize> {
    let t = clean(text);
    let lower = t.to_lowercase();
    let active = || metrics.iter().enumerate().filter(|(_, m)| m.active);
    active()
        .find(|(_, m)| m.def.code == t)
        .or_else(|| active().find(|(_, m)| m.def.name == t))
        .or_else(|| active().find(|(_, m)| m.def.code.to_lowercase() == lower))
        .or_else(|| active().find(|(_, m)| m.def.name_en.to_lowercase() == lower))
        .map(|(i, _)| i)
}

fn unknown_metric(table: &Table, at: At, text: &str) -> CellError {
    cell_err(
        table,
        at,
        format!("no metric \"{text}\"; write its name (销售额) or its code (sales_amount)"),
        format!("没有指标 \"{text}\"；请填写指标名称（如 销售额）或编码（如 sales_amount）"),
    )
    .with_field("metric")
}

/// Parses a value cell into minor units of `kind`, naming the cell.
fn parse_cell(
    table: &Table,
    at: At,
    kind: Kind,
    text: &str,
    field: &str,
    errors: &mut Vec<CellError>,
) -> Option<i64> {
    match parse_value(kind, text) {
        Ok(v) => Some(v),
        Err(e) => {
            errors.push(
                cell_err(
                    table,
                    at,
                    format!("\"{text}\" {}", e.en),
                    format!("\"{text}\" {}", e.zh),
                )
                .with_field(field),
            );
            None
        }
    }
}

/// The header row and every row below it, as one list.
fn all_rows(table: &Table) -> Vec<TableRow> {
    let mut rows = Vec::with_capacity(table.rows.len() + 1);
    rows.push(TableRow {
        row: table.header_row,
        cells: table.headers.clone(),
    });
    rows.extend(table.rows.iter().cloned());
    rows
}

/// The long layout's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Col {
    Subject,
    Metric,
    Period,
    Value,
    Floor,
    Stretch,
}

const LONG_COLUMNS: [(Col, &str, &str, &[&str]); 6] = [
    (Col::Subject, "主体", "subject", &[]),
    (Col::Metric, "指标", "metric", &[]),
    (Col::Period, "期间", "period", &["期间/period"]),
    (Col::Value, "值", "value", &["数值"]),
    (Col::Floor, "保底", "floor", &[]),
    (Col::Stretch, "挑战", "stretch", &[]),
];

fn long_column(header: &str) -> Option<Col> {
    let key = header_key(header);
    LONG_COLUMNS
        .iter()
        .find(|(_, zh, en, more)| key == *zh || key == *en || more.contains(&key.as_str()))
        .map(|(c, ..)| *c)
}

fn long_headers() -> &'static str {
    "主体/subject, 指标/metric, 期间/period, 值/value (optional 保底/floor, 挑战/stretch)"
}

fn long_headers_zh() -> &'static str {
    "主体/subject、指标/metric、期间/period、值/value（可选 保底/floor、挑战/stretch）"
}

fn grid_headers() -> &'static str {
    "the table as exported: a row 主体 | unit:HD | 年度 | 2026, then the header row 指标 | 项目 | 1月 … 12月 | 平均/合计"
}

fn grid_headers_zh() -> &'static str {
    "导出的目标管理表：一行 主体 | unit:HD | 年度 | 2026，其下为表头 指标 | 项目 | 1月 … 12月 | 平均/合计"
}

/// Is this the long layout's header row?
fn is_long(header: &TableRow) -> bool {
    let cols: Vec<Col> = header.cells.iter().filter_map(|h| long_column(h)).collect();
    [Col::Subject, Col::Metric, Col::Period, Col::Value]
        .iter()
        .all(|c| cols.contains(c))
}

/// The grid's header row: the first row with 指标 and 项目 cells.
fn grid_header(rows: &[TableRow]) -> Option<usize> {
    rows.iter().position(|r| {
        let keys: Vec<String> = r.cells.iter().map(|c| header_key(c)).collect();
        keys.iter().any(|k| k == H_METRIC || k == "metric")
            && keys.iter().any(|k| k == H_ITEM || k == "item")
    })
}

/// Reads a file's figures without touching the database.
fn parse(
    table: &Table,
    metrics: &[MetricRow],
    fiscal: FiscalYear,
    measure: Measure,
) -> Result<Parsed, Vec<CellError>> {
    let rows = all_rows(table);
    if rows.first().is_some_and(is_long) {
        return parse_long(table, &rows, metrics, measure);
    }
    match grid_header(&rows) {
        Some(h) => parse_grid(table, &rows, h, metrics, fiscal, measure),
        None => {
            let found: Vec<&str> = table
                .headers
                .iter()
                .map(String::as_str)
                .filter(|h| !h.is_empty())
                .collect();
            let found = found.join(", ");
            Err(vec![CellError::new(
                &table.sheet,
                table.header_row,
                None,
                format!(
                    "unknown layout: expected {} or a list with the headers {}; found: {found}",
                    grid_headers(),
                    long_headers()
                ),
                format!(
                    "无法识别的格式：应为{}，或带表头 {} 的清单；实际表头：{found}",
                    grid_headers_zh(),
                    long_headers_zh()
                ),
            )])
        }
    }
}

fn parse_long(
    table: &Table,
    rows: &[TableRow],
    metrics: &[MetricRow],
    measure: Measure,
) -> Result<Parsed, Vec<CellError>> {
    let mut errors = Vec::new();
    let header = &rows[0];
    let hrow = header.row;
    let mut cols: HashMap<Col, usize> = HashMap::new();
    for (i, h) in header.cells.iter().enumerate() {
        if h.trim().is_empty() {
            if rows[1..].iter().any(|r| !r.cell(i).is_empty()) {
                let letter = column_letter(i);
                errors.push(cell_err(
                    table,
                    (hrow, i),
                    format!(
                        "column {letter} has values but no header; expected headers: {}",
                        long_headers()
                    ),
                    format!(
                        "{letter} 列有数据但没有列标题；可用的列标题：{}",
                        long_headers_zh()
                    ),
                ));
            }
            continue;
        }
        match long_column(h) {
            None => errors.push(cell_err(
                table,
                (hrow, i),
                format!(
                    "unknown column header \"{h}\"; expected headers: {}",
                    long_headers()
                ),
                format!(
                    "无法识别的列标题 \"{h}\"；可用的列标题：{}",
                    long_headers_zh()
                ),
            )),
            Some(c) => {
                if let Some(first) = cols.get(&c) {
                    let letter = column_letter(*first);
                    errors.push(cell_err(
                        table,
                        (hrow, i),
                        format!("column \"{h}\" appears twice (also in column {letter})"),
                        format!("列标题 \"{h}\" 重复（另见 {letter} 列）"),
                    ));
                } else {
                    cols.insert(c, i);
                }
            }
        }
    }
    let width = rows.iter().map(|r| r.cells.len()).max().unwrap_or(0);
    for i in header.cells.len()..width {
        if let Some(r) = rows[1..].iter().find(|r| !r.cell(i).is_empty()) {
            let letter = column_letter(i);
            errors.push(cell_err(
                table,
                (r.row, i),
                format!(
                    "column {letter} has values but no header; expected headers: {}",
                    long_headers()
                ),
                format!(
                    "{letter} 列有数据但没有列标题；可用的列标题：{}",
                    long_headers_zh()
                ),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if rows.len() < 2 {
        return Err(vec![CellError::new(
            &table.sheet,
            hrow,
            None,
            "there are no data rows below the header",
            "表头下方没有数据行",
        )]);
    }
    let mut figures: Vec<Read> = Vec::new();
    // (subject, metric, period) → the row that had it first.
    let mut seen: HashMap<(String, usize, Period), usize> = HashMap::new();
    for r in &rows[1..] {
        let at = |c: Col| cols.get(&c).map(|i| (r.row, *i));
        let text = |c: Col| cols.get(&c).map(|i| clean(r.cell(*i))).unwrap_or("");
        let (value, floor, stretch) = (text(Col::Value), text(Col::Floor), text(Col::Stretch));
        if value.is_empty() && floor.is_empty() && stretch.is_empty() {
            // Nothing to set on this row.
            continue;
        }
        let mut missing = |c: Col, zh: &str, en: &str| {
            let t = text(c);
            if t.is_empty() {
                if let Some(at) = at(c) {
                    errors.push(
                        cell_err(
                            table,
                            at,
                            format!("{zh} ({en}) is empty"),
                            format!("{zh}不能为空"),
                        )
                        .with_field(en),
                    );
                }
                None
            } else {
                Some(t)
            }
        };
        let subject = missing(Col::Subject, "主体", "subject");
        let metric_text = missing(Col::Metric, "指标", "metric");
        let period_text = missing(Col::Period, "期间", "period");
        let metric = match (metric_text, at(Col::Metric)) {
            (Some(t), Some(a)) => {
                let m = find_metric(metrics, t);
                if m.is_none() {
                    errors.push(unknown_metric(table, a, t));
                }
                m
            }
            _ => None,
        };
        let period = match (period_text, at(Col::Period)) {
            (Some(t), Some(a)) => match t.parse::<Period>() {
                Ok(p) => Some(p),
                Err(e) => {
                    errors.push(
                        cell_err(
                            table,
                            a,
                            format!("\"{t}\" is not {e}"),
                            format!(
                                "\"{t}\" 不是有效的期间，例如 2026、2026-Q1、2026-03、2026-W05、2026-03-15"
                            ),
                        )
                        .with_field("period"),
                    );
                    None
                }
            },
            _ => None,
        };
        let kind = metric.and_then(|m| metrics.get(m)).map(|m| m.def.kind);
        let number = |c: Col, field: &str, t: &str, errors: &mut Vec<CellError>| match (kind, at(c))
        {
            (Some(kind), Some(a)) if !t.is_empty() => parse_cell(table, a, kind, t, field, errors),
            _ => None,
        };
        let v = number(Col::Value, "value", value, &mut errors);
        let tier = |c: Col, field: &str, t: &str, errors: &mut Vec<CellError>| {
            if t.is_empty() {
                return None;
            }
            if measure == Measure::Actual {
                if let Some(a) = at(c) {
                    errors.push(
                        cell_err(
                            table,
                            a,
                            "only targets have 保底/挑战 tiers; import this file as targets, or leave the cell empty",
                            "只有目标可以设置保底和挑战值；请作为目标导入，或清空该单元格",
                        )
                        .with_field(field),
                    );
                }
                return None;
            }
            number(c, field, t, errors)
        };
        let floor_v = tier(Col::Floor, "floor", floor, &mut errors);
        let stretch_v = tier(Col::Stretch, "stretch", stretch, &mut errors);
        if value.is_empty()
            && let Some(a) = at(Col::Value)
        {
            errors.push(
                cell_err(
                    table,
                    a,
                    "值 (value) is empty: 保底/挑战 need the target in the same row",
                    "值不能为空：保底和挑战须与目标写在同一行",
                )
                .with_field("value"),
            );
        }
        let (Some(subject), Some(metric), Some(period), Some(v)) = (subject, metric, period, v)
        else {
            continue;
        };
        let key = (subject.to_owned(), metric, period);
        if let Some(first) = seen.get(&key) {
            if let Some(a) = at(Col::Period) {
                errors.push(
                    cell_err(
                        table,
                        a,
                        format!(
                            "duplicate row: {subject} {} {period} is already in row {first}",
                            metrics.get(metric).map_or("", |m| m.def.code.as_str())
                        ),
                        format!(
                            "重复的行：{subject} {} {period} 已在第 {first} 行",
                            metrics.get(metric).map_or("", |m| m.def.name.as_str())
                        ),
                    )
                    .with_field("period"),
                );
            }
            continue;
        }
        seen.insert(key, r.row);
        figures.push(Read {
            metric,
            subject: subject.to_owned(),
            period,
            value: Some(v),
            floor: floor_v,
            stretch: stretch_v,
            origin: Origin {
                metric: at(Col::Metric),
                subject: at(Col::Subject),
                period: at(Col::Period),
                value: at(Col::Value),
                floor: at(Col::Floor),
                stretch: at(Col::Stretch),
            },
        });
    }
    if errors.is_empty() {
        Ok(Parsed {
            figures,
            grid: None,
        })
    } else {
        Err(errors)
    }
}

/// What a column of the grid holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GridCol {
    Month(usize),
    Total,
    Year,
}

/// The fiscal month (0–11) a month header names: `3月`, `2026-03` or
/// `2026年3月`.
fn month_of(label: &str, fiscal: FiscalYear, year: i32) -> Option<usize> {
    let months = fiscal.months(year);
    let t = label.trim();
    if let Some(m) = t.strip_suffix('月') {
        if let Some((y, m)) = m.split_once('年') {
            let (y, m) = (y.trim().parse::<i32>().ok()?, m.trim().parse::<u8>().ok()?);
            return months.iter().position(|p| *p == Period::Month(y, m));
        }
        let m = m.trim().parse::<u8>().ok()?;
        return months
            .iter()
            .position(|p| matches!(p, Period::Month(_, pm) if *pm == m));
    }
    match t.parse::<Period>() {
        Ok(p @ Period::Month(..)) => months.iter().position(|q| *q == p),
        _ => None,
    }
}

/// Finds the key block (主体, 年度) above the grid's header row.
fn grid_key(table: &Table, rows: &[TableRow], header: usize) -> Result<GridKey, Vec<CellError>> {
    let mut subject: Option<(String, At)> = None;
    let mut year: Option<(String, At)> = None;
    let mut label_at: Option<At> = None;
    for r in &rows[..header] {
        for (i, c) in r.cells.iter().enumerate() {
            let k = header_key(c);
            if subject.is_none() && (k == KEY_SUBJECT || k == "subject") {
                subject = Some((clean(r.cell(i + 1)).to_owned(), (r.row, i + 1)));
                label_at.get_or_insert((r.row, i));
            }
            if year.is_none() && (k == KEY_YEAR || k == "year") {
                year = Some((clean(r.cell(i + 1)).to_owned(), (r.row, i + 1)));
            }
        }
    }
    let hrow = rows[header].row;
    let mut errors = Vec::new();
    let missing = |what: &str, what_zh: &str| {
        CellError::new(
            &table.sheet,
            hrow,
            None,
            format!(
                "the {what} is missing above the table: the row above the header must read 主体 | unit:CODE or person:EMPLOYEE_NO | 年度 | 2026, as in an exported table"
            ),
            format!(
                "表格上方缺少{what_zh}：表头上方一行应为 主体 | unit:部门编码 或 person:工号 | 年度 | 2026，与导出的表格相同"
            ),
        )
    };
    let subject = match subject {
        None => {
            errors.push(missing("主体 (subject)", "主体"));
            None
        }
        Some((s, at)) if s.is_empty() => {
            errors.push(
                cell_err(
                    table,
                    at,
                    "主体 (subject) is empty; write unit:CODE or person:EMPLOYEE_NO",
                    "主体不能为空；应写作 unit:部门编码 或 person:工号",
                )
                .with_field("subject"),
            );
            None
        }
        Some(s) => Some(s),
    };
    let year = match year {
        None => {
            errors.push(missing("年度 (year)", "年度"));
            None
        }
        Some((y, at)) => match y.parse::<i32>() {
            Ok(n) if y.len() == 4 && (1900..=9999).contains(&n) => Some((n, at)),
            _ => {
                errors.push(
                    cell_err(
                        table,
                        at,
                        format!("\"{y}\" is not a year such as 2026"),
                        format!("\"{y}\" 不是年份，例如 2026"),
                    )
                    .with_field("year"),
                );
                None
            }
        },
    };
    match (subject, year) {
        (Some((subject, subject_at)), Some((year, year_at))) if errors.is_empty() => Ok(GridKey {
            subject,
            subject_at,
            year,
            year_at,
        }),
        _ => Err(errors),
    }
}

fn parse_grid(
    table: &Table,
    rows: &[TableRow],
    header: usize,
    metrics: &[MetricRow],
    fiscal: FiscalYear,
    measure: Measure,
) -> Result<Parsed, Vec<CellError>> {
    let key = grid_key(table, rows, header)?;
    let head = &rows[header];
    let hrow = head.row;
    let mut errors = Vec::new();
    let find = |names: [&str; 2]| {
        head.cells
            .iter()
            .position(|c| names.contains(&header_key(c).as_str()))
    };
    let (Some(metric_col), Some(item_col)) = (find([H_METRIC, "metric"]), find([H_ITEM, "item"]))
    else {
        return Err(vec![CellError::new(
            &table.sheet,
            hrow,
            None,
            "the header row needs 指标 and 项目 columns",
            "表头须有 指标 和 项目 两列",
        )]);
    };
    let body = &rows[header + 1..];
    // Column → what it holds; the label columns are skipped.
    let mut columns: Vec<(usize, GridCol)> = Vec::new();
    let mut months_seen: HashMap<usize, usize> = HashMap::new();
    let width = rows.iter().map(|r| r.cells.len()).max().unwrap_or(0);
    let expected = "1月 … 12月, 平均/合计, 年度目标";
    for i in 0..width.max(head.cells.len()) {
        if i == metric_col || i == item_col {
            continue;
        }
        let label = head.cell(i);
        let k = header_key(label);
        let col = if k.is_empty() {
            // A column without a header is fine while it is empty below
            // the header (the legend and note sit in column A).
            if let Some(r) = body
                .iter()
                .find(|r| !r.cell(i).is_empty() && !r.cell(item_col).is_empty())
            {
                let letter = column_letter(i);
                errors.push(cell_err(
                    table,
                    (r.row, i),
                    format!("column {letter} has values but no header; expected {expected}"),
                    format!("{letter} 列有数据但没有列标题；应为 {expected}"),
                ));
            }
            continue;
        } else if k == header_key(H_TOTAL) || k == "平均" || k == "合计" || k == "total" {
            GridCol::Total
        } else if k == H_YEAR || k == "year target" || k == "year_target" {
            GridCol::Year
        } else if let Some(m) = month_of(label, fiscal, key.year) {
            if let Some(first) = months_seen.get(&m) {
                let letter = column_letter(*first);
                errors.push(cell_err(
                    table,
                    (hrow, i),
                    format!("month \"{label}\" appears twice (also in column {letter})"),
                    format!("月份 \"{label}\" 重复（另见 {letter} 列）"),
                ));
                continue;
            }
            months_seen.insert(m, i);
            GridCol::Month(m)
        } else {
            errors.push(cell_err(
                table,
                (hrow, i),
                format!(
                    "unknown column header \"{label}\"; expected {expected} (months of fiscal year {})",
                    key.year
                ),
                format!(
                    "无法识别的列标题 \"{label}\"；应为 {expected}（{} 财年的月份）",
                    key.year
                ),
            ));
            continue;
        };
        columns.push((i, col));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let months = fiscal.months(key.year);
    let wanted: &[Item] = match measure {
        Measure::Target => &[Item::Target, Item::Floor, Item::Stretch],
        Measure::Actual => &[Item::Actual],
    };
    // (metric, period) → position in `figures`.
    let mut index: HashMap<(usize, Period), usize> = HashMap::new();
    let mut figures: Vec<Read> = Vec::new();
    let mut item_rows: HashMap<(usize, Item), usize> = HashMap::new();
    let mut reported_metric: HashSet<At> = HashSet::new();
    let mut metric_rows = 0;
    // The metric of the block being read, with its name cell: a merged
    // name is in the first row of its block only.
    let mut current: Option<(At, String)> = None;
    for r in body {
        let item_text = clean(r.cell(item_col));
        let name = clean(r.cell(metric_col));
        if item_text.is_empty() {
            if columns.iter().any(|(i, _)| !r.cell(*i).is_empty()) {
                errors.push(cell_err(
                    table,
                    (r.row, item_col),
                    "项目 is empty; expected 目标, 实际, 完成率, 保底 or 挑战 for the values in this row",
                    "项目不能为空：本行有数据，项目应为 目标、实际、完成率、保底 或 挑战",
                ).with_field("item"));
            }
            // A blank, legend or note row ends the block.
            current = None;
            continue;
        }
        metric_rows += 1;
        if !name.is_empty() {
            current = Some(((r.row, metric_col), name.to_owned()));
        }
        let Some((name_at, name)) = current.clone() else {
            errors.push(
                cell_err(
                    table,
                    (r.row, metric_col),
                    "指标 (metric) is empty",
                    "指标不能为空",
                )
                .with_field("metric"),
            );
            continue;
        };
        let Some(item) = Item::parse(item_text) else {
            errors.push(
                cell_err(
                    table,
                    (r.row, item_col),
                    format!(
                        "unknown 项目 \"{item_text}\"; expected 目标, 实际, 完成率, 保底 or 挑战"
                    ),
                    format!(
                        "无法识别的项目 \"{item_text}\"；应为 目标、实际、完成率、保底 或 挑战"
                    ),
                )
                .with_field("item"),
            );
            continue;
        };
        if !wanted.contains(&item) {
            continue;
        }
        let Some(metric) = find_metric(metrics, &name) else {
            if reported_metric.insert(name_at) {
                errors.push(unknown_metric(table, name_at, &name));
            }
            continue;
        };
        if let Some(first) = item_rows.get(&(metric, item)) {
            errors.push(
                cell_err(
                    table,
                    (r.row, item_col),
                    format!(
                        "duplicate row: {name} {} is already in row {first}",
                        item.zh()
                    ),
                    format!("重复的行：{name} {} 已在第 {first} 行", item.zh()),
                )
                .with_field("item"),
            );
            continue;
        }
        item_rows.insert((metric, item), r.row);
        let Some(m) = metrics.get(metric) else {
            continue;
        };
        for (i, col) in &columns {
            let period = match (col, item) {
                (GridCol::Month(m), _) => match months.get(*m) {
                    Some(p) => *p,
                    None => continue,
                },
                (GridCol::Year, Item::Target | Item::Floor | Item::Stretch) => {
                    Period::Year(key.year)
                }
                _ => continue,
            };
            let text = clean(r.cell(*i));
            if text.is_empty() {
                continue;
            }
            let field = match item {
                Item::Floor => "floor",
                Item::Stretch => "stretch",
                _ => "value",
            };
            let Some(v) = parse_cell(table, (r.row, *i), m.def.kind, text, field, &mut errors)
            else {
                continue;
            };
            let pos = *index.entry((metric, period)).or_insert_with(|| {
                figures.push(Read {
                    metric,
                    subject: key.subject.clone(),
                    period,
                    value: None,
                    floor: None,
                    stretch: None,
                    origin: Origin {
                        metric: Some(name_at),
                        subject: Some(key.subject_at),
                        ..Origin::default()
                    },
                });
                figures.len() - 1
            });
            let Some(f) = figures.get_mut(pos) else {
                continue;
            };
            let at = Some((r.row, *i));
            match item {
                Item::Floor => {
                    f.floor = Some(v);
                    f.origin.floor = at;
                }
                Item::Stretch => {
                    f.stretch = Some(v);
                    f.origin.stretch = at;
                }
                _ => {
                    f.value = Some(v);
                    f.origin.value = at;
                }
            }
            // A period problem (a locked month) belongs to the cell read.
            if f.origin.period.is_none() || item == Item::Target || item == Item::Actual {
                f.origin.period = at;
            }
        }
    }
    if metric_rows == 0 {
        errors.push(CellError::new(
            &table.sheet,
            hrow,
            None,
            "there are no metric rows below the header",
            "表头下方没有指标行",
        ));
    }
    if errors.is_empty() {
        Ok(Parsed {
            figures,
            grid: Some(key),
        })
    } else {
        Err(errors)
    }
}

/// Drops repeated errors (one unknown subject reported for every item).
fn dedup(errors: Vec<CellError>) -> Vec<CellError> {
    let mut seen = HashSet::new();
    errors
        .into_iter()
        .filter(|e| seen.insert((e.row, e.column.clone(), e.message.clone())))
        .collect()
}

/// Points `figures::write`'s item errors (`items[3].value`) at the cells
/// the items came from.
fn locate(table: &Table, origins: &[Origin], errors: Vec<storage::FieldError>) -> Vec<CellError> {
    let located = errors.into_iter().map(|e| {
        let parsed = e
            .field
            .strip_prefix("items[")
            .and_then(|rest| rest.split_once("]."))
            .and_then(|(i, field)| Some((i.parse::<usize>().ok()?, field.to_owned())));
        let (at, field) = match &parsed {
            Some((i, field)) => (origins.get(*i).and_then(|o| o.of(field)), field.clone()),
            None => (None, e.field.clone()),
        };
        let (row, col) = match at {
            Some((row, col)) => (row, Some(col)),
            None => (table.header_row, None),
        };
        CellError::new(&table.sheet, row, col, e.message, e.message_zh).with_field(field)
    });
    dedup(located.collect())
}

fn parsed_eq(kind: Kind, shown: &Option<String>, value: Option<i64>) -> bool {
    shown.as_deref().and_then(|s| parse_value(kind, s).ok()) == value
}

/// Reads, checks and imports a target table file as targets or actuals,
/// all or nothing: the one pipeline behind the API and any later page.
pub async fn import_file(
    db: &Db,
    actor: &Actor,
    fiscal: FiscalYear,
    measure: Measure,
    filename: &str,
    bytes: &[u8],
) -> Result<FigureImportSummary, ImportError> {
    if measure.reach(actor) == Reach::Nothing {
        return Err(storage::Error::Forbidden.into());
    }
    // Parsing a workbook is CPU work: off the async threads.
    let (name, data) = (filename.to_owned(), bytes.to_vec());
    let table = tokio::task::spawn_blocking(move || read_table(&name, &data))
        .await
        .map_err(|e| storage::Error::Db(sea_orm::DbErr::Custom(e.to_string())))??;
    let metrics = figures::load_metrics(db).await?;
    let parsed = parse(&table, &metrics, fiscal, measure)?;
    let read = parsed.figures.len();
    let mut skipped = 0;
    let mut items = Vec::with_capacity(read);
    let mut origins = Vec::with_capacity(read);
    // The grid: what its table shows now, so that figures equal to it are
    // left alone (a unit's rollup stays a rollup, a locked month that did
    // not change is no error).
    let shown = match &parsed.grid {
        Some(key) => match figures::table(db, actor, fiscal, &key.subject, key.year).await {
            Ok(view) => Some(view),
            Err(storage::Error::NotFound) => {
                return Err(vec![
                    cell_err(
                        &table,
                        key.subject_at,
                        format!(
                            "no unit or person \"{}\" (write unit:CODE or person:EMPLOYEE_NO)",
                            key.subject
                        ),
                        format!(
                            "找不到 \"{}\"（应写作 unit:部门编码 或 person:工号）",
                            key.subject
                        ),
                    )
                    .with_field("subject"),
                ]
                .into());
            }
            Err(storage::Error::Invalid(fields)) => {
                let at = key.year_at;
                return Err(fields
                    .into_iter()
                    .map(|f| cell_err(&table, at, f.message, f.message_zh).with_field(f.field))
                    .collect::<Vec<_>>()
                    .into());
            }
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let mut errors = Vec::new();
    let mut computed: BTreeMap<usize, usize> = BTreeMap::new();
    for f in parsed.figures {
        let Some(m) = metrics.get(f.metric) else {
            continue;
        };
        if measure == Measure::Actual && Source::of(&m.def.source).is_some() {
            *computed.entry(f.metric).or_default() += 1;
            continue;
        }
        let kind = m.def.kind;
        let mut value = f.value;
        if let Some(view) = &shown {
            let row = view.rows.iter().find(|r| r.metric == m.def.code);
            let period = f.period.to_string();
            let cell = row.and_then(|r| {
                if matches!(f.period, Period::Year(_)) {
                    Some(&r.total)
                } else {
                    r.months.iter().find(|c| c.period == period)
                }
            });
            if let (Some(row), Some(cell)) = (row, cell) {
                let same = match measure {
                    Measure::Actual => parsed_eq(kind, &cell.actual, value),
                    Measure::Target => {
                        let target = if matches!(f.period, Period::Year(_)) {
                            &row.year_target
                        } else {
                            &cell.target
                        };
                        (value.is_none() || parsed_eq(kind, target, value))
                            && (f.floor.is_none() || parsed_eq(kind, &cell.floor, f.floor))
                            && (f.stretch.is_none() || parsed_eq(kind, &cell.stretch, f.stretch))
                    }
                };
                if same {
                    skipped += 1;
                    continue;
                }
                if value.is_none() && cell.target_set {
                    // Tiers without a 目标 keep the target set now.
                    value = cell
                        .target
                        .as_deref()
                        .and_then(|s| parse_value(kind, s).ok());
                }
            }
        } else if value.is_none() {
            if let Some(at) = f.origin.floor.or(f.origin.stretch) {
                errors.push(cell_err(
                    &table,
                    at,
                    "保底/挑战 need the 目标 of the same month",
                    "保底和挑战须有同月的目标",
                ));
            }
            continue;
        }
        let text = |v: Option<i64>| v.map(|v| Value::String(format_value(kind, v)));
        items.push(FigureInput {
            metric: m.def.code.clone(),
            subject: f.subject,
            period: f.period.to_string(),
            value: text(value).unwrap_or(Value::Null),
            floor: text(f.floor),
            stretch: text(f.stretch),
        });
        origins.push(f.origin);
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let mut summary = FigureImportSummary {
        rows: read,
        changed: 0,
        unchanged: skipped,
        pending: Vec::new(),
        published: Vec::new(),
        skipped_computed: computed
            .into_iter()
            .filter_map(|(i, figures)| {
                let m = metrics.get(i)?;
                let source = Source::of(&m.def.source)?;
                Some(SkippedMetric {
                    metric: m.def.code.clone(),
                    name: m.def.name.clone(),
                    figures,
                    source: source.name().1.to_owned(),
                })
            })
            .collect(),
    };
    if items.is_empty() {
        return Ok(summary);
    }
    match figures::write(db, actor, fiscal, measure, &items).await {
        Ok(s) => {
            summary.changed = s.changed;
            summary.pending = s.pending;
            summary.published = s.published;
            summary.unchanged += s.unchanged;
            Ok(summary)
        }
        Err(storage::Error::Invalid(fields)) => Err(locate(&table, &origins, fields).into()),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::metric::default_metrics;
    use crate::storage::figures::{RowView, SubjectRef};

    fn metrics() -> Vec<MetricRow> {
        default_metrics()
            .into_iter()
            .enumerate()
            .map(|(i, def)| MetricRow {
                id: i as i64 + 1,
                def,
                position: i as i32,
                active: true,
            })
            .collect()
    }

    fn csv(text: &str) -> Table {
        read_table("t.csv", text.as_bytes()).unwrap()
    }

    fn errors(r: Result<Parsed, Vec<CellError>>) -> Vec<String> {
        match r {
            Err(e) => e.iter().map(ToString::to_string).collect(),
            Ok(p) => panic!("expected errors, got {:?}", p.figures),
        }
    }

    fn view() -> TableView {
        let m = &metrics()[0];
        let cell = |p: String, t: Option<&str>, a: Option<&str>, s: Status| CellView {
            period: p,
            target: t.map(str::to_owned),
            actual: a.map(str::to_owned),
            rate: None,
            status: s,
            floor: None,
            stretch: None,
            children_target: None,
            target_set: t.is_some(),
            actual_set: a.is_some(),
        };
        let mut months: Vec<CellView> = FiscalYear::default()
            .months(2030)
            .iter()
            .map(|p| cell(p.to_string(), None, None, Status::None))
            .collect();
        months[2] = CellView {
            rate: Some("107.64".into()),
            floor: Some("500.00".into()),
            ..cell(
                "2030-03".into(),
                Some("600.00"),
                Some("645.84"),
                Status::Green,
            )
        };
        TableView {
            subject: "person:E0015".into(),
            name: "张晓明".into(),
            year: 2030,
            rows: vec![RowView {
                computed_from: None,
                metric: m.def.code.clone(),
                name: m.def.name.clone(),
                name_en: m.def.name_en.clone(),
                kind: m.def.kind,
                direction: m.def.direction,
                total_rule: m.def.total,
                months,
                year_target: Some("7200.00".into()),
                total: cell("2030".into(), Some("7200.00"), Some("645.84"), Status::Red),
            }],
            children: Vec::new(),
            path: vec![SubjectRef {
                subject: "unit:HQ".into(),
                name: "华信".into(),
            }],
            locked: Vec::new(),
            submissions: Vec::new(),
            unaccepted: Vec::new(),
        }
    }

    #[test]
    fn the_csv_export_reads_back_as_the_grid() {
        let bytes = to_csv(&view()).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with('\u{feff}'));
        assert!(text.contains(LEGEND));
        assert!(text.contains("本表由华信根据各部门每月提交的数据填报后提交总经理"));
        assert!(text.contains("销售额,实际,,,645.84"));
        let table = read_table("t.csv", &bytes).unwrap();
        let p = parse(&table, &metrics(), FiscalYear::default(), Measure::Target).unwrap();
        let key = p.grid.unwrap();
        assert_eq!((key.subject.as_str(), key.year), ("person:E0015", 2030));
        assert_eq!(key.subject_at, (2, 1));
        let got: Vec<(String, Option<i64>, Option<i64>)> = p
            .figures
            .iter()
            .map(|f| (f.period.to_string(), f.value, f.floor))
            .collect();
        assert_eq!(
            got,
            [
                ("2030-03".to_owned(), Some(60000), Some(50000)),
                ("2030".to_owned(), Some(720000), None),
            ]
        );
        let p = parse(&table, &metrics(), FiscalYear::default(), Measure::Actual).unwrap();
        assert_eq!(p.figures.len(), 1);
        assert_eq!(p.figures[0].value, Some(64584));
        assert_eq!(p.figures[0].origin.value, Some((5, 4)));
    }

    #[test]
    fn the_xlsx_export_reads_back_as_the_grid() {
        let bytes = to_xlsx(&view()).unwrap();
        let table = read_table("t.xlsx", &bytes).unwrap();
        assert_eq!(table.sheet, SHEET);
        let p = parse(&table, &metrics(), FiscalYear::default(), Measure::Actual).unwrap();
        assert_eq!(p.figures.len(), 1);
        assert_eq!(p.figures[0].value, Some(64584));
        assert_eq!(p.figures[0].metric, 0);
    }

    #[test]
    fn a_fiscal_year_from_april_labels_and_maps_its_months() {
        let april = FiscalYear::starting_in(4).unwrap();
        assert_eq!(month_of("1月", april, 2026), Some(9));
        assert_eq!(month_of("4月", april, 2026), Some(0));
        assert_eq!(month_of("2027-01", april, 2026), Some(9));
        assert_eq!(month_of("2026-01", april, 2026), None);
        assert_eq!(month_of("2027年1月", april, 2026), Some(9));
        assert_eq!(month_of("13月", april, 2026), None);
    }

    #[test]
    fn text_in_a_number_cell_names_the_cell() {
        let t = csv(
            "目标管理表\n主体,person:E0015,年度,2026\n指标,项目,1月,2月,3月\n销售额,目标,600,\"12,3O0\"\n,实际,1,2\n",
        );
        assert_eq!(
            errors(parse(
                &t,
                &metrics(),
                FiscalYear::default(),
                Measure::Target
            )),
            ["t!D4: \"12,3O0\" is not a number"]
        );
    }

    #[test]
    fn long_layout_checks_metric_tiers_and_duplicates() {
        let t = csv("主体,指标,期间,值,保底\n\
             person:E0015,销售额,2026-03,600,500\n\
             person:E0015,no_such,2026-03,1,\n\
             person:E0015,sales_amount,2026-03,700,\n\
             person:E0015,calls,2026-3,1,\n");
        assert_eq!(
            errors(parse(
                &t,
                &metrics(),
                FiscalYear::default(),
                Measure::Target
            )),
            [
                "t!B3: no metric \"no_such\"; write its name (销售额) or its code (sales_amount)",
                "t!C4: duplicate row: person:E0015 sales_amount 2026-03 is already in row 2",
                "t!C5: \"2026-3\" is not a period such as 2026, 2026-Q1, 2026-03, 2026-W05 or 2026-03-15",
            ]
        );
        let t = csv("subject,metric,period,value,floor\nperson:E0015,calls,2026-03,30,20\n");
        assert_eq!(
            errors(parse(
                &t,
                &metrics(),
                FiscalYear::default(),
                Measure::Actual
            )),
            [
                "t!E2: only targets have 保底/挑战 tiers; import this file as targets, or leave the cell empty"
            ]
        );
    }

    #[test]
    fn another_layout_says_what_was_expected() {
        let t = csv("工号,姓名\n1001,张三\n");
        let e = errors(parse(
            &t,
            &metrics(),
            FiscalYear::default(),
            Measure::Target,
        ));
        assert!(e[0].starts_with("t!1: unknown layout"), "{e:?}");
        assert!(e[0].contains("主体/subject, 指标/metric, 期间/period, 值/value"));
        assert!(e[0].contains("found: 工号, 姓名"));
    }

    #[test]
    fn download_names_are_safe() {
        let (ascii, full) = file_names(&view(), "xlsx");
        assert_eq!(ascii, "mubiao-table-person-E0015-2030.xlsx");
        assert_eq!(full, "张晓明_2030年目标管理表.xlsx");
    }
}
