//! Example inputs: used by the tests, the `report_bench` example and for previews. The data
//! are made up but shaped like a real kelurahan/kecamatan cycle; generation is deterministic.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use mufakat_core::Money;
use rust_decimal::Decimal;

use crate::audit::{
    AuditEventRow, AuditScope, AuditTrailReport, CheckpointInfo, VerificationResult,
};
use crate::berita_acara::{BeritaAcara, MusrenbangLevel};
use crate::eaudit::{
    AuditReport, FollowUpMatrix, FollowUpState, MatrixRow, ReportFinding, ReportRecommendation,
    TeamMember,
};
use crate::layout::Signatory;
use crate::monev::{
    ActivitySummary, CurvePoint, FlagRow, IndicatorRow, PhotoRow, ProgressSheet, QuarterlyReport,
    ReportRow, ReportingRates,
};
use crate::priority::{
    AllocationReport, AllocationRow, ChartMetric, PriorityList, PriorityRow, RuleInfo,
};

/// The fixed "now" of the samples.
pub fn generated_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 14, 8, 30, 0).unwrap()
}

const TITLES: [&str; 12] = [
    "Pembangunan jalan lingkungan (paving block)",
    "Rehabilitasi saluran drainase",
    "Pengadaan lampu penerangan jalan umum",
    "Pelatihan UMKM pengolahan pangan",
    "Posyandu: alat timbang dan pemeriksaan ibu hamil",
    "Pembangunan sumur resapan",
    "Perbaikan atap gedung PAUD",
    "Bank sampah dan komposter komunal",
    "Pelebaran gang dan tembok penahan tanah",
    "Taman bermain ramah anak",
    "Pelatihan kader Kampung Siaga Bencana",
    "Sambungan air bersih bagi warga kurang mampu",
];
const OPDS: [&str; 6] = ["DPUPR", "Dinas Kesehatan", "DKUKM", "DLH", "Disdik", "BPBD"];
const UNITS: [&str; 4] = ["m", "unit", "paket", "titik"];

/// A deterministic pseudo-random sequence (no `rand` dependency).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

/// `n` ranked proposals with costs between Rp 25 juta and Rp 500 juta.
pub fn priority_rows(n: usize) -> Vec<PriorityRow> {
    let mut g = Lcg(7);
    let mut rows: Vec<PriorityRow> = (0..n)
        .map(|i| {
            let cost_thousands = 25_000 + g.next() % 475_000; // in thousands of Rupiah
            let votes = 20 + g.next() % 400;
            PriorityRow {
                rank: 0,
                title: if i < TITLES.len() {
                    TITLES[i].to_string()
                } else {
                    format!("{} (paket {})", TITLES[i % TITLES.len()], i + 1)
                },
                location: format!("RT {:02} / RW {:02}", 1 + g.next() % 12, 1 + g.next() % 8),
                opd: OPDS[i % OPDS.len()].to_string(),
                volume: Decimal::new((10 + g.next() % 990) as i64 * 10, 1),
                unit: UNITS[i % UNITS.len()].to_string(),
                cost: Money::from_minor_units(
                    cost_thousands as i64 * 1000 * 100 + if i % 3 == 0 { 50 } else { 0 },
                ),
                votes,
                score: Decimal::new((votes * 100 + g.next() % 100) as i64, 2),
            }
        })
        .collect();
    rows.sort_by(|a, b| b.score.cmp(&a.score).then(a.title.cmp(&b.title)));
    for (i, r) in rows.iter_mut().enumerate() {
        r.rank = i as u32 + 1;
    }
    rows
}

pub fn signatories() -> Vec<Signatory> {
    vec![
        Signatory {
            position: "Lurah Sukamaju".into(),
            name: "Drs. Ahmad Suherman, M.Si.".into(),
            id_number: Some("NIP 19700512 199503 1 002".into()),
            note: Some("Mengetahui,".into()),
        },
        Signatory {
            position: "Notulis".into(),
            name: "Siti Nurhaliza".into(),
            id_number: None,
            note: None,
        },
        Signatory {
            position: "Wakil Warga (Ketua LPM)".into(),
            name: "Bambang Wijaya".into(),
            id_number: None,
            note: None,
        },
    ]
}

