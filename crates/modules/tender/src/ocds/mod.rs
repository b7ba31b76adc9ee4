//! OCDS 1.1.5 (Open Contracting Data Standard) for competitive procedures, pure: the release of
//! each stage of a contracting process (one `ocid` per package) built from plain inputs, the
//! compiled release of a record by the standard's merge rules, and the release and record
//! packages. Bids follow the bids extension (`bids.statistics`, `bids.details`), published only
//! from the opening on. Nothing here touches the database; `service::publish` stores each
//! release once, when its stage happens, and never changes it.
//!
//! Amounts are JSON numbers (OCDS `Value.amount`), written from the exact `Decimal`: every
//! amount of 15 significant digits or fewer (up to Rp 9,999,999,999,999.99) prints back to the
//! same digits; larger ones are rounded to whole Rupiah.

pub mod compile;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

pub use compile::{compile, merge};

/// The OCDS version a package declares.
pub const VERSION: &str = "1.1";

/// An OCDS `Value` in Rupiah.
pub fn value(d: Decimal) -> Value {
    json!({ "amount": amount(d), "currency": "IDR" })
}

/// A `Decimal` as a JSON number with the same digits (see the module's note).
pub fn amount(d: Decimal) -> Value {
    let n = d.normalize();
    if n.scale() == 0 {
        if let Ok(i) = i64::try_from(n) {
            return Value::Number(i.into());
        }
    }
    let f: f64 = n.to_string().parse().unwrap_or(0.0);
    let back: Option<Decimal> = serde_json::Number::from_f64(f)
        .map(|x| x.to_string())
        .and_then(|s| s.parse().ok());
    let f = if back == Some(n) {
        f
    } else {
        n.round().to_string().parse().unwrap_or(0.0)
    };
    serde_json::Number::from_f64(f)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

fn date(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn day(d: NaiveDate) -> String {
    format!("{d}T00:00:00+07:00")
}

/// A party (organisation) of a process.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Party {
    pub id: String,
    pub name: String,
    pub roles: Vec<&'static str>,
    /// (scheme, id), e.g. `("ID-NIB", "1234567890123")`.
    pub identifier: Option<(String, String)>,
    pub address: Option<String>,
}

impl Party {
    fn json(&self) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id));
        m.insert("name".into(), json!(self.name));
        m.insert("roles".into(), json!(self.roles));
        if let Some((scheme, id)) = &self.identifier {
            m.insert(
                "identifier".into(),
                json!({ "scheme": scheme, "id": id, "legalName": self.name }),
            );
        }
        if let Some(a) = &self.address {
            m.insert(
                "address".into(),
                json!({ "streetAddress": a, "countryName": "Indonesia" }),
            );
        }
        Value::Object(m)
    }

    fn reference(&self) -> Value {
        json!({ "id": self.id, "name": self.name })
    }
}

/// What every release of one process shares.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Process {
    pub ocid: String,
    pub buyer: Party,
}

/// The plan line the process buys for (the budget), and the musrenbang proposal behind it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Planning {
    pub line_id: i32,
    pub title: String,
    pub year: i32,
    pub budget: Decimal,
    pub proposal_id: Option<i32>,
    pub package_name: String,
    pub package_pagu: Decimal,
}

/// A procedure as announced.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Tender {
    pub id: String,
    pub title: String,
    /// `mini_competition` or `tender`.
    pub method: String,
    /// The package's kind: `goods`, `construction`, `consultancy`, `other_services`.
    pub kind: String,
    pub hps: Decimal,
    /// `lowest_price` or `quality_cost`.
    pub evaluation: String,
    pub description: String,
    pub eligibility: String,
    pub announced_at: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    pub procuring_entity: Party,
    /// A mini-competition's invited vendors.
    pub invited: Vec<Party>,
}

