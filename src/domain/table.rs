//! The target table (目标管理表): the seed's colour rule, completion rates
//! and the 平均/合计 column, in exact decimal arithmetic.
//!
//! 绿色表示达到且超过目标，黄色表示与目标持平，红色表示未达到目标，
//! 无数据时无意义；平均/合计列为自动计算得出.

use rust_decimal::prelude::*;
use serde::Serialize;

use super::metric::{Direction, Kind, Metric, Rollup, Total};

/// A cell's colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 达到且超过: better than the target by more than the tolerance.
    Green,
    /// 持平: within the tolerance of the target.
    Yellow,
    /// 未达到: worse than the target by more than the tolerance.
    Red,
    /// 无数据: no target or no actual — never shown as 0 or red.
    None,
}

/// How far `actual` is on the good side of `reference`, direction-aware.
fn margin(direction: Direction, reference: Decimal, actual: Decimal) -> Decimal {
    match direction {
        Direction::Higher => actual - reference,
        Direction::Lower => reference - actual,
    }
}

fn classify(direction: Direction, tolerance: i64, reference: Decimal, actual: Decimal) -> Status {
    let m = margin(direction, reference, actual);
    let tol = Decimal::from(tolerance.abs());
    if m.abs() <= tol {
        Status::Yellow
    } else if m > Decimal::ZERO {
        Status::Green
    } else {
        Status::Red
    }
}

/// The seed's colour rule, for values in minor units.
pub fn status(
    direction: Direction,
    tolerance: i64,
    target: Option<i64>,
    actual: Option<i64>,
) -> Status {
    match (target, actual) {
        (Some(t), Some(a)) => classify(direction, tolerance, Decimal::from(t), Decimal::from(a)),
        _ => Status::None,
    }
}

/// 完成率 vs 时间进度: the actual against the share of the target that the
/// time elapsed calls for (`elapsed` from 0 to 1).
pub fn pace_status(
    direction: Direction,
    tolerance: i64,
    target: Option<i64>,
    actual: Option<i64>,
    elapsed: Decimal,
) -> Status {
    match (target, actual) {
        (Some(t), Some(a)) if elapsed > Decimal::ZERO => classify(
            direction,
            tolerance,
            Decimal::from(t) * elapsed,
            Decimal::from(a),
        ),
        _ => Status::None,
    }
}

/// 完成率 in percent with two decimals: actual ÷ target for higher-is-better,
/// target ÷ actual for lower-is-better. `None` when there is no data or the
/// divisor is zero (shown as "—").
pub fn rate(direction: Direction, target: Option<i64>, actual: Option<i64>) -> Option<Decimal> {
    let (t, a) = (target?, actual?);
    let (num, den) = match direction {
        Direction::Higher => (a, t),
        Direction::Lower => (t, a),
    };
    if den == 0 {
        return None;
    }
    let r = Decimal::from(num).checked_mul(Decimal::ONE_HUNDRED)? / Decimal::from(den);
    Some(r.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
}

/// Rounds to a whole number of minor units, halves away from zero.
fn to_minor(d: Decimal) -> Option<i64> {
    d.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
}

/// A unit's rollup from its children's values with data, given as their
/// sum and count (what SQL aggregates); `None` without data. Equals
/// [`total`] of the same values by the matching rule.
pub fn roll_up(rule: Rollup, sum: i64, count: i64) -> Option<i64> {
    if count == 0 {
        return None;
    }
    match rule {
        Rollup::Sum => Some(sum),
        Rollup::Average => to_minor(Decimal::from(sum) / Decimal::from(count)),
        Rollup::None => None,
    }
}

/// Totals a run of monthly values by rule, over the months with data;
/// `None` when no month has data. [`Total::Ratio`] is done by [`ratio`].
pub fn total(rule: Total, values: &[Option<i64>]) -> Option<i64> {
    let present: Vec<i64> = values.iter().flatten().copied().collect();
    if present.is_empty() {
        return None;
    }
    match rule {
        Total::Sum | Total::Ratio => present.iter().try_fold(0i64, |acc, v| acc.checked_add(*v)),
        Total::Average => {
            let sum: Decimal = present.iter().map(|v| Decimal::from(*v)).sum();
            to_minor(sum / Decimal::from(present.len()))
        }
        Total::Last => values.iter().rev().flatten().next().copied(),
    }
}

/// A ratio metric's total: Σ numerator ÷ Σ denominator, expressed in the
/// ratio metric's own kind (a percent is ×100). `None` on a zero divisor.
pub fn ratio(kind: Kind, numerator: Option<i64>, denominator: Option<i64>) -> Option<i64> {
    let (n, d) = (numerator?, denominator?);
    if d == 0 {
        return None;
    }
    let factor = Decimal::from(10i64.pow(kind.scale()))
        * if kind == Kind::Percent {
            Decimal::ONE_HUNDRED
        } else {
            Decimal::ONE
        };
    to_minor(Decimal::from(n) * factor / Decimal::from(d))
}

/// One cell of the table: target, actual, rate and colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    pub target: Option<i64>,
    pub actual: Option<i64>,
    pub rate: Option<Decimal>,
    pub status: Status,
}

