//! Field data for the review pages' tests: an officer's submitted visit with a photo and GPS fixes synced to a
//! hub, and a small HTTP client that keeps a session cookie and does not follow redirects.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use ocop_core::forms::{Answer, QuestionKind};
use ocop_core::identity::Role;
use ocop_core::ids::RecordId;
use ocop_core::photo::testing::generate_jpeg;
use ocop_core::places::Places;
use ocop_core::records::PhotoKind;
use ocop_core::sample::Sampler;
use ocop_core::store::NewVisit;
use ocop_core::sync::Scope;
use ocop_hub::Account;

use crate::common::*;

/// A hub with one officer's submitted visit (answers, two fixes, a photo) synced to it.
pub struct Field {
    pub t: TestHub,
    pub officer: Device,
    pub visit: RecordId,
    pub producer: RecordId,
    pub photo: String,
}

/// An officer of Tân Cương registers a producer, visits it (answers, two GPS fixes, a photo), submits and syncs.
pub fn field_with_visit(backend: Backend) -> Field {
    let t = TestHub::start(backend);
    let mut officer = t.device("officer-tc", Role::Officer, communes(&[TAN_CUONG]));
    let places = Places::embedded();
    let unit = places.commune(TAN_CUONG).unwrap();
    let mut rng = Sampler::new(7);
    let mut new = producer_in(TAN_CUONG, "HTX Chè Tân Cương");
    new.location = Some(rng.fix_near(unit, 1_700_000_000_000));
    let p = officer.store.create_producer(&officer.author, new).unwrap();
    let v = officer
        .store
        .start_visit(
            &officer.author,
            NewVisit {
                producer: Some(p.id),
                product: None,
                form_id: "ocop_producer_product_survey".into(),
                form_version: Some(1),
                commune_code: None,
            },
        )
        .unwrap();
    let jpg = officer.store.path().with_extension("visit.jpg");
    generate_jpeg(&jpg, 800, 600, 11, None).unwrap();
    let photo = officer
        .store
        .attach_photo(&officer.author, v.id, &jpg, PhotoKind::Product, "Chè búp đóng gói")
        .unwrap();
    let form = officer.store.form("ocop_producer_product_survey", 1).unwrap();
    let mut answers = rng.answers(&form, unit, 100);
    for q in &form.questions {
        if q.kind == QuestionKind::Photo && q.required {
            answers.push((q.id.clone(), Answer::Photo(photo.hash.clone())));
        }
    }
    officer.store.set_answers(&officer.author, v.id, &answers).unwrap();
    for i in 0..2 {
        let fix = rng.fix_near(unit, 1_700_000_100_000 + i);
        officer.store.add_fix(&officer.author, v.id, fix).unwrap();
    }
    officer.store.submit_visit(&officer.author, v.id).unwrap();
    let report = officer.sync().unwrap();
    assert!(report.photos_sent >= 1, "the photo reached the hub: {report:?}");
    Field {
        t,
        officer,
        visit: v.id,
        producer: p.id,
        photo: photo.hash,
    }
}

/// A one-time sign-in code for a user of the pages.
pub fn web_code(t: &TestHub, user: &str, role: Role, scope: Scope) -> String {
    t.hub
        .enroll(Account {
            user_id: user.into(),
            display_name: format!("Giám sát {user}"),
            role,
            scope,
        })
        .unwrap()
        .code
}

/// A reply: status, `Location`, `Set-Cookie` headers, body.
pub struct Reply {
    pub status: u16,
    pub location: Option<String>,
    pub cookies: Vec<String>,
    pub content_type: Option<String>,
    pub body: String,
}

/// A browser-like client: keeps the session cookie, follows no redirect.
pub struct Client {
    pub base: String,
    pub cookie: Option<String>,
    agent: ureq::Agent,
}

impl Client {
    pub fn new(base: &str) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .build()
            .into();
        Self {
            base: base.into(),
            cookie: None,
            agent,
        }
    }

    fn finish(&mut self, mut r: ureq::http::Response<ureq::Body>) -> Reply {
        let cookies: Vec<String> = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        for c in &cookies {
            if let Some(v) = c.strip_prefix("ocop_session=") {
                let token = v.split(';').next().unwrap();
                self.cookie = (!token.is_empty()).then(|| format!("ocop_session={token}"));
            }
        }
        Reply {
            status: r.status().as_u16(),
            location: r
                .headers()
                .get("location")
                .map(|v| v.to_str().unwrap().to_string()),
            cookies,
            content_type: r
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_string()),
            body: r.body_mut().read_to_string().unwrap_or_default(),
        }
    }

    pub fn get(&mut self, path: &str) -> Reply {
        let mut req = self.agent.get(format!("{}{path}", self.base));
        if let Some(c) = &self.cookie {
            req = req.header("Cookie", c);
        }
        let r = req.call().unwrap();
        self.finish(r)
    }

    pub fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Reply {
        let mut req = self.agent.post(format!("{}{path}", self.base));
        if let Some(c) = &self.cookie {
            req = req.header("Cookie", c);
        }
        let r = req.send_form(form.iter().copied()).unwrap();
        self.finish(r)
    }

    /// Signs in with a one-time code; panics unless it worked.
    pub fn sign_in(&mut self, code: &str) {
        let r = self.post("/web/sign-in", &[("code", code), ("next", "/web/queue")]);
        assert_eq!(r.status, 303, "{}", r.body);
        assert!(self.cookie.is_some(), "a session cookie was set");
    }
}
