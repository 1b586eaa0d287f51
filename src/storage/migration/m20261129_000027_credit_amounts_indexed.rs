//! The (person, date) indexes of order and collection credits hold the
//! amount too: a month's sales, new customers and collections of every
//! salesperson (after an import) or of one (after an order) are then sums
//! over one short run of an index each, with no visit to the credits'
//! rows, let alone their orders. They also serve every other look-up by
//! person, so the plain person indexes go: one index fewer to write for
//! each credit (an import writes a hundred thousand).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        // New names, created before the old ones go: dropping and creating
        // an index of the same name in one migration failed here on SQLite
        // ("already exists").
        for sql in [
            "CREATE INDEX ix_order_credit_person_day ON order_credit \
             (person_id, order_date, customer_id, cancelled, amount)",
            "DROP INDEX ix_order_credit_person_date",
            "CREATE INDEX ix_collection_credit_person_day ON collection_credit \
             (person_id, collected_on, amount)",
            "DROP INDEX ix_collection_credit_person_date",
            "DROP INDEX ix_order_credit_person",
            "DROP INDEX ix_collection_credit_person",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for sql in [
            "CREATE INDEX ix_order_credit_person ON order_credit (person_id, order_id)",
            "CREATE INDEX ix_collection_credit_person ON collection_credit (person_id)",
            "CREATE INDEX ix_order_credit_person_date ON order_credit \
             (person_id, order_date, customer_id, cancelled)",
            "DROP INDEX ix_order_credit_person_day",
            "CREATE INDEX ix_collection_credit_person_date ON collection_credit \
             (person_id, collected_on)",
            "DROP INDEX ix_collection_credit_person_day",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
