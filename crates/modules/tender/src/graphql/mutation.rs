//! Procurement II's mutations.

use async_graphql::{Context, InputObject, Object, Result, ID};
use base64::Engine;
use chrono::{DateTime, NaiveDate, Utc};
use mufakat_core::AppError;
use mufakat_kernel::graphql::{parse_id, require_user, state};
use rust_decimal::Decimal;

use super::types::*;
use crate::service::{bids, clarification, contracts, evaluation, objections, procedures};

#[derive(InputObject)]
pub struct ProcedureInput {
    /// An announced package whose method is `mini_competition`, `tender` or `selection`.
    pub package_id: ID,
    /// Defaults to the package's name.
    #[graphql(default)]
    pub title: String,
    /// `lowest_price` or `quality_cost`.
    pub evaluation: String,
    /// With `quality_cost`: the technical score's weight, 1 to 99 percent.
    #[graphql(default)]
    pub quality_weight: i32,
    pub qualification: String,
    /// Documents and schedule (aanwijzing date, submission, opening, evaluation) in words.
    pub documents: String,
    pub bid_deadline: DateTime<Utc>,
    /// Further Pokja members (UKPBJ staff of the region); the announcer chairs it.
    #[graphql(default)]
    pub pokja: Vec<ID>,
    /// A mini-competition's invited catalogue vendors.
    #[graphql(default)]
    pub invited: Vec<ID>,
    /// The failed or cancelled procedure of the same package this one repeats.
    pub retender_of: Option<ID>,
}

#[derive(InputObject)]
pub struct BidDocumentInput {
    pub name: String,
    pub content_type: String,
    /// The file's bytes, base64.
    pub data: String,
}

#[derive(InputObject)]
pub struct JudgementInput {
    pub bid_id: ID,
    pub administrative: bool,
    pub technical: bool,
    /// 0 to 100, with `quality_cost`.
    pub technical_score: Option<i32>,
    /// Why the bid fails (required when it does).
    pub reason: Option<String>,
}

#[derive(InputObject)]
pub struct SigningInput {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub payment_terms: String,
}

fn ids(field: &str, v: &[ID]) -> Result<Vec<i32>> {
    Ok(v.iter()
        .map(|i| parse_id(field, i))
        .collect::<Result<Vec<_>, _>>()?)
}

fn judgements_of(v: Vec<JudgementInput>) -> Result<Vec<evaluation::Judgement>> {
    let mut js = vec![];
    for j in v {
        js.push(evaluation::Judgement {
            bid_id: parse_id("bidId", &j.bid_id)?,
            administrative: j.administrative,
            technical: j.technical,
            technical_score: j.technical_score,
            reason: j.reason,
        });
    }
    Ok(js)
}

fn b64(field: &str, s: &str) -> Result<Vec<u8>, AppError> {
    base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .map_err(|_| {
            AppError::validation(
                field,
                "format",
                "Isi berkas harus base64.",
                "The file's content must be base64.",
            )
        })
}

#[derive(Default)]
pub struct TenderMutation;

#[Object]
impl TenderMutation {
    /// Announces a mini-competition or tender (UKPBJ staff): its own key pair is made and its
    /// public key published.
    async fn create_procedure(
        &self,
        ctx: &Context<'_>,
        input: ProcedureInput,
    ) -> Result<Procedure> {
        let user = require_user(ctx)?;
        let n = procedures::NewProcedure {
            package_id: parse_id("packageId", &input.package_id)?,
            title: input.title,
            evaluation: input.evaluation,
            quality_weight: input.quality_weight,
            qualification: input.qualification,
            documents: input.documents,
            bid_deadline: input.bid_deadline,
            pokja: ids("pokja", &input.pokja)?,
            invited: ids("invited", &input.invited)?,
            retender_of: match &input.retender_of {
                Some(r) => Some(parse_id("retenderOf", r)?),
                None => None,
            },
        };
        Ok(Procedure(procedures::create(state(ctx), user, n).await?))
    }

    /// An amendment of the documents (Pokja), with its reason; a deadline nearer than the
    /// method's minimum after an amendment moves.
    async fn amend_procedure(
        &self,
        ctx: &Context<'_>,
        id: ID,
        documents: Option<String>,
        bid_deadline: Option<DateTime<Utc>>,
        reason: String,
    ) -> Result<Procedure> {
        let user = require_user(ctx)?;
        Ok(Procedure(
            procedures::amend(
                state(ctx),
                user,
                parse_id("id", &id)?,
                documents,
                bid_deadline,
                &reason,
            )
            .await?,
        ))
    }