impl Cell {
    pub fn new(metric: &Metric, target: Option<i64>, actual: Option<i64>) -> Cell {
        Cell {
            target,
            actual,
            rate: rate(metric.direction, target, actual),
            status: status(metric.direction, metric.tolerance, target, actual),
        }
    }
}

/// One metric's row: twelve months and the total column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub months: [Cell; 12],
    /// The target set for the year itself, if any.
    pub year_target: Option<i64>,
    /// The 平均/合计 column: the year target when set, else the months'
    /// targets totalled by rule, against the months' actuals totalled.
    pub total: Cell,
}

/// Monthly figures of one metric for one subject and year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    pub targets: [Option<i64>; 12],
    pub actuals: [Option<i64>; 12],
    pub year_target: Option<i64>,
}

/// Builds a row. For a ratio metric pass the figures of its numerator and
/// denominator metrics; their sums make the total.
pub fn build_row(metric: &Metric, f: &Figures, ratio_parts: Option<(&Figures, &Figures)>) -> Row {
    let months = std::array::from_fn(|i| Cell::new(metric, f.targets[i], f.actuals[i]));
    let (target_total, actual_total) = match (metric.total, ratio_parts) {
        (Total::Ratio, Some((num, den))) => (
            ratio(
                metric.kind,
                total(Total::Sum, &num.targets),
                total(Total::Sum, &den.targets),
            ),
            ratio(
                metric.kind,
                total(Total::Sum, &num.actuals),
                total(Total::Sum, &den.actuals),
            ),
        ),
        (rule, _) => (total(rule, &f.targets), total(rule, &f.actuals)),
    };
    let target = f.year_target.or(target_total);
    Row {
        months,
        year_target: f.year_target,
        total: Cell::new(metric, target, actual_total),
    }
}

