//! The review pages over HTTP: sign-in is required, scope limits what a supervisor sees, the pages show a visit's
//! answers, photo, map, flags and history in Vietnamese or English, and actions are written as the supervisor and
//! reach devices.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;
mod web_fixture;

use common::*;
use ocop_core::identity::Role;
use ocop_core::records::ProducerPatch;
use web_fixture::*;

fn every_page_needs_a_session_and_codes_work_once(backend: Backend) {
    let f = field_with_visit(backend);
    let mut c = Client::new(&f.t.url());
    for path in [
        "/web/queue".to_string(),
        format!("/web/record/{}", f.visit),
        format!("/web/photo/{}", f.photo),
    ] {
        let r = c.get(&path);
        assert_eq!(r.status, 303, "{path} without a session");
        assert!(r.location.unwrap().starts_with("/web/sign-in?next="));
    }
    let r = c.post(&format!("/web/record/{}/resolve", f.visit), &[("path", "phone"), ("op", "1@aa")]);
    assert_eq!(r.status, 303, "an action without a session");

    let r = c.get("/web/sign-in");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Đăng nhập") && r.body.contains("name=\"code\""));

    let r = c.post("/web/sign-in", &[("code", "AAAA-BBBB-CCCC")]);
    assert_eq!(r.status, 401);
    assert!(r.body.contains("Mã không hợp lệ"), "{}", r.body);

    let code = web_code(&f.t, "sup-tn", Role::Supervisor, province(THAI_NGUYEN));
    c.sign_in(&code);
    let cookie = r_cookie(&c);
    let r = c.get("/web/queue");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Hàng chờ duyệt"));

    // The code was consumed; the session's cookie is HttpOnly and SameSite=Strict.
    let mut other = Client::new(&f.t.url());
    assert_eq!(other.post("/web/sign-in", &[("code", &code)]).status, 401);
    let mut again = Client::new(&f.t.url());
    let issued = again.post(
        "/web/sign-in",
        &[("code", &web_code(&f.t, "sup-2", Role::Supervisor, province(THAI_NGUYEN)))],
    );
    let set = issued.cookies.iter().find(|c| c.starts_with("ocop_session=")).unwrap();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"), "{set}");

    // Signing out revokes the session: the old cookie no longer works.
    assert_eq!(c.post("/web/sign-out", &[]).status, 303);
    let mut stale = Client::new(&f.t.url());
    stale.cookie = Some(cookie);
    assert_eq!(stale.get("/web/queue").status, 303);
}

fn r_cookie(c: &Client) -> String {
    c.cookie.clone().unwrap()
}

fn only_supervisors_sign_in(backend: Backend) {
    let f = field_with_visit(backend);
    let mut c = Client::new(&f.t.url());
    let code = web_code(&f.t, "officer-2", Role::Officer, communes(&[TAN_CUONG]));
    let r = c.post("/web/sign-in", &[("code", &code)]);
    assert_eq!(r.status, 401);
    assert!(r.body.contains("Chỉ giám sát viên"), "{}", r.body);
    assert!(c.cookie.is_none());
    // A phone token of an officer, put into the cookie, opens nothing either.
    let mut forged = Client::new(&f.t.url());
    forged.cookie = Some(format!("ocop_session={}", f.officer.enrollment.token));
    assert_eq!(forged.get("/web/queue").status, 303);
}

