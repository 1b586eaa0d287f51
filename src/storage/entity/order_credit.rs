use sea_orm::entity::prelude::*;

/// One salesperson's part of an order (业绩分成). The parts of an order
/// sum exactly to its total: the total is split by the shares with the
/// largest-remainder rule (`domain::split::by_weights`): each person
/// first gets the floor of their exact part, and the fen left over go one
/// each to the largest fractional remainders, ties to the person listed
/// first on the order.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order_credit")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub order_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: i64,
    /// Hundredths of a percent: 10000 = 100 %.
    pub share: i32,
    /// This person's exact part of the order total, in 分.
    pub amount: i64,
    /// Copies of the order's date, customer and cancellation, kept equal
    /// by every order write, so that a salesperson's credits over a range
    /// of dates are read from one index without visiting the orders.
    pub order_date: String,
    pub customer_id: i64,
    pub cancelled: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
