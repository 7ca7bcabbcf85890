//! Python bindings for hikproto.
