//! Evaluation after the opening: the Pokja judges each opened bid administratively and
//! technically (with a technical score under `quality_cost`); a price above the HPS fails by
//! itself. The compliant bids are ranked — lowest price first, or by the weighted score
//! `w · technical + (100 − w) · 100 · lowest price / price` — and the first is proposed as the
//! winner. The results of every bid go into the `evaluate` transition's audit event. The award
//! announcement opens the objection period (sanggah), ending on a working day.

use chrono::Utc;
use mufakat_core::{AppError, AppResult, FieldError};
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::AppState;
use mufakat_module_procurement::service::text;
use mufakat_store::DbResultExt;
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Map};

use super::procedures::{opened_bids, set_state};
use super::{fire, get_procedure, period_end, require_pokja, require_state};
use crate::entity::{bid, procedure};
use crate::runtime;

/// The Pokja's judgement of one bid.
#[derive(Debug, Clone)]
pub struct Judgement {
    pub bid_id: i32,
    pub administrative: bool,
    pub technical: bool,
    /// 0 to 100, required with `quality_cost`.
    pub technical_score: Option<i32>,
    /// Why a bid fails (required when it does).
    pub reason: Option<String>,
}

/// Whether an evaluated bid passed every check.
pub fn compliant(b: &bid::Model) -> bool {
    b.admin_ok == Some(true) && b.tech_ok == Some(true) && b.reason.is_none()
}

/// One bid's result: what is stored and recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Result1 {
    pub bid_id: i32,
    pub price_sen: i64,
    pub admin_ok: bool,
    pub tech_ok: bool,
    pub tech_score: Option<i32>,
    pub reason: Option<String>,
    pub score: Option<Decimal>,
    pub rank: Option<i32>,
}

/// Ranks judged bids (pure): a price above the HPS fails; compliant bids are ranked by price
/// (ties: the earlier bid, by id) or by the weighted score (ties: the lower price, then id).
pub fn rank(
    bids: &[(i32, i64)],
    judged: &[Judgement],
    hps_sen: i64,
    quality_weight: Option<i32>,
) -> Vec<Result1> {
    let mut out: Vec<Result1> = bids
        .iter()
        .map(|(id, price)| {
            let j = judged.iter().find(|j| j.bid_id == *id);
            let mut reason = j
                .and_then(|j| j.reason.clone())
                .filter(|r| !r.trim().is_empty());
            let admin_ok = j.is_some_and(|j| j.administrative);
            let tech_ok = j.is_some_and(|j| j.technical);
            if admin_ok && tech_ok && *price > hps_sen {
                reason = Some("Harga penawaran melebihi HPS.".into());
            }
            if !(admin_ok && tech_ok) && reason.is_none() {
                reason = Some("Tidak memenuhi persyaratan.".into());
            }
            Result1 {
                bid_id: *id,
                price_sen: *price,
                admin_ok,
                tech_ok,
                tech_score: j.and_then(|j| j.technical_score),
                reason: if admin_ok && tech_ok && *price <= hps_sen {
                    None
                } else {
                    reason
                },
                score: None,
                rank: None,
            }
        })
        .collect();
    let lowest = out
        .iter()
        .filter(|r| r.reason.is_none())
        .map(|r| r.price_sen)
        .min();
    if let (Some(w), Some(low)) = (quality_weight, lowest) {
        for r in out.iter_mut().filter(|r| r.reason.is_none()) {
            let t = Decimal::from(r.tech_score.unwrap_or(0));
            let price_part = Decimal::from(100) * Decimal::from(low) / Decimal::from(r.price_sen);
            let s =
                (Decimal::from(w) * t + Decimal::from(100 - w) * price_part) / Decimal::from(100);
            r.score = Some(s.round_dp(4));
        }
    }
    let mut order: Vec<usize> = (0..out.len())
        .filter(|i| out[*i].reason.is_none())
        .collect();
    order.sort_by(|a, b| {
        let (x, y) = (&out[*a], &out[*b]);
        match (x.score, y.score) {
            (Some(sx), Some(sy)) => sy
                .cmp(&sx)
                .then(x.price_sen.cmp(&y.price_sen))
                .then(x.bid_id.cmp(&y.bid_id)),
            _ => x.price_sen.cmp(&y.price_sen).then(x.bid_id.cmp(&y.bid_id)),
        }
    });
    for (n, i) in order.into_iter().enumerate() {
        out[i].rank = Some(n as i32 + 1);
    }
    out
}

