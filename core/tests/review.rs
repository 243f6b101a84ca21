//! The review cycle as people live it: a supervisor returns a visit, its collector corrects and resubmits it; an
//! edit after a review makes it stale; two supervisors reviewing offline keep both reviews and see that they
//! disagree.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ocop_core::Error;
use ocop_core::forms::Answer;
use ocop_core::identity::{Author, Role};
use ocop_core::ids::RecordId;
use ocop_core::records::VisitState;
use ocop_core::review::{Comments, Decision, QueueFilter, ReviewStatus};
use ocop_core::store::{NewVisit, Store, VisitCapture};

fn supervisor() -> Author {
    Author::new("sup-tn-01", "Phạm Thị Minh", Role::Supervisor)
}

fn supervisor_2() -> Author {
    Author::new("sup-tn-02", "Đỗ Văn Hùng", Role::Supervisor)
}

/// A producer in Tân Cương and a submitted visit of it by the officer.
fn submitted_visit(store: &Store) -> RecordId {
    let me = officer();
    let producer = store
        .create_producer(&me, producer_in(TAN_CUONG, "HTX Chè Tân Cương"))
        .unwrap();
    let answers = vec![
        (
            "visit_purpose",
            Answer::SelectOne("product_assessment".into()),
        ),
        ("respondent_name", Answer::Text("Lê Thị Hoa".into())),
        ("respondent_role", Answer::SelectOne("owner".into())),
        (
            "producer_legal_form",
            Answer::SelectOne("cooperative".into()),
        ),
        (
            "main_product_name",
            Answer::Text("Chè búp Tân Cương".into()),
        ),
        ("product_group", Answer::SelectOne("food".into())),
        (
            "facility_location",
            Answer::GeoPoint(fix(21.5194, 105.787, Some(6.0))),
        ),
    ];
    store
        .capture_visit(
            &me,
            VisitCapture {
                visit: NewVisit {
                    producer: Some(producer.id),
                    product: None,
                    form_id: "ocop_producer_product_survey".into(),
                    form_version: Some(1),
                    commune_code: None,
                },
                answers: answers
                    .into_iter()
                    .map(|(q, a)| (q.to_string(), a))
                    .collect(),
                fixes: vec![fix(21.5195, 105.7871, Some(8.0))],
                photos: vec![],
                notes: "Cơ sở sạch sẽ.".into(),
                submit: true,
            },
        )
        .unwrap()
        .id
}

