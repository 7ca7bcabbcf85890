//! Shared helpers for hikproto's benchmarks.
