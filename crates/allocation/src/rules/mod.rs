//! Allocation rules and the [`allocate`] entry point.
//!
//! Every rule works on exact rationals ([`BigRational`]) or exact integers; nothing depends on
//! floating-point rounding. A voter's ballot is the *set* of projects on it (points and ranks
//! are ignored), as pabutools does for these rules.

mod greedy;
mod maxwelfare;
mod mes;
mod phragmen;
#[cfg(test)]
mod reference_tests;

use std::collections::HashMap;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Zero};
use serde::{Deserialize, Serialize};

use crate::number::Rational;
use crate::pb::Election;

/// How much a voter gains from a selected project they voted for.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum Satisfaction {
    /// The project's cost (pabutools `Cost_Sat`).
    #[default]
    Cost,
    /// 1 per project (pabutools `Cardinality_Sat`).
    Cardinality,
}

/// How ties between equally good projects are broken. Every variant ends with the project id
/// compared as a string (byte-wise, so `"10" < "9"`), so the order is always total.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum TieBreaking {
    /// Smallest project id as a string (pabutools' default `lexico_tie_breaking`).
    #[default]
    Lexicographic,
    /// Cheapest project first, then lexicographic.
    MinCost,
    /// Most expensive project first, then lexicographic.
    MaxCost,
    /// Project with the most supporters (voters with it on their ballot) first, then lexicographic.
    MostVotes,
}

/// What MES does with the budget it leaves unspent.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum Completion {
    /// Plain MES.
    #[default]
    None,
    /// MES, then greedy utilitarian welfare on the leftover budget (pabutools
    /// `completion_by_rule_combination([method_of_equal_shares, greedy_utilitarian_welfare])`).
    Greedy,
    /// MES re-run with a growing budget until its outcome is exhaustive or would overspend the
    /// real budget (pabutools `exhaustion_by_budget_increase`); see [`Add1Step`].
    Add1,
    /// [`Completion::Add1`], then greedy on whatever is still left.
    Add1Greedy,
}

/// Budget increment used by [`Completion::Add1`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Add1Step {
    /// 1% of the real budget per iteration (pabutools' default `budget_step`).
    #[default]
    OnePercent,
    /// Add this much to every voter's share each iteration (total step = amount × voters).
    PerVoter(Rational),
    /// Add this much to the total budget each iteration.
    Total(Rational),
}

/// The rule to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "rule", content = "completion")]
pub enum Rule {
    /// Greedy utilitarian welfare: best satisfaction-per-cost first, skipping what no longer fits.
    Greedy,
    /// Method of Equal Shares with the given completion.
    Mes(Completion),
    /// Sequential Phragmén (stops at the first project that does not fit).
    Phragmen,
    /// Exact maximum utilitarian welfare (0/1 knapsack).
    MaxWelfare,
}

impl Rule {
    pub fn name(&self) -> &'static str {
        match self {
            Rule::Greedy => "greedy",
            Rule::Mes(_) => "mes",
            Rule::Phragmen => "phragmen",
            Rule::MaxWelfare => "maxwelfare",
        }
    }
}

/// Options shared by the rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Options {
    pub satisfaction: Satisfaction,
    pub tie_breaking: TieBreaking,
    pub add1_step: Add1Step,
    /// Safety cap on the number of MES runs made by the Add1 completion. pabutools has no cap
    /// (it stops only at `budget × (voters + 1)`, which can mean millions of runs when a
    /// project nobody can buy keeps the outcome non-exhaustive); when the cap is reached we
    /// return the last outcome, exactly as when the bound is reached.
    pub add1_max_runs: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            satisfaction: Satisfaction::default(),
            tie_breaking: TieBreaking::default(),
            add1_step: Add1Step::default(),
            add1_max_runs: DEFAULT_ADD1_MAX_RUNS,
        }
    }
}

/// Default for [`Options::add1_max_runs`].
pub const DEFAULT_ADD1_MAX_RUNS: u64 = 10_000;

/// Which phase of a rule selected a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// Greedy; `score` = total satisfaction per unit of cost (none for free projects).
    Greedy,
    /// MES; `score` = affordability ρ: each supporter pays min(budget, ρ × their satisfaction).
    Mes,
    /// A free (zero-cost) project giving satisfaction (cardinality), taken by MES up front.
    MesFree,
    /// Sequential Phragmén; `score` = the supporters' common load after buying it.
    Phragmen,
    /// Part of the welfare-maximising set; `score` = its total satisfaction.
    MaxWelfare,
}

