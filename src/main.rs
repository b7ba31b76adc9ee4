//! `mufakat`: the one binary. `serve | migrate | seed --demo | users create | schema`.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use mufakat_core::Role;
use mufakat_server::services::accounts;
use mufakat_server::{seed, startup, telemetry, Settings};

/// mimalloc instead of the system allocator: under load glibc's malloc took about a fifth of
/// the server's CPU, much of it in arena locks shared by the runtime's and SQLite's threads
/// (see docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "mufakat",
    version,
    about = "Participatory planning, budgeting and audit workflows for Indonesian local government"
)]
struct Cli {
    /// Database URL: `sqlite://PATH` or `postgres://USER@HOST:PORT/DB`.
    /// Default: the SQLite file `mufakat.sqlite` in the data directory.
    #[arg(long, env = "MUFAKAT_DATABASE_URL", global = true)]
    database_url: Option<String>,
    /// Data directory (SQLite file, keys).
    #[arg(long, env = "MUFAKAT_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// A TOML config file (see docs/configuration.md). Default: `./mufakat.toml` when present.
    #[arg(long, env = "MUFAKAT_CONFIG", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the HTTP server (GraphQL at /graphql, GraphiQL in a browser, health at /healthz).
    Serve(ServeArgs),
    /// Applies pending database migrations and exits.
    Migrate,
    /// Loads demo data (a kota with 2 kecamatan, 4 kelurahan, one account per role).
    Seed {
        #[arg(long, required = true)]
        demo: bool,
    },
    /// Manages accounts.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Manages regions (the first ones, before any admin exists).
    #[command(subcommand)]
    Regions(RegionsCommand),
    /// Prints the GraphQL schema (SDL).
    Schema,
    /// Workflow definitions.
    #[command(subcommand)]
    Workflows(WorkflowsCommand),
    /// The audit trail: verify, export, checkpoint.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Participatory-budgeting elections in the Pabulib `.pb` format (see docs/allocation.md).
    #[command(subcommand)]
    Pb(mufakat_allocation::cli::PbCommand),
    /// Generates a PDF report (A4, Bahasa Indonesia by default). Each one is recorded in the
    /// audit trail with the SHA-256 of its bytes.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Backs up the database, the keys and the node's checkpoints into a new folder, while the
    /// server runs (SQLite: VACUUM INTO; PostgreSQL: pg_dump). See docs/operations.md.
    Backup {
        /// The folder to create.
        #[arg(long)]
        to: PathBuf,
    },
    /// Restores a backup into a fresh place (an absent SQLite file or an empty PostgreSQL
    /// database, and a data directory without keys), then migrates and verifies the trail.
    Restore {
        /// The backup folder.
        #[arg(long)]
        from: PathBuf,
    },
    /// Benchmarks (see docs/benchmarks.md).
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Audited workflow transitions per second vs raw two-row inserts at the same durability,
    /// and `audit verify` vs raw SHA-256. Uses a fresh SQLite file unless --database-url is given.
    Audit {
        /// Cases to run (each is two audited transitions).
        #[arg(long, default_value_t = 500)]
        cases: usize,
    },
    /// Drives a real server (a child `mufakat serve` on a fresh SQLite file, or the given
    /// --database-url) over HTTP with concurrent clients: vote casting, proposal listing, case
    /// starts, transitions of the started cases, and listing while cases are started; prints
    /// throughput, latency percentiles, server peak RSS, and the raw storage
    /// engine's two-row insert rate at the same durability.
    Load(LoadRun),
}

#[derive(Args)]
struct ReportOut {
    /// Where to write the PDF.
    #[arg(short, long)]
    output: PathBuf,
    /// `id` (default) or `en`.
    #[arg(long, default_value = "id")]
    lang: String,
}

#[derive(Args)]
struct MusrenbangReportArgs {
    /// The musrenbang cycle id.
    #[arg(long)]
    cycle: i32,
    /// Region code (kode wilayah), e.g. 35.99.01.1001.
    #[arg(long)]
    region: String,
    /// kelurahan, kecamatan or kota (default: from the region's level).
    #[arg(long)]
    level: Option<String>,
}

#[derive(Subcommand)]
enum ReportCommand {
    /// Berita acara (minutes) of a kelurahan or kecamatan musrenbang with its priority list.
    BeritaAcara {
        #[command(flatten)]
        m: MusrenbangReportArgs,
        /// Where the meeting was held.
        #[arg(long)]
        place: Option<String>,
        /// Number of participants.
        #[arg(long)]
        participants: Option<u64>,
        /// Meeting date, YYYY-MM-DD (default: today).
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
        #[command(flatten)]
        out: ReportOut,
    },
    /// The ranked priority list of a region at a level, with costs, votes and scores.
    PriorityList {
        #[command(flatten)]
        m: MusrenbangReportArgs,
        #[command(flatten)]
        out: ReportOut,
    },
    /// The result of an allocation rule on a `.pb` election: funded or not and why, totals
    /// against the budget, a chart.
    Allocation {
        #[command(flatten)]
        args: mufakat_allocation::cli::AllocateArgs,
        #[command(flatten)]
        out: ReportOut,
    },
    /// The audit trail (whole chain, or one case) with the latest checkpoint and verification.
    AuditTrail {
        /// With --instance: one case of this workflow.
        #[arg(long, requires = "instance")]
        workflow: Option<String>,
        #[arg(long, requires = "workflow")]
        instance: Option<String>,
        #[command(flatten)]
        out: ReportOut,
    },
}

