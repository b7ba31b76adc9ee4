#!/usr/bin/env python3
"""Time pabutools 1.2.3 on the same elections and rule keys as `examples/bench_all.rs`.

pabutools (GPL-3) is used only as an external program: this script imports and runs it, none of
its code is copied.

    /work/venv-pabu/bin/python crates/allocation/bench/pabutools_bench.py [DIR]
        [--expected FILE] [--rules K1,K2,..] [--limit N]
    /work/venv-pabu/bin/python crates/allocation/bench/pabutools_bench.py \
        --synthetic P V SEED [--file FILE] [--rules greedy,mes,phragmen] [--compare RUST_JSON]

Pabulib mode: every `*.pb` in DIR (default ../shared/pabulib/instances relative to the
workspace root), in file-name order, first N with `--limit N`, the rule keys of expected.json
(greedy_cost, mes_cost, mes_card, mes_cost_greedy_completion, seq_phragmen; seq_phragmen only on
approval files, as in expected.json), each outcome compared with expected.json. Each call runs
in-process and cannot be interrupted, so there is no per-call time cap: restrict the run with
`--limit` and `--rules` instead. Totals are over the files and rules actually run; give the same
`--limit`/`--rules` to `bench_all` to compare on exactly the same subset. Timing per call is
`time.perf_counter()` around the rule only; parsing (`parse_pabulib`) is timed separately.

Synthetic mode: reads the election written by
`bench_all --synthetic P V SEED --write FILE` (default FILE: /tmp/synthetic_P_V_SEED.pb), runs
greedy (Cost_Sat), MES (Cost_Sat) and sequential Phragmén, prints the time per rule and, with
`--compare` (the JSON line printed by bench_all), checks that the outcomes are identical.

The last line of output is a JSON summary; exit status 1 on any mismatch.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

try:
    import pabutools
    from pabutools.election import Cardinality_Sat, Cost_Sat, parse_pabulib
    from pabutools.election.profile import ApprovalProfile
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
        sequential_phragmen,
    )
except ImportError as exc:  # pragma: no cover
    sys.exit(f"pabutools is not importable ({exc}); pip install pabutools==1.2.3")

KEYS = ["greedy_cost", "mes_cost", "mes_card", "mes_cost_greedy_completion", "seq_phragmen"]


def run_key(key: str, instance, profile):
    """The pabutools call behind each key of expected.json (default lexicographic tie-breaking)."""
    if key == "greedy_cost":
        return greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    if key == "mes_cost":
        return method_of_equal_shares(instance, profile, sat_class=Cost_Sat)
    if key == "mes_card":
        return method_of_equal_shares(instance, profile, sat_class=Cardinality_Sat)
    if key == "mes_cost_greedy_completion":
        return completion_by_rule_combination(
            instance, profile, [method_of_equal_shares, greedy_utilitarian_welfare],
            [{"sat_class": Cost_Sat}, {"sat_class": Cost_Sat}])
    if key == "seq_phragmen":
        return sequential_phragmen(instance, profile)
    raise ValueError(key)


SYNTHETIC = {"greedy": "greedy_cost", "mes": "mes_cost", "mes_card": "mes_card",
             "mes_greedy": "mes_cost_greedy_completion", "phragmen": "seq_phragmen"}


def default_dir() -> Path:
    # <workspace>/crates/allocation/bench/this.py -> <workspace>/../shared/pabulib/instances
    return Path(__file__).resolve().parents[4] / "shared" / "pabulib" / "instances"


def bench_pabulib(args) -> int:
    directory = Path(args.dir) if args.dir else default_dir()
    expected_path = Path(args.expected) if args.expected else directory.parent / "expected.json"
    expected = json.loads(expected_path.read_text())
    keys = args.rules.split(",") if args.rules else KEYS
    for k in keys:
        if k not in KEYS:
            sys.exit(f"unknown rule key {k} (known: {', '.join(KEYS)})")
    files = sorted(directory.glob("*.pb"), key=lambda p: p.name)
    if args.limit is not None:
        files = files[: args.limit]
    per_rule = {k: {"calls": 0, "seconds": 0.0, "mismatches": 0} for k in keys}
    mismatches: list[str] = []
    slowest: list[tuple[float, str]] = []
    parse_s = 0.0
    wall0 = time.perf_counter()
    for i, path in enumerate(files, 1):
        t = time.perf_counter()
        instance, profile = parse_pabulib(str(path))
        parse_s += time.perf_counter() - t
        entry = expected.get(path.name, {})
        approval = isinstance(profile, ApprovalProfile)
        file_s = 0.0
        for key in keys:
            if key == "seq_phragmen" and not approval:
                continue
            t = time.perf_counter()
            res = run_key(key, instance, profile)
            el = time.perf_counter() - t
            file_s += el
            per_rule[key]["calls"] += 1
            per_rule[key]["seconds"] += el
            slowest.append((el, f"{path.name} {key}"))
            got = sorted(p.name for p in res)
            if key not in entry:
                per_rule[key]["mismatches"] += 1
                mismatches.append(f"{path.name} {key}: no expected outcome")
            elif got != entry[key]:
                per_rule[key]["mismatches"] += 1
                mismatches.append(f"{path.name} {key}: expected {entry[key]}, got {got}")
        if args.progress:
            print(f"[{i}/{len(files)}] {path.name}: {file_s:.2f} s", file=sys.stderr, flush=True)
    wall = time.perf_counter() - wall0
    rules_s = sum(v["seconds"] for v in per_rule.values())
    print(f"pabutools {pabutools.__version__ if hasattr(pabutools, '__version__') else '?'} "
          f"on {len(files)} files from {directory}")
    print(f"{'rule':<28} {'calls':>6} {'seconds':>12} {'mismatch':>10}")
    for k in sorted(per_rule):
        v = per_rule[k]
        print(f"{k:<28} {v['calls']:>6} {v['seconds']:>12.4f} {v['mismatches']:>10}")
    print(f"{'parse (.pb)':<28} {len(files):>6} {parse_s:>12.4f}")
    print(f"{'total rules':<28} {sum(v['calls'] for v in per_rule.values()):>6} {rules_s:>12.4f} {len(mismatches):>10}")
    print(f"{'total wall':<28} {'':>6} {wall:>12.4f}")
    print("slowest calls:")
    for el, what in sorted(slowest, reverse=True)[:5]:
        print(f"  {el:>9.4f} s  {what}")
    for m in mismatches:
        print(f"MISMATCH {m}")
    print(json.dumps({"tool": "pabutools", "files": len(files), "rules": per_rule, "parse_seconds": parse_s,
                      "rules_seconds": rules_s, "wall_seconds": wall, "mismatches": len(mismatches)}))
    return 1 if mismatches else 0


def bench_synthetic(args) -> int:
    p, v, seed = args.synthetic
    path = Path(args.file or f"/tmp/synthetic_{p}_{v}_{seed}.pb")
    if not path.is_file():
        sys.exit(f"{path} missing: run bench_all --synthetic {p} {v} {seed} --write {path}")
    t = time.perf_counter()
    instance, profile = parse_pabulib(str(path))
    parse_s = time.perf_counter() - t
    print(f"synthetic election {path}: {len(instance)} projects, {profile.num_ballots()} voters, "
          f"budget {instance.budget_limit} (parsed in {parse_s:.3f} s)", flush=True)
    rust = None
    if args.compare:
        text = Path(args.compare).read_text().strip().splitlines()
        rust = json.loads(text[-1])["rules"]
    names = args.rules.split(",") if args.rules else ["greedy", "mes", "phragmen"]
    results = {}
    bad = 0
    for name in names:
        key = SYNTHETIC[name]
        t = time.perf_counter()
        res = run_key(key, instance, profile)
        el = time.perf_counter() - t
        got = sorted(pr.name for pr in res)
        same = None
        if rust is not None and name in rust:
            same = got == rust[name]["selected"]
            bad += not same
        print(f"{name:<12} {el:>10.3f} s  {len(got)} selected"
              + ("" if same is None else ("  identical to Mufakat" if same else "  DIFFERS from Mufakat")), flush=True)
        results[name] = {"seconds": el, "selected": got, "identical": same}
    print(json.dumps({"tool": "pabutools", "synthetic": {"projects": p, "voters": v, "seed": seed},
                      "parse_seconds": parse_s, "rules": results}))
    return 1 if bad else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", nargs="?", help="folder of .pb files")
    ap.add_argument("--expected", help="expected.json (default DIR/../expected.json)")
    ap.add_argument("--rules", help="comma-separated subset of the rule keys")
    ap.add_argument("--limit", type=int, help="only the first N files in name order")
    ap.add_argument("--progress", action="store_true", help="per-file times on stderr")
    ap.add_argument("--synthetic", nargs=3, type=int, metavar=("P", "V", "SEED"))
    ap.add_argument("--file", help="synthetic .pb written by bench_all --write")
    ap.add_argument("--compare", help="file holding bench_all's synthetic output (last line JSON)")
    args = ap.parse_args()
    return bench_synthetic(args) if args.synthetic else bench_pabulib(args)


if __name__ == "__main__":
    sys.exit(main())