/// The OCDS release skeleton.
fn release(
    p: &Process,
    seq: u32,
    at: DateTime<Utc>,
    tags: &[&str],
    parties: Vec<Value>,
) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("ocid".into(), json!(p.ocid));
    m.insert("id".into(), json!(release_id(&p.ocid, seq)));
    m.insert("date".into(), json!(date(at)));
    m.insert("tag".into(), json!(tags));
    m.insert("initiationType".into(), json!("tender"));
    m.insert("language".into(), json!("id"));
    m.insert("buyer".into(), p.buyer.reference());
    let mut all = vec![p.buyer.json()];
    all.extend(parties);
    m.insert("parties".into(), Value::Array(all));
    m
}

pub fn release_id(ocid: &str, seq: u32) -> String {
    format!("{ocid}-{seq:04}")
}

fn category(kind: &str) -> &'static str {
    match kind {
        "construction" => "works",
        "goods" => "goods",
        _ => "services",
    }
}

/// The first release: planning (the budget) and the tender as announced.
pub fn tender_release(p: &Process, seq: u32, planning: &Planning, t: &Tender) -> Value {
    let mut parties = vec![t.procuring_entity.json()];
    parties.extend(t.invited.iter().map(Party::json));
    let mut r = release(p, seq, t.announced_at, &["planning", "tender"], parties);
    let mut budget = json!({
        "id": format!("line-{}", planning.line_id),
        "description": planning.title,
        "amount": value(planning.budget),
    });
    if let Some(pid) = planning.proposal_id {
        budget["project"] = json!(format!("Usulan musrenbang #{pid}"));
        budget["projectID"] = json!(format!("proposal-{pid}"));
    }
    r.insert(
        "planning".into(),
        json!({
            "rationale": format!("Paket \"{}\" (pagu {}), rencana tahun {}", planning.package_name, planning.package_pagu.normalize(), planning.year),
            "budget": budget,
        }),
    );
    let (method, details) = if t.method == "mini_competition" {
        ("selective", "Mini-kompetisi")
    } else {
        ("open", "Tender")
    };
    let mut tender = json!({
        "id": t.id,
        "title": t.title,
        "description": t.description,
        "status": "active",
        "procuringEntity": t.procuring_entity.reference(),
        "value": value(t.hps),
        "procurementMethod": method,
        "procurementMethodDetails": details,
        "mainProcurementCategory": category(&t.kind),
        "awardCriteria": if t.evaluation == "quality_cost" { "ratedCriteria" } else { "priceOnly" },
        "awardCriteriaDetails": if t.evaluation == "quality_cost" { "Kualitas dan biaya" } else { "Harga terendah" },
        "submissionMethod": ["electronicSubmission"],
        "submissionMethodDetails": "Penawaran tersegel (age X25519) dengan kunci publik pemilihan",
        "eligibilityCriteria": t.eligibility,
        "tenderPeriod": { "startDate": date(t.announced_at), "endDate": date(t.deadline) },
        "enquiryPeriod": { "startDate": date(t.announced_at), "endDate": date(t.deadline) },
        "hasEnquiries": false,
    });
    if !t.invited.is_empty() {
        tender["tenderers"] = Value::Array(t.invited.iter().map(Party::reference).collect());
    }
    r.insert("tender".into(), tender);
    Value::Object(r)
}

/// An amendment of the tender documents (and its deadline).
pub fn amendment_release(
    p: &Process,
    seq: u32,
    at: DateTime<Utc>,
    tender_id: &str,
    number: u32,
    deadline: DateTime<Utc>,
    rationale: &str,
    enquiry: bool,
) -> Value {
    let mut r = release(p, seq, at, &["tenderAmendment"], vec![]);
    let mut tender = json!({
        "id": tender_id,
        "tenderPeriod": { "endDate": date(deadline) },
        "amendments": [{ "id": format!("{tender_id}-amendment-{number}"), "date": date(at), "rationale": rationale }],
    });
    if enquiry {
        tender["hasEnquiries"] = json!(true);
    }
    r.insert("tender".into(), tender);
    Value::Object(r)
}

