//! # hikproto C ABI
//!
//! `libhikproto.so` / `libhikproto.a` and the header `include/hikproto.h` (generated from this
//! crate by cbindgen). The Rust core does the work; this crate only wraps it.
//!
//! Conventions, the same for every function (the header states them per function too):
//!
//! - **Results.** Fallible calls return a [`hikproto_result`] code: stable numbers in bands
//!   (argument, transport, credentials, lock, device, decode, simulator, library). Describe one
//!   with `hikproto_result_describe`.
//! - **Errors.** Every fallible call (except the error object's own accessors) takes a last
//!   `hikproto_error **err_out`: NULL, or the address of a pointer that is set to NULL and, on
//!   failure, receives a detailed error object (message, HTTP status, device status fields,
//!   lock-out hints) to free with `hikproto_error_free`. `HIKPROTO_RESULT_INSUFFICIENT_SIZE`
//!   makes no error object, so a size query needs no clean-up.
//! - **Handles.** Opaque pointers with `_new`/`_free` pairs; `_free(NULL)` is a no-op.
//!   Constructors return a code and write their out-pointer only on success.
//! - **Strings in** are NUL-terminated UTF-8 (checked: `HIKPROTO_RESULT_INVALID_UTF8`).
//!   Secrets are copied into memory that is wiped when released.
//! - **Strings out** go into caller buffers `(buf, len, out_n)`: NUL-terminated; on success
//!   `*out_n` is the length; on `HIKPROTO_RESULT_INSUFFICIENT_SIZE` `*out_n` is the size
//!   needed (NUL included) and `buf` is untouched. Structured results are JSON text in one
//!   style (see the `json` module); each device or SADP `_json` call has an `_alloc` twin
//!   returning a library-allocated string (`hikproto_string_free`).
//! - **Panics** never cross into C: every export runs behind one boundary
//!   (`HIKPROTO_RESULT_PANIC`, or a neutral value for getters).
//! - **Threads and lifecycle.** The library owns one multi-threaded runtime (two worker
//!   threads, started on first network use, ended by `hikproto_shutdown`; see [`runtime`]).
//!   Calls block the calling thread; any number of C threads may call at once; the handle's
//!   cancel (`hikproto_device_cancel`, `hikproto_discovery_cancel`,
//!   `hikproto_sadp_client_cancel`, `hikproto_fleet_cancel`; see the `cancel` module) ends the
//!   calls in progress on it. Do not use the library in the child after `fork()`.
//! - **SIGPIPE** is set to ignored on the first call if the program left it at its default
//!   (see the `runtime` module); a program's own handler is kept.
#![allow(
    unsafe_code,
    reason = "this crate is the C ABI: raw pointers cross the boundary here, and only here"
)]
#![allow(non_camel_case_types, reason = "C type names follow C conventions")]
#![allow(
    clippy::not_unsafe_ptr_arg_deref,
    reason = "C entry points: every pointer is NULL-checked and the caller contract is documented"
)]
#![warn(missing_docs)]

mod buffer;
mod call;
mod cancel;
pub mod decode;
pub mod device;
pub mod discovery;
pub mod error;
pub mod files;
pub mod fleet;
pub mod fleet_file;
pub mod guard;
mod handle;
mod json;
pub mod keys;
pub mod log;
mod panic;
pub mod response;
pub mod result;
pub mod runtime;
pub mod sadp;
#[cfg(test)]
mod schema_nulls;
mod shape;
#[cfg(feature = "sim")]
pub mod sim;
pub mod version;

pub use buffer::hikproto_string_free;
pub use decode::hikproto_isapi_to_json;
pub use device::*;
pub use discovery::*;
pub use error::*;
pub use files::*;
pub use fleet::*;
pub use guard::*;
pub use keys::*;
pub use log::*;
pub use response::*;
pub use result::*;
pub use runtime::hikproto_shutdown;
pub use sadp::*;
#[cfg(feature = "sim")]
pub use sim::*;
pub use version::*;
