//! HTTP authentication challenges (`WWW-Authenticate`) and the answers to them: Basic and Digest (RFC 7616/2617).
//!
//! Digest is computed for the MD5 and SHA-256 algorithms with `qop=auth` (what
//! Virtuoso asks for) or, for servers of RFC 2069's time, without a qop. The
//! `-sess` variants and `qop=auth-int` are refused with a clear message rather
//! than guessed at.

use md5::Md5;
use sha2::{Digest, Sha256};
use std::fmt::Write;

/// The hash a Digest challenge names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    /// `MD5` (the default when the challenge names none).
    Md5,
    /// `SHA-256` (RFC 7616).
    Sha256,
}

impl Algorithm {
    fn name(self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Sha256 => "SHA-256",
        }
    }

    fn hex(self, data: &str) -> String {
        let bytes: Vec<u8> = match self {
            Algorithm::Md5 => Md5::digest(data.as_bytes()).to_vec(),
            Algorithm::Sha256 => Sha256::digest(data.as_bytes()).to_vec(),
        };
        let mut out = String::with_capacity(bytes.len() * 2);
        for b in bytes {
            let _ = write!(out, "{b:02x}");
        }
        out
    }
}

/// A Digest challenge of a server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigestChallenge {
    /// The protection space.
    pub realm: String,
    /// The server's nonce.
    pub nonce: String,
    /// Returned unchanged, when given.
    pub opaque: Option<String>,
    /// Whether the server offers `qop=auth` (else the RFC 2069 form is used).
    pub qop_auth: bool,
    /// The hash to use.
    pub algorithm: Algorithm,
    /// The previous nonce was stale (the credentials were right).
    pub stale: bool,
}

/// What a server asks for in its `WWW-Authenticate` headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Challenge {
    /// `Basic`.
    Basic,
    /// `Digest` with its parameters.
    Digest(DigestChallenge),
}

/// Reads the challenges of `WWW-Authenticate` header values (several
/// challenges may share one value, separated by commas). A Digest challenge
/// this module cannot answer gives `Err` with the reason; unknown schemes
/// are skipped.
pub fn parse_challenges<'a>(
    values: impl IntoIterator<Item = &'a str>,
) -> Vec<Result<Challenge, String>> {
    let mut out = Vec::new();
    for value in values {
        for (scheme, params) in split_challenges(value) {
            if scheme.eq_ignore_ascii_case("basic") {
                out.push(Ok(Challenge::Basic));
            } else if scheme.eq_ignore_ascii_case("digest") {
                out.push(digest_challenge(&params).map(Challenge::Digest));
            }
        }
    }
    out
}

fn digest_challenge(params: &[(String, String)]) -> Result<DigestChallenge, String> {
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let algorithm = match get("algorithm") {
        None => Algorithm::Md5,
        Some(a) if a.eq_ignore_ascii_case("MD5") => Algorithm::Md5,
        Some(a) if a.eq_ignore_ascii_case("SHA-256") => Algorithm::Sha256,
        Some(a) => return Err(format!("digest algorithm {a} is not supported")),
    };
    let qop_auth = match get("qop") {
        None => false,
        Some(q) => {
            if q.split(',').any(|o| o.trim().eq_ignore_ascii_case("auth")) {
                true
            } else {
                return Err(format!("digest qop={q} is not supported (only auth)"));
            }
        }
    };
    Ok(DigestChallenge {
        realm: get("realm").ok_or("digest challenge without realm")?,
        nonce: get("nonce").ok_or("digest challenge without nonce")?,
        opaque: get("opaque"),
        qop_auth,
        algorithm,
        stale: get("stale").is_some_and(|s| s.eq_ignore_ascii_case("true")),
    })
}

/// Splits a header value into (scheme, parameters) pairs. Parameters are
/// `name=token` or `name="quoted string"` (backslash escapes undone); a
/// token that is not followed by `=` starts the next challenge.
fn split_challenges(value: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out: Vec<(String, Vec<(String, String)>)> = Vec::new();
    let chars: Vec<char> = value.chars().collect();
    let mut i = 0;
    let skip = |i: &mut usize, what: &dyn Fn(char) -> bool| {
        while *i < chars.len() && what(chars[*i]) {
            *i += 1;
        }
    };
    loop {
        skip(&mut i, &|c| c == ',' || c.is_whitespace());
        if i >= chars.len() {
            break;
        }
        let start = i;
        skip(&mut i, &|c| !(c == ',' || c == '=' || c.is_whitespace()));
        let token: String = chars[start..i].iter().collect();
        skip(&mut i, &|c| c == ' ' || c == '\t');
        if i < chars.len() && chars[i] == '=' {
            i += 1;
            skip(&mut i, &|c| c == ' ' || c == '\t');
            let mut v = String::new();
            if i < chars.len() && chars[i] == '"' {
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        i += 1;
                    }
                    v.push(chars[i]);
                    i += 1;
                }
                i += 1;
            } else {
                let s = i;
                skip(&mut i, &|c| !(c == ',' || c.is_whitespace()));
                v = chars[s..i].iter().collect();
            }
            match out.last_mut() {
                Some((_, params)) => params.push((token, v)),
                None => out.push((String::new(), vec![(token, v)])),
            }
        } else {
            out.push((token, Vec::new()));
        }
    }
    out
}