/// A kelurahan berita acara with `n` priorities.
pub fn berita_acara(n: usize) -> BeritaAcara {
    BeritaAcara {
        number: Some("005/BA-MUSRENBANG/III/2026".into()),
        region_name: "Sukamaju".into(),
        level: MusrenbangLevel::Kelurahan,
        parent_region: Some("Kecamatan Coblong, Kota Bandung".into()),
        plan_year: 2027,
        date: NaiveDate::from_ymd_opt(2026, 3, 12).unwrap(),
        time: Some("09.00 – 12.30 WIB".into()),
        place: "Aula Kantor Kelurahan Sukamaju, Jl. Merdeka No. 10".into(),
        participants: 87,
        participant_notes: Some("52 warga, 18 ketua RT/RW, 11 perwakilan perempuan, 6 unsur pemuda".into()),
        agenda: vec![
            "Pembukaan dan sambutan Lurah Sukamaju.".into(),
            "Paparan hasil evaluasi pembangunan tahun sebelumnya dan pagu indikatif kewilayahan.".into(),
            "Pembahasan usulan dari musyawarah RW dan pemungutan suara warga.".into(),
            "Penetapan daftar prioritas dan delegasi ke Musrenbang Kecamatan.".into(),
        ],
        notes: vec![
            "Musyawarah dibuka pukul 09.15 WIB oleh Lurah Sukamaju. Peserta menerima daftar usulan dari 8 RW beserta rincian biaya yang telah diverifikasi oleh tim teknis kelurahan.".into(),
            "Pemungutan suara dilaksanakan secara elektronik melalui Mufakat dan secara langsung di lokasi; setiap warga memiliki satu suara per usulan. Hasil pemungutan suara dan skor ditetapkan sebagaimana tercantum di bawah ini, dan disepakati tanpa keberatan.".into(),
            "Peserta menyepakati tiga orang delegasi ke Musrenbang Kecamatan Coblong: Bambang Wijaya, Dewi Lestari dan Rudi Hartono.".into(),
        ],
        priorities: priority_rows(n),
        signing_place: Some("Bandung".into()),
        signatories: signatories(),
        letterhead: None,
        generated_at: generated_at(),
    }
}

/// A kecamatan priority list with `n` proposals and a ceiling that cuts it about half-way.
pub fn priority_list(n: usize) -> PriorityList {
    let items = priority_rows(n);
    let half: Decimal = items
        .iter()
        .take(n.div_ceil(2))
        .map(|i| i.cost.amount())
        .sum();
    PriorityList {
        region: "Pemerintah Kota Bandung — Kecamatan Coblong".into(),
        cycle: "Musrenbang Kecamatan Coblong 2027".into(),
        ceiling: Some(Money::new(half.round_dp(0) + Decimal::from(1_000_000)).unwrap()),
        items,
        status: Some("Disepakati musrenbang kecamatan".into()),
        signatories: vec![Signatory {
            position: "Camat Coblong".into(),
            name: "Drs. Asep Sunandar, M.Si.".into(),
            id_number: Some("NIP 197203141998031005".into()),
            note: Some("Mengetahui,".into()),
        }],
        signing_place: Some("Coblong".into()),
        letterhead: None,
        generated_at: generated_at(),
    }
}

/// An MES allocation over `n` projects.
pub fn allocation(n: usize) -> AllocationReport {
    let rows = priority_rows(n);
    let ceiling = Money::parse("2500000000").unwrap();
    let mut left = ceiling.amount();
    let projects = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let funded = r.cost.amount() <= left && i % 4 != 3;
            if funded {
                left -= r.cost.amount();
            }
            AllocationRow {
                id: format!("P{:03}", i + 1),
                title: r.title.clone(),
                opd: Some(r.opd.clone()),
                cost: r.cost,
                votes: r.votes,
                score: Some(r.score),
                funded,
                reason: if funded {
                    format!("dipilih pada putaran {}", i + 1)
                } else if i % 4 == 3 {
                    "pendukungnya kehabisan bagian anggaran".into()
                } else {
                    "sisa pagu tidak cukup".into()
                },
                share: Some(
                    if funded {
                        r.cost.amount() / ceiling.amount()
                    } else {
                        Decimal::ZERO
                    }
                    .round_dp(4),
                ),
            }
        })
        .collect();
    AllocationReport {
        region: "Pemerintah Kota Bandung — Kecamatan Coblong".into(),
        cycle: "Musrenbang Kecamatan Coblong 2027".into(),
        rule: RuleInfo {
            name: "Method of Equal Shares (MES)".into(),
            description: Some("Setiap pemilih menerima bagian anggaran yang sama; usulan dibiayai bila pendukungnya sanggup membayar biayanya.".into()),
            parameters: vec![
                ("Kepuasan".into(), "biaya (cost)".into()),
                ("Penyelesaian".into(), "utilitarian greedy".into()),
                ("Pemecah seri".into(), "suara terbanyak, lalu biaya terendah".into()),
            ],
        },
        ceiling,
        voters: 1843,
        projects,
        chart: ChartMetric::Votes,
        adopted: Some("Ditetapkan pada 12 Mei 2027.".into()),
        signatories: vec![],
        signing_place: None,
        letterhead: None,
        generated_at: generated_at(),
    }
}

