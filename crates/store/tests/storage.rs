//! Storage behaviour on SQLite always and on PostgreSQL when `TEST_DATABASE_URL` is set.

use chrono::Utc;
use mufakat_core::{RegionLevel, Role};
use mufakat_store::repo::{grants, regions, users};
use mufakat_store::testing::TestDb;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

#[tokio::test]
async fn unique_violations_become_conflicts() {
    let db = TestDb::fresh().await;
    let kel = db.kelurahan().await;
    let u = users::create(
        &db.db,
        users::NewUser {
            username: "sama",
            display_name: "A",
            nik_hash: None,
            home_region_id: None,
            password_hash: "x".into(),
        },
    )
    .await
    .unwrap();
    let again = users::create(
        &db.db,
        users::NewUser {
            username: "sama",
            display_name: "B",
            nik_hash: None,
            home_region_id: None,
            password_hash: "x".into(),
        },
    )
    .await;
    assert_eq!(again.unwrap_err().code(), "CONFLICT");
    grants::grant(&db.db, u.id, Role::KelurahanStaff, kel, None, None)
        .await
        .unwrap();
    let dup = grants::grant(&db.db, u.id, Role::KelurahanStaff, kel, None, None).await;
    assert_eq!(dup.unwrap_err().code(), "CONFLICT");
    let bad_level = regions::create(
        &db.db,
        regions::NewRegion {
            code: "x",
            name: "x",
            level: RegionLevel::Kecamatan,
            parent_id: Some(kel),
        },
    )
    .await;
    assert_eq!(bad_level.unwrap_err().code(), "VALIDATION");
}

/// Every migration can be reverted and applied again: from the newest down to the first and
/// back up, on this engine.
#[tokio::test]
async fn migrations_revert_and_reapply() {
    use sea_orm_migration::MigratorTrait;
    let db = TestDb::fresh().await;
    let all = mufakat_migrations::Migrator::migrations().len() as u32;
    mufakat_migrations::Migrator::down(&db.db, Some(all))
        .await
        .unwrap();
    mufakat_migrations::Migrator::up(&db.db, None)
        .await
        .unwrap();
    assert_eq!(
        mufakat_migrations::Migrator::get_pending_migrations(&db.db)
            .await
            .unwrap()
            .len(),
        0
    );
}

/// Migration 8 (audit hashes no longer indexed) keeps every event, in order, both ways: the
/// SQLite rebuild copies the rows; after it a hash is no longer a constraint, and reverting
/// makes it one again.
#[tokio::test]
async fn the_audit_hash_migration_keeps_every_event() {
    use mufakat_store::entity::audit_event;
    use sea_orm::QueryOrder;
    use sea_orm_migration::MigratorTrait;
    let db = TestDb::fresh().await;
    let event = |seq: i64, hash: &str| audit_event::ActiveModel {
        seq: Set(seq),
        at: Set(format!("2026-11-25T09:00:0{seq}.000000Z")),
        actor: Set("user:1".into()),
        role: Set("admin".into()),
        workflow: Set("lapor-complaint".into()),
        workflow_version: Set("1".into()),
        instance_id: Set(seq.to_string()),
        transition: Set("start".into()),
        from_state: Set("".into()),
        to_state: Set("submitted".into()),
        input: Set("{}".into()),
        comment: Set(if seq == 2 {
            Some("catatan".into())
        } else {
            None
        }),
        prev_hash: Set(format!("{:064x}", seq - 1)),
        hash: Set(hash.to_owned()),
    };
    let all = |db: &TestDb| {
        let db = db.db.clone();
        async move {
            audit_event::Entity::find()
                .order_by_asc(audit_event::Column::Seq)
                .all(&db)
                .await
                .unwrap()
        }
    };
    for seq in 1..=3 {
        event(seq, &format!("{seq:064x}"))
            .insert(&db.db)
            .await
            .unwrap();
    }
    let before = all(&db).await;
    // Down to migration 7 (migrations 18, OPDs, 17, forums, 16, mail, 15, comment reports, 14, password reset, 13,
    // monev, 12, procurement II, 11, e-audit with its trail indexes, 10, procurement, and 9,
    // the rate-limit counters, first): the rows are kept and a hash is unique again.
    mufakat_migrations::Migrator::down(&db.db, Some(11))
        .await
        .unwrap();
    assert_eq!(all(&db).await, before);
    assert!(event(4, &format!("{:064x}", 3))
        .insert(&db.db)
        .await
        .is_err());
    // Up again: the rows are kept and a hash is an ordinary column.
    mufakat_migrations::Migrator::up(&db.db, None)
        .await
        .unwrap();
    assert_eq!(all(&db).await, before);
    event(4, &format!("{:064x}", 3))
        .insert(&db.db)
        .await
        .unwrap();
    assert_eq!(all(&db).await.len(), 4);
}

