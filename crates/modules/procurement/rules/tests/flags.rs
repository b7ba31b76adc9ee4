//! Red flags after Cardinal: for each indicator a set where it fires and one where it does
//! not (edges at the threshold), the quartile fences by hand, Cardinal's documented
//! demonstrations, settings from TOML.

use std::str::FromStr;

use mufakat_procurement::flags::{
    compute, compute_with_meta, CatalogueKey, CatalogueMedians, Evidence, Flag, Scope, Settings,
};
use rust_decimal::Decimal;
use serde_json::{json, Value};

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn none() -> CatalogueMedians {
    CatalogueMedians::new()
}

fn run(releases: &[Value]) -> Vec<Flag> {
    compute(releases, &Settings::default(), &none())
}

fn run_with(releases: &[Value], s: &Settings) -> Vec<Flag> {
    compute(releases, s, &none())
}

/// (subject, code) of the flags with `code`.
fn of<'a>(flags: &'a [Flag], code: &str) -> Vec<&'a Flag> {
    flags.iter().filter(|f| f.code == code).collect()
}

fn subjects(flags: &[Flag], code: &str) -> Vec<String> {
    of(flags, code).iter().map(|f| f.subject.clone()).collect()
}

fn bid(id: &str, tenderer: &str, status: &str, amount: i64) -> Value {
    json!({
        "id": id,
        "status": status,
        "date": "2025-03-10T03:00:00Z",
        "tenderers": [{ "id": tenderer, "name": tenderer }],
        "value": { "amount": amount, "currency": "IDR" },
    })
}

fn award(supplier: &str, status: &str, amount: i64) -> Value {
    json!({
        "id": format!("award-{supplier}"),
        "status": status,
        "date": "2025-03-20T03:00:00Z",
        "value": { "amount": amount, "currency": "IDR" },
        "suppliers": [{ "id": supplier, "name": supplier }],
    })
}

/// A compiled release of an open tender with these bids and awards.
fn release(ocid: &str, bids: Vec<Value>, awards: Vec<Value>) -> Value {
    json!({
        "ocid": ocid,
        "id": format!("{ocid}-0003"),
        "buyer": { "id": "dinas-pu", "name": "Dinas PU" },
        "tender": {
            "id": format!("{ocid}-tender"),
            "status": "complete",
            "procurementMethod": "open",
            "procurementMethodDetails": "Tender",
            "mainProcurementCategory": "works",
            "procuringEntity": { "id": "ukpbj", "name": "UKPBJ" },
            "tenderPeriod": { "startDate": "2025-02-01T01:00:00Z", "endDate": "2025-03-01T01:00:00Z" },
        },
        "bids": { "details": bids },
        "awards": awards,
    })
}

/// A process where `W` wins with `winner` and `L` bids `second`.
fn pair(ocid: &str, winner: i64, second: i64) -> Value {
    release(
        ocid,
        vec![
            bid(&format!("{ocid}-b1"), "W", "valid", winner),
            bid(&format!("{ocid}-b2"), "L", "valid", second),
        ],
        vec![award("W", "active", winner)],
    )
}

fn with_tender(mut r: Value, key: &str, v: Value) -> Value {
    r["tender"][key] = v;
    r
}

// ---------------------------------------------------------------- R003

fn period(ocid: &str, start: &str, end: &str) -> Value {
    with_tender(
        release(ocid, vec![], vec![]),
        "tenderPeriod",
        json!({ "startDate": start, "endDate": end }),
    )
}

#[test]
fn r003_short_submission_period() {
    let flags = run(&[
        // 14 days 23:59:59: 14 whole days < 15.
        period("a", "2025-01-01T00:00:00Z", "2025-01-15T23:59:59Z"),
        // Exactly 15 days: not shorter than the threshold.
        period("b", "2025-01-01T00:00:00Z", "2025-01-16T00:00:00Z"),
        // Offsets count: 2024-12-31T17:00Z to 2025-01-15T17:00Z is 15 days.
        period("c", "2025-01-01T00:00:00+07:00", "2025-01-15T17:00:00Z"),
        // Cardinal's demonstration (docs/examples/R/003.jsonl): one day.
        period(
            "F",
            "2020-08-03T18:00:00-05:00",
            "2020-08-04T18:00:00-05:00",
        ),
        // Not RFC 3339: not computed.
        period("e", "2025-01-01", "2025-01-02"),
    ]);
    assert_eq!(subjects(&flags, "R003"), ["F", "a"]);
    let a = of(&flags, "R003")[1];
    assert_eq!(a.value, Some(d("1")));
    assert_eq!(a.title_id, "Masa pemasukan penawaran terlalu singkat");
    assert!(a.evidence.contains(&Evidence::Measure {
        name: "submission_period_days",
        value: d("14"),
    }));
}

