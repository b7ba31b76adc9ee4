//! Answers to anonymous queries, kept briefly and dropped at the next write.
//!
//! In a voting deadline rush most requests are the public reading the same few things (the
//! ranking of a cycle's proposals, a proposal's page) with the same query text, and each
//! such request costs the server a database read, decoding, GraphQL resolution and JSON
//! encoding (the listing was ~520 µs of server CPU per request, docs/benchmarks.md). An
//! anonymous answer depends only on the request (query, variables, language) and on the
//! data, so a node keeps it and answers the same request with it for as long as
//!
//! - **no write has been made through this node since** — every audited write (a workflow
//!   transition, a vote batch, a timer) and every mutation moves the node's write
//!   generation ([`crate::audit_log::WriteQueue::generation`]) before it is answered, so a
//!   client that changed something reads the change at once; on PostgreSQL vote counts
//!   NOTIFYed by other nodes move it too; and
//! - **no longer than `public_cache_ms`** (default 1000 ms), which bounds how long a change
//!   made by another process (another node's transition, the CLI) or a time-dependent
//!   answer takes to show.
//!
//! Only queries (not mutations or subscriptions), only requests without an `Authorization`
//! header, and only answers without errors are kept. The cache is bounded in entries, in the
//! size of a request it keys by and of an answer it keeps, and in total bytes.
//!
//! **One computation per request and generation.** When many readers ask the same thing just
//! after a write (every batch commit drops the kept answers), the first computes the answer and
//! the others arriving at the same generation wait for it ([`ResponseCache::lookup`]), instead
//! of each running the same query. A waiter gets an answer computed after every write it could
//! have seen, as with a kept one. If the first reader's answer cannot be kept (an error, too
//! large) or its request is dropped, each waiter computes its own.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use mufakat_core::Lang;

/// Distinct requests kept (least recently used goes first).
const ENTRIES: usize = 256;
/// Longer request bodies are not kept.
const MAX_REQUEST_BYTES: usize = 16 * 1024;
/// Larger answers are not kept.
const MAX_ANSWER_BYTES: usize = 256 * 1024;
/// Total bytes kept (requests and answers).
const MAX_TOTAL_BYTES: usize = 8 * 1024 * 1024;

pub struct ResponseCache {
    ttl: Duration,
    entries: Mutex<Entries>,
    flight_ids: AtomicU64,
}

type Key = (Lang, Bytes);

struct Entries {
    lru: lru::LruCache<Key, Answer>,
    bytes: usize,
    /// Answers being computed: by whom (a flight id) and at which generation; the receiver
    /// is cloned by readers who wait for it.
    flights: HashMap<Key, InFlight>,
}

struct InFlight {
    id: u64,
    generation: u64,
    answer: tokio::sync::watch::Receiver<Option<Bytes>>,
}

/// What a reader does with an anonymous request ([`ResponseCache::lookup`]).
pub enum Lookup {
    /// The answer (kept, or just computed by another reader).
    Answer(Bytes),
    /// Compute it; [`Flight::land`] keeps the answer and gives it to the readers waiting.
    Lead(Flight),
    /// Compute it alone (not to be kept, or the reader waited for gave up).
    Alone,
}

/// The right and duty to compute an answer others may be waiting for. Dropped without
/// [`Flight::land`], the waiting readers compute their own.
pub struct Flight {
    cache: Arc<ResponseCache>,
    key: Key,
    id: u64,
    generation: u64,
    tx: tokio::sync::watch::Sender<Option<Bytes>>,
}

impl Flight {
    /// Keeps `body` as the answer (see [`ResponseCache::put`]) and hands it to the waiters.
    pub fn land(self, body: Bytes) {
        self.cache
            .put(self.key.0, &self.key.1, self.generation, body.clone());
        let _ = self.tx.send(Some(body));
    }
}

