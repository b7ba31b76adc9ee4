//! Demo data for monev: a year of monthly reports for several activities of the kota (the 12
//! months ending with this one), through the same services as the API, so that the dashboards
//! show real S-curves and flags: one activity on plan with its photos, one under the demo's
//! contract falling behind (kontrak kritis, escalated to a warning letter and SCM I), one
//! spending ahead of its progress with an indicator below target, one not yet started, and a
//! report submitted late. Idempotent: nothing is made when an activity exists.

use chrono::Duration;
use mufakat_core::AppResult;
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::services::{accounts, cases};
use mufakat_kernel::AppState;
use mufakat_module_procurement::service::packages;
use mufakat_monev::Period;
use mufakat_store::DbResultExt;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::entity::activity;
use crate::service::activities::{self, NewActivity, NewIndicator, PlanInput};
use crate::service::reports::{self, ReportInput};
use crate::service::{flags, get_report};

/// A 1×1 PNG, the demo's photo.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0,
    0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// The planned S-curve over `n` months: slow, fast, slow; the last month at 100 %.
pub fn s_curve(n: usize) -> Vec<Decimal> {
    (1..=n)
        .map(|i| {
            if i == n {
                return Decimal::ONE_HUNDRED;
            }
            let x = i as f64 / n as f64;
            // Smoothstep: 3x² − 2x³, in whole percents (a plan is written by people).
            Decimal::from((100.0 * (3.0 * x * x - 2.0 * x * x * x)).round() as i64)
        })
        .collect()
}

fn plan(first: Period, pagu: Decimal, indicators: Vec<NewIndicator>) -> PlanInput {
    let months = Period::range(first, {
        let mut p = first;
        for _ in 0..11 {
            p = p.next();
        }
        p
    });
    let curve = s_curve(months.len());
    PlanInput {
        starts_on: first.first_day(),
        ends_on: months[months.len() - 1].last_day(),
        months: months
            .iter()
            .zip(&curve)
            .map(|(m, f)| {
                (
                    m.to_string(),
                    *f,
                    (pagu * f / Decimal::ONE_HUNDRED).round_dp(0),
                )
            })
            .collect(),
        subs: vec![],
        indicators,
    }
}

async fn line(
    state: &AppState,
    opd: &CurrentUser,
    kota: i32,
    year: i32,
    title: &str,
    agency: &str,
    budget: i64,
) -> AppResult<i32> {
    // A proposal of the plan with this title (the demo's past cycle funded one): the line is
    // that proposal, and the activity's page leads back to its vote (the golden thread).
    let funded = mufakat_module_musrenbang::entity::proposal::Entity::find()
        .filter(mufakat_module_musrenbang::entity::proposal::Column::Title.eq(title))
        .filter(mufakat_module_musrenbang::entity::proposal::Column::Status.eq("included"))
        .one(&state.db)
        .await
        .db()?;
    let new = match funded {
        Some(p) => packages::NewLine {
            region_id: None,
            year: None,
            title: None,
            opd: agency.into(),
            budget: None,
            proposal_id: Some(p.id),
        },
        None => packages::NewLine {
            region_id: Some(kota),
            year: Some(year),
            title: Some(title.into()),
            opd: agency.into(),
            budget: Some(Decimal::from(budget)),
            proposal_id: None,
        },
    };
    Ok(packages::create_line(state, opd, new).await?.id)
}

/// Reports month by month: `(physical, spent)` per month; verified by `ppk`, photos on some.
async fn report_months(
    state: &AppState,
    opd: &CurrentUser,
    ppk: &CurrentUser,
    activity_id: i32,
    months: &[(i64, i64)],
    actual_of: impl Fn(usize) -> Vec<(i32, Decimal)>,
    photos: bool,
) -> AppResult<()> {
    let rs = reports::of_activity(&state.db, activity_id).await?;
    for (i, (phys, spent)) in months.iter().enumerate() {
        let r = &rs[i];
        let input = ReportInput {
            physical: Some(Decimal::from(*phys)),
            sub_progress: vec![],
            spent: Some(Decimal::from(*spent)),
            actuals: actual_of(i),
            notes: format!(
                "Laporan bulan {}: pekerjaan sesuai catatan pengawas lapangan.",
                r.period
            ),
        };
        if photos && i % 3 == 2 {
            reports::upload_photo(
                state,
                opd,
                reports::PhotoUpload {
                    report_id: r.id,
                    name: format!("progres-{}.png", r.period),
                    content_type: "image/png".into(),
                    bytes: bytes::Bytes::from_static(PNG),
                    taken_at: Some(r.due_at - Duration::days(12)),
                    latitude: Some("-7.2575".parse().expect("decimal")),
                    longitude: Some("112.7521".parse().expect("decimal")),
                },
            )
            .await?;
        }
        reports::save(state, opd, r.id, input, true).await?;
        reports::verify(state, ppk, r.id, None).await?;
    }
    Ok(())
}