// Amounts are written as yuan_fen: 600_00 is ¥600.00 in 分.
#[allow(clippy::inconsistent_digit_grouping)]
#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::metric::{Kind, default_metrics};

    fn metric(code: &str) -> Metric {
        default_metrics()
            .into_iter()
            .find(|m| m.code == code)
            .unwrap()
    }

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn higher_is_better_green_yellow_red() {
        let h = Direction::Higher;
        assert_eq!(status(h, 0, Some(600_00), Some(645_84)), Status::Green);
        assert_eq!(status(h, 0, Some(600_00), Some(600_00)), Status::Yellow);
        assert_eq!(status(h, 0, Some(600_00), Some(599_99)), Status::Red);
    }

    #[test]
    fn lower_is_better_turns_the_rule_round() {
        let l = Direction::Lower;
        // 客户有效投诉: target 5, 3 is better, 5 level, 7 worse.
        assert_eq!(status(l, 0, Some(5), Some(3)), Status::Green);
        assert_eq!(status(l, 0, Some(5), Some(5)), Status::Yellow);
        assert_eq!(status(l, 0, Some(5), Some(7)), Status::Red);
        assert_eq!(rate(l, Some(5), Some(4)), Some(d("125.00")));
        assert_eq!(
            rate(l, Some(5), Some(0)),
            None,
            "no complaints: no rate, still green"
        );
        assert_eq!(status(l, 0, Some(5), Some(0)), Status::Green);
    }

    #[test]
    fn tolerance_widens_level() {
        let h = Direction::Higher;
        // 满意度 90.00 % with a tolerance of 0.50 points.
        assert_eq!(status(h, 50, Some(9000), Some(8950)), Status::Yellow);
        assert_eq!(status(h, 50, Some(9000), Some(9050)), Status::Yellow);
        assert_eq!(status(h, 50, Some(9000), Some(9051)), Status::Green);
        assert_eq!(status(h, 50, Some(9000), Some(8949)), Status::Red);
    }

    #[test]
    fn no_data_is_never_red() {
        let h = Direction::Higher;
        assert_eq!(status(h, 0, Some(600_00), None), Status::None);
        assert_eq!(status(h, 0, None, Some(600_00)), Status::None);
        assert_eq!(rate(h, None, Some(1)), None);
    }

    #[test]
    fn a_zero_target_gives_no_rate_but_a_colour() {
        assert_eq!(rate(Direction::Higher, Some(0), Some(100)), None);
        assert_eq!(
            status(Direction::Higher, 0, Some(0), Some(100)),
            Status::Green
        );
        assert_eq!(
            status(Direction::Lower, 0, Some(0), Some(0)),
            Status::Yellow
        );
    }

    #[test]
    fn rates_are_exact_to_two_decimals() {
        // 645.84 of 600 is 107.64 %.
        assert_eq!(
            rate(Direction::Higher, Some(600_00), Some(645_84)),
            Some(d("107.64"))
        );
        // 1 of 3: 33.33 %, 2 of 3: 66.67 % (half away from zero).
        assert_eq!(rate(Direction::Higher, Some(3), Some(1)), Some(d("33.33")));
        assert_eq!(rate(Direction::Higher, Some(3), Some(2)), Some(d("66.67")));
    }

    #[test]
    fn on_track_against_time_elapsed() {
        // On 15 March (48.39 % of March gone), 300 of a 600 target is ahead.
        let e = d("15") / d("31");
        let h = Direction::Higher;
        assert_eq!(
            pace_status(h, 0, Some(600_00), Some(300_00), e),
            Status::Green
        );
        assert_eq!(
            pace_status(h, 0, Some(600_00), Some(250_00), e),
            Status::Red
        );
        assert_eq!(pace_status(h, 0, Some(600_00), None, e), Status::None);
    }

    #[test]
    fn totals_by_rule() {
        let v = [
            Some(10),
            None,
            Some(20),
            Some(31),
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ];
        assert_eq!(total(Total::Sum, &v), Some(61));
        // Average over the three months with data: 20.333… → 20.
        assert_eq!(total(Total::Average, &v), Some(20));
        assert_eq!(total(Total::Last, &v), Some(31));
        assert_eq!(total(Total::Sum, &[None; 12]), None);
        // Halves round away from zero.
        assert_eq!(total(Total::Average, &[Some(1), Some(2)]), Some(2));
    }

    #[test]
    fn ratio_of_sums_in_percent() {
        // 新客户销售 300 of 销售 1,000 → 30.00 %.
        assert_eq!(
            ratio(Kind::Percent, Some(300_00), Some(1000_00)),
            Some(3000)
        );
        assert_eq!(ratio(Kind::Percent, Some(1), Some(0)), None);
        assert_eq!(ratio(Kind::Ratio, Some(1), Some(3)), Some(3333));
    }

    #[test]
    fn the_total_column_prefers_the_year_target() {
        let m = metric("sales_amount");
        let mut f = Figures::default();
        f.targets[0] = Some(100_00);
        f.targets[1] = Some(100_00);
        f.actuals[0] = Some(120_00);
        f.actuals[1] = Some(90_00);
        let row = build_row(&m, &f, None);
        assert_eq!(row.total.target, Some(200_00));
        assert_eq!(row.total.actual, Some(210_00));
        assert_eq!(row.total.status, Status::Green);
        assert_eq!(row.months[1].status, Status::Red);
        assert_eq!(row.months[2].status, Status::None);
        f.year_target = Some(250_00);
        let row = build_row(&m, &f, None);
        assert_eq!(row.year_target, Some(250_00));
        assert_eq!(row.total.target, Some(250_00));
        assert_eq!(row.total.rate, Some(d("84.00")));
        assert_eq!(row.total.status, Status::Red);
    }

    #[test]
    fn percent_metrics_average_the_months() {
        let m = metric("satisfaction");
        let mut f = Figures {
            targets: [Some(9000); 12],
            ..Default::default()
        };
        f.actuals[0] = Some(9200);
        f.actuals[1] = Some(8800);
        f.actuals[2] = Some(9100);
        let row = build_row(&m, &f, None);
        assert_eq!(row.total.target, Some(9000));
        assert_eq!(row.total.actual, Some(9033));
        assert_eq!(row.total.status, Status::Green);
    }
}
