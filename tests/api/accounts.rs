use serde_json::json;

use crate::helpers::*;

const REGISTER: &str = "mutation($i: RegisterResidentInput!) { registerResident(input: $i) { token user { username homeRegion { name } roles { role region { code } } } } }";

#[tokio::test]
async fn health_check_works() {
    let app = spawn_app().await;
    let resp = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn graphiql_page_loads() {
    let app = spawn_app().await;
    let resp = app.client.get(app.url("/graphql")).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert!(resp
        .text()
        .await
        .unwrap()
        .to_lowercase()
        .contains("graphiql"));
}

#[tokio::test]
async fn login_then_me_returns_roles_and_regions() {
    let app = spawn_app().await;
    let token = app.login("camat.sukamaju").await;
    let v = app
        .gql(
            "{ me { username displayName roles { role region { code name level } } } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_ok(&v);
    assert_eq!(v["data"]["me"]["username"], "camat.sukamaju");
    assert_eq!(
        v["data"]["me"]["roles"],
        json!([{ "role": "KECAMATAN_STAFF", "region": { "code": "35.99.01", "name": "Sukamaju", "level": "KECAMATAN" } }])
    );
}

#[tokio::test]
async fn a_resident_registers_and_is_signed_in() {
    let app = spawn_app().await;
    let kel = app.region_id("35.99.02.1001").await;
    let v = app
        .gql(REGISTER, json!({ "i": { "username": "Budi.Santoso", "name": "Budi  Santoso", "nik": "3599020101850003", "kelurahanId": kel, "password": "kata-sandi-budi" } }), None)
        .await;
    assert_ok(&v);
    let reg = &v["data"]["registerResident"];
    assert_eq!(reg["user"]["username"], "budi.santoso");
    assert_eq!(reg["user"]["homeRegion"]["name"], "Cempaka");
    assert_eq!(
        reg["user"]["roles"],
        json!([{ "role": "RESIDENT", "region": { "code": "35.99.02.1001" } }])
    );
    let token = reg["token"].as_str().unwrap();
    let me = app.gql("{ me { username } }", json!({}), Some(token)).await;
    assert_eq!(me["data"]["me"]["username"], "budi.santoso");
    // And a normal login works too.
    app.try_login("budi.santoso", "kata-sandi-budi")
        .await
        .unwrap();
}

#[tokio::test]
async fn the_nik_is_never_stored_and_one_nik_holds_one_account() {
    let app = spawn_app().await;
    let kel = app.region_id("35.99.02.1001").await;
    let nik = "3599020101850003";
    let first = app.gql(REGISTER, json!({ "i": { "username": "budi", "name": "Budi", "nik": nik, "kelurahanId": kel, "password": "kata-sandi-budi" } }), None).await;
    assert_ok(&first);
    let second = app.gql(REGISTER, json!({ "i": { "username": "budi2", "name": "Budi", "nik": nik, "kelurahanId": kel, "password": "kata-sandi-budi" } }), None).await;
    assert_eq!(error_code(&second).as_deref(), Some("CONFLICT"));
    assert!(second["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("NIK"));

    // Look at every text column of the users table: the NIK appears nowhere.
    use mufakat_store::sea_orm::EntityTrait;
    let users = mufakat_store::entity::user::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    for u in users {
        let dump = format!("{u:?}");
        assert!(!dump.contains(nik), "NIK stored in clear: {dump}");
    }
}

#[tokio::test]
async fn registration_reports_every_bad_field_at_once() {
    let app = spawn_app().await;
    let kecamatan = app.region_id("35.99.01").await; // not a kelurahan
    let v = app
        .post(json!({ "query": REGISTER, "variables": { "i": { "username": "x", "name": " ", "nik": "123", "kelurahanId": kecamatan, "password": "short" } } }), None, Some("en"))
        .await
        .1;
    assert_eq!(error_code(&v).as_deref(), Some("VALIDATION"));
    let fields = error_fields(&v);
    assert_eq!(
        fields,
        vec!["username", "name", "nik", "password", "kelurahanId"]
    );
    assert!(v["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("16 digits"));
    // Nothing was created.
    assert!(app.try_login("x", "short").await.is_err());
}

#[tokio::test]
async fn duplicate_username_is_a_clear_conflict() {
    let app = spawn_app().await;
    let kel = app.region_id("35.99.02.1001").await;
    let v = app.gql(REGISTER, json!({ "i": { "username": "warga.siti", "name": "Siti Lain", "nik": "3599020101850003", "kelurahanId": kel, "password": "kata-sandi-siti" } }), None).await;
    assert_eq!(error_code(&v).as_deref(), Some("CONFLICT"));
    assert!(v["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("Nama pengguna sudah dipakai"));
}

#[tokio::test]
async fn logout_revokes_the_token() {
    let app = spawn_app().await;
    let token = app.login("warga.siti").await;
    let v = app
        .gql("mutation { logout }", json!({}), Some(&token))
        .await;
    assert_eq!(v["data"]["logout"], true);
    let (status, v) = app
        .post(json!({ "query": "{ me { id } }" }), Some(&token), None)
        .await;
    assert_eq!(status, 401);
    assert_eq!(error_code(&v).as_deref(), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn expired_tokens_are_refused() {
    let app = spawn_app_with(Options {
        seed: true,
        tweak: |s| s.token_ttl_hours = 0,
    })
    .await;
    let token = app.login("warga.siti").await;
    let (status, v) = app
        .post(json!({ "query": "{ me { id } }" }), Some(&token), None)
        .await;
    assert_eq!(status, 401);
    assert_eq!(error_code(&v).as_deref(), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn admin_creates_staff_who_can_log_in() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let kel = app.region_id("35.99.02.1002").await;
    let v = app
        .gql(
            "mutation($i: CreateStaffInput!) { createStaffUser(input: $i) { username roles { role region { name } } } }",
            json!({ "i": { "username": "sekretaris.melati", "name": "Sekretaris Melati", "password": "sandi-lurah-melati", "roles": [{ "role": "KELURAHAN_STAFF", "regionId": kel }] } }),
            Some(&admin),
        )
        .await;
    assert_ok(&v);
    assert_eq!(
        v["data"]["createStaffUser"]["roles"][0]["region"]["name"],
        "Melati"
    );
    app.try_login("sekretaris.melati", "sandi-lurah-melati")
        .await
        .unwrap();
}

#[tokio::test]
async fn seeding_twice_changes_nothing() {
    let app = spawn_app().await;
    let again = mufakat_server::seed::seed_demo(&app.state, None)
        .await
        .unwrap();
    assert!(again.password.is_none());
    assert_eq!(app.state.regions.read().await.all().count(), 7);
}

#[tokio::test]
async fn account_and_region_changes_are_in_the_audit_trail_without_secrets() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let kel = app.region_id("35.99.01.1001").await;
    let me = app
        .gql(
            "{ me { id } }",
            json!({}),
            Some(&app.login("warga.siti").await),
        )
        .await;
    let v = app
        .gql("mutation($u: ID!, $r: ID!) { grantRole(userId: $u, role: VENDOR, regionId: $r) { id } }", json!({ "u": me["data"]["me"]["id"], "r": kel }), Some(&admin))
        .await;
    assert_ok(&v);
    let rows = mufakat_store::repo::audit::page(&app.state.db, 0, 1000)
        .await
        .unwrap();
    let kinds: Vec<(&str, &str)> = rows
        .iter()
        .map(|e| (e.workflow.as_str(), e.transition.as_str()))
        .collect();
    assert!(kinds.contains(&("system.regions", "create")));
    assert!(kinds.contains(&("system.accounts", "register")));
    assert!(kinds.contains(&("system.accounts", "create_staff")));
    assert_eq!(kinds.last(), Some(&("system.accounts", "grant_role")));
    for e in &rows {
        assert!(
            !e.input.contains("3599014507900001") && !e.input.contains(DEMO_PASSWORD),
            "secret in the trail: {}",
            e.input
        );
    }
    app.assert_trail_verifies().await;
}

/// A production start from nothing: the kota and its first admin from the command line.
#[test]
fn the_first_region_and_admin_come_from_the_cli() {
    let dir = TempDir(
        std::env::temp_dir().join(format!("mufakat-cli-{}", uuid::Uuid::new_v4().simple())),
    );
    let run = |args: &[&str], stdin: Option<&str>| {
        use std::io::Write;
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_mufakat"))
            .arg("--data-dir")
            .arg(&dir.0)
            .args(args)
            .env("RUST_LOG", "warn")
            .env_remove("RUST_BACKTRACE")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        c.stdin
            .take()
            .unwrap()
            .write_all(stdin.unwrap_or("").as_bytes())
            .unwrap();
        c.wait_with_output().unwrap()
    };
    assert!(run(
        &[
            "regions",
            "create",
            "--code",
            "32.73",
            "--name",
            "Kota Bandung",
            "--level",
            "kabupaten_kota"
        ],
        None
    )
    .status
    .success());
    let bad = run(
        &[
            "regions",
            "create",
            "--code",
            "32.73.9",
            "--name",
            "X",
            "--level",
            "kelurahan_desa",
            "--parent",
            "32.73",
        ],
        None,
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("does not fit under its parent"));
    let ok = run(
        &[
            "users",
            "create",
            "--username",
            "admin",
            "--name",
            "Admin",
            "--role",
            "admin",
            "--region",
            "32.73",
        ],
        Some("kata-sandi-admin-panjang"),
    );
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("created user admin"));
}
