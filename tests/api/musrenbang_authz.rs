//! Every e-Musrenbang mutation for every role: allowed or FORBIDDEN, including residents of
//! another kelurahan and staff of another kelurahan or kecamatan. A refused attempt changes
//! nothing; then the first allowed account succeeds.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::musrenbang::{act, create_cycle, phase_after, propose, resident};
use crate::policy::{derive, Rule};
use mufakat_module_musrenbang::perms;

/// Everyone who tries. `budi` lives in Mekarsari (like warga.siti); `tetangga` in Harapan Jaya.
pub const ALL: [&str; 12] = [
    "admin",
    "bappeda",
    "opd.dinaspu",
    "penyedia.maju",
    "inspektorat",
    "camat.sukamaju",
    "camat.sukasari",
    "lurah.mekarsari",
    "lurah.harapanjaya",
    "warga.siti",
    "budi",
    "tetangga",
];

pub struct Tokens(pub Vec<(&'static str, String)>);

impl Tokens {
    /// Every account of [`ALL`] signed in: the demo's, and the residents `budi` (Mekarsari) and
    /// `tetangga` (Harapan Jaya) registered for it.
    pub async fn sign_in_all(app: &TestApp) -> Tokens {
        let mut t = vec![];
        for who in ALL {
            let tok = match who {
                "budi" => resident(app, "budi", "35.99.01.1001", "3599010101800001").await,
                "tetangga" => resident(app, "tetangga", "35.99.01.1002", "3599010202900003").await,
                _ => app.login(who).await,
            };
            t.push((who, tok));
        }
        Tokens(t)
    }

    pub fn get(&self, who: &str) -> &str {
        &self.0.iter().find(|(n, _)| *n == who).unwrap().1
    }
}

/// Works out from the policy (`rule`) who may run `op`, checks that against the intended list
/// `intended`, then runs `op` as every account the policy does not allow (each must be
/// FORBIDDEN) and as the first one it allows (must succeed). Returns the successful response.
pub async fn matrix<'a, F, Fut>(
    app: &TestApp,
    name: &str,
    tokens: &'a Tokens,
    rule: Rule<'_>,
    intended: &[&str],
    op: F,
) -> Value
where
    F: Fn(&'a str) -> Fut,
    Fut: std::future::Future<Output = Value>,
{
    let allowed = derive(app, name, rule, &ALL, intended).await;
    let mut wrong = vec![];
    for who in ALL.iter().filter(|w| !allowed.contains(w)) {
        let v = op(tokens.get(who)).await;
        if error_code(&v).as_deref() != Some("FORBIDDEN") {
            wrong.push(format!("{name} as {who}: expected FORBIDDEN, got {v}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let v = op(tokens.get(intended[0])).await;
    assert!(
        error_code(&v).is_none(),
        "{name} as {}: expected success, got {v}",
        intended[0]
    );
    v
}

/// The proposal workflow.
const U: &str = "musrenbang-usulan";

fn id(v: &Value, field: &str) -> String {
    v["data"][field]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn every_musrenbang_mutation_for_every_role() {
    let app = spawn_app().await;
    let budi = resident(&app, "budi", "35.99.01.1001", "3599010101800001").await;
    let tetangga = resident(&app, "tetangga", "35.99.01.1002", "3599010202900003").await;
    let mut t = vec![];
    for who in ALL {
        let tok = match who {
            "budi" => budi.clone(),
            "tetangga" => tetangga.clone(),
            _ => app.login(who).await,
        };
        t.push((who, tok));
    }
    let tokens = Tokens(t);
    let kota = app.region_id("35.99").await;

    // createMusrenbangCycle: Bappeda and admins of the kota.
    let now = app.now();
    let at = |d: i64| (now + chrono::Duration::days(d)).to_rfc3339();
    matrix(&app, "createMusrenbangCycle", &tokens, Rule::Policy(perms::CYCLE_CREATE, &kota), &["bappeda", "admin"], |tok| {
        let kota = kota.clone();
        let w = json!({ "submissionOpens": at(100), "votingOpens": at(110), "kelurahanOpens": at(120), "kecamatanOpens": at(130), "kotaOpens": at(140), "closesAt": at(150) });
        let app = &app;
        async move {
            app.gql("mutation($i: CreateCycleInput!) { createMusrenbangCycle(input: $i) { id } }", json!({ "i": { "name": "Uji", "year": 2028, "regionId": kota, "windows": w } }), Some(tok))
                .await
        }
    })
    .await;

    let cycle = create_cycle(&app).await;
    let c = cycle.id.clone();
    // createProposal in Mekarsari: its residents and staff who may propose there.
    let mek = app.region_id("35.99.01.1001").await;
    // A proposal transition in Mekarsari, as the workflow definition allows it.
    let rule = |transition, state, owner| Rule::Transition {
        workflow: U,
        transition,
        state,
        region: &mek,
        owner,
    };
    let tr = |transition, state| rule(transition, state, None);
    let owned = |transition, state| rule(transition, state, Some("warga.siti"));
    let p = matrix(
        &app,
        "createProposal in Mekarsari",
        &tokens,
        Rule::Start { workflow: U, region: &mek },
        &["warga.siti", "budi", "lurah.mekarsari", "bappeda", "opd.dinaspu"],
        |tok| {
            let (app, c, mek) = (&app, c.clone(), mek.clone());
            async move {
                app.gql(
                    "mutation($i: CreateProposalInput!) { createProposal(input: $i) { id } }",
                    json!({ "i": { "cycleId": c, "kelurahanId": mek, "title": "Jalan", "description": "Rusak", "category": "infrastruktur", "volume": "1", "unit": "m", "unitPrice": "1000" } }),
                    Some(tok),
                )
                .await
            }
        },
    )
    .await;
    let a = id(&p, "createProposal");
    // Proposer-only actions.
    let other = id(
        &propose(&app, tokens.get("warga.siti"), &c, "Lain", "1", "1000").await,
        "createProposal",
    );
    matrix(
        &app,
        "submit",
        &tokens,
        owned("submit", "draft"),
        &["warga.siti"],
        |tok| act(&app, tok, &a, "SUBMIT", json!({}), None),
    )
    .await;
    matrix(
        &app,
        "withdraw",
        &tokens,
        owned("withdraw", "draft"),
        &["warga.siti"],
        |tok| act(&app, tok, &other, "WITHDRAW", json!({}), None),
    )
    .await;
    let b = id(
        &propose(&app, tokens.get("budi"), &c, "Drainase", "1", "2000").await,
        "createProposal",
    );
    assert_ok(&act(&app, tokens.get("budi"), &b, "SUBMIT", json!({}), None).await);
    let m = id(
        &propose(&app, tokens.get("budi"), &c, "Drainase juga", "1", "2000").await,
        "createProposal",
    );
    assert_ok(&act(&app, tokens.get("budi"), &m, "SUBMIT", json!({}), None).await);

    // Voting: residents of Mekarsari only.
    assert_eq!(phase_after(&app, &cycle, 10).await, "voting");
    matrix(
        &app,
        "vote",
        &tokens,
        tr("vote", "submitted"),
        &["budi", "warga.siti"],
        |tok| {
            app.gql(
                "mutation($id: ID!) { vote(proposalId: $id) { receipt } }",
                json!({ "id": a }),
                Some(tok),
            )
        },
    )
    .await;
    matrix(
        &app,
        "withdrawVote",
        &tokens,
        tr("unvote", "submitted"),
        &["budi", "warga.siti"],
        |tok| {
            app.gql(
                "mutation($id: ID!) { withdrawVote(proposalId: $id) { receipt } }",
                json!({ "id": a }),
                Some(tok),
            )
        },
    )
    .await;

    // Kelurahan deliberation: Mekarsari's kelurahan staff only.
    assert_eq!(
        phase_after(&app, &cycle, 20).await,
        "kelurahan_deliberation"
    );
    let lurah = &["lurah.mekarsari"];
    matrix(
        &app,
        "verify",
        &tokens,
        tr("verify", "submitted"),
        lurah,
        |tok| act(&app, tok, &a, "VERIFY", json!({}), None),
    )
    .await;
    matrix(
        &app,
        "verify b",
        &tokens,
        tr("verify", "submitted"),
        lurah,
        |tok| act(&app, tok, &b, "VERIFY", json!({}), None),
    )
    .await;
    matrix(
        &app,
        "merge",
        &tokens,
        tr("merge", "submitted"),
        lurah,
        |tok| {
            act(
                &app,
                tok,
                &m,
                "MERGE",
                json!({ "intoProposalId": b }),
                Some("sama"),
            )
        },
    )
    .await;
    let scores = json!([{ "key": "urgency", "value": 5 }, { "key": "beneficiaries", "value": 4 }, { "key": "alignment", "value": 3 }, { "key": "feasibility", "value": 2 }]);
    matrix(&app, "scoreProposal (kelurahan)", &tokens, Rule::Transition { workflow: U, transition: "score", state: "verified", region: &mek, owner: None }, lurah, |tok| {
        app.gql("mutation($id: ID!, $s: [CriterionScore!]!) { scoreProposal(proposalId: $id, scores: $s) { score } }", json!({ "id": a, "s": scores }), Some(tok))
    })
    .await;
    matrix(
        &app,
        "accept",
        &tokens,
        tr("accept", "verified"),
        lurah,
        |tok| act(&app, tok, &a, "ACCEPT", json!({}), None),
    )
    .await;
    matrix(
        &app,
        "accept_with_changes",
        &tokens,
        tr("accept_with_changes", "verified"),
        lurah,
        |tok| {
            act(
                &app,
                tok,
                &b,
                "ACCEPT_WITH_CHANGES",
                json!({ "volume": "2" }),
                Some("survei"),
            )
        },
    )
    .await;
    matrix(
        &app,
        "forward_kecamatan",
        &tokens,
        tr("forward_kecamatan", "accepted"),
        lurah,
        |tok| act(&app, tok, &a, "FORWARD_KECAMATAN", json!({}), None),
    )
    .await;
    assert_ok(
        &act(
            &app,
            tokens.get("lurah.mekarsari"),
            &b,
            "FORWARD_KECAMATAN",
            json!({}),
            None,
        )
        .await,
    );

    // Comments: anyone signed in writes and reports; staff of the region (or above) hide.
    let cm = app
        .gql(
            "mutation($id: ID!) { addComment(proposalId: $id, body: \"Setuju!\") { id } }",
            json!({ "id": a }),
            Some(tokens.get("tetangga")),
        )
        .await;
    assert_ok(&cm);
    let cm = id(&cm, "addComment");
    assert_ok(
        &app.gql(
            "mutation($id: ID!) { reportComment(commentId: $id) { reports } }",
            json!({ "id": cm }),
            Some(tokens.get("budi")),
        )
        .await,
    );
    matrix(
        &app,
        "hideComment",
        &tokens,
        Rule::Policy(perms::COMMENT_MODERATE, &mek),
        &["lurah.mekarsari", "camat.sukamaju", "bappeda", "admin"],
        |tok| {
            app.gql(
                "mutation($id: ID!) { hideComment(commentId: $id, reason: \"SARA\") { hidden } }",
                json!({ "id": cm }),
                Some(tok),
            )
        },
    )
    .await;

    // Kecamatan: Sukamaju's kecamatan staff only.
    assert_eq!(
        phase_after(&app, &cycle, 30).await,
        "kecamatan_deliberation"
    );
    let camat = &["camat.sukamaju"];
    matrix(
        &app,
        "prioritize",
        &tokens,
        tr("prioritize", "forwarded_kecamatan"),
        camat,
        |tok| act(&app, tok, &a, "PRIORITIZE", json!({}), None),
    )
    .await;
    matrix(
        &app,
        "reject_kecamatan",
        &tokens,
        tr("reject_kecamatan", "forwarded_kecamatan"),
        camat,
        |tok| act(&app, tok, &b, "REJECT_KECAMATAN", json!({}), Some("pagu")),
    )
    .await;
    matrix(
        &app,
        "forward_kota",
        &tokens,
        tr("forward_kota", "prioritized"),
        camat,
        |tok| act(&app, tok, &a, "FORWARD_KOTA", json!({}), None),
    )
    .await;

    // Kota forum: Bappeda.
    assert_eq!(phase_after(&app, &cycle, 40).await, "kota_forum");
    matrix(
        &app,
        "include",
        &tokens,
        tr("include", "forwarded_kota"),
        &["bappeda"],
        |tok| act(&app, tok, &a, "INCLUDE", json!({}), None),
    )
    .await;
}

/// Regression (#26): `addComment` on another resident's private draft succeeded while
/// `proposal(id)` said NOT_FOUND: drafts leaked their existence and took comments.
#[tokio::test]
async fn a_draft_takes_comments_only_from_its_proposer() {
    let app = spawn_app().await;
    let cycle = create_cycle(&app).await;
    let siti = app.login("warga.siti").await;
    let v = propose(&app, &siti, &cycle.id, "Lampu jalan", "1", "1000").await;
    let draft = v["data"]["createProposal"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = resident(&app, "tetangga", "35.99.01.1001", "3599010101900007").await;
    let comment = "mutation($p: ID!) { addComment(proposalId: $p, body: \"Setuju\") { id } }";
    for tok in [&other, &app.login("lurah.mekarsari").await] {
        let v = app.gql(comment, json!({ "p": draft }), Some(tok)).await;
        assert_eq!(error_code(&v).as_deref(), Some("NOT_FOUND"), "{v}");
        let seen = app
            .gql(
                "query($p: ID!) { proposal(id: $p) { id } }",
                json!({ "p": draft }),
                Some(tok),
            )
            .await;
        assert_eq!(error_code(&seen).as_deref(), Some("NOT_FOUND"));
    }
    assert_ok(&app.gql(comment, json!({ "p": draft }), Some(&siti)).await);
    // Once submitted it is public and anyone signed in may comment.
    assert_ok(&act(&app, &siti, &draft, "SUBMIT", json!({}), None).await);
    assert_ok(&app.gql(comment, json!({ "p": draft }), Some(&other)).await);
}
