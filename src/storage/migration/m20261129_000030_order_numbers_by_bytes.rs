//! On PostgreSQL, order numbers are also indexed in byte order.
//!
//! A new order's number is the next free one of its day (`SO20261105-0001`,
//! …): `orders::next_order_no` reads the day's numbers as a range. The
//! unique index of order numbers sorts them by the database's collation,
//! where PostgreSQL's linguistic ones (`en_US.UTF-8`, `zh_CN.UTF-8`) do not
//! keep punctuation in byte order, so neither that range nor `LIKE
//! 'SO…-%'` could use it: every new order read every order (28 ms at
//! 500,000 orders). The range is taken on `order_no COLLATE "C"`, which
//! this index holds. SQLite compares text byte by byte already.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            m.get_connection()
                .execute_unprepared(
                    "CREATE INDEX ix_sales_order_no_bytes ON sales_order ((order_no COLLATE \"C\"))",
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            m.get_connection()
                .execute_unprepared("DROP INDEX ix_sales_order_no_bytes")
                .await?;
        }
        Ok(())
    }
}
