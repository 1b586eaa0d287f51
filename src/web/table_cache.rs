//! Finished `GET /api/v1/table` answers, kept gzip-compressed per server.
//!
//! A table answer is a pure function of the caller's reach, the query and
//! what the `structure` and `figures` change counters stand for (see
//! `storage::cache`): every write that could change a table bumps one of
//! them in its own transaction, and each request reads them first. So an
//! answer kept under the counters a request has just read is exactly what
//! building it again would give — on this server or any other sharing the
//! database. Under load most table requests then skip the figures query,
//! the build and the serialisation.
//!
//! Answers are kept compressed (a 28 KB table is 2–4 KB in gzip), so the
//! whole company's tables fit in a few tens of megabytes; callers that
//! accept gzip get the kept bytes as they are. Memory stays bounded by two
//! generations: new answers go into the young one; when it is full it
//! becomes the old one and the previous old one is dropped; an answer found
//! in the old generation moves back to the young one.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::sync::Mutex;

use axum::body::Bytes;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

use crate::domain::access::Actor;
use crate::domain::role::Role;
use crate::storage::cache::Versions;
use crate::storage::figures::{Basis, TableQuery};

/// Compressed bytes one generation may hold; two generations at most.
const GENERATION_BYTES: usize = 16 * 1024 * 1024;

/// Everything a table answer depends on besides the counters. Reach is
/// decided by role, person and unit, so callers alike in those share
/// answers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TableKey {
    role: Role,
    person_id: Option<i64>,
    unit_id: Option<i64>,
    subject: String,
    year: i32,
    basis: Basis,
}

/// Longest subject kept: `person:` and a 工号, `unit:` and a unit code.
const MAX_SUBJECT_BYTES: usize = 72;

/// What a kept answer costs besides its bytes: the key, the maps' slots.
const ENTRY_OVERHEAD: usize = 160;

impl TableKey {
    /// The key of a request, or `None` for one not worth keeping: a
    /// subject written with spaces or at length (the same table under many
    /// spellings would fill the cache).
    pub fn new(actor: &Actor, query: &TableQuery) -> Option<TableKey> {
        let subject = &query.subject;
        if subject.len() > MAX_SUBJECT_BYTES || subject.chars().any(char::is_whitespace) {
            return None;
        }
        Some(TableKey {
            role: actor.role,
            person_id: actor.person_id,
            unit_id: actor.unit_id,
            subject: subject.clone(),
            year: query.year,
            basis: query.basis,
        })
    }

    fn cost(&self, gzip: &Bytes) -> usize {
        gzip.len() + self.subject.len() + ENTRY_OVERHEAD
    }
}

/// The counters a table answer depends on (`accounts` decides only who
/// the caller is, which the key already carries).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Stamp {
    structure: i64,
    figures: i64,
}

impl Stamp {
    fn of(v: Versions) -> Stamp {
        Stamp {
            structure: v.structure,
            figures: v.figures,
        }
    }

    /// True when `self` was read after `other` changed: counters only grow.
    fn newer_than(&self, other: &Stamp) -> bool {
        self != other && self.structure >= other.structure && self.figures >= other.figures
    }
}

#[derive(Debug, Default)]
struct Generations {
    stamp: Stamp,
    young: HashMap<TableKey, Bytes>,
    young_bytes: usize,
    old: HashMap<TableKey, Bytes>,
}

impl Generations {
    /// Moves to a newer stamp, dropping everything kept under the old one;
    /// false when `stamp` is older than what is kept (a request that read
    /// the counters before another one's newer reading).
    fn at(&mut self, stamp: Stamp) -> bool {
        if stamp.newer_than(&self.stamp) {
            *self = Generations {
                stamp,
                ..Default::default()
            };
        }
        stamp == self.stamp
    }

    fn insert(&mut self, key: TableKey, gzip: Bytes) {
        self.young_bytes += key.cost(&gzip);
        let cost = |previous: &Bytes| key.cost(previous);
        if let Some(previous) = self.young.insert(key.clone(), gzip) {
            self.young_bytes -= cost(&previous);
        }
        if self.young_bytes > GENERATION_BYTES {
            self.old = std::mem::take(&mut self.young);
            self.young_bytes = 0;
        }
    }
}

/// The kept answers of one server.
#[derive(Debug, Default)]
pub struct TableCache {
    kept: Mutex<Generations>,
}

impl TableCache {
    /// The gzip-compressed answer kept for `key` under `versions`, if any.
    pub fn get(&self, versions: Versions, key: &TableKey) -> Option<Bytes> {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if !kept.at(Stamp::of(versions)) {
            return None;
        }
        if let Some(gzip) = kept.young.get(key) {
            return Some(gzip.clone());
        }
        let gzip = kept.old.remove(key)?;
        kept.insert(key.clone(), gzip.clone());
        Some(gzip)
    }

    /// Keeps `json` for `key`, built under `versions`; returns it
    /// compressed.
    pub fn put(&self, versions: Versions, key: TableKey, json: &[u8]) -> std::io::Result<Bytes> {
        // Copied to an exact allocation: the encoder's buffer has room to
        // spare, which kept answers would otherwise hold on to.
        let gzip = Bytes::copy_from_slice(&gzip(json)?);
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if kept.at(Stamp::of(versions)) {
            kept.insert(key, gzip.clone());
        }
        Ok(gzip)
    }