/// A bid as the opening found it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Bid {
    pub id: String,
    pub tenderer: Party,
    pub submitted_at: DateTime<Utc>,
    /// `None`: it could not be opened.
    pub price: Option<Decimal>,
    /// Bids extension status: `valid`, `disqualified` (also an unreadable bid), `withdrawn`.
    pub status: &'static str,
}

fn bids_json(bids: &[Bid]) -> Value {
    let valid = bids.iter().filter(|b| b.status == "valid").count();
    let details: Vec<Value> = bids
        .iter()
        .map(|b| {
            let mut d = json!({
                "id": b.id,
                "date": date(b.submitted_at),
                "status": b.status,
                "tenderers": [b.tenderer.reference()],
            });
            if let Some(v) = b.price {
                d["value"] = value(v);
            }
            d
        })
        .collect();
    json!({
        "statistics": [
            { "id": "bids", "measure": "bids", "value": bids.len() },
            { "id": "validBids", "measure": "validBids", "value": valid },
        ],
        "details": details,
    })
}

/// The opening: who bid, at what price.
pub fn opening_release(
    p: &Process,
    seq: u32,
    at: DateTime<Utc>,
    tender_id: &str,
    bids: &[Bid],
) -> Value {
    let mut parties: Vec<Party> = vec![];
    for b in bids {
        if !parties.iter().any(|x| x.id == b.tenderer.id) {
            let mut t = b.tenderer.clone();
            t.roles = vec!["tenderer"];
            parties.push(t);
        }
    }
    let mut r = release(
        p,
        seq,
        at,
        &["tenderUpdate"],
        parties.iter().map(Party::json).collect(),
    );
    r.insert(
        "tender".into(),
        json!({
            "id": tender_id,
            "status": "active",
            "numberOfTenderers": parties.len(),
            "tenderers": parties.iter().map(Party::reference).collect::<Vec<_>>(),
        }),
    );
    r.insert("bids".into(), bids_json(bids));
    Value::Object(r)
}

/// The evaluation's outcome per bid (after the award announcement, with the award).
pub fn evaluated_bids(bids: &[Bid]) -> Value {
    bids_json(bids)
}

/// A tender cancelled or unsuccessful.
pub fn tender_status_release(
    p: &Process,
    seq: u32,
    at: DateTime<Utc>,
    tender_id: &str,
    status: &str,
    rationale: &str,
) -> Value {
    let mut r = release(p, seq, at, &["tenderUpdate"], vec![]);
    r.insert(
        "tender".into(),
        json!({ "id": tender_id, "status": status, "statusDetails": rationale }),
    );
    Value::Object(r)
}

/// The award as announced (`pending` during the objection period) or confirmed by the SPPBJ
/// (`active`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Award {
    pub id: String,
    pub tender_id: String,
    pub title: String,
    pub status: &'static str,
    pub date: DateTime<Utc>,
    pub value: Decimal,
    pub supplier: Party,
}

/// The tender is `complete` once the award is confirmed (`active`), `active` while it is
/// pending or after it was withdrawn.
pub fn award_release(
    p: &Process,
    seq: u32,
    at: DateTime<Utc>,
    a: &Award,
    bids: &[Bid],
    update: bool,
) -> Value {
    let mut s = a.supplier.clone();
    s.roles = vec!["tenderer", "supplier"];
    let mut r = release(
        p,
        seq,
        at,
        &[if update { "awardUpdate" } else { "award" }],
        vec![s.json()],
    );
    r.insert(
        "awards".into(),
        json!([{
            "id": a.id,
            "title": a.title,
            "status": a.status,
            "date": date(a.date),
            "value": value(a.value),
            "suppliers": [a.supplier.reference()],
        }]),
    );
    r.insert(
        "tender".into(),
        json!({ "id": a.tender_id, "status": if a.status == "active" { "complete" } else { "active" } }),
    );
    if !bids.is_empty() {
        r.insert("bids".into(), bids_json(bids));
    }
    Value::Object(r)
}

