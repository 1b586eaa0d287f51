use sea_orm::entity::prelude::*;

/// A salesperson's day: the morning plan (晨计划) and the evening log
/// (晚日志). One per person and day.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "daily_plan")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub person_id: i64,
    /// `YYYY-MM-DD`.
    pub day: String,
    pub planned_calls: i32,
    pub planned_visits: i32,
    pub morning_note: Option<String>,
    pub evening_log: Option<String>,
    pub manager_comment: Option<String>,
    pub commented_by_user_id: Option<i64>,
    pub commented_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
