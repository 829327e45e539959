//! The store contract: one suite, run against SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::sync::Arc;

use gatehouse_domain::{
    AccountRole, AccountState, DeleteReason, Lock, SiteSettings, StaffRole, Stage,
};
use gatehouse_store::model::to_ms;
use gatehouse_store::*;
use gatehouse_testkit::{TestDb, both_engines, mail_to};
use sqlx::Connection;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

fn now() -> OffsetDateTime {
    // Whole milliseconds: what the store keeps.
    let t = OffsetDateTime::now_utc();
    model::from_ms(to_ms(t)).unwrap()
}

fn site(key: &str) -> Site {
    Site {
        id: Uuid::now_v7(),
        key: key.into(),
        name: format!("Site {key}"),
        settings: SiteSettings::default(),
        created_at: now(),
    }
}

fn account(site_id: Uuid, login_id: &str) -> Account {
    Account {
        id: Uuid::now_v7(),
        site_id,
        customer_id: None,
        login_id: login_id.into(),
        email: login_id.into(),
        password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
        role: AccountRole::Customer,
        state: AccountState::registered(),
        deleted_at: None,
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        company: Some("Analytical Engines".into()),
        language: Some("en".into()),
        registered_at: now(),
        verified_at: None,
        approved_at: None,
        last_login_at: None,
        version: 1,
    }
}

fn staff(email: &str) -> StaffUser {
    StaffUser {
        id: Uuid::now_v7(),
        email: email.into(),
        password_hash: "$argon2id$x".into(),
        role: StaffRole::Admin,
        totp_secret: None,
        active: true,
        created_at: now(),
        last_login_at: None,
    }
}

async fn with_site_in(tx: &mut dyn Tx, key: &str) -> Uuid {
    let s = site(key);
    tx.insert_site(&s).await.unwrap();
    s.id
}

async fn with_site(store: &DynStore, key: &str) -> Site {
    let s = site(key);
    let mut tx = store.begin().await.unwrap();
    tx.insert_site(&s).await.unwrap();
    tx.commit().await.unwrap();
    s
}

