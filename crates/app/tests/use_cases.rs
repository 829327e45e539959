//! The foundation's use cases on both engines.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Mutex;

use async_trait::async_trait;
use gatehouse_app::delivery::{self, SendError, Transport};
use gatehouse_app::{App, AppError, Hasher, api_tokens, secrets, setup, sites, staff};
use gatehouse_domain::StaffRole;
use gatehouse_store::Actor;
use gatehouse_store::OutboxMessage;
use gatehouse_testkit::{TestDb, both_engines, mail_to};

async fn app(db: &TestDb) -> App {
    App {
        hasher: Hasher::with_workers(2),
        ..App::new(db.store().await)
    }
}

/// A clock the test moves.
#[derive(Debug)]
struct Moved(Mutex<time::OffsetDateTime>);

impl gatehouse_app::clock::Clock for Moved {
    fn now(&self) -> time::OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

both_engines! {
    async fn the_signing_key_schedule_publishes_a_new_key_a_day_ahead_once_due(db: TestDb) {
        use gatehouse_app::clock::Clock as _;
        use gatehouse_app::oidc::keys;
        let clock = std::sync::Arc::new(Moved(Mutex::new(time::OffsetDateTime::now_utc())));
        let app = App { clock: clock.clone(), ..app(&db).await };
        keys::ensure(&app).await.unwrap();
        let every = time::Duration::days(90);
        assert!(keys::rotate_if_due(&app, every).await.unwrap().is_none(), "a new key is not due");
        let es256 = gatehouse_domain::oidc::SigningAlg::Es256;
        let first = keys::jwks(&app).await.unwrap()["keys"].as_array().unwrap().iter()
            .find(|k| k["alg"] == "ES256").unwrap()["kid"].as_str().unwrap().to_string();

        *clock.0.lock().unwrap() += time::Duration::days(90);
        let made = keys::rotate_if_due(&app, every).await.unwrap().expect("due after 90 days");
        assert_eq!(made.iter().map(|k| k.alg.as_str()).collect::<Vec<_>>(), ["ES256", "RS256"], "one of each");
        let made = made.into_iter().find(|k| k.alg == "ES256").unwrap();
        assert_ne!(made.kid, first);
        assert_eq!(made.signs_from, clock.now() + time::Duration::days(1), "signs a day later");
        assert!(keys::rotate_if_due(&app, every).await.unwrap().is_none(), "once, not on every run");
        let published: Vec<String> = keys::jwks(&app).await.unwrap()["keys"].as_array().unwrap()
            .iter().map(|k| k["kid"].as_str().unwrap().to_string()).collect();
        assert!(published.contains(&first) && published.contains(&made.kid), "both published: {published:?}");
        let kid_of = |jwt: &str| -> String {
            gatehouse_testkit::jwt_part(jwt, 0)["kid"].as_str().unwrap().to_string()
        };
        let claims = serde_json::json!({"sub": "x"});
        assert_eq!(kid_of(&keys::sign(&app, es256, &claims).await.unwrap()), first, "the old key signs until then");
        let old_token = keys::sign(&app, es256, &claims).await.unwrap();

        *clock.0.lock().unwrap() += time::Duration::days(1);
        let new_token = keys::sign(&app, es256, &claims).await.unwrap();
        assert_eq!(kid_of(&new_token), made.kid, "the new key signs from its time");
        assert!(keys::verify(&app, &old_token).await.unwrap().is_some(), "a token of the old key still verifies");
        let mut tx = app.store.read().await.unwrap();
        let audit = tx.list_audit(10).await.unwrap();
        assert!(audit.iter().any(|e| e.action == "signing_key.rotate" && e.actor.label == "signing key schedule"), "{audit:?}");
    }

    async fn the_default_site_is_made_once(db: TestDb) {
        let app = app(&db).await;
        assert!(sites::ensure_default_site(&app).await.unwrap());
        assert!(!sites::ensure_default_site(&app).await.unwrap());
        let mut tx = app.store.read().await.unwrap();
        let all = tx.list_sites().await.unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].key, "main");
        let audit = tx.list_audit(10).await.unwrap();
        assert_eq!(audit[0].action, "site.create");
        assert_eq!(audit[0].actor.kind, "system");
    }

    async fn sites_refuse_bad_and_taken_keys(db: TestDb) {
        let app = app(&db).await;
        let actor = Actor::system("test");
        sites::create_site(&app, &actor, "shop", "Shop").await.unwrap();
        let taken = sites::create_site(&app, &actor, "shop", "Shop 2").await.unwrap_err();
        assert!(matches!(&taken, AppError::Conflict(m) if m.contains("'shop' exists already")), "{taken}");
        let bad = sites::create_site(&app, &actor, "Shop!", "Shop").await.unwrap_err();
        assert!(bad.to_string().contains("is not a valid site key"), "{bad}");
    }

    async fn staff_are_added_with_a_strong_password_and_audited(db: TestDb) {
        let app = app(&db).await;
        let actor = Actor::system("cli");
        let weak = staff::add_staff(&app, &actor, "admin@example.com", StaffRole::Admin, "password1234").await.unwrap_err();
        assert!(weak.to_string().contains("too easy to guess"), "{weak}");
        let short = staff::add_staff(&app, &actor, "admin@example.com", StaffRole::Admin, "x7#Qm").await.unwrap_err();
        assert!(short.to_string().contains("at least 12"), "{short}");
        let bad = staff::add_staff(&app, &actor, "admin", StaffRole::Admin, "a long and unusual passphrase").await.unwrap_err();
        assert!(bad.to_string().contains("not a valid e-mail address"), "{bad}");

        let s = staff::add_staff(&app, &actor, "Admin@Example.com", StaffRole::Admin, "a long and unusual passphrase").await.unwrap();
        assert!(app.hasher.verify("a long and unusual passphrase", Some(&s.password_hash)).await.unwrap());
        let again = staff::add_staff(&app, &actor, "admin@example.com", StaffRole::Support, "another unusual passphrase").await.unwrap_err();
        assert!(matches!(again, AppError::Conflict(_)), "{again}");

        let mut tx = app.store.read().await.unwrap();
        assert_eq!(tx.count_staff().await.unwrap(), 1);
        let audit = tx.list_audit(10).await.unwrap();
        assert_eq!(audit.len(), 1, "refusals change nothing");
        assert_eq!(audit[0].action, "staff.create");
        assert!(!audit[0].details.to_string().contains("passphrase"), "no secret in the audit trail");
    }

    async fn api_tokens_are_shown_once_and_stored_hashed(db: TestDb) {
        let app = app(&db).await;
        let actor = Actor::system("cli");
        staff::add_staff(&app, &actor, "support@example.com", StaffRole::Support, "a long and unusual passphrase").await.unwrap();
        let made = api_tokens::create_token(&app, &actor, "support@example.com", "erp", &[]).await.unwrap();
        assert_eq!(made.token.scopes, "read write", "support gets no admin scope");
        let mut tx = app.store.read().await.unwrap();
        let stored = tx.api_token_by_hash(&secrets::token_hash(&made.secret)).await.unwrap().unwrap();
        assert_eq!(stored.id, made.token.id);
        assert_ne!(stored.token_hash, made.secret.as_bytes());
        drop(tx);

        let admin_scope = api_tokens::create_token(&app, &actor, "support@example.com", "x", &["admin".into()]).await.unwrap_err();
        assert!(admin_scope.to_string().contains("cannot hold the 'admin' scope"), "{admin_scope}");
        let unknown = api_tokens::create_token(&app, &actor, "nobody@example.com", "x", &[]).await.unwrap_err();
        assert!(matches!(unknown, AppError::NotFound(_)), "{unknown}");
    }

    async fn the_setup_link_creates_the_first_admin_once(db: TestDb) {
        let app = app(&db).await;
        let old = setup::issue_setup_token(&app).await.unwrap().unwrap();
        let token = setup::issue_setup_token(&app).await.unwrap().unwrap();
        assert!(!setup::setup_token_valid(&app, &old).await.unwrap(), "a new link voids the old one");
        assert!(setup::setup_token_valid(&app, &token).await.unwrap());

        let weak = setup::complete_setup(&app, &token, "admin@example.com", "password").await.unwrap_err();
        assert!(weak.to_string().contains("at least 12"), "{weak}");
        assert!(setup::setup_token_valid(&app, &token).await.unwrap(), "bad input does not use up the link");

        let admin = setup::complete_setup(&app, &token, "admin@example.com", "a long and unusual passphrase").await.unwrap();
        assert_eq!(admin.role, StaffRole::Admin);
        assert!(!setup::setup_token_valid(&app, &token).await.unwrap());
        let again = setup::complete_setup(&app, &token, "other@example.com", "a long and unusual passphrase").await.unwrap_err();
        assert!(again.to_string().contains("no longer valid"), "{again}");
        assert_eq!(setup::issue_setup_token(&app).await.unwrap(), None, "no link once staff exist");

        let mut tx = app.store.read().await.unwrap();
        assert_eq!(tx.count_staff().await.unwrap(), 1);
        let audit = tx.list_audit(1).await.unwrap();
        assert_eq!((audit[0].action.as_str(), audit[0].actor.kind.as_str()), ("staff.create", "setup_link"));
    }

    async fn a_stopping_worker_finishes_its_message_and_gives_back_the_rest(db: TestDb) {
        let app = app(&db).await;
        let now = app.clock.now();
        let mut tx = app.store.begin().await.unwrap();
        for i in 0..4 {
            let mail = mail_to(format!("r{i}@example.com"));
            tx.enqueue_mail(uuid::Uuid::now_v7(), &mail, now).await.unwrap();
        }
        tx.commit().await.unwrap();
        // The stop comes while the first message is being sent.
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let transport = StopsOnFirstSend(Mutex::new(Some(stop)));
        let done = delivery::deliver_until_stopped(&app, &transport, &delivery::RetryPolicy::default(), &stopped)
            .await
            .unwrap();
        assert_eq!(done, 1, "the message in hand is finished");
        let mut tx = app.store.read().await.unwrap();
        let outbox = tx.list_outbox(None, 10).await.unwrap();
        let sent: Vec<_> = outbox.iter().filter(|m| m.status == "sent").collect();
        assert_eq!(sent.len(), 1);
        drop(tx);
        // The other three are due again at once, for any node, untried.
        let mut tx = app.store.begin().await.unwrap();
        let again = tx.claim_mail(now, now + time::Duration::minutes(2), 10).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(again.len(), 3, "given back, not left to the lease");
        assert!(again.iter().all(|m| m.attempts == 1), "the given-back claim was not a try");
    }

    async fn a_send_slower_than_half_the_lease_is_a_temporary_failure_and_the_rest_is_given_back(db: TestDb) {
        let app = app(&db).await;
        let now = app.clock.now();
        let mut tx = app.store.begin().await.unwrap();
        for to in ["slow-1@example.com", "slow-2@example.com"] {
            tx.enqueue_mail(uuid::Uuid::now_v7(), &mail_to(to), now).await.unwrap();
        }
        tx.commit().await.unwrap();
        let policy = delivery::RetryPolicy { lease: time::Duration::milliseconds(1200), ..Default::default() };
        let sent = delivery::deliver_due(&app, &Slow, &policy).await.unwrap();
        assert_eq!(sent, 1, "the second is not started with less than half the lease left");
        let mut tx = app.store.read().await.unwrap();
        let outbox = tx.list_outbox(None, 10).await.unwrap();
        let tried = outbox.iter().find(|m| m.attempts == 1).expect("one was tried");
        assert_eq!(tried.status, "pending", "a timeout is temporary");
        assert!(tried.last_error.as_deref().unwrap_or("").contains("no answer within"), "{:?}", tried.last_error);
        let given_back = outbox.iter().find(|m| m.id != tried.id).unwrap();
        assert_eq!((given_back.attempts, given_back.last_error.as_deref()), (0, None), "given back untried");
    }

    async fn delivery_retries_temporary_failures_and_gives_up_on_permanent_ones(db: TestDb) {
        let app = app(&db).await;
        let now = app.clock.now();
        let mut tx = app.store.begin().await.unwrap();
        for to in ["ok@example.com", "later@example.com", "bad@example.com"] {
            let mail = mail_to(to);
            tx.enqueue_mail(uuid::Uuid::now_v7(), &mail, now).await.unwrap();
        }
        tx.commit().await.unwrap();
        let transport = Scripted::default();
        assert_eq!(delivery::deliver_due(&app, &transport, &delivery::RetryPolicy::default()).await.unwrap(), 3);
        // Nothing is due again until the back-off has passed.
        assert_eq!(delivery::deliver_due(&app, &transport, &delivery::RetryPolicy::default()).await.unwrap(), 0);
        let mut tx = app.store.read().await.unwrap();
        let outbox = tx.list_outbox(None, 10).await.unwrap();
        let state = |to: &str| {
            let m = outbox.iter().find(|m| m.mail.recipient == to).unwrap();
            (m.status.clone(), m.attempts, m.last_error.clone())
        };
        assert_eq!(state("ok@example.com"), ("sent".into(), 1, None));
        assert_eq!(state("later@example.com"), ("pending".into(), 1, Some("421 try later".into())));
        assert_eq!(state("bad@example.com"), ("failed".into(), 1, Some("550 no such user".into())));
        let retry_at = outbox.iter().find(|m| m.mail.recipient == "later@example.com").unwrap().next_attempt_at;
        // The first wait is about 3 s (¾ to 1¼ of it, for jitter): soon
        // enough for a relay that was down a moment, not a busy loop.
        let waited = retry_at - now;
        assert!(waited >= time::Duration::milliseconds(2250) && waited <= time::Duration::seconds(5), "backed off: {waited}");
        assert_eq!(transport.sent.lock().unwrap().len(), 3);
    }

    async fn seed_writes_customers_with_accounts_in_every_status(db: TestDb) {
        let app = app(&db).await;
        sites::ensure_default_site(&app).await.unwrap();
        let mut seen = Vec::new();
        gatehouse_app::seed::seed(&app, "main", 6000, |n| seen.push(n)).await.unwrap();
        assert_eq!(seen, [5000, 6000], "progress after each batch");
        let now = app.clock.now();
        let mut tx = app.store.read().await.unwrap();
        assert_eq!(tx.count_customers(&gatehouse_store::CustomerFilter::default(), now, None).await.unwrap(), 6000);
        for status in gatehouse_domain::Status::ALL {
            let filter = gatehouse_store::AccountFilter { status: Some(status), ..Default::default() };
            assert!(tx.count_accounts(&filter, now).await.unwrap() > 0, "some {status}");
        }
        let search = gatehouse_store::CustomerFilter { search: Some("lovelace".into()), ..Default::default() };
        assert!(tx.count_customers(&search, now, None).await.unwrap() > 0, "the search index covers seeded rows");
    }
}

