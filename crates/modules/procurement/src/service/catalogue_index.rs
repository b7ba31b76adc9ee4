//! The catalogue as each node searches it: a snapshot of the buyable items (listed or under
//! price review, of verified vendors) with an index of their words, built from the database and
//! searched in memory. A buyer's search costs no query; the full-text tables (FTS5, `tsvector`)
//! stay for the database's own users.
//!
//! Freshness: every write that changes what the catalogue holds (an item listed, repriced,
//! delisted or expired; a vendor verified, suspended or blacklisted) marks this node's snapshot
//! stale ([`Snapshot::changed`]) and the next search builds a new one, so a node reads its own
//! writes. On PostgreSQL the write also NOTIFYs every node in its transaction ([`notify`],
//! heard by [`crate::listener`]); should a notification be lost, a snapshot older than
//! [`PEER_STALE`] is read again in the background while it still answers.
//!
//! What matches is what the SQL search matched: every word of the query as a prefix of a word of
//! the name or specification (letters and digits, case folded), the category exactly, a region
//! the item serves (or one above it), the price bounds inclusive.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mufakat_core::AppResult;
use mufakat_kernel::AppState;
use mufakat_store::DbResultExt;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::catalogue::SearchSort;
use crate::entity::catalogue_item as item;

/// How long a snapshot answers before it is read again in the background whatever was heard
/// (PostgreSQL only: on SQLite this node is the only writer).
pub const PEER_STALE: Duration = Duration::from_secs(60);

/// One buyable item, as searches filter and sort it.
#[derive(Debug, Clone)]
struct Entry {
    id: i32,
    vendor_id: i32,
    price_sen: i64,
    category: u32,
    regions: Vec<i32>,
}

/// The buyable items and the words they contain.
#[derive(Debug, Default)]
pub struct Index {
    entries: Vec<Entry>,
    /// The rows, in the order of `entries`: what a page shows.
    items: Vec<item::Model>,
    /// Every word, sorted, with the entries (positions, ascending) that contain it.
    words: Vec<(String, Vec<u32>)>,
    categories: HashMap<String, u32>,
}

/// The words of a text as the index keeps them: runs of letters and digits, lower case.
pub fn words_of(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
}

/// What a search asks, with its words already split and the region's path resolved.
#[derive(Debug, Default)]
pub struct Query<'a> {
    pub words: &'a [String],
    pub category: Option<&'a str>,
    pub vendor_id: Option<i32>,
    /// The region and those above it: an item serving any of them matches.
    pub regions: Option<&'a [i32]>,
    pub min_price_sen: Option<i64>,
    pub max_price_sen: Option<i64>,
    pub sort: SearchSort,
}

