//! The procedure's documents as PDF, from its rows (the layout is the report layer's
//! `tender` module): the announcement, the opening record (berita acara pembukaan), the
//! evaluation record, the award announcement, an objection's answer and the SPPBJ. Each is
//! available only from the stage that makes it, so no PDF can show a price before the
//! opening; the evaluation before the award is announced only to insiders.

use mufakat_core::{AppError, AppResult, Lang, Money};
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::AppState;
use mufakat_module_procurement::service::get_vendor;
use mufakat_module_procurement::service::packages::{get_line, get_package};
use mufakat_module_procurement::service::vendors::masked_npwp;
use mufakat_reports as r;
use mufakat_store::DbResultExt;
use sea_orm::EntityTrait;

use super::{bids, get_procedure, is_insider, objections, pokja_of, ANNOUNCED_AWARD};
use crate::entity::procedure;

fn money(sen: i64) -> Money {
    Money::from_minor_units(sen)
}

fn render(e: r::ReportError) -> AppError {
    AppError::internal(anyhow::anyhow!("report: {e}"))
}

/// The documents of a procedure.
pub const DOCUMENTS: [&str; 5] = ["announcement", "opening", "evaluation", "award", "sppbj"];

async fn head(state: &AppState, p: &procedure::Model, lang: Lang) -> AppResult<r::TenderHead> {
    let pkg = get_package(&state.db, p.package_id).await?;
    let line = get_line(&state.db, pkg.line_id).await?;
    let region = state
        .regions
        .read()
        .await
        .get(p.region_id)
        .map(|x| x.name.clone())
        .unwrap_or_default();
    let method_title = match (p.method.as_str(), lang) {
        ("mini_competition", Lang::En) => "Mini-competition",
        ("mini_competition", _) => "Mini-kompetisi",
        _ => "Tender",
    };
    Ok(r::TenderHead {
        number: p.number.clone(),
        title: p.title.clone(),
        method_title: method_title.into(),
        package_name: pkg.name,
        agency: if line.opd.is_empty() {
            region
        } else {
            format!("{}, {region}", line.opd)
        },
    })
}

async fn pokja(state: &AppState, p: &procedure::Model) -> AppResult<Vec<r::PokjaMember>> {
    let mut out = vec![];
    for m in pokja_of(&state.db, p.id).await? {
        let name = mufakat_store::entity::user::Entity::find_by_id(m.user_id)
            .one(&state.db)
            .await
            .db()?
            .map(|u| u.display_name)
            .unwrap_or_default();
        out.push(r::PokjaMember {
            name,
            chair: m.is_chair,
        });
    }
    Ok(out)
}

async fn vendor_name(state: &AppState, id: i32) -> AppResult<String> {
    Ok(get_vendor(&state.db, id).await?.name)
}

