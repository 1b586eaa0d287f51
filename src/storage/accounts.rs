//! Accounts: passwords (argon2id), sessions, personal API tokens and the
//! throttling of failed logins.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::entity::{api_token, login_throttle, person, session, user};
use super::{Db, Error, Result, audit};
use crate::domain::access::Actor;
use crate::domain::role::Role;

/// How long a browser session lasts.
pub const SESSION_DAYS: i64 = 7;
/// Failed logins allowed within [`THROTTLE_WINDOW_MIN`] before a lock.
pub const MAX_FAILURES: i32 = 5;
pub const THROTTLE_WINDOW_MIN: i64 = 15;
/// How long a username stays locked after too many failures.
pub const LOCK_MIN: i64 = 15;
/// Passwords chosen by users must be at least this long.
pub const MIN_PASSWORD_LEN: usize = 8;

/// Hashes a password with argon2id and a fresh salt. Slow on purpose: call
/// it from `spawn_blocking` in request handlers.
pub fn hash_password(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| {
            Error::Db(sea_orm::DbErr::Custom(format!(
                "password hashing failed: {e}"
            )))
        })
}

/// True when `password` matches the stored PHC string.
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Argon2 takes ~19 MiB and tens of milliseconds per call: at most one
/// call per core at a time, so a flood of logins queues instead of
/// exhausting memory.
static HASHING: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
    tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, usize::from))
});

/// Runs an argon2 job on the blocking pool, within [`HASHING`]'s limit.
async fn argon2_job<T: Send + 'static>(job: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    let _permit = HASHING
        .acquire()
        .await
        .map_err(|e| Error::Db(sea_orm::DbErr::Custom(e.to_string())))?;
    tokio::task::spawn_blocking(job)
        .await
        .map_err(|e| Error::Db(sea_orm::DbErr::Custom(e.to_string())))
}

/// A random secret, URL-safe, 256 bits.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Sessions and API tokens are stored by their SHA-256 only.
pub fn token_hash(token: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(token.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

/// Checks a new password against the minimum policy; `field` names the
/// form field in the error.
pub fn check_new_password(field: &str, password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(Error::invalid(
            field,
            format!("at least {MIN_PASSWORD_LEN} characters"),
            format!("至少 {MIN_PASSWORD_LEN} 个字符"),
        ));
    }
    Ok(())
}

/// Builds the actor of a user: their role, person and unit.
async fn actor_of(db: &Db, u: &user::Model) -> Result<Actor> {
    let role: Role = u
        .role
        .parse()
        .map_err(|_| Error::Db(sea_orm::DbErr::Custom(format!("unknown role {}", u.role))))?;
    let unit_id = match u.person_id {
        Some(pid) => person::Entity::find_by_id(pid)
            .one(db)
            .await?
            .map(|p| p.unit_id),
        None => None,
    };
    Ok(Actor {
        user_id: u.id,
        username: u.username.clone(),
        role,
        person_id: u.person_id,
        unit_id,
    })
}

/// A signed-in user with what pages need to show about them.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub actor: Actor,
    pub user: user::Model,
    /// Only for cookie sessions: the token every write must carry.
    pub csrf_token: Option<String>,
}

/// A new session: the cookie value (shown once) and its CSRF token.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub signed_in: SignedIn,
}

