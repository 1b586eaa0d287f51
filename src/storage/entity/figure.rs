use sea_orm::entity::prelude::*;

/// The figures of one metric for one subject and period: the target tiers
/// and the actual as set, and — for units — what their children add up to,
/// kept current on every write so that tables are read, not recomputed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "figure")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub metric_id: i64,
    /// `unit` or `person`.
    pub subject_kind: String,
    pub subject_id: i64,
    /// `2026`, `2026-03`, `2026-Q1`, … (see [`crate::domain::period`]).
    pub period: String,
    /// 目标, and the 保底 / 挑战 tiers, in the metric's minor units.
    pub target: Option<i64>,
    pub floor: Option<i64>,
    pub stretch: Option<i64>,
    pub actual: Option<i64>,
    /// Units only: the children's targets rolled up by the metric's rule.
    pub sub_target: Option<i64>,
    /// Units only: the children's actuals rolled up by the metric's rule.
    pub sub_actual: Option<i64>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The target shown: as set, else the children's.
    pub fn effective_target(&self) -> Option<i64> {
        self.target.or(self.sub_target)
    }

    /// The actual shown: as entered, else the children's.
    pub fn effective_actual(&self) -> Option<i64> {
        self.actual.or(self.sub_actual)
    }
}
