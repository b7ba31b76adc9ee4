//! Musrenbang's rows on SQLite always and on PostgreSQL when `TEST_DATABASE_URL` is set: money
//! stored exactly, one vote per person per proposal enforced by the database.

use chrono::Utc;
use mufakat_core::Money;
use mufakat_module_musrenbang::entity::{musrenbang_cycle, proposal, proposal_vote};
use mufakat_store::repo::users;
use mufakat_store::testing::TestDb;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

#[tokio::test]
async fn money_round_trips_exactly_on_this_engine() {
    let db = TestDb::fresh().await;
    let kel = db.kelurahan().await;
    let cycle = musrenbang_cycle::ActiveModel {
        name: Set("RKPD 2027".into()),
        year: Set(2027),
        region_id: Set(kel),
        instance_id: Set(None),
        settings: Set("{}".into()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&db.db)
    .await
    .unwrap();
    // Amounts a float would mangle: 2^53 + 1 sen, cents on a trillion, the i64 edge.
    for s in [
        "90071992547409.93",
        "1234567890123.45",
        "0.01",
        "92233720368547758.07",
    ] {
        let m = Money::parse(s).unwrap();
        let sen = m.to_minor_units().unwrap();
        let row = proposal::ActiveModel {
            cycle_id: Set(cycle.id),
            instance_id: Set(None),
            title: Set("Perbaikan jalan".into()),
            description: Set("Jalan rusak".into()),
            category: Set("jalan".into()),
            region_id: Set(kel),
            volume: Set("1".into()),
            unit: Set("paket".into()),
            unit_price_sen: Set(sen),
            cost_sen: Set(sen),
            computed_cost_sen: Set(sen),
            source: Set("resident".into()),
            status: Set("draft".into()),
            level: Set("kelurahan".into()),
            vote_count: Set(0),
            attachments: Set("[]".into()),
            created_at: Set(Utc::now()),
            updated_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&db.db)
        .await
        .unwrap();
        let back = proposal::Entity::find_by_id(row.id)
            .one(&db.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            Money::from_minor_units(back.cost_sen),
            m,
            "{s} on {}",
            if db.is_postgres() {
                "PostgreSQL"
            } else {
                "SQLite"
            }
        );
        assert_eq!(
            Money::from_minor_units(back.cost_sen).to_string(),
            m.to_string()
        );
    }
}

#[tokio::test]
async fn one_vote_per_person_per_proposal_is_enforced_by_the_database() {
    let db = TestDb::fresh().await;
    let kel = db.kelurahan().await;
    let u = users::create(
        &db.db,
        users::NewUser {
            username: "warga",
            display_name: "Warga",
            nik_hash: None,
            home_region_id: Some(kel),
            password_hash: "x".into(),
        },
    )
    .await
    .unwrap();
    let cycle = musrenbang_cycle::ActiveModel {
        name: Set("RKPD 2027".into()),
        year: Set(2027),
        region_id: Set(kel),
        instance_id: Set(None),
        settings: Set("{}".into()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&db.db)
    .await
    .unwrap();
    let p = proposal::ActiveModel {
        cycle_id: Set(cycle.id),
        title: Set("t".into()),
        description: Set("d".into()),
        category: Set("c".into()),
        region_id: Set(kel),
        volume: Set("1".into()),
        unit: Set("u".into()),
        unit_price_sen: Set(1),
        cost_sen: Set(1),
        computed_cost_sen: Set(1),
        source: Set("resident".into()),
        status: Set("submitted".into()),
        level: Set("kelurahan".into()),
        vote_count: Set(0),
        attachments: Set("[]".into()),
        created_at: Set(Utc::now()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&db.db)
    .await
    .unwrap();
    let vote = || proposal_vote::ActiveModel {
        cycle_id: Set(cycle.id),
        proposal_id: Set(p.id),
        voter_id: Set(u.id),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    vote().insert(&db.db).await.unwrap();
    let err = vote().insert(&db.db).await.unwrap_err();
    assert!(
        matches!(
            err.sql_err(),
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
        ),
        "{err}"
    );
}
