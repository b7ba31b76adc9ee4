//! Parsed GraphQL documents, kept by query text.
//!
//! Clients send the same few queries over and over (an app's queries are fixed text with
//! variables), and parsing one is a good part of a small request's work: 9 % of the server's
//! CPU while starting cases under load (docs/benchmarks.md). A hit skips only the parser:
//! the depth, directive and validation checks (complexity, variables, the schema) still run on
//! every request. A query that does not parse is never kept, so its error is reported as
//! before. The cache is bounded in entries, in the size of a query it keeps and in the total
//! size of the queries it keeps (a parsed document takes several times its text), so that
//! clients sending many distinct large queries cannot grow the server's memory.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use async_graphql::parser::types::ExecutableDocument;

/// Distinct queries kept (least recently used goes first).
const ENTRIES: usize = 512;
/// Longer query texts are parsed each time rather than kept.
const MAX_QUERY_BYTES: usize = 16 * 1024;
/// Total query text kept (least recently used goes first when a new one would pass it).
const MAX_TOTAL_BYTES: usize = 512 * 1024;

pub struct ParseCache {
    docs: Mutex<Docs>,
}

struct Docs {
    lru: lru::LruCache<String, Arc<ExecutableDocument>>,
    /// Sum of the kept queries' lengths.
    bytes: usize,
}

impl Default for ParseCache {
    fn default() -> Self {
        ParseCache {
            docs: Mutex::new(Docs {
                lru: lru::LruCache::new(NonZeroUsize::new(ENTRIES).unwrap_or(NonZeroUsize::MIN)),
                bytes: 0,
            }),
        }
    }
}

impl Docs {
    fn put(&mut self, query: String, doc: Arc<ExecutableDocument>) {
        while self.bytes + query.len() > MAX_TOTAL_BYTES || self.lru.len() >= ENTRIES {
            match self.lru.pop_lru() {
                Some((q, _)) => self.bytes -= q.len(),
                None => break,
            }
        }
        self.bytes += query.len();
        if let Some((old, _)) = self.lru.push(query, doc) {
            self.bytes -= old.len();
        }
    }
}

impl ParseCache {
    /// Gives `request` its parsed document: from the cache, or parsed now and kept. A query
    /// that does not parse is left to the schema, which reports the error.
    pub fn prepare(&self, request: &mut async_graphql::Request) {
        if request.query.len() > MAX_QUERY_BYTES {
            return;
        }
        let cached = self
            .docs
            .lock()
            .ok()
            .and_then(|mut d| d.lru.get(&request.query).cloned());
        if let Some(doc) = cached {
            request.set_parsed_query((*doc).clone());
            return;
        }
        if let Ok(doc) = request.parsed_query() {
            let doc = Arc::new(doc.clone());
            if let Ok(mut d) = self.docs.lock() {
                d.put(request.query.clone(), doc);
            }
        }
    }

    /// Queries kept now.
    pub fn len(&self) -> usize {
        self.docs.lock().map(|d| d.lru.len()).unwrap_or(0)
    }

    /// Total length of the queries kept now.
    pub fn bytes(&self) -> usize {
        self.docs.lock().map(|d| d.bytes).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(q: &str) -> async_graphql::Request {
        async_graphql::Request::new(q)
    }

    #[test]
    fn a_query_is_parsed_once_and_reused() {
        let cache = ParseCache::default();
        let q = "query($id: ID!) { proposal(id: $id) { id title } }";
        let mut first = request(q);
        cache.prepare(&mut first);
        assert_eq!(cache.len(), 1);
        let mut second = request(q);
        cache.prepare(&mut second);
        assert_eq!(cache.len(), 1);
        let (a, b) = (
            first.parsed_query().unwrap(),
            second.parsed_query().unwrap(),
        );
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
    }

    #[test]
    fn queries_that_do_not_parse_or_are_long_are_not_kept() {
        let cache = ParseCache::default();
        cache.prepare(&mut request("{ proposals { "));
        assert!(cache.is_empty());
        let long = format!("{{ {} }}", "regions { name } ".repeat(MAX_QUERY_BYTES / 10));
        cache.prepare(&mut request(&long));
        assert!(cache.is_empty());
    }

    #[test]
    fn the_cache_is_bounded_in_entries() {
        let cache = ParseCache::default();
        for i in 0..ENTRIES + 50 {
            cache.prepare(&mut request(&format!("{{ a{i}: regions {{ name }} }}")));
        }
        assert_eq!(cache.len(), ENTRIES);
    }

    #[test]
    fn the_cache_is_bounded_in_bytes() {
        let cache = ParseCache::default();
        let big = |i: usize| {
            let fields: String = (0..600).map(|f| format!("f{f}: name ")).collect();
            format!("{{ a{i}: regions {{ {fields} }} }}")
        };
        assert!(big(0).len() > MAX_TOTAL_BYTES / 100 && big(0).len() <= MAX_QUERY_BYTES);
        for i in 0..200 {
            cache.prepare(&mut request(&big(i)));
            assert!(cache.bytes() <= MAX_TOTAL_BYTES, "{} bytes", cache.bytes());
        }
        assert!(cache.len() < 200);
        // The most recent is kept: asking again does not add an entry.
        let (n, b) = (cache.len(), cache.bytes());
        cache.prepare(&mut request(&big(199)));
        assert_eq!((cache.len(), cache.bytes()), (n, b));
    }
}