both_engines! {
    async fn accounts_are_listed_by_their_derived_status_and_search(db: TestDb) {
        use gatehouse_domain::Status;
        let store = db.store().await;
        let main = with_site(&store, "main").await;
        let t = now();
        let make = |login: &str, f: &dyn Fn(&mut Account)| {
            let mut a = account(main.id, login);
            f(&mut a);
            a
        };
        let accounts = vec![
            make("unverified@example.com", &|_| {}),
            make("pending@example.com", &|a| a.state.stage = Stage::Pending),
            make("active@example.com", &|a| a.state.stage = Stage::Active),
            make("expired-lock@example.com", &|a| { a.state.stage = Stage::Active; a.state.lock = Some(Lock::Temporary { until: t - Duration::seconds(1) }); }),
            make("locked@example.com", &|a| a.state.lock = Some(Lock::Temporary { until: t + Duration::minutes(5) })),
            make("perm@example.com", &|a| a.state.lock = Some(Lock::Permanent)),
            make("blocked@example.com", &|a| { a.state.blocked = true; a.state.lock = Some(Lock::Permanent); }),
            make("deleted@example.com", &|a| { a.state.blocked = true; a.state.deleted = Some(DeleteReason::Deleted); }),
            make("100%_sure@example.com", &|a| { a.state.stage = Stage::Active; a.company = Some("O'Brien & Co".into()); }),
        ];
        let mut tx = store.begin().await.unwrap();
        for a in &accounts {
            tx.insert_account(a).await.unwrap();
        }
        tx.commit().await.unwrap();
        let mut tx = store.read().await.unwrap();
        for status in Status::ALL {
            let filter = AccountFilter { status: Some(status), ..AccountFilter::default() };
            let listed = tx.list_accounts(&filter, t, 100, 0).await.unwrap();
            let expected: Vec<&str> = accounts.iter().filter(|a| a.state.status(t) == status).map(|a| a.login_id.as_str()).collect();
            let mut got: Vec<&str> = listed.iter().map(|a| a.login_id.as_str()).collect();
            got.sort_unstable();
            let mut want = expected.clone();
            want.sort_unstable();
            assert_eq!(got, want, "SQL and the domain agree on {status}");
            assert_eq!(tx.count_accounts(&filter, t).await.unwrap(), want.len() as i64);
        }
        let by_status = tx.count_accounts_by_status(&AccountFilter::default(), t).await.unwrap();
        let per_domain: Vec<(Status, i64)> = Status::ALL
            .into_iter()
            .map(|s| (s, accounts.iter().filter(|a| a.state.status(t) == s).count() as i64))
            .collect();
        assert_eq!(by_status, per_domain, "one GROUP BY agrees with the domain on every status");
        let find = |q: &str| AccountFilter { search: Some(q.into()), ..AccountFilter::default() };
        assert_eq!(tx.count_accounts(&find("100%"), t).await.unwrap(), 1, "% is literal");
        assert_eq!(tx.count_accounts(&find("_sure"), t).await.unwrap(), 1, "_ is literal");
        assert_eq!(tx.count_accounts(&find("o'brien"), t).await.unwrap(), 1, "quotes and case");
        assert_eq!(tx.count_accounts(&find("%"), t).await.unwrap(), 1);
        assert_eq!(tx.count_accounts(&AccountFilter::default(), t).await.unwrap(), 9);
        let page = tx.list_accounts(&AccountFilter::default(), t, 4, 8).await.unwrap();
        assert_eq!(page.len(), 1, "offset and limit page the list");
        let other = AccountFilter { site_id: Some(Uuid::now_v7()), ..AccountFilter::default() };
        assert_eq!(tx.count_accounts(&other, t).await.unwrap(), 0);
    }

    async fn migrations_run_again_without_harm(db: TestDb) {
        let store = db.store().await;
        store.migrate().await.unwrap();
        store.ping().await.unwrap();
        assert_eq!(store.engine(), db.engine);
    }

    async fn sites_keep_their_settings_and_keys_are_unique(db: TestDb) {
        let store = db.store().await;
        let mut s = site("main");
        s.settings.approval_required = true;
        s.settings.base_url = Some("https://portal.example.com".into());
        let mut tx = store.begin().await.unwrap();
        tx.insert_site(&s).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.read().await.unwrap();
        assert_eq!(tx.site_by_key("main").await.unwrap(), Some(s.clone()));
        assert_eq!(tx.site_by_id(s.id).await.unwrap(), Some(s.clone()));
        assert_eq!(tx.site_by_key("other").await.unwrap(), None);
        drop(tx);

        let mut tx = store.begin().await.unwrap();
        let err = tx.insert_site(&site("main")).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
        drop(tx);

        let mut changed = s.settings.clone();
        changed.max_failed_attempts = 9;
        let mut tx = store.begin().await.unwrap();
        tx.update_site_settings(s.id, &changed).await.unwrap();
        assert!(matches!(tx.update_site_settings(Uuid::now_v7(), &changed).await, Err(StoreError::NotFound)));
        tx.commit().await.unwrap();
        let mut tx = store.read().await.unwrap();
        assert_eq!(tx.list_sites().await.unwrap()[0].settings.max_failed_attempts, 9);
    }

    async fn a_transaction_dropped_without_commit_leaves_nothing(db: TestDb) {
        let store = db.store().await;
        let mut tx = store.begin().await.unwrap();
        tx.insert_site(&site("gone")).await.unwrap();
        drop(tx);
        let mut tx = store.read().await.unwrap();
        assert_eq!(tx.site_by_key("gone").await.unwrap(), None);
    }

    async fn login_ids_are_unique_per_site_without_regard_to_case(db: TestDb) {
        let store = db.store().await;
        let main = with_site(&store, "main").await;
        let shop = with_site(&store, "shop").await;
        let a = account(main.id, "Ada@Example.com");
        let mut tx = store.begin().await.unwrap();
        tx.insert_account(&a).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.begin().await.unwrap();
        let err = tx.insert_account(&account(main.id, "ada@example.COM")).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
        drop(tx);

        // The same login ID on another site is another account.
        let mut tx = store.begin().await.unwrap();
        tx.insert_account(&account(shop.id, "ada@example.com")).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.read().await.unwrap();
        let found = tx.account_by_login_id(main.id, "ADA@example.com").await.unwrap().unwrap();
        assert_eq!(found, a);
        assert_eq!(tx.account_by_id(a.id).await.unwrap(), Some(a));
    }

    async fn many_rows_go_in_whole_and_read_back_as_written(db: TestDb) {
        // Enough rows that PostgreSQL takes them as one COPY, with values
        // its text format reads specially (tab, newline, backslash, "\N").
        let store = db.store().await;
        let main = with_site(&store, "main").await;
        let awkward = ["tab\there", "line\nbreak", "back\\slash", "\\N", "cr\rlf", "Zoë 山田 🙂", ""];
        let customers: Vec<Customer> = (0..150).map(|i| Customer {
            id: Uuid::now_v7(),
            fields: CustomerFields {
                first_name: awkward[i % awkward.len()].into(),
                last_name: format!("Row {i}"),
                notes: (i % 3 == 0).then(|| awkward[(i + 1) % awkward.len()].to_string()),
                email: (i % 2 == 0).then(|| format!("row{i}@example.com")),
                notifications: i % 2 == 0,
                ..CustomerFields::default()
            },
            created_at: now(),
            updated_at: now(),
        }).collect();
        let accounts: Vec<Account> = customers.iter().enumerate().map(|(i, c)| {
            let mut a = Account {
                customer_id: Some(c.id),
                password_hash: (i % 2 == 0).then(|| format!("hash\t{}", awkward[i % awkward.len()])),
                last_login_at: (i % 4 == 0).then(now),
                ..account(main.id, &format!("Row{i}@Example.com"))
            };
            a.state.has_customer = true;
            a
        }).collect();
        let mut tx = store.begin().await.unwrap();
        tx.insert_customers(&customers).await.unwrap();
        tx.insert_accounts(&accounts).await.unwrap();
        // Within the transaction, the new login IDs are taken, in any case.
        let asked = ["row7@example.com".to_string(), "ROW149@EXAMPLE.COM".into(), "row150@example.com".into()];
        let mut taken = tx.taken_login_ids(main.id, &asked).await.unwrap();
        taken.sort();
        assert_eq!(taken, ["row149@example.com", "row7@example.com"]);
        tx.commit().await.unwrap();
        let mut tx = store.read().await.unwrap();
        for (c, a) in customers.iter().zip(&accounts) {
            assert_eq!(tx.customer_by_id(c.id).await.unwrap().as_ref(), Some(c));
            assert_eq!(tx.account_by_id(a.id).await.unwrap().as_ref(), Some(a));
        }
        drop(tx);

        // One taken login ID among many: a conflict, and none of them is added.
        let mut clash: Vec<Account> = (0..100).map(|i| account(main.id, &format!("new{i}@example.com"))).collect();
        clash[60] = account(main.id, "ROW3@example.com");
        let mut tx = store.begin().await.unwrap();
        let refused = tx.insert_accounts(&clash).await;
        assert!(matches!(&refused, Err(StoreError::Conflict(_))), "{refused:?}");
        drop(tx);
        let mut tx = store.read().await.unwrap();
        assert_eq!(tx.account_by_id(clash[0].id).await.unwrap(), None);
        assert_eq!(tx.taken_login_ids(main.id, &["new0@example.com".into()]).await.unwrap(), Vec::<String>::new());
    }

    async fn concurrent_duplicate_registrations_create_one_account(db: TestDb) {
        let store = db.store().await;
        let main = with_site(&store, "main").await;
        let mut tasks = Vec::new();
        for i in 0..8 {
            let store = Arc::clone(&store);
            let login = if i % 2 == 0 { "twin@example.com" } else { "TWIN@example.com" };
            let a = account(main.id, login);
            tasks.push(tokio::spawn(async move {
                let mut tx = store.begin().await?;
                tx.insert_account(&a).await?;
                tx.commit().await
            }));
        }
        let mut ok = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(()) => ok += 1,
                Err(StoreError::Conflict(_)) => {}
                Err(e) => panic!("unexpected {e:?}"),
            }
        }
        assert_eq!(ok, 1);
    }

    async fn account_state_round_trips_and_stale_writes_are_refused(db: TestDb) {
        let store = db.store().await;
        let main = with_site(&store, "main").await;
        let a = account(main.id, "ada@example.com");
        let mut tx = store.begin().await.unwrap();
        tx.insert_account(&a).await.unwrap();
        tx.commit().await.unwrap();

        let t = now();
        let mut changed = a.clone();
        changed.state = AccountState {
            stage: Stage::Pending,
            lock: Some(Lock::Temporary { until: t + Duration::minutes(15) }),
            failed_attempts: 5,
            blocked: true,
            deleted: Some(DeleteReason::Disapproved),
            email_validated: true,
            has_customer: false,
            access_granted: false,
            access_expires_at: Some(t + Duration::days(30)),
            password_expires_at: Some(t),
        };
        changed.deleted_at = Some(t);
        changed.verified_at = Some(t);
        changed.role = AccountRole::CustomerManager;
        let mut tx = store.begin().await.unwrap();
        let v = tx.save_account(&changed).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(v, a.version + 1);

        let mut tx = store.read().await.unwrap();
        let back = tx.account_by_id(a.id).await.unwrap().unwrap();
        drop(tx);
        assert_eq!(back, Account { version: v, ..changed.clone() });

        // A write based on the old version loses.
        let mut tx = store.begin().await.unwrap();
        assert!(matches!(tx.save_account(&changed).await, Err(StoreError::Stale)));
        drop(tx);

        let mut permanent = back.clone();
        permanent.state.lock = Some(Lock::Permanent);
        let mut tx = store.begin().await.unwrap();
        tx.save_account(&permanent).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.read().await.unwrap();
        assert_eq!(tx.account_by_id(a.id).await.unwrap().unwrap().state.lock, Some(Lock::Permanent));
    }

    async fn failed_attempts_count_atomically_under_concurrency(db: TestDb) {
        let store = db.store().await;
        let main = with_site(&store, "main").await;
        let a = account(main.id, "ada@example.com");
        let mut tx = store.begin().await.unwrap();
        tx.insert_account(&a).await.unwrap();
        tx.commit().await.unwrap();

        let mut tasks = Vec::new();
        for _ in 0..20 {
            let store = Arc::clone(&store);
            tasks.push(tokio::spawn(async move {
                let mut tx = store.begin().await.unwrap();
                let n = tx.record_failed_attempt(a.id).await.unwrap().unwrap();
                tx.commit().await.unwrap();
                n
            }));
        }
        let mut seen = Vec::new();
        for t in tasks {
            seen.push(t.await.unwrap());
        }
        seen.sort_unstable();
        assert_eq!(seen, (1..=20).collect::<Vec<u32>>(), "each attempt saw its own count");
        let mut tx = store.begin().await.unwrap();
        assert_eq!(tx.record_failed_attempt(Uuid::now_v7()).await.unwrap(), None);
    }

    async fn link_tokens_are_single_use_and_expire(db: TestDb) {
        let store = db.store().await;
        let main = with_site(&store, "main").await;
        let a = account(main.id, "ada@example.com");
        let t = now();
        let token = |hash: u8, ttl: i64| LinkToken {
            token_hash: vec![hash; 32],
            purpose: LinkPurpose::Activation,
            account_id: Some(a.id),
            staff_id: None,
            created_at: t,
            expires_at: t + Duration::seconds(ttl),
        };
        let mut tx = store.begin().await.unwrap();
        tx.insert_account(&a).await.unwrap();
        tx.insert_link_token(&token(1, 60)).await.unwrap();
        tx.insert_link_token(&token(2, 1)).await.unwrap();
        tx.insert_link_token(&token(3, 60)).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.begin().await.unwrap();
        // Peeking leaves it usable.
        assert!(tx.peek_link_token(&[1; 32], LinkPurpose::Activation, t).await.unwrap().is_some());
        assert!(tx.peek_link_token(&[1; 32], LinkPurpose::StaffSetup, t).await.unwrap().is_none());
        // Wrong purpose: not consumed.
        assert_eq!(tx.consume_link_token(&[1; 32], LinkPurpose::PasswordReset, t).await.unwrap(), None);
        let used = tx.consume_link_token(&[1; 32], LinkPurpose::Activation, t).await.unwrap().unwrap();
        assert_eq!(used.account_id, Some(a.id));
        assert_eq!(tx.consume_link_token(&[1; 32], LinkPurpose::Activation, t).await.unwrap(), None, "single use");
        assert!(tx.peek_link_token(&[1; 32], LinkPurpose::Activation, t).await.unwrap().is_none());
        // Expired.
        assert_eq!(tx.consume_link_token(&[2; 32], LinkPurpose::Activation, t + Duration::seconds(1)).await.unwrap(), None);
        // Voided.
        assert_eq!(tx.void_link_tokens(Some(a.id), LinkPurpose::Activation, t).await.unwrap(), 2);
        assert_eq!(tx.consume_link_token(&[3; 32], LinkPurpose::Activation, t).await.unwrap(), None);
        tx.commit().await.unwrap();
    }

    async fn sessions_are_found_by_hash_and_revoked_per_account(db: TestDb) {
        let store = db.store().await;
        let main = with_site(&store, "main").await;
        let a = account(main.id, "ada@example.com");
        let t = now();
        let session = |hash: u8| Session {
            token_hash: vec![hash; 32],
            owner: SessionOwner::Account(a.id),
            impersonator_id: None,
            csrf_token: format!("csrf-{hash}"),
            created_at: t,
            last_seen_at: t,
            idle_expires_at: t + Duration::minutes(30),
            absolute_expires_at: t + Duration::hours(12),
            ip: Some("127.0.0.1".into()),
            user_agent: Some("test".into()),
            sid: Some(format!("sid-{hash}")),
            amr: Some("pwd otp mfa".into()),
        };
        let mut tx = store.begin().await.unwrap();
        tx.insert_account(&a).await.unwrap();
        for h in 1..=3 {
            tx.insert_session(&session(h)).await.unwrap();
        }
        tx.commit().await.unwrap();

        let mut tx = store.begin().await.unwrap();
        assert_eq!(tx.session_by_hash(&[2; 32]).await.unwrap(), Some(session(2)));
        tx.touch_session(&[2; 32], t + Duration::minutes(1), t + Duration::minutes(31)).await.unwrap();
        assert_eq!(tx.session_by_hash(&[2; 32]).await.unwrap().unwrap().idle_expires_at, t + Duration::minutes(31));
        assert_eq!(tx.delete_account_sessions(a.id, Some(&[2; 32])).await.unwrap(), 2);
        assert!(tx.session_by_hash(&[2; 32]).await.unwrap().is_some());
        assert!(tx.delete_session(&[2; 32]).await.unwrap());
        assert!(!tx.delete_session(&[2; 32]).await.unwrap());
        tx.commit().await.unwrap();
    }

    async fn staff_emails_are_unique_without_regard_to_case(db: TestDb) {
        let store = db.store().await;
        let s = staff("Admin@Example.com");
        let mut tx = store.begin().await.unwrap();
        assert_eq!(tx.count_staff().await.unwrap(), 0);
        tx.insert_staff(&s).await.unwrap();
        assert!(matches!(tx.insert_staff(&staff("admin@example.com")).await, Err(StoreError::Conflict(_))));
        drop(tx);
        let mut tx = store.begin().await.unwrap();
        tx.insert_staff(&s).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.read().await.unwrap();
        assert_eq!(tx.count_staff().await.unwrap(), 1);
        assert_eq!(tx.staff_by_email("ADMIN@example.com").await.unwrap(), Some(s.clone()));
        assert_eq!(tx.staff_by_id(s.id).await.unwrap(), Some(s));
    }

    async fn api_tokens_are_found_by_hash(db: TestDb) {
        let store = db.store().await;
        let s = staff("admin@example.com");
        let token = ApiToken {
            id: Uuid::now_v7(),
            staff_id: s.id,
            name: "erp".into(),
            token_hash: vec![7; 32],
            scopes: "read write".into(),
            created_at: now(),
            expires_at: None,
            last_used_at: None,
            revoked_at: None,
        };
        let mut tx = store.begin().await.unwrap();
        tx.insert_staff(&s).await.unwrap();
        tx.insert_api_token(&token).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.read().await.unwrap();
        assert_eq!(tx.api_token_by_hash(&[7; 32]).await.unwrap(), Some(token));
        assert_eq!(tx.api_token_by_hash(&[8; 32]).await.unwrap(), None);
    }

    async fn companies_are_records_their_customers_follow_their_name(db: TestDb) {
        let store = db.store().await;
        let company = |name: &str, external: Option<&str>| Company {
            id: Uuid::now_v7(),
            name: name.into(),
            external_id: external.map(str::to_string),
            address: None,
            notes: String::new(),
            created_at: now(),
            updated_at: now(),
        };
        let engines = company("Engines Ltd.", Some("ERP-1"));
        let looms = company("Jacquard Looms", None);
        let empty = company("Nobody GmbH", None);
        let member = |first: &str, co: &Company| Customer {
            id: Uuid::now_v7(),
            fields: CustomerFields { first_name: first.into(), company: Some(co.name.clone()), company_id: Some(co.id), ..CustomerFields::default() },
            created_at: now(),
            updated_at: now(),
        };
        let ada = member("Ada", &engines);
        let charles = member("Charles", &engines);
        let joseph = member("Joseph", &looms);
        let mut tx = store.begin().await.unwrap();
        for c in [&engines, &looms, &empty] {
            tx.insert_company(c).await.unwrap();
        }
        tx.insert_customers(&[ada.clone(), charles.clone()]).await.unwrap();
        tx.insert_customer(&joseph).await.unwrap();
        let account = Account { customer_id: Some(ada.id), ..account(with_site_in(tx.as_mut(), "main").await, "ada@example.com") };
        tx.insert_account(&account).await.unwrap();
        tx.commit().await.unwrap();

        // One company per name key, one per external ID.
        for clash in [company("ENGINES LTD", None), company("Other", Some("ERP-1"))] {
            let mut tx = store.begin().await.unwrap();
            let refused = tx.insert_company(&clash).await;
            assert!(matches!(&refused, Err(StoreError::Conflict(_))), "{refused:?}");
            if clash.external_id.is_some() {
                assert!(matches!(&refused, Err(StoreError::Conflict(what)) if what.contains("external_id")), "{refused:?}");
            }
        }
        let mut tx = store.read().await.unwrap();
        assert_eq!(tx.company_by_key("engines ltd").await.unwrap(), Some(engines.clone()));
        let listed = tx.list_companies(None, 10, 0).await.unwrap();
        let counts: Vec<(&str, i64, i64)> = listed.iter().map(|c| (c.company.name.as_str(), c.customers, c.accounts)).collect();
        assert_eq!(counts, [("Engines Ltd.", 2, 1), ("Jacquard Looms", 1, 0), ("Nobody GmbH", 0, 0)]);
        let found = tx.list_companies(Some("loom"), 10, 0).await.unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(tx.count_companies(Some("erp-1")).await.unwrap(), 1, "the external ID is searched too");
        assert_eq!(tx.count_companies(None).await.unwrap(), 3);
        // The customer list finds a company's people by part of its name or by its ID.
        let t = now();
        let page = CustomerPage { sort: CustomerSort::FirstName, descending: false, limit: 10, offset: 0 };
        for filter in [
            CustomerFilter { company: Some("gines".into()), ..CustomerFilter::default() },
            CustomerFilter { company_id: Some(engines.id), ..CustomerFilter::default() },
        ] {
            for broad in [false, true] {
                let names: Vec<String> = tx.list_customers(&filter, &page, broad, t).await.unwrap().into_iter().map(|c| c.fields.first_name).collect();
                assert_eq!(names, ["Ada", "Charles"], "{filter:?} broad={broad}");
            }
        }
        drop(tx);

        // A new name is written into its customers' records and search text.
        let mut tx = store.begin().await.unwrap();
        let renamed = Company { name: "Analytical Engines".into(), updated_at: now(), ..engines.clone() };
        tx.update_company(&renamed).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.read().await.unwrap();
        assert_eq!(tx.customer_by_id(charles.id).await.unwrap().unwrap().fields.company.as_deref(), Some("Analytical Engines"));
        let searched = tx.list_customers(&CustomerFilter { search: Some("analytical".into()), ..CustomerFilter::default() }, &page, false, t).await.unwrap();
        assert_eq!(searched.len(), 2);
        assert_eq!(tx.customer_by_id(joseph.id).await.unwrap().unwrap().fields.company.as_deref(), Some("Jacquard Looms"), "other companies' people are untouched");
        drop(tx);

        // A company with customers cannot be deleted; an empty one can.
        let mut tx = store.begin().await.unwrap();
        assert!(matches!(tx.delete_company(looms.id).await, Err(StoreError::Referenced(_))));
        drop(tx);
        let mut tx = store.begin().await.unwrap();
        tx.delete_company(empty.id).await.unwrap();
        assert!(matches!(tx.delete_company(empty.id).await, Err(StoreError::NotFound)));
        tx.commit().await.unwrap();
    }

    async fn a_search_finds_the_whole_needle_not_its_pieces(db: TestDb) {
        // SQLite asks its index for the needle's rarest trigrams and checks
        // the rows for the whole needle; a row holding only the pieces must
        // not come back, on either engine, on any path.
        let store = db.store().await;
        // "Lovel Elace" holds every trigram of "lovelace", but not the word.
        let people = [("Ada", "Lovelace"), ("Ovela", "Lacroix"), ("Grace", "Hopper"), ("Love", "Lace"), ("Lovel", "Elace")];
        let customers: Vec<Customer> = people.iter().map(|(first, last)| Customer {
            id: Uuid::now_v7(),
            fields: CustomerFields { first_name: first.to_string(), last_name: last.to_string(), ..CustomerFields::default() },
            created_at: now(),
            updated_at: now(),
        }).collect();
        let mut tx = store.begin().await.unwrap();
        tx.insert_customers(&customers).await.unwrap();
        tx.commit().await.unwrap();
        let t = now();
        let page = CustomerPage { sort: CustomerSort::LastName, descending: false, limit: 10, offset: 0 };
        let mut tx = store.read().await.unwrap();
        for (needle, want) in [("lovelace", vec!["Lovelace"]), ("LACE", vec!["Elace", "Lace", "Lovelace"]), ("ovela l", vec!["Lacroix"]), ("zzz", vec![])] {
            let filter = CustomerFilter { search: Some(needle.into()), ..CustomerFilter::default() };
            for broad in [false, true] {
                let found: Vec<String> = tx.list_customers(&filter, &page, broad, t).await.unwrap().into_iter().map(|c| c.fields.last_name).collect();
                assert_eq!(found, want, "{needle} broad={broad}");
            }
            assert_eq!(tx.count_customers(&filter, t, Some(2000)).await.unwrap(), want.len() as i64, "{needle}");
            let streamed = tx.customers_after(&filter, None, 10, t).await.unwrap();
            assert_eq!(streamed.len(), want.len(), "{needle}");
        }
    }

    async fn countries_typed_as_names_become_codes(db: TestDb) {
        let store = db.store().await;
        let typed = [Some("Germany"), Some(" deutschland "), Some("Österreich"), Some("fr"), Some("Atlantis"), None];
        let customers: Vec<Customer> = typed.iter().map(|country| Customer {
            id: Uuid::now_v7(),
            fields: CustomerFields { first_name: "Ada".into(), country: country.map(str::to_string), ..CustomerFields::default() },
            created_at: now(),
            updated_at: now(),
        }).collect();
        let mut tx = store.begin().await.unwrap();
        for c in &customers {
            tx.insert_customer(c).await.unwrap();
        }
        tx.commit().await.unwrap();
        // What migration 0007 did to the countries stored before it, done
        // again over these.
        let lite = include_str!("../migrations/sqlite/0007_country_codes.sql");
        assert_eq!(lite, include_str!("../migrations/postgres/0007_country_codes.sql"), "one statement for both engines");
        let sql = sqlx::AssertSqlSafe(lite);
        if db.url.starts_with("sqlite") {
            let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
            sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
        } else {
            let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
            sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
        }
        let mut tx = store.read().await.unwrap();
        let mut now_stored = Vec::new();
        for c in &customers {
            now_stored.push(tx.customer_by_id(c.id).await.unwrap().unwrap().fields.country);
        }
        let want: Vec<Option<String>> = [Some("DE"), Some("DE"), Some("AT"), Some("FR"), Some("Atlantis"), None]
            .iter().map(|c| c.map(str::to_string)).collect();
        assert_eq!(now_stored, want);
    }

    async fn groups_with_members_cannot_be_deleted(db: TestDb) {
        let store = db.store().await;
        let g = Group { id: Uuid::now_v7(), name: "Installers".into(), description: "".into(), active: true, created_at: now() };
        let empty = Group { id: Uuid::now_v7(), name: "Empty".into(), description: "none".into(), active: false, created_at: now() };
        let customer = Customer {
            id: Uuid::now_v7(),
            fields: CustomerFields { first_name: "Ada".into(), group_id: Some(g.id), notifications: true, country: Some("DE".into()), ..CustomerFields::default() },
            created_at: now(),
            updated_at: now(),
        };
        let mut tx = store.begin().await.unwrap();
        tx.insert_group(&g).await.unwrap();
        tx.insert_group(&empty).await.unwrap();
        tx.insert_customer(&customer).await.unwrap();
        tx.commit().await.unwrap();
        let listed = store.read().await.unwrap().list_groups().await.unwrap();
        assert_eq!(listed, [empty.clone(), g.clone()], "read back as written, its time included");

        let mut tx = store.begin().await.unwrap();
        assert!(matches!(tx.insert_group(&Group { id: Uuid::now_v7(), ..g.clone() }).await, Err(StoreError::Conflict(_))));
        drop(tx);
        let mut tx = store.begin().await.unwrap();
        assert!(matches!(tx.delete_group(g.id).await, Err(StoreError::Referenced(_))));
        drop(tx);
        let mut tx = store.begin().await.unwrap();
        tx.delete_group(empty.id).await.unwrap();
        assert_eq!(tx.list_groups().await.unwrap(), vec![g]);
        assert_eq!(tx.customer_by_id(customer.id).await.unwrap(), Some(customer));
        tx.commit().await.unwrap();
    }

    async fn outbox_claims_are_leased_and_never_shared(db: TestDb) {
        let store = db.store().await;
        let t = now();
        let mut tx = store.begin().await.unwrap();
        for i in 0..10 {
            let mail = mail_to(format!("r{i}@example.com"));
            tx.enqueue_mail(Uuid::now_v7(), &mail, t).await.unwrap();
        }
        tx.commit().await.unwrap();

        // Two workers claim at once: no message goes to both.
        let lease = t + Duration::minutes(5);
        let claim = |store: DynStore| async move {
            let mut tx = store.begin().await.unwrap();
            let got = tx.claim_mail(t, lease, 6).await.unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            tx.commit().await.unwrap();
            got.into_iter().map(|m| m.id).collect::<Vec<_>>()
        };
        let (a, b) = tokio::join!(claim(Arc::clone(&store)), claim(Arc::clone(&store)));
        let mut all: Vec<_> = a.iter().chain(b.iter()).copied().collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), a.len() + b.len(), "a message was claimed twice");
        assert_eq!(all.len(), 10);

        // Leased: nothing more to claim until the lease ends.
        let mut tx = store.begin().await.unwrap();
        assert!(tx.claim_mail(t, lease, 10).await.unwrap().is_empty());
        tx.mark_mail_sent(a[0], t).await.unwrap();
        tx.mark_mail_failed(b[0], "550 no such user", None).await.unwrap();
        tx.mark_mail_failed(b[1], "connection refused", Some(t + Duration::minutes(1))).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.begin().await.unwrap();
        let again = tx.claim_mail(t + Duration::minutes(6), t + Duration::minutes(11), 20).await.unwrap();
        // Everything but the sent and the failed one comes back after the lease.
        assert_eq!(again.len(), 8);
        assert!(again.iter().all(|m| m.id != a[0] && m.id != b[0]));
        let retried = again.iter().find(|m| m.id == b[1]).unwrap();
        assert_eq!((retried.attempts, retried.last_error.as_deref()), (2, Some("connection refused")));
        tx.commit().await.unwrap();

        let mut tx = store.read().await.unwrap();
        let listed = tx.list_outbox(None, 100).await.unwrap();
        assert_eq!(tx.list_outbox(Some("failed"), 100).await.unwrap().len(), 1);
        let by_id: BTreeMap<_, _> = listed.iter().map(|m| (m.id, m.status.as_str())).collect();
        assert_eq!(by_id[&a[0]], "sent");
        assert_eq!(by_id[&b[0]], "failed");
        drop(tx);
        let mut tx = store.begin().await.unwrap();
        assert!(tx.retry_mail(b[0], t).await.unwrap(), "a failed message can be sent again");
        assert!(!tx.retry_mail(a[0], t).await.unwrap(), "a sent one cannot");
        assert_eq!(tx.outbox_by_id(b[0]).await.unwrap().unwrap().status, "pending");
        tx.commit().await.unwrap();
    }

    async fn audit_events_append_and_list_newest_first(db: TestDb) {
        let store = db.store().await;
        let t = now();
        let mut tx = store.begin().await.unwrap();
        for i in 0..3 {
            tx.append_audit(&AuditEvent {
                id: Uuid::now_v7(),
                at: t + Duration::seconds(i),
                actor: Actor::system("test"),
                action: format!("test.event{i}"),
                target_kind: Some("account".into()),
                target_id: Some(Uuid::now_v7()),
                site_id: None,
                details: serde_json::json!({"n": i}),
                ip: None,
            })
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let mut tx = store.read().await.unwrap();
        let events = tx.list_audit(2).await.unwrap();
        assert_eq!(events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["test.event2", "test.event1"]);
        assert_eq!(events[0].details["n"], 2);
    }

    async fn templates_are_overridden_per_site_key_and_language(db: TestDb) {
        let store = db.store().await;
        let main = with_site(&store, "main").await;
        let mut t = EmailTemplate {
            site_id: main.id,
            key: "activation".into(),
            language: "de".into(),
            subject: "Willkommen".into(),
            body_text: "Hallo {{ name }}".into(),
            body_html: "<p>Hallo {{ name }}</p>".into(),
            updated_at: 1,
        };
        let mut tx = store.begin().await.unwrap();
        tx.upsert_template(&t).await.unwrap();
        t.subject = "Willkommen!".into();
        t.updated_at = 2;
        tx.upsert_template(&t).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.read().await.unwrap();
        assert_eq!(tx.template(main.id, "activation", "de").await.unwrap(), Some(t));
        assert_eq!(tx.template(main.id, "activation", "en").await.unwrap(), None);
        assert_eq!(tx.list_templates(main.id).await.unwrap().len(), 1);
        drop(tx);
        let mut tx = store.begin().await.unwrap();
        assert!(tx.delete_template(main.id, "activation", "de").await.unwrap());
        assert!(!tx.delete_template(main.id, "activation", "de").await.unwrap());
        tx.commit().await.unwrap();
    }
}

