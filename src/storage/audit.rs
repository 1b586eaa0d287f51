//! The audit log: every change, who made it, before and after.
//! Only [`record`] writes here; nothing in the app updates or deletes entries.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

use super::entity::audit_entry;
use super::{Db, Error, Result};
use crate::domain::access::Actor;

/// Writes one entry; call it inside the transaction of the change itself so
/// that a change without its audit entry cannot happen.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    actor: Option<&Actor>,
    action: &str,
    entity: &str,
    record: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<()> {
    entry(actor, action, entity, record, before, after)
        .insert(conn)
        .await?;
    Ok(())
}

/// An entry to write with [`record_many`], for batches of changes.
pub fn entry(
    actor: Option<&Actor>,
    action: &str,
    entity: &str,
    record: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> audit_entry::ActiveModel {
    audit_entry::ActiveModel {
        at: Set(Utc::now()),
        actor_user_id: Set(actor.map(|a| a.user_id)),
        actor: Set(actor.map_or_else(|| "system".to_owned(), |a| a.username.clone())),
        action: Set(action.to_owned()),
        entity: Set(entity.to_owned()),
        record: Set(record.to_owned()),
        before: Set(before.map(|v| v.to_string())),
        after: Set(after.map(|v| v.to_string())),
        ..Default::default()
    }
}

/// Writes many entries in a few multi-row statements, in the caller's
/// transaction.
pub async fn record_many<C: ConnectionTrait>(
    conn: &C,
    entries: Vec<audit_entry::ActiveModel>,
) -> Result<()> {
    let mut entries = entries.into_iter().peekable();
    while entries.peek().is_some() {
        let chunk: Vec<_> = entries.by_ref().take(2000).collect();
        audit_entry::Entity::insert_many(chunk)
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

/// One entry as shown and returned by the API.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditView {
    pub id: i64,
    pub at: chrono::DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub record: String,
    #[schema(value_type = Object)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Object)]
    pub after: Option<serde_json::Value>,
}

/// Narrows the log to one entity and/or record.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub record: Option<String>,
    /// Page number, from 1.
    pub page: Option<u64>,
}

pub const PAGE_SIZE: u64 = 100;

/// Newest first, a page at a time; admin and gm only.
pub async fn list(db: &Db, actor: &Actor, filter: &AuditFilter) -> Result<Vec<AuditView>> {
    if !actor.may_read_audit() {
        return Err(Error::Forbidden);
    }
    let mut q = audit_entry::Entity::find().order_by_desc(audit_entry::Column::Id);
    if let Some(e) = filter.entity.as_deref().filter(|s| !s.is_empty()) {
        q = q.filter(audit_entry::Column::Entity.eq(e));
    }
    if let Some(r) = filter.record.as_deref().filter(|s| !s.is_empty()) {
        q = q.filter(audit_entry::Column::Record.eq(r));
    }
    // Clamped: a page number from a URL must not overflow the offset.
    let page = filter.page.unwrap_or(1).clamp(1, 1_000_000);
    let rows = q
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| AuditView {
            id: r.id,
            at: r.at,
            actor: r.actor,
            action: r.action,
            entity: r.entity,
            record: r.record,
            before: r.before.and_then(|s| serde_json::from_str(&s).ok()),
            after: r.after.and_then(|s| serde_json::from_str(&s).ok()),
        })
        .collect())
}

/// Number of entries, for tests and the admin overview.
pub async fn count(db: &Db) -> Result<u64> {
    Ok(audit_entry::Entity::find().count(db).await?)
}
