use sea_orm::entity::prelude::*;

/// A sales activity: a call, visit or meeting of one person on one day.
/// Feeds the computed actuals (拜访次数 …) by (person, day).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub person_id: i64,
    /// `call` 电话, `visit` 拜访 or `meeting` 会议.
    pub kind: String,
    pub customer_id: Option<i64>,
    /// Who was met or called.
    pub contact: Option<String>,
    /// `YYYY-MM-DD`.
    pub occurred_on: String,
    /// `HH:MM`.
    pub occurred_time: Option<String>,
    pub outcome: Option<String>,
    pub next_step: Option<String>,
    pub created_by_user_id: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
