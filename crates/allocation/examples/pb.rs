//! Stand-alone runner for the `pb` CLI (the `mufakat` binary mounts the same commands as
//! `mufakat pb …`). Example:
//!
//! ```text
//! cargo run -p mufakat-allocation --example pb -- allocate election.pb --rule mes --json
//! ```

use clap::Parser;
use mufakat_allocation::cli::{run, PbCommand};

#[derive(Parser)]
#[command(
    name = "pb",
    about = "Participatory-budgeting tools for Pabulib .pb files"
)]
struct Cli {
    #[command(subcommand)]
    command: PbCommand,
}

fn main() {
    let cli = Cli::parse();
    if let Err(e) = run(cli.command) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