impl Index {
    pub fn build(rows: Vec<item::Model>) -> Index {
        let mut categories: HashMap<String, u32> = HashMap::new();
        let mut words: HashMap<String, Vec<u32>> = HashMap::new();
        let mut entries = Vec::with_capacity(rows.len());
        let mut items = Vec::with_capacity(rows.len());
        for (pos, r) in rows.into_iter().enumerate() {
            let pos = pos as u32;
            let n = categories.len() as u32;
            let category = *categories.entry(r.category.clone()).or_insert(n);
            for w in words_of(&r.name).chain(words_of(&r.specification)) {
                let list = words.entry(w).or_default();
                if list.last() != Some(&pos) {
                    list.push(pos);
                }
            }
            entries.push(Entry {
                id: r.id,
                vendor_id: r.vendor_id,
                price_sen: r.price_sen,
                category,
                regions: r
                    .regions
                    .split(',')
                    .filter_map(|s| s.trim().parse().ok())
                    .collect(),
            });
            items.push(r);
        }
        let mut words: Vec<(String, Vec<u32>)> = words.into_iter().collect();
        words.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Index {
            entries,
            items,
            words,
            categories,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries containing a word that starts with `prefix`, ascending.
    fn with_prefix(&self, prefix: &str) -> Vec<u32> {
        let start = self.words.partition_point(|(w, _)| w.as_str() < prefix);
        let mut out: Vec<u32> = vec![];
        let mut lists = 0;
        for (w, list) in &self.words[start..] {
            if !w.starts_with(prefix) {
                break;
            }
            out.extend_from_slice(list);
            lists += 1;
        }
        if lists > 1 {
            out.sort_unstable();
            out.dedup();
        }
        out
    }

    /// The page (`limit` from `offset`, in `q.sort`'s order) and the number of matches.
    pub fn search(&self, q: &Query<'_>, limit: usize, offset: usize) -> (Vec<&item::Model>, u64) {
        let category = match q.category {
            Some(c) => match self.categories.get(c) {
                Some(c) => Some(*c),
                None => return (vec![], 0),
            },
            None => None,
        };
        // The candidates by words: the intersection of each word's prefix matches.
        let mut by_words: Option<Vec<u32>> = None;
        for w in q.words {
            let m = self.with_prefix(w);
            by_words = Some(match by_words {
                None => m,
                Some(prev) => intersect(&prev, &m),
            });
            if by_words.as_ref().is_some_and(Vec::is_empty) {
                return (vec![], 0);
            }
        }
        let keep = |e: &Entry| {
            category.is_none_or(|c| e.category == c)
                && q.vendor_id.is_none_or(|v| e.vendor_id == v)
                && q.min_price_sen.is_none_or(|p| e.price_sen >= p)
                && q.max_price_sen.is_none_or(|p| e.price_sen <= p)
                && q.regions
                    .is_none_or(|path| e.regions.iter().any(|r| path.contains(r)))
        };
        let mut hits: Vec<(u32, &Entry)> = match &by_words {
            Some(list) => list
                .iter()
                .map(|p| (*p, &self.entries[*p as usize]))
                .filter(|(_, e)| keep(e))
                .collect(),
            None => (0u32..)
                .zip(self.entries.iter())
                .filter(|(_, e)| keep(e))
                .collect(),
        };
        let total = hits.len() as u64;
        let order = |(_, a): &(u32, &Entry), (_, b): &(u32, &Entry)| match q.sort {
            SearchSort::PriceAsc => (a.price_sen, a.id).cmp(&(b.price_sen, b.id)),
            SearchSort::PriceDesc => b.price_sen.cmp(&a.price_sen).then(a.id.cmp(&b.id)),
            SearchSort::Newest => b.id.cmp(&a.id),
        };
        let end = offset.saturating_add(limit).min(hits.len());
        if offset >= end {
            return (vec![], total);
        }
        // Only the entries up to the page's end need sorting.
        if end < hits.len() {
            hits.select_nth_unstable_by(end - 1, order);
            hits.truncate(end);
        }
        hits.sort_unstable_by(order);
        (
            hits[offset..end]
                .iter()
                .map(|(p, _)| &self.items[*p as usize])
                .collect(),
            total,
        )
    }
}

fn intersect(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (mut i, mut j, mut out) = (0, 0, vec![]);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// The channel on which PostgreSQL tells every node that the catalogue changed.
pub const CHANNEL: &str = "mufakat_catalogue";

/// Inside a write's transaction: on PostgreSQL, every node hears at commit that the catalogue
/// changed (this node marks its own snapshot with [`Snapshot::changed`] after the commit).
pub async fn notify(db: &impl ConnectionTrait) -> AppResult<()> {
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        db.execute_unprepared(&format!("SELECT pg_notify('{CHANNEL}', '')"))
            .await
            .db()?;
    }
    Ok(())
}

/// A built index, the generation of changes it includes, and when it was read.
pub struct Built {
    pub index: Index,
    generation: u64,
    at: Instant,
}

/// The node's current snapshot of the catalogue.
#[derive(Default)]
pub struct Snapshot {
    /// Bumped by every change of this node ([`Snapshot::changed`]).
    generation: AtomicU64,
    current: std::sync::RwLock<Option<Arc<Built>>>,
    /// One build at a time; searches that need a fresh one wait for it.
    building: tokio::sync::Mutex<()>,
    refreshing: AtomicBool,
}

impl Snapshot {
    /// Something the catalogue holds changed on this node: the next search reads it anew.
    pub fn changed(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    fn fresh(&self, peers: bool) -> Option<(Arc<Built>, bool)> {
        let b = self.current.read().ok()?.clone()?;
        if b.generation != self.generation.load(Ordering::SeqCst) {
            return None;
        }
        let peer_stale = peers && b.at.elapsed() >= PEER_STALE;
        Some((b, peer_stale))
    }

    /// The snapshot to search: this node's changes always included; other nodes' within
    /// [`PEER_STALE`] (a stale one answers while a background task reads the next).
    pub async fn get(self: &Arc<Self>, state: &AppState) -> AppResult<Arc<Built>> {
        let peers = mufakat_store::db::is_postgres(&state.db);
        if let Some((b, peer_stale)) = self.fresh(peers) {
            if peer_stale && !self.refreshing.swap(true, Ordering::SeqCst) {
                let (me, state) = (self.clone(), state.clone());
                tokio::spawn(async move {
                    if let Err(e) = me.rebuild(&state).await {
                        tracing::warn!(error = %e, "catalogue snapshot refresh failed");
                    }
                    me.refreshing.store(false, Ordering::SeqCst);
                });
            }
            return Ok(b);
        }
        let _one = self.building.lock().await;
        // Another search may have built it while this one waited.
        if let Some((b, _)) = self.fresh(peers) {
            return Ok(b);
        }
        self.build_now(state).await
    }

    async fn rebuild(&self, state: &AppState) -> AppResult<Arc<Built>> {
        let _one = self.building.lock().await;
        self.build_now(state).await
    }

    /// Reads the buyable items and indexes them (holding `building`).
    async fn build_now(&self, state: &AppState) -> AppResult<Arc<Built>> {
        // The generation before reading: a change during the read makes the result stale.
        let generation = self.generation.load(Ordering::SeqCst);
        let at = Instant::now();
        let rows = item::Entity::find()
            .filter(item::Column::Status.is_in(super::catalogue::BUYABLE))
            .filter(Expr::cust(
                "catalogue_items.vendor_id IN (SELECT id FROM vendors WHERE status = 'verified')",
            ))
            .order_by_asc(item::Column::Id)
            .all(&state.db)
            .await
            .db()?;
        let built = Arc::new(Built {
            index: Index::build(rows),
            generation,
            at,
        });
        tracing::debug!(
            items = built.index.len(),
            ms = at.elapsed().as_millis() as u64,
            "catalogue snapshot built"
        );
        if let Ok(mut c) = self.current.write() {
            *c = Some(built.clone());
        }
        Ok(built)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i32, name: &str, category: &str, regions: &str, price: i64) -> item::Model {
        let now = chrono::Utc::now();
        item::Model {
            id,
            instance_id: None,
            vendor_id: id % 2,
            name: name.into(),
            specification: "tahan cuaca".into(),
            unit: "unit".into(),
            category: category.into(),
            regions: regions.into(),
            delivery_days: 3,
            min_order: "1".into(),
            stock: None,
            price_sen: price,
            valid_until: now.date_naive(),
            status: "listed".into(),
            created_at: now,
            updated_at: now,
        }
    }

    fn ids(r: (Vec<&item::Model>, u64)) -> (Vec<i32>, u64) {
        (r.0.iter().map(|m| m.id).collect(), r.1)
    }

    #[test]
    fn words_match_as_prefixes_and_filters_and_pages_hold() {
        let ix = Index::build(vec![
            row(1, "Semen Portland 50 kg", "23", ",7,", 70_000_00),
            row(2, "Semen putih", "23", ",8,", 90_000_00),
            row(3, "Cat tembok interior", "20", ",7,8,", 150_000_00),
            row(4, "Paving block segi enam", "23", ",7,", 5_000_00),
        ]);
        let w = |s: &str| words_of(s).collect::<Vec<_>>();
        fn q(words: &[String]) -> Query<'_> {
            Query {
                words,
                ..Default::default()
            }
        }
        let sem = w("sem");
        assert_eq!(ids(ix.search(&q(&sem), 10, 0)), (vec![1, 2], 2));
        let two = w("sem PORT");
        assert_eq!(ids(ix.search(&q(&two), 10, 0)), (vec![1], 1));
        let spec = w("cuaca");
        assert_eq!(ix.search(&q(&spec), 2, 1).1, 4, "the specification counts");
        assert_eq!(
            ids(ix.search(&q(&spec), 2, 1)).0,
            vec![1, 2],
            "priced ascending, then paged"
        );
        let none = w("besi");
        assert_eq!(ids(ix.search(&q(&none), 10, 0)), (vec![], 0));
        let path = [7, 1];
        let filtered = Query {
            category: Some("23"),
            regions: Some(&path),
            max_price_sen: Some(70_000_00),
            sort: SearchSort::PriceDesc,
            ..Default::default()
        };
        assert_eq!(ids(ix.search(&filtered, 10, 0)), (vec![1, 4], 2));
        let newest = Query {
            sort: SearchSort::Newest,
            ..Default::default()
        };
        assert_eq!(ids(ix.search(&newest, 2, 0)), (vec![4, 3], 4));
        let unknown = Query {
            category: Some("99"),
            ..Default::default()
        };
        assert_eq!(ids(ix.search(&unknown, 10, 0)), (vec![], 0));
    }
}
