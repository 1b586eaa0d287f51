//! A counter bumped by every change to the org tree, accounts or metrics, so
//! that app servers can keep those in memory and still see a change made
//! through any other server on their very next request.

use sea_orm_migration::{prelude::*, schema::*};

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
        m.create_table(
            Table::create()
                .table(ChangeCounter::Table)
                .col(string_len(ChangeCounter::Name, 16).primary_key())
                .col(big_integer(ChangeCounter::Value).default(0))
                .to_owned(),
        )
        .await?;
        let mut insert = Query::insert();
        insert
            .into_table(ChangeCounter::Table)
            .columns([ChangeCounter::Name, ChangeCounter::Value])
            .values_panic(["structure".into(), 0i64.into()]);
        m.exec_stmt(insert).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ChangeCounter::Table).to_owned())
            .await
    }
}
