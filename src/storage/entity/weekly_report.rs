use sea_orm::entity::prelude::*;

/// A salesperson's weekly report (周报). One per person and ISO week.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "weekly_report")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub person_id: i64,
    /// ISO week, `2026-W48`.
    pub week: String,
    pub summary: String,
    pub next_week_plan: String,
    /// Problems needing help (需协助解决的问题).
    pub problems: String,
    pub manager_comment: Option<String>,
    pub commented_by_user_id: Option<i64>,
    pub commented_at: Option<DateTimeUtc>,
    /// None while a draft.
    pub submitted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