/// A procedure's document `doc` (one of [`DOCUMENTS`]) for `reader` (anyone for what is
/// public), or `FORBIDDEN` when its stage has not come or it is not the reader's to see.
pub async fn procedure_pdf(
    state: &AppState,
    reader: Option<&CurrentUser>,
    procedure_id: i32,
    doc: &str,
    lang: Lang,
) -> AppResult<(String, Vec<u8>)> {
    let p = get_procedure(&state.db, procedure_id).await?;
    let inside = match reader {
        Some(u) => is_insider(state, u, &p).await?,
        None => false,
    };
    let status = p.status.as_str();
    let now = state.now();
    let h = head(state, &p, lang).await?;
    let file = format!("{doc}-{}.pdf", p.number);
    let place = "Kota Mufakat".to_string();
    let bytes = match doc {
        "announcement" => r::tender_announcement(
            &r::TenderAnnouncement {
                head: h,
                hps: money(p.hps_sen),
                evaluation: r::EvaluationMethod::from_code(&p.evaluation, p.quality_weight)
                    .unwrap_or(r::EvaluationMethod::LowestPrice),
                qualification: p.qualification.clone(),
                documents: p.documents.clone(),
                bid_deadline: p.bid_deadline,
                public_key: p.public_key.clone(),
                pokja: pokja(state, &p).await?,
                invited_vendors: {
                    let mut v = vec![];
                    for i in super::procedures::invited(&state.db, p.id).await? {
                        v.push(vendor_name(state, i.vendor_id).await?);
                    }
                    v
                },
                generated_at: now,
            },
            lang,
        ),
        "opening" if p.opened_at.is_some() => {
            let all = bids::of_procedure(&state.db, p.id).await?;
            let sealed = all
                .iter()
                .filter(|b| matches!(b.status.as_str(), "opened" | "unreadable"))
                .collect::<Vec<_>>();
            let pairs: Vec<(i32, String)> =
                sealed.iter().map(|b| (b.id, b.sha256.clone())).collect();
            let mut rows = vec![];
            for b in &sealed {
                rows.push(r::OpenedBid {
                    vendor_name: vendor_name(state, b.vendor_id).await?,
                    submitted_at: b.submitted_at,
                    price: b.price_sen.map(money),
                    unreadable_reason: (b.status == "unreadable")
                        .then(|| b.reason.clone().unwrap_or_default()),
                    ciphertext_sha256: b.sha256.clone(),
                    plaintext_sha256: b.opened_sha256.clone(),
                });
            }
            r::opening_record(
                &r::OpeningRecord {
                    head: h,
                    place,
                    opened_at: p.opened_at.unwrap_or(now),
                    seal_root: super::opening::seal_root(&pairs),
                    sealed_count: sealed.len() as u32,
                    bids: rows,
                    pokja: pokja(state, &p).await?,
                    generated_at: now,
                },
                lang,
            )
        }
        "evaluation"
            if ANNOUNCED_AWARD.contains(&status) || (inside && p.winner_bid_id.is_some()) =>
        {
            let mut rows = vec![];
            let mut winner = None;
            for b in super::procedures::opened_bids(&state.db, p.id).await? {
                let name = vendor_name(state, b.vendor_id).await?;
                if Some(b.id) == p.winner_bid_id {
                    winner = Some(r::ProposedWinner {
                        vendor_name: name.clone(),
                        price: money(b.price_sen.unwrap_or_default()),
                    });
                }
                rows.push(r::EvaluatedBid {
                    vendor_name: name,
                    price: b.price_sen.map(money),
                    admin_pass: b.admin_ok,
                    technical_pass: b.tech_ok,
                    technical_score: b.tech_score.map(rust_decimal::Decimal::from),
                    total_score: b.score.clone(),
                    rank: b.rank.map(|x| x as u32),
                    reason: b.reason.clone(),
                });
            }
            r::evaluation_report(
                &r::EvaluationReport {
                    head: h,
                    place,
                    evaluated_at: p.updated_at,
                    hps: money(p.hps_sen),
                    evaluation: r::EvaluationMethod::from_code(&p.evaluation, p.quality_weight)
                        .unwrap_or(r::EvaluationMethod::LowestPrice),
                    bids: rows,
                    proposed_winner: winner,
                    pokja: pokja(state, &p).await?,
                    generated_at: now,
                },
                lang,
            )
        }
        "award" | "sppbj"
            if ANNOUNCED_AWARD.contains(&status) && (doc == "award" || p.sppbj_at.is_some()) =>
        {
            let w = bids::get_bid(
                &state.db,
                p.winner_bid_id
                    .ok_or(AppError::NotFound { entity: "award" })?,
            )
            .await?;
            let v = get_vendor(&state.db, w.vendor_id).await?;
            let details = r::VendorDetails {
                name: v.name.clone(),
                address: v.address.clone(),
                npwp: masked_npwp(&v.npwp),
            };
            if doc == "award" {
                let mut bidders = vec![];
                for b in super::procedures::opened_bids(&state.db, p.id).await? {
                    bidders.push(r::AwardBidder {
                        vendor_name: vendor_name(state, b.vendor_id).await?,
                        price: b.price_sen.map(money),
                        rank: b.rank.map(|x| x as u32),
                        status: match (b.reason.is_some(), lang) {
                            (true, Lang::En) => "disqualified".into(),
                            (true, _) => "gugur".into(),
                            (false, Lang::En) => "compliant".into(),
                            (false, _) => "memenuhi syarat".into(),
                        },
                    });
                }
                r::award_announcement(
                    &r::AwardAnnouncement {
                        head: h,
                        announced_at: p.award_at.unwrap_or(now),
                        winner: details,
                        winner_price: money(w.price_sen.unwrap_or_default()),
                        hps: money(p.hps_sen),
                        bidders,
                        objection_ends: p.objection_ends.unwrap_or(now),
                        generated_at: now,
                    },
                    lang,
                )
            } else {
                let pkg = get_package(&state.db, p.package_id).await?;
                let ppk = mufakat_store::entity::user::Entity::find_by_id(pkg.ppk_id)
                    .one(&state.db)
                    .await
                    .db()?
                    .map(|u| u.display_name)
                    .unwrap_or_default();
                r::sppbj(
                    &r::Sppbj {
                        head: h,
                        number: super::contracts::sppbj_number(&p),
                        place,
                        issued_at: p.sppbj_at.unwrap_or(now),
                        vendor: details,
                        price: money(w.price_sen.unwrap_or_default()),
                        ppk_name: ppk,
                        ppk_nip: None,
                        generated_at: now,
                    },
                    lang,
                )
            }
        }
        d if DOCUMENTS.contains(&d) => return Err(AppError::Forbidden),
        _ => return Err(AppError::NotFound { entity: "document" }),
    }
    .map_err(render)?;
    Ok((file, bytes))
}

/// The answer to an objection or appeal, once answered (public, as the objection is).
pub async fn objection_pdf(
    state: &AppState,
    objection_id: i32,
    lang: Lang,
) -> AppResult<(String, Vec<u8>)> {
    let o = objections::get(&state.db, objection_id).await?;
    let (Some(answer), Some(at), Some(by)) = (o.answer.clone(), o.answered_at, o.answered_by)
    else {
        return Err(AppError::Forbidden);
    };
    let p = get_procedure(&state.db, o.procedure_id).await?;
    let by_name = mufakat_store::entity::user::Entity::find_by_id(by)
        .one(&state.db)
        .await
        .db()?
        .map(|u| u.display_name)
        .unwrap_or_default();
    let appeal = o.kind == "appeal";
    let bytes = r::objection_answer(
        &r::ObjectionAnswer {
            head: head(state, &p, lang).await?,
            appeal,
            place: "Kota Mufakat".into(),
            vendor_name: vendor_name(state, o.vendor_id).await?,
            filed_at: o.filed_at,
            objection: o.text.clone(),
            upheld: o.status == "upheld",
            answer,
            answered_at: at,
            answered_by: by_name,
            answered_by_role: match (appeal, lang) {
                (true, Lang::En) => "Budget holder (KPA)".into(),
                (true, _) => "Kuasa Pengguna Anggaran (KPA)".into(),
                (false, Lang::En) => "Selection committee (Pokja)".into(),
                (false, _) => "Kelompok Kerja Pemilihan (Pokja)".into(),
            },
            generated_at: state.now(),
        },
        lang,
    )
    .map_err(render)?;
    Ok((format!("jawaban-sanggah-{}.pdf", o.id), bytes))
}
