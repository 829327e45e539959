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
//! - The server stops gracefully: from the stop on, `/readyz` fails and the
//!   background jobs claim nothing more (giving back what they claimed but
//!   did not do); after the configured delay it stops accepting, requests
//!   in flight finish, then the store closes.
//! - Until the server is marked ready (its database migrated) it answers
//!   only `/healthz`, `/readyz` and `/metrics`; everything else is a 503.

mod api;
pub mod client;
mod console;
pub mod cookies;
mod csrf;
mod device;
pub mod error;
mod extract;
mod fallback;
mod health;
pub mod i18n;
mod limits;
pub mod metrics;
mod oidc;
pub mod openapi;
pub mod pages;
mod portal;
pub mod ratelimit;
mod setup;
pub mod staff;
pub mod state;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::get;
use gatehouse_app::App;
use gatehouse_app::delivery::{self, Transport};
pub use health::Phase;
use state::{AppState, MAX_BODY_BYTES, Shared};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

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
    /// Start as [`Phase::Starting`] (the database is still being prepared:
    /// call [`RunningServer::ready`] after) instead of ready at once.
    pub starting: bool,
    /// How long a stop keeps serving with `/readyz` failing before it stops
    /// accepting, so that a load balancer notices first.
    pub stop_delay: Duration,
    /// How often the signing key is replaced (`oidc::keys::spawn_schedule`);
    /// `None` only on demand.
    pub key_rotation: Option<time::Duration>,
    /// How often the retention purge runs (`privacy::spawn_purge`); `None`
    /// runs none (tests that do not want one).
    pub purge_every: Option<std::time::Duration>,
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
            starting: false,
            stop_delay: Duration::ZERO,
            key_rotation: None,
            purge_every: None,
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
        .route("/assets/console.js", get(pages::console_script))
        .route("/assets/passkeys.js", get(pages::passkeys_script))
        .route("/admin/setup/{token}", get(setup::form).post(setup::submit))
        .merge(portal::routes())
        .merge(oidc::routes())
        .merge(api::routes())
        .merge(openapi::routes())
        .merge(
            console::routes().layer(axum::middleware::from_fn_with_state(
                state.clone(),
                console::language,
            )),
        )
        // Every route above takes bodies of up to 1 MiB; the console's
        // upload (merged after) up to its own limit.
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .merge(
            console::upload_routes()
                .layer(axum::extract::DefaultBodyLimit::max(
                    console::import::MAX_UPLOAD_BYTES,
                ))
                .layer(RequestBodyLimitLayer::new(
                    console::import::MAX_UPLOAD_BYTES,
                ))
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    console::language,
                )),
        )
        .fallback(fallback::not_found)
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
        .layer(CatchPanicLayer::custom(error::panic_response))
}

/// The paths a cross-site POST may reach: the OpenID endpoints that read no
/// cookie, and the portal's that a POST reaches as a link would.
fn cookieless_post(path: &str) -> bool {
    oidc::cookieless(path) || portal::posted_like_a_link(path)
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
    let bearer = staff::bearer(request.headers()).is_some();
    let response = match csrf::refusal(&request, bearer, cookieless_post) {
        Some(refused) => refused,
        None => match health::not_yet(&state, &request) {
            Some(refused) => refused,
            None => next.run(request).await,
        },
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
    phase: Arc<health::Lifecycle>,
    stop_delay: Duration,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// Marks the server ready: it serves everything and its jobs start.
    pub fn ready(&self) {
        self.phase.set(Phase::Ready);
    }

    /// Stops gracefully: `/readyz` fails and the jobs stop claiming work at
    /// once; after the stop delay no new connection is accepted; then this
    /// waits until in-flight requests finished and the store closed.
    pub async fn stop(mut self) -> std::io::Result<()> {
        self.phase.set(Phase::Stopping);
        if !self.stop_delay.is_zero() {
            tracing::info!(
                seconds = self.stop_delay.as_secs_f64(),
                "stopping: /readyz fails; still serving while the load balancer notices"
            );
            tokio::time::sleep(self.stop_delay).await;
        }
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
/// a transport is given (from the moment the server is ready). A port of 0
/// picks a free one; [`RunningServer::addr`] tells which. Links in mail
/// point at this address unless the app was given a public origin.
pub async fn start(app: App, options: ServeOptions) -> std::io::Result<RunningServer> {
    metrics::install();
    let listener = TcpListener::bind(options.bind).await?;
    let addr = listener.local_addr()?;
    app.links.set_origin_if_unset(&format!("http://{addr}"));
    let (tx, rx) = oneshot::channel::<()>();
    let first = if options.starting {
        Phase::Starting
    } else {
        Phase::Ready
    };
    let phase = Arc::new(health::Lifecycle::new(first));
    // The background jobs run from ready to stopping.
    let worker = (options.transport.is_some()
        || options.key_rotation.is_some()
        || options.purge_every.is_some())
    .then(|| {
        let app = app.clone();
        let mut phase = phase.watch();
        let (stop_jobs, jobs_stopped) = tokio::sync::watch::channel(false);
        let (transport, every) = (options.transport.clone(), options.key_rotation);
        let purge_every = options.purge_every;
        tokio::spawn(async move {
            if phase.wait_for(|p| *p != Phase::Starting).await.is_err() {
                return;
            }
            let mail = transport.map(|transport| {
                delivery::spawn_worker(app.clone(), transport, options.retry, jobs_stopped.clone())
            });
            let purge = purge_every.map(|every| {
                gatehouse_app::privacy::spawn_purge(app.clone(), every, jobs_stopped.clone())
            });
            let keys = every
                .map(|every| gatehouse_app::oidc::keys::spawn_schedule(app, every, jobs_stopped));
            let _ = phase.wait_for(|p| *p == Phase::Stopping).await;
            let _ = stop_jobs.send(true);
            for job in mail.into_iter().chain(keys).chain(purge) {
                let _ = job.await;
            }
        })
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
        phase: Arc::clone(&phase),
    }));
    let router = router(state);
    let phase_at_end = Arc::clone(&phase);
    let task = tokio::spawn(async move {
        let result = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = rx.await;
        })
        .await;
        // A server that ended otherwise than by `stop` stops its jobs too.
        phase_at_end.set(Phase::Stopping);
        if let Some(worker) = worker {
            let _ = worker.await;
        }
        store.close().await;
        result
    });
    Ok(RunningServer {
        addr,
        shutdown: Some(tx),
        phase,
        stop_delay: options.stop_delay,
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