/// Seeds the activities; returns how many were made (0 when present).
pub async fn seed(state: &AppState, kota: i32) -> AppResult<usize> {
    if activity::Entity::find().count(&state.db).await.db()? > 0 {
        return Ok(0);
    }
    let dinaspu = accounts::acting_as(state, "opd.dinaspu").await?;
    let ppk = accounts::acting_as(state, "ppk.dinaspu").await?;
    // Each OPD's activities are its own staff's: one account for each other OPD here (a
    // random password: they only act in the demo).
    let mut staff_of = std::collections::BTreeMap::new();
    let listed = mufakat_kernel::services::opds::serving(&state.db, &[kota]).await?;
    for code in ["DISPERKIM", "DISKOPUKM"] {
        let username = format!("opd.{}", code.to_lowercase());
        accounts::create_staff(
            state,
            None,
            accounts::CreateStaff {
                username: username.clone(),
                name: format!("Staf {code}"),
                password: mufakat_kernel::auth::new_token().0,
                grants: vec![(
                    mufakat_core::Role::OpdStaff,
                    kota,
                    listed.iter().find(|o| o.code == code).map(|o| o.id),
                )],
            },
        )
        .await?;
        staff_of.insert(code, accounts::acting_as(state, &username).await?);
    }
    let opd = dinaspu;
    let now = state.now();
    let this = Period::at(now);
    let mut first = this;
    for _ in 0..11 {
        // The 12 months ending with this one.
        first = Period::new(
            if first.month == 1 {
                first.year - 1
            } else {
                first.year
            },
            if first.month == 1 {
                12
            } else {
                first.month - 1
            },
        )
        .expect("period");
    }
    let year = first.year;
    let past = 11; // months already over
    let mut made = 0;

    // 1. On plan, with photos and an output indicator.
    let pagu = 1_200_000_000i64;
    let l = line(
        state,
        &opd,
        kota,
        year,
        "Peningkatan jalan lingkungan Kelurahan Mekarsari",
        "DPUPR",
        pagu,
    )
    .await?;
    let targets: Vec<(String, Decimal)> = Period::range(first, this)
        .iter()
        .zip(s_curve(12))
        .map(|(p, f)| (p.to_string(), f * Decimal::from(12)))
        .collect();
    let a = activities::create(
        state,
        &opd,
        NewActivity {
            plan_line_id: l,
            contract_id: None,
            category: "jalan".into(),
            funding_source: "APBD".into(),
            plan: plan(
                first,
                Decimal::from(pagu),
                vec![NewIndicator {
                    outcome: false,
                    name: "Panjang jalan diperbaiki".into(),
                    unit: "m".into(),
                    baseline: Decimal::ZERO,
                    higher_is_better: true,
                    targets,
                }],
            ),
        },
    )
    .await?;
    let curve = s_curve(12);
    let ind = crate::service::indicators_of(&state.db, a.id).await?[0].id;
    let months: Vec<(i64, i64)> = (0..past)
        .map(|i| {
            let f: i64 = curve[i].try_into().unwrap_or(0);
            (f, pagu * f / 100 * 9 / 10)
        })
        .collect();
    let c2 = curve.clone();
    report_months(
        state,
        &opd,
        &ppk,
        a.id,
        &months,
        |i| vec![(ind, c2[i] * Decimal::from(12))],
        true,
    )
    .await?;
    made += 1;

    // 2. Under the demo's contract, falling behind: kontrak kritis, escalated.
    let contract = mufakat_module_tender::entity::contract::Entity::find()
        .one(&state.db)
        .await
        .db()?;
    if let Some(c) = contract {
        let pkg = mufakat_module_procurement::entity::package::Entity::find_by_id(c.package_id)
            .one(&state.db)
            .await
            .db()?;
        if let Some(pkg) = pkg {
            let line_row =
                mufakat_module_procurement::entity::plan_line::Entity::find_by_id(pkg.line_id)
                    .one(&state.db)
                    .await
                    .db()?;
            if let Some(lr) = line_row {
                let budget = Decimal::from(lr.budget_sen / 100);
                let a = activities::create(
                    state,
                    &opd,
                    NewActivity {
                        plan_line_id: lr.id,
                        contract_id: Some(c.id),
                        category: "gedung".into(),
                        funding_source: "APBD".into(),
                        plan: plan(first, budget, vec![]),
                    },
                )
                .await?;
                // Spending as a share of the contract's value, behind as the works are.
                let b = c.value_sen / 100;
                let months: Vec<(i64, i64)> = (0..past)
                    .map(|i| {
                        let f: i64 = curve[i].try_into().unwrap_or(0);
                        let behind = if i >= 4 { (f * 7 / 10).max(f - 25) } else { f };
                        (behind, b * behind / 100 * 8 / 10)
                    })
                    .collect();
                report_months(state, &opd, &ppk, a.id, &months, |_| vec![], false).await?;
                let critical = flags::of_activity(&state.db, a.id)
                    .await?
                    .into_iter()
                    .find(|f| f.kind == "critical_contract");
                if let Some(f) = critical {
                    let d = (now - Duration::days(20)).date_naive();
                    flags::act(
                        state,
                        &ppk,
                        f.id,
                        "acknowledge",
                        Some("Diterima; penyedia dipanggil.".into()),
                        None,
                    )
                    .await?;
                    flags::act(
                        state,
                        &ppk,
                        f.id,
                        "warn",
                        Some("Surat peringatan I: percepatan pekerjaan dalam 14 hari.".into()),
                        Some(d),
                    )
                    .await?;
                    flags::act(
                        state,
                        &ppk,
                        f.id,
                        "scm_1",
                        Some("SCM I: penyedia sanggup menambah tenaga; uji coba 14 hari.".into()),
                        Some(d + Duration::days(7)),
                    )
                    .await?;
                }
                made += 1;
            }
        }
    }

    // 3. Spending ahead of progress, an outcome indicator below target, one report late.
    let pagu3 = 450_000_000i64;
    let staff = &staff_of["DISPERKIM"];
    let l = line(
        state,
        staff,
        kota,
        year,
        "Pembangunan sumur bor dan jaringan air bersih",
        "DISPERKIM",
        pagu3,
    )
    .await?;
    let targets: Vec<(String, Decimal)> = Period::range(first, this)
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 3 == 2)
        .map(|(i, p)| (p.to_string(), Decimal::from(40 * (i as i64 + 1) / 3)))
        .collect();
    let a = activities::create(
        state,
        staff,
        NewActivity {
            plan_line_id: l,
            contract_id: None,
            category: "air bersih".into(),
            funding_source: "DAK".into(),
            plan: plan(
                first,
                Decimal::from(pagu3),
                vec![NewIndicator {
                    outcome: true,
                    name: "Rumah tangga terlayani air bersih".into(),
                    unit: "KK".into(),
                    baseline: Decimal::ZERO,
                    higher_is_better: true,
                    targets,
                }],
            ),
        },
    )
    .await?;
    let ind = crate::service::indicators_of(&state.db, a.id).await?[0].id;
    let months: Vec<(i64, i64)> = (0..past)
        .map(|i| {
            let f: i64 = curve[i].try_into().unwrap_or(0);
            (f, (pagu3 * (f + 15).min(100) / 100).min(pagu3))
        })
        .collect();
    // All but the last past month on time; that one after its due time, by the timer.
    report_months(
        state,
        staff,
        &ppk,
        a.id,
        &months[..past - 1],
        |i| vec![(ind, Decimal::from(35 * (i as i64 + 1) / 3))],
        false,
    )
    .await?;
    cases::fire_due_timers(state, now).await?;
    let rs = reports::of_activity(&state.db, a.id).await?;
    let last = get_report(&state.db, rs[past - 1].id).await?;
    let (f, s) = months[past - 1];
    reports::save(
        state,
        staff,
        last.id,
        ReportInput {
            physical: Some(Decimal::from(f)),
            spent: Some(Decimal::from(s)),
            notes: "Terlambat: menunggu hasil uji debit air.".into(),
            ..Default::default()
        },
        true,
    )
    .await?;
    reports::verify(
        state,
        &ppk,
        last.id,
        Some("Diterima; laporan berikutnya tepat waktu.".into()),
    )
    .await?;
    made += 1;

    // 4. Not started: planned to start months ago, no progress reported.
    let pagu4 = 180_000_000i64;
    let staff = &staff_of["DISKOPUKM"];
    let l = line(
        state,
        staff,
        kota,
        year,
        "Pelatihan dan pendampingan UMKM kuliner",
        "DISKOPUKM",
        pagu4,
    )
    .await?;
    activities::create(
        state,
        staff,
        NewActivity {
            plan_line_id: l,
            contract_id: None,
            category: "ekonomi".into(),
            funding_source: "APBD".into(),
            plan: plan(first, Decimal::from(pagu4), vec![]),
        },
    )
    .await?;
    made += 1;
    // The timers already due (late reports, the start overdue) fire now.
    cases::fire_due_timers(state, now).await?;
    Ok(made)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_demo_curve_rises_to_100() {
        let c = super::s_curve(12);
        assert_eq!(c.len(), 12);
        assert!(c.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(c[11], rust_decimal::Decimal::ONE_HUNDRED);
    }
}
