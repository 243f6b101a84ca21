//! Web sign-in: one-time codes become browser sessions.
//!
//! A supervisor signs in with a **one-time code** issued by the hub admin exactly as for a phone
//! (`ocop hub enroll --role supervisor --province 19`). The code is redeemed like a device enrollment: the browser
//! becomes a "device" named `web: browser sign-in`, and its random 32-byte token is set as an `HttpOnly`,
//! `SameSite=Strict` cookie. The hub stores only the token's SHA-256 ([`crate::auth::token_hash`]), so sessions
//! are listed by `ocop hub devices` and ended by `ocop hub revoke` like any device; signing out revokes the
//! session. A web session lasts [`SESSION_DAYS`] days. Only supervisors and hub admins may sign in: a code of
//! another role is consumed and its session revoked at once. `SameSite=Strict` keeps other sites from posting
//! the pages' forms with the cookie.

use axum::http::{HeaderMap, HeaderValue, header};
use ocop_core::identity::{Author, Role};
use ocop_core::sync::Principal;

use crate::Hub;
use crate::auth::token_hash;
use crate::error::Result;

/// The session cookie's name.
pub const COOKIE: &str = "ocop_session";
/// The language cookie's name.
pub const LANG_COOKIE: &str = "ocop_lang";
/// How long a web session lasts.
pub const SESSION_DAYS: i64 = 14;
/// The device name web sessions are enrolled under.
pub const WEB_DEVICE: &str = "web: browser sign-in";

/// A signed-in person.
#[derive(Debug, Clone)]
pub struct WebUser {
    /// The session's device id (revoked on sign-out).
    pub device_id: String,
    /// Who they act as (role, scope).
    pub principal: Principal,
    /// Their display name (or user id when none).
    pub name: String,
}

impl WebUser {
    /// The author stamp of the changes they make.
    pub fn author(&self) -> Author {
        Author::new(
            self.principal.user_id.clone(),
            self.name.clone(),
            self.principal.role,
        )
    }
}

/// The value of cookie `name` in the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A `Set-Cookie` value for the session (empty token: clears it).
pub fn session_cookie(token: &str) -> HeaderValue {
    let age = if token.is_empty() {
        0
    } else {
        SESSION_DAYS * 24 * 3600
    };
    HeaderValue::from_str(&format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={age}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("ocop_session=; Path=/; Max-Age=0"))
}

/// The signed-in person of a request, `None` when there is no valid session.
pub fn current(hub: &Hub, headers: &HeaderMap) -> Result<Option<WebUser>> {
    let Some(token) = cookie(headers, COOKIE).filter(|t| !t.is_empty() && t.len() <= 128) else {
        return Ok(None);
    };
    let Some(device) = hub.storage().device_by_token(&token_hash(&token))? else {
        return Ok(None);
    };
    let now = ocop_core::ids::now_millis();
    let expired = device.device_name == WEB_DEVICE
        && now.saturating_sub(device.created_at) > SESSION_DAYS * 24 * 3600 * 1000;
    if device.revoked_at.is_some()
        || expired
        || !matches!(device.account.role, Role::Supervisor | Role::HubAdmin)
    {
        return Ok(None);
    }
    hub.storage().touch_device(&device.device_id, now)?;
    let name = if device.account.display_name.trim().is_empty() {
        device.account.user_id.clone()
    } else {
        device.account.display_name.clone()
    };
    Ok(Some(WebUser {
        device_id: device.device_id,
        principal: Principal {
            user_id: device.account.user_id,
            role: device.account.role,
            scope: device.account.scope,
        },
        name,
    }))
}

/// Why a sign-in failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInRefused {
    /// Unknown, used or expired code.
    BadCode,
    /// The code belongs to a role that may not use the pages.
    NotSupervisor,
}

/// Redeems a one-time code for a web session; returns the session token.
pub fn sign_in(hub: &Hub, code: &str) -> Result<std::result::Result<String, SignInRefused>> {
    match hub.redeem(code, WEB_DEVICE)? {
        Ok(e) if matches!(e.role, Role::Supervisor | Role::HubAdmin) => Ok(Ok(e.token)),
        Ok(e) => {
            hub.revoke(&e.device_id)?;
            Ok(Err(SignInRefused::NotSupervisor))
        }
        Err(_) => Ok(Err(SignInRefused::BadCode)),
    }
}
