//! The supervisors' review pages, served by `ocop hub serve` under `/web/`.
//!
//! Server-rendered HTML with a few lines of inline CSS and no script: a page is one small response, usable on a
//! phone over a slow link. Strings come from one table in Vietnamese and English ([`i18n`]).
//!
//! | route | what |
//! |---|---|
//! | `GET /web/sign-in`, `POST /web/sign-in` | sign in with a one-time code ([`session`]) |
//! | `POST /web/sign-out` | ends the session (revokes it) |
//! | `GET /web/queue?state=&commune=&group=&flag=` | visits in the supervisor's scope ([`queue`]) |
//! | `GET /web/record/{id}` | a visit, producer or product ([`record`]) |
//! | `POST /web/record/{id}/resolve` | keep one value of a conflicted field (`path`, `op`) |
//! | `POST /web/record/{id}/review` | a review: `decision` (approved, returned, rejected), `comment`, and optionally `field` + `field_comment` |
//! | `GET /web/duplicates` | likely duplicate producers in scope, with score and reasons |
//! | `POST /web/merge` | merge producer `duplicate` into `keep` (its products and visits follow) |
//! | `GET /web/photo/{hash}` | a photo of a record in scope (content-addressed, cached for a year) |
//!
//! Every page needs a session: without one a page answers `303 See Other` to the sign-in page. A record outside
//! the supervisor's scope answers 404, as if it did not exist. Reads come from the hub's read model
//! ([`crate::read_model`]); every action is written as the signed-in person through
//! [`crate::HubBackend::write_as`], so it passes the same permission check as a change from a phone and reaches
//! devices on their next sync. `?lang=en` or `?lang=vi` on any page switches the language and remembers it in a
//! cookie.

pub mod duplicates;
pub mod html;
pub mod i18n;
pub mod queue;
pub mod record;
pub mod reports;
pub mod session;

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use ocop_core::doc::Resolution;
use ocop_core::identity::Role;
use ocop_core::ids::RecordId;

use crate::Hub;
use crate::error::HubError;
use html::{esc, page};
use i18n::{Lang, t};
use session::WebUser;

/// What a page is rendered for: the hub, the signed-in person and the language.
pub struct Ctx<'a> {
    /// The hub.
    pub hub: &'a Hub,
    /// Who is signed in.
    pub user: &'a WebUser,
    /// The page language.
    pub lang: Lang,
}

impl Ctx<'_> {
    /// True when a record in `province`/`commune` is in the signed-in person's scope.
    pub fn in_scope(&self, province: &str, commune: &str) -> bool {
        self.user.principal.role == Role::HubAdmin
            || self.user.principal.scope.contains(province, commune)
    }
}

/// The language query parameter every page accepts.
#[derive(Debug, Default, serde::Deserialize)]
pub struct LangQuery {
    /// `vi` or `en`.
    #[serde(default)]
    pub lang: Option<String>,
}

/// The pages' routes (merged into the hub's router by [`crate::http::router`]).
pub fn routes() -> Router<Hub> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/web/queue") }))
        .route("/web", get(|| async { Redirect::to("/web/queue") }))
        .route("/web/sign-in", get(sign_in_page).post(sign_in))
        .route("/web/sign-out", post(sign_out))
        .route("/web/queue", get(queue_page))
        .route("/web/record/{id}", get(record_page))
        .route("/web/record/{id}/resolve", post(resolve))
        .route("/web/record/{id}/review", post(review))
        .route("/web/duplicates", get(duplicates_page))
        .route("/web/merge", post(merge))
        .route("/web/reports", get(reports_page))
        .route("/web/reports/download", get(report_download))
        .route("/web/photo/{hash}", get(photo))
}

fn lang_of(headers: &HeaderMap, query: Option<&str>) -> (Lang, Option<HeaderValue>) {
    if let Some(l) = query.and_then(Lang::parse) {
        let cookie = HeaderValue::from_str(&format!(
            "{}={}; Path=/; SameSite=Lax; Max-Age=31536000",
            session::LANG_COOKIE,
            l.code()
        ))
        .ok();
        return (l, cookie);
    }
    let l = session::cookie(headers, session::LANG_COOKIE)
        .and_then(|c| Lang::parse(&c))
        .unwrap_or_default();
    (l, None)
}

