//! The reports page: the OCOP summary of a province in the supervisor's scope, shown as tables and downloadable as
//! XLSX (a sheet per table), CSV (one table per file, UTF-8 with BOM) and GeoJSON, from the hub's read model.
//!
//! Reports are by province (the unit a province office reports). A supervisor whose scope is a list of communes
//! gets a clear refusal rather than figures that would include communes outside their scope; a hub admin may pick
//! any province, or the whole hub.

use std::fmt::Write as _;

use ocop_core::ids::Date;
use ocop_core::places::Places;
use ocop_core::reports::export::{self, Lang as ReportLang};
use ocop_core::reports::{Cell, OcopReport, ReportOptions};
use ocop_core::identity::Role;

use super::Ctx;
use super::html::{attr, esc, qs};
use super::i18n::{Lang, t};
use crate::error::{HubError, Result};

/// The provinces whose report the signed-in person may see (`None` in the list: the whole hub, admins only).
pub fn provinces(ctx: &Ctx<'_>) -> Vec<Option<String>> {
    let principal = &ctx.user.principal;
    if principal.role == Role::HubAdmin || principal.scope.provinces.iter().any(|p| p == "*") {
        let mut all = vec![None];
        all.extend(Places::embedded().provinces().iter().map(|u| Some(u.code.clone())));
        return all;
    }
    principal.scope.provinces.iter().cloned().map(Some).collect()
}

/// The report options for `province`, refused when the signed-in person may not see all of it.
fn options(ctx: &Ctx<'_>, province: Option<&str>, as_of: Date) -> Result<ReportOptions> {
    let wanted = province.map(str::to_string);
    if !provinces(ctx).contains(&wanted) {
        return Err(HubError::Forbidden(match ctx.lang {
            Lang::Vi => "Báo cáo lập theo tỉnh; tài khoản này không phụ trách toàn bộ tỉnh đã chọn.".into(),
            Lang::En => "Reports are by province; this account does not cover the whole of the chosen province.".into(),
        }));
    }
    let mut options = ReportOptions::as_of(as_of);
    options.province_code = wanted;
    Ok(options)
}

/// The report for `province`, refused when the signed-in person may not see all of it.
pub fn report(ctx: &Ctx<'_>, province: Option<&str>, as_of: Date) -> Result<OcopReport> {
    let options = options(ctx, province, as_of)?;
    Ok(ctx.hub.read_model()?.store().ocop_report(&options)?)
}

fn report_lang(lang: Lang) -> ReportLang {
    match lang {
        Lang::Vi => ReportLang::Vi,
        Lang::En => ReportLang::En,
    }
}

fn province_name(code: Option<&str>, lang: Lang) -> String {
    match code {
        None => t(lang, "all_provinces").to_string(),
        Some(c) => Places::embedded()
            .province(c)
            .map_or_else(|| c.to_string(), |u| u.name.clone()),
    }
}

fn cell(c: &Cell) -> String {
    esc(&c.to_text())
}

/// Renders the page: a province picker, the download links, and every table.
pub fn render(ctx: &Ctx<'_>, province: Option<&str>) -> Result<String> {
    let lang = ctx.lang;
    let choices = provinces(ctx);
    let mut body = String::new();
    if choices.is_empty() {
        let _ = write!(body, "<p class=\"err\">{}</p>", esc(t(lang, "reports_by_province")));
        return Ok(body);
    }
    let chosen = match province {
        Some(p) => Some(p.to_string()),
        None => choices.first().cloned().flatten(),
    };
    let as_of = Date::today_vn();
    let report = report(ctx, chosen.as_deref(), as_of)?;
    body.push_str("<form method=\"get\" action=\"/web/reports\"><select name=\"province\">");
    for c in &choices {
        let value = c.clone().unwrap_or_default();
        let selected = if *c == chosen { " selected" } else { "" };
        let _ = write!(
            body,
            "<option value=\"{}\"{selected}>{}</option>",
            attr(&value),
            esc(&province_name(c.as_deref(), lang))
        );
    }
    let _ = write!(body, "</select> <button>{}</button></form>", esc(t(lang, "filter")));
    let p = qs(chosen.as_deref().unwrap_or(""));
    let l = lang.code();
    let _ = write!(
        body,
        "<p id=\"downloads\">{}: <a href=\"/web/reports/download?province={p}&amp;format=xlsx&amp;lang={l}\">XLSX</a> · \
         <a href=\"/web/reports/download?province={p}&amp;format=geojson&amp;lang={l}\">GeoJSON</a> · CSV:",
        esc(t(lang, "download"))
    );
    let tables = report.tables();
    for table in &tables {
        let _ = write!(
            body,
            " <a href=\"/web/reports/download?province={p}&amp;format=csv&amp;table={}&amp;lang={l}\">{}</a>",
            qs(table.key),
            esc(table.key)
        );
    }
    let _ = write!(body, "</p><p class=\"muted\">{} {as_of}</p>", esc(t(lang, "as_of")));
    let rl = report_lang(lang);
    for table in &tables {
        let _ = write!(body, "<h2>{}</h2><table id=\"{}\"><tr>", esc(table.title(rl)), attr(table.key));
        for h in table.headers(rl) {
            let _ = write!(body, "<th>{}</th>", esc(h));
        }
        body.push_str("</tr>");
        for row in &table.rows {
            body.push_str("<tr>");
            for c in row {
                let _ = write!(body, "<td>{}</td>", cell(c));
            }
            body.push_str("</tr>");
        }
        body.push_str("</table>");
    }
    Ok(body)
}

/// A download: (content type, file name, bytes).
pub fn download(
    ctx: &Ctx<'_>,
    province: Option<&str>,
    format: &str,
    table: Option<&str>,
) -> Result<(&'static str, String, Vec<u8>)> {
    let options = options(ctx, province, Date::today_vn())?;
    let store = ctx.hub.read_model()?.store();
    let stem = format!("ocop-{}", province.unwrap_or("all"));
    let rl = report_lang(ctx.lang);
    match format {
        "xlsx" => Ok((
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            format!("{stem}.xlsx"),
            export::xlsx_bytes(&store.ocop_report(&options)?, rl)?,
        )),
        "csv" => {
            let key = table.unwrap_or("summary");
            let found = store.ocop_report(&options)?.tables().into_iter().find(|t| t.key == key).ok_or_else(|| {
                HubError::Invalid {
                    field: "table".into(),
                    reason: format!("no report table named {key:?}"),
                }
            })?;
            Ok(("text/csv; charset=utf-8", format!("{stem}-{key}.csv"), export::csv_bytes(&found, rl)?))
        }
        "geojson" => {
            let value = store.geojson(&options)?;
            let bytes = serde_json::to_vec(&value).map_err(|e| HubError::Invalid {
                field: "geojson".into(),
                reason: e.to_string(),
            })?;
            Ok(("application/geo+json", format!("{stem}.geojson"), bytes))
        }
        other => Err(HubError::Invalid {
            field: "format".into(),
            reason: format!("{other:?} is not one of xlsx, csv, geojson"),
        }),
    }
}
