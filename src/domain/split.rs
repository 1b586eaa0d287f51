//! Target decomposition (目标分解): splitting a subject's target down to its
//! children (units or people) and over time (a year to quarters, months or
//! ISO weeks).
//!
//! Targets are integers in the metric's smallest unit, and a split must add
//! back to the whole to the last 分, so every split here is Hamilton's
//! largest-remainder method in exact integer arithmetic: each part gets the
//! floor of its exact quota, and the minor units left over go one each to
//! the parts with the largest fractional remainders. The caller learns which
//! parts took one, so the screen can show why they are a unit higher.
//!
//! Splitting to children by equal shares, custom weights or percentages,
//! last year's actual share or headcount is [`by_weights`] with the matching
//! weights (`Decimal::ONE`s, the percentages, last year's actuals, the
//! headcounts); [`with_fixed`] keeps locked cells and re-spreads the rest.
//! Over time, [`time_parts`] lists the parts and [`even_weights`] or
//! [`distribution_weights`] weigh them.

use std::cmp::Reverse;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use rust_decimal::{Decimal, RoundingStrategy};

use super::metric::{Kind, format_value};
use super::period::{FiscalYear, Period};

/// A whole split into parts that add up to it exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// In the whole's minor units, one per weight, in the weights' order.
    pub parts: Vec<i64>,
    /// Which parts got one extra minor unit of the rounding remainder.
    pub took_remainder: Vec<bool>,
}

/// Why a split could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitError {
    NoParts,
    /// `index` counts from 0.
    NegativeWeight {
        index: usize,
    },
    AllWeightsZero,
    /// The weights mix so many digits that their common integer scale
    /// passes 128 bits.
    WeightsOutOfRange,
    /// A lock marker is needed for every weight.
    LengthMismatch {
        weights: usize,
        fixed: usize,
    },
    /// The locked parts take more than the whole; `excess` is by how much.
    FixedExceedWhole {
        whole: i64,
        fixed: i128,
        excess: i128,
    },
    /// Every part is locked and the locks do not add up to the whole.
    AllFixedMismatch {
        whole: i64,
        fixed: i128,
    },
    /// The parts left unlocked all weigh zero, so `rest` has nowhere to go.
    UnlockedWeightsZero {
        rest: i128,
    },
    /// A figure does not fit in the 64-bit minor units a target is kept in.
    OutOfRange,
    DistributionLength(usize),
    DistributionTotal(Decimal),
    /// `month` is the position in the fiscal year, 1–12.
    NegativePercent {
        month: usize,
    },
    /// `month` is the position in the fiscal year, 1–12.
    NegativeActual {
        month: usize,
    },
    /// Last year's twelve monthly actuals are all zero.
    EmptyShape,
    CannotSplit {
        from: Period,
        to: Grain,
    },
    /// A quarter outside 1–4, a month outside 1–12 or a year outside
    /// 1–9999.
    InvalidPeriod(Period),
}

/// A message in both UI languages; unlike [`super::Expected`] it carries
/// the figures involved, so it owns its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bilingual {
    pub en: String,
    pub zh: String,
}

impl SplitError {
    /// The message for the user; `kind` writes figures with the metric's
    /// decimals (`20.00`, not 2000 分).
    pub fn message(&self, kind: Kind) -> Bilingual {
        let show = |v: i128| show_value(kind, v);
        let (en, zh) = match self {
            SplitError::NoParts => (
                "there is nothing to split into; add at least one part".into(),
                "没有可分解的对象，请至少添加一项".into(),
            ),
            SplitError::NegativeWeight { index } => (
                format!(
                    "weight {} is negative; weights must be zero or more",
                    index + 1
                ),
                format!("第 {} 项权重为负数，权重不能小于零", index + 1),
            ),
            SplitError::AllWeightsZero => (
                "the weights are all zero; give at least one part a weight above zero".into(),
                "权重全为零，请至少给一项大于零的权重".into(),
            ),
            SplitError::WeightsOutOfRange => (
                "the weights have too many digits to split exactly; use fewer decimals".into(),
                "权重位数过多，无法精确分解，请减少小数位数".into(),
            ),
            SplitError::LengthMismatch { weights, fixed } => (
                format!("there are {weights} weights but {fixed} lock markers; give one per part"),
                format!("权重有 {weights} 项，锁定标记有 {fixed} 项，应逐项对应"),
            ),
            SplitError::FixedExceedWhole {
                whole,
                fixed,
                excess,
            } => (
                format!(
                    "the locked parts total {}, {} beyond the whole of {}; change a locked figure or the whole",
                    show(*fixed),
                    show(*excess),
                    show(i128::from(*whole))
                ),
                format!(
                    "锁定部分合计 {}，超出总目标 {} 共 {}，请调整锁定值或总目标",
                    show(*fixed),
                    show(i128::from(*whole)),
                    show(*excess)
                ),
            ),
            SplitError::AllFixedMismatch { whole, fixed } => (
                format!(
                    "every part is locked, but the locked figures total {}, not the whole of {}; unlock a part",
                    show(*fixed),
                    show(i128::from(*whole))
                ),
                format!(
                    "所有部分均已锁定，但锁定值合计 {}，不等于总目标 {}，请解锁至少一项",
                    show(*fixed),
                    show(i128::from(*whole))
                ),
            ),
            SplitError::UnlockedWeightsZero { rest } => (
                format!(
                    "the unlocked parts all have weight zero, so the remaining {} cannot be spread; give one a weight above zero",
                    show(*rest)
                ),
                format!(
                    "未锁定的部分权重全为零，剩余的 {} 无法分配，请至少给一项大于零的权重",
                    show(*rest)
                ),
            ),
            SplitError::OutOfRange => (
                "the figures are too large to split".into(),
                "数值过大，无法分解".into(),
            ),
            SplitError::DistributionLength(n) => (
                format!("a distribution needs twelve monthly percentages, not {n}"),
                format!("分布需要十二个月的百分比，当前为 {n} 个"),
            ),
            SplitError::DistributionTotal(total) => (
                format!("the distribution's twelve percentages total {total}, not 100"),
                format!("分布的十二个百分比合计为 {total}，应为 100"),
            ),
            SplitError::NegativePercent { month } => (
                format!("the percentage of fiscal month {month} is negative"),
                format!("财年第 {month} 个月的百分比为负数"),
            ),
            SplitError::NegativeActual { month } => (
                format!(
                    "last year's actual in fiscal month {month} is negative, so it gives no shape to follow"
                ),
                format!("去年财年第 {month} 个月的实际为负数，无法按其形状分解"),
            ),
            SplitError::EmptyShape => (
                "last year's monthly actuals are all zero, so they give no shape to follow".into(),
                "去年各月实际均为零，无法按其形状分解".into(),
            ),
            SplitError::CannotSplit { from, to } => {
                let (from_en, from_zh) = period_kind(*from);
                let (to_en, to_zh) = to.names();
                (
                    format!(
                        "a {from_en} ({from}) cannot be split into {to_en}; a year splits into quarters, months or weeks, a quarter into months or weeks, a month into weeks"
                    ),
                    format!(
                        "{from_zh}（{from}）不能分解为{to_zh}；年可分解为季度、月或周，季度可分解为月或周，月可分解为周"
                    ),
                )
            }
            SplitError::InvalidPeriod(p) => (
                format!("{p} is not a valid period"),
                format!("{p} 不是有效的期间"),
            ),
        };
        Bilingual { en, zh }
    }
}

