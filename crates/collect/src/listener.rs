//! The server's connections, driven one by one through hyper (axum's own `serve` has no
//! timeouts and no caps, so 1,100 half-sent requests held every file descriptor).
//!
//! - A request head must arrive within the header timeout. hyper starts that timer whenever
//!   it waits for a head, so it also closes a keep-alive connection that stays idle.
//! - A request body must arrive within the body timeout (a client trickling it is cut off).
//! - At most `max_connections` are open at once, and at most `max_connections_per_client`
//!   from one address (an IPv6 client by its /64), so that one address cannot take the
//!   whole allowance. Trusted proxies carry many clients and have no per-address cap.
//! - Accept errors from lack of resources (file descriptors, memory) pause accepting for a
//!   moment instead of spinning.
//!
//! Each refusal and timeout is logged through the log throttle. On shutdown, the listener
//! closes, idle connections close, requests in flight finish (within a grace period).

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::ConnectInfo;
use axum::http::Request;
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::Sleep;
use tower_service::Service as _;

use crate::proxy::{TrustedProxies, canonical};
use crate::throttle::LogThrottle;

/// How long and how many: the bounds on connections.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// Time for a request's head to arrive, counted from the moment the server waits for
    /// it: on a new connection, and between the requests of a kept-alive one.
    pub header_timeout: Duration,
    /// Time for a request's body to arrive, from its head.
    pub body_timeout: Duration,
    /// Connections open at once.
    pub max_connections: usize,
    /// Connections open at once from one client address (not applied to trusted proxies).
    pub max_connections_per_client: usize,
    /// On shutdown, how long requests in flight may take to finish.
    pub shutdown_grace: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            max_connections: 4_096,
            max_connections_per_client: 128,
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// Pause after an accept error caused by a lack of resources (EMFILE, ENFILE, ENOMEM, …).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// File descriptors kept free of connections: the store's files, the WAL, logs, the writer.
const DESCRIPTORS_HELD_BACK: u64 = 64;

/// Raises this process's soft limit of open files to its hard limit, so that the connection
/// caps (not the kernel's default of 1,024) decide when connections are refused. Returns the
/// soft limit now in force, if it is known.
#[cfg(unix)]
pub fn raise_open_file_limit() -> Option<u64> {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut limit = getrlimit(Resource::Nofile);
    if limit.current < limit.maximum {
        limit.current = limit.maximum;
        if setrlimit(Resource::Nofile, limit).is_err() {
            limit = getrlimit(Resource::Nofile);
        }
    }
    limit.current
}

/// Elsewhere (Windows) sockets are not counted against a limit of open files.
#[cfg(not(unix))]
pub fn raise_open_file_limit() -> Option<u64> {
    None
}

/// The soft limit of open files, if there is one.
#[cfg(unix)]
fn open_file_limit() -> Option<u64> {
    rustix::process::getrlimit(rustix::process::Resource::Nofile).current
}

#[cfg(not(unix))]
fn open_file_limit() -> Option<u64> {
    None
}

/// The connection cap the open-file limit allows: connections never take the descriptors the
/// store and the logs need, so running short shows as a refused connection, not as a failed
/// commit.
fn effective_cap(configured: usize) -> usize {
    let allowed = open_file_limit()
        .map_or(usize::MAX, |soft| usize::try_from(soft.saturating_sub(DESCRIPTORS_HELD_BACK)).unwrap_or(usize::MAX));
    configured.min(allowed).max(1)
}

/// The per-client cap under a global cap of `cap`: never more than a quarter of it, so that
/// one address cannot take every connection even when few files are allowed; unless the
/// caller asked for no per-client cap at all (a per-client cap as large as the global one).
fn per_client_cap(limits: &ConnectionLimits, cap: usize) -> usize {
    if limits.max_connections_per_client >= limits.max_connections {
        cap
    } else {
        limits.max_connections_per_client.min(cap / 4).max(1)
    }
}

/// What the accept loop shares with its connections.
#[derive(Debug)]
pub(crate) struct Listening {
    pub(crate) limits: ConnectionLimits,
    pub(crate) proxies: TrustedProxies,
    pub(crate) log: Arc<LogThrottle>,
}

