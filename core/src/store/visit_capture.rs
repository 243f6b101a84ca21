//! Capture of visits: start one against a form version, answer it, record GPS fixes, attach photos, submit —
//! step by step as the officer goes, or all at once when a completed form is saved ([`Store::capture_visit`]).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::Store;
use crate::error::{Error, Result};
use crate::forms::{Answer, Form};
use crate::gps::{self, GpsFix};
use crate::identity::Author;
use crate::ids::{RecordId, now_millis};
use crate::photo::ImportedPhoto;
use crate::records::{self, PhotoKind, PhotoRef, RecordKind, Visit, VisitFix, VisitState};

/// What starts a visit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewVisit {
    /// The producer visited.
    pub producer: Option<RecordId>,
    /// The product assessed.
    pub product: Option<RecordId>,
    /// The form to answer.
    pub form_id: String,
    /// Its version; default: the newest known.
    pub form_version: Option<u32>,
    /// The commune of the visit; default: the producer's.
    pub commune_code: Option<String>,
}

/// A whole visit saved at once (the "save form" of a completed survey): one durable write.
#[derive(Debug, Clone)]
pub struct VisitCapture {
    /// What it is a visit of, and which form.
    pub visit: NewVisit,
    /// Answers by question id.
    pub answers: Vec<(String, Answer)>,
    /// GPS fixes, in the order taken.
    pub fixes: Vec<GpsFix>,
    /// Photos already imported with [`Store::import_photo`]: (photo, kind, caption).
    pub photos: Vec<(ImportedPhoto, PhotoKind, String)>,
    /// Notes.
    pub notes: String,
    /// Submit it for review (every required question must be answered).
    pub submit: bool,
}

/// Where a visited producer is (see `Store::producer_place`).
struct ProducerPlace {
    commune_code: String,
    location: Option<GpsFix>,
}

impl Store {
    /// Starts a visit (a draft) answering a form version.
    pub fn start_visit(&self, author: &Author, new: NewVisit) -> Result<Visit> {
        let (visit, _, _) = self.new_visit_record(author, &new)?;
        self.create_doc(author, super::project::Created::Visit(&visit))?;
        Ok(visit)
    }

    /// Builds (without writing) a new draft visit record, checking its form, producer, product and commune.
    /// Also returns the form and where the producer is, so that a caller need not read them again.
    fn new_visit_record(
        &self,
        author: &Author,
        new: &NewVisit,
    ) -> Result<(Visit, Form, Option<ProducerPlace>)> {
        let form = match new.form_version {
            Some(v) => self.form(&new.form_id, v)?,
            None => self.latest_form(&new.form_id)?,
        };
        let producer = new.producer.map(|id| self.producer_place(id)).transpose()?;
        if let Some(pid) = new.product {
            let product = self.product(pid)?;
            if new.producer.is_some_and(|p| p != product.producer) {
                return Err(Error::Invalid {
                    field: "product".into(),
                    reason: "the product belongs to another producer".into(),
                });
            }
        }
        let commune_code = match (&new.commune_code, &producer) {
            (Some(c), _) => c.clone(),
            (None, Some(p)) => p.commune_code.clone(),
            (None, None) => {
                return Err(Error::Invalid {
                    field: "commune".into(),
                    reason: "a visit needs a producer or a commune".into(),
                });
            }
        };
        let address = self.address_in(&commune_code, "", "")?;
        let visit = Visit {
            id: RecordId::new(),
            producer: new.producer,
            product: new.product,
            province: address.province,
            commune: address.commune,
            form_id: form.id.clone(),
            form_version: form.version,
            answers: BTreeMap::new(),
            fixes: Vec::new(),
            photos: BTreeMap::new(),
            notes: autosurgeon::Text::with_value(""),
            collector: author.user_id.clone(),
            started_at: now_millis(),
            submitted_at: None,
            state: VisitState::Draft,
        };
        Ok((visit, form, producer))
    }

    fn form_of(&self, visit: &Visit) -> Result<Form> {
        self.form(&visit.form_id, visit.form_version)
    }

