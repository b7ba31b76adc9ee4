//! Authentication: password hashing (argon2id), bearer tokens (random, stored hashed,
//! expiring, revocable), the NIK keyed hash, the client's address. (The login and
//! registration limits are in [`crate::rate_limit`].)

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use base64::Engine;
use hmac::{Hmac, Mac};
use mufakat_core::{AppError, AppResult, Role};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// The signed-in user of a request, with the role grants read fresh from the database.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i32,
    pub username: String,
    pub display_name: String,
    pub home_region_id: Option<i32>,
    pub grants: Vec<(Role, i32)>,
    /// The grants of `grants` that name the OPD their holder works for: `(role, region, OPD
    /// code)`. Such a grant holds only for that OPD's data (`Authz::allowed_for_opd`).
    pub opd_grants: Vec<(Role, i32, String)>,
    pub token_hash: String,
}

pub async fn hash_password(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::internal(anyhow::anyhow!("argon2: {e}")))
    })
    .await
    .map_err(AppError::internal)?
}

/// Verifies in constant time; `None` as the stored hash still spends the same work, so that
/// response times do not tell which usernames exist.
pub async fn verify_password(password: String, stored: Option<String>) -> AppResult<bool> {
    tokio::task::spawn_blocking(move || {
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| AppError::internal(anyhow::anyhow!("stored hash: {e}")))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(AppError::internal)?
}

static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(b"not-a-real-password", &salt)
        .unwrap()
        .to_string()
});

/// A new bearer token (`mft_` + 43 characters of base64url, 256 bits) and the hash to store.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = format!(
        "mft_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Whether a token has the shape we issue; anything else is rejected before a database lookup.
pub fn token_well_formed(token: &str) -> bool {
    token.len() == 47
        && token.starts_with("mft_")
        && token[4..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// HMAC-SHA256 of the NIK under the deployment's key: lets us enforce one account per NIK
/// without storing the NIK (UU PDP 27/2022).
pub fn nik_hash(key: &[u8], nik: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(nik.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Recently authenticated tokens, so that a request need not read its session, user and
/// grants again (three queries on every request otherwise). An entry lives at most `ttl` and
/// never past its session's expiry; logout, "log out everywhere" and role changes made through
/// this node drop entries at once. On other nodes of a multi-node deployment a revoked token or
/// a changed role takes effect within `ttl` (default 5 s; 0 turns the cache off).
///
/// Concurrent requests with the same uncached token read storage once: the first takes the
/// token's [`SessionCache::gate`], the others wait on it and then find the cached user (a page
/// or a client that fires several requests at once would otherwise read the same three rows
/// once per request). A lookup that overlaps a logout or role change is not cached
/// ([`SessionCache::epoch`]), so a dropped entry cannot come back from a read made before it.
pub struct SessionCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, (CurrentUser, Instant)>>,
    gates: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    epoch: AtomicU64,
}

/// Beyond this many cached tokens, expired entries are purged (and all, if that is not enough).
const SESSION_CACHE_MAX: usize = 100_000;

/// Held while one request reads a token's session; dropping it lets the next waiter in and
/// forgets the gate when no one else holds or waits on it.
pub struct SessionGate<'a> {
    cache: &'a SessionCache,
    hash: String,
    gate: Arc<tokio::sync::Mutex<()>>,
    guard: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Drop for SessionGate<'_> {
    fn drop(&mut self) {
        self.guard.take();
        let mut gates = self.cache.gates.lock().unwrap();
        // One reference in the map, one here: nobody else waits for this token.
        if Arc::strong_count(&self.gate) <= 2 {
            gates.remove(&self.hash);
        }
    }
}

impl SessionCache {
    pub fn new(ttl: Duration) -> Self {
        SessionCache {
            ttl,
            entries: Mutex::new(HashMap::new()),
            gates: Mutex::new(HashMap::new()),
            epoch: AtomicU64::new(0),
        }
    }

    /// The cached user of a token hash, when still fresh.
    pub fn get(&self, token_hash: &str) -> Option<CurrentUser> {
        let entries = self.entries.lock().unwrap();
        let (user, until) = entries.get(token_hash)?;
        (Instant::now() < *until).then(|| user.clone())
    }

    /// Waits until no other request is reading this token's session, then holds that place
    /// until the returned gate is dropped. Check [`SessionCache::get`] again after it.
    pub async fn gate(&self, token_hash: &str) -> SessionGate<'_> {
        let gate = self
            .gates
            .lock()
            .unwrap()
            .entry(token_hash.to_owned())
            .or_default()
            .clone();
        let guard = gate.clone().lock_owned().await;
        SessionGate {
            cache: self,
            hash: token_hash.to_owned(),
            gate,
            guard: Some(guard),
        }
    }

    /// Changes whenever entries are dropped; read it before a lookup and pass it to
    /// [`SessionCache::put`].
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::SeqCst)
    }

    /// Caches `user` (read from storage just now, after [`SessionCache::epoch`] said `epoch`)
    /// for at most `ttl`, and not after `session_left`, the time its session has left. Nothing
    /// is cached when a logout or role change has dropped entries since `epoch`.
    pub fn put(&self, user: &CurrentUser, session_left: Duration, epoch: u64) {
        let life = self.ttl.min(session_left);
        if life.is_zero() {
            return;
        }
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap();
        if self.epoch.load(Ordering::SeqCst) != epoch {
            return;
        }
        if entries.len() >= SESSION_CACHE_MAX {
            entries.retain(|_, (_, until)| now < *until);
            if entries.len() >= SESSION_CACHE_MAX {
                entries.clear();
            }
        }
        entries.insert(user.token_hash.clone(), (user.clone(), now + life));
    }

    pub fn forget_token(&self, token_hash: &str) {
        let mut entries = self.entries.lock().unwrap();
        self.epoch.fetch_add(1, Ordering::SeqCst);
        entries.remove(token_hash);
    }

    pub fn forget_user(&self, user_id: i32) {
        let mut entries = self.entries.lock().unwrap();
        self.epoch.fetch_add(1, Ordering::SeqCst);
        entries.retain(|_, (u, _)| u.id != user_id);
    }
}