/// One selection, in the order the rule made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// 1-based position in the selection order.
    pub order: usize,
    pub project: String,
    pub stage: Stage,
    pub cost: Rational,
    /// Meaning depends on `stage` (see [`Stage`]); `None` means infinite or not applicable.
    pub score: Option<Rational>,
    /// Other projects that were exactly as good and lost the tie-break.
    pub tied_with: Vec<String>,
    /// Budget left after this selection (against the real budget).
    pub remaining_budget: Rational,
}

/// Why a project was not selected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Reason {
    /// Greedy reached it when only `remaining` was left.
    DidNotFit { remaining: Rational },
    /// MES: its supporters' remaining money (`available`) fell short of its cost in `round`.
    SupportersCannotAfford { available: Rational, round: usize },
    /// Nobody voted for it (MES and max-welfare never select such projects).
    NoSupport,
    /// It gives its supporters no satisfaction under the chosen measure (a free project under
    /// cost satisfaction), so MES and max-welfare never select it.
    NoSatisfaction,
    /// Costs more than the whole budget.
    ExceedsBudget,
    /// Phragmén stopped because `blocked_by` (the next project by load) did not fit.
    RuleStopped { blocked_by: String },
    /// Max-welfare: not part of the chosen optimal set.
    NotInOptimum,
}

/// Outcome for one project, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectOutcome {
    pub id: String,
    pub cost: Rational,
    /// Voters with this project on their ballot.
    pub supporters: u64,
    pub selected: bool,
    /// Position in [`Allocation::steps`] (1-based) when selected.
    pub order: Option<usize>,
    pub stage: Option<Stage>,
    /// Why not selected (absent when selected).
    pub reason: Option<Reason>,
}

/// Voters that paid the same amount for a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentGroup {
    pub amount: Rational,
    pub voters: Vec<String>,
}

/// One MES purchase with every supporter's payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MesRound {
    pub round: usize,
    pub project: String,
    /// ρ: each supporter pays min(remaining money, ρ × satisfaction).
    pub affordability: Rational,
    /// ρ × satisfaction: what a supporter who could afford it paid.
    pub max_payment: Rational,
    pub tied_with: Vec<String>,
    /// Payments, largest first; the amounts × group sizes add up to the cost exactly.
    pub payments: Vec<PaymentGroup>,
}

/// MES-specific explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MesDetails {
    /// Total budget MES distributed (the real budget, or more after Add1 increases).
    pub mes_budget: Rational,
    /// `mes_budget` / number of voters.
    pub per_voter_budget: Rational,
    /// Number of MES runs made by the Add1 completion (absent without Add1).
    pub add1_runs: Option<u64>,
    pub rounds: Vec<MesRound>,
}

/// The result of [`allocate`]: the winners and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    pub rule: String,
    pub completion: Option<Completion>,
    pub satisfaction: Satisfaction,
    pub tie_breaking: TieBreaking,
    pub budget: Rational,
    /// Selected project ids, sorted as strings.
    pub selected: Vec<String>,
    pub total_cost: Rational,
    pub leftover: Rational,
    /// Utilitarian welfare of the outcome under `satisfaction`
    /// (Σ over selected projects of supporters × satisfaction per supporter).
    pub welfare: Rational,
    pub voters: u64,
    pub steps: Vec<Step>,
    pub projects: Vec<ProjectOutcome>,
    pub mes: Option<MesDetails>,
}

impl Allocation {
    /// What `voter_id` paid towards `project_id` under MES (`None` if nothing or not MES).
    pub fn voter_share(&self, voter_id: &str, project_id: &str) -> Option<&BigRational> {
        let mes = self.mes.as_ref()?;
        let round = mes.rounds.iter().find(|r| r.project == project_id)?;
        round
            .payments
            .iter()
            .find(|g| g.voters.iter().any(|v| v == voter_id))
            .map(|g| &g.amount.0)
    }

    /// Everything `voter_id` paid under MES, in purchase order.
    pub fn voter_payments(&self, voter_id: &str) -> Vec<(&str, &BigRational)> {
        let Some(mes) = self.mes.as_ref() else {
            return Vec::new();
        };
        mes.rounds
            .iter()
            .filter_map(|r| {
                r.payments
                    .iter()
                    .find(|g| g.voters.iter().any(|v| v == voter_id))
                    .map(|g| (r.project.as_str(), &g.amount.0))
            })
            .collect()
    }
}

