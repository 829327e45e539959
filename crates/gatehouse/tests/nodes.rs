//! Three `gatehouse serve` processes on one PostgreSQL database, relaying
//! through a real SMTP server (aiosmtpd), under load, with one node killed
//! (SIGKILL) and started again in the middle. What must hold:
//!
//! - three nodes starting at once on an empty database migrate it once and
//!   make one default site;
//! - every registration answered 202 is there, and its activation mail is
//!   delivered, once (the killed node's claims come back when their lease
//!   ends; only a message the relay accepted in the instant before the kill,
//!   before the node wrote that down, can arrive again, and then under the
//!   same Message-ID);
//! - failed sign-ins split over the nodes lock an account at exactly the
//!   site's maximum, with one lock and one lock mail;
//! - twenty concurrent registrations of one address over the nodes make one
//!   account and one activation mail.
//!
//! Needs `GATEHOUSE_TEST_DATABASE_URL` and aiosmtpd; without them it says it
//! was skipped (aiosmtpd missing fails under `GATEHOUSE_E2E=required`). All
//! traffic stays on loopback and is bounded in count and time.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gatehouse_app::{App, api_tokens, staff};
use gatehouse_domain::StaffRole;
use gatehouse_store::Actor;
use gatehouse_testkit::smtp::{Sink, available, free_port};
use gatehouse_testkit::{Mail, TestDb};
use reqwest::StatusCode;
use serde_json::json;
use sqlx::Connection;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const BIN: &str = env!("CARGO_BIN_EXE_gatehouse");
const PASSWORD: &str = "correct horse battery staple";
/// Well over twice the slow relay's 3 s, since one send may take at most
/// half a lease (the margin is for a loaded machine).
const LEASE_SECONDS: &str = "12";

/// One `gatehouse serve` process.
struct Node {
    child: Child,
    base: String,
}

/// Starts a node on the database, relaying mail to the sink; waits until it
/// is listening and ready.
async fn start_node(data: &Path, db_url: &str, smtp_port: u16) -> Node {
    let mut cmd = Command::new(BIN);
    for (key, _) in std::env::vars() {
        if key.starts_with("GATEHOUSE_") {
            cmd.env_remove(key);
        }
    }
    let mut child = cmd
        .args(["--data"])
        .arg(data)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("GATEHOUSE_DATABASE_URL", db_url)
        .env(
            "GATEHOUSE_SMTP_URL",
            format!("smtp://127.0.0.1:{smtp_port}"),
        )
        .env("GATEHOUSE_MAIL_LEASE_SECONDS", LEASE_SECONDS)
        .env("GATEHOUSE_RATE_LIMIT_PER_IP", "1000000")
        .env("GATEHOUSE_RATE_LIMIT_PER_ACCOUNT", "1000000")
        .env("GATEHOUSE_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(rest) = line.strip_prefix("Gatehouse is listening on ") {
                return rest.split_whitespace().next().unwrap().to_string();
            }
        }
        panic!("a node ended before listening");
    })
    .await
    .expect("a node did not start within a minute");
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let ready = reqwest::get(format!("{base}/readyz")).await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK, "listening means ready");
    Node { child, base }
}

/// Sends a node a signal (`-STOP`, `-CONT`).
fn signal(node: &Node, which: &str) {
    let pid = node.child.id().unwrap().to_string();
    let sent = std::process::Command::new("kill")
        .args([which, &pid])
        .status()
        .unwrap();
    assert!(sent.success());
}

/// The nodes' addresses as the load sees them: `None` while one is down.
type Bases = Arc<Mutex<Vec<Option<String>>>>;

fn base_of(bases: &Bases, i: usize) -> Option<String> {
    let bases = bases.lock().unwrap();
    bases[i % bases.len()].clone()
}

async fn register(http: &reqwest::Client, base: &str, email: &str) -> Option<StatusCode> {
    http.post(format!("{base}/api/v1/sites/main/registrations"))
        .json(&json!({"email": email, "password": PASSWORD, "first_name": "Load", "last_name": "Test"}))
        .send()
        .await
        .ok()
        .map(|r| r.status())
}

async fn sign_in(http: &reqwest::Client, base: &str, email: &str, password: &str) -> StatusCode {
    http.post(format!("{base}/api/v1/sites/main/sessions"))
        .json(&json!({"login_id": email, "password": password}))
        .send()
        .await
        .unwrap()
        .status()
}

fn message_id(mail: &Mail) -> String {
    mail.raw
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("message-id")
                .then(|| value.trim().to_string())
        })
        .unwrap_or_default()
}

