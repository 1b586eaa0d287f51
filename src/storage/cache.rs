//! What app servers keep in memory: the org tree, the metric set and the
//! people; the callers signed in through them; period locks and submission
//! statuses.
//!
//! Every request needs both (who is asking; reach, breadcrumbs, table
//! rows), and reading them per request dominated the cost of a table. They
//! change rarely; each change bumps a counter in the database in the
//! changing transaction, and every request first reads the counters, all in
//! one query — so a server never serves a tree, a session or a role older
//! than the last committed change, made through whichever server.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Statement};

use super::accounts::{self, SignedIn};
use super::figures::{MetricRow, load_metrics, locked_periods};
use super::org::load_org_tree;
use super::submissions::{MonthStatus, month_statuses};
use super::{Db, Result};
use crate::domain::org::OrgTree;

/// The change counters as read at the start of one request. Counters only
/// grow, so a later reading is never below an earlier one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Versions {
    /// Org tree, people, accounts, API tokens, metrics (every org-lane write).
    pub structure: i64,
    /// Sessions and account settings changed outside the org lane.
    pub accounts: i64,
    /// Figures, rollups, locks, submissions (every figures-lane write).
    pub figures: i64,
}

impl Versions {
    /// True when nothing that decides who a caller is has changed between
    /// `self` and `other`.
    fn same_callers(&self, other: &Versions) -> bool {
        self.structure == other.structure && self.accounts == other.accounts
    }

    /// True when `self` was read no earlier than `other`.
    fn not_older_than(&self, other: &Versions) -> bool {
        self.structure >= other.structure
            && self.accounts >= other.accounts
            && self.figures >= other.figures
    }
}

/// Reads every change counter in one query, as one row (the SQLite driver
/// hands each result row over between threads; one is cheaper than three).
pub async fn versions(db: &Db) -> Result<Versions> {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT \
             (SELECT value FROM change_counter WHERE name = 'structure') AS structure, \
             (SELECT value FROM change_counter WHERE name = 'accounts') AS accounts, \
             (SELECT value FROM change_counter WHERE name = 'figures') AS figures",
        ))
        .await?;
    let Some(r) = row else {
        return Ok(Versions::default());
    };
    let get = |name: &str| -> Result<i64> { Ok(r.try_get::<Option<i64>>("", name)?.unwrap_or(0)) };
    Ok(Versions {
        structure: get("structure")?,
        accounts: get("accounts")?,
        figures: get("figures")?,
    })
}

/// Reads the change counters for every request that asks while another
/// read is under way, with one query per round instead of one per request.
///
/// A caller is served by a read that *starts after it asked*, so it sees
/// every change committed before its request arrived, exactly as if it had
/// run its own query; only the round trips are shared. Under load (64
/// clients on PostgreSQL) a round serves tens of requests.
#[derive(Debug)]
pub struct CounterReads {
    db: Db,
    waiting: std::sync::Mutex<Waiting>,
}

#[derive(Debug, Default)]
struct Waiting {
    /// A task is reading rounds until nobody waits.
    reading: bool,
    callers: Vec<tokio::sync::oneshot::Sender<Result<Versions, String>>>,
}

/// A round that takes longer fails, so that one stuck connection does not
/// hold every request of the server behind it.
const ROUND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

impl CounterReads {
    pub fn new(db: Db) -> CounterReads {
        CounterReads {
            db,
            waiting: Default::default(),
        }
    }

