//! HTML building blocks: escaping, the page frame, times, and the GPS map drawn as inline SVG.
//!
//! Pages are plain strings built with `format!`, and every value that comes from a record, a form or a request
//! goes through [`esc`] (or [`attr`]) first. The frame carries a few lines of inline CSS and no script, so a page
//! is one small request on a slow connection; photos load lazily.

use std::fmt::Write as _;

use ocop_core::gps::LatLon;

use super::i18n::{Lang, t};

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Same as [`esc`]; named for use inside attribute values.
pub fn attr(s: &str) -> String {
    esc(s)
}

/// Percent-encodes a query-string value.
pub fn qs(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A time (ms since the epoch) as `YYYY-MM-DD HH:MM` in Vietnam's time (UTC+7).
pub fn time(ms: i64) -> String {
    let offset = chrono::FixedOffset::east_opt(7 * 3600);
    match (chrono::DateTime::from_timestamp_millis(ms), offset) {
        (Some(t), Some(o)) => t.with_timezone(&o).format("%Y-%m-%d %H:%M").to_string(),
        _ => String::new(),
    }
}

const CSS: &str = "body{font:15px/1.4 system-ui,sans-serif;margin:0;color:#222}\
header{background:#1b5e20;color:#fff;padding:.5em 1em;display:flex;gap:1em;align-items:center;flex-wrap:wrap}\
header a{color:#fff}header form{display:inline;margin:0}main{padding:.5em 1em;max-width:70em}\
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3em;text-align:left;vertical-align:top}\
.flag{background:#fff3cd;border:1px solid #e0c060;border-radius:3px;padding:0 .3em;margin-right:.2em;font-size:90%;white-space:nowrap}\
.ok{background:#e8f5e9;padding:.5em}.err{background:#fdecea;padding:.5em}.muted{color:#666}\
fieldset{border:1px solid #ccc;margin:.5em 0}img.ph{max-width:240px;height:auto;border:1px solid #ccc}\
.photos{display:flex;flex-wrap:wrap;gap:.5em}figure{margin:0}svg{max-width:100%;background:#f4f8f4;border:1px solid #ccc}\
button{padding:.3em .8em}textarea{width:100%;max-width:40em}";

/// The page frame: title, the signed-in person with a sign-out button, the language switch, and `body`.
pub fn page(lang: Lang, title: &str, who: Option<&str>, here: &str, body: &str) -> String {
    let other = match lang {
        Lang::Vi => ("en", "English"),
        Lang::En => ("vi", "Tiếng Việt"),
    };
    let sep = if here.contains('?') { '&' } else { '?' };
    let user = match who {
        Some(name) => format!(
            "<a href=\"/web/queue\">{queue}</a> <a href=\"/web/duplicates\">{dups}</a> <a href=\"/web/reports\">{reports}</a> <span>{signed} {name}</span>\
             <form method=\"post\" action=\"/web/sign-out\"><button>{out}</button></form>",
            queue = esc(t(lang, "queue")),
            dups = esc(t(lang, "duplicates")),
            reports = esc(t(lang, "reports")),
            signed = esc(t(lang, "signed_in_as")),
            name = esc(name),
            out = esc(t(lang, "sign_out")),
        ),
        None => String::new(),
    };
    format!(
        "<!doctype html><html lang=\"{code}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title} · OCOP Field</title><style>{CSS}</style></head><body>\
         <header><strong>{app}</strong>{user}<a href=\"{here}{sep}lang={ol}\" lang=\"{ol}\">{on}</a></header>\
         <main><h1>{title}</h1>{body}</main></body></html>",
        code = lang.code(),
        title = esc(title),
        app = esc(t(lang, "app")),
        here = attr(here),
        ol = other.0,
        on = other.1,
    )
}

/// What to draw on a record's map.
#[derive(Debug, Default)]
pub struct MapLayers {
    /// GPS fixes of the visit (drawn as dots).
    pub fixes: Vec<LatLon>,
    /// The producer's registered point (a square).
    pub producer: Option<LatLon>,
    /// A raw-material zone (a polygon).
    pub zone: Vec<LatLon>,
}

/// The layers as an inline SVG map (no tiles, no network): an equirectangular projection around the points'
/// mean latitude, fitted to 360×240 with a scale bar. `None` when there is nothing to draw.
pub fn map_svg(layers: &MapLayers) -> Option<String> {
    let all: Vec<&LatLon> = layers
        .fixes
        .iter()
        .chain(layers.producer.iter())
        .chain(layers.zone.iter())
        .filter(|p| p.lat.is_finite() && p.lon.is_finite())
        .collect();
    if all.is_empty() {
        return None;
    }
    let (w, h, pad) = (360.0_f64, 240.0_f64, 20.0_f64);
    let mean_lat = all.iter().map(|p| p.lat).sum::<f64>() / all.len() as f64;
    let k = mean_lat.to_radians().cos().max(0.01);
    // Metres per degree of latitude; x in metres east, y in metres north.
    let m = 111_320.0;
    let xy = |p: &LatLon| (p.lon * k * m, p.lat * m);
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for p in &all {
        let (x, y) = xy(p);
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    let span = (x1 - x0).max(y1 - y0).max(50.0);
    let scale = ((w - 2.0 * pad) / span).min((h - 2.0 * pad) / span);
    let cx = (x0 + x1) / 2.0;
    let cy = (y0 + y1) / 2.0;
    let px = |p: &LatLon| {
        let (x, y) = xy(p);
        (w / 2.0 + (x - cx) * scale, h / 2.0 - (y - cy) * scale)
    };
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\">"
    );
    if layers.zone.len() >= 3 {
        let pts: Vec<String> = layers
            .zone
            .iter()
            .map(|p| {
                let (x, y) = px(p);
                format!("{x:.1},{y:.1}")
            })
            .collect();
        let _ = write!(
            svg,
            "<polygon class=\"zone\" points=\"{}\" fill=\"#a5d6a7\" fill-opacity=\".5\" stroke=\"#2e7d32\"/>",
            pts.join(" ")
        );
    }
    if let Some(p) = &layers.producer {
        let (x, y) = px(p);
        let _ = write!(
            svg,
            "<rect class=\"producer\" x=\"{:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"#1565c0\"/>",
            x - 5.0,
            y - 5.0
        );
    }
    for p in &layers.fixes {
        let (x, y) = px(p);
        let _ = write!(
            svg,
            "<circle class=\"fix\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"5\" fill=\"#c62828\" stroke=\"#fff\"/>"
        );
    }
    // Scale bar: a round length near a quarter of the width.
    let target = (w / 4.0) / scale;
    let step = [10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5]
        .into_iter()
        .rfind(|s| *s <= target)
        .unwrap_or(10.0);
    let len = step * scale;
    let label = if step >= 1000.0 {
        format!("{} km", step / 1000.0)
    } else {
        format!("{step} m")
    };
    let _ = write!(
        svg,
        "<line x1=\"10\" y1=\"{y}\" x2=\"{x2:.1}\" y2=\"{y}\" stroke=\"#333\" stroke-width=\"2\"/>\
         <text x=\"10\" y=\"{ty}\" font-size=\"11\">{label}</text></svg>",
        y = h - 10.0,
        x2 = 10.0 + len,
        ty = h - 14.0,
    );
    Some(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<b a=\"x\">Chè & 'trà'</b>"),
            "&lt;b a=&quot;x&quot;&gt;Chè &amp; &#39;trà&#39;&lt;/b&gt;"
        );
        assert_eq!(qs("Tân Cương&x"), "T%C3%A2n%20C%C6%B0%C6%A1ng%26x");
    }

    #[test]
    fn map_draws_each_layer_inside_the_frame() {
        assert!(map_svg(&MapLayers::default()).is_none());
        let p = |lat, lon| LatLon { lat, lon };
        let svg = map_svg(&MapLayers {
            fixes: vec![p(21.6, 105.8), p(21.601, 105.801)],
            producer: Some(p(21.6005, 105.8)),
            zone: vec![p(21.59, 105.79), p(21.59, 105.81), p(21.61, 105.8)],
        })
        .unwrap();
        assert_eq!(svg.matches("<circle class=\"fix\"").count(), 2);
        assert_eq!(svg.matches("class=\"producer\"").count(), 1);
        assert_eq!(svg.matches("<polygon class=\"zone\"").count(), 1);
        for n in svg.split(['"', ',', ' ']).filter_map(|s| s.parse::<f64>().ok()) {
            assert!((-6.0..=361.0).contains(&n), "coordinate {n} outside the frame");
        }
    }
}
