use sea_orm::entity::prelude::*;

/// A contact at a customer. The fields from `birthday` to `private_notes`
/// are the key-customer profile (关键客户信息登记表): private, shown only to
/// those `may_read_private_profile` allows, and never logged.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "customer_contact")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub customer_id: i64,
    pub name: String,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// 关键联系人.
    pub is_key: bool,
    /// `YYYY-MM-DD` or `--MM-DD` (year unknown).
    pub birthday: Option<String>,
    /// `YYYY-MM-DD` or `--MM-DD`.
    pub anniversary: Option<String>,
    pub anniversary_label: Option<String>,
    pub background: Option<String>,
    pub education: Option<String>,
    pub family: Option<String>,
    pub interests: Option<String>,
    pub goals: Option<String>,
    pub personality: Option<String>,
    pub private_notes: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
