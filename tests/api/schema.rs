//! The checked-in SDL (`graphql/schema.graphql`) must equal the served schema.
//! After an intended change: `UPDATE_SCHEMA=1 cargo test --test api schema` rewrites it.

use serde_json::{json, Value};

use crate::helpers::*;

#[test]
fn checked_in_sdl_matches_the_served_schema() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("graphql/schema.graphql");
    let served = mufakat_server::graphql::sdl();
    if std::env::var("UPDATE_SCHEMA").is_ok() {
        std::fs::write(&path, &served).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == served,
        "graphql/schema.graphql is out of date; run `UPDATE_SCHEMA=1 cargo test --test api schema` and commit it"
    );
}

#[tokio::test]
async fn introspection_over_http_sees_the_same_types() {
    let app = spawn_app_with(Options {
        seed: false,
        ..Default::default()
    })
    .await;
    let v = app
        .gql(
            "{ __schema { types { name } } }",
            serde_json::json!({}),
            None,
        )
        .await;
    let names: Vec<&str> = v["data"]["__schema"]["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    let sdl = mufakat_server::graphql::sdl();
    for n in names.iter().filter(|n| !n.starts_with("__")) {
        let declared = [
            format!("type {n} "),
            format!("enum {n} "),
            format!("input {n} "),
            format!("scalar {n}"),
        ];
        let builtin = ["String", "Int", "Float", "Boolean", "ID"].contains(n);
        assert!(
            builtin || declared.iter().any(|d| sdl.contains(d.as_str())),
            "type {n} served but not in SDL"
        );
    }
}

/// The introspection query GraphiQL and other tools send (graphql-js `getIntrospectionQuery`)
/// passes the depth and complexity limits.
#[tokio::test]
async fn the_standard_introspection_query_is_allowed() {
    let app = spawn_app_with(Options {
        seed: false,
        ..Default::default()
    })
    .await;
    let q = include_str!("fixtures/introspection.graphql");
    let v = app.gql(q, serde_json::json!({}), None).await;
    assert!(
        v.get("errors").is_none(),
        "{}",
        &v.to_string()[..v.to_string().len().min(400)]
    );
    assert!(v["data"]["__schema"]["types"].as_array().unwrap().len() > 20);
}

/// Every mutation in the served schema is exercised by an authorization test (a role matrix, or
/// the anonymous/public checks). Adding a mutation without one fails here.
#[test]
fn every_mutation_has_an_authorization_test() {
    let sdl = mufakat_server::graphql::sdl();
    let start = sdl.find("type MutationRoot {").expect("mutation root");
    let body = &sdl[start..sdl[start..].find("\n}").map(|e| start + e).unwrap()];
    let mutations: Vec<&str> = body
        .lines()
        .skip(1)
        .map(str::trim)
        .filter_map(|l| {
            let name = l.split(['(', ':']).next()?;
            (name.starts_with(|c: char| c.is_ascii_lowercase())
                && name.len() < l.len()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .then_some(name)
        })
        .collect();
    assert!(mutations.len() > 20, "{mutations:?}");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/api");
    let sources: String = [
        "authorization.rs",
        "musrenbang_authz.rs",
        "allocation.rs",
        "workflows.rs",
        "accounts.rs",
        "musrenbang.rs",
        "procurement_authz.rs",
        "procurement.rs",
        "eaudit.rs",
        "eaudit_authz.rs",
        "tender.rs",
        "tender_edges.rs",
        "tender_authz.rs",
        "monev.rs",
        "monev_authz.rs",
        "web_backend.rs",
        "workflows_migration.rs",
        "clock.rs",
        "password_reset.rs",
        "mail.rs",
        "musrenbang_documents.rs",
        "opds.rs",
    ]
    .iter()
    .map(|f| std::fs::read_to_string(dir.join(f)).unwrap())
    .collect();
    let missing: Vec<&&str> = mutations
        .iter()
        .filter(|m| {
            !(sources.contains(&format!("{m}("))
                || sources.contains(&format!("{{ {m} "))
                || sources.contains(&format!("{{ {m} }}")))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "mutations without an authorization test: {missing:?}"
    );
}

/// How each mutation is authorized: `public` (anyone), `signed-in` (any account), `policy` (a
/// casbin permission in policy.csv) or `workflow` (the roles of a workflow definition). The
/// matrices for `policy` and `workflow` mutations derive their expectations from those files
/// (tests/api/policy.rs). A mutation added to the schema without a line here fails.
const ACCESS: &[(&str, &str)] = &[
    ("registerResident", "public"),
    ("login", "public"),
    ("logout", "signed-in"),
    ("logoutEverywhere", "signed-in"),
    ("changePassword", "signed-in"),
    ("markNotificationsRead", "signed-in"),
    ("addComment", "signed-in"),
    ("reportComment", "signed-in"),
    ("createStaffUser", "policy"),
    ("grantRole", "policy"),
    ("createRegion", "policy"),
    ("createAuditCheckpoint", "policy"),
    ("migrateCases", "policy"),
    ("advanceClock", "policy"),
    ("issuePasswordResetCode", "policy"),
    ("resetPassword", "public"),
    ("requestPasswordReset", "public"),
    ("setEmail", "signed-in"),
    ("createMusrenbangCycle", "policy"),
    ("hideComment", "policy"),
    ("setBudgetCeiling", "policy"),
    ("removeBudgetCeiling", "policy"),
    ("appointSignatory", "policy"),
    ("createOpd", "policy"),
    ("updateOpd", "policy"),
    ("recordForum", "policy"),
    ("runAllocation", "policy"),
    ("overrideAllocation", "policy"),
    ("adoptAllocation", "policy"),
    ("startCase", "workflow"),
    ("fireTransition", "workflow"),
    ("createProposal", "workflow"),
    ("editProposal", "workflow"),
    ("proposalAction", "workflow"),
    ("vote", "workflow"),
    ("withdrawVote", "workflow"),
    ("scoreProposal", "workflow"),
    // Procurement: open registration, then the company's own (membership), policy lines
    // and workflow roles (tests/api/procurement_authz.rs).
    ("registerVendor", "public"),
    ("updateVendorProfile", "vendor"),
    ("addVendorMember", "vendor"),
    ("vendorAction", "workflow"),
    ("createCatalogueItem", "vendor"),
    ("catalogueItemAction", "workflow"),
    ("createPlanLine", "policy"),
    ("createPackage", "policy"),
    ("packageAction", "workflow"),
    ("createEpurchasingOrder", "policy"),
    ("createDirectProcurement", "policy"),
    ("orderAction", "workflow"),
    // e-Audit: policy lines, the assignment's team and workflow roles
    // (tests/api/eaudit_authz.rs).
    ("createAuditAssignment", "policy"),
    ("auditAssignmentAction", "workflow"),
    ("createFinding", "team"),
    ("addFindingEvidence", "team"),
    ("addRecommendation", "team"),
    ("issueFinding", "team"),
    ("withdrawFinding", "team"),
    ("answerRecommendation", "policy"),
    ("rateFollowUp", "team"),
    // Procurement II: a policy line to announce, then the procedure's Pokja, the bidders (their
    // company's membership), the package's PPK, a KPA, finance staff
    // (tests/api/tender_authz.rs).
    ("createProcedure", "policy"),
    ("amendProcedure", "team"),
    ("askQuestion", "vendor"),
    ("answerQuestion", "team"),
    ("submitBid", "vendor"),
    ("submitSealedBid", "vendor"),
    ("withdrawBid", "vendor"),
    ("evaluateBids", "team"),
    ("announceAward", "team"),
    ("reevaluateProcedure", "team"),
    ("failProcedure", "team"),
    ("cancelProcedure", "team"),
    ("fileObjection", "vendor"),
    ("fileAppeal", "vendor"),
    ("answerObjection", "team"),
    ("issueSppbj", "ppk"),
    ("signContract", "ppk"),
    ("amendContract", "ppk"),
    ("completeContract", "policy"),
    ("terminateContract", "ppk"),
    // Monev: policy lines for the OPD's staff and KPA, the named supervisors, and workflow
    // roles for verification and the flags' steps (tests/api/monev_authz.rs).
    ("createMonevActivity", "policy"),
    ("reviseMonevPlan", "policy"),
    ("nameMonevSupervisor", "policy"),
    ("monevActivityAction", "workflow"),
    ("saveMonevReport", "policy"),
    ("verifyMonevReport", "workflow"),
    ("returnMonevReport", "workflow"),
    ("monevFlagAction", "workflow"),
];

/// A value of GraphQL type `ty` (introspection JSON) that passes GraphQL validation.
fn sample(ty: &Value, types: &[Value]) -> Value {
    match ty["kind"].as_str().unwrap() {
        "NON_NULL" => sample(&ty["ofType"], types),
        "LIST" => json!([sample(&ty["ofType"], types)]),
        "ENUM" => {
            let t = types.iter().find(|t| t["name"] == ty["name"]).unwrap();
            json!(t["enumValues"][0]["name"])
        }
        "INPUT_OBJECT" => {
            let t = types.iter().find(|t| t["name"] == ty["name"]).unwrap();
            let mut o = serde_json::Map::new();
            for f in t["inputFields"].as_array().unwrap() {
                if f["type"]["kind"] == "NON_NULL" {
                    o.insert(
                        f["name"].as_str().unwrap().to_owned(),
                        sample(&f["type"], types),
                    );
                }
            }
            Value::Object(o)
        }
        _ => match ty["name"].as_str().unwrap() {
            "Int" => json!(1),
            "Float" => json!(1.0),
            "Boolean" => json!(true),
            "Decimal" => json!("1"),
            "DateTime" => json!("2027-01-01T00:00:00Z"),
            "NaiveDate" => json!("2027-01-01"),
            "JSON" => json!({}),
            _ => json!("1"),
        },
    }
}

/// Generated from the served schema: every mutation, called without a token and with
/// arguments made from its argument types, is UNAUTHENTICATED unless it is public; and every
/// mutation is classified in [`ACCESS`].
#[tokio::test]
async fn every_mutation_is_classified_and_refused_to_anonymous_callers() {
    let app = spawn_app().await;
    let v = app
        .gql(
            "{ __schema { mutationType { fields { name type { ...T } args { name type { ...T } } } } types { name kind enumValues { name } inputFields { name type { ...T } } } } }
             fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }",
            json!({}),
            None,
        )
        .await;
    assert_ok(&v);
    let types = v["data"]["__schema"]["types"].as_array().unwrap().clone();
    let fields = v["data"]["__schema"]["mutationType"]["fields"]
        .as_array()
        .unwrap()
        .clone();
    let served: std::collections::BTreeSet<&str> =
        fields.iter().map(|f| f["name"].as_str().unwrap()).collect();
    let declared: std::collections::BTreeSet<&str> = ACCESS.iter().map(|(m, _)| *m).collect();
    assert_eq!(served, declared, "classify every mutation in ACCESS");
    let mut wrong = vec![];
    for f in &fields {
        let name = f["name"].as_str().unwrap();
        let access = ACCESS.iter().find(|(m, _)| *m == name).unwrap().1;
        let args = f["args"].as_array().unwrap();
        let mut vars = serde_json::Map::new();
        let mut decl = vec![];
        let mut call = vec![];
        for a in args.iter().filter(|a| a["type"]["kind"] == "NON_NULL") {
            let an = a["name"].as_str().unwrap();
            vars.insert(an.to_owned(), sample(&a["type"], &types));
            decl.push(format!("${an}: {}", type_ref(&a["type"])));
            call.push(format!("{an}: ${an}"));
        }
        let q = format!(
            "mutation{} {{ {name}{} {{ __typename }} }}",
            if decl.is_empty() {
                String::new()
            } else {
                format!("({})", decl.join(", "))
            },
            if call.is_empty() {
                String::new()
            } else {
                format!("({})", call.join(", "))
            },
        );
        // Scalars have no selection.
        let mut ty = &f["type"];
        while ty["kind"] == "NON_NULL" || ty["kind"] == "LIST" {
            ty = &ty["ofType"];
        }
        let q = if ty["kind"] == "SCALAR" {
            q.replace(" { __typename }", "")
        } else {
            q
        };
        let v = app.gql(&q, Value::Object(vars), None).await;
        let code = error_code(&v);
        let ok = match access {
            // (`login` with made-up credentials is UNAUTHENTICATED for that reason.)
            "public" => code.as_deref() != Some("FORBIDDEN"),
            _ => code.as_deref() == Some("UNAUTHENTICATED"),
        };
        if !ok {
            wrong.push(format!("{name} ({access}) anonymously: {v}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

fn type_ref(ty: &Value) -> String {
    match ty["kind"].as_str().unwrap() {
        "NON_NULL" => format!("{}!", type_ref(&ty["ofType"])),
        "LIST" => format!("[{}]", type_ref(&ty["ofType"])),
        _ => ty["name"].as_str().unwrap().to_owned(),
    }
}
