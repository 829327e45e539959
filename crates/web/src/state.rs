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

use crate::{client, cookies, ratelimit};

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
    pub phase: Arc<Lifecycle>,
}

/// Where a server is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Phase {
    /// Listening while the database is prepared: only health answers.
    Starting = 0,
    /// Serving.
    Ready = 1,
    /// Told to stop: still finishing (and, for the stop delay, serving), but
    /// `/readyz` fails and no job claims new work.
    Stopping = 2,
}

/// A server's phase: read on every request (one atomic load), and watched
/// by the background jobs (which start when it is ready and stop when it
/// is stopping).
#[derive(Debug)]
pub struct Lifecycle {
    now: std::sync::atomic::AtomicU8,
    changes: tokio::sync::watch::Sender<Phase>,
}

impl Lifecycle {
    /// A lifecycle in `first`.
    pub fn new(first: Phase) -> Lifecycle {
        Lifecycle {
            now: std::sync::atomic::AtomicU8::new(first as u8),
            changes: tokio::sync::watch::channel(first).0,
        }
    }

    /// The phase now.
    pub fn get(&self) -> Phase {
        match self.now.load(std::sync::atomic::Ordering::Acquire) {
            0 => Phase::Starting,
            1 => Phase::Ready,
            _ => Phase::Stopping,
        }
    }

    /// Moves to `phase`.
    pub fn set(&self, phase: Phase) {
        self.now
            .store(phase as u8, std::sync::atomic::Ordering::Release);
        self.changes.send_replace(phase);
    }

    /// Follows the changes.
    pub fn watch(&self) -> tokio::sync::watch::Receiver<Phase> {
        self.changes.subscribe()
    }
}
