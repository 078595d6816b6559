//! The HTTP client of a push: a blocking ureq agent (rustls for https) shared by the worker threads, with authentication, timeouts, retries and extra CA certificates.
//!
//! Authentication answers the server's challenge: with `Auto`, the first
//! request goes without credentials and the 401's `WWW-Authenticate` picks
//! Digest (preferred) or Basic; the challenge is then kept and every later
//! request is authorised up front (Digest with a growing nonce count), so a
//! push costs one extra round trip, not one per request. A 401 with a fresh
//! (or stale) nonce is answered once more; a second 401 is final (wrong
//! credentials). Redirects are not followed, so credentials never go to
//! another host.
//!
//! Retries: connection errors, timeouts, 429 and 5xx are tried again
//! `retries` times, after 0.5 s, 1 s, 2 s, … (at most 8 s; a 429's or 503's
//! `Retry-After` in seconds, up to 30 s, when longer). A server certificate
//! that fails its check is not retried: it is a [`HttpError::Certificate`].
//!
//! Trust for https: the built-in (Mozilla) roots, and with [`CaCerts`]
//! (`--ca-cert`) the certificates of a PEM file besides them. ureq takes
//! either its built-in roots or a list of certificates, not both, so a
//! client with extra CA certificates has a second agent that trusts just
//! those: it is tried first, and once a server's certificate fails its check
//! there, the built-in roots' agent serves every later request.

use super::digest::{self, Challenge, DigestChallenge};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use ureq::http::{Method, Request, Response, Uri};
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};

/// How the client proves who it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum AuthMode {
    /// Whatever the server's challenge asks for (Digest before Basic).
    #[default]
    Auto,
    /// HTTP Basic, sent with every request.
    Basic,
    /// HTTP Digest only.
    Digest,
}

/// A user and password (the password never leaves memory but in the
/// `Authorization` header; `Debug` hides it).
#[derive(Clone)]
pub struct Credentials {
    /// The user name.
    pub user: String,
    /// The password.
    pub password: String,
    /// Which scheme to use.
    pub mode: AuthMode,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

/// CA certificates trusted for https besides the built-in roots, read from a PEM file.
#[derive(Clone)]
pub struct CaCerts {
    file: PathBuf,
    certs: Vec<Certificate<'static>>,
}

impl std::fmt::Debug for CaCerts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaCerts")
            .field("file", &self.file)
            .field("certificates", &self.certs.len())
            .finish()
    }
}

impl CaCerts {
    /// The certificates of the PEM file `path` (other PEM items, such as a
    /// key, are skipped); an error naming the file when it cannot be read,
    /// is not PEM, or holds no certificate.
    pub fn read(path: &Path) -> Result<CaCerts, String> {
        let pem = std::fs::read(path)
            .map_err(|e| format!("CA certificate file {}: {e}", path.display()))?;
        CaCerts::parse(path, &pem)
    }

    fn parse(path: &Path, pem: &[u8]) -> Result<CaCerts, String> {
        let mut certs = Vec::new();
        for item in ureq::tls::parse_pem(pem) {
            match item {
                Ok(PemItem::Certificate(cert)) => certs.push(cert),
                Ok(_) => {}
                Err(e) => {
                    return Err(format!(
                        "CA certificate file {}: not a PEM file ({e})",
                        path.display()
                    ))
                }
            }
        }
        if certs.is_empty() {
            return Err(format!(
                "CA certificate file {}: holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
                path.display()
            ));
        }
        Ok(CaCerts {
            file: path.to_path_buf(),
            certs,
        })
    }
}

/// Settings of the client.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// The whole-request timeout (connect, send, receive).
    pub timeout: Duration,
    /// How many times a failed request is tried again.
    pub retries: u32,
    /// Credentials, if any.
    pub credentials: Option<Credentials>,
    /// Connections kept open to the host (the push's concurrency).
    pub connections: usize,
    /// CA certificates trusted besides the built-in roots.
    pub ca_certs: Option<CaCerts>,
}

