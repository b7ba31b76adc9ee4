//! Vendors (penyedia): a company registers with its first user account (its administrator),
//! fills in its profile, uploads its documents and asks for verification; UKPBJ staff approve,
//! ask for corrections, reject, suspend, reinstate or blacklist it (the blacklist ends by a
//! timer). Every step is a `procurement-penyedia` transition, audited with the row's change.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use mufakat_core::domain::{DisplayName, Password, Username};
use mufakat_core::{AppError, AppResult, FieldError, Role};
use mufakat_kernel::auth::{self, CurrentUser};
use mufakat_kernel::services::cases;
use mufakat_kernel::AppState;
use mufakat_procurement::{BankAccount, CompanyForm, Kbli, Nib, Npwp};
use mufakat_store::repo::{grants, users};
use mufakat_store::DbResultExt;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::{json, Map};

use super::{fire, get_vendor, membership, require_member, text, VENDOR_WORKFLOW};
use crate::entity::{vendor, vendor_member};
use crate::perms;

/// A company profile as given by its administrator.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    pub name: String,
    pub form: String,
    pub nib: String,
    pub npwp: String,
    pub address: String,
    pub region_id: i32,
    pub kbli: Vec<String>,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
    pub bank_name: String,
    pub bank_account: String,
    pub bank_holder: String,
}

/// A profile checked field by field (every problem at once).
struct Parsed {
    name: String,
    form: CompanyForm,
    nib: Nib,
    npwp: Npwp,
    address: String,
    kbli: Vec<Kbli>,
    contact_name: String,
    contact_phone: String,
    contact_email: String,
    bank: BankAccount,
}

async fn parse_profile(
    state: &AppState,
    p: &Profile,
    errors: &mut Vec<FieldError>,
) -> Option<Parsed> {
    let name = text(errors, "name", &p.name, 200, true);
    let address = text(errors, "address", &p.address, 500, true);
    let contact_name = text(errors, "contactName", &p.contact_name, 200, true);
    let contact_phone = text(errors, "contactPhone", &p.contact_phone, 30, true);
    let contact_email = text(errors, "contactEmail", &p.contact_email, 200, true);
    if !contact_email.is_empty() && !contact_email.contains('@') {
        errors.push(FieldError::new(
            "contactEmail",
            "format",
            "Alamat surel tidak valid.",
            "Not a valid e-mail address.",
        ));
    }
    fn field<T>(
        errors: &mut Vec<FieldError>,
        r: Result<T, mufakat_procurement::IdError>,
        name: &str,
    ) -> Option<T> {
        r.map_err(|e| {
            let mut f: FieldError = e.into();
            f.field = name.into();
            errors.push(f)
        })
        .ok()
    }
    let form = field(errors, CompanyForm::parse(&p.form), "form");
    let nib = field(errors, Nib::parse(&p.nib), "nib");
    let npwp = field(errors, Npwp::parse(&p.npwp), "npwp");
    let bank = field(
        errors,
        BankAccount::parse(&p.bank_name, &p.bank_account, &p.bank_holder),
        "bankAccount",
    );
    let mut kbli = vec![];
    let known = crate::runtime::get(state)
        .map(|r| r.kbli.clone())
        .unwrap_or_default();
    for (i, k) in p.kbli.iter().enumerate() {
        if let Some(k) = field(errors, Kbli::parse(k), &format!("kbli[{i}]")) {
            if known.contains_key(k.as_str()) {
                kbli.push(k);
            } else {
                errors.push(unknown_kbli(&format!("kbli[{i}]"), k.as_str()));
            }
        }
    }
    if p.kbli.is_empty() || p.kbli.len() > 20 {
        errors.push(FieldError::new(
            "kbli",
            "count",
            "Isi 1 sampai 20 kode KBLI bidang usaha.",
            "Give 1 to 20 KBLI business-field codes.",
        ));
    }
    if state.regions.read().await.get(p.region_id).is_none() {
        errors.push(FieldError::new(
            "regionId",
            "unknown",
            "Wilayah tidak dikenal.",
            "Unknown region.",
        ));
    }
    Some(Parsed {
        name,
        form: form?,
        nib: nib?,
        npwp: npwp?,
        address,
        kbli,
        contact_name,
        contact_phone,
        contact_email,
        bank: bank?,
    })
}

pub struct NewVendor {
    pub username: String,
    pub user_name: String,
    pub password: String,
    pub profile: Profile,
}

