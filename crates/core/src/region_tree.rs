//! An in-memory view of the region hierarchy, for fast ancestor checks in authorization.

use std::collections::HashMap;

use crate::RegionLevel;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionNode {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub level: RegionLevel,
    pub parent_id: Option<i32>,
}

#[derive(Debug, Clone, Default)]
pub struct RegionTree {
    nodes: HashMap<i32, RegionNode>,
    children: HashMap<i32, Vec<i32>>,
}

impl RegionTree {
    pub fn new(nodes: impl IntoIterator<Item = RegionNode>) -> Self {
        let mut t = RegionTree::default();
        for n in nodes {
            t.insert(n);
        }
        t
    }

    pub fn insert(&mut self, n: RegionNode) {
        if let Some(p) = n.parent_id {
            let c = self.children.entry(p).or_default();
            if !c.contains(&n.id) {
                c.push(n.id);
            }
        }
        self.nodes.insert(n.id, n);
    }

    pub fn get(&self, id: i32) -> Option<&RegionNode> {
        self.nodes.get(&id)
    }

    pub fn children(&self, id: i32) -> impl Iterator<Item = &RegionNode> {
        self.children
            .get(&id)
            .into_iter()
            .flatten()
            .filter_map(|c| self.nodes.get(c))
    }

    pub fn roots(&self) -> impl Iterator<Item = &RegionNode> {
        self.nodes.values().filter(|n| n.parent_id.is_none())
    }

    pub fn all(&self) -> impl Iterator<Item = &RegionNode> {
        self.nodes.values()
    }

    /// The region itself, then its parent, up to the root. Empty when unknown.
    pub fn ancestors_inclusive(&self, id: i32) -> Vec<i32> {
        let mut out = Vec::with_capacity(4);
        let mut cur = self.nodes.get(&id);
        while let Some(n) = cur {
            if out.contains(&n.id) {
                break; // defensive: never loop on corrupt data
            }
            out.push(n.id);
            cur = n.parent_id.and_then(|p| self.nodes.get(&p));
        }
        out
    }

    /// Whether `id` is `ancestor` or lies below it.
    pub fn is_within(&self, id: i32, ancestor: i32) -> bool {
        self.ancestors_inclusive(id).contains(&ancestor)
    }

    /// `id` and every region below it.
    pub fn descendants_inclusive(&self, id: i32) -> Vec<i32> {
        let mut out = vec![];
        let mut stack = vec![id];
        while let Some(i) = stack.pop() {
            if self.nodes.contains_key(&i) && !out.contains(&i) {
                out.push(i);
                stack.extend(self.children.get(&i).into_iter().flatten().copied());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: i32, level: RegionLevel, parent: Option<i32>) -> RegionNode {
        RegionNode {
            id,
            code: id.to_string(),
            name: format!("r{id}"),
            level,
            parent_id: parent,
        }
    }

    #[test]
    fn ancestors_and_descendants() {
        let t = RegionTree::new([
            node(1, RegionLevel::KabupatenKota, None),
            node(2, RegionLevel::Kecamatan, Some(1)),
            node(3, RegionLevel::KelurahanDesa, Some(2)),
            node(4, RegionLevel::KelurahanDesa, Some(2)),
            node(5, RegionLevel::Kecamatan, Some(1)),
        ]);
        assert_eq!(t.ancestors_inclusive(3), vec![3, 2, 1]);
        assert!(t.is_within(3, 1));
        assert!(!t.is_within(3, 5));
        assert!(!t.is_within(3, 4));
        let mut d = t.descendants_inclusive(2);
        d.sort();
        assert_eq!(d, vec![2, 3, 4]);
        assert!(t.ancestors_inclusive(99).is_empty());
    }
}