/// Checks a username and password, honouring the throttle. Wrong username
/// and wrong password give the same answer.
pub async fn login(db: &Db, username: &str, password: &str) -> Result<NewSession> {
    let key = username.trim().to_lowercase();
    let now = Utc::now();
    if check_username(&key).is_err() {
        // Never a valid account: answer as for a wrong password, after the
        // same work, without a throttle row for a made-up name.
        let pw = password.to_owned();
        argon2_job(move || verify_password(&DUMMY_HASH, &pw)).await?;
        return Err(Error::Unauthenticated);
    }
    // The attempt is counted before the password is checked, atomically, so
    // that parallel guesses cannot slip past the limit while one is checked.
    let attempt = count_attempt(db, &key, now).await?;
    if let Some(until) = attempt.locked_until.filter(|u| *u > now) {
        return Err(Error::Throttled((until - now).num_seconds().max(1)));
    }
    if attempt.failures > MAX_FAILURES {
        lock(db, &key, now).await?;
        return Err(Error::Throttled(LOCK_MIN * 60));
    }
    let found = user::Entity::find()
        .filter(user::Column::Username.eq(username.trim()))
        .filter(user::Column::Active.eq(true))
        .one(db)
        .await?;
    let hash = found.as_ref().map(|u| u.password_hash.clone());
    let pw = password.to_owned();
    // Verify even for an unknown user, so timing does not tell which it was.
    let ok = argon2_job(move || match hash {
        Some(h) => verify_password(&h, &pw),
        None => {
            let _ = verify_password(&DUMMY_HASH, &pw);
            false
        }
    })
    .await?;
    let Some(u) = found.filter(|_| ok) else {
        if attempt.failures >= MAX_FAILURES {
            lock(db, &key, now).await?;
        }
        return Err(Error::Unauthenticated);
    };
    login_throttle::Entity::delete_by_id(key).exec(db).await?;
    // Expired sessions are removed here, at the one place sessions are made.
    session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lt(now))
        .exec(db)
        .await?;
    let token = random_token();
    let csrf_token = random_token();
    session::ActiveModel {
        id_hash: Set(token_hash(&token)),
        user_id: Set(u.id),
        csrf_token: Set(csrf_token.clone()),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(SESSION_DAYS)),
    }
    .insert(db)
    .await?;
    let actor = actor_of(db, &u).await?;
    Ok(NewSession {
        token,
        csrf_token: csrf_token.clone(),
        signed_in: SignedIn {
            actor,
            user: u,
            csrf_token: Some(csrf_token),
        },
    })
}

/// A real argon2id hash, verified against for unknown users.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password(&random_token()).unwrap_or_default());