fn hex64(mut x: u64) -> String {
    let mut s = String::with_capacity(64);
    for _ in 0..4 {
        x = x
            .wrapping_mul(0x9E3779B97F4A7C15)
            .wrapping_add(0xD1B54A32D192ED03);
        s.push_str(&format!("{x:016x}"));
    }
    s
}

/// An audit trail of `n` events over a period.
pub fn audit_trail(n: usize) -> AuditTrailReport {
    let start = Utc.with_ymd_and_hms(2026, 1, 5, 1, 0, 0).unwrap();
    let workflows = [
        "musrenbang.usulan",
        "musrenbang.siklus",
        "anggaran.alokasi",
        "system.accounts",
    ];
    let steps = [
        ("", "submit", "diajukan"),
        ("diajukan", "verify", "diverifikasi"),
        ("diverifikasi", "vote", "dipilih"),
        ("dipilih", "approve", "ditetapkan"),
    ];
    let roles = [
        "warga",
        "operator_kelurahan",
        "verifikator",
        "camat",
        "auditor",
    ];
    let mut prev = "0".repeat(64);
    let events: Vec<AuditEventRow> = (1..=n as u64)
        .map(|seq| {
            let (from, transition, to) = steps[(seq % 4) as usize];
            let hash = hex64(seq);
            let e = AuditEventRow {
                seq,
                at: start + Duration::seconds(seq as i64 * 97),
                actor: if transition == "vote" {
                    format!("voter-{:08x}", seq * 2654435761 % 0xffff_ffff)
                } else {
                    format!("user-{}", seq % 37)
                },
                role: roles[(seq % 5) as usize].into(),
                workflow: workflows[(seq % 4) as usize].into(),
                instance_id: format!("USL-2027-{:05}", seq / 4),
                transition: transition.into(),
                from_state: from.into(),
                to_state: to.into(),
                hash: hash.clone(),
                prev_hash: prev.clone(),
            };
            prev = hash;
            e
        })
        .collect();
    let last = events.last().cloned();
    AuditTrailReport {
        region: "Pemerintah Kota Bandung".into(),
        scope: AuditScope::Period {
            from: start,
            to: start + Duration::seconds(n as i64 * 97 + 1),
        },
        checkpoint: last.as_ref().map(|e| CheckpointInfo {
            seq: e.seq,
            hash: e.hash.clone(),
            signed_at: e.at + Duration::minutes(30),
            public_key: "5f1c0a8e3b2d4c6e8f9a0b1c2d3e4f5061728394a5b6c7d8e9f0a1b2c3d4e5f6".into(),
        }),
        verification: VerificationResult {
            ok: true,
            events_checked: n as u64,
            checkpoints_checked: 1,
            first_bad_seq: None,
            message: format!("OK: {n} events, 1 checkpoint"),
            verified_at: generated_at(),
        },
        events,
        generated_at: generated_at(),
    }
}

const FINDINGS: [(&str, &str, &str); 4] = [
    (
        "Kelebihan pembayaran pekerjaan jalan lingkungan",
        "1.01.02",
        "Kelebihan pembayaran selain kekurangan volume",
    ),
    (
        "Kekurangan volume pekerjaan drainase",
        "1.01.01",
        "Kekurangan volume pekerjaan",
    ),
    (
        "Keterlambatan penyelesaian pekerjaan belum dikenakan denda",
        "1.02.02",
        "Denda keterlambatan belum dipungut",
    ),
    (
        "Aset hasil pengadaan belum dicatat dalam KIB",
        "3.02.01",
        "Penatausahaan aset tidak tertib",
    ),
];
const SEVERITIES: [&str; 3] = ["Tinggi", "Sedang", "Rendah"];
const REC_STATUSES: [&str; 4] = [
    "Selesai",
    "Belum sesuai",
    "Belum ditindaklanjuti",
    "Tidak dapat ditindaklanjuti",
];

