//! Mail over real SMTP: aiosmtpd (`tests/smtp/sink.py`) as the relay, on both
//! engines. Each flow's mail arrives once; an outage loses nothing; a 451 is
//! retried; a 550 fails only its message; a customer's name cannot inject
//! template code or HTML.
//!
//! Needs `python3 -m pip install aiosmtpd`; without it the tests say they were
//! skipped, unless `GATEHOUSE_E2E=required` (as in CI), when they fail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use gatehouse_app::delivery::{RetryPolicy, SmtpTransport};
use gatehouse_testkit::smtp::{Sink, available, free_port};
use gatehouse_testkit::{TestServer, both_engines, browser};
use serde_json::json;

const PASSWORD: &str = "correct horse battery staple";

fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        first_wait: time::Duration::milliseconds(200),
        max_wait: time::Duration::milliseconds(800),
        poll: Duration::from_millis(100),
        ..RetryPolicy::default()
    }
}

async fn server_relaying_to(db: &gatehouse_testkit::TestDb, port: u16) -> TestServer {
    let from = "Portal <no-reply@gatehouse.test>".parse().unwrap();
    let smtp = SmtpTransport::from_url(&format!("smtp://127.0.0.1:{port}"), from).unwrap();
    TestServer::start_configured(db, move |o| {
        o.transport = Some(Arc::new(smtp));
        o.retry = quick_retries();
    })
    .await
}

