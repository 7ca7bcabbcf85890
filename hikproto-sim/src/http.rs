//! The HTTP(S) side: one accept loop per listener (see [`crate::listen`] for what it serves), hyper HTTP/1.1 connections, and the faults
//! that act on connections and on answers.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::handlers;
use crate::listen::{AcceptErrors, Endpoint, Route};
use crate::state::DeviceShared;
use crate::stats::bump;

/// Largest request body accepted.
const MAX_BODY: usize = 1024 * 1024;

/// A parsed request, as handlers see it.
#[derive(Debug)]
pub(crate) struct Req {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
    /// Path and query exactly as sent (what a Digest `uri=` must equal).
    pub(crate) target: String,
    pub(crate) body: Bytes,
    pub(crate) peer: IpAddr,
    pub(crate) https: bool,
    /// The `Cookie` header(s), joined.
    pub(crate) cookie: Option<String>,
}

impl Req {
    /// A query parameter (first occurrence, percent-decoded).
    pub(crate) fn q(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// True for `format=json` requests.
    pub(crate) fn json(&self) -> bool {
        self.q("format")
            .is_some_and(|f| f.eq_ignore_ascii_case("json"))
    }

    /// Builds a request (also used by unit tests).
    pub(crate) fn new(method: &str, target: &str, body: impl Into<Bytes>, peer: IpAddr) -> Self {
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p, q),
            None => (target, ""),
        };
        Self {
            method: method.to_owned(),
            path: path.to_owned(),
            query: parse_query(query),
            target: target.to_owned(),
            body: body.into(),
            peer,
            https: false,
            cookie: None,
        }
    }
}

fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|kv| !kv.is_empty())
        .take(64)
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    fn hexval(c: u8) -> Option<u8> {
        (c as char).to_digit(16).map(|d| d as u8)
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => match (hexval(b[i + 1]), hexval(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                }
                _ => {
                    out.push(b'%');
                    i += 1;
                }
            },
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An answer, before faults are applied.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    /// Empty: no `Content-Type` header (a captured answer that had none).
    pub(crate) content_type: std::borrow::Cow<'static, str>,
    pub(crate) body: Vec<u8>,
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl Reply {
    pub(crate) fn xml(status: u16, body: String) -> Self {
        Self {
            status,
            content_type: "application/xml; charset=\"UTF-8\"".into(),
            body: body.into_bytes(),
            headers: Vec::new(),
        }
    }

    pub(crate) fn json(status: u16, body: String) -> Self {
        Self {
            status,
            content_type: "application/json; charset=\"UTF-8\"".into(),
            body: body.into_bytes(),
            headers: Vec::new(),
        }
    }

    pub(crate) fn empty(status: u16) -> Self {
        Self {
            status,
            content_type: "text/plain".into(),
            body: Vec::new(),
            headers: Vec::new(),
        }
    }

    pub(crate) fn bytes(status: u16, content_type: &'static str, body: Vec<u8>) -> Self {
        Self {
            status,
            content_type: content_type.into(),
            body,
            headers: Vec::new(),
        }
    }
}

/// A response body that can announce its length or not (a truncated body must not).
pub(crate) struct SimBody {
    data: Option<Bytes>,
    exact: bool,
}

impl Body for SimBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.get_mut().data.take().map(|d| Ok(Frame::data(d))))
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        match (&self.data, self.exact) {
            (Some(d), true) => SizeHint::with_exact(d.len() as u64),
            (None, true) => SizeHint::with_exact(0),
            _ => SizeHint::default(),
        }
    }
}

/// Returned by the service to make hyper drop the connection without an answer.
#[derive(Debug)]
struct Abort;

impl std::fmt::Display for Abort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by the simulated device")
    }
}

impl std::error::Error for Abort {}

/// Accepts connections on one listener until `shutdown` flips, handing each to the device
/// `route` finds for it; idle connections are closed after `idle`.
pub(crate) async fn serve(
    route: Route,
    listener: TcpListener,
    idle: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut conns = JoinSet::new();
    let mut errors = AcceptErrors::default();
    loop {
        let accepted = tokio::select! {
            _ = shutdown.changed() => break,
            a = listener.accept() => a,
        };
        while conns.try_join_next().is_some() {}
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                errors.failed(&e, listener.local_addr().ok()).await;
                continue;
            }
        };
        let Some(ep) = route.find(|| stream.local_addr().ok()) else {
            // a LAN listener reached on an address no device has
            drop(stream);
            continue;
        };
        let Endpoint { shared, tls } = ep.clone();
        bump(&shared.stats.connections);
        let rebooting = shared.lock().rebooting();
        let faults = shared.faults();
        if rebooting || faults.drop_connections {
            if !rebooting {
                bump(&shared.stats.faults_injected);
            }
            let _ = stream.set_zero_linger();
            drop(stream);
            continue;
        }
        if faults.stop_reading {
            bump(&shared.stats.faults_injected);
            conns.spawn(hold(shared, stream, shutdown.clone()));
            continue;
        }
        let _ = stream.set_nodelay(true);
        let sd = shutdown.clone();
        match tls {
            None => {
                conns.spawn(serve_io(shared, stream, peer, false, idle, sd));
            }
            Some(acceptor) => {
                conns.spawn(async move {
                    let hs = tokio::time::timeout(idle, acceptor.accept(stream));
                    if let Ok(Ok(tls_stream)) = hs.await {
                        serve_io(shared, tls_stream, peer, true, idle, sd).await;
                    }
                });
            }
        }
    }
}

