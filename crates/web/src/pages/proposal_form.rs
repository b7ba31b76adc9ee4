//! Writing a proposal: a new draft, and editing it until it is submitted. What was entered
//! stays in the form when the API refuses it, with each field's message beside the field.

use std::collections::HashMap;

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::home::{cycles, Cycle};
use super::{login_first, opt, see_other, val, FormData};
use crate::api::Failure;
use crate::ctx::Ctx;
use crate::layout::{csrf_field, failure, field, form_errors, page_with, select, Field};

const FIELDS: [&str; 10] = [
    "title",
    "description",
    "category",
    "rtRw",
    "latitude",
    "longitude",
    "volume",
    "unit",
    "unitPrice",
    "targetOpd",
];

async fn form_page(
    ctx: &Ctx,
    cycle: &Cycle,
    action: &str,
    form: &HashMap<String, String>,
    refused: Option<&Failure>,
    editing: bool,
) -> Response {
    let title = if editing {
        ctx.t("Ubah draf usulan", "Edit the draft proposal")
    } else {
        ctx.t("Usulan baru", "New proposal")
    };
    let mut categories: Vec<(String, String)> = cycle
        .categories
        .iter()
        .map(|c| (c.clone(), c.clone()))
        .collect();
    categories.insert(
        0,
        (
            String::new(),
            ctx.t("— pilih bidang —", "— choose a category —")
                .to_owned(),
        ),
    );
    let f = refused;
    let opds = opd_options(ctx, cycle).await;
    page_with(
        ctx,
        if refused.is_some() {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        },
        title,
        html! {
            h1 { (title) }
            p class="muted" { (cycle.name) }
            (form_errors(ctx, refused))
            form method="post" action=(action) novalidate {
                (csrf_field(ctx))
                input type="hidden" name="cycle" value=(cycle.id);
                (field(Field::new("title", ctx.t("Judul usulan", "Title"), val(form, "title")).required().error(f, "title")
                    .hint(ctx.t("Contoh: Perbaikan drainase Jl. Melati RT 03", "For example: Repair the drain on Jl. Melati, RT 03"))))
                (field(Field::new("description", ctx.t("Uraian kondisi dan manfaat", "Current condition and benefit"), val(form, "description")).kind("textarea").required().error(f, "description")))
                (select("category", ctx.t("Bidang", "Category"), &categories, val(form, "category"), f.and_then(|f| f.field("category"))))
                fieldset {
                    legend { (ctx.t("Lokasi", "Location")) }
                    (field(Field::new("rtRw", "RT/RW", val(form, "rtRw")).error(f, "rtRw").hint(ctx.t("Contoh: 003/005", "For example: 003/005"))))
                    div class="row" {
                        (field(Field::new("latitude", ctx.t("Lintang", "Latitude"), val(form, "latitude")).error(f, "latitude").extra("off|decimal")))
                        (field(Field::new("longitude", ctx.t("Bujur", "Longitude"), val(form, "longitude")).error(f, "longitude").extra("off|decimal")))
                    }
                    p { button type="button" id="locate" class="secondary" hidden { (ctx.t("Gunakan lokasi saya", "Use my location")) } }
                    p class="hint" { (ctx.t("Koordinat boleh dikosongkan. Tombol di atas mengisinya dari lokasi ponsel Anda, tanpa internet.",
                                              "Coordinates are optional. The button fills them from your phone's location, without internet.")) }
                }
                fieldset {
                    legend { (ctx.t("Perkiraan biaya", "Estimated cost")) }
                    div class="row" {
                        (field(Field::new("volume", ctx.t("Volume", "Volume"), val(form, "volume")).required().error(f, "volume").extra("off|decimal")))
                        (field(Field::new("unit", ctx.t("Satuan", "Unit"), val(form, "unit")).required().error(f, "unit").hint(ctx.t("m, m², unit, paket…", "m, m², unit, package…"))))
                        (field(Field::new("unitPrice", ctx.t("Harga satuan (Rp)", "Unit price (Rp)"), val(form, "unitPrice")).required().error(f, "unitPrice").extra("off|numeric")))
                    }
                }
                @if opds.len() > 1 {
                    (select("targetOpd", ctx.t("OPD tujuan (bila tahu)", "Agency (if you know it)"), &opds, val(form, "targetOpd"), f.and_then(|f| f.field("targetOpd"))))
                } @else {
                    (field(Field::new("targetOpd", ctx.t("OPD tujuan (bila tahu)", "Agency (if you know it)"), val(form, "targetOpd")).error(f, "targetOpd")))
                }
                button type="submit" { (if editing { ctx.t("Simpan draf", "Save the draft") } else { ctx.t("Simpan sebagai draf", "Save as a draft") }) }
            }
        },
        "",
    )
}