both_engines! {
    async fn a_second_step_is_kept_used_once_and_removed_with_its_codes(db: TestDb) {
        let store = db.store().await;
        let main = with_site(&store, "main").await;
        let t = now();
        let ada = account(main.id, "ada@example.com");
        let mut tx = store.begin().await.unwrap();
        tx.insert_account(&ada).await.unwrap();
        assert_eq!(tx.second_step(ada.id).await.unwrap(), None);
        tx.set_totp_pending(ada.id, Some("PENDING")).await.unwrap();
        tx.set_totp_pending(ada.id, Some("PENDING2")).await.unwrap();
        assert!(!tx.turn_off_second_step(ada.id).await.unwrap(), "only being set up: it was not on");
        tx.set_totp_pending(ada.id, Some("PENDING2")).await.unwrap();
        tx.turn_on_totp(ada.id, "PENDING2", t).await.unwrap();
        let kept = tx.second_step(ada.id).await.unwrap().unwrap();
        assert_eq!((kept.totp_secret.as_deref(), kept.totp_pending.as_deref()), (Some("PENDING2"), None));
        assert_eq!(kept.turned_on_at.map(to_ms), Some(to_ms(t)));
        tx.touch_second_step(ada.id, t + Duration::minutes(1)).await.unwrap();
        // Each code's step is accepted once, and never an older one.
        assert!(tx.use_totp_step(ada.id, 100).await.unwrap());
        assert!(!tx.use_totp_step(ada.id, 100).await.unwrap(), "the same step again");
        assert!(!tx.use_totp_step(ada.id, 99).await.unwrap(), "an older step");
        assert!(tx.use_totp_step(ada.id, 101).await.unwrap());
        let grace = staff("grace@example.com");
        tx.insert_staff(&grace).await.unwrap();
        assert!(tx.use_staff_totp_step(grace.id, 7).await.unwrap());
        assert!(!tx.use_staff_totp_step(grace.id, 7).await.unwrap(), "a staff code is good once too");
        let codes: Vec<Vec<u8>> = (0u8..3).map(|i| vec![i; 32]).collect();
        tx.replace_recovery_codes(ada.id, &codes, t).await.unwrap();
        assert!(tx.use_recovery_code(ada.id, &codes[1], t).await.unwrap());
        assert!(!tx.use_recovery_code(ada.id, &codes[1], t).await.unwrap(), "once");
        assert!(!tx.use_recovery_code(ada.id, &[9; 32], t).await.unwrap(), "unknown");
        assert_eq!(tx.recovery_codes_left(ada.id).await.unwrap(), 2);
        // A sign-in half done: found until it expires, ended once.
        let step = SignInStep { token_hash: vec![7; 32], account_id: ada.id, set_up: false, created_at: t, expires_at: t + Duration::minutes(10) };
        tx.insert_sign_in_step(&step).await.unwrap();
        assert_eq!(tx.sign_in_step(&step.token_hash, t).await.unwrap().map(|s| s.set_up), Some(false));
        assert_eq!(tx.sign_in_step(&step.token_hash, step.expires_at).await.unwrap(), None, "expired");
        assert!(tx.delete_sign_in_step(&step.token_hash).await.unwrap());
        assert!(!tx.delete_sign_in_step(&step.token_hash).await.unwrap(), "ended once");
        tx.commit().await.unwrap();

        let mut tx = store.begin().await.unwrap();
        let used = tx.second_step(ada.id).await.unwrap().unwrap();
        assert_eq!(used.last_used_at.map(to_ms), Some(to_ms(t + Duration::minutes(1))));
        assert!(tx.turn_off_second_step(ada.id).await.unwrap());
        assert_eq!(tx.second_step(ada.id).await.unwrap(), None);
        assert_eq!(tx.recovery_codes_left(ada.id).await.unwrap(), 0, "the codes go with it");
        assert!(!tx.turn_off_second_step(ada.id).await.unwrap());
        tx.commit().await.unwrap();
    }
}

