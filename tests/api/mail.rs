//! E-mail: a resident who gave an address is also told by e-mail, through a real SMTP
//! conversation with a server the test starts (a small sink that keeps what it receives).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::helpers::*;
use crate::musrenbang::{act, phase_after, proposal_in_voting};

/// An SMTP server that accepts every message and keeps its data (headers and body); while
/// `down` is set it answers every connection with 421 (service not available).
async fn smtp_sink(down: Arc<AtomicBool>) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = Arc::new(Mutex::new(vec![]));
    let keep = got.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let keep = keep.clone();
            let down = down.clone();
            tokio::spawn(async move {
                let (r, mut w) = stream.into_split();
                if down.load(Ordering::SeqCst) {
                    w.write_all(b"421 sink not available\r\n").await.ok();
                    return;
                }
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 sink ESMTP\r\n").await.ok();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(d) = data.as_mut() {
                        if line == "." {
                            keep.lock().unwrap().push(std::mem::take(d));
                            data = None;
                            w.write_all(b"250 2.0.0 queued\r\n").await.ok();
                        } else {
                            d.push_str(line.strip_prefix('.').unwrap_or(&line));
                            d.push('\n');
                        }
                        continue;
                    }
                    let verb = line
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 sink\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go on\r\n"
                        }
                        "QUIT" => {
                            w.write_all(b"221 bye\r\n").await.ok();
                            return;
                        }
                        _ => b"250 OK\r\n",
                    };
                    w.write_all(reply).await.ok();
                }
            });
        }
    });
    (port, got)
}

