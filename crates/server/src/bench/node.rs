//! A server node for the HTTP benchmarks: a child `mufakat serve` on the given database, up
//! when `/healthz` answers.

use crate::Settings;

/// Starts `mufakat serve` on `url` (with `settings`' data directory and `durability`) on a free
/// port; its process and its GraphQL address.
pub async fn spawn_node(
    settings: &Settings,
    url: &str,
    durability: &str,
    client: &reqwest::Client,
) -> anyhow::Result<(std::process::Child, String)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut child = std::process::Command::new(std::env::current_exe()?)
        .args(["--database-url", url, "--data-dir"])
        .arg(&settings.data_dir)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        // MUFAKAT_BENCH_SERVER_LOG=filter shows the server's log (e.g. vote batch sizes).
        .env(
            "RUST_LOG",
            std::env::var("MUFAKAT_BENCH_SERVER_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .env("MUFAKAT_DURABILITY", durability)
        .stdout(std::process::Stdio::null())
        .stderr(if std::env::var_os("MUFAKAT_BENCH_SERVER_LOG").is_some() {
            std::process::Stdio::inherit()
        } else {
            std::process::Stdio::null()
        })
        .spawn()?;
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..300 {
        if client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return Ok((child, format!("{base}/graphql")));
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    anyhow::bail!("the server node did not start")
}

/// A process's resident set now (`VmRSS`) or at its peak (`VmHWM`), in MB.
pub fn rss_mb(pid: u32, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    Some(line.split_whitespace().nth(1)?.parse::<f64>().ok()? / 1024.0)
}