/// An audit report (LHP) with `n` findings of one or two recommendations each.
pub fn audit_report(n: usize) -> AuditReport {
    let findings = (0..n)
        .map(|i| {
            let (title, code, code_title) = FINDINGS[i % FINDINGS.len()];
            let number = (i + 1).to_string();
            let recs = (0..1 + i % 2)
                .map(|j| ReportRecommendation {
                    number: format!("{number}.{}", j + 1),
                    text: if j == 0 {
                        "Memerintahkan PPK menagih dan menyetorkan kelebihan pembayaran ke kas daerah".into()
                    } else {
                        "Memberikan teguran tertulis kepada PPTK agar lebih cermat memeriksa hasil pekerjaan".into()
                    },
                    opd: OPDS[(i + j) % OPDS.len()].into(),
                    due: NaiveDate::from_ymd_opt(2026, 5, 1 + (i % 28) as u32).unwrap(),
                    status: REC_STATUSES[(i + j) % REC_STATUSES.len()].into(),
                    last_answer: (i % 3 != 2).then(|| "Telah disetor sebagian sesuai bukti setor STS No. 12/2026".into()),
                    last_rating: (i % 3 == 0).then(|| "Belum sesuai".into()),
                })
                .collect();
            ReportFinding {
                number,
                title: title.into(),
                code: code.into(),
                code_title: code_title.into(),
                severity: SEVERITIES[i % SEVERITIES.len()].into(),
                condition: "Hasil pemeriksaan fisik bersama PPK dan penyedia atas pekerjaan tersebut menunjukkan volume terpasang lebih kecil dari volume yang dibayar dalam termin terakhir.".into(),
                criteria: "Peraturan Presiden Nomor 16 Tahun 2018 tentang Pengadaan Barang/Jasa Pemerintah sebagaimana telah diubah, Pasal 27 ayat (6).".into(),
                cause: "PPK dan PPTK tidak cermat memeriksa laporan kemajuan pekerjaan sebelum menyetujui pembayaran.".into(),
                effect: "Kelebihan pembayaran yang belum dikembalikan ke kas daerah.".into(),
                loss: (i % 4 != 3).then(|| Money::from_minor_units((12_345_000 + i as i64 * 1_000_000) * 100 + 50)),
                status: "Rekomendasi diterbitkan".into(),
                evidence: vec![
                    format!("Peristiwa audit #{}", 1200 + i),
                    format!("Dokumen kontrak_{}.pdf (sha256 {})", i + 1, &hex64(i as u64 + 7)[..16]),
                ],
                recommendations: recs,
            }
        })
        .collect();
    AuditReport {
        region_name: "Kota Contoh".into(),
        assignment_number: "ST-700/12/2026".into(),
        title: "Pemeriksaan pengadaan Dinas PU 2026".into(),
        scope: "Dinas Pekerjaan Umum dan Penataan Ruang: paket pengadaan konstruksi dan e-purchasing, Kecamatan Utara dan Selatan".into(),
        period_from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        period_to: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
        starts_on: NaiveDate::from_ymd_opt(2026, 2, 2).unwrap(),
        ends_on: NaiveDate::from_ymd_opt(2026, 3, 13).unwrap(),
        team: vec![
            TeamMember { name: "Rina Kartika, S.E., Ak.".into(), lead: true },
            TeamMember { name: "Agus Santoso".into(), lead: false },
            TeamMember { name: "Dewi Anggraini".into(), lead: false },
        ],
        inspector: Some("Ir. Hendra Gunawan, M.M.".into()),
        status: "Pelaporan".into(),
        findings,
        chain_seq: 1234,
        chain_hash: hex64(1234),
        generated_at: generated_at(),
    }
}

