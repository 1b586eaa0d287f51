//! Metrics (指标): what is measured, how its values are written, which
//! direction is better, and how it totals over a year and up the org tree.
//!
//! Values are integers in the metric's smallest unit — 分 for amounts,
//! hundredths for percents and scores, ten-thousandths for ratios — so that
//! stored figures never pass through floating point.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Expected;

/// What kind of figure a metric holds; decides its unit and decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Money in ¥, two decimals.
    Amount,
    /// A whole number: customers, calls, visits.
    Count,
    /// A percentage with two decimals: `30.00` means 30 %.
    Percent,
    /// A plain ratio with four decimals.
    Ratio,
    /// Points with two decimals.
    Score,
}

impl Kind {
    /// Decimals kept: the value is stored times 10^scale.
    pub fn scale(self) -> u32 {
        match self {
            Kind::Count => 0,
            Kind::Amount | Kind::Percent | Kind::Score => 2,
            Kind::Ratio => 4,
        }
    }
}

/// Which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Higher,
    /// Complaints, costs: less is better.
    Lower,
}

/// How months add up to a year (the 平均/合计 column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Total {
    Sum,
    /// Average of the months that have data.
    Average,
    /// The last month that has data.
    Last,
    /// Sum of the numerator metric over sum of the denominator metric.
    Ratio,
}

/// How units add up from their children.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rollup {
    Sum,
    Average,
    /// Only values set on the unit itself count.
    None,
}

macro_rules! code_enum {
    ($t:ty { $($v:ident = $s:literal),* }) => {
        impl $t {
            pub fn code(self) -> &'static str {
                match self { $(Self::$v => $s),* }
            }
        }
        impl FromStr for $t {
            type Err = ();
            fn from_str(s: &str) -> Result<Self, ()> {
                match s { $($s => Ok(Self::$v),)* _ => Err(()) }
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

code_enum!(Kind { Amount = "amount", Count = "count", Percent = "percent", Ratio = "ratio", Score = "score" });
code_enum!(Direction { Higher = "higher", Lower = "lower" });
code_enum!(Total { Sum = "sum", Average = "average", Last = "last", Ratio = "ratio" });
code_enum!(Rollup { Sum = "sum", Average = "average", None = "none" });

/// A metric's definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metric {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub kind: Kind,
    pub direction: Direction,
    pub total: Total,
    /// For [`Total::Ratio`]: the metric codes divided.
    pub numerator: Option<String>,
    pub denominator: Option<String>,
    pub rollup: Rollup,
    /// Within this many minor units of the target counts as level (yellow).
    pub tolerance: i64,
    /// Where the actual comes from: `manual` here.
    pub source: String,
}

/// Parses a typed or imported figure into minor units of `kind`.
///
/// Accepts `1234`, `1234.5`, `-3`, `1,234,567.89` (commas only as thousands
/// separators) and, for percents, a trailing `%`. Refuses anything else,
/// and more decimals than the kind keeps.
pub fn parse_value(kind: Kind, text: &str) -> Result<i64, Expected> {
    const NOT_A_NUMBER: Expected = Expected::new("is not a number", "不是有效的数字");
    let mut t = text.trim();
    if kind == Kind::Percent {
        t = t.strip_suffix('%').map_or(t, str::trim_end);
    }
    let (int, frac) = match t.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (t, None),
    };
    let (neg, digits) = match int.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, int),
    };
    if digits.contains(',') {
        let groups: Vec<&str> = digits.split(',').collect();
        let ok = (1..=3).contains(&groups[0].len())
            && groups[1..].iter().all(|g| g.len() == 3)
            && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()));
        if !ok {
            return Err(NOT_A_NUMBER);
        }
    }
    let digits: String = digits.chars().filter(|c| *c != ',').collect();
    let frac = frac.unwrap_or("");
    if digits.is_empty() && frac.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(NOT_A_NUMBER);
    }
    let scale = kind.scale() as usize;
    if frac.len() > scale {
        return Err(match scale {
            0 => Expected::new("must be a whole number", "必须是整数"),
            2 => Expected::new("at most 2 decimals", "最多 2 位小数"),
            _ => Expected::new("at most 4 decimals", "最多 4 位小数"),
        });
    }
    let text = format!(
        "{}{digits}{}",
        if neg { "-" } else { "" },
        format_args!("{frac:0<scale$}")
    );
    const TOO_LARGE: Expected = Expected::new("is too large", "数值过大");
    text.parse::<i64>()
        .ok()
        // 10^16 smallest units (¥100 trillion in fen): any real figure
        // fits, and hundreds of such figures still sum within 64 bits.
        .filter(|v| v.unsigned_abs() <= MAX_MINOR)
        .ok_or(TOO_LARGE)
}

/// The largest figure kept, in smallest units.
pub const MAX_MINOR: u64 = 10_000_000_000_000_000;

/// A value in minor units as a decimal.
pub fn to_decimal(kind: Kind, minor: i64) -> Decimal {
    Decimal::new(minor, kind.scale())
}

