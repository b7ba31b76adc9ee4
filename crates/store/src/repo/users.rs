use chrono::Utc;
use mufakat_core::{AppError, AppResult};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::entity::user;
use crate::DbResultExt;

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub nik_hash: Option<String>,
    pub home_region_id: Option<i32>,
    pub password_hash: String,
}

pub async fn create(db: &impl ConnectionTrait, u: NewUser<'_>) -> AppResult<user::Model> {
    if let Some(h) = &u.nik_hash {
        if user::Entity::find()
            .filter(user::Column::NikHash.eq(h.as_str()))
            .one(db)
            .await
            .db()?
            .is_some()
        {
            return Err(nik_taken());
        }
    }
    let res = user::ActiveModel {
        username: Set(u.username.to_owned()),
        display_name: Set(u.display_name.to_owned()),
        nik_hash: Set(u.nik_hash),
        home_region_id: Set(u.home_region_id),
        password_hash: Set(u.password_hash),
        is_active: Set(true),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await;
    match res {
        Ok(m) => Ok(m),
        Err(e) => {
            // Both the username and the NIK hash are unique; say which one clashed.
            if matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(ref m)) if m.contains("nik"))
            {
                Err(nik_taken())
            } else {
                Err(e).db_unique(
                    "Nama pengguna sudah dipakai. Pilih nama lain.",
                    "That username is taken. Choose another one.",
                )
            }
        }
    }
}

fn nik_taken() -> AppError {
    AppError::conflict(
        "NIK ini sudah terdaftar. Satu NIK hanya untuk satu akun. Bila itu akun Anda dan Anda lupa kata sandinya, datanglah ke kantor kelurahan dengan KTP untuk mendapat kode pemulihan, lalu buka halaman Lupa kata sandi.",
        "This NIK is already registered. One NIK holds one account. If it is yours and you forgot its password, bring your KTP to the kelurahan office for a recovery code, then open the Forgot password page.",
    )
}

pub async fn by_username(
    db: &impl ConnectionTrait,
    username: &str,
) -> AppResult<Option<user::Model>> {
    user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(db)
        .await
        .db()
}

pub async fn get(db: &impl ConnectionTrait, id: i32) -> AppResult<user::Model> {
    user::Entity::find_by_id(id)
        .one(db)
        .await
        .db()?
        .ok_or(AppError::NotFound { entity: "user" })
}
