//! Enrollment and authentication.
//!
//! A hub admin issues a **one-time enrollment code** for an account (user id, display name, role, scope). The code
//! is 12 characters of Crockford base32 (60 random bits), printed as `ABCD-EFGH-JKMN` and as a QR code; it
//! expires (7 days by default) and works once. The device sends it to `POST /v1/enroll` and receives a **bearer
//! token**: 32 random bytes, hex. The hub stores only SHA-256 hashes of codes and tokens, so a copy of its
//! database grants nothing. Every sync request carries `Authorization: Bearer <token>`; a missing, unknown or
//! revoked token is refused (401). The admin revokes a device (or every device of a user) at any time.

use std::path::Path;

use ocop_core::sync::http::Enrollment;
use ocop_core::sync::{Principal, Scope};
use sha2::{Digest, Sha256};

use crate::Hub;
use crate::error::{HubError, Result};
use crate::storage::{Account, DeviceRow, EnrollmentRow, Redeemed};

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A freshly issued enrollment code. The code itself is shown once and never stored.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedCode {
    /// The code, formatted for reading aloud or typing: `ABCD-EFGH-JKMN`.
    pub code: String,
    /// When it stops working (ms since the epoch).
    pub expires_at: i64,
    /// The account it grants.
    pub account: Account,
}

impl std::fmt::Debug for IssuedCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedCode")
            .field("expires_at", &self.expires_at)
            .field("user_id", &self.account.user_id)
            .finish_non_exhaustive()
    }
}

impl IssuedCode {
    /// What the QR code holds: an `ocopfield://enroll` link with the hub's address when known, else the code.
    pub fn qr_payload(&self, hub_url: Option<&str>) -> String {
        match hub_url {
            Some(url) => format!(
                "ocopfield://enroll?code={}&hub={}",
                self.code,
                percent_encode(url)
            ),
            None => self.code.clone(),
        }
    }
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Why an enrollment code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnrollRefused {
    /// No such code (mistyped, or never issued).
    #[error("this enrollment code is not valid; check it or ask the hub admin for a new one")]
    Unknown,
    /// The code was used already.
    #[error("this enrollment code was already used; ask the hub admin for a new one")]
    Used,
    /// The code expired.
    #[error("this enrollment code has expired; ask the hub admin for a new one")]
    Expired,
    /// The request is malformed.
    #[error("invalid enrollment request: {0}")]
    Invalid(String),
}

/// Why a request was not authenticated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthFailure {
    /// No `Authorization: Bearer` header.
    #[error("this request carries no device token; enroll the device first")]
    Missing,
    /// The token is not known here.
    #[error("this device token is not valid at this hub; enroll the device again")]
    Unknown,
    /// The device was revoked.
    #[error("this device was revoked by the hub admin; enroll it again")]
    Revoked,
}

/// An authenticated device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated {
    /// The device's id.
    pub device_id: String,
    /// Who it acts for, as the sync responder needs it.
    pub principal: Principal,
}

/// A device as the admin sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeviceInfo {
    /// The device id (what `revoke` takes).
    pub device_id: String,
    /// The name the device gave.
    pub device_name: String,
    /// The user's id.
    pub user_id: String,
    /// The user's display name.
    pub display_name: String,
    /// The role.
    pub role: ocop_core::identity::Role,
    /// The scope.
    pub scope: Scope,
    /// When it enrolled (ms).
    pub created_at: i64,
    /// When it was revoked (ms).
    pub revoked_at: Option<i64>,
    /// When it last made a request (ms, coarse).
    pub last_seen_at: Option<i64>,
}

impl From<DeviceRow> for DeviceInfo {
    fn from(d: DeviceRow) -> Self {
        Self {
            device_id: d.device_id,
            device_name: d.device_name,
            user_id: d.account.user_id,
            display_name: d.account.display_name,
            role: d.account.role,
            scope: d.account.scope,
            created_at: d.created_at,
            revoked_at: d.revoked_at,
            last_seen_at: d.last_seen_at,
        }
    }
}

fn sha256_hex(domain: &str, value: &str) -> String {
    let mut h = Sha256::new();
    h.update(domain.as_bytes());
    h.update([0]);
    h.update(value.as_bytes());
    hex::encode(h.finalize())
}

