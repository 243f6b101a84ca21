//! The record page: a visit with its answers (labelled from its form), photos, GPS on a map, quality flags, open
//! conflicts (with a button per value to keep it), the history of who changed what, its reviews and the review
//! form (approve / return with comments, also on one question / reject).
//! Producers and products show their fields, map, conflicts and history the same way.

use std::fmt::Write as _;

use ocop_core::forms::{Answer, Form, Question};
use ocop_core::gps::LatLon;
use ocop_core::ids::RecordId;
use ocop_core::records::{Producer, Product, Visit};
use ocop_core::store::Store;

use super::Ctx;
use super::html::{MapLayers, attr, esc, map_svg, qs, time};
use super::i18n::{Lang, t};
use crate::error::{HubError, Result};

/// A record as the page shows it.
pub enum Record {
    /// A visit.
    Visit(Box<Visit>),
    /// A producer.
    Producer(Box<Producer>),
    /// A product.
    Product(Box<Product>),
}

impl Record {
    /// The record's province and commune codes.
    pub fn place(&self) -> (&str, &str) {
        match self {
            Record::Visit(v) => (&v.province.code, &v.commune.code),
            Record::Producer(p) => (&p.address.province.code, &p.address.commune.code),
            Record::Product(p) => (&p.province.code, &p.commune.code),
        }
    }
}

/// Loads record `id` from the read model, if it is a visit, producer or product in `ctx`'s scope.
pub fn load(ctx: &Ctx<'_>, id: RecordId) -> Result<Record> {
    let store = ctx.hub.read_model()?.store();
    let record = if let Ok(v) = store.visit(id) {
        Record::Visit(Box::new(v))
    } else if let Ok(p) = store.producer(id) {
        Record::Producer(Box::new(p))
    } else if let Ok(p) = store.product(id) {
        Record::Product(Box::new(p))
    } else {
        return Err(HubError::NotFound("record"));
    };
    let (province, commune) = record.place();
    if ctx.in_scope(province, commune) {
        Ok(record)
    } else {
        // Out of scope reads the same as missing: the page does not reveal that the record exists.
        Err(HubError::NotFound("record"))
    }
}

fn choice_label(q: Option<&Question>, value: &str, lang: Lang) -> String {
    q.and_then(|q| q.choices.iter().find(|c| c.value == value))
        .map_or_else(|| value.to_string(), |c| lang.pick(&c.label.vi, c.label.en.as_deref()).to_string())
}

fn answer_text(a: &Answer, q: Option<&Question>, lang: Lang) -> String {
    match a {
        Answer::Text(s) => s.clone(),
        Answer::Integer(i) => i.to_string(),
        Answer::Decimal(d) => d.to_string(),
        Answer::SelectOne(v) => choice_label(q, v, lang),
        Answer::SelectMultiple(vs) => vs
            .iter()
            .map(|v| choice_label(q, v, lang))
            .collect::<Vec<_>>()
            .join(", "),
        Answer::GeoPoint(f) => format!("{:.6}, {:.6}", f.lat, f.lon),
        Answer::Phone(p) => p.clone(),
        Answer::Photo(hash) => format!("📷 {}", hash.get(..12).unwrap_or(hash)),
        Answer::GeoShape(ring) => match lang {
            Lang::Vi => format!("vùng {} điểm (trên bản đồ)", ring.len()),
            Lang::En => format!("area of {} points (on the map)", ring.len()),
        },
        other => serde_json::to_value(other)
            .map(|v| match v {
                serde_json::Value::String(s) => s,
                v => v.to_string(),
            })
            .unwrap_or_default(),
    }
}

fn flag_name(flag: &ocop_core::gps::GpsFlag) -> String {
    serde_json::to_value(flag)
        .ok()
        .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_string))
        .unwrap_or_else(|| "unknown".into())
}

fn flags_html(lang: Lang, names: &[String]) -> String {
    if names.is_empty() {
        return format!("<span class=\"muted\">{}</span>", esc(t(lang, "none")));
    }
    names
        .iter()
        .map(|f| format!("<span class=\"flag\">{}</span>", esc(t(lang, &format!("flag.{f}")))))
        .collect()
}

