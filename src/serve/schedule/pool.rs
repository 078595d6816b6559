//! The endpoint's evaluation threads: a pool whose threads leave once an old query lowered their OS priority.
//!
//! Queries are CPU-bound and synchronous, so each is evaluated on a thread
//! of its own, taken from this pool (threads are reused: starting one costs
//! more than a short query). A thread whose query lowered its OS priority
//! ([`super::thread_lowered`]) cannot raise it back without a privilege, so
//! it finishes its job and leaves; the next query gets a fresh thread at
//! normal priority. Idle threads leave after [`KEEP_IDLE`]. tokio's
//! blocking pool cannot retire one thread on request, hence this small pool.
//!
//! Its size needs no cap of its own: the endpoint admits at most
//! `--max-concurrent` queries at once, and threads are only started for a
//! queued job that no waiting thread can take, plus [`SPARE`] beyond the
//! queued jobs, so that the job after one that takes the last waiting thread
//! does not wait for a thread to start.

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use tokio::sync::oneshot;

/// How long an idle thread waits for work before it leaves.
pub(crate) const KEEP_IDLE: Duration = Duration::from_secs(10);

/// Threads kept ready beyond the jobs queued. Each query that turns old
/// takes its thread with it, so without a spare the query after it would
/// wait for a thread to start.
const SPARE: usize = 1;

type Job = Box<dyn FnOnce() + Send>;

/// A pool of evaluation threads (cheap to clone).
#[derive(Clone)]
pub(crate) struct Evaluators(Arc<Shared>);

struct Shared {
    queue: Mutex<Queue>,
    /// Signalled when a job is queued or the pool closes.
    work: Condvar,
    name: String,
    stack_size: usize,
}

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    /// Threads waiting for a job.
    idle: usize,
    /// Threads alive.
    threads: usize,
    /// Threads started that have not yet looked for a job.
    starting: usize,
    closed: bool,
}

/// What a job ended with: its value, or the payload of its panic.
pub(crate) type Outcome<T> = thread::Result<T>;

impl Evaluators {
    /// An empty pool whose threads are called `name` and get `stack_size` bytes of stack.
    pub(crate) fn new(name: &str, stack_size: usize) -> Evaluators {
        Evaluators(Arc::new(Shared {
            queue: Mutex::new(Queue::default()),
            work: Condvar::new(),
            name: name.to_string(),
            stack_size,
        }))
    }

    /// Runs `job` on a pool thread; the receiver gets its value, or its
    /// panic's payload (the thread survives a panic). Fails when the OS
    /// cannot start a thread and none is alive; the receiver then sees the
    /// sender dropped if `job` was left queued for a thread that never came.
    pub(crate) fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> std::io::Result<oneshot::Receiver<Outcome<T>>> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(catch_unwind(AssertUnwindSafe(job)));
        });
        let mut queue = self.0.lock();
        queue.jobs.push_back(job);
        let ready = queue.idle + queue.starting;
        if queue.idle > 0 {
            self.0.work.notify_one();
        }
        // One thread for the job when none is ready for it, and one spare
        // when the job takes the last one: the next job then finds a thread
        // waiting instead of waiting for one to start.
        let needed = (queue.jobs.len() + SPARE).saturating_sub(ready);
        if needed == 0 {
            return Ok(rx);
        }
        let for_the_job = ready < queue.jobs.len();
        queue.threads += needed;
        queue.starting += needed;
        drop(queue);
        for i in 0..needed {
            let shared = Arc::clone(&self.0);
            let started = thread::Builder::new()
                .name(self.0.name.clone())
                .stack_size(self.0.stack_size)
                .spawn(move || shared.serve());
            if let Err(e) = started {
                let mut queue = self.0.lock();
                queue.threads -= needed - i;
                queue.starting -= needed - i;
                if for_the_job && queue.threads == 0 {
                    // No thread is left to take the queued jobs, this one or
                    // any other whose thread failed to start too: dropping
                    // them drops their senders, so their receivers see an
                    // error at once.
                    queue.jobs.clear();
                    return Err(e);
                }
                break;
            }
        }
        Ok(rx)
    }

    /// Threads alive now.
    #[cfg(test)]
    pub(crate) fn threads(&self) -> usize {
        self.0.lock().threads
    }

    /// Waits (up to 5 s) until every thread alive waits for work.
    #[cfg(test)]
    fn settle(&self) {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while std::time::Instant::now() < deadline {
            let queue = self.0.lock();
            if queue.idle == queue.threads {
                return;
            }
            drop(queue);
            thread::sleep(Duration::from_millis(1));
        }
    }

    /// Lets idle threads leave now instead of after [`KEEP_IDLE`]; queued
    /// and running jobs still finish.
    pub(crate) fn close(&self) {
        self.0.lock().closed = true;
        self.0.work.notify_all();
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A pool thread's life: jobs until idle too long, closed, or lowered.
    fn serve(&self) {
        let mut queue = self.lock();
        queue.starting -= 1;
        loop {
            if let Some(job) = queue.jobs.pop_front() {
                drop(queue);
                job();
                queue = self.lock();
                if super::thread_lowered() {
                    break;
                }
                continue;
            }
            if queue.closed {
                break;
            }
            queue.idle += 1;
            let (guard, waited) = self
                .work
                .wait_timeout(queue, KEEP_IDLE)
                .unwrap_or_else(PoisonError::into_inner);
            queue = guard;
            queue.idle -= 1;
            if waited.timed_out() && queue.jobs.is_empty() {
                break;
            }
        }
        queue.threads -= 1;
    }
}

