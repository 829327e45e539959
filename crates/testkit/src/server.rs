//! A real Gatehouse server on a free loopback port, over a [`TestDb`], for
//! tests that speak HTTP to it like any client would.

use std::net::SocketAddr;

use gatehouse_app::{App, Hasher, startup};
use gatehouse_web::RunningServer;

use crate::TestDb;

/// A running server and a client for it.
#[derive(Debug)]
pub struct TestServer {
    /// Where it listens.
    pub addr: SocketAddr,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// The use cases behind it, for arranging data.
    pub app: App,
    /// An HTTP client without cookies of its own.
    pub client: reqwest::Client,
    running: RunningServer,
}

impl TestServer {
    /// Prepares the database (migrations, default site) and starts serving.
    pub async fn start(db: &TestDb) -> TestServer {
        let app = App {
            hasher: Hasher::with_workers(2),
            ..App::new(db.store().await)
        };
        startup::prepare(&app).await.expect("prepare the database");
        let running = gatehouse_web::start(app.clone(), SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("start the server");
        let addr = running.addr;
        TestServer {
            addr,
            base_url: format!("http://{addr}"),
            app,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client"),
            running,
        }
    }

    /// The full URL of a path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Stops the server gracefully.
    pub async fn stop(self) {
        self.running.stop().await.expect("the server stops cleanly");
    }
}
