use sea_orm::entity::prelude::*;

/// One follow-up (跟进) of a project.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "project_followup")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    /// Who followed up.
    pub person_id: i64,
    /// `YYYY-MM-DD`.
    pub followed_on: String,
    pub note: String,
    pub next_step: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
