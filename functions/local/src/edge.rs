//! storno-local's edge: the accept loop in front of the router. A connection cap that fits the
//! file-descriptor limit (the next connection is answered 503 and closed, never left to exhaust
//! file descriptors), a share of it per client address (one client holding many idle
//! connections cannot lock the others out), a timeout for a connection's first request head (408), hyper's head
//! timeout for later requests (it closes the connection; also what ends idle keep-alive
//! connections), and graceful shutdown: stop accepting, let requests in flight finish, then
//! return.

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use storno_functions::http::{Problem, Refusal};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

/// The edge's limits (flags of the binary; the defaults suit a laptop).
#[derive(Debug, Clone, Copy)]
pub struct EdgeLimits {
    /// Connections served at once; the next is refused with 503.
    pub max_connections: usize,
    /// Connections one client address may hold at once; its next is refused with 503.
    pub max_connections_per_client: usize,
    /// How long a connection may stay silent (before its first request, or between requests)
    /// or take to send a request's head.
    pub header_timeout: Duration,
    /// How long reading a request's body may take (408 after).
    pub body_timeout: Duration,
    /// How long requests in flight get to finish on shutdown.
    pub drain_timeout: Duration,
}

impl Default for EdgeLimits {
    fn default() -> Self {
        EdgeLimits {
            max_connections: 512,
            max_connections_per_client: 128,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            drain_timeout: Duration::from_secs(30),
        }
    }
}

/// File descriptors kept free of connections: the data file, logs, the listeners.
const DESCRIPTORS_IN_RESERVE: usize = 64;
/// Descriptors one client connection may cost: its own, and the two ends of the connection to
/// the embedded DynamoDB that serving it may open (the SDK pools one per request in flight).
const DESCRIPTORS_PER_CONNECTION: usize = 3;

/// The connection cap that fits the process's file-descriptor limit. The soft limit is raised
/// to the hard one first (as servers do); a cap above what is left is lowered, so the next
/// connection is refused with 503 instead of `accept` failing with "too many open files".
fn fitting_connection_cap(wanted: usize) -> usize {
    let Some(descriptors) = descriptor_limit() else {
        return wanted;
    };
    let fits =
        (descriptors.saturating_sub(DESCRIPTORS_IN_RESERVE) / DESCRIPTORS_PER_CONNECTION).max(1);
    if fits < wanted {
        tracing::warn!(
            wanted,
            serving = fits,
            descriptors,
            "connection cap lowered to fit the file-descriptor limit (raise it with ulimit -n)"
        );
    }
    wanted.min(fits)
}

/// The soft limit of open files, after raising it to the hard limit.
#[cfg(unix)]
fn descriptor_limit() -> Option<usize> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return None;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max,
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit = raised;
            }
        }
    }
    usize::try_from(limit.rlim_cur).ok()
}

#[cfg(not(unix))]
fn descriptor_limit() -> Option<usize> {
    None
}

/// Bytes of a first request head looked at before hyper takes over: a longer head is left
/// to hyper's own limits.
const HEAD_PEEK: usize = 16 * 1024;

