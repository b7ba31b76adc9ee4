//! The fields of an OCDS 1.1.5 compiled release the red flags read, pulled out of the JSON
//! once. Anything missing or of the wrong JSON type is `None` (or left out of a list), never an
//! error: an indicator that lacks its inputs simply does not fire.
//!
//! Amounts are JSON numbers; each is read through its decimal text (`serde_json` prints the
//! shortest text that reads back to the same number) into a `Decimal`, never computed on as
//! `f64`. Organisation ids may be strings or numbers (Cardinal's `prepare` turns numbers into
//! strings); an organisation reference without an id is left out. A single object where an
//! array is expected (`tenderers`, `suppliers`) is read as an array of one, as Cardinal's
//! `prepare` normalises it.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::{Map, Value};

/// An amount with its currency (both required, as Cardinal requires them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Money {
    pub amount: Decimal,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bid {
    pub id: Option<String>,
    pub status: Option<String>,
    pub date: Option<String>,
    pub value: Option<Money>,
    /// The ids of the tenderers that have one.
    pub tenderers: Vec<String>,
    /// The number of tenderer references, with or without an id.
    pub tenderer_refs: usize,
}

impl Bid {
    /// Cardinal's "submitted": pending, valid or disqualified; not invited or withdrawn. A bid
    /// without a status is not counted.
    pub fn is_submitted(&self) -> bool {
        matches!(self.status.as_deref(), Some(s) if s != "invited" && s != "withdrawn")
    }

    pub fn has_status(&self, status: &str) -> bool {
        self.status.as_deref() == Some(status)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    pub id: Option<String>,
    pub classification: Option<String>,
    pub unit_value: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Award {
    pub id: Option<String>,
    pub status: Option<String>,
    pub date: Option<String>,
    pub value: Option<Money>,
    pub suppliers: Vec<String>,
    pub supplier_refs: usize,
    pub items: Vec<Item>,
}

impl Award {
    pub fn has_status(&self, status: &str) -> bool {
        self.status.as_deref() == Some(status)
    }
}

/// One contracting process (compiled release).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Process {
    pub ocid: String,
    pub tender_status: Option<String>,
    pub procurement_method: Option<String>,
    pub procurement_method_details: Option<String>,
    pub main_procurement_category: Option<String>,
    pub number_of_tenderers: Option<u64>,
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    pub buyer: Option<String>,
    pub procuring_entity: Option<String>,
    /// `None` when `/awards` is not an array.
    pub awards: Option<Vec<Award>>,
    /// `None` when `/bids/details` is not an array.
    pub bids: Option<Vec<Bid>>,
}

fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_owned)
}

