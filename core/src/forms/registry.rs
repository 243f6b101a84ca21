//! The forms a device knows, by `(form id, version)`.
//!
//! Every version stays: a visit started on version 1 is validated against version 1 after version 2 ships. A
//! version is immutable, so registering a different definition under an existing `(id, version)` is refused; the
//! same definition again is accepted (forms arrive again on every sync).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use super::{Form, FormError};

/// The forms shipped inside the core, as `(file name, JSON)`.
const EMBEDDED: [(&str, &str); 2] = [
    (
        "ocop-survey-v1.json",
        include_str!("../../data/forms/ocop-survey-v1.json"),
    ),
    (
        "ocop-survey-v2.json",
        include_str!("../../data/forms/ocop-survey-v2.json"),
    ),
];

static EMBEDDED_REGISTRY: LazyLock<FormRegistry> = LazyLock::new(|| {
    let mut registry = FormRegistry::new();
    for (file, json) in EMBEDDED {
        // A shipped form that does not load is a build defect caught by the tests; at run time it is logged and
        // left out rather than taking the whole app down.
        if let Err(e) = Form::from_json(json).and_then(|form| registry.add(form)) {
            tracing::error!(file, error = %e, "embedded form does not load");
        }
    }
    registry
});

/// Forms by `(id, version)`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormRegistry {
    forms: BTreeMap<(String, u32), Form>,
}

impl FormRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// The forms shipped with the core (the OCOP producer/product survey, versions 1 and 2), loaded once.
    /// Clone it to add forms received from the hub.
    pub fn embedded() -> &'static FormRegistry {
        &EMBEDDED_REGISTRY
    }

    /// Adds a form after checking its definition ([`Form::check`]). Adding the same definition again is a no-op;
    /// a different definition under an existing `(id, version)` is refused with
    /// [`FormError::ConflictingDefinition`].
    pub fn add(&mut self, form: Form) -> Result<(), FormError> {
        form.check()?;
        let key = (form.id.clone(), form.version);
        match self.forms.get(&key) {
            Some(existing) if *existing == form => Ok(()),
            Some(_) => Err(FormError::ConflictingDefinition {
                form_id: form.id,
                version: form.version,
            }),
            None => {
                self.forms.insert(key, form);
                Ok(())
            }
        }
    }

    /// The form `id` at `version`, or [`FormError::UnknownForm`].
    pub fn get(&self, id: &str, version: u32) -> Result<&Form, FormError> {
        self.forms
            .get(&(id.to_string(), version))
            .ok_or_else(|| FormError::UnknownForm {
                form_id: id.to_string(),
                version,
            })
    }

    /// The highest version of form `id`, or [`FormError::UnknownFormId`].
    pub fn latest(&self, id: &str) -> Result<&Form, FormError> {
        self.forms
            .range((id.to_string(), 0)..=(id.to_string(), u32::MAX))
            .next_back()
            .map(|(_, form)| form)
            .ok_or_else(|| FormError::UnknownFormId {
                form_id: id.to_string(),
            })
    }

    /// The versions of form `id`, ascending.
    pub fn versions(&self, id: &str) -> Vec<u32> {
        self.forms
            .range((id.to_string(), 0)..=(id.to_string(), u32::MAX))
            .map(|((_, v), _)| *v)
            .collect()
    }

    /// Every form, by id then version.
    pub fn iter(&self) -> impl Iterator<Item = &Form> {
        self.forms.values()
    }
}
