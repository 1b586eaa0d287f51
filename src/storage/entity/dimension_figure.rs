use sea_orm::entity::prelude::*;

/// A subject's target (and actual) for one customer or product category:
/// a breakdown within its target, e.g. 华东 2026-03 销售额 for 轿车.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "dimension_figure")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub metric_id: i64,
    /// `unit` or `person`.
    pub subject_kind: String,
    pub subject_id: i64,
    pub period: String,
    /// `customer` or `category`.
    pub dimension: String,
    /// The customer's or category's name.
    pub member: String,
    pub target: Option<i64>,
    /// Fed by the sales process (orders by customer or category).
    pub actual: Option<i64>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