/// Checks the judgements (every opened bid once, a reason for a failing one, a score with
/// quality and cost), ranks them and stores the results on the bids, in the caller's write.
pub async fn record(
    txn: &mufakat_kernel::audit_log::WriteTxn,
    p: &procedure::Model,
    judged: &[Judgement],
) -> AppResult<Vec<Result1>> {
    let bids = opened_bids(txn, p.id).await?;
    let mut errors = vec![];
    for (i, j) in judged.iter().enumerate() {
        if !bids.iter().any(|b| b.id == j.bid_id) {
            errors.push(FieldError::new(
                format!("judgements[{i}].bidId"),
                "unknown",
                "Penawaran ini tidak dibuka dalam pemilihan ini.",
                "This bid was not opened in this procedure.",
            ));
        }
        if judged[..i].iter().any(|o| o.bid_id == j.bid_id) {
            errors.push(FieldError::new(
                format!("judgements[{i}].bidId"),
                "duplicate",
                "Penawaran dinilai dua kali.",
                "A bid is judged twice.",
            ));
        }
        if p.evaluation == "quality_cost"
            && j.administrative
            && j.technical
            && !j.technical_score.is_some_and(|s| (0..=100).contains(&s))
        {
            errors.push(FieldError::new(
                format!("judgements[{i}].technicalScore"),
                "range",
                "Nilai teknis 0 sampai 100 wajib untuk evaluasi kualitas dan biaya.",
                "A technical score of 0 to 100 is required with quality and cost.",
            ));
        }
        if !(j.administrative && j.technical)
            && j.reason.as_deref().is_none_or(|r| r.trim().is_empty())
        {
            errors.push(FieldError::new(
                format!("judgements[{i}].reason"),
                "required",
                "Tuliskan alasan penawaran gugur.",
                "Give the reason the bid fails.",
            ));
        }
        if let Some(r) = &j.reason {
            let _ = text(
                &mut errors,
                &format!("judgements[{i}].reason"),
                r,
                2000,
                false,
            );
        }
    }
    for b in &bids {
        if !judged.iter().any(|j| j.bid_id == b.id) {
            errors.push(FieldError::new(
                "judgements",
                "missing",
                format!(
                    "Nilai setiap penawaran yang dibuka: penawaran #{} belum dinilai.",
                    b.id
                ),
                format!("Judge every opened bid: bid #{} is missing.", b.id),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let pairs: Vec<(i32, i64)> = bids
        .iter()
        .map(|b| (b.id, b.price_sen.unwrap_or(i64::MAX)))
        .collect();
    let weight = (p.evaluation == "quality_cost").then_some(p.quality_weight);
    let results = rank(&pairs, judged, p.hps_sen, weight);
    for r in &results {
        bid::Entity::update_many()
            .col_expr(bid::Column::AdminOk, Expr::value(r.admin_ok))
            .col_expr(bid::Column::TechOk, Expr::value(r.tech_ok))
            .col_expr(bid::Column::TechScore, Expr::value(r.tech_score))
            .col_expr(bid::Column::Reason, Expr::value(r.reason.clone()))
            .col_expr(
                bid::Column::Score,
                Expr::value(r.score.map(|s| s.to_string())),
            )
            .col_expr(bid::Column::Rank, Expr::value(r.rank))
            .filter(bid::Column::Id.eq(r.bid_id))
            .exec(txn)
            .await
            .db()?;
    }
    Ok(results)
}

/// The Pokja's evaluation of every opened bid; proposes the winner.
pub async fn evaluate(
    state: &AppState,
    user: &CurrentUser,
    procedure_id: i32,
    judged: Vec<Judgement>,
) -> AppResult<procedure::Model> {
    require_pokja(&state.db, user, procedure_id).await?;
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, state.now()).await?;
    let p = get_procedure(&txn, procedure_id).await?;
    require_state(
        &p,
        &["opened"],
        "Evaluasi dilakukan setelah pembukaan penawaran",
        "Evaluation comes after the opening",
    )?;
    let results = record(&txn, &p, &judged).await?;
    let bids = opened_bids(&txn, p.id).await?;
    let Some(winner) = results.iter().find(|r| r.rank == Some(1)) else {
        return Err(AppError::conflict(
            "Tidak ada penawaran yang memenuhi syarat: nyatakan pemilihan gagal.",
            "No bid is compliant: declare the procedure unsuccessful.",
        ));
    };
    if bids.len() < p.min_bids as usize {
        return Err(AppError::conflict(
            format!(
                "Hanya {} penawaran dibuka (minimum {}): nyatakan pemilihan gagal.",
                bids.len(),
                p.min_bids
            ),
            format!(
                "Only {} bids were opened (minimum {}): declare the procedure unsuccessful.",
                bids.len(),
                p.min_bids
            ),
        ));
    }
    let now = state.now();
    let record: Vec<_> = results
        .iter()
        .map(|r| {
            json!({
                "bid": r.bid_id.to_string(),
                "price": mufakat_module_procurement::service::from_sen(r.price_sen).to_string(),
                "administrative": r.admin_ok,
                "technical": r.tech_ok,
                "technical_score": r.tech_score,
                "score": r.score.map(|s| s.to_string()),
                "rank": r.rank,
                "reason": r.reason,
            })
        })
        .collect();
    let mut input = Map::new();
    input.insert("winner".into(), json!(winner.bid_id.to_string()));
    input.insert(
        "results".into(),
        json!(serde_json::to_string(&record).unwrap_or_default()),
    );
    let fired = fire(
        state,
        &txn,
        &mut chain,
        user,
        p.instance_id,
        "evaluate",
        input,
        None,
    )
    .await?;
    let w = winner.bid_id;
    set_state(&txn, &p, &fired.case.state, now, |u| {
        u.col_expr(procedure::Column::WinnerBidId, Expr::value(w))
    })
    .await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    get_procedure(&state.db, procedure_id).await
}

/// Announces the winner; the objection period runs `objection_days` and ends on a working day.
pub async fn announce_award(
    state: &AppState,
    user: &CurrentUser,
    procedure_id: i32,
) -> AppResult<procedure::Model> {
    announce_award_until(state, user, procedure_id, None).await
}

/// [`announce_award`]; the demo (and only it) gives the objection period's end.
pub(crate) async fn announce_award_until(
    state: &AppState,
    user: &CurrentUser,
    procedure_id: i32,
    until: Option<chrono::DateTime<Utc>>,
) -> AppResult<procedure::Model> {
    require_pokja(&state.db, user, procedure_id).await?;
    let rt = runtime::get(state)?;
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, state.now()).await?;
    let p = get_procedure(&txn, procedure_id).await?;
    require_state(
        &p,
        &["evaluated"],
        "Pemenang diumumkan setelah evaluasi",
        "The winner is announced after the evaluation",
    )?;
    let now = chain.now;
    let ends = until.unwrap_or_else(|| period_end(now, rt.settings.of(&p.method).objection_days));
    let fired = fire(
        state,
        &txn,
        &mut chain,
        user,
        p.instance_id,
        "announce_award",
        super::one("objection_ends", ends.to_rfc3339()),
        None,
    )
    .await?;
    set_state(&txn, &p, &fired.case.state, now, |u| {
        u.col_expr(procedure::Column::AwardAt, Expr::value(now))
            .col_expr(procedure::Column::ObjectionEnds, Expr::value(ends))
    })
    .await?;
    let award = super::publish::award_of(&txn, &p, "pending", now).await?;
    let bids = super::publish::bids_of(&txn, &p).await?;
    super::publish::publish(state, &txn, p.package_id, |pr, seq| {
        crate::ocds::award_release(pr, seq, now, &award, &bids, false)
    })
    .await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    get_procedure(&state.db, procedure_id).await
}

/// Back to evaluation (an objection upheld, or an error found): the results are cleared.
pub async fn reevaluate_in(
    state: &AppState,
    txn: &mufakat_kernel::audit_log::WriteTxn,
    chain: &mut mufakat_kernel::audit_log::Chain,
    user: &CurrentUser,
    p: &procedure::Model,
    reason: String,
) -> AppResult<()> {
    let now = chain.now;
    if p.award_at.is_some() {
        // The announced award is withdrawn.
        let award = super::publish::award_of(txn, p, "cancelled", now).await?;
        super::publish::publish(state, txn, p.package_id, |pr, seq| {
            crate::ocds::award_release(pr, seq, now, &award, &[], true)
        })
        .await?;
    }
    let fired = fire(
        state,
        txn,
        chain,
        user,
        p.instance_id,
        "reevaluate",
        Map::new(),
        Some(reason),
    )
    .await?;
    bid::Entity::update_many()
        .col_expr(bid::Column::AdminOk, Expr::value(Option::<bool>::None))
        .col_expr(bid::Column::TechOk, Expr::value(Option::<bool>::None))
        .col_expr(bid::Column::TechScore, Expr::value(Option::<i32>::None))
        .col_expr(bid::Column::Reason, Expr::value(Option::<String>::None))
        .col_expr(bid::Column::Score, Expr::value(Option::<String>::None))
        .col_expr(bid::Column::Rank, Expr::value(Option::<i32>::None))
        .filter(bid::Column::ProcedureId.eq(p.id))
        .filter(bid::Column::Status.eq("opened"))
        .exec(txn)
        .await
        .db()?;
    set_state(txn, p, &fired.case.state, now, |u| {
        u.col_expr(
            procedure::Column::WinnerBidId,
            Expr::value(Option::<i32>::None),
        )
        .col_expr(
            procedure::Column::AwardAt,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
        .col_expr(
            procedure::Column::ObjectionEnds,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
    })
    .await
}

/// The Pokja takes the evaluation back (before the SPPBJ), with the reason.
pub async fn reevaluate(
    state: &AppState,
    user: &CurrentUser,
    procedure_id: i32,
    reason: &str,
) -> AppResult<procedure::Model> {
    require_pokja(&state.db, user, procedure_id).await?;
    let mut errors = vec![];
    let reason = text(&mut errors, "reason", reason, 2000, true);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, state.now()).await?;
    let p = get_procedure(&txn, procedure_id).await?;
    require_state(
        &p,
        &["evaluated", "award_announced", "objection_closed"],
        "Evaluasi ulang sebelum SPPBJ",
        "Re-evaluation is before the SPPBJ",
    )?;
    reevaluate_in(state, &txn, &mut chain, user, &p, reason).await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    get_procedure(&state.db, procedure_id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn j(id: i32, ok: bool, score: Option<i32>) -> Judgement {
        Judgement {
            bid_id: id,
            administrative: ok,
            technical: ok,
            technical_score: score,
            reason: (!ok).then(|| "gugur".into()),
        }
    }

    #[test]
    fn the_lowest_compliant_price_wins_and_a_price_above_the_hps_fails() {
        let bids = [(1, 900), (2, 950), (3, 800), (4, 1_100)];
        let r = rank(
            &bids,
            &[
                j(1, true, None),
                j(2, true, None),
                j(3, false, None),
                j(4, true, None),
            ],
            1_000,
            None,
        );
        let by = |id| r.iter().find(|x| x.bid_id == id).unwrap();
        assert_eq!(by(1).rank, Some(1));
        assert_eq!(by(2).rank, Some(2));
        assert_eq!(by(3).rank, None);
        assert_eq!(by(3).reason.as_deref(), Some("gugur"));
        assert_eq!(
            by(4).reason.as_deref(),
            Some("Harga penawaran melebihi HPS.")
        );
    }

    #[test]
    fn quality_and_cost_weighs_the_technical_score() {
        // w = 70: bid 1 = 0.7·90 + 0.3·100 = 93; bid 2 = 0.7·70 + 0.3·100·800/1000 = 73.
        let bids = [(1, 800), (2, 1_000)];
        let r = rank(
            &bids,
            &[j(1, true, Some(90)), j(2, true, Some(70))],
            2_000,
            Some(70),
        );
        assert_eq!(r[0].score, Some(Decimal::from(93)));
        assert_eq!(r[1].score, Some(Decimal::from(73)));
        assert_eq!(r[0].rank, Some(1));
        // A better technical offer can beat a lower price.
        let r = rank(
            &[(1, 800), (2, 900)],
            &[j(1, true, Some(50)), j(2, true, Some(95))],
            2_000,
            Some(70),
        );
        assert_eq!(r[1].rank, Some(1));
    }
}