impl Drop for Flight {
    fn drop(&mut self) {
        if let Ok(mut e) = self.cache.entries.lock() {
            if e.flights.get(&self.key).is_some_and(|f| f.id == self.id) {
                e.flights.remove(&self.key);
            }
        }
    }
}

struct Answer {
    generation: u64,
    at: Instant,
    body: Bytes,
}

impl ResponseCache {
    /// A cache whose answers live at most `ttl` (zero: nothing is kept).
    pub fn new(ttl: Duration) -> ResponseCache {
        ResponseCache {
            ttl,
            entries: Mutex::new(Entries {
                lru: lru::LruCache::new(NonZeroUsize::new(ENTRIES).unwrap_or(NonZeroUsize::MIN)),
                bytes: 0,
                flights: HashMap::new(),
            }),
            flight_ids: AtomicU64::new(0),
        }
    }

    /// The answer to `request` in `lang` at write generation `generation` (the current one):
    /// kept, or computed by a reader who asked first at the same generation (this waits for
    /// it); otherwise this reader computes it, leading the readers who come while it does.
    pub async fn lookup(self: &Arc<Self>, lang: Lang, request: &Bytes, generation: u64) -> Lookup {
        if !self.may_keep(request) {
            return Lookup::Alone;
        }
        let mut answer = {
            let Ok(mut e) = self.entries.lock() else {
                return Lookup::Alone;
            };
            let key = (lang, request.clone());
            if let Some(body) = self.kept(&mut e, &key, generation) {
                return Lookup::Answer(body);
            }
            match e.flights.get(&key) {
                Some(f) if f.generation == generation => f.answer.clone(),
                _ => {
                    // Its own copy: the request's buffer may be larger than the request.
                    let key = (lang, Bytes::copy_from_slice(request));
                    let (tx, rx) = tokio::sync::watch::channel(None);
                    let id = self.flight_ids.fetch_add(1, Ordering::Relaxed);
                    e.flights.insert(
                        key.clone(),
                        InFlight {
                            id,
                            generation,
                            answer: rx,
                        },
                    );
                    return Lookup::Lead(Flight {
                        cache: self.clone(),
                        key,
                        id,
                        generation,
                        tx,
                    });
                }
            }
        };
        let landed = match answer.wait_for(Option::is_some).await {
            Ok(body) => body.clone(),
            Err(_) => None,
        };
        landed.map_or(Lookup::Alone, Lookup::Answer)
    }

    /// Whether a request of this size could be answered from the cache.
    pub fn may_keep(&self, request: &[u8]) -> bool {
        !self.ttl.is_zero() && request.len() <= MAX_REQUEST_BYTES
    }

    /// The kept answer to `request` in `lang`, when it was made at write generation
    /// `generation` (the current one) less than the TTL ago.
    pub fn get(&self, lang: Lang, request: &Bytes, generation: u64) -> Option<Bytes> {
        if !self.may_keep(request) {
            return None;
        }
        let mut e = self.entries.lock().ok()?;
        self.kept(&mut e, &(lang, request.clone()), generation)
    }

    /// [`ResponseCache::get`] under the lock; drops an answer no longer valid.
    fn kept(&self, e: &mut Entries, key: &Key, generation: u64) -> Option<Bytes> {
        let a = e.lru.get(key)?;
        if a.generation == generation && a.at.elapsed() < self.ttl {
            return Some(a.body.clone());
        }
        if let Some(old) = e.lru.pop(key) {
            e.bytes -= key.1.len() + old.body.len();
        }
        None
    }