/// A peer that stops reading: keep the socket open, never read, never answer.
async fn hold(shared: Arc<DeviceShared>, stream: TcpStream, mut shutdown: watch::Receiver<bool>) {
    for _ in 0..3000 {
        if !shared.faults().stop_reading {
            break;
        }
        tokio::select! {
            _ = shutdown.changed() => break,
            _ = tokio::time::sleep(Duration::from_millis(100)) => {}
        }
    }
    drop(stream);
}

async fn serve_io<I>(
    shared: Arc<DeviceShared>,
    io: I,
    peer: SocketAddr,
    https: bool,
    idle: Duration,
    mut shutdown: watch::Receiver<bool>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let svc = service_fn(move |req| handle(shared.clone(), peer.ip(), https, req));
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        // started whenever the connection waits for a request: closes idle keep-alives too
        .header_read_timeout(idle)
        .serve_connection(TokioIo::new(io), svc);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = shutdown.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(Duration::from_secs(2), conn).await;
        }
    }
}

async fn handle(
    shared: Arc<DeviceShared>,
    peer: IpAddr,
    https: bool,
    req: hyper::Request<Incoming>,
) -> Result<hyper::Response<SimBody>, Abort> {
    let meters = shared
        .meters
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    let _busy = crate::meter::Busy::enter(meters);
    let (parts, body) = req.into_parts();
    let header = |name: &str| {
        parts
            .headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join("; ")
    };
    let authorization = parts
        .headers
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let cookie = Some(header("cookie")).filter(|c| !c.is_empty());
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(c) => c.to_bytes(),
        Err(_) => return Ok(respond(Reply::empty(413), false)),
    };
    if shared.lock().rebooting() {
        return Err(Abort);
    }
    let target = parts
        .uri
        .path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .unwrap_or_else(|| "/".into());
    shared.received.record(crate::reqlog::received(
        parts.method.as_str(),
        &target,
        &parts.headers,
        &body,
        https,
    ));
    let mut r = Req::new(parts.method.as_str(), &target, body, peer);
    r.https = https;
    r.cookie = cookie.clone();
    let faults = shared.faults();
    let mut reply = if faults.http500 {
        bump(&shared.stats.faults_injected);
        shared.stats.hit(&r.method, &r.path);
        let rt = shared.lock();
        handlers::status(&rt, &r, "deviceError", 500)
    } else {
        handlers::process(&shared, &r, authorization.as_deref(), cookie.as_deref())
    };
    // An acknowledged change must survive a crash right after the answer: write it first.
    // (GETs change nothing that is persisted.)
    if let Some(p) = shared.persister().filter(|_| r.method != "GET") {
        match tokio::task::spawn_blocking(move || p.flush()).await {
            Ok(Ok(())) => {}
            failed => {
                tracing::warn!("saving the state file failed: {failed:?}");
                let rt = shared.lock();
                reply = handlers::status(&rt, &r, "deviceError", 500);
            }
        }
    }
    if let Some(d) = faults.latency {
        bump(&shared.stats.faults_injected);
        tokio::time::sleep(d).await;
    }
    if faults.garbage_xml && reply.status == 200 {
        bump(&shared.stats.faults_injected);
        let cut = reply.body.len() / 2;
        reply.body.truncate(cut);
        reply.body.extend_from_slice(b"<<\x00garbage&;</");
        reply.content_type = "application/xml".into();
    }
    if faults.wrong_content_type {
        bump(&shared.stats.faults_injected);
        reply.content_type = "text/plain".into();
    }
    if faults.truncated && reply.body.len() > 1 {
        bump(&shared.stats.faults_injected);
    }
    Ok(respond(reply, faults.truncated))
}

fn respond(reply: Reply, truncate: bool) -> hyper::Response<SimBody> {
    let full_len = reply.body.len();
    let mut body = reply.body;
    let truncate = truncate && full_len > 1;
    if truncate {
        body.truncate(full_len / 2);
    }
    let mut builder = hyper::Response::builder().status(reply.status);
    if !reply.content_type.is_empty() {
        builder = builder.header("content-type", reply.content_type.as_ref());
    }
    builder = builder.header("server", "App-webs/");
    if truncate {
        builder = builder.header("content-length", full_len.to_string());
    }
    for (k, v) in reply.headers {
        builder = builder.header(k, v);
    }
    builder
        .body(SimBody {
            data: Some(Bytes::from(body)),
            exact: !truncate,
        })
        .unwrap_or_else(|_| {
            let mut r = hyper::Response::new(SimBody {
                data: None,
                exact: true,
            });
            *r.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
            r
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_decoding() {
        let r = Req::new(
            "GET",
            "/a?x=1&y=a%20b&z=%zz&format=JSON&w=%4",
            Bytes::new(),
            [127, 0, 0, 1].into(),
        );
        assert_eq!(r.path, "/a");
        assert_eq!(r.q("y"), Some("a b"));
        assert_eq!(r.q("z"), Some("%zz"));
        assert_eq!(r.q("w"), Some("%4"));
        assert!(r.json());
    }
}
