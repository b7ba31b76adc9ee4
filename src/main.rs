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
    /// Open Contracting Data (OCDS 1.1.5) of the competitive procedures (docs/procurement.md).
    #[command(subcommand)]
    Ocds(OcdsCommand),
    /// Sealed bids on the vendor's side (docs/procurement.md).
    #[command(subcommand)]
    Bid(BidCommand),
}

#[derive(Subcommand)]
enum OcdsCommand {
    /// Writes every release published so far as one release package (with --records: every
    /// record, with its compiled release, as one record package).
    Export {
        #[arg(long)]
        records: bool,
        #[arg(short, long)]
        output: PathBuf,
    },
}

#[derive(Subcommand)]
enum BidCommand {
    /// Seals a bid to a procedure's public key (as published in its announcement) on this
    /// machine; submit the file's base64 with `submitSealedBid`. Nothing is sent anywhere.
    Seal {
        /// The procedure's public key (`age1…`).
        #[arg(long)]
        key: String,
        /// The procedure's number (e.g. TD-2026-00001).
        #[arg(long)]
        procedure: String,
        /// The price in Rupiah (at most two decimals).
        #[arg(long)]
        price: rust_decimal::Decimal,
        /// The technical offer in words.
        #[arg(long, default_value = "")]
        technical: String,
        /// Documents to enclose (PDF, images); repeat for several.
        #[arg(long = "file")]
        files: Vec<PathBuf>,
        #[arg(short, long)]
        output: PathBuf,
    },
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
    Load(mufakat_server::bench::LoadRun),
    /// A steady mixed load (votes, public listings with ever new texts, case starts) on a real
    /// server for --seconds at --rate, the server's RSS sampled; fails on any error, any request
    /// of a second or more, or memory that keeps growing.
    Soak(mufakat_server::bench::SoakRun),
    /// Catalogue search on a real server over HTTP: a catalogue of --items items, searched by
    /// --clients concurrent signed-in buyers in a closed loop and then paced at --rate; prints
    /// throughput and latency percentiles.
    Catalogue(mufakat_server::bench::CatalogueRun),
    /// The situation room on a real server over HTTP: --activities activities with 12 verified
    /// monthly reports each, dashboards asked by --clients concurrent readers in a closed loop;
    /// prints throughput and latency percentiles.
    Monev(mufakat_server::bench::MonevRun),
    /// A million pending workflow timers (by default), some thousands due: the time to find
    /// the due ones and the firing rate with their audit events. Fresh SQLite unless
    /// --database-url.
    Timers(mufakat_server::bench::TimersRun),
    /// The auditors' trail queries on a real server over HTTP, over a chain of --events events,
    /// by --clients concurrent auditors within an assignment; then the whole chain verified
    /// against raw SHA-256 over the same bytes.
    Trail(mufakat_server::bench::TrailRun),
    /// The deadline rush: many vendors submit sealed bids in the last seconds before a
    /// procedure's deadline while the timer closes it; checks none is lost, doubled or late.
    Rush(mufakat_server::bench::RushRun),
    /// OCDS releases of generated contracting processes, against plain serde_json.
    Ocds(mufakat_server::bench::OcdsRun),
    /// Red-flag indicators over the compiled releases of generated processes.
    Flags(mufakat_server::bench::FlagsRun),
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
    /// The allocation report of a run stored by the server (`runAllocation`), with its
    /// overrides and whether it was adopted: the same PDF as `GET /reports/allocation?runId=`.
    AllocationRun {
        /// The run's id.
        #[arg(long)]
        run: i32,
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
    /// Moves the running cases of WORKFLOW on older versions to the newest version (or
    /// --to-version). A dry run unless --apply: it lists each case, where it would go, or why
    /// it cannot. Applied, each case moves with one audit event and the new version's timers.
    Migrate {
        workflow: String,
        #[arg(long)]
        to_version: Option<i32>,
        /// A renamed state: --map old=new (repeatable).
        #[arg(long = "map", value_name = "OLD=NEW")]
        map: Vec<String>,
        /// A value for a field the cases lack: --default field=value (JSON or text; repeatable).
        #[arg(long = "default", value_name = "FIELD=VALUE")]
        defaults: Vec<String>,
        #[arg(long)]
        apply: bool,
    },
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
    /// Test mode: run on a clock that admins move forward with the `advanceClock` mutation, to
    /// test timers and deadlines without waiting (never in production; also `MUFAKAT_TEST_CLOCK`).
    #[arg(long)]
    test_clock: bool,
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
        /// admin, bappeda_planner, kecamatan_staff, kelurahan_staff, opd_staff, vendor, ukpbj_staff,
        /// ppk, finance_staff, inspector, inspectorate_staff, auditor
        #[arg(long)]
        role: Role,
        /// The region code (kode wilayah), e.g. 35.99 or 35.99.01.1001.
        #[arg(long)]
        region: String,
        /// For opd_staff and kpa: the code of the OPD they work for (see `opds` in the API).
        #[arg(long)]
        opd: Option<String>,
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
            if args.test_clock {
                settings.test_clock = true;
            }
            let app = startup::Application::build(settings).await?;
            if args.demo {
                let report = seed::seed_demo(app.state(), None).await?;
                let password = report.password.clone();
                print_seed(report);
                demo_musrenbang(app.state()).await?;
                demo_procurement(app.state(), password).await?;
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
            let report = seed::seed_demo(&state, None).await?;
            let password = report.password.clone();
            print_seed(report);
            demo_musrenbang(&state).await?;
            demo_procurement(&state, password).await?;
        }
        Command::Users(UsersCommand::Create {
            username,
            name,
            role,
            region,
            opd,
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
            let opd_id = match &opd {
                Some(code) => {
                    let path = state.region_path(region_id).await;
                    let listed = mufakat_server::services::opds::serving(&state.db, &path)
                        .await
                        .map_err(|e| anyhow::anyhow!(e.message(mufakat_core::Lang::En, "cli")))?;
                    Some(
                        listed
                            .iter()
                            .find(|o| o.code.eq_ignore_ascii_case(code))
                            .map(|o| o.id)
                            .with_context(|| format!("no OPD with code {code} serves {region}"))?,
                    )
                }
                None => None,
            };
            let (password, generated) = read_or_generate_password()?;
            let u = accounts::create_staff(
                &state,
                None,
                accounts::CreateStaff {
                    username,
                    name,
                    password: password.clone(),
                    grants: vec![(role, region_id, opd_id)],
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
        Command::Bid(BidCommand::Seal {
            key,
            procedure,
            price,
            technical,
            files,
            output,
        }) => {
            use base64::Engine;
            let mut documents = vec![];
            for f in &files {
                let bytes = std::fs::read(f).with_context(|| format!("reading {}", f.display()))?;
                let content_type = match f
                    .extension()
                    .and_then(|e| e.to_str())
                    .unwrap_or_default()
                    .to_ascii_lowercase()
                    .as_str()
                {
                    "pdf" => "application/pdf",
                    "png" => "image/png",
                    "jpg" | "jpeg" => "image/jpeg",
                    _ => anyhow::bail!("{}: enclose PDF, PNG or JPEG files", f.display()),
                };
                documents.push(mufakat_module_tender::seal::EnvelopeDocument {
                    name: f
                        .file_name()
                        .and_then(|n| n.to_str())
                        .unwrap_or("dokumen")
                        .to_owned(),
                    content_type: content_type.into(),
                    data: base64::engine::general_purpose::STANDARD.encode(&bytes),
                });
            }
            let envelope = mufakat_module_tender::seal::Envelope {
                procedure,
                price,
                technical,
                documents,
            };
            let sealed = mufakat_module_tender::seal::seal(&key, &envelope)
                .map_err(|e| anyhow::anyhow!(e))?;
            std::fs::write(&output, &sealed)
                .with_context(|| format!("writing {}", output.display()))?;
            println!(
                "sealed {} bytes to {}; receipt hash (SHA-256) {}",
                sealed.len(),
                output.display(),
                mufakat_module_tender::seal::receipt_hash(&sealed)
            );
        }
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
        Command::Bench(BenchCommand::Load(load)) => {
            mufakat_server::bench::run_load(settings, load).await?
        }
        Command::Bench(BenchCommand::Monev(run)) => {
            mufakat_server::bench::run_monev(settings, run).await?
        }
        Command::Bench(BenchCommand::Catalogue(run)) => {
            mufakat_server::bench::run_catalogue(settings, run).await?
        }
        Command::Bench(BenchCommand::Trail(run)) => {
            mufakat_server::bench::run_trail(settings, run).await?
        }
        Command::Bench(BenchCommand::Rush(run)) => {
            mufakat_server::bench::run_rush(settings, run).await?
        }
        Command::Bench(BenchCommand::Ocds(run)) => mufakat_server::bench::run_ocds(run).await?,
        Command::Bench(BenchCommand::Flags(run)) => mufakat_server::bench::run_flags(run).await?,
        Command::Bench(BenchCommand::Soak(soak)) => {
            mufakat_server::bench::run_soak(settings, soak).await?
        }
        Command::Bench(BenchCommand::Timers(run)) => {
            mufakat_server::bench::run_timers(settings, run).await?
        }
        Command::Bench(BenchCommand::Audit { cases }) => {
            mufakat_server::bench::run_audit(settings, cases).await?
        }
        Command::Workflows(WorkflowsCommand::Migrate {
            workflow,
            to_version,
            map,
            defaults,
            apply,
        }) => {
            let pair = |s: &String| {
                s.split_once('=')
                    .map(|(a, b)| (a.trim().to_owned(), b.trim().to_owned()))
                    .ok_or_else(|| anyhow::anyhow!("`{s}` is not NAME=VALUE"))
            };
            let mut plan = mufakat_workflow::MigrationPlan::default();
            for m in &map {
                let (a, b) = pair(m)?;
                plan.states.insert(a, b);
            }
            for d in &defaults {
                let (k, v) = pair(d)?;
                let value = serde_json::from_str(&v).unwrap_or(serde_json::Value::String(v));
                plan.defaults.insert(k, value);
            }
            let state = startup::build_state(settings).await?;
            let out = mufakat_server::services::cases::migrate::migrate(
                &state, None, &workflow, to_version, plan, apply,
            )
            .await
            .map_err(|e| anyhow::anyhow!(e.message(mufakat_core::Lang::En, "migrate")))?;
            let (mut ok, mut refused) = (0, 0);
            for m in &out {
                match (&m.to_state, m.problem(mufakat_core::Lang::En)) {
                    (Some(to), _) => {
                        ok += 1;
                        println!(
                            "case {} v{} {} -> {}{}",
                            m.case_id,
                            m.from_version,
                            m.from_state,
                            to,
                            if m.migrated { " (migrated)" } else { "" }
                        );
                    }
                    (None, p) => {
                        refused += 1;
                        println!(
                            "case {} v{} {}: cannot move: {}",
                            m.case_id,
                            m.from_version,
                            m.from_state,
                            p.unwrap_or("")
                        );
                    }
                }
            }
            println!(
                "{ok} case(s) {}, {refused} cannot move{}",
                if apply { "migrated" } else { "can move" },
                if apply {
                    ""
                } else {
                    " (dry run: --apply to migrate)"
                }
            );
        }
        Command::Workflows(WorkflowsCommand::Check { dir }) => {
            let dir = dir.unwrap_or_else(|| settings.workflows_dir.clone());
            match mufakat_server::workflows::check(&dir)
                .and_then(|n| Ok((n, mufakat_server::modules::check_files(&dir)?)))
            {
                Ok((n, files)) => {
                    println!("{n} workflow definition(s) in {} are valid", dir.display());
                    println!("config/calendar.toml is valid (working days)");
                    for f in files {
                        println!("{f} is valid");
                    }
                }
                Err(e) => {
                    eprintln!("{e:#}");
                    std::process::exit(1);
                }
            }
        }
        Command::Ocds(OcdsCommand::Export { records, output }) => {
            let state = startup::build_state(settings).await?;
            let mut out = std::io::BufWriter::new(
                std::fs::File::create(&output)
                    .with_context(|| format!("creating {}", output.display()))?,
            );
            let n = mufakat_module_tender::service::publish::export(&state, &mut out, records)
                .await
                .map_err(|e| anyhow::anyhow!(e.message(mufakat_core::Lang::En, "cli")))?;
            use std::io::Write;
            out.flush()?;
            eprintln!(
                "exported {n} {} to {}",
                if records { "records" } else { "releases" },
                output.display()
            );
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
                reports::Requester::Cli,
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
                reports::Requester::Cli,
                ReportKind::PriorityList,
                p,
                lang_of(&out.lang)?,
            )
            .await
            .map_err(fail)?;
            (g.pdf, g.sha256, out)
        }
        ReportCommand::AllocationRun { run, out } => {
            let p = ReportParams {
                run_id: Some(run),
                ..Default::default()
            };
            let g = reports::generate(
                &state,
                reports::Requester::Cli,
                ReportKind::Allocation,
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
            let g = reports::generate(
                &state,
                reports::Requester::Cli,
                ReportKind::AuditTrail,
                p,
                lang_of(&out.lang)?,
            )
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
            name: r::rule_title(&a.rule, lang),
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
        // A .pb file's outcome is a computation, not a decision: it is never adopted.
        adopted: None,
        signatories: vec![],
        signing_place: None,
        letterhead: None,
        generated_at: chrono::Utc::now(),
    };
    r::allocation(&report, lang).map_err(|e| anyhow::anyhow!("rendering: {e}"))
}

async fn demo_musrenbang(state: &mufakat_server::AppState) -> anyhow::Result<()> {
    let n = seed::seed_demo_musrenbang(state)
        .await
        .map_err(|e| anyhow::anyhow!(e.message(mufakat_core::Lang::En, "seed")))?;
    if n > 0 {
        println!("Demo e-Musrenbang cycle RKPD 2027: {n} proposals with votes; Mekarsari's kelurahan deliberation under way. Last year's RKPD 2026 funded Mekarsari's road (its golden thread runs to monev).");
        println!("Demo public services: LAPOR complaints, permits and PPID information requests in several states (accounts ppid and sekda answer requests and objections).");
    }
    Ok(())
}

async fn demo_procurement(
    state: &mufakat_server::AppState,
    password: Option<String>,
) -> anyhow::Result<()> {
    // The vendors' accounts take the demo password, known only when the demo was just made.
    let Some(password) = password else {
        return Ok(());
    };
    let n = seed::seed_demo_procurement(state, &password)
        .await
        .map_err(|e| anyhow::anyhow!(e.message(mufakat_core::Lang::En, "seed")))?;
    if n > 0 {
        println!("Demo procurement: 3 verified vendors (penyedia.maju, penyedia.sentosa, penyedia.rejeki), {n} catalogue items, packages planned, announced, half received and paid.");
    }
    let n = seed::seed_demo_tender(state)
        .await
        .map_err(|e| anyhow::anyhow!(e.message(mufakat_core::Lang::En, "seed")))?;
    if n > 0 {
        println!("Demo procurement II: {n} procedures — a tender open for sealed bids, one opened, a mini-competition in its objection period with an objection, one contracted and amended, one unsuccessful.");
    }
    let n = seed::seed_demo_monev(state)
        .await
        .map_err(|e| anyhow::anyhow!(e.message(mufakat_core::Lang::En, "seed")))?;
    if n > 0 {
        println!("Demo monev: {n} activities with a year of monthly reports — one on plan with photos, a critical contract escalated to SCM I, one spending ahead with a late report, one not started.");
    }
    let n = seed::seed_demo_eaudit(state, &password)
        .await
        .map_err(|e| anyhow::anyhow!(e.message(mufakat_core::Lang::En, "seed")))?;
    if n > 0 {
        println!("Demo e-audit: inspektur, auditor.ani (lead) and auditor.budi on an active assignment over the kota with {n} findings (draft, issued, closed) and follow-ups rated.");
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
