//! A real Gatehouse server on a free loopback port (filled in with the web crate).

/// A running server (placeholder until the web crate exists).
#[derive(Debug)]
pub struct TestServer;
