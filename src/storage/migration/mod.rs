//! Versioned migrations, one set for SQLite and PostgreSQL, run at start-up.

use sea_orm_migration::prelude::*;

mod m20261128_000001_foundation;
mod m20261128_000002_targets;
mod m20261128_000003_submissions;
mod m20261128_000004_change_counter;
mod m20261128_000005_more_counters;
mod m20261128_000010_plans;
mod m20261128_000020_customers;
mod m20261128_000021_orders;
mod m20261128_000022_work;
mod m20261128_000023_computed;
mod m20261128_000024_activity_month;
mod m20261129_000025_credit_dates;
mod m20261129_000026_person_customer_year;
mod m20261129_000027_credit_amounts_indexed;
mod m20261129_000028_credits_by_month;
mod m20261129_000029_orders_by_month;
mod m20261129_000030_order_numbers_by_bytes;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_foundation::Migration),
            Box::new(m20261128_000002_targets::Migration),
            Box::new(m20261128_000003_submissions::Migration),
            Box::new(m20261128_000004_change_counter::Migration),
            Box::new(m20261128_000005_more_counters::Migration),
            Box::new(m20261128_000010_plans::Migration),
            Box::new(m20261128_000020_customers::Migration),
            Box::new(m20261128_000021_orders::Migration),
            Box::new(m20261128_000022_work::Migration),
            Box::new(m20261128_000023_computed::Migration),
            Box::new(m20261128_000024_activity_month::Migration),
            Box::new(m20261129_000025_credit_dates::Migration),
            Box::new(m20261129_000026_person_customer_year::Migration),
            Box::new(m20261129_000027_credit_amounts_indexed::Migration),
            Box::new(m20261129_000028_credits_by_month::Migration),
            Box::new(m20261129_000029_orders_by_month::Migration),
            Box::new(m20261129_000030_order_numbers_by_bytes::Migration),
        ]
    }
}
