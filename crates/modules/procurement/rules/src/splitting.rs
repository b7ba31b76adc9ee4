//! Pemecahan paket: splitting one purchase into several packages so that each stays under the
//! direct-procurement ceiling and the tender (or selection) is avoided. Forbidden by Perpres
//! 16/2018 Pasal 20 ayat (2) huruf c. This module flags likely cases for a human to review; a
//! flag is a warning, not a verdict.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use mufakat_core::Lang;
use rust_decimal::Decimal;

use crate::thresholds::{format_rupiah, PackageKind, Thresholds};

/// What the check needs to know of a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageFacts {
    pub id: i32,
    /// The funded activity (e.g. the budget line's sub-activity code): packages of one line are
    /// one need.
    pub line: String,
    pub kind: PackageKind,
    /// Harga perkiraan sendiri: the owner's estimate of the package's value.
    pub hps: Decimal,
    pub created: NaiveDate,
}

/// Packages that together look like one purchase split below the ceiling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitFlag {
    pub line: String,
    pub kind: PackageKind,
    /// In creation order (then by id).
    pub package_ids: Vec<i32>,
    pub total: Decimal,
    pub ceiling: Decimal,
    pub message_id: String,
    pub message_en: String,
}

impl SplitFlag {
    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::Id => &self.message_id,
            Lang::En => &self.message_en,
        }
    }
}

/// Flags clusters of packages of one line and one kind, each with 0 < HPS ≤ the direct
/// ceiling, created within `window_days` of the cluster's first package, at least two of them,
/// whose HPS sum exceeds the ceiling.
///
/// Clusters: per line and kind, packages sorted by creation date (then id); a cluster starts
/// at a package and takes every following package created at most `window_days` after that
/// first one; the next package starts a new cluster. Packages above the ceiling (they need a
/// tender anyway) and with HPS ≤ 0 are left out before clustering.
///
/// Flags come sorted by line, kind, then date.
pub fn split_flags(packages: &[PackageFacts], t: &Thresholds) -> Vec<SplitFlag> {
    let mut groups: BTreeMap<(&str, PackageKind), Vec<&PackageFacts>> = BTreeMap::new();
    for p in packages {
        if p.hps > Decimal::ZERO && p.hps <= t.direct_ceiling(p.kind) {
            groups.entry((p.line.as_str(), p.kind)).or_default().push(p);
        }
    }
    let window = i64::from(t.window_days());
    let mut flags = vec![];
    for ((line, kind), mut group) in groups {
        group.sort_by_key(|p| (p.created, p.id));
        let ceiling = t.direct_ceiling(kind);
        let mut start = 0;
        while start < group.len() {
            let first = group[start].created;
            let end = group[start..]
                .iter()
                .position(|p| (p.created - first).num_days() > window)
                .map_or(group.len(), |i| start + i);
            let cluster = &group[start..end];
            // Sums beyond the Decimal range certainly exceed any ceiling.
            let total = cluster
                .iter()
                .try_fold(Decimal::ZERO, |acc, p| acc.checked_add(p.hps))
                .unwrap_or(Decimal::MAX);
            if cluster.len() >= 2 && total > ceiling {
                flags.push(flag(line, kind, cluster, total, ceiling, window));
            }
            start = end;
        }
    }
    flags
}