/// Counts one login attempt for `key` and returns the count so far. A
/// window that has passed without a running lock starts afresh.
async fn count_attempt(db: &Db, key: &str, now: DateTime<Utc>) -> Result<login_throttle::Model> {
    use login_throttle::Column;
    use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
    // Stale rows of every name go, so that guesses at made-up names do not
    // pile up.
    login_throttle::Entity::delete_many()
        .filter(Column::FirstFailureAt.lt(now - Duration::minutes(THROTTLE_WINDOW_MIN)))
        .filter(no_running_lock(now))
        .exec(db)
        .await?;
    login_throttle::Entity::insert(login_throttle::ActiveModel {
        username: Set(key.to_owned()),
        failures: Set(1),
        first_failure_at: Set(now),
        locked_until: Set(None),
    })
    .on_conflict(
        OnConflict::column(Column::Username)
            .value(
                Column::Failures,
                Expr::col((login_throttle::Entity, Column::Failures)).add(1),
            )
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    login_throttle::Entity::find_by_id(key.to_owned())
        .one(db)
        .await?
        .ok_or(Error::NotFound)
}

/// Rows without a lock, or whose lock has run out.
fn no_running_lock(now: DateTime<Utc>) -> sea_orm::Condition {
    use login_throttle::Column;
    sea_orm::Condition::any()
        .add(Column::LockedUntil.is_null())
        .add(Column::LockedUntil.lt(now))
}

/// Locks `key` for [`LOCK_MIN`] minutes, unless a lock is already running.
async fn lock(db: &Db, key: &str, now: DateTime<Utc>) -> Result<()> {
    use login_throttle::Column;
    login_throttle::Entity::update_many()
        .col_expr(
            Column::LockedUntil,
            sea_orm::sea_query::Expr::value(now + Duration::minutes(LOCK_MIN)),
        )
        .filter(Column::Username.eq(key))
        .filter(no_running_lock(now))
        .exec(db)
        .await?;
    Ok(())
}

/// The user behind a session cookie, if the session is live.
pub async fn from_session(db: &Db, token: &str) -> Result<Option<SignedIn>> {
    Ok(session_by_hash(db, &token_hash(token))
        .await?
        .map(|s| s.signed_in))
}

/// A live session as read from the database, with what a cache of it
/// must still check on each use.
#[derive(Debug, Clone)]
pub struct LiveSession {
    pub signed_in: SignedIn,
    pub expires_at: DateTime<Utc>,
}

/// [`from_session`] by the stored hash of the cookie. An expired session
/// is removed on the way.
pub async fn session_by_hash(db: &Db, hash: &str) -> Result<Option<LiveSession>> {
    let Some(s) = session::Entity::find_by_id(hash.to_owned()).one(db).await? else {
        return Ok(None);
    };
    if s.expires_at <= Utc::now() {
        session::Entity::delete_by_id(s.id_hash).exec(db).await?;
        return Ok(None);
    }
    Ok(signed_in(db, s.user_id, Some(s.csrf_token))
        .await?
        .map(|signed_in| LiveSession {
            signed_in,
            expires_at: s.expires_at,
        }))
}

/// The signed-in view of an active user; `None` for a closed account.
async fn signed_in(db: &Db, user_id: i64, csrf_token: Option<String>) -> Result<Option<SignedIn>> {
    let Some(u) = user::Entity::find_by_id(user_id)
        .filter(user::Column::Active.eq(true))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let actor = actor_of(db, &u).await?;
    Ok(Some(SignedIn {
        actor,
        user: u,
        csrf_token,
    }))
}

/// The user behind a bearer token, if it is valid and not revoked.
pub async fn from_api_token(db: &Db, token: &str) -> Result<Option<SignedIn>> {
    let Some(t) = token_by_hash(db, &token_hash(token)).await? else {
        return Ok(None);
    };
    touch_token(db, t.token_id, t.last_used_at, Utc::now()).await?;
    Ok(Some(t.signed_in))
}

/// A valid API token as read from the database.
#[derive(Debug, Clone)]
pub struct LiveToken {
    pub signed_in: SignedIn,
    pub token_id: i64,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// The token with this stored hash, if valid, not revoked and of an active
/// user. Does not mark it used: see [`touch_token`].
pub async fn token_by_hash(db: &Db, hash: &str) -> Result<Option<LiveToken>> {
    let Some(t) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(hash))
        .filter(api_token::Column::RevokedAt.is_null())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(signed_in(db, t.user_id, None)
        .await?
        .map(|signed_in| LiveToken {
            signed_in,
            token_id: t.id,
            last_used_at: t.last_used_at,
        }))
}

/// "Last used" to the minute is enough; writing it on every call would turn
/// each read of a busy script into a write. True when a use at `now` is to
/// be written.
pub fn token_use_due(last_used_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    last_used_at.is_none_or(|at| now - at > Duration::minutes(1))
}

/// Records a use of token `id` at `now` when [`token_use_due`]. Who the
/// token resolves to does not change, so no counter is bumped.
pub async fn touch_token(
    db: &Db,
    id: i64,
    last_used_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<()> {
    if token_use_due(last_used_at, now) {
        api_token::Entity::update_many()
            .col_expr(
                api_token::Column::LastUsedAt,
                sea_orm::sea_query::Expr::value(Some(now)),
            )
            .filter(api_token::Column::Id.eq(id))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Ends a session. Bumps the `accounts` counter in the same transaction, so
/// that every server forgets the session it may hold in memory.
pub async fn logout(db: &Db, token: &str) -> Result<()> {
    use sea_orm::TransactionTrait;
    let txn = db.begin().await?;
    super::bump_accounts(&txn).await?;
    session::Entity::delete_by_id(token_hash(token))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Creates an account. `actor` is `None` for the CLI and the demo loader.
pub async fn create_user(
    db: &Db,
    actor: Option<&Actor>,
    username: &str,
    password: &str,
    role: Role,
    person_id: Option<i64>,
) -> Result<user::Model> {
    let hash = hash_blocking(password).await?;
    let txn = super::begin_write(db, super::Lane::Org).await?;
    let user = create_user_with_hash(&txn, actor, username, &hash, role, person_id).await?;
    txn.commit().await?;
    Ok(user)
}

/// Hashes on the blocking pool, off the request threads.
pub async fn hash_blocking(password: &str) -> Result<String> {
    let pw = password.to_owned();
    argon2_job(move || hash_password(&pw)).await?
}

/// Validates a username: 2–64 letters, digits, `.`, `-`, `_`.
pub fn check_username(username: &str) -> Result<&str> {
    let u = username.trim();
    let ok = (2..=64).contains(&u.len())
        && u.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(u)
    } else {
        Err(Error::invalid(
            "username",
            "2 to 64 letters, digits, '.', '-' or '_'",
            "2 到 64 个字母、数字、'.'、'-' 或 '_'",
        ))
    }
}

pub async fn create_user_with_hash<C: sea_orm::ConnectionTrait>(
    conn: &C,
    actor: Option<&Actor>,
    username: &str,
    hash: &str,
    role: Role,
    person_id: Option<i64>,
) -> Result<user::Model> {
    let username = check_username(username)?;
    if user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(conn)
        .await?
        .is_some()
    {
        return Err(Error::invalid(
            "username",
            "this username is taken",
            "该用户名已被使用",
        ));
    }
    let now = Utc::now();
    let u = user::ActiveModel {
        username: Set(username.to_owned()),
        password_hash: Set(hash.to_owned()),
        role: Set(role.code().to_owned()),
        person_id: Set(person_id),
        locale: Set(None),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    audit::record(
        conn,
        actor,
        "create",
        "user",
        username,
        None,
        Some(json!({"username": username, "role": role.code(), "person_id": person_id})),
    )
    .await?;
    Ok(u)
}

/// Sets a password: one's own after checking the old one, or anyone's by
/// admin (`old` is then not asked for) and by the CLI (`actor` `None`).
pub async fn set_password(
    db: &Db,
    actor: Option<&Actor>,
    username: &str,
    old: Option<&str>,
    new: &str,
) -> Result<()> {
    check_new_password("new_password", new)?;
    let u = user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    // A change of one's own password proves the old one; a reset (by admin
    // or the CLI, `old` absent) does not.
    let own = old.is_some() && actor.is_some_and(|a| a.user_id == u.id);
    match actor {
        Some(a) if !own && !a.may_manage_accounts() => return Err(Error::NotFound),
        _ => {}
    }
    if own {
        let old = old.unwrap_or_default().to_owned();
        let hash = u.password_hash.clone();
        let ok = argon2_job(move || verify_password(&hash, &old)).await?;
        if !ok {
            return Err(Error::invalid(
                "old_password",
                "the current password is wrong",
                "当前密码不正确",
            ));
        }
    }
    let hash = hash_blocking(new).await?;
    let txn = super::begin_write(db, super::Lane::Org).await?;
    let uid = u.id;
    let mut am = u.into_active_model();
    am.password_hash = Set(hash);
    am.updated_at = Set(Utc::now());
    am.update(&txn).await?;
    // A reset is what one does after a compromise: it ends the user's
    // sessions everywhere and revokes their API tokens.
    if !own {
        session::Entity::delete_many()
            .filter(session::Column::UserId.eq(uid))
            .exec(&txn)
            .await?;
        api_token::Entity::update_many()
            .col_expr(
                api_token::Column::RevokedAt,
                sea_orm::sea_query::Expr::value(Some(Utc::now())),
            )
            .filter(api_token::Column::UserId.eq(uid))
            .filter(api_token::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?;
    }
    let action = if own {
        "password_change"
    } else {
        "password_reset"
    };
    audit::record(&txn, actor, action, "user", username, None, None).await?;
    txn.commit().await?;
    Ok(())
}

/// After one's own password change: every other session of the user ends
/// (a stolen cookie stops working), the one in use stays. `keep` is that
/// session's cookie value; `None` (a bearer-token caller) ends them all.
pub async fn end_other_sessions(db: &Db, user_id: i64, keep: Option<&str>) -> Result<()> {
    use sea_orm::TransactionTrait;
    let txn = db.begin().await?;
    // Servers keep sessions in memory: they must all see these end.
    super::bump_accounts(&txn).await?;
    let mut q = session::Entity::delete_many().filter(session::Column::UserId.eq(user_id));
    if let Some(token) = keep {
        q = q.filter(session::Column::IdHash.ne(token_hash(token)));
    }
    q.exec(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// The UI language chosen by the user; `None` follows the browser.
pub async fn set_locale(db: &Db, actor: &Actor, locale: Option<&str>) -> Result<()> {
    let u = user::Entity::find_by_id(actor.user_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    use sea_orm::TransactionTrait;
    let txn = db.begin().await?;
    // The language is part of the signed-in user kept in memory.
    super::bump_accounts(&txn).await?;
    let mut am = u.into_active_model();
    am.locale = Set(locale.map(str::to_owned));
    am.update(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// A token as listed; the secret itself is only shown once, at creation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TokenView {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<api_token::Model> for TokenView {
    fn from(t: api_token::Model) -> Self {
        TokenView {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
        }
    }
}

/// Creates a personal API token for `user_id`; returns the secret once.
pub async fn create_token(
    db: &Db,
    actor: Option<&Actor>,
    user_id: i64,
    name: &str,
) -> Result<(String, TokenView)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(Error::invalid(
            "name",
            "1 to 64 characters",
            "1 到 64 个字符",
        ));
    }
    let secret = format!("mbt_{}", random_token());
    let txn = super::begin_write(db, super::Lane::Org).await?;
    let t = api_token::ActiveModel {
        user_id: Set(user_id),
        name: Set(name.to_owned()),
        token_hash: Set(token_hash(&secret)),
        prefix: Set(secret.chars().take(10).collect()),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        "create",
        "api_token",
        &t.id.to_string(),
        None,
        Some(json!({"name": name, "user_id": user_id})),
    )
    .await?;
    txn.commit().await?;
    Ok((secret, t.into()))
}

/// The actor's own tokens, newest first.
pub async fn list_tokens(db: &Db, actor: &Actor) -> Result<Vec<TokenView>> {
    Ok(api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(actor.user_id))
        .order_by_desc(api_token::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Revokes one of the actor's own tokens.
pub async fn revoke_token(db: &Db, actor: &Actor, id: i64) -> Result<()> {
    let t = api_token::Entity::find_by_id(id)
        .filter(api_token::Column::UserId.eq(actor.user_id))
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    if t.revoked_at.is_some() {
        return Ok(());
    }
    let txn = super::begin_write(db, super::Lane::Org).await?;
    let mut am = t.into_active_model();
    am.revoked_at = Set(Some(Utc::now()));
    am.update(&txn).await?;
    audit::record(
        &txn,
        Some(actor),
        "revoke",
        "api_token",
        &id.to_string(),
        None,
        None,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Looks a user up by name, for the CLI.
pub async fn find_user(db: &Db, username: &str) -> Result<Option<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(db)
        .await?)
}

/// An account as listed for admin.
#[derive(Debug, Clone, Serialize)]
pub struct UserView {
    pub username: String,
    pub role: String,
    pub person_id: Option<i64>,
    pub active: bool,
}

/// All accounts, for admin's account page.
pub async fn list_users(db: &Db, actor: &Actor) -> Result<Vec<UserView>> {
    if !actor.may_manage_accounts() {
        return Err(Error::Forbidden);
    }
    Ok(user::Entity::find()
        .order_by_asc(user::Column::Username)
        .all(db)
        .await?
        .into_iter()
        .map(|u| UserView {
            username: u.username,
            role: u.role,
            person_id: u.person_id,
            active: u.active,
        })
        .collect())
}
