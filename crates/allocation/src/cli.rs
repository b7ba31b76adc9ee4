//! The `pb` command-line interface, as a library so the `mufakat` binary can mount it as
//! `mufakat pb <PbCommand>` (the crate's `examples/pb.rs` runs it stand-alone).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{bail, Context};

use crate::number::{parse_number, Rational};
use crate::pb::Election;
use crate::rules::{
    allocate_with_progress, Add1Step, Allocation, Completion, Options, Reason, Rule, Satisfaction,
    TieBreaking,
};

/// Participatory-budgeting tools working on Pabulib `.pb` files.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum PbCommand {
    /// Compute the winning projects of a `.pb` election with an allocation rule.
    Allocate(AllocateArgs),
    /// Parse a `.pb` file and print a summary (or the first error with its line and column).
    Check(CheckArgs),
}

/// Allocation rule names on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RuleArg {
    /// Method of Equal Shares (see --completion).
    Mes,
    /// Greedy utilitarian welfare.
    Greedy,
    /// Sequential Phragmén.
    Phragmen,
    /// Exact maximum utilitarian welfare.
    Maxwelfare,
}

#[derive(Debug, Clone, clap::Args)]
pub struct AllocateArgs {
    /// The election, a Pabulib `.pb` file.
    pub file: PathBuf,
    /// The rule to run.
    #[arg(long, value_enum)]
    pub rule: RuleArg,
    /// What MES does with leftover budget (MES only).
    #[arg(long, value_enum, default_value_t = Completion::None)]
    pub completion: Completion,
    /// Add1 completion: amount added to every voter's share per iteration (exact number, e.g. 1
    /// or 0.5). Default: the total budget grows by 1% per iteration, as in pabutools.
    #[arg(long, value_name = "N")]
    pub add1_step: Option<String>,
    /// Add1 completion: give up after this many MES runs and keep the last outcome.
    #[arg(long, value_name = "N", default_value_t = crate::rules::DEFAULT_ADD1_MAX_RUNS)]
    pub add1_max_runs: u64,
    /// Satisfaction measure (greedy, MES and maxwelfare).
    #[arg(long, value_enum, default_value_t = Satisfaction::Cost)]
    pub sat: Satisfaction,
    /// Tie-breaking between equally good projects.
    #[arg(long, value_enum, default_value_t = TieBreaking::Lexicographic)]
    pub tie_breaking: TieBreaking,
    /// Print one JSON object (rule, budget, selected, total_cost, steps, projects, mes …).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct CheckArgs {
    /// The `.pb` file to check.
    pub file: PathBuf,
}

/// Runs a `pb` subcommand, printing to stdout.
pub fn run(cmd: PbCommand) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cmd {
        PbCommand::Allocate(args) => {
            let (election, alloc) = allocate_from_args(&args)?;
            if args.json {
                serde_json::to_writer(&mut out, &alloc)?;
                writeln!(out)?;
            } else {
                write_table(&mut out, &election, &alloc)?;
            }
        }
        PbCommand::Check(args) => {
            let e = Election::from_path(&args.file)
                .with_context(|| format!("{} is not a valid .pb file", args.file.display()))?;
            writeln!(
                out,
                "{}: {} election, budget {}, {} projects, {} votes",
                args.file.display(),
                e.vote_type.as_str(),
                e.budget,
                e.projects.len(),
                e.votes.len()
            )?;
        }
    }
    Ok(())
}

/// Parses the file and runs the rule described by `args` (with a progress bar on a terminal).
pub fn allocate_from_args(args: &AllocateArgs) -> anyhow::Result<(Election, Allocation)> {
    let election = Election::from_path(&args.file)
        .with_context(|| format!("{} is not a valid .pb file", args.file.display()))?;
    let rule = match args.rule {
        RuleArg::Mes => Rule::Mes(args.completion),
        RuleArg::Greedy => Rule::Greedy,
        RuleArg::Phragmen => Rule::Phragmen,
        RuleArg::Maxwelfare => Rule::MaxWelfare,
    };
    if args.rule != RuleArg::Mes && args.completion != Completion::None {
        bail!("--completion applies to --rule mes only");
    }
    let add1_step = match &args.add1_step {
        None => Add1Step::OnePercent,
        Some(s) => {
            if !matches!(args.completion, Completion::Add1 | Completion::Add1Greedy) {
                bail!("--add1-step needs --completion add1 or add1-greedy");
            }
            let v = parse_number(s).map_err(|m| anyhow::anyhow!("--add1-step: {m}"))?;
            Add1Step::PerVoter(Rational(v))
        }
    };
    let opts = Options {
        satisfaction: args.sat,
        tie_breaking: args.tie_breaking,
        add1_step,
        add1_max_runs: args.add1_max_runs,
    };
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.set_message(format!("{} ", rule.name()));
        bar
    });
    let update = |done: u64, total: u64| {
        if let Some(b) = &bar {
            b.set_length(total);
            b.set_position(done);
        }
    };
    let result = allocate_with_progress(&election, rule, &opts, Some(&update));
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let alloc = result?;
    Ok((election, alloc))
}

fn reason_text(r: &Reason) -> String {
    match r {
        Reason::DidNotFit { remaining } => format!(
            "did not fit (only {} left)",
            remaining.to_decimal_rounded(2)
        ),
        Reason::SupportersCannotAfford { available, round } => {
            format!(
                "supporters had only {} left (MES round {round})",
                available.to_decimal_rounded(2)
            )
        }
        Reason::NoSupport => "no votes".into(),
        Reason::NoSatisfaction => "gives no satisfaction under this measure".into(),
        Reason::ExceedsBudget => "costs more than the budget".into(),
        Reason::RuleStopped { blocked_by } => format!("rule stopped at {blocked_by}"),
        Reason::NotInOptimum => "not in the optimal set".into(),
    }
}