    /// Sets (or clears, with `None`) one answer, validated against the form version the visit was started with.
    pub fn set_answer(
        &self,
        author: &Author,
        visit_id: RecordId,
        question: &str,
        answer: Option<Answer>,
    ) -> Result<()> {
        let visit = self.visit(visit_id)?;
        let form = self.form_of(&visit)?;
        let answer = match answer {
            Some(a) => Some(form.normalize_answer(question, a)?),
            None => {
                form.question(question)?;
                None
            }
        };
        self.write_doc(visit_id, RecordKind::Visit, author, false, |doc| {
            records::write_answer(doc, question, answer.as_ref())
        })
    }

    /// Sets several answers in one change (one durable write).
    pub fn set_answers(
        &self,
        author: &Author,
        visit_id: RecordId,
        answers: &[(String, Answer)],
    ) -> Result<()> {
        let visit = self.visit(visit_id)?;
        let form = self.form_of(&visit)?;
        let mut checked = Vec::with_capacity(answers.len());
        for (q, a) in answers {
            checked.push((q.as_str(), form.normalize_answer(q, a.clone())?));
        }
        self.write_doc(visit_id, RecordKind::Visit, author, false, |doc| {
            for (q, a) in &checked {
                records::write_answer(doc, q, Some(a))?;
            }
            Ok(())
        })
    }

    /// Records a GPS fix on a visit. Impossible numbers are refused; doubtful fixes are kept with quality flags
    /// (poor accuracy against the form's threshold, mock provider, swapped lat/lon, outside Vietnam, far from the
    /// producer's registered point).
    pub fn add_fix(&self, author: &Author, visit_id: RecordId, fix: GpsFix) -> Result<VisitFix> {
        let visit = self.visit(visit_id)?;
        let form = self.form_of(&visit)?;
        let ctx = self.quality_context(&form, visit.producer)?;
        let assessed = fix.check(&ctx, now_millis())?;
        let vf = VisitFix {
            fix: assessed.fix,
            flags: assessed.flags,
        };
        self.write_doc(visit_id, RecordKind::Visit, author, false, |doc| {
            records::append_fix(doc, &vf)
        })?;
        Ok(vf)
    }

    /// Attaches a photo from a file: validated, re-encoded, stripped and stored once by hash beside the database;
    /// the visit keeps the reference. A photo whose EXIF position is far from the visit's last fix is flagged.
    pub fn attach_photo(
        &self,
        author: &Author,
        visit_id: RecordId,
        path: &Path,
        kind: PhotoKind,
        caption: &str,
    ) -> Result<PhotoRef> {
        let visit = self.visit(visit_id)?;
        let imported = self.photos.import(path, &self.options.photo)?;
        let photo = self.photo_ref(imported, kind, caption, visit.fixes.last().map(|f| &f.fix));
        self.write_doc(visit_id, RecordKind::Visit, author, false, |doc| {
            records::add_photo(doc, &photo)
        })?;
        Ok(photo)
    }

    /// Changes a photo's caption.
    pub fn set_photo_caption(
        &self,
        author: &Author,
        visit_id: RecordId,
        hash: &str,
        caption: &str,
    ) -> Result<()> {
        self.write_doc(visit_id, RecordKind::Visit, author, false, |doc| {
            records::set_caption(doc, hash, caption.trim())
        })
    }

    /// Replaces the visit's notes (merged character-wise with concurrent edits).
    pub fn set_notes(&self, author: &Author, visit_id: RecordId, notes: &str) -> Result<()> {
        if notes.chars().count() > 20_000 {
            return Err(Error::Invalid {
                field: "notes".into(),
                reason: "longer than 20000 characters".into(),
            });
        }
        self.write_doc(visit_id, RecordKind::Visit, author, false, |doc| {
            records::set_notes(doc, notes)
        })
    }

    /// Submits a visit for review: every required question must be answered.
    pub fn submit_visit(&self, author: &Author, visit_id: RecordId) -> Result<Visit> {
        let visit = self.visit(visit_id)?;
        let form = self.form_of(&visit)?;
        submission_check(&form, &visit.answers)?;
        let at = now_millis();
        self.write_doc(visit_id, RecordKind::Visit, author, false, |doc| {
            records::submit_visit(doc, at)
        })?;
        self.visit(visit_id)
    }

    /// Imports a photo file into the photo store (validated, re-encoded, stripped, stored once by hash), for a
    /// visit to reference. Apps call this when the photo is taken; [`Store::attach_photo`] does both steps.
    pub fn import_photo(&self, path: &Path) -> Result<ImportedPhoto> {
        Ok(self.photos.import(path, &self.options.photo)?)
    }

