//! Limits on logins and registrations, with counters every node sees.
//!
//! Counts are kept per key (a client address, a username, the two together) in windows that
//! start with a key's first count. Where they are kept is [`Counters`]: in the process on SQLite
//! (one node), and in PostgreSQL's `rate_limit_counters` table otherwise, so that N nodes on one
//! database give an attacker the tries of one node, not N times as many. A check and its count
//! are one step — under the process's lock, or in one PostgreSQL transaction holding an advisory
//! lock per key — so concurrent attempts cannot all pass a limit none of them has reached yet.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use mufakat_core::{AppError, AppResult};
use mufakat_store::DbResultExt;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait};

/// One key's count in its window.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub count: u32,
    /// When the window ends.
    pub expires: DateTime<Utc>,
}

/// Where the counts live.
pub enum Counters {
    /// In this process (SQLite: one node).
    Memory(Mutex<HashMap<String, Entry>>),
    /// In PostgreSQL, shared by every node.
    Shared(DatabaseConnection),
}

/// Beyond this many keys in memory, expired ones are purged.
const PURGE_AT: usize = 10_000;

impl Counters {
    /// Shared counters on PostgreSQL, the process's own on SQLite.
    pub fn for_database(db: &DatabaseConnection) -> Counters {
        if mufakat_store::db::is_postgres(db) {
            Counters::Shared(db.clone())
        } else {
            Counters::Memory(Mutex::new(HashMap::new()))
        }
    }

    /// Runs `decide` on the current entries of `keys` (expired ones left out), as one step
    /// against every other attempt on those keys. What `decide` leaves in the map is stored
    /// (a key it removed is cleared); when it returns an error, nothing changes.
    pub async fn update<T>(
        &self,
        keys: &[String],
        now: DateTime<Utc>,
        decide: impl FnOnce(&mut HashMap<String, Entry>) -> AppResult<T>,
    ) -> AppResult<T> {
        match self {
            Counters::Memory(m) => {
                let mut all = m.lock().unwrap_or_else(|e| e.into_inner());
                if all.len() > PURGE_AT {
                    all.retain(|_, e| e.expires > now);
                }
                let mut live: HashMap<String, Entry> = keys
                    .iter()
                    .filter_map(|k| {
                        all.get(k)
                            .filter(|e| e.expires > now)
                            .map(|e| (k.clone(), *e))
                    })
                    .collect();
                let out = decide(&mut live)?;
                for k in keys {
                    match live.remove(k) {
                        Some(e) => all.insert(k.clone(), e),
                        None => all.remove(k),
                    };
                }
                Ok(out)
            }
            Counters::Shared(db) => shared_update(db, keys, now, decide).await,
        }
    }
}

async fn shared_update<T>(
    db: &DatabaseConnection,
    keys: &[String],
    now: DateTime<Utc>,
    decide: impl FnOnce(&mut HashMap<String, Entry>) -> AppResult<T>,
) -> AppResult<T> {
    let pg = |sql: &str, values: Vec<sea_orm::Value>| {
        Statement::from_sql_and_values(DbBackend::Postgres, sql, values)
    };
    let now_ms = now.timestamp_millis();
    let txn = db.begin().await.db()?;
    let mut sorted = keys.to_vec();
    sorted.sort();
    sorted.dedup();
    // One advisory lock per key, in order (no deadlock between attempts on several keys),
    // held until the transaction ends: the read, the decision and the write are one step.
    for k in &sorted {
        txn.query_one_raw(pg(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 20261206))",
            vec![k.clone().into()],
        ))
        .await
        .db()?;
    }
    let mut live = HashMap::new();
    for k in &sorted {
        let row = txn
            .query_one_raw(pg(
                "SELECT count, expires_at FROM rate_limit_counters WHERE key = $1 AND expires_at > $2",
                vec![k.clone().into(), now_ms.into()],
            ))
            .await
            .db()?;
        if let Some(r) = row {
            let count: i32 = r.try_get("", "count").db()?;
            let expires: i64 = r.try_get("", "expires_at").db()?;
            live.insert(
                k.clone(),
                Entry {
                    count: count.max(0) as u32,
                    expires: DateTime::from_timestamp_millis(expires).unwrap_or(now),
                },
            );
        }
    }
    let out = match decide(&mut live) {
        Ok(out) => out,
        Err(e) => {
            let _ = txn.rollback().await;
            return Err(e);
        }
    };
    for k in &sorted {
        let stmt = match live.get(k) {
            Some(e) => pg(
                "INSERT INTO rate_limit_counters (key, count, expires_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (key) DO UPDATE SET count = EXCLUDED.count, expires_at = EXCLUDED.expires_at",
                vec![
                    k.clone().into(),
                    (e.count as i32).into(),
                    e.expires.timestamp_millis().into(),
                ],
            ),
            None => pg(
                "DELETE FROM rate_limit_counters WHERE key = $1",
                vec![k.clone().into()],
            ),
        };
        txn.execute_raw(stmt).await.db()?;
    }
    // Now and then, the windows that have ended (keys of addresses and usernames never seen
    // again would otherwise stay).
    if rand::random::<u8>() == 0 {
        txn.execute_raw(pg(
            "DELETE FROM rate_limit_counters WHERE expires_at <= $1",
            vec![now_ms.into()],
        ))
        .await
        .db()?;
    }
    txn.commit().await.db()?;
    Ok(out)
}