/// Human-readable report. Numbers are rounded for display only; `--json` gives exact values.
pub fn write_table(out: &mut impl Write, e: &Election, a: &Allocation) -> std::io::Result<()> {
    let completion = match a.completion {
        Some(c) if c != Completion::None => format!(" + {c:?} completion").to_lowercase(),
        _ => String::new(),
    };
    writeln!(
        out,
        "Rule:        {}{completion} ({:?} satisfaction, {:?} tie-breaking)",
        a.rule, a.satisfaction, a.tie_breaking
    )?;
    if let Some(desc) = e.meta_value("description") {
        writeln!(out, "Election:    {desc}")?;
    }
    writeln!(out, "Budget:      {}", a.budget)?;
    writeln!(out, "Voters:      {}", a.voters)?;
    writeln!(
        out,
        "Selected:    {} of {} projects",
        a.selected.len(),
        a.projects.len()
    )?;
    writeln!(out, "Total cost:  {}", a.total_cost)?;
    writeln!(out, "Leftover:    {}", a.leftover)?;
    if let Some(m) = &a.mes {
        write!(
            out,
            "MES budget:  {} ({} per voter)",
            m.mes_budget,
            m.per_voter_budget.to_decimal_rounded(4)
        )?;
        if let Some(r) = m.add1_runs {
            write!(out, " after {r} Add1 runs")?;
        }
        writeln!(out)?;
    }
    writeln!(out)?;
    let id_w = a
        .projects
        .iter()
        .map(|p| p.id.chars().count())
        .max()
        .unwrap_or(2)
        .max(7);
    writeln!(
        out,
        "{:>4}  {:<id_w$}  {:>14}  {:<9}  {:>12}  {:>14}  ties",
        "#", "project", "cost", "stage", "score", "remaining"
    )?;
    for s in &a.steps {
        writeln!(
            out,
            "{:>4}  {:<id_w$}  {:>14}  {:<9}  {:>12}  {:>14}  {}",
            s.order,
            s.project,
            s.cost.to_string(),
            format!("{:?}", s.stage).to_lowercase(),
            s.score
                .as_ref()
                .map(|x| x.to_decimal_rounded(4))
                .unwrap_or_else(|| "inf".into()),
            s.remaining_budget.to_decimal_rounded(2),
            s.tied_with.join(","),
        )?;
    }
    let rejected: Vec<_> = a.projects.iter().filter(|p| !p.selected).collect();
    if !rejected.is_empty() {
        writeln!(out, "\nNot selected:")?;
        for p in rejected {
            let why = p.reason.as_ref().map(reason_text).unwrap_or_default();
            writeln!(
                out,
                "      {:<id_w$}  {:>14}  {:>6} votes  {why}",
                p.id,
                p.cost.to_string(),
                p.supporters
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct TestCli {
        #[command(subcommand)]
        cmd: PbCommand,
    }

    const PB: &str = "META\nkey;value\ndescription;CLI test\nbudget;31\nvote_type;approval\nPROJECTS\nproject_id;cost\na;12\nb;20\nc;12\nVOTES\nvoter_id;vote\nv1;a,b\nv2;a,b,c\nv3;b,c\n";

    fn args(file: &std::path::Path, extra: &[&str]) -> AllocateArgs {
        let mut argv = vec!["pb", "allocate", file.to_str().unwrap()];
        argv.extend_from_slice(extra);
        match TestCli::try_parse_from(argv).unwrap().cmd {
            PbCommand::Allocate(a) => a,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn allocate_json_and_table() {
        let dir = std::env::temp_dir().join(format!("mufakat-alloc-cli-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("t.pb");
        std::fs::write(&file, PB).unwrap();

        let a = args(&file, &["--rule", "mes", "--sat", "cardinality", "--json"]);
        let (e, alloc) = allocate_from_args(&a).unwrap();
        let json = serde_json::to_value(&alloc).unwrap();
        assert_eq!(json["rule"], "mes");
        assert_eq!(json["budget"], "31");
        assert_eq!(json["selected"], serde_json::json!(["a", "c"]));
        assert_eq!(json["total_cost"], "24");
        assert_eq!(json["mes"]["rounds"][1]["payments"][0]["amount"], "23/3");

        let mut table = Vec::new();
        write_table(&mut table, &e, &alloc).unwrap();
        let table = String::from_utf8(table).unwrap();
        assert!(table.contains("Selected:    2 of 3 projects"), "{table}");
        assert!(table.contains("supporters had only 19 left"), "{table}");

        let g = args(&file, &["--rule", "greedy", "--completion", "greedy"]);
        assert!(allocate_from_args(&g).is_err());
        let s = args(&file, &["--rule", "mes", "--add1-step", "1"]);
        assert!(allocate_from_args(&s).is_err());
        let ok = args(
            &file,
            &[
                "--rule",
                "mes",
                "--completion",
                "add1",
                "--add1-step",
                "0.5",
                "--tie-breaking",
                "most-votes",
            ],
        );
        assert!(allocate_from_args(&ok).is_ok());

        std::fs::write(&file, "META\nkey;value\nbudget;x\n").unwrap();
        let err = allocate_from_args(&args(&file, &["--rule", "greedy"])).unwrap_err();
        assert!(format!("{err:#}").contains("line 3, column 8"), "{err:#}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