#[test]
fn r003_threshold_per_method_details_and_methods() {
    let mini = |ocid: &str, end: &str| {
        let r = period(ocid, "2025-01-01T00:00:00Z", end);
        with_tender(r, "procurementMethodDetails", json!("Mini-kompetisi"))
    };
    let mut s = Settings::default();
    s.r003
        .procurement_method_details
        .insert("Mini-kompetisi".into(), 3);
    let flags = run_with(
        &[
            mini("m2", "2025-01-03T23:00:00Z"), // 2 whole days < 3
            mini("m3", "2025-01-04T00:00:00Z"), // 3 days
            period("t10", "2025-01-01T00:00:00Z", "2025-01-11T00:00:00Z"), // 10 < 15
        ],
        &s,
    );
    assert_eq!(subjects(&flags, "R003"), ["m2", "t10"]);
    // Only selective procedures: the open one is not looked at.
    s.r003.procurement_methods = vec!["selective".into()];
    let flags = run_with(
        &[period(
            "t10",
            "2025-01-01T00:00:00Z",
            "2025-01-11T00:00:00Z",
        )],
        &s,
    );
    assert!(of(&flags, "R003").is_empty());
}

// ---------------------------------------------------------------- R018

#[test]
fn r018_single_bid_received() {
    let n = |ocid: &str, method: &str, count: u64| {
        let r = with_tender(
            release(ocid, vec![], vec![]),
            "numberOfTenderers",
            json!(count),
        );
        with_tender(r, "procurementMethod", json!(method))
    };
    // Without numberOfTenderers: the submitted bids' tenderers (the withdrawn one not counted).
    let counted = release(
        "counted",
        vec![
            bid("b1", "A", "valid", 100),
            bid("b2", "B", "withdrawn", 90),
        ],
        vec![],
    );
    let flags = run(&[
        n("one-open", "open", 1),
        n("one-selective", "selective", 1),
        n("two-open", "open", 2),
        n("one-limited", "limited", 1),
        n("zero-open", "open", 0),
        counted,
    ]);
    assert_eq!(
        subjects(&flags, "R018"),
        ["counted", "one-open", "one-selective"]
    );
    // Cardinal's demonstration (docs/examples/R/018.jsonl).
    let demo = json!({"ocid":"F","tender":{"numberOfTenderers":1,"procurementMethod":"open"}});
    assert_eq!(subjects(&run(&[demo]), "R018"), ["F"]);
}

// ---------------------------------------------------------------- R024, R058: quartiles

/// Nine processes whose differences (second-lowest − winning) ÷ winning are, sorted,
/// x1 … x9 = `low`, 0.10, 0.10, 0.12, 0.12, 0.12, 0.14, 0.14, `high`.
///
/// By hand (Hyndman & Fan type 8, n = 9): Q1 at h = (9 + 1/3)·0.25 + 1/3 = 8/3, i.e.
/// x2 + 2/3·(x3 − x2) = 0.10; Q3 at h = (9 + 1/3)·0.75 + 1/3 = 22/3, i.e.
/// x7 + 1/3·(x8 − x7) = 0.14. x1 and x9 do not move the quartiles. IQR = 0.04;
/// lower fence = 0.10 − 1.5·0.04 = 0.04; upper fence = 0.14 + 1.5·0.04 = 0.20.
fn nine(low: i64, high: i64) -> Vec<Value> {
    let w = 1_000_000_000;
    [
        low,
        1_100_000_000,
        1_100_000_000,
        1_120_000_000,
        1_120_000_000,
    ]
    .into_iter()
    .chain([1_120_000_000, 1_140_000_000, 1_140_000_000, high])
    .enumerate()
    .map(|(i, second)| pair(&format!("p{}", i + 1), w, second))
    .collect()
}

#[test]
fn r024_r058_fences_by_hand() {
    // At the fences: 0.04 (≤ lower) and 0.20 (≥ upper) are flagged.
    let report = compute_with_meta(
        &nine(1_040_000_000, 1_200_000_000),
        &Settings::default(),
        &none(),
    );
    let r024 = report.fences.iter().find(|f| f.code == "R024").unwrap();
    assert_eq!(
        (r024.q1, r024.q3, r024.value),
        (Some(d("0.1")), Some(d("0.14")), d("0.04"))
    );
    assert!(r024.applied && !r024.from_settings && r024.population == 9);
    let r058 = report.fences.iter().find(|f| f.code == "R058").unwrap();
    assert_eq!(r058.value, d("0.2"));
    assert_eq!((r058.name, r058.comparison), ("upper_fence", ">="));

    let low = of(&report.flags, "R024");
    assert_eq!(low.len(), 1);
    assert_eq!(low[0].subject, "p1");
    assert_eq!(low[0].value, Some(d("0.04")));
    assert_eq!(low[0].tenderers, ["L", "W"]);
    assert!(low[0].evidence.iter().any(|e| matches!(e,
        Evidence::Bid { role: "second_lowest", amount: Some(a), .. } if *a == d("1040000000"))));
    let high = of(&report.flags, "R058");
    assert_eq!(high.len(), 1);
    assert_eq!(high[0].subject, "p9");
    assert_eq!(high[0].value, Some(d("0.2")));
    assert_eq!(high[0].tenderers, ["W"]);

    // Serialisable, the fence inside the evidence.
    let v = serde_json::to_value(&report).unwrap();
    assert_eq!(v["flags"][0]["evidence"][1]["kind"], "fence");
    assert_eq!(v["flags"][0]["evidence"][1]["value"], "0.04");
    assert_eq!(v["fences"][0]["code"], "R024");

    // Just inside the fences (0.041 and 0.199; the quartiles unchanged): nothing.
    let flags = run(&nine(1_041_000_000, 1_199_000_000));
    assert!(of(&flags, "R024").is_empty());
    assert!(of(&flags, "R058").is_empty());
}