fn answers_html(lang: Lang, visit: &Visit, form: Option<&Form>) -> String {
    let mut s = format!(
        "<table id=\"answers\"><tr><th>{}</th><th>{}</th></tr>",
        esc(t(lang, "question")),
        esc(t(lang, "answer"))
    );
    let mut shown = std::collections::BTreeSet::new();
    if let Some(form) = form {
        for q in &form.questions {
            if let Some(a) = visit.answers.get(&q.id) {
                shown.insert(q.id.clone());
                let _ = write!(
                    s,
                    "<tr><td>{}</td><td>{}</td></tr>",
                    esc(lang.pick(&q.label.vi, q.label.en.as_deref())),
                    esc(&answer_text(a, Some(q), lang))
                );
            }
        }
    }
    for (id, a) in &visit.answers {
        if !shown.contains(id) {
            let _ = write!(
                s,
                "<tr><td><code>{}</code></td><td>{}</td></tr>",
                esc(id),
                esc(&answer_text(a, None, lang))
            );
        }
    }
    s.push_str("</table>");
    s
}

fn map_html(lang: Lang, layers: &MapLayers) -> String {
    match map_svg(layers) {
        Some(svg) => format!(
            "<h2>{}</h2><figure id=\"map\">{svg}<figcaption class=\"muted\">{}</figcaption></figure>",
            esc(t(lang, "map")),
            esc(t(lang, "map_legend"))
        ),
        None => format!(
            "<h2>{}</h2><p class=\"muted\">{}</p>",
            esc(t(lang, "map")),
            esc(t(lang, "no_gps"))
        ),
    }
}

fn conflicts_html(ctx: &Ctx<'_>, store: &Store, id: RecordId) -> Result<String> {
    let lang = ctx.lang;
    let conflicts = store.conflicts(Some(id))?;
    let mut s = format!("<h2>{}</h2>", esc(t(lang, "conflicts")));
    if conflicts.is_empty() {
        let _ = write!(s, "<p class=\"muted\">{}</p>", esc(t(lang, "none")));
        return Ok(s);
    }
    for c in conflicts {
        let _ = write!(
            s,
            "<fieldset class=\"conflict\"><legend>{}: <code>{}</code></legend>",
            esc(t(lang, "field")),
            esc(&c.path)
        );
        for v in &c.values {
            let who = v.author.as_ref().map_or_else(
                || t(lang, "unknown_author").to_string(),
                |a| format!("{} ({})", if a.name.is_empty() { &a.user_id } else { &a.name }, a.role.as_str()),
            );
            let value = match &v.value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let _ = write!(
                s,
                "<form method=\"post\" action=\"/web/record/{id}/resolve\"><input type=\"hidden\" name=\"path\" value=\"{}\">\
                 <input type=\"hidden\" name=\"op\" value=\"{}\"><strong>{}</strong> — {} {} \
                 <button>{}</button></form>",
                attr(&c.path),
                attr(&v.op),
                esc(&value),
                esc(&who),
                esc(&v.at.map(time).unwrap_or_default()),
                esc(t(lang, "keep")),
            );
        }
        s.push_str("</fieldset>");
    }
    Ok(s)
}

