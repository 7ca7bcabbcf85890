//! The `hikproto-sim` binary.
fn main() {}