/// A response with a status the caller looks at.
#[derive(Debug)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The body, as text (at most 64 KiB kept).
    pub body: String,
}

/// A request that did not get a 2xx answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum HttpError {
    /// No answer at all (connection refused or reset, timeout, TLS), after every retry.
    #[error("{0}")]
    Transport(String),
    /// The server's TLS certificate failed its check (not retried).
    #[error("{0}")]
    Certificate(String),
    /// The server answered with this status (after every retry for 429 and 5xx).
    #[error("HTTP {status}{}", message_suffix(.message))]
    Status {
        /// The HTTP status.
        status: u16,
        /// The server's message (its body, shortened).
        message: String,
    },
    /// The server asks for an authentication this client cannot give.
    #[error("{0}")]
    Auth(String),
}

fn message_suffix(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!(": {message}")
    }
}

impl HttpError {
    /// Whether every other request will fail the same way (the server is
    /// unreachable, or the credentials are refused): the push stops.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            HttpError::Transport(_)
                | HttpError::Certificate(_)
                | HttpError::Auth(_)
                | HttpError::Status {
                    status: 401 | 403,
                    ..
                }
        )
    }
}

/// What the client knows of the server's authentication.
enum Known {
    Nothing,
    Basic,
    Digest(DigestChallenge),
}

/// The shared HTTP client.
pub struct Client {
    agent: ureq::Agent,
    /// With extra CA certificates: the agent that trusts just those.
    ca_agent: Option<ureq::Agent>,
    /// Whether a server certificate failed its check with `ca_agent`.
    ca_refused: AtomicBool,
    options: ClientOptions,
    known: Mutex<Known>,
    /// Requests made with the current Digest nonce.
    nc: AtomicU32,
}

impl Client {
    /// A client with these settings.
    pub fn new(options: ClientOptions) -> Client {
        let agent = |roots: RootCerts| {
            let config = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .max_redirects(0)
                .timeout_global(Some(options.timeout))
                .timeout_connect(Some(options.timeout.min(Duration::from_secs(10))))
                .max_idle_connections_per_host(options.connections.max(1))
                .user_agent(concat!("signalgraph/", env!("CARGO_PKG_VERSION")))
                .tls_config(TlsConfig::builder().root_certs(roots).build())
                .build();
            ureq::Agent::new_with_config(config)
        };
        let ca_agent = options
            .ca_certs
            .as_ref()
            .map(|ca| agent(RootCerts::new_with_certs(&ca.certs)));
        let known = match options.credentials.as_ref().map(|c| c.mode) {
            Some(AuthMode::Basic) => Known::Basic,
            _ => Known::Nothing,
        };
        Client {
            agent: agent(RootCerts::WebPki),
            ca_agent,
            ca_refused: AtomicBool::new(false),
            options,
            known: Mutex::new(known),
            nc: AtomicU32::new(0),
        }
    }

    /// Sends a request and retries it as the module says; `Ok` for 2xx and
    /// for the statuses in `also_ok` (a DELETE of a graph that is already gone).
    pub fn send(
        &self,
        method: Method,
        url: &str,
        content_type: Option<&str>,
        body: &[u8],
        also_ok: &[u16],
    ) -> Result<Reply, HttpError> {
        let uri: Uri = url
            .parse()
            .map_err(|e| HttpError::Transport(format!("bad URL {url}: {e}")))?;
        let mut attempt = 0;
        loop {
            let result = self.send_authorised(&method, &uri, content_type, body);
            let (retriable, after) = match &result {
                Ok((reply, _))
                    if (200..300).contains(&reply.status) || also_ok.contains(&reply.status) =>
                {
                    return result.map(|(reply, _)| reply);
                }
                Ok((reply, after)) => (reply.status == 429 || reply.status >= 500, *after),
                Err(e) => (matches!(e, HttpError::Transport(_)), None),
            };
            if !retriable || attempt >= self.options.retries {
                return Err(match result {
                    Ok((reply, _)) => HttpError::Status {
                        status: reply.status,
                        message: shorten(&reply.body),
                    },
                    Err(e) => e,
                });
            }
            let backoff = Duration::from_millis(500 << attempt.min(4));
            std::thread::sleep(backoff.max(after.unwrap_or_default()));
            attempt += 1;
        }
    }

