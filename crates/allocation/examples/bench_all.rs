//! Performance benchmark of the allocation rules (a program you run, not a test).
//!
//! ```text
//! # every .pb of the shared Pabulib set, the five rule keys of expected.json, checked:
//! bench_all [DIR] [--expected FILE] [--rules K1,K2,..] [--limit N] [--repeat R]
//! # one synthetic approval election (deterministic in SEED), greedy / MES (cost) / Phragmén:
//! bench_all --synthetic PROJECTS VOTERS [SEED] [--write FILE] [--rules greedy,mes,phragmen]
//! # a rule (default MES, cost) on projects 50-400 x voters 25k-200k, to see how the cost grows:
//! bench_all --scaling [--rules mes,greedy,phragmen]
//! ```
//!
//! `DIR` defaults to `../shared/pabulib/instances` relative to the workspace root (the folder
//! next to the repository), `--expected` to `DIR/../expected.json`. Files are taken in name
//! order; `--limit N` keeps the first N, `--rules` a subset of the keys, so that the same subset
//! can be given to `bench/pabutools_bench.py`. Every outcome is compared with expected.json; the
//! program exits with status 1 on any mismatch. The last line of output is a JSON summary.
//!
//! Build and run (release):
//! `cargo run --release -p mufakat-allocation --example bench_all`

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use mufakat_allocation::{
    allocate, parse, write, Completion, Election, Options, Project, Rational, Rule, Satisfaction,
    Vote, VoteType,
};
use serde_json::{json, Value};

const KEYS: [&str; 5] = [
    "greedy_cost",
    "mes_cost",
    "mes_card",
    "mes_cost_greedy_completion",
    "seq_phragmen",
];

/// Same mapping as `tests/pabulib_conformance.rs`.
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

