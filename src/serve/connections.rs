//! The cap on open connections (`max_connections`): when it is reached, the
//! connection idle the longest is closed to make room for a new one.
//!
//! A connection is busy from the moment a request is handed to the endpoint
//! until its response has been handed to the socket ([`Busy`], held by the
//! response body); otherwise it is idle — waiting for its first request,
//! between keep-alive requests, or sending a request head so slowly that it
//! has not arrived. Idle connections cost nothing to close (a client that
//! wants to go on reconnects), so under a flood of idle sockets new clients
//! are still accepted, oldest idle first. A connection is only closed once it
//! has been idle for [`MIN_IDLE`]: one just accepted gets that long to send
//! its request, however fast others arrive. When every connection is busy,
//! new ones wait in the listen queue.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// How long a connection must have been idle before it may be closed for a new one.
pub(crate) const MIN_IDLE: Duration = Duration::from_millis(50);

/// The open connections of a server.
pub(crate) struct Connections {
    max: usize,
    state: Mutex<State>,
    /// Signalled when a connection ends or turns idle.
    changed: Notify,
}

#[derive(Default)]
struct State {
    next: u64,
    open: BTreeMap<u64, Conn>,
    /// Connections closed to make room.
    evicted: u64,
}

struct Conn {
    /// Requests being handled.
    busy: usize,
    /// Since when it has been idle (when `busy` is 0).
    idle_since: Instant,
    close: Arc<Notify>,
}

/// One connection's entry; dropping it (when the connection ends) frees its place.
pub(crate) struct Entry {
    connections: Arc<Connections>,
    id: u64,
    /// Notified when the connection must close to make room.
    pub close: Arc<Notify>,
}

/// A request in progress on a connection (the connection is busy while one lives).
pub(crate) struct Busy {
    connections: Arc<Connections>,
    id: u64,
}

impl Connections {
    pub(crate) fn new(max: usize) -> Arc<Connections> {
        Arc::new(Connections {
            max: max.max(1),
            state: Mutex::new(State::default()),
            changed: Notify::new(),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Connections closed so far to make room for new ones.
    pub(crate) fn evicted(&self) -> u64 {
        self.lock().evicted
    }

    /// Waits until a connection may be accepted, closing the connection idle
    /// the longest (for at least [`MIN_IDLE`]) when all places are taken.
    pub(crate) async fn room(&self) {
        loop {
            let retry_at = {
                let mut state = self.lock();
                if state.open.len() < self.max {
                    return;
                }
                let oldest = state
                    .open
                    .iter()
                    .filter(|(_, c)| c.busy == 0)
                    .min_by_key(|(id, c)| (c.idle_since, **id))
                    .map(|(id, c)| (*id, c.idle_since));
                match oldest {
                    Some((id, since)) if since.elapsed() >= MIN_IDLE => {
                        if let Some(conn) = state.open.remove(&id) {
                            conn.close.notify_one();
                        }
                        state.evicted += 1;
                        return;
                    }
                    Some((_, since)) => Some(since + MIN_IDLE),
                    None => None,
                }
            };
            match retry_at {
                Some(at) => {
                    tokio::select! {
                        _ = self.changed.notified() => {}
                        _ = tokio::time::sleep_until(at.into()) => {}
                    }
                }
                None => self.changed.notified().await,
            }
        }
    }

    /// Registers a connection just accepted.
    pub(crate) fn open(self: &Arc<Self>) -> Entry {
        let close = Arc::new(Notify::new());
        let mut state = self.lock();
        let id = state.next;
        state.next += 1;
        state.open.insert(
            id,
            Conn {
                busy: 0,
                idle_since: Instant::now(),
                close: Arc::clone(&close),
            },
        );
        Entry {
            connections: Arc::clone(self),
            id,
            close,
        }
    }
}

impl Entry {
    /// Marks the connection busy until the returned guard is dropped.
    pub(crate) fn busy(&self) -> Busy {
        if let Some(conn) = self.connections.lock().open.get_mut(&self.id) {
            conn.busy += 1;
        }
        Busy {
            connections: Arc::clone(&self.connections),
            id: self.id,
        }
    }
}

impl Drop for Entry {
    fn drop(&mut self) {
        self.connections.lock().open.remove(&self.id);
        self.connections.changed.notify_one();
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        let mut state = self.connections.lock();
        if let Some(conn) = state.open.get_mut(&self.id) {
            conn.busy = conn.busy.saturating_sub(1);
            if conn.busy == 0 {
                conn.idle_since = Instant::now();
            }
        }
        drop(state);
        self.connections.changed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
            .block_on(f)
    }

    async fn told_to_close(entry: &Entry) -> bool {
        tokio::time::timeout(Duration::from_millis(1), entry.close.notified())
            .await
            .is_ok()
    }

    #[test]
    fn the_longest_idle_connection_makes_room() {
        block_on(async {
            let connections = Connections::new(2);
            let first = connections.open();
            let second = connections.open();
            // Busy before the third arrives: never closed for it.
            let busy = first.busy();
            tokio::time::sleep(MIN_IDLE * 2).await;
            connections.room().await;
            assert_eq!(connections.evicted(), 1);
            assert!(told_to_close(&second).await);
            assert!(!told_to_close(&first).await);
            drop(second);
            // A new connection gets MIN_IDLE before it can be closed: room waits.
            let third = connections.open();
            let started = Instant::now();
            connections.room().await;
            assert!(started.elapsed() >= MIN_IDLE, "{:?}", started.elapsed());
            assert!(told_to_close(&third).await);
            drop(third);
            // When every connection is busy, room waits for one to turn idle.
            let fourth = connections.open();
            let also_busy = fourth.busy();
            let waiter = {
                let c = Arc::clone(&connections);
                tokio::spawn(async move { c.room().await })
            };
            tokio::time::sleep(MIN_IDLE * 4).await;
            assert!(!waiter.is_finished());
            drop(busy);
            let started = Instant::now();
            waiter.await.unwrap();
            assert!(started.elapsed() >= MIN_IDLE / 2, "{:?}", started.elapsed());
            assert!(told_to_close(&first).await);
            assert_eq!(connections.evicted(), 3);
            drop(also_busy);
        });
    }
}
