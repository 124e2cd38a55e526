//! Who can reach the server, from the socket it listens on, and the address students' devices
//! should type: what the projector shows beside the join code.
//!
//! A teacher who opens the projector on the server's own computer sees `localhost:8080` in the
//! address bar, which means nothing on a student's phone. So the server works out the address
//! other devices use: the one an operator configured (`serve --public-url`), or, when it
//! listens on every interface (`0.0.0.0`), this computer's address on its network. When it
//! listens on a loopback address only, no other device can reach it, and the projector says so.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};

use serde::Serialize;

/// What the listening socket says; put on every request by `server::run`.
#[derive(Debug)]
pub struct Listening {
    /// The listener takes this computer's connections only (a loopback address).
    pub loopback_only: bool,
    /// `serve --public-url`: the address students type, as the operator wrote it.
    configured: Option<String>,
    /// The address the listener was bound to.
    local: SocketAddr,
    /// Finds this computer's address on its network (`network_ip`; another in tests).
    route: fn(bool) -> Option<IpAddr>,
}

/// The answer of `GET /api/address`.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct StudentsAddress {
    /// What students type to reach the server, or `null` when the page's own address is the
    /// best the server knows.
    pub url: Option<String>,
    /// The server listens on a loopback address and no `--public-url` is set: only this
    /// computer can open it.
    pub this_computer_only: bool,
}

impl Listening {
    /// From the listener's bound address and the configured public URL.
    pub fn of(local: SocketAddr, configured: Option<String>) -> Listening {
        Listening::with_route(local, configured, network_ip)
    }

    fn with_route(local: SocketAddr, configured: Option<String>, route: fn(bool) -> Option<IpAddr>) -> Listening {
        Listening { loopback_only: local.ip().is_loopback(), configured, local, route }
    }

    /// This computer's address on its network: the one the listener was bound to when that is
    /// not a loopback one; when it takes every interface's connections, the one the route out
    /// leaves from, looked up now (a laptop may change networks during a day; the lookup sends
    /// nothing).
    fn network(&self) -> Option<String> {
        let ip = self.local.ip();
        if ip.is_loopback() {
            None
        } else if ip.is_unspecified() {
            (self.route)(ip.is_ipv6()).map(|ip| url_of(ip, self.local.port()))
        } else {
            Some(url_of(ip, self.local.port()))
        }
    }

    /// What to tell a page opened at `host` (its `Host` header) that asks from `peer`. The
    /// network address goes only to a page on this computer opened at a loopback name (the
    /// teacher's projector at `localhost`): any other page already reached the server by an
    /// address students can use (through a proxy, its public name), and need not learn the
    /// server's inside one.
    pub fn for_page(&self, peer: IpAddr, host: &str) -> StudentsAddress {
        let url = match &self.configured {
            Some(url) => Some(url.clone()),
            None if peer.is_loopback() && is_loopback_host(host) => self.network(),
            None => None,
        };
        StudentsAddress { url, this_computer_only: self.loopback_only && self.configured.is_none() }
    }

    /// One line for the operator at start: who can reach the server, and how to let students
    /// in when nobody else can.
    pub fn hint(&self) -> String {
        match (&self.configured, self.network()) {
            (Some(url), _) => format!("students open {url}"),
            (None, _) if self.loopback_only => format!(
                "only this computer can open it; to let students' devices join, start with --addr 0.0.0.0:{}",
                self.local.port()
            ),
            (None, Some(url)) => format!("students open {url}"),
            (None, None) => "students open this computer's address on the network, port as above".to_string(),
        }
    }
}

/// A `Host` header's value without its port: an IP address, or a name (lower case, without a
/// trailing dot).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum HostName {
    Ip(IpAddr),
    Name(String),
}

