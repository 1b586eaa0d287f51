//! Periods: year, quarter, month, ISO week and day, written `2026`,
//! `2026-Q1`, `2026-03`, `2026-W05`, `2026-03-15`.
//!
//! A year is a fiscal year: it starts in a configurable month (January by
//! default) and is named after the calendar year it starts in, so with an
//! April start, `2026` runs from 2026-04 to 2027-03.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Days, NaiveDate};
use rust_decimal::Decimal;

/// A period a target or actual belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    Year(i32),
    /// Fiscal quarter 1–4.
    Quarter(i32, u8),
    /// Calendar month 1–12.
    Month(i32, u8),
    /// ISO week 1–53 of an ISO year.
    Week(i32, u8),
    Day(NaiveDate),
}

/// The text is not a period in one of the five forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadPeriod;

impl fmt::Display for BadPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a period such as 2026, 2026-Q1, 2026-03, 2026-W05 or 2026-03-15")
    }
}

fn year_of(text: &str) -> Result<i32, BadPeriod> {
    if text.len() != 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(BadPeriod);
    }
    text.parse().map_err(|_| BadPeriod)
}

fn number_in(
    text: &str,
    width: usize,
    range: std::ops::RangeInclusive<u8>,
) -> Result<u8, BadPeriod> {
    if text.len() != width || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(BadPeriod);
    }
    let n: u8 = text.parse().map_err(|_| BadPeriod)?;
    if range.contains(&n) {
        Ok(n)
    } else {
        Err(BadPeriod)
    }
}

impl FromStr for Period {
    type Err = BadPeriod;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let parts: Vec<&str> = s.split('-').collect();
        match parts.as_slice() {
            [y] => Ok(Period::Year(year_of(y)?)),
            [y, q] if q.starts_with('Q') => {
                Ok(Period::Quarter(year_of(y)?, number_in(&q[1..], 1, 1..=4)?))
            }
            [y, w] if w.starts_with('W') => {
                let year = year_of(y)?;
                let week = number_in(&w[1..], 2, 1..=53)?;
                // Week 53 exists only in some ISO years.
                NaiveDate::from_isoywd_opt(year, u32::from(week), chrono::Weekday::Mon)
                    .ok_or(BadPeriod)?;
                Ok(Period::Week(year, week))
            }
            [y, m] => Ok(Period::Month(year_of(y)?, number_in(m, 2, 1..=12)?)),
            [y, m, d] => {
                let date = NaiveDate::from_ymd_opt(
                    year_of(y)?,
                    u32::from(number_in(m, 2, 1..=12)?),
                    u32::from(number_in(d, 2, 1..=31)?),
                )
                .ok_or(BadPeriod)?;
                Ok(Period::Day(date))
            }
            _ => Err(BadPeriod),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Year(y) => write!(f, "{y:04}"),
            Period::Quarter(y, q) => write!(f, "{y:04}-Q{q}"),
            Period::Month(y, m) => write!(f, "{y:04}-{m:02}"),
            Period::Week(y, w) => write!(f, "{y:04}-W{w:02}"),
            Period::Day(d) => write!(f, "{}", d.format("%Y-%m-%d")),
        }
    }
}

/// The fiscal calendar: which month a year starts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FiscalYear {
    start_month: u8,
}

impl Default for FiscalYear {
    fn default() -> Self {
        FiscalYear { start_month: 1 }
    }
}

impl FiscalYear {
    /// `start_month` 1–12; anything else is refused.
    pub fn starting_in(start_month: u8) -> Option<FiscalYear> {
        (1..=12)
            .contains(&start_month)
            .then_some(FiscalYear { start_month })
    }

    pub fn start_month(self) -> u8 {
        self.start_month
    }

    /// The twelve months of a fiscal year, in order.
    pub fn months(self, year: i32) -> [Period; 12] {
        std::array::from_fn(|i| {
            let m0 = u32::from(self.start_month) - 1 + i as u32;
            Period::Month(year + (m0 / 12) as i32, (m0 % 12 + 1) as u8)
        })
    }

    /// The three months of a fiscal quarter.
    pub fn quarter_months(self, year: i32, quarter: u8) -> [Period; 3] {
        let months = self.months(year);
        let q = usize::from(quarter.clamp(1, 4)) - 1;
        [months[q * 3], months[q * 3 + 1], months[q * 3 + 2]]
    }

    /// The fiscal year a calendar month belongs to.
    pub fn year_of_month(self, year: i32, month: u8) -> i32 {
        if month >= self.start_month {
            year
        } else {
            year - 1
        }
    }

