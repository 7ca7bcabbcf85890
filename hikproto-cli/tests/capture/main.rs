//! `hikproto capture` round trips: simulator A (one per personality) → capture → simulator B
//! from the site file → a second capture identical to the first, and the client reads the same
//! from A and B. The file holds no secret and, without `--keep-identity`, none of A's
//! identifiers. Also: the captured 401 served verbatim (over HTTP and HTTPS, marked stale when
//! a nonce expired), the nonce behaviour played back, and the captured SADP `ProbeMatch`
//! answering inquiries.

mod challenge;
mod round_trip;
mod sadp;
mod support;
