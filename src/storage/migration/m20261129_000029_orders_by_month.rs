//! Orders are found by customer through (month of the order, customer)
//! instead of (customer).
//!
//! An import of a month of orders names nearly every customer. Keyed by
//! customer, its orders land on a page of each customer's run of the
//! index — for 100,000 orders at 4 million, nearly every page of it.
//! Keyed month first they land in one stretch. A customer's orders are
//! then one short run per month, which queries name as a list of every
//! month orders are dated in (`storage::computed::order_months`); the
//! first purchases of every customer are one grouped pass over the orders
//! (`storage::computed::refresh_first_purchases`).

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
            "CREATE INDEX ix_sales_order_month_customer ON sales_order \
             ((substr(order_date, 1, 7)), customer_id)",
            "DROP INDEX ix_sales_order_customer",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for sql in [
            "CREATE INDEX ix_sales_order_customer ON sales_order (customer_id)",
            "DROP INDEX ix_sales_order_month_customer",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
