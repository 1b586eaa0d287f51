use sea_orm::entity::prelude::*;

/// One line of an order: a product, how many, at what price.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order_line")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub order_id: i64,
    /// 1, 2, … within the order.
    pub line_no: i32,
    pub product: String,
    /// Product category (产品类别), for targets broken down by category.
    pub category: Option<String>,
    /// Quantity × 1000; negative for a return.
    pub quantity_milli: i64,
    /// 分 per unit.
    pub unit_price: i64,
    /// 分: quantity × unit price, exact.
    pub amount: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
