//! For each salesperson, customer and year: the first month the person was
//! credited on an order of the customer that was not cancelled. It is what
//! the repurchase rate counts (last year's customers who bought again this
//! year, by the month they did), a few rows per salesperson where the
//! credits are hundreds: a salesperson's rate reads their rows alone, and
//! everyone's after an import is counted by the database from these rows,
//! one statement per year, instead of a grouping of every credit of two
//! years. The order writes keep it
//! (`orders::keep_customer_years`, the import's upsert in
//! `orders::bulk_insert`);
//! a recompute of everything builds it again.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared(
            "CREATE TABLE person_customer_year (\
             person_id BIGINT NOT NULL, \
             year INTEGER NOT NULL, \
             customer_id BIGINT NOT NULL, \
             first_month VARCHAR(7) NOT NULL, \
             PRIMARY KEY (person_id, year, customer_id))",
        )
        .await?;
        // The text of `orders::rebuild_customer_years`, kept here as it was
        // when this migration was written.
        db.execute_unprepared(
            "INSERT INTO person_customer_year (person_id, year, customer_id, first_month) \
             SELECT person_id, CAST(substr(order_date, 1, 4) AS INTEGER), customer_id, \
             MIN(substr(order_date, 1, 7)) FROM order_credit WHERE NOT cancelled \
             GROUP BY person_id, substr(order_date, 1, 4), customer_id",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared("DROP TABLE person_customer_year")
            .await?;
        Ok(())
    }
}