/// A company registers: its administrator's account (role `vendor` in the top region above
/// the company's), the company row, the membership and its `procurement-penyedia` case (draft),
/// in one audited transaction. Anyone may; attempts are limited per client address.
pub async fn register(
    state: &AppState,
    input: NewVendor,
    ip: Option<IpAddr>,
) -> AppResult<(vendor::Model, i32)> {
    state.register_limiter.attempt(ip).await?;
    let mut errors = vec![];
    let username = Username::parse("username", &input.username)
        .map_err(|e| errors.push(e))
        .ok();
    let display = DisplayName::parse("userName", &input.user_name)
        .map_err(|e| errors.push(e))
        .ok();
    let password = Password::parse("password", &input.password)
        .map_err(|e| errors.push(e))
        .ok();
    let parsed = parse_profile(state, &input.profile, &mut errors).await;
    let (Some(username), Some(display), Some(password), Some(p), true) =
        (username, display, password, parsed, errors.is_empty())
    else {
        return Err(AppError::Validation(errors));
    };
    npwp_unused(state, &p.npwp, None).await?;
    let top = *state
        .region_path(input.profile.region_id)
        .await
        .last()
        .ok_or(AppError::NotFound { entity: "region" })?;
    let hash = auth::hash_password(password.expose().to_owned()).await?;
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    npwp_unused(state, &p.npwp, Some(&txn)).await?;
    let u = users::create(
        &txn,
        users::NewUser {
            username: username.as_str(),
            display_name: display.as_str(),
            nik_hash: None,
            home_region_id: None,
            password_hash: hash,
        },
    )
    .await?;
    let g = grants::grant(&txn, u.id, Role::Vendor, top, None, None).await?;
    let user = CurrentUser {
        id: u.id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        home_region_id: None,
        grants: vec![(Role::Vendor, g.region_id)],
        opd_grants: vec![],
        token_hash: String::new(),
    };
    let v = open_company(
        state,
        &txn,
        &mut chain,
        &user,
        p,
        input.profile.region_id,
        now,
    )
    .await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    tracing::info!(vendor = v.id, user = u.id, "vendor registered");
    Ok((v, u.id))
}

