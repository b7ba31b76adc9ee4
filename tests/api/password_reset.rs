//! A forgotten password, reset at the kelurahan office: staff of the resident's kelurahan (or
//! admins) issue a one-time code, the resident sets a new password with it. Audited, used once,
//! expiring, counted by the login limit.

use serde_json::{json, Value};

use crate::helpers::*;

const ISSUE: &str =
    "mutation($u: String!) { issuePasswordResetCode(username: $u) { code expiresAt } }";
const RESET: &str = "mutation($u: String!, $c: String!, $n: String!) { resetPassword(username: $u, code: $c, newPassword: $n) }";

async fn issue(app: &TestApp, token: &str, username: &str) -> Value {
    app.gql(ISSUE, json!({ "u": username }), Some(token)).await
}

async fn reset(app: &TestApp, username: &str, code: &str, new: &str) -> Value {
    app.gql(RESET, json!({ "u": username, "c": code, "n": new }), None)
        .await
}

#[tokio::test]
async fn kelurahan_staff_issue_a_code_and_the_resident_sets_a_new_password_with_it() {
    let app = spawn_app().await;
    let siti_old = app.login("warga.siti").await;
    // Who may issue one for a Mekarsari resident: its kelurahan's staff and admins; not the
    // resident, not another kelurahan, not an OPD, not anonymous.
    for who in [
        "warga.siti",
        "lurah.cempaka",
        "opd.dinaspu",
        "camat.sukasari",
        "ppid",
    ] {
        let t = app.login(who).await;
        let v = issue(&app, &t, "warga.siti").await;
        assert_eq!(error_code(&v).as_deref(), Some("FORBIDDEN"), "{who}: {v}");
    }
    let v = app.gql(ISSUE, json!({ "u": "warga.siti" }), None).await;
    assert_eq!(error_code(&v).as_deref(), Some("UNAUTHENTICATED"));
    let lurah = app.login("lurah.mekarsari").await;
    assert_eq!(
        error_code(&issue(&app, &lurah, "admin").await).as_deref(),
        Some("FORBIDDEN"),
        "staff accounts: admins only"
    );
    assert_eq!(
        error_code(&issue(&app, &lurah, "nobody.here").await).as_deref(),
        Some("NOT_FOUND")
    );
    let admin = app.login("admin").await;
    assert_ok(&issue(&app, &admin, "warga.siti").await);

    // The kelurahan's code replaces the admin's.
    let v = issue(&app, &lurah, "warga.siti").await;
    assert_ok(&v);
    let code = v["data"]["issuePasswordResetCode"]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(code.len(), 11, "{code}");
    // A wrong code, a weak password: refused, with the field named.
    let v = reset(&app, "warga.siti", "AAAAA-AAAAA", "kata-sandi-baru-123").await;
    assert_eq!(error_code(&v).as_deref(), Some("VALIDATION"));
    assert_eq!(error_fields(&v), ["code"]);
    let v = reset(&app, "warga.siti", &code, "pendek").await;
    assert_eq!(error_fields(&v), ["newPassword"]);
    // Typed in lower case with a space instead of the dash, it still works.
    let typed = code.to_lowercase().replace('-', " ");
    assert_ok(&reset(&app, "warga.siti", &typed, "kata-sandi-baru-123").await);
    // Used once; the old password and every old session are gone.
    let v = reset(&app, "warga.siti", &code, "kata-sandi-lain-456").await;
    assert_eq!(error_fields(&v), ["code"]);
    assert!(app.try_login("warga.siti", DEMO_PASSWORD).await.is_err());
    assert!(app
        .try_login("warga.siti", "kata-sandi-baru-123")
        .await
        .is_ok());
    let me = app
        .gql("{ me { username } }", json!({}), Some(&siti_old))
        .await;
    assert_eq!(error_code(&me).as_deref(), Some("UNAUTHENTICATED"));

    // Both steps are in the trail, the code never.
    let siti_id = app
        .gql(
            "{ me { id } }",
            json!({}),
            Some(
                &app.try_login("warga.siti", "kata-sandi-baru-123")
                    .await
                    .unwrap(),
            ),
        )
        .await["data"]["me"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let events = mufakat_store::repo::audit::for_instance(
        &app.state.db,
        "system.accounts",
        &format!("user-{siti_id}"),
    )
    .await
    .unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.transition.as_str()).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "issue_reset_code").count(),
        2,
        "{kinds:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| **k == "reset_password").count(),
        1,
        "{kinds:?}"
    );
    let norm = code.replace('-', "");
    assert!(events
        .iter()
        .all(|e| !e.input.contains(&code) && !e.input.contains(&norm)));
    app.assert_trail_verifies().await;
}

#[tokio::test]
async fn a_code_expires_after_a_day_and_guessing_is_limited() {
    let app = spawn_app().await;
    let lurah = app.login("lurah.mekarsari").await;
    let v = issue(&app, &lurah, "warga.siti").await;
    let code = v["data"]["issuePasswordResetCode"]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    app.advance_clock("PT25H").await;
    let v = reset(&app, "warga.siti", &code, "kata-sandi-baru-123").await;
    assert_eq!(error_fields(&v), ["code"], "expired");
    // Wrong codes count as failed logins of the account: the limit stops guessing.
    let v = issue(&app, &lurah, "warga.siti").await;
    let code = v["data"]["issuePasswordResetCode"]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut limited = false;
    for _ in 0..10 {
        let v = reset(&app, "warga.siti", "BBBBB-BBBBB", "kata-sandi-baru-123").await;
        if error_code(&v).as_deref() == Some("RATE_LIMITED") {
            limited = true;
            break;
        }
    }
    assert!(limited, "guessing is limited");
    let v = reset(&app, "warga.siti", &code, "kata-sandi-baru-123").await;
    assert_eq!(
        error_code(&v).as_deref(),
        Some("RATE_LIMITED"),
        "even the right code waits: {v}"
    );
}
