use sea_orm::entity::prelude::*;

/// A follow-up record (销售过程记录) on a customer.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "customer_note")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub customer_id: i64,
    /// The author.
    pub person_id: i64,
    /// `question` 问题, `suggestion` 建议, `complaint` 投诉 or `note` 记录.
    pub kind: String,
    pub content: String,
    /// `YYYY-MM-DD`.
    pub noted_on: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