/// Invalid input for [`allocate`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllocationError {
    #[error("voter {voter:?} votes for unknown project {project:?}")]
    UnknownProject { voter: String, project: String },
    #[error("project id {0:?} appears twice")]
    DuplicateProject(String),
    #[error("project {0:?} has a negative cost")]
    NegativeCost(String),
    #[error("the budget is negative")]
    NegativeBudget,
    #[error("the Add1 budget step must be positive")]
    NonPositiveStep,
}

/// Runs `rule` on `election`.
pub fn allocate(
    election: &Election,
    rule: Rule,
    opts: &Options,
) -> Result<Allocation, AllocationError> {
    allocate_with_progress(election, rule, opts, None)
}

/// Like [`allocate`], calling `progress(done, total)` as the rule advances (`total` may be an
/// upper bound that is not reached).
pub fn allocate_with_progress(
    election: &Election,
    rule: Rule,
    opts: &Options,
    progress: Option<&dyn Fn(u64, u64)>,
) -> Result<Allocation, AllocationError> {
    let inst = Instance::new(election, opts.tie_breaking)?;
    let noop = |_: u64, _: u64| {};
    let progress: &dyn Fn(u64, u64) = progress.unwrap_or(&noop);
    let sat = opts.satisfaction;
    let mut out = Outcome::new(&inst);
    let mut mes_details = None;
    let completion = match rule {
        Rule::Greedy => {
            greedy::run(&inst, sat, &mut out);
            None
        }
        Rule::Phragmen => {
            phragmen::run(&inst, &mut out, progress);
            None
        }
        Rule::MaxWelfare => {
            maxwelfare::run(&inst, sat, &mut out, progress);
            None
        }
        Rule::Mes(completion) => {
            let details = match completion {
                Completion::None | Completion::Greedy => {
                    let run = mes::run(&inst, sat, &inst.budget, progress);
                    run.record(&inst, &mut out);
                    run.details(&inst, None)
                }
                Completion::Add1 | Completion::Add1Greedy => {
                    let step = match &opts.add1_step {
                        Add1Step::OnePercent => {
                            &inst.budget / BigRational::from_integer(BigInt::from(100))
                        }
                        Add1Step::PerVoter(s) => {
                            &s.0 * BigRational::from_integer(BigInt::from(inst.num_voters()))
                        }
                        Add1Step::Total(t) => t.0.clone(),
                    };
                    let explicit_zero = match &opts.add1_step {
                        Add1Step::OnePercent => false,
                        Add1Step::PerVoter(s) | Add1Step::Total(s) => s.0 <= BigRational::zero(),
                    };
                    if explicit_zero {
                        return Err(AllocationError::NonPositiveStep);
                    }
                    // A zero step (no budget or no voters) means a single MES run: pabutools
                    // would loop forever here.
                    let (run, runs) =
                        mes::run_add1(&inst, sat, &step, opts.add1_max_runs, progress);
                    run.record(&inst, &mut out);
                    run.details(&inst, Some(runs))
                }
            };
            if matches!(completion, Completion::Greedy | Completion::Add1Greedy) {
                greedy::run(&inst, sat, &mut out);
            }
            mes_details = Some(details);
            Some(completion)
        }
    };
    Ok(out.finish(&inst, rule, completion, opts, mes_details))
}

// ---------------------------------------------------------------------------------------------
// Internal representation shared by the rules.

/// The election reduced to what the rules need, with projects and voters as indices.
///
/// Ballots and supporter lists are stored flat (one shared vector plus offsets each), so
/// building an instance makes a handful of allocations however many voters there are.
pub(crate) struct Instance<'a> {
    election: &'a Election,
    pub ids: Vec<String>,
    pub costs: Vec<BigRational>,
    pub budget: BigRational,
    /// `ballot_items[ballot_start[v]..ballot_start[v + 1]]`: voter `v`'s ballot as a sorted,
    /// duplicate-free list of project indices.
    ballot_start: Vec<usize>,
    ballot_items: Vec<u32>,
    /// `supporter_items[supporter_start[p]..supporter_start[p + 1]]`: the voters supporting
    /// project `p`, ascending.
    supporter_start: Vec<usize>,
    supporter_items: Vec<u32>,
    /// Tie-breaking rank of each project: lower wins.
    pub rank: Vec<u32>,
}

