//! Faults injected on demand, per device, at runtime ([`crate::SimDevice::set_fault`]).

use std::time::Duration;

/// One kind of misbehaviour. Several can be active at once; each stays until cleared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Every answer is delayed by this long.
    Latency(Duration),
    /// New connections are accepted and closed at once (reset), without an answer.
    DropConnections,
    /// Answers announce their full `Content-Length` but the connection closes halfway.
    TruncatedBodies,
    /// Every request gets HTTP 500 with a `deviceError` status.
    Http500,
    /// Every successful answer carries a malformed XML body.
    GarbageXml,
    /// Every answer is labelled `text/plain` whatever it contains.
    WrongContentType,
    /// New connections are accepted but never read from nor answered (a stuck peer).
    StopReading,
}

/// The set of faults active on one device.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FaultSet {
    pub(crate) latency: Option<Duration>,
    pub(crate) drop_connections: bool,
    pub(crate) truncated: bool,
    pub(crate) http500: bool,
    pub(crate) garbage_xml: bool,
    pub(crate) wrong_content_type: bool,
    pub(crate) stop_reading: bool,
}

impl FaultSet {
    pub(crate) fn set(&mut self, f: Fault, on: bool) {
        match f {
            Fault::Latency(d) => self.latency = on.then_some(d),
            Fault::DropConnections => self.drop_connections = on,
            Fault::TruncatedBodies => self.truncated = on,
            Fault::Http500 => self.http500 = on,
            Fault::GarbageXml => self.garbage_xml = on,
            Fault::WrongContentType => self.wrong_content_type = on,
            Fault::StopReading => self.stop_reading = on,
        }
    }
}
