//! Who the client is behind a reverse proxy. The TCP peer is the client, unless the peer is a
//! trusted proxy: then the client is the rightmost address of `X-Forwarded-For` that is not
//! itself a trusted proxy (or, without that header, of `Forwarded: for=`). Addresses to the
//! left of it were written by the client and could be anything, so they are never believed.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use axum::http::HeaderMap;

/// An address block such as `10.0.0.0/8` or `fd00::/8`; a bare address is a block of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

/// Why a `--trusted-proxy` value is not an address block.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{0}” is not an IP address or an address block such as 10.0.0.0/8 or fd00::/8")]
pub struct CidrError(String);

impl FromStr for Cidr {
    type Err = CidrError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let refused = || CidrError(text.to_owned());
        let (address, prefix) = match text.trim().split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text.trim(), None),
        };
        let network: IpAddr = address.parse().map_err(|_| refused())?;
        let bits = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(prefix) => prefix.parse::<u8>().ok().filter(|p| *p <= bits).ok_or_else(refused)?,
            None => bits,
        };
        Ok(Self { network, prefix })
    }
}

impl Cidr {
    /// Whether `address` lies in the block (an IPv4-mapped IPv6 address counts as IPv4).
    pub fn contains(&self, address: IpAddr) -> bool {
        match (self.network, canonical(address)) {
            (IpAddr::V4(network), IpAddr::V4(address)) => {
                same_prefix(u128::from(network.to_bits()) << 96, u128::from(address.to_bits()) << 96, self.prefix)
            }
            (IpAddr::V6(network), IpAddr::V6(address)) => {
                same_prefix(network.to_bits(), address.to_bits(), self.prefix)
            }
            _ => false,
        }
    }
}

fn same_prefix(a: u128, b: u128, prefix: u8) -> bool {
    prefix == 0 || (a ^ b) >> (128 - u32::from(prefix)) == 0
}

/// `::ffff:1.2.3.4` is 1.2.3.4 (a dual-stack listener sees IPv4 peers so).
pub(crate) fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        IpAddr::V4(_) => address,
    }
}

/// The proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<Cidr>);

impl TrustedProxies {
    /// The proxies in these address blocks.
    pub fn new(blocks: Vec<Cidr>) -> Self {
        Self(blocks)
    }

    /// Whether `address` is one of them, so its forwarding headers are believed.
    pub fn is_trusted(&self, address: IpAddr) -> bool {
        self.0.iter().any(|block| block.contains(address))
    }

    /// The client's address for a request that came from `peer` with `headers`.
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.is_trusted(peer) {
            return peer;
        }
        let forwarded = forwarded_chain(headers);
        // Walking from the proxy towards the client: the first hop no trusted proxy wrote.
        let mut client = peer;
        for hop in forwarded.iter().rev() {
            client = canonical(*hop);
            if !self.is_trusted(client) {
                break;
            }
        }
        client
    }
}

/// The addresses a request passed through, client first, from `X-Forwarded-For` (every
/// header line, in order) or else `Forwarded: for=`. A hop that is not an address (`unknown`,
/// an obfuscated name) ends the chain there: nothing left of it can be placed.
fn forwarded_chain(headers: &HeaderMap) -> Vec<IpAddr> {
    let x_forwarded_for: Vec<&str> =
        headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).collect();
    let hops: Vec<&str> = if x_forwarded_for.is_empty() {
        headers
            .get_all("forwarded")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(forwarded_for)
            .collect()
    } else {
        x_forwarded_for
    };
    let mut chain = Vec::new();
    for hop in hops {
        match parse_hop(hop) {
            Some(address) => chain.push(address),
            None => chain.clear(),
        }
    }
    chain
}

/// The `for=` value of one element of a `Forwarded` header (RFC 7239).
fn forwarded_for(element: &str) -> Option<&str> {
    element.split(';').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        name.trim().eq_ignore_ascii_case("for").then(|| value.trim())
    })
}