/// FxHash-style hasher for short project ids: far cheaper than SipHash, and the ids come from
/// the election itself (nothing adversarial can make the map degrade beyond its size).
#[derive(Default)]
struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes(c.try_into().expect("8 bytes"));
            self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(K);
        }
        let mut tail = 0u64;
        for (i, &b) in chunks.remainder().iter().enumerate() {
            tail |= (b as u64) << (8 * i);
        }
        self.0 = (self.0.rotate_left(5) ^ tail ^ ((bytes.len() as u64) << 56)).wrapping_mul(K);
    }
    fn write_u8(&mut self, _: u8) {} // `str` hashing appends 0xff: the length is mixed in above
    fn finish(&self) -> u64 {
        self.0
    }
}

type IdMap<'a> = HashMap<&'a str, u32, std::hash::BuildHasherDefault<IdHasher>>;

impl<'a> Instance<'a> {
    pub fn new(e: &'a Election, tie: TieBreaking) -> Result<Self, AllocationError> {
        if e.budget.0 < BigRational::zero() {
            return Err(AllocationError::NegativeBudget);
        }
        let mut index = IdMap::with_capacity_and_hasher(e.projects.len(), Default::default());
        for (i, p) in e.projects.iter().enumerate() {
            if index.insert(p.id.as_str(), i as u32).is_some() {
                return Err(AllocationError::DuplicateProject(p.id.clone()));
            }
            if p.cost.0 < BigRational::zero() {
                return Err(AllocationError::NegativeCost(p.id.clone()));
            }
        }
        let np = e.projects.len();
        let approvals: usize = e.votes.iter().map(|v| v.projects.len()).sum();
        let mut ballot_start = Vec::with_capacity(e.votes.len() + 1);
        let mut ballot_items: Vec<u32> = Vec::with_capacity(approvals);
        let mut support = vec![0usize; np + 1];
        ballot_start.push(0);
        for vote in &e.votes {
            let from = ballot_items.len();
            for pid in &vote.projects {
                let &p =
                    index
                        .get(pid.as_str())
                        .ok_or_else(|| AllocationError::UnknownProject {
                            voter: vote.voter_id.clone(),
                            project: pid.clone(),
                        })?;
                ballot_items.push(p);
            }
            let b = &mut ballot_items[from..];
            if b.len() > 1 {
                b.sort_unstable();
                let mut w = 1;
                for r in 1..b.len() {
                    if b[r] != b[w - 1] {
                        b[w] = b[r];
                        w += 1;
                    }
                }
                ballot_items.truncate(from + w);
            }
            for &p in &ballot_items[from..] {
                support[p as usize + 1] += 1;
            }
            ballot_start.push(ballot_items.len());
        }
        // Supporters: counting sort of (project, voter) pairs, voters ascending within a project.
        let mut supporter_start = support;
        for p in 0..np {
            supporter_start[p + 1] += supporter_start[p];
        }
        let mut fill = supporter_start.clone();
        let mut supporter_items = vec![0u32; ballot_items.len()];
        for v in 0..e.votes.len() {
            for &p in &ballot_items[ballot_start[v]..ballot_start[v + 1]] {
                supporter_items[fill[p as usize]] = v as u32;
                fill[p as usize] += 1;
            }
        }
        let mut order: Vec<usize> = (0..np).collect();
        let costs: Vec<BigRational> = e.projects.iter().map(|p| p.cost.0.clone()).collect();
        let ids: Vec<String> = e.projects.iter().map(|p| p.id.clone()).collect();
        let supporters = |p: usize| supporter_start[p + 1] - supporter_start[p];
        order.sort_by(|&a, &b| {
            let primary = match tie {
                TieBreaking::Lexicographic => std::cmp::Ordering::Equal,
                TieBreaking::MinCost => costs[a].cmp(&costs[b]),
                TieBreaking::MaxCost => costs[b].cmp(&costs[a]),
                TieBreaking::MostVotes => supporters(b).cmp(&supporters(a)),
            };
            primary.then_with(|| ids[a].cmp(&ids[b]))
        });
        let mut rank = vec![0u32; np];
        for (r, &p) in order.iter().enumerate() {
            rank[p] = r as u32;
        }
        Ok(Instance {
            election: e,
            ids,
            costs,
            budget: e.budget.0.clone(),
            ballot_start,
            ballot_items,
            supporter_start,
            supporter_items,
            rank,
        })
    }

