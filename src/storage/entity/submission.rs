use sea_orm::entity::prelude::*;

/// The monthly submission (数据填报) of one unit's manual actuals: its
/// current status and the steps that led there. A unit and month without
/// a row is a draft.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "submission")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub unit_id: i64,
    /// A month, `2026-03`.
    pub period: String,
    /// `submitted`, `returned` or `accepted` (`draft` is never stored).
    pub status: String,
    /// The comment of the latest step.
    pub comment: Option<String>,
    /// Who submitted last: a submitter may not accept their own submission.
    pub submitted_by_user_id: Option<i64>,
    pub submitted_by: Option<String>,
    pub submitted_at: Option<DateTimeUtc>,
    /// Who took the latest step, and when.
    pub updated_by: String,
    pub updated_at: DateTimeUtc,
    /// Every step as a JSON array of `{action, status, by, by_name, at,
    /// comment}`, oldest first.
    pub history: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