/// `RATE_LIMITED` (with the seconds left) when `key` has reached `limit` in its window.
fn check(
    live: &HashMap<String, Entry>,
    key: &str,
    limit: u32,
    now: DateTime<Utc>,
) -> AppResult<()> {
    match live.get(key) {
        Some(e) if e.count >= limit => Err(AppError::RateLimited {
            retry_after_secs: (e.expires - now).num_seconds().max(1) as u64,
        }),
        _ => Ok(()),
    }
}

/// Counts one for `key` (a new window when it has none).
fn add(live: &mut HashMap<String, Entry>, key: &str, window: Duration, now: DateTime<Utc>) {
    let e = live.entry(key.to_owned()).or_insert(Entry {
        count: 0,
        expires: now + window,
    });
    e.count += 1;
}

/// Limits password guessing without letting a stranger lock an account's owner out.
///
/// Failed logins are counted in a window per client address, per username and address, and per
/// username. An attempt is refused with `RATE_LIMITED` until the window passes when
/// - its address has failed `per_ip` times (for any accounts), or
/// - its address has failed `per_user` times for this username, or
/// - the username has failed `per_user` times in all **and** this address has been failing
///   too. An address without failures of its own still gets through, so that five wrong
///   passwords sent by someone else do not lock the owner out; a distributed guesser gets one
///   try per address per window once the account is under attack.
///
/// An attempt is counted as failed **before** its password is checked
/// ([`LoginLimiter::begin`]); [`LoginLimiter::succeeded`] takes the count back.
pub struct LoginLimiter {
    per_user: u32,
    per_ip: u32,
    window: Duration,
    counters: Counters,
}

impl LoginLimiter {
    pub fn new(per_user: u32, per_ip: u32, window: Duration, counters: Counters) -> Self {
        LoginLimiter {
            per_user,
            per_ip,
            window,
            counters,
        }
    }

    fn keys(username: &str, ip: Option<IpAddr>) -> (String, Option<(String, String)>) {
        let user = username.to_lowercase();
        (
            format!("u:{user}"),
            ip.map(|ip| (format!("ip:{ip}"), format!("ui:{user}|{ip}"))),
        )
    }

    /// Counts a login attempt as failed before its password is checked, or refuses it.
    pub async fn begin(&self, username: &str, ip: Option<IpAddr>) -> AppResult<()> {
        let now = Utc::now();
        let (user, at) = Self::keys(username, ip);
        let (per_user, per_ip, window) = (self.per_user, self.per_ip, self.window);
        let keys: Vec<String> = match &at {
            Some((addr, pair)) => vec![addr.clone(), pair.clone(), user.clone()],
            None => vec![user.clone()],
        };
        self.counters
            .update(&keys, now, |live| {
                if let Some((addr, pair)) = &at {
                    check(live, addr, per_ip, now)?;
                    check(live, pair, per_user, now)?;
                    if live.contains_key(addr) {
                        check(live, &user, per_user, now)?;
                    }
                } else {
                    check(live, &user, per_user, now)?;
                }
                for k in &keys {
                    add(live, k, window, now);
                }
                Ok(())
            })
            .await
    }