    /// A question in the clarification (a vendor who may bid).
    async fn ask_question(
        &self,
        ctx: &Context<'_>,
        procedure_id: ID,
        question: String,
    ) -> Result<Question> {
        let user = require_user(ctx)?;
        Ok(Question(
            clarification::ask(
                state(ctx),
                user,
                parse_id("procedureId", &procedure_id)?,
                &question,
            )
            .await?,
        ))
    }

    /// The Pokja's answer, published to all; with `amendment`, the amended documents.
    async fn answer_question(
        &self,
        ctx: &Context<'_>,
        question_id: ID,
        answer: String,
        amendment: Option<String>,
        bid_deadline: Option<DateTime<Utc>>,
    ) -> Result<Question> {
        let user = require_user(ctx)?;
        Ok(Question(
            clarification::answer(
                state(ctx),
                user,
                parse_id("questionId", &question_id)?,
                &answer,
                amendment,
                bid_deadline,
            )
            .await?,
        ))
    }

    /// A bid sealed here: price, technical offer and documents are encrypted to the
    /// procedure's public key before anything is stored. Replaces the company's earlier bid.
    async fn submit_bid(
        &self,
        ctx: &Context<'_>,
        procedure_id: ID,
        price: Decimal,
        #[graphql(default)] technical: String,
        #[graphql(default)] documents: Vec<BidDocumentInput>,
    ) -> Result<BidReceipt> {
        let user = require_user(ctx)?;
        let mut docs = vec![];
        for (i, d) in documents.into_iter().enumerate() {
            docs.push(bids::PlainDocument {
                name: d.name,
                content_type: d.content_type,
                bytes: b64(&format!("documents[{i}].data"), &d.data)?,
            });
        }
        Ok(bids::submit_plain(
            state(ctx),
            user,
            parse_id("procedureId", &procedure_id)?,
            price,
            &technical,
            docs,
        )
        .await?
        .into())
    }

    /// A bid the vendor sealed (`mufakat bid seal`): the age file, base64. The server never
    /// sees its content before the opening.
    async fn submit_sealed_bid(
        &self,
        ctx: &Context<'_>,
        procedure_id: ID,
        sealed: String,
    ) -> Result<BidReceipt> {
        let user = require_user(ctx)?;
        let bytes = b64("sealed", &sealed)?;
        Ok(bids::submit_sealed(
            state(ctx),
            user,
            parse_id("procedureId", &procedure_id)?,
            bytes.into(),
        )
        .await?
        .into())
    }

    /// Withdraws the company's sealed bid before the deadline.
    async fn withdraw_bid(&self, ctx: &Context<'_>, bid_id: ID) -> Result<BidReceipt> {
        let user = require_user(ctx)?;
        let b = bids::withdraw(state(ctx), user, parse_id("bidId", &bid_id)?).await?;
        let p = crate::service::get_procedure(&state(ctx).db, b.procedure_id).await?;
        Ok(bids::Receipt {
            bid: b,
            procedure_number: p.number,
        }
        .into())
    }

    /// The Pokja's evaluation of every opened bid; the first-ranked is proposed as winner.
    async fn evaluate_bids(
        &self,
        ctx: &Context<'_>,
        procedure_id: ID,
        judgements: Vec<JudgementInput>,
    ) -> Result<Procedure> {
        let user = require_user(ctx)?;
        let mut js = vec![];
        for j in judgements {
            js.push(evaluation::Judgement {
                bid_id: parse_id("bidId", &j.bid_id)?,
                administrative: j.administrative,
                technical: j.technical,
                technical_score: j.technical_score,
                reason: j.reason,
            });
        }
        Ok(Procedure(
            evaluation::evaluate(
                state(ctx),
                user,
                parse_id("procedureId", &procedure_id)?,
                js,
            )
            .await?,
        ))
    }

    /// Announces the winner; the objection period starts.
    async fn announce_award(&self, ctx: &Context<'_>, procedure_id: ID) -> Result<Procedure> {
        let user = require_user(ctx)?;
        Ok(Procedure(
            evaluation::announce_award(state(ctx), user, parse_id("procedureId", &procedure_id)?)
                .await?,
        ))
    }

    /// Takes the evaluation back (Pokja, before the SPPBJ), with the reason.
    async fn reevaluate_procedure(
        &self,
        ctx: &Context<'_>,
        procedure_id: ID,
        reason: String,
    ) -> Result<Procedure> {
        let user = require_user(ctx)?;
        Ok(Procedure(
            evaluation::reevaluate(
                state(ctx),
                user,
                parse_id("procedureId", &procedure_id)?,
                &reason,
            )
            .await?,
        ))
    }

