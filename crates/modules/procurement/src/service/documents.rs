//! Uploaded documents (a vendor's deed, NIB, NPWP, permits, experience): the bytes go to the
//! blob store under their SHA-256, the metadata to `procurement_documents`, and the upload is
//! an `attach_document` transition of the vendor's case whose audit event records the kind,
//! name, size, type and SHA-256. Only the company's members and staff allowed to review
//! vendors (UKPBJ, auditors) may read a document; to anyone else it does not exist.

use bytes::Bytes;
use mufakat_core::{AppError, AppResult, Lang};
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::AppState;
use mufakat_procurement::{check_upload, DocumentKind};
use mufakat_store::DbResultExt;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;
use sha2::Digest;

use super::{fire, get_vendor, membership, one_json, require_member};
use crate::entity::{document, vendor};
use crate::perms;
use crate::runtime::{self, BlobStore};

pub const OWNER_VENDOR: &str = "vendor";

pub struct Upload {
    pub vendor_id: i32,
    pub kind: String,
    pub name: String,
    pub content_type: String,
    pub bytes: Bytes,
}

/// A member of the company uploads one of its documents.
pub async fn upload(state: &AppState, user: &CurrentUser, u: Upload) -> AppResult<document::Model> {
    let rt = runtime::get(state)?;
    let v = get_vendor(&state.db, u.vendor_id).await?;
    require_member(&state.db, user, v.id, false).await?;
    let kind = DocumentKind::parse(&u.kind).map_err(|e| AppError::Validation(vec![e.into()]))?;
    let mut errors = vec![];
    let name = super::text(&mut errors, "name", &u.name, 200, true);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let runtime::Stored {
        content_type,
        sha256,
        key,
    } = rt.store(&u.content_type, &u.bytes).await?;
    let size = u.bytes.len() as i64;
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    let record = json!({
        "kind": kind.as_str(),
        "name": name,
        "content_type": content_type,
        "size_bytes": size,
        "sha256": sha256,
    })
    .to_string();
    fire(
        state,
        &txn,
        &mut chain,
        user,
        v.instance_id,
        "attach_document",
        one_json("document", record),
        None,
    )
    .await?;
    let d = document::ActiveModel {
        owner_kind: Set(OWNER_VENDOR.into()),
        owner_id: Set(v.id),
        kind: Set(kind.as_str().into()),
        name: Set(name),
        content_type: Set(content_type.into()),
        size_bytes: Set(size),
        sha256: Set(sha256),
        storage_key: Set(key),
        uploaded_by: Set(user.id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .db()?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok(d)
}

/// Whether `user` may read the documents of vendor `v`.
pub async fn may_read(state: &AppState, user: &CurrentUser, v: &vendor::Model) -> AppResult<bool> {
    if membership(&state.db, user)
        .await?
        .is_some_and(|m| m.vendor_id == v.id)
    {
        return Ok(true);
    }
    state.authz.allowed(
        user,
        &state.region_path(v.region_id).await,
        perms::VENDOR_DOCUMENT_READ,
    )
}

/// The documents of a vendor, for those who may read them.
pub async fn list(
    state: &AppState,
    user: &CurrentUser,
    vendor_id: i32,
) -> AppResult<Vec<document::Model>> {
    let v = get_vendor(&state.db, vendor_id).await?;
    if !may_read(state, user, &v).await? {
        return Err(AppError::Forbidden);
    }
    document::Entity::find()
        .filter(document::Column::OwnerKind.eq(OWNER_VENDOR))
        .filter(document::Column::OwnerId.eq(v.id))
        .order_by_asc(document::Column::Id)
        .all(&state.db)
        .await
        .db()
}

/// One document with its bytes; `NOT_FOUND` to anyone who may not read it.
pub async fn download(
    state: &AppState,
    user: &CurrentUser,
    id: i32,
) -> AppResult<(document::Model, Bytes)> {
    let not_found = AppError::NotFound { entity: "document" };
    let d = document::Entity::find_by_id(id)
        .one(&state.db)
        .await
        .db()?
        .ok_or(AppError::NotFound { entity: "document" })?;
    let v = get_vendor(&state.db, d.owner_id).await?;
    if d.owner_kind != OWNER_VENDOR || !may_read(state, user, &v).await? {
        return Err(not_found);
    }
    let bytes = runtime::get(state)?
        .blobs
        .get(&d.storage_key)
        .await
        .map_err(AppError::internal)?;
    Ok((d, bytes))
}

pub fn kind_title(kind: &str, lang: Lang) -> String {
    DocumentKind::parse(kind)
        .map(|k| k.title(lang).to_owned())
        .unwrap_or_else(|_| kind.to_owned())
}

pub const OWNER_ITEM: &str = "item";

/// A member of the item's vendor uploads a photo of it (PNG, JPEG or WEBP): an
/// `attach_photo` transition of the item's case records its name, size, type and SHA-256.
/// Photos are as public as the item.
pub async fn upload_photo(
    state: &AppState,
    user: &CurrentUser,
    item_id: i32,
    name: &str,
    content_type: &str,
    bytes: Bytes,
) -> AppResult<document::Model> {
    let rt = runtime::get(state)?;
    let it = super::catalogue::get_item(&state.db, item_id).await?;
    require_member(&state.db, user, it.vendor_id, false).await?;
    let mut errors = vec![];
    let name = super::text(&mut errors, "name", name, 200, true);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let head = &bytes[..bytes.len().min(64)];
    let sniffed = check_upload(content_type, bytes.len(), head, rt.upload_max_bytes)
        .map_err(|e| AppError::Validation(vec![e.into()]))?;
    if !sniffed.starts_with("image/") {
        return Err(AppError::validation(
            "file",
            "type",
            "Foto produk harus berupa gambar PNG, JPEG atau WEBP.",
            "A product photo must be a PNG, JPEG or WEBP image.",
        ));
    }
    let count = document::Entity::find()
        .filter(document::Column::OwnerKind.eq(OWNER_ITEM))
        .filter(document::Column::OwnerId.eq(it.id))
        .all(&state.db)
        .await
        .db()?
        .len();
    if count >= 10 {
        return Err(AppError::validation(
            "file",
            "count",
            "Paling banyak 10 foto per produk.",
            "At most 10 photos per item.",
        ));
    }
    let sha256 = hex::encode(sha2::Sha256::digest(&bytes));
    let key = BlobStore::key_for(&sha256);
    rt.blobs
        .put(&key, bytes.clone())
        .await
        .map_err(AppError::internal)?;
    let size = bytes.len() as i64;
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    let record =
        json!({ "name": name, "content_type": sniffed, "size_bytes": size, "sha256": sha256 })
            .to_string();
    fire(
        state,
        &txn,
        &mut chain,
        user,
        it.instance_id,
        "attach_photo",
        one_json("photo", record),
        None,
    )
    .await?;
    let d = document::ActiveModel {
        owner_kind: Set(OWNER_ITEM.into()),
        owner_id: Set(it.id),
        kind: Set("photo".into()),
        name: Set(name),
        content_type: Set(sniffed.into()),
        size_bytes: Set(size),
        sha256: Set(sha256),
        storage_key: Set(key),
        uploaded_by: Set(user.id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .db()?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok(d)
}

/// An item's photos.
pub async fn photos(
    db: &impl sea_orm::ConnectionTrait,
    item_id: i32,
) -> AppResult<Vec<document::Model>> {
    document::Entity::find()
        .filter(document::Column::OwnerKind.eq(OWNER_ITEM))
        .filter(document::Column::OwnerId.eq(item_id))
        .order_by_asc(document::Column::Id)
        .all(db)
        .await
        .db()
}

/// One photo with its bytes, for whoever may see its item (the public for items in the
/// catalogue); `NOT_FOUND` otherwise.
pub async fn photo(
    state: &AppState,
    user: Option<&CurrentUser>,
    id: i32,
) -> AppResult<(document::Model, Bytes)> {
    let not_found = || AppError::NotFound { entity: "photo" };
    let d = document::Entity::find_by_id(id)
        .one(&state.db)
        .await
        .db()?
        .ok_or_else(not_found)?;
    if d.owner_kind != OWNER_ITEM {
        return Err(not_found());
    }
    let it = super::catalogue::get_item(&state.db, d.owner_id).await?;
    if !super::catalogue::may_see(state, user, &it).await? {
        return Err(not_found());
    }
    let bytes = runtime::get(state)?
        .blobs
        .get(&d.storage_key)
        .await
        .map_err(AppError::internal)?;
    Ok((d, bytes))
}