#[derive(Subcommand)]
enum WorkflowsCommand {
    /// Validates every definition in DIR (default: the configured workflows directory); each
    /// problem names file, line and what to change. Exits non-zero on any problem.
    Check { dir: Option<PathBuf> },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recomputes the whole chain and every signed checkpoint; names the first bad event.
    Verify {
        /// Checkpoints you hold yourself (JSON Lines, as `audit export` writes them or as
        /// `auditCheckpoints` gives them): the chain must still extend each.
        #[arg(long)]
        checkpoints: Option<PathBuf>,
    },
    /// Writes the chain and its checkpoints as JSON Lines (see docs/audit-verification.md).
    Export {
        /// Output file; default: standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Signs the current head now.
    Checkpoint,
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "MUFAKAT_LISTEN")]
    listen: Option<SocketAddr>,
    /// Seed demo data first (when not yet present) and print the demo accounts.
    #[arg(long)]
    demo: bool,
}

#[derive(Subcommand)]
enum RegionsCommand {
    /// Adds a region: provinsi or kabupaten_kota at the top, kecamatan under a kabupaten/kota,
    /// kelurahan_desa under a kecamatan.
    Create {
        /// Official code (kode wilayah), unique, e.g. 32.73 or 32.73.01.1001.
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// provinsi, kabupaten_kota, kecamatan or kelurahan_desa.
        #[arg(long)]
        level: mufakat_core::RegionLevel,
        /// The parent's code.
        #[arg(long)]
        parent: Option<String>,
    },
}

#[derive(Subcommand)]
enum UsersCommand {
    /// Creates a staff account with one role in one region. The password is read from standard
    /// input when piped, otherwise generated and printed once.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        /// admin, bappeda_planner, kecamatan_staff, kelurahan_staff, opd_staff, vendor, auditor
        #[arg(long)]
        role: Role,
        /// The region code (kode wilayah), e.g. 35.99 or 35.99.01.1001.
        #[arg(long)]
        region: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut settings = Settings::load(cli.config.as_deref())?;
    if let Some(url) = cli.database_url {
        settings.database_url = Some(url);
    }
    if let Some(dir) = cli.data_dir {
        settings.data_dir = dir;
    }
    telemetry::init(settings.log_json);