    /// The attempt begun with [`LoginLimiter::begin`] was right: the username's counts are
    /// cleared and the address's count gets its one back.
    pub async fn succeeded(&self, username: &str, ip: Option<IpAddr>) -> AppResult<()> {
        let (user, at) = Self::keys(username, ip);
        let mut keys = vec![user.clone()];
        if let Some((addr, pair)) = &at {
            keys.extend([addr.clone(), pair.clone()]);
        }
        self.counters
            .update(&keys, Utc::now(), |live| {
                live.remove(&user);
                if let Some((addr, pair)) = &at {
                    live.remove(pair);
                    if let Some(e) = live.get_mut(addr) {
                        e.count = e.count.saturating_sub(1);
                    }
                }
                Ok(())
            })
            .await
    }
}

/// Counts attempts per client address (registrations) in a window that starts with the
/// address's first attempt; over `max`, attempts are refused with `RATE_LIMITED` until the
/// window ends.
pub struct AttemptLimiter {
    max: u32,
    window: Duration,
    counters: Counters,
    /// Names this limiter's keys apart from others' in shared counters.
    prefix: &'static str,
}

impl AttemptLimiter {
    pub fn new(prefix: &'static str, max: u32, window: Duration, counters: Counters) -> Self {
        AttemptLimiter {
            max,
            window,
            counters,
            prefix,
        }
    }

    /// Counts one attempt from `ip`, or refuses it.
    pub async fn attempt(&self, ip: Option<IpAddr>) -> AppResult<()> {
        let Some(ip) = ip else { return Ok(()) };
        let now = Utc::now();
        let key = format!("{}:{ip}", self.prefix);
        let (max, window) = (self.max, self.window);
        self.counters
            .update(std::slice::from_ref(&key), now, |live| {
                check(live, &key, max, now)?;
                add(live, &key, window, now);
                Ok(())
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memory() -> Counters {
        Counters::Memory(Mutex::new(HashMap::new()))
    }

    #[tokio::test]
    async fn registrations_are_limited_per_address() {
        let l = AttemptLimiter::new("reg", 2, Duration::from_millis(100), memory());
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        assert!(l.attempt(Some(a)).await.is_ok());
        assert!(l.attempt(Some(a)).await.is_ok());
        assert!(matches!(
            l.attempt(Some(a)).await,
            Err(AppError::RateLimited { .. })
        ));
        assert!(
            l.attempt(Some(b)).await.is_ok(),
            "other addresses are not affected"
        );
        tokio::time::sleep(Duration::from_millis(110)).await;
        assert!(l.attempt(Some(a)).await.is_ok(), "a new window");
    }

    #[tokio::test]
    async fn limiter_locks_after_failures() {
        let l = LoginLimiter::new(3, 100, Duration::from_secs(60), memory());
        for _ in 0..3 {
            assert!(l.begin("Budi", None).await.is_ok());
        }
        assert!(matches!(
            l.begin("budi", None).await,
            Err(AppError::RateLimited { .. })
        ));
        assert!(l.begin("siti", None).await.is_ok());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_attempts_cannot_pass_the_limit_and_success_gives_the_count_back() {
        let l = std::sync::Arc::new(LoginLimiter::new(5, 8, Duration::from_secs(60), memory()));
        let ip: IpAddr = "10.0.0.9".parse().unwrap();
        let tasks: Vec<_> = (0..64)
            .map(|_| {
                let l = l.clone();
                tokio::spawn(async move { l.begin("admin", Some(ip)).await.is_ok() as usize })
            })
            .collect();
        let mut passed = 0;
        for t in tasks {
            passed += t.await.unwrap();
        }
        assert_eq!(passed, 5);
        // A right password clears the user's count and refunds the address's.
        l.succeeded("admin", Some(ip)).await.unwrap();
        for _ in 0..4 {
            assert!(l.begin("budi", Some(ip)).await.is_ok());
        }
        assert!(
            l.begin("siti", Some(ip)).await.is_err(),
            "the address is at 8 again"
        );
    }
}
