//! Where a computed actual comes from, and the arithmetic of the rates.
//!
//! A metric's `source` is `manual` (typed, imported) or one of the
//! [`Source`]s below: its actual is then computed from the sales process —
//! orders with their credit splits, collections, customers' first
//! purchases, activities, daily plans — and cannot be typed. Amounts and
//! counts add up the org tree like any figure; rates ([`Source::is_rate`])
//! are computed for every unit from the sums of their numerators and
//! denominators, never averaged.

use std::fmt;
use std::str::FromStr;

use super::metric::Kind;

/// A computed source of actuals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// Credited order amounts by order date (下单日期), the default basis.
    SalesByOrderDate,
    /// … by shipment date (发货).
    SalesByShipment,
    /// … by invoice date (开票).
    SalesByInvoice,
    /// Credited collections by collection date (回款): sales on a cash basis.
    SalesByCollection,
    /// Credited collections by collection date.
    Collections,
    /// Customers whose first order falls in the month, counted for each
    /// salesperson credited on that order.
    NewCustomers,
    /// Sales to customers whose first purchase was in the same year ÷ all
    /// sales, in percent.
    NewCustomerShare,
    /// Of the customers a salesperson sold to last year, the share that
    /// bought from them again this year up to the month, in percent.
    RepurchaseRate,
    Calls,
    Visits,
    Meetings,
    /// Planned items done ÷ planned, in percent: per day, calls and visits
    /// count up to the number planned, and each planned task counts once
    /// when ticked done.
    PlanCompletion,
}

/// Which records feed a source; a change of them recomputes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Records {
    /// Orders, their lines, credits and status dates, and collections.
    Orders,
    /// Calls, visits and meetings.
    Activities,
    /// Daily plans and their tasks (and the activities they count).
    DailyPlans,
}

impl Source {
    pub const ALL: [Source; 12] = [
        Source::SalesByOrderDate,
        Source::SalesByShipment,
        Source::SalesByInvoice,
        Source::SalesByCollection,
        Source::Collections,
        Source::NewCustomers,
        Source::NewCustomerShare,
        Source::RepurchaseRate,
        Source::Calls,
        Source::Visits,
        Source::Meetings,
        Source::PlanCompletion,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Source::SalesByOrderDate => "orders",
            Source::SalesByShipment => "orders_shipped",
            Source::SalesByInvoice => "orders_invoiced",
            Source::SalesByCollection => "orders_collected",
            Source::Collections => "collections",
            Source::NewCustomers => "new_customers",
            Source::NewCustomerShare => "new_customer_share",
            Source::RepurchaseRate => "repurchase_rate",
            Source::Calls => "calls",
            Source::Visits => "visits",
            Source::Meetings => "meetings",
            Source::PlanCompletion => "plan_completion",
        }
    }

    /// How the table names it: 由订单（下单日期）计算.
    pub fn name(self) -> (&'static str, &'static str) {
        match self {
            Source::SalesByOrderDate => ("orders by order date", "订单（按下单日期）"),
            Source::SalesByShipment => ("orders by shipment date", "订单（按发货日期）"),
            Source::SalesByInvoice => ("orders by invoice date", "订单（按开票日期）"),
            Source::SalesByCollection => ("orders by collection date", "订单（按回款日期）"),
            Source::Collections => ("collections", "回款记录"),
            Source::NewCustomers => ("customers' first orders", "客户首单"),
            Source::NewCustomerShare => ("orders of new customers", "新客户订单"),
            Source::RepurchaseRate => ("last year's customers ordering again", "老客户续购"),
            Source::Calls => ("logged calls", "电话记录"),
            Source::Visits => ("logged visits", "拜访记录"),
            Source::Meetings => ("logged meetings", "会议记录"),
            Source::PlanCompletion => ("daily plans", "日计划"),
        }
    }

    /// The metric kind the source's figures are written in.
    pub fn kind(self) -> Kind {
        match self {
            Source::SalesByOrderDate
            | Source::SalesByShipment
            | Source::SalesByInvoice
            | Source::SalesByCollection
            | Source::Collections => Kind::Amount,
            Source::NewCustomers | Source::Calls | Source::Visits | Source::Meetings => Kind::Count,
            Source::NewCustomerShare | Source::RepurchaseRate | Source::PlanCompletion => {
                Kind::Percent
            }
        }
    }

    /// Rates are computed for every unit from summed numerators and
    /// denominators; the others add up the tree like typed figures.
    pub fn is_rate(self) -> bool {
        self.kind() == Kind::Percent
    }

    pub fn records(self) -> Records {
        match self {
            Source::Calls | Source::Visits | Source::Meetings => Records::Activities,
            Source::PlanCompletion => Records::DailyPlans,
            _ => Records::Orders,
        }
    }

    /// Is the source recomputed when `records` change? Plan completion
    /// counts the day's calls and visits, so activities feed it too.
    pub fn fed_by(self, records: Records) -> bool {
        self.records() == records
            || (self == Source::PlanCompletion && records == Records::Activities)
    }

    /// The source of a metric's `source` column; `None` for `manual` (or
    /// anything unknown, which the metric set-up refuses).
    pub fn of(code: &str) -> Option<Source> {
        code.parse().ok()
    }
}