fn open_queue(store: &Store) -> Vec<(RecordId, ReviewStatus)> {
    store
        .review_queue(&QueueFilter {
            needs_review: true,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|i| (i.record, i.status))
        .collect()
}

#[test]
fn a_returned_visit_goes_back_to_its_collector_who_corrects_and_resubmits_it() {
    let dir = tempfile::tempdir().unwrap();
    let phone = open(&dir, "officer.db");
    let desk = open(&dir, "supervisor.db");
    let visit = submitted_visit(&phone);

    desk.merge_from(&phone).unwrap();
    assert_eq!(open_queue(&desk), vec![(visit, ReviewStatus::Pending)]);

    let returned = desk
        .write_review(
            &supervisor(),
            visit,
            Decision::Returned,
            Comments::general("Thiếu ảnh sản phẩm; kiểm tra lại tên sản phẩm.").on(
                "answers.main_product_name",
                "Ghi rõ: Chè búp khô hay chè xanh?",
            ),
        )
        .unwrap();
    assert_eq!(returned.heads, {
        let mut h: Vec<String> = desk
            .heads(visit)
            .unwrap()
            .split(',')
            .map(String::from)
            .collect();
        h.sort();
        h
    });
    assert!(
        open_queue(&desk).is_empty(),
        "decided: out of the open queue"
    );
    assert_eq!(
        desk.review_status(visit).unwrap().status,
        ReviewStatus::Returned
    );

    // The collector syncs and finds it, with the comments.
    phone.merge_from(&desk).unwrap();
    let mine = phone.returned_to("officer-tn-01").unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].record, visit);
    assert_eq!(mine[0].review.decision, Decision::Returned);
    assert_eq!(
        mine[0].review.comment,
        "Thiếu ảnh sản phẩm; kiểm tra lại tên sản phẩm."
    );
    assert_eq!(
        mine[0].review.field_comments["answers.main_product_name"],
        "Ghi rõ: Chè búp khô hay chè xanh?"
    );
    assert!(phone.returned_to("someone-else").unwrap().is_empty());

    // Reopened to correct it: a draft, still returned to them, not in anyone's queue.
    phone.reopen_visit(&officer(), visit).unwrap();
    assert_eq!(phone.visit(visit).unwrap().state, VisitState::Draft);
    phone
        .set_answer(
            &officer(),
            visit,
            "main_product_name",
            Some(Answer::Text("Chè búp khô Tân Cương".into())),
        )
        .unwrap();
    assert_eq!(phone.returned_to("officer-tn-01").unwrap().len(), 1);
    assert!(open_queue(&phone).is_empty());

    // Resubmitted: it leaves the collector's list and is back in the queue, as changed since its review.
    assert_eq!(
        phone.submit_visit(&officer(), visit).unwrap().state,
        VisitState::Submitted
    );
    assert!(phone.returned_to("officer-tn-01").unwrap().is_empty());
    desk.merge_from(&phone).unwrap();
    assert_eq!(open_queue(&desk), vec![(visit, ReviewStatus::Stale)]);
    let item = &desk.review_queue(&QueueFilter::default()).unwrap()[0];
    assert_eq!(
        item.decision,
        Some(Decision::Returned),
        "the old decision is shown"
    );
    assert_eq!(item.producer_name.as_deref(), Some("HTX Chè Tân Cương"));

    desk.write_review(
        &supervisor(),
        visit,
        Decision::Approved,
        Comments::default(),
    )
    .unwrap();
    assert!(open_queue(&desk).is_empty());
    let status = desk.review_status(visit).unwrap();
    assert_eq!(status.status, ReviewStatus::Approved);
    assert_eq!(status.reviews.len(), 2);
    assert!(
        !status.reviews[0].in_force && status.reviews[1].in_force,
        "the new review supersedes the one it saw"
    );
    phone.merge_from(&desk).unwrap();
    assert_converged(&phone, &desk);
    assert_eq!(
        phone.review_status(visit).unwrap().status,
        ReviewStatus::Approved
    );
}

#[test]
fn an_edit_after_a_review_makes_it_stale_but_reordered_merges_do_not() {
    let dir = tempfile::tempdir().unwrap();
    let phone = open(&dir, "officer.db");
    let desk = open(&dir, "supervisor.db");
    let third = open(&dir, "colleague.db");
    let visit = submitted_visit(&phone);
    desk.merge_from(&phone).unwrap();
    desk.write_review(
        &supervisor(),
        visit,
        Decision::Approved,
        Comments::default(),
    )
    .unwrap();

    // A third device learns the review first and the visit after: same standing, nothing stale.
    third.merge_from(&desk).unwrap();
    third.merge_from(&phone).unwrap();
    assert_eq!(
        third.review_status(visit).unwrap().status,
        ReviewStatus::Approved
    );

    // An edit after the review: stale, and back in the queue on every device that sees it.
    phone.merge_from(&desk).unwrap();
    assert_eq!(
        phone.review_status(visit).unwrap().status,
        ReviewStatus::Approved
    );
    phone
        .set_notes(
            &officer(),
            visit,
            "Cơ sở sạch sẽ. Đã bổ sung tem truy xuất.",
        )
        .unwrap();
    assert_eq!(open_queue(&phone), vec![(visit, ReviewStatus::Stale)]);
    desk.merge_from(&phone).unwrap();
    let status = desk.review_status(visit).unwrap();
    assert_eq!(status.status, ReviewStatus::Stale);
    assert!(status.reviews[0].stale);

    // The projection is derived: rebuilt from the documents, the same states come back.
    let before = desk.review_queue(&QueueFilter::default()).unwrap();
    desk.rebuild_projections().unwrap();
    assert_eq!(desk.review_queue(&QueueFilter::default()).unwrap(), before);
}

