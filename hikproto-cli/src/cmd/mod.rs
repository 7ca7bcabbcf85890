//! One module per command (family).

pub(crate) mod capture;
pub(crate) mod decode;
pub(crate) mod demo;
pub(crate) mod discover;
pub(crate) mod doctor;
pub(crate) mod doctor_fix;
pub(crate) mod fleet;
pub(crate) mod hikconnect;
pub(crate) mod info;
pub(crate) mod isup;
pub(crate) mod network;
pub(crate) mod provision;
pub(crate) mod recover;
pub(crate) mod request;
pub(crate) mod sadp;
pub(crate) mod users;