#[test]
fn r024_r058_cardinal_demonstrations() {
    // docs/examples/R/024.jsonl: differences 1, 99, 99, 99, 99. Q1 = 1 + 2/3·98 = 66.33…,
    // Q3 = 99, lower fence = 66.33… − 49 = 17.33…: only F (1) is flagged.
    let mut set = vec![pair("F", 1, 2)];
    set.extend((1..=4).map(|i| pair(&i.to_string(), 1, 100)));
    let flags = run(&set);
    assert_eq!(subjects(&flags, "R024"), ["F"]);
    assert_eq!(of(&flags, "R024")[0].value, Some(d("1")));
    // docs/examples/R/058.jsonl: differences 99, 1, 1, 1, 1. Q1 = 1, Q3 = 1 + 98/3 = 33.66…,
    // upper fence = 33.66… + 49 = 82.66…: only F (99) is flagged.
    let mut set = vec![pair("F", 1, 100)];
    set.extend((1..=4).map(|i| pair(&i.to_string(), 1, 2)));
    let flags = run(&set);
    assert_eq!(subjects(&flags, "R058"), ["F"]);
    assert_eq!(of(&flags, "R058")[0].value, Some(d("99")));
}

#[test]
fn r024_r058_thresholds_from_settings() {
    let mut s = Settings::default();
    s.r024.threshold = Some(d("0.05"));
    s.r058.threshold = Some(d("0.5"));
    let set = [
        pair("a", 100, 105), // 0.05: ≤ 0.05
        pair("b", 100, 106), // 0.06
        pair("c", 100, 150), // 0.5: ≥ 0.5
        pair("d", 100, 149), // 0.49
    ];
    let flags = run_with(&set, &s);
    assert_eq!(subjects(&flags, "R024"), ["a"]);
    assert_eq!(subjects(&flags, "R058"), ["c"]);
}

#[test]
fn r024_exclusions() {
    let mut s = Settings::default();
    s.r024.threshold = Some(d("0.05"));
    let flagged = |set: &[Value]| subjects(&run_with(set, &s), "R024");
    assert_eq!(flagged(&[pair("ok", 100, 101)]), ["ok"]);
    // A pending award: not final.
    let mut r = pair("x", 100, 101);
    r["awards"]
        .as_array_mut()
        .unwrap()
        .push(award("L", "pending", 101));
    assert!(flagged(&[r]).is_empty());
    // A cancelled earlier award is ignored.
    let mut r = pair("ok", 100, 101);
    r["awards"]
        .as_array_mut()
        .unwrap()
        .push(award("L", "cancelled", 101));
    assert_eq!(flagged(&[r]), ["ok"]);
    // Two active awards.
    let mut r = pair("x", 100, 101);
    r["awards"]
        .as_array_mut()
        .unwrap()
        .push(award("L", "active", 101));
    assert!(flagged(&[r]).is_empty());
    // The winning bid is not the lowest.
    assert!(flagged(&[pair("x", 101, 100)]).is_empty());
    // An award to two suppliers.
    let mut r = pair("x", 100, 101);
    r["awards"][0]["suppliers"] = json!([{ "id": "W" }, { "id": "L" }]);
    assert!(flagged(&[r]).is_empty());
    // A valid bid by two tenderers (a consortium).
    let mut r = pair("x", 100, 101);
    r["bids"]["details"][1]["tenderers"] = json!([{ "id": "L" }, { "id": "M" }]);
    assert!(flagged(&[r]).is_empty());
    // Prices not compared for this procurementMethodDetails.
    let mut s2 = s.clone();
    s2.no_price_comparison_procurement_methods = vec!["Tender".into()];
    assert!(subjects(&run_with(&[pair("x", 100, 101)], &s2), "R024").is_empty());
    // The winner's lowest valid bid is its winning bid: 100 of (100, 120) against 104.
    let mut r = pair("two", 120, 104);
    r["bids"]["details"]
        .as_array_mut()
        .unwrap()
        .push(bid("b3", "W", "valid", 100));
    let flags = run_with(&[r], &s);
    assert_eq!(of(&flags, "R024")[0].value, Some(d("0.04")));
}

#[test]
fn r024_degenerate_fence_flags_nothing() {
    // Every difference 0: Q1 = Q3 = 0, the lower fence 0; Cardinal skips rather than flag all.
    let set: Vec<Value> = (0..5).map(|i| pair(&format!("p{i}"), 100, 100)).collect();
    let report = compute_with_meta(&set, &Settings::default(), &none());
    assert!(of(&report.flags, "R024").is_empty());
    assert!(of(&report.flags, "R058").is_empty());
    let f = report.fences.iter().find(|f| f.code == "R024").unwrap();
    assert!(!f.applied);
}

// ---------------------------------------------------------------- R025