both_engines! {
    async fn released_claims_are_due_again_at_once_and_not_counted_as_tries(db: TestDb) {
        let store = db.store().await;
        let t = now();
        let mut tx = store.begin().await.unwrap();
        for i in 0..3 {
            let mail = mail_to(format!("r{i}@example.com"));
            tx.enqueue_mail(Uuid::now_v7(), &mail, t).await.unwrap();
        }
        tx.commit().await.unwrap();
        let lease = t + Duration::minutes(5);
        let mut tx = store.begin().await.unwrap();
        let claimed = tx.claim_mail(t, lease, 10).await.unwrap();
        assert_eq!(claimed.len(), 3);
        tx.mark_mail_sent(claimed[0].id, t).await.unwrap();
        let ids: Vec<Uuid> = claimed.iter().map(|m| m.id).collect();
        // The sent one is not given back; the two others are.
        assert_eq!(tx.release_mail(&ids).await.unwrap(), 2);
        tx.commit().await.unwrap();
        let mut tx = store.begin().await.unwrap();
        let again = tx.claim_mail(t, lease, 10).await.unwrap();
        assert_eq!(again.len(), 2, "due again before the lease ended");
        assert!(again.iter().all(|m| m.attempts == 1), "a released claim is not a try");
        tx.commit().await.unwrap();
    }

    async fn a_commit_that_queued_mail_wakes_delivery_and_a_rollback_does_not(db: TestDb) {
        let store = db.store().await;
        let queued = store.outbox_queued();
        let woken = || async {
            tokio::time::timeout(std::time::Duration::from_millis(200), queued.notified())
                .await
                .is_ok()
        };
        let mut tx = store.begin().await.unwrap();
        tx.enqueue_mail(Uuid::now_v7(), &mail_to("a@example.com"), now())
            .await
            .unwrap();
        drop(tx);
        assert!(!woken().await, "a rolled-back message wakes nobody");
        let mut tx = store.begin().await.unwrap();
        tx.enqueue_mail(Uuid::now_v7(), &mail_to("b@example.com"), now())
            .await
            .unwrap();
        assert!(!woken().await, "not before the commit");
        tx.commit().await.unwrap();
        assert!(woken().await, "the commit wakes the worker");
        let mut tx = store.begin().await.unwrap();
        tx.claim_mail(now(), now(), 10).await.unwrap();
        tx.commit().await.unwrap();
        assert!(!woken().await, "a commit that queued nothing wakes nobody");
    }

    async fn changes_that_can_end_a_session_are_counted_and_reads_are_not(db: TestDb) {
        let store = db.store().await;
        let s = with_site(&store, "main").await;
        let a = account(s.id, "ada@example.com");
        let mut tx = store.begin().await.unwrap();
        tx.insert_account(&a).await.unwrap();
        tx.commit().await.unwrap();
        let before = listening(&store).await;
        let mut tx = store.read().await.unwrap();
        tx.account_by_id(a.id).await.unwrap();
        drop(tx);
        assert_eq!(store.changes_seen(), Some(before), "a read changes nothing");
        let mut tx = store.begin().await.unwrap();
        tx.delete_account_sessions(a.id, None).await.unwrap();
        tx.commit().await.unwrap();
        assert!(store.changes_seen().unwrap() > before, "this node's own write is seen at once");
    }

    async fn the_purge_forgets_codes_tokens_and_grants_that_serve_nobody(db: TestDb) {
        let store = db.store().await;
        let s = with_site(&store, "main").await;
        let a = account(s.id, "ada@example.com");
        let t = now();
        let client = Client {
            id: Uuid::now_v7(), site_id: s.id, client_id: "shop".into(), name: "Shop".into(),
            client_type: gatehouse_domain::oidc::ClientType::Confidential, secret_hash: Some(vec![0; 32]),
            redirect_uris: vec!["https://shop.example/cb".into()], post_logout_redirect_uris: vec![],
            first_party: true, backchannel_logout_uri: None, scopes: vec!["openid".into()],
            signing_alg: gatehouse_domain::oidc::SigningAlg::Es256, created_at: t, updated_at: t,
            grant_types: vec![gatehouse_domain::oidc::GrantType::AuthorizationCode,
                              gatehouse_domain::oidc::GrantType::ClientCredentials],
            resources: vec!["https://api.shop.example/".into()],
            backchannel_logout_session_required: true,
            require_two_steps: true,
        };
        let grant = |made: OffsetDateTime, revoked: Option<OffsetDateTime>| Grant {
            id: Uuid::now_v7(), client_id: client.id, account_id: Some(a.id), scopes: vec!["openid".into()],
            auth_time: made, created_at: made, revoked_at: revoked, sid: Some("s".into()), amr: None,
        };
        let (old, long_ago) = (t - Duration::days(2), t - Duration::days(400));
        let revoked_long_ago = grant(old, Some(old));
        let revoked_now = grant(old, Some(t));
        let forgotten = grant(long_ago, None);
        let held = grant(long_ago, None);
        let recent = grant(t, None);
        let mut tx = store.begin().await.unwrap();
        tx.insert_account(&a).await.unwrap();
        tx.insert_client(&client).await.unwrap();
        // An app reads back as written, its grant types and APIs included.
        assert_eq!(tx.client_by_client_id("shop").await.unwrap().as_ref(), Some(&client));
        for g in [&revoked_long_ago, &revoked_now, &forgotten, &held, &recent] {
            tx.insert_grant(g).await.unwrap();
        }
        let token = |hash: u8, grant_id, expires_at| RefreshToken {
            token_hash: vec![hash; 32], grant_id, created_at: long_ago, expires_at,
            rotated_at: None, successor_hash: None, successor_seal: None,
        };
        tx.insert_refresh_token(&token(1, held.id, t + Duration::days(1))).await.unwrap();
        tx.insert_refresh_token(&token(2, recent.id, t - Duration::seconds(1))).await.unwrap();
        let code = |hash: u8, expires_at| AuthCode {
            code_hash: vec![hash; 32], grant_id: recent.id, redirect_uri: "https://shop.example/cb".into(),
            nonce: None, code_challenge: None, created_at: expires_at, expires_at, used_at: None,
        };
        tx.insert_code(&code(3, t - Duration::hours(2))).await.unwrap();
        tx.insert_code(&code(4, t)).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.begin().await.unwrap();
        let gone = tx.forget_ended_grants(t - Duration::hours(1), t - Duration::days(1), t - Duration::days(366), t)
            .await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(gone, 4, "an old code, an expired token, a grant revoked long ago, an old grant holding nothing");
        let mut tx = store.read().await.unwrap();
        for (g, kept) in [(&revoked_long_ago, false), (&revoked_now, true), (&forgotten, false), (&held, true), (&recent, true)] {
            assert_eq!(tx.grant_by_id(g.id).await.unwrap().is_some(), kept, "{g:?}");
        }
        assert!(tx.refresh_token_by_hash(&[1; 32]).await.unwrap().is_some(), "a live token stays");
        assert!(tx.refresh_token_by_hash(&[2; 32]).await.unwrap().is_none(), "an expired one goes");
        drop(tx);
        let mut tx = store.begin().await.unwrap();
        assert!(tx.redeem_code(&[4; 32], t).await.unwrap().is_some(), "a fresh code stays");
        assert!(tx.redeem_code(&[3; 32], t).await.unwrap().is_none(), "an old one goes");
    }

    async fn a_schema_a_newer_gatehouse_made_is_refused_and_left_alone(db: TestDb) {
        let store = db.store().await;
        let future = 99_990_101_000_000_i64;
        let insert = match store.engine() {
            Engine::Sqlite => "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
                               VALUES ($1, 'from the future', 1, x'00', 0)",
            Engine::Postgres => "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
                                 VALUES ($1, 'from the future', true, '\\x00'::bytea, 0)",
        };
        match store.engine() {
            Engine::Sqlite => {
                let mut c = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
                sqlx::query(insert).bind(future).execute(&mut c).await.unwrap();
            }
            Engine::Postgres => {
                let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
                sqlx::query(insert).bind(future).execute(&mut c).await.unwrap();
            }
        }
        match store.migrate().await {
            Err(StoreError::SchemaTooNew { database, binary }) => {
                assert_eq!(database, future);
                assert!(binary < future && binary > 0);
            }
            other => panic!("a newer schema must be refused, got {other:?}"),
        }
        // Refused before anything ran: the database still serves as it was.
        let s = with_site(&store, "after").await;
        assert_eq!(s.key, "after");
    }

    async fn a_change_about_one_account_leaves_copies_of_others_good(db: TestDb) {
        let store = db.store().await;
        let s = with_site(&store, "main").await;
        let mut ada = account(s.id, "ada@example.com");
        let bob = account(s.id, "bob@example.com");
        let mut tx = store.begin().await.unwrap();
        tx.insert_account(&ada).await.unwrap();
        tx.insert_account(&bob).await.unwrap();
        tx.commit().await.unwrap();
        let read_at = listening(&store).await;
        assert!(store.unchanged_since(read_at, &[ada.id, bob.id]));

        ada.state.blocked = true;
        let mut tx = store.begin().await.unwrap();
        tx.save_account(&ada).await.unwrap();
        tx.commit().await.unwrap();
        assert!(!store.unchanged_since(read_at, &[ada.id]), "the blocked account's copies go at once");
        assert!(!store.unchanged_since(read_at, &[bob.id, ada.id]), "and any copy naming it");
        assert!(store.unchanged_since(read_at, &[bob.id]), "another account's copies stay good");
        let after = store.changes_seen().unwrap();
        assert!(store.unchanged_since(after, &[ada.id]), "a copy read after the change is good");

        // A session is named by its token's hash.
        let (gone, kept) = (session_subject(&[7; 32]), session_subject(&[8; 32]));
        assert_ne!(gone, kept);
        let mut tx = store.begin().await.unwrap();
        tx.delete_session(&[7; 32]).await.unwrap();
        tx.commit().await.unwrap();
        assert!(!store.unchanged_since(after, &[gone]));
        assert!(store.unchanged_since(after, &[kept, bob.id]));

        // A write that no copy holds leaves every copy good; a rolled back
        // change is no change.
        let mut tx = store.begin().await.unwrap();
        tx.insert_account(&account(s.id, "carl@example.com")).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.begin().await.unwrap();
        tx.delete_account_sessions(bob.id, None).await.unwrap();
        drop(tx);
        assert!(store.unchanged_since(after, &[kept, bob.id]));

        // A group's name is in every member's claims: its change is one of
        // everything.
        let g = Group { id: Uuid::now_v7(), name: "Installers".into(), description: "".into(), active: true, created_at: now() };
        let mut tx = store.begin().await.unwrap();
        tx.insert_group(&g).await.unwrap();
        tx.commit().await.unwrap();
        assert!(store.unchanged_since(after, &[bob.id]), "a new group is in nobody's claims yet");
        let mut tx = store.begin().await.unwrap();
        tx.update_group(&Group { name: "Fitters".into(), ..g }).await.unwrap();
        tx.commit().await.unwrap();
        assert!(!store.unchanged_since(after, &[bob.id]));
    }

    async fn changes_to_sites_are_counted_apart_from_accounts(db: TestDb) {
        let store = db.store().await;
        let mut s = with_site(&store, "main").await;
        let a = account(s.id, "ada@example.com");
        listening(&store).await;
        let sites = store.site_changes_seen().unwrap();
        let mut tx = store.begin().await.unwrap();
        tx.insert_account(&a).await.unwrap();
        tx.delete_account_sessions(a.id, None).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(store.site_changes_seen(), Some(sites), "an account's change leaves copies of sites good");
        let all = store.changes_seen().unwrap();
        s.settings.self_registration = !s.settings.self_registration;
        let mut tx = store.begin().await.unwrap();
        tx.update_site_settings(s.id, &s.settings).await.unwrap();
        drop(tx);
        assert_eq!(store.site_changes_seen(), Some(sites), "a change rolled back is no change");
        let mut tx = store.begin().await.unwrap();
        tx.update_site_settings(s.id, &s.settings).await.unwrap();
        tx.commit().await.unwrap();
        assert!(store.site_changes_seen().unwrap() > sites, "a site's change is seen at once");
        assert!(store.changes_seen().unwrap() > all, "and counted among all changes");
    }
}

