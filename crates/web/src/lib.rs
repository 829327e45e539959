//! Gatehouse's HTTP surface: the JSON API (`api`), the console (`console`)
//! and portal (`portal`) pages, health, readiness and metrics, and the
//! server's lifecycle. Who a request comes from is decided by the extractors
//! of `extract`, never inside a handler.
//!
//! Invariants owned here:
//! - Every error leaves as `{"error": {"code", "message"}}` with the status
//!   the API's documented contract gives it ([`error::ApiError`]).
//! - Request bodies are limited in size; a panic in a handler is a 500, not a
//!   dropped connection.
//! - The server stops gracefully: in-flight requests finish, then the store
//!   closes.

mod api;
pub mod client;
mod console;
pub mod cookies;
mod csrf;
pub mod error;
mod extract;
mod health;
pub mod i18n;
pub mod metrics;
pub mod openapi;
pub mod pages;
mod portal;
pub mod ratelimit;
mod setup;
pub mod staff;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::get;
use gatehouse_app::App;
use gatehouse_app::delivery::{self, Transport};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// The largest request body accepted anywhere (imports will stream).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What every handler can reach: one shared value, so that the clone each
/// request makes is one reference count, not one per part.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Shared>);

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
}

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Where to listen (port 0: any free one).
    pub bind: SocketAddr,
    /// Mark cookies `Secure` (the server is reached over TLS).
    pub secure_cookies: bool,
    /// Rate limits of the unauthenticated portal calls.
    pub limits: ratelimit::RateLimits,
    /// Where mail goes; `None` leaves the outbox to another node's worker.
    pub transport: Option<Arc<dyn Transport>>,
    /// How delivery retries.
    pub retry: delivery::RetryPolicy,
    /// Peers whose `Forwarded` / `X-Forwarded-For` name the client.
    pub trusted_proxies: client::TrustedProxies,
}

impl ServeOptions {
    /// Defaults: no `Secure` cookies, default limits, no delivery worker.
    pub fn new(bind: SocketAddr) -> ServeOptions {
        ServeOptions {
            bind,
            secure_cookies: false,
            limits: ratelimit::RateLimits::default(),
            transport: None,
            retry: delivery::RetryPolicy::default(),
            trusted_proxies: client::TrustedProxies::default(),
        }
    }
}

/// The whole router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::render))
        .route("/assets/gatehouse.css", get(pages::stylesheet))
        .route("/admin/setup/{token}", get(setup::form).post(setup::submit))
        .merge(portal::routes())
        .merge(api::routes())
        .merge(openapi::routes())
        .merge(
            console::routes().layer(axum::middleware::from_fn_with_state(
                state.clone(),
                console::language,
            )),
        )
        .fallback(error::not_found)
        .with_state(state.clone())
        .layer(axum::middleware::from_fn_with_state(state.clone(), edge))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        // Links carry secrets (setup, activation, reset): never send them to
        // another site. (`no-referrer` would also make browsers send
        // `Origin: null` on our own forms, defeating the origin check.)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
            ),
        ))
        .layer(TraceLayer::new_for_http())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(CatchPanicLayer::custom(error::panic_response))
}

/// What every request passes first, in one middleware (each layer costs a
/// clone of the routes below it per request): it is counted and timed, the
/// client address is stamped on it, and a cross-site form post is refused.
async fn edge(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let tracked = metrics::Tracked::start(&request);
    client::stamp(&mut request, &state.proxies);
    let response = match csrf::refusal(&request) {
        Some(refused) => refused,
        None => next.run(request).await,
    };
    tracked.finish(&response);
    response
}

/// A server running in the background.
#[derive(Debug)]
pub struct RunningServer {
    /// Where it listens.
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

/// A stop switch for background jobs.
type StopSwitch = tokio::sync::watch::Sender<bool>;

impl RunningServer {
    /// Asks the server to stop and waits until in-flight requests finished.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.wait().await
    }

    /// Waits until the server stops (after [`Self::stop`], or on its own).
    pub async fn wait(&mut self) -> std::io::Result<()> {
        match (&mut self.task).await {
            Ok(result) => result,
            Err(e) => Err(std::io::Error::other(e)),
        }
    }

    /// A handle that makes the server stop gracefully when called.
    pub fn shutdown_handle(&mut self) -> Option<oneshot::Sender<()>> {
        self.shutdown.take()
    }
}

/// Listens and serves in the background, with the mail delivery worker when
/// a transport is given. A port of 0 picks a free one;
/// [`RunningServer::addr`] tells which. Links in mail point at this address
/// unless the app was given a public origin.
pub async fn start(app: App, options: ServeOptions) -> std::io::Result<RunningServer> {
    metrics::install();
    let listener = TcpListener::bind(options.bind).await?;
    let addr = listener.local_addr()?;
    app.links.set_origin_if_unset(&format!("http://{addr}"));
    let (tx, rx) = oneshot::channel::<()>();
    let (stop_jobs, jobs_stopped): (StopSwitch, _) = tokio::sync::watch::channel(false);
    let worker = options.transport.clone().map(|transport| {
        delivery::spawn_worker(app.clone(), transport, options.retry, jobs_stopped)
    });
    let store = app.store.clone();
    let state = AppState(Arc::new(Shared {
        app,
        cookies: cookies::CookieOptions {
            secure: options.secure_cookies,
        },
        limits: options.limits,
        limiter: ratelimit::Limiter::default(),
        proxies: options.trusted_proxies,
    }));
    let router = router(state);
    let task = tokio::spawn(async move {
        let result = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = rx.await;
        })
        .await;
        let _ = stop_jobs.send(true);
        if let Some(worker) = worker {
            let _ = worker.await;
        }
        store.close().await;
        result
    });
    Ok(RunningServer {
        addr,
        shutdown: Some(tx),
        task,
    })
}

/// Serves a bare axum `GET /hello` (no state, no middleware) until the
/// process ends: the framework's own limit on this machine, which the
/// benchmark compares Gatehouse's cheapest real request with.
pub async fn serve_hello(bind: SocketAddr) -> std::io::Result<()> {
    let listener = TcpListener::bind(bind).await?;
    println!("bare hello listening on http://{}", listener.local_addr()?);
    let router = Router::new().route("/hello", axum::routing::get(|| async { "hello" }));
    axum::serve(listener, router).await
}
