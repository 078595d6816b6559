//! A `signalgraph serve` child process on an ephemeral port, for the endpoint tests.
#![allow(unsafe_code)] // kill and sysconf through libc

use super::{sample_store, BIN};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// A query with a known answer on the sample (47 articles), asked after every abuse.
pub const PROBE: &str =
    "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a schema:NewsArticle ; dcterms:title ?t }";

/// A running endpoint; killed when dropped.
pub struct Server {
    child: Child,
    /// `host:port` the server listens on.
    pub addr: String,
    log: Arc<Mutex<String>>,
}

impl Server {
    /// Serves the sample store with extra `serve` flags.
    pub fn start(args: &[&str]) -> Server {
        Server::start_on(sample_store(), args)
    }

    /// Serves `store` on an ephemeral loopback port.
    pub fn start_on(store: &Path, args: &[&str]) -> Server {
        Server::start_bound(store, "127.0.0.1:0", args)
    }

    /// Serves `store` on `bind`, waiting (at most 60 s) for the address it prints.
    pub fn start_bound(store: &Path, bind: &str, args: &[&str]) -> Server {
        let mut child = Command::new(BIN)
            .arg("--store")
            .arg(store)
            .args(["serve", "--bind", bind])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let sink = Arc::clone(&log);
        // Drain stderr all the time, so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                {
                    // Logged before the address is sent: once started, the
                    // log holds every line up to the address.
                    let mut log = sink.lock().unwrap();
                    log.push_str(&line);
                    log.push('\n');
                }
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    let addr = rest.split('/').next().unwrap_or("").to_string();
                    let _ = tx.send(addr);
                }
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no address; log:\n{}", log.lock().unwrap()));
        Server { child, addr, log }
    }

    /// `http://host:port{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Everything the server wrote to stderr so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// The server's process id.
    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// POSTs `query` (application/sparql-query) on a raw socket: the status
    /// (0 when there was no answer) and the body.
    pub fn post(&self, query: &str) -> (u16, String) {
        let mut stream = std::net::TcpStream::connect(&self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(120)))
            .unwrap();
        write!(
            stream,
            "POST /sparql HTTP/1.1\r\nHost: {}\r\nContent-Type: application/sparql-query\r\nAccept: application/sparql-results+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{query}",
            self.addr,
            query.len()
        )
        .unwrap();
        let mut reply = String::new();
        let _ = stream.read_to_string(&mut reply);
        let status = reply
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let body = reply
            .split_once("\r\n\r\n")
            .map_or("", |(_, b)| b)
            .to_string();
        (status, body)
    }

    /// Asks [`PROBE`] and checks the answer (47 articles).
    pub fn probe(&self) {
        let (status, body) = self.post(PROBE);
        assert_eq!(status, 200, "{body}");
        assert!(body.contains(r#""value":"47""#), "{body}");
    }

    /// Sends `signal` and waits for the exit (at most 20 s): the status and the log.
    pub fn stop_with(mut self, signal: i32) -> (ExitStatus, String) {
        unsafe { libc::kill(self.pid(), signal) };
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the stderr thread read the last lines.
                std::thread::sleep(Duration::from_millis(100));
                return (status, self.log());
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "server did not stop"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// CPU seconds the server has used (user + system).
    pub fn cpu_seconds(&self) -> f64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).unwrap();
        let fields: Vec<&str> = stat
            .rsplit(')')
            .next()
            .unwrap()
            .split_whitespace()
            .collect();
        let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
        ticks / unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64
    }

    /// Resident memory now, in MiB.
    pub fn rss_mib(&self) -> f64 {
        self.status_mib("VmRSS:")
    }

    /// Peak resident memory so far, in MiB.
    pub fn peak_mib(&self) -> f64 {
        self.status_mib("VmHWM:")
    }

    fn status_mib(&self, field: &str) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        let line = status.lines().find(|l| l.starts_with(field)).unwrap();
        line.split_whitespace()
            .nth(1)
            .unwrap()
            .parse::<f64>()
            .unwrap()
            / 1024.0
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
