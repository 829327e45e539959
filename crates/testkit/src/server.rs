//! A real Gatehouse server on a free loopback port, over a [`TestDb`], with
//! the delivery worker writing mail into a folder of its own, for tests that
//! speak HTTP to it like any client would and read the mail it sends.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use gatehouse_app::delivery::FileTransport;
use gatehouse_app::recent::RecentReads;
use gatehouse_app::{App, Hasher, startup};
use gatehouse_web::ratelimit::{Budget, RateLimits};
use gatehouse_web::{RunningServer, ServeOptions};

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
    /// Where the delivered mail lands (`<id>.eml`).
    pub mail_dir: PathBuf,
    /// The server itself (to mark it ready or stop it by hand).
    pub running: RunningServer,
}

/// Limits so high that only a test of the limits meets them.
pub fn generous_limits() -> RateLimits {
    let lots = Budget {
        burst: 100_000,
        per_minute: 100_000,
    };
    RateLimits {
        per_ip: lots,
        per_account: lots,
    }
}

/// One delivered message, as far as tests need it.
#[derive(Debug, Clone)]
pub struct Mail {
    /// The `To:` address.
    pub to: String,
    /// The `Subject:` line.
    pub subject: String,
    /// The whole message, soft line breaks undone.
    pub raw: String,
}

impl Mail {
    /// Reads a delivered message: headers as sent, the body with
    /// quoted-printable undone.
    pub fn parse(raw: &str) -> Mail {
        let raw = decode_quoted_printable(raw);
        Mail {
            to: header(&raw, "To:"),
            subject: header(&raw, "Subject:"),
            raw,
        }
    }

    /// Every link to this server's portal in the message, in order.
    pub fn links(&self, base_url: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = self.raw.as_str();
        while let Some(i) = rest.find(base_url) {
            let link: String = rest[i..]
                .chars()
                .take_while(|c| !c.is_whitespace() && !matches!(c, '"' | '<' | '>'))
                .collect();
            rest = &rest[i + link.len()..];
            if !out.contains(&link) {
                out.push(link);
            }
        }
        out
    }

    /// The first link whose path contains `page` (`/activate`, `/reset-password`).
    pub fn link_to(&self, base_url: &str, page: &str) -> Option<String> {
        self.links(base_url).into_iter().find(|l| l.contains(page))
    }
}

fn header(raw: &str, name: &str) -> String {
    let value = raw
        .lines()
        .find_map(|l| l.strip_prefix(name))
        .map(|v| v.trim().to_string())
        .unwrap_or_default();
    decode_words(&value)
}

/// Undoes quoted-printable: soft line breaks and `=XX` bytes.
pub fn decode_quoted_printable(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?…?=`) in a header value.
fn decode_words(value: &str) -> String {
    use base64::Engine as _;
    let mut out = String::new();
    for word in value.split_whitespace() {
        let decoded = word
            .strip_prefix("=?utf-8?b?")
            .or_else(|| word.strip_prefix("=?UTF-8?B?"))
            .and_then(|w| w.strip_suffix("?="))
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
        match decoded {
            Some(text) => out.push_str(&text),
            None => {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(word);
            }
        }
    }
    out
}

impl TestServer {
    /// Prepares the database (migrations, default site) and starts serving
    /// with generous rate limits.
    pub async fn start(db: &TestDb) -> TestServer {
        TestServer::start_with(db, generous_limits()).await
    }

    /// As [`TestServer::start`], with these rate limits.
    pub async fn start_with(db: &TestDb, limits: RateLimits) -> TestServer {
        TestServer::start_configured(db, |o| o.limits = limits).await
    }

    /// As [`TestServer::start`], with the serve options changed by `configure`
    /// (the transport defaults to files in [`TestServer::mail_dir`]).
    pub async fn start_configured(
        db: &TestDb,
        configure: impl FnOnce(&mut ServeOptions),
    ) -> TestServer {
        TestServer::start_app(db, RecentReads::default(), configure).await
    }

    /// Another node on the same database (its own store, caches and
    /// listener), delivering no mail, whose copies of reads may live
    /// `recent_ttl`: with a long one, only what the node hears from the
    /// others makes a copy stale.
    pub async fn start_node(db: &TestDb, recent_ttl: Duration) -> TestServer {
        TestServer::start_app(db, RecentReads::new(recent_ttl), |o| o.transport = None).await
    }

    async fn start_app(
        db: &TestDb,
        recent: RecentReads,
        configure: impl FnOnce(&mut ServeOptions),
    ) -> TestServer {
        let app = App {
            hasher: Hasher::with_workers(2),
            recent: Arc::new(recent),
            ..App::new(db.store().await)
        };
        startup::prepare(&app).await.expect("prepare the database");
        let mail_dir =
            std::env::temp_dir().join(format!("gatehouse-mail-{}", uuid::Uuid::now_v7().simple()));
        let from = "Gatehouse <no-reply@gatehouse.test>"
            .parse()
            .expect("a sender address");
        let mut options = ServeOptions {
            limits: generous_limits(),
            transport: Some(Arc::new(FileTransport::new(mail_dir.clone(), from))),
            ..ServeOptions::new(SocketAddr::from(([127, 0, 0, 1], 0)))
        };
        configure(&mut options);
        let running = gatehouse_web::start(app.clone(), options)
            .await
            .expect("start the server");
        let addr = running.addr;
        TestServer {
            addr,
            base_url: format!("http://{addr}"),
            app,
            client: client(),
            mail_dir,
            running,
        }
    }

    /// The full URL of a path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Every message delivered so far, oldest first.
    pub fn mails(&self) -> Vec<Mail> {
        let Ok(entries) = std::fs::read_dir(&self.mail_dir) else {
            return Vec::new();
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        // Named by time-ordered IDs.
        paths.sort();
        paths
            .into_iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .map(|raw| {
                let raw = raw.replace("=\r\n", "").replace("=3D", "=");
                Mail {
                    to: header(&raw, "To:"),
                    subject: header(&raw, "Subject:"),
                    raw,
                }
            })
            .collect()
    }

    /// The messages to an address.
    pub fn mails_to(&self, address: &str) -> Vec<Mail> {
        self.mails()
            .into_iter()
            .filter(|m| m.to.contains(address))
            .collect()
    }

    /// Waits (up to 10 s) until `count` messages reached the address.
    pub async fn wait_for_mails(&self, address: &str, count: usize) -> Vec<Mail> {
        for _ in 0..200 {
            let found = self.mails_to(address);
            if found.len() >= count {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "fewer than {count} messages reached {address}: {:?}",
            self.mails_to(address)
                .iter()
                .map(|m| &m.subject)
                .collect::<Vec<_>>()
        );
    }

    /// Waits for the `n`-th (1-based) message to an address.
    pub async fn nth_mail(&self, address: &str, n: usize) -> Mail {
        self.wait_for_mails(address, n).await.swap_remove(n - 1)
    }

    /// Stops the server gracefully.
    pub async fn stop(self) {
        self.running.stop().await.expect("the server stops cleanly");
        let _ = std::fs::remove_dir_all(&self.mail_dir);
    }
}

/// A client that keeps cookies, like a browser, and does not follow redirects.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client")
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client")
}