/// A figure in minor units with the kind's decimals; sums of locked parts
/// are i128 and fall back to plain minor units if a Decimal cannot hold
/// them.
fn show_value(kind: Kind, minor: i128) -> String {
    match i64::try_from(minor) {
        Ok(v) => format_value(kind, v),
        Err(_) => Decimal::try_from_i128_with_scale(minor, kind.scale())
            .map_or_else(|_| minor.to_string(), |d| d.to_string()),
    }
}

fn period_kind(p: Period) -> (&'static str, &'static str) {
    match p {
        Period::Year(_) => ("year", "年"),
        Period::Quarter(..) => ("quarter", "季度"),
        Period::Month(..) => ("month", "月"),
        Period::Week(..) => ("week", "周"),
        Period::Day(_) => ("day", "日"),
    }
}

/// Splits `whole` in proportion to `weights`, exactly.
///
/// A negative whole is split as its absolute value and negated, so its
/// parts are all zero or below and the remainder falls where it would for
/// the positive figure. Zero weights are allowed (that part gets 0) as long
/// as one weight is above zero, or the whole is zero.
pub fn by_weights(whole: i64, weights: &[Decimal]) -> Result<Split, SplitError> {
    with_fixed(whole, weights, &vec![None; weights.len()])
}

/// Like [`by_weights`], but parts with `Some(v)` in `fixed` are locked at
/// `v` and only what they leave is spread, over the unlocked parts'
/// weights. Locked parts never take remainder.
///
/// The locks may not take more than the whole: for a whole of zero or more
/// the rest must not go below zero, for a negative whole not above zero.
pub fn with_fixed(
    whole: i64,
    weights: &[Decimal],
    fixed: &[Option<i64>],
) -> Result<Split, SplitError> {
    if weights.is_empty() {
        return Err(SplitError::NoParts);
    }
    if fixed.len() != weights.len() {
        return Err(SplitError::LengthMismatch {
            weights: weights.len(),
            fixed: fixed.len(),
        });
    }
    let integers = integer_weights(weights)?;
    let rest = rest_after_locks(whole, fixed)?;
    // A locked part weighs nothing in the spread, so it gets no share and
    // no remainder.
    let free: Vec<u128> = integers
        .iter()
        .zip(fixed)
        .map(|(&w, lock)| if lock.is_some() { 0 } else { w })
        .collect();
    let amount = u64::try_from(rest.unsigned_abs()).map_err(|_| SplitError::OutOfRange)?;
    let total = free
        .iter()
        .try_fold(0u128, |sum, &w| sum.checked_add(w))
        .ok_or(SplitError::WeightsOutOfRange)?;
    let (shares, took_remainder) = hamilton(amount, &free, total).ok_or_else(|| {
        if fixed.iter().all(Option::is_none) {
            SplitError::AllWeightsZero
        } else {
            SplitError::UnlockedWeightsZero { rest }
        }
    })?;
    let parts = shares
        .iter()
        .zip(fixed)
        .map(|(&share, lock)| match lock {
            Some(v) => Ok(*v),
            None => signed(share, rest < 0),
        })
        .collect::<Result<_, _>>()?;
    Ok(Split {
        parts,
        took_remainder,
    })
}

/// What the locked parts leave of the whole, refused when they take too
/// much or when everything is locked and the locks miss the whole.
fn rest_after_locks(whole: i64, fixed: &[Option<i64>]) -> Result<i128, SplitError> {
    let fixed_total: i128 = fixed.iter().flatten().map(|&v| i128::from(v)).sum();
    let rest = i128::from(whole) - fixed_total;
    if (whole >= 0 && rest < 0) || (whole < 0 && rest > 0) {
        return Err(SplitError::FixedExceedWhole {
            whole,
            fixed: fixed_total,
            excess: rest.abs(),
        });
    }
    if rest != 0 && fixed.iter().all(Option::is_some) {
        return Err(SplitError::AllFixedMismatch {
            whole,
            fixed: fixed_total,
        });
    }
    Ok(rest)
}

