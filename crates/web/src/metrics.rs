//! Prometheus metrics: requests by route and status, and their latency,
//! served as text at `/metrics`. One recorder per process.

use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use metrics::{Counter, Histogram};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// How often recorded samples are folded into their summaries.
const UPKEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Installs the process-wide recorder (once; later calls do nothing), with
/// a thread that folds recorded latency samples into their summaries every
/// few seconds: the recorder keeps each raw sample until then, so a busy
/// server that nobody scrapes would otherwise grow without bound.
pub fn install() {
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        let installed = metrics::set_global_recorder(recorder).ok().map(|()| handle);
        if let Some(handle) = installed.clone() {
            let started = std::thread::Builder::new()
                .name("gatehouse-metrics".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(UPKEEP_EVERY);
                        handle.run_upkeep();
                    }
                });
            if let Err(e) = started {
                tracing::warn!(error = %e, "the metrics upkeep thread did not start");
            }
        }
        installed
    });
}

pub(crate) async fn render() -> Response {
    let body = match HANDLE.get().and_then(Option::as_ref) {
        Some(handle) => {
            handle.run_upkeep();
            handle.render()
        }
        None => String::new(),
    };
    ([(CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

/// The counter and latency histogram of one (route, method, status).
type Handles = (Method, u16, Counter, Histogram);

/// Handles by route, so that a request finds its own without building label
/// strings or looking them up in the recorder (this is on every request).
static HANDLES: OnceLock<RwLock<HashMap<String, Vec<Handles>>>> = OnceLock::new();

fn handles(route: &str, method: &Method, status: u16) -> (Counter, Histogram) {
    let table = HANDLES.get_or_init(Default::default);
    let find = |list: &Vec<Handles>| {
        list.iter()
            .find(|(m, s, _, _)| m == method && *s == status)
            .map(|(_, _, c, h)| (c.clone(), h.clone()))
    };
    if let Ok(read) = table.read()
        && let Some(found) = read.get(route).and_then(find)
    {
        return found;
    }
    let labels = [
        ("method", method.as_str().to_string()),
        ("route", route.to_string()),
        ("status", status.to_string()),
    ];
    let made = (
        metrics::counter!("gatehouse_http_requests_total", &labels),
        metrics::histogram!("gatehouse_http_request_duration_seconds", &labels),
    );
    if let Ok(mut write) = table.write() {
        let list = write.entry(route.to_string()).or_default();
        if find(list).is_none() {
            list.push((method.clone(), status, made.0.clone(), made.1.clone()));
        }
    }
    made
}

/// A request being counted and timed, labelled by route (not raw path,
/// which would let callers create unbounded label values).
#[derive(Debug)]
pub(crate) struct Tracked {
    route: Option<MatchedPath>,
    method: Method,
    started: Instant,
}

impl Tracked {
    /// Starts timing a request.
    pub(crate) fn start(request: &Request) -> Tracked {
        Tracked {
            route: request.extensions().get::<MatchedPath>().cloned(),
            method: request.method().clone(),
            started: Instant::now(),
        }
    }

    /// Counts the request with the status of its response.
    pub(crate) fn finish(self, response: &Response) {
        let route = self.route.as_ref().map_or("unmatched", MatchedPath::as_str);
        let (counter, histogram) = handles(route, &self.method, response.status().as_u16());
        counter.increment(1);
        histogram.record(self.started.elapsed().as_secs_f64());
    }
}
