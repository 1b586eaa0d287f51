//! Computed actuals: figures of the target table that come from the sales
//! process (orders, collections, activities, daily plans) instead of
//! being typed.
//!
//! Whoever changes such records calls [`records_changed`] in the same
//! figures-lane transaction, naming every salesperson and day touched —
//! before and after the change (an order moved from one salesperson or
//! month to another touches both).

use std::collections::BTreeSet;

use sea_orm::ConnectionTrait;

use super::Result;
use crate::domain::access::PersonId;

/// Which kind of records changed; decides which metrics are recomputed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Records {
    /// Orders, their lines, credits and status dates, and collections.
    Orders,
    /// Calls, visits and meetings.
    Activities,
    /// Daily plans and their tasks.
    DailyPlans,
}

/// Recomputes the computed actuals of the people and days touched by a
/// change of `records`, in the caller's transaction. `touched` holds
/// (person, day as `YYYY-MM-DD`).
pub async fn records_changed<C: ConnectionTrait>(
    txn: &C,
    records: Records,
    touched: &BTreeSet<(PersonId, String)>,
) -> Result<()> {
    // Filled in by the computed-actuals work; see the module comment.
    let _ = (txn, records, touched);
    Ok(())
}
