//! The duplicates page: pairs of producers in the supervisor's scope that look like one, with a score and the
//! reasons (from the core's duplicate finder), and a button to merge one into the other.

use std::fmt::Write as _;

use ocop_core::duplicates::DuplicateFilter;
use ocop_core::store::ProducerSummary;

use super::Ctx;
use super::html::{attr, esc, qs};
use super::i18n::{Lang, t};
use crate::error::Result;

fn producer_cell(p: &ProducerSummary) -> String {
    format!(
        "<a href=\"/web/record/{}\">{}</a><br><span class=\"muted\">{} · {} · {}</span>",
        qs(&p.id.to_string()),
        esc(&p.name),
        esc(&p.representative),
        esc(p.phone.as_deref().unwrap_or("—")),
        esc(&p.commune_name),
    )
}

fn merge_button(lang: Lang, keep: &ProducerSummary, dup: &ProducerSummary, key: &str) -> String {
    format!(
        "<form method=\"post\" action=\"/web/merge\"><input type=\"hidden\" name=\"keep\" value=\"{}\">\
         <input type=\"hidden\" name=\"duplicate\" value=\"{}\"><button>{}</button></form>",
        attr(&keep.id.to_string()),
        attr(&dup.id.to_string()),
        esc(t(lang, key)),
    )
}

/// Renders the duplicate pairs whose both producers are in scope.
pub fn render(ctx: &Ctx<'_>) -> Result<String> {
    let lang = ctx.lang;
    let store = ctx.hub.read_model()?.store();
    let pairs = store.duplicate_candidates(&DuplicateFilter::default())?;
    let mut body = String::new();
    let mut shown = 0;
    for pair in pairs {
        if !ctx.in_scope(&pair.a.province_code, &pair.a.commune_code)
            || !ctx.in_scope(&pair.b.province_code, &pair.b.commune_code)
        {
            continue;
        }
        if shown == 0 {
            let _ = write!(
                body,
                "<table id=\"duplicates\"><tr><th>A</th><th>B</th><th>{}</th><th>{}</th><th></th></tr>",
                esc(t(lang, "score")),
                esc(t(lang, "reasons"))
            );
        }
        shown += 1;
        let reasons: Vec<String> = pair
            .reasons
            .iter()
            .map(|r| esc(&if lang == Lang::En { r.text_en() } else { r.text_vi() }))
            .collect();
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{:.0}%</td><td>{}</td><td>{}{}</td></tr>",
            producer_cell(&pair.a),
            producer_cell(&pair.b),
            pair.score * 100.0,
            reasons.join("<br>"),
            merge_button(lang, &pair.a, &pair.b, "merge_into"),
            merge_button(lang, &pair.b, &pair.a, "merge_into_b"),
        );
    }
    if shown == 0 {
        let _ = write!(body, "<p class=\"muted\">{}</p>", esc(t(lang, "no_duplicates")));
    } else {
        body.push_str("</table>");
    }
    Ok(body)
}