fn review_html(ctx: &Ctx<'_>, store: &Store, id: RecordId, visit: Option<&Visit>, form: Option<&Form>) -> Result<String> {
    let lang = ctx.lang;
    let status = store.review_status(id)?;
    let mut s = format!(
        "<h2>{}</h2><p id=\"review-state\"><strong>{}</strong></p>",
        esc(t(lang, "review_state")),
        esc(t(lang, status.status.as_str()))
    );
    if status.reviews.is_empty() {
        let _ = write!(s, "<p class=\"muted\">{}</p>", esc(t(lang, "no_reviews")));
    } else {
        let _ = write!(
            s,
            "<table id=\"reviews\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            esc(t(lang, "when")),
            esc(t(lang, "reviewer")),
            esc(t(lang, "decision")),
            esc(t(lang, "comment"))
        );
        for info in status.reviews.iter().rev() {
            let r = &info.review;
            let mut note = String::new();
            if !info.in_force {
                let _ = write!(note, " <span class=\"muted\">({})</span>", esc(t(lang, "superseded")));
            } else if info.stale {
                let _ = write!(note, " <span class=\"flag\">{}</span>", esc(t(lang, "outdated")));
            }
            let mut comments = esc(&r.comment);
            for (field, text) in &r.field_comments {
                let label = field
                    .strip_prefix("answers.")
                    .and_then(|q| form.and_then(|f| f.questions.iter().find(|x| x.id == q)))
                    .map_or_else(|| field.clone(), |q| lang.pick(&q.label.vi, q.label.en.as_deref()).to_string());
                let _ = write!(comments, "<br><em>{}</em>: {}", esc(&label), esc(text));
            }
            let who = if r.reviewer_name.is_empty() { &r.reviewer } else { &r.reviewer_name };
            let _ = write!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}{note}</td><td>{comments}</td></tr>",
                esc(&time(r.at)),
                esc(who),
                esc(t(lang, r.decision.as_str())),
            );
        }
        s.push_str("</table>");
    }
    if visit.is_some_and(|v| v.state.as_str() != "submitted") {
        return Ok(s);
    }
    let mut questions = String::new();
    if let (Some(v), Some(form)) = (visit, form) {
        for q in form.questions.iter().filter(|q| v.answers.contains_key(&q.id)) {
            let _ = write!(
                questions,
                "<option value=\"answers.{}\">{}</option>",
                attr(&q.id),
                esc(lang.pick(&q.label.vi, q.label.en.as_deref()))
            );
        }
    }
    let field_comment = if questions.is_empty() {
        String::new()
    } else {
        format!(
            "<p><label>{} <select name=\"field\"><option value=\"\">—</option>{questions}</select></label><br>\
             <textarea name=\"field_comment\" rows=\"2\"></textarea></p>",
            esc(t(lang, "comment_field"))
        )
    };
    let _ = write!(
        s,
        "<form id=\"review\" method=\"post\" action=\"/web/record/{id}/review\"><fieldset><legend>{}</legend>\
         <label><input type=\"radio\" name=\"decision\" value=\"approved\" checked> {}</label> \
         <label><input type=\"radio\" name=\"decision\" value=\"returned\"> {}</label> \
         <label><input type=\"radio\" name=\"decision\" value=\"rejected\"> {}</label>\
         <p><label>{}<br><textarea name=\"comment\" rows=\"3\"></textarea></label></p>{field_comment}\
         <p class=\"muted\">{}</p><button>{}</button></fieldset></form>",
        esc(t(lang, "decision")),
        esc(t(lang, "approve")),
        esc(t(lang, "return")),
        esc(t(lang, "reject")),
        esc(t(lang, "comment")),
        esc(t(lang, "comment_needed")),
        esc(t(lang, "send")),
    );
    Ok(s)
}

fn history_html(lang: Lang, store: &Store, id: RecordId) -> Result<String> {
    let mut s = format!(
        "<h2>{}</h2><table id=\"history\"><tr><th>{}</th><th>{}</th><th>{}</th></tr>",
        esc(t(lang, "history")),
        esc(t(lang, "when")),
        esc(t(lang, "who")),
        esc(t(lang, "what"))
    );
    for e in store.history(id)?.iter().rev() {
        let who = e.author.as_ref().map_or_else(
            || t(lang, "unknown_author").to_string(),
            |a| format!("{} ({})", if a.name.is_empty() { &a.user_id } else { &a.name }, a.role.as_str()),
        );
        let mut fields = e.fields.join(", ");
        if e.more_fields {
            fields.push_str(", …");
        }
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&time(e.at)),
            esc(&who),
            esc(&fields)
        );
    }
    s.push_str("</table>");
    Ok(s)
}

