//! Tests of the SQLite storage.
