//! Enrollment codes and devices in PostgreSQL. A code is redeemed under a row lock, so two hub processes given the
//! same code at once enroll one device and answer the other "used".

use ocop_core::identity::Role;
use ocop_core::sync::Scope;
use postgres::Row;

use super::PgStorage;
use crate::error::{HubError, Result};
use crate::storage::{Account, DeviceRow, EnrollmentRow, Redeemed};

/// Don't rewrite `last_seen_at` more often than this (ms): one sync is several requests.
const TOUCH_EVERY_MS: i64 = 60_000;

fn role_from(s: &str) -> Result<Role> {
    Role::parse(s).ok_or_else(|| HubError::Storage(format!("unknown role {s:?} in the database")))
}

fn scope_from(s: &str) -> Result<Scope> {
    Ok(serde_json::from_str(s)?)
}

const DEVICE_COLUMNS: &str = "device_id, device_name, user_id, display_name, role, scope, token_hash, created_at, revoked_at, last_seen_at";

fn device_row(r: &Row) -> Result<DeviceRow> {
    Ok(DeviceRow {
        device_id: r.try_get(0)?,
        device_name: r.try_get(1)?,
        account: Account {
            user_id: r.try_get(2)?,
            display_name: r.try_get(3)?,
            role: role_from(r.try_get(4)?)?,
            scope: scope_from(r.try_get(5)?)?,
        },
        token_hash: r.try_get(6)?,
        created_at: r.try_get(7)?,
        revoked_at: r.try_get(8)?,
        last_seen_at: r.try_get(9)?,
    })
}

pub(super) fn add_enrollment(s: &PgStorage, row: &EnrollmentRow) -> Result<()> {
    let scope = serde_json::to_string(&row.account.scope)?;
    s.conn()?.execute(
        "INSERT INTO enrollments (code_hash, user_id, display_name, role, scope, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &row.code_hash,
            &row.account.user_id,
            &row.account.display_name,
            &row.account.role.as_str(),
            &scope,
            &row.created_at,
            &row.expires_at,
        ],
    )?;
    Ok(())
}

pub(super) fn redeem(
    s: &PgStorage,
    code_hash: &str,
    now: i64,
    device: &DeviceRow,
) -> Result<Redeemed> {
    let mut conn = s.conn()?;
    let mut tx = conn.transaction()?;
    let found = tx.query_opt(
        "SELECT user_id, display_name, role, scope, expires_at, used_at FROM enrollments
         WHERE code_hash = $1 FOR UPDATE",
        &[&code_hash],
    )?;
    let Some(r) = found else {
        return Ok(Redeemed::Unknown);
    };
    let account = Account {
        user_id: r.try_get(0)?,
        display_name: r.try_get(1)?,
        role: role_from(r.try_get(2)?)?,
        scope: scope_from(r.try_get(3)?)?,
    };
    let expires_at: i64 = r.try_get(4)?;
    let used_at: Option<i64> = r.try_get(5)?;
    if used_at.is_some() {
        return Ok(Redeemed::Used);
    }
    if expires_at <= now {
        return Ok(Redeemed::Expired);
    }
    tx.execute(
        "UPDATE enrollments SET used_at = $2, device_id = $3 WHERE code_hash = $1",
        &[&code_hash, &now, &device.device_id],
    )?;
    let row = DeviceRow {
        account,
        ..device.clone()
    };
    tx.execute(
        "INSERT INTO devices (device_id, token_hash, device_name, user_id, display_name, role, scope, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &row.device_id,
            &row.token_hash,
            &row.device_name,
            &row.account.user_id,
            &row.account.display_name,
            &row.account.role.as_str(),
            &serde_json::to_string(&row.account.scope)?,
            &row.created_at,
        ],
    )?;
    tx.commit()?;
    Ok(Redeemed::Enrolled(Box::new(row)))
}

pub(super) fn device_by_token(s: &PgStorage, token_hash: &str) -> Result<Option<DeviceRow>> {
    s.conn()?
        .query_opt(
            &format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE token_hash = $1"),
            &[&token_hash],
        )?
        .as_ref()
        .map(device_row)
        .transpose()
}

pub(super) fn devices(s: &PgStorage) -> Result<Vec<DeviceRow>> {
    s.conn()?
        .query(
            &format!("SELECT {DEVICE_COLUMNS} FROM devices ORDER BY created_at, device_id"),
            &[],
        )?
        .iter()
        .map(device_row)
        .collect()
}

pub(super) fn revoke_device(s: &PgStorage, device_id: &str, now: i64) -> Result<bool> {
    Ok(s.conn()?.execute(
        "UPDATE devices SET revoked_at = $2 WHERE device_id = $1 AND revoked_at IS NULL",
        &[&device_id, &now],
    )? == 1)
}

pub(super) fn revoke_user(s: &PgStorage, user_id: &str, now: i64) -> Result<usize> {
    let n = s.conn()?.execute(
        "UPDATE devices SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
        &[&user_id, &now],
    )?;
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

pub(super) fn touch(s: &PgStorage, device_id: &str, now: i64) -> Result<()> {
    s.conn()?.execute(
        "UPDATE devices SET last_seen_at = $2
         WHERE device_id = $1 AND COALESCE(last_seen_at, 0) <= $2::bigint - $3::bigint",
        &[&device_id, &now, &TOUCH_EVERY_MS],
    )?;
    Ok(())
}
