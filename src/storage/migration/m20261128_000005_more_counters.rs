//! Two more change counters next to `structure`: `accounts` (sessions and
//! other account changes made outside the org lane: logout, ending other
//! sessions, the UI language) and `figures` (every write of targets,
//! actuals, rollups, locks and submissions). App servers keep signed-in
//! callers and table pieces in memory and check them against these.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ChangeCounter {
    Table,
    Name,
    Value,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut insert = Query::insert();
        insert
            .into_table(ChangeCounter::Table)
            .columns([ChangeCounter::Name, ChangeCounter::Value])
            .values_panic(["accounts".into(), 0i64.into()])
            .values_panic(["figures".into(), 0i64.into()]);
        m.exec_stmt(insert).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut delete = Query::delete();
        delete
            .from_table(ChangeCounter::Table)
            .and_where(Expr::col(ChangeCounter::Name).is_in(["accounts", "figures"]));
        m.exec_stmt(delete).await
    }
}