    /// The counters as of some moment after this call began.
    pub async fn read(self: &Arc<Self>) -> Result<Versions> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let start = {
            let mut waiting = self.lock();
            waiting.callers.push(tx);
            !std::mem::replace(&mut waiting.reading, true)
        };
        if start {
            // Made before the task: a task dropped unrun (the runtime
            // shutting down) still lets the next caller start a reader.
            let stop = Stop {
                reads: self.clone(),
                finished: false,
            };
            tokio::spawn(async move {
                let mut stop = stop;
                stop.reads.serve().await;
                stop.finished = true;
            });
        }
        let failed = |e: String| super::Error::Db(sea_orm::DbErr::Custom(e));
        match rx.await {
            Ok(read) => read.map_err(failed),
            // The reading task ended without answering (it panicked or was
            // dropped).
            Err(_) => Err(failed("the change counters could not be read".into())),
        }
    }

    /// Reads rounds until nobody waits; each round's callers all asked
    /// before the round's query began.
    async fn serve(&self) {
        loop {
            let callers = {
                let mut waiting = self.lock();
                if waiting.callers.is_empty() {
                    waiting.reading = false;
                    return;
                }
                std::mem::take(&mut waiting.callers)
            };
            let read = match tokio::time::timeout(ROUND_TIMEOUT, versions(&self.db)).await {
                Ok(read) => read.map_err(|e| e.to_string()),
                Err(_) => Err("reading the change counters timed out".to_owned()),
            };
            for caller in callers {
                // A caller that went away no longer needs its answer.
                let _ = caller.send(read.clone());
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Waiting> {
        self.waiting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Ends a reader that stopped without finishing (a panic, or dropped):
/// those waiting get an error at once instead of waiting for a reader that
/// is gone, and the next caller starts a new one.
struct Stop {
    reads: Arc<CounterReads>,
    finished: bool,
}

impl Drop for Stop {
    fn drop(&mut self) {
        if !self.finished {
            let mut waiting = self.reads.lock();
            waiting.reading = false;
            // Dropping the senders answers their callers with an error.
            waiting.callers.clear();
        }
    }
}

/// What is kept: the tree, the metrics and the people as of one counter
/// value.
#[derive(Debug)]
pub struct Structure {
    pub tree: OrgTree,
    pub metrics: Vec<MetricRow>,
    pub people: People,
}

impl Structure {
    /// Reads everything afresh.
    pub async fn load(db: &Db) -> Result<Structure> {
        Ok(Structure {
            tree: load_org_tree(db).await?,
            metrics: load_metrics(db).await?,
            people: People::load(db).await?,
        })
    }
}

/// What a table needs of a person: a person is the subject of a table, and
/// active people are listed under their unit's table.
#[derive(Debug, Clone)]
pub struct PersonRef {
    pub id: i64,
    pub employee_no: String,
    pub name: String,
    pub unit_id: i64,
    pub active: bool,
}

/// Every person, by 工号 and by unit. People change only in org-lane
/// writes, which bump the `structure` counter.
#[derive(Debug, Default)]
pub struct People {
    all: Vec<PersonRef>,
    by_no: HashMap<String, usize>,
    /// Active people of each unit, in the database's order of 工号.
    active_by_unit: HashMap<i64, Vec<usize>>,
}

impl People {
    async fn load(db: &Db) -> Result<People> {
        use sea_orm::{EntityTrait, QueryOrder, QuerySelect};

        use super::entity::person;
        let rows: Vec<(i64, String, String, i64, bool)> = person::Entity::find()
            .select_only()
            .columns([
                person::Column::Id,
                person::Column::EmployeeNo,
                person::Column::Name,
                person::Column::UnitId,
                person::Column::Active,
            ])
            .order_by_asc(person::Column::EmployeeNo)
            .into_tuple()
            .all(db)
            .await?;
        let mut people = People::default();
        for (i, (id, employee_no, name, unit_id, active)) in rows.into_iter().enumerate() {
            people.by_no.insert(employee_no.clone(), i);
            if active {
                people.active_by_unit.entry(unit_id).or_default().push(i);
            }
            people.all.push(PersonRef {
                id,
                employee_no,
                name,
                unit_id,
                active,
            });
        }
        Ok(people)
    }

    /// The person with this 工号, active or not.
    pub fn by_employee_no(&self, no: &str) -> Option<&PersonRef> {
        self.by_no.get(no).and_then(|i| self.all.get(*i))
    }

    /// The active people of a unit (not below it), ordered by 工号.
    pub fn active_in(&self, unit: i64) -> impl Iterator<Item = &PersonRef> {
        self.active_by_unit
            .get(&unit)
            .into_iter()
            .flatten()
            .filter_map(|i| self.all.get(*i))
    }
}

/// One per database connection pool (held in the web layer's state).
#[derive(Debug, Default)]
pub struct StructureCache {
    kept: RwLock<Option<(i64, Arc<Structure>)>>,
}

impl StructureCache {
    /// The current tree and metrics: from memory when nothing changed since
    /// they were read, else read afresh.
    pub async fn get(&self, db: &Db) -> Result<Arc<Structure>> {
        self.get_at(db, versions(db).await?).await
    }

    /// [`Self::get`] with the counters this request already read.
    pub async fn get_at(&self, db: &Db, now: Versions) -> Result<Arc<Structure>> {
        if let Some((version, kept)) = read(&self.kept).as_ref()
            && *version == now.structure
        {
            return Ok(kept.clone());
        }
        // Read after the counter: if a change lands in between, the next
        // request sees a newer counter and reads again.
        let fresh = Arc::new(Structure::load(db).await?);
        let mut kept = write(&self.kept);
        // A slower request that read an older counter must not replace a
        // newer tree.
        if kept.as_ref().is_none_or(|(v, _)| *v <= now.structure) {
            *kept = Some((now.structure, fresh.clone()));
        }
        Ok(fresh)
    }
}

/// The tree and the metrics a write transaction works with.
pub enum Shape {
    /// A server's kept [`Structure`], still current.
    Kept(Arc<Structure>),
    /// Read in the transaction.
    Read {
        tree: OrgTree,
        metrics: Vec<MetricRow>,
    },
}

impl Shape {
    /// Reads both in `conn`'s transaction.
    pub async fn read<C: ConnectionTrait>(conn: &C) -> Result<Shape> {
        Ok(Shape::Read {
            tree: load_org_tree(conn).await?,
            metrics: load_metrics(conn).await?,
        })
    }

    pub fn tree(&self) -> &OrgTree {
        match self {
            Shape::Kept(s) => &s.tree,
            Shape::Read { tree, .. } => tree,
        }
    }

    pub fn metrics(&self) -> &[MetricRow] {
        match self {
            Shape::Kept(s) => &s.metrics,
            Shape::Read { metrics, .. } => metrics,
        }
    }
}

impl StructureCache {
    /// The tree and metrics as a write transaction sees them: the kept
    /// ones when the `structure` counter, read in `txn`, is the one they
    /// were kept under (every change to either bumps it in its own
    /// transaction), else read in `txn`. One small read instead of the
    /// tree's thousand units and the metric set on every order written.
    pub async fn shape_in<C: ConnectionTrait>(&self, txn: &C) -> Result<Shape> {
        let now = txn
            .query_one_raw(Statement::from_string(
                txn.get_database_backend(),
                "SELECT value FROM change_counter WHERE name = 'structure'",
            ))
            .await?
            .map(|r| r.try_get::<i64>("", "value"))
            .transpose()?;
        if let (Some(now), Some((version, kept))) = (now, read(&self.kept).as_ref())
            && now == *version
        {
            return Ok(Shape::Kept(kept.clone()));
        }
        Shape::read(txn).await
    }
}

/// The lock's data even if a panicking holder poisoned it: every writer
/// below replaces whole values, so what is there is never half-written.
fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// At most this many callers are kept; beyond it the set starts afresh
/// (each entry is well under a kilobyte).
const MAX_CALLERS: usize = 20_000;

/// A caller as kept: a session or an API token, resolved.
#[derive(Debug)]
enum Caller {
    Session {
        signed_in: SignedIn,
        /// Sessions end on their own: checked on every use.
        expires_at: DateTime<Utc>,
    },
    Token {
        signed_in: SignedIn,
        token_id: i64,
        /// "Last used", in Unix seconds; shared by all requests with the
        /// token so that one of them writes it.
        last_used: AtomicI64,
    },
}

#[derive(Debug, Default)]
struct Callers {
    /// The counters the entries were read under.
    versions: Versions,
    /// By the stored hash of the cookie or token (never the secret itself).
    by_hash: HashMap<String, Arc<Caller>>,
}

/// Signed-in callers of one server, valid while neither the `structure`
/// nor the `accounts` counter moves: every change to who a session or token
/// resolves to (logout, password, role, unit, deactivation, revocation)
/// bumps one of them in its transaction.
#[derive(Debug, Default)]
pub struct CallerCache {
    kept: RwLock<Callers>,
}

impl CallerCache {
    fn lookup(&self, now: Versions, hash: &str) -> Option<Arc<Caller>> {
        let kept = read(&self.kept);
        if !kept.versions.same_callers(&now) {
            return None;
        }
        kept.by_hash.get(hash).cloned()
    }

    fn store(&self, now: Versions, hash: String, caller: Caller) {
        let mut kept = write(&self.kept);
        if !kept.versions.same_callers(&now) {
            // Read under older counters than the set: what it read may
            // already be out of date.
            if !now.not_older_than(&kept.versions) {
                return;
            }
            kept.by_hash.clear();
        }
        kept.versions = now;
        if kept.by_hash.len() >= MAX_CALLERS {
            kept.by_hash.clear();
        }
        kept.by_hash.insert(hash, Arc::new(caller));
    }

    fn forget(&self, hash: &str) {
        write(&self.kept).by_hash.remove(hash);
    }

    /// [`accounts::from_session`], from memory when the counters `now` (read
    /// by this request) have not moved since the session was read.
    pub async fn session(&self, db: &Db, now: Versions, token: &str) -> Result<Option<SignedIn>> {
        let hash = accounts::token_hash(token);
        if let Some(c) = self.lookup(now, &hash)
            && let Caller::Session {
                signed_in,
                expires_at,
            } = c.as_ref()
        {
            if *expires_at > Utc::now() {
                return Ok(Some(signed_in.clone()));
            }
            // Expired: the database path below removes it.
            self.forget(&hash);
        }
        let Some(live) = accounts::session_by_hash(db, &hash).await? else {
            return Ok(None);
        };
        self.store(
            now,
            hash,
            Caller::Session {
                signed_in: live.signed_in.clone(),
                expires_at: live.expires_at,
            },
        );
        Ok(Some(live.signed_in))
    }

    /// [`accounts::from_api_token`], from memory when the counters `now`
    /// have not moved since the token was read. "Last used" is still
    /// written once a minute.
    pub async fn token(&self, db: &Db, now: Versions, token: &str) -> Result<Option<SignedIn>> {
        let hash = accounts::token_hash(token);
        let at = Utc::now();
        if let Some(c) = self.lookup(now, &hash)
            && let Caller::Token {
                signed_in,
                token_id,
                last_used,
            } = c.as_ref()
        {
            let seen = last_used.load(Ordering::Relaxed);
            let seen_at = DateTime::from_timestamp(seen, 0);
            // Of the requests that find it due, the one that moves the
            // mark writes it.
            if accounts::token_use_due(seen_at, at)
                && last_used
                    .compare_exchange(seen, at.timestamp(), Ordering::Relaxed, Ordering::Relaxed)
                    .is_ok()
            {
                accounts::touch_token(db, *token_id, seen_at, at).await?;
            }
            return Ok(Some(signed_in.clone()));
        }
        let Some(live) = accounts::token_by_hash(db, &hash).await? else {
            return Ok(None);
        };
        accounts::touch_token(db, live.token_id, live.last_used_at, at).await?;
        let last_used = if accounts::token_use_due(live.last_used_at, at) {
            at
        } else {
            live.last_used_at.unwrap_or(at)
        };
        self.store(
            now,
            hash,
            Caller::Token {
                signed_in: live.signed_in.clone(),
                token_id: live.token_id,
                last_used: AtomicI64::new(last_used.timestamp()),
            },
        );
        Ok(Some(live.signed_in))
    }
}

/// A unit and the months asked for, joined.
type StatusKey = (i64, String);

/// The `structure` and `figures` counters that [`Marks`] were read under.
type MarksVersion = (i64, i64);

/// At most this many units' month statuses are kept per counter value.
const MAX_STATUSES: usize = 20_000;

/// Period locks and submission statuses as of one pair of `structure` and
/// `figures` counter values, read when first needed. Both change only in
/// figures-lane writes (which bump `figures`) or org-lane writes (which
/// bump `structure`).
#[derive(Debug, Default)]
pub struct Marks {
    locks: tokio::sync::OnceCell<HashSet<String>>,
    statuses: RwLock<HashMap<StatusKey, Arc<Vec<MonthStatus>>>>,
}

impl Marks {
    /// Every locked month.
    pub async fn locks(&self, db: &Db) -> Result<&HashSet<String>> {
        self.locks.get_or_try_init(|| locked_periods(db)).await
    }

    /// [`month_statuses`] of `unit` for `months`.
    pub async fn month_statuses(
        &self,
        db: &Db,
        unit: i64,
        months: &[String],
    ) -> Result<Arc<Vec<MonthStatus>>> {
        let key = (unit, months.join(","));
        if let Some(kept) = read(&self.statuses).get(&key) {
            return Ok(kept.clone());
        }
        let fresh = Arc::new(month_statuses(db, unit, months).await?);
        let mut statuses = write(&self.statuses);
        if statuses.len() >= MAX_STATUSES {
            statuses.clear();
        }
        statuses.insert(key, fresh.clone());
        Ok(fresh)
    }
}

/// The [`Marks`] of the counters a request read.
#[derive(Debug, Default)]
pub struct MarksCache {
    kept: RwLock<Option<(MarksVersion, Arc<Marks>)>>,
}

impl MarksCache {
    /// Marks valid for `now`: shared with every request that read the same
    /// counters. What is read into them is read after `now` was, so it is
    /// never older than `now`.
    pub fn get_at(&self, now: Versions) -> Arc<Marks> {
        let at = (now.structure, now.figures);
        if let Some((version, kept)) = read(&self.kept).as_ref()
            && *version == at
        {
            return kept.clone();
        }
        let mut kept = write(&self.kept);
        match kept.as_ref() {
            Some((version, marks)) if *version == at => marks.clone(),
            // A request that read older counters than the kept ones gets
            // marks of its own, read afresh.
            Some((version, _)) if version.0 > at.0 || version.1 > at.1 => Arc::default(),
            _ => {
                let fresh = Arc::new(Marks::default());
                *kept = Some((at, fresh.clone()));
                fresh
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn shared_counter_reads_never_answer_with_a_reading_older_than_the_call()
    -> std::result::Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let url = format!("sqlite://{}", dir.path().join("counters.db").display());
        let db = crate::storage::connect(&url).await?;
        const BUMPS: i64 = 150;
        let reads = Arc::new(CounterReads::new(db.clone()));
        let start = reads.read().await?.figures;
        // Bumps committed so far, published only after each commit.
        let committed = Arc::new(AtomicI64::new(0));
        let mut readers = Vec::new();
        for _ in 0..16 {
            let (reads, committed) = (reads.clone(), committed.clone());
            readers.push(tokio::spawn(async move {
                loop {
                    let floor = committed.load(Ordering::SeqCst);
                    let seen = reads.read().await?.figures - start;
                    // Joining a round that began before this call would
                    // miss a bump committed before it.
                    assert!(seen >= floor, "read {seen} after {floor} bumps committed");
                    if floor == BUMPS {
                        return Ok::<_, super::super::Error>(());
                    }
                }
            }));
        }
        for _ in 0..BUMPS {
            crate::storage::bump_figures(&db).await?;
            committed.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
        }
        for reader in readers {
            reader.await??;
        }
        assert_eq!(reads.read().await?.figures, start + BUMPS);
        Ok(())
    }

    #[tokio::test]
    async fn a_reader_gone_unfinished_fails_its_waiters_and_the_next_caller_reads_again()
    -> std::result::Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let url = format!("sqlite://{}", dir.path().join("counters.db").display());
        let reads = Arc::new(CounterReads::new(crate::storage::connect(&url).await?));
        let (tx, waiter) = tokio::sync::oneshot::channel();
        {
            let mut waiting = reads.lock();
            waiting.reading = true;
            waiting.callers.push(tx);
        }
        // What a reader that panicked or was dropped leaves behind.
        drop(Stop {
            reads: reads.clone(),
            finished: false,
        });
        assert!(
            waiter.await.is_err(),
            "the waiter is answered, with an error"
        );
        assert!(!reads.lock().reading);
        assert!(reads.read().await.is_ok());
        Ok(())
    }
}