/// Waits (up to 10 s) until the store hears other nodes (PostgreSQL's
/// listener connects in the background); answers its count of changes.
async fn listening(store: &DynStore) -> u64 {
    for _ in 0..200 {
        if let Some(n) = store.changes_seen() {
            return n;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the store never listened for other nodes");
}

/// Waits (up to 10 s) until `store` has seen more changes than `than`.
async fn sees_more_than(store: &DynStore, than: u64) -> bool {
    for _ in 0..200 {
        if store.changes_seen().is_some_and(|n| n > than) {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    false
}

/// Two nodes on one PostgreSQL database: a change that can end a session,
/// made through one, is heard by the other (which would otherwise keep its
/// copies of reads until their time ran out); a node whose listening
/// connection is cut uses no copies until it listens again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_node_hears_announced_changes_and_a_deaf_node_keeps_no_copies() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let a = db.store().await;
    let b = db.store().await;
    let s = with_site(&a, "main").await;
    let mut acc = account(s.id, "ada@example.com");
    let mut tx = a.begin().await.unwrap();
    tx.insert_account(&acc).await.unwrap();
    tx.commit().await.unwrap();
    let before = listening(&b).await;
    // Inserting an account announces nothing: B's copies stay good.
    // Blocking it (saving the account) is announced.
    acc.state.blocked = true;
    let mut tx = a.begin().await.unwrap();
    tx.save_account(&acc).await.unwrap();
    tx.commit().await.unwrap();
    assert!(
        sees_more_than(&b, before).await,
        "B never heard of the block"
    );
    // What B read before about the blocked account is stale; what it read
    // about anyone else is not.
    assert!(
        !b.unchanged_since(before, &[acc.id]),
        "B's copies of the blocked account go"
    );
    assert!(
        b.unchanged_since(before, &[Uuid::now_v7()]),
        "B's other copies stay good"
    );
    // A change of everything on A (a group renamed) reaches B as one.
    let g = Group {
        id: Uuid::now_v7(),
        name: "Installers".into(),
        description: "".into(),
        active: true,
        created_at: now(),
    };
    let mut tx = a.begin().await.unwrap();
    tx.insert_group(&g).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = a.begin().await.unwrap();
    tx.update_group(&Group {
        name: "Fitters".into(),
        ..g
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut heard = false;
    for _ in 0..200 {
        if !b.unchanged_since(before, &[Uuid::now_v7()]) {
            heard = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(heard, "B never heard of the group's new name");

    // A block is no change to a site: B's copies of sites stay good; a
    // site's new settings are heard as one.
    let sites = b.site_changes_seen().unwrap();
    assert!(sites > 0, "B counts from its first listening");
    let mut site = s.clone();
    site.settings.self_registration = !site.settings.self_registration;
    let mut tx = a.begin().await.unwrap();
    tx.update_site_settings(site.id, &site.settings)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut heard = false;
    for _ in 0..200 {
        if b.site_changes_seen().is_some_and(|n| n > sites) {
            heard = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(heard, "B never heard of the site's change");

    // An announcement rolled back is never heard: NOTIFY is transactional.
    let mut tx = a.begin().await.unwrap();
    tx.delete_account_sessions(acc.id, None).await.unwrap();
    drop(tx);
    let settled = b.changes_seen().unwrap();

    // Cut B's listening connection from the server side.
    let mut admin = sqlx::PgConnection::connect(&db.url).await.unwrap();
    let cut: Vec<(bool,)> = sqlx::query_as(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()",
    )
    .fetch_all(&mut admin)
    .await
    .unwrap();
    assert!(!cut.is_empty(), "found the listening connections");
    // B notices, keeps nothing from before, and listens again.
    assert!(sees_more_than(&b, settled).await, "B never listened again");
    let again = b.changes_seen().unwrap();
    let mut tx = a.begin().await.unwrap();
    tx.delete_account_sessions(acc.id, None).await.unwrap();
    tx.commit().await.unwrap();
    assert!(
        sees_more_than(&b, again).await,
        "B hears again after reconnecting"
    );
}

/// The two migration folders must describe the same tables and columns.
#[tokio::test]
async fn both_engines_have_the_same_tables_and_columns() {
    let sqlite = TestDb::sqlite().await;
    sqlite.store().await;
    let mut lite = sqlx::SqliteConnection::connect(&sqlite.url).await.unwrap();
    let mut lite_cols: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%' \
         AND m.name NOT LIKE 'customers_fts%' ORDER BY 1, 2",
    )
    .fetch_all(&mut lite)
    .await
    .unwrap();
    assert!(lite_cols.len() > 50, "the SQLite schema has its tables");

    let Some(pg) = TestDb::postgres().await else {
        return;
    };
    pg.store().await;
    let mut conn = sqlx::PgConnection::connect(&pg.url).await.unwrap();
    let mut pg_cols: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%' ORDER BY 1, 2",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    // Sorted here: the engines collate text differently.
    lite_cols.sort();
    pg_cols.sort();
    assert_eq!(lite_cols, pg_cols);
}
