//! Shared helpers for hikproto's end-to-end tests.
