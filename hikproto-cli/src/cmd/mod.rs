//! One module per command.

pub(crate) mod decode;
pub(crate) mod demo;
pub(crate) mod doctor;
pub(crate) mod info;
pub(crate) mod request;
