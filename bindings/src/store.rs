//! The store object: one device store, its capture, query and sync calls. Each method converts its arguments,
//! calls the core once, and converts the result back.

use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use ocop_core::identity::Author as CoreAuthor;
use ocop_core::records::ProducerPatch;
use ocop_core::store::{Store, StoreOptions};
use ocop_core::sync::{self as core_sync, SyncOptions};

use crate::callbacks::{ForeignTransport, ListenerSink, SyncProgressListener, SyncTransport};
use crate::error::{OcopError, Result};
use crate::types::gps::{GpsFix, VisitFix};
use crate::types::producer::{NewProducer, Producer, ProducerEdit};
use crate::types::product::{NewProduct, Product, ProductEdit, product_patch};
use crate::types::query::{
    Conflict, ProducerFilter, ProducerSummary, ProductFilter, ProductSummary, Resolution,
    SearchHit, VisitFilter, VisitSummary,
};
use crate::types::sync::{Enrollment, SyncReport};
use crate::types::visit::{
    Answer, NewVisit, PhotoKind, PhotoRef, QuestionAnswer, Visit, VisitCapture,
};
use crate::types::{Author, Scope, record_id};

/// How long one HTTP exchange with the hub may take before it is given up (connect, send, receive).
const HUB_TIMEOUT: Duration = Duration::from_secs(120);

/// One device store (one SQLite file per device profile, photos in a folder beside it).
///
/// The constructor only records where the store lives and who is working; `open()` opens (creating and
/// migrating) the database, `close_store()` releases it. Calls made while it is not open fail with `NotOpen`. Safe to
/// share between threads: each call holds the store only for its own transaction.
#[derive(uniffi::Object)]
pub struct OcopStore {
    path: String,
    author: RwLock<CoreAuthor>,
    store: RwLock<Option<Arc<Store>>>,
}

impl OcopStore {
    fn store(&self) -> Result<Arc<Store>> {
        self.store
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or(OcopError::NotOpen)
    }

    fn who(&self) -> CoreAuthor {
        self.author.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn producer_patch(store: &Store, edits: Vec<ProducerEdit>) -> Result<ProducerPatch> {
        let mut p = ProducerPatch::default();
        for e in edits {
            match e {
                ProducerEdit::OwnerKind { value } => p.owner_kind = Some(value.into()),
                ProducerEdit::Name { value } => p.name = Some(value),
                ProducerEdit::RegistrationNo { value } => p.registration_no = Some(value),
                ProducerEdit::Representative { value } => p.representative = Some(value.into()),
                ProducerEdit::Phone { value } => p.phone = Some(value),
                ProducerEdit::Address {
                    commune_code,
                    hamlet,
                    street,
                } => p.address = Some(store.address_in(&commune_code, &hamlet, &street)?),
                ProducerEdit::Location { value } => p.location = Some(value.map(Into::into)),
                ProducerEdit::Members { value } => p.members = Some(value),
                ProducerEdit::WomenMembers { value } => p.women_members = Some(value),
                ProducerEdit::WomenOwned { value } => p.women_owned = Some(value),
                ProducerEdit::WomenLed { value } => p.women_led = Some(value),
                ProducerEdit::Status { value } => p.status = Some(value.try_into()?),
            }
        }
        Ok(p)
    }

    fn finish_sync(
        result: ocop_core::Result<core_sync::SyncReport>,
        sink: &ListenerSink,
        transport_error: Option<OcopError>,
    ) -> Result<SyncReport> {
        match (result, transport_error) {
            (Ok(report), _) => {
                let mut r = SyncReport::from(report);
                r.listener_failures = sink.failures();
                Ok(r)
            }
            // The app's transport failed: its own error, not the core's wrapping of it.
            (Err(_), Some(app_error)) => Err(app_error),
            (Err(e), None) => Err(e.into()),
        }
    }
}

#[uniffi::export]
impl OcopStore {
    /// A store at `path` (the SQLite file; photos go in `<path>.photos`), with `author` stamped into every change.
    /// Cheap: nothing is opened until `open()`.
    #[uniffi::constructor]
    pub fn new(path: String, author: Author) -> Arc<Self> {
        Arc::new(Self {
            path,
            author: RwLock::new(author.into()),
            store: RwLock::new(None),
        })
    }