/// `1.2.3.4`, `1.2.3.4:5678`, `"[2001:db8::1]:4711"`, `2001:db8::1`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim().trim_matches('"');
    if let Ok(address) = hop.parse::<IpAddr>() {
        return Some(address);
    }
    if let Some(rest) = hop.strip_prefix('[') {
        return rest.split_once(']').and_then(|(v6, _)| v6.parse::<Ipv6Addr>().ok()).map(IpAddr::V6);
    }
    let (v4, port) = hop.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    v4.parse::<Ipv4Addr>().ok().map(IpAddr::V4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn proxies(blocks: &[&str]) -> TrustedProxies {
        TrustedProxies::new(blocks.iter().map(|b| b.parse().unwrap()).collect())
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn blocks_contain_their_addresses_only() {
        let block: Cidr = "10.1.0.0/16".parse().unwrap();
        assert!(block.contains(ip("10.1.200.3")) && !block.contains(ip("10.2.0.1")));
        assert!(block.contains(ip("::ffff:10.1.0.9")), "IPv4-mapped");
        let v6: Cidr = "fd00::/8".parse().unwrap();
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("fe80::1")) && !v6.contains(ip("10.1.0.1")));
        let one: Cidr = "127.0.0.1".parse().unwrap();
        assert!(one.contains(ip("127.0.0.1")) && !one.contains(ip("127.0.0.2")));
        assert!("0.0.0.0/0".parse::<Cidr>().unwrap().contains(ip("8.8.8.8")));
        for bad in ["10.0.0.0/33", "fd00::/129", "example.org", "10.0.0/8", ""] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client_and_only_behind_a_trusted_peer() {
        let trusted = proxies(&["127.0.0.1", "10.0.0.0/8"]);
        // The client wrote a spoofed first hop; the proxy appended what it saw.
        let spoofed = headers(&[("x-forwarded-for", "6.6.6.6, 203.0.113.7")]);
        assert_eq!(trusted.client_address(ip("127.0.0.1"), &spoofed), ip("203.0.113.7"));
        // Two proxies in a row, both trusted.
        let chained = headers(&[("x-forwarded-for", "203.0.113.7, 10.0.0.5")]);
        assert_eq!(trusted.client_address(ip("127.0.0.1"), &chained), ip("203.0.113.7"));
        // Several header lines are one list.
        let lines = headers(&[("x-forwarded-for", "6.6.6.6"), ("x-forwarded-for", "198.51.100.2")]);
        assert_eq!(trusted.client_address(ip("127.0.0.1"), &lines), ip("198.51.100.2"));
        // An untrusted peer's header is not believed.
        assert_eq!(trusted.client_address(ip("192.0.2.1"), &spoofed), ip("192.0.2.1"));
        // A trusted peer without any header is the client itself.
        assert_eq!(trusted.client_address(ip("127.0.0.1"), &HeaderMap::new()), ip("127.0.0.1"));
        // Garbage to the right of the client's hops leaves the proxy as the client.
        let garbage = headers(&[("x-forwarded-for", "203.0.113.7, not-an-address")]);
        assert_eq!(trusted.client_address(ip("127.0.0.1"), &garbage), ip("127.0.0.1"));
    }

    #[test]
    fn the_forwarded_header_is_read_when_there_is_no_x_forwarded_for() {
        let trusted = proxies(&["127.0.0.1"]);
        let forwarded = headers(&[("forwarded", "for=6.6.6.6, for=\"[2001:db8::7]:4711\";proto=https")]);
        assert_eq!(trusted.client_address(ip("127.0.0.1"), &forwarded), ip("2001:db8::7"));
        let with_port = headers(&[("forwarded", "proto=https;For=192.0.2.60:8080")]);
        assert_eq!(trusted.client_address(ip("127.0.0.1"), &with_port), ip("192.0.2.60"));
        let unknown = headers(&[("forwarded", "for=unknown")]);
        assert_eq!(trusted.client_address(ip("127.0.0.1"), &unknown), ip("127.0.0.1"));
    }
}
