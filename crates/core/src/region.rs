//! The Indonesian administrative hierarchy.

use std::fmt;
use std::str::FromStr;

/// Levels from the top: provinsi (province, optional in a deployment), kabupaten/kota
/// (regency/city), kecamatan (district), kelurahan/desa (urban/rural village).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RegionLevel {
    Provinsi,
    KabupatenKota,
    Kecamatan,
    KelurahanDesa,
}

impl RegionLevel {
    pub const ALL: [RegionLevel; 4] = [
        RegionLevel::Provinsi,
        RegionLevel::KabupatenKota,
        RegionLevel::Kecamatan,
        RegionLevel::KelurahanDesa,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RegionLevel::Provinsi => "provinsi",
            RegionLevel::KabupatenKota => "kabupaten_kota",
            RegionLevel::Kecamatan => "kecamatan",
            RegionLevel::KelurahanDesa => "kelurahan_desa",
        }
    }

    /// The level a child of this level must have, if any.
    pub fn child(self) -> Option<RegionLevel> {
        match self {
            RegionLevel::Provinsi => Some(RegionLevel::KabupatenKota),
            RegionLevel::KabupatenKota => Some(RegionLevel::Kecamatan),
            RegionLevel::Kecamatan => Some(RegionLevel::KelurahanDesa),
            RegionLevel::KelurahanDesa => None,
        }
    }

    /// Whether a region of this level may sit at the top of the tree (no parent).
    pub fn may_be_root(self) -> bool {
        matches!(self, RegionLevel::Provinsi | RegionLevel::KabupatenKota)
    }
}

impl fmt::Display for RegionLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RegionLevel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RegionLevel::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| format!("unknown region level `{s}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_nest() {
        assert_eq!(
            RegionLevel::KabupatenKota.child(),
            Some(RegionLevel::Kecamatan)
        );
        assert_eq!(RegionLevel::KelurahanDesa.child(), None);
        for l in RegionLevel::ALL {
            assert_eq!(l.as_str().parse::<RegionLevel>().unwrap(), l);
        }
    }
}