#[test]
fn r025_cardinal_demonstration_by_hand() {
    // docs/examples/R/025.jsonl: F bids in six processes and wins one (ocid 0); tenderers 1…5
    // bid once and win. Ratios 1/6, 1, 1, 1, 1, 1. By hand (n = 6): Q1 at h = 575/300:
    // 1/6 + 11/12·(1 − 1/6) = 67/72; Q3 at h = 1525/300: 1 + 1/12·0 = 1; lower fence =
    // 67/72 − 1.5·5/72 = 0.8263…; valid bids 6, 1, 1, 1, 1, 1: 75th percentile =
    // 1 + 1/12·(6 − 1) = 1.4166…. F: 6 ≥ 1.4166… and 1/6 ≤ 0.8263…: flagged.
    let mut set = vec![release(
        "0",
        vec![bid("b", "F", "valid", 1)],
        vec![award("F", "active", 1)],
    )];
    for i in 1..=5 {
        let t = i.to_string();
        set.push(release(
            &t,
            vec![bid("b1", "F", "valid", 2), bid("b2", &t, "valid", 1)],
            vec![award(&t, "active", 1)],
        ));
    }
    let report = compute_with_meta(&set, &Settings::default(), &none());
    let flags = of(&report.flags, "R025");
    assert_eq!(flags.len(), 1);
    assert_eq!(
        (flags[0].scope, flags[0].subject.as_str()),
        (Scope::Tenderer, "F")
    );
    assert_eq!(flags[0].ocid, None);
    assert_eq!(flags[0].value.unwrap().round_dp(6), d("0.166667"));
    let fences: Vec<_> = report.fences.iter().filter(|f| f.code == "R025").collect();
    assert_eq!(fences[0].value.round_dp(6), d("1.416667"));
    assert_eq!(fences[0].percentile, Some(75));
    assert_eq!(fences[1].value.round_dp(6), d("0.826389"));
    assert_eq!(fences[1].q1.unwrap().round_dp(6), d("0.930556"));
}

#[test]
fn r025_threshold_edge_and_top_tenderers() {
    // F bids in four processes and wins one: 1/4. Tenderers 1…3 bid once and win.
    // Valid bids 4, 1, 1, 1: 75th percentile at h = 1075/300: 1 + 7/12·3 = 2.75 ≤ 4.
    let mut set = vec![release(
        "0",
        vec![bid("b", "F", "valid", 1)],
        vec![award("F", "active", 1)],
    )];
    for i in 1..=3 {
        let t = i.to_string();
        set.push(release(
            &t,
            vec![bid("b1", "F", "valid", 2), bid("b2", &t, "valid", 1)],
            vec![award(&t, "active", 1)],
        ));
    }
    let mut s = Settings::default();
    s.r025.threshold = Some(d("0.25"));
    assert_eq!(subjects(&run_with(&set, &s), "R025"), ["F"]);
    s.r025.threshold = Some(d("0.24"));
    assert!(subjects(&run_with(&set, &s), "R025").is_empty());
    // Not a top tenderer: with the 100th percentile (4) as the fence, 4 ≥ 4 still counts …
    s.r025.threshold = Some(d("0.25"));
    s.r025.percentile = 100;
    assert_eq!(subjects(&run_with(&set, &s), "R025"), ["F"]);
    // … but a percentile above 100 flags nothing.
    s.r025.percentile = 101;
    assert!(subjects(&run_with(&set, &s), "R025").is_empty());
}

// ---------------------------------------------------------------- R028

#[test]
fn r028_identical_bid_prices() {
    // Cardinal's demonstration (docs/examples/R/028.jsonl): a valid and a disqualified bid.
    let fire = release(
        "F",
        vec![
            bid("b1", "V", "valid", 1_000_000),
            bid("b2", "D", "disqualified", 1_000_000),
            bid("b3", "X", "valid", 900_000),
        ],
        vec![],
    );
    // 1000000 and 1000000.0 are the same price.
    let mut float = release(
        "G",
        vec![bid("b1", "A", "valid", 0), bid("b2", "B", "valid", 0)],
        vec![],
    );
    float["bids"]["details"][0]["value"]["amount"] = json!(1_000_000);
    float["bids"]["details"][1]["value"]["amount"] = json!(1_000_000.0);
    let same_tenderer = release(
        "n1",
        vec![
            bid("b1", "A", "valid", 500),
            bid("b2", "A", "valid", 500),
            bid("b3", "B", "valid", 501),
        ],
        vec![],
    );
    let withdrawn = release(
        "n2",
        vec![
            bid("b1", "A", "valid", 500),
            bid("b2", "B", "withdrawn", 500),
        ],
        vec![],
    );
    let mut other_currency = release(
        "n3",
        vec![bid("b1", "A", "valid", 500), bid("b2", "B", "valid", 500)],
        vec![],
    );
    other_currency["bids"]["details"][1]["value"]["currency"] = json!("USD");
    let flags = run(&[fire, float, same_tenderer, withdrawn, other_currency]);
    assert_eq!(subjects(&flags, "R028"), ["F", "G"]);
    assert_eq!(of(&flags, "R028")[0].tenderers, ["D", "V"]);
    assert_eq!(of(&flags, "R028")[0].evidence.len(), 2);
    // Not compared when the buyer sets the price.
    let s = Settings {
        price_comparison_procurement_methods: vec!["Reverse Auction".into()],
        ..Settings::default()
    };
    let set = [release(
        "F",
        vec![bid("b1", "V", "valid", 1), bid("b2", "D", "valid", 1)],
        vec![],
    )];
    assert!(subjects(&run_with(&set, &s), "R028").is_empty());
}

// ---------------------------------------------------------------- R030