fn flag(
    line: &str,
    kind: PackageKind,
    cluster: &[&PackageFacts],
    total: Decimal,
    ceiling: Decimal,
    window: i64,
) -> SplitFlag {
    let package_ids: Vec<i32> = cluster.iter().map(|p| p.id).collect();
    let list = package_ids
        .iter()
        .map(|id| format!("#{id}"))
        .collect::<Vec<_>>()
        .join(", ");
    let n = cluster.len();
    let (sum, c) = (format_rupiah(total), format_rupiah(ceiling));
    let (kid, ken) = (kind.title(Lang::Id), kind.title(Lang::En));
    SplitFlag {
        line: line.to_owned(),
        kind,
        message_id: format!(
            "Kemungkinan pemecahan paket: {n} paket {kid} untuk kegiatan {line} ({list}) dibuat dalam {window} hari dan berjumlah {sum}, melebihi batas pengadaan langsung {c}. Periksa apakah seharusnya satu paket tender/seleksi."
        ),
        message_en: format!(
            "Possible package splitting: {n} {ken} packages for activity {line} ({list}) were created within {window} days and total {sum}, above the direct-procurement ceiling of {c}. Check whether they should be one tender/selection package."
        ),
        package_ids,
        total,
        ceiling,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn pkg(id: i32, line: &str, kind: PackageKind, hps: &str, day: u32) -> PackageFacts {
        PackageFacts {
            id,
            line: line.to_owned(),
            kind,
            hps: Decimal::from_str(hps).unwrap(),
            // Day-of-year in 2026.
            created: NaiveDate::from_yo_opt(2026, day).unwrap(),
        }
    }

    use PackageKind::{Construction, Goods, OtherServices};

    #[test]
    fn three_parts_over_the_ceiling_are_flagged() {
        let t = Thresholds::default();
        let ps = [
            pkg(7, "1.02.01", Goods, "90000000", 10),
            pkg(3, "1.02.01", Goods, "80000000", 40),
            pkg(9, "1.02.01", Goods, "70000000", 100),
        ];
        let flags = split_flags(&ps, &t);
        assert_eq!(flags.len(), 1);
        let f = &flags[0];
        assert_eq!(f.package_ids, vec![7, 3, 9]);
        assert_eq!(f.total, Decimal::from(240_000_000));
        assert_eq!(f.ceiling, Decimal::from(200_000_000));
        assert_eq!((f.line.as_str(), f.kind), ("1.02.01", Goods));
        assert!(f.message_id.contains("Rp240.000.000"), "{}", f.message_id);
        assert!(f.message_id.contains("Rp200.000.000"));
        assert!(f.message_id.contains("#7, #3, #9"));
        assert!(f.message_en.contains("3 goods packages"));
        assert_eq!(f.message(Lang::En), f.message_en);
        assert_eq!(f.message(Lang::Id), f.message_id);
    }

    #[test]
    fn not_flagged_when_the_sum_is_within_the_ceiling() {
        let t = Thresholds::default();
        let ps = [
            pkg(1, "L", Goods, "100000000", 1),
            pkg(2, "L", Goods, "100000000", 2),
        ];
        assert!(split_flags(&ps, &t).is_empty());
        let ps = [
            pkg(1, "L", Goods, "100000000", 1),
            pkg(2, "L", Goods, "100000000.01", 2),
        ];
        assert_eq!(split_flags(&ps, &t).len(), 1);
    }

    #[test]
    fn a_single_package_is_never_flagged() {
        let t = Thresholds::default();
        assert!(split_flags(&[pkg(1, "L", Goods, "199999999", 1)], &t).is_empty());
        assert!(split_flags(&[], &t).is_empty());
    }

    #[test]
    fn packages_above_the_ceiling_are_left_out() {
        let t = Thresholds::default();
        let ps = [
            pkg(1, "L", Goods, "150000000", 1),
            pkg(2, "L", Goods, "250000000", 2),
        ];
        assert!(split_flags(&ps, &t).is_empty());
        // At the ceiling counts as under it (direct procurement is still possible).
        let ps = [
            pkg(1, "L", Goods, "200000000", 1),
            pkg(2, "L", Goods, "1", 2),
            pkg(3, "L", Goods, "0", 3),
        ];
        assert_eq!(split_flags(&ps, &t)[0].package_ids, vec![1, 2]);
    }

    #[test]
    fn kinds_and_lines_are_separate() {
        let t = Thresholds::default();
        let kinds = [
            pkg(1, "L", Goods, "150000000", 1),
            pkg(2, "L", OtherServices, "150000000", 2),
        ];
        assert!(split_flags(&kinds, &t).is_empty());
        let lines = [
            pkg(1, "L1", Goods, "150000000", 1),
            pkg(2, "L2", Goods, "150000000", 2),
        ];
        assert!(split_flags(&lines, &t).is_empty());
    }

    #[test]
    fn each_kind_has_its_own_ceiling() {
        let t = Thresholds::default();
        let ps = [
            pkg(1, "L", Construction, "200000000", 1),
            pkg(2, "L", Construction, "200000000", 2),
        ];
        assert!(split_flags(&ps, &t).is_empty());
        let ps = [
            pkg(1, "L", Construction, "200000000", 1),
            pkg(2, "L", Construction, "200000001", 2),
        ];
        assert_eq!(split_flags(&ps, &t)[0].ceiling, Decimal::from(400_000_000));
    }

    #[test]
    fn the_window_is_counted_from_the_clusters_first_package() {
        let t = Thresholds::default();
        // 90 days apart: inside; 91: outside.
        let inside = [
            pkg(1, "L", Goods, "150000000", 1),
            pkg(2, "L", Goods, "150000000", 91),
        ];
        assert_eq!(split_flags(&inside, &t).len(), 1);
        let outside = [
            pkg(1, "L", Goods, "150000000", 1),
            pkg(2, "L", Goods, "150000000", 92),
        ];
        assert!(split_flags(&outside, &t).is_empty());
        // Day 1, 80, 160: 160 is 80 days after 80 but 159 after 1, so it starts a new cluster;
        // the first cluster (1, 80) is flagged, the second (160 alone) is not.
        let chain = [
            pkg(1, "L", Goods, "150000000", 1),
            pkg(2, "L", Goods, "150000000", 80),
            pkg(3, "L", Goods, "150000000", 160),
        ];
        let flags = split_flags(&chain, &t);
        assert_eq!(flags.len(), 1);
        assert_eq!(flags[0].package_ids, vec![1, 2]);
        // With a fourth package the second cluster is flagged too.
        let mut more = chain.to_vec();
        more.push(pkg(4, "L", Goods, "60000000", 200));
        let flags = split_flags(&more, &t);
        assert_eq!(flags.len(), 2);
        assert_eq!(flags[1].package_ids, vec![3, 4]);
    }

    #[test]
    fn input_order_does_not_matter_and_output_is_sorted() {
        let t = Thresholds::default();
        let ps = [
            pkg(5, "B", Goods, "150000000", 5),
            pkg(4, "A", Goods, "150000000", 9),
            pkg(2, "B", Goods, "150000000", 5),
            pkg(1, "A", Goods, "150000000", 1),
        ];
        let flags = split_flags(&ps, &t);
        let got: Vec<_> = flags
            .iter()
            .map(|f| (f.line.as_str(), f.package_ids.clone()))
            .collect();
        assert_eq!(got, vec![("A", vec![1, 4]), ("B", vec![2, 5])]);
    }

    #[test]
    fn huge_sums_do_not_panic() {
        let t = Thresholds::from_toml(&crate::thresholds::SHIPPED_TOML.replace(
            "goods = \"200000000\"",
            "goods = \"79228162514264337593543950335\"",
        ))
        .unwrap();
        let max = Decimal::MAX.to_string();
        let ps = [pkg(1, "L", Goods, &max, 1), pkg(2, "L", Goods, &max, 2)];
        let flags = split_flags(&ps, &t);
        assert!(
            flags.is_empty(),
            "the sum saturates at the ceiling, which is not above it"
        );
    }
}