fn signed(share: u128, negative: bool) -> Result<i64, SplitError> {
    let share = i128::try_from(share).map_err(|_| SplitError::OutOfRange)?;
    i64::try_from(if negative { -share } else { share }).map_err(|_| SplitError::OutOfRange)
}

/// The weights as integers on their common decimal scale, so that quotas
/// are exact fractions of integers rather than rounded decimals.
fn integer_weights(weights: &[Decimal]) -> Result<Vec<u128>, SplitError> {
    if let Some(index) = weights.iter().position(|w| *w < Decimal::ZERO) {
        return Err(SplitError::NegativeWeight { index });
    }
    // Trailing zeros would raise the common scale for nothing.
    let normal: Vec<Decimal> = weights.iter().map(Decimal::normalize).collect();
    let scale = normal.iter().map(Decimal::scale).max().unwrap_or(0);
    normal
        .iter()
        .map(|w| {
            10u128
                .checked_pow(scale - w.scale())
                .and_then(|f| w.mantissa().unsigned_abs().checked_mul(f))
                .ok_or(SplitError::WeightsOutOfRange)
        })
        .collect()
}

/// Hamilton's largest-remainder method for a non-negative amount, given
/// the weights' sum. `None` when there is something to spread but every
/// weight is zero.
fn hamilton(amount: u64, weights: &[u128], total: u128) -> Option<(Vec<u128>, Vec<bool>)> {
    let mut took = vec![false; weights.len()];
    if total == 0 {
        return (amount == 0).then(|| (vec![0; weights.len()], took));
    }
    let (mut shares, remainders): (Vec<u128>, Vec<u128>) =
        weights.iter().map(|&w| mul_div(amount, w, total)).unzip();
    // The floors lose less than one unit per part, so fewer than
    // `weights.len()` units are left.
    let left = u128::from(amount) - shares.iter().sum::<u128>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    // Remainders share the denominator `total`, so they compare as
    // integers; the sort is stable, so ties go to the earlier part.
    order.sort_by_key(|&i| Reverse(remainders[i]));
    for &i in order.iter().take(left as usize) {
        shares[i] += 1;
        took[i] = true;
    }
    Some((shares, took))
}

/// `a·b / c` as floor and remainder, for `b ≤ c`. The product can need 192
/// bits, so it is long-divided bit by bit rather than formed in a u128.
fn mul_div(a: u64, b: u128, c: u128) -> (u128, u128) {
    let (lo, hi) = wide_mul(a, b);
    let (mut quotient, mut remainder) = (0u128, 0u128);
    for bit in (0..192).rev() {
        let next = if bit >= 128 {
            (hi >> (bit - 128)) & 1
        } else {
            (lo >> bit) & 1
        };
        // The remainder stays below c, but doubling it can pass 2^128: the
        // bit shifted out then means it is certainly at least c.
        let overflow = remainder >> 127 == 1;
        remainder = (remainder << 1) | next;
        quotient <<= 1;
        if overflow || remainder >= c {
            remainder = remainder.wrapping_sub(c);
            quotient |= 1;
        }
    }
    (quotient, remainder)
}

/// `a·b` as (low 128 bits, high bits).
fn wide_mul(a: u64, b: u128) -> (u128, u128) {
    let a = u128::from(a);
    let low = a * (b & u128::from(u64::MAX));
    let high = a * (b >> 64);
    let (lo, carry) = low.overflowing_add(high << 64);
    (lo, (high >> 64) + u128::from(carry))
}

/// Twelve monthly weights in fiscal-month order, for splitting over time.
///
/// A distribution typed by a user is twelve percentages totalling exactly
/// 100. An even one is twelve equal weights rather than percentages:
/// 100 % cannot be cut into twelve equal two-decimal figures, and
/// 8.34 ×4 + 8.33 ×8 would make four months visibly bigger. Last year's
/// shape is its twelve actuals as they are. Only the proportions matter to a
/// split; [`Distribution::percents`] gives them as percentages for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Distribution {
    weights: [Decimal; 12],
}

impl Distribution {
    /// Twelve percentages: none negative, total exactly 100 (no tolerance,
    /// so the months add up to the year). [`distribution_weights`] reads
    /// them in fiscal-month order; a January-first list gets there through
    /// [`Distribution::in_fiscal_order`].
    pub fn new(percents: &[Decimal]) -> Result<Distribution, SplitError> {
        let weights: [Decimal; 12] = percents
            .try_into()
            .map_err(|_| SplitError::DistributionLength(percents.len()))?;
        if let Some(i) = weights.iter().position(|p| *p < Decimal::ZERO) {
            return Err(SplitError::NegativePercent { month: i + 1 });
        }
        let total: Decimal = weights.iter().sum();
        if total != Decimal::ONE_HUNDRED {
            return Err(SplitError::DistributionTotal(total.normalize()));
        }
        Ok(Distribution { weights })
    }

    /// Every month the same.
    pub fn even() -> Distribution {
        Distribution {
            weights: [Decimal::ONE; 12],
        }
    }

    /// Last year's twelve monthly actuals in fiscal-month order, so this
    /// year follows their shape.
    pub fn from_monthly_shape(actuals: &[i64]) -> Result<Distribution, SplitError> {
        let actuals: [i64; 12] = actuals
            .try_into()
            .map_err(|_| SplitError::DistributionLength(actuals.len()))?;
        if let Some(i) = actuals.iter().position(|&a| a < 0) {
            return Err(SplitError::NegativeActual { month: i + 1 });
        }
        if actuals.iter().all(|&a| a == 0) {
            return Err(SplitError::EmptyShape);
        }
        Ok(Distribution {
            weights: actuals.map(Decimal::from),
        })
    }