fn late(ocid: &str, bid_date: &str, status: &str, winner: &str) -> Value {
    let mut b = bid("b1", "W", status, 100);
    b["date"] = json!(bid_date);
    let mut in_time = bid("b2", "L", "valid", 120);
    in_time["date"] = json!("2000-03-10T00:00:00Z");
    let r = release(ocid, vec![b, in_time], vec![award(winner, "active", 100)]);
    with_tender(
        r,
        "tenderPeriod",
        json!({ "startDate": "2000-03-01T00:00:00Z", "endDate": "2000-03-15T00:00:00Z" }),
    )
}

#[test]
fn r030_late_bid_won() {
    let flags = run(&[
        // Cardinal's demonstration (docs/examples/R/030.jsonl).
        late("F", "2000-04-01T00:00:00Z", "valid", "W"),
        // One second late.
        late("s", "2000-03-15T00:00:01Z", "valid", "W"),
        // At the deadline: not after it.
        late("n1", "2000-03-15T00:00:00Z", "valid", "W"),
        // Late, but another tenderer won.
        late("n2", "2000-04-01T00:00:00Z", "valid", "L"),
        // Late and disqualified.
        late("n3", "2000-04-01T00:00:00Z", "disqualified", "W"),
        // 06:00+07:00 is 23:00Z the day before: in time, though its text sorts after.
        late("n4", "2000-03-15T06:00:00+07:00", "valid", "W"),
    ]);
    assert_eq!(subjects(&flags, "R030"), ["F", "s"]);
    assert_eq!(of(&flags, "R030")[0].tenderers, ["W"]);
}

// ---------------------------------------------------------------- R035

#[test]
fn r035_all_except_winning_bid_disqualified() {
    let make = |ocid: &str, bids: Vec<Value>, awards: Vec<Value>| release(ocid, bids, awards);
    let set = [
        // Cardinal's demonstration (docs/examples/R/035.jsonl).
        make(
            "F",
            vec![
                bid("b1", "D", "disqualified", 90),
                bid("b2", "V", "valid", 100),
            ],
            vec![award("V", "active", 100)],
        ),
        // Two disqualified tenderers (one with two bids): value 2.
        make(
            "G",
            vec![
                bid("b1", "D", "disqualified", 90),
                bid("b2", "D", "disqualified", 91),
                bid("b3", "E", "disqualified", 95),
                bid("b4", "V", "valid", 100),
            ],
            vec![award("V", "active", 100)],
        ),
        // Two valid tenderers.
        make(
            "n1",
            vec![
                bid("b1", "D", "disqualified", 90),
                bid("b2", "V", "valid", 100),
                bid("b3", "U", "valid", 110),
            ],
            vec![award("V", "active", 100)],
        ),
        // Only the winner's own other bid disqualified.
        make(
            "n2",
            vec![
                bid("b1", "V", "disqualified", 90),
                bid("b2", "V", "valid", 100),
            ],
            vec![award("V", "active", 100)],
        ),
        // The award still pending.
        make(
            "n3",
            vec![
                bid("b1", "D", "disqualified", 90),
                bid("b2", "V", "valid", 100),
            ],
            vec![award("V", "pending", 100)],
        ),
        // The valid tenderer is not the winner.
        make(
            "n4",
            vec![
                bid("b1", "D", "disqualified", 90),
                bid("b2", "V", "valid", 100),
            ],
            vec![award("D", "active", 90)],
        ),
    ];
    let flags = run(&set);
    assert_eq!(subjects(&flags, "R035"), ["F", "G"]);
    let f = of(&flags, "R035");
    assert_eq!((f[0].value, f[1].value), (Some(d("1")), Some(d("2"))));
    assert_eq!(f[0].tenderers, ["V"]);
    // Threshold 2: only G.
    let mut s = Settings::default();
    s.r035.threshold = 2;
    assert_eq!(subjects(&run_with(&set, &s), "R035"), ["G"]);
}

// ---------------------------------------------------------------- R036

#[test]
fn r036_lowest_bid_disqualified() {
    let set = [
        // Cardinal's demonstration (docs/examples/R/036.jsonl).
        release(
            "F",
            vec![
                bid("b1", "A", "disqualified", 1),
                bid("b2", "B", "valid", 2),
            ],
            vec![award("B", "active", 2)],
        ),
        // The lowest is valid.
        release(
            "n1",
            vec![
                bid("b1", "A", "valid", 1),
                bid("b2", "B", "disqualified", 2),
            ],
            vec![award("A", "active", 1)],
        ),
        // No active award yet.
        release(
            "n2",
            vec![
                bid("b1", "A", "disqualified", 1),
                bid("b2", "B", "valid", 2),
            ],
            vec![award("B", "pending", 2)],
        ),
        // No valid bid with an amount.
        release(
            "n3",
            vec![
                bid("b1", "A", "disqualified", 1),
                bid("b2", "B", "disqualified", 2),
            ],
            vec![award("B", "active", 2)],
        ),
        // A tie at the lowest amount: the first such bid decides (as Cardinal does).
        release(
            "tie-d",
            vec![
                bid("b1", "A", "disqualified", 1),
                bid("b2", "B", "valid", 1),
            ],
            vec![award("B", "active", 1)],
        ),
        release(
            "tie-v",
            vec![
                bid("b1", "B", "valid", 1),
                bid("b2", "A", "disqualified", 1),
            ],
            vec![award("B", "active", 1)],
        ),
    ];
    let flags = run(&set);
    assert_eq!(subjects(&flags, "R036"), ["F", "tie-d"]);
    assert!(of(&flags, "R036")[0].evidence.iter().any(|e| matches!(e,
        Evidence::Bid { role: "lowest", id: Some(id), .. } if id == "b1")));
}

