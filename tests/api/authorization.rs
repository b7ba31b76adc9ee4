//! Every protected operation for every role, in and out of region: allowed or FORBIDDEN.
//! Anonymous callers get UNAUTHENTICATED.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::policy::{derive, Rule};
use mufakat_server::authz::{perms, Permission};

type BoxFuture<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Value> + Send + 'a>>;

/// Demo accounts: (username, role). Admin, bappeda, opd, vendor, auditor hold their role at the
/// kota; camat.sukamaju at kecamatan Sukamaju (35.99.01); lurah.mekarsari and warga.siti at
/// kelurahan Mekarsari (35.99.01.1001).
const ACCOUNTS: [&str; 8] = [
    "admin",
    "bappeda",
    "opd.dinaspu",
    "penyedia.maju",
    "inspektorat",
    "camat.sukamaju",
    "lurah.mekarsari",
    "warga.siti",
];

struct Case {
    name: &'static str,
    /// The permission and the region (code) it is checked on: the policy decides who may.
    perm: Permission,
    region: &'static str,
    /// Who we intend may (compared with the policy); everyone else is FORBIDDEN.
    allowed: &'static [&'static str],
    run: for<'a> fn(&'a TestApp, &'a str, usize) -> BoxFuture<'a>,
}

fn boxed<'a>(f: impl std::future::Future<Output = Value> + Send + 'a) -> BoxFuture<'a> {
    Box::pin(f)
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "residents in own kelurahan (Mekarsari)",
            perm: perms::RESIDENT_LIST,
            region: "35.99.01.1001",
            allowed: &["admin", "camat.sukamaju", "lurah.mekarsari"],
            run: |app, token, _| {
                boxed(async move {
                    let r = app.region_id("35.99.01.1001").await;
                    app.gql(
                        "query($r: ID!) { residents(regionId: $r) { username } }",
                        json!({ "r": r }),
                        Some(token),
                    )
                    .await
                })
            },
        },
        Case {
            name: "residents in another kecamatan's kelurahan (Cempaka)",
            perm: perms::RESIDENT_LIST,
            region: "35.99.02.1001",
            allowed: &["admin"],
            run: |app, token, _| {
                boxed(async move {
                    let r = app.region_id("35.99.02.1001").await;
                    app.gql(
                        "query($r: ID!) { residents(regionId: $r) { username } }",
                        json!({ "r": r }),
                        Some(token),
                    )
                    .await
                })
            },
        },
        Case {
            name: "residents of the whole kecamatan Sukamaju",
            perm: perms::RESIDENT_LIST,
            region: "35.99.01",
            allowed: &["admin", "camat.sukamaju"],
            run: |app, token, _| {
                boxed(async move {
                    let r = app.region_id("35.99.01").await;
                    app.gql(
                        "query($r: ID!) { residents(regionId: $r) { username } }",
                        json!({ "r": r }),
                        Some(token),
                    )
                    .await
                })
            },
        },
        Case {
            name: "createRegion under kecamatan Sukamaju",
            perm: perms::REGION_CREATE,
            region: "35.99.01",
            allowed: &["admin"],
            run: |app, token, i| {
                boxed(async move {
                    let p = app.region_id("35.99.01").await;
                    app.gql(
                        "mutation($i: CreateRegionInput!) { createRegion(input: $i) { id } }",
                        json!({ "i": { "code": format!("35.99.01.20{i:02}"), "name": format!("Baru {i}"), "level": "KELURAHAN_DESA", "parentId": p } }),
                        Some(token),
                    )
                    .await
                })
            },
        },
        Case {
            name: "createStaffUser in Mekarsari",
            perm: perms::STAFF_ACCOUNT_CREATE,
            region: "35.99.01.1001",
            allowed: &["admin"],
            run: |app, token, i| {
                boxed(async move {
                    let r = app.region_id("35.99.01.1001").await;
                    app.gql(
                        "mutation($i: CreateStaffInput!) { createStaffUser(input: $i) { id } }",
                        json!({ "i": { "username": format!("staf{i}"), "name": "Staf", "password": "sandi-staf-baru", "roles": [{ "role": "KELURAHAN_STAFF", "regionId": r }] } }),
                        Some(token),
                    )
                    .await
                })
            },
        },
        Case {
            name: "grantRole in Mekarsari",
            perm: perms::ROLE_GRANT_CREATE,
            region: "35.99.01.1001",
            allowed: &["admin"],
            run: |app, token, i| {
                boxed(async move {
                    let r = app.region_id("35.99.01.1001").await;
                    // Grant each caller a different role so that repeated grants don't clash.
                    let roles = [
                        "KELURAHAN_STAFF",
                        "KECAMATAN_STAFF",
                        "BAPPEDA_PLANNER",
                        "OPD_STAFF",
                        "VENDOR",
                        "AUDITOR",
                        "ADMIN",
                        "RESIDENT",
                    ];
                    let user_id = app
                        .gql(
                            "{ me { id } }",
                            json!({}),
                            Some(&app.login("warga.siti").await),
                        )
                        .await["data"]["me"]["id"]
                        .clone();
                    app.gql(
                        "mutation($u: ID!, $role: Role!, $r: ID!) { grantRole(userId: $u, role: $role, regionId: $r) { id } }",
                        json!({ "u": user_id, "role": roles[i % roles.len()], "r": r }),
                        Some(token),
                    )
                    .await
                })
            },
        },
    ]
}

