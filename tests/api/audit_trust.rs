//! Attacks on the audit trail by someone who can write the database but does not hold the
//! signing key: rewriting history with correct hashes, re-signing it with a key of their own,
//! deleting checkpoint rows, removing the newest events. Each must be refused by the
//! verifiers, and the node must not put its signature on the result.

use mufakat_audit::{seal, Signer};
use mufakat_server::notary;
use mufakat_store::entity::{audit_checkpoint, audit_event};
use mufakat_store::sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use serde_json::json;

use crate::helpers::*;

/// The server signs once when it starts (after the seed here); waits for that, so that it does
/// not race the test's own tampering.
async fn started(app: &TestApp) {
    for _ in 0..200 {
        if !app.state.notary.held_checkpoints().unwrap().is_empty() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the start-up checkpoint was not made");
}

/// A few audited changes after the seed: two complaints.
async fn some_events(app: &TestApp) {
    let warga = app.login("warga.siti").await;
    let kel = app.region_id("35.99.01.1001").await;
    for place in ["Gang Mawar", "Gang Melati"] {
        assert_ok(
            &app.gql(
                "mutation($w: String!, $r: ID!, $i: JSON) { startCase(workflow: $w, regionId: $r, input: $i) { id } }",
                json!({ "w": "lapor-complaint", "r": kel, "i": { "description": format!("Lampu jalan mati di {place}"), "category": "penerangan", "location": "RT 03/RW 05" } }),
                Some(&warga),
            )
            .await,
        );
    }
}

async fn head(app: &TestApp) -> (i64, String) {
    mufakat_store::repo::audit::head(&app.state.db)
        .await
        .unwrap()
}

async fn sign_now(app: &TestApp) -> mufakat_audit::Checkpoint {
    notary::checkpoint(&app.state.db, &app.state.notary, chrono::Utc::now())
        .await
        .unwrap()
        .unwrap()
}

/// Changes event `from`'s comment and re-seals it and every later event with correct hashes,
/// then points the head row at the new last hash: a rewrite only signatures can catch.
async fn rewrite_from(app: &TestApp, from: i64) {
    let db = &app.state.db;
    let (head_seq, _) = head(app).await;
    let mut prev = if from == 1 {
        mufakat_audit::GENESIS_HASH.to_owned()
    } else {
        audit_event::Entity::find_by_id(from - 1)
            .one(db)
            .await
            .unwrap()
            .unwrap()
            .hash
    };
    for seq in from..=head_seq {
        let row = audit_event::Entity::find_by_id(seq)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        let mut e = mufakat_server::audit_log::from_row(row).unwrap();
        if seq == from {
            e.comment = Some("ditulis ulang".into());
        }
        let e = seal(e, &prev);
        prev = e.hash.clone();
        audit_event::ActiveModel {
            seq: Set(seq),
            comment: Set(e.comment.clone()),
            prev_hash: Set(e.prev_hash.clone()),
            hash: Set(e.hash.clone()),
            ..Default::default()
        }
        .update(db)
        .await
        .unwrap();
    }
    set_head(app, head_seq, &prev).await;
}

async fn set_head(app: &TestApp, seq: i64, hash: &str) {
    app.state
        .db
        .execute_unprepared(&format!(
            "UPDATE audit_head SET seq = {seq}, hash = '{hash}' WHERE id = 1"
        ))
        .await
        .unwrap();
}

/// Deletes every event after `keep` and points the head row at event `keep`.
async fn truncate_to(app: &TestApp, keep: i64) {
    let kept_hash = audit_event::Entity::find_by_id(keep)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .hash;
    app.state
        .db
        .execute_unprepared(&format!("DELETE FROM audit_events WHERE seq > {keep}"))
        .await
        .unwrap();
    set_head(app, keep, &kept_hash).await;
}

async fn delete_checkpoint_rows(app: &TestApp) {
    audit_checkpoint::Entity::delete_many()
        .exec(&app.state.db)
        .await
        .unwrap();
}

async fn checkpoint_rows(app: &TestApp) -> usize {
    mufakat_store::repo::audit::checkpoints(&app.state.db)
        .await
        .unwrap()
        .len()
}

async fn verify(app: &TestApp) -> notary::Verification {
    notary::verify(&app.state.db, &app.state.notary)
        .await
        .unwrap()
}

async fn health(app: &TestApp) -> serde_json::Value {
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    r.json().await.unwrap()
}

#[tokio::test]
async fn checkpoints_re_signed_with_another_key_do_not_verify() {
    let app = spawn_app().await;
    started(&app).await;
    some_events(&app).await;
    let real = sign_now(&app).await;
    rewrite_from(&app, 3).await;
    // The forger replaces the checkpoint rows with their own, correctly signed.
    delete_checkpoint_rows(&app).await;
    let (seq, hash) = head(&app).await;
    let forger = Signer::generate();
    let forged = forger.sign_checkpoint(seq, &hash, chrono::Utc::now());
    mufakat_store::repo::audit::add_checkpoint(&app.state.db, notary::checkpoint_row(&forged))
        .await
        .unwrap();
    let v = verify(&app).await;
    assert!(!v.ok, "{v:?}");
    assert_eq!(v.first_bad_seq, Some(seq), "{v:?}");
    assert!(v.problem.unwrap().contains("not trusted"));
    // Over GraphQL too, while auditPublicKey shows the real key.
    let auditor = app.login("inspektorat").await;
    let g = app
        .gql(
            "{ verifyAuditTrail { ok firstBadSeq } auditPublicKey }",
            json!({}),
            Some(&auditor),
        )
        .await;
    assert_eq!(g["data"]["verifyAuditTrail"]["ok"], false, "{g}");
    assert_eq!(g["data"]["auditPublicKey"], real.public_key.as_str());
    assert_ne!(forged.public_key, real.public_key);
}

#[tokio::test]
async fn the_node_refuses_to_sign_a_rewritten_history_and_raises_an_alarm() {
    let app = spawn_app().await;
    started(&app).await;
    some_events(&app).await;
    let real = sign_now(&app).await;
    assert_eq!(health(&app).await["audit"], "ok");
    some_events(&app).await;
    // Rewrite from before the checkpoint, then remove every trace of it from the database.
    rewrite_from(&app, real.seq - 1).await;
    delete_checkpoint_rows(&app).await;
    let e = notary::checkpoint(&app.state.db, &app.state.notary, chrono::Utc::now())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "CONFLICT");
    assert_eq!(checkpoint_rows(&app).await, 0, "nothing was signed");
    let h = health(&app).await;
    assert_eq!(h["audit"], "alarm", "{h}");
    assert!(
        h["auditProblem"]
            .as_str()
            .unwrap()
            .contains(&real.seq.to_string()),
        "{h}"
    );
    // The mutation refuses too, with a coded, readable error.
    let auditor = app.login("inspektorat").await;
    let g = app
        .gql(
            "mutation { createAuditCheckpoint { seq } }",
            json!({}),
            Some(&auditor),
        )
        .await;
    assert_eq!(error_code(&g).as_deref(), Some("CONFLICT"), "{g}");
    assert_eq!(checkpoint_rows(&app).await, 0);
    // And the verifier, holding the node's file, names the checkpoint's event.
    let v = verify(&app).await;
    assert!(!v.ok);
    assert_eq!(v.first_bad_seq, Some(real.seq), "{v:?}");
}