    /// The relative monthly weights, in fiscal-month order.
    pub fn weights(&self) -> &[Decimal; 12] {
        &self.weights
    }

    /// Each month's share in percent; exact for a typed distribution,
    /// rounded to 28 digits for others (8.333…).
    pub fn percents(&self) -> [Decimal; 12] {
        let total: Decimal = self.weights.iter().sum();
        self.weights.map(|w| w * Decimal::ONE_HUNDRED / total)
    }

    /// This distribution read as January-to-December, reordered to start at
    /// the fiscal year's first month: seasons follow the calendar, so a
    /// spring peak stays in spring for a year starting in April.
    pub fn in_fiscal_order(&self, fy: FiscalYear) -> Distribution {
        let start = usize::from(fy.start_month()) - 1;
        Distribution {
            weights: std::array::from_fn(|i| self.weights[(start + i) % 12]),
        }
    }
}

/// A distribution every company can pick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltinDistribution {
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    /// January to December; see [`Distribution::in_fiscal_order`].
    pub calendar: Distribution,
}

/// The built-in seasonal patterns, each written for a calendar year.
pub fn builtin_distributions() -> Vec<BuiltinDistribution> {
    // Whole percents, January first; each line totals 100 (tested).
    const CAR_DEALER: [i64; 12] = [6, 5, 10, 10, 9, 8, 7, 7, 9, 9, 9, 11];
    const RETAIL_YEAR_END: [i64; 12] = [7, 6, 7, 7, 8, 7, 7, 8, 8, 9, 11, 15];
    let percents = |p: [i64; 12]| {
        Distribution::new(&p.map(Decimal::from)).expect("a built-in distribution totals 100")
    };
    vec![
        BuiltinDistribution {
            code: "even",
            name_zh: "平均",
            name_en: "Even",
            calendar: Distribution::even(),
        },
        BuiltinDistribution {
            code: "car_dealer",
            name_zh: "汽车经销商",
            name_en: "Car dealer (spring peak)",
            calendar: percents(CAR_DEALER),
        },
        BuiltinDistribution {
            code: "retail_year_end",
            name_zh: "零售年末旺季",
            name_en: "Retail (year-end peak)",
            calendar: percents(RETAIL_YEAR_END),
        },
    ]
}

/// What a period is split into over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Grain {
    Quarters,
    Months,
    /// ISO weeks.
    Weeks,
}

impl Grain {
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Grain::Quarters => ("quarters", "季度"),
            Grain::Months => ("months", "月"),
            Grain::Weeks => ("weeks", "周"),
        }
    }
}

/// The parts of `whole` at grain `to`, in time order: a year to its four
/// fiscal quarters, twelve fiscal months or ISO weeks; a quarter to its
/// months or weeks; a month to its weeks.
///
/// A week belongs to the period holding its Thursday — the rule that gives
/// ISO years their weeks — so the weeks of neighbouring periods never
/// overlap and none is lost between them.
pub fn time_parts(fy: FiscalYear, whole: Period, to: Grain) -> Result<Vec<Period>, SplitError> {
    check_period(whole)?;
    match (whole, to) {
        (Period::Year(y), Grain::Quarters) => Ok((1..=4).map(|q| Period::Quarter(y, q)).collect()),
        (Period::Year(y), Grain::Months) => Ok(fy.months(y).to_vec()),
        (Period::Quarter(y, q), Grain::Months) => Ok(fy.quarter_months(y, q).to_vec()),
        (Period::Year(_) | Period::Quarter(..) | Period::Month(..), Grain::Weeks) => {
            Ok(weeks_in(fy.span(whole)))
        }
        _ => Err(SplitError::CannotSplit { from: whole, to }),
    }
}

/// Refuses periods built in code with an impossible number, which
/// [`FiscalYear`] would otherwise clamp or map to a far-off date.
fn check_period(p: Period) -> Result<(), SplitError> {
    let ok = match p {
        Period::Year(y) => (1..=9999).contains(&y),
        Period::Quarter(y, q) => (1..=9999).contains(&y) && (1..=4).contains(&q),
        Period::Month(y, m) => (1..=9999).contains(&y) && (1..=12).contains(&m),
        Period::Week(..) | Period::Day(_) => true,
    };
    if ok {
        Ok(())
    } else {
        Err(SplitError::InvalidPeriod(p))
    }
}

/// The ISO weeks whose Thursday falls between `first` and `last`.
fn weeks_in((first, last): (NaiveDate, NaiveDate)) -> Vec<Period> {
    let to_thursday =
        (7 + Weekday::Thu.num_days_from_monday() - first.weekday().num_days_from_monday()) % 7;
    let mut thursday = first + Days::new(u64::from(to_thursday));
    let mut weeks = Vec::new();
    while thursday <= last {
        // A Thursday's ISO year is its calendar year.
        let week = thursday.iso_week();
        weeks.push(Period::Week(week.year(), week.week() as u8));
        thursday = thursday + Days::new(7);
    }
    weeks
}

/// Equal weights: an even split. Quarters and months each get the same
/// share whatever their length, as people expect of "evenly"; every ISO
/// week has seven days, so equal weeks are also even by days.
pub fn even_weights(parts: &[Period]) -> Vec<Decimal> {
    vec![Decimal::ONE; parts.len()]
}