    /// Opens the store, creating the file or migrating an older one. Does nothing when already open. Blocking.
    /// A damaged file or one from a newer app gives `Storage`; the file is never deleted.
    pub fn open(&self) -> Result<()> {
        let mut slot = self.store.write().unwrap_or_else(|p| p.into_inner());
        if slot.is_none() {
            *slot = Some(Arc::new(Store::open(&self.path, StoreOptions::default())?));
        }
        Ok(())
    }

    /// Closes the store. Calls already running finish first; later calls fail with `NotOpen` until `open()`.
    /// (Named `close_store` because Kotlin's `AutoCloseable.close()` on the generated class releases the handle.)
    pub fn close_store(&self) {
        self.store.write().unwrap_or_else(|p| p.into_inner()).take();
    }

    /// True between `open()` and `close_store()`.
    pub fn is_open(&self) -> bool {
        self.store.read().unwrap_or_else(|p| p.into_inner()).is_some()
    }

    /// The database file.
    pub fn path(&self) -> String {
        self.path.clone()
    }

    /// The person stamped into changes.
    pub fn author(&self) -> Author {
        self.who().into()
    }

    /// Changes the person stamped into later changes (after enrollment, or when another user signs in).
    pub fn set_author(&self, author: Author) {
        *self.author.write().unwrap_or_else(|p| p.into_inner()) = author.into();
    }

    /// Registers a producer. Blocking (one durable write).
    pub fn create_producer(&self, producer: NewProducer) -> Result<Producer> {
        Ok(self
            .store()?
            .create_producer(&self.who(), producer.into())?
            .into())
    }

    /// Edits a producer field by field (one durable write) and returns it as it now is.
    pub fn update_producer(&self, id: String, edits: Vec<ProducerEdit>) -> Result<Producer> {
        let store = self.store()?;
        let patch = Self::producer_patch(&store, edits)?;
        Ok(store
            .update_producer(&self.who(), record_id("id", &id)?, patch)?
            .into())
    }

    /// A producer, read whole.
    pub fn producer(&self, id: String) -> Result<Producer> {
        Ok(self.store()?.producer(record_id("id", &id)?)?.into())
    }

    /// Registers a product of an existing producer. Blocking (one durable write).
    pub fn create_product(&self, product: NewProduct) -> Result<Product> {
        Ok(self
            .store()?
            .create_product(&self.who(), product.try_into()?)?
            .into())
    }

    /// Edits a product field by field and returns it as it now is.
    pub fn update_product(&self, id: String, edits: Vec<ProductEdit>) -> Result<Product> {
        let store = self.store()?;
        Ok(store
            .update_product(&self.who(), record_id("id", &id)?, product_patch(edits)?)?
            .into())
    }

    /// A product, read whole.
    pub fn product(&self, id: String) -> Result<Product> {
        Ok(self.store()?.product(record_id("id", &id)?)?.into())
    }

    /// Starts a visit (a draft) answering a form version.
    pub fn start_visit(&self, visit: NewVisit) -> Result<Visit> {
        Ok(self
            .store()?
            .start_visit(&self.who(), visit.try_into()?)?
            .into())
    }

    /// Sets one answer (or clears it with `None`), validated against the visit's form version.
    pub fn set_answer(&self, visit_id: String, question: String, answer: Option<Answer>) -> Result<()> {
        Ok(self.store()?.set_answer(
            &self.who(),
            record_id("visit_id", &visit_id)?,
            &question,
            answer.map(TryInto::try_into).transpose()?,
        )?)
    }