/// Upper case, without separators, with the look-alikes Crockford allows (O→0, I/L→1).
pub fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\t'))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect()
}

fn new_code() -> String {
    let bits: u64 = rand::random();
    let chars: Vec<char> = (0..12)
        .map(|i| CROCKFORD[((bits >> (i * 5)) & 31) as usize] as char)
        .collect();
    let groups: Vec<String> = chars.chunks(4).map(|g| g.iter().collect()).collect();
    groups.join("-")
}

/// The stored form of an enrollment code.
pub fn code_hash(code: &str) -> String {
    sha256_hex("ocop-field enrollment code", &normalize_code(code))
}

/// The stored form of a bearer token.
pub fn token_hash(token: &str) -> String {
    sha256_hex("ocop-field device token", token.trim())
}

fn check_account(account: &Account) -> Result<()> {
    let id = &account.user_id;
    if id.trim().is_empty() || id.len() > 100 || id.chars().any(char::is_control) {
        return Err(HubError::Invalid {
            field: "user id".into(),
            reason: "must be 1 to 100 characters without control characters".into(),
        });
    }
    if account.display_name.chars().count() > 200 {
        return Err(HubError::Invalid {
            field: "display name".into(),
            reason: "longer than 200 characters".into(),
        });
    }
    if account.scope.provinces.is_empty() && account.scope.communes.is_empty() {
        return Err(HubError::Invalid {
            field: "scope".into(),
            reason: "name at least one province or commune (\"*\" for every province)".into(),
        });
    }
    Ok(())
}

impl Hub {
    /// Issues a one-time enrollment code for `account`, valid for the hub's enrollment validity.
    pub fn enroll(&self, account: Account) -> Result<IssuedCode> {
        check_account(&account)?;
        let code = new_code();
        let now = ocop_core::ids::now_millis();
        let valid =
            i64::try_from(self.options().enrollment_validity.as_millis()).unwrap_or(i64::MAX);
        let expires_at = now.saturating_add(valid);
        self.storage().add_enrollment(&EnrollmentRow {
            code_hash: code_hash(&code),
            account: account.clone(),
            created_at: now,
            expires_at,
        })?;
        tracing::info!(role = account.role.as_str(), "enrollment code issued");
        Ok(IssuedCode {
            code,
            expires_at,
            account,
        })
    }

    /// Exchanges an enrollment code for a device token (what `POST /v1/enroll` does).
    pub fn redeem(
        &self,
        code: &str,
        device_name: &str,
    ) -> Result<std::result::Result<Enrollment, EnrollRefused>> {
        let device_name = device_name.trim();
        if device_name.is_empty() || device_name.chars().count() > 100 {
            return Ok(Err(EnrollRefused::Invalid(
                "the device name must be 1 to 100 characters".into(),
            )));
        }
        if code.len() > 64 {
            return Ok(Err(EnrollRefused::Unknown));
        }
        let token = hex::encode(rand::random::<[u8; 32]>());
        let device = DeviceRow {
            device_id: format!("dev-{}", hex::encode(rand::random::<[u8; 6]>())),
            device_name: device_name.to_string(),
            account: Account {
                user_id: String::new(),
                display_name: String::new(),
                role: ocop_core::identity::Role::Officer,
                scope: Scope::default(),
            },
            token_hash: token_hash(&token),
            created_at: ocop_core::ids::now_millis(),
            revoked_at: None,
            last_seen_at: None,
        };
        let redeemed =
            self.storage()
                .redeem_enrollment(&code_hash(code), device.created_at, &device)?;
        Ok(match redeemed {
            Redeemed::Enrolled(row) => {
                tracing::info!(device = %row.device_id, role = row.account.role.as_str(), "device enrolled");
                Ok(Enrollment {
                    token,
                    device_id: row.device_id,
                    user_id: row.account.user_id,
                    display_name: row.account.display_name,
                    role: row.account.role,
                    scope: row.account.scope,
                    hub_node: self.node_id()?.to_hex(),
                })
            }
            Redeemed::Unknown => Err(EnrollRefused::Unknown),
            Redeemed::Used => Err(EnrollRefused::Used),
            Redeemed::Expired => Err(EnrollRefused::Expired),
        })
    }