// ---------------------------------------------------------------- R038

fn buyer(ocid: &str, buyer: &str, bids: Vec<Value>) -> Value {
    let mut r = release(ocid, bids, vec![]);
    r["buyer"] = json!({ "id": buyer });
    r["tender"]
        .as_object_mut()
        .unwrap()
        .remove("procuringEntity");
    r
}

/// Buyers B1…B5, two processes each of two bids by one-off tenderers; B1 disqualifies one bid
/// in each. Ratios 0.5, 0, 0, 0, 0. By hand (n = 5): Q1 = 0 + 2/3·0 = 0; Q3 = x4 + 1/3·(x5 −
/// x4) = 0.5/3 = 0.1666…; upper fence = 0.1666… + 1.5·0.1666… = 0.41666… ≤ 0.5.
fn five_buyers() -> Vec<Value> {
    let mut set = vec![];
    for b in 1..=5 {
        for p in 1..=2 {
            let ocid = format!("B{b}-{p}");
            let second = if b == 1 { "disqualified" } else { "valid" };
            set.push(buyer(
                &ocid,
                &format!("B{b}"),
                vec![
                    bid("x", &format!("{ocid}-t1"), "valid", 100),
                    bid("y", &format!("{ocid}-t2"), second, 110),
                ],
            ));
        }
    }
    set
}

#[test]
fn r038_buyers_by_hand() {
    let report = compute_with_meta(&five_buyers(), &Settings::default(), &none());
    let flags = of(&report.flags, "R038");
    assert_eq!(flags.len(), 1);
    assert_eq!(
        (flags[0].scope, flags[0].subject.as_str()),
        (Scope::Buyer, "B1")
    );
    assert_eq!(flags[0].value, Some(d("0.5")));
    let fence = report
        .fences
        .iter()
        .find(|f| f.code == "R038" && f.scope == Scope::Buyer)
        .unwrap();
    assert_eq!(fence.value.round_dp(6), d("0.416667"));
    // The one-off tenderers (one bid each) are below minimum_submitted_bids.
    assert!(!report
        .fences
        .iter()
        .any(|f| f.code == "R038" && f.scope == Scope::Tenderer));
    // A set threshold: ≥ 0.5 is flagged, 0.51 is not.
    let mut s = Settings::default();
    s.r038.threshold = Some(d("0.5"));
    assert_eq!(subjects(&run_with(&five_buyers(), &s), "R038"), ["B1"]);
    s.r038.threshold = Some(d("0.51"));
    assert!(subjects(&run_with(&five_buyers(), &s), "R038").is_empty());
}

#[test]
fn r038_tenderers_and_degenerate_fence() {
    // Tenderers A…D: two valid bids each; T: two bids, both disqualified. Ratios 0, 0, 0, 0, 1:
    // Q1 = 0, Q3 = 1/3, upper fence = 1/3 + 1/2 = 0.8333… ≤ 1.
    let mut set = vec![];
    for p in 1..=2 {
        let bids = ["A", "B", "C", "D"]
            .iter()
            .map(|t| bid(&format!("{t}{p}"), t, "valid", 100))
            .chain([bid(&format!("T{p}"), "T", "disqualified", 90)])
            .collect();
        set.push(buyer(&format!("p{p}"), &format!("buyer{p}"), bids));
    }
    let flags = run(&set);
    let t = of(&flags, "R038");
    assert_eq!(t.len(), 1);
    assert_eq!((t[0].scope, t[0].subject.as_str()), (Scope::Tenderer, "T"));
    assert_eq!(t[0].value, Some(d("1")));
    // Nobody disqualified: the fence is 0 and nothing is flagged.
    let clean: Vec<Value> = set
        .iter()
        .map(|r| {
            let mut r = r.clone();
            for b in r["bids"]["details"].as_array_mut().unwrap() {
                b["status"] = json!("valid");
            }
            r
        })
        .collect();
    let report = compute_with_meta(&clean, &Settings::default(), &none());
    assert!(of(&report.flags, "R038").is_empty());
    assert!(report.fences.iter().any(|f| f.code == "R038" && !f.applied));
}

#[test]
fn r038_cardinal_demonstration_counts_processes() {
    // docs/examples/R/038.jsonl: buyer B has one process (one bid of two disqualified), buyers
    // 1…4 one process with one valid bid each. Cardinal's documented output flags B (0.5), but
    // the documentation's text leaves out buyers with fewer than 2 contracting processes, which
    // is followed here: nothing is flagged with the defaults …
    let demo = [
        json!({"ocid":"0","bids":{"details":[{"status":"valid","tenderers":[{"id":"W1"}]},{"status":"disqualified","tenderers":[{"id":"D"}]}]},"buyer":{"id":"B"}}),
        json!({"ocid":"1","bids":{"details":[{"status":"valid","tenderers":[{"id":"W2"}]}]},"buyer":{"id":"1"}}),
        json!({"ocid":"2","bids":{"details":[{"status":"valid","tenderers":[{"id":"W3"}]}]},"buyer":{"id":"2"}}),
        json!({"ocid":"3","bids":{"details":[{"status":"valid","tenderers":[{"id":"W4"}]}]},"buyer":{"id":"3"}}),
        json!({"ocid":"4","bids":{"details":[{"status":"valid","tenderers":[{"id":"W5"}]}]},"buyer":{"id":"4"}}),
    ];
    assert!(subjects(&run(&demo), "R038").is_empty());
    // … and Cardinal's output with a minimum of one process: ratios 0.5, 0, 0, 0, 0, fence
    // 0.4166…
    let mut s = Settings::default();
    s.r038.minimum_contracting_processes = 1;
    let flags = run_with(&demo, &s);
    assert_eq!(subjects(&flags, "R038"), ["B"]);
    assert_eq!(of(&flags, "R038")[0].value, Some(d("0.5")));
}