/// Case ids reserved for a multi-row insert (`instances::reserve_ids`, under the chain lock)
/// are ascending, past every id given out before, and never given out by the column default
/// afterwards.
#[tokio::test]
async fn reserved_case_ids_do_not_meet_ids_from_the_column_default() {
    use mufakat_store::entity::{workflow_definition, workflow_instance};
    use mufakat_store::repo::{audit, instances};
    use sea_orm::{ActiveValue::NotSet, TransactionTrait};
    let db = TestDb::fresh().await;
    let kel = db.kelurahan().await;
    let def = workflow_definition::ActiveModel {
        name: Set("w".into()),
        version: Set(1),
        hash: Set("h".into()),
        title: Set("W".into()),
        source: Set("".into()),
        loaded_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&db.db)
    .await
    .unwrap();
    let case = |id: Option<i32>| workflow_instance::ActiveModel {
        id: id.map_or(NotSet, Set),
        definition_id: Set(def.id),
        workflow: Set("w".into()),
        state: Set("s".into()),
        fields: Set("{}".into()),
        region_id: Set(kel),
        created_by: Set(None),
        created_at: Set(Utc::now()),
        updated_at: Set(Utc::now()),
        state_entered_at: Set(Utc::now()),
        version: Set(1),
        is_final: Set(false),
    };
    let first = case(None).insert(&db.db).await.unwrap().id;

    let txn = db.db.begin().await.unwrap();
    audit::lock_head(&txn, "2026-11-25T00:00:00Z")
        .await
        .unwrap();
    assert!(instances::reserve_ids(&txn, 0).await.unwrap().is_empty());
    let ids = instances::reserve_ids(&txn, 5).await.unwrap();
    assert_eq!(ids.len(), 5);
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    assert!(ids[0] > first, "{ids:?} after {first}");
    workflow_instance::Entity::insert_many(ids[..3].iter().map(|id| case(Some(*id))))
        .exec_without_returning(&txn)
        .await
        .unwrap();
    txn.commit().await.unwrap();

    let next = case(None).insert(&db.db).await.unwrap().id;
    assert!(next > ids[2], "{next} after {ids:?}");
    let txn = db.db.begin().await.unwrap();
    audit::lock_head(&txn, "2026-11-25T00:00:01Z")
        .await
        .unwrap();
    let again = instances::reserve_ids(&txn, 2).await.unwrap();
    assert!(again[0] > next, "{again:?} after {next}");
    workflow_instance::Entity::insert_many(again.iter().map(|id| case(Some(*id))))
        .exec_without_returning(&txn)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    assert_eq!(
        workflow_instance::Entity::find()
            .all(&db.db)
            .await
            .unwrap()
            .len(),
        1 + 3 + 1 + 2
    );
}

/// A statement inside a larger transaction that changes many pages the database already had
/// (as migration 8's rebuild of a large audit trail does) journals each of them first. Until
/// the ninth session SQLite kept up to 8 MiB of that journal in memory, and moving a larger
/// one to its temporary file failed with SQLITE_FULL, "database or disk is full": SQLite's unix
/// VFS writes at most 128 KiB per call. Here one statement rewrites ~12 MiB of rows, on the
/// requests' pool and on the batch writer's connection.
#[tokio::test]
async fn a_statement_rewriting_many_existing_pages_commits() {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let db = TestDb::fresh().await;
    db.db
        .execute_unprepared("CREATE TABLE big_rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        .await
        .unwrap();
    let body = "x".repeat(4000);
    const ROWS: usize = 3_000;
    for first in (0..ROWS).step_by(100) {
        let values: Vec<String> = (first..first + 100)
            .map(|id| format!("({id}, '{body}')"))
            .collect();
        db.db
            .execute_unprepared(&format!(
                "INSERT INTO big_rows (id, body) VALUES {}",
                values.join(", ")
            ))
            .await
            .unwrap();
    }
    let writer = mufakat_store::db::connect_writer(&db.url, mufakat_store::Durability::Normal)
        .await
        .unwrap();
    for (name, conn) in [("pool", &db.db), ("writer", &writer)] {
        let txn = conn.begin().await.unwrap();
        txn.execute_unprepared("INSERT INTO big_rows (id, body) VALUES (-1, 'first')")
            .await
            .unwrap();
        txn.execute_unprepared("UPDATE big_rows SET body = body || 'y' WHERE id >= 0")
            .await
            .unwrap_or_else(|e| panic!("{name}: rewriting every row: {e}"));
        txn.execute_unprepared("DELETE FROM big_rows WHERE id = -1")
            .await
            .unwrap();
        txn.commit().await.unwrap();
    }
    let row = db
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            db.db.get_database_backend(),
            "SELECT COUNT(*) AS n, MIN(LENGTH(body)) AS shortest FROM big_rows",
        ))
        .await
        .unwrap()
        .unwrap();
    let n: i64 = row.try_get("", "n").unwrap();
    let shortest: i32 = row.try_get("", "shortest").unwrap();
    assert_eq!((n, shortest), (ROWS as i64, 4002));
    writer.close().await.unwrap();
}
