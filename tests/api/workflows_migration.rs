//! Migrating running cases to a newer version of their workflow: a dry run that says which
//! cases can move and why the others cannot, the move itself (one audit event per case, the
//! new version's timers), renamed states and defaults for new required fields, who may do it,
//! and a module's workflow that may not rename its states.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::musrenbang_authz::ALL;

const MIGRATE: &str = "mutation($w: String!, $m: JSON, $d: JSON, $dry: Boolean!) { migrateCases(workflow: $w, stateMap: $m, defaults: $d, dryRun: $dry) { caseId fromVersion fromState toState problem migrated } }";
const CASE: &str = "query($id: ID!) { instance(id: $id) { state workflowVersion fields deadlines { transition } history { transition fromState toState actor } } }";

/// A second node on the same database whose perizinan has a renamed state (`checking` →
/// `reviewing`) and a new required field (`phone`): version 2.
async fn with_perizinan_v2(app: &TestApp) -> (mufakat_server::startup::Application, TempDir) {
    let dir = TempDir(
        std::env::temp_dir().join(format!("mufakat-mig-{}", uuid::Uuid::new_v4().simple())),
    );
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("workflows");
    std::fs::create_dir_all(dir.0.join("config")).unwrap();
    for sub in ["", "config"] {
        for f in std::fs::read_dir(src.join(sub)).unwrap() {
            let f = f.unwrap().path();
            if f.is_dir() {
                continue;
            }
            let mut text = std::fs::read_to_string(&f).unwrap();
            if f.file_name().unwrap() == "perizinan.toml" {
                text = text.replace("checking", "reviewing").replace(
                    "[fields.permit_type]",
                    "[fields.phone]\ntype = \"text\"\ntitle = \"Nomor telepon\"\nrequired = true\n\n[fields.permit_type]",
                );
            }
            std::fs::write(dir.0.join(sub).join(f.file_name().unwrap()), text).unwrap();
        }
    }
    let mut settings = app.state.settings.clone();
    settings.listen = "127.0.0.1:0".parse().unwrap();
    settings.workflows_dir = dir.0.clone();
    let second = mufakat_server::startup::Application::build(settings)
        .await
        .unwrap();
    (second, dir)
}

