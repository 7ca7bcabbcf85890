//! The log of what a simulated device received: every request's line, headers and body, so
//! that client tests can prove what did (or did not) reach the device.

use std::collections::VecDeque;
use std::sync::Mutex;

/// At most this many requests are kept per device (the oldest go first).
const MAX_ENTRIES: usize = 4096;

/// One request as the device received it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReceivedRequest {
    /// `GET`, `PUT`, …
    pub method: String,
    /// Path and query exactly as sent.
    pub target: String,
    /// Every header, `(name, value)`, values as text (lossy).
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
    /// True when it came over HTTPS.
    pub https: bool,
}

impl ReceivedRequest {
    /// `METHOD target` — the request line without the HTTP version.
    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.target)
    }

    /// The path without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// Request line, headers and body as one text (for scanning).
    pub fn text(&self) -> String {
        let mut s = self.line();
        for (k, v) in &self.headers {
            s.push('\n');
            s.push_str(k);
            s.push_str(": ");
            s.push_str(v);
        }
        s.push_str("\n\n");
        s.push_str(&String::from_utf8_lossy(&self.body));
        s
    }
}

/// The bounded log of one device.
#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    entries: Mutex<VecDeque<ReceivedRequest>>,
}

impl RequestLog {
    pub(crate) fn record(&self, r: ReceivedRequest) {
        let mut q = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if q.len() >= MAX_ENTRIES {
            q.pop_front();
        }
        q.push_back(r);
    }

    pub(crate) fn snapshot(&self) -> Vec<ReceivedRequest> {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    pub(crate) fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}

/// Builds the log entry of a hyper request.
pub(crate) fn received(
    method: &str,
    target: &str,
    headers: &hyper::HeaderMap,
    body: &[u8],
    https: bool,
) -> ReceivedRequest {
    ReceivedRequest {
        method: method.to_owned(),
        target: target.to_owned(),
        headers: headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: body.to_vec(),
        https,
    }
}
