//! # mufakat-allocation
//!
//! Participatory-budgeting allocation with exact arithmetic:
//!
//! * [`pb`]: read and write Pabulib `.pb` files ([`Election`]).
//! * [`rules`]: greedy utilitarian welfare, the Method of Equal Shares (plain, with greedy or
//!   Add1 completion), sequential Phragmén and exact maximum welfare, with outcomes identical
//!   to pabutools 1.2.3 and a full explanation ([`Allocation`]).
//! * [`cli`]: the `pb` subcommand (`mufakat pb allocate FILE --rule mes --json`).
//!
//! ```
//! use mufakat_allocation::{allocate, parse, Completion, Options, Rule};
//! let e = parse("META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\na;6\nb;6\nVOTES\nvoter_id;vote\n1;a\n2;a,b\n").unwrap();
//! let out = allocate(&e, Rule::Mes(Completion::None), &Options::default()).unwrap();
//! assert_eq!(out.selected, vec!["a"]);
//! assert_eq!(out.voter_share("1", "a").unwrap().to_string(), "3");
//! ```
//!
//! See `docs/allocation.md` for the exact semantics of every rule.

pub mod cli;
pub mod number;
pub mod pb;
pub mod rules;

pub use number::Rational;
pub use pb::{parse, write, Election, PbError, Project, Vote, VoteType};
pub use rules::{
    allocate, allocate_with_progress, Add1Step, Allocation, AllocationError, Completion,
    MesDetails, MesRound, Options, PaymentGroup, ProjectOutcome, Reason, Rule, Satisfaction, Stage,
    Step, TieBreaking,
};