/// A transport that answers by recipient: a unit-test stand-in for SMTP.
#[derive(Debug, Default)]
struct Scripted {
    sent: Mutex<Vec<String>>,
}

/// A relay that answers after 2 s: slower than half a short lease.
#[derive(Debug)]
struct Slow;

#[async_trait]
impl Transport for Slow {
    async fn send(&self, _message: &OutboxMessage) -> Result<(), SendError> {
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        Ok(())
    }
}

/// A transport that stops its worker when handed the first message.
#[derive(Debug)]
struct StopsOnFirstSend(Mutex<Option<tokio::sync::watch::Sender<bool>>>);

#[async_trait]
impl Transport for StopsOnFirstSend {
    async fn send(&self, _message: &OutboxMessage) -> Result<(), SendError> {
        if let Some(stop) = self.0.lock().unwrap().take() {
            stop.send_replace(true);
        }
        Ok(())
    }
}

#[async_trait]
impl Transport for Scripted {
    async fn send(&self, message: &OutboxMessage) -> Result<(), SendError> {
        self.sent
            .lock()
            .unwrap()
            .push(message.mail.recipient.clone());
        match message.mail.recipient.as_str() {
            "later@example.com" => Err(SendError {
                permanent: false,
                message: "421 try later".into(),
            }),
            "bad@example.com" => Err(SendError {
                permanent: true,
                message: "550 no such user".into(),
            }),
            _ => Ok(()),
        }
    }
}