/// The OPDs serving the cycle's region, to choose from (code, "CODE — name"), after a "don't
/// know" choice; only that choice where the region lists none (the field is then free text).
async fn opd_options(ctx: &Ctx, cycle: &Cycle) -> Vec<(String, String)> {
    #[derive(Deserialize)]
    struct Opd {
        code: String,
        name: String,
        active: bool,
    }
    #[derive(Deserialize)]
    struct R {
        opds: Vec<Opd>,
    }
    let mut out = vec![(
        String::new(),
        ctx.t("— tidak tahu —", "— don't know —").to_owned(),
    )];
    let Some(region) = &cycle.region else {
        return out;
    };
    let listed = ctx
        .api::<R>(
            "query($r: ID!) { opds(regionId: $r) { code name active } }",
            json!({ "r": region.id }),
        )
        .await
        .map(|r| r.opds)
        .unwrap_or_default();
    out.extend(
        listed
            .into_iter()
            .filter(|o| o.active)
            .map(|o| (o.code.clone(), format!("{} — {}", o.code, o.name))),
    );
    out
}

/// The fields as the API takes them: numbers as strings (Decimal), empty optional ones null.
fn input(form: &HashMap<String, String>) -> Map<String, Value> {
    let mut m = Map::new();
    for k in ["title", "description", "category", "unit"] {
        m.insert(k.into(), json!(val(form, k)));
    }
    for k in ["rtRw", "latitude", "longitude", "targetOpd"] {
        m.insert(k.into(), opt(form, k));
    }
    for k in ["volume", "unitPrice"] {
        // An empty number is the API's own error ("required"), not a parse failure here.
        m.insert(
            k.into(),
            json!(match val(form, k) {
                "" => "0",
                v => v,
            }
            .replace(',', ".")),
        );
    }
    m
}

/// The cycle in which a proposal in `status` may be edited: a draft while proposals are filed,
/// one returned for revision until the kelurahan decides.
async fn editable_cycle(ctx: &Ctx, wanted: Option<&str>, status: &str) -> Option<Cycle> {
    let phases: &[&str] = match status {
        "draft" => &["submission"],
        "revision" => &["submission", "voting", "kelurahan_deliberation"],
        _ => &[],
    };
    cycles(ctx)
        .await
        .into_iter()
        .filter(|c| phases.contains(&c.phase.as_str()))
        .find(|c| wanted.is_none_or(|w| w == c.id))
}

/// The cycle that takes new drafts now.
async fn open_cycle(ctx: &Ctx, wanted: Option<&str>) -> Option<Cycle> {
    editable_cycle(ctx, wanted, "draft").await
}

