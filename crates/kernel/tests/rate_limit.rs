//! The login limit across nodes: two limiters on two connection pools to one PostgreSQL
//! database (as two server processes have) share their counts. Runs when `TEST_DATABASE_URL`
//! names a PostgreSQL server; a SQLite deployment is one node and counts in the process.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use mufakat_kernel::rate_limit::{Counters, LoginLimiter};
use mufakat_store::testing::TestDb;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_share_the_login_limit() {
    let db = TestDb::fresh().await;
    if !db.is_postgres() {
        eprintln!("SKIPPED two_nodes_share_the_login_limit: needs TEST_DATABASE_URL (PostgreSQL)");
        return;
    }
    let other = mufakat_store::connect(&db.url, mufakat_store::Durability::Normal)
        .await
        .unwrap();
    let window = Duration::from_secs(60);
    let nodes = [
        Arc::new(LoginLimiter::new(
            5,
            100,
            window,
            Counters::for_database(&db.db),
        )),
        Arc::new(LoginLimiter::new(
            5,
            100,
            window,
            Counters::for_database(&other),
        )),
    ];
    let ip: IpAddr = "10.1.2.3".parse().unwrap();
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let node = nodes[i % 2].clone();
            tokio::spawn(async move { node.begin("admin", Some(ip)).await.is_ok() as usize })
        })
        .collect();
    let mut passed = 0;
    for t in tasks {
        passed += t.await.unwrap();
    }
    assert_eq!(
        passed, 5,
        "40 guesses through two nodes: only the limit of one gets through"
    );
    // The owner, from an address that has not been failing, still gets in through either node.
    let owner: IpAddr = "10.9.9.9".parse().unwrap();
    assert!(nodes[1].begin("admin", Some(owner)).await.is_ok());
    nodes[1].succeeded("admin", Some(owner)).await.unwrap();
    // A right password clears the account's count for both nodes.
    assert!(nodes[0].begin("admin", Some(owner)).await.is_ok());
}
