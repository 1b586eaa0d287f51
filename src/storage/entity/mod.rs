//! SeaORM entities: one module per table. Relations are expressed in the
//! queries of the storage modules; the entities only map rows.

pub mod activity;
pub mod api_token;
pub mod audit_entry;
pub mod collection;
pub mod collection_credit;
pub mod customer;
pub mod customer_contact;
pub mod customer_note;
pub mod daily_plan;
pub mod daily_task;
pub mod dimension_figure;
pub mod distribution;
pub mod figure;
pub mod login_throttle;
pub mod metric;
pub mod order_credit;
pub mod order_line;
pub mod period_lock;
pub mod person;
pub mod plan;
pub mod plan_item;
pub mod plan_version;
pub mod project;
pub mod project_followup;
pub mod project_order;
pub mod project_stage;
pub mod sales_order;
pub mod session;
pub mod submission;
pub mod unit;
pub mod user;
pub mod weekly_report;
