//! A real SMTP relay for tests: aiosmtpd running `tests/smtp/sink.py`,
//! which files every message it accepts, so that a test reads what a mail
//! server really received.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::Mail;

fn sink_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/smtp/sink.py")
}

/// Whether aiosmtpd is installed; without it a test says it was skipped,
/// unless `GATEHOUSE_E2E=required` (as in CI), when this panics.
pub fn available() -> bool {
    let ok = std::process::Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .output()
        .is_ok_and(|o| o.status.success());
    !crate::skipped_without(
        "SMTP test",
        (!ok).then_some("aiosmtpd is not installed (python3 -m pip install aiosmtpd)"),
    )
}

/// A running aiosmtpd relay that files every accepted message.
#[derive(Debug)]
pub struct Sink {
    child: Child,
    dir: PathBuf,
}

impl Sink {
    /// Starts the relay on a loopback port, filing mail into `dir`.
    pub async fn start(port: u16, dir: &PathBuf) -> Sink {
        let mut child = Command::new("python3")
            .arg(sink_script())
            .arg(port.to_string())
            .arg(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start python3 with the SMTP sink");
        let mut lines = BufReader::new(child.stdout.take().expect("the sink's output")).lines();
        let ready = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .expect("the sink starts within 20 s")
            .expect("the sink's first line");
        assert_eq!(ready.as_deref(), Some("ready"));
        Sink {
            child,
            dir: dir.clone(),
        }
    }

    /// Every message accepted so far, in the order accepted.
    pub fn mails(&self) -> Vec<Mail> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .map(|d| {
                d.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                    .collect()
            })
            .unwrap_or_default();
        paths.sort();
        paths
            .iter()
            .map(|p| Mail::parse(&std::fs::read_to_string(p).expect("a filed message")))
            .collect()
    }

    /// The messages to an address.
    pub fn to(&self, address: &str) -> Vec<Mail> {
        self.mails()
            .into_iter()
            .filter(|m| m.to.contains(address))
            .collect()
    }

    /// Waits (up to 15 s) until `count` messages arrived.
    pub async fn wait(&self, count: usize) -> Vec<Mail> {
        for _ in 0..300 {
            let found = self.mails();
            if found.len() >= count {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the relay got {} of {count} messages", self.mails().len());
    }

    /// Stops the relay.
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// A loopback port nobody listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free loopback port")
        .local_addr()
        .expect("its address")
        .port()
}