    match cli.command {
        Command::Serve(args) => {
            if let Some(l) = args.listen {
                settings.listen = l;
            }
            let app = startup::Application::build(settings).await?;
            if args.demo {
                print_seed(seed::seed_demo(app.state(), None).await?);
                demo_musrenbang(app.state()).await?;
            }
            let addr = app.local_addr();
            tracing::info!(%addr, "Mufakat is listening");
            eprintln!(
                "Mufakat: GraphiQL at http://{addr}/graphql, health at http://{addr}/healthz"
            );
            app.run_until_stopped().await?;
        }
        Command::Migrate => {
            let state = startup::build_state(settings).await?;
            drop(state);
            eprintln!("migrations applied");
        }
        Command::Seed { demo: _ } => {
            let state = startup::build_state(settings).await?;
            print_seed(seed::seed_demo(&state, None).await?);
            demo_musrenbang(&state).await?;
        }
        Command::Users(UsersCommand::Create {
            username,
            name,
            role,
            region,
        }) => {
            let state = startup::build_state(settings).await?;
            let region_id = state
                .regions
                .read()
                .await
                .all()
                .find(|r| r.code == region)
                .map(|r| r.id)
                .with_context(|| format!("no region with code {region}"))?;
            let (password, generated) = read_or_generate_password()?;
            let u = accounts::create_staff(
                &state,
                None,
                accounts::CreateStaff {
                    username,
                    name,
                    password: password.clone(),
                    grants: vec![(role, region_id)],
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!(e.message(mufakat_core::Lang::En, "cli")))?;
            println!(
                "created user {} (id {}) as {role} in {region}",
                u.username, u.id
            );
            if generated {
                println!("password (shown once): {password}");
            }
        }
        Command::Backup { to } => {
            let m = mufakat_server::backup::backup(&settings, &to).await?;
            println!(
                "backed up ({}) into {}: {}",
                m.engine,
                to.display(),
                m.files.keys().cloned().collect::<Vec<_>>().join(", ")
            );
        }
        Command::Restore { from } => {
            let m = mufakat_server::backup::restore(&settings, &from).await?;
            let state = startup::build_state(settings).await?;
            let v = mufakat_server::notary::verify(&state.db, &state.notary)
                .await
                .map_err(|e| anyhow::anyhow!(e.message(mufakat_core::Lang::En, "cli")))?;
            if !v.ok {
                eprintln!(
                    "restored the {} backup of {}, but the audit trail is BROKEN at event {}: {}",
                    m.engine,
                    m.created_at,
                    v.first_bad_seq.map(|s| s.to_string()).unwrap_or_default(),
                    v.problem.unwrap_or_default()
                );
                std::process::exit(2);
            }
            println!(
                "restored the {} backup of {}: audit trail OK, {} events, {} checkpoint(s)",
                m.engine, m.created_at, v.events, v.checkpoints
            );
        }
        Command::Schema => print!("{}", mufakat_server::graphql::sdl()),
        Command::Regions(RegionsCommand::Create {
            code,
            name,
            level,
            parent,
        }) => {
            let state = startup::build_state(settings).await?;
            let parent_id = match parent {
                Some(p) => Some(
                    state
                        .regions
                        .read()
                        .await
                        .all()
                        .find(|r| r.code == p)
                        .map(|r| r.id)
                        .with_context(|| format!("no region with code {p}"))?,
                ),
                None => None,
            };
            let r = mufakat_server::services::regions::create(
                &state,
                None,
                mufakat_server::services::regions::CreateRegion {
                    code,
                    name,
                    level,
                    parent_id,
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!(e.message(mufakat_core::Lang::En, "cli")))?;
            println!(
                "created region {} {} ({}) id {}",
                r.code, r.name, r.level, r.id
            );
        }
        Command::Pb(cmd) => mufakat_allocation::cli::run(cmd)?,
        Command::Report(cmd) => report(settings, cmd).await?,
        Command::Bench(BenchCommand::Load(load)) => bench_load(settings, load).await?,
        Command::Bench(BenchCommand::Audit { cases }) => {
            let mut settings = settings;
            let tmp = std::env::temp_dir().join(format!("mufakat-bench-{}", std::process::id()));
            if settings.database_url.is_none() {
                settings.data_dir = tmp.clone();
            }
            let durability = settings.durability.clone();
            let state = startup::build_state(settings).await?;
            seed::seed_demo(&state, Some("bench-password-123".into()))
                .await
                .map_err(|e| anyhow::anyhow!(e.message(mufakat_core::Lang::En, "bench")))?;
            let b = mufakat_server::bench::audit(&state, cases).await?;
            println!("durability: {durability}");
            println!(
                "audited transitions: {} in total, {:.0}/s",
                b.transitions, b.transitions_per_sec
            );
            println!(
                "raw two-row transactions: {:.0}/s  (audited = {:.0}% of raw)",
                b.raw_tx_per_sec,
                100.0 * b.transitions_per_sec / b.raw_tx_per_sec
            );
            println!(
                "audit verify: {} events in {:.3}s ({:.0} events/s)",
                b.verify_events,
                b.verify_secs,
                b.verify_events as f64 / b.verify_secs
            );
            println!(
                "raw SHA-256 over the same bytes: {:.4}s (verify = {:.1}x raw hashing)",
                b.raw_sha_secs,
                b.verify_secs / b.raw_sha_secs.max(1e-9)
            );
            let _ = std::fs::remove_dir_all(&tmp);
        }
        Command::Workflows(WorkflowsCommand::Check { dir }) => {
            let dir = dir.unwrap_or_else(|| settings.workflows_dir.clone());
            match mufakat_server::workflows::check(&dir) {
                Ok(n) => println!("{n} workflow definition(s) in {} are valid", dir.display()),
                Err(e) => {
                    eprintln!("{e:#}");
                    std::process::exit(1);
                }
            }
        }
        Command::Audit(cmd) => {
            let state = startup::build_state(settings).await?;
            let fail = |e: mufakat_core::AppError| {
                anyhow::anyhow!(e.message(mufakat_core::Lang::En, "cli"))
            };
            match cmd {
                AuditCommand::Verify { checkpoints } => {
                    let held = match &checkpoints {
                        None => vec![],
                        Some(p) => read_checkpoints(p)?,
                    };
                    let v = mufakat_server::notary::verify_against(&state.db, &state.notary, held)
                        .await
                        .map_err(fail)?;
                    if v.ok {
                        println!(
                            "audit trail OK: {} events, {} signed checkpoint(s) verified",
                            v.events, v.checkpoints
                        );
                    } else {
                        eprintln!(
                            "audit trail BROKEN at event {}: {}",
                            v.first_bad_seq.map(|s| s.to_string()).unwrap_or_default(),
                            v.problem.unwrap_or_default()
                        );
                        std::process::exit(2);
                    }
                }
                AuditCommand::Export { output } => {
                    let mut out: Box<dyn std::io::Write> = match &output {
                        Some(p) => Box::new(std::io::BufWriter::new(
                            std::fs::File::create(p)
                                .with_context(|| format!("creating {}", p.display()))?,
                        )),
                        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
                    };
                    let n = mufakat_server::audit_log::export(&state.db, &mut out)
                        .await
                        .map_err(fail)?;
                    out.flush()?;
                    if let Some(p) = output {
                        eprintln!("exported {n} events to {}", p.display());
                    }
                }
                AuditCommand::Checkpoint => match mufakat_server::notary::checkpoint(
                    &state.db,
                    &state.notary,
                    chrono::Utc::now(),
                )
                .await
                .map_err(fail)?
                {
                    Some(cp) => println!("checkpoint at event {} ({})", cp.seq, cp.hash),
                    None => println!("the audit trail is empty; nothing to sign"),
                },
            }
        }
    }
    Ok(())
}

/// Checkpoints in a JSON Lines file (lines of other kinds are skipped).
fn read_checkpoints(path: &std::path::Path) -> anyhow::Result<Vec<mufakat_audit::Checkpoint>> {
    let f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let lines = mufakat_audit::jsonl::read(std::io::BufReader::new(f))
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(lines
        .into_iter()
        .filter_map(|l| match l {
            mufakat_audit::jsonl::Line::Checkpoint(c) => Some(c),
            mufakat_audit::jsonl::Line::Event(_) => None,
        })
        .collect())
}

fn read_or_generate_password() -> anyhow::Result<(String, bool)> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        let s = s.trim_end_matches(['\n', '\r']).to_owned();
        if !s.is_empty() {
            return Ok((s, false));
        }
    }
    use rand::distributions::{Alphanumeric, DistString};
    Ok((
        Alphanumeric.sample_string(&mut rand::thread_rng(), 16),
        true,
    ))
}