impl HostName {
    /// `host` as browsers send it: `name[:port]`, `a.b.c.d[:port]` or `[v6][:port]`.
    pub(crate) fn of(host: &str) -> HostName {
        if let Some((ip, _)) = host.strip_prefix('[').and_then(|rest| rest.split_once(']')) {
            if let Ok(ip) = ip.parse::<Ipv6Addr>() {
                return HostName::Ip(IpAddr::V6(ip));
            }
        }
        let name = host.rsplit_once(':').map_or(host, |(name, _port)| name).trim_end_matches('.');
        match name.parse::<Ipv4Addr>() {
            Ok(ip) => HostName::Ip(IpAddr::V4(ip)),
            Err(_) => HostName::Name(name.to_ascii_lowercase()),
        }
    }

    /// `localhost` or a name under `.localhost` (RFC 6761 keeps both on this computer).
    pub(crate) fn is_localhost(&self) -> bool {
        matches!(self, HostName::Name(name) if name == "localhost" || name.ends_with(".localhost"))
    }
}

/// Whether a `Host` value names this computer by a loopback name or address: `localhost`,
/// `*.localhost`, `127.x.y.z` or `[::1]`, with or without a port.
fn is_loopback_host(host: &str) -> bool {
    let name = HostName::of(host);
    name.is_localhost() || matches!(name, HostName::Ip(ip) if ip.is_loopback())
}

/// `http://ip:port/`, with an IPv6 address in brackets.
fn url_of(ip: IpAddr, port: u16) -> String {
    match ip {
        IpAddr::V4(ip) => format!("http://{ip}:{port}/"),
        IpAddr::V6(ip) => format!("http://[{ip}]:{port}/"),
    }
}

