//! What the web app added to the API, for every client: editing a draft (`editProposal`),
//! changing a password (`changePassword`), searching proposals (`ProposalFilter.search`), the
//! fields a service starts with (`startFields`, `moduleApi`) and tracking codes (`trackCase`).

use serde_json::{json, Value};

use crate::helpers::*;
use crate::musrenbang::{act, create_cycle, propose, resident};
use crate::musrenbang_authz::{Tokens, ALL};

const EDIT: &str = "mutation($id: ID!, $i: EditProposalInput!) { editProposal(proposalId: $id, input: $i) { id title estimatedCost status } }";

fn edit_input(title: &str) -> Value {
    json!({ "title": title, "description": "Diperbarui", "category": "infrastruktur", "volume": "2", "unit": "m", "unitPrice": "5000", "rtRw": "01/02" })
}

async fn tokens(app: &TestApp) -> Tokens {
    resident(app, "budi", "35.99.01.1001", "3599010101900005").await;
    resident(app, "tetangga", "35.99.01.1002", "3599010101900006").await;
    let mut t = vec![];
    for who in ALL {
        let tok = match who {
            "budi" | "tetangga" => app.try_login(who, "kata-sandi-warga").await.unwrap(),
            _ => app.login(who).await,
        };
        t.push((who, tok));
    }
    Tokens(t)
}

