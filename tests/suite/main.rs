//! The integration suite: the real app on port 0, on SQLite and on
//! PostgreSQL, driven over HTTP (and, in `browser`, by headless Chromium).

mod common;

mod activities;
mod api;
mod authz;
mod bad_input;
mod browser;
mod browser_sales;
mod cli;
mod computed;
mod customers;
mod decompose;
mod decompose_pages;
mod dimensions;
mod escalation;
mod metrics;
mod order_import;
mod orders;
mod projects;
mod sessions;
mod submissions;
mod table;
mod table_files;
mod work;
