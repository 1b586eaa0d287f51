use sea_orm::entity::prelude::*;

/// One change: who, when, which record, before and after (JSON).
/// The application only ever inserts into this table.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_entry")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTimeUtc,
    pub actor_user_id: Option<i64>,
    /// Username at the time, or `system` for the CLI and the demo loader.
    pub actor: String,
    /// `create`, `update`, `deactivate`, `password_reset`, …
    pub action: String,
    /// `unit`, `person`, `user`, `api_token`.
    pub entity: String,
    /// The record's business key: unit code, employee no, username.
    pub record: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