/// `editProposal` for every account: only the draft's proposer may, and to everyone else the
/// draft does not exist (NOT_FOUND, as for reading it); a submitted proposal is not edited.
#[tokio::test]
async fn only_its_proposer_edits_a_draft_and_only_while_it_is_one() {
    let app = spawn_app().await;
    let cycle = create_cycle(&app).await;
    let t = tokens(&app).await;
    let v = propose(
        &app,
        t.get("warga.siti"),
        &cycle.id,
        "Lampu jalan",
        "1",
        "1000",
    )
    .await;
    let id = v["data"]["createProposal"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut wrong = vec![];
    for who in ALL.iter().filter(|w| **w != "warga.siti") {
        let v = app
            .gql(
                EDIT,
                json!({ "id": id, "i": edit_input("Diubah orang lain") }),
                Some(t.get(who)),
            )
            .await;
        if error_code(&v).as_deref() != Some("NOT_FOUND") {
            wrong.push(format!("{who}: {v}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let anon = app
        .gql(EDIT, json!({ "id": id, "i": edit_input("x") }), None)
        .await;
    assert_eq!(error_code(&anon).as_deref(), Some("UNAUTHENTICATED"));
    // Bad fields: every problem at once, nothing changed.
    let mut bad = edit_input("");
    bad["category"] = json!("tidak-ada");
    let v = app
        .gql(
            EDIT,
            json!({ "id": id, "i": bad }),
            Some(t.get("warga.siti")),
        )
        .await;
    assert_eq!(error_code(&v).as_deref(), Some("VALIDATION"));
    let fields = error_fields(&v);
    assert!(
        fields.contains(&"title") && fields.contains(&"category"),
        "{fields:?}"
    );
    let v = app
        .gql(
            EDIT,
            json!({ "id": id, "i": edit_input("Lampu jalan RT 01") }),
            Some(t.get("warga.siti")),
        )
        .await;
    assert_ok(&v);
    assert_eq!(v["data"]["editProposal"]["title"], "Lampu jalan RT 01");
    assert_eq!(v["data"]["editProposal"]["estimatedCost"], "10000");
    // The edit is a transition of the case, with the new title and cost in its audit event.
    let h = app
        .gql("query($id: ID!) { proposal(id: $id) { history { transition transitionTitle input } } }", json!({ "id": id }), Some(t.get("warga.siti")))
        .await;
    let edits: Vec<&Value> = h["data"]["proposal"]["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["transition"] == "edit")
        .collect();
    assert_eq!(edits.len(), 1, "{h}");
    assert_eq!(edits[0]["transitionTitle"], "Ubah draf");
    assert_eq!(edits[0]["input"]["title"], "Lampu jalan RT 01");
    assert_eq!(edits[0]["input"]["cost"], "10000");
    assert_ok(&act(&app, t.get("warga.siti"), &id, "SUBMIT", json!({}), None).await);
    let v = app
        .gql(
            EDIT,
            json!({ "id": id, "i": edit_input("Terlambat") }),
            Some(t.get("warga.siti")),
        )
        .await;
    assert_eq!(error_code(&v).as_deref(), Some("CONFLICT"), "{v}");
}

const CHANGE: &str = "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { token } }";

#[tokio::test]
async fn changing_a_password_needs_the_current_one_and_ends_every_other_session() {
    let app = spawn_app().await;
    let anon = app
        .gql(
            CHANGE,
            json!({ "c": DEMO_PASSWORD, "n": "sandi-baru-panjang" }),
            None,
        )
        .await;
    assert_eq!(error_code(&anon).as_deref(), Some("UNAUTHENTICATED"));
    let first = app.login("lurah.mekarsari").await;
    let second = app.login("lurah.mekarsari").await;
    let v = app
        .gql(CHANGE, json!({ "c": "salah", "n": "pendek" }), Some(&first))
        .await;
    assert_eq!(error_code(&v).as_deref(), Some("VALIDATION"));
    let fields = error_fields(&v);
    assert_eq!(
        fields,
        ["currentPassword", "newPassword"],
        "both problems at once"
    );
    let v = app
        .gql(
            CHANGE,
            json!({ "c": DEMO_PASSWORD, "n": "sandi-baru-panjang" }),
            Some(&first),
        )
        .await;
    assert_ok(&v);
    let fresh = v["data"]["changePassword"]["token"].as_str().unwrap();
    for old in [&first, &second] {
        let me = app.gql("{ me { username } }", json!({}), Some(old)).await;
        assert_eq!(error_code(&me).as_deref(), Some("UNAUTHENTICATED"));
    }
    assert_ok(&app.gql("{ me { username } }", json!({}), Some(fresh)).await);
    assert!(app
        .try_login("lurah.mekarsari", DEMO_PASSWORD)
        .await
        .is_err());
    assert!(app
        .try_login("lurah.mekarsari", "sandi-baru-panjang")
        .await
        .is_ok());
    // In the audit trail, without the password.
    let mut out = vec![];
    mufakat_server::audit_log::export(&app.state.db, &mut out)
        .await
        .unwrap();
    let trail = String::from_utf8(out).unwrap();
    let line = trail
        .lines()
        .find(|l| l.contains("\"change_password\""))
        .expect("an audit event");
    assert!(
        !line.contains("sandi-baru-panjang") && !line.contains(DEMO_PASSWORD),
        "{line}"
    );
}

#[tokio::test]
async fn proposals_are_found_by_words_of_their_title_or_description_in_any_case() {
    let app = spawn_app().await;
    let cycle = create_cycle(&app).await;
    let siti = app.login("warga.siti").await;
    for title in [
        "Perbaikan JALAN desa",
        "Drainase 100% tersumbat",
        "Lampu taman",
    ] {
        let id = propose(&app, &siti, &cycle.id, title, "1", "1000").await["data"]
            ["createProposal"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_ok(&act(&app, &siti, &id, "SUBMIT", json!({}), None).await);
    }
    let find = |q: &'static str| {
        let app = &app;
        async move {
            let v = app
                .gql(
                    "query($q: String) { proposals(filter: {search: $q}) { nodes { title } } }",
                    json!({ "q": q }),
                    None,
                )
                .await;
            assert_ok(&v);
            let mut t: Vec<String> = v["data"]["proposals"]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["title"].as_str().unwrap().to_owned())
                .collect();
            t.sort();
            t
        }
    };
    assert_eq!(find("jalan").await, ["Perbaikan JALAN desa"]);
    assert_eq!(
        find("PERBAIKAN desa").await,
        ["Perbaikan JALAN desa"],
        "every word, any case"
    );
    assert_eq!(find("rusak").await.len(), 3, "the description counts");
    assert_eq!(
        find("100%").await,
        ["Drainase 100% tersumbat"],
        "% is a character, not a wildcard"
    );
    assert!(find("10_%").await.is_empty());
    assert_eq!(find("   ").await.len(), 3, "blank is no filter");
    let long = "x".repeat(101);
    let v = app
        .gql(
            "query($q: String) { proposals(filter: {search: $q}) { nodes { id } } }",
            json!({ "q": long }),
            None,
        )
        .await;
    assert_eq!(error_code(&v).as_deref(), Some("VALIDATION"));
}

#[tokio::test]
async fn a_service_case_is_followed_by_its_tracking_code_and_shows_no_personal_data() {
    let app = spawn_app().await;
    let defs = app
        .gql("{ workflowDefinitions { name isLatest moduleApi startRoles startFields { name type required title values } } }", json!({}), None)
        .await;
    assert_ok(&defs);
    let all = defs["data"]["workflowDefinitions"].as_array().unwrap();
    let lapor = all.iter().find(|d| d["name"] == "lapor-complaint").unwrap();
    assert!(lapor["moduleApi"].is_null());
    let names: Vec<&str> = lapor["startFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["description", "category", "location", "photo"],
        "internal fields are not asked"
    );
    let category = lapor["startFields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "category")
        .unwrap();
    assert_eq!(category["type"], "enum");
    assert_eq!(category["title"], "Kategori");
    assert!(category["values"]
        .as_array()
        .unwrap()
        .contains(&json!("drainase")));
    let usulan = all
        .iter()
        .find(|d| d["name"] == "musrenbang-usulan")
        .unwrap();
    assert!(
        usulan["moduleApi"]
            .as_str()
            .is_some_and(|a| a.contains("createProposal")),
        "{usulan}"
    );

    let siti = app.login("warga.siti").await;
    let kel = app.region_id("35.99.01.1001").await;
    let v = app
        .gql(
            "mutation($r: ID!) { startCase(workflow: \"lapor-complaint\", regionId: $r, input: {description: \"Sampah menumpuk\", category: \"sampah\"}) { id trackingCode } }",
            json!({ "r": kel }),
            Some(&siti),
        )
        .await;
    assert_ok(&v);
    let code = v["data"]["startCase"]["trackingCode"]
        .as_str()
        .unwrap()
        .to_owned();
    let id = v["data"]["startCase"]["id"].as_str().unwrap();
    assert!(
        code.starts_with(&format!("{id}-")) && code.len() == id.len() + 9,
        "{code}"
    );
    let track = "query($c: String!) { trackCase(code: $c) { code workflowTitle state stateTitle isFinal steps { title stateTitle } } }";
    let t = app
        .gql(track, json!({ "c": code.to_lowercase() }), None)
        .await;
    assert_ok(&t);
    assert_eq!(t["data"]["trackCase"]["state"], "submitted");
    assert_eq!(
        t["data"]["trackCase"]["workflowTitle"],
        "Pengaduan warga (LAPOR)"
    );
    assert_eq!(t["data"]["trackCase"]["steps"][0]["title"], "Diajukan");
    assert!(
        !t.to_string().contains("Sampah menumpuk"),
        "no field of the case"
    );
    // A code for another id, a changed character, a proposal's case: all unknown.
    let other = format!(
        "{}-{}",
        id.parse::<i32>().unwrap() + 1,
        &code[id.len() + 1..]
    );
    let mut changed = code.clone();
    let last = changed.pop().unwrap();
    changed.push(if last == 'A' { 'B' } else { 'A' });
    for c in [other, changed, "nonsense".into(), "".into()] {
        let t = app.gql(track, json!({ "c": c }), None).await;
        assert_eq!(error_code(&t).as_deref(), Some("NOT_FOUND"), "{c}: {t}");
    }
    let cycle = create_cycle(&app).await;
    let p = propose(&app, &siti, &cycle.id, "Lampu", "1", "1000").await;
    let pid = p["data"]["createProposal"]["id"].as_str().unwrap();
    let case = app
        .gql(
            "query($id: ID!) { proposal(id: $id) { caseId } }",
            json!({ "id": pid }),
            Some(&siti),
        )
        .await;
    let case_id: i32 = case["data"]["proposal"]["caseId"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let module_code = mufakat_server::services::cases::tracking::code(&app.state, case_id);
    let t = app.gql(track, json!({ "c": module_code }), None).await;
    assert_eq!(
        error_code(&t).as_deref(),
        Some("NOT_FOUND"),
        "a module's case has its own pages"
    );
}

/// The situation room's procurement figures: public packages by stage in a region and below,
/// drafts left out, for anyone.
#[tokio::test]
async fn procurement_stages_count_the_public_packages_of_a_region() {
    use crate::procurement::{opd_line, package, package_action};
    let app = spawn_app().await;
    let line = opd_line(&app, "900000000").await;
    let opd = app.login("opd.dinaspu").await;
    let a = package(&app, &opd, &line, "150000000", "150000000", "", None, None).await;
    let a = a["data"]["createPackage"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ok(&package_action(&app, &opd, &a, "ANNOUNCE", None).await);
    package(&app, &opd, &line, "90000000", "90000000", "", None, None).await; // a draft
    let q =
        "query($r: ID!) { procurementStages(regionId: $r) { status statusTitle packages pagu } }";
    let kota = app.region_id("35.99").await;
    let v = app.gql(q, json!({ "r": kota }), None).await;
    assert_ok(&v);
    let stages = v["data"]["procurementStages"].as_array().unwrap();
    let names: Vec<&str> = stages
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["announced", "in_selection", "contracted", "completed"]
    );
    assert_eq!(stages[0]["packages"], 1, "the draft is not public: {v}");
    assert_eq!(stages[0]["pagu"], "150000000");
    assert!(!stages[0]["statusTitle"].as_str().unwrap().is_empty());
    // The packages are the kota's: a kecamatan below holds none.
    let kec = app.region_id("35.99.01").await;
    let v = app.gql(q, json!({ "r": kec }), None).await;
    assert!(
        v["data"]["procurementStages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["packages"] == 0),
        "{v}"
    );
}

#[tokio::test]
async fn the_register_and_service_level_pages_show_what_services_publish() {
    use crate::web::Visitor;
    let app = spawn_app().await;
    let mut v = Visitor::new(&app);
    // A PPID request, refused: the register shows it without who asked or why.
    let warga = app.login("warga.siti").await;
    let kel = app.region_id("35.99.01.1001").await;
    let c = app
        .gql(crate::public_services::START, json!({ "w": "ppid-permohonan", "r": kel, "i": { "information": "Daftar gaji pegawai", "purpose": "Mengawasi pembangunan di lingkungan", "form": "salinan_elektronik", "delivery": "email" } }), Some(&warga))
        .await;
    let id = c["data"]["startCase"]["id"].as_str().unwrap().to_owned();
    let ppid = app.login("ppid").await;
    assert_ok(
        &crate::public_services::fire(
            &app,
            &ppid,
            &id,
            "refuse",
            json!({ "exemption": "Pasal 17 huruf h" }),
            None,
        )
        .await,
    );
    let p = v.get("/services/ppid-permohonan/register").await;
    assert_eq!(p.status, 200);
    assert!(
        p.has("id=\"register\"") && p.has("Ditolak") && p.has("Pasal 17 huruf h"),
        "{}",
        p.body
    );
    assert!(
        !p.has("Mengawasi pembangunan") && !p.has("Siti"),
        "{}",
        p.body
    );
    assert_eq!(
        v.get("/services/lapor-complaint/register").await.status,
        404
    );
    // This year's service levels, per service and OPD; a reversed period is refused.
    let p = v.get("/services/levels").await;
    assert_eq!(p.status, 200);
    assert!(
        p.has("id=\"service-levels\"") && p.has("Permohonan informasi publik (PPID)"),
        "{}",
        p.body
    );
    assert!(
        !p.has("/reports/service-levels"),
        "no PDF link for visitors"
    );
    let p = v
        .get("/services/levels?from=2026-12-31&to=2026-01-01")
        .await;
    assert_eq!(p.status, 400);
    assert!(p.has("data-code=\"VALIDATION\""), "{}", p.body);
    // Signed in as staff, the PDF link works with the session cookie alone.
    let token = v.get("/login").await.csrf();
    let ok = v
        .post(
            "/login",
            &token,
            &[
                ("username", "bappeda"),
                ("password", DEMO_PASSWORD),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let p = v.get("/services/levels").await;
    let at = p
        .body
        .find("/reports/service-levels")
        .expect("the PDF link");
    let href = p.body[at..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    let cookie = format!("mufakat_session={}", v.cookies["mufakat_session"]);
    let pdf = app
        .client
        .get(app.url(&href))
        .header("cookie", cookie.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), 200);
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));
    // GraphQL never takes the cookie: it would let other sites act for the user.
    let v2 = app
        .client
        .post(app.url("/graphql"))
        .header("cookie", cookie)
        .json(&json!({ "query": "{ me { username } }" }))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(v2["data"]["me"], Value::Null, "{v2}");
}

#[tokio::test]
async fn a_resident_sets_a_new_password_with_the_offices_code_on_the_reset_page() {
    use crate::web::Visitor;
    let app = spawn_app().await;
    // The kelurahan officer issues the code on the office page.
    let mut office = Visitor::new(&app);
    let token = office.get("/login").await.csrf();
    let ok = office
        .post(
            "/login",
            &token,
            &[
                ("username", "lurah.mekarsari"),
                ("password", DEMO_PASSWORD),
                ("next", "/me"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303);
    assert!(office
        .get("/me")
        .await
        .has("href=\"/office/recovery-code\""));
    let p = office
        .submit(
            "/office/recovery-code",
            "/office/recovery-code",
            &[("username", "warga.siti")],
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    let at = p
        .body
        .find("id=\"recovery-code\"")
        .expect("the code is shown");
    let code = p.body[at..]
        .split('>')
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(code.len(), 11, "{code}");
    // A staff account: admins only, and the page says so.
    let p = office
        .submit(
            "/office/recovery-code",
            "/office/recovery-code",
            &[("username", "admin")],
        )
        .await;
    assert_eq!(p.status, 403, "{}", p.body);
    let mut visitor = Visitor::new(&app);
    assert!(
        visitor.get("/login").await.has("href=\"/reset\""),
        "the login page links to it"
    );
    // A code by e-mail: the page says the same whether or not the account has an address.
    let p = visitor
        .submit("/reset", "/reset/email", &[("mail_username", "warga.siti")])
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(
        p.has("Bila akun ini mempunyai alamat e-mail") && p.has("value=\"warga.siti\""),
        "{}",
        p.body
    );
    // A wrong code keeps what was typed and names the field.
    let p = visitor
        .submit(
            "/reset",
            "/reset",
            &[
                ("username", "warga.siti"),
                ("code", "ZZZZZ-ZZZZZ"),
                ("new", "kata-sandi-baru-123"),
            ],
        )
        .await;
    assert_eq!(p.status, 400, "{}", p.body);
    assert!(
        p.has("kantor kelurahan") && p.has("value=\"ZZZZZ-ZZZZZ\""),
        "{}",
        p.body
    );
    let p = visitor
        .submit(
            "/reset",
            "/reset",
            &[
                ("username", "warga.siti"),
                ("code", &code),
                ("new", "kata-sandi-baru-123"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(p.location.as_deref(), Some("/login?reset=1"));
    assert!(visitor
        .get("/login?reset=1")
        .await
        .has("Kata sandi baru sudah diatur"));
    assert!(app
        .try_login("warga.siti", "kata-sandi-baru-123")
        .await
        .is_ok());
}

#[tokio::test]
async fn a_resident_gives_an_e_mail_address_on_the_account_page() {
    use crate::web::Visitor;
    let app = spawn_app().await;
    let mut v = Visitor::new(&app);
    let token = v.get("/login").await.csrf();
    let ok = v
        .post(
            "/login",
            &token,
            &[
                ("username", "warga.siti"),
                ("password", DEMO_PASSWORD),
                ("next", "/me"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303);
    assert!(v.get("/me").await.has("action=\"/me/email\""));
    let p = v
        .submit("/me", "/me/email", &[("email", "siti-at-contoh")])
        .await;
    assert_eq!(p.status, 400, "{}", p.body);
    assert!(
        p.has("value=\"siti-at-contoh\"") && p.has("Alamat surel tidak valid"),
        "{}",
        p.body
    );
    let p = v
        .submit("/me", "/me/email", &[("email", "siti@contoh.id")])
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert!(v.get("/me?email=1").await.has("value=\"siti@contoh.id\""));
    let p = v.submit("/me", "/me/email", &[("email", "")]).await;
    assert_eq!(p.status, 303);
    assert!(!v.get("/me").await.has("siti@contoh.id"), "removed");
}
