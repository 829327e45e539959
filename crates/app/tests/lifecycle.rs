//! The one writer of account state, on both engines: every lifecycle event
//! from every status, carried out by `lifecycle::apply`, does exactly what
//! `decide` declares — the state, the sessions and app grants ended (with
//! the back-channel notice), each mail queued, the customer made — and a
//! refusal writes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gatehouse_app::{App, AppError, Hasher, lifecycle, sites};
use gatehouse_domain::{
    AccountRole, AccountState, DeleteReason, Effect, Event, Lock, Stage, decide,
};
use gatehouse_store::{Account, Client, Customer, CustomerFields, Grant, Session, SessionOwner};
use gatehouse_testkit::both_engines;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

const LOGOUT_URI: &str = "https://rp.example.org/logout";

fn states(now: OffsetDateTime) -> Vec<(&'static str, AccountState, bool)> {
    let base = |stage, has_customer| AccountState {
        stage,
        has_customer,
        email_validated: stage != Stage::Unverified,
        ..AccountState::registered()
    };
    let active = base(Stage::Active, true);
    vec![
        ("unverified", base(Stage::Unverified, false), true),
        (
            "pending without a customer",
            base(Stage::Pending, false),
            true,
        ),
        ("pending", base(Stage::Pending, true), true),
        ("pending, invited", base(Stage::Pending, true), false),
        ("active", active.clone(), true),
        (
            "active, temporary password",
            AccountState {
                password_expires_at: Some(now - Duration::minutes(1)),
                ..active.clone()
            },
            true,
        ),
        (
            "active, 4 failures",
            AccountState {
                failed_attempts: 4,
                ..active.clone()
            },
            true,
        ),
        (
            "locked for a while",
            AccountState {
                lock: Some(Lock::Temporary {
                    until: now + Duration::minutes(10),
                }),
                failed_attempts: 5,
                ..active.clone()
            },
            true,
        ),
        (
            "a lock run out",
            AccountState {
                lock: Some(Lock::Temporary {
                    until: now - Duration::minutes(1),
                }),
                failed_attempts: 5,
                ..active.clone()
            },
            true,
        ),
        (
            "locked for good",
            AccountState {
                lock: Some(Lock::Permanent),
                failed_attempts: 5,
                ..active.clone()
            },
            true,
        ),
        (
            "blocked",
            AccountState {
                blocked: true,
                ..active.clone()
            },
            true,
        ),
        (
            "deleted",
            AccountState {
                deleted: Some(DeleteReason::Deleted),
                ..active.clone()
            },
            true,
        ),
        (
            "access off",
            AccountState {
                access_granted: false,
                ..active
            },
            true,
        ),
    ]
}

fn events(now: OffsetDateTime) -> Vec<Event> {
    vec![
        Event::Verify,
        Event::ResendActivation,
        Event::Approve,
        Event::Delete {
            reason: DeleteReason::Deleted,
        },
        Event::Delete {
            reason: DeleteReason::Disapproved,
        },
        Event::Undelete,
        Event::FailedAttempt,
        Event::ExpireLock,
        Event::Unlock,
        Event::Block,
        Event::Unblock,
        Event::PasswordReset,
        Event::AssignCustomer,
        Event::SignedIn,
        Event::PasswordChanged,
        Event::TemporaryPassword {
            expires_at: now + Duration::hours(1),
        },
        Event::SetAccess { granted: false },
        Event::SetAccess { granted: true },
        Event::SetAccessExpiry {
            until: Some(now + Duration::days(7)),
        },
        Event::SetEmailValidated { validated: false },
        Event::FailuresCounted { count: 5 },
    ]
}

/// What each effect leaves in the outbox: (recipient is the account's
/// address or the app's logout address, template key).
fn outbox_of(effects: &[Effect], has_password: bool) -> Vec<(bool, &'static str)> {
    let mut out = Vec::new();
    for effect in effects {
        match effect {
            Effect::SendActivation => out.push((true, "activation")),
            Effect::SendApproved if has_password => out.push((true, "approved")),
            Effect::SendApproved => out.push((true, "welcome")),
            Effect::SendLocked => out.push((true, "account_locked")),
            Effect::SendPasswordChanged => out.push((true, "password_changed")),
            Effect::RevokeSessions => out.push((false, "oidc_backchannel_logout")),
            Effect::CreateCustomer => {}
        }
    }
    out.sort();
    out
}