/// The company row, its administrator's membership and its case (draft), in the caller's
/// audited write.
async fn open_company(
    state: &AppState,
    txn: &mufakat_kernel::audit_log::WriteTxn,
    chain: &mut mufakat_kernel::audit_log::Chain,
    user: &CurrentUser,
    p: Parsed,
    region_id: i32,
    now: DateTime<Utc>,
) -> AppResult<vendor::Model> {
    let mut fields = Map::new();
    fields.insert("name".into(), json!(p.name));
    fields.insert("npwp".into(), json!(masked_npwp(&p.npwp.sixteen_digits())));
    let fired =
        cases::start_in(state, txn, chain, user, VENDOR_WORKFLOW, region_id, fields).await?;
    let v = vendor::ActiveModel {
        instance_id: Set(Some(fired.case.id)),
        name: Set(p.name),
        form: Set(p.form.as_str().into()),
        nib: Set(p.nib.as_str().into()),
        npwp: Set(p.npwp.sixteen_digits()),
        address: Set(p.address),
        region_id: Set(region_id),
        kbli: Set(kbli_json(&p.kbli)),
        contact_name: Set(p.contact_name),
        contact_phone: Set(p.contact_phone),
        contact_email: Set(p.contact_email),
        bank_name: Set(p.bank.bank().into()),
        bank_account: Set(p.bank.number().into()),
        bank_holder: Set(p.bank.holder().into()),
        status: Set(fired.case.state.clone()),
        status_reason: Set(None),
        blacklisted_until: Set(None),
        created_by: Set(user.id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await
    .db()?;
    vendor_member::ActiveModel {
        vendor_id: Set(v.id),
        user_id: Set(user.id),
        is_admin: Set(true),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await
    .db()?;
    Ok(v)
}

/// A vendor account without a company (made by staff or the demo) registers its company; it
/// becomes the company's administrator.
pub async fn register_company(
    state: &AppState,
    user: &CurrentUser,
    profile: Profile,
) -> AppResult<vendor::Model> {
    if membership(&state.db, user).await?.is_some() {
        return Err(AppError::conflict(
            "Akun ini sudah mewakili sebuah penyedia.",
            "This account already acts for a vendor.",
        ));
    }
    let mut errors = vec![];
    let parsed = parse_profile(state, &profile, &mut errors).await;
    let (Some(p), true) = (parsed, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    npwp_unused(state, &p.npwp, None).await?;
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    npwp_unused(state, &p.npwp, Some(&txn)).await?;
    let v = open_company(state, &txn, &mut chain, user, p, profile.region_id, now).await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok(v)
}

/// An NPWP with all but its last four digits hidden: a sole trader's NPWP is their NIK, which
/// the audit trail and the public never see in the clear.
pub fn masked_npwp(digits: &str) -> String {
    let n = digits.chars().count();
    digits
        .chars()
        .enumerate()
        .map(|(i, c)| if i + 4 < n { '*' } else { c })
        .collect()
}

/// A well-formed KBLI code that is not in the region's list (workflows/config/kbli.toml).
pub fn unknown_kbli(field: &str, code: &str) -> FieldError {
    FieldError::new(
        field,
        "unknown",
        format!(
            "Kode KBLI {code} tidak ada dalam daftar bidang usaha daerah ini (lihat kbliCodes)."
        ),
        format!("KBLI {code} is not in this region's list of business fields (see kbliCodes)."),
    )
}

fn kbli_json(k: &[Kbli]) -> String {
    serde_json::to_string(&k.iter().map(|k| k.as_str()).collect::<Vec<_>>()).unwrap_or_default()
}

pub fn kbli_of(v: &vendor::Model) -> Vec<String> {
    serde_json::from_str(&v.kbli).unwrap_or_default()
}

/// `CONFLICT` when another company has this NPWP.
async fn npwp_unused(
    state: &AppState,
    npwp: &Npwp,
    txn: Option<&mufakat_kernel::audit_log::WriteTxn>,
) -> AppResult<()> {
    let q = vendor::Entity::find().filter(vendor::Column::Npwp.eq(npwp.sixteen_digits()));
    let n = match txn {
        Some(t) => q.count(t).await,
        None => q.count(&state.db).await,
    }
    .db()?;
    if n > 0 {
        return Err(AppError::conflict(
            "NPWP ini sudah terdaftar untuk penyedia lain.",
            "This NPWP is already registered for another vendor.",
        ));
    }
    Ok(())
}

/// The company's administrator changes its profile (in draft, or when corrections were
/// asked for): an `edit` transition recording the new name and NPWP.
pub async fn update_profile(
    state: &AppState,
    user: &CurrentUser,
    vendor_id: i32,
    p: Profile,
) -> AppResult<vendor::Model> {
    let v = get_vendor(&state.db, vendor_id).await?;
    require_member(&state.db, user, v.id, true).await?;
    let mut errors = vec![];
    let parsed = parse_profile(state, &p, &mut errors).await;
    let (Some(parsed), true) = (parsed, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    if p.region_id != v.region_id {
        return Err(AppError::validation(
            "regionId",
            "fixed",
            "Wilayah penyedia tidak dapat diubah; hubungi UKPBJ.",
            "A vendor's region cannot be changed; contact UKPBJ staff.",
        ));
    }
    if parsed.npwp.sixteen_digits() != v.npwp {
        npwp_unused(state, &parsed.npwp, None).await?;
    }
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    let mut input = Map::new();
    input.insert("name".into(), json!(parsed.name));
    input.insert(
        "npwp".into(),
        json!(masked_npwp(&parsed.npwp.sixteen_digits())),
    );
    fire(
        state,
        &txn,
        &mut chain,
        user,
        v.instance_id,
        "edit",
        input,
        None,
    )
    .await?;
    vendor::ActiveModel {
        id: Set(v.id),
        name: Set(parsed.name),
        form: Set(parsed.form.as_str().into()),
        nib: Set(parsed.nib.as_str().into()),
        npwp: Set(parsed.npwp.sixteen_digits()),
        address: Set(parsed.address),
        region_id: Set(p.region_id),
        kbli: Set(kbli_json(&parsed.kbli)),
        contact_name: Set(parsed.contact_name),
        contact_phone: Set(parsed.contact_phone),
        contact_email: Set(parsed.contact_email),
        bank_name: Set(parsed.bank.bank().into()),
        bank_account: Set(parsed.bank.number().into()),
        bank_holder: Set(parsed.bank.holder().into()),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(&txn)
    .await
    .db()?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    get_vendor(&state.db, v.id).await
}

/// The company's administrator adds another user account for the company.
pub async fn add_member(
    state: &AppState,
    user: &CurrentUser,
    vendor_id: i32,
    username: &str,
    name: &str,
    password: &str,
) -> AppResult<vendor_member::Model> {
    let v = get_vendor(&state.db, vendor_id).await?;
    require_member(&state.db, user, v.id, true).await?;
    let mut errors = vec![];
    let username = Username::parse("username", username)
        .map_err(|e| errors.push(e))
        .ok();
    let display = DisplayName::parse("name", name)
        .map_err(|e| errors.push(e))
        .ok();
    let password = Password::parse("password", password)
        .map_err(|e| errors.push(e))
        .ok();
    let (Some(username), Some(display), Some(password)) = (username, display, password) else {
        return Err(AppError::Validation(errors));
    };
    let top = *state
        .region_path(v.region_id)
        .await
        .last()
        .unwrap_or(&v.region_id);
    let hash = auth::hash_password(password.expose().to_owned()).await?;
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    let u = users::create(
        &txn,
        users::NewUser {
            username: username.as_str(),
            display_name: display.as_str(),
            nik_hash: None,
            home_region_id: None,
            password_hash: hash,
        },
    )
    .await?;
    grants::grant(&txn, u.id, Role::Vendor, top, None, Some(user.id)).await?;
    let m = vendor_member::ActiveModel {
        vendor_id: Set(v.id),
        user_id: Set(u.id),
        is_admin: Set(false),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .db()?;
    chain
        .append(
            &txn,
            mufakat_kernel::audit_log::AuditDraft {
                actor: user.id.to_string(),
                role: "vendor".into(),
                // Not a transition of the company's case: the company's membership list.
                workflow: "procurement.members".into(),
                workflow_version: "1".into(),
                instance_id: format!("vendor-{}", v.id),
                transition: "add_member".into(),
                from_state: String::new(),
                to_state: "member".into(),
                input: json!({ "user": u.id.to_string(), "username": u.username, "vendor": v.id.to_string() }),
                comment: None,
            },
        )
        .await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok(m)
}

/// A step of verification: `submit` by the company's members; `approve`,
/// `request_correction`, `reject`, `suspend`, `reinstate`, `blacklist` by UKPBJ staff (the
/// workflow's roles in the company's region).
pub async fn act(
    state: &AppState,
    user: &CurrentUser,
    vendor_id: i32,
    action: &str,
    comment: Option<String>,
    blacklist_until: Option<DateTime<Utc>>,
) -> AppResult<vendor::Model> {
    let v = get_vendor(&state.db, vendor_id).await?;
    let by_vendor = matches!(action, "submit");
    let by_staff = matches!(
        action,
        "approve" | "request_correction" | "reject" | "suspend" | "reinstate" | "blacklist"
    );
    if !by_vendor && !by_staff {
        return Err(AppError::validation(
            "action",
            "unknown",
            "Tindakan tidak dikenal.",
            "Unknown action.",
        ));
    }
    if by_vendor {
        require_member(&state.db, user, v.id, false).await?;
    } else {
        // Vendors never verify, not even another company.
        if membership(&state.db, user).await?.is_some() {
            return Err(AppError::Forbidden);
        }
        let path = state.region_path(v.region_id).await;
        state.authz.require(user, &path, perms::VENDOR_VERIFY)?;
    }
    let mut input = Map::new();
    if action == "blacklist" {
        let until = blacklist_until.ok_or_else(|| {
            AppError::validation(
                "blacklistUntil",
                "required",
                "Isi akhir masa daftar hitam.",
                "Give the end of the blacklist period.",
            )
        })?;
        input.insert("blacklist_until".into(), json!(until.to_rfc3339()));
    }
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    let fired = fire(
        state,
        &txn,
        &mut chain,
        user,
        v.instance_id,
        action,
        input,
        comment.clone(),
    )
    .await?;
    let mut upd = vendor::Entity::update_many()
        .col_expr(
            vendor::Column::Status,
            Expr::value(fired.case.state.clone()),
        )
        .col_expr(vendor::Column::UpdatedAt, Expr::value(now))
        .filter(vendor::Column::Id.eq(v.id));
    if by_staff {
        upd = upd.col_expr(vendor::Column::StatusReason, Expr::value(comment));
    }
    upd = upd.col_expr(
        vendor::Column::BlacklistedUntil,
        Expr::value(if action == "blacklist" {
            blacklist_until
        } else {
            None
        }),
    );
    upd.exec(&txn).await.db()?;
    super::catalogue_index::notify(&txn).await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    // A vendor verified, suspended or blacklisted takes its items into or out of the catalogue.
    crate::runtime::get(state)?.catalogue.changed();
    get_vendor(&state.db, v.id).await
}

/// Brings the status of module rows in step with their cases after timers moved the cases
/// (a blacklist ended, a price expired): the timer runner fires the transition and audits it;
/// this copies the new state to the row. Run after each timer pass ([`crate::spawn_background`]).
pub async fn sync_after_timers(state: &AppState) -> AppResult<u64> {
    use sea_orm::ConnectionTrait;
    let mut n = 0;
    for table in ["vendors", "catalogue_items"] {
        let sql = format!(
            "UPDATE {table} SET status = (SELECT w.state FROM workflow_instances w \
             WHERE w.id = {table}.instance_id) WHERE instance_id IS NOT NULL AND status <> \
             (SELECT w.state FROM workflow_instances w WHERE w.id = {table}.instance_id)"
        );
        n += state
            .db
            .execute_unprepared(&sql)
            .await
            .db()?
            .rows_affected();
    }
    for sql in [
        "UPDATE vendors SET blacklisted_until = NULL \
         WHERE status <> 'blacklisted' AND blacklisted_until IS NOT NULL",
        // A price proposed while the old one expired lapses with it.
        "UPDATE catalogue_prices SET status = 'lapsed' WHERE status = 'proposed' AND item_id IN \
         (SELECT id FROM catalogue_items WHERE status IN ('expired', 'delisted'))",
    ] {
        state.db.execute_unprepared(sql).await.db()?;
    }
    if n > 0 {
        super::catalogue_index::notify(&state.db).await?;
        crate::runtime::get(state)?.catalogue.changed();
    }
    Ok(n)
}

/// The regions (with every region below them) in which `user` holds `perm`: what a staff list
/// that spans regions may show them.
pub async fn regions_where(
    state: &AppState,
    user: &CurrentUser,
    perm: mufakat_kernel::authz::Permission,
) -> AppResult<Vec<i32>> {
    let mut out = std::collections::BTreeSet::new();
    for (_, region) in &user.grants {
        if state
            .authz
            .allowed(user, &state.region_path(*region).await, perm)?
        {
            out.extend(state.regions.read().await.descendants_inclusive(*region));
        }
    }
    Ok(out.into_iter().collect())
}

/// Vendors, newest first, optionally by status: verified ones for everyone, and every company
/// of the regions where the user holds `vendor:read` (the public list of vendors and the
/// review list of staff).
pub async fn list(
    state: &AppState,
    user: Option<&CurrentUser>,
    status: Option<&str>,
    limit: u64,
    offset: u64,
) -> AppResult<Vec<vendor::Model>> {
    let mine = match user {
        Some(u) => regions_where(state, u, perms::VENDOR_READ).await?,
        None => vec![],
    };
    let mut q = vendor::Entity::find().order_by_desc(vendor::Column::Id);
    q = q.filter(
        sea_orm::Condition::any()
            .add(vendor::Column::Status.eq("verified"))
            .add(vendor::Column::RegionId.is_in(mine)),
    );
    if let Some(s) = status {
        q = q.filter(vendor::Column::Status.eq(s));
    }
    use sea_orm::QuerySelect;
    q.limit(limit).offset(offset).all(&state.db).await.db()
}

/// Whether `user` may see the company's bank account: its members and finance staff.
pub async fn may_see_bank(
    state: &AppState,
    user: Option<&CurrentUser>,
    v: &vendor::Model,
) -> AppResult<bool> {
    let Some(u) = user else { return Ok(false) };
    if membership(&state.db, u)
        .await?
        .is_some_and(|m| m.vendor_id == v.id)
    {
        return Ok(true);
    }
    state.authz.allowed(
        u,
        &state.region_path(v.region_id).await,
        perms::VENDOR_BANK_READ,
    )
}

/// Whether `user` may see an unverified company's profile: its members and staff with
/// `vendor:read`.
pub async fn may_see(
    state: &AppState,
    user: Option<&CurrentUser>,
    v: &vendor::Model,
) -> AppResult<bool> {
    if v.status == "verified" {
        return Ok(true);
    }
    let Some(u) = user else { return Ok(false) };
    if membership(&state.db, u)
        .await?
        .is_some_and(|m| m.vendor_id == v.id)
    {
        return Ok(true);
    }
    state
        .authz
        .allowed(u, &state.region_path(v.region_id).await, perms::VENDOR_READ)
}
