//! Crash test: the real binary is killed with SIGKILL several times during a vote load. After
//! each restart every vote that got a success response is there, none twice, and the audit
//! chain verifies.

use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::*;

pub struct Server {
    pub child: Child,
    pub url: String,
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub async fn start(dir: &std::path::Path, db_url: &str, port: u16) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_mufakat"))
        .args(["--data-dir"])
        .arg(dir)
        .args([
            "--database-url",
            db_url,
            "serve",
            "--demo",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .env("MUFAKAT_TIMER_POLL_SECS", "1")
        .env(
            "MUFAKAT_WORKFLOWS_DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/workflows"),
        )
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("server starts");
    let url = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if client
            .get(format!("{url}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return Server { child, url };
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not come up");
}

impl Server {
    pub fn kill(&mut self) {
        let _ = self.child.kill(); // SIGKILL
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Makes the planner account `perencana` with the CLI, against the running server's database.
pub fn create_planner(dir: &std::path::Path, db_url: &str) {
    create_staff(
        dir,
        db_url,
        "perencana",
        "bappeda_planner",
        "sandi-perencana-123",
    );
}

/// A staff account made with the CLI, `role` in the demo kota, with a known password.
pub fn create_staff(
    dir: &std::path::Path,
    db_url: &str,
    username: &str,
    role: &str,
    password: &str,
) {
    use std::io::Write;
    let mut c = Command::new(env!("CARGO_BIN_EXE_mufakat"))
        .args(["--data-dir"])
        .arg(dir)
        .args([
            "--database-url",
            db_url,
            "users",
            "create",
            "--username",
            username,
            "--name",
            username,
            "--role",
            role,
            "--region",
            "35.99",
        ])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    c.stdin
        .take()
        .unwrap()
        .write_all(password.as_bytes())
        .unwrap();
    let out = c.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub async fn gql(
    client: &reqwest::Client,
    url: &str,
    q: &str,
    v: Value,
    token: Option<&str>,
) -> Option<Value> {
    let mut r = client
        .post(format!("{url}/graphql"))
        .json(&json!({ "query": q, "variables": v }))
        .timeout(Duration::from_secs(10));
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    r.send().await.ok()?.json().await.ok()
}

pub async fn login(client: &reqwest::Client, url: &str, u: &str, p: &str) -> String {
    let v = gql(
        client,
        url,
        "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }",
        json!({ "u": u, "p": p }),
        None,
    )
    .await
    .unwrap();
    v["data"]["login"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("login {u}: {v}"))
        .to_owned()
}

#[tokio::test]
async fn acknowledged_votes_survive_repeated_kill_9() {
    let db = mufakat_store::testing::TestDb::fresh().await;
    let dir = TempDir(
        std::env::temp_dir().join(format!("mufakat-crash-{}", uuid::Uuid::new_v4().simple())),
    );
    std::fs::create_dir_all(&dir.0).unwrap();
    let port = free_port();
    let client = reqwest::Client::new();
    let mut server = start(&dir.0, &db.url, port).await;
    let url = server.url.clone();

    // Residents register over the API; the planner is made with the CLI (the demo password is
    // random and shown only on the server's output).
    let kel = {
        let v = gql(
            &client,
            &url,
            "{ regions(level: KELURAHAN_DESA) { id code } }",
            json!({}),
            None,
        )
        .await
        .unwrap();
        v["data"]["regions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == "35.99.01.1001")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let mut residents = vec![];
    for i in 0..24 {
        let nik = format!("359901{:02}0185{:04}", 1 + i % 28, i + 1);
        let v = gql(&client, &url, "mutation($i: RegisterResidentInput!) { registerResident(input: $i) { token } }",
            json!({ "i": { "username": format!("pemilih{i}"), "name": "Pemilih", "nik": nik, "kelurahanId": kel, "password": "kata-sandi-pemilih" } }), None).await.unwrap();
        residents.push(
            v["data"]["registerResident"]["token"]
                .as_str()
                .unwrap_or_else(|| panic!("{v}"))
                .to_owned(),
        );
    }
    // A planner, made with the CLI against the same database while the server runs.
    create_planner(&dir.0, &db.url);
    let planner = login(&client, &url, "perencana", "sandi-perencana-123").await;
    let kota = gql(&client, &url, "{ regions { id } }", json!({}), None)
        .await
        .unwrap()["data"]["regions"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let now = chrono::Utc::now();
    let at = |s: i64| (now + chrono::Duration::seconds(s)).to_rfc3339();
    let v = gql(&client, &url, "mutation($i: CreateCycleInput!) { createMusrenbangCycle(input: $i) { id } }",
        json!({ "i": { "name": "Uji", "year": 2028, "regionId": kota, "maxVotesPerVoter": 10,
            "windows": { "submissionOpens": at(-60), "votingOpens": at(6), "kelurahanOpens": at(3600), "kecamatanOpens": at(7200), "kotaOpens": at(9000), "closesAt": at(10000) } } }),
        Some(&planner)).await.unwrap();
    let cycle = v["data"]["createMusrenbangCycle"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{v}"))
        .to_owned();
    let phase = |c: String| {
        let (client, url) = (client.clone(), url.clone());
        async move {
            gql(
                &client,
                &url,
                "query($c: ID!) { musrenbangCycle(id: $c) { phase } }",
                json!({ "c": c }),
                None,
            )
            .await
            .unwrap()["data"]["musrenbangCycle"]["phase"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        }
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while phase(cycle.clone()).await != "submission" {
        assert!(
            std::time::Instant::now() < deadline,
            "the cycle never reached submission"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut proposals = vec![];
    for i in 0..6 {
        let v = gql(&client, &url, "mutation($i: CreateProposalInput!) { createProposal(input: $i) { id } }",
            json!({ "i": { "cycleId": cycle, "title": format!("Usulan {i}"), "description": "d", "category": "infrastruktur", "volume": "1", "unit": "m", "unitPrice": "1000" } }), Some(&residents[i])).await.unwrap();
        let id = v["data"]["createProposal"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{v}"))
            .to_owned();
        gql(
            &client,
            &url,
            "mutation($id: ID!) { proposalAction(proposalId: $id, action: SUBMIT) { receipt } }",
            json!({ "id": id }),
            Some(&residents[i]),
        )
        .await
        .unwrap();
        proposals.push(id);
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while phase(cycle.clone()).await != "voting" {
        assert!(
            std::time::Instant::now() < deadline,
            "the cycle never reached voting"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Every (resident, proposal) pair is one vote to cast; kill the server three times meanwhile.
    let mut pending: Vec<(usize, usize)> = (0..residents.len())
        .flat_map(|r| (0..proposals.len()).map(move |p| (r, p)))
        .collect();
    let mut acknowledged: BTreeSet<(usize, usize)> = BTreeSet::new();
    for round in 0..4 {
        let mut tasks = vec![];
        for (r, p) in pending.drain(..) {
            let (client, url, tok, pid) = (
                client.clone(),
                server.url.clone(),
                residents[r].clone(),
                proposals[p].clone(),
            );
            tasks.push(tokio::spawn(async move {
                let v = gql(
                    &client,
                    &url,
                    "mutation($id: ID!) { vote(proposalId: $id) { receipt } }",
                    json!({ "id": pid }),
                    Some(&tok),
                )
                .await;
                ((r, p), v)
            }));
        }
        if round < 3 {
            tokio::time::sleep(Duration::from_millis(150 + 100 * round as u64)).await;
            server.kill();
        }
        for t in tasks {
            let ((r, p), v) = t.await.unwrap();
            match v.as_ref().map(|v| (error_code(v), v)) {
                Some((None, _)) => {
                    acknowledged.insert((r, p));
                }
                // "already voted": an earlier attempt committed without its answer getting out.
                Some((Some(c), _)) if c == "CONFLICT" => {}
                _ => pending.push((r, p)),
            }
        }
        if round < 3 {
            server = start(&dir.0, &db.url, port).await;
        }
    }
    assert!(
        pending.is_empty(),
        "all votes eventually answered: {} left",
        pending.len()
    );
    assert!(!acknowledged.is_empty());
    // Every acknowledged vote is there, and each resident has each proposal exactly once.
    for (r, tok) in residents.iter().enumerate() {
        let v = gql(
            &client,
            &server.url,
            "{ myVotes { id } }",
            json!({}),
            Some(tok),
        )
        .await
        .unwrap();
        let mine: Vec<String> = v["data"]["myVotes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_str().unwrap().to_owned())
            .collect();
        for (p, pid) in proposals.iter().enumerate() {
            if acknowledged.contains(&(r, p)) {
                assert!(mine.contains(pid), "acknowledged vote {r}/{p} lost");
            }
        }
        assert_eq!(
            mine.len(),
            proposals.len(),
            "every pair voted once in the end"
        );
    }
    for pid in &proposals {
        let v = gql(
            &client,
            &server.url,
            "query($id: ID!) { proposal(id: $id) { votes } }",
            json!({ "id": pid }),
            None,
        )
        .await
        .unwrap();
        assert_eq!(
            v["data"]["proposal"]["votes"],
            residents.len() as i64,
            "exact count for {pid}"
        );
    }
    server.kill();
    let out = Command::new(env!("CARGO_BIN_EXE_mufakat"))
        .args(["--data-dir"])
        .arg(&dir.0)
        .args(["--database-url", &db.url, "audit", "verify"])
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "audit verify after crashes: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
