//! A planning cycle (e.g. RKPD 2027) and its phase windows.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Residents and kelurahan submit proposals.
    Submission,
    /// Residents vote.
    Voting,
    /// Musrenbang kelurahan/desa: verification and the kelurahan priority list.
    KelurahanDeliberation,
    /// Musrenbang kecamatan.
    KecamatanDeliberation,
    /// Forum at kota/kabupaten level (forum OPD / musrenbang kota).
    KotaForum,
}

impl Phase {
    pub const ALL: [Phase; 5] = [
        Phase::Submission,
        Phase::Voting,
        Phase::KelurahanDeliberation,
        Phase::KecamatanDeliberation,
        Phase::KotaForum,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Submission => "submission",
            Phase::Voting => "voting",
            Phase::KelurahanDeliberation => "kelurahan_deliberation",
            Phase::KecamatanDeliberation => "kecamatan_deliberation",
            Phase::KotaForum => "kota_forum",
        }
    }

    pub fn label_id(self) -> &'static str {
        match self {
            Phase::Submission => "pengajuan usulan",
            Phase::Voting => "pemungutan suara",
            Phase::KelurahanDeliberation => "musrenbang kelurahan",
            Phase::KecamatanDeliberation => "musrenbang kecamatan",
            Phase::KotaForum => "forum kota",
        }
    }
}

/// Half-open windows `[opens, closes)`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CycleSchedule {
    pub windows: BTreeMap<Phase, (DateTime<Utc>, DateTime<Utc>)>,
}

impl CycleSchedule {
    pub fn is_open(&self, phase: Phase, now: DateTime<Utc>) -> bool {
        self.windows
            .get(&phase)
            .is_some_and(|(o, c)| *o <= now && now < *c)
    }

    pub fn open_phases(&self, now: DateTime<Utc>) -> Vec<Phase> {
        Phase::ALL
            .into_iter()
            .filter(|p| self.is_open(*p, now))
            .collect()
    }

    /// Every window must close after it opens.
    pub fn validate(&self) -> Result<(), Phase> {
        for (p, (o, c)) in &self.windows {
            if c <= o {
                return Err(*p);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn windows_are_half_open() {
        let o = Utc.with_ymd_and_hms(2026, 1, 5, 0, 0, 0).unwrap();
        let c = Utc.with_ymd_and_hms(2026, 1, 20, 0, 0, 0).unwrap();
        let mut s = CycleSchedule::default();
        s.windows.insert(Phase::Voting, (o, c));
        assert!(s.is_open(Phase::Voting, o));
        assert!(!s.is_open(Phase::Voting, c));
        assert!(!s.is_open(Phase::Submission, o));
        assert_eq!(s.open_phases(o), vec![Phase::Voting]);
        s.windows.insert(Phase::Submission, (c, o));
        assert_eq!(s.validate(), Err(Phase::Submission));
    }
}