/// A GraphQL response without `errors`. Read without building the response's value tree, so
/// that the load generator's own work (on the cores it shares with the server) stays small.
fn graphql_succeeded(body: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Reply {
        errors: Option<serde::de::IgnoredAny>,
    }
    serde_json::from_slice::<Reply>(body).is_ok_and(|r| r.errors.is_none())
}

/// CPU time used so far (user + system, seconds) by the server nodes, by PostgreSQL's
/// processes on this machine (all of them: backends, WAL writer, checkpointer; none counted
/// when the database runs elsewhere) and by this load generator, and the bytes the servers
/// wrote to storage, read from `/proc` (Linux; `None` elsewhere). Per request, these measure
/// work without depending on how many cores were free, as throughput and latency do.
struct Usage {
    server: f64,
    database: Option<f64>,
    client: f64,
    /// Bytes the server nodes caused to be written to storage (`write_bytes` of
    /// `/proc/<pid>/io`; SQLite's WAL and checkpoints, not PostgreSQL's).
    written: Option<u64>,
}

impl Usage {
    fn now(server_pids: &[u32], postgres: bool) -> Option<Self> {
        let server = server_pids
            .iter()
            .map(|p| proc_cpu_seconds(&p.to_string()))
            .sum::<Option<f64>>()?;
        let database = postgres
            .then(|| {
                std::fs::read_dir("/proc")
                    .into_iter()
                    .flatten()
                    .flatten()
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter(|pid| {
                        pid.bytes().all(|b| b.is_ascii_digit())
                            && std::fs::read_to_string(format!("/proc/{pid}/comm"))
                                .is_ok_and(|c| c.trim() == "postgres")
                    })
                    .filter_map(|pid| proc_cpu_seconds(&pid))
                    .collect::<Vec<f64>>()
            })
            .filter(|local| !local.is_empty())
            .map(|local| local.into_iter().sum());
        let written = server_pids
            .iter()
            .map(|p| {
                std::fs::read_to_string(format!("/proc/{p}/io"))
                    .ok()?
                    .lines()
                    .find_map(|l| l.strip_prefix("write_bytes:"))?
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
            .sum::<Option<u64>>();
        Some(Usage {
            server,
            database,
            client: proc_cpu_seconds("self")?,
            written,
        })
    }

    /// "CPU per request: ..." (and, on SQLite, storage written per request) for `n` requests
    /// over `secs` seconds since `before`.
    fn since(&self, before: &Option<Self>, n: usize, secs: f64, postgres: bool) -> Option<String> {
        let before = before.as_ref()?;
        let per = |d: f64| d / n.max(1) as f64 * 1e6;
        let server = self.server - before.server;
        let mut line = format!(
            "CPU per request: server {:.0} µs ({:.2} cores)",
            per(server),
            server / secs
        );
        if let (Some(a), Some(b)) = (self.database, before.database) {
            line += &format!(
                ", PostgreSQL {:.0} µs ({:.2} cores)",
                per(a - b),
                (a - b) / secs
            );
        }
        line += &format!(
            ", load generator {:.0} µs",
            per(self.client - before.client)
        );
        if let (Some(a), Some(b), false) = (self.written, before.written, postgres) {
            line += &format!(
                "; written {:.1} KiB",
                (a - b) as f64 / n.max(1) as f64 / 1024.0
            );
        }
        Some(line)
    }
}

/// User + system CPU seconds of a process (all its threads) from `/proc/<pid>/stat`. The
/// kernel reports them in USER_HZ ticks, which Linux fixes at 100 per second for user space.
fn proc_cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

/// What one kind of request in a `bench load` phase measured.
struct KindFigures {
    kind: &'static str,
    /// Milliseconds per request.
    latencies: Vec<f64>,
    errors: usize,
    /// Seconds from the phase's start to the last answer.
    last: f64,
}

impl KindFigures {
    /// The figures of `kind` in `all`, added when missing.
    fn of<'a>(all: &'a mut Vec<KindFigures>, kind: &'static str) -> &'a mut KindFigures {
        let i = match all.iter().position(|k| k.kind == kind) {
            Some(i) => i,
            None => {
                all.push(KindFigures {
                    kind,
                    latencies: vec![],
                    errors: 0,
                    last: 0.0,
                });
                all.len() - 1
            }
        };
        &mut all[i]
    }
}

/// Latency percentiles of a run, in milliseconds.
fn percentiles(mut v: Vec<f64>) -> (f64, f64, f64, f64) {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let at = |q: f64| {
        v.get(((v.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    (
        at(0.5),
        at(0.95),
        at(0.99),
        v.last().copied().unwrap_or(0.0),
    )
}

/// What `mufakat bench load` was asked to do.
#[derive(Args)]
struct LoadRun {
    #[arg(long, default_value_t = 64)]
    clients: usize,
    /// Proposals to vote on; every client's residents vote for each.
    #[arg(long, default_value_t = 20)]
    proposals: usize,
    /// Residents (voters); votes cast = residents × proposals.
    #[arg(long, default_value_t = 256)]
    residents: usize,
    /// Requests per client for the listing and transition scenarios.
    #[arg(long, default_value_t = 50)]
    requests: usize,
    /// Cast the votes through the service API in this process instead (the group-commit
    /// writer without HTTP), then stop.
    #[arg(long)]
    in_process: bool,
    /// Server processes on the one database (PostgreSQL: the multi-node deployment);
    /// client k talks to node k mod N.
    #[arg(long, default_value_t = 1)]
    nodes: usize,
}

async fn bench_load(mut settings: Settings, load: LoadRun) -> anyhow::Result<()> {
    use std::time::Instant;
    let LoadRun {
        clients,
        proposals,
        residents,
        requests,
        in_process,
        nodes,
    } = load;
    let nodes = nodes.max(1);
    let tmp = std::env::temp_dir().join(format!("mufakat-load-{}", std::process::id()));
    if settings.database_url.is_none() {
        settings.data_dir = tmp.clone();
        settings.database_url = Some(format!("sqlite://{}", tmp.join("mufakat.sqlite").display()));
    }
    let url = settings.database_url.clone().unwrap_or_default();
    let durability = settings.durability.clone();
    let state = startup::build_state(settings.clone()).await?;
    seed::seed_demo(&state, Some("bench-password-123".into()))
        .await
        .map_err(|e| anyhow::anyhow!(e.message(mufakat_core::Lang::En, "bench")))?;
    eprintln!("preparing {residents} residents and {proposals} proposals ...");
    let mufakat_server::bench::LoadFixture {
        tokens,
        proposals: ids,
        kelurahan: kel,
        submission_cycle,
    } = mufakat_server::bench::load_fixture(&state, residents, proposals).await?;
    if in_process {
        let (n, secs, lat) =
            mufakat_server::bench::votes_in_process(&state, &tokens, &ids, clients).await?;
        let (p50, p95, p99, max) = percentiles(lat);
        println!("durability: {durability}; in-process tasks: {clients}");
        println!("vote (service API, no HTTP) {n:>7} votes in {secs:>6.2}s = {:>7.0}/s  p50 {p50:.1} ms  p95 {p95:.1} ms  p99 {p99:.1} ms  max {max:.1} ms", n as f64 / secs);
        let report = mufakat_server::notary::verify(&state.db, &state.notary)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        anyhow::ensure!(report.ok, "the audit chain does not verify");
        println!(
            "audit chain after the run: {} events, verified",
            report.events
        );
        return Ok(());
    }
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()?;
    let mut children = vec![];
    let mut gqls = vec![];
    for _ in 0..nodes {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        children.push(
            std::process::Command::new(std::env::current_exe()?)
                .args(["--database-url", &url, "--data-dir"])
                .arg(&settings.data_dir)
                .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
                // MUFAKAT_BENCH_SERVER_LOG=filter shows the server's log (e.g. vote batch sizes).
                .env(
                    "RUST_LOG",
                    std::env::var("MUFAKAT_BENCH_SERVER_LOG").unwrap_or_else(|_| "warn".into()),
                )
                .env("MUFAKAT_DURABILITY", &durability)
                .stdout(std::process::Stdio::null())
                .stderr(if std::env::var_os("MUFAKAT_BENCH_SERVER_LOG").is_some() {
                    std::process::Stdio::inherit()
                } else {
                    std::process::Stdio::null()
                })
                .spawn()?,
        );
        let base = format!("http://127.0.0.1:{port}");
        let mut up = false;
        for _ in 0..300 {
            if client
                .get(format!("{base}/healthz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                up = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        anyhow::ensure!(up, "server node {} did not start", gqls.len() + 1);
        gqls.push(format!("{base}/graphql"));
    }
    let gqls = std::sync::Arc::new(gqls);
    let server_pids: Vec<u32> = children.iter().map(|c| c.id()).collect();
    let postgres = url.starts_with("postgres");
    println!("durability: {durability}; clients: {clients}; server nodes: {nodes}");

    // Votes: every resident votes for every proposal, residents spread over the clients.
    let jobs: Vec<(String, i32)> = tokens
        .iter()
        .flat_map(|t| ids.iter().map(move |p| (t.clone(), *p)))
        .collect();
    let jobs = std::sync::Arc::new(std::sync::Mutex::new(jobs));
    // A phase: each client sends what `make` gives it (token, body, kind of request) until it
    // gives nothing; figures are printed per kind of request.
    type Make = Box<
        dyn Fn(usize) -> Option<(Option<String>, serde_json::Value, &'static str)> + Send + Sync,
    >;
    let run = |name: &'static str, make: Make| {
        let (client, gqls) = (client.clone(), gqls.clone());
        let make = std::sync::Arc::new(make);
        let server_pids = server_pids.clone();
        async move {
            let cpu0 = Usage::now(&server_pids, postgres);
            let t0 = Instant::now();
            let mut tasks = vec![];
            for c in 0..clients {
                let (client, make) = (client.clone(), make.clone());
                let gql = gqls[c % gqls.len()].clone();
                tasks.push(tokio::spawn(async move {
                    let mut by_kind: Vec<KindFigures> = vec![];
                    let mut i = 0;
                    while let Some((token, body, kind)) = make(c * 1_000_000 + i) {
                        i += 1;
                        let t = Instant::now();
                        let mut r = client.post(&gql).json(&body);
                        if let Some(tok) = &token {
                            r = r.bearer_auth(tok);
                        }
                        let ok = match r.send().await {
                            Ok(resp) => resp.bytes().await.is_ok_and(|b| graphql_succeeded(&b)),
                            Err(_) => false,
                        };
                        let k = KindFigures::of(&mut by_kind, kind);
                        k.latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                        k.errors += usize::from(!ok);
                        k.last = t0.elapsed().as_secs_f64();
                    }
                    by_kind
                }));
            }
            let mut kinds: Vec<KindFigures> = vec![];
            for t in tasks {
                for f in t.await.unwrap_or_default() {
                    let k = KindFigures::of(&mut kinds, f.kind);
                    k.latencies.extend(f.latencies);
                    k.errors += f.errors;
                    k.last = k.last.max(f.last);
                }
            }
            let secs = t0.elapsed().as_secs_f64();
            let n: usize = kinds.iter().map(|k| k.latencies.len()).sum();
            let errors: usize = kinds.iter().map(|k| k.errors).sum();
            // Each kind's rate over the time until its last answer (in a mixed phase the
            // kinds finish at different times).
            for KindFigures {
                kind,
                latencies: lat,
                errors: e,
                last,
            } in kinds
            {
                let label = if kind == name {
                    name.to_owned()
                } else {
                    format!("{name}: {kind}")
                };
                let k = lat.len();
                let (p50, p95, p99, max) = percentiles(lat);
                println!("{label:<17} {k:>7} requests in {last:>6.2}s = {:>7.0}/s  p50 {p50:.1} ms  p95 {p95:.1} ms  p99 {p99:.1} ms  max {max:.1} ms  errors {e}", k as f64 / last);
            }
            if let Some(line) =
                Usage::now(&server_pids, postgres).and_then(|c| c.since(&cpu0, n, secs, postgres))
            {
                println!("{:<17} {line}", "");
            }
            (n as f64 / secs, n - errors)
        }
    };
    let vote_jobs = jobs.clone();
    let (votes_per_sec, acknowledged_votes) = run(
        "vote",
        Box::new(move |_| {
            let (t, p) = vote_jobs.lock().ok()?.pop()?;
            Some((Some(t), serde_json::json!({ "query": "mutation($id: ID!) { vote(proposalId: $id) { receipt } }", "variables": { "id": p.to_string() } }), "vote"))
        }),
    )
    .await;
    let listing = || serde_json::json!({ "query": "{ proposals(first: 20, sort: VOTES) { edges { node { id title votes estimatedCost kelurahan { name } } } } }" });
    let start_case = {
        let toks = tokens.clone();
        move |i: usize| {
            let tok = toks[i % toks.len()].clone();
            (
                Some(tok),
                serde_json::json!({ "query": "mutation($r: ID!) { startCase(workflow: \"lapor-complaint\", regionId: $r, input: {description: \"Lampu mati\", category: \"penerangan\"}) { id } }", "variables": { "r": kel.to_string() } }),
            )
        }
    };
    // Takes one of `n` requests; None when they are all taken.
    let budget = |n: usize| {
        let left = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(n));
        move || {
            left.fetch_update(
                std::sync::atomic::Ordering::SeqCst,
                std::sync::atomic::Ordering::SeqCst,
                |n| n.checked_sub(1),
            )
            .ok()
        }
    };
    let take = budget(clients * requests);
    run(
        "list",
        Box::new(move |_| {
            take()?;
            Some((None, listing(), "list"))
        }),
    )
    .await;
    let take = budget(clients * requests);
    let start = start_case.clone();
    run(
        "transition",
        Box::new(move |i| {
            take()?;
            let (tok, body) = start(i);
            Some((tok, body, "transition"))
        }),
    )
    .await;
    // Transitions of existing cases: the kelurahan routes each complaint just started to an
    // OPD (a state change that arms a timer), one request per case.
    let open = std::sync::Arc::new(std::sync::Mutex::new(
        mufakat_server::bench::cases_in(&state, "lapor-complaint", "submitted").await?,
    ));
    let lurah = mufakat_server::bench::token_for(&state, "lurah.mekarsari").await?;
    run(
        "fire",
        Box::new(move |_| {
            let id = open.lock().ok()?.pop()?;
            Some((Some(lurah.clone()), serde_json::json!({ "query": "mutation($id: ID!) { fireTransition(instanceId: $id, transition: \"route\", input: {opd: \"Dinas PU\"}) { id state } }", "variables": { "id": id.to_string() } }), "fire"))
        }),
    )
    .await;
    // The public reading while cases are started: every group commit drops the answers the
    // server keeps for anonymous queries, so listings are computed again between writes.
    let (take_list, take_start) = (
        budget(clients / 2 * requests),
        budget(clients / 2 * requests),
    );
    run(
        "mixed",
        Box::new(move |i| {
            if (i / 1_000_000) % 2 == 0 {
                take_list()?;
                Some((None, listing(), "list"))
            } else {
                take_start()?;
                let (tok, body) = start_case(i);
                Some((tok, body, "transition"))
            }
        }),
    )
    .await;
    // Residents submitting proposals (usulan) before a deadline: each a case start and a
    // proposal row through the group commit of the requests' own connections (not the batch
    // writer), a quarter as many requests as the other phases.
    let take = budget(clients * requests / 4);
    let toks = tokens.clone();
    run(
        "propose",
        Box::new(move |i| {
            take()?;
            let tok = toks[i % toks.len()].clone();
            Some((
                Some(tok),
                serde_json::json!({ "query": "mutation($i: CreateProposalInput!) { createProposal(input: $i) { id } }", "variables": { "i": {
                    "cycleId": submission_cycle.to_string(), "title": format!("Jalan lingkungan {i}"),
                    "description": "Jalan berlubang sepanjang 200 m", "category": "infrastruktur",
                    "volume": "200", "unit": "m", "unitPrice": "350000" } } }),
                "propose",
            ))
        }),
    )
    .await;
    let mut rss = vec![];
    for mut child in children {
        rss.push(
            std::fs::read_to_string(format!("/proc/{}/status", child.id()))
                .ok()
                .and_then(|s| {
                    s.lines().find(|l| l.starts_with("VmHWM")).map(|l| {
                        l.split_whitespace()
                            .nth(1)
                            .unwrap_or("0")
                            .parse::<f64>()
                            .unwrap_or(0.0)
                            / 1024.0
                    })
                }),
        );
        let _ = child.kill();
        let _ = child.wait();
    }
    let raw = mufakat_server::bench::raw_inserts(&state, tokens.len() * ids.len(), clients).await?;
    println!("raw storage: {raw:.0} two-row transactions/s with {clients} concurrent writers; votes = {:.0}% of raw", 100.0 * votes_per_sec / raw);
    for (i, mb) in rss.into_iter().enumerate() {
        if let Some(mb) = mb {
            println!("server node {} peak RSS: {mb:.1} MB", i + 1);
        }
    }
    let (rows, counted) = mufakat_server::bench::vote_totals(&state, &ids).await?;
    println!(
        "votes stored: {rows} rows, counts sum {counted}, acknowledged {}{}",
        acknowledged_votes,
        if rows as usize == acknowledged_votes && counted as usize == acknowledged_votes {
            " (exact)"
        } else {
            " (MISMATCH)"
        }
    );
    let v = mufakat_server::notary::verify(&state.db, &state.notary)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "audit chain after the run: {} events, {}",
        v.events,
        if v.ok { "verified" } else { "BROKEN" }
    );
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}

fn lang_of(s: &str) -> anyhow::Result<mufakat_core::Lang> {
    match s {
        "id" => Ok(mufakat_core::Lang::Id),
        "en" => Ok(mufakat_core::Lang::En),
        other => anyhow::bail!("--lang must be id or en, not {other}"),
    }
}

async fn report(settings: Settings, cmd: ReportCommand) -> anyhow::Result<()> {
    use mufakat_server::services::reports::{self, ReportKind, ReportParams};
    let state = startup::build_state(settings).await?;
    let fail =
        |e: mufakat_core::AppError| anyhow::anyhow!(e.message(mufakat_core::Lang::En, "cli"));
    let region_id = |code: &str| {
        let code = code.to_owned();
        let state = state.clone();
        async move {
            state
                .regions
                .read()
                .await
                .all()
                .find(|r| r.code == code)
                .map(|r| r.id)
                .with_context(|| format!("no region with code {code}"))
        }
    };
    let (pdf, sha, out) = match cmd {
        ReportCommand::Allocation { args, out } => {
            let (election, alloc) = mufakat_allocation::cli::allocate_from_args(&args)?;
            let pdf = allocation_pdf(&election, &alloc, lang_of(&out.lang)?)?;
            let sha = hex_sha256(&pdf);
            reports::record(
                &state,
                None,
                "allocation",
                &serde_json::json!({ "file": args.file.display().to_string(), "rule": alloc.rule }),
                &sha,
                pdf.len(),
            )
            .await
            .map_err(fail)?;
            (pdf, sha, out)
        }
        ReportCommand::BeritaAcara {
            m,
            place,
            participants,
            date,
            out,
        } => {
            let p = ReportParams {
                cycle_id: Some(m.cycle),
                region_id: Some(region_id(&m.region).await?),
                level: m.level,
                place,
                participants,
                date,
                ..Default::default()
            };
            let g = reports::generate(
                &state,
                None,
                ReportKind::BeritaAcara,
                p,
                lang_of(&out.lang)?,
            )
            .await
            .map_err(fail)?;
            (g.pdf, g.sha256, out)
        }
        ReportCommand::PriorityList { m, out } => {
            let p = ReportParams {
                cycle_id: Some(m.cycle),
                region_id: Some(region_id(&m.region).await?),
                level: m.level,
                ..Default::default()
            };
            let g = reports::generate(
                &state,
                None,
                ReportKind::PriorityList,
                p,
                lang_of(&out.lang)?,
            )
            .await
            .map_err(fail)?;
            (g.pdf, g.sha256, out)
        }
        ReportCommand::AuditTrail {
            workflow,
            instance,
            out,
        } => {
            let p = ReportParams {
                workflow,
                instance_id: instance,
                ..Default::default()
            };
            let g = reports::generate(&state, None, ReportKind::AuditTrail, p, lang_of(&out.lang)?)
                .await
                .map_err(fail)?;
            (g.pdf, g.sha256, out)
        }
    };
    std::fs::write(&out.output, &pdf)
        .with_context(|| format!("writing {}", out.output.display()))?;
    println!(
        "wrote {} ({} bytes, sha256 {sha})",
        out.output.display(),
        pdf.len()
    );
    Ok(())
}

fn hex_sha256(b: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(b))
}

/// The allocation report of a `.pb` election.
fn allocation_pdf(
    e: &mufakat_allocation::Election,
    a: &mufakat_allocation::Allocation,
    lang: mufakat_core::Lang,
) -> anyhow::Result<Vec<u8>> {
    use mufakat_allocation::rules::Reason;
    use mufakat_core::Money;
    use mufakat_reports as r;
    let money = |q: &mufakat_allocation::Rational| {
        Money::parse(&q.to_decimal_rounded(2)).map_err(|e| anyhow::anyhow!("amount {q}: {e}"))
    };
    let name_col = e
        .project_columns
        .iter()
        .position(|c| c == "name" || c == "title");
    let mut rows = vec![];
    for p in &a.projects {
        let title = name_col
            .and_then(|i| {
                e.projects
                    .iter()
                    .find(|x| x.id == p.id)
                    .and_then(|x| x.extra.get(i))
                    .cloned()
            })
            .unwrap_or_else(|| format!("Proyek {}", p.id));
        let reason = match (&p.order, &p.reason) {
            (Some(o), _) => format!("dipilih pada langkah {o}"),
            (None, Some(Reason::DidNotFit { remaining })) => format!(
                "tidak muat: sisa anggaran {}",
                remaining.to_decimal_rounded(2)
            ),
            (None, Some(Reason::SupportersCannotAfford { round, .. })) => {
                format!("dana pendukung tidak cukup (putaran {round})")
            }
            (None, Some(Reason::NoSupport)) => "tidak ada pendukung".into(),
            (None, Some(Reason::NoSatisfaction)) => "tidak memberi kepuasan".into(),
            (None, Some(Reason::ExceedsBudget)) => "melebihi seluruh anggaran".into(),
            (None, Some(Reason::RuleStopped { blocked_by })) => {
                format!("aturan berhenti (terhalang {blocked_by})")
            }
            (None, Some(Reason::NotInOptimum)) => "bukan bagian dari himpunan optimal".into(),
            (None, None) => String::new(),
        };
        rows.push(r::AllocationRow {
            id: p.id.clone(),
            title,
            opd: None,
            cost: money(&p.cost)?,
            votes: p.supporters,
            score: None,
            funded: p.selected,
            reason,
            share: None,
        });
    }
    rows.sort_by(|x, y| {
        y.funded
            .cmp(&x.funded)
            .then(y.votes.cmp(&x.votes))
            .then(x.id.cmp(&y.id))
    });
    let region = e
        .meta_value("unit")
        .or(e.meta_value("subunit"))
        .or(e.meta_value("district"))
        .unwrap_or("Pemilihan")
        .to_owned();
    let cycle = e
        .meta_value("description")
        .unwrap_or("Anggaran partisipatif")
        .to_owned();
    let report = r::AllocationReport {
        region,
        cycle,
        rule: r::RuleInfo {
            name: a.rule.clone(),
            description: None,
            parameters: vec![
                (
                    "satisfaction".into(),
                    format!("{:?}", a.satisfaction).to_lowercase(),
                ),
                (
                    "tie-breaking".into(),
                    format!("{:?}", a.tie_breaking).to_lowercase(),
                ),
                (
                    "completion".into(),
                    a.completion
                        .map(|c| format!("{c:?}").to_lowercase())
                        .unwrap_or_else(|| "none".into()),
                ),
            ],
        },
        ceiling: money(&a.budget)?,
        voters: a.voters,
        projects: rows,
        chart: r::ChartMetric::Votes,
        generated_at: chrono::Utc::now(),
    };
    r::allocation(&report, lang).map_err(|e| anyhow::anyhow!("rendering: {e}"))
}

async fn demo_musrenbang(state: &mufakat_server::AppState) -> anyhow::Result<()> {
    let n = seed::seed_demo_musrenbang(state)
        .await
        .map_err(|e| anyhow::anyhow!(e.message(mufakat_core::Lang::En, "seed")))?;
    if n > 0 {
        println!("Demo e-Musrenbang cycle RKPD 2027: {n} proposals with votes; Mekarsari's kelurahan deliberation under way.");
    }
    Ok(())
}

fn print_seed(report: seed::SeedReport) {
    match report.password {
        None => eprintln!("demo data already present (passwords were shown when it was created)"),
        Some(pw) => {
            println!("Demo data created. Accounts (password for all, shown once: {pw}):");
            for a in report.accounts {
                println!(
                    "  {:<18} {:<16} region {}",
                    a.username,
                    a.role.as_str(),
                    a.region
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::graphql_succeeded;

    #[test]
    fn load_generator_tells_errors_from_data() {
        assert!(graphql_succeeded(
            br#"{"data":{"vote":{"receipt":"ab"}},"extensions":{"x":[1,{"errors":1}]}}"#
        ));
        assert!(!graphql_succeeded(
            br#"{"data":null,"errors":[{"message":"no","extensions":{"code":"FORBIDDEN"}}]}"#
        ));
        assert!(!graphql_succeeded(b"<html>502</html>"));
        assert!(!graphql_succeeded(b""));
    }
}
