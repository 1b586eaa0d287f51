use sea_orm::entity::prelude::*;

/// Money received against an order (回款). Partial collections are
/// separate rows; one may be recorded before the invoice.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "collection")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub order_id: i64,
    /// 分.
    pub amount: i64,
    /// `YYYY-MM-DD` in the company's time zone.
    pub collected_on: String,
    pub note: Option<String>,
    pub created_by_user_id: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