/// Rule names of the synthetic / scaling modes.
fn synthetic_rule(name: &str) -> Option<(Rule, Satisfaction)> {
    Some(match name {
        "greedy" => (Rule::Greedy, Satisfaction::Cost),
        "mes" => (Rule::Mes(Completion::None), Satisfaction::Cost),
        "mes_card" => (Rule::Mes(Completion::None), Satisfaction::Cardinality),
        "mes_greedy" => (Rule::Mes(Completion::Greedy), Satisfaction::Cost),
        "phragmen" => (Rule::Phragmen, Satisfaction::Cost),
        _ => return None,
    })
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn usage() -> ExitCode {
    eprintln!(
        "usage:\n  bench_all [DIR] [--expected FILE] [--rules K1,..] [--limit N] [--repeat R]\n  \
         bench_all --synthetic PROJECTS VOTERS [SEED] [--write FILE] [--rules greedy,mes,phragmen]\n  \
         bench_all --scaling [--rules mes]"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut positional = Vec::new();
    let mut rules: Option<Vec<String>> = None;
    let mut limit: Option<usize> = None;
    let mut repeat: usize = 1;
    let mut expected: Option<PathBuf> = None;
    let mut write_to: Option<PathBuf> = None;
    let mut mode = "pabulib";
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let mut value = || {
            i += 1;
            args.get(i).cloned()
        };
        match a {
            "--synthetic" => mode = "synthetic",
            "--scaling" => mode = "scaling",
            "--rules" => match value() {
                Some(v) => {
                    rules = Some(
                        v.split(',')
                            .map(|s| s.trim().to_string())
                            .filter(|s| !s.is_empty())
                            .collect(),
                    )
                }
                None => return usage(),
            },
            "--limit" => match value().and_then(|v| v.parse().ok()) {
                Some(n) => limit = Some(n),
                None => return usage(),
            },
            "--repeat" => match value().and_then(|v| v.parse().ok()) {
                Some(n) if n > 0 => repeat = n,
                _ => return usage(),
            },
            "--expected" => match value() {
                Some(v) => expected = Some(PathBuf::from(v)),
                None => return usage(),
            },
            "--write" => match value() {
                Some(v) => write_to = Some(PathBuf::from(v)),
                None => return usage(),
            },
            "-h" | "--help" => return usage(),
            s if s.starts_with("--") => {
                eprintln!("unknown option {s}");
                return usage();
            }
            _ => positional.push(args[i].clone()),
        }
        i += 1;
    }
    match mode {
        "synthetic" => {
            let (Some(p), Some(v)) = (
                positional.first().and_then(|s| s.parse::<usize>().ok()),
                positional.get(1).and_then(|s| s.parse::<usize>().ok()),
            ) else {
                return usage();
            };
            let seed = positional
                .get(2)
                .and_then(|s| s.parse::<u64>().ok())
                .unwrap_or(1);
            let rules =
                rules.unwrap_or_else(|| vec!["greedy".into(), "mes".into(), "phragmen".into()]);
            run_synthetic(p, v, seed, &rules, write_to.as_deref())
        }
        "scaling" => {
            let rules = rules.unwrap_or_else(|| vec!["mes".into()]);
            run_scaling(&rules)
        }
        _ => {
            let dir = positional.first().map(PathBuf::from).unwrap_or_else(|| {
                // CARGO_MANIFEST_DIR = <workspace>/crates/allocation; the workspace's parent holds shared/.
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/pabulib/instances")
            });
            let expected = expected.unwrap_or_else(|| dir.join("../expected.json"));
            let rules = rules.unwrap_or_else(|| KEYS.iter().map(|s| s.to_string()).collect());
            run_pabulib(&dir, &expected, &rules, limit, repeat)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Real elections

fn run_pabulib(
    dir: &Path,
    expected_path: &Path,
    keys: &[String],
    limit: Option<usize>,
    repeat: usize,
) -> ExitCode {
    for k in keys {
        if rule_for(k).is_none() {
            eprintln!("unknown rule key {k} (known: {})", KEYS.join(", "));
            return ExitCode::from(2);
        }
    }
    let expected: BTreeMap<String, Value> = match std::fs::read_to_string(expected_path)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{}: {e}", expected_path.display());
            return ExitCode::from(2);
        }
    };
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "pb"))
            .collect(),
        Err(e) => {
            eprintln!("{}: {e}", dir.display());
            return ExitCode::from(2);
        }
    };
    files.sort_by_key(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()));
    if let Some(n) = limit {
        files.truncate(n);
    }
    let wall = Instant::now();
    let mut parse_time = Duration::ZERO;
    let mut per_rule: BTreeMap<&str, (usize, Duration, usize)> = BTreeMap::new(); // calls, time, mismatches
    let mut mismatches = Vec::new();
    let mut slowest: Vec<(Duration, String)> = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let t = Instant::now();
        let election = match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|s| parse(&s).map_err(|e| e.to_string()))
        {
            Ok(e) => e,
            Err(e) => {
                mismatches.push(format!("{name}: {e}"));
                continue;
            }
        };
        parse_time += t.elapsed();
        let entry = expected.get(&name);
        for key in keys {
            let key = key.as_str();
            let want = entry.and_then(|e| e.get(key));
            // expected.json has seq_phragmen only for approval files.
            if key == "seq_phragmen" && election.vote_type != VoteType::Approval {
                continue;
            }
            let (rule, sat) = rule_for(key).unwrap();
            let opts = Options {
                satisfaction: sat,
                ..Options::default()
            };
            let slot = per_rule
                .entry(KEYS.iter().find(|k| **k == key).unwrap())
                .or_default();
            let mut got = None;
            let t = Instant::now();
            for _ in 0..repeat {
                got = Some(allocate(&election, rule, &opts));
            }
            let el = t.elapsed() / repeat as u32;
            slot.0 += 1;
            slot.1 += el;
            slowest.push((el, format!("{name} {key}")));
            let ok = match (got.unwrap(), want) {
                (Ok(a), Some(w)) => {
                    serde_json::from_value::<Vec<String>>(w.clone())
                        .ok()
                        .as_ref()
                        == Some(&a.selected)
                }
                (Ok(_), None) => {
                    mismatches.push(format!("{name} {key}: no expected outcome"));
                    slot.2 += 1;
                    continue;
                }
                (Err(e), _) => {
                    mismatches.push(format!("{name} {key}: error {e}"));
                    slot.2 += 1;
                    continue;
                }
            };
            if !ok {
                slot.2 += 1;
                mismatches.push(format!("{name} {key}: outcome differs from expected.json"));
            }
        }
    }
    let wall = wall.elapsed();
    let rules_total: Duration = per_rule.values().map(|v| v.1).sum();
    println!(
        "mufakat-allocation on {} files from {} (repeat {repeat})",
        files.len(),
        dir.display()
    );
    println!(
        "{:<28} {:>6} {:>12} {:>10}",
        "rule", "calls", "seconds", "mismatch"
    );
    for (k, (n, d, m)) in &per_rule {
        println!("{k:<28} {n:>6} {:>12.4} {m:>10}", secs(*d));
    }
    println!(
        "{:<28} {:>6} {:>12.4}",
        "parse (.pb)",
        files.len(),
        secs(parse_time)
    );
    println!(
        "{:<28} {:>6} {:>12.4} {:>10}",
        "total rules",
        per_rule.values().map(|v| v.0).sum::<usize>(),
        secs(rules_total),
        mismatches.len()
    );
    println!("{:<28} {:>6} {:>12.4}", "total wall", "", secs(wall));
    slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
    println!("slowest calls:");
    for (d, what) in slowest.iter().take(5) {
        println!("  {:>9.4} s  {what}", secs(*d));
    }
    for m in &mismatches {
        println!("MISMATCH {m}");
    }
    let summary = json!({
        "tool": "mufakat",
        "files": files.len(),
        "repeat": repeat,
        "rules": per_rule.iter().map(|(k, (n, d, m))| (k.to_string(), json!({"calls": n, "seconds": secs(*d), "mismatches": m}))).collect::<serde_json::Map<_, _>>(),
        "parse_seconds": secs(parse_time),
        "rules_seconds": secs(rules_total),
        "wall_seconds": secs(wall),
        "mismatches": mismatches.len(),
    });
    println!("{summary}");
    if mismatches.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