    /// Keeps `body` as the answer to `request` in `lang`, computed from the data as of write
    /// generation `generation` (read before the query ran, so that an answer that raced a
    /// write is kept under the generation before it and never served after it).
    pub fn put(&self, lang: Lang, request: &Bytes, generation: u64, body: Bytes) {
        if !self.may_keep(request) || body.len() > MAX_ANSWER_BYTES {
            return;
        }
        let Ok(mut e) = self.entries.lock() else {
            return;
        };
        // Its own copy: the request's buffer may be larger than the request.
        let key = (lang, Bytes::copy_from_slice(request));
        let size = key.1.len() + body.len();
        if let Some(old) = e.lru.pop(&key) {
            e.bytes -= key.1.len() + old.body.len();
        }
        while e.bytes + size > MAX_TOTAL_BYTES || e.lru.len() >= ENTRIES {
            match e.lru.pop_lru() {
                Some((k, a)) => e.bytes -= k.1.len() + a.body.len(),
                None => break,
            }
        }
        e.bytes += size;
        e.lru.put(
            key,
            Answer {
                generation,
                at: Instant::now(),
                body,
            },
        );
    }

    /// Answers kept now and their total size in bytes (requests and answers).
    pub fn usage(&self) -> (usize, usize) {
        self.entries
            .lock()
            .map(|e| (e.lru.len(), e.bytes))
            .unwrap_or((0, 0))
    }
}