/// The first message the sink received, waiting up to 5 s for it.
async fn first_mail(inbox: &Mutex<Vec<String>>) -> Option<String> {
    for _ in 0..100 {
        if let Some(m) = inbox.lock().unwrap().first().cloned() {
            return Some(m);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

#[tokio::test]
async fn a_resident_with_an_address_is_told_by_e_mail_too() {
    let (port, inbox) = smtp_sink(Arc::new(AtomicBool::new(false))).await;
    let app = spawn_app_configured(true, move |s| {
        s.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        s.mail_poll_ms = 100;
    })
    .await;
    let (cycle, siti, p) = proposal_in_voting(&app, "Sumur resapan").await;
    // The address: checked, shown only to its owner, its change audited without it.
    let v = app
        .gql(
            "mutation { setEmail(email: \"bukan-alamat\") { email } }",
            json!({}),
            Some(&siti),
        )
        .await;
    assert_eq!(error_fields(&v), ["email"]);
    let v = app
        .gql(
            "mutation { setEmail(email: \"siti@Contoh.ID\") { email } }",
            json!({}),
            Some(&siti),
        )
        .await;
    assert_eq!(v["data"]["setEmail"]["email"], "siti@contoh.id");
    let lurah = app.login("lurah.mekarsari").await;
    assert_eq!(
        phase_after(&app, &cycle, 20).await,
        "kelurahan_deliberation"
    );
    assert_ok(
        &act(
            &app,
            &lurah,
            &p,
            "REJECT",
            json!({}),
            Some("Lokasi di luar wilayah"),
        )
        .await,
    );
    // The message arrives, in both languages, with the reason.
    let mail = first_mail(&inbox).await.expect("the e-mail arrives");
    assert!(mail.contains("siti@contoh.id"), "{mail}");
    assert!(mail.contains("Sumur resapan"), "{mail}");
    assert!(mail.contains("Lokasi di luar wilayah"), "{mail}");
    assert!(mail.contains("was rejected"), "{mail}");
    assert_eq!(inbox.lock().unwrap().len(), 1, "once");
    // The in-app list is still the record; others do not see the address.
    let n = app
        .gql("{ myNotifications { kind } }", json!({}), Some(&siti))
        .await;
    assert_eq!(n["data"]["myNotifications"][0]["kind"], "proposal_reject");
    let me = app.gql("{ me { email } }", json!({}), Some(&siti)).await;
    assert_eq!(me["data"]["me"]["email"], "siti@contoh.id");
    // Removing it stops the mail.
    let v = app
        .gql(
            "mutation { setEmail(email: null) { email } }",
            json!({}),
            Some(&siti),
        )
        .await;
    assert_eq!(v["data"]["setEmail"]["email"], serde_json::Value::Null);
    app.assert_trail_verifies().await;
}

#[tokio::test]
async fn mail_waits_in_the_outbox_while_the_smtp_server_is_down_and_goes_when_it_is_back() {
    let down = Arc::new(AtomicBool::new(true));
    let (port, inbox) = smtp_sink(down.clone()).await;
    let app = spawn_app_configured(true, move |s| {
        s.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        s.mail_poll_ms = 100;
    })
    .await;
    let (cycle, siti, p) = proposal_in_voting(&app, "Pos ronda").await;
    assert_ok(
        &app.gql(
            "mutation { setEmail(email: \"siti@contoh.id\") { email } }",
            json!({}),
            Some(&siti),
        )
        .await,
    );
    assert_eq!(
        phase_after(&app, &cycle, 20).await,
        "kelurahan_deliberation"
    );
    let lurah = app.login("lurah.mekarsari").await;
    // The change commits although no mail can go out.
    assert_ok(&act(&app, &lurah, &p, "VERIFY", json!({}), None).await);
    use mufakat_store::entity::mail_outbox as mo;
    use mufakat_store::sea_orm::EntityTrait;
    let mut failed = None;
    for _ in 0..100 {
        let rows = mo::Entity::find().all(&app.state.db).await.unwrap();
        if let Some(m) = rows.into_iter().find(|m| m.attempts >= 1) {
            failed = Some(m);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let failed = failed.expect("tried and failed");
    assert!(
        failed.sent_at.is_none() && failed.last_error.is_some(),
        "{failed:?}"
    );
    assert_eq!(
        failed.attempts, 1,
        "it waits before trying again: {failed:?}"
    );
    // The server is back; once the wait has passed, the message goes, once.
    down.store(false, Ordering::SeqCst);
    app.advance_clock("PT1M").await;
    let mut arrived = false;
    for _ in 0..100 {
        if !inbox.lock().unwrap().is_empty() {
            arrived = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(arrived, "sent after the retry wait");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(inbox.lock().unwrap().len(), 1, "once");
    let rows = mo::Entity::find().all(&app.state.db).await.unwrap();
    assert!(rows.iter().all(|m| m.sent_at.is_some()), "{rows:?}");
}

/// A forgotten password, by e-mail: the code goes to the account's address; the answer is the
/// same for an account without one, or none at all, and nothing is sent then.
#[tokio::test]
async fn a_recovery_code_by_e_mail_sets_a_new_password() {
    let (port, inbox) = smtp_sink(Arc::new(AtomicBool::new(false))).await;
    let app = spawn_app_configured(true, move |s| {
        s.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        s.mail_poll_ms = 100;
    })
    .await;
    let siti = app.login("warga.siti").await;
    assert_ok(
        &app.gql(
            "mutation { setEmail(email: \"siti@contoh.id\") { email } }",
            json!({}),
            Some(&siti),
        )
        .await,
    );
    let ask = "mutation($u: String!) { requestPasswordReset(username: $u) }";
    for who in ["tidak.ada", "lurah.mekarsari"] {
        let v = app.gql(ask, json!({ "u": who }), None).await;
        assert_eq!(v["data"]["requestPasswordReset"], true, "{v}");
    }
    let v = app.gql(ask, json!({ "u": " Warga.Siti " }), None).await;
    assert_eq!(v["data"]["requestPasswordReset"], true, "{v}");
    let mail = first_mail(&inbox).await.expect("the code arrives");
    assert!(mail.contains("siti@contoh.id"), "{mail}");
    let code = mail
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .find(|w| {
            w.len() == 11
                && w.as_bytes()[5] == b'-'
                && w.chars()
                    .filter(|c| *c != '-')
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        })
        .unwrap_or_else(|| panic!("no code in {mail}"))
        .to_owned();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        inbox.lock().unwrap().len(),
        1,
        "only the account with an address gets mail"
    );
    let reset = "mutation($u: String!, $c: String!, $n: String!) { resetPassword(username: $u, code: $c, newPassword: $n) }";
    assert_ok(
        &app.gql(
            reset,
            json!({ "u": "warga.siti", "c": code, "n": "sandi-baru-yang-panjang" }),
            None,
        )
        .await,
    );
    assert!(app
        .try_login("warga.siti", "sandi-baru-yang-panjang")
        .await
        .is_ok());
    let v = app
        .gql(
            reset,
            json!({ "u": "warga.siti", "c": code, "n": "sandi-lain-yang-panjang" }),
            None,
        )
        .await;
    assert_eq!(error_fields(&v), ["code"], "used once: {v}");
    app.assert_trail_verifies().await;
}
