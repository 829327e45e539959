//! What every handler can reach: the use cases and the web layer's own
//! shared parts, behind one reference count.
//!
//! Invariants owned here:
//! - A request's clone of the state is one reference count, whatever the
//!   state holds.
//! - Nothing here knows a route or a page: handlers and extractors depend on
//!   this module, never the other way round.

use std::sync::Arc;

use gatehouse_app::App;

use crate::{client, cookies, health, ratelimit};

/// The largest request body accepted anywhere but the console's upload.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What every handler can reach: one shared value, so that the clone each
/// request makes is one reference count, not one per part.
#[derive(Clone, Debug)]
pub struct AppState(pub(crate) Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The parts of [`AppState`].
#[derive(Debug)]
pub struct Shared {
    /// The use cases.
    pub app: App,
    /// How cookies are set.
    pub cookies: cookies::CookieOptions,
    /// The rate limits in force.
    pub limits: ratelimit::RateLimits,
    /// The buckets behind them.
    pub limiter: ratelimit::Limiter,
    /// The load balancers whose forwarding headers are believed.
    pub proxies: client::TrustedProxies,
    /// Where the server is in its life.
    pub phase: Arc<health::Lifecycle>,
}