    /// Answers kept, for tests.
    pub fn len(&self) -> usize {
        self.usage().0
    }

    /// Answers kept and their compressed bytes.
    pub fn usage(&self) -> (usize, usize) {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        let all = || kept.young.values().chain(kept.old.values());
        (all().count(), all().map(Bytes::len).sum())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The tables are repetitive JSON: zlib's default level makes a 28 KB
/// table about 2.7 KB, so the whole company's fit in the two generations.
pub fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(bytes.len() / 6), Compression::default());
    encoder.write_all(bytes)?;
    encoder.finish()
}

pub fn gunzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len() * 8);
    GzDecoder::new(bytes).read_to_end(&mut out)?;
    Ok(out)
}

/// True when an `Accept-Encoding` header value admits gzip: `gzip` (or
/// `x-gzip`) with a nonzero quality, or else `*` with one.
pub fn accepts_gzip(accept_encoding: &str) -> bool {
    let mut named = None;
    let mut any = None;
    for item in accept_encoding.split(',') {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or_default().trim();
        let wanted = !parts.any(|p| {
            let (name, value) = p.split_once('=').unwrap_or((p, ""));
            name.trim().eq_ignore_ascii_case("q")
                && value.trim().parse::<f32>().is_ok_and(|q| q <= 0.0)
        });
        if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
            named = Some(named.unwrap_or(false) || wanted);
        } else if coding == "*" {
            any = Some(wanted);
        }
    }
    named.or(any).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(subject: &str) -> TableKey {
        TableKey {
            role: Role::Gm,
            person_id: None,
            unit_id: None,
            subject: subject.into(),
            year: 2026,
            basis: Basis::All,
        }
    }

    fn versions(structure: i64, figures: i64) -> Versions {
        Versions {
            structure,
            accounts: 0,
            figures,
        }
    }

    #[test]
    fn an_answer_is_kept_only_under_the_counters_it_was_built_with() {
        let cache = TableCache::default();
        let json = br#"{"subject":"unit:HQ","rows":[]}"#;
        let gzip = cache.put(versions(1, 1), key("unit:HQ"), json).unwrap();
        assert_eq!(gunzip(&gzip).unwrap(), json);
        assert_eq!(cache.get(versions(1, 1), &key("unit:HQ")), Some(gzip));
        assert_eq!(cache.get(versions(1, 1), &key("unit:HD")), None);
        // A figures write anywhere: nothing kept before it is served.
        assert_eq!(cache.get(versions(1, 2), &key("unit:HQ")), None);
        assert!(cache.is_empty());
        // A request that read the counters before that write neither gets
        // nor keeps anything.
        cache.put(versions(1, 1), key("unit:HQ"), json).unwrap();
        assert!(cache.is_empty());
        assert_eq!(cache.get(versions(1, 1), &key("unit:HQ")), None);
    }

    #[test]
    fn two_generations_bound_the_memory_and_keep_what_is_asked_for() {
        let cache = TableCache::default();
        let v = versions(1, 1);
        // Incompressible answers of ~1 MB: 16 fill a generation.
        let mut seed = 1u64;
        let mut noise = || -> Vec<u8> {
            (0..1_000_000)
                .map(|_| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                    (seed >> 56) as u8
                })
                .collect()
        };
        cache.put(v, key("person:0"), &noise()).unwrap();
        for i in 1..100 {
            cache.put(v, key(&format!("person:{i}")), &noise()).unwrap();
            // person:0 is asked for often: it stays.
            assert!(cache.get(v, &key("person:0")).is_some(), "lost at {i}");
        }
        let kept = cache.kept.lock().unwrap();
        let bytes: usize = kept
            .young
            .values()
            .chain(kept.old.values())
            .map(Bytes::len)
            .sum();
        assert!(
            bytes <= 2 * GENERATION_BYTES + 2_000_000,
            "{bytes} bytes kept"
        );
        assert!(kept.young.len() + kept.old.len() >= 16);
    }

    #[test]
    fn a_subject_spelled_with_spaces_or_at_length_is_not_kept() {
        let actor = Actor {
            user_id: 1,
            username: "gm".into(),
            role: Role::Gm,
            person_id: None,
            unit_id: None,
        };
        let query = |subject: &str| TableQuery {
            subject: subject.into(),
            year: 2026,
            basis: Basis::All,
        };
        assert!(TableKey::new(&actor, &query("unit:HQ")).is_some());
        assert!(TableKey::new(&actor, &query(" unit:HQ")).is_none());
        assert!(TableKey::new(&actor, &query(&format!("unit:{}", "H".repeat(100)))).is_none());
    }

    #[test]
    fn accept_encoding_is_read_as_http_says() {
        assert!(accepts_gzip("gzip"));
        assert!(accepts_gzip("deflate, GZIP;q=0.5, br"));
        assert!(accepts_gzip("*"));
        assert!(!accepts_gzip("gzip;q=0"));
        assert!(!accepts_gzip("identity"));
        assert!(!accepts_gzip(""));
        assert!(!accepts_gzip("br, gzipx"));
        assert!(
            !accepts_gzip("gzip;q=0, *"),
            "named and refused: the wildcard does not count"
        );
        assert!(!accepts_gzip("gzip; Q=0"));
        assert!(accepts_gzip("br;q=0, *;q=0.1"));
    }
}