fn html_response(status: StatusCode, lang_cookie: Option<HeaderValue>, body: String) -> Response {
    let mut resp = (
        status,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response();
    if let Some(c) = lang_cookie {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    resp
}

fn error_page(lang: Lang, user: Option<&WebUser>, e: &HubError) -> (StatusCode, String) {
    let (status, key) = match e {
        HubError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
        HubError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
        HubError::Invalid { .. } | HubError::Core(ocop_core::Error::Invalid { .. }) => {
            (StatusCode::BAD_REQUEST, "bad_request")
        }
        HubError::Core(ocop_core::Error::NotFound { .. }) => (StatusCode::NOT_FOUND, "not_found"),
        HubError::Core(ocop_core::Error::Forbidden(_)) => (StatusCode::FORBIDDEN, "forbidden"),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "error"),
    };
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(error = %e, "web page failed");
    }
    let detail = match e {
        HubError::Forbidden(r) | HubError::Core(ocop_core::Error::Forbidden(r)) => {
            format!("<p>{}</p>", esc(r))
        }
        HubError::Invalid { .. } | HubError::Core(ocop_core::Error::Invalid { .. }) => {
            format!("<p>{}</p>", esc(&e.to_string()))
        }
        _ => String::new(),
    };
    let body = format!("<p class=\"err\">{}</p>{detail}", esc(t(lang, key)));
    (status, page(lang, t(lang, key), user.map(|u| u.name.as_str()), "/web/queue", &body))
}

/// Authenticates the request, then renders with `f` on the blocking pool. No session: 303 to the sign-in page.
async fn with_user(
    hub: Hub,
    headers: HeaderMap,
    lang: Option<String>,
    here: String,
    f: impl FnOnce(&Ctx<'_>) -> crate::Result<Response> + Send + 'static,
) -> Response {
    let (lang, lang_cookie) = lang_of(&headers, lang.as_deref());
    let done = tokio::task::spawn_blocking(move || {
        let user = match session::current(&hub, &headers) {
            Ok(Some(u)) => u,
            Ok(None) => {
                let next = html::qs(&here);
                return Redirect::to(&format!("/web/sign-in?next={next}")).into_response();
            }
            Err(e) => {
                let (status, body) = error_page(lang, None, &e);
                return html_response(status, None, body);
            }
        };
        let ctx = Ctx { hub: &hub, user: &user, lang };
        match f(&ctx) {
            Ok(r) => r,
            Err(e) => {
                let (status, body) = error_page(lang, Some(&user), &e);
                html_response(status, None, body)
            }
        }
    })
    .await;
    let mut resp = done.unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response());
    if let Some(c) = lang_cookie {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    resp
}

fn ok_page(ctx: &Ctx<'_>, title: &str, here: &str, body: &str) -> Response {
    html_response(
        StatusCode::OK,
        None,
        page(ctx.lang, title, Some(&ctx.user.name), here, body),
    )
}

/// Query of the sign-in page.
#[derive(Debug, Default, serde::Deserialize)]
pub struct SignInQuery {
    /// Where to go after signing in.
    #[serde(default)]
    pub next: Option<String>,
    /// Page language.
    #[serde(default)]
    pub lang: Option<String>,
}

/// The sign-in form.
#[derive(Debug, serde::Deserialize)]
pub struct SignInForm {
    /// The one-time code.
    pub code: String,
    /// Where to go after signing in.
    #[serde(default)]
    pub next: Option<String>,
}

fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/web/") && !n.starts_with("//") => n.to_string(),
        _ => "/web/queue".into(),
    }
}

