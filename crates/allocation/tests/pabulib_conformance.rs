//! Conformance with pabutools 1.2.3 on real Pabulib elections.
//!
//! Reads `<shared>/pabulib/instances/*.pb` and `<shared>/pabulib/expected.json`, where
//! `<shared>` is `$MUFAKAT_SHARED_DIR` or `../../../shared` from this crate (the `shared/` folder
//! next to the repository). When it is absent (a fresh clone) the test prints why and passes.
//! Every file is also round-tripped through the writer.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use mufakat_allocation::{
    allocate, parse, write, Completion, Options, Rule, Satisfaction, VoteType,
};
use serde_json::Value;

fn pabulib_dir() -> Option<PathBuf> {
    let base = match std::env::var_os("MUFAKAT_SHARED_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    let dir = base.join("pabulib");
    dir.join("expected.json").is_file().then_some(dir)
}

/// The rule behind each key of `expected.json`.
fn rule_for(key: &str) -> Option<(Rule, Satisfaction)> {
    Some(match key {
        "greedy_cost" => (Rule::Greedy, Satisfaction::Cost),
        "mes_cost" => (Rule::Mes(Completion::None), Satisfaction::Cost),
        "mes_card" => (Rule::Mes(Completion::None), Satisfaction::Cardinality),
        "mes_cost_greedy_completion" => (Rule::Mes(Completion::Greedy), Satisfaction::Cost),
        "seq_phragmen" => (Rule::Phragmen, Satisfaction::Cost),
        _ => return None,
    })
}

#[test]
fn pabulib_conformance() {
    let Some(dir) = pabulib_dir() else {
        println!(
            "SKIPPED pabulib_conformance: no shared/pabulib/expected.json (set MUFAKAT_SHARED_DIR to the folder holding pabulib/)"
        );
        return;
    };
    let expected: BTreeMap<String, Value> = serde_json::from_str(
        &std::fs::read_to_string(dir.join("expected.json")).expect("read expected.json"),
    )
    .expect("parse expected.json");
    let started = Instant::now();
    let mut passed: BTreeMap<&str, usize> = BTreeMap::new();
    let mut checked: BTreeMap<&str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for (file, entry) in &expected {
        let path = dir.join("instances").join(file);
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let election = match parse(&text) {
            Ok(e) => e,
            Err(e) => {
                failures.push(format!("{file}: parse error: {e}"));
                continue;
            }
        };
        if parse(&write(&election)).as_ref() != Ok(&election) {
            failures.push(format!(
                "{file}: write/parse round trip changed the election"
            ));
        }
        let meta = &entry["meta"];
        if let Some(vt) = meta["vote_type"].as_str() {
            assert_eq!(
                Some(election.vote_type),
                VoteType::parse(vt),
                "{file}: vote type"
            );
        }
        if let Some(b) = meta["budget"].as_str() {
            assert_eq!(
                election.budget.to_string(),
                mufakat_allocation::number::format_number(
                    &mufakat_allocation::number::parse_number(b).unwrap()
                ),
                "{file}: budget"
            );
        }
        let Some(obj) = entry.as_object() else {
            continue;
        };
        for (key, want) in obj {
            let Some((rule, sat)) = rule_for(key) else {
                continue;
            };
            let key: &'static str = Box::leak(key.clone().into_boxed_str());
            *checked.entry(key).or_default() += 1;
            let want: Vec<String> = serde_json::from_value(want.clone()).expect("list of ids");
            let opts = Options {
                satisfaction: sat,
                ..Options::default()
            };
            let got =
                allocate(&election, rule, &opts).unwrap_or_else(|e| panic!("{file} {key}: {e}"));
            if got.selected == want {
                *passed.entry(key).or_default() += 1;
            } else {
                failures.push(format!(
                    "{file} {key}: expected {want:?}, got {:?}",
                    got.selected
                ));
            }
        }
    }
    println!(
        "pabulib conformance on {} files in {:.1?}:",
        expected.len(),
        started.elapsed()
    );
    for (key, n) in &checked {
        println!(
            "  {key:<28} {} / {n}",
            passed.get(key).copied().unwrap_or(0)
        );
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