    /// One request, answering one authentication challenge if the server
    /// sends it; the reply and its `Retry-After`.
    fn send_authorised(
        &self,
        method: &Method,
        uri: &Uri,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<(Reply, Option<Duration>), HttpError> {
        let mut answered = false;
        loop {
            let authorization = self.authorization(method, uri);
            let (reply, after, challenges) =
                self.once(method, uri, content_type, body, authorization)?;
            if reply.status != 401 || answered || self.options.credentials.is_none() {
                return Ok((reply, after));
            }
            answered = true;
            self.learn(challenges)?;
        }
    }

    /// Takes the challenge to answer from a 401's `WWW-Authenticate` values.
    fn learn(&self, challenges: Vec<String>) -> Result<(), HttpError> {
        let mode = self
            .options
            .credentials
            .as_ref()
            .map_or(AuthMode::Auto, |c| c.mode);
        let parsed = digest::parse_challenges(challenges.iter().map(String::as_str));
        let digest = parsed.iter().find_map(|c| match c {
            Ok(Challenge::Digest(d)) => Some(Ok(d.clone())),
            Err(e) => Some(Err(e.clone())),
            _ => None,
        });
        let basic = parsed.iter().any(|c| matches!(c, Ok(Challenge::Basic)));
        let next = match (mode, digest, basic) {
            (AuthMode::Basic, _, _) | (AuthMode::Auto, None, true) => Known::Basic,
            (AuthMode::Auto | AuthMode::Digest, Some(Ok(d)), _) => Known::Digest(d),
            (_, Some(Err(e)), _) => {
                return Err(HttpError::Auth(format!("the server asks for {e}")))
            }
            (AuthMode::Digest, None, _) => {
                return Err(HttpError::Auth(
                    "the server offers no Digest authentication".into(),
                ))
            }
            (AuthMode::Auto, None, false) => {
                return Err(HttpError::Auth(format!(
                    "the server's 401 offers no Basic or Digest authentication ({})",
                    challenges.join("; ")
                )))
            }
        };
        if let Ok(mut known) = self.known.lock() {
            *known = next;
        }
        self.nc.store(0, Ordering::SeqCst);
        Ok(())
    }

    /// The `Authorization` header for a request, from what is known.
    fn authorization(&self, method: &Method, uri: &Uri) -> Option<String> {
        let credentials = self.options.credentials.as_ref()?;
        let known = self.known.lock().ok()?;
        match &*known {
            Known::Nothing => None,
            Known::Basic => Some(digest::basic(&credentials.user, &credentials.password)),
            Known::Digest(challenge) => {
                let nc = self.nc.fetch_add(1, Ordering::SeqCst) + 1;
                let target = uri.path_and_query().map_or("/", |p| p.as_str());
                let cnonce = format!("{:016x}", rand::random::<u64>());
                Some(digest::digest(
                    challenge,
                    &credentials.user,
                    &credentials.password,
                    method.as_str(),
                    target,
                    nc,
                    &cnonce,
                ))
            }
        }
    }

    /// One HTTP exchange: the reply, its `Retry-After`, its challenges.
    fn once(
        &self,
        method: &Method,
        uri: &Uri,
        content_type: Option<&str>,
        body: &[u8],
        authorization: Option<String>,
    ) -> Result<(Reply, Option<Duration>, Vec<String>), HttpError> {
        let request = || {
            let mut request = Request::builder().method(method.clone()).uri(uri.clone());
            if let Some(ct) = content_type {
                request = request.header("Content-Type", ct);
            }
            if let Some(a) = &authorization {
                request = request.header("Authorization", a);
            }
            request
                .body(body)
                .map_err(|e| HttpError::Transport(e.to_string()))
        };
        let mut response = self.run(request)?.map_err(|e| {
            let text = transport_text(&e, uri);
            if is_certificate_error(&e) {
                HttpError::Certificate(format!(
                    "{text} (the server's certificate is not trusted; if a private CA signed it, give the CA's certificate with --ca-cert FILE)"
                ))
            } else {
                HttpError::Transport(text)
            }
        })?;
        let status = response.status().as_u16();
        let headers = response.headers();
        let after = headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(|s| Duration::from_secs(s.min(30)));
        let challenges = headers
            .get_all("www-authenticate")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect();
        let mut text = Vec::new();
        // The body is read (to keep the connection reusable) but only its start kept.
        let mut reader = response.body_mut().as_reader();
        let _ = reader.by_ref().take(64 * 1024).read_to_end(&mut text);
        let _ = std::io::copy(&mut reader, &mut std::io::sink());
        Ok((
            Reply {
                status,
                body: String::from_utf8_lossy(&text).into_owned(),
            },
            after,
            challenges,
        ))
    }

    /// Runs a request on the agent whose trust fits the server: with extra CA
    /// certificates, their agent until a server certificate fails its check
    /// there, then the built-in roots' agent.
    fn run<'b>(
        &self,
        request: impl Fn() -> Result<Request<&'b [u8]>, HttpError>,
    ) -> Result<Result<Response<ureq::Body>, ureq::Error>, HttpError> {
        if let Some(ca_agent) = &self.ca_agent {
            if !self.ca_refused.load(Ordering::SeqCst) {
                match ca_agent.run(request()?) {
                    Err(e) if is_certificate_error(&e) => {
                        self.ca_refused.store(true, Ordering::SeqCst)
                    }
                    other => return Ok(other),
                }
            }
        }
        Ok(self.agent.run(request()?))
    }
}

