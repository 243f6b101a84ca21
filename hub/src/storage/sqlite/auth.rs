//! Enrollment codes and devices in SQLite.

use ocop_core::identity::Role;
use ocop_core::sync::Scope;
use rusqlite::{OptionalExtension, Row, params};

use super::SqliteStorage;
use crate::error::{HubError, Result};
use crate::storage::{Account, DeviceRow, EnrollmentRow, Redeemed};

/// Don't rewrite `last_seen_at` more often than this (ms): one sync is several requests.
const TOUCH_EVERY_MS: i64 = 60_000;

fn role_from(s: &str) -> rusqlite::Result<Role> {
    Role::parse(s).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("unknown role {s:?}").into(),
        )
    })
}

fn scope_from(s: &str) -> rusqlite::Result<Scope> {
    serde_json::from_str(s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// Reads a `devices` row selected as `device_id, device_name, user_id, display_name, role, scope, token_hash,
/// created_at, revoked_at, last_seen_at`.
fn device_row(r: &Row<'_>) -> rusqlite::Result<DeviceRow> {
    Ok(DeviceRow {
        device_id: r.get(0)?,
        device_name: r.get(1)?,
        account: Account {
            user_id: r.get(2)?,
            display_name: r.get(3)?,
            role: role_from(&r.get::<_, String>(4)?)?,
            scope: scope_from(&r.get::<_, String>(5)?)?,
        },
        token_hash: r.get(6)?,
        created_at: r.get(7)?,
        revoked_at: r.get(8)?,
        last_seen_at: r.get(9)?,
    })
}

const DEVICE_COLUMNS: &str = "device_id, device_name, user_id, display_name, role, scope, token_hash, created_at, revoked_at, last_seen_at";

pub(super) fn add_enrollment(s: &SqliteStorage, row: &EnrollmentRow) -> Result<()> {
    let scope = serde_json::to_string(&row.account.scope)?;
    s.write(|tx| {
        tx.execute(
            "INSERT INTO enrollments (code_hash, user_id, display_name, role, scope, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                row.code_hash,
                row.account.user_id,
                row.account.display_name,
                row.account.role.as_str(),
                scope,
                row.created_at,
                row.expires_at
            ],
        )?;
        Ok(())
    })
}

pub(super) fn redeem(
    s: &SqliteStorage,
    code_hash: &str,
    now: i64,
    device: &DeviceRow,
) -> Result<Redeemed> {
    s.write(|tx| {
        let found = tx
            .query_row(
                "SELECT user_id, display_name, role, scope, expires_at, used_at FROM enrollments
                 WHERE code_hash = ?1",
                [code_hash],
                |r| {
                    Ok((
                        Account {
                            user_id: r.get(0)?,
                            display_name: r.get(1)?,
                            role: role_from(&r.get::<_, String>(2)?)?,
                            scope: scope_from(&r.get::<_, String>(3)?)?,
                        },
                        r.get::<_, i64>(4)?,
                        r.get::<_, Option<i64>>(5)?,
                    ))
                },
            )
            .optional()?;
        let Some((account, expires_at, used_at)) = found else {
            return Ok(Redeemed::Unknown);
        };
        if used_at.is_some() {
            return Ok(Redeemed::Used);
        }
        if expires_at <= now {
            return Ok(Redeemed::Expired);
        }
        tx.execute(
            "UPDATE enrollments SET used_at = ?2, device_id = ?3 WHERE code_hash = ?1",
            params![code_hash, now, device.device_id],
        )?;
        let row = DeviceRow {
            account,
            ..device.clone()
        };
        tx.execute(
            "INSERT INTO devices (device_id, token_hash, device_name, user_id, display_name, role, scope, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                row.device_id,
                row.token_hash,
                row.device_name,
                row.account.user_id,
                row.account.display_name,
                row.account.role.as_str(),
                serde_json::to_string(&row.account.scope).map_err(HubError::from)?,
                row.created_at
            ],
        )?;
        Ok(Redeemed::Enrolled(Box::new(row)))
    })
}

pub(super) fn device_by_token(s: &SqliteStorage, token_hash: &str) -> Result<Option<DeviceRow>> {
    s.read(|c| {
        Ok(c.prepare_cached(&format!(
            "SELECT {DEVICE_COLUMNS} FROM devices WHERE token_hash = ?1"
        ))?
        .query_row([token_hash], device_row)
        .optional()?)
    })
}

pub(super) fn devices(s: &SqliteStorage) -> Result<Vec<DeviceRow>> {
    s.read(|c| {
        let mut stmt = c.prepare(&format!(
            "SELECT {DEVICE_COLUMNS} FROM devices ORDER BY created_at, device_id"
        ))?;
        let rows = stmt.query_map([], device_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    })
}

pub(super) fn revoke_device(s: &SqliteStorage, device_id: &str, now: i64) -> Result<bool> {
    s.write(|tx| {
        Ok(tx.execute(
            "UPDATE devices SET revoked_at = ?2 WHERE device_id = ?1 AND revoked_at IS NULL",
            params![device_id, now],
        )? == 1)
    })
}

pub(super) fn revoke_user(s: &SqliteStorage, user_id: &str, now: i64) -> Result<usize> {
    s.write(|tx| {
        Ok(tx.execute(
            "UPDATE devices SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL",
            params![user_id, now],
        )?)
    })
}

pub(super) fn touch(s: &SqliteStorage, device_id: &str, now: i64) -> Result<()> {
    let stale: bool = s.read(|c| {
        Ok(
            c.prepare_cached("SELECT COALESCE(last_seen_at, 0) FROM devices WHERE device_id = ?1")?
                .query_row([device_id], |r| r.get::<_, i64>(0))
                .optional()?
                .is_some_and(|seen| now - seen >= TOUCH_EVERY_MS),
        )
    })?;
    if stale {
        s.write(|tx| {
            tx.execute(
                "UPDATE devices SET last_seen_at = ?2 WHERE device_id = ?1",
                params![device_id, now],
            )?;
            Ok(())
        })?;
    }
    Ok(())
}
