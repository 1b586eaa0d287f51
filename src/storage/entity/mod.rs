//! SeaORM entities: one module per table. Relations are expressed in the
//! queries of the storage modules; the entities only map rows.

pub mod api_token;
pub mod audit_entry;
pub mod dimension_figure;
pub mod distribution;
pub mod figure;
pub mod login_throttle;
pub mod metric;
pub mod period_lock;
pub mod person;
pub mod plan;
pub mod plan_item;
pub mod plan_version;
pub mod session;
pub mod submission;
pub mod unit;
pub mod user;
