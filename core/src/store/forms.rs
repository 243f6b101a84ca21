//! The forms a store knows: the embedded ones plus those published as form documents (received by sync).

use std::sync::Arc;

use super::Store;
use crate::error::{Error, Result};
use crate::forms::{Form, FormRegistry};
use crate::identity::{Author, Role};
use crate::ids::{RecordId, now_millis};
use crate::records::{self, FormDoc, RecordKind, form_doc_id};

impl Store {
    /// Every form this store can validate against: the embedded forms and the published form documents.
    /// A published definition that is invalid or contradicts an existing version is left out (and logged).
    pub fn forms(&self) -> Result<Arc<FormRegistry>> {
        if let Some(r) = self
            .forms_cache
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            return Ok(r.clone());
        }
        let mut registry = FormRegistry::embedded().clone();
        let ids: Vec<String> = self.with_conn(|c| {
            let mut stmt = c.prepare("SELECT id FROM documents WHERE kind = 'form' ORDER BY n")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        for id in ids {
            let (doc, _) = self.read_doc(id.parse()?)?;
            let parsed = records::read::<FormDoc>(&doc)
                .map_err(|e| e.to_string())
                .and_then(|d| Form::from_json(&d.definition).map_err(|e| e.to_string()));
            match parsed.and_then(|f| registry.add(f).map_err(|e| e.to_string())) {
                Ok(()) => {}
                Err(reason) => tracing::warn!(%id, %reason, "a published form was left out"),
            }
        }
        let registry = Arc::new(registry);
        *self.forms_cache.write().unwrap_or_else(|p| p.into_inner()) = Some(registry.clone());
        Ok(registry)
    }

    /// One form version.
    pub fn form(&self, form_id: &str, version: u32) -> Result<Form> {
        Ok(self.forms()?.get(form_id, version)?.clone())
    }

    /// The newest version of a form.
    pub fn latest_form(&self, form_id: &str) -> Result<Form> {
        Ok(self.forms()?.latest(form_id)?.clone())
    }

    pub(crate) fn forget_forms(&self) {
        *self.forms_cache.write().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Publishes a form version as a document (hub admins only); it reaches every device by sync. Publishing the
    /// same definition again changes nothing; a different definition under a version that exists is refused.
    pub fn publish_form(&self, author: &Author, form: &Form) -> Result<RecordId> {
        if author.role != Role::HubAdmin {
            return Err(Error::Forbidden("only a hub admin publishes forms".into()));
        }
        form.check()?;
        let mut check = (*self.forms()?).clone();
        check.add(form.clone())?;
        let id = form_doc_id(&form.id, form.version);
        if self.read_doc(id).is_ok() {
            return Ok(id);
        }
        let doc = FormDoc {
            form_id: form.id.clone(),
            version: form.version,
            definition: form.to_json()?,
            published_by: author.user_id.clone(),
            published_at: now_millis(),
        };
        self.write_doc(id, RecordKind::Form, author, true, |d| {
            records::create(d, RecordKind::Form, &doc)
        })?;
        self.forget_forms();
        Ok(id)
    }
}
