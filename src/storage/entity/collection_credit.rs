use sea_orm::entity::prelude::*;

/// One salesperson's part of a collection: the collection split by the
/// order's credit shares, exactly as the order total is (see
/// [`super::order_credit`]).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "collection_credit")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub collection_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: i64,
    /// 分.
    pub amount: i64,
    /// A copy of the collection's date, kept equal by every write, so that
    /// a salesperson's collections of a month are read from one index.
    pub collected_on: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
