//! The web app through HTTP as a browser uses it: pages, forms with their CSRF tokens, the
//! session cookie, languages, compression and GraphiQL's local assets. (The same journeys in a
//! real browser, with accessibility and budgets, are in tests/browser.)

use std::collections::BTreeMap;

use serde_json::json;

use crate::helpers::*;
use crate::musrenbang::{create_cycle, phase_after};

/// A browser without a browser: cookies kept, redirects not followed, forms posted with the
/// page's CSRF token.
pub struct Visitor<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
    pub cookies: BTreeMap<String, String>,
    pub lang: Option<&'static str>,
}

pub struct Page {
    pub status: u16,
    pub body: String,
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
}

impl Page {
    /// The value of the first hidden `csrf` field.
    pub fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\" value=\"")
            .expect("a form with a CSRF token")
            + "name=\"csrf\" value=\"".len();
        self.body[at..at + 64].to_owned()
    }
    pub fn has(&self, text: &str) -> bool {
        self.body.contains(text)
    }
}

impl<'a> Visitor<'a> {
    pub fn new(app: &'a TestApp) -> Visitor<'a> {
        Visitor {
            app,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: BTreeMap::new(),
            lang: None,
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let mut req = req.header("cookie", self.cookie_header());
        if let Some(l) = self.lang {
            req = req.header("accept-language", l);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status().as_u16();
        let location = resp
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        let set_cookies: Vec<String> = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        for c in &set_cookies {
            let pair = c.split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            if v.is_empty() || c.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), v.to_owned());
            }
        }
        Page {
            status,
            body: resp.text().await.unwrap_or_default(),
            location,
            set_cookies,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let req = self.client.get(self.app.url(path));
        self.send(req).await
    }

    /// Logs in through the login form as a demo account.
    pub async fn log_in(&mut self, username: &str) {
        let p = self
            .submit(
                "/login",
                "/login",
                &[
                    ("username", username),
                    ("password", DEMO_PASSWORD),
                    ("next", "/me"),
                ],
            )
            .await;
        assert_eq!(p.status, 303, "logging in as {username}: {}", p.body);
    }

    /// Posts a form as the page `from` would: with that page's CSRF token.
    pub async fn submit(&mut self, from: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.get(from).await.csrf();
        self.post(action, &token, fields).await
    }

    pub async fn post(&mut self, action: &str, token: &str, fields: &[(&str, &str)]) -> Page {
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf", token));
        let req = self.client.post(self.app.url(action)).form(&form);
        self.send(req).await
    }
}

#[tokio::test]
async fn public_pages_answer_without_an_account_with_security_headers() {
    let app = spawn_app().await;
    let cycle = create_cycle(&app).await;
    let kota = app.region_id("35.99").await;
    let mut v = Visitor::new(&app);
    for path in [
        "/".to_owned(),
        "/proposals".into(),
        "/proposals?q=jalan&sort=votes".into(),
        "/priorities".into(),
        "/public".into(),
        "/services".into(),
        "/login".into(),
        "/register".into(),
        "/receipt".into(),
        "/track".into(),
        "/services/levels".into(),
        "/reset".into(),
        "/services/ppid-permohonan/register".into(),
        format!("/cycles/{}", cycle.id),
        format!("/regions/{kota}"),
        format!("/situation/{kota}"),
    ] {
        let p = v.get(&path).await;
        assert_eq!(p.status, 200, "{path}: {}", p.body);
        assert!(p.has("<html lang=\"id\""), "{path}");
        assert!(p.has("<main id=\"main\""), "{path}");
    }
    let room = v.get(&format!("/situation/{kota}")).await;
    assert!(
        room.has("data-live=") && room.has("data-stage=\"announced\""),
        "{}",
        room.body
    );
    let public = v.get("/public").await;
    assert!(public.has("/monev/quarterly.pdf") && public.has("/ocds/releases.json"));
    let part = v.get(&format!("/situation/{kota}?part=monev")).await;
    assert_eq!(part.status, 200);
    assert!(
        !part.has("<html"),
        "the part the live page re-reads is a fragment"
    );
    let resp = app.client.get(app.url("/")).send().await.unwrap();
    let csp = resp.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
    // A page that does not exist, and an id that is not one.
    assert_eq!(v.get("/proposals/999999").await.status, 404);
    assert_eq!(v.get("/proposals/abc").await.status, 404);
    assert_eq!(v.get("/nowhere").await.status, 404);
}

#[tokio::test]
async fn every_form_needs_its_csrf_token_from_this_site() {
    let app = spawn_app().await;
    let mut v = Visitor::new(&app);
    let page = v.get("/login").await;
    let token = page.csrf();
    let fields = [
        ("username", "warga.siti"),
        ("password", DEMO_PASSWORD),
        ("next", "/me"),
    ];
    // No token, a wrong token, a token without its cookie, another site's origin: refused.
    let mut no_token = app
        .client
        .post(app.url("/login"))
        .header(
            "cookie",
            format!("mufakat_csrf={}", v.cookies["mufakat_csrf"]),
        )
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), 403);
    let body = no_token.text().await.unwrap();
    assert!(body.contains("data-code=\"CSRF\""), "{body}");
    no_token = app
        .client
        .post(app.url("/login"))
        .form(&[
            ("username", "warga.siti"),
            ("password", DEMO_PASSWORD),
            ("csrf", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), 403, "a token without its cookie");
    let wrong = "0".repeat(64);
    assert_eq!(v.post("/login", &wrong, &fields).await.status, 403);
    let foreign = app
        .client
        .post(app.url("/login"))
        .header(
            "cookie",
            format!("mufakat_csrf={}", v.cookies["mufakat_csrf"]),
        )
        .header("origin", "https://evil.example")
        .form(&[
            ("username", "warga.siti"),
            ("password", DEMO_PASSWORD),
            ("csrf", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403, "another site's form");
    assert!(!v.cookies.contains_key("mufakat_session"));
    // With it: logged in, sent on to `next`.
    let ok = v.post("/login", &token, &fields).await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(ok.location.as_deref(), Some("/me"));
    let session = ok
        .set_cookies
        .iter()
        .find(|c| c.starts_with("mufakat_session="))
        .expect("a session cookie");
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Lax"),
        "{session}"
    );
    assert!(
        !session.contains("Secure"),
        "plain HTTP without a TLS proxy"
    );
    assert!(v.get("/me").await.has("warga.siti"));
    // The logout form is a form like the others.
    let out = v.submit("/me", "/logout", &[]).await;
    assert_eq!(out.status, 303);
    assert!(!v.cookies.contains_key("mufakat_session"));
    assert_eq!(v.get("/me").await.status, 303, "to the login page");
}

#[tokio::test]
async fn cookies_are_secure_behind_a_tls_proxy_and_when_configured() {
    let app = spawn_app_with(Options {
        tweak: |s| s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()],
        ..Options::default()
    })
    .await;
    let resp = app
        .client
        .get(app.url("/login"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    let c = resp.headers()["set-cookie"].to_str().unwrap();
    assert!(
        c.starts_with("mufakat_csrf=") && c.contains("; Secure"),
        "{c}"
    );
    let app = spawn_app_with(Options {
        tweak: |s| s.secure_cookies = true,
        ..Options::default()
    })
    .await;
    let resp = app.client.get(app.url("/login")).send().await.unwrap();
    assert!(resp.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("; Secure"));
}

#[tokio::test]
async fn a_wrong_password_keeps_the_username_and_repeated_failures_are_limited() {
    let app = spawn_app_with(Options {
        tweak: |s| s.login_max_failures = 3,
        ..Options::default()
    })
    .await;
    let mut v = Visitor::new(&app);
    let token = v.get("/login").await.csrf();
    for _ in 0..3 {
        let p = v
            .post(
                "/login",
                &token,
                &[("username", "warga.siti"), ("password", "salah-sekali")],
            )
            .await;
        assert_eq!(p.status, 401, "{}", p.body);
        assert!(
            p.has("value=\"warga.siti\""),
            "the username stays in the form"
        );
        assert!(p.has("data-code=\"UNAUTHENTICATED\""));
    }
    let p = v
        .post(
            "/login",
            &token,
            &[("username", "warga.siti"), ("password", DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(
        p.status, 429,
        "the API's limit holds for the page too: {}",
        p.body
    );
    assert!(p.has("data-code=\"RATE_LIMITED\""));
}

#[tokio::test]
async fn languages_follow_the_switch_then_accept_language() {
    let app = spawn_app().await;
    let mut v = Visitor::new(&app);
    v.lang = Some("en-US,en;q=0.9");
    let p = v.get("/proposals").await;
    assert!(p.has("<html lang=\"en\"") && p.has("Residents' proposals"));
    let p = v.get("/lang/id?next=/proposals").await;
    assert_eq!(p.status, 303);
    assert_eq!(p.location.as_deref(), Some("/proposals"));
    let p = v.get("/proposals").await;
    assert!(
        p.has("<html lang=\"id\"") && p.has("Usulan warga"),
        "the switch wins"
    );
    // Only a path of this site as `next`.
    let p = v.get("/lang/en?next=//evil.example/").await;
    assert_eq!(p.location.as_deref(), Some("/"));
}

#[tokio::test]
async fn pages_are_compressed_and_graphiql_needs_no_internet() {
    let app = spawn_app().await;
    let resp = app
        .client
        .get(app.url("/proposals"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-encoding"], "gzip");
    let page = app
        .client
        .get(app.url("/graphql"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "{page}"
    );
    for asset in [
        "graphiql.min.js",
        "graphiql.min.css",
        "react.production.min.js",
        "react-dom.production.min.js",
        "graphiql-init.js",
    ] {
        assert!(page.contains(asset), "{asset}");
        let r = app
            .client
            .get(app.url(&format!("/assets/graphiql/{asset}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{asset}");
    }
    let css = app
        .client
        .get(app.url("/assets/app.css?v=0"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), 200);
    assert_eq!(
        app.client
            .get(app.url("/assets/nothing.js"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

/// A resident's journey through the pages: register, write a draft, fix it after a refusal
/// that kept what was typed, edit, submit, vote with the votes left shown, read the receipt,
/// withdraw, comment, and follow a complaint by its tracking code.
#[tokio::test]
async fn a_resident_registers_proposes_votes_and_follows_a_complaint() {
    let app = spawn_app().await;
    let cycle = create_cycle(&app).await;
    let mekarsari = app.region_id("35.99.01.1001").await;
    let mut v = Visitor::new(&app);
    let p = v
        .submit(
            "/register",
            "/register",
            &[
                ("name", "Rina Web"),
                ("username", "rina.web"),
                ("nik", "3599010101900042"),
                ("kelurahanId", &mekarsari),
                ("password", "kata-sandi-rina"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert!(v.get("/me?welcome=1").await.has("Rina Web"));

    // A refused draft keeps every field.
    let form = |title: &'static str| {
        vec![
            ("cycle", cycle.id.clone()),
            ("title", title.to_owned()),
            ("description", "Jalan berlubang di depan sekolah".to_owned()),
            ("category", "infrastruktur".to_owned()),
            ("rtRw", "02/03".to_owned()),
            ("volume", "120".to_owned()),
            ("unit", "m".to_owned()),
            ("unitPrice", "150000".to_owned()),
        ]
    };
    let fields = |f: &Vec<(&'static str, String)>| {
        f.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>()
    };
    let as_refs = |f: &Vec<(&'static str, String)>| -> Vec<(&'static str, String)> { fields(f) };
    let bad = as_refs(&form(""));
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = v.submit("/proposals/new", "/proposals/new", &bad).await;
    assert_eq!(p.status, 400, "{}", p.body);
    assert!(p.has("id=\"f-title-err\""), "the title's message beside it");
    assert!(
        p.has("Jalan berlubang di depan sekolah") && p.has("value=\"150000\""),
        "nothing typed is lost"
    );
    let good = as_refs(&form("Perbaikan jalan depan SD"));
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = v.submit("/proposals/new", "/proposals/new", &good).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let page = p.location.unwrap();
    let id = page.trim_start_matches("/proposals/").to_owned();
    let draft = v.get(&page).await;
    assert!(draft.has("Perbaikan jalan depan SD") && draft.has("Rp 18.000.000"));
    // Others do not see a draft.
    assert_eq!(Visitor::new(&app).get(&page).await.status, 404);

    let edited = as_refs(&form("Perbaikan jalan depan SD Negeri 3"));
    let edited: Vec<(&str, &str)> = edited.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = v
        .submit(&format!("{page}/edit"), &format!("{page}/edit"), &edited)
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = v.submit(&page, &format!("{page}/submit"), &[]).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let shown = v.get(&page).await;
    assert!(
        shown.has("SD Negeri 3") && shown.has("Ubah draf") && shown.has("Diajukan"),
        "the history names the edit"
    );
    assert_eq!(
        v.get(&format!("{page}/edit")).await.status,
        409,
        "a submitted proposal is not edited"
    );

    // Voting.
    assert_eq!(phase_after(&app, &cycle, 10).await, "voting");
    let before = v.get(&page).await;
    assert!(
        before.has("id=\"votes-left\"") && before.body.contains("<strong>2</strong>"),
        "{}",
        before.body
    );
    let p = v.submit(&page, &format!("{page}/vote"), &[]).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.has("id=\"receipt\""));
    let at = p.body.find("id=\"receipt\">").unwrap() + "id=\"receipt\">".len();
    let receipt = p.body[at..].split('<').next().unwrap().to_owned();
    assert!(p.body.contains("<strong>1</strong>"), "one vote left");
    let check = v.get(&format!("/receipt?r={receipt}")).await;
    assert!(check.has("Ditemukan."), "{}", check.body);
    let p = v.submit(&page, &format!("{page}/unvote"), &[]).await;
    assert!(p.has("Suara Anda ditarik.") && p.body.contains("<strong>2</strong>"));
    let p = v
        .submit(
            &page,
            &format!("{page}/comments"),
            &[("body", "Sangat perlu, anak-anak lewat sini.")],
        )
        .await;
    assert_eq!(p.status, 303);
    let shown = v.get(&page).await;
    assert!(shown.has("anak-anak lewat sini"));
    let at = shown
        .body
        .find(&format!("{page}/comments/"))
        .expect("a report button");
    let report = shown.body[at..].split('"').next().unwrap().to_owned();
    let p = v.post(&report, &shown.csrf(), &[]).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.has("moderator akan memeriksa"));
    assert!(v.get("/me/proposals").await.has("SD Negeri 3"));
    let _ = id;

    // A complaint from its generated form, followed by its code without an account.
    let form = v.get("/services/lapor-complaint/new").await;
    assert!(
        form.has("name=\"description\"") && form.has("<option value=\"drainase\">"),
        "{}",
        form.body
    );
    assert!(!form.has("name=\"opd\""), "internal fields are not asked");
    let p = v
        .post(
            "/services/lapor-complaint/new",
            &form.csrf(),
            &[
                ("description", "Saluran air meluap setiap hujan"),
                ("category", "drainase"),
                ("location", "RT 02/03"),
            ],
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    let at = p.body.find("id=\"tracking-code\"").unwrap();
    let code = p.body[at..]
        .split('>')
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    let tracked = Visitor::new(&app).get(&format!("/track?code={code}")).await;
    assert_eq!(tracked.status, 200);
    assert!(
        tracked.has("Pengaduan warga (LAPOR)") && tracked.has("Diajukan"),
        "{}",
        tracked.body
    );
    assert!(!tracked.has("meluap"), "the tracking page shows no field");
    // The code with its last character changed (to one it is not).
    let last = if code.ends_with('X') { 'Y' } else { 'X' };
    let wrong = Visitor::new(&app)
        .get(&format!("/track?code={}{last}", &code[..code.len() - 1]))
        .await;
    assert_eq!(wrong.status, 404);

    // The refused complaint keeps its text.
    let p = v
        .submit(
            "/services/lapor-complaint/new",
            "/services/lapor-complaint/new",
            &[("description", "Tanpa kategori"), ("category", "")],
        )
        .await;
    assert_eq!(p.status, 400, "{}", p.body);
    assert!(p.has("Tanpa kategori"));
    let _ = json!({});
}

#[tokio::test]
async fn changing_the_password_through_the_page_ends_other_sessions() {
    let app = spawn_app().await;
    let other = app.login("warga.siti").await;
    let mut v = Visitor::new(&app);
    let p = v
        .submit(
            "/login",
            "/login",
            &[("username", "warga.siti"), ("password", DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(p.status, 303);
    let p = v
        .submit(
            "/me/password",
            "/me/password",
            &[
                ("current", "bukan-ini-123"),
                ("new", "sandi-baru-yang-panjang"),
            ],
        )
        .await;
    assert_eq!(p.status, 400);
    assert!(p.has("id=\"f-current-err\""), "{}", p.body);
    let p = v
        .submit(
            "/me/password",
            "/me/password",
            &[
                ("current", DEMO_PASSWORD),
                ("new", "sandi-baru-yang-panjang"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert!(
        v.get("/me?password=1").await.has("Kata sandi diganti."),
        "this browser stays in"
    );
    let me = app
        .gql("{ me { username } }", json!({}), Some(&other))
        .await;
    assert_eq!(
        error_code(&me).as_deref(),
        Some("UNAUTHENTICATED"),
        "the other session ended"
    );
    assert!(app
        .try_login("warga.siti", "sandi-baru-yang-panjang")
        .await
        .is_ok());
}