/// A follow-up matrix with `n` recommendations; the states cycle done, in progress, not acted,
/// cannot be followed up (so 3 rows give 1 done of 3), the unfinished even rows are overdue.
pub fn followup_matrix(n: usize) -> FollowUpMatrix {
    let states = [
        (FollowUpState::Done, "Sesuai"),
        (FollowUpState::InProgress, "Belum sesuai"),
        (FollowUpState::NotActed, "Belum ditindaklanjuti"),
        (FollowUpState::CannotFollowUp, "Tidak dapat ditindaklanjuti"),
    ];
    let rows = (0..n)
        .map(|i| {
            let (state, title) = states[i % states.len()];
            let overdue = state != FollowUpState::Done && i % 2 == 0;
            let (f, _, _) = FINDINGS[(i / 2) % FINDINGS.len()];
            MatrixRow {
                assignment_number: format!("ST-700/{}/2026", 10 + i / 4),
                finding: format!("{}. {f}", i / 2 + 1),
                loss: (i % 3 != 2)
                    .then(|| Money::from_minor_units((5_000_000 + i as i64 * 250_000) * 100)),
                recommendation: format!(
                    "{}.{} Menyetor kelebihan bayar ke kas daerah",
                    i / 2 + 1,
                    i % 2 + 1
                ),
                opd: OPDS[i % OPDS.len()].into(),
                due: NaiveDate::from_ymd_opt(2026, 2, 1 + (i % 28) as u32).unwrap(),
                follow_up: if state == FollowUpState::NotActed {
                    "-".into()
                } else {
                    "Telah disetor ke kas daerah, bukti setor terlampir".into()
                },
                status: if overdue && state == FollowUpState::NotActed {
                    "Terlambat".into()
                } else {
                    title.into()
                },
                state,
                overdue,
            }
        })
        .collect();
    FollowUpMatrix {
        region_name: "Kota Contoh".into(),
        opd: None,
        as_of: NaiveDate::from_ymd_opt(2026, 3, 14).unwrap(),
        rows,
        generated_at: generated_at(),
    }
}

// ----- monev -------------------------------------------------------------------------------

/// The planned cumulative physical progress (percent) of every monev sample activity, March
/// to November 2027.
const MONEV_PLAN: [i64; 9] = [5, 12, 25, 40, 55, 70, 82, 93, 100];
/// How many months have verified reports (March to June 2027, up to the end of quarter II).
const MONEV_REPORTED: usize = 4;
const MONEV_VENDORS: [&str; 4] = [
    "CV Maju Jaya",
    "PT Bangun Persada",
    "CV Karya Beton",
    "PT Sinar Terang",
];

fn monev_period(k: usize) -> String {
    format!("2027-{:02}", 3 + k)
}

/// The verified physical progress of sample activity `i` in month `k`: activities 1, 6, 11 …
/// are behind (5/8 of plan, 15 points at June), activities 3, 8, 13 … have not reported, the
/// others lag 0, 0.5 or 1 point more each month.
fn monev_actual(i: usize, k: usize) -> Option<Decimal> {
    if k >= MONEV_REPORTED || i % 5 == 3 {
        return None;
    }
    let plan = Decimal::from(MONEV_PLAN[k]);
    Some(if i % 5 == 1 {
        plan * Decimal::new(625, 3)
    } else {
        plan - Decimal::new(5, 1) * Decimal::from((i % 3) as u64) * Decimal::from(k as u64)
    })
}