/// Accepts and serves connections until `shutdown` completes; then stops accepting and lets
/// the connections finish (idle ones close at once), for at most the grace period.
pub(crate) async fn run(
    listener: TcpListener,
    app: Router,
    listening: Listening,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let mut listening = listening;
    let cap = effective_cap(listening.limits.max_connections);
    listening.limits.max_connections_per_client = per_client_cap(&listening.limits, cap);
    if cap < listening.limits.max_connections {
        tracing::warn!(
            "at most {cap} connections at once ({} from one address): the open-file limit allows no more",
            listening.limits.max_connections_per_client
        );
    }
    let listening = Arc::new(listening);
    let open = Arc::new(Semaphore::new(cap));
    let per_client = Arc::new(PerClient::default());
    let (stop, stopping) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut flush = tokio::time::interval(Duration::from_secs(1));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            _ = flush.tick() => {
                listening.log.flush();
                continue;
            }
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    on_accept_error(&listening.log, &error).await;
                    continue;
                }
            },
        };
        while connections.try_join_next().is_some() {}
        let Some(slot) = admit(&listening, &open, &per_client, peer) else { continue };
        let (app, listening, stopping) = (app.clone(), listening.clone(), stopping.clone());
        connections.spawn(async move {
            serve_connection(stream, peer, app, &listening, stopping).await;
            drop(slot);
        });
    }
    drop(listener);
    let _ = stop.send(true);
    let grace = listening.limits.shutdown_grace;
    if tokio::time::timeout(grace, async { while connections.join_next().await.is_some() {} }).await.is_err() {
        tracing::warn!("{} connections still open after {grace:?}: closed", connections.len());
        connections.shutdown().await;
    }
    listening.log.flush();
    Ok(())
}

/// The accept errors that mean a lack of resources rather than one connection's trouble.
#[cfg(unix)]
const RESOURCE_ERRORS: [i32; 4] = [
    rustix::io::Errno::MFILE.raw_os_error(),
    rustix::io::Errno::NFILE.raw_os_error(),
    rustix::io::Errno::NOBUFS.raw_os_error(),
    rustix::io::Errno::NOMEM.raw_os_error(),
];
/// Winsock's WSAEMFILE and WSAENOBUFS (Windows has no ENFILE, and no ENOMEM from accept).
#[cfg(not(unix))]
const RESOURCE_ERRORS: [i32; 2] = [10_024, 10_055];

async fn on_accept_error(log: &LogThrottle, error: &io::Error) {
    // Errors of one connection (reset before accept, …) are that connection's business; a
    // lack of resources would come back at once, so the loop waits a moment.
    if error.raw_os_error().is_some_and(|code| RESOURCE_ERRORS.contains(&code)) {
        log.line(|| tracing::warn!("cannot accept connections ({error}); pausing {ACCEPT_BACKOFF:?}"));
        tokio::time::sleep(ACCEPT_BACKOFF).await;
    }
}

/// A connection's place in the caps, given back when it closes.
#[derive(Debug)]
struct Slot {
    _open: OwnedSemaphorePermit,
    client: Option<(Arc<PerClient>, ClientKey)>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some((per_client, key)) = self.client.take() {
            per_client.release(key);
        }
    }
}

/// One client address for the per-client cap; an IPv6 client by its /64, the block a single
/// subscriber usually gets.
type ClientKey = u128;

fn client_key(address: IpAddr) -> ClientKey {
    match canonical(address) {
        IpAddr::V4(v4) => u128::from(v4.to_bits()),
        IpAddr::V6(v6) => (v6.to_bits() >> 64) << 64 | 1,
    }
}

/// Connections open per client address (only addresses with one open are kept).
#[derive(Debug, Default)]
struct PerClient(Mutex<HashMap<ClientKey, usize>>);

impl PerClient {
    fn take(&self, key: ClientKey, cap: usize) -> bool {
        let mut open = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(key).or_insert(0);
        if *count >= cap {
            return false;
        }
        *count += 1;
        true
    }

    fn release(&self, key: ClientKey) {
        let mut open = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&key) {
            *count -= 1;
            if *count == 0 {
                open.remove(&key);
            }
        }
    }
}

