//! The customer list: filter, search, sort, paging and CSV checked against a
//! reference computed here, on both engines.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gatehouse_app::{api_tokens, staff};
use gatehouse_domain::{AccountRole, AccountState, DeleteReason, StaffRole, Stage};
use gatehouse_store::{Account, Actor, Customer, CustomerFields, Group};
use gatehouse_testkit::{TestServer, both_engines};
use reqwest::StatusCode;
use serde_json::Value;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

const FIRST: [&str; 6] = ["Ada", "grace", "Linus", "Émile", "Zoë", "ada"];
const LAST: [&str; 5] = ["Lovelace", "Hopper", "Torvalds", "O'Brien", "100%_Sure"];
const COMPANY: [Option<&str>; 4] = [
    Some("Engines Ltd"),
    Some("navy"),
    None,
    Some("O'Brien & Co"),
];
const COUNTRY: [Option<&str>; 3] = [Some("DE"), Some("us"), None];

struct Row {
    customer: Customer,
    site: Option<(String, AccountRole, &'static str)>,
}

async fn dataset(server: &TestServer) -> (Vec<Row>, Uuid) {
    let now = OffsetDateTime::now_utc();
    let mut tx = server.app.store.begin().await.unwrap();
    let main = tx.site_by_key("main").await.unwrap().unwrap();
    let group = Group {
        id: Uuid::now_v7(),
        name: "VIP".into(),
        description: String::new(),
        active: true,
        created_at: now,
    };
    tx.insert_group(&group).await.unwrap();
    // The companies as records, customers linked to them.
    let mut companies = std::collections::HashMap::new();
    for name in COMPANY.iter().flatten() {
        let company = gatehouse_store::Company {
            id: Uuid::now_v7(),
            name: name.to_string(),
            external_id: None,
            address: None,
            notes: String::new(),
            created_at: now,
            updated_at: now,
        };
        tx.insert_company(&company).await.unwrap();
        companies.insert(*name, company.id);
    }
    let mut rows = Vec::new();
    for i in 0..40usize {
        let fields = CustomerFields {
            company_id: COMPANY[i % COMPANY.len()].map(|c| companies[c]),
            first_name: FIRST[i % FIRST.len()].into(),
            last_name: LAST[i % LAST.len()].into(),
            email: Some(format!("person{i}@example.com")),
            company: COMPANY[i % COMPANY.len()].map(str::to_string),
            country: COUNTRY[i % COUNTRY.len()].map(str::to_string),
            city: Some(format!("City {}", i % 7)),
            group_id: (i % 3 == 0).then_some(group.id),
            notifications: true,
            ..CustomerFields::default()
        };
        let customer = Customer {
            id: Uuid::now_v7(),
            fields,
            created_at: now + Duration::seconds(i as i64),
            updated_at: now,
        };
        tx.insert_customer(&customer).await.unwrap();
        let site = if i % 4 == 3 {
            None
        } else {
            let role = if i % 5 == 0 {
                AccountRole::CustomerManager
            } else {
                AccountRole::Customer
            };
            let (state, status) = match i % 4 {
                0 => (AccountState::created_by_staff(false), "active"),
                1 => (
                    AccountState {
                        stage: Stage::Pending,
                        ..AccountState::created_by_staff(false)
                    },
                    "pending",
                ),
                _ => (
                    AccountState {
                        deleted: Some(DeleteReason::Deleted),
                        ..AccountState::created_by_staff(false)
                    },
                    "deleted",
                ),
            };
            let account = Account {
                id: Uuid::now_v7(),
                site_id: main.id,
                customer_id: Some(customer.id),
                login_id: format!("person{i}@example.com"),
                email: format!("person{i}@example.com"),
                password_hash: None,
                role,
                state,
                deleted_at: None,
                first_name: String::new(),
                last_name: String::new(),
                company: None,
                language: None,
                registered_at: now,
                verified_at: None,
                approved_at: None,
                last_login_at: None,
                version: 1,
            };
            tx.insert_account(&account).await.unwrap();
            Some(("main".to_string(), role, status))
        };
        rows.push(Row { customer, site });
    }
    tx.commit().await.unwrap();
    (rows, group.id)
}

async fn get(server: &TestServer, token: &str, query: &str) -> (StatusCode, Value) {
    let r = reqwest::Client::new()
        .get(server.url(&format!("/api/v1/customers?{query}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap())
}

fn ids(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

fn key(c: &Customer, column: &str) -> String {
    let f = &c.fields;
    let t = |v: &Option<String>| v.clone().unwrap_or_default().to_lowercase();
    match column {
        "first_name" => f.first_name.to_lowercase(),
        "last_name" => f.last_name.to_lowercase(),
        "company" => t(&f.company),
        "country" => t(&f.country),
        "city" => t(&f.city),
        _ => format!("{:020}", c.created_at.unix_timestamp()),
    }
}

/// The reference: the rows matching `keep`, sorted by `column` then ID.
fn expected(
    rows: &[Row],
    keep: impl Fn(&Row) -> bool,
    column: &str,
    descending: bool,
) -> Vec<String> {
    let mut matching: Vec<&Row> = rows.iter().filter(|r| keep(r)).collect();
    matching.sort_by(|a, b| {
        let ord = key(&a.customer, column)
            .cmp(&key(&b.customer, column))
            .then(a.customer.id.cmp(&b.customer.id));
        if descending { ord.reverse() } else { ord }
    });
    matching.iter().map(|r| r.customer.id.to_string()).collect()
}

/// A query, the rows it should keep, and the expected sort.
type Case = (String, Box<dyn Fn(&Row) -> bool>, &'static str, bool);

fn text(c: &Customer) -> String {
    gatehouse_store::model::search_text(&c.fields)
}

both_engines! {
    async fn the_list_filters_searches_sorts_and_pages_like_the_reference(db: TestDb) {
        let server = TestServer::start(&db).await;
        let actor = Actor::system("test");
        staff::add_staff(&server.app, &actor, "admin@example.com", StaffRole::Admin, "a long and unusual passphrase").await.unwrap();
        let token = api_tokens::create_token(&server.app, &actor, "admin@example.com", "t", &[]).await.unwrap().secret;
        let (rows, group) = dataset(&server).await;

        let cases: Vec<Case> = vec![
            ("sort=last_name".into(), Box::new(|_| true), "last_name", false),
            ("sort=-first_name".into(), Box::new(|_| true), "first_name", true),
            ("sort=city".into(), Box::new(|_| true), "city", false),
            ("sort=-created_at".into(), Box::new(|_| true), "created_at", true),
            ("q=ADA&sort=company".into(), Box::new(|r| text(&r.customer).contains("ada")), "company", false),
            ("q=100%25_&sort=last_name".into(), Box::new(|r| text(&r.customer).contains("100%_")), "last_name", false),
            ("q=o%27brien&sort=last_name".into(), Box::new(|r| text(&r.customer).contains("o'brien")), "last_name", false),
            ("q=%25".into(), Box::new(|r| text(&r.customer).contains('%')), "last_name", false),
            ("q=x".into(), Box::new(|r| text(&r.customer).contains('x')), "last_name", false),
            ("company=NAVY".into(), Box::new(|r| r.customer.fields.company.as_deref() == Some("navy")), "last_name", false),
            ("company=gines".into(), Box::new(|r| r.customer.fields.company.as_deref() == Some("Engines Ltd")), "last_name", false),
            ("company=%27brien%20%26".into(), Box::new(|r| r.customer.fields.company.as_deref() == Some("O'Brien & Co")), "last_name", false),
            ("country=de&sort=-last_name".into(), Box::new(|r| r.customer.fields.country.as_deref() == Some("DE")), "last_name", true),
            (format!("group={group}"), Box::new(move |r| r.customer.fields.group_id == Some(group)), "last_name", false),
            ("site=main".into(), Box::new(|r| r.site.is_some()), "last_name", false),
            ("role=customer_manager".into(), Box::new(|r| matches!(r.site, Some((_, AccountRole::CustomerManager, _)))), "last_name", false),
            ("status=waiting".into(), Box::new(|r| matches!(r.site, Some((_, _, "pending")))), "last_name", false),
            ("status=deleted&country=us".into(), Box::new(|r| matches!(r.site, Some((_, _, "deleted"))) && r.customer.fields.country.as_deref() == Some("us")), "last_name", false),
        ];
        for (query, keep, column, descending) in &cases {
            let want = expected(&rows, keep, column, *descending);
            let (status, body) = get(&server, &token, &format!("{query}&per_page=500")).await;
            assert_eq!(status, StatusCode::OK, "{query}: {body}");
            assert_eq!(body["total"].as_i64(), Some(want.len() as i64), "{query}");
            assert_eq!(ids(&body), want, "{query}");
        }

        // Pages: every row exactly once, in order, with the total on each page.
        let want = expected(&rows, |_| true, "last_name", false);
        let mut seen = Vec::new();
        for page in 1..=5 {
            let (_, body) = get(&server, &token, &format!("sort=last_name&per_page=9&page={page}")).await;
            assert_eq!(body["total"].as_i64(), Some(40));
            seen.extend(ids(&body));
        }
        assert_eq!(seen, want);

        let (status, body) = get(&server, &token, "sort=password").await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("sort")));
        let (status, body) = get(&server, &token, "status=sleeping&site=nowhere").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["error"]["fields"].as_array().unwrap().len(), 2, "{body}");

        // The CSV is exactly the filtered list, formulas neutralised.
        let csv = reqwest::Client::new().get(server.url("/api/v1/customers.csv?country=de")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
        let body = csv.text().await.unwrap();
        let mut reader = csv::Reader::from_reader(body.as_bytes());
        let headers = reader.headers().unwrap().clone();
        assert_eq!(&headers[0], "id");
        let mut got: Vec<String> = reader.records().map(|r| r.unwrap()[0].to_string()).collect();
        got.sort();
        let mut want = expected(&rows, |r| r.customer.fields.country.as_deref() == Some("DE"), "last_name", false);
        want.sort();
        assert_eq!(got, want);
        server.stop().await;
    }

    async fn the_csv_streams_a_long_list_whole_and_neutralises_formulas(db: TestDb) {
        let server = TestServer::start(&db).await;
        let actor = Actor::system("test");
        staff::add_staff(&server.app, &actor, "admin@example.com", StaffRole::Admin, "a long and unusual passphrase").await.unwrap();
        let token = api_tokens::create_token(&server.app, &actor, "admin@example.com", "t", &[]).await.unwrap().secret;
        let now = OffsetDateTime::now_utc();
        let mut tx = server.app.store.begin().await.unwrap();
        for i in 0..2500 {
            let first = if i == 7 { "=HYPERLINK(\"http://evil\")".to_string() } else { format!("N{i}") };
            let c = Customer { id: Uuid::now_v7(), fields: CustomerFields { first_name: first, last_name: "L".into(), notes: Some("a,\"quoted\"\nnote".into()), ..CustomerFields::default() }, created_at: now, updated_at: now };
            tx.insert_customer(&c).await.unwrap();
        }
        tx.commit().await.unwrap();
        let body = reqwest::Client::new().get(server.url("/api/v1/customers.csv")).bearer_auth(&token).send().await.unwrap().text().await.unwrap();
        let mut reader = csv::Reader::from_reader(body.as_bytes());
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), 2500, "more than two chunks, every row once");
        let mut ids: Vec<&str> = records.iter().map(|r| r.get(0).unwrap()).collect();
        ids.dedup();
        assert_eq!(ids.len(), 2500);
        assert!(records.iter().any(|r| &r[1] == "'=HYPERLINK(\"http://evil\")"), "the formula is neutralised");
        let notes = reader.headers().unwrap().iter().position(|h| h == "notes").unwrap();
        assert!(records.iter().all(|r| &r[notes] == "a,\"quoted\"\nnote"), "RFC 4180 quoting keeps commas, quotes and line breaks");
        server.stop().await;
    }

    async fn a_broad_search_and_lock_filters_answer_like_the_reference(db: TestDb) {
        let server = TestServer::start(&db).await;
        let actor = Actor::system("test");
        staff::add_staff(&server.app, &actor, "admin@example.com", StaffRole::Admin, "a long and unusual passphrase").await.unwrap();
        let token = api_tokens::create_token(&server.app, &actor, "admin@example.com", "t", &[]).await.unwrap().secret;
        let now = OffsetDateTime::now_utc();
        let mut tx = server.app.store.begin().await.unwrap();
        let main = tx.site_by_key("main").await.unwrap().unwrap();
        // A broad search (more matches than the total is counted to) over
        // more rows than a walk of the sort order looks at: some pages come
        // from the walk, others (far down the sort order) from collecting
        // and sorting the matches; all must answer like the reference.
        let mut rows = Vec::new();
        let mut batch = Vec::new();
        for i in 0..12_000usize {
            let fields = CustomerFields {
                first_name: FIRST[i % FIRST.len()].into(),
                last_name: if i % 5 == 0 { format!("Zebra{}", i % 37) } else { format!("Other{i}") },
                company: COMPANY[i % COMPANY.len()].map(str::to_string),
                notifications: true,
                ..CustomerFields::default()
            };
            let customer = Customer { id: Uuid::now_v7(), fields, created_at: now + Duration::milliseconds(i as i64), updated_at: now };
            batch.push(customer.clone());
            rows.push(Row { customer, site: None });
        }
        tx.insert_customers(&batch).await.unwrap();
        // Accounts with locks: one ran out an hour ago, one runs a day more, one is permanent.
        let locks = [
            ("past", Some(gatehouse_domain::Lock::Temporary { until: now - Duration::hours(1) }), "active"),
            ("future", Some(gatehouse_domain::Lock::Temporary { until: now + Duration::days(1) }), "locked"),
            ("forever", Some(gatehouse_domain::Lock::Permanent), "locked"),
            ("none", None, "active"),
        ];
        for (i, (login, lock, status)) in locks.iter().enumerate() {
            let account = Account {
                id: Uuid::now_v7(), site_id: main.id, customer_id: Some(rows[i].customer.id),
                login_id: format!("{login}@example.com"), email: format!("{login}@example.com"), password_hash: None,
                role: AccountRole::Customer,
                state: AccountState { lock: *lock, ..AccountState::created_by_staff(false) },
                deleted_at: None, first_name: String::new(), last_name: String::new(), company: None, language: None,
                registered_at: now, verified_at: None, approved_at: None, last_login_at: None, version: 1,
            };
            tx.insert_account(&account).await.unwrap();
            rows[i].site = Some(("main".into(), AccountRole::Customer, status));
        }
        tx.commit().await.unwrap();

        let cases = [
            ("q=zebra&sort=last_name", "last_name", false, [1, 10]),
            ("q=ZEBRA&sort=-company", "company", true, [1, 3]),
            ("q=zebra&sort=first_name", "first_name", false, [3, 40]),
            ("q=bra1&sort=-last_name", "last_name", true, [1, 3]),
        ];
        for (query, column, descending, pages) in cases {
            let needle = query.split('&').next().unwrap().trim_start_matches("q=").to_lowercase();
            let keep = move |r: &Row| text(&r.customer).contains(&needle);
            let want = expected(&rows, &keep, column, descending);
            assert!(want.len() > 500, "{query}: a broad search");
            let broad = want.len() as i64 > gatehouse_app::customers::TOTAL_CAP;
            for page in pages {
                let (status, body) = get(&server, &token, &format!("{query}&per_page=50&page={page}")).await;
                assert_eq!(status, StatusCode::OK, "{body}");
                let total = if broad { gatehouse_app::customers::TOTAL_CAP } else { want.len() as i64 };
                assert_eq!((body["total"].as_i64(), body["total_exact"].as_bool()), (Some(total), Some(!broad)), "{query}");
                assert_eq!(ids(&body), want[(page - 1) * 50..page * 50].to_vec(), "{query} page {page}");
            }
            let (_, exact) = get(&server, &token, &format!("{query}&per_page=1&count=exact")).await;
            assert_eq!((exact["total"].as_i64(), exact["total_exact"].as_bool()), (Some(want.len() as i64), Some(true)), "{query}");
        }
        let (status, body) = get(&server, &token, "count=roughly").await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("count")));
        for status in ["locked", "active"] {
            let want = expected(&rows, |r| matches!(r.site, Some((_, _, s)) if s == status), "last_name", false);
            let (_, body) = get(&server, &token, &format!("status={status}&site=main&per_page=500")).await;
            assert_eq!(ids(&body), want, "status={status}");
            assert_eq!(want.len(), 2, "{status}");
        }
        server.stop().await;
    }
}