/// Weights following a distribution (in fiscal-month order): a month gets
/// its month's weight, a quarter or year the sum of its months, and a week
/// or day its days' shares of their months (a month's weight ÷ its days,
/// per day), so a week straddling two months takes from both. Days in a
/// neighbouring fiscal year weigh as the same month of this one.
pub fn distribution_weights(fy: FiscalYear, parts: &[Period], dist: &Distribution) -> Vec<Decimal> {
    parts.iter().map(|&p| period_weight(fy, p, dist)).collect()
}

fn period_weight(fy: FiscalYear, period: Period, dist: &Distribution) -> Decimal {
    let sum = |months: &[Period]| months.iter().map(|&m| period_weight(fy, m, dist)).sum();
    match period {
        Period::Year(y) => sum(&fy.months(y)),
        Period::Quarter(y, q) => sum(&fy.quarter_months(y, q)),
        Period::Month(_, m) => month_weight(fy, m, dist),
        Period::Week(..) | Period::Day(_) => {
            let (first, last) = fy.span(period);
            first
                .iter_days()
                .take_while(|d| *d <= last)
                .map(|d| day_weight(fy, d, dist))
                .sum()
        }
    }
}

fn month_weight(fy: FiscalYear, month: u8, dist: &Distribution) -> Decimal {
    let position = (usize::from(month) + 12 - usize::from(fy.start_month())) % 12;
    dist.weights[position]
}

fn day_weight(fy: FiscalYear, day: NaiveDate, dist: &Distribution) -> Decimal {
    let (_, month_end) = fy.span(Period::month_of(day));
    month_weight(fy, day.month() as u8, dist) / Decimal::from(month_end.day())
}