// ---------------------------------------------------------------- M001

#[test]
fn m001_award_far_above_catalogue_median() {
    let mut medians = CatalogueMedians::new();
    medians.insert(CatalogueKey::Process("over".into()), d("100000000"));
    medians.insert(CatalogueKey::Process("at".into()), d("100000000"));
    medians.insert(CatalogueKey::Category("works".into()), d("1000"));
    medians.insert(CatalogueKey::Item("KAT-123".into()), d("25000"));
    let mut s = Settings::default();
    let one = |ocid: &str, amount: i64| {
        release(
            ocid,
            vec![bid("b", "W", "valid", amount)],
            vec![award("W", "active", amount)],
        )
    };
    // Against the process's own median: 1.50000001 > 1.5 flags, exactly 1.5 does not.
    // "cat" has no process median: the category median (works: 1000) applies, 1501 / 1000.
    let mut item = one("item", 1_000);
    item["awards"][0]["items"] = json!([
        { "id": "i1", "classification": { "scheme": "X-KATALOG", "id": "KAT-123" },
          "quantity": 10, "unit": { "value": { "amount": 40000, "currency": "IDR" } } },
    ]);
    item["tender"]["mainProcurementCategory"] = json!("goods");
    let flags = compute(
        &[
            one("over", 150_000_001),
            one("at", 150_000_000),
            one("cat", 1_501),
            item,
        ],
        &s,
        &medians,
    );
    assert_eq!(subjects(&flags, "M001"), ["cat", "item", "over"]);
    let over = of(&flags, "M001")[2];
    assert_eq!(over.value, Some(d("1.50000001")));
    assert_eq!(over.name, "Award far above the catalogue's median price");
    let item = of(&flags, "M001")[1];
    assert_eq!(item.value, Some(d("1.6")));
    assert!(item.evidence.iter().any(|e| matches!(e,
        Evidence::Catalogue { key_kind: "item", key, .. } if key == "KAT-123")));
    // A pending award is not compared by default, it is when asked for.
    let pending = release("over", vec![], vec![award("W", "pending", 200_000_000)]);
    assert!(compute(std::slice::from_ref(&pending), &s, &medians).is_empty());
    s.m001.award_statuses = vec!["active".into(), "pending".into()];
    assert_eq!(
        subjects(&compute(&[pending], &s, &medians), "M001"),
        ["over"]
    );
}

// ---------------------------------------------------------------- global

#[test]
fn global_exclusions_and_order() {
    let short = |ocid: &str| period(ocid, "2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z");
    let cancelled = with_tender(short("cancelled"), "status", json!("cancelled"));
    let excluded = with_tender(
        short("excluded"),
        "procurementMethodDetails",
        json!("Darurat"),
    );
    let mut numeric = short("numeric");
    numeric["ocid"] = json!(42);
    let mut single = short("b");
    single["tender"]["numberOfTenderers"] = json!(1);
    let mut s = Settings::default();
    s.exclusions.procurement_method_details = vec!["Darurat".into()];
    let flags = run_with(
        &[short("c"), cancelled, excluded, numeric, single, short("a")],
        &s,
    );
    let got: Vec<(&str, &str)> = flags.iter().map(|f| (f.subject.as_str(), f.code)).collect();
    assert_eq!(
        got,
        [("a", "R003"), ("b", "R003"), ("b", "R018"), ("c", "R003")]
    );
    // Serialisable.
    let v = serde_json::to_value(&flags[0]).unwrap();
    assert_eq!(v["code"], "R003");
    assert_eq!(v["scope"], "contracting_process");
    assert_eq!(v["evidence"][0]["kind"], "tender_period");
}

#[test]
fn main_currency_is_the_first_observed_or_the_setting() {
    let mut usd = pair("usd", 100, 101);
    for b in usd["bids"]["details"].as_array_mut().unwrap() {
        b["value"]["currency"] = json!("USD");
    }
    let mut s = Settings::default();
    s.r024.threshold = Some(d("0.05"));
    // IDR first: the USD process is not compared.
    let report = compute_with_meta(&[pair("idr", 100, 101), usd.clone()], &s, &none());
    assert_eq!(report.currency.as_deref(), Some("IDR"));
    assert_eq!(subjects(&report.flags, "R024"), ["idr"]);
    s.currency = Some("USD".into());
    assert_eq!(
        subjects(&run_with(&[pair("idr", 100, 101), usd], &s), "R024"),
        ["usd"]
    );
}