    /// Sets several answers in one durable write.
    pub fn set_answers(&self, visit_id: String, answers: Vec<QuestionAnswer>) -> Result<()> {
        let answers = answers
            .into_iter()
            .map(|qa| Ok((qa.question, qa.answer.try_into()?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(self
            .store()?
            .set_answers(&self.who(), record_id("visit_id", &visit_id)?, &answers)?)
    }

    /// Records a GPS fix on a visit. Impossible numbers give `Invalid` (field `gps`); doubtful fixes are kept
    /// and come back with their quality flags.
    pub fn add_fix(&self, visit_id: String, fix: GpsFix) -> Result<VisitFix> {
        Ok(self
            .store()?
            .add_fix(&self.who(), record_id("visit_id", &visit_id)?, fix.into())?
            .into())
    }

    /// Attaches a photo file to a visit: validated, re-encoded, stripped of EXIF and stored once by hash. A file
    /// that is not a readable JPEG, PNG or WebP gives `Invalid` (field `photo`). Blocking (decoding takes time).
    pub fn attach_photo(
        &self,
        visit_id: String,
        path: String,
        kind: PhotoKind,
        caption: String,
    ) -> Result<PhotoRef> {
        Ok(self
            .store()?
            .attach_photo(
                &self.who(),
                record_id("visit_id", &visit_id)?,
                Path::new(&path),
                kind.into(),
                &caption,
            )?
            .into())
    }

    /// Replaces a visit's notes (merged character-wise with concurrent edits).
    pub fn set_notes(&self, visit_id: String, notes: String) -> Result<()> {
        Ok(self
            .store()?
            .set_notes(&self.who(), record_id("visit_id", &visit_id)?, &notes)?)
    }

    /// Submits a visit for review; every required question must be answered (`Invalid`, field `answers`,
    /// lists what is missing).
    pub fn submit_visit(&self, visit_id: String) -> Result<Visit> {
        Ok(self
            .store()?
            .submit_visit(&self.who(), record_id("visit_id", &visit_id)?)?
            .into())
    }

    /// Saves a whole visit in one durable write: photos imported from their files, answers validated, fixes
    /// assessed, and submitted when asked. Nothing of the visit is written if anything is refused.
    pub fn capture_visit(&self, capture: VisitCapture) -> Result<Visit> {
        let store = self.store()?;
        let mut photos = Vec::with_capacity(capture.photos.len());
        for p in capture.photos {
            let imported = store.import_photo(Path::new(&p.path))?;
            photos.push((imported, p.kind.into(), p.caption));
        }
        let answers = capture
            .answers
            .into_iter()
            .map(|qa| Ok((qa.question, qa.answer.try_into()?)))
            .collect::<Result<Vec<_>>>()?;
        let core_capture = ocop_core::store::VisitCapture {
            visit: capture.visit.try_into()?,
            answers,
            fixes: capture.fixes.into_iter().map(Into::into).collect(),
            photos,
            notes: capture.notes,
            submit: capture.submit,
        };
        Ok(store.capture_visit(&self.who(), core_capture)?.into())
    }

    /// A visit, read whole.
    pub fn visit(&self, id: String) -> Result<Visit> {
        Ok(self.store()?.visit(record_id("id", &id)?)?.into())
    }

    /// Producers, by name.
    pub fn list_producers(&self, filter: ProducerFilter) -> Result<Vec<ProducerSummary>> {
        Ok(self
            .store()?
            .list_producers(&filter.into())?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Products.
    pub fn list_products(&self, filter: ProductFilter) -> Result<Vec<ProductSummary>> {
        Ok(self
            .store()?
            .list_products(&filter.try_into()?)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Visits, newest first.
    pub fn list_visits(&self, filter: VisitFilter) -> Result<Vec<VisitSummary>> {
        Ok(self
            .store()?
            .list_visits(&filter.try_into()?)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Full-text search over producers, products and visits; Vietnamese diacritics are optional
    /// (`tan cuong` finds `Tân Cương`).
    pub fn search(&self, query: String, max: u32) -> Result<Vec<SearchHit>> {
        Ok(self
            .store()?
            .search(&query, max as usize)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Open conflicts, of one record or of all (`None`).
    pub fn conflicts(&self, doc_id: Option<String>) -> Result<Vec<Conflict>> {
        let doc = doc_id.map(|d| record_id("doc_id", &d)).transpose()?;
        Ok(self
            .store()?
            .conflicts(doc)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Resolves a conflict by keeping one of its values or entering a new one. The record must still be valid,
    /// or nothing is written.
    pub fn resolve_conflict(&self, doc_id: String, path: String, resolution: Resolution) -> Result<()> {
        Ok(self.store()?.resolve_conflict(
            &self.who(),
            record_id("doc_id", &doc_id)?,
            &path,
            &resolution.try_into()?,
        )?)
    }

    /// A survey form definition as JSON (the newest version when `version` is `None`), for the app to render.
    pub fn form_json(&self, form_id: String, version: Option<u32>) -> Result<String> {
        let store = self.store()?;
        let form = match version {
            Some(v) => store.form(&form_id, v)?,
            None => store.latest_form(&form_id)?,
        };
        serde_json::to_string(&form).map_err(|e| OcopError::Internal {
            reason: e.to_string(),
        })
    }

    /// Changes made here that no hub has acknowledged yet.
    pub fn pending_changes(&self) -> Result<u64> {
        Ok(self.store()?.pending_changes()?)
    }

    /// Syncs with the hub at `hub_url` over HTTP(S), with the device `token` from `enroll`. Blocking: returns
    /// when both sides hold each other's changes and photos, or with the error that stopped it (`Network`,
    /// `Unauthorized` …); what was applied before stays applied and the next sync resumes from there.
    pub fn sync_with_hub(
        &self,
        hub_url: String,
        token: String,
        listener: Option<Arc<dyn SyncProgressListener>>,
    ) -> Result<SyncReport> {
        let store = self.store()?;
        let mut transport = core_sync::http::HttpTransport::new(hub_url, token, HUB_TIMEOUT);
        let sink = ListenerSink::new(listener);
        let result = core_sync::sync(
            &store,
            "hub",
            &mut transport,
            &SyncOptions::default(),
            &sink,
        );
        Self::finish_sync(result, &sink, None)
    }

    /// Syncs with a peer over a transport supplied by the app. `peer_label` names the peer in this store (`hub`
    /// for the hub, or another device's id) so that the next session resumes where this one stopped. Blocking.
    pub fn sync_with(
        &self,
        peer_label: String,
        transport: Arc<dyn SyncTransport>,
        listener: Option<Arc<dyn SyncProgressListener>>,
    ) -> Result<SyncReport> {
        let store = self.store()?;
        let mut transport = ForeignTransport::new(transport);
        let sink = ListenerSink::new(listener);
        let result = core_sync::sync(
            &store,
            &peer_label,
            &mut transport,
            &SyncOptions::default(),
            &sink,
        );
        let error = transport.error.take();
        Self::finish_sync(result, &sink, error)
    }

    /// Answers one sync request from another device (phone to phone in the commune hall): the other device's
    /// `SyncTransport` delivers its request here and carries the reply back. `peer` is the person on the other
    /// device and `scope` what they may receive and write here. Never fails: a bad request gets an error reply.
    pub fn respond(&self, request: Vec<u8>, peer: Author, scope: Scope) -> Result<Vec<u8>> {
        let store = self.store()?;
        let who = core_sync::Principal {
            user_id: peer.user_id,
            role: peer.role.into(),
            scope: scope.into(),
        };
        Ok(core_sync::respond(store.as_ref(), &who, &request).bytes)
    }
}

/// Exchanges a one-time enrollment `code` (from the hub admin, as text or QR) for this device's credentials at
/// the hub at `hub_url`. Blocking. An unknown, used or expired code gives `Unauthorized`.
#[uniffi::export]
pub fn enroll(hub_url: String, code: String, device_name: String) -> Result<Enrollment> {
    Ok(core_sync::http::enroll(&hub_url, &code, &device_name)?.into())
}