/// A planning target: last year's actual × (1 + growth %), rounded half
/// away from zero to the minor unit, so +20 % on 10000 is 12000. Figures
/// beyond i64 saturate: a target is a plan, and a clamped huge figure is
/// more useful than a refusal or a wrapped sign.
pub fn grow(last: i64, growth_percent: Decimal) -> i64 {
    let factor = Decimal::ONE_HUNDRED.checked_add(growth_percent);
    let factor_negative = factor.map_or(growth_percent, |f| f).is_sign_negative();
    let saturated = if (last < 0) != factor_negative {
        i64::MIN
    } else {
        i64::MAX
    };
    factor
        .and_then(|f| Decimal::from(last).checked_mul(f))
        .and_then(|p| p.checked_div(Decimal::ONE_HUNDRED))
        .map(|g| g.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero))
        .and_then(|g| i64::try_from(g).ok())
        .unwrap_or(saturated)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn ones(n: usize) -> Vec<Decimal> {
        vec![Decimal::ONE; n]
    }

    fn p(s: &str) -> Period {
        s.parse().unwrap()
    }

    #[test]
    fn a_hundred_yuan_in_three_gives_the_first_the_extra_fen() {
        let split = by_weights(10000, &ones(3)).unwrap();
        assert_eq!(split.parts, [3334, 3333, 3333]);
        assert_eq!(split.took_remainder, [true, false, false]);
        let split = by_weights(-10000, &ones(3)).unwrap();
        assert_eq!(split.parts, [-3334, -3333, -3333]);
    }

    #[test]
    fn the_largest_remainder_wins_over_position() {
        // Quotas 3.33 and 6.67.
        let split = by_weights(10, &[d("1"), d("2")]).unwrap();
        assert_eq!(split.parts, [3, 7]);
        assert_eq!(split.took_remainder, [false, true]);
        // Percentages with mixed decimals, and a zero weight.
        let split = by_weights(1001, &[d("12.5"), d("0"), d("87.50")]).unwrap();
        assert_eq!(split.parts, [125, 0, 876]);
    }

    #[test]
    fn weights_with_28_decimals_and_extreme_wholes_stay_exact() {
        let third = Decimal::ONE / Decimal::from(3);
        let split = by_weights(i64::MAX, &[third, third, third]).unwrap();
        assert_eq!(
            split.parts.iter().map(|&v| i128::from(v)).sum::<i128>(),
            i128::from(i64::MAX)
        );
        let split = by_weights(i64::MIN, &[Decimal::MAX, Decimal::ONE]).unwrap();
        assert_eq!(
            split.parts.iter().map(|&v| i128::from(v)).sum::<i128>(),
            i128::from(i64::MIN)
        );
        assert_eq!(
            by_weights(1, &[Decimal::MAX, d("0.0000000000000000000000000001")]),
            Err(SplitError::WeightsOutOfRange)
        );
    }

    #[test]
    fn bad_weights_are_refused_with_a_reason() {
        let err = by_weights(10000, &[Decimal::ZERO; 3]).unwrap_err();
        assert_eq!(err, SplitError::AllWeightsZero);
        let msg = err.message(Kind::Amount);
        assert_eq!(
            msg.en,
            "the weights are all zero; give at least one part a weight above zero"
        );
        assert_eq!(msg.zh, "权重全为零，请至少给一项大于零的权重");
        // Nothing to spread: zeros are fine.
        assert_eq!(by_weights(0, &[Decimal::ZERO; 2]).unwrap().parts, [0, 0]);
        assert_eq!(by_weights(5, &[]), Err(SplitError::NoParts));
        assert_eq!(
            by_weights(5, &[d("1"), d("-1")]),
            Err(SplitError::NegativeWeight { index: 1 })
        );
    }

    #[test]
    fn a_locked_cell_keeps_its_figure_and_the_rest_is_respread() {
        let split = with_fixed(10001, &ones(3), &[None, Some(5000), None]).unwrap();
        assert_eq!(split.parts, [2501, 5000, 2500]);
        assert_eq!(split.took_remainder, [true, false, false]);
        let split = with_fixed(-900, &ones(2), &[Some(-300), None]).unwrap();
        assert_eq!(split.parts, [-300, -600]);
    }

    #[test]
    fn locks_that_take_too_much_are_refused_saying_by_how_much() {
        let err = with_fixed(10000, &ones(3), &[Some(8000), Some(4000), None]).unwrap_err();
        assert_eq!(
            err,
            SplitError::FixedExceedWhole {
                whole: 10000,
                fixed: 12000,
                excess: 2000
            }
        );
        let msg = err.message(Kind::Amount);
        assert!(
            msg.en.contains("20.00 beyond the whole of 100.00"),
            "{}",
            msg.en
        );
        assert!(msg.zh.contains("共 20.00"), "{}", msg.zh);
        assert_eq!(
            with_fixed(100, &ones(2), &[Some(40), Some(50)]),
            Err(SplitError::AllFixedMismatch {
                whole: 100,
                fixed: 90
            })
        );
        assert_eq!(
            with_fixed(100, &[d("1"), d("0")], &[Some(40), None]),
            Err(SplitError::UnlockedWeightsZero { rest: 60 })
        );
        assert_eq!(
            with_fixed(100, &ones(2), &[None]),
            Err(SplitError::LengthMismatch {
                weights: 2,
                fixed: 1
            })
        );
        assert_eq!(
            with_fixed(i64::MAX, &ones(3), &[Some(i64::MIN), Some(i64::MIN), None]),
            Err(SplitError::OutOfRange)
        );
    }

    #[test]
    fn distributions_must_be_twelve_percentages_totalling_100() {
        let mut ps = vec![d("8.33"); 11];
        assert_eq!(
            Distribution::new(&ps),
            Err(SplitError::DistributionLength(11))
        );
        ps.push(d("7.87"));
        let err = Distribution::new(&ps).unwrap_err();
        assert_eq!(err, SplitError::DistributionTotal(d("99.5")));
        let msg = err.message(Kind::Amount);
        assert_eq!(
            msg.en,
            "the distribution's twelve percentages total 99.5, not 100"
        );
        assert_eq!(msg.zh, "分布的十二个百分比合计为 99.5，应为 100");
        ps[11] = d("8.37");
        assert!(Distribution::new(&ps).is_ok());
        ps[2] = d("-1");
        assert_eq!(
            Distribution::new(&ps),
            Err(SplitError::NegativePercent { month: 3 })
        );
    }

    #[test]
    fn the_builtins_are_valid_and_the_car_dealer_peaks_in_spring() {
        let builtins = builtin_distributions();
        for b in &builtins {
            let percents = b.calendar.percents();
            assert_eq!(
                percents.iter().sum::<Decimal>().round_dp(20),
                Decimal::ONE_HUNDRED,
                "{}",
                b.code
            );
        }
        let car = &builtins
            .iter()
            .find(|b| b.code == "car_dealer")
            .unwrap()
            .calendar;
        assert!(Distribution::new(car.weights()).is_ok());
        assert!(car.weights()[2] > car.weights()[1], "March above February");
        // With an April start the fiscal year's first month is April.
        let april = car.in_fiscal_order(FiscalYear::starting_in(4).unwrap());
        assert_eq!(april.weights()[0], car.weights()[3]);
        assert_eq!(april.weights()[11], car.weights()[2]);
        let retail = &builtins
            .iter()
            .find(|b| b.code == "retail_year_end")
            .unwrap()
            .calendar;
        let q = |i: usize| retail.weights()[i * 3..i * 3 + 3].iter().sum::<Decimal>();
        assert!((0..3).all(|i| q(3) > q(i)), "Q4 is the peak");
    }

    #[test]
    fn even_is_truly_even() {
        let fy = FiscalYear::default();
        let months = time_parts(fy, p("2026"), Grain::Months).unwrap();
        let weights = distribution_weights(fy, &months, &Distribution::even());
        assert_eq!(by_weights(120000, &weights).unwrap().parts, [10000; 12]);
        assert_eq!(
            by_weights(120000, &even_weights(&months)).unwrap().parts,
            [10000; 12]
        );
    }

    #[test]
    fn last_years_shape_is_followed() {
        let shape =
            Distribution::from_monthly_shape(&[1, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0]).unwrap();
        let fy = FiscalYear::default();
        let quarters = time_parts(fy, p("2026"), Grain::Quarters).unwrap();
        let weights = distribution_weights(fy, &quarters, &shape);
        assert_eq!(by_weights(1000, &weights).unwrap().parts, [1000, 0, 0, 0]);
        assert_eq!(
            Distribution::from_monthly_shape(&[0; 12]),
            Err(SplitError::EmptyShape)
        );
        let mut bad = [1; 12];
        bad[4] = -1;
        assert_eq!(
            Distribution::from_monthly_shape(&bad),
            Err(SplitError::NegativeActual { month: 5 })
        );
    }

    #[test]
    fn years_quarters_and_months_split_into_their_parts() {
        let april = FiscalYear::starting_in(4).unwrap();
        assert_eq!(
            time_parts(april, p("2026"), Grain::Quarters).unwrap(),
            [p("2026-Q1"), p("2026-Q2"), p("2026-Q3"), p("2026-Q4")]
        );
        let months = time_parts(april, p("2026"), Grain::Months).unwrap();
        assert_eq!((months[0], months[11]), (p("2026-04"), p("2027-03")));
        assert_eq!(
            time_parts(april, p("2026-Q4"), Grain::Months).unwrap(),
            [p("2027-01"), p("2027-02"), p("2027-03")]
        );
        // January 2026 has Thursdays on the 1st, 8th, 15th, 22nd and 29th.
        let fy = FiscalYear::default();
        let weeks = time_parts(fy, p("2026-01"), Grain::Weeks).unwrap();
        assert_eq!(
            weeks,
            ["2026-W01", "2026-W02", "2026-W03", "2026-W04", "2026-W05"].map(p)
        );
    }

    #[test]
    fn a_year_with_53_iso_weeks_gets_53_parts() {
        let fy = FiscalYear::default();
        // 2026 starts on a Thursday, so it has 53 ISO weeks; 2025 has 52.
        let weeks = time_parts(fy, p("2026"), Grain::Weeks).unwrap();
        assert_eq!(weeks.len(), 53);
        assert_eq!((weeks[0], weeks[52]), (p("2026-W01"), p("2026-W53")));
        assert_eq!(time_parts(fy, p("2025"), Grain::Weeks).unwrap().len(), 52);
        let split = by_weights(530000, &even_weights(&weeks)).unwrap();
        assert_eq!(split.parts, [10000; 53]);
    }

    #[test]
    fn impossible_time_splits_are_refused() {
        let fy = FiscalYear::default();
        let err = time_parts(fy, p("2026-03"), Grain::Quarters).unwrap_err();
        assert_eq!(
            err,
            SplitError::CannotSplit {
                from: p("2026-03"),
                to: Grain::Quarters
            }
        );
        assert!(
            err.message(Kind::Count)
                .en
                .starts_with("a month (2026-03) cannot be split into quarters")
        );
        assert!(
            err.message(Kind::Count)
                .zh
                .starts_with("月（2026-03）不能分解为季度")
        );
        for (from, to) in [
            ("2026-W05", Grain::Weeks),
            ("2026-03-15", Grain::Weeks),
            ("2026-Q1", Grain::Quarters),
            ("2026", Grain::Quarters),
        ] {
            let result = time_parts(fy, p(from), to);
            assert_eq!(result.is_ok(), from == "2026", "{from}");
        }
        assert_eq!(
            time_parts(fy, Period::Quarter(2026, 5), Grain::Months),
            Err(SplitError::InvalidPeriod(Period::Quarter(2026, 5)))
        );
    }

    #[test]
    fn a_week_across_two_months_takes_from_both() {
        let fy = FiscalYear::default();
        let car = &builtin_distributions()[1].calendar;
        // 2026-W09 runs Mon 23 Feb to Sun 1 Mar: 6 February days, 1 March day.
        let w = distribution_weights(fy, &[p("2026-W09")], car)[0];
        let expected = d("5") * d("6") / d("28") + d("10") / d("31");
        assert_eq!(w.round_dp(20), expected.round_dp(20));
    }

    #[test]
    fn growth_rounds_half_away_from_zero_and_saturates() {
        assert_eq!(grow(10000, d("20")), 12000);
        assert_eq!(grow(333, d("10")), 366);
        assert_eq!(grow(335, d("10")), 369);
        assert_eq!(grow(-335, d("10")), -369);
        assert_eq!(grow(10000, d("-12.5")), 8750);
        assert_eq!(grow(i64::MAX, d("100")), i64::MAX);
        assert_eq!(grow(i64::MIN, d("100")), i64::MIN);
        assert_eq!(grow(5, Decimal::MAX), i64::MAX);
        assert_eq!(grow(-5, Decimal::MAX), i64::MIN);
    }

    /// Up to 4 decimals, 0 to 10^6, zero often.
    fn weight() -> impl Strategy<Value = Decimal> {
        prop_oneof![
            1 => Just(Decimal::ZERO),
            4 => (0u32..=4).prop_flat_map(|s| (0..=10i64.pow(6 + s)).prop_map(move |m| Decimal::new(m, s))),
        ]
    }

    fn weights() -> impl Strategy<Value = Vec<Decimal>> {
        prop::collection::vec(weight(), 1..=200).prop_map(|mut ws| {
            if ws.iter().all(|w| w.is_zero()) {
                ws[0] = Decimal::ONE;
            }
            ws
        })
    }

    fn whole() -> impl Strategy<Value = i64> {
        prop_oneof![
            0..=1_000_000_000_000i64,
            -1_000_000_000_000i64..0,
            any::<i64>()
        ]
    }

    /// Twelve hundredths-of-a-percent values totalling exactly 100.
    fn distribution() -> impl Strategy<Value = Distribution> {
        prop::collection::vec(0..=10_000i64, 11).prop_map(|mut cuts| {
            cuts.push(0);
            cuts.push(10_000);
            cuts.sort();
            let ps: Vec<Decimal> = cuts
                .windows(2)
                .map(|w| Decimal::new(w[1] - w[0], 2))
                .collect();
            Distribution::new(&ps).unwrap()
        })
    }

    fn as_integer(w: Decimal) -> i128 {
        i128::try_from(w * Decimal::from(10_000)).unwrap()
    }

    /// Checks the unlocked parts of a split of `rest`: within a unit of their
    /// quotas, signed like `rest`, and as many remainder takers as units left.
    fn check_spread(
        rest: i128,
        weights: &[Decimal],
        locked: &[bool],
        split: &Split,
    ) -> Result<(), TestCaseError> {
        let ws: Vec<i128> = weights
            .iter()
            .zip(locked)
            .map(|(&w, &l)| if l { 0 } else { as_integer(w) })
            .collect();
        let total: i128 = ws.iter().sum();
        if total == 0 {
            // Only allowed with nothing to spread.
            prop_assert_eq!(rest, 0);
            prop_assert!(split.parts.iter().zip(locked).all(|(&p, &l)| l || p == 0));
            return Ok(());
        }
        let mut floors = 0;
        for (i, &w) in ws.iter().enumerate() {
            if locked[i] {
                prop_assert!(!split.took_remainder[i]);
                continue;
            }
            let part = i128::from(split.parts[i]);
            // |part − rest·w/W| < 1, in integers.
            prop_assert!((part * total - rest * w).abs() < total, "part {i}");
            prop_assert!(rest < 0 || part >= 0);
            floors += (rest.abs() * w) / total;
        }
        let takers = split.took_remainder.iter().filter(|&&t| t).count() as i128;
        prop_assert_eq!(takers, rest.abs() - floors);
        Ok(())
    }

    proptest! {
        #[test]
        fn parts_sum_to_the_whole_and_stay_within_a_unit(whole in whole(), ws in weights()) {
            let split = by_weights(whole, &ws).unwrap();
            prop_assert_eq!(split.parts.iter().map(|&v| i128::from(v)).sum::<i128>(), i128::from(whole));
            check_spread(i128::from(whole), &ws, &vec![false; ws.len()], &split)?;
        }

        #[test]
        fn locked_parts_keep_their_figures(
            whole in -1_000_000_000_000i64..=1_000_000_000_000,
            ws in weights(),
            locks in prop::collection::vec(prop::option::weighted(0.3, 0..=1000u64), 200),
        ) {
            let n = ws.len() as i64;
            let locks = &locks[..ws.len()];
            // Each lock takes up to 1/n of the whole, so together they fit.
            let fixed: Vec<Option<i64>> =
                locks.iter().map(|l| l.map(|l| whole / n * l as i64 / 1000)).collect();
            let locked: Vec<bool> = fixed.iter().map(Option::is_some).collect();
            let rest = i128::from(whole) - fixed.iter().flatten().map(|&v| i128::from(v)).sum::<i128>();
            let free_zero = ws.iter().zip(&locked).all(|(w, &l)| l || w.is_zero());
            match with_fixed(whole, &ws, &fixed) {
                Ok(split) => {
                    prop_assert!(rest == 0 || !free_zero);
                    prop_assert_eq!(split.parts.iter().map(|&v| i128::from(v)).sum::<i128>(), i128::from(whole));
                    for (part, lock) in split.parts.iter().zip(&fixed) {
                        prop_assert!(lock.is_none_or(|v| v == *part));
                    }
                    check_spread(rest, &ws, &locked, &split)?;
                }
                Err(SplitError::AllFixedMismatch { .. }) => prop_assert!(locked.iter().all(|&l| l) && rest != 0),
                Err(SplitError::UnlockedWeightsZero { .. }) => prop_assert!(free_zero && rest != 0),
                Err(e) => prop_assert!(false, "{:?}", e),
            }
        }

        #[test]
        fn wide_division_is_exact(a in any::<u64>(), b in any::<u128>(), c in any::<u128>()) {
            let (b, c) = (b.min(c), b.max(c).max(1));
            let (q, r) = mul_div(a, b, c);
            prop_assert!(r < c);
            // q·c + r rebuilds a·b.
            let (lo, hi) = wide_mul(u64::try_from(q).unwrap(), c);
            let (lo, carry) = lo.overflowing_add(r);
            prop_assert_eq!((lo, hi + u128::from(carry)), wide_mul(a, b));
        }

        #[test]
        fn a_year_splits_exactly_over_time(
            dist in distribution(),
            start in 1u8..=12,
            year in 2000i32..=2100,
            whole in 0..=1_000_000_000_000i64,
        ) {
            let fy = FiscalYear::starting_in(start).unwrap();
            for grain in [Grain::Quarters, Grain::Months, Grain::Weeks] {
                let parts = time_parts(fy, Period::Year(year), grain).unwrap();
                let split = by_weights(whole, &distribution_weights(fy, &parts, &dist)).unwrap();
                prop_assert_eq!(split.parts.iter().sum::<i64>(), whole);
                let even = by_weights(whole, &even_weights(&parts)).unwrap();
                prop_assert_eq!(even.parts.iter().sum::<i64>(), whole);
            }
            // A quarter weighs exactly its three months.
            let quarters = time_parts(fy, Period::Year(year), Grain::Quarters).unwrap();
            let months = time_parts(fy, Period::Year(year), Grain::Months).unwrap();
            let q = distribution_weights(fy, &quarters, &dist);
            let m = distribution_weights(fy, &months, &dist);
            for i in 0..4 {
                prop_assert_eq!(q[i], m[i * 3..i * 3 + 3].iter().sum::<Decimal>());
            }
        }

        #[test]
        fn consecutive_years_weeks_are_disjoint_and_contiguous(start in 1u8..=12, year in 1990i32..=2100) {
            let fy = FiscalYear::starting_in(start).unwrap();
            let mut weeks = time_parts(fy, Period::Year(year), Grain::Weeks).unwrap();
            prop_assert!((52..=53).contains(&weeks.len()));
            weeks.extend(time_parts(fy, Period::Year(year + 1), Grain::Weeks).unwrap());
            let mondays: Vec<NaiveDate> = weeks.iter().map(|&w| fy.span(w).0).collect();
            for pair in mondays.windows(2) {
                prop_assert_eq!(pair[1] - pair[0], chrono::TimeDelta::days(7));
            }
            // And the months' weeks are exactly the year's.
            let by_month: Vec<Period> = fy
                .months(year)
                .iter()
                .flat_map(|&m| time_parts(fy, m, Grain::Weeks).unwrap())
                .collect();
            prop_assert_eq!(&by_month[..], &weeks[..by_month.len()]);
        }
    }
}
