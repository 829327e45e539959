//! Import and export on both engines: bad rows with their lines, all or
//! nothing, the good rows only, dry runs, hashes of other systems, and the
//! export that imports again unchanged.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gatehouse_app::transfer::{export, import};
use gatehouse_app::{App, Hasher, startup};
use gatehouse_store::{Actor, CustomerFilter};
use gatehouse_testkit::{TestDb, both_engines};

async fn app(db: &TestDb) -> App {
    let app = App {
        hasher: Hasher::with_workers(2),
        ..App::new(db.store().await)
    };
    startup::prepare(&app).await.unwrap();
    app
}

async fn import_text(app: &App, csv: &str, options: &import::Options) -> import::Report {
    import::import(app, &Actor::system("test"), csv.as_bytes(), options, |_| {})
        .await
        .unwrap()
}

fn options(mode: import::Mode, dry_run: bool) -> import::Options {
    import::Options {
        mode,
        dry_run,
        ..import::Options::default()
    }
}

async fn counts(app: &App) -> (i64, i64) {
    let mut tx = app.store.read().await.unwrap();
    let now = time::OffsetDateTime::now_utc();
    let customers = tx
        .count_customers(&CustomerFilter::default(), now, None)
        .await
        .unwrap();
    let accounts = tx
        .count_accounts(&gatehouse_store::AccountFilter::default(), now)
        .await
        .unwrap();
    (customers, accounts)
}

async fn export_csv(app: &App, hashes: bool) -> String {
    let mut out = Vec::new();
    export::export(
        app,
        &CustomerFilter::default(),
        &export::Options {
            format: export::Format::Csv,
            password_hashes: hashes,
        },
        &mut out,
        |_| {},
    )
    .await
    .unwrap();
    String::from_utf8(out).unwrap()
}

/// Lines 2–7 of a file with three good rows and bad ones of every kind;
/// line 4's note spans two lines, so the row after it is on line 6.
const MIXED: &str = "\
first_name,last_name,email,company,country,notes,site,role,status,password_hash
Ada,Lovelace,ada@example.com,Engines Ltd,GB,,main,customer_manager,active,
Grace,Hopper,grace@example.com,engines ltd.,US,,main,,pending,
Linus,Torvalds,linus@example.com,,Atlantis,\"a note
over two lines\",main,,,
Alan,Turing,not-an-address,,,,main,,,
Barbara,Liskov,ada@EXAMPLE.com,,,,main,,,
Ken,Thompson,ken@example.com,,,,main,boss,sleeping,$2b$31$aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
Dennis,Ritchie,dennis@example.com,,DE,,main,,,5f4dcc3b5aa765d61d8327deb882cf99
Radia,Perlman,radia@example.com,,,,,,,
";