pub async fn new_form(ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> Response {
    if ctx.user.is_none() {
        return login_first(&ctx);
    }
    match open_cycle(&ctx, q.get("cycle").map(String::as_str)).await {
        Some(c) => form_page(&ctx, &c, "/proposals/new", &HashMap::new(), None, false).await,
        None => failure(&ctx, &Failure::new("CONFLICT", ctx.t(
            "Saat ini tidak ada siklus yang menerima usulan. Lihat jadwal tahapan di beranda.",
            "No cycle takes proposals now. See the phases' dates on the home page."))),
    }
}

pub async fn create(ctx: Ctx, axum::Form(form): FormData) -> Response {
    if ctx.user.is_none() {
        return login_first(&ctx);
    }
    let Some(cycle) = open_cycle(&ctx, form.get("cycle").map(String::as_str)).await else {
        return failure(
            &ctx,
            &Failure::new(
                "CONFLICT",
                ctx.t(
                    "Tahap pengajuan usulan sudah ditutup.",
                    "The proposal phase has closed.",
                ),
            ),
        );
    };
    let mut i = input(&form);
    i.insert("cycleId".into(), json!(cycle.id));
    let r = ctx
        .api::<Value>(
            "mutation($i: CreateProposalInput!) { createProposal(input: $i) { id } }",
            json!({ "i": i }),
        )
        .await;
    match r {
        Ok(v) => see_other(
            &ctx,
            &format!(
                "/proposals/{}",
                v["createProposal"]["id"].as_str().unwrap_or("")
            ),
        ),
        Err(f) => form_page(&ctx, &cycle, "/proposals/new", &form, Some(&f), false).await,
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Draft {
    title: String,
    description: String,
    category: String,
    rt_rw: Option<String>,
    latitude: Option<String>,
    longitude: Option<String>,
    volume: String,
    unit: String,
    unit_price: String,
    target_opd: Option<String>,
    status: String,
    cycle: Option<super::home::Named>,
}

async fn draft(ctx: &Ctx, id: &str) -> Result<Draft, Failure> {
    #[derive(Deserialize)]
    struct R {
        proposal: Draft,
    }
    ctx.api::<R>(
        "query($id: ID!) { proposal(id: $id) { title description category rtRw latitude longitude volume unit unitPrice targetOpd status cycle { id name } } }",
        json!({ "id": id }),
    )
    .await
    .map(|r| r.proposal)
}

pub async fn edit_form(ctx: Ctx, Path(id): Path<String>) -> Response {
    if ctx.user.is_none() {
        return login_first(&ctx);
    }
    let d = match draft(&ctx, &id).await {
        Ok(d) => d,
        Err(f) => return failure(&ctx, &f),
    };
    let Some(cycle) =
        editable_cycle(&ctx, d.cycle.as_ref().map(|c| c.id.as_str()), &d.status).await
    else {
        return failure(
            &ctx,
            &Failure::new(
                "CONFLICT",
                ctx.t(
                    "Hanya draf di tahap pengajuan, atau usulan yang dikembalikan untuk diperbaiki, yang dapat diubah.",
                    "Only a draft in the proposal phase, or a proposal returned for revision, can be edited.",
                ),
            ),
        );
    };
    let form: HashMap<String, String> = FIELDS
        .iter()
        .zip([
            Some(d.title),
            Some(d.description),
            Some(d.category),
            d.rt_rw,
            d.latitude,
            d.longitude,
            Some(d.volume),
            Some(d.unit),
            Some(d.unit_price),
            d.target_opd,
        ])
        .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
        .collect();
    form_page(
        &ctx,
        &cycle,
        &format!("/proposals/{id}/edit"),
        &form,
        None,
        true,
    )
    .await
}

pub async fn update(ctx: Ctx, Path(id): Path<String>, axum::Form(form): FormData) -> Response {
    if ctx.user.is_none() {
        return login_first(&ctx);
    }
    let r = ctx
        .api::<Value>(
            "mutation($id: ID!, $i: EditProposalInput!) { editProposal(proposalId: $id, input: $i) { id } }",
            json!({ "id": id, "i": input(&form) }),
        )
        .await;
    match r {
        Ok(_) => see_other(&ctx, &format!("/proposals/{id}")),
        Err(f) => match editable_cycle(
            &ctx,
            form.get("cycle").map(String::as_str),
            match draft(&ctx, &id).await {
                Ok(d) => d.status,
                Err(_) => String::new(),
            }
            .as_str(),
        )
        .await
        {
            Some(cycle) => {
                form_page(
                    &ctx,
                    &cycle,
                    &format!("/proposals/{id}/edit"),
                    &form,
                    Some(&f),
                    true,
                )
                .await
            }
            None => failure(&ctx, &f),
        },
    }
}
