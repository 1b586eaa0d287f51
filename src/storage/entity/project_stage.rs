use sea_orm::entity::prelude::*;

/// A stage a project (项目/商机) goes through, in `position` order, with
/// how often a project in it must be followed up.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "project_stage")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub position: i32,
    /// A project in this stage is overdue when its last follow-up is more
    /// than this many days ago.
    pub cadence_days: i32,
    pub active: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
