//! What a load run costs beyond throughput and latency: CPU time of the server nodes, of local
//! PostgreSQL and of the load generator, and the bytes the servers wrote, read from `/proc`.

/// CPU time used so far (user + system, seconds) by the server nodes, by PostgreSQL's
/// processes on this machine (all of them: backends, WAL writer, checkpointer; none counted
/// when the database runs elsewhere) and by this load generator, and the bytes the servers
/// wrote to storage, read from `/proc` (Linux; `None` elsewhere). Per request, these measure
/// work without depending on how many cores were free, as throughput and latency do.
pub(super) struct Usage {
    server: f64,
    database: Option<f64>,
    client: f64,
    /// Bytes the server nodes caused to be written to storage (`write_bytes` of
    /// `/proc/<pid>/io`; SQLite's WAL and checkpoints, not PostgreSQL's).
    written: Option<u64>,
}

impl Usage {
    pub(super) fn now(server_pids: &[u32], postgres: bool) -> Option<Self> {
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
    pub(super) fn since(
        &self,
        before: &Option<Self>,
        n: usize,
        secs: f64,
        postgres: bool,
    ) -> Option<String> {
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