both_engines! {
    async fn a_lost_phone_is_turned_off_with_the_reset_and_the_sessions_end(db: TestDb) {
        let app = app(&db).await;
        let cli = Actor::system("cli");
        let added = staff::add_staff(&app, &cli, "admin@example.com", StaffRole::Admin, "a long and unusual passphrase")
            .await.unwrap();
        let meta = gatehouse_app::portal::RequestMeta::default();
        let session = gatehouse_app::staff_auth::sign_in(&app, "admin@example.com", "a long and unusual passphrase", None, &meta)
            .await.unwrap();
        let mut tx = app.store.begin().await.unwrap();
        tx.set_staff_totp(added.id, Some("JBSWY3DPEHPK3PXP")).await.unwrap();
        tx.commit().await.unwrap();

        // A plain reset keeps the phone and the session (until the new
        // password is set).
        let kept = staff::reset_link(&app, &cli, "admin@example.com", false).await.unwrap();
        assert!(!kept.second_factor_removed);
        let mut tx = app.store.read().await.unwrap();
        assert!(tx.staff_by_id(added.id).await.unwrap().unwrap().totp_secret.is_some());
        assert!(tx.session_by_hash(&secrets::token_hash(&session.token)).await.unwrap().is_some());
        drop(tx);

        // A lost phone: off, and every session of theirs ends at once.
        let lost = staff::reset_link(&app, &cli, "admin@example.com", true).await.unwrap();
        assert!(lost.second_factor_removed && lost.link.contains("/admin/setup/"));
        let mut tx = app.store.read().await.unwrap();
        assert!(tx.staff_by_id(added.id).await.unwrap().unwrap().totp_secret.is_none());
        assert!(tx.session_by_hash(&secrets::token_hash(&session.token)).await.unwrap().is_none());
        drop(tx);
        let token = kept.link.rsplit('/').next().unwrap();
        assert!(!setup::setup_token_valid(&app, token).await.unwrap(), "the newer link voided the older");
        let token = lost.link.rsplit('/').next().unwrap();
        assert_eq!(setup::link_holder(&app, token).await.unwrap().map(|h| h.reset), Some(true));
        let events = app.store.read().await.unwrap().audit_of(added.id, 10).await.unwrap();
        assert_eq!(events.iter().filter(|e| e.action == "staff.reset_link_issued").count(), 2, "audited");
    }
}
