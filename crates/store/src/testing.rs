//! A fresh, migrated database per test: a temporary SQLite file always, or a new PostgreSQL
//! database on the server named by `TEST_DATABASE_URL` when that is set. No test sees another's
//! data. PostgreSQL test databases are named `mufakat_test_*`; `.ci/run` drops leftovers.

use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::{connect, migrate, Durability};

pub struct TestDb {
    pub url: String,
    pub db: DatabaseConnection,
    sqlite_file: Option<std::path::PathBuf>,
    /// PostgreSQL: the server URL and the database to drop afterwards.
    pg_drop: Option<(String, String)>,
}

impl TestDb {
    pub async fn fresh() -> TestDb {
        let name = format!("mufakat_test_{}", uuid::Uuid::new_v4().simple());
        let mut pg_drop = None;
        let (url, sqlite_file) = match std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|s| !s.is_empty())
        {
            Some(admin_url) => {
                let admin = connect(&admin_url, Durability::Normal)
                    .await
                    .expect("connect to TEST_DATABASE_URL");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                pg_drop = Some((admin_url.clone(), name.clone()));
                (replace_database(&admin_url, &name), None)
            }
            None => {
                let path = std::env::temp_dir().join(format!("{name}.sqlite"));
                (format!("sqlite://{}", path.display()), Some(path))
            }
        };
        // Tests do not need power-loss durability; `Normal` keeps them fast.
        let db = connect(&url, Durability::Normal)
            .await
            .expect("connect to test database");
        migrate(&db).await.expect("migrate test database");
        TestDb {
            url,
            db,
            sqlite_file,
            pg_drop,
        }
    }

    /// A kota, a kecamatan in it and a kelurahan in that; the kelurahan's id.
    pub async fn kelurahan(&self) -> i32 {
        use crate::repo::regions;
        use mufakat_core::RegionLevel;

        let kota = regions::create(
            &self.db,
            regions::NewRegion {
                code: "35.99",
                name: "Kota",
                level: RegionLevel::KabupatenKota,
                parent_id: None,
            },
        )
        .await
        .unwrap();
        let kec = regions::create(
            &self.db,
            regions::NewRegion {
                code: "35.99.01",
                name: "Kec",
                level: RegionLevel::Kecamatan,
                parent_id: Some(kota.id),
            },
        )
        .await
        .unwrap();
        regions::create(
            &self.db,
            regions::NewRegion {
                code: "35.99.01.1001",
                name: "Kel",
                level: RegionLevel::KelurahanDesa,
                parent_id: Some(kec.id),
            },
        )
        .await
        .unwrap()
        .id
    }

    pub fn is_postgres(&self) -> bool {
        self.sqlite_file.is_none()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.pg_drop.take() {
            // Drop runs outside async; use a short-lived runtime on its own thread.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                rt.block_on(async {
                    let admin = connect(&admin_url, Durability::Normal).await.ok()?;
                    admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await
                        .ok()?;
                    admin.close().await.ok()
                })
            })
            .join();
        }
        if let Some(p) = &self.sqlite_file {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", p.display()));
            }
        }
    }
}

/// `postgres://u@h:5432/test?x=y` with database `name` -> `postgres://u@h:5432/name?x=y`.
pub fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = base[scheme_end..].find('/').map(|i| i + scheme_end);
    let host_part = match path_start {
        Some(i) => &base[..i],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{name}?{q}"),
        None => format!("{host_part}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            replace_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            replace_database("postgres://p@h/test?sslmode=disable", "x"),
            "postgres://p@h/x?sslmode=disable"
        );
        assert_eq!(replace_database("postgres://p@h", "x"), "postgres://p@h/x");
    }
}