#[tokio::test]
async fn running_cases_move_to_a_new_version_after_a_dry_run() {
    let app = spawn_app().await;
    let siti = app.login("warga.siti").await;
    let opd = app.login("opd.dinaspu").await;
    let kel = app.region_id("35.99.01.1001").await;
    let start = "mutation($r: ID!) { startCase(workflow: \"perizinan\", regionId: $r, input: {permit_type: \"reklame\", applicant_name: \"Siti\", address: \"Jl. Melati 1\", documents: \"berkas.pdf\"}) { id } }";
    let waiting = app.gql(start, json!({ "r": kel }), Some(&siti)).await["data"]["startCase"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let checked = app.gql(start, json!({ "r": kel }), Some(&siti)).await["data"]["startCase"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ok(&app.gql("mutation($id: ID!) { fireTransition(instanceId: $id, transition: \"start_check\") { state } }", json!({ "id": checked }), Some(&opd)).await);

    let (second, _dir) = with_perizinan_v2(&app).await;
    let client = reqwest::Client::new();
    let addr = second.local_addr();
    tokio::spawn(second.run_until_stopped());
    let second = Node { addr, client };
    let admin = app.login("admin").await;

    // Who may: the admin only.
    let mut tokens = vec![];
    for who in ALL.iter().filter(|w| !matches!(**w, "budi" | "tetangga")) {
        tokens.push((who, app.login(who).await));
    }
    for (who, tok) in &tokens {
        let v = second
            .gql(MIGRATE, json!({ "w": "perizinan", "dry": true }), Some(tok))
            .await;
        if **who == "admin" {
            assert_ok(&v);
        } else {
            assert_eq!(error_code(&v).as_deref(), Some("FORBIDDEN"), "{who}: {v}");
        }
    }
    let v = second
        .gql(MIGRATE, json!({ "w": "perizinan", "dry": true }), None)
        .await;
    assert_eq!(error_code(&v).as_deref(), Some("UNAUTHENTICATED"));

    // A dry run without a plan: neither can move, each says why.
    let v = second
        .gql(
            MIGRATE,
            json!({ "w": "perizinan", "dry": true }),
            Some(&admin),
        )
        .await;
    assert_ok(&v);
    let rows = v["data"]["migrateCases"].as_array().unwrap().clone();
    assert_eq!(rows.len(), 2, "{v}");
    let of = |id: &str| rows.iter().find(|r| r["caseId"] == id).unwrap().clone();
    assert!(
        of(&waiting)["problem"].as_str().unwrap().contains("phone"),
        "{v}"
    );
    assert!(
        of(&checked)["problem"]
            .as_str()
            .unwrap()
            .contains("checking"),
        "{v}"
    );
    assert!(rows
        .iter()
        .all(|r| r["toState"].is_null() && r["migrated"] == false));
    // With the renamed state and a default: both can; a dry run changes nothing.
    let plan = json!({ "w": "perizinan", "m": { "checking": "reviewing" }, "d": { "phone": "-" }, "dry": true });
    let v = second.gql(MIGRATE, plan.clone(), Some(&admin)).await;
    assert_ok(&v);
    assert!(v["data"]["migrateCases"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["problem"].is_null() && r["migrated"] == false));
    let c = second
        .gql(CASE, json!({ "id": checked }), Some(&admin))
        .await;
    assert_eq!(c["data"]["instance"]["workflowVersion"], 1);
    // A plan naming what the new version lacks is refused whole.
    let mut bad = plan.clone();
    bad["m"] = json!({ "checking": "nowhere" });
    let v = second.gql(MIGRATE, bad, Some(&admin)).await;
    assert_eq!(error_code(&v).as_deref(), Some("VALIDATION"));

    // Applied: each case on version 2, one `migrate` event each, the new version's timers.
    let mut apply = plan.clone();
    apply["dry"] = json!(false);
    let v = second.gql(MIGRATE, apply.clone(), Some(&admin)).await;
    assert_ok(&v);
    assert!(v["data"]["migrateCases"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["migrated"] == true));
    let c = second
        .gql(CASE, json!({ "id": checked }), Some(&admin))
        .await;
    let i = &c["data"]["instance"];
    assert_eq!(
        (i["workflowVersion"].clone(), i["state"].clone()),
        (json!(2), json!("reviewing"))
    );
    assert_eq!(i["fields"]["phone"], "-");
    let last = i["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (
            last["transition"].as_str(),
            last["fromState"].as_str(),
            last["toState"].as_str()
        ),
        (Some("migrate"), Some("checking"), Some("reviewing"))
    );
    let w = second
        .gql(CASE, json!({ "id": waiting }), Some(&admin))
        .await;
    let deadlines: Vec<&str> = w["data"]["instance"]["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["transition"].as_str().unwrap())
        .collect();
    assert_eq!(
        deadlines,
        ["escalate"],
        "the new version's timer, armed once"
    );
    // The moved case goes on under version 2's rules.
    let v = second.gql("mutation($id: ID!) { fireTransition(instanceId: $id, transition: \"approve\", input: {permit_number: \"503/2026/001\", valid_until: \"2031-12-31\"}) { state } }", json!({ "id": checked }), Some(&opd)).await;
    assert_ok(&v);
    assert_eq!(v["data"]["fireTransition"]["state"], "approved");
    // Nothing is left to move.
    let v = second.gql(MIGRATE, apply, Some(&admin)).await;
    assert_eq!(v["data"]["migrateCases"], json!([]));
    // A module's workflow may not rename its states under the module.
    let v = second
        .gql(
            MIGRATE,
            json!({ "w": "musrenbang-usulan", "m": { "draft": "submitted" }, "dry": true }),
            Some(&admin),
        )
        .await;
    assert_eq!(error_code(&v).as_deref(), Some("VALIDATION"), "{v}");
    app.assert_trail_verifies().await;
}

struct Node {
    addr: std::net::SocketAddr,
    client: reqwest::Client,
}

impl Node {
    async fn gql(&self, q: &str, v: Value, token: Option<&str>) -> Value {
        let mut req = self
            .client
            .post(format!("http://{}/graphql", self.addr))
            .json(&json!({ "query": q, "variables": v }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap().json().await.unwrap()
    }
}