fn sign_in_html(lang: Lang, next: &str, error: Option<&str>) -> String {
    let err = error.map(|e| format!("<p class=\"err\" id=\"error\">{}</p>", esc(e))).unwrap_or_default();
    let body = format!(
        "{err}<p>{help}</p><form method=\"post\" action=\"/web/sign-in\">\
         <input type=\"hidden\" name=\"next\" value=\"{next}\">\
         <label>{code} <input name=\"code\" autocomplete=\"one-time-code\" autocapitalize=\"characters\" \
         placeholder=\"ABCD-EFGH-JKMN\" required></label> <button>{go}</button></form>",
        help = esc(t(lang, "sign_in_help")),
        next = html::attr(next),
        code = esc(t(lang, "code")),
        go = esc(t(lang, "sign_in")),
    );
    page(lang, t(lang, "sign_in"), None, "/web/sign-in", &body)
}

async fn sign_in_page(headers: HeaderMap, Query(q): Query<SignInQuery>) -> Response {
    let (lang, cookie) = lang_of(&headers, q.lang.as_deref());
    let next = safe_next(q.next.as_deref());
    html_response(StatusCode::OK, cookie, sign_in_html(lang, &next, None))
}

async fn sign_in(State(hub): State<Hub>, headers: HeaderMap, Form(f): Form<SignInForm>) -> Response {
    let (lang, _) = lang_of(&headers, None);
    let next = safe_next(f.next.as_deref());
    let code = f.code;
    let result = tokio::task::spawn_blocking(move || session::sign_in(&hub, &code)).await;
    match result {
        Ok(Ok(Ok(token))) => {
            let mut resp = Redirect::to(&next).into_response();
            resp.headers_mut().append(header::SET_COOKIE, session::session_cookie(&token));
            resp
        }
        Ok(Ok(Err(refused))) => {
            let key = match refused {
                session::SignInRefused::BadCode => "bad_code",
                session::SignInRefused::NotSupervisor => "supervisors_only",
            };
            html_response(StatusCode::UNAUTHORIZED, None, sign_in_html(lang, &next, Some(t(lang, key))))
        }
        Ok(Err(e)) => {
            let (status, body) = error_page(lang, None, &e);
            html_response(status, None, body)
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn sign_out(State(hub): State<Hub>, headers: HeaderMap) -> Response {
    let _ = tokio::task::spawn_blocking(move || -> crate::Result<()> {
        if let Some(u) = session::current(&hub, &headers)? {
            hub.revoke(&u.device_id)?;
        }
        Ok(())
    })
    .await;
    let mut resp = Redirect::to("/web/sign-in").into_response();
    resp.headers_mut().append(header::SET_COOKIE, session::session_cookie(""));
    resp
}

/// Query of the queue page.
#[derive(Debug, Default, serde::Deserialize)]
pub struct QueuePageQuery {
    /// The filters.
    #[serde(flatten)]
    pub filters: queue::QueueQuery,
    /// Page language.
    #[serde(default)]
    pub lang: Option<String>,
}

async fn queue_page(
    State(hub): State<Hub>,
    headers: HeaderMap,
    Query(q): Query<QueuePageQuery>,
) -> Response {
    let filters = q.filters;
    let mut here = String::from("/web/queue");
    let pairs: Vec<String> = [
        ("state", &filters.state),
        ("commune", &filters.commune),
        ("group", &filters.group),
        ("flag", &filters.flag),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_ref().filter(|v| !v.is_empty()).map(|v| format!("{k}={}", html::qs(v))))
    .collect();
    if !pairs.is_empty() {
        here.push('?');
        here.push_str(&pairs.join("&"));
    }
    let at = here.clone();
    with_user(hub, headers, q.lang, here, move |ctx| {
        let body = queue::render(ctx, &filters)?;
        Ok(ok_page(ctx, t(ctx.lang, "queue"), &at, &body))
    })
    .await
}

/// Query of the record page.
#[derive(Debug, Default, serde::Deserialize)]
pub struct RecordQuery {
    /// Page language.
    #[serde(default)]
    pub lang: Option<String>,
    /// A message key to show (after an action).
    #[serde(default)]
    pub done: Option<String>,
}

fn parse_id(id: &str) -> crate::Result<RecordId> {
    id.parse::<RecordId>().map_err(|_| HubError::NotFound("record"))
}

async fn record_page(
    State(hub): State<Hub>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<RecordQuery>,
) -> Response {
    let here = format!("/web/record/{}", html::qs(&id));
    let at = here.clone();
    let done = q.done;
    with_user(hub, headers, q.lang, here, move |ctx| {
        let rid = parse_id(&id)?;
        let rec = record::load(ctx, rid)?;
        let notice = match done.as_deref() {
            Some(k @ ("resolved" | "review_saved" | "merged")) => {
                format!("<p class=\"ok\" id=\"notice\">{}</p>", esc(t(ctx.lang, k)))
            }
            _ => String::new(),
        };
        let (title, body) = record::render(ctx, rid, &rec, &notice)?;
        Ok(ok_page(ctx, &title, &at, &body))
    })
    .await
}

/// The form of a conflict resolution.
#[derive(Debug, serde::Deserialize)]
pub struct ResolveForm {
    /// The conflicted field's path.
    pub path: String,
    /// The operation id of the value to keep.
    pub op: String,
}

async fn resolve(
    State(hub): State<Hub>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<ResolveForm>,
) -> Response {
    let here = format!("/web/record/{}", html::qs(&id));
    with_user(hub, headers, None, here.clone(), move |ctx| {
        let rid = parse_id(&id)?;
        record::load(ctx, rid)?;
        let author = ctx.user.author();
        ctx.hub.backend().write_as(&ctx.user.principal, &[rid], |s| {
            s.resolve_conflict(&author, rid, &f.path, &Resolution::Keep(f.op.clone()))
        })?;
        Ok(Redirect::to(&format!("{here}?done=resolved")).into_response())
    })
    .await
}

async fn photo(State(hub): State<Hub>, headers: HeaderMap, Path(hash): Path<String>) -> Response {
    let here = "/web/queue".to_string();
    with_user(hub, headers, None, here, move |ctx| {
        let bytes = ctx
            .hub
            .backend()
            .read_photo(&ctx.user.principal, &hash)
            .map_err(|e| match e {
                HubError::Forbidden(_) => HubError::NotFound("photo"),
                other => other,
            })?;
        let kind = if bytes.starts_with(&[0x89, b'P', b'N', b'G']) { "image/png" } else { "image/jpeg" };
        Ok((
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
                (header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=31536000, immutable")),
            ],
            bytes,
        )
            .into_response())
    })
    .await
}

/// The review form.
#[derive(Debug, serde::Deserialize)]
pub struct ReviewForm {
    /// `approved`, `returned` or `rejected`.
    pub decision: String,
    /// The general comment.
    #[serde(default)]
    pub comment: String,
    /// A field the second comment is about (`answers.<question>`).
    #[serde(default)]
    pub field: String,
    /// The comment on that field.
    #[serde(default)]
    pub field_comment: String,
}

async fn review(
    State(hub): State<Hub>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<ReviewForm>,
) -> Response {
    let here = format!("/web/record/{}", html::qs(&id));
    with_user(hub, headers, None, here.clone(), move |ctx| {
        let rid = parse_id(&id)?;
        record::load(ctx, rid)?;
        let decision = ocop_core::review::Decision::parse(&f.decision).ok_or_else(|| HubError::Invalid {
            field: "decision".into(),
            reason: "approved, returned or rejected".into(),
        })?;
        let mut comments = ocop_core::review::Comments::general(f.comment.trim());
        if !f.field.trim().is_empty() && !f.field_comment.trim().is_empty() {
            comments = comments.on(f.field.trim(), f.field_comment.trim());
        }
        // The scratch replica needs the record and its earlier reviews (a new review names those it supersedes).
        let mut docs = vec![rid];
        let store = ctx.hub.read_model()?.store();
        docs.extend(store.reviews_of(rid)?.into_iter().map(|r| r.review.id));
        let author = ctx.user.author();
        ctx.hub.backend().write_as(&ctx.user.principal, &docs, |s| {
            s.write_review(&author, rid, decision, comments)
        })?;
        Ok(Redirect::to(&format!("{here}?done=review_saved")).into_response())
    })
    .await
}

async fn duplicates_page(
    State(hub): State<Hub>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let here = "/web/duplicates".to_string();
    with_user(hub, headers, q.lang, here.clone(), move |ctx| {
        let body = duplicates::render(ctx)?;
        Ok(ok_page(ctx, t(ctx.lang, "duplicates"), &here, &body))
    })
    .await
}

/// The merge form.
#[derive(Debug, serde::Deserialize)]
pub struct MergeForm {
    /// The producer kept.
    pub keep: String,
    /// The producer merged into it.
    pub duplicate: String,
}

async fn merge(State(hub): State<Hub>, headers: HeaderMap, Form(f): Form<MergeForm>) -> Response {
    with_user(hub, headers, None, "/web/duplicates".into(), move |ctx| {
        let keep = parse_id(&f.keep)?;
        let dup = parse_id(&f.duplicate)?;
        for id in [keep, dup] {
            if !matches!(record::load(ctx, id)?, record::Record::Producer(_)) {
                return Err(HubError::NotFound("producer"));
            }
        }
        // The scratch replica holds both producers and everything that follows the duplicate.
        let store = ctx.hub.read_model()?.store();
        let mut docs = vec![keep, dup];
        docs.extend(
            store
                .list_products(&ocop_core::store::ProductFilter {
                    producer_id: Some(dup),
                    limit: 10_000,
                    ..Default::default()
                })?
                .into_iter()
                .map(|p| p.id),
        );
        docs.extend(
            store
                .list_visits(&ocop_core::store::VisitFilter {
                    producer_id: Some(dup),
                    limit: 10_000,
                    ..Default::default()
                })?
                .into_iter()
                .map(|v| v.id),
        );
        let author = ctx.user.author();
        ctx.hub
            .backend()
            .write_as(&ctx.user.principal, &docs, |s| s.merge_producers(&author, keep, dup))?;
        Ok(Redirect::to(&format!("/web/record/{}?done=merged", html::qs(&keep.to_string()))).into_response())
    })
    .await
}

/// The reports page's query.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ReportQuery {
    /// `vi` or `en`.
    #[serde(default)]
    pub lang: Option<String>,
    /// A province code; empty or absent: the first the person may see.
    #[serde(default)]
    pub province: Option<String>,
    /// `xlsx`, `csv` or `geojson` (downloads).
    #[serde(default)]
    pub format: Option<String>,
    /// The CSV table's key (downloads).
    #[serde(default)]
    pub table: Option<String>,
}

impl ReportQuery {
    fn province(&self) -> Option<String> {
        self.province.clone().filter(|p| !p.is_empty())
    }
}

async fn reports_page(State(hub): State<Hub>, headers: HeaderMap, Query(q): Query<ReportQuery>) -> Response {
    let here = match q.province() {
        Some(p) => format!("/web/reports?province={}", html::qs(&p)),
        None => "/web/reports".to_string(),
    };
    let province = q.province();
    with_user(hub, headers, q.lang.clone(), here.clone(), move |ctx| {
        let body = reports::render(ctx, province.as_deref())?;
        Ok(ok_page(ctx, t(ctx.lang, "reports"), &here, &body))
    })
    .await
}

async fn report_download(State(hub): State<Hub>, headers: HeaderMap, Query(q): Query<ReportQuery>) -> Response {
    let province = q.province();
    let format = q.format.clone().unwrap_or_else(|| "xlsx".into());
    let table = q.table.clone();
    with_user(hub, headers, q.lang.clone(), "/web/reports".into(), move |ctx| {
        let (kind, name, bytes) = reports::download(ctx, province.as_deref(), &format, table.as_deref())?;
        let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
            .map_err(|e| HubError::Invalid { field: "file name".into(), reason: e.to_string() })?;
        Ok(([(header::CONTENT_TYPE, HeaderValue::from_static(kind)), (header::CONTENT_DISPOSITION, disposition)], bytes)
            .into_response())
    })
    .await
}