impl FromStr for Source {
    type Err = ();
    fn from_str(s: &str) -> Result<Source, ()> {
        Source::ALL.into_iter().find(|x| x.code() == s).ok_or(())
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The sources the default metrics take, by metric code.
pub const DEFAULT_SOURCES: [(&str, Source); 8] = [
    ("sales_amount", Source::SalesByOrderDate),
    ("collection_amount", Source::Collections),
    ("new_customers", Source::NewCustomers),
    ("new_customer_share", Source::NewCustomerShare),
    ("repurchase_rate", Source::RepurchaseRate),
    ("calls", Source::Calls),
    ("visits", Source::Visits),
    ("plan_completion", Source::PlanCompletion),
];

/// `num ÷ den` as a percent in hundredths (`3333` = 33.33 %), rounded half
/// away from zero, exactly; `None` when there is nothing to divide by.
pub fn percent(num: i64, den: i64) -> Option<i64> {
    if den == 0 {
        return None;
    }
    let (n, d) = (i128::from(num) * 10_000, i128::from(den));
    let q = n / d;
    let r = n % d;
    let away = 2 * r.abs() >= d.abs();
    let sign = if (n < 0) != (d < 0) { -1 } else { 1 };
    let q = if away { q + sign } else { q };
    i64::try_from(q).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_manual_is_none() {
        for s in Source::ALL {
            assert_eq!(Source::of(s.code()), Some(s));
        }
        assert_eq!(Source::of("manual"), None);
    }

    #[test]
    fn percents_round_half_away_from_zero() {
        assert_eq!(percent(1, 3), Some(3333));
        assert_eq!(percent(2, 3), Some(6667));
        assert_eq!(percent(1, 8), Some(1250));
        assert_eq!(percent(1, 20_000), Some(1)); // 0.005 % → 0.01 %
        assert_eq!(percent(1, 20_001), Some(0));
        assert_eq!(percent(-1, 3), Some(-3333));
        assert_eq!(percent(5, 0), None);
        assert_eq!(percent(0, 7), Some(0));
    }

    #[test]
    fn kinds_match_the_default_metrics() {
        let metrics = super::super::metric::default_metrics();
        for (code, source) in DEFAULT_SOURCES {
            let m = metrics.iter().find(|m| m.code == code).expect(code);
            assert_eq!(m.kind, source.kind(), "{code}");
        }
    }

    #[test]
    fn plan_completion_follows_activities_too() {
        assert!(Source::PlanCompletion.fed_by(Records::Activities));
        assert!(Source::PlanCompletion.fed_by(Records::DailyPlans));
        assert!(!Source::Calls.fed_by(Records::Orders));
    }
}