/// Whether a request failed on the server's TLS certificate.
fn is_certificate_error(e: &ureq::Error) -> bool {
    // rustls reports it as its own error, or inside an I/O error when the
    // handshake runs as the request is written.
    let text = match e {
        ureq::Error::Rustls(inner) => inner.to_string(),
        ureq::Error::Io(inner) => inner.to_string(),
        _ => return false,
    };
    text.contains("certificate")
}

fn transport_text(e: &ureq::Error, uri: &Uri) -> String {
    let host = uri.authority().map_or("", |a| a.as_str());
    match e {
        ureq::Error::Timeout(_) => format!("{host}: timed out ({e})"),
        _ => format!("{host}: {e}"),
    }
}

/// A server message made fit for one line: whitespace collapsed, at most 400 characters.
fn shorten(body: &str) -> String {
    let text: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() > 400 {
        let cut: String = text.chars().take(400).collect();
        format!("{cut}…")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // parse_pem reads the PEM framing only: a body of any DER will do here.
    const CERT: &str = "-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n";
    const KEY: &str = "-----BEGIN PRIVATE KEY-----\nMAMCAQE=\n-----END PRIVATE KEY-----\n";

    #[test]
    fn ca_certs_from_pem() {
        let path = Path::new("ca.pem");
        let both = format!("a comment\n{CERT}{KEY}{CERT}");
        let certs = CaCerts::parse(path, both.as_bytes()).unwrap();
        assert_eq!((certs.certs.len(), certs.file.as_path()), (2, path));
        for text in [KEY, "", "not PEM at all\n"] {
            let e = CaCerts::parse(path, text.as_bytes()).unwrap_err();
            assert!(e.contains("ca.pem: holds no PEM certificate"), "{e}");
        }
        let e = CaCerts::read(Path::new("/nonexistent/ca.pem")).unwrap_err();
        assert!(
            e.starts_with("CA certificate file /nonexistent/ca.pem: "),
            "{e}"
        );
    }

    #[test]
    fn certificate_errors_are_told_apart() {
        let io = |text: &str| {
            ureq::Error::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, text))
        };
        assert!(is_certificate_error(&io(
            "invalid peer certificate: UnknownIssuer"
        )));
        assert!(!is_certificate_error(&io("connection refused")));
        assert!(!is_certificate_error(&ureq::Error::HostNotFound));
        assert!(HttpError::Certificate(String::new()).is_fatal());
    }
}
