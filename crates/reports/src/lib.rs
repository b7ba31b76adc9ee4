//! Mufakat PDF reports.
//!
//! A pure crate: no database, no HTTP. The caller fetches the data, fills one of the plain
//! input structs and gets PDF bytes back. Two layers:
//!
//! - [`layout`]: A4 pages with a header (logo box, region, title) and a `Halaman x dari y`
//!   footer on every page, word-wrapped paragraphs, headings, key-value blocks, tables that
//!   split across pages and repeat their header row, vector bar charts and signature blocks.
//! - the reports built on it: [`berita_acara()`], [`priority_list()`], [`allocation()`],
//!   [`audit_trail()`], and the e-audit documents [`audit_report()`] (LHP) and
//!   [`followup_matrix()`], and the competitive-procedure documents in [`tender`]
//!   (announcement, bid opening, evaluation, award, objection answer, SPPBJ), and the
//!   monitoring-and-evaluation documents in [`monev`]: an OPD's [`quarterly_report()`] and an
//!   activity's [`progress_sheet()`], each with its S-curve.
//!
//! Labels are Bahasa Indonesia by default and English with [`Lang::En`]. Money is always
//! printed with [`mufakat_core::Money::to_rupiah`]; no money passes through `f64`.
//! Output is deterministic for the same input (including its `generated_at`).

pub mod audit;
pub mod berita_acara;
pub mod eaudit;
pub mod fonts;
pub mod format;
pub mod layout;
pub mod monev;
mod monev_chart;
pub mod priority;
pub mod procurement;
pub mod samples;
pub mod service_levels;
pub mod tender;
mod tender_tables;

pub use audit::{
    audit_trail, AuditEventRow, AuditScope, AuditTrailReport, CheckpointInfo, VerificationResult,
};
pub use berita_acara::{berita_acara, BeritaAcara, MusrenbangLevel};
pub use eaudit::{
    audit_report, followup_matrix, followup_rate, AuditReport, FollowUpMatrix, FollowUpState,
    MatrixRow, ReportFinding, ReportRecommendation, TeamMember,
};
pub use fonts::Font;
pub use layout::{
    Align, Bar, BarChart, Column, DocInfo, Letterhead, Logo, Orientation, PageSetup, Report, Rgb,
    Signatory, SignatureBlock, Table,
};
pub use monev::{
    progress_sheet, quarterly_report, ActivitySummary, CurvePoint, FlagRow, IndicatorRow, PhotoRow,
    ProgressSheet, QuarterlyReport, ReportRow, ReportingRates,
};
pub use mufakat_core::{Lang, Money};
pub use priority::{
    allocation, priority_list, rule_title, AllocationReport, AllocationRow, ChartMetric,
    PriorityList, PriorityRow, RuleInfo,
};
pub use procurement::{handover, purchase_order, Handover, HandoverLine, Party, PurchaseOrder};
pub use service_levels::{service_levels, ServiceLevelLine, ServiceLevelReport};
pub use tender::{
    award_announcement, evaluation_report, objection_answer, opening_record, sppbj,
    tender_announcement, AwardAnnouncement, AwardBidder, EvaluatedBid, EvaluationMethod,
    EvaluationReport, ObjectionAnswer, OpenedBid, OpeningRecord, PokjaMember, ProposedWinner,
    Sppbj, TenderAnnouncement, TenderHead, VendorDetails,
};

/// Why a report could not be produced.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReportError {
    #[error("table row {row} has {got} cells, expected {expected}")]
    RowWidth {
        row: usize,
        got: usize,
        expected: usize,
    },
    #[error("invalid report input: {0}")]
    Invalid(String),
    #[error("PDF generation failed: {0}")]
    Pdf(String),
}