async fn register(server: &TestServer, email: &str, first_name: &str, language: &str) {
    let r = browser()
        .post(server.url("/api/v1/sites/main/registrations"))
        .json(&json!({"email": email, "password": PASSWORD, "first_name": first_name, "last_name": "L", "language": language}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
}

fn scratch() -> PathBuf {
    std::env::temp_dir().join(format!("gatehouse-smtp-{}", uuid::Uuid::now_v7().simple()))
}

async fn outbox_states(server: &TestServer) -> Vec<(String, String, i64, Option<String>)> {
    let mut tx = server.app.store.read().await.unwrap();
    tx.list_outbox(None, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.mail.recipient, m.status, m.attempts, m.last_error))
        .collect()
}

both_engines! {
    async fn each_flow_mails_once_in_its_language_with_its_link(db: TestDb) {
        if !available() { return; }
        let port = free_port();
        let dir = scratch();
        let sink = Sink::start(port, &dir).await;
        let server = server_relaying_to(&db, port).await;
        register(&server, "ada@example.com", "Ada", "en").await;
        register(&server, "jo@example.com", "Jo", "de").await;
        let all = sink.wait(2).await;
        let ada = &sink.to("ada@example.com")[0];
        assert!(ada.subject.starts_with("Confirm your e-mail address"), "{}", ada.subject);
        let jo = &sink.to("jo@example.com")[0];
        assert!(jo.subject.starts_with("Bestätigen Sie"), "{}", jo.subject);
        assert!(jo.raw.contains("keine Antworten"), "German footer");
        let link = ada.link_to(&server.base_url, "/s/main/activate?token=").unwrap();
        let activated = browser().post(server.url("/api/v1/sites/main/verifications"))
            .json(&json!({"token": link.split("token=").nth(1).unwrap()})).send().await.unwrap();
        assert_eq!(activated.status(), 200);

        browser().post(server.url("/api/v1/sites/main/password-resets")).json(&json!({"email": "ada@example.com"})).send().await.unwrap();
        sink.wait(3).await;
        let reset = &sink.to("ada@example.com")[1];
        assert!(reset.link_to(&server.base_url, "/s/main/reset-password?token=").is_some(), "{}", reset.raw);
        assert!(reset.raw.contains("From: Portal <no-reply@gatehouse.test>"));

        // Nothing arrives twice.
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(sink.mails().len(), 3, "{:?}", all.iter().map(|m| &m.subject).collect::<Vec<_>>());
        assert!(outbox_states(&server).await.iter().all(|(_, status, attempts, _)| status == "sent" && *attempts == 1));
        server.stop().await;
        sink.stop().await;
        let _ = std::fs::remove_dir_all(dir);
    }

    async fn an_outage_delays_mail_and_loses_none(db: TestDb) {
        if !available() { return; }
        let port = free_port();
        let dir = scratch();
        let server = server_relaying_to(&db, port).await;
        // The relay is down while 50 customers register.
        let mut calls = Vec::new();
        for i in 0..50 {
            let url = server.url("/api/v1/sites/main/registrations");
            calls.push(tokio::spawn(async move {
                browser().post(url).json(&json!({"email": format!("c{i}@example.com"), "password": PASSWORD, "first_name": "C", "last_name": "L"}))
                    .send().await.unwrap().status()
            }));
        }
        for c in calls {
            assert_eq!(c.await.unwrap(), 202);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        let waiting = outbox_states(&server).await;
        assert_eq!(waiting.len(), 50);
        assert!(waiting.iter().all(|(_, status, _, _)| status == "pending"), "nothing is given up during an outage");
        assert!(waiting.iter().any(|(_, _, attempts, error)| *attempts >= 1 && error.is_some()), "delivery was tried and failed");

        let sink = Sink::start(port, &dir).await;
        let got = sink.wait(50).await;
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let got_after = sink.mails();
        assert_eq!(got_after.len(), 50, "each exactly once (first wait saw {})", got.len());
        let mut recipients: Vec<String> = got_after.iter().map(|m| m.to.clone()).collect();
        recipients.sort();
        recipients.dedup();
        assert_eq!(recipients.len(), 50);
        assert!(outbox_states(&server).await.iter().all(|(_, status, _, _)| status == "sent"));
        server.stop().await;
        sink.stop().await;
        let _ = std::fs::remove_dir_all(dir);
    }

    async fn a_451_is_retried_and_a_550_fails_only_its_message(db: TestDb) {
        if !available() { return; }
        let port = free_port();
        let dir = scratch();
        let sink = Sink::start(port, &dir).await;
        let server = server_relaying_to(&db, port).await;
        register(&server, "tempfail-1@example.com", "T", "en").await;
        register(&server, "reject-1@example.com", "R", "en").await;
        register(&server, "fine-1@example.com", "F", "en").await;
        sink.wait(2).await;
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(sink.to("tempfail-1@example.com").len(), 1, "delivered after the 451");
        assert_eq!(sink.to("fine-1@example.com").len(), 1);
        assert!(sink.to("reject-1@example.com").is_empty());
        let states = outbox_states(&server).await;
        let of = |to: &str| states.iter().find(|s| s.0 == to).unwrap().clone();
        let temp = of("tempfail-1@example.com");
        assert_eq!((temp.1.as_str(), temp.2), ("sent", 2));
        let rejected = of("reject-1@example.com");
        assert_eq!((rejected.1.as_str(), rejected.2), ("failed", 1));
        assert!(rejected.3.as_deref().unwrap_or("").contains("550"), "{:?}", rejected.3);
        assert_eq!(of("fine-1@example.com").1, "sent");
        server.stop().await;
        sink.stop().await;
        let _ = std::fs::remove_dir_all(dir);
    }

    async fn a_name_full_of_template_code_and_html_arrives_literally(db: TestDb) {
        if !available() { return; }
        let port = free_port();
        let dir = scratch();
        let sink = Sink::start(port, &dir).await;
        let server = server_relaying_to(&db, port).await;
        register(&server, "mallory@example.com", "{{ 7*7 }}<script>", "en").await;
        let mail = sink.wait(1).await.remove(0);
        assert!(mail.raw.contains("Hello {{ 7*7 }}<script>,"), "the text part keeps the name as typed: {}", mail.raw);
        assert!(mail.raw.contains("<p>Hello {{ 7*7 }}&lt;script&gt;,</p>"), "the HTML part escapes it: {}", mail.raw);
        assert!(!mail.raw.contains("Hello 49") && !mail.raw.contains(">49<"), "no template code ran");
        server.stop().await;
        sink.stop().await;
        let _ = std::fs::remove_dir_all(dir);
    }

    async fn two_nodes_on_one_database_send_each_message_once(db: TestDb) {
        if !available() { return; }
        let port = free_port();
        let dir = scratch();
        let sink = Sink::start(port, &dir).await;
        let first = server_relaying_to(&db, port).await;
        let second = server_relaying_to(&db, port).await;
        let mut calls = Vec::new();
        for i in 0..30 {
            let node = if i % 2 == 0 { first.url("") } else { second.url("") };
            calls.push(tokio::spawn(async move {
                browser().post(format!("{node}/api/v1/sites/main/registrations"))
                    .json(&json!({"email": format!("n{i}@example.com"), "password": PASSWORD, "first_name": "N", "last_name": "L"}))
                    .send().await.unwrap().status()
            }));
        }
        for c in calls {
            assert_eq!(c.await.unwrap(), 202);
        }
        sink.wait(30).await;
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(sink.mails().len(), 30, "both workers ran; no message went out twice");
        first.stop().await;
        second.stop().await;
        sink.stop().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}
