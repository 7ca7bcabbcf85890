//! The `hikproto` command line.
fn main() {}
