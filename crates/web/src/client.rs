//! The client address of a request, decided in one place: the peer of the
//! connection, stamped on the request as an internal header that a client
//! cannot set (any incoming one is replaced). Handlers and the audit trail
//! read it from there.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderMap, HeaderValue};

/// The internal header carrying the client address.
pub const CLIENT_IP: &str = "x-gatehouse-client-ip";

/// Stamps the client address on the request.
pub(crate) fn stamp(request: &mut Request) {
    request.headers_mut().remove(CLIENT_IP);
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    if let Some(value) = peer.and_then(|p| HeaderValue::from_str(&p).ok()) {
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