#[test]
fn a_concurrent_edit_the_reviewer_never_saw_makes_the_review_stale() {
    let dir = tempfile::tempdir().unwrap();
    let phone = open(&dir, "officer.db");
    let desk = open(&dir, "supervisor.db");
    let visit = submitted_visit(&phone);
    desk.merge_from(&phone).unwrap();
    // Offline at the same time: the supervisor approves what they have, the officer adds a note.
    desk.write_review(
        &supervisor(),
        visit,
        Decision::Approved,
        Comments::default(),
    )
    .unwrap();
    phone
        .set_notes(
            &officer(),
            visit,
            "Cơ sở sạch sẽ. Chủ cơ sở hẹn gửi giấy chứng nhận.",
        )
        .unwrap();
    desk.merge_from(&phone).unwrap();
    phone.merge_from(&desk).unwrap();
    for store in [&phone, &desk] {
        assert_eq!(
            store.review_status(visit).unwrap().status,
            ReviewStatus::Stale,
            "the approval did not cover the note"
        );
    }
}

#[test]
fn two_supervisors_offline_keep_both_reviews_and_see_that_they_disagree() {
    let dir = tempfile::tempdir().unwrap();
    let phone = open(&dir, "officer.db");
    let desk_1 = open(&dir, "sup1.db");
    let desk_2 = open(&dir, "sup2.db");
    let visit = submitted_visit(&phone);
    desk_1.merge_from(&phone).unwrap();
    desk_2.merge_from(&phone).unwrap();

    let a = desk_1
        .write_review(
            &supervisor(),
            visit,
            Decision::Approved,
            Comments::default(),
        )
        .unwrap();
    let b = desk_2
        .write_review(
            &supervisor_2(),
            visit,
            Decision::Rejected,
            Comments::general("Sản phẩm chưa đủ điều kiện tham gia OCOP."),
        )
        .unwrap();

    desk_1.merge_from(&desk_2).unwrap();
    desk_2.merge_from(&desk_1).unwrap();
    phone.merge_from(&desk_1).unwrap();
    for store in [&desk_1, &desk_2, &phone] {
        let status = store.review_status(visit).unwrap();
        assert_eq!(status.status, ReviewStatus::Conflicting);
        let mut ids: Vec<RecordId> = status.deciding().iter().map(|r| r.id).collect();
        ids.sort();
        let mut expected = vec![a.id, b.id];
        expected.sort();
        assert_eq!(ids, expected, "both reviews kept and both in force");
        let item = store
            .review_queue(&QueueFilter {
                state: Some(ReviewStatus::Conflicting),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(item.len(), 1);
        assert_eq!(item[0].reviewers, vec!["sup-tn-01", "sup-tn-02"]);
    }
    assert_converged(&desk_1, &desk_2);

    // One of them settles it with a review that has seen both.
    let settled = desk_2
        .write_review(
            &supervisor_2(),
            visit,
            Decision::Returned,
            Comments::general("Bổ sung giấy tờ rồi gửi lại."),
        )
        .unwrap();
    assert_eq!(settled.supersedes.len(), 2);
    desk_1.merge_from(&desk_2).unwrap();
    assert_eq!(
        desk_1.review_status(visit).unwrap().status,
        ReviewStatus::Returned
    );
}

#[test]
fn reviews_are_refused_when_incomplete_or_not_a_supervisors_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, "s.db");
    let visit = submitted_visit(&store);
    let err = store
        .write_review(
            &supervisor(),
            visit,
            Decision::Returned,
            Comments::default(),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err}");
    let err = store
        .write_review(&officer(), visit, Decision::Approved, Comments::default())
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err}");
    assert_eq!(
        store.count(ocop_core::records::RecordKind::Review).unwrap(),
        0
    );
    assert!(store.reviews_of(visit).unwrap().is_empty());

    store.reopen_visit(&officer(), visit).unwrap();
    let err = store
        .write_review(
            &supervisor(),
            visit,
            Decision::Approved,
            Comments::default(),
        )
        .unwrap_err();
    assert!(
        matches!(err, Error::Invalid { .. }),
        "a draft is not reviewed: {err}"
    );
}