    /// First and last day of a period.
    pub fn span(self, period: Period) -> (NaiveDate, NaiveDate) {
        let month_span = |y: i32, m: u8| {
            let first = NaiveDate::from_ymd_opt(y, u32::from(m), 1).unwrap_or(NaiveDate::MIN);
            let last = first
                .checked_add_months(chrono::Months::new(1))
                .and_then(|d| d.checked_sub_days(Days::new(1)))
                .unwrap_or(first);
            (first, last)
        };
        match period {
            Period::Day(d) => (d, d),
            Period::Month(y, m) => month_span(y, m),
            Period::Week(y, w) => {
                let mon = NaiveDate::from_isoywd_opt(y, u32::from(w), chrono::Weekday::Mon)
                    .unwrap_or(NaiveDate::MIN);
                (mon, mon + Days::new(6))
            }
            Period::Quarter(y, q) => {
                let [a, _, c] = self.quarter_months(y, q);
                (self.span(a).0, self.span(c).1)
            }
            Period::Year(y) => {
                let months = self.months(y);
                (self.span(months[0]).0, self.span(months[11]).1)
            }
        }
    }

    /// 时间进度: the share of a period elapsed on `today`, counting today
    /// itself — on 15 March, 15/31 of March. 0 before, 1 after.
    pub fn elapsed(self, period: Period, today: NaiveDate) -> Decimal {
        let (first, last) = self.span(period);
        if today < first {
            return Decimal::ZERO;
        }
        if today >= last {
            return Decimal::ONE;
        }
        let total = (last - first).num_days() + 1;
        let done = (today - first).num_days() + 1;
        Decimal::from(done) / Decimal::from(total)
    }
}

impl Period {
    /// The calendar month of a month period.
    pub fn month(self) -> Option<(i32, u8)> {
        match self {
            Period::Month(y, m) => Some((y, m)),
            _ => None,
        }
    }

    /// The period of the same kind holding `date`.
    pub fn month_of(date: NaiveDate) -> Period {
        Period::Month(date.year(), date.month() as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Period {
        s.parse().unwrap()
    }

    #[test]
    fn the_five_forms_parse_and_print_back() {
        for s in [
            "2026",
            "2026-Q1",
            "2026-03",
            "2026-W05",
            "2026-03-15",
            "2026-W53",
        ] {
            if s == "2026-W53" {
                // 2026 has 53 ISO weeks.
                assert_eq!(p(s).to_string(), s);
                continue;
            }
            assert_eq!(p(s).to_string(), s);
        }
        assert_eq!(p("2026-03"), Period::Month(2026, 3));
        assert_eq!(p(" 2026-Q4 "), Period::Quarter(2026, 4));
    }

    #[test]
    fn nonsense_is_refused() {
        for s in [
            "",
            "26",
            "2026-13",
            "2026-00",
            "2026-Q5",
            "2026-W54",
            "2025-W53",
            "2026-02-30",
            "2026-3",
            "2026/03",
            "二〇二六",
        ] {
            assert_eq!(s.parse::<Period>(), Err(BadPeriod), "{s}");
        }
    }

    #[test]
    fn a_fiscal_year_starting_in_april_runs_into_next_year() {
        let fy = FiscalYear::starting_in(4).unwrap();
        let months = fy.months(2026);
        assert_eq!(months[0], Period::Month(2026, 4));
        assert_eq!(months[11], Period::Month(2027, 3));
        assert_eq!(
            fy.quarter_months(2026, 4),
            [p("2027-01"), p("2027-02"), p("2027-03")]
        );
        assert_eq!(fy.year_of_month(2027, 2), 2026);
        assert_eq!(FiscalYear::default().months(2026)[0], p("2026-01"));
        assert!(FiscalYear::starting_in(13).is_none());
    }

    #[test]
    fn on_15_march_48_percent_of_march_has_passed() {
        let fy = FiscalYear::default();
        let today = NaiveDate::from_ymd_opt(2026, 3, 15).unwrap();
        let e = fy.elapsed(p("2026-03"), today);
        assert_eq!(e.round_dp(4), Decimal::new(4839, 4));
        assert_eq!(fy.elapsed(p("2026-04"), today), Decimal::ZERO);
        assert_eq!(fy.elapsed(p("2026-02"), today), Decimal::ONE);
        // The year: 74 of 365 days.
        assert_eq!(
            fy.elapsed(p("2026"), today),
            Decimal::from(74) / Decimal::from(365)
        );
    }

    #[test]
    fn spans_of_weeks_and_quarters() {
        let fy = FiscalYear::default();
        let (a, b) = fy.span(p("2026-W01"));
        assert_eq!(a, NaiveDate::from_ymd_opt(2025, 12, 29).unwrap());
        assert_eq!(b, NaiveDate::from_ymd_opt(2026, 1, 4).unwrap());
        let (a, b) = fy.span(p("2026-Q1"));
        assert_eq!(
            (a.to_string(), b.to_string()),
            ("2026-01-01".into(), "2026-03-31".into())
        );
    }
}
