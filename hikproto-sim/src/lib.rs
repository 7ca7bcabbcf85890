//! hikproto-sim: a simulated fleet of Hikvision devices.

pub mod sadp;