fn a_visit_shows_answers_photo_map_flags_and_history_in_vietnamese_or_english(backend: Backend) {
    let f = field_with_visit(backend);
    let mut c = Client::new(&f.t.url());
    c.sign_in(&web_code(&f.t, "sup-tn", Role::Supervisor, province(THAI_NGUYEN)));

    let q = c.get("/web/queue");
    assert!(q.body.contains(&format!("/web/record/{}", f.visit)), "the visit is queued");
    assert!(q.body.contains("HTX Chè Tân Cương"));
    let q = c.get(&format!("/web/queue?commune={TAN_CUONG}&state=submitted"));
    assert!(q.body.contains(&format!("/web/record/{}", f.visit)));
    let q = c.get(&format!("/web/queue?commune={BAT_TRANG}"));
    assert!(!q.body.contains("/web/record/"), "another commune's filter hides it");
    let q = c.get("/web/queue?state=approved");
    assert!(!q.body.contains("/web/record/"), "the visit is not approved yet");
    let q = c.get("/web/queue?state=pending");
    assert!(q.body.contains(&format!("/web/record/{}", f.visit)), "it is pending");

    let r = c.get(&format!("/web/record/{}", f.visit));
    assert_eq!(r.status, 200, "{}", r.body);
    let b = &r.body;
    assert!(b.contains("<html lang=\"vi\">"));
    assert!(b.contains("Câu trả lời") && b.contains("Lịch sử thay đổi"));
    let form = f.officer.store.form("ocop_producer_product_survey", 1).unwrap();
    let visit = f.officer.store.visit(f.visit).unwrap();
    let labelled = form
        .questions
        .iter()
        .filter(|q| visit.answers.contains_key(&q.id))
        .filter(|q| b.contains(&html_escape(&q.label.vi)))
        .count();
    assert_eq!(labelled, visit.answers.len(), "every answer is shown under its question's label");
    assert!(b.contains(&format!("/web/photo/{}", f.photo)));
    assert_eq!(b.matches("<circle class=\"fix\"").count(), 2, "both fixes are on the map");
    assert!(b.contains("class=\"producer\""), "the producer's point is on the map");
    let drew_zone = visit.answers.values().any(|a| matches!(a, ocop_core::forms::Answer::GeoShape(r) if r.len() >= 3));
    assert_eq!(b.contains("<polygon class=\"zone\""), drew_zone, "a zone drawn in the visit is on the map");
    assert!(!b.contains("{&quot;type&quot;"), "no answer is shown as raw JSON");
    assert!(b.contains("Người dùng officer-tc (officer)"), "history names the collector");

    let photo = c.get(&format!("/web/photo/{}", f.photo));
    assert_eq!(photo.status, 200);

    let en = c.get(&format!("/web/record/{}?lang=en", f.visit));
    assert!(en.body.contains("<html lang=\"en\">") && en.body.contains("History of changes"));
    assert!(en.cookies.iter().any(|c| c.starts_with("ocop_lang=en")));
    let form_en = form.questions.iter().find(|q| q.label.en.is_some() && visit.answers.contains_key(&q.id));
    if let Some(q) = form_en {
        assert!(en.body.contains(&html_escape(q.label.en.as_deref().unwrap())));
    }
    // The language is remembered by the cookie.
    c.cookie = Some(format!("{}; ocop_lang=en", c.cookie.clone().unwrap()));
    assert!(c.get("/web/queue").body.contains("Review queue"));
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn records_outside_the_supervisors_scope_are_not_found(backend: Backend) {
    let f = field_with_visit(backend);
    let mut c = Client::new(&f.t.url());
    c.sign_in(&web_code(&f.t, "sup-hn", Role::Supervisor, province("01")));
    let q = c.get("/web/queue");
    assert_eq!(q.status, 200);
    assert!(!q.body.contains("/web/record/"), "a Hà Nội supervisor sees no Thái Nguyên visit");
    assert_eq!(c.get(&format!("/web/record/{}", f.visit)).status, 404);
    assert_eq!(c.get(&format!("/web/record/{}", f.producer)).status, 404);
    assert_eq!(c.get(&format!("/web/photo/{}", f.photo)).status, 404);
    assert_eq!(c.get("/web/record/not-an-id").status, 404);
    let r = c.post(
        &format!("/web/record/{}/resolve", f.producer),
        &[("path", "phone"), ("op", "1@00")],
    );
    assert_eq!(r.status, 404, "no action on a record out of scope");
}

fn resolving_a_conflict_in_the_pages_is_written_as_the_supervisor_and_reaches_devices(backend: Backend) {
    let f = field_with_visit(backend);
    let mut a = f.officer;
    let mut b = f.t.device("union-tc", Role::UnionStaff, communes(&[TAN_CUONG]));
    b.sync().unwrap();
    for (d, phone) in [(&a, "0912000111"), (&b, "0987000222")] {
        d.store
            .update_producer(
                &d.author,
                f.producer,
                ProducerPatch {
                    phone: Some(Some(phone.into())),
                    ..Default::default()
                },
            )
            .unwrap();
    }
    a.sync().unwrap();
    b.sync().unwrap();
    a.sync().unwrap();
    assert_eq!(a.store.conflicts(Some(f.producer)).unwrap().len(), 1);

    let mut c = Client::new(&f.t.url());
    c.sign_in(&web_code(&f.t, "sup-tn", Role::Supervisor, province(THAI_NGUYEN)));
    let page = c.get(&format!("/web/record/{}", f.producer));
    assert!(page.body.contains("Xung đột đang mở") && page.body.contains("0987000222"));
    let store = f.t.hub.read_model().unwrap().store();
    let conflict = store.conflicts(Some(f.producer)).unwrap().remove(0);
    let keep = conflict.values.iter().find(|v| v.value == "0987000222").unwrap();
    let r = c.post(
        &format!("/web/record/{}/resolve", f.producer),
        &[("path", &conflict.path), ("op", &keep.op)],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r.location.unwrap().ends_with("?done=resolved"));

    // The hub's log holds the resolution, authored by the supervisor; the officer's phone receives it.
    let hist = f.t.hub.read_model().unwrap().store().history(f.producer).unwrap();
    let last = hist.last().unwrap().author.clone().unwrap();
    assert_eq!((last.user_id.as_str(), last.role), ("sup-tn", Role::Supervisor));
    a.sync().unwrap();
    assert!(a.store.conflicts(Some(f.producer)).unwrap().is_empty());
    assert_eq!(a.store.producer(f.producer).unwrap().phone.as_deref(), Some("0987000222"));
    let page = c.get(&format!("/web/record/{}?done=resolved", f.producer));
    assert!(page.body.contains("Đã giải quyết xung đột."));
    assert!(page.body.contains("Giám sát sup-tn (supervisor)"), "the history shows who resolved it");
}

fn a_write_at_the_hub_passes_the_devices_permission_check(backend: Backend) {
    // An officer's account may not write reviews-only kinds nor outside its scope: the same check refuses a
    // write made at the hub on its behalf, and nothing is appended.
    let f = field_with_visit(backend);
    let before = f.t.hub.storage().document_changes(f.producer.0, 0).unwrap().len();
    let outsider = ocop_core::sync::Principal {
        user_id: "officer-bt".into(),
        role: Role::Officer,
        scope: communes(&[BAT_TRANG]),
    };
    let author = ocop_core::identity::Author::new("officer-bt", "", Role::Officer);
    let err = f
        .t
        .hub
        .backend()
        .write_as(&outsider, &[f.producer], |s| {
            s.update_producer(
                &author,
                f.producer,
                ProducerPatch {
                    members: Some(Some(99)),
                    ..Default::default()
                },
            )
        })
        .unwrap_err();
    assert!(matches!(err, ocop_hub::HubError::Forbidden(_)), "{err}");
    let after = f.t.hub.storage().document_changes(f.producer.0, 0).unwrap().len();
    assert_eq!(before, after, "nothing was appended");
}

fn a_review_in_the_pages_is_a_review_document_by_the_supervisor(backend: Backend) {
    let f = field_with_visit(backend);
    let mut c = Client::new(&f.t.url());
    c.sign_in(&web_code(&f.t, "sup-tn", Role::Supervisor, province(THAI_NGUYEN)));
    let path = format!("/web/record/{}/review", f.visit);

    // Returning without saying why is refused, and nothing is written.
    let r = c.post(&path, &[("decision", "returned"), ("comment", " ")]);
    assert_eq!(r.status, 400, "{}", r.body);
    let r = c.post(&path, &[("decision", "maybe"), ("comment", "x")]);
    assert_eq!(r.status, 400);
    let store = f.t.hub.read_model().unwrap().store();
    assert!(store.reviews_of(f.visit).unwrap().is_empty());

    let r = c.post(
        &path,
        &[
            ("decision", "returned"),
            ("comment", "Thiếu ảnh giấy chứng nhận."),
            ("field", "answers.main_product_name"),
            ("field_comment", "Ghi đầy đủ tên sản phẩm."),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r.location.unwrap().ends_with("?done=review_saved"));
    let store = f.t.hub.read_model().unwrap().store();
    let status = store.review_status(f.visit).unwrap();
    assert_eq!(status.status, ocop_core::review::ReviewStatus::Returned);
    let review = &status.reviews[0].review;
    assert_eq!((review.reviewer.as_str(), review.reviewer_name.as_str()), ("sup-tn", "Giám sát sup-tn"));
    assert_eq!(review.comment, "Thiếu ảnh giấy chứng nhận.");
    assert_eq!(review.field_comments["answers.main_product_name"], "Ghi đầy đủ tên sản phẩm.");

    // The queue shows it as returned; a later approval supersedes the return.
    let q = c.get("/web/queue?state=returned");
    assert!(q.body.contains(&format!("/web/record/{}", f.visit)));
    assert_eq!(c.post(&path, &[("decision", "approved")]).status, 303);
    let store = f.t.hub.read_model().unwrap().store();
    let status = store.review_status(f.visit).unwrap();
    assert_eq!(status.status, ocop_core::review::ReviewStatus::Approved);
    assert_eq!(status.reviews.len(), 2);
    let page = c.get(&format!("/web/record/{}", f.visit));
    assert!(page.body.contains("Đã duyệt") && page.body.contains("đã được thay thế"));
}

fn merging_duplicate_producers_in_the_pages_reaches_the_officer(backend: Backend) {
    let f = field_with_visit(backend);
    let mut officer = f.officer;
    let dup = officer
        .store
        .create_producer(&officer.author, producer_in(TAN_CUONG, "Hợp tác xã chè Tân Cương"))
        .unwrap();
    officer.sync().unwrap();
    let mut c = Client::new(&f.t.url());
    c.sign_in(&web_code(&f.t, "sup-tn", Role::Supervisor, province(THAI_NGUYEN)));
    let page = c.get("/web/duplicates");
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&format!("/web/record/{}", dup.id)), "the pair is listed: {}", page.body);
    assert!(page.body.contains("Trùng số điện thoại"), "with its reasons");

    let r = c.post(
        "/web/merge",
        &[("keep", &f.producer.to_string()), ("duplicate", &dup.id.to_string())],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let store = f.t.hub.read_model().unwrap().store();
    assert_eq!(
        store.producer(dup.id).unwrap().status,
        ocop_core::records::ProducerStatus::MergedInto(f.producer)
    );
    officer.sync().unwrap();
    assert_eq!(
        officer.store.producer(dup.id).unwrap().status,
        ocop_core::records::ProducerStatus::MergedInto(f.producer)
    );
    assert!(!c.get("/web/duplicates").body.contains(&format!("/web/record/{}", dup.id)));

    // A Hà Nội supervisor cannot merge Thái Nguyên producers.
    let mut hn = Client::new(&f.t.url());
    hn.sign_in(&web_code(&f.t, "sup-hn", Role::Supervisor, province("01")));
    let r = hn.post(
        "/web/merge",
        &[("keep", &dup.id.to_string()), ("duplicate", &f.producer.to_string())],
    );
    assert_eq!(r.status, 404);
}

fn reports_in_the_pages_count_the_province_and_download_as_xlsx_csv_and_geojson(backend: Backend) {
    let f = field_with_visit(backend);
    let mut c = Client::new(&f.t.url());
    c.sign_in(&web_code(&f.t, "sup-tn", Role::Supervisor, province(THAI_NGUYEN)));
    let page = c.get("/web/reports");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Báo cáo OCOP") && page.body.contains("Phiếu khảo sát chờ duyệt"));
    assert!(
        page.body.contains("<td>pending_review</td><td>Phiếu khảo sát chờ duyệt</td><td>Visits pending review</td><td>1</td>"),
        "the submitted visit is pending review: {}",
        page.body
    );
    let csv = c.get(&format!("/web/reports/download?province={THAI_NGUYEN}&format=csv&table=summary&lang=en"));
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert!(csv.body.starts_with('\u{feff}'), "UTF-8 with BOM");
    assert!(csv.body.contains("pending_review") && csv.body.contains(",1"), "{}", csv.body);
    let geo = c.get(&format!("/web/reports/download?province={THAI_NGUYEN}&format=geojson"));
    assert_eq!(geo.status, 200);
    let value: serde_json::Value = serde_json::from_str(&geo.body).unwrap();
    assert_eq!(value["type"], "FeatureCollection");
    assert!(!value["features"].as_array().unwrap().is_empty(), "the producer and the visit as points");
    let xlsx = c.get(&format!("/web/reports/download?province={THAI_NGUYEN}&format=xlsx"));
    assert_eq!(xlsx.status, 200);
    assert_eq!(
        xlsx.content_type.as_deref(),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    assert_eq!(c.get(&format!("/web/reports/download?province={THAI_NGUYEN}&format=pdf")).status, 400);

    // Another province's report, and a commune-only account, are refused.
    assert_eq!(c.get("/web/reports/download?province=01&format=csv").status, 403);
    let mut commune_only = Client::new(&f.t.url());
    commune_only.sign_in(&web_code(&f.t, "sup-tc", Role::Supervisor, communes(&[TAN_CUONG])));
    let r = commune_only.get(&format!("/web/reports/download?province={THAI_NGUYEN}&format=csv"));
    assert_eq!(r.status, 403);
    // Without a session: to the sign-in page.
    assert_eq!(Client::new(&f.t.url()).get("/web/reports").status, 303);
}

on_both_backends!(
    every_page_needs_a_session_and_codes_work_once,
    only_supervisors_sign_in,
    a_visit_shows_answers_photo_map_flags_and_history_in_vietnamese_or_english,
    records_outside_the_supervisors_scope_are_not_found,
    resolving_a_conflict_in_the_pages_is_written_as_the_supervisor_and_reaches_devices,
    a_write_at_the_hub_passes_the_devices_permission_check,
    a_review_in_the_pages_is_a_review_document_by_the_supervisor,
    merging_duplicate_producers_in_the_pages_reaches_the_officer,
    reports_in_the_pages_count_the_province_and_download_as_xlsx_csv_and_geojson,
);
