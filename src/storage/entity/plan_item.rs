use sea_orm::entity::prelude::*;

/// One target a plan version sets.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plan_item")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub version_id: i64,
    pub metric_id: i64,
    /// `unit` or `person`.
    pub subject_kind: String,
    pub subject_id: i64,
    pub period: String,
    /// The new target in the metric's minor units; `None` clears it.
    pub value: Option<i64>,
    /// The target it replaced, as published when the version was published
    /// (for drafts: when the item was last edited). Versions compare by it.
    pub before: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