#[test]
fn settings_from_toml() {
    let s = Settings::from_toml(
        r#"
[direct_ceiling]
goods = "200000000"

[flags]
currency = "IDR"
no_price_comparison_procurement_methods = "Pengadaan Langsung|E-purchasing"

[flags.R003]
threshold = 10
procurement_methods = ["open"]

[flags.R003.procurement_method_details]
"Mini-kompetisi" = 3

[flags.R018]
procurement_methods = "open"

[flags.R024]
threshold = 0.05

[flags.R025]
percentile = 90
threshold = "0.1"

[flags.R030]
enabled = false

[flags.M001]
ratio = 2
"#,
    )
    .unwrap();
    assert_eq!(s.currency.as_deref(), Some("IDR"));
    assert_eq!(
        s.no_price_comparison_procurement_methods,
        ["Pengadaan Langsung", "E-purchasing"]
    );
    assert_eq!(s.r003.threshold, 10);
    assert_eq!(s.r003.procurement_methods, ["open"]);
    assert_eq!(s.r003.procurement_method_details["Mini-kompetisi"], 3);
    assert_eq!(s.r018.procurement_methods, ["open"]);
    assert_eq!(s.r024.threshold, Some(d("0.05")));
    assert_eq!((s.r025.percentile, s.r025.threshold), (90, Some(d("0.1"))));
    assert!(!s.r030.enabled && s.r028.enabled);
    assert_eq!(s.m001.ratio, d("2"));
    // Untouched: Cardinal's defaults.
    assert_eq!(s.r035.threshold, 1);
    assert_eq!(
        (
            s.r038.minimum_submitted_bids,
            s.r038.minimum_contracting_processes
        ),
        (2, 2)
    );
    assert_eq!(Settings::from_toml("").unwrap(), Settings::default());
    let d = Settings::default();
    assert_eq!(d.r003.threshold, 15);
    assert_eq!(d.r018.procurement_methods, ["open", "selective"]);
    assert_eq!(d.r025.percentile, 75);
    assert_eq!(d.r024.threshold, None);
    // Unknown keys are errors, as in Cardinal.
    assert!(Settings::from_toml("[flags.R024]\nthreshhold = 0.05\n").is_err());
    assert!(Settings::from_toml("[flags.R099]\n").is_err());
}

/// A compiled release as Mufakat's tender module writes one (`crates/modules/tender/src/ocds`):
/// a 5-day tender with one opened bid, awarded. With a single tenderer in the set the R025
/// fences collapse onto its own counts (Q1 = Q3 = its ratio 1, the 75th percentile its one
/// bid), so Cardinal's rule flags it too: fences need a set of many tenderers.
#[test]
fn mufakat_shaped_release() {
    let r = json!({
        "ocid": "ocds-mfkt01-2025-0001",
        "id": "ocds-mfkt01-2025-0001-0004",
        "date": "2025-03-20T03:00:00Z",
        "tag": ["compiled"],
        "initiationType": "tender",
        "language": "id",
        "buyer": { "id": "pemda-1", "name": "Pemerintah Kabupaten" },
        "parties": [
            { "id": "pemda-1", "name": "Pemerintah Kabupaten", "roles": ["buyer"] },
            { "id": "ukpbj-1", "name": "UKPBJ", "roles": ["procuringEntity"] },
            { "id": "v-1", "name": "CV Satu", "roles": ["tenderer", "supplier"] },
        ],
        "tender": {
            "id": "T-1", "title": "Rehab jalan", "status": "complete",
            "procuringEntity": { "id": "ukpbj-1", "name": "UKPBJ" },
            "value": { "amount": 500000000, "currency": "IDR" },
            "procurementMethod": "open", "procurementMethodDetails": "Tender",
            "mainProcurementCategory": "works", "awardCriteria": "priceOnly",
            "tenderPeriod": { "startDate": "2025-03-01T01:00:00Z", "endDate": "2025-03-06T01:00:00Z" },
            "numberOfTenderers": 1,
            "tenderers": [{ "id": "v-1", "name": "CV Satu" }],
        },
        "bids": {
            "statistics": [
                { "id": "bids", "measure": "bids", "value": 1 },
                { "id": "validBids", "measure": "validBids", "value": 1 },
            ],
            "details": [{
                "id": "bid-1", "date": "2025-03-05T09:00:00Z", "status": "valid",
                "tenderers": [{ "id": "v-1", "name": "CV Satu" }],
                "value": { "amount": 411111111.33, "currency": "IDR" },
            }],
        },
        "awards": [{
            "id": "award-1", "title": "Pemenang", "status": "active", "date": "2025-03-20T03:00:00Z",
            "value": { "amount": 411111111.33, "currency": "IDR" },
            "suppliers": [{ "id": "v-1", "name": "CV Satu" }],
        }],
        "contracts": [{ "id": "c-1", "awardID": "award-1", "status": "active",
            "value": { "amount": 411111111.33, "currency": "IDR" } }],
    });
    let mut medians = CatalogueMedians::new();
    medians.insert(
        CatalogueKey::Process("ocds-mfkt01-2025-0001".into()),
        d("205555555.665"),
    );
    let flags = compute(&[r], &Settings::default(), &medians);
    let codes: Vec<&str> = flags.iter().map(|f| f.code).collect();
    assert_eq!(codes, ["M001", "R003", "R018", "R025"]);
    // The amount is read exactly: 411111111.33 / 205555555.665 = 2.
    assert_eq!(flags[0].value, Some(d("2")));
    assert!(flags[0].evidence.iter().any(|e| matches!(e,
        Evidence::Award { amount: Some(a), .. } if *a == d("411111111.33"))));
}