    fn photo_ref(
        &self,
        imported: ImportedPhoto,
        kind: PhotoKind,
        caption: &str,
        last_fix: Option<&GpsFix>,
    ) -> PhotoRef {
        let mut flags = Vec::new();
        if let (Some(exif), Some(last)) = (&imported.exif_gps, last_fix)
            && let Some(flag) = gps::GpsFlag::photo_far_from_visit(
                exif.point(),
                last.point(),
                self.options.far_from_producer_m,
            )
        {
            flags.push(flag);
        }
        PhotoRef {
            hash: imported.hash,
            bytes: imported.bytes,
            width: imported.width,
            height: imported.height,
            caption: caption.trim().to_string(),
            kind,
            taken_at: imported.taken_at,
            gps: imported.exif_gps,
            flags,
            attached_at: now_millis(),
        }
    }

    fn quality_context(
        &self,
        form: &Form,
        producer: Option<RecordId>,
    ) -> Result<gps::QualityContext> {
        let producer = producer.map(|pid| self.producer_place(pid)).transpose()?;
        Ok(self.quality_context_of(form, producer.as_ref()))
    }

    fn quality_context_of(&self, form: &Form, producer: Option<&ProducerPlace>) -> gps::QualityContext {
        gps::QualityContext {
            accuracy_threshold_m: form.settings.gps_accuracy_threshold_m,
            producer_point: producer.and_then(|p| p.location.as_ref()).map(|f| f.point()),
            far_threshold_m: self.options.far_from_producer_m,
        }
    }

    /// The two fields of a producer a visit needs (its commune and its recorded position), read without
    /// hydrating the whole producer.
    fn producer_place(&self, id: RecordId) -> Result<ProducerPlace> {
        self.with_doc(id, |doc, kind| {
            if kind != RecordKind::Producer {
                return Err(Error::NotFound {
                    kind: RecordKind::Producer.as_str(),
                    id: id.to_string(),
                });
            }
            let address: records::Address =
                autosurgeon::hydrate_prop(doc, automerge::ROOT, "address")
                    .map_err(|e| Error::Shape(e.to_string()))?;
            let location: Option<GpsFix> =
                autosurgeon::hydrate_prop(doc, automerge::ROOT, "location")
                    .map_err(|e| Error::Shape(e.to_string()))?;
            Ok(ProducerPlace {
                commune_code: address.commune.code,
                location,
            })
        })
    }

    /// Saves a whole visit in one durable write: validated answers, assessed fixes, photo references, notes,
    /// and — when asked — submitted. Nothing is written if anything is refused.
    pub fn capture_visit(&self, author: &Author, capture: VisitCapture) -> Result<Visit> {
        let (mut visit, form, producer) = self.new_visit_record(author, &capture.visit)?;
        for (q, a) in capture.answers {
            let a = form.normalize_answer(&q, a)?;
            visit.answers.insert(q, a);
        }
        let ctx = self.quality_context_of(&form, producer.as_ref());
        let now = now_millis();
        for fix in capture.fixes {
            let assessed = fix.check(&ctx, now)?;
            visit.fixes.push(VisitFix {
                fix: assessed.fix,
                flags: assessed.flags,
            });
        }
        for (imported, kind, caption) in capture.photos {
            if !self.photos.contains(&imported.hash) {
                return Err(Error::NotFound {
                    kind: "photo",
                    id: imported.hash,
                });
            }
            let r = self.photo_ref(imported, kind, &caption, visit.fixes.last().map(|f| &f.fix));
            visit.photos.insert(r.hash.clone(), r);
        }
        if capture.notes.chars().count() > 20_000 {
            return Err(Error::Invalid {
                field: "notes".into(),
                reason: "longer than 20000 characters".into(),
            });
        }
        visit.notes = autosurgeon::Text::with_value(capture.notes);
        if capture.submit {
            submission_check(&form, &visit.answers)?;
            visit.state = VisitState::Submitted;
            visit.submitted_at = Some(now);
        }
        self.create_doc(author, super::project::Created::Visit(&visit))?;
        Ok(visit)
    }
}

fn submission_check(form: &Form, answers: &BTreeMap<String, Answer>) -> Result<()> {
    form.validate_submission(answers)
        .map_err(|errors| Error::Invalid {
            field: "answers".into(),
            reason: errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        })
}
