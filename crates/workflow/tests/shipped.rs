//! The shipped workflows load cleanly and walk through their paths with the pure engine,
//! timers included.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{DateTime, Duration, TimeZone, Utc};
use mufakat_workflow::{
    available_at, fire, load_dir, start, Actor, Definition, InstanceSnapshot, Outcome,
    WorkflowError,
};
use serde_json::{json, Map, Value};

fn defs() -> Vec<Definition> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../workflows");
    match load_dir(&dir) {
        Ok(d) => d,
        Err(errors) => panic!(
            "{}",
            errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

fn def(name: &str) -> Definition {
    defs().into_iter().find(|d| d.name == name).unwrap()
}

fn user(id: &str, roles: &[&str]) -> Actor {
    Actor {
        id: id.into(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        is_system: false,
    }
}

fn system() -> Actor {
    Actor {
        id: "system".into(),
        roles: BTreeSet::from(["system".to_string()]),
        is_system: true,
    }
}

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

/// `n` working days after `t` on the plain calendar (Monday to Friday, WIB, no holidays), which
/// these tests run the engine on.
fn wd(t: DateTime<Utc>, n: u32) -> DateTime<Utc> {
    mufakat_workflow::Calendar::plain().add_working_days(t, n, &[])
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 2, 0, 0).unwrap()
}

/// A case as the server would hold it between transitions.
struct Case {
    snap: InstanceSnapshot,
    timers: Vec<mufakat_workflow::ScheduledTimer>,
    history: Vec<String>,
}

impl Case {
    fn started(o: Outcome, by: &str, now: DateTime<Utc>) -> Case {
        Case {
            snap: InstanceSnapshot {
                id: "1".into(),
                state: o.to.clone(),
                fields: o.fields.clone(),
                created_by: Some(by.into()),
                state_entered_at: now,
            },
            timers: o.timers.clone(),
            history: vec![o.to],
        }
    }

    fn apply(&mut self, o: Outcome, now: DateTime<Utc>) -> Outcome {
        if o.to != self.snap.state {
            self.snap.state_entered_at = now;
            self.timers = o.timers.clone(); // old state's timers are cancelled
        }
        self.snap.state = o.to.clone();
        self.snap.fields = o.fields.clone();
        self.history.push(o.to.clone());
        o
    }

    fn fire(
        &mut self,
        d: &Definition,
        t: &str,
        a: &Actor,
        input: Value,
        comment: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Outcome, WorkflowError> {
        let o = fire(d, &self.snap, t, a, &obj(input), comment, now)?;
        Ok(self.apply(o, now))
    }

    /// What the server's timer loop does: fire every due timer as `system`.
    fn run_timers(&mut self, d: &Definition, now: DateTime<Utc>) -> usize {
        let due: Vec<_> = self
            .timers
            .iter()
            .filter(|t| t.due_at <= now)
            .cloned()
            .collect();
        let mut n = 0;
        for t in due {
            if let Ok(o) = fire(
                d,
                &self.snap,
                &t.transition,
                &system(),
                &Map::new(),
                None,
                now,
            ) {
                self.apply(o, now);
                n += 1;
            }
        }
        n
    }
}

#[test]
fn both_shipped_workflows_pass_the_checker() {
    let d = defs();
    let names: Vec<_> = d.iter().map(|d| d.name.as_str()).collect();
    // Every file in workflows/ loads (others are added by other modules).
    assert!(
        names.contains(&"lapor-complaint") && names.contains(&"perizinan"),
        "{names:?}"
    );
    for d in d
        .iter()
        .filter(|d| d.name == "lapor-complaint" || d.name == "perizinan")
    {
        assert_eq!(d.hash.len(), 64);
        // Document order is kept.
        assert_eq!(d.states[0].name, "submitted");
    }
}

#[test]
fn lapor_route_resolve_confirm() {
    let d = def("lapor-complaint");
    let resident = user("11", &["resident"]);
    let o = start(&d, &resident, &obj(json!({ "description": "Perbaikan jalan — RT 03, berlubang", "category": "jalan", "location": "Gg. Mawar" })), t0()).unwrap();
    assert_eq!(
        (o.from.as_str(), o.to.as_str(), o.is_final),
        ("", "submitted", false)
    );
    let mut c = Case::started(o, "11", t0());

    // A resident cannot route, and cannot pre-set the deadline at start.
    assert!(matches!(
        c.fire(
            &d,
            "route",
            &resident,
            json!({ "opd": "Dinas PU" }),
            None,
            t0()
        ),
        Err(WorkflowError::NotAllowed { .. })
    ));
    let e = start(
        &d,
        &resident,
        &obj(
            json!({ "description": "x", "category": "jalan", "deadline": "2030-01-01T00:00:00Z" }),
        ),
        t0(),
    )
    .unwrap_err();
    assert_eq!(e.field_errors()[0].0, "deadline");

    let staff = user("21", &["kelurahan_staff"]);
    assert!(matches!(
        c.fire(&d, "route", &staff, json!({}), None, t0()),
        Err(WorkflowError::Validation(_))
    ));
    let o = c
        .fire(
            &d,
            "route",
            &staff,
            json!({ "opd": "Dinas PU" }),
            None,
            t0(),
        )
        .unwrap();
    assert_eq!(o.fields["opd"], json!("Dinas PU"));
    // 14 working days from Tuesday 24 November: the close (16.00 WIB) of Monday 14 December.
    assert_eq!(o.fields["deadline"], json!("2026-12-14T09:00:00Z"));
    assert_eq!(o.timers.len(), 1);
    assert_eq!(
        (o.timers[0].transition.as_str(), o.timers[0].due_at),
        ("escalate", wd(t0(), 14))
    );

    let opd = user("31", &["opd_staff"]);
    let o = c
        .fire(
            &d,
            "resolve",
            &opd,
            json!({ "resolution": "Jalan sudah ditambal" }),
            None,
            t0() + Duration::days(3),
        )
        .unwrap();
    assert_eq!(o.timers[0].due_at, wd(t0() + Duration::days(3), 10));
    // Another resident is not the owner.
    assert!(matches!(
        c.fire(
            &d,
            "confirm",
            &user("12", &["resident"]),
            json!({}),
            None,
            t0()
        ),
        Err(WorkflowError::NotAllowed { .. })
    ));
    assert!(matches!(
        c.fire(&d, "confirm", &resident, json!({}), None, t0()),
        Err(WorkflowError::Validation(_))
    ));
    let o = c
        .fire(
            &d,
            "confirm",
            &resident,
            json!({ "rating": "5" }),
            None,
            t0() + Duration::days(4),
        )
        .unwrap();
    assert_eq!(o.fields["rating"], json!("5"));
    assert!(o.is_final && o.to == "closed" && o.timers.is_empty());
    assert!(matches!(
        c.fire(&d, "reopen", &resident, json!({}), Some("belum"), t0()),
        Err(WorkflowError::Finished)
    ));
}

#[test]
fn lapor_deadline_escalates_then_reroute_reopen_and_auto_close() {
    let d = def("lapor-complaint");
    let resident = user("11", &["resident"]);
    let mut c = Case::started(
        start(
            &d,
            &resident,
            &obj(json!({ "description": "Sampah menumpuk", "category": "sampah" })),
            t0(),
        )
        .unwrap(),
        "11",
        t0(),
    );
    c.fire(
        &d,
        "route",
        &user("21", &["kelurahan_staff"]),
        json!({ "opd": "DLH" }),
        None,
        t0(),
    )
    .unwrap();

    // Nothing is due before the deadline; the timer fires once it passes.
    let due = wd(t0(), 14);
    assert_eq!(c.run_timers(&d, due - Duration::minutes(1)), 0);
    assert_eq!(c.run_timers(&d, due), 1);
    assert_eq!(c.snap.state, "escalated");
    assert_eq!(c.snap.fields["escalated"], json!(true));
    // Humans cannot fire the timer's transition; `system` cannot fire people's.
    assert!(matches!(
        c.fire(
            &d,
            "escalate",
            &user("1", &["admin"]),
            json!({}),
            None,
            t0()
        ),
        Err(WorkflowError::NotAvailableInState { .. })
    ));
    assert!(matches!(
        c.fire(
            &d,
            "reroute",
            &system(),
            json!({ "opd": "x" }),
            Some("x"),
            t0()
        ),
        Err(WorkflowError::NotAllowed { .. })
    ));

    let camat = user("41", &["kecamatan_staff"]);
    let names: Vec<_> = available_at(&d, &c.snap, &camat, t0())
        .into_iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(names, ["reroute"]);
    assert_eq!(
        c.fire(
            &d,
            "reroute",
            &camat,
            json!({ "opd": "DLH Kota" }),
            None,
            t0()
        )
        .unwrap_err(),
        WorkflowError::CommentRequired
    );
    let now = t0() + Duration::days(15);
    let o = c
        .fire(
            &d,
            "reroute",
            &camat,
            json!({ "opd": "DLH Kota" }),
            Some("  Tolong segera  "),
            now,
        )
        .unwrap();
    assert_eq!(o.comment.as_deref(), Some("Tolong segera"));
    assert_eq!(o.timers[0].due_at, wd(now, 7));
    assert_eq!(o.changed_fields, ["opd", "deadline"]);

    c.fire(
        &d,
        "resolve",
        &user("31", &["opd_staff"]),
        json!({ "resolution": "Diangkut" }),
        None,
        now,
    )
    .unwrap();
    let o = c
        .fire(
            &d,
            "reopen",
            &resident,
            json!({}),
            Some("Masih ada sisa"),
            now + Duration::days(1),
        )
        .unwrap();
    assert_eq!(o.to, "routed");
    assert!(
        !o.fields.contains_key("resolution"),
        "reopen clears the resolution"
    );
    c.fire(
        &d,
        "resolve",
        &user("31", &["opd_staff"]),
        json!({ "resolution": "Bersih" }),
        None,
        now + Duration::days(2),
    )
    .unwrap();
    // The resident stays silent: auto-close after 10 working days.
    let closes = wd(now + Duration::days(2), 10);
    assert_eq!(c.run_timers(&d, closes - Duration::minutes(1)), 0);
    assert_eq!(c.run_timers(&d, closes), 1);
    assert_eq!(c.snap.state, "closed");
    assert_eq!(
        c.history,
        [
            "submitted",
            "routed",
            "escalated",
            "routed",
            "resolved",
            "routed",
            "resolved",
            "closed"
        ]
    );
}

#[test]
fn perizinan_revision_escalation_and_decisions() {
    let d = def("perizinan");
    let applicant = user("51", &["resident"]);
    let input = json!({ "permit_type": "reklame", "applicant_name": "Siti Aminah", "address": "Jl. Merdeka 5", "documents": "doc-1", "investment": "12500000000.00" });
    let o = start(&d, &applicant, &obj(input), t0()).unwrap();
    assert_eq!(o.fields["investment"], json!("12500000000"));
    assert_eq!(o.timers[0].due_at, wd(t0(), 3));
    let mut c = Case::started(o, "51", t0());

    // Unreviewed for 3 working days: escalates.
    assert_eq!(c.run_timers(&d, t0() + Duration::days(5)), 1);
    assert_eq!(c.snap.state, "escalated");
    let staff = user("61", &["opd_staff"]);
    let o = c
        .fire(
            &d,
            "start_check",
            &staff,
            json!({}),
            None,
            t0() + Duration::days(6),
        )
        .unwrap();
    assert_eq!(o.fields["checked_by"], json!("61"));
    assert!(o.timers.is_empty());

    assert_eq!(
        c.fire(&d, "request_revision", &staff, json!({}), None, t0())
            .unwrap_err(),
        WorkflowError::CommentRequired
    );
    c.fire(
        &d,
        "request_revision",
        &staff,
        json!({}),
        Some("Lampirkan denah lokasi"),
        t0() + Duration::days(6),
    )
    .unwrap();
    let o = c
        .fire(
            &d,
            "revise",
            &applicant,
            json!({ "documents": "doc-2" }),
            None,
            t0() + Duration::days(7),
        )
        .unwrap();
    assert_eq!(
        (o.to.as_str(), o.fields["documents"].clone()),
        ("submitted", json!("doc-2"))
    );
    assert_eq!(
        o.timers[0].due_at,
        wd(t0() + Duration::days(7), 3),
        "re-submission re-arms the 3-working-day timer"
    );
    c.fire(
        &d,
        "start_check",
        &staff,
        json!({}),
        None,
        t0() + Duration::days(8),
    )
    .unwrap();

    // Rp 12.5 miliar needs the head's sign-off: the guard says no without it.
    let approve = json!({ "permit_number": "503/123/DPMPTSP", "valid_until": "2031-12-01" });
    match c
        .fire(&d, "approve", &staff, approve.clone(), None, t0())
        .unwrap_err()
    {
        e @ WorkflowError::GuardFailed { .. } => {
            assert!(e.message(mufakat_workflow::Lang::Id).contains("10 miliar"));
            assert!(e.message(mufakat_workflow::Lang::En).contains("10 billion"));
        }
        e => panic!("{e:?}"),
    }
    let mut with_head = approve.clone();
    with_head["head_approved"] = json!(true);
    let now = t0() + Duration::days(9);
    let o = c.fire(&d, "approve", &staff, with_head, None, now).unwrap();
    assert!(o.is_final);
    assert_eq!(o.fields["permit_number"], json!("503/123/DPMPTSP"));
    assert_eq!(o.fields["valid_until"], json!("2031-12-01"));
    assert_eq!(o.fields["decided_at"], json!("2026-12-03T02:00:00Z"));
    assert_eq!(
        o.input,
        json!({ "permit_number": "503/123/DPMPTSP", "valid_until": "2031-12-01", "head_approved": true })
    );
}

#[test]
fn perizinan_small_investment_needs_no_head_and_rejection_needs_a_reason() {
    let d = def("perizinan");
    let applicant = user("51", &["vendor"]);
    let base = json!({ "permit_type": "usaha_mikro", "applicant_name": "CV Maju", "address": "Pasar Baru", "documents": "doc-9", "investment": "9999999999.99" });
    let mut c = Case::started(start(&d, &applicant, &obj(base), t0()).unwrap(), "51", t0());
    let staff = user("61", &["opd_staff"]);
    c.fire(&d, "start_check", &staff, json!({}), None, t0())
        .unwrap();
    let names: Vec<_> = available_at(&d, &c.snap, &staff, t0())
        .into_iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(names, ["request_revision", "approve", "reject"]);
    let owner_can: Vec<_> = available_at(&d, &c.snap, &applicant, t0())
        .into_iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(owner_can, ["withdraw"]);
    // Exactly one sen under the threshold: allowed without the head.
    let o = fire(
        &d,
        &c.snap,
        "approve",
        &staff,
        &obj(json!({ "permit_number": "1", "valid_until": "2030-01-01" })),
        None,
        t0(),
    )
    .unwrap();
    assert_eq!(o.to, "approved");
    let e = fire(
        &d,
        &c.snap,
        "reject",
        &staff,
        &Map::new(),
        Some("   "),
        t0(),
    )
    .unwrap_err();
    assert_eq!((e.kind(), e.code()), ("COMMENT_REQUIRED", "VALIDATION"));
    assert!(e.message(mufakat_workflow::Lang::Id).contains("wajib"));
    let o = fire(
        &d,
        &c.snap,
        "reject",
        &staff,
        &Map::new(),
        Some("Lokasi di jalur hijau"),
        t0(),
    )
    .unwrap();
    assert_eq!((o.to.as_str(), o.is_final), ("rejected", true));
    let _: BTreeMap<String, Value> = o.fields;
}
