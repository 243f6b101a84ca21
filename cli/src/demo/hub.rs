//! The demo's hub — a real `ocop-hub` on loopback with a temporary data folder — and the convergence check.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use ocop_core::ids::RecordId;
use ocop_core::store::{ProducerFilter, ProductFilter, Store, VisitFilter};
use ocop_core::sync::http::{HttpTransport, enroll};
use ocop_core::sync::link::{LinkProfile, Throttled};
use ocop_core::sync::{self, SyncOptions};
use ocop_hub::{Account, Hub, HubOptions, ServerHandle};
use serde::Serialize;

use super::report::SyncLine;
use super::scenario::Device;

/// The hub the devices sync with, served over HTTP on 127.0.0.1.
pub struct DemoHub {
    hub: Hub,
    server: ServerHandle,
    url: String,
}

/// A device's bearer token at the hub.
pub struct Token(String);

/// How one device compares with the hub.
#[derive(Debug, Clone, Serialize)]
pub struct DeviceConvergence {
    pub device: String,
    pub documents: usize,
    pub in_scope_on_hub: usize,
    pub same_heads: bool,
    pub same_projections: bool,
    pub problems: Vec<String>,
}

/// The end-of-week check.
#[derive(Debug, Clone, Serialize)]
pub struct Convergence {
    pub hub_documents: usize,
    pub devices: Vec<DeviceConvergence>,
    pub ok: bool,
}

impl DemoHub {
    pub fn start(dir: &Path) -> Result<Self> {
        let hub = Hub::open(dir, HubOptions::default()).context("opening the hub's data folder")?;
        let server = hub
            .serve("127.0.0.1:0".parse()?)
            .context("starting the hub on loopback")?;
        let url = server.url();
        Ok(Self { hub, server, url })
    }

    pub fn describe(&self) -> String {
        format!(
            "ocop-hub at {} (embedded SQLite, temporary data folder)",
            self.url
        )
    }

    /// The hub admin issues a one-time code; the device redeems it for a token and learns its scope.
    pub fn enroll(&self, d: &Device) -> Result<Token> {
        let code = self.hub.enroll(Account {
            user_id: d.author.user_id.clone(),
            display_name: d.author.name.clone(),
            role: d.author.role,
            scope: d.scope.clone(),
        })?;
        let e = enroll(&self.url, &code.code, &d.name)
            .with_context(|| format!("enrolling {}", d.name))?;
        d.store.set_scope(Some(e.scope))?;
        Ok(Token(e.token))
    }

    pub fn sync(
        &self,
        d: &Device,
        token: &Token,
        profile: LinkProfile,
        day: u32,
    ) -> Result<SyncLine> {
        let http = HttpTransport::new(self.url.clone(), token.0.clone(), Duration::from_secs(60));
        let mut link = Throttled::new(http, profile);
        let report = sync::sync(&d.store, "hub", &mut link, &SyncOptions::default(), &())
            .with_context(|| format!("{} syncing with the hub", d.name))?;
        Ok(SyncLine::from_report(
            day,
            &d.name,
            "hub",
            &report,
            link.network_time,
        ))
    }

    pub fn stop(self) {
        self.server.shutdown();
    }

    /// Every device holds exactly the hub's documents in its scope, with the same heads, and the same projected
    /// rows for them as the hub's read model.
    pub fn check_convergence(&self, devices: &[Device]) -> Result<Convergence> {
        let rm = self.hub.read_model()?.store();
        let hub_heads: BTreeMap<RecordId, String> = rm.document_heads()?.into_iter().collect();
        let hub_rows = rows(rm)?;
        let mut out = Vec::new();
        for d in devices {
            let mut problems = Vec::new();
            let heads: BTreeMap<RecordId, String> = d.store.document_heads()?.into_iter().collect();
            let in_scope: BTreeSet<RecordId> = hub_rows
                .iter()
                .filter(|(_, (p, c, _))| d.scope.contains(p, c))
                .map(|(id, _)| *id)
                .collect();
            for (id, h) in &heads {
                match hub_heads.get(id) {
                    Some(hh) if hh == h => {}
                    Some(_) => problems.push(format!("{id}: different heads than the hub")),
                    None => problems.push(format!("{id}: not on the hub")),
                }
            }
            for id in &in_scope {
                if !heads.contains_key(id) {
                    problems.push(format!("{id}: in scope on the hub but missing here"));
                }
            }
            let same_heads = problems.is_empty();
            let mut same_projections = true;
            for (id, row) in rows(&d.store)? {
                if hub_rows.get(&id).map(|r| &r.2) != Some(&row.2) {
                    same_projections = false;
                    problems.push(format!("{id}: projection differs from the hub's"));
                }
            }
            out.push(DeviceConvergence {
                device: d.name.clone(),
                documents: heads.len(),
                in_scope_on_hub: in_scope.len(),
                same_heads,
                same_projections,
                problems,
            });
        }
        let ok = out.iter().all(|d| d.problems.is_empty());
        Ok(Convergence {
            hub_documents: hub_heads.len(),
            devices: out,
            ok,
        })
    }
}

/// Projected rows by record: (province, commune, row as JSON without the local update time).
fn rows(store: &Store) -> Result<BTreeMap<RecordId, (String, String, serde_json::Value)>> {
    let mut out = BTreeMap::new();
    let all = 1_000_000;
    for mut p in store.list_producers(&ProducerFilter {
        include_inactive: true,
        limit: all,
        ..Default::default()
    })? {
        p.updated_at = 0;
        out.insert(
            p.id,
            (
                p.province_code.clone(),
                p.commune_code.clone(),
                serde_json::to_value(&p)?,
            ),
        );
    }
    for mut p in store.list_products(&ProductFilter {
        limit: all,
        ..Default::default()
    })? {
        p.updated_at = 0;
        let province = store.product(p.id)?.province.code;
        out.insert(
            p.id,
            (province, p.commune_code.clone(), serde_json::to_value(&p)?),
        );
    }
    for v in store.list_visits(&VisitFilter {
        limit: all,
        ..Default::default()
    })? {
        let province = store.visit(v.id)?.province.code;
        out.insert(
            v.id,
            (province, v.commune_code.clone(), serde_json::to_value(&v)?),
        );
    }
    Ok(out)
}
