//! Mubiao (目标): sales target management.
//!
//! Layers, from the inside out:
//! - [`domain`]: rules as plain Rust, no I/O (roles and reach, the org tree,
//!   validation).
//! - [`storage`]: SeaORM over SQLite or PostgreSQL; applies reach to every
//!   query and audits every change.
//! - [`transfer`]: Excel and CSV in and out.
//! - [`web`]: HTML pages and the JSON API on axum.
//! - [`demo`]: the demo company; [`config`]: layered configuration.

pub mod bench;
pub mod config;
pub mod demo;
pub mod domain;
pub mod storage;
pub mod transfer;
pub mod web;