    /// Declares an opened procedure unsuccessful: too few bids, or none compliant — then give
    /// the `judgements` that disqualify every bid (recorded with the failure).
    async fn fail_procedure(
        &self,
        ctx: &Context<'_>,
        procedure_id: ID,
        reason: String,
        #[graphql(default)] judgements: Vec<JudgementInput>,
    ) -> Result<Procedure> {
        let user = require_user(ctx)?;
        let js = judgements_of(judgements)?;
        Ok(Procedure(
            procedures::fail(
                state(ctx),
                user,
                parse_id("procedureId", &procedure_id)?,
                &reason,
                js,
            )
            .await?,
        ))
    }

    /// Cancels a procedure (its Pokja or the package's PPK), with the reason.
    async fn cancel_procedure(
        &self,
        ctx: &Context<'_>,
        procedure_id: ID,
        reason: String,
    ) -> Result<Procedure> {
        let user = require_user(ctx)?;
        Ok(Procedure(
            procedures::cancel(
                state(ctx),
                user,
                parse_id("procedureId", &procedure_id)?,
                &reason,
            )
            .await?,
        ))
    }

    /// An objection (sanggah) of a losing bidder, during the objection period.
    async fn file_objection(
        &self,
        ctx: &Context<'_>,
        procedure_id: ID,
        text: String,
    ) -> Result<Objection> {
        let user = require_user(ctx)?;
        Ok(Objection(
            objections::file(
                state(ctx),
                user,
                parse_id("procedureId", &procedure_id)?,
                &text,
            )
            .await?,
        ))
    }

    /// An appeal (sanggah banding, construction) against a rejected objection, with the
    /// guarantee put down.
    async fn file_appeal(
        &self,
        ctx: &Context<'_>,
        objection_id: ID,
        text: String,
        guarantee: Decimal,
    ) -> Result<Objection> {
        let user = require_user(ctx)?;
        Ok(Objection(
            objections::appeal(
                state(ctx),
                user,
                parse_id("objectionId", &objection_id)?,
                &text,
                guarantee,
            )
            .await?,
        ))
    }

    /// The answer to an objection (its Pokja) or an appeal (a KPA of the region). Upheld, the
    /// procedure goes back to evaluation.
    async fn answer_objection(
        &self,
        ctx: &Context<'_>,
        objection_id: ID,
        uphold: bool,
        answer: String,
    ) -> Result<Objection> {
        let user = require_user(ctx)?;
        Ok(Objection(
            objections::answer(
                state(ctx),
                user,
                parse_id("objectionId", &objection_id)?,
                uphold,
                &answer,
            )
            .await?,
        ))
    }

    /// The letter of award (SPPBJ), by the package's PPK after the objection period.
    async fn issue_sppbj(&self, ctx: &Context<'_>, procedure_id: ID) -> Result<Procedure> {
        let user = require_user(ctx)?;
        Ok(Procedure(
            contracts::issue_sppbj(state(ctx), user, parse_id("procedureId", &procedure_id)?)
                .await?,
        ))
    }

    /// The package's PPK signs the contract with the winner at the winning price.
    async fn sign_contract(
        &self,
        ctx: &Context<'_>,
        procedure_id: ID,
        input: SigningInput,
    ) -> Result<Contract> {
        let user = require_user(ctx)?;
        let s = contracts::Signing {
            starts_on: input.starts_on,
            ends_on: input.ends_on,
            payment_terms: input.payment_terms,
        };
        Ok(Contract(
            contracts::sign(state(ctx), user, parse_id("procedureId", &procedure_id)?, s).await?,
        ))
    }

    /// An amendment (adendum) of a contract by its PPK: a new value (at most 110 % of the
    /// original, within the pagu) and end date, with the reason.
    async fn amend_contract(
        &self,
        ctx: &Context<'_>,
        contract_id: ID,
        value: Decimal,
        ends_on: NaiveDate,
        reason: String,
    ) -> Result<Contract> {
        let user = require_user(ctx)?;
        Ok(Contract(
            contracts::amend(
                state(ctx),
                user,
                parse_id("contractId", &contract_id)?,
                value,
                ends_on,
                &reason,
            )
            .await?,
        ))
    }

    /// Finance staff record the final payment: the contract and its package are complete.
    async fn complete_contract(
        &self,
        ctx: &Context<'_>,
        contract_id: ID,
        paid: Decimal,
    ) -> Result<Contract> {
        let user = require_user(ctx)?;
        Ok(Contract(
            contracts::complete(
                state(ctx),
                user,
                parse_id("contractId", &contract_id)?,
                paid,
            )
            .await?,
        ))
    }

    /// The PPK terminates a contract, with the reason; the package is bought again.
    async fn terminate_contract(
        &self,
        ctx: &Context<'_>,
        contract_id: ID,
        reason: String,
    ) -> Result<Contract> {
        let user = require_user(ctx)?;
        Ok(Contract(
            contracts::terminate(
                state(ctx),
                user,
                parse_id("contractId", &contract_id)?,
                &reason,
            )
            .await?,
        ))
    }
}