/// A place for a new connection from `peer`, or `None` (the connection is closed at once).
fn admit(listening: &Listening, open: &Arc<Semaphore>, per_client: &Arc<PerClient>, peer: SocketAddr) -> Option<Slot> {
    let limits = &listening.limits;
    let client = if listening.proxies.is_trusted(peer.ip()) {
        None
    } else {
        let key = client_key(peer.ip());
        if !per_client.take(key, limits.max_connections_per_client) {
            let cap = limits.max_connections_per_client;
            listening.log.line(|| {
                tracing::warn!("refused a connection from {}: it has {cap} open already", peer.ip());
            });
            return None;
        }
        Some((per_client.clone(), key))
    };
    match open.clone().try_acquire_owned() {
        Ok(permit) => Some(Slot { _open: permit, client }),
        Err(_) => {
            if let Some((per_client, key)) = client {
                per_client.release(key);
            }
            listening.log.line(|| {
                tracing::warn!("refused a connection from {}: the server has its most connections open", peer.ip());
            });
            None
        }
    }
}

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    listening: &Arc<Listening>,
    mut stopping: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let per_request = listening.clone();
    let requests = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counted = requests.clone();
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let client = per_request.proxies.client_address(peer.ip(), request.headers());
        let (mut parts, body) = request.into_parts();
        parts.extensions.insert(ConnectInfo(SocketAddr::new(client, peer.port())));
        let body = axum::body::Body::new(DeadlineBody {
            inner: body,
            deadline: Box::pin(tokio::time::sleep(per_request.limits.body_timeout)),
            log: per_request.log.clone(),
            client,
        });
        let mut app = app.clone();
        app.call(Request::from_parts(parts, body))
    });
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(listening.limits.header_timeout)
        .serve_connection(TokioIo::new(stream), service);
    let mut connection = std::pin::pin!(connection);
    let outcome = tokio::select! {
        outcome = connection.as_mut() => outcome,
        () = stopped(&mut stopping) => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    // A kept-alive connection closed after its requests is ordinary; one that never sent a
    // whole request is what a slow or malicious client does.
    let served = requests.load(std::sync::atomic::Ordering::Relaxed);
    if let Err(error) = outcome
        && error.is_timeout()
        && served == 0
    {
        let timeout = listening.limits.header_timeout;
        listening.log.line(|| {
            tracing::info!("closed a connection from {}: no request within {timeout:?}", peer.ip());
        });
    }
}

/// Completes once the server stops (or its accept loop is gone).
async fn stopped(stopping: &mut watch::Receiver<bool>) {
    while !*stopping.borrow_and_update() {
        if stopping.changed().await.is_err() {
            return;
        }
    }
}

/// A request body that must arrive before a deadline.
struct DeadlineBody {
    inner: Incoming,
    deadline: Pin<Box<Sleep>>,
    log: Arc<LogThrottle>,
    client: IpAddr,
}

/// The error a request body that came too slowly ends with.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive in time")]
struct BodyTimeout;

impl Body for DeadlineBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|frame| frame.map_err(Into::into)));
        }
        if self.deadline.as_mut().poll(cx).is_ready() {
            let client = self.client;
            self.log.line(|| tracing::info!("cut off a request body from {client}: it came too slowly"));
            return Poll::Ready(Some(Err(Box::new(BodyTimeout))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_client_gets_at_most_a_quarter_of_a_small_cap_unless_asked_otherwise() {
        let limits = ConnectionLimits::default();
        assert_eq!(per_client_cap(&limits, 4_096), 128);
        assert_eq!(per_client_cap(&limits, 36), 9, "few files: a quarter");
        assert_eq!(per_client_cap(&limits, 2), 1);
        let uncapped = ConnectionLimits { max_connections_per_client: 4_096, ..ConnectionLimits::default() };
        assert_eq!(per_client_cap(&uncapped, 960), 960);
    }

    #[test]
    fn a_client_has_its_own_cap_and_ipv6_clients_count_by_their_64() {
        let per_client = PerClient::default();
        let a = client_key("192.0.2.1".parse().unwrap());
        let b = client_key("192.0.2.2".parse().unwrap());
        assert!(per_client.take(a, 2) && per_client.take(a, 2) && !per_client.take(a, 2));
        assert!(per_client.take(b, 2), "another address is not affected");
        per_client.release(a);
        assert!(per_client.take(a, 2), "a closed connection frees its place");
        assert_eq!(client_key("2001:db8::1".parse().unwrap()), client_key("2001:db8::ffff:1".parse().unwrap()));
        assert_ne!(client_key("2001:db8::1".parse().unwrap()), client_key("2001:db8:0:1::1".parse().unwrap()));
        assert_eq!(client_key("::ffff:192.0.2.1".parse().unwrap()), a);
    }
}
