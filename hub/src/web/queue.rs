//! The queue page: records to review in the supervisor's scope, filtered by review state, commune, product group
//! and quality flag.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use std::fmt::Write as _;

use ocop_core::places::Places;
use ocop_core::review::{QueueFilter, ReviewStatus};
use ocop_core::store::ProductFilter;

use super::Ctx;
use super::html::{attr, esc, qs, time};
use super::i18n::t;
use crate::error::Result;

/// The queue's filters, from the query string.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct QueueQuery {
    /// Review state (`pending`, `stale`, `conflicting`, `returned`, `approved`, `rejected`).
    #[serde(default)]
    pub state: Option<String>,
    /// Commune code.
    #[serde(default)]
    pub commune: Option<String>,
    /// Product group code.
    #[serde(default)]
    pub group: Option<String>,
    /// Quality flag name.
    #[serde(default)]
    pub flag: Option<String>,
}

fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

const MAX_ROWS: usize = 200;

fn select(name: &str, label: &str, any: &str, options: &[(String, String)], chosen: Option<&str>) -> String {
    let mut s = format!("<label>{} <select name=\"{name}\"><option value=\"\">{}</option>", esc(label), esc(any));
    for (value, text) in options {
        let sel = if Some(value.as_str()) == chosen { " selected" } else { "" };
        let _ = write!(s, "<option value=\"{}\"{sel}>{}</option>", attr(value), esc(text));
    }
    s.push_str("</select></label> ");
    s
}

/// The review states offered in the filter, in the order shown.
const STATES: &[&str] = &["pending", "stale", "conflicting", "returned", "approved", "rejected"];

/// Renders the queue: the core's review queue (submitted visits with their review state, reviewed producers
/// and products) from the read model, limited to the signed-in person's scope.
pub fn render(ctx: &Ctx<'_>, q: &QueueQuery) -> Result<String> {
    let lang = ctx.lang;
    let store = ctx.hub.read_model()?.store();
    let places = Places::embedded();
    let state = nonempty(&q.state).and_then(ReviewStatus::parse);
    let items = store.review_queue(&QueueFilter {
        state,
        commune_code: nonempty(&q.commune).map(str::to_string),
        product_group: nonempty(&q.group).map(str::to_string),
        limit: 10_000,
        ..Default::default()
    })?;
    let products: HashMap<_, _> = store
        .list_products(&ProductFilter {
            limit: 10_000,
            ..Default::default()
        })?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();

    let mut communes = BTreeMap::new();
    let mut groups = BTreeSet::new();
    let mut flags = BTreeSet::new();
    let mut rows = Vec::new();
    for item in items {
        if !ctx.in_scope(&item.province_code, &item.commune_code) {
            continue;
        }
        let commune_name = places
            .commune(&item.commune_code)
            .map_or_else(|| item.commune_code.clone(), |u| u.name.clone());
        communes.insert(item.commune_code.clone(), commune_name.clone());
        if let Some(g) = &item.product_group {
            groups.insert(g.clone());
        }
        let mut vflags = item.flags.clone();
        if item.open_conflicts > 0 {
            vflags.push("conflict".into());
        }
        flags.extend(vflags.iter().cloned());
        if let Some(f) = nonempty(&q.flag)
            && !vflags.iter().any(|x| x == f)
        {
            continue;
        }
        rows.push((item, commune_name, vflags));
    }
    rows.sort_by_key(|(i, ..)| std::cmp::Reverse(i.submitted_at.or(i.reviewed_at).unwrap_or(0)));

    let mut body = String::from("<form method=\"get\" action=\"/web/queue\">");
    let states: Vec<(String, String)> = STATES
        .iter()
        .map(|s| ((*s).to_string(), t(lang, s).to_string()))
        .collect();
    body.push_str(&select("state", t(lang, "state"), t(lang, "any"), &states, state.map(ReviewStatus::as_str)));
    let communes: Vec<(String, String)> = communes.into_iter().collect();
    body.push_str(&select("commune", t(lang, "commune"), t(lang, "any"), &communes, nonempty(&q.commune)));
    let groups: Vec<(String, String)> = groups.into_iter().map(|g| (g.clone(), g)).collect();
    body.push_str(&select("group", t(lang, "group"), t(lang, "any"), &groups, nonempty(&q.group)));
    let flags: Vec<(String, String)> = flags
        .into_iter()
        .map(|f| {
            let text = t(lang, &format!("flag.{f}")).to_string();
            (f, text)
        })
        .collect();
    body.push_str(&select("flag", t(lang, "flag"), t(lang, "any"), &flags, nonempty(&q.flag)));
    let _ = write!(body, "<button>{}</button></form>", esc(t(lang, "filter")));

    if rows.is_empty() {
        let _ = write!(body, "<p class=\"muted\">{}</p>", esc(t(lang, "no_visits")));
        return Ok(body);
    }
    let _ = write!(
        body,
        "<table id=\"queue\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        esc(t(lang, "submitted")),
        esc(t(lang, "producer")),
        esc(t(lang, "product")),
        esc(t(lang, "commune")),
        esc(t(lang, "collector")),
        esc(t(lang, "state")),
        esc(t(lang, "flags")),
    );
    let total = rows.len();
    for (item, commune, vflags) in rows.into_iter().take(MAX_ROWS) {
        let product = item.product_id.and_then(|id| products.get(&id)).map_or("—", |p| p.name.as_str());
        let flag_html: String = vflags
            .iter()
            .map(|f| format!("<span class=\"flag\">{}</span>", esc(t(lang, &format!("flag.{f}")))))
            .collect();
        let _ = write!(
            body,
            "<tr><td>{}</td><td><a class=\"{}\" href=\"/web/record/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td class=\"state\">{}</td><td>{}</td></tr>",
            esc(&item.submitted_at.or(item.reviewed_at).map(time).unwrap_or_default()),
            item.kind.as_str(),
            qs(&item.record.to_string()),
            esc(item.producer_name.as_deref().unwrap_or("—")),
            esc(product),
            esc(&commune),
            esc(&item.owner),
            esc(t(lang, item.status.as_str())),
            flag_html,
        );
    }
    body.push_str("</table>");
    if total > MAX_ROWS {
        let _ = write!(body, "<p class=\"muted\">{}</p>", esc(t(lang, "shown_first")));
    }
    Ok(body)
}
