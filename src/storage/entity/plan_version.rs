use sea_orm::entity::prelude::*;

/// One version of a plan: a set of target changes with who proposed them,
/// why, and who approved them. Published versions are kept for ever.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plan_version")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub plan_id: i64,
    /// 1, 2, … within the plan.
    pub number: i32,
    /// `draft`, `submitted`, `returned`, `approved` or `published`.
    pub status: String,
    /// Why the targets change (shown in the comparison).
    pub reason: Option<String>,
    pub author_user_id: Option<i64>,
    pub author: String,
    pub created_at: DateTimeUtc,
    pub submitted_at: Option<DateTimeUtc>,
    /// Who approved or returned it last (the GM's own versions: the GM).
    pub decided_by_user_id: Option<i64>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    /// The approver's comment (required when returning).
    pub comment: Option<String>,
    pub published_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
