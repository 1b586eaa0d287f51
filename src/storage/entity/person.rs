use sea_orm::entity::prelude::*;

/// A person of the company, with or without an account.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "person")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub employee_no: String,
    pub name: String,
    pub unit_id: i64,
    pub role: String,
    /// Set explicitly; when `None` the head of the unit is the manager.
    pub manager_id: Option<i64>,
    pub hire_date: Option<Date>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
