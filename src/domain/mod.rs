//! Domain rules of Mubiao, as plain Rust with no I/O.
//!
//! Everything here can be unit-tested without a database or a web server:
//! roles and who may reach what ([`access`]), the org tree ([`org`]), the
//! validation of the data people type in ([`person`]), periods
//! ([`period`]), metrics ([`metric`]), the target table's colour rule and
//! totals ([`table`]) and target decomposition (目标分解, [`split`]).

pub mod access;
pub mod computed;
pub mod metric;
pub mod org;
pub mod period;
pub mod person;
pub mod role;
pub mod split;
pub mod table;

/// What a field should have held, in both UI languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expected {
    pub en: &'static str,
    pub zh: &'static str,
}

impl Expected {
    pub const fn new(en: &'static str, zh: &'static str) -> Self {
        Expected { en, zh }
    }
}
