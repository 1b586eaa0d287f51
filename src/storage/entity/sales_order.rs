use sea_orm::entity::prelude::*;

/// An order (订单): a customer's purchase, credited to one or more
/// salespeople (`order_credit`), made of lines (`order_line`). Dates are
/// `YYYY-MM-DD` in the company's time zone.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sales_order")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub order_no: String,
    pub customer_id: i64,
    /// `entered` 录入, `confirmed` 确认, `shipped` 发货, `invoiced` 开票,
    /// `paid` 回款 or `cancelled` 已取消.
    pub status: String,
    pub order_date: String,
    pub confirmed_on: Option<String>,
    pub shipped_on: Option<String>,
    pub invoiced_on: Option<String>,
    pub paid_on: Option<String>,
    pub cancelled_on: Option<String>,
    /// Σ line amounts in 分; negative for a refund.
    pub total: i64,
    pub note: Option<String>,
    pub created_by_user_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