#[tokio::test]
async fn removing_the_newest_events_and_the_checkpoint_rows_is_caught() {
    let app = spawn_app().await;
    started(&app).await;
    some_events(&app).await;
    let real = sign_now(&app).await;
    // Truncate to two events before the checkpoint and make the head agree.
    let keep = real.seq - 2;
    truncate_to(&app, keep).await;
    delete_checkpoint_rows(&app).await;
    let v = verify(&app).await;
    assert!(!v.ok);
    assert_eq!(v.first_bad_seq, Some(real.seq), "{v:?}");
    assert!(v.problem.unwrap().contains("removed"));
    assert!(
        notary::checkpoint(&app.state.db, &app.state.notary, chrono::Utc::now())
            .await
            .is_err()
    );
    assert_eq!(health(&app).await["audit"], "alarm");
}

#[tokio::test]
async fn an_intact_chain_is_signed_and_the_node_keeps_a_copy() {
    let app = spawn_app().await;
    started(&app).await;
    some_events(&app).await;
    let first = sign_now(&app).await;
    // Signing again at the same head gives the same checkpoint, not a new row.
    assert_eq!(sign_now(&app).await, first);
    some_events(&app).await;
    let second = sign_now(&app).await;
    assert!(second.seq > first.seq);
    let held = app.state.notary.held_checkpoints().unwrap();
    assert!(held.contains(&first) && held.contains(&second), "{held:?}");
    let v = verify(&app).await;
    assert!(v.ok, "{v:?}");
    assert_eq!(health(&app).await["audit"], "ok");
}

/// Truncation against a checkpoint a verifier holds (#26): with the newest events and every
/// checkpoint row removed, a verifier without copies sees a consistent chain; one holding a
/// checkpoint is told the chain no longer extends it, at the checkpoint's event.
#[tokio::test]
async fn the_cli_verifies_that_the_chain_still_extends_a_held_checkpoint() {
    let app = spawn_app().await;
    started(&app).await;
    some_events(&app).await;
    let held = sign_now(&app).await;
    let dir = TempDir(std::env::temp_dir().join(format!(
        "mufakat-verifier-{}",
        uuid::Uuid::new_v4().simple()
    )));
    std::fs::create_dir_all(&dir.0).unwrap();
    let file = dir.0.join("held.jsonl");
    let mut line = vec![];
    mufakat_audit::jsonl::write_checkpoint(&mut line, &held).unwrap();
    std::fs::write(&file, line).unwrap();
    // Remove the last three events and the checkpoint rows; fix the head.
    let keep = held.seq - 3;
    truncate_to(&app, keep).await;
    delete_checkpoint_rows(&app).await;
    // Another machine: its own data directory (so not the node's file), the deployment's
    // published key trusted, the same database.
    let cli = |with_checkpoints: bool| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_mufakat"));
        c.arg("--database-url")
            .arg(app.state.settings.database_url())
            .arg("--data-dir")
            .arg(dir.0.join("data"))
            .env("MUFAKAT_AUDIT_EARLIER_PUBLIC_KEYS", &held.public_key)
            .args(["audit", "verify"]);
        if with_checkpoints {
            c.arg("--checkpoints").arg(&file);
        }
        c.output().unwrap()
    };
    let blind = cli(false);
    assert!(
        blind.status.success(),
        "{}",
        String::from_utf8_lossy(&blind.stderr)
    );
    let out = cli(true);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("BROKEN at event {}", held.seq)) && stderr.contains("removed"),
        "{stderr}"
    );
}