    /// Voter `v`'s ballot: sorted, duplicate-free project indices.
    pub fn ballot(&self, v: usize) -> &[u32] {
        &self.ballot_items[self.ballot_start[v]..self.ballot_start[v + 1]]
    }
    /// The voters supporting project `p`, ascending.
    pub fn supporters(&self, p: usize) -> &[u32] {
        &self.supporter_items[self.supporter_start[p]..self.supporter_start[p + 1]]
    }
    /// The id of voter `v` as written in the election.
    pub fn voter_id(&self, v: usize) -> &str {
        &self.election.votes[v].voter_id
    }

    pub fn num_projects(&self) -> usize {
        self.ids.len()
    }
    pub fn num_voters(&self) -> usize {
        self.ballot_start.len() - 1
    }
    pub fn support(&self, p: usize) -> u64 {
        (self.supporter_start[p + 1] - self.supporter_start[p]) as u64
    }
    /// Satisfaction one supporter gets from project `p`.
    pub fn unit_sat(&self, p: usize, sat: Satisfaction) -> BigRational {
        match sat {
            Satisfaction::Cost => self.costs[p].clone(),
            Satisfaction::Cardinality => BigRational::one(),
        }
    }
    /// Total satisfaction of project `p` over all voters.
    pub fn total_sat(&self, p: usize, sat: Satisfaction) -> BigRational {
        self.unit_sat(p, sat) * BigRational::from_integer(BigInt::from(self.support(p)))
    }
    /// The project among `tied` that wins the tie-break.
    pub fn tie_winner(&self, tied: &[usize]) -> usize {
        *tied
            .iter()
            .min_by_key(|&&p| self.rank[p])
            .expect("non-empty tie")
    }
}

/// The outcome being built: selections in order plus per-project reasons.
pub(crate) struct Outcome {
    pub selected: Vec<bool>,
    pub steps: Vec<Step>,
    pub reasons: Vec<Option<Reason>>,
    pub spent: BigRational,
}

impl Outcome {
    fn new(inst: &Instance) -> Self {
        let n = inst.num_projects();
        Outcome {
            selected: vec![false; n],
            steps: Vec::new(),
            reasons: vec![None; n],
            spent: BigRational::zero(),
        }
    }

    pub fn remaining(&self, inst: &Instance) -> BigRational {
        &inst.budget - &self.spent
    }

    pub fn select(
        &mut self,
        inst: &Instance,
        p: usize,
        stage: Stage,
        score: Option<BigRational>,
        tied: &[usize],
    ) {
        debug_assert!(!self.selected[p]);
        self.selected[p] = true;
        self.reasons[p] = None;
        self.spent += &inst.costs[p];
        let mut tied_with: Vec<String> = tied
            .iter()
            .filter(|&&q| q != p)
            .map(|&q| inst.ids[q].clone())
            .collect();
        tied_with.sort();
        self.steps.push(Step {
            order: self.steps.len() + 1,
            project: inst.ids[p].clone(),
            stage,
            cost: Rational(inst.costs[p].clone()),
            score: score.map(Rational),
            tied_with,
            remaining_budget: Rational(self.remaining(inst)),
        });
    }

    fn finish(
        self,
        inst: &Instance,
        rule: Rule,
        completion: Option<Completion>,
        opts: &Options,
        mes: Option<MesDetails>,
    ) -> Allocation {
        let mut selected: Vec<String> = (0..inst.num_projects())
            .filter(|&p| self.selected[p])
            .map(|p| inst.ids[p].clone())
            .collect();
        selected.sort();
        let welfare = (0..inst.num_projects())
            .filter(|&p| self.selected[p])
            .fold(BigRational::zero(), |acc, p| {
                acc + inst.total_sat(p, opts.satisfaction)
            });
        let mut order_of = vec![None; inst.num_projects()];
        for s in &self.steps {
            let p = inst
                .ids
                .iter()
                .position(|id| *id == s.project)
                .expect("known id");
            order_of[p] = Some((s.order, s.stage));
        }
        let projects = (0..inst.num_projects())
            .map(|p| ProjectOutcome {
                id: inst.ids[p].clone(),
                cost: Rational(inst.costs[p].clone()),
                supporters: inst.support(p),
                selected: self.selected[p],
                order: order_of[p].map(|x| x.0),
                stage: order_of[p].map(|x| x.1),
                reason: if self.selected[p] {
                    None
                } else {
                    Some(
                        self.reasons[p]
                            .clone()
                            .unwrap_or_else(|| default_reason(inst, p)),
                    )
                },
            })
            .collect();
        Allocation {
            rule: rule.name().to_string(),
            completion,
            satisfaction: opts.satisfaction,
            tie_breaking: opts.tie_breaking,
            budget: Rational(inst.budget.clone()),
            selected,
            leftover: Rational(&inst.budget - &self.spent),
            total_cost: Rational(self.spent),
            welfare: Rational(welfare),
            voters: inst.num_voters() as u64,
            steps: self.steps,
            projects,
            mes,
        }
    }
}

