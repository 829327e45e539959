//! The client address of a request, decided in one place: the peer of the
//! connection, or, when that peer is a configured trusted proxy (a load
//! balancer), the address the proxy says it forwarded for (`Forwarded:
//! for=…`, else `X-Forwarded-For`). It is stamped on the request as an
//! internal header that a client cannot set (any incoming one is replaced);
//! rate limits and the audit trail read it from there.
//!
//! Invariant: forwarding headers are believed only from trusted peers, and
//! only as far as the chain of trusted hops goes: a client that sends its own
//! `X-Forwarded-For` through a trusted proxy gets the address the proxy saw,
//! not the one it claimed.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderMap, HeaderValue};

/// The internal header carrying the client address.
pub const CLIENT_IP: &str = "x-gatehouse-client-ip";

/// An address and how many of its leading bits count (`10.0.0.0/8`,
/// `::1`, `192.0.2.7`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl Network {
    /// Parses `ADDRESS` or `ADDRESS/BITS`.
    pub fn parse(raw: &str) -> Result<Network, String> {
        let raw = raw.trim();
        let (addr, bits) = match raw.split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (raw, None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("'{raw}' is not an IP address or network like 10.0.0.0/8"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match bits {
            None => max,
            Some(b) => b
                .parse::<u8>()
                .ok()
                .filter(|n| *n <= max)
                .ok_or_else(|| format!("'{raw}': the prefix must be 0 to {max}"))?,
        };
        Ok(Network { addr, prefix })
    }

    /// Whether `ip` lies in the network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let (net, ip, width) = match (self.addr, ip) {
            (IpAddr::V4(n), IpAddr::V4(i)) => {
                (u128::from(u32::from(n)), u128::from(u32::from(i)), 32)
            }
            (IpAddr::V6(n), IpAddr::V6(i)) => (u128::from(n), u128::from(i), 128),
            (IpAddr::V6(n), IpAddr::V4(i)) => (u128::from(n), u128::from(i.to_ipv6_mapped()), 128),
            (IpAddr::V4(n), IpAddr::V6(i)) => match i.to_ipv4_mapped() {
                Some(i) => (u128::from(u32::from(n)), u128::from(u32::from(i)), 32),
                None => return false,
            },
        };
        let shift = width - u32::from(self.prefix);
        shift >= width || (net >> shift) == (ip >> shift)
    }
}

/// The proxies whose forwarding headers are believed; none by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Network>);

impl TrustedProxies {
    /// Parses a list of addresses and networks; says which entry is wrong.
    pub fn parse<S: AsRef<str>>(list: &[S]) -> Result<TrustedProxies, String> {
        list.iter()
            .map(|s| Network::parse(s.as_ref()))
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }

    /// The client of a request that came from `peer`: the nearest address
    /// in the forwarding chain that is not a trusted proxy.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let mut client = peer;
        for hop in forwarded_chain(headers).into_iter().rev() {
            match hop {
                Some(ip) => {
                    client = ip;
                    if !self.trusts(ip) {
                        break;
                    }
                }
                // A hop we cannot read ends what can be believed.
                None => break,
            }
        }
        client
    }
}

/// The forwarding chain, client first: `Forwarded`'s `for=` parameters
/// (RFC 7239) when the request has that header, else `X-Forwarded-For`.
fn forwarded_chain(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let forwarded = values("forwarded");
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.trim().split_once('='))
                    .find(|(k, _)| k.eq_ignore_ascii_case("for"))
                    .and_then(|(_, v)| node_ip(v))
            })
            .collect();
    }
    values("x-forwarded-for")
        .iter()
        .map(|v| node_ip(v))
        .collect()
}

/// An address as forwarding headers write it: `192.0.2.7`, `192.0.2.7:80`,
/// `"[2001:db8::1]:80"`, `2001:db8::1`.
fn node_ip(raw: &str) -> Option<IpAddr> {
    let raw = raw.trim().trim_matches('"');
    if let Ok(ip) = raw.parse() {
        return Some(ip);
    }
    if let Some(rest) = raw.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    raw.parse::<SocketAddr>().ok().map(|s| s.ip())
}

/// Stamps the client address on the request.
pub(crate) fn stamp(request: &mut Request, proxies: &TrustedProxies) {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| proxies.client(c.0.ip(), request.headers()));
    request.headers_mut().remove(CLIENT_IP);
    if let Some(value) = peer.and_then(|p| HeaderValue::from_str(&p.to_string()).ok()) {
        request.headers_mut().insert(CLIENT_IP, value);
    }
}

/// The client address of a request.
pub fn ip(headers: &HeaderMap) -> Option<String> {
    headers
        .get(CLIENT_IP)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn networks_contain_their_addresses_only() {
        let n = Network::parse("10.0.0.0/8").unwrap();
        assert!(n.contains(ip("10.200.1.2")) && !n.contains(ip("11.0.0.1")));
        assert!(Network::parse("::1").unwrap().contains(ip("::1")));
        assert!(
            Network::parse("0.0.0.0/0")
                .unwrap()
                .contains(ip("203.0.113.9"))
        );
        assert!(
            Network::parse("10.0.0.1")
                .unwrap()
                .contains(ip("::ffff:10.0.0.1"))
        );
        assert!(Network::parse("10.0.0.0/33").is_err());
        assert!(Network::parse("proxy.local").is_err());
    }

    #[test]
    fn forwarding_headers_are_believed_from_trusted_proxies_only() {
        let trusted = TrustedProxies::parse(&["10.0.0.0/8"]).unwrap();
        let spoofed = headers(&[("x-forwarded-for", "198.51.100.1")]);
        // An untrusted peer's claim is ignored.
        assert_eq!(
            trusted.client(ip("203.0.113.9"), &spoofed),
            ip("203.0.113.9")
        );
        assert_eq!(
            TrustedProxies::default().client(ip("10.0.0.1"), &spoofed),
            ip("10.0.0.1")
        );
        // Through a trusted proxy: the nearest untrusted hop, not what the
        // client itself put at the front of the chain.
        let chain = headers(&[("x-forwarded-for", "198.51.100.1, 203.0.113.9, 10.0.0.2")]);
        assert_eq!(trusted.client(ip("10.0.0.1"), &chain), ip("203.0.113.9"));
        // `Forwarded` wins over `X-Forwarded-For`, with ports and IPv6.
        let both = headers(&[
            (
                "forwarded",
                "for=\"[2001:db8::7]:4711\";proto=https, for=10.0.0.3",
            ),
            ("x-forwarded-for", "198.51.100.1"),
        ]);
        assert_eq!(trusted.client(ip("10.0.0.1"), &both), ip("2001:db8::7"));
        // An unreadable hop stops the walk at the last trusted address.
        let garbled = headers(&[("x-forwarded-for", "unknown")]);
        assert_eq!(trusted.client(ip("10.0.0.1"), &garbled), ip("10.0.0.1"));
    }
}
