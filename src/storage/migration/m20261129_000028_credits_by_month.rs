//! Order credits are indexed month first: (month of the order, person,
//! day, customer, cancelled, amount) instead of (person, day, …).
//!
//! An import of a month of orders credits nearly every salesperson. Keyed
//! person first, its credits land on a page of each salesperson's run of
//! the index — 26,000 pages changed for 100,000 orders at 10 million lines,
//! a third of everything the import wrote. Keyed month first they land in
//! one stretch of the index. A salesperson's month is still one short run
//! (month and person are the first two keys); a range of months is one
//! run per month (`storage::computed::credit_months`), which queries name
//! as a list.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        // The same text on SQLite and PostgreSQL; queries must spell the
        // month as `substr(<alias>.order_date, 1, 7)` for either to use it.
        for sql in [
            "CREATE INDEX ix_order_credit_month_person ON order_credit \
             ((substr(order_date, 1, 7)), person_id, order_date, customer_id, cancelled, amount)",
            "DROP INDEX ix_order_credit_person_day",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for sql in [
            "CREATE INDEX ix_order_credit_person_day ON order_credit \
             (person_id, order_date, customer_id, cancelled, amount)",
            "DROP INDEX ix_order_credit_month_person",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