fn id_of(v: &Value) -> Option<String> {
    match v.get("id")? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A JSON number as an exact `Decimal` (via its text; `1e21`-style text through the
/// scientific parser).
pub(crate) fn decimal(v: &Value) -> Option<Decimal> {
    let Value::Number(n) = v else { return None };
    let s = n.to_string();
    Decimal::from_str(&s)
        .or_else(|_| Decimal::from_scientific(&s))
        .ok()
        .map(|d| d.normalize())
}

fn money(v: Option<&Value>) -> Option<Money> {
    let v = v?.as_object()?;
    Some(Money {
        amount: decimal(v.get("amount")?)?,
        currency: v.get("currency")?.as_str()?.to_owned(),
    })
}

/// The ids of an array of organisation references (or of a single one), and how many
/// references there are.
fn references(v: Option<&Value>) -> (Vec<String>, usize) {
    match v {
        Some(Value::Array(a)) => (a.iter().filter_map(id_of).collect(), a.len()),
        Some(o @ Value::Object(_)) => (id_of(o).into_iter().collect(), 1),
        _ => (vec![], 0),
    }
}

fn bid(v: &Value) -> Bid {
    let (tenderers, tenderer_refs) = references(v.get("tenderers"));
    Bid {
        id: id_of(v),
        status: text(v.get("status")),
        date: text(v.get("date")),
        value: money(v.get("value")),
        tenderers,
        tenderer_refs,
    }
}

fn item(v: &Value) -> Item {
    Item {
        id: id_of(v),
        classification: v.get("classification").and_then(id_of),
        unit_value: v.get("unit").and_then(|u| money(u.get("value"))),
    }
}

fn award(v: &Value) -> Award {
    let (suppliers, supplier_refs) = references(v.get("suppliers"));
    Award {
        id: id_of(v),
        status: text(v.get("status")),
        date: text(v.get("date")),
        value: money(v.get("value")),
        suppliers,
        supplier_refs,
        items: v
            .get("items")
            .and_then(Value::as_array)
            .map(|a| a.iter().map(item).collect())
            .unwrap_or_default(),
    }
}

/// Reads a compiled release; `None` unless it is an object with a string `ocid` (Cardinal's
/// first global exclusion).
pub(crate) fn read(release: &Value) -> Option<Process> {
    let r: &Map<String, Value> = release.as_object()?;
    let ocid = r.get("ocid")?.as_str()?.to_owned();
    let empty = Map::new();
    let tender = r.get("tender").and_then(Value::as_object).unwrap_or(&empty);
    let period = tender
        .get("tenderPeriod")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    Some(Process {
        ocid,
        tender_status: text(tender.get("status")),
        procurement_method: text(tender.get("procurementMethod")),
        procurement_method_details: text(tender.get("procurementMethodDetails")),
        main_procurement_category: text(tender.get("mainProcurementCategory")),
        number_of_tenderers: tender.get("numberOfTenderers").and_then(Value::as_u64),
        period_start: text(period.get("startDate")),
        period_end: text(period.get("endDate")),
        buyer: r.get("buyer").and_then(id_of),
        procuring_entity: tender.get("procuringEntity").and_then(id_of),
        awards: r
            .get("awards")
            .and_then(Value::as_array)
            .map(|a| a.iter().map(award).collect()),
        bids: r
            .get("bids")
            .and_then(|b| b.get("details"))
            .and_then(Value::as_array)
            .map(|a| a.iter().map(bid).collect()),
    })
}

impl Process {
    pub fn bids(&self) -> &[Bid] {
        self.bids.as_deref().unwrap_or(&[])
    }

    pub fn awards(&self) -> &[Award] {
        self.awards.as_deref().unwrap_or(&[])
    }

    /// Cardinal's condition for the award-based indicators: `/awards` and `/bids/details`
    /// are arrays and every award with a status is final. Returns the active awards; `None`
    /// if an award is pending or has a status outside the award status codelist (pending,
    /// active, cancelled, unsuccessful). Cancelled and unsuccessful awards are taken as
    /// earlier attempts and ignored; an award without a status is ignored too.
    pub fn final_awards(&self) -> Option<Vec<&Award>> {
        let awards = self.awards.as_ref()?;
        self.bids.as_ref()?;
        let mut active = vec![];
        for a in awards {
            match a.status.as_deref() {
                Some("active") => active.push(a),
                Some("cancelled") | Some("unsuccessful") | None => {}
                Some(_) => return None,
            }
        }
        Some(active)
    }

    /// Cardinal's single-winner case (R024, R025, R058): every award final, exactly one active
    /// award, made to exactly one supplier (with an id), and no valid bid submitted by more
    /// than one tenderer. Returns the award and its supplier's id.
    pub fn single_winner(&self) -> Option<(&Award, &str)> {
        let active = self.final_awards()?;
        let [award] = active.as_slice() else {
            return None;
        };
        if award.supplier_refs != 1 || award.suppliers.len() != 1 {
            return None;
        }
        if self
            .bids()
            .iter()
            .any(|b| b.has_status("valid") && b.tenderer_refs > 1)
        {
            return None;
        }
        Some((award, award.suppliers[0].as_str()))
    }
}
