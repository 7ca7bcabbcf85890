//! C ABI for hikproto.