/// A value in minor units written with the kind's decimals: `600.00`.
pub fn format_value(kind: Kind, minor: i64) -> String {
    to_decimal(kind, minor).to_string()
}

/// The twelve metrics every company starts with.
pub fn default_metrics() -> Vec<Metric> {
    use Direction::*;
    use Kind::*;
    let m = |code: &str,
             name: &str,
             name_en: &str,
             kind: Kind,
             direction: Direction,
             total: Total,
             rollup: Rollup| Metric {
        code: code.into(),
        name: name.into(),
        name_en: name_en.into(),
        kind,
        direction,
        total,
        numerator: None,
        denominator: None,
        rollup,
        tolerance: 0,
        source: "manual".into(),
    };
    vec![
        m(
            "sales_amount",
            "销售额",
            "Sales",
            Amount,
            Higher,
            Total::Sum,
            Rollup::Sum,
        ),
        m(
            "collection_amount",
            "回款额",
            "Collections",
            Amount,
            Higher,
            Total::Sum,
            Rollup::Sum,
        ),
        m(
            "new_customers",
            "新客户数",
            "New customers",
            Count,
            Higher,
            Total::Sum,
            Rollup::Sum,
        ),
        m(
            "new_customer_share",
            "新客户销售占比",
            "New-customer share",
            Percent,
            Higher,
            Total::Average,
            Rollup::Average,
        ),
        m(
            "repurchase_rate",
            "续购率",
            "Repurchase rate",
            Percent,
            Higher,
            Total::Average,
            Rollup::Average,
        ),
        m(
            "satisfaction",
            "客户满意度",
            "Customer satisfaction",
            Percent,
            Higher,
            Total::Average,
            Rollup::Average,
        ),
        m(
            "market_share",
            "市场占有率",
            "Market share",
            Percent,
            Higher,
            Total::Average,
            Rollup::Average,
        ),
        m(
            "complaints",
            "客户有效投诉",
            "Valid complaints",
            Count,
            Lower,
            Total::Sum,
            Rollup::Sum,
        ),
        m(
            "calls",
            "电话量",
            "Calls",
            Count,
            Higher,
            Total::Sum,
            Rollup::Sum,
        ),
        m(
            "visits",
            "拜访量",
            "Visits",
            Count,
            Higher,
            Total::Sum,
            Rollup::Sum,
        ),
        m(
            "gross_margin",
            "毛利率",
            "Gross margin",
            Percent,
            Higher,
            Total::Average,
            Rollup::Average,
        ),
        m(
            "plan_completion",
            "计划工作达成率",
            "Plan completion",
            Percent,
            Higher,
            Total::Average,
            Rollup::Average,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_kept_in_fen() {
        assert_eq!(parse_value(Kind::Amount, "600"), Ok(60000));
        assert_eq!(parse_value(Kind::Amount, "600.5"), Ok(60050));
        assert_eq!(parse_value(Kind::Amount, "1,234,567.89"), Ok(123456789));
        assert_eq!(parse_value(Kind::Amount, "-3.10"), Ok(-310));
        assert_eq!(parse_value(Kind::Amount, ".5"), Ok(50));
        assert_eq!(format_value(Kind::Amount, 60050), "600.50");
    }

    #[test]
    fn typos_are_not_numbers() {
        for s in [
            "12,3O0", "", "abc", "1.2.3", "12,30", "1,,000", "--1", "1e5", "1 000", ".",
        ] {
            assert!(parse_value(Kind::Amount, s).is_err(), "{s}");
        }
    }

    #[test]
    fn too_many_decimals_for_the_kind() {
        assert_eq!(
            parse_value(Kind::Count, "3.5").unwrap_err().en,
            "must be a whole number"
        );
        assert!(parse_value(Kind::Amount, "1.234").is_err());
        assert_eq!(parse_value(Kind::Ratio, "0.8125"), Ok(8125));
    }

    #[test]
    fn percents_may_carry_the_sign() {
        assert_eq!(parse_value(Kind::Percent, "30%"), Ok(3000));
        assert_eq!(parse_value(Kind::Percent, "80.5 %"), Ok(8050));
        assert!(parse_value(Kind::Amount, "30%").is_err());
    }

    #[test]
    fn the_default_set_has_the_twelve_codes() {
        let codes: Vec<String> = default_metrics().into_iter().map(|m| m.code).collect();
        assert_eq!(codes.len(), 12);
        assert!(codes.contains(&"complaints".to_owned()));
        let complaints = default_metrics()
            .into_iter()
            .find(|m| m.code == "complaints")
            .unwrap();
        assert_eq!(complaints.direction, Direction::Lower);
    }

    #[test]
    fn codes_round_trip() {
        for k in [
            Kind::Amount,
            Kind::Count,
            Kind::Percent,
            Kind::Ratio,
            Kind::Score,
        ] {
            assert_eq!(k.code().parse::<Kind>(), Ok(k));
        }
        assert_eq!("lower".parse::<Direction>(), Ok(Direction::Lower));
        assert_eq!("ratio".parse::<Total>(), Ok(Total::Ratio));
        assert_eq!("none".parse::<Rollup>(), Ok(Rollup::None));
    }
}
