use sea_orm::entity::prelude::*;

/// A company's own seasonal distribution: twelve monthly percentages in
/// fiscal-month order, totalling exactly 100. The built-in ones live in
/// [`crate::domain::split`].
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "distribution")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub name: String,
    pub name_en: String,
    /// JSON array of twelve decimal strings.
    pub percents: String,
    pub updated_by: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
