use std::net::SocketAddr;

use mufakat_server::{seed, startup::Application, AppState, Settings};
use mufakat_store::testing::TestDb;
use serde_json::{json, Value};

pub const DEMO_PASSWORD: &str = "demo-password-123";

pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub state: AppState,
    _db: TestDb,
    _dir: TempDir,
}

/// A temporary directory removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct Options {
    pub seed: bool,
    pub tweak: fn(&mut Settings),
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: true,
            tweak: |_| {},
        }
    }
}

/// Spawns the application with demo data on a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(Options::default()).await
}

pub async fn spawn_app_with(opts: Options) -> TestApp {
    spawn_app_configured(opts.seed, opts.tweak).await
}

/// Like [`spawn_app_with`], with settings changed by a closure (which may capture, e.g. the
/// port of a server the test started).
pub async fn spawn_app_configured(seed: bool, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let db = TestDb::fresh().await;
    let dir = TempDir(
        std::env::temp_dir().join(format!("mufakat-test-{}", uuid::Uuid::new_v4().simple())),
    );
    let mut settings = Settings {
        database_url: Some(db.url.clone()),
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.0.clone(),
        workflows_dir: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("workflows"),
        durability: "normal".into(),
        // Tests move the server's clock (`advance_clock`); sessions outlive their jumps.
        test_clock: true,
        token_ttl_hours: 24 * 365 * 3,
        ..Settings::default()
    };
    tweak(&mut settings);
    let app = Application::build(settings)
        .await
        .expect("application builds");
    let addr = app.local_addr();
    let state = app.state().clone();
    if seed {
        seed::seed_demo(&state, Some(DEMO_PASSWORD.into()))
            .await
            .expect("demo seed");
    }
    tokio::spawn(app.run_until_stopped());
    TestApp {
        addr,
        client: reqwest::Client::new(),
        state,
        _db: db,
        _dir: dir,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Posts a GraphQL request; returns (HTTP status, body).
    pub async fn post(&self, body: Value, token: Option<&str>, lang: Option<&str>) -> (u16, Value) {
        let mut req = self.client.post(self.url("/graphql")).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(l) = lang {
            req = req.header("accept-language", l);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status().as_u16();
        (status, resp.json().await.expect("JSON body"))
    }

    pub async fn gql(&self, query: &str, variables: Value, token: Option<&str>) -> Value {
        self.post(
            json!({ "query": query, "variables": variables }),
            token,
            None,
        )
        .await
        .1
    }

    /// The audit trail verifies from its start.
    pub async fn assert_trail_verifies(&self) {
        let report = mufakat_server::notary::verify(&self.state.db, &self.state.notary)
            .await
            .expect("verification runs");
        assert!(report.ok, "the audit trail does not verify");
    }

    /// The time by the server's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.state.now()
    }

    /// Moves the server's clock forward through the API (`advanceClock`, as the admin) by a
    /// span (`P3D`, `PT2H`, `P10WD`); returns how many timers fired.
    pub async fn advance_clock(&self, by: &str) -> i64 {
        self.travel(json!({ "by": by })).await
    }

    /// Moves the server's clock forward to `to` (see [`TestApp::advance_clock`]).
    /// A time already past moves it by nothing (the due timers still fire).
    pub async fn advance_clock_to(&self, to: chrono::DateTime<chrono::Utc>) -> i64 {
        // (A second ahead at least: the server's clock is a little later by the time it reads.)
        let to = to.max(self.now() + chrono::Duration::seconds(1));
        self.travel(json!({ "to": to.to_rfc3339() })).await
    }

    async fn travel(&self, vars: Value) -> i64 {
        let admin = self.login("admin").await;
        let v = self
            .gql(
                "mutation($by: String, $to: DateTime) { advanceClock(by: $by, to: $to) { now firedTimers } }",
                vars,
                Some(&admin),
            )
            .await;
        v["data"]["advanceClock"]["firedTimers"]
            .as_i64()
            .unwrap_or_else(|| panic!("advanceClock: {v}"))
    }

    pub async fn login(&self, username: &str) -> String {
        self.try_login(username, DEMO_PASSWORD)
            .await
            .unwrap_or_else(|e| panic!("login {username}: {e}"))
    }

    pub async fn try_login(&self, username: &str, password: &str) -> Result<String, Value> {
        let v = self
            .gql(
                "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }",
                json!({ "u": username, "p": password }),
                None,
            )
            .await;
        v["data"]["login"]["token"]
            .as_str()
            .map(str::to_owned)
            .ok_or(v)
    }

    pub async fn region_id(&self, code: &str) -> String {
        self.state
            .regions
            .read()
            .await
            .all()
            .find(|r| r.code == code)
            .map(|r| r.id.to_string())
            .expect("region exists")
    }
}

/// The `extensions.code` of the first error, or `None` when there is no error.
pub fn error_code(v: &Value) -> Option<String> {
    v["errors"][0]["extensions"]["code"]
        .as_str()
        .map(str::to_owned)
}

pub fn assert_ok(v: &Value) {
    assert!(
        v.get("errors").is_none() || v["errors"].is_null(),
        "unexpected errors: {v}"
    );
}

/// The fields named by the first error's `extensions.fields` (a `VALIDATION` error), in order.
pub fn error_fields(v: &Value) -> Vec<&str> {
    v["errors"][0]["extensions"]["fields"]
        .as_array()
        .map(|a| a.iter().filter_map(|f| f["field"].as_str()).collect())
        .unwrap_or_default()
}