#[cfg(test)]
#[allow(unsafe_code)] // reads the thread's scheduling policy through libc
mod tests {
    use super::*;
    #[cfg(target_os = "linux")]
    use crate::serve::schedule::{old_query, thread_lowered, Priority};
    use std::time::Instant;

    fn wait<T>(rx: oneshot::Receiver<Outcome<T>>) -> Outcome<T> {
        rx.blocking_recv().expect("the job sends its outcome")
    }

    #[test]
    fn runs_jobs_and_reuses_threads() {
        let pool = Evaluators::new("test-eval", 1 << 20);
        for i in 0..50 {
            assert_eq!(wait(pool.run(move || i * 2).unwrap()).unwrap(), i * 2);
            // The answer may arrive before its thread waits again.
            pool.settle();
        }
        assert_eq!(
            pool.threads(),
            1 + SPARE,
            "one job at a time needs one thread, and the spare"
        );
    }

    #[test]
    fn runs_jobs_at_once_side_by_side() {
        let pool = Evaluators::new("test-eval", 1 << 20);
        let barrier = Arc::new(std::sync::Barrier::new(4));
        let rxs: Vec<_> = (0..4)
            .map(|i| {
                let barrier = Arc::clone(&barrier);
                pool.run(move || {
                    // Every job waits for the three others: they must run at once.
                    barrier.wait();
                    i
                })
                .unwrap()
            })
            .collect();
        let got: Vec<_> = rxs.into_iter().map(|rx| wait(rx).unwrap()).collect();
        assert_eq!(got, vec![0, 1, 2, 3]);
    }

    #[test]
    fn a_panic_reaches_the_caller_and_the_thread_goes_on() {
        let pool = Evaluators::new("test-eval", 1 << 20);
        let outcome = wait(pool.run(|| -> u8 { panic!("boom") }).unwrap());
        let payload = outcome.unwrap_err();
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
        pool.settle();
        assert_eq!(wait(pool.run(|| 7).unwrap()).unwrap(), 7);
        pool.settle();
        assert_eq!(pool.threads(), 1 + SPARE);
    }

    /// Linux only: elsewhere a query's thread is never lowered.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_thread_whose_priority_was_lowered_leaves_after_its_job() {
        let pool = Evaluators::new("test-eval", 1 << 20);
        wait(pool.run(|| ()).unwrap()).unwrap();
        pool.settle();
        assert_eq!(pool.threads(), 1 + SPARE);
        // A query turning old lowers the thread's priority, as here.
        let lowered = wait(
            pool.run(|| {
                let p = Priority::new(Duration::ZERO);
                drop(old_query(&p));
                // SAFETY: reads the calling thread's policy.
                assert_eq!(unsafe { libc::sched_getscheduler(0) }, libc::SCHED_IDLE);
                assert!(thread_lowered());
                thread::current().id()
            })
            .unwrap(),
        )
        .unwrap();
        // It leaves; the spare waits for the next job.
        let deadline = Instant::now() + Duration::from_secs(5);
        while pool.threads() > SPARE && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(pool.threads(), SPARE);
        for _ in 0..20 {
            let (id, was_lowered) = wait(
                pool.run(|| (thread::current().id(), thread_lowered()))
                    .unwrap(),
            )
            .unwrap();
            assert_ne!(id, lowered, "the lowered thread takes no more jobs");
            assert!(!was_lowered, "later jobs run at normal priority");
            pool.settle();
        }
    }

    #[test]
    fn keeps_a_spare_thread_waiting() {
        let pool = Evaluators::new("test-eval", 1 << 20);
        let gate = Arc::new(std::sync::Barrier::new(2));
        let held = {
            let gate = Arc::clone(&gate);
            pool.run(move || {
                gate.wait();
            })
            .unwrap()
        };
        // While the first job holds its thread, the spare takes the next one
        // at once: no thread has to start for it.
        let deadline = Instant::now() + Duration::from_secs(5);
        while pool.0.lock().idle < 1 && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(
            pool.0.lock().idle,
            1,
            "a thread waits while the only job holds its own"
        );
        let threads = pool.threads();
        let rx = pool.run(|| 5).unwrap();
        assert_eq!(wait(rx).unwrap(), 5);
        assert_eq!(
            pool.threads(),
            threads + 1,
            "taking the spare started the next spare, not a thread for the job"
        );
        gate.wait();
        wait(held).unwrap();
    }

    #[test]
    fn closing_lets_idle_threads_leave() {
        let pool = Evaluators::new("test-eval", 1 << 20);
        wait(pool.run(|| ()).unwrap()).unwrap();
        pool.close();
        let deadline = Instant::now() + Duration::from_secs(5);
        while pool.threads() > 0 && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(pool.threads(), 0);
    }
}