fn default_reason(inst: &Instance, p: usize) -> Reason {
    if inst.costs[p] > inst.budget {
        Reason::ExceedsBudget
    } else if inst.support(p) == 0 {
        Reason::NoSupport
    } else if inst.costs[p].is_zero() {
        Reason::NoSatisfaction
    } else {
        Reason::NotInOptimum
    }
}

#[cfg(test)]
pub(crate) mod test_util {
    use super::*;
    use crate::pb::{Project, Vote, VoteType};

    /// Builds an approval election: `projects` = (id, cost), `ballots` = project ids per voter.
    pub fn election(budget: i64, projects: &[(&str, i64)], ballots: &[&[&str]]) -> Election {
        Election {
            meta: vec![],
            budget: Rational::from(budget),
            vote_type: VoteType::Approval,
            project_columns: vec![],
            projects: projects
                .iter()
                .map(|(id, c)| Project {
                    id: id.to_string(),
                    cost: Rational::from(*c),
                    extra: vec![],
                })
                .collect(),
            vote_columns: vec![],
            votes: ballots
                .iter()
                .enumerate()
                .map(|(i, b)| Vote {
                    voter_id: format!("v{}", i + 1),
                    projects: b.iter().map(|s| s.to_string()).collect(),
                    points: vec![],
                    extra: vec![],
                })
                .collect(),
        }
    }

    pub fn opts(sat: Satisfaction) -> Options {
        Options {
            satisfaction: sat,
            ..Options::default()
        }
    }

    pub fn q(n: i64, d: i64) -> BigRational {
        BigRational::new(n.into(), d.into())
    }
}

#[cfg(test)]
mod tests {
    use super::test_util::*;
    use super::*;
    use std::cell::Cell;

    #[test]
    fn progress_is_reported() {
        let e = election(10, &[("a", 5), ("b", 5)], &[&["a"], &["b"]]);
        let calls = Cell::new(0u64);
        let last = Cell::new((0u64, 0u64));
        let cb = |d: u64, t: u64| {
            calls.set(calls.get() + 1);
            last.set((d, t));
        };
        let a = allocate_with_progress(
            &e,
            Rule::Mes(Completion::None),
            &Options::default(),
            Some(&cb),
        )
        .unwrap();
        assert_eq!(a.selected, vec!["a", "b"]);
        assert!(calls.get() >= 2);
        assert_eq!(last.get(), (2, 2));
    }

    #[test]
    fn tie_breaking_variants() {
        // Cost satisfaction: all three have one supporter, so they tie (ratio 1).
        let e = election(30, &[("b", 10), ("a", 10), ("c", 5)], &[&["a", "b", "c"]]);
        let first = |tie: TieBreaking| {
            let o = Options {
                tie_breaking: tie,
                ..opts(Satisfaction::Cost)
            };
            allocate(&e, Rule::Greedy, &o).unwrap().steps[0]
                .project
                .clone()
        };
        assert_eq!(first(TieBreaking::Lexicographic), "a");
        assert_eq!(first(TieBreaking::MinCost), "c");
        assert_eq!(first(TieBreaking::MaxCost), "a");
    }

    #[test]
    fn invalid_input_is_an_error() {
        let mut e = election(10, &[("a", 5)], &[&["a"]]);
        e.votes[0].projects.push("zz".into());
        assert!(matches!(
            allocate(&e, Rule::Greedy, &Options::default()),
            Err(AllocationError::UnknownProject { .. })
        ));
        let e = election(10, &[("a", 5)], &[&["a"]]);
        let o = Options {
            add1_step: Add1Step::Total(Rational::zero()),
            ..Options::default()
        };
        assert_eq!(
            allocate(&e, Rule::Mes(Completion::Add1), &o),
            Err(AllocationError::NonPositiveStep)
        );
    }
}