fn monev_activity(i: usize) -> ActivitySummary {
    let pagu = Money::from_minor_units(
        (150_000_000 + i as i64 * 12_500_000) * 100 + if i % 3 == 0 { 50 } else { 0 },
    );
    let contracted = (i % 5 != 3).then(|| pagu.times(Decimal::new(92, 2)).unwrap());
    let base = contracted.unwrap_or(pagu);
    let spent = |p: Decimal| base.times(p * Decimal::new(9, 3)).unwrap(); // 90 % of progress
    let curve: Vec<CurvePoint> = MONEV_PLAN
        .iter()
        .enumerate()
        .map(|(k, &plan)| CurvePoint {
            period: monev_period(k),
            planned_physical: Decimal::from(plan),
            actual_physical: monev_actual(i, k),
            planned_disbursement: pagu.times(Decimal::new(plan, 2)).unwrap(),
            actual_disbursement: monev_actual(i, k).map(spent),
        })
        .collect();
    let planned = Decimal::from(MONEV_PLAN[MONEV_REPORTED - 1]);
    let actual = monev_actual(i, MONEV_REPORTED - 1);
    ActivitySummary {
        title: if i < TITLES.len() {
            TITLES[i].to_string()
        } else {
            format!("{} (paket {})", TITLES[i % TITLES.len()], i + 1)
        },
        opd: "Dinas Pekerjaan Umum dan Penataan Ruang".into(),
        region: ["Kecamatan Utara", "Kecamatan Selatan", "Kecamatan Timur"][i % 3].into(),
        pagu,
        contract: contracted.map(|_| {
            format!(
                "KTR-2027-{:05} — {}",
                i + 1,
                MONEV_VENDORS[i % MONEV_VENDORS.len()]
            )
        }),
        contracted,
        starts_on: NaiveDate::from_ymd_opt(2027, 3, 1).unwrap(),
        ends_on: NaiveDate::from_ymd_opt(2027, 11, 30).unwrap(),
        planned_physical: planned,
        actual_physical: actual,
        disbursed: actual.map(spent).unwrap_or(Money::ZERO),
        deviation: actual.map(|a| a - planned),
        status_title: if i % 5 == 3 { "Persiapan" } else { "Berjalan" }.into(),
        curve,
    }
}

/// The OPD's S-curve of `acts`: physical progress weighted by pagu, money summed.
fn monev_opd_curve(acts: &[ActivitySummary]) -> Vec<CurvePoint> {
    let pagu: Decimal = acts.iter().map(|a| a.pagu.amount()).sum();
    let sum = |ms: Vec<Money>| {
        ms.into_iter()
            .fold(Money::ZERO, |s, m| s.checked_add(m).unwrap())
    };
    (0..MONEV_PLAN.len())
        .map(|k| {
            let weighted = |v: &dyn Fn(&CurvePoint) -> Decimal| {
                let w: Decimal = acts.iter().map(|a| a.pagu.amount() * v(&a.curve[k])).sum();
                if pagu.is_zero() {
                    Decimal::ZERO
                } else {
                    (w / pagu).round_dp(2)
                }
            };
            let known = acts.iter().any(|a| a.curve[k].actual_physical.is_some());
            CurvePoint {
                period: monev_period(k),
                planned_physical: weighted(&|c| c.planned_physical),
                actual_physical: known
                    .then(|| weighted(&|c| c.actual_physical.unwrap_or_default())),
                planned_disbursement: sum(acts
                    .iter()
                    .map(|a| a.curve[k].planned_disbursement)
                    .collect()),
                actual_disbursement: known.then(|| {
                    sum(acts
                        .iter()
                        .filter_map(|a| a.curve[k].actual_disbursement)
                        .collect())
                }),
            }
        })
        .collect()
}

fn monev_indicator(a: &ActivitySummary, i: usize) -> IndicatorRow {
    if i % 2 == 0 {
        IndicatorRow {
            activity: a.title.clone(),
            name: "Panjang saluran yang direhabilitasi".into(),
            kind_title: "Keluaran".into(),
            unit: "m".into(),
            baseline: Decimal::ZERO,
            target: Some(Decimal::from(400)),
            actual: (i % 7 != 6).then(|| Decimal::from(250)),
            higher_is_better: true,
        }
    } else {
        IndicatorRow {
            activity: a.title.clone(),
            name: "Titik genangan saat hujan".into(),
            kind_title: "Hasil".into(),
            unit: "titik".into(),
            baseline: Decimal::from(12),
            target: Some(Decimal::from(6)),
            actual: (i % 7 != 6).then(|| Decimal::from(8)),
            higher_is_better: false,
        }
    }
}

/// Flag `j` of the samples; its detail names it (`Laporan #001: …`).
fn monev_flag(activity: &str, j: usize) -> FlagRow {
    FlagRow {
        activity: activity.into(),
        kind_title: [
            "Kontrak kritis",
            "Realisasi di bawah rencana",
            "Laporan terlambat",
            "Penyerapan mendahului fisik",
        ][j % 4]
            .into(),
        severity_title: ["Tinggi", "Sedang", "Rendah"][j % 3].into(),
        status_title: ["Terbuka", "Ditindaklanjuti", "Ditutup"][j % 3].into(),
        period: format!("2027-{:02}", 4 + j % 3),
        detail: format!(
            "Laporan #{:03}: rencana 40,00 %, realisasi 25,00 % (deviasi \u{2212}15,00)",
            j + 1
        ),
        raised_at: Utc.with_ymd_and_hms(2027, 6, 5, 3, 0, 0).unwrap() + Duration::hours(j as i64),
    }
}

