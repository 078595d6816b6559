//! Accepting connections: the listening socket, one task per connection, and the graceful shutdown on SIGINT/SIGTERM.

use super::connections::Connections;
use super::limits::StallGuard;
use super::routes::handle;
use super::schedule::Priority;
use super::{State, Summary, LATE, MAX_HEAD_BYTES};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};

/// Connections waiting to be accepted (the OS caps it at `somaxconn`). Under
/// a flood of reconnecting clients the usual 128 overflows, and a new
/// client's connection attempt is then dropped and retried a second later.
const LISTEN_BACKLOG: u32 = 4096;

/// Longest a closed connection is read from for its client's last bytes ([`linger`]).
const LINGER: Duration = Duration::from_secs(2);
/// Most bytes read from a closed connection ([`linger`]); a client that
/// sends more gets a reset.
const LINGER_BYTES: usize = 4 << 20;

pub(super) fn listen(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    // As std's bind does on Unix: a restarted server can take its port at once.
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// SIGINT and SIGTERM, caught from the moment this is made.
pub(super) struct ShutdownSignals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl ShutdownSignals {
    pub(super) fn new() -> io::Result<ShutdownSignals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(ShutdownSignals {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(ShutdownSignals {})
    }

    /// Resolves on the next SIGINT or SIGTERM.
    async fn recv(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Accepts connections until SIGINT or SIGTERM, then shuts down gracefully.
pub(super) async fn accept_loop(
    listener: TcpListener,
    mut signals: ShutdownSignals,
    state: Arc<State>,
) -> Summary {
    let graceful = GracefulShutdown::new();
    let connections = Connections::new(state.options.max_connections);
    loop {
        tokio::select! {
            _ = connections.room() => {}
            _ = signals.recv() => break,
        }
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait, do not spin.
                    if state.options.log_requests {
                        eprintln!("warning: accept failed: {e}");
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = signals.recv() => break,
        };
        serve_connection(&state, &graceful, &connections, stream, remote);
    }
    drop(listener);
    let forced = shut_down(&state, graceful, signals).await;
    Summary {
        requests: state.requests.load(Ordering::Relaxed),
        forced,
        pauses: state.priority.as_ref().map_or(0, Priority::pauses),
        memory_stops: state.queries.stopped_for_memory(),
        evicted: connections.evicted(),
    }
}

/// Serves one accepted connection on a task of its own, until it ends or
/// is closed to make room for a new one.
fn serve_connection(
    state: &Arc<State>,
    graceful: &GracefulShutdown,
    connections: &Arc<Connections>,
    stream: TcpStream,
    remote: SocketAddr,
) {
    let _ = stream.set_nodelay(true);
    // A second handle on the socket, for the lingering close once hyper is done with it.
    let second = second_handle(&stream);
    let io = TokioIo::new(StallGuard::new(stream, state.options.io_timeout));
    let st = Arc::clone(state);
    let entry = Arc::new(connections.open());
    let on_request = Arc::clone(&entry);
    let service = service_fn(move |req| handle(Arc::clone(&st), remote, on_request.busy(), req));
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(state.options.io_timeout)
        .max_header_size(MAX_HEAD_BYTES)
        .keep_alive(true);
    let connection = graceful.watch(builder.serve_connection(io, service));
    tokio::spawn(async move {
        let finished = tokio::select! {
            _ = connection => true,
            // Closed to make room: dropping the connection closes the socket.
            _ = entry.close.notified() => false,
        };
        drop(entry);
        if let (true, Some(second)) = (finished, second) {
            linger(second).await;
        }
    });
}

/// A second handle on the socket of `stream` (`None` where it cannot be
/// made: the close is then abrupt).
fn second_handle(stream: &TcpStream) -> Option<std::net::TcpStream> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        stream
            .as_fd()
            .try_clone_to_owned()
            .ok()
            .map(std::net::TcpStream::from)
    }
    #[cfg(not(unix))]
    {
        let _ = stream;
        None
    }
}

/// Closes a connection hyper is done with gently: no more writes, then what
/// the client still sends (a request body the server refused without
/// reading it) is read and dropped until the client closes, for at most
/// [`LINGER`] and [`LINGER_BYTES`]. Closing a socket with unread bytes
/// sends a reset, which can reach the client before it has read the answer
/// (a `413` for a body over `--max-body`), and the answer is lost.
async fn linger(second: std::net::TcpStream) {
    let _ = second.shutdown(std::net::Shutdown::Write);
    let Ok(stream) = TcpStream::from_std(second) else {
        return;
    };
    let mut buf = [0u8; 16 << 10];
    let mut left = LINGER_BYTES;
    let _ = tokio::time::timeout(LINGER, async {
        while left > 0 {
            if stream.readable().await.is_err() {
                break;
            }
            match stream.try_read(&mut buf) {
                Ok(0) => break,
                Ok(n) => left = left.saturating_sub(n),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(_) => break,
            }
        }
    })
    .await;
}

/// Lets requests in flight finish within the grace period, then cancels
/// their queries (answered 503) and gives the answers a moment to go out;
/// returns whether requests were cut off (or a second signal came).
async fn shut_down(
    state: &State,
    graceful: GracefulShutdown,
    mut signals: ShutdownSignals,
) -> bool {
    if state.options.log_requests {
        eprintln!("shutting down: finishing requests in flight");
    }
    let all_done = graceful.shutdown();
    tokio::pin!(all_done);
    let again = signals.recv();
    tokio::pin!(again);
    let mut forced = false;
    tokio::select! {
        _ = &mut all_done => {}
        _ = &mut again => forced = true,
        _ = tokio::time::sleep(state.options.shutdown_grace) => {
            state.queries.cancel_all();
            tokio::select! {
                _ = &mut all_done => {}
                _ = &mut again => forced = true,
                _ = tokio::time::sleep(LATE) => forced = true,
            }
        }
    }
    state.queries.cancel_all();
    forced
}