#[tokio::test]
async fn every_operation_for_every_role() {
    let app = spawn_app().await;
    let mut tokens = vec![];
    for a in ACCOUNTS {
        tokens.push(app.login(a).await);
    }
    let mut failures = vec![];
    for case in cases() {
        let region = app.region_id(case.region).await;
        let allowed = derive(
            &app,
            case.name,
            Rule::Policy(case.perm, &region),
            &ACCOUNTS,
            case.allowed,
        )
        .await;
        for (i, account) in ACCOUNTS.iter().enumerate() {
            let v = (case.run)(&app, &tokens[i], i).await;
            let expect_allowed = allowed.contains(account);
            let code = error_code(&v);
            let ok = if expect_allowed {
                code.is_none()
            } else {
                code.as_deref() == Some("FORBIDDEN")
            };
            if !ok {
                failures.push(format!(
                    "{} as {account}: expected {}, got {v}",
                    case.name,
                    if expect_allowed {
                        "allowed"
                    } else {
                        "FORBIDDEN"
                    }
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "authorization matrix mismatches:\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn anonymous_callers_are_unauthenticated_for_protected_operations() {
    let app = spawn_app().await;
    for q in [
        "{ me { id } }",
        "{ residents(regionId: \"1\") { id } }",
        "mutation { logout }",
        "mutation { logoutEverywhere }",
        "mutation { createRegion(input: { code: \"x\", name: \"x\", level: KECAMATAN, parentId: \"1\" }) { id } }",
        "mutation { createStaffUser(input: { username: \"abc\", name: \"x\", password: \"xxxxxxxxxxxx\", roles: [] }) { id } }",
        "mutation { grantRole(userId: \"1\", role: ADMIN, regionId: \"1\") { id } }",
        "mutation { createAuditCheckpoint { seq } }",
        "mutation { markNotificationsRead }",
    ] {
        let v = app.gql(q, json!({}), None).await;
        assert_eq!(error_code(&v).as_deref(), Some("UNAUTHENTICATED"), "{q}: {v}");
    }
    // Public reads need no token.
    let v = app.gql("{ regions { name } }", json!({}), None).await;
    assert_ok(&v);
}

#[tokio::test]
async fn kelurahan_staff_is_forbidden_on_another_kelurahan() {
    let app = spawn_app().await;
    let token = app.login("lurah.mekarsari").await;
    let own = app.region_id("35.99.01.1001").await;
    let other = app.region_id("35.99.01.1002").await; // same kecamatan, other kelurahan
    let q = "query($r: ID!) { residents(regionId: $r) { username } }";
    let v = app.gql(q, json!({ "r": own }), Some(&token)).await;
    assert_ok(&v);
    assert_eq!(
        v["data"]["residents"],
        json!([{ "username": "warga.siti" }])
    );
    let v = app.gql(q, json!({ "r": other }), Some(&token)).await;
    assert_eq!(error_code(&v).as_deref(), Some("FORBIDDEN"));
}

#[tokio::test]
async fn a_new_grant_takes_effect_on_the_next_request() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let lurah = app.login("lurah.mekarsari").await;
    let cempaka = app.region_id("35.99.02.1001").await;
    let q = "query($r: ID!) { residents(regionId: $r) { username } }";
    assert_eq!(
        error_code(&app.gql(q, json!({ "r": cempaka }), Some(&lurah)).await).as_deref(),
        Some("FORBIDDEN")
    );
    let me = app.gql("{ me { id } }", json!({}), Some(&lurah)).await;
    let v = app
        .gql(
            "mutation($u: ID!, $r: ID!) { grantRole(userId: $u, role: KELURAHAN_STAFF, regionId: $r) { roles { region { name } } } }",
            json!({ "u": me["data"]["me"]["id"], "r": cempaka }),
            Some(&admin),
        )
        .await;
    assert_ok(&v);
    assert_ok(&app.gql(q, json!({ "r": cempaka }), Some(&lurah)).await);
}

#[tokio::test]
async fn only_auditors_and_admins_sign_checkpoints_or_verify() {
    let app = spawn_app().await;
    let kota = app.region_id("35.99").await;
    for (perm, q) in [
        (
            perms::AUDIT_CHECKPOINT,
            "mutation { createAuditCheckpoint { seq } }",
        ),
        (perms::AUDIT_VERIFY, "{ verifyAuditTrail { ok } }"),
    ] {
        let allowed = derive(
            &app,
            q,
            Rule::Policy(perm, &kota),
            &ACCOUNTS,
            &["admin", "inspektorat"],
        )
        .await;
        for who in ACCOUNTS {
            let tok = app.login(who).await;
            let v = app.gql(q, json!({}), Some(&tok)).await;
            if allowed.contains(&who) {
                assert_ok(&v);
            } else {
                assert_eq!(error_code(&v).as_deref(), Some("FORBIDDEN"), "{who}: {q}");
            }
        }
    }
}