fn fields_table(lang: Lang, value: &serde_json::Value) -> String {
    let mut s = format!("<h2>{}</h2><table id=\"fields\">", esc(t(lang, "details")));
    if let Some(map) = value.as_object() {
        for (k, v) in map {
            if v.is_null() {
                continue;
            }
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let _ = write!(s, "<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(&text));
        }
    }
    s.push_str("</table>");
    s
}

fn latlon(f: &ocop_core::gps::GpsFix) -> LatLon {
    LatLon { lat: f.lat, lon: f.lon }
}

/// Renders the page of `record`; returns the title and the body.
pub fn render(ctx: &Ctx<'_>, id: RecordId, record: &Record, extra: &str) -> Result<(String, String)> {
    let lang = ctx.lang;
    let store = ctx.hub.read_model()?.store();
    let mut body = format!("<p><a href=\"/web/queue\">{}</a></p>", esc(t(lang, "back")));
    let title;
    match record {
        Record::Visit(v) => {
            let producer = v.producer.and_then(|p| store.producer(p).ok());
            let product = v.product.and_then(|p| store.product(p).ok());
            title = format!(
                "{}: {}",
                t(lang, "visit"),
                producer.as_ref().map_or("—", |p| p.name.as_str())
            );
            let state = if v.state.as_str() == "submitted" { t(lang, "visit_submitted") } else { t(lang, "draft") };
            let _ = write!(
                body,
                "<table id=\"summary\"><tr><th>{}</th><td>{}</td></tr><tr><th>{}</th><td>{}</td></tr>\
                 <tr><th>{}</th><td>{}</td></tr><tr><th>{}</th><td>{}</td></tr><tr><th>{}</th><td>{}</td></tr>\
                 <tr><th>{}</th><td>{}</td></tr></table>",
                esc(t(lang, "producer")),
                esc(producer.as_ref().map_or("—", |p| p.name.as_str())),
                esc(t(lang, "product")),
                esc(product.as_ref().map_or("—", |p| p.name.as_str())),
                esc(t(lang, "commune")),
                esc(&v.commune.name),
                esc(t(lang, "collector")),
                esc(&v.collector),
                esc(t(lang, "state")),
                esc(state),
                esc(t(lang, "submitted")),
                esc(&v.submitted_at.map(time).unwrap_or_default()),
            );
            body.push_str(extra);
            let form = store.form(&v.form_id, v.form_version).ok();
            body.push_str(&review_html(ctx, store, id, Some(v.as_ref()), form.as_ref())?);
            let _ = write!(body, "<h2>{}</h2>", esc(t(lang, "answers")));
            body.push_str(&answers_html(lang, v, form.as_ref()));
            let notes = v.notes.as_str();
            if !notes.trim().is_empty() {
                let _ = write!(body, "<h2>{}</h2><p>{}</p>", esc(t(lang, "notes")), esc(notes));
            }
            let mut flags: Vec<String> = Vec::new();
            for f in v.fixes.iter().flat_map(|f| f.flags.iter()).chain(v.photos.values().flat_map(|p| p.flags.iter())) {
                let n = flag_name(f);
                if !flags.contains(&n) {
                    flags.push(n);
                }
            }
            let _ = write!(body, "<h2>{}</h2><p id=\"flags\">{}</p>", esc(t(lang, "flags")), flags_html(lang, &flags));
            let _ = write!(body, "<h2>{}</h2><div class=\"photos\">", esc(t(lang, "photos")));
            for (key, p) in &v.photos {
                let _ = write!(
                    body,
                    "<figure><a href=\"/web/photo/{h}\"><img class=\"ph\" loading=\"lazy\" src=\"/web/photo/{h}\" \
                     width=\"240\" height=\"{ht}\" alt=\"{alt}\"></a><figcaption>{cap}</figcaption></figure>",
                    h = qs(&p.hash),
                    ht = if p.width > 0 { 240 * p.height / p.width.max(1) } else { 180 },
                    alt = attr(if p.caption.is_empty() { key } else { &p.caption }),
                    cap = esc(&p.caption),
                );
            }
            if v.photos.is_empty() {
                let _ = write!(body, "<p class=\"muted\">{}</p>", esc(t(lang, "none")));
            }
            body.push_str("</div>");
            let layers = MapLayers {
                fixes: v.fixes.iter().map(|f| latlon(&f.fix)).collect(),
                producer: producer.as_ref().and_then(|p| p.location.as_ref()).map(latlon),
                // The product's registered zone, else a zone drawn during the visit.
                zone: product
                    .as_ref()
                    .and_then(|p| p.raw_material_zone.as_ref())
                    .map(|z| z.ring.clone())
                    .or_else(|| {
                        v.answers.values().find_map(|a| match a {
                            Answer::GeoShape(ring) => Some(ring.clone()),
                            _ => None,
                        })
                    })
                    .unwrap_or_default(),
            };
            body.push_str(&map_html(lang, &layers));
        }
        Record::Producer(p) => {
            title = format!("{}: {}", t(lang, "producer"), p.name);
            body.push_str(extra);
            body.push_str(&review_html(ctx, store, id, None, None)?);
            body.push_str(&fields_table(lang, &serde_json::to_value(p.as_ref())?));
            let layers = MapLayers {
                producer: p.location.as_ref().map(latlon),
                ..Default::default()
            };
            body.push_str(&map_html(lang, &layers));
        }
        Record::Product(p) => {
            title = format!("{}: {}", t(lang, "product"), p.name);
            body.push_str(extra);
            body.push_str(&review_html(ctx, store, id, None, None)?);
            body.push_str(&fields_table(lang, &serde_json::to_value(p.as_ref())?));
            let producer = store.producer(p.producer).ok();
            let layers = MapLayers {
                producer: producer.as_ref().and_then(|p| p.location.as_ref()).map(latlon),
                zone: p.raw_material_zone.as_ref().map(|z| z.ring.clone()).unwrap_or_default(),
                ..Default::default()
            };
            body.push_str(&map_html(lang, &layers));
        }
    }
    body.push_str(&conflicts_html(ctx, store, id)?);
    body.push_str(&history_html(lang, store, id)?);
    Ok((title, body))
}
