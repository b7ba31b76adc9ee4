//! Who may vote for what, and the pseudonym that stands for a voter in the audit trail.

use hmac::{Hmac, Mac};
use mufakat_core::RegionTree;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoteScope {
    /// Residents vote for proposals of their own kelurahan/desa only.
    Kelurahan,
    /// Residents vote for proposals anywhere in their kecamatan.
    Kecamatan,
}

/// Approval ballots: each resident approves up to `max_per_voter` proposals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VotingPolicy {
    pub max_per_voter: u32,
    pub scope: VoteScope,
}

impl VotingPolicy {
    /// Whether a resident living in `home` may vote for a proposal located in `proposal_region`.
    pub fn may_vote_for(&self, tree: &RegionTree, home: i32, proposal_region: i32) -> bool {
        match self.scope {
            VoteScope::Kelurahan => home == proposal_region,
            VoteScope::Kecamatan => {
                let parent = |r: i32| tree.get(r).and_then(|n| n.parent_id);
                home == proposal_region
                    || (parent(home).is_some() && parent(home) == parent(proposal_region))
            }
        }
    }
}

/// HMAC-SHA256(key, "cycle:{cycle}|user:{user}"): stable within a cycle (so one person's
/// votes can be counted and withdrawn), unlinkable across cycles and to the person without the
/// key. Only this appears in the audit trail.
pub fn voter_pseudonym(key: &[u8], cycle_id: i32, user_id: i32) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(format!("cycle:{cycle_id}|user:{user_id}").as_bytes());
    format!("voter-{}", &hex::encode(mac.finalize().into_bytes())[..32])
}

#[cfg(test)]
mod tests {
    use super::*;
    use mufakat_core::{RegionLevel, RegionNode};

    fn tree() -> RegionTree {
        let n = |id, level, parent| RegionNode {
            id,
            code: id.to_string(),
            name: String::new(),
            level,
            parent_id: parent,
        };
        RegionTree::new([
            n(1, RegionLevel::KabupatenKota, None),
            n(2, RegionLevel::Kecamatan, Some(1)),
            n(3, RegionLevel::KelurahanDesa, Some(2)),
            n(4, RegionLevel::KelurahanDesa, Some(2)),
            n(5, RegionLevel::Kecamatan, Some(1)),
            n(6, RegionLevel::KelurahanDesa, Some(5)),
        ])
    }

    #[test]
    fn scope_limits_where_one_votes() {
        let t = tree();
        let kel = VotingPolicy {
            max_per_voter: 3,
            scope: VoteScope::Kelurahan,
        };
        assert!(kel.may_vote_for(&t, 3, 3));
        assert!(!kel.may_vote_for(&t, 3, 4));
        let kec = VotingPolicy {
            max_per_voter: 3,
            scope: VoteScope::Kecamatan,
        };
        assert!(kec.may_vote_for(&t, 3, 4));
        assert!(!kec.may_vote_for(&t, 3, 6));
    }

    #[test]
    fn pseudonyms_are_stable_per_cycle_and_unlinkable_across() {
        let a = voter_pseudonym(b"k", 1, 42);
        assert_eq!(a, voter_pseudonym(b"k", 1, 42));
        assert_ne!(a, voter_pseudonym(b"k", 2, 42));
        assert_ne!(a, voter_pseudonym(b"other", 1, 42));
        assert!(!a.contains("42"));
    }
}
