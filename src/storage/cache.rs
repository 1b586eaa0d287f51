//! The org tree and the metric set, kept in memory per app server.
//!
//! Every request needs both (reach, breadcrumbs, table rows), and reading
//! 1,000 units per request dominated the cost of a table. They change
//! rarely; each change bumps a counter in the database in the changing
//! transaction, and every use here first reads that one number — so a
//! server never serves a tree older than the last committed change, made
//! through whichever server.

use std::sync::Arc;

use sea_orm::{ConnectionTrait, Statement};
use tokio::sync::RwLock;

use super::figures::{MetricRow, load_metrics};
use super::org::load_org_tree;
use super::{Db, Result};
use crate::domain::org::OrgTree;

/// What is kept: the tree and the metrics as of one counter value.
#[derive(Debug)]
pub struct Structure {
    pub tree: OrgTree,
    pub metrics: Vec<MetricRow>,
}

/// One per database connection pool (held in the web layer's state).
#[derive(Debug, Default)]
pub struct StructureCache {
    kept: RwLock<Option<(i64, Arc<Structure>)>>,
}

async fn counter(db: &Db) -> Result<i64> {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT value FROM change_counter WHERE name = 'structure'",
        ))
        .await?;
    Ok(match row {
        Some(r) => r.try_get::<i64>("", "value")?,
        None => 0,
    })
}

impl StructureCache {
    /// The current tree and metrics: from memory when nothing changed since
    /// they were read, else read afresh.
    pub async fn get(&self, db: &Db) -> Result<Arc<Structure>> {
        let now = counter(db).await?;
        if let Some((version, kept)) = self.kept.read().await.as_ref()
            && *version == now
        {
            return Ok(kept.clone());
        }
        // Read after the counter: if a change lands in between, the next
        // request sees a newer counter and reads again.
        let fresh = Arc::new(Structure {
            tree: load_org_tree(db).await?,
            metrics: load_metrics(db).await?,
        });
        *self.kept.write().await = Some((now, fresh.clone()));
        Ok(fresh)
    }
}