/// The `Authorization` value of HTTP Basic.
pub fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", base64(format!("{user}:{password}").as_bytes()))
}

/// The `Authorization` value answering a Digest challenge for one request:
/// `uri` is the request target as sent (path and query), `nc` the count of
/// requests made with this nonce (from 1), `cnonce` the client's nonce.
pub fn digest(
    challenge: &DigestChallenge,
    user: &str,
    password: &str,
    method: &str,
    uri: &str,
    nc: u32,
    cnonce: &str,
) -> String {
    let h = |s: &str| challenge.algorithm.hex(s);
    let ha1 = h(&format!("{user}:{}:{password}", challenge.realm));
    let ha2 = h(&format!("{method}:{uri}"));
    let nc = format!("{nc:08x}");
    let response = if challenge.qop_auth {
        h(&format!(
            "{ha1}:{}:{nc}:{cnonce}:auth:{ha2}",
            challenge.nonce
        ))
    } else {
        h(&format!("{ha1}:{}:{ha2}", challenge.nonce))
    };
    let mut out = format!(
        "Digest username=\"{}\", realm=\"{}\", nonce=\"{}\", uri=\"{}\", algorithm={}, response=\"{response}\"",
        quote(user),
        quote(&challenge.realm),
        quote(&challenge.nonce),
        quote(uri),
        challenge.algorithm.name(),
    );
    if challenge.qop_auth {
        let _ = write!(out, ", qop=auth, nc={nc}, cnonce=\"{}\"", quote(cnonce));
    }
    if let Some(opaque) = &challenge.opaque {
        let _ = write!(out, ", opaque=\"{}\"", quote(opaque));
    }
    out
}

fn quote(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn base64(data: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(TABLE[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param<'a>(header: &'a str, name: &str) -> &'a str {
        let start = header.find(&format!("{name}=")).unwrap() + name.len() + 1;
        let rest = &header[start..];
        if let Some(rest) = rest.strip_prefix('"') {
            &rest[..rest.find('"').unwrap()]
        } else {
            &rest[..rest.find(',').unwrap_or(rest.len())]
        }
    }

    /// RFC 7616 section 3.9.1, both algorithms.
    #[test]
    fn rfc7616_example() {
        let header = r#"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS", Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#;
        let challenges = parse_challenges([header]);
        assert_eq!(challenges.len(), 2);
        let cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
        let want = [
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
            "8ca523f5e9506fed4657c9700eebdbec",
        ];
        for (challenge, want) in challenges.into_iter().zip(want) {
            let Ok(Challenge::Digest(c)) = challenge else {
                panic!("not a digest challenge: {challenge:?}")
            };
            assert!(c.qop_auth);
            assert_eq!(c.realm, "http-auth@example.org");
            let h = digest(
                &c,
                "Mufasa",
                "Circle of Life",
                "GET",
                "/dir/index.html",
                1,
                cnonce,
            );
            assert_eq!(param(&h, "response"), want, "{h}");
            assert_eq!(param(&h, "nc"), "00000001");
            assert_eq!(param(&h, "opaque"), c.opaque.as_deref().unwrap());
            assert_eq!(param(&h, "uri"), "/dir/index.html");
        }
    }

    /// RFC 2617 section 3.5.
    #[test]
    fn rfc2617_example() {
        let header = r#"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#;
        let [Ok(Challenge::Digest(c))] = &parse_challenges([header])[..] else {
            panic!()
        };
        assert_eq!(c.algorithm, Algorithm::Md5);
        let h = digest(
            c,
            "Mufasa",
            "Circle Of Life",
            "GET",
            "/dir/index.html",
            1,
            "0a4f113b",
        );
        assert_eq!(param(&h, "response"), "6629fae49393a05397450978507c4ef1");
    }

    /// Virtuoso 7's challenge, as its write endpoints send it.
    #[test]
    fn virtuoso_challenge_and_others() {
        let header = r#"Digest realm="SPARQL", domain="/sparql-graph-crud-auth", nonce="dc291d77d3cb1c2a2172c5ddfa01ad08", opaque="5ebe2294ecd0e0f08eab7690d2a6ee69", stale="false", qop="auth", algorithm="MD5""#;
        let [Ok(Challenge::Digest(c))] = &parse_challenges([header])[..] else {
            panic!()
        };
        assert_eq!(c.nonce, "dc291d77d3cb1c2a2172c5ddfa01ad08");
        assert!(c.qop_auth && !c.stale);
        let got = parse_challenges([
            r#"Basic realm="x y", Digest realm="r", nonce="n", algorithm=MD5-sess"#,
        ]);
        assert_eq!(got[0], Ok(Challenge::Basic));
        assert!(got[1].as_ref().unwrap_err().contains("MD5-sess"));
        assert!(parse_challenges(["Bearer realm=\"a\""]).is_empty());
        let escaped = parse_challenges([r#"Digest realm="a \"b\"", nonce=n1"#]);
        let Ok(Challenge::Digest(c)) = &escaped[0] else {
            panic!()
        };
        assert_eq!((c.realm.as_str(), c.nonce.as_str()), ("a \"b\"", "n1"));
    }

    /// RFC 7617 section 2's example.
    #[test]
    fn basic_header() {
        assert_eq!(
            basic("Aladdin", "open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"a"), "YQ==");
    }
}