/// The fixed "now" of the monev samples: 3 July 2027, 09.00 WIB.
pub fn monev_generated_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 7, 3, 2, 0, 0).unwrap()
}

/// The quarter II 2027 monev report of an OPD with `n` activities (see [`monev_actual`]: with
/// five, one is 15 points behind and one has not reported) and `flags` flags.
pub fn monev_quarterly(n: usize, flags: usize) -> QuarterlyReport {
    let activities: Vec<ActivitySummary> = (0..n).map(monev_activity).collect();
    let silent = (0..n).filter(|i| i % 5 == 3).count() as u32;
    let behind = (0..n).filter(|i| i % 5 == 1).count() as u32;
    let expected = (n * MONEV_REPORTED) as u32;
    let received = expected - silent * MONEV_REPORTED as u32;
    QuarterlyReport {
        government: "Pemerintah Kota Contoh".into(),
        opd: "Dinas Pekerjaan Umum dan Penataan Ruang".into(),
        year: 2027,
        quarter: 2,
        generated_at: monev_generated_at(),
        curve: monev_opd_curve(&activities),
        reporting: ReportingRates {
            expected,
            received,
            on_time: received - behind,
        },
        indicators: activities
            .iter()
            .enumerate()
            .map(|(i, a)| monev_indicator(a, i))
            .collect(),
        flags: (0..flags)
            .map(|j| {
                let a = activities.get(j % n.max(1)).map(|a| a.title.as_str());
                monev_flag(a.unwrap_or("Kegiatan"), j)
            })
            .collect(),
        activities,
        place: "Kota Contoh".into(),
    }
}

/// The progress sheet of the sample activity that is 15 points behind, from a resident's
/// proposal: four verified reports (May's late), July's draft, two indicators, two flags and
/// three photos.
pub fn monev_sheet() -> ProgressSheet {
    let activity = monev_activity(1);
    let notes = [
        "Mobilisasi alat dan pengukuran awal.",
        "Galian saluran ruas 1.",
        "Hujan deras dua minggu; galian tertunda.",
        "Penyedia menambah tenaga kerja dan satu ekskavator.",
        "",
    ];
    let reports = (0..5)
        .map(|k| {
            let due = Utc
                .with_ymd_and_hms(2027, 4 + k as u32, 10, 16, 59, 59)
                .unwrap();
            let submitted = match k {
                2 => Some(due + Duration::days(2)),
                4 => None,
                _ => Some(due - Duration::days(3)),
            };
            ReportRow {
                period: monev_period(k),
                physical: activity.curve.get(k).and_then(|c| c.actual_physical),
                spent: activity.curve.get(k).and_then(|c| c.actual_disbursement),
                status_title: if k < MONEV_REPORTED {
                    "Terverifikasi"
                } else {
                    "Draf"
                }
                .into(),
                submitted_at: submitted,
                due_at: due,
                late: k == 2,
                notes: notes[k].into(),
            }
        })
        .collect();
    let photos = (0..3)
        .map(|k| PhotoRow {
            period: monev_period(k + 1),
            name: format!("saluran_ruas_{}.jpg", k + 1),
            taken_at: (k != 2).then(|| {
                Utc.with_ymd_and_hms(2027, 4 + k as u32, 28, 3, 15, 0)
                    .unwrap()
            }),
            latitude: (k != 2).then(|| Decimal::new(-6_914_744 - k as i64 * 131, 6)),
            longitude: (k != 2).then(|| Decimal::new(107_609_810 + k as i64 * 57, 6)),
            sha256: hex64(900 + k as u64),
        })
        .collect();
    ProgressSheet {
        government: "Pemerintah Kota Contoh".into(),
        proposal: Some(
            "Usulan #12 \u{201c}Perbaikan jalan RW 03\u{201d} \u{2014} 41 suara, Musrenbang 2027"
                .into(),
        ),
        reports,
        indicators: vec![monev_indicator(&activity, 0), monev_indicator(&activity, 1)],
        flags: vec![
            monev_flag(&activity.title, 0),
            monev_flag(&activity.title, 2),
        ],
        photos,
        generated_at: monev_generated_at(),
        activity,
    }
}