/// A contract as signed, or as amended.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Contract {
    pub id: String,
    pub award_id: String,
    pub title: String,
    /// `active` or `terminated`.
    pub status: &'static str,
    pub value: Decimal,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub signed_at: DateTime<Utc>,
}

fn contract_json(c: &Contract) -> Value {
    json!({
        "id": c.id,
        "awardID": c.award_id,
        "title": c.title,
        "status": c.status,
        "value": value(c.value),
        "period": { "startDate": day(c.starts_on), "endDate": day(c.ends_on) },
        "dateSigned": date(c.signed_at),
    })
}

pub fn contract_release(p: &Process, seq: u32, at: DateTime<Utc>, c: &Contract) -> Value {
    let mut r = release(p, seq, at, &["contract"], vec![]);
    r.insert("contracts".into(), json!([contract_json(c)]));
    Value::Object(r)
}

pub fn contract_amendment_release(
    p: &Process,
    seq: u32,
    at: DateTime<Utc>,
    c: &Contract,
    number: i32,
    rationale: &str,
) -> Value {
    let mut r = release(p, seq, at, &["contractAmendment"], vec![]);
    let mut cj = contract_json(c);
    cj["amendments"] = json!([{ "id": format!("{}-adendum-{number}", c.id), "date": date(at), "rationale": rationale }]);
    r.insert("contracts".into(), json!([cj]));
    Value::Object(r)
}

/// The contract ended: paid in full (with the payment as a transaction) or terminated.
pub fn implementation_release(
    p: &Process,
    seq: u32,
    at: DateTime<Utc>,
    c: &Contract,
    payment: Option<(Decimal, &Party)>,
    rationale: Option<&str>,
) -> Value {
    let mut r = release(p, seq, at, &["implementation"], vec![]);
    let mut cj = json!({ "id": c.id, "awardID": c.award_id, "status": "terminated" });
    if let Some((paid, payee)) = payment {
        cj["implementation"] = json!({ "transactions": [{
            "id": format!("{}-payment-1", c.id),
            "source": "https://ocds.mufakat.id/funding/apbd",
            "date": date(at),
            "value": value(paid),
            "payee": payee.reference(),
            "payer": p.buyer.reference(),
        }] });
    }
    if let Some(why) = rationale {
        cj["description"] = json!(format!("Kontrak diputus: {why}"));
    }
    r.insert("contracts".into(), json!([cj]));
    Value::Object(r)
}

/// Who publishes.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Publisher {
    pub name: String,
    pub uri: String,
}

fn publisher_json(p: &Publisher) -> Value {
    json!({ "name": p.name, "uri": p.uri })
}

/// A release package of `releases`.
pub fn release_package(
    releases: Vec<Value>,
    publisher: &Publisher,
    published: DateTime<Utc>,
    uri: &str,
) -> Value {
    json!({
        "uri": uri,
        "version": VERSION,
        "publishedDate": date(published),
        "publisher": publisher_json(publisher),
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "publicationPolicy": format!("{}/docs/procurement.md", publisher.uri),
        "releases": releases,
    })
}

/// A record: the process's releases (embedded) and their compiled release.
pub fn record(ocid: &str, releases: Vec<Value>) -> Value {
    let compiled = compile(&releases);
    json!({ "ocid": ocid, "releases": releases, "compiledRelease": compiled })
}

pub fn record_package(
    records: Vec<Value>,
    publisher: &Publisher,
    published: DateTime<Utc>,
    uri: &str,
) -> Value {
    json!({
        "uri": uri,
        "version": VERSION,
        "publishedDate": date(published),
        "publisher": publisher_json(publisher),
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "publicationPolicy": format!("{}/docs/procurement.md", publisher.uri),
        "records": records,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_keep_their_digits() {
        for s in ["411111111.33", "0.01", "9999999999999.99", "500000000"] {
            let d: Decimal = s.parse().unwrap();
            assert_eq!(amount(d).to_string(), s);
        }
    }
}
