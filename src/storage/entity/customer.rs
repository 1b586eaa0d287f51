use sea_orm::entity::prelude::*;

/// A customer (客户档案). Imports match customers by their exact name.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "customer")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub name: String,
    pub industry: Option<String>,
    pub region: Option<String>,
    pub address: Option<String>,
    /// 来源: how the customer was found.
    pub source: Option<String>,
    /// The salesperson responsible; `None`: seen by admin, gm and sales admins only.
    pub owner_person_id: Option<i64>,
    /// `prospect` 潜在, `active` 成交, `dormant` 休眠 or `lost` 流失.
    pub status: String,
    /// `YYYY-MM-DD` of the first non-cancelled order, kept by the orders code.
    pub first_purchase_on: Option<String>,
    pub notes: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