/// Waits (up to a minute) until every address has at least one mail.
async fn every_address_mailed(sink: &Sink, addresses: &BTreeSet<String>) -> Vec<Mail> {
    for _ in 0..600 {
        let mails = sink.mails();
        let reached: BTreeSet<&str> = mails.iter().map(|m| m.to.as_str()).collect();
        if addresses
            .iter()
            .all(|a| reached.iter().any(|to| to.contains(a.as_str())))
        {
            return mails;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("some registrations answered 202 never got their mail");
}

async fn scalar(db: &mut sqlx::PgConnection, sql: &str, bind: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .bind(bind)
        .fetch_one(db)
        .await
        .unwrap_or_else(|e| panic!("{sql} ({bind}): {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_killed_mid_work_lose_nothing_and_send_nothing_twice() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    if !available() {
        return;
    }
    let scratch = std::env::temp_dir().join(format!("gatehouse-nodes-{}", uuid::Uuid::now_v7()));
    let port = free_port();
    let sink = Sink::start(port, &scratch.join("relay")).await;
    let data: Vec<PathBuf> = (0..3).map(|i| scratch.join(format!("node{i}"))).collect();

    // All three start at once on the empty database.
    let (n0, n1, n2) = tokio::join!(
        start_node(&data[0], &db.url, port),
        start_node(&data[1], &db.url, port),
        start_node(&data[2], &db.url, port),
    );
    let mut pg = sqlx::PgConnection::connect(&db.url).await.unwrap();
    let migrations = std::fs::read_dir(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../store/migrations/postgres"),
    )
    .unwrap()
    .count();
    let applied: Vec<(i64, i64)> =
        sqlx::query_as("SELECT version, count(*) FROM _sqlx_migrations GROUP BY version")
            .fetch_all(&mut pg)
            .await
            .unwrap();
    assert_eq!(applied.len(), migrations, "every migration applied");
    assert!(
        applied.iter().all(|(_, n)| *n == 1),
        "each once: {applied:?}"
    );
    assert_eq!(
        scalar(&mut pg, "SELECT count(*) FROM sites WHERE key <> $1", "").await,
        1,
        "one default site"
    );

    let bases: Bases = Arc::new(Mutex::new(vec![
        Some(n0.base.clone()),
        Some(n1.base.clone()),
        Some(n2.base.clone()),
    ]));
    let mut nodes = [Some(n0), Some(n1), Some(n2)];
    let app = App::new(db.store().await);
    let actor = Actor::system("test");
    staff::add_staff(
        &app,
        &actor,
        "admin@example.com",
        StaffRole::Admin,
        "a long and unusual passphrase",
    )
    .await
    .unwrap();
    let admin = api_tokens::create_token(&app, &actor, "admin@example.com", "load", &[])
        .await
        .unwrap()
        .secret;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();

    // An active account for the lockout, registered on one node and
    // activated on another.
    let locked = "lock-me@example.com";
    assert_eq!(
        register(&http, &base_of(&bases, 0).unwrap(), locked).await,
        Some(StatusCode::ACCEPTED)
    );
    sink.wait(1).await;
    let token = sink.to(locked)[0]
        .link_to(&base_of(&bases, 0).unwrap(), "/activate")
        .and_then(|l| l.split("token=").nth(1).map(str::to_string))
        .expect("an activation link");
    let verified = http
        .post(format!(
            "{}/api/v1/sites/main/verifications",
            base_of(&bases, 1).unwrap()
        ))
        .json(&json!({"token": token}))
        .send()
        .await
        .unwrap();
    assert_eq!(verified.status(), StatusCode::OK);
    let max: u32 = {
        let mut tx = app.store.read().await.unwrap();
        tx.site_by_key("main")
            .await
            .unwrap()
            .unwrap()
            .settings
            .max_failed_attempts
    };

    // The load: registrations over all nodes, staff actions, failed
    // sign-ins and one address registered twenty times at once; node 2 is
    // killed a third of the way through and started again.
    let answered: Arc<Mutex<BTreeSet<String>>> = Arc::default();
    let registrations = {
        let (http, bases, answered) = (http.clone(), Arc::clone(&bases), Arc::clone(&answered));
        tokio::spawn(async move {
            for i in 0..90 {
                let email = format!("load-{i}@example.com");
                let Some(base) = base_of(&bases, i) else {
                    continue;
                };
                if register(&http, &base, &email).await == Some(StatusCode::ACCEPTED) {
                    answered.lock().unwrap().insert(email);
                }
            }
        })
    };
    let staff_actions = {
        let (http, bases, admin) = (http.clone(), Arc::clone(&bases), admin.clone());
        tokio::spawn(async move {
            let mut done = 0;
            for i in 0..30 {
                let Some(base) = base_of(&bases, i) else {
                    continue;
                };
                let Ok(listed) = http
                    .get(format!(
                        "{base}/api/v1/accounts?status=unverified&per_page=3&q=load-"
                    ))
                    .bearer_auth(&admin)
                    .send()
                    .await
                else {
                    continue;
                };
                let page: serde_json::Value = listed.json().await.unwrap_or_default();
                let ids: Vec<&str> = page["items"]
                    .as_array()
                    .map(|items| items.iter().filter_map(|a| a["id"].as_str()).collect())
                    .unwrap_or_default();
                for action in ["block", "unblock"] {
                    let acted = http
                        .post(format!("{base}/api/v1/accounts/actions"))
                        .bearer_auth(&admin)
                        .json(&json!({"action": action, "ids": ids}))
                        .send()
                        .await;
                    if acted.is_ok_and(|r| r.status() == StatusCode::OK) {
                        done += 1;
                    }
                }
            }
            done
        })
    };
    let failures = {
        let (http, bases) = (http.clone(), Arc::clone(&bases));
        tokio::spawn(async move {
            let tries = (0..max - 1).map(|i| {
                let (http, bases) = (http.clone(), Arc::clone(&bases));
                async move {
                    // A node that is down is skipped: its share goes to the next.
                    let base = (0..3)
                        .find_map(|k| base_of(&bases, i as usize + k))
                        .unwrap();
                    sign_in(&http, &base, locked, "not the password at all").await
                }
            });
            all(tries).await
        })
    };
    let same_address = "twenty@example.com";
    let twenty = {
        let (http, bases) = (http.clone(), Arc::clone(&bases));
        tokio::spawn(async move {
            let tries = (0..20).map(|i| {
                let (http, bases) = (http.clone(), Arc::clone(&bases));
                async move {
                    let base = (0..3).find_map(|k| base_of(&bases, i + k)).unwrap();
                    register(&http, &base, same_address).await
                }
            });
            all(tries).await
        })
    };

    // Kill node 2 once a third of the registrations were answered.
    for _ in 0..600 {
        if answered.lock().unwrap().len() >= 30 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Node 2 is handed a mail that the relay takes 3 s to accept, and is
    // killed while it holds the claim: that claim must come back. Nodes 0
    // and 1 are paused meanwhile, so that node 2 is the one that claims it.
    let half_sent = "slow-1@example.com";
    let victim_base = base_of(&bases, 2).unwrap();
    for node in nodes.iter().take(2).flatten() {
        signal(node, "-STOP");
    }
    assert_eq!(
        register(&http, &victim_base, half_sent).await,
        Some(StatusCode::ACCEPTED)
    );
    let mut claimed = false;
    for _ in 0..100 {
        let held = "SELECT count(*) FROM outbox WHERE recipient = $1 AND lease_until IS NOT NULL";
        if scalar(&mut pg, held, half_sent).await == 1 {
            claimed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(claimed, "node 2 claimed the mail");
    bases.lock().unwrap()[2] = None;
    let mut victim = nodes[2].take().unwrap();
    victim.child.start_kill().unwrap();
    victim.child.wait().await.unwrap();
    for node in nodes.iter().take(2).flatten() {
        signal(node, "-CONT");
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let back = start_node(&data[2], &db.url, port).await;
    bases.lock().unwrap()[2] = Some(back.base.clone());
    nodes[2] = Some(back);

    registrations.await.unwrap();
    assert!(
        staff_actions.await.unwrap() >= 40,
        "staff actions were served throughout"
    );
    let failed = failures.await.unwrap();
    assert!(
        failed.iter().all(|s| *s == StatusCode::UNAUTHORIZED),
        "{failed:?}"
    );
    let twenty = twenty.await.unwrap();
    assert!(
        twenty.iter().all(|s| *s == Some(StatusCode::ACCEPTED)),
        "the same answer every time: {twenty:?}"
    );

    // Every registration answered 202 is there.
    let mut answered = answered.lock().unwrap().clone();
    answered.insert(half_sent.to_string());
    assert!(
        answered.len() >= 60,
        "most registrations were answered: {}",
        answered.len()
    );
    for email in &answered {
        assert_eq!(
            scalar(
                &mut pg,
                "SELECT count(*) FROM accounts WHERE email = $1",
                email
            )
            .await,
            1,
            "{email} answered 202 but is not stored"
        );
    }

    // Their mail reaches the relay, once each.
    let mails = every_address_mailed(&sink, &answered).await;
    let mut per_address: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for mail in &mails {
        if let Some(email) = answered.iter().find(|a| mail.to.contains(a.as_str())) {
            per_address.entry(email).or_default().push(message_id(mail));
        }
    }
    let mut repeats = 0;
    for (email, ids) in &per_address {
        let distinct: BTreeSet<&String> = ids.iter().collect();
        assert_eq!(
            distinct.len(),
            1,
            "{email} got {} different messages",
            distinct.len()
        );
        assert!(!ids[0].is_empty(), "every message has a Message-ID");
        repeats += ids.len() - 1;
    }
    eprintln!(
        "{} registrations answered 202, {} mails delivered, {repeats} delivered again after the kill",
        answered.len(),
        per_address.values().map(Vec::len).sum::<usize>()
    );
    assert!(
        repeats <= 1,
        "only the message in flight at the kill may repeat: {repeats}"
    );
    assert_eq!(
        per_address[half_sent].len(),
        1,
        "the half-sent mail arrived once"
    );
    // The relay has the message before the node has written down that it was
    // sent: wait for that record.
    let sent = "SELECT count(*) FROM outbox WHERE recipient = $1 AND status = 'sent'";
    for _ in 0..100 {
        if scalar(&mut pg, sent, half_sent).await == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        scalar(
            &mut pg,
            "SELECT attempts FROM outbox WHERE recipient = $1 AND status = 'sent'",
            half_sent
        )
        .await,
        2,
        "claimed by the killed node, then by another once the lease ended"
    );

    // The lockout: one short of the maximum, still active; the next locks.
    assert_eq!(
        scalar(
            &mut pg,
            "SELECT failed_attempts FROM accounts WHERE email = $1",
            locked
        )
        .await,
        i64::from(max - 1)
    );
    assert_eq!(
        scalar(&mut pg, "SELECT count(*) FROM accounts WHERE email = $1 AND (lock_permanent OR lock_until IS NOT NULL)", locked).await,
        0,
        "not locked one short of the maximum"
    );
    assert_eq!(
        sign_in(
            &http,
            &base_of(&bases, 1).unwrap(),
            locked,
            "still not the password"
        )
        .await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        scalar(&mut pg, "SELECT count(*) FROM accounts WHERE email = $1 AND (lock_permanent OR lock_until IS NOT NULL)", locked).await,
        1,
        "the maximum-th failure locks"
    );
    // More failures over every node change nothing more.
    let last = (0..6).map(|i| {
        let (http, bases) = (http.clone(), Arc::clone(&bases));
        async move {
            sign_in(
                &http,
                &base_of(&bases, i).unwrap(),
                locked,
                "still not the password",
            )
            .await
        }
    });
    all(last).await;
    assert_eq!(
        scalar(&mut pg, "SELECT count(*) FROM accounts WHERE email = $1 AND (lock_permanent OR lock_until IS NOT NULL)", locked).await,
        1,
        "still locked"
    );
    assert_eq!(
        scalar(&mut pg, "SELECT count(*) FROM audit_events e JOIN accounts a ON a.id = e.target_id WHERE a.email = $1 AND e.action = 'account.lock'", locked).await,
        1,
        "locked once"
    );
    assert_eq!(
        scalar(
            &mut pg,
            "SELECT count(*) FROM outbox WHERE recipient = $1 AND template_key = 'account_locked'",
            locked
        )
        .await,
        1,
        "one lock mail"
    );

    // Twenty registrations of one address: one account, one activation mail.
    assert_eq!(
        scalar(
            &mut pg,
            "SELECT count(*) FROM accounts WHERE email = $1",
            same_address
        )
        .await,
        1
    );
    assert_eq!(
        scalar(
            &mut pg,
            "SELECT count(*) FROM outbox WHERE recipient = $1 AND template_key = 'activation'",
            same_address
        )
        .await,
        1
    );

    for node in nodes.iter_mut().flatten() {
        let _ = node.child.start_kill();
    }
    sink.stop().await;
    let _ = std::fs::remove_dir_all(&scratch);
}

/// Runs futures as tasks at once and collects their answers in order.
async fn all<T: Send + 'static>(
    futures: impl Iterator<Item = impl std::future::Future<Output = T> + Send + 'static>,
) -> Vec<T> {
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}
