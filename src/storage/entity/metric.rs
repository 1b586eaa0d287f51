use sea_orm::entity::prelude::*;

/// A metric (指标). Enum-like fields hold the codes of
/// [`crate::domain::metric`].
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "metric")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub kind: String,
    pub direction: String,
    pub total: String,
    pub numerator: Option<String>,
    pub denominator: Option<String>,
    pub rollup: String,
    /// In the metric's minor units.
    pub tolerance: i64,
    pub source: String,
    /// Order of rows in the table.
    pub position: i32,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