    /// Checks a bearer token (`None`: no header).
    pub fn authenticate(
        &self,
        token: Option<&str>,
    ) -> Result<std::result::Result<Authenticated, AuthFailure>> {
        let Some(token) = token.filter(|t| !t.trim().is_empty()) else {
            return Ok(Err(AuthFailure::Missing));
        };
        let Some(device) = self.storage().device_by_token(&token_hash(token))? else {
            return Ok(Err(AuthFailure::Unknown));
        };
        if device.revoked_at.is_some() {
            return Ok(Err(AuthFailure::Revoked));
        }
        self.storage()
            .touch_device(&device.device_id, ocop_core::ids::now_millis())?;
        Ok(Ok(Authenticated {
            device_id: device.device_id,
            principal: Principal {
                user_id: device.account.user_id,
                role: device.account.role,
                scope: device.account.scope,
            },
        }))
    }

    /// Revokes a device: its token stops working at once. False when there is no such active device.
    pub fn revoke(&self, device_id: &str) -> Result<bool> {
        let done = self
            .storage()
            .revoke_device(device_id, ocop_core::ids::now_millis())?;
        if done {
            tracing::info!(device = %device_id, "device revoked");
        }
        Ok(done)
    }

    /// Revokes every device of a user; returns how many.
    pub fn revoke_user(&self, user_id: &str) -> Result<usize> {
        self.storage()
            .revoke_user(user_id, ocop_core::ids::now_millis())
    }

    /// Every enrolled device, oldest first.
    pub fn list_devices(&self) -> Result<Vec<DeviceInfo>> {
        Ok(self
            .storage()
            .devices()?
            .into_iter()
            .map(DeviceInfo::from)
            .collect())
    }
}

fn qr(payload: &str) -> Result<qrcode::QrCode> {
    qrcode::QrCode::new(payload.as_bytes()).map_err(|e| HubError::Qr(e.to_string()))
}

/// Writes `payload` as a QR code image: SVG when `path` ends in `.svg`, PNG otherwise.
pub fn write_qr(payload: &str, path: &Path) -> Result<()> {
    let code = qr(payload)?;
    let svg = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    if svg {
        let text = code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(256, 256)
            .build();
        std::fs::write(path, text)?;
    } else {
        let img = code
            .render::<image::Luma<u8>>()
            .min_dimensions(256, 256)
            .build();
        img.save_with_format(path, image::ImageFormat::Png)
            .map_err(|e| HubError::Qr(e.to_string()))?;
    }
    Ok(())
}

/// `payload` as a QR code drawn with Unicode half blocks, for a terminal.
pub fn qr_text(payload: &str) -> Result<String> {
    use qrcode::render::unicode::Dense1x2;
    Ok(qr(payload)?
        .render::<Dense1x2>()
        .dark_color(Dense1x2::Light)
        .light_color(Dense1x2::Dark)
        .quiet_zone(true)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_readable_and_normalize_forgivingly() {
        let code = new_code();
        assert_eq!(code.len(), 14);
        assert_eq!(code.matches('-').count(), 2);
        let typed = code.to_lowercase().replace('-', " ").replace('0', "o");
        assert_eq!(code_hash(&typed), code_hash(&code));
        assert_ne!(code_hash(&code), code_hash(&new_code()));
        assert_ne!(code_hash(&code), token_hash(&code), "domains are separated");
    }

    #[test]
    fn qr_payload_names_the_hub_when_known() {
        let issued = IssuedCode {
            code: "ABCD-EFGH-JKMN".into(),
            expires_at: 0,
            account: Account {
                user_id: "u".into(),
                display_name: String::new(),
                role: ocop_core::identity::Role::Officer,
                scope: Scope::default(),
            },
        };
        assert_eq!(issued.qr_payload(None), "ABCD-EFGH-JKMN");
        assert_eq!(
            issued.qr_payload(Some("http://10.0.0.2:8787/")),
            "ocopfield://enroll?code=ABCD-EFGH-JKMN&hub=http%3A%2F%2F10.0.0.2%3A8787%2F"
        );
        assert!(qr_text("ABCD-EFGH-JKMN").unwrap().lines().count() > 10);
    }
}