/// The address this computer's traffic to the wider network leaves from: the route to a
/// documentation address (RFC 5737/3849) is looked up by `connect`, which sends nothing on UDP.
/// `None` without such a route (no network).
fn network_ip(ipv6: bool) -> Option<IpAddr> {
    let v4 = || -> Option<IpAddr> {
        let socket = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).ok()?;
        socket.connect((Ipv4Addr::new(192, 0, 2, 1), 9)).ok()?;
        Some(socket.local_addr().ok()?.ip())
    };
    let v6 = || -> Option<IpAddr> {
        let socket = UdpSocket::bind((Ipv6Addr::UNSPECIFIED, 0)).ok()?;
        socket.connect((Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), 9)).ok()?;
        Some(socket.local_addr().ok()?.ip())
    };
    // An IPv6 listener usually takes IPv4 too; a classroom's devices mostly use IPv4.
    let found = if ipv6 { v4().or_else(v6) } else { v4() };
    found.filter(|ip| !ip.is_loopback() && !ip.is_unspecified())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOOPBACK_PEER: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
    const OTHER_PEER: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 168, 1, 31));
    const LOCAL_PAGE: &str = "localhost:8080";
    const NAMED_PAGE: &str = "class.example.org";

    #[test]
    fn a_loopback_listener_is_for_this_computer_only() {
        let l = Listening::of("127.0.0.1:8080".parse().expect("addr"), None);
        let none = StudentsAddress { url: None, this_computer_only: true };
        assert_eq!(l.for_page(LOOPBACK_PEER, LOCAL_PAGE), none);
        assert_eq!(l.for_page(OTHER_PEER, NAMED_PAGE), none);
        assert!(l.hint().contains("--addr 0.0.0.0:8080"), "{}", l.hint());
    }

    #[test]
    fn a_configured_url_is_told_to_every_page() {
        let url = Some("https://class.example.org/".to_string());
        let l = Listening::of("127.0.0.1:8080".parse().expect("addr"), url.clone());
        let told = StudentsAddress { url, this_computer_only: false };
        assert_eq!(l.for_page(LOOPBACK_PEER, LOCAL_PAGE), told);
        assert_eq!(l.for_page(OTHER_PEER, NAMED_PAGE), told);
        assert_eq!(l.hint(), "students open https://class.example.org/");
    }

    #[test]
    fn a_listener_on_one_network_address_gives_that_address_to_this_computer_only() {
        let l = Listening::of("192.168.1.20:8080".parse().expect("addr"), None);
        let url = Some("http://192.168.1.20:8080/".to_string());
        assert_eq!(l.for_page(LOOPBACK_PEER, LOCAL_PAGE), StudentsAddress { url, this_computer_only: false });
        assert_eq!(l.for_page(OTHER_PEER, NAMED_PAGE), StudentsAddress { url: None, this_computer_only: false });
        assert_eq!(l.hint(), "students open http://192.168.1.20:8080/");
        let v6 = Listening::of("[fd00::20]:8080".parse().expect("addr"), None);
        assert_eq!(v6.for_page(LOOPBACK_PEER, LOCAL_PAGE).url.as_deref(), Some("http://[fd00::20]:8080/"));
    }

    #[test]
    fn a_host_header_is_read_without_its_port() {
        assert_eq!(HostName::of("Class.Example.org.:8080"), HostName::Name("class.example.org".into()));
        assert_eq!(HostName::of("127.0.0.1:8080"), HostName::Ip(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        assert_eq!(HostName::of("[::1]:8080"), HostName::Ip(IpAddr::V6(Ipv6Addr::LOCALHOST)));
        assert_eq!(HostName::of("[fd00::20]"), HostName::Ip("fd00::20".parse().expect("ip")));
        assert!(HostName::of("LOCALHOST").is_localhost() && HostName::of("a.localhost:1").is_localhost());
        assert!(!HostName::of("localhost.evil.example").is_localhost());
    }

    #[test]
    fn a_page_on_this_computer_under_a_public_name_is_not_given_the_inside_address() {
        // A proxy on this computer forwards its public name: the page is right already.
        let l = Listening::of("192.168.1.20:8080".parse().expect("addr"), None);
        assert_eq!(l.for_page(LOOPBACK_PEER, NAMED_PAGE).url, None);
        for local in ["localhost:8080", "127.0.0.1:8080", "[::1]:8080", "class.localhost", "LOCALHOST"] {
            assert!(l.for_page(LOOPBACK_PEER, local).url.is_some(), "{local}");
        }
    }

    #[test]
    fn a_listener_on_every_interface_gives_the_address_of_the_route_out() {
        let wifi = |_: bool| Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 5)));
        let l = Listening::with_route("0.0.0.0:8080".parse().expect("addr"), None, wifi);
        let told = StudentsAddress { url: Some("http://10.0.0.5:8080/".into()), this_computer_only: false };
        assert_eq!(l.for_page(LOOPBACK_PEER, LOCAL_PAGE), told);
        assert_eq!(l.for_page(OTHER_PEER, NAMED_PAGE).url, None, "a page from elsewhere already knows the way");
        assert_eq!(l.hint(), "students open http://10.0.0.5:8080/");
        // No network at all: the page's own address is the best there is, and the hint says so.
        let offline = Listening::with_route("0.0.0.0:8080".parse().expect("addr"), None, |_| None);
        assert_eq!(
            offline.for_page(LOOPBACK_PEER, LOCAL_PAGE),
            StudentsAddress { url: None, this_computer_only: false }
        );
        assert!(offline.hint().contains("this computer's address on the network"), "{}", offline.hint());
    }

    #[test]
    fn a_listener_on_every_interface_finds_a_network_address_if_there_is_a_route() {
        let l = Listening::of("0.0.0.0:8080".parse().expect("addr"), None);
        let told = l.for_page(LOOPBACK_PEER, LOCAL_PAGE);
        assert!(!told.this_computer_only);
        // Whether this machine has a route out is not the test's to decide; if it has, the
        // address is a real one with the listener's port.
        if let Some(url) = told.url {
            assert!(url.starts_with("http://") && url.ends_with(":8080/"), "{url}");
            assert!(!url.contains("127.0.0.1") && !url.contains("0.0.0.0"), "{url}");
        }
    }
}