/// Waits (without consuming anything) until the connection's first request head is complete
/// (`true`), or the peer closed it (`false`).
async fn first_head(stream: &TcpStream) -> bool {
    let mut buffer = vec![0u8; HEAD_PEEK];
    let mut seen = 0;
    loop {
        let Ok(n) = stream.peek(&mut buffer).await else {
            return false;
        };
        if n == 0 {
            return false;
        }
        if n == buffer.len() || buffer[..n].windows(4).any(|w| w == b"\r\n\r\n") {
            return true;
        }
        if n == seen {
            // Only part of a head so far: peeking again returns at once, so wait a little.
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        seen = n;
    }
}

/// Connections held per client address.
#[derive(Default)]
struct Shares(Mutex<HashMap<IpAddr, usize>>);

/// One connection of a client's share; given back when dropped.
struct Share {
    shares: Arc<Shares>,
    client: IpAddr,
}

impl Shares {
    /// A connection for `client`, unless it holds `max` already.
    fn take(self: &Arc<Self>, client: IpAddr, max: usize) -> Option<Share> {
        let mut held = self.0.lock().expect("shares lock");
        let count = held.entry(client).or_default();
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(Share {
            shares: Arc::clone(self),
            client,
        })
    }
}

impl Drop for Share {
    fn drop(&mut self) {
        let mut held = self.shares.0.lock().expect("shares lock");
        if let Some(count) = held.get_mut(&self.client) {
            *count -= 1;
            if *count == 0 {
                held.remove(&self.client);
            }
        }
    }
}

/// The whole HTTP/1.1 answer of a refusal, written on a raw connection before closing it.
fn raw_answer(refusal: Refusal) -> Vec<u8> {
    let problem = Problem::from(refusal);
    let body = problem.to_json();
    let retry = problem.retry_after.map_or(String::new(), |seconds| {
        format!("Retry-After: {seconds}\r\n")
    });
    format!(
        "HTTP/1.1 {} {}\r\nContent-Type: application/problem+json\r\nContent-Length: {}\r\n{retry}Connection: close\r\n\r\n{body}",
        problem.status,
        problem.title,
        body.len()
    )
    .into_bytes()
}

fn spare_descriptor() -> Option<std::fs::File> {
    std::fs::File::open(if cfg!(windows) { "NUL" } else { "/dev/null" }).ok()
}

async fn answer_and_close(mut stream: TcpStream, answer: Vec<u8>) {
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        let _ = stream.write_all(&answer).await;
        let _ = stream.shutdown().await;
    })
    .await;
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets requests in flight
/// finish (at most `limits.drain_timeout`).
pub async fn serve(
    listener: TcpListener,
    router: axum::Router,
    limits: EdgeLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    let limits = EdgeLimits {
        max_connections: fitting_connection_cap(limits.max_connections),
        ..limits
    };
    let gate = Gate {
        permits: Arc::new(Semaphore::new(limits.max_connections)),
        shares: Arc::new(Shares::default()),
        limits,
    };
    let mut shutdown = std::pin::pin!(shutdown);
    // A descriptor held in reserve: when the process runs out, it is given up for a moment to
    // accept the waiting connection and refuse it clearly (503), instead of leaving the client
    // hanging in the backlog.
    let mut spare = spare_descriptor();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                tracing::warn!(%error, "accept failed");
                refuse_one_waiting(&listener, &mut spare, &limits).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let Some((stream, held)) = gate.admit(stream, peer.ip()) else {
            continue;
        };
        let service = TowerToHyperService::new(router.clone());
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            serve_connection(stream, service, limits, watcher).await;
            drop(held);
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.drain_timeout, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still running after the drain timeout; stopping anyway");
    }
    Ok(())
}

/// Who gets in: a connection within the cap and within its client's share.
struct Gate {
    permits: Arc<Semaphore>,
    shares: Arc<Shares>,
    limits: EdgeLimits,
}

impl Gate {
    /// The connection with the permit and share it holds while served; `None` when it was
    /// refused (503, answered and closed in the background).
    fn admit(&self, stream: TcpStream, client: IpAddr) -> Option<(TcpStream, Held)> {
        let limits = &self.limits;
        let refusal = match self.shares.take(client, limits.max_connections_per_client) {
            None => Refusal::TooManyConnectionsFromClient(limits.max_connections_per_client),
            Some(share) => match Arc::clone(&self.permits).try_acquire_owned() {
                Ok(permit) => return Some((stream, (permit, share))),
                Err(_) => Refusal::TooManyConnections(limits.max_connections),
            },
        };
        tokio::spawn(answer_and_close(stream, raw_answer(refusal)));
        None
    }
}

/// What a served connection holds: its place under the cap and in its client's share.
type Held = (tokio::sync::OwnedSemaphorePermit, Share);

/// Serves one connection until it ends. One that sends no request head, or only part of one,
/// in time is told so and closed (hyper's own head timeout, which ends idle keep-alive
/// connections later on, closes without a word).
async fn serve_connection(
    stream: TcpStream,
    service: TowerToHyperService<axum::Router>,
    limits: EdgeLimits,
    watcher: hyper_util::server::graceful::Watcher,
) {
    match tokio::time::timeout(limits.header_timeout, first_head(&stream)).await {
        Ok(true) => {}
        Ok(false) => return,
        Err(_) => {
            let answer = raw_answer(Refusal::RequestTimeout(
                "no complete request head arrived on this connection in time",
            ));
            answer_and_close(stream, answer).await;
            return;
        }
    }
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .serve_connection(TokioIo::new(stream), service);
    if let Err(error) = watcher.watch(connection).await {
        tracing::debug!(%error, "connection ended");
    }
}

/// `accept` failed (out of file descriptors or similar): give the spare descriptor up to
/// accept one waiting connection and refuse it clearly, then wait a moment instead of spinning.
async fn refuse_one_waiting(
    listener: &TcpListener,
    spare: &mut Option<std::fs::File>,
    limits: &EdgeLimits,
) {
    let waiting = Duration::from_millis(10);
    if spare.take().is_some()
        && let Ok(Ok((stream, _))) = tokio::time::timeout(waiting, listener.accept()).await
    {
        let refusal = Refusal::TooManyConnections(limits.max_connections);
        answer_and_close(stream, raw_answer(refusal)).await;
    }
    *spare = spare_descriptor();
    tokio::time::sleep(Duration::from_millis(50)).await;
}