both_engines! {
    async fn bad_rows_are_reported_with_their_lines_and_all_or_nothing_writes_none(db: TestDb) {
        let app = app(&db).await;
        let before = counts(&app).await;

        let report = import_text(&app, MIXED, &options(import::Mode::AllOrNothing, false)).await;
        assert!(!report.written);
        assert_eq!(counts(&app).await, before, "nothing was written");
        let lines: Vec<u64> = report.bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, [4, 6, 7, 8, 9], "{:#?}", report.bad);
        let said = |line: u64| report.bad.iter().find(|b| b.line == line).unwrap().problems.join("; ");
        assert!(said(4).starts_with("country:"), "{}", said(4));
        assert!(said(6).starts_with("email:"), "{}", said(6));
        assert!(said(7).contains("'ada@example.com' is on line 2 already"), "{}", said(7));
        let ken = said(8);
        assert!(ken.contains("role:") && ken.contains("status:") && ken.contains("bcrypt cost 31"), "{ken}");
        assert!(said(9).contains("password_hash: is not a password hash"), "{}", said(9));
        assert_eq!(report.rows, 8);

        // A dry run with the good rows only says what it would do, and
        // writes nothing either.
        let dry = import_text(&app, MIXED, &options(import::Mode::SkipBadRows, true)).await;
        assert!(!dry.written);
        assert_eq!((dry.customers, dry.accounts, dry.companies), (3, 2, 1));
        assert_eq!(counts(&app).await, before);

        let done = import_text(&app, MIXED, &options(import::Mode::SkipBadRows, false)).await;
        assert!(done.written);
        assert_eq!((done.customers, done.accounts, done.companies), (3, 2, 1), "{done:?}");
        assert_eq!(counts(&app).await, (before.0 + 3, before.1 + 2));
        // "Engines Ltd" and "engines ltd." are one company.
        let mut tx = app.store.read().await.unwrap();
        let engines = tx.company_by_key(&gatehouse_domain::company_key("Engines Ltd")).await.unwrap().unwrap();
        let site = tx.site_by_key("main").await.unwrap().unwrap();
        let ada = tx.account_by_login_id(site.id, "ada@example.com").await.unwrap().unwrap();
        let grace = tx.account_by_login_id(site.id, "grace@example.com").await.unwrap().unwrap();
        assert_eq!(ada.company.as_deref(), Some("Engines Ltd"));
        assert_eq!(ada.role, gatehouse_domain::AccountRole::CustomerManager);
        assert_eq!(grace.state.status(time::OffsetDateTime::now_utc()), gatehouse_domain::Status::Pending);
        let customer = tx.customer_by_id(grace.customer_id.unwrap()).await.unwrap().unwrap();
        assert_eq!(customer.fields.company_id, Some(engines.id));
        drop(tx);

        // The same file again: every account exists, and is not merged.
        let again = import_text(&app, MIXED, &options(import::Mode::AllOrNothing, false)).await;
        let taken = again.bad.iter().find(|b| b.line == 2).unwrap().problems.join("; ");
        assert!(taken.contains("exists on site 'main' already; it is not merged"), "{taken}");
        assert_eq!(counts(&app).await, (before.0 + 3, before.1 + 2));
    }

    async fn a_header_gatehouse_does_not_know_is_refused_unless_mapped(db: TestDb) {
        let app = app(&db).await;
        let file = "Vorname,Nachname,E-Mail,Fax\nAda,Lovelace,ada@example.com,123\n";
        let err = import::import(&app, &Actor::system("test"), file.as_bytes(), &import::Options::default(), |_| {})
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("column 'Vorname' is not one Gatehouse knows"), "{err}");
        assert!(err.contains("'Fax'"), "{err}");
        let mapped = import::Options {
            mapping: [("Vorname", "first_name"), ("Nachname", "last_name"), ("E-Mail", "email"), ("Fax", "")]
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            ..import::Options::default()
        };
        let report = import_text(&app, file, &mapped).await;
        assert!(report.written && report.bad.is_empty(), "{report:?}");
        assert_eq!(report.customers, 1);
    }

    async fn what_an_export_writes_imports_again_unchanged(db: TestDb) {
        let app = app(&db).await;
        gatehouse_app::seed::seed(&app, "main", 1200, |_| {}).await.unwrap();
        // Hashes of ours and of another system, a group, a customer with
        // two accounts on two sites, quotes and line breaks in a note.
        let ours = app.hasher.hash("violet anchors juggle").await.unwrap();
        let file = format!(
            "customer_id,first_name,last_name,email,notes,group,site,login_id,password_hash,status,access_expires_at\n\
             0190d2a4-0000-7000-8000-000000000001,Émile,\"O'Brien, Jr.\",emile@example.com,\"says \"\"hi\"\"\nthen leaves\",Installers,main,emile@example.com,\"{ours}\",active,2027-01-31\n\
             0190d2a4-0000-7000-8000-000000000001,,,emile-2@example.com,,,main,emile-2@example.com,$2b$04$VMrrl3cjHXpxMgPUy7EeRu99hwqXRUXYZjO5aDN288Kuv248JoYfS,blocked,\n"
        );
        let report = import_text(&app, &file, &import::Options::default()).await;
        assert!(report.written && report.bad.is_empty(), "{report:?}");
        assert_eq!((report.customers, report.accounts, report.groups), (1, 2, 1));

        let first = export_csv(&app, true).await;
        assert!(first.contains(&ours) && first.contains("\"says \"\"hi\"\"\nthen leaves\""));
        let lines = first.lines().count();
        assert!(lines > 1200, "{lines}");

        let other_db = db.sibling().await;
        let other = self::app(&other_db).await;
        let report = import_text(&other, &first, &import::Options::default()).await;
        assert!(report.written && report.bad.is_empty(), "{:?}", &report.bad[..report.bad.len().min(3)]);
        assert_eq!(report.customers, 1201);
        let second = export_csv(&other, true).await;
        assert_eq!(first.len(), second.len());
        for (a, b) in first.lines().zip(second.lines()) {
            assert_eq!(a, b);
        }
        assert_eq!(first, second, "the export of the import is the export");

        // JSON lines carry the same cells.
        let mut jsonl = Vec::new();
        export::export(&other, &CustomerFilter::default(), &export::Options { format: export::Format::Jsonl, password_hashes: false }, &mut jsonl, |_| {})
            .await
            .unwrap();
        let jsonl = String::from_utf8(jsonl).unwrap();
        let emile: serde_json::Value = jsonl
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .find(|v| v["login_id"] == "emile@example.com")
            .unwrap();
        assert_eq!(emile["last_name"], "O'Brien, Jr.");
        assert_eq!(emile["group"], "Installers");
        assert_eq!(emile["access_expires_at"], "2027-01-31T00:00:00Z");
        assert!(emile.get("password_hash").is_none(), "hashes only when asked for");
        let records = csv::Reader::from_reader(first.as_bytes()).records().count();
        assert_eq!(jsonl.lines().count(), records);
    }

    async fn a_hundred_thousand_rows_import_in_one_go(db: TestDb) {
        let app = app(&db).await;
        let mut file = String::from("first_name,last_name,email,company,country,city,site,status\n");
        for i in 0..100_000 {
            let status = ["active", "pending", "blocked", "unverified"][i % 4];
            let site = if i % 3 == 0 { "" } else { "main" };
            file.push_str(&format!(
                "Name{i},Family{},person{i}@example.com,Company {},DE,Berlin,{site},{}\n",
                i % 977,
                i % 251,
                if site.is_empty() { "" } else { status }
            ));
        }
        let report = import_text(&app, &file, &import::Options::default()).await;
        assert!(report.bad.is_empty(), "{:?}", &report.bad[..report.bad.len().min(3)]);
        assert_eq!((report.rows, report.customers, report.accounts, report.companies), (100_000, 100_000, 66_666, 251));
        let (customers, accounts) = counts(&app).await;
        assert_eq!((customers, accounts), (100_000, 66_666));
        let mut tx = app.store.read().await.unwrap();
        let site = tx.site_by_key("main").await.unwrap().unwrap();
        let last = tx.account_by_login_id(site.id, "person99998@example.com").await.unwrap().unwrap();
        assert_eq!(last.company.as_deref(), Some("Company 100"));
    }

    async fn invitations_go_out_only_when_asked_and_only_to_accounts_without_a_password(db: TestDb) {
        let app = app(&db).await;
        let file = "first_name,last_name,email,site,status,password_hash\n\
                    Ada,Lovelace,ada@example.com,main,,\n\
                    Grace,Hopper,grace@example.com,main,,$2b$04$VMrrl3cjHXpxMgPUy7EeRu99hwqXRUXYZjO5aDN288Kuv248JoYfS\n\
                    Alan,Turing,alan@example.com,main,blocked,\n";
        let quiet = import_text(&app, file, &import::Options::default()).await;
        assert_eq!((quiet.accounts, quiet.invitations), (3, 0));
        let mut tx = app.store.read().await.unwrap();
        assert!(tx.list_outbox(None, 10).await.unwrap().is_empty(), "no mail unless asked");
        drop(tx);
        let again = file.replace("@example.com", "@example.org");
        let asked = import::Options { send_invitations: true, ..import::Options::default() };
        let report = import_text(&app, &again, &asked).await;
        assert_eq!(report.invitations, 1, "{report:?}");
        let mut tx = app.store.read().await.unwrap();
        let queued = tx.list_outbox(None, 10).await.unwrap();
        let to: Vec<&str> = queued.iter().map(|m| m.mail.recipient.as_str()).collect();
        assert_eq!(to, ["ada@example.org"], "not Grace (a password), not Alan (blocked)");
        assert!(queued[0].mail.body_text.contains("/s/main/"), "{}", queued[0].mail.body_text);
    }

    async fn a_line_that_is_not_utf8_is_a_bad_row_with_its_number(db: TestDb) {
        let app = app(&db).await;
        // Line 3 is Latin-1 (an export from an old spreadsheet).
        let mut file = b"first_name,last_name,email\nAda,Lovelace,ada@example.com\n".to_vec();
        file.extend_from_slice(b"J\xfcrgen,M\xfcller,juergen@example.com\nGrace,Hopper,grace@example.com\n");
        let options = import::Options { mode: import::Mode::SkipBadRows, ..import::Options::default() };
        let report = import::import(&app, &Actor::system("test"), file.as_slice(), &options, |_| {})
            .await
            .unwrap();
        assert_eq!(report.bad.len(), 1, "{report:?}");
        assert_eq!(report.bad[0].line, 3);
        assert!(report.bad[0].problems[0].contains("cannot be read"), "{:?}", report.bad);
        assert_eq!((report.rows, report.customers), (3, 2));
    }
}