/// Whether the operation `request` runs is a query (as opposed to a mutation or a
/// subscription). `None` when the document does not parse or names no operation it holds;
/// the schema then reports the error.
pub fn is_query(request: &mut async_graphql::Request) -> Option<bool> {
    use async_graphql::parser::types::{DocumentOperations, OperationType};
    let name = request.operation_name.clone();
    let doc = request.parsed_query().ok()?;
    let op = match (&doc.operations, name) {
        (DocumentOperations::Single(op), _) => op,
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name.as_str())?,
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next()?,
        _ => return None,
    };
    Some(op.node.ty == OperationType::Query)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(s: &str) -> Bytes {
        Bytes::from(s.to_owned())
    }

    #[test]
    fn an_answer_is_reused_until_the_generation_moves() {
        let c = ResponseCache::new(Duration::from_secs(60));
        let q = req(r#"{"query":"{ proposals { edges { node { id } } } }"}"#);
        assert!(c.get(Lang::Id, &q, 7).is_none());
        c.put(Lang::Id, &q, 7, req("answer"));
        assert_eq!(c.get(Lang::Id, &q, 7).as_deref(), Some(&b"answer"[..]));
        // Another language is another answer.
        assert!(c.get(Lang::En, &q, 7).is_none());
        // A write since: not served, and dropped.
        assert!(c.get(Lang::Id, &q, 8).is_none());
        assert_eq!(c.usage().0, 0);
    }

    fn lead(l: Lookup) -> Flight {
        match l {
            Lookup::Lead(f) => f,
            _ => panic!("expected to compute the answer"),
        }
    }

    #[tokio::test]
    async fn readers_at_the_same_generation_wait_for_the_first_ones_answer() {
        let c = Arc::new(ResponseCache::new(Duration::from_secs(60)));
        let q = req(r#"{"query":"{ proposals { edges { node { id } } } }"}"#);
        let first = lead(c.lookup(Lang::Id, &q, 3).await);
        // Another reader at the same generation waits; one at a later generation computes.
        let waiter = {
            let (c, q) = (c.clone(), q.clone());
            tokio::spawn(async move { c.lookup(Lang::Id, &q, 3).await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        let later = lead(c.lookup(Lang::Id, &q, 4).await);
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiter.is_finished());
        first.land(req("answer at 3"));
        match waiter.await.unwrap() {
            Lookup::Answer(a) => assert_eq!(&a[..], b"answer at 3"),
            _ => panic!("the waiter gets the first reader's answer"),
        }
        // The later flight is still the one readers at generation 4 wait for.
        let waiter = {
            let (c, q) = (c.clone(), q.clone());
            tokio::spawn(async move { c.lookup(Lang::Id, &q, 4).await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        later.land(req("answer at 4"));
        assert!(matches!(waiter.await.unwrap(), Lookup::Answer(a) if &a[..] == b"answer at 4"));
        // Kept now.
        assert!(matches!(c.lookup(Lang::Id, &q, 4).await, Lookup::Answer(_)));
    }

    #[tokio::test]
    async fn a_reader_that_gives_up_leaves_the_waiters_to_compute() {
        let c = Arc::new(ResponseCache::new(Duration::from_secs(60)));
        let q = req(r#"{"query":"{ cycles { id } }"}"#);
        let first = lead(c.lookup(Lang::En, &q, 1).await);
        let waiter = {
            let (c, q) = (c.clone(), q.clone());
            tokio::spawn(async move { c.lookup(Lang::En, &q, 1).await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        drop(first); // an error answer, or its client hung up
        assert!(matches!(waiter.await.unwrap(), Lookup::Alone));
        // The next reader leads a new computation.
        assert!(matches!(c.lookup(Lang::En, &q, 1).await, Lookup::Lead(_)));
        // Nothing is shared when answers are not kept.
        let off = Arc::new(ResponseCache::new(Duration::ZERO));
        assert!(matches!(off.lookup(Lang::En, &q, 1).await, Lookup::Alone));
    }

    #[test]
    fn an_answer_expires() {
        let c = ResponseCache::new(Duration::from_millis(30));
        let q = req(r#"{"query":"{ cycles { id } }"}"#);
        c.put(Lang::Id, &q, 1, req("answer"));
        assert!(c.get(Lang::Id, &q, 1).is_some());
        std::thread::sleep(Duration::from_millis(40));
        assert!(c.get(Lang::Id, &q, 1).is_none());
    }

    #[test]
    fn a_zero_ttl_keeps_nothing() {
        let c = ResponseCache::new(Duration::ZERO);
        let q = req(r#"{"query":"{ cycles { id } }"}"#);
        c.put(Lang::Id, &q, 1, req("answer"));
        assert!(c.get(Lang::Id, &q, 1).is_none());
        assert_eq!(c.usage(), (0, 0));
    }

    #[test]
    fn the_cache_is_bounded() {
        let c = ResponseCache::new(Duration::from_secs(60));
        for i in 0..ENTRIES + 10 {
            c.put(
                Lang::Id,
                &req(&format!("{{\"query\":\"{{ a{i} }}\"}}")),
                1,
                req("x"),
            );
        }
        assert_eq!(c.usage().0, ENTRIES);
        let big = Bytes::from(vec![b'x'; MAX_ANSWER_BYTES]);
        for i in 0..100 {
            c.put(Lang::Id, &req(&format!("{{\"q\":{i}}}")), 1, big.clone());
            assert!(c.usage().1 <= MAX_TOTAL_BYTES);
        }
        // Too large to keep: a request or an answer.
        let long = Bytes::from(vec![b' '; MAX_REQUEST_BYTES + 1]);
        c.put(Lang::Id, &long, 1, req("x"));
        assert!(c.get(Lang::Id, &long, 1).is_none());
        let q = req("{}");
        c.put(
            Lang::Id,
            &q,
            1,
            Bytes::from(vec![b'x'; MAX_ANSWER_BYTES + 1]),
        );
        assert!(c.get(Lang::Id, &q, 1).is_none());
    }

    #[test]
    fn the_operation_kind_is_read_from_the_document() {
        let mut q = async_graphql::Request::new("{ cycles { id } }");
        assert_eq!(is_query(&mut q), Some(true));
        let mut m = async_graphql::Request::new("mutation { logout }");
        assert_eq!(is_query(&mut m), Some(false));
        let two = "query A { cycles { id } } mutation B { logout }";
        let mut b = async_graphql::Request::new(two).operation_name("B");
        assert_eq!(is_query(&mut b), Some(false));
        let mut a = async_graphql::Request::new(two).operation_name("A");
        assert_eq!(is_query(&mut a), Some(true));
        let mut none = async_graphql::Request::new(two);
        assert_eq!(is_query(&mut none), None);
        let mut bad = async_graphql::Request::new("{ cycles {");
        assert_eq!(is_query(&mut bad), None);
    }
}