/// An account in `state` with a customer if the state says so, a portal
/// session and a live grant of an app that takes back-channel logouts.
async fn account_in(
    app: &App,
    site_id: Uuid,
    client_id: Uuid,
    state: &AccountState,
    has_password: bool,
    n: usize,
    now: OffsetDateTime,
) -> Uuid {
    let mut tx = app.store.begin().await.unwrap();
    let email = format!("walk{n}@example.org");
    let customer_id = if state.has_customer {
        let customer = Customer {
            id: Uuid::now_v7(),
            fields: CustomerFields {
                first_name: "Ada".into(),
                last_name: format!("Walk {n}"),
                email: Some(email.clone()),
                ..CustomerFields::default()
            },
            created_at: now,
            updated_at: now,
        };
        tx.insert_customer(&customer).await.unwrap();
        Some(customer.id)
    } else {
        None
    };
    let account = Account {
        id: Uuid::now_v7(),
        site_id,
        customer_id,
        login_id: email.clone(),
        email,
        password_hash: has_password.then(|| "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
        role: AccountRole::Customer,
        state: state.clone(),
        deleted_at: state.deleted.map(|_| now),
        first_name: "Ada".into(),
        last_name: format!("Walk {n}"),
        company: None,
        language: None,
        registered_at: now,
        verified_at: None,
        approved_at: None,
        last_login_at: None,
        version: 0,
    };
    tx.insert_account(&account).await.unwrap();
    tx.insert_session(&Session {
        token_hash: format!("session of {n}").into_bytes(),
        owner: SessionOwner::Account(account.id),
        impersonator_id: None,
        csrf_token: "csrf".into(),
        created_at: now,
        last_seen_at: now,
        idle_expires_at: now + Duration::hours(1),
        absolute_expires_at: now + Duration::hours(8),
        ip: None,
        user_agent: None,
        sid: None,
        amr: None,
    })
    .await
    .unwrap();
    tx.insert_grant(&Grant {
        id: Uuid::now_v7(),
        client_id,
        account_id: Some(account.id),
        scopes: vec!["openid".into()],
        auth_time: now,
        created_at: now,
        revoked_at: None,
        sid: None,
        amr: None,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    account.id
}

both_engines! {
    async fn every_event_from_every_status_does_exactly_what_the_domain_declares(db: TestDb) {
        let app = App {
            hasher: Hasher::with_workers(1),
            ..App::new(db.store().await)
        };
        sites::ensure_default_site(&app).await.unwrap();
        // Whole seconds: the store keeps milliseconds, and the states built
        // here are compared with the ones read back.
        let now = OffsetDateTime::from_unix_timestamp(OffsetDateTime::now_utc().unix_timestamp()).unwrap();
        let mut tx = app.store.begin().await.unwrap();
        let site = tx.site_by_key("main").await.unwrap().unwrap();
        let client = Client {
            id: Uuid::now_v7(),
            site_id: site.id,
            client_id: "walker".into(),
            name: "Walker".into(),
            client_type: gatehouse_domain::oidc::ClientType::Confidential,
            secret_hash: Some(vec![0; 32]),
            redirect_uris: vec!["https://rp.example.org/cb".into()],
            post_logout_redirect_uris: vec![],
            first_party: true,
            backchannel_logout_uri: Some(LOGOUT_URI.into()),
            scopes: vec!["openid".into()],
            signing_alg: gatehouse_domain::oidc::SigningAlg::Es256,
            grant_types: gatehouse_domain::oidc::GrantType::DEFAULT.to_vec(),
            resources: vec![],
            backchannel_logout_session_required: false,
            require_two_steps: false,
            created_at: now,
            updated_at: now,
        };
        tx.insert_client(&client).await.unwrap();
        tx.commit().await.unwrap();

        let mut n = 0;
        let mut walked = (0, 0);
        for (label, state, has_password) in states(now) {
            for event in events(now) {
                n += 1;
                let id = account_in(&app, site.id, client.id, &state, has_password, n, now).await;
                let case = format!("{} when {label}", event.name());
                let declared = decide(&state, event, &site.settings, now);

                let mut tx = app.store.begin().await.unwrap();
                let mut account = tx.account_by_id(id).await.unwrap().unwrap();
                let before = account.clone();
                let done = lifecycle::apply(&app, tx.as_mut(), &site, &mut account, event, now).await;
                match (&declared, done) {
                    (Ok(decision), Ok(effects)) => {
                        assert_eq!(effects, decision.effects, "{case}: the effects performed");
                        assert_eq!(account.state, decision.state, "{case}: the state");
                        tx.save_account(&account).await.unwrap();
                        walked.0 += 1;
                    }
                    (Err(refusal), Err(AppError::Refused(got))) => {
                        assert_eq!(&got, refusal, "{case}: the refusal");
                        assert_eq!(account, before, "{case}: a refusal changes nothing in memory");
                        walked.1 += 1;
                    }
                    (declared, done) => panic!("{case}: declared {declared:?}, done {done:?}"),
                }
                // Committed even after a refusal: whatever it wrote would stay.
                tx.commit().await.unwrap();

                let effects = declared.as_ref().map(|d| d.effects.clone()).unwrap_or_default();
                let revoked = effects.contains(&Effect::RevokeSessions);
                let mut tx = app.store.read().await.unwrap();
                let stored = tx.account_by_id(id).await.unwrap().unwrap();
                let expected_state = declared.as_ref().map_or(&state, |d| &d.state);
                assert_eq!(&stored.state.status(now), &expected_state.status(now), "{case}: the stored status");
                let sessions = tx.list_account_sessions(id).await.unwrap();
                assert_eq!(sessions.is_empty(), revoked, "{case}: the session ended iff declared");
                let grants = tx.live_account_grants(id).await.unwrap();
                assert_eq!(grants.is_empty(), revoked, "{case}: the app grant ended iff declared");
                let mut queued: Vec<(bool, String)> = tx
                    .outbox_to(&[stored.email.clone(), LOGOUT_URI.to_string()], 50)
                    .await
                    .unwrap()
                    .into_iter()
                    .filter(|m| {
                        // Mail to the account, or a logout notice naming it.
                        m.mail.recipient == stored.email
                            || (m.mail.recipient == LOGOUT_URI && m.mail.body_text.contains(&id.to_string()))
                    })
                    .map(|m| (m.mail.recipient == stored.email, m.mail.template_key))
                    .collect();
                queued.sort();
                let expected: Vec<(bool, String)> = outbox_of(&effects, has_password)
                    .into_iter()
                    .map(|(to_account, key)| (to_account, key.to_string()))
                    .collect();
                assert_eq!(queued, expected, "{case}: the outbox holds exactly the declared mail and notices");
                let made = before.customer_id.is_none() && stored.customer_id.is_some();
                assert_eq!(made, effects.contains(&Effect::CreateCustomer), "{case}: a customer made iff declared");
                if let Some(customer) = stored.customer_id.filter(|_| made) {
                    assert!(tx.customer_by_id(customer).await.unwrap().is_some(), "{case}: the customer exists");
                }
            }
        }
        // Both sides of the table were walked.
        println!("allowed and refused: {walked:?}");
        assert!(walked.0 > 0 && walked.1 > 0, "allowed and refused: {walked:?}");
    }
}

/// The one writer stays the one: no source file of the app or the web layer
/// but `lifecycle.rs` assigns an account's state or one of its facts
/// (`has_customer` aside, which mirrors `customer_id`; an import builds a
/// new state, which is not a change).
#[test]
fn only_the_lifecycle_module_writes_account_state() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut offenders = Vec::new();
    let mut dirs = vec![root.join("app/src"), root.join("web/src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") || path.ends_with("app/src/lifecycle.rs")
            {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                let writes = code.contains(".state = ")
                    || code.split(".state.").skip(1).any(|rest| {
                        let field: String = rest
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        field != "has_customer"
                            && rest[field.len()..].trim_start().starts_with("= ")
                    });
                if writes {
                    offenders.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "account state written outside lifecycle::apply:\n{}",
        offenders.join("\n")
    );
}
