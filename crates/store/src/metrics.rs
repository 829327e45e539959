//! Time spent in each store operation, for `/metrics`.
//!
//! Every store method starts a [`Timer`] named `entity.method`; when the
//! method ends (answered, failed or cancelled) its time goes to the
//! histogram `gatehouse_store_operation_seconds` labelled `op`. The name
//! is a literal of the method, so it never carries a value of a request.
//! Nothing is recorded until a process installs a recorder (the server
//! does; the CLI's short commands need not).

use std::time::Instant;

/// Records how long an operation took when dropped.
#[derive(Debug)]
pub(crate) struct Timer {
    op: &'static str,
    started: Instant,
}

impl Timer {
    /// Starts timing the operation `op`.
    pub(crate) fn start(op: &'static str) -> Timer {
        Timer {
            op,
            started: Instant::now(),
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        metrics::histogram!("gatehouse_store_operation_seconds", "op" => self.op)
            .record(self.started.elapsed().as_secs_f64());
    }
}