// ---------------------------------------------------------------------------------------------
// Synthetic elections

/// SplitMix64: small, deterministic, good enough for generating test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A deterministic approval election: project ids `1..=P`; costs 5,000–500,000 in steps of 1,000
/// (a few cheap, a few expensive); every voter approves 1–10 distinct projects, drawn with a
/// skewed popularity (rank r is drawn with probability ∝ 1/(r+1), over a random permutation of
/// the projects, so popularity is unrelated to id and cost); budget = ⌊total cost / 4⌋.
pub fn synthetic(projects: usize, voters: usize, seed: u64) -> Election {
    let mut rng = Rng(seed ^ 0x4D55_4641_4B41_5400);
    let costs: Vec<u64> = (0..projects)
        .map(|_| {
            let u = rng.unit();
            // Squared uniform: more cheap projects than expensive ones.
            1000 * (5 + (u * u * 495.0) as u64)
        })
        .collect();
    let mut order: Vec<usize> = (0..projects).collect();
    for i in (1..projects).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        order.swap(i, j);
    }
    // Cumulative weights 1/(r+1) for popularity rank r.
    let mut cum = Vec::with_capacity(projects);
    let mut acc = 0.0;
    for r in 0..projects {
        acc += 1.0 / (r as f64 + 1.0);
        cum.push(acc);
    }
    let total_w = acc;
    let mut votes = Vec::with_capacity(voters);
    let mut chosen = vec![false; projects];
    for v in 0..voters {
        let k = (1 + rng.below(10) as usize).min(projects);
        let mut ballot = Vec::with_capacity(k);
        while ballot.len() < k {
            let x = rng.unit() * total_w;
            let r = cum.partition_point(|&c| c <= x).min(projects - 1);
            let p = order[r];
            if !chosen[p] {
                chosen[p] = true;
                ballot.push(p);
            }
        }
        for &p in &ballot {
            chosen[p] = false;
        }
        votes.push(Vote {
            voter_id: (v + 1).to_string(),
            projects: ballot.iter().map(|p| (p + 1).to_string()).collect(),
            points: Vec::new(),
            extra: Vec::new(),
        });
    }
    let total: u64 = costs.iter().sum();
    Election {
        meta: vec![
            ("description".into(), format!("synthetic approval election, {projects} projects, {voters} voters, seed {seed}")),
            ("country".into(), "synthetic".into()),
            ("unit".into(), "bench_all".into()),
            ("instance".into(), format!("synthetic-{projects}-{voters}-{seed}")),
            ("num_projects".into(), projects.to_string()),
            ("num_votes".into(), voters.to_string()),
        ],
        budget: Rational::from_integer(total / 4),
        vote_type: VoteType::Approval,
        project_columns: Vec::new(),
        projects: costs
            .iter()
            .enumerate()
            .map(|(i, c)| Project { id: (i + 1).to_string(), cost: Rational::from_integer(*c), extra: Vec::new() })
            .collect(),
        vote_columns: Vec::new(),
        votes,
    }
}

