use sea_orm::entity::prelude::*;

/// A project or sales opportunity (项目/商机) owned by a salesperson.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "project")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub customer_id: Option<i64>,
    pub owner_person_id: i64,
    /// A `project_stage` code.
    pub stage: String,
    /// Expected amount in 分.
    pub amount: i64,
    /// Win probability, 0–100.
    pub probability: i32,
    /// Key dates, `YYYY-MM-DD`.
    pub bid_on: Option<String>,
    pub delivery_on: Option<String>,
    pub acceptance_on: Option<String>,
    /// `open`, `won` or `lost`.
    pub status: String,
    pub last_followup_on: Option<String>,
    pub note: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
