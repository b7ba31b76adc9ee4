//! `mufakat backup` under load and `mufakat restore` into a fresh place (#26): every write
//! acknowledged before the backup began is in the restored database, and its audit trail
//! verifies with the restored keys and checkpoints.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use mufakat_store::entity::workflow_instance;
use mufakat_store::sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::json;

use crate::helpers::*;

fn cli(args: &[&std::ffi::OsStr]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_mufakat"))
        .args(args)
        .env("RUST_LOG", "warn")
        .env_remove("MUFAKAT_AUDIT_EARLIER_PUBLIC_KEYS")
        .output()
        .unwrap()
}

#[tokio::test]
async fn a_backup_taken_under_load_restores_every_acknowledged_write() {
    let app = Arc::new(spawn_app().await);
    let warga = app.login("warga.siti").await;
    let kel = app.region_id("35.99.01.1001").await;
    let acked: Arc<Mutex<Vec<i32>>> = Default::default();
    let stop = Arc::new(AtomicBool::new(false));
    let load = {
        let (app, acked, stop) = (app.clone(), acked.clone(), stop.clone());
        tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let v = app
                    .gql(
                        "mutation($r: ID!, $i: JSON) { startCase(workflow: \"lapor-complaint\", regionId: $r, input: $i) { id } }",
                        json!({ "r": kel, "i": { "description": format!("Lampu mati nomor {n}"), "category": "penerangan", "location": "RT 01/RW 01" } }),
                        Some(&warga),
                    )
                    .await;
                assert_ok(&v);
                let id: i32 = v["data"]["startCase"]["id"]
                    .as_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                acked.lock().unwrap().push(id);
            }
        })
    };
    // An uploaded document: its bytes are in the blob folder, and go with the backup.
    let (vendor_token, vendor) =
        crate::procurement::register_vendor(&app, "cv.cadangan", "01.234.567.8-901.000").await;
    let (status, doc) = crate::procurement::upload(
        &app,
        &vendor_token,
        &vendor,
        "npwp",
        "application/pdf",
        crate::procurement::PDF.to_vec(),
    )
    .await;
    assert_eq!(status, 201, "{doc}");
    let sha = doc["sha256"].as_str().unwrap().to_owned();
    while acked.lock().unwrap().len() < 20 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let scratch = TempDir(
        std::env::temp_dir().join(format!("mufakat-backup-{}", uuid::Uuid::new_v4().simple())),
    );
    let folder = scratch.0.join("backup");
    let url = app.state.settings.database_url();
    let data_dir = app.state.settings.data_dir.clone();
    // Everything acknowledged before the backup starts must be in it.
    let before: Vec<i32> = acked.lock().unwrap().clone();
    let out = {
        let (url, data_dir, folder) = (url.clone(), data_dir.clone(), folder.clone());
        tokio::task::spawn_blocking(move || {
            cli(&[
                "--database-url".as_ref(),
                url.as_ref(),
                "--data-dir".as_ref(),
                data_dir.as_os_str(),
                "backup".as_ref(),
                "--to".as_ref(),
                folder.as_os_str(),
            ])
        })
        .await
        .unwrap()
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stop.store(true, Ordering::Relaxed);
    load.await.unwrap();
    let during = acked.lock().unwrap().len();
    assert!(during > before.len(), "the load went on during the backup");

    // A fresh place: a new data directory, and on PostgreSQL a new, empty database.
    let restored_dir = scratch.0.join("restored");
    let (restored_url, pg) = match std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|s| !s.is_empty())
    {
        Some(admin) => {
            let name = format!("mufakat_test_{}", uuid::Uuid::new_v4().simple());
            let a = mufakat_store::connect(&admin, mufakat_store::Durability::Normal)
                .await
                .unwrap();
            a.execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
            (
                mufakat_store::testing::replace_database(&admin, &name),
                Some((a, name)),
            )
        }
        None => (
            format!("sqlite://{}", restored_dir.join("mufakat.sqlite").display()),
            None,
        ),
    };
    let restore = |from: &std::path::Path| {
        cli(&[
            "--database-url".as_ref(),
            restored_url.as_ref(),
            "--data-dir".as_ref(),
            restored_dir.as_os_str(),
            "restore".as_ref(),
            "--from".as_ref(),
            from.as_os_str(),
        ])
    };
    let out = restore(&folder);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("audit trail OK"), "{stdout}");
    let blob = restored_dir.join("blobs/sha256").join(&sha[..2]).join(&sha);
    assert_eq!(std::fs::read(&blob).unwrap(), crate::procurement::PDF);
    // Restoring over what is now there is refused.
    let again = restore(&folder);
    assert!(!again.status.success());

    let db = mufakat_store::connect(&restored_url, mufakat_store::Durability::Normal)
        .await
        .unwrap();
    let ids: std::collections::BTreeSet<i32> = workflow_instance::Entity::find()
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    let missing: Vec<&i32> = before.iter().filter(|id| !ids.contains(id)).collect();
    assert!(
        missing.is_empty(),
        "acknowledged before the backup, not restored: {missing:?}"
    );
    db.close().await.ok();
    if let Some((admin, name)) = pg {
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .ok();
    }

    // A damaged backup is refused before anything is written.
    let db_file = if folder.join("mufakat.sqlite").exists() {
        folder.join("mufakat.sqlite")
    } else {
        folder.join("database.pgdump")
    };
    let mut bytes = std::fs::read(&db_file).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&db_file, bytes).unwrap();
    let elsewhere = scratch.0.join("elsewhere");
    let out = cli(&[
        "--data-dir".as_ref(),
        elsewhere.as_os_str(),
        "restore".as_ref(),
        "--from".as_ref(),
        folder.as_os_str(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("damaged"));
}