/// The client's address: the peer, or — when the peer is one of our reverse proxies — the
/// right-most `X-Forwarded-For` entry that is not a proxy of ours (entries further left are
/// whatever the client chose to send).
pub fn client_ip(peer: IpAddr, forwarded_for: Option<&str>, trusted_proxies: &[IpAddr]) -> IpAddr {
    if !trusted_proxies.contains(&peer) {
        return peer;
    }
    let Some(list) = forwarded_for else {
        return peer;
    };
    for entry in list.rsplit(',') {
        match entry.trim().parse::<IpAddr>() {
            Ok(ip) if trusted_proxies.contains(&ip) => continue,
            Ok(ip) => return ip,
            Err(_) => return peer,
        }
    }
    peer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: i32, token: &str) -> CurrentUser {
        CurrentUser {
            id,
            username: format!("u{id}"),
            display_name: "U".into(),
            home_region_id: None,
            grants: vec![(Role::Resident, 1)],
            opd_grants: vec![],
            token_hash: token.into(),
        }
    }

    #[test]
    fn the_client_address_comes_from_our_proxies_only() {
        let proxy: IpAddr = "10.0.0.9".parse().unwrap();
        let client: IpAddr = "203.0.113.7".parse().unwrap();
        let other: IpAddr = "198.51.100.1".parse().unwrap();
        // Not behind a trusted proxy: the header is ignored.
        assert_eq!(client_ip(other, Some("203.0.113.7"), &[proxy]), other);
        // Behind our proxy: the right-most untrusted entry; spoofed entries to its left lose.
        assert_eq!(
            client_ip(proxy, Some("1.2.3.4, 203.0.113.7"), &[proxy]),
            client
        );
        assert_eq!(
            client_ip(proxy, Some("203.0.113.7, 10.0.0.9"), &[proxy]),
            client
        );
        assert_eq!(client_ip(proxy, None, &[proxy]), proxy);
        assert_eq!(client_ip(proxy, Some("garbage"), &[proxy]), proxy);
    }

    #[test]
    fn session_cache_never_outlives_its_ttl_or_the_session() {
        let cache = SessionCache::new(Duration::from_millis(200));
        cache.put(&user(1, "a"), Duration::from_secs(3600), 0);
        cache.put(&user(1, "b"), Duration::from_millis(20), 0);
        cache.put(&user(2, "c"), Duration::from_secs(3600), 0);
        cache.put(&user(3, "d"), Duration::ZERO, 0);
        assert_eq!(cache.get("a").map(|u| u.id), Some(1));
        assert!(cache.get("d").is_none(), "an expired session is not cached");
        std::thread::sleep(Duration::from_millis(40));
        assert!(cache.get("b").is_none(), "gone when the session expires");
        assert!(cache.get("a").is_some());
        cache.forget_user(1);
        assert!(cache.get("a").is_none(), "role change / logout everywhere");
        cache.forget_token("c");
        assert!(cache.get("c").is_none(), "logout");
        cache.put(&user(2, "c"), Duration::from_secs(3600), cache.epoch());
        std::thread::sleep(Duration::from_millis(220));
        assert!(cache.get("c").is_none(), "gone after the ttl");
        let off = SessionCache::new(Duration::ZERO);
        off.put(&user(1, "a"), Duration::from_secs(3600), 0);
        assert!(off.get("a").is_none(), "ttl 0 turns the cache off");
    }

    #[test]
    fn a_lookup_that_overlaps_a_logout_is_not_cached() {
        let cache = SessionCache::new(Duration::from_secs(60));
        let before = cache.epoch();
        // ... the session is read from storage, then another request logs out ...
        cache.forget_token("a");
        cache.put(&user(1, "a"), Duration::from_secs(3600), before);
        assert!(cache.get("a").is_none(), "the read predates the logout");
        cache.put(&user(1, "a"), Duration::from_secs(3600), cache.epoch());
        assert!(cache.get("a").is_some());
    }

    #[tokio::test]
    async fn one_lookup_per_token_at_a_time() {
        let cache = Arc::new(SessionCache::new(Duration::from_secs(60)));
        let lookups = Arc::new(AtomicU64::new(0));
        let mut tasks = vec![];
        for _ in 0..32 {
            let (cache, lookups) = (cache.clone(), lookups.clone());
            tasks.push(tokio::spawn(async move {
                if cache.get("a").is_some() {
                    return;
                }
                let _gate = cache.gate("a").await;
                if cache.get("a").is_some() {
                    return;
                }
                let epoch = cache.epoch();
                lookups.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(20)).await;
                cache.put(&user(1, "a"), Duration::from_secs(3600), epoch);
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(lookups.load(Ordering::SeqCst), 1);
        assert!(
            cache.gates.lock().unwrap().is_empty(),
            "gates are forgotten"
        );
    }

    #[tokio::test]
    async fn passwords_verify() {
        let h = hash_password("rahasia-sekali".into()).await.unwrap();
        assert!(verify_password("rahasia-sekali".into(), Some(h.clone()))
            .await
            .unwrap());
        assert!(!verify_password("salah".into(), Some(h)).await.unwrap());
        assert!(!verify_password("apa saja".into(), None).await.unwrap());
    }

    #[test]
    fn tokens_are_well_formed_and_hashed() {
        let (t, h) = new_token();
        assert!(token_well_formed(&t));
        assert_eq!(token_hash(&t), h);
        assert!(!token_well_formed("Bearer x"));
        assert!(!token_well_formed("mft_short"));
    }

    #[test]
    fn nik_hash_depends_on_the_key() {
        let a = nik_hash(b"key-a", "3578014507900001");
        assert_eq!(a, nik_hash(b"key-a", "3578014507900001"));
        assert_ne!(a, nik_hash(b"key-b", "3578014507900001"));
        assert!(!a.contains("3578014507900001"));
    }
}
