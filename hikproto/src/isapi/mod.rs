//! Typed ISAPI models, one module per resource family.
//!
//! Every model decodes from an [`Element`](crate::xml::Element) tree, so it reads any of the
//! namespaces devices use and keeps what it does not know.

pub mod activation;
pub mod capabilities;
pub mod device_info;
pub mod ehome;
pub mod ezviz;
pub mod network;
pub mod security;
pub mod status;
pub mod system;
pub mod time;
pub mod user_check;
pub mod users;