fn run_synthetic(
    projects: usize,
    voters: usize,
    seed: u64,
    rules: &[String],
    write_to: Option<&Path>,
) -> ExitCode {
    if projects == 0 {
        return usage();
    }
    let t = Instant::now();
    let election = synthetic(projects, voters, seed);
    let gen = t.elapsed();
    let approvals: usize = election.votes.iter().map(|v| v.projects.len()).sum();
    println!(
        "synthetic election: {projects} projects, {voters} voters, {approvals} approvals, budget {}, seed {seed} (generated in {:.3} s)",
        election.budget,
        secs(gen)
    );
    if let Some(path) = write_to {
        let t = Instant::now();
        let text = write(&election);
        if let Err(e) = std::fs::write(path, &text) {
            eprintln!("{}: {e}", path.display());
            return ExitCode::from(2);
        }
        println!(
            "wrote {} ({} bytes) in {:.3} s",
            path.display(),
            text.len(),
            secs(t.elapsed())
        );
        // Parse it back, as the pabutools side does, and time that too.
        let t = Instant::now();
        match parse(&text) {
            Ok(back) if back == election => {
                println!("parsed back identical in {:.3} s", secs(t.elapsed()))
            }
            Ok(_) => println!("WARNING: parsed back election differs"),
            Err(e) => println!("WARNING: cannot parse back: {e}"),
        }
    }
    let mut results = serde_json::Map::new();
    let mut failed = false;
    for name in rules {
        let Some((rule, sat)) = synthetic_rule(name) else {
            eprintln!("unknown rule {name} (greedy, mes, mes_card, mes_greedy, phragmen)");
            return ExitCode::from(2);
        };
        let opts = Options {
            satisfaction: sat,
            ..Options::default()
        };
        let t = Instant::now();
        let res = allocate(&election, rule, &opts);
        let el = t.elapsed();
        match res {
            Ok(a) => {
                println!(
                    "{name:<12} {:>10.3} s  {} selected: {}",
                    secs(el),
                    a.selected.len(),
                    a.selected.join(",")
                );
                results.insert(
                    name.clone(),
                    json!({"seconds": secs(el), "selected": a.selected}),
                );
            }
            Err(e) => {
                println!("{name:<12} error: {e}");
                failed = true;
            }
        }
    }
    println!(
        "{}",
        json!({"tool": "mufakat", "synthetic": {"projects": projects, "voters": voters, "seed": seed, "approvals": approvals}, "rules": results})
    );
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn run_scaling(rules: &[String]) -> ExitCode {
    let ps = [50usize, 100, 200, 400];
    let vs = [25_000usize, 50_000, 100_000, 200_000];
    for name in rules {
        let Some((rule, sat)) = synthetic_rule(name) else {
            eprintln!("unknown rule {name}");
            return ExitCode::from(2);
        };
        let opts = Options {
            satisfaction: sat,
            ..Options::default()
        };
        println!("{name}: seconds per run (seed 1); rows = projects, columns = voters");
        print!("{:>9}", "P \\ V");
        for v in vs {
            print!(" {v:>10}");
        }
        println!("   selected@200k");
        let mut rows = Vec::new();
        for p in ps {
            print!("{p:>9}");
            let mut row = Vec::new();
            let mut sel = 0;
            for v in vs {
                let e = synthetic(p, v, 1);
                let t = Instant::now();
                let a = allocate(&e, rule, &opts);
                let el = secs(t.elapsed());
                match a {
                    Ok(a) => sel = a.selected.len(),
                    Err(e) => {
                        eprintln!("{name} P={p} V={v}: {e}");
                        return ExitCode::FAILURE;
                    }
                }
                print!(" {el:>10.3}");
                use std::io::Write;
                let _ = std::io::stdout().flush();
                row.push(json!({"voters": v, "seconds": el}));
            }
            println!("   {sel}");
            rows.push(json!({"projects": p, "runs": row}));
        }
        println!(
            "{}",
            json!({"tool": "mufakat", "scaling": name, "grid": rows})
        );
    }
    ExitCode::SUCCESS
}
