//! Which browser pages may open the WebSocket: the check on a handshake's `Origin`.
//!
//! A page may connect from the server's own origin (its `Origin` names the `Host` the request
//! was sent to) or from one the operator listed (`serve --origins`). A client that sends no
//! `Origin` is not a browser page and may always connect: the check guards students' browsers
//! against other sites' pages, it is not authentication.
//!
//! The own-origin rule alone can be passed by DNS rebinding: a page at `evil.example` points
//! that name at 127.0.0.1, and its request then carries `Origin: http://evil.example:8080` and
//! `Host: evil.example:8080`, which match. So a server that listens only on a loopback address
//! (a teacher's laptop, the default `127.0.0.1:8080`) takes its own origin only under a local
//! name (`localhost`, `*.localhost`) or an IP address; any other name must be listed.

use axum::http::header::{HOST, ORIGIN};
use axum::http::HeaderMap;

use super::listening::HostName;

/// Why a page's origin was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Another site's page (or `Origin: null`, or a header that is not text).
    Foreign,
    /// The page's origin is the name the request was sent to, but that name is not a local one
    /// and the server listens on loopback only: what a DNS-rebinding page looks like. The
    /// operator can list the origin if it is theirs (a local proxy under a public name).
    UnlistedName,
}

/// Checks the handshake's `Origin` against its `Host` and the listed origins (`allowed`), on a
/// server whose listener takes this computer's connections only when `loopback_only`.
pub(crate) fn check(headers: &HeaderMap, allowed: &[String], loopback_only: bool) -> Result<(), Refusal> {
    let Some(origin) = headers.get(ORIGIN) else { return Ok(()) };
    let origin = origin.to_str().map_err(|_| Refusal::Foreign)?.trim_end_matches('/');
    if allowed.iter().any(|o| o.trim_end_matches('/').eq_ignore_ascii_case(origin)) {
        return Ok(());
    }
    let host = headers.get(HOST).and_then(|h| h.to_str().ok()).ok_or(Refusal::Foreign)?;
    let same = origin
        .split_once("://")
        .is_some_and(|(scheme, rest)| matches!(scheme, "http" | "https") && rest.eq_ignore_ascii_case(host));
    match same {
        false => Err(Refusal::Foreign),
        true if loopback_only && !is_local_name(host) => Err(Refusal::UnlistedName),
        true => Ok(()),
    }
}

/// Whether a `Host` value (a name or address, with or without a port) names this machine
/// without DNS: `localhost`, a name under `.localhost` (RFC 6761 keeps both local), or an IP
/// address (a page's origin can only carry the address the browser really connected to).
fn is_local_name(host: &str) -> bool {
    let name = HostName::of(host);
    name.is_localhost() || matches!(name, HostName::Ip(_))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(origin: &str, host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(ORIGIN, HeaderValue::from_str(origin).expect("origin"));
        h.insert(HOST, HeaderValue::from_str(host).expect("host"));
        h
    }

    const LOOPBACK: bool = true;
    const ANY: bool = false;

    #[test]
    fn a_page_from_the_servers_own_origin_may_connect() {
        for (origin, host) in [
            ("http://localhost:8080", "localhost:8080"),
            ("http://LOCALHOST:8080/", "localhost:8080"),
            ("http://class.localhost:8080", "class.localhost:8080"),
            ("http://127.0.0.1:8080", "127.0.0.1:8080"),
            ("http://[::1]:8080", "[::1]:8080"),
            ("https://192.168.1.20", "192.168.1.20"),
        ] {
            assert_eq!(check(&headers(origin, host), &[], LOOPBACK), Ok(()), "{origin} on loopback");
            assert_eq!(check(&headers(origin, host), &[], ANY), Ok(()), "{origin}");
        }
    }

    #[test]
    fn another_sites_page_may_not() {
        for (origin, host) in [
            ("https://evil.example", "localhost:8080"),
            ("null", "localhost:8080"),
            ("ftp://localhost:8080", "localhost:8080"),
            ("http://localhost:8081", "localhost:8080"),
        ] {
            assert_eq!(check(&headers(origin, host), &[], ANY), Err(Refusal::Foreign), "{origin}");
        }
    }

    #[test]
    fn a_rebound_name_is_refused_on_loopback_unless_listed() {
        let rebound = headers("http://evil.example:8080", "evil.example:8080");
        assert_eq!(check(&rebound, &[], LOOPBACK), Err(Refusal::UnlistedName));
        assert_eq!(
            check(&headers("http://localhost.evil.example", "localhost.evil.example"), &[], LOOPBACK),
            Err(Refusal::UnlistedName)
        );
        // A server open to the network is reached by its names: a school's DNS name matches.
        assert_eq!(check(&rebound, &[], ANY), Ok(()));
        // A local proxy that forwards its public name: the operator lists the origin.
        let listed = vec!["http://evil.example:8080/".to_string()];
        assert_eq!(check(&rebound, &listed, LOOPBACK), Ok(()));
    }

    #[test]
    fn a_client_without_an_origin_is_not_a_page() {
        assert_eq!(check(&HeaderMap::new(), &[], LOOPBACK), Ok(()));
    }
}
