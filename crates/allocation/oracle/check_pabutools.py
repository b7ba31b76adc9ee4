#!/usr/bin/env python3
"""Differential check of Mufakat's allocation rules against pabutools 1.2.3.

pabutools (GPL-3) is used only as an external oracle: this script imports it, never copies it.

It generates synthetic Pabulib elections (many ties, tiny and huge budgets, decimal costs,
projects costing more than the budget, free projects, empty ballots, approval and cumulative
ballots, ids like "9" and "10" whose string order differs from their numeric order), writes
them as .pb files, runs every rule/option combination through our CLI
(`<cli> allocate FILE --rule ... --json`) and through pabutools, and compares the selected sets.

Usage (pabutools must be importable, e.g. from a venv):

    python3 -m venv /tmp/venv-pabu && /tmp/venv-pabu/bin/pip install pabutools==1.2.3
    cargo build -p mufakat-allocation --example pb
    /tmp/venv-pabu/bin/python crates/allocation/oracle/check_pabutools.py \
        --cli target/debug/examples/pb --count 150
    # or with the main binary:  --cli "target/debug/mufakat pb"

Options: --count N (instances, default 150), --seed S, --keep DIR (keep the generated .pb
files), --pabulib DIR (also check the real elections in DIR/*.pb, slower).

Max-welfare: pabutools does not specify which optimal set it returns, so there we check that
our welfare equals the true optimum (brute force over all subsets) and is at least
pabutools' value; a pabutools value below the optimum is reported as a note, not a failure.

Prints "N passed, N failed" and exits non-zero on any mismatch.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import shlex
import subprocess
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

try:
    from pabutools.election import (
        ApprovalBallot,
        ApprovalProfile,
        Cardinality_Sat,
        Cost_Sat,
        parse_pabulib,
    )
    from pabutools.rules import (
        completion_by_rule_combination,
        exhaustion_by_budget_increase,
        greedy_utilitarian_welfare,
        max_additive_utilitarian_welfare,
        method_of_equal_shares,
        sequential_phragmen,
    )
    from pabutools.tiebreaking import TieBreakingRule
    import pabutools
except ImportError as exc:  # pragma: no cover
    sys.exit(f"pabutools is not importable ({exc}); pip install pabutools==1.2.3")

SATS = {"cost": Cost_Sat, "cardinality": Cardinality_Sat}


# ------------------------------------------------------------------------------------------
# Instance generation


def fmt(x: Fraction) -> str:
    """Exact decimal text for a Fraction whose denominator divides a power of ten."""
    if x.denominator == 1:
        return str(x.numerator)
    for places in range(1, 12):
        scaled = x * 10**places
        if scaled.denominator == 1:
            s = str(abs(scaled.numerator)).rjust(places + 1, "0")
            return ("-" if x < 0 else "") + s[:-places] + "." + s[-places:]
    raise ValueError(x)


def gen_instance(rng: random.Random, idx: int) -> str:
    n_projects = rng.randint(1, 10)
    style = rng.choice(["numeric", "numeric", "alpha", "mixed"])
    if style == "numeric":
        ids = [str(i) for i in rng.sample(range(1, 25), n_projects)]
    elif style == "alpha":
        ids = rng.sample(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "A", "B", "zz"], n_projects)
    else:
        ids = rng.sample(["9", "10", "100", "2", "20", "x1", "x10", "x2", "P-3", "p3", "b"], n_projects)

    scale = rng.choice(["tiny", "normal", "normal", "huge", "decimal"])
    if scale == "tiny":
        budget = Fraction(rng.randint(0, 20))
        cost_pool = [0, 1, 2, 3, 5, 5, 8, 10, 15, 30]
    elif scale == "huge":
        budget = Fraction(rng.randint(1, 9) * 10**12)
        cost_pool = [0, 10**6, 5 * 10**11, 10**12, 2 * 10**12, 10**13, 3 * 10**11]
    elif scale == "decimal":
        budget = Fraction(rng.randint(100, 5000), rng.choice([1, 10, 100]))
        cost_pool = [Fraction(rng.randint(0, 3000), rng.choice([1, 10, 100])) for _ in range(6)]
    else:
        budget = Fraction(rng.choice([100, 1000, 999, 1001, 2500]))
        cost_pool = [0, 50, 100, 100, 200, 250, 300, 333, 500, 999, 1200, 5000]
    if rng.random() < 0.5:  # many equal costs -> many ties
        cost_pool = cost_pool[: max(2, len(cost_pool) // 3)]
    costs = {p: Fraction(rng.choice(cost_pool)) for p in ids}

    n_voters = rng.choice([0, 1, 2, 3, 5, 8, 13, 20, 30]) if rng.random() < 0.15 else rng.randint(1, 30)
    vote_type = rng.choice(["approval", "approval", "cumulative"])
    ballots = []
    templates = [rng.sample(ids, rng.randint(0, n_projects)) for _ in range(rng.randint(1, 4))]
    for _ in range(n_voters):
        if rng.random() < 0.5:  # identical ballots -> ties in supporters
            b = list(rng.choice(templates))
        else:
            b = rng.sample(ids, rng.randint(0, min(n_projects, 5)))
        ballots.append(b)

    lines = ["META", "key;value", f"description;synthetic {idx}", f"num_projects;{n_projects}",
             f"num_votes;{n_voters}", f"budget;{fmt(budget)}", f"vote_type;{vote_type}",
             "PROJECTS", "project_id;cost;name"]
    for p in ids:
        lines.append(f"{p};{fmt(costs[p])};project {p}")
    lines.append("VOTES")
    lines.append("voter_id;vote;points" if vote_type == "cumulative" else "voter_id;vote")
    for v, b in enumerate(ballots, 1):
        if vote_type == "cumulative":
            pts = [str(rng.randint(1, 5)) for _ in b]
            # pabutools reads an empty cumulative ballot only when its points field is "None".
            lines.append(f"{v};{','.join(b)};{','.join(pts) if b else 'None'}")
        else:
            lines.append(f"{v};{','.join(b)}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------
# pabutools side


def tie_rule(name: str, instance, profile):
    support = {p: sum(1 for b in profile if p in b) for p in instance}
    keys = {
        "lexicographic": lambda p: (p.name,),
        "min-cost": lambda p: (p.cost, p.name),
        "max-cost": lambda p: (-p.cost, p.name),
        "most-votes": lambda p: (-support[p], p.name),
    }
    key = keys[name]
    return TieBreakingRule(lambda inst, prof, proj: key(proj))


def as_approval(profile):
    return ApprovalProfile([ApprovalBallot(list(b)) for b in profile])


def welfare(selection, profile, sat: str) -> Fraction:
    total = Fraction(0)
    for p in selection:
        support = sum(1 for b in profile if p in b)
        total += support * (Fraction(p.cost) if sat == "cost" else 1)
    return total


def brute_force_welfare(instance, profile, sat: str) -> Fraction:
    projects = list(instance)
    best = Fraction(0)
    for r in range(len(projects) + 1):
        for combo in itertools.combinations(projects, r):
            if sum(Fraction(p.cost) for p in combo) <= Fraction(instance.budget_limit):
                best = max(best, welfare(combo, profile, sat))
    return best


def pabutools_outcome(instance, profile, cfg):
    rule, sat, completion, tie, step = cfg["rule"], cfg["sat"], cfg["completion"], cfg["tie"], cfg["step"]
    tb = tie_rule(tie, instance, profile)
    sat_class = SATS[sat]
    if rule == "greedy":
        res = greedy_utilitarian_welfare(instance, profile, sat_class=sat_class, tie_breaking=tb)
    elif rule == "phragmen":
        res = sequential_phragmen(instance, as_approval(profile), tie_breaking=tb)
    elif rule == "mes":
        params = {"sat_class": sat_class, "tie_breaking": tb}
        if completion == "none":
            res = method_of_equal_shares(instance, profile, **params)
        elif completion == "greedy":
            res = completion_by_rule_combination(
                instance, profile, [method_of_equal_shares, greedy_utilitarian_welfare],
                [dict(params), {"sat_class": sat_class, "tie_breaking": tb}])
        else:
            budget_step = None if step is None else Fraction(step) * profile.num_ballots()
            res = exhaustion_by_budget_increase(
                instance, profile, method_of_equal_shares, dict(params), budget_step=budget_step)
            if completion == "add1-greedy":
                res = greedy_utilitarian_welfare(instance, profile, sat_class=sat_class, tie_breaking=tb,
                                                 initial_budget_allocation=res)
    else:
        raise ValueError(rule)
    return sorted(p.name for p in res)


# ------------------------------------------------------------------------------------------
# Our side


def ours(cli: list[str], path: Path, cfg) -> dict:
    cmd = cli + ["allocate", str(path), "--rule", cfg["rule"], "--sat", cfg["sat"],
                 "--tie-breaking", cfg["tie"], "--json"]
    if cfg["completion"] != "none":
        cmd += ["--completion", cfg["completion"]]
    if cfg["step"] is not None:
        cmd += ["--add1-step", cfg["step"]]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"{shlex.join(cmd)} failed: {proc.stderr.strip()}")
    return json.loads(proc.stdout)


def configs(instance, profile, real: bool):
    ties = ["lexicographic"] if real else ["lexicographic", "min-cost", "max-cost", "most-votes"]
    for tie in ties:
        for sat in ("cost", "cardinality"):
            yield {"rule": "greedy", "sat": sat, "completion": "none", "tie": tie, "step": None}
            yield {"rule": "mes", "sat": sat, "completion": "none", "tie": tie, "step": None}
            yield {"rule": "mes", "sat": sat, "completion": "greedy", "tie": tie, "step": None}
        yield {"rule": "phragmen", "sat": "cost", "completion": "none", "tie": tie, "step": None}
    # With no voters or a zero budget the budget step is 0 and pabutools' Add1 loops forever.
    add1 = Fraction(instance.budget_limit) > 0 and profile.num_ballots() > 0
    for sat in ("cost", "cardinality"):
        if add1:
            yield {"rule": "mes", "sat": sat, "completion": "add1", "tie": "lexicographic", "step": None}
        yield {"rule": "maxwelfare", "sat": sat, "completion": "none", "tie": "lexicographic", "step": None}
    # A per-voter step s means up to budget / s MES runs: only where that stays small.
    budget = Fraction(instance.budget_limit)
    if add1 and not real and budget <= 1000:
        yield {"rule": "mes", "sat": "cost", "completion": "add1", "tie": "lexicographic", "step": "1"}
    if add1 and not real and budget <= 500:
        yield {"rule": "mes", "sat": "cardinality", "completion": "add1-greedy", "tie": "lexicographic", "step": "0.5"}
    if add1 and not real:
        yield {"rule": "mes", "sat": "cost", "completion": "add1-greedy", "tie": "lexicographic", "step": None}


def describe(cfg) -> str:
    s = f"{cfg['rule']}/{cfg['sat']}/{cfg['tie']}"
    if cfg["completion"] != "none":
        s += f"/{cfg['completion']}"
    if cfg["step"] is not None:
        s += f"/step={cfg['step']}"
    return s


def check_file(cli, path: Path, real: bool, counters, notes):
    instance, profile = parse_pabulib(str(path))
    for cfg in configs(instance, profile, real):
        label = f"{path.name} {describe(cfg)}"
        try:
            got = ours(cli, path, cfg)
        except Exception as exc:  # noqa: BLE001
            counters["failed"] += 1
            print(f"FAIL {label}: {exc}")
            continue
        if cfg["rule"] == "maxwelfare":
            our_w = Fraction(got["welfare"])
            sel = [p for p in instance if p.name in set(got["selected"])]
            feasible = sum(Fraction(p.cost) for p in sel) <= Fraction(instance.budget_limit)
            ok_w = our_w == welfare(sel, profile, cfg["sat"]) and feasible
            if not real and len(instance) <= 12:
                truth = brute_force_welfare(instance, profile, cfg["sat"])
                ok_w = ok_w and our_w == truth
            try:
                pabu = max_additive_utilitarian_welfare(instance, profile, sat_class=SATS[cfg["sat"]])
                pabu_w = welfare(pabu, profile, cfg["sat"])
            except Exception as exc:  # noqa: BLE001  (its primal/dual solver crashes on some inputs)
                notes.append(f"note: {label}: pabutools' max-welfare raised {type(exc).__name__}: {exc}")
                pabu_w = None
            if pabu_w is None:
                pass
            elif pabu_w > our_w:
                ok_w = False
            elif pabu_w < our_w:
                notes.append(f"note: {label}: pabutools' max-welfare value {pabu_w} is below the optimum {our_w}")
            if ok_w:
                counters["passed"] += 1
            else:
                counters["failed"] += 1
                print(f"FAIL {label}: our welfare {our_w} (selected {got['selected']}), pabutools {pabu_w}")
            continue
        want = pabutools_outcome(instance, profile, cfg)
        if got["selected"] == want and got["total_cost"] is not None:
            counters["passed"] += 1
        else:
            counters["failed"] += 1
            print(f"FAIL {label}: pabutools {want}, ours {got['selected']}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cli", required=True,
                    help='command prefix of our CLI, e.g. "target/debug/examples/pb" or "target/debug/mufakat pb"')
    ap.add_argument("--count", type=int, default=150)
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--keep", type=Path, help="write the generated .pb files here and keep them")
    ap.add_argument("--pabulib", type=Path, help="also check the real elections DIR/*.pb")
    args = ap.parse_args()
    if pabutools.__version__ != "1.2.3" if hasattr(pabutools, "__version__") else False:
        print(f"warning: pabutools {pabutools.__version__} is not 1.2.3")
    cli = shlex.split(args.cli)
    rng = random.Random(args.seed)
    counters = {"passed": 0, "failed": 0}
    notes: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = args.keep or Path(tmp)
        out_dir.mkdir(parents=True, exist_ok=True)
        for i in range(args.count):
            path = out_dir / f"synthetic_{i:04d}.pb"
            path.write_text(gen_instance(rng, i), encoding="utf-8")
            check_file(cli, path, False, counters, notes)
        if args.pabulib:
            for path in sorted(args.pabulib.glob("*.pb")):
                check_file(cli, path, True, counters, notes)
    for n in notes[:20]:
        print(n)
    if len(notes) > 20:
        print(f"... and {len(notes) - 20} more notes")
    print(f"{counters['passed']} passed, {counters['failed']} failed")
    return 1 if counters["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
