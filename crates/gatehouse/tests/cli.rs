//! The `gatehouse` binary as a user runs it: a real process, a real data
//! folder, real HTTP, real signals.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use gatehouse_testkit::TestDb;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

const BIN: &str = env!("CARGO_BIN_EXE_gatehouse");

/// A folder of its own for one test, removed after it.
struct Folder(PathBuf);

impl Folder {
    fn new() -> Folder {
        let dir = std::env::temp_dir().join(format!("gatehouse-cli-{}", uuid_like()));
        std::fs::create_dir_all(&dir).unwrap();
        Folder(dir)
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn uuid_like() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{nanos}-{}", std::process::id())
}

/// A command run in `dir` with none of the caller's GATEHOUSE_* settings.
fn gatehouse(dir: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir);
    for (key, _) in std::env::vars() {
        if key.starts_with("GATEHOUSE_") {
            cmd.env_remove(key);
        }
    }
    cmd.kill_on_drop(true);
    cmd
}

async fn run(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = gatehouse(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        // A child that ends before reading its input closes the pipe: its
        // output, not the write's error, says why.
        if let Err(e) = input.write_all(text.as_bytes()).await {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
        }
    }
    drop(input);
    tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .unwrap()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts a run failed with exactly one line on stderr containing `expected`.
fn assert_one_line_error(out: &Output, expected: &str) {
    let err = text(&out.stderr);
    assert!(!out.status.success(), "should fail: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line, got: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains(expected), "expected '{expected}' in: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// A `serve` process and what it printed until it was ready.
struct Served {
    child: Child,
    base: String,
    printed: Vec<String>,
}

async fn serve(dir: &Path, extra: &[&str]) -> Served {
    let mut child = gatehouse(dir)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    let base = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            printed.push(line.clone());
            if let Some(rest) = line.strip_prefix("Gatehouse is listening on ") {
                return rest.split_whitespace().next().unwrap().to_string();
            }
        }
        panic!("serve ended before listening: {printed:?}");
    })
    .await
    .expect("serve did not start within a minute");
    // Keep draining stdout so the server never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Served {
        child,
        base,
        printed,
    }
}

async fn terminate(mut served: Served) -> std::process::ExitStatus {
    let pid = served.child.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    tokio::time::timeout(Duration::from_secs(30), served.child.wait())
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn help_lists_the_commands() {
    let dir = Folder::new();
    let out = run(&dir.0, &["--help"], None).await;
    assert!(out.status.success());
    let help = text(&out.stdout);
    for command in [
        "serve",
        "migrate",
        "backup",
        "restore",
        "staff",
        "token",
        "check-config",
        "import",
        "export",
        "purge",
    ] {
        assert!(help.contains(command), "{command} missing from:\n{help}");
    }
    for option in ["--data", "--database-url", "--config"] {
        assert!(help.contains(option), "{option} missing from:\n{help}");
    }
}

#[tokio::test]
async fn serve_with_no_configuration_runs_on_sqlite_and_stops_on_sigterm() {
    let dir = Folder::new();
    let served = serve(&dir.0, &[]).await;
    assert!(
        dir.0.join("gatehouse-data/gatehouse.db").is_file(),
        "the SQLite database is in ./gatehouse-data"
    );
    let printed = served.printed.join("\n");
    assert!(
        printed.contains("Created the default site 'main'"),
        "{printed}"
    );
    let link = served
        .printed
        .iter()
        .find_map(|l| {
            l.trim()
                .strip_prefix(&format!("{}/admin/setup/", served.base))
                .map(str::to_string)
        })
        .unwrap_or_else(|| panic!("no setup link in: {printed}"));
    assert!(printed.contains("staff add --email"), "{printed}");

    let client = reqwest::Client::new();
    let health = client
        .get(format!("{}/healthz", served.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let ready: Value = client
        .get(format!("{}/readyz", served.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        ready,
        serde_json::json!({"status": "ready", "database": "sqlite"})
    );
    let form = client
        .get(format!("{}/admin/setup/{link}", served.base))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 200, "the printed setup link works");

    let status = terminate(served).await;
    assert!(status.success(), "graceful stop exits 0, got {status}");

    // A second start finds the site and says nothing about creating it.
    let again = serve(&dir.0, &[]).await;
    assert!(
        !again
            .printed
            .join("\n")
            .contains("Created the default site")
    );
    assert!(terminate(again).await.success());
}

#[tokio::test]
async fn serve_uses_postgresql_when_told() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let dir = Folder::new();
    let served = serve(&dir.0, &["--database-url", &db.url]).await;
    let ready: Value = reqwest::get(format!("{}/readyz", served.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["database"], "postgres");
    assert!(
        !dir.0.join("gatehouse-data/gatehouse.db").exists(),
        "no SQLite file when PostgreSQL is used"
    );
    assert!(terminate(served).await.success());
}

#[tokio::test]
async fn staff_add_then_token_create_print_the_token_last() {
    let dir = Folder::new();
    let weak = run(
        &dir.0,
        &[
            "staff",
            "add",
            "--email",
            "admin@example.com",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some("password\n"),
    )
    .await;
    assert_one_line_error(&weak, "at least 12 characters");

    let added = run(
        &dir.0,
        &[
            "staff",
            "add",
            "--email",
            "admin@example.com",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some("a long and unusual passphrase\n"),
    )
    .await;
    assert!(added.status.success(), "{}", text(&added.stderr));
    assert!(text(&added.stdout).contains("added admin admin@example.com"));

    let twice = run(
        &dir.0,
        &[
            "staff",
            "add",
            "--email",
            "ADMIN@example.com",
            "--role",
            "support",
            "--password-stdin",
        ],
        Some("another unusual passphrase"),
    )
    .await;
    assert_one_line_error(&twice, "exists already");

    let bad_role = run(
        &dir.0,
        &[
            "staff",
            "add",
            "--email",
            "x@example.com",
            "--role",
            "root",
            "--password-stdin",
        ],
        Some("x"),
    )
    .await;
    assert!(!bad_role.status.success());
    assert!(
        text(&bad_role.stderr).contains("'root' is not a staff role"),
        "{}",
        text(&bad_role.stderr)
    );

    let token = run(
        &dir.0,
        &[
            "token",
            "create",
            "--staff",
            "admin@example.com",
            "--name",
            "erp",
        ],
        None,
    )
    .await;
    assert!(token.status.success(), "{}", text(&token.stderr));
    let out = text(&token.stdout);
    let last = out.trim_end().lines().last().unwrap();
    assert!(
        last.starts_with("gh_") && last.len() == 46,
        "the token alone on the last line: {out}"
    );

    let nobody = run(
        &dir.0,
        &[
            "token",
            "create",
            "--staff",
            "nobody@example.com",
            "--name",
            "x",
        ],
        None,
    )
    .await;
    assert_one_line_error(&nobody, "staff user nobody@example.com not found");
}

#[tokio::test]
async fn migrate_and_check_config_work_on_a_fresh_folder() {
    let dir = Folder::new();
    let migrated = run(&dir.0, &["migrate"], None).await;
    assert!(migrated.status.success(), "{}", text(&migrated.stderr));
    assert!(text(&migrated.stdout).contains("the sqlite database is up to date"));

    std::fs::write(dir.0.join("gatehouse.toml"), "bind = \"127.0.0.1:9999\"\n").unwrap();
    let checked = run(&dir.0, &["check-config"], None).await;
    assert!(checked.status.success(), "{}", text(&checked.stderr));
    let out = text(&checked.stdout);
    assert!(
        out.contains("bind:         127.0.0.1:9999"),
        "the file is read: {out}"
    );
    assert!(out.contains("configuration is valid"), "{out}");

    // A variable beats the file, a flag beats the variable.
    let mut cmd = gatehouse(&dir.0);
    let by_env = cmd
        .env("GATEHOUSE_BIND", "127.0.0.1:7777")
        .arg("check-config")
        .output()
        .await
        .unwrap();
    assert!(text(&by_env.stdout).contains("bind:         127.0.0.1:7777"));
}

#[tokio::test]
async fn bad_configuration_stops_with_one_clear_line() {
    let dir = Folder::new();
    let unreachable = run(
        &dir.0,
        &[
            "serve",
            "--database-url",
            "postgres://gatehouse@127.0.0.1:1/nothing",
        ],
        None,
    )
    .await;
    assert_one_line_error(
        &unreachable,
        "cannot open the database at postgres://gatehouse@127.0.0.1:1/nothing",
    );

    let bad_url = run(
        &dir.0,
        &["migrate", "--database-url", "mysql://localhost/x"],
        None,
    )
    .await;
    assert_one_line_error(&bad_url, "must start with sqlite: or postgres://");

    let file = dir.0.join("a-file");
    std::fs::write(&file, "not a folder").unwrap();
    let data = file.join("data");
    let unwritable = run(&dir.0, &["serve", "--data", data.to_str().unwrap()], None).await;
    assert_one_line_error(&unwritable, "the data folder");

    let bad_bind = run(&dir.0, &["serve", "--bind", "localhost"], None).await;
    assert_one_line_error(
        &bad_bind,
        "'localhost' is not an address like 127.0.0.1:8080",
    );

    std::fs::write(dir.0.join("bad.toml"), "colour = 'red'\n").unwrap();
    let bad_file = run(&dir.0, &["check-config", "--config", "bad.toml"], None).await;
    assert_one_line_error(&bad_file, "colour");

    let missing = run(&dir.0, &["check-config", "--config", "missing.toml"], None).await;
    assert_one_line_error(
        &missing,
        "the configuration file missing.toml does not exist",
    );

    // The port is taken.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().to_string();
    let busy = run(&dir.0, &["serve", "--bind", &port], None).await;
    assert_one_line_error(&busy, &format!("cannot listen on {port}"));
}

#[tokio::test]
async fn import_export_and_purge_run_from_the_command_line() {
    let dir = Folder::new();
    let file = "first_name,last_name,email,company,site,password_hash\n\
                Ada,Lovelace,ada@example.com,Engines Ltd,main,\n\
                Bad,Row,not-an-address,,main,\n\
                Grace,Hopper,grace@example.com,,main,$2b$04$VMrrl3cjHXpxMgPUy7EeRu99hwqXRUXYZjO5aDN288Kuv248JoYfS\n";
    std::fs::write(dir.0.join("old.csv"), file).unwrap();

    let out = run(&dir.0, &["import", "old.csv", "--map", "Vorname"], None).await;
    assert_one_line_error(&out, "--map 'Vorname' must be HEADER=COLUMN");

    // All or nothing: the bad row is named, nothing is written, exit 1.
    let out = run(&dir.0, &["import", "old.csv"], None).await;
    assert_one_line_error(&out, "nothing was imported");
    let said = text(&out.stdout);
    assert!(said.contains("line 3: email:"), "{said}");
    let out = run(
        &dir.0,
        &["import", "old.csv", "--skip-bad-rows", "--dry-run"],
        None,
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout)
            .contains("Dry run of 3 rows, 1 bad row: would import 2 customers, 2 accounts"),
        "{}",
        text(&out.stdout)
    );
    let out = run(&dir.0, &["import", "old.csv", "--skip-bad-rows"], None).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("Imported 2 customers, 2 accounts, 1 new companies"),
        "{}",
        text(&out.stdout)
    );

    // The export goes to stdout (the summary to stderr), or to a file, and
    // imports again unchanged into another installation.
    let out = run(&dir.0, &["export", "--with-password-hashes"], None).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let exported = text(&out.stdout);
    assert!(
        exported.starts_with("customer_id,first_name,"),
        "{exported}"
    );
    assert!(exported.contains("$2b$04$VMrrl3cjHXpxMgPUy7EeRu99hwqXRUXYZjO5aDN288Kuv248JoYfS"));
    assert!(
        text(&out.stderr).contains("exported 2 customers and 2 accounts"),
        "{}",
        text(&out.stderr)
    );
    let out = run(
        &dir.0,
        &["export", "--with-password-hashes", "-o", "out.csv"],
        None,
    )
    .await;
    assert!(out.status.success());
    assert_eq!(
        std::fs::read_to_string(dir.0.join("out.csv")).unwrap(),
        exported
    );
    let other = Folder::new();
    std::fs::copy(dir.0.join("out.csv"), other.0.join("in.csv")).unwrap();
    let out = run(&other.0, &["import", "in.csv"], None).await;
    assert!(out.status.success(), "{}", text(&out.stdout));
    let out = run(&other.0, &["export", "--with-password-hashes"], None).await;
    assert_eq!(
        text(&out.stdout),
        exported,
        "the export of the import is the export"
    );
    let out = run(
        &other.0,
        &["export", "--format", "jsonl", "--search", "grace"],
        None,
    )
    .await;
    let lines: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["email"], "grace@example.com");
    // By how they sign in: nobody imported has a passkey; a word that is no
    // way of signing in is refused.
    let out = run(&other.0, &["export", "--sign-in", "passkey"], None).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("exported 0 customers"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&other.0, &["export", "--sign-in", "sms"], None).await;
    assert_one_line_error(&out, "'sms' is not two_step or passkey");

    let out = run(&dir.0, &["purge", "--dry-run"], None).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("would erase 0 deleted accounts"),
        "{}",
        text(&out.stdout)
    );
}

#[tokio::test]
async fn a_killed_import_leaves_nothing_behind() {
    let dir = Folder::new();
    let mut file = String::from("first_name,last_name,email,site\n");
    for i in 0..100_000 {
        file.push_str(&format!("Name{i},Family{i},person{i}@example.com,main\n"));
    }
    std::fs::write(dir.0.join("big.csv"), file).unwrap();
    let out = run(&dir.0, &["migrate"], None).await;
    assert!(out.status.success());
    let mut child = gatehouse(&dir.0)
        .args(["import", "big.csv"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Killed while it writes: the rows written so far are in its one
    // transaction, which never commits.
    let db = dir.0.join("gatehouse-data").join("gatehouse.db");
    let started = std::time::Instant::now();
    let wal = dir.0.join("gatehouse-data").join("gatehouse.db-wal");
    while std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) < 1_000_000 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the import never wrote"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import ended before it was killed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    assert!(db.exists());
    let out = run(&dir.0, &["export"], None).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).lines().count(),
        1,
        "only the header: nothing was imported"
    );
}

/// Signs in to the console at `base`; answers the status (303: signed in).
async fn console_sign_in(base: &str, email: &str, password: &str) -> reqwest::StatusCode {
    let client = gatehouse_testkit::browser();
    let page = client
        .get(format!("{base}/admin/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = gatehouse_testkit::form_field(&page, "csrf");
    client
        .post(format!("{base}/admin/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", password),
            ("code", ""),
        ])
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn a_staff_user_who_lost_the_password_gets_a_single_use_link_from_the_server() {
    let dir = Folder::new();
    let old = "a long and unusual passphrase";
    let added = run(
        &dir.0,
        &[
            "staff",
            "add",
            "--email",
            "admin@example.com",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some(old),
    )
    .await;
    assert!(added.status.success(), "{}", text(&added.stderr));
    let reset = |email: &'static str| {
        let dir = dir.0.clone();
        async move {
            run(
                &dir,
                &["staff", "reset", "--email", email, "--remove-second-factor"],
                None,
            )
            .await
        }
    };
    let nobody = reset("nobody@example.com").await;
    assert_one_line_error(&nobody, "not found");
    let first = reset("admin@example.com").await;
    assert!(first.status.success(), "{}", text(&first.stderr));
    let second = reset("ADMIN@example.com").await;
    let path = |out: &Output| {
        let printed = text(&out.stdout);
        let last = printed.trim_end().lines().last().unwrap().to_string();
        let at = last
            .find("/admin/setup/")
            .unwrap_or_else(|| panic!("a link on the last line: {printed}"));
        last[at..].to_string()
    };
    let (voided, link) = (path(&first), path(&second));
    assert!(
        text(&second.stdout).contains("admin@example.com chooses a new password"),
        "{}",
        text(&second.stdout)
    );

    let served = serve(&dir.0, &[]).await;
    let base = served.base.clone();
    let browser = reqwest::Client::new();
    let page = |p: String| browser.get(format!("{base}{p}")).send();
    assert_eq!(
        page(voided.clone()).await.unwrap().status(),
        404,
        "a newer link voids the older"
    );
    let form = page(link.clone()).await.unwrap();
    assert_eq!(form.status(), 200);
    let html = form.text().await.unwrap();
    assert!(
        html.contains("Choose a new console password") && html.contains("admin@example.com"),
        "{html}"
    );
    assert_eq!(
        console_sign_in(&base, "admin@example.com", old).await,
        303,
        "the old password works until a new one is set"
    );

    let new = "another unusual passphrase, chosen again";
    let set = |password: &'static str| {
        browser
            .post(format!("{base}{link}"))
            .form(&[
                ("email", "admin@example.com"),
                ("password", password),
                ("password_confirm", password),
            ])
            .send()
    };
    let weak = set("short").await.unwrap();
    assert_eq!(weak.status(), 422, "refused, and the link still works");
    let done = set(new).await.unwrap();
    assert_eq!(done.status(), 201);
    assert!(
        done.text()
            .await
            .unwrap()
            .contains("Your new password is set")
    );
    assert_eq!(
        console_sign_in(&base, "admin@example.com", old).await,
        401,
        "the old password is refused"
    );
    assert_eq!(
        console_sign_in(&base, "admin@example.com", new).await,
        303,
        "the new one signs in"
    );
    assert_eq!(set(new).await.unwrap().status(), 404, "the link works once");
    terminate(served).await;
}

/// Ada registers on the main site of the server at `base` (answered 202).
async fn register_ada(base: &str) {
    let answer = reqwest::Client::new()
        .post(format!("{base}/api/v1/sites/main/registrations"))
        .json(&serde_json::json!({"email": "ada@example.com", "password": "correct horse battery staple",
                                  "first_name": "Ada", "last_name": "Lovelace"}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), reqwest::StatusCode::ACCEPTED);
}

#[tokio::test]
async fn a_backup_is_a_whole_checked_copy_made_while_serving_and_never_replaces_a_file() {
    use sqlx::Connection as _;
    let folder = Folder::new();
    let dir = &folder.0;
    let served = serve(dir, &[]).await;
    // A registration answered before the backup is in it.
    register_ada(&served.base).await;

    let out = run(dir, &["backup", "copy.db"], None).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(
        said.contains("copy.db") && said.contains("schema version"),
        "{said}"
    );
    let copy = dir.join("copy.db");
    let mut db = sqlx::SqliteConnection::connect(&format!("sqlite://{}", copy.display()))
        .await
        .unwrap();
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    let ada: i64 =
        sqlx::query_scalar("SELECT count(*) FROM accounts WHERE email = 'ada@example.com'")
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(
        ada, 1,
        "the registration answered before the backup is in it"
    );
    let sites: i64 = sqlx::query_scalar("SELECT count(*) FROM sites")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(sites, 1);
    db.close().await.unwrap();
    let size = std::fs::metadata(&copy).unwrap().len();

    // A second backup to the same name is refused and changes nothing.
    let again = run(dir, &["backup", "copy.db"], None).await;
    assert_one_line_error(&again, "exists already");
    assert_eq!(std::fs::metadata(&copy).unwrap().len(), size);
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "no half copy is left: {leftovers:?}");
    // The copy serves: a server started on it finds the account.
    assert!(terminate(served).await.success());
    let restored = Folder::new();
    std::fs::create_dir_all(restored.0.join("gatehouse-data")).unwrap();
    std::fs::copy(&copy, restored.0.join("gatehouse-data/gatehouse.db")).unwrap();
    let out = run(&restored.0, &["migrate"], None).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[tokio::test]
async fn a_database_a_newer_gatehouse_migrated_is_refused_and_left_alone() {
    use sqlx::Connection as _;
    let folder = Folder::new();
    let dir = &folder.0;
    let out = run(dir, &["migrate"], None).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let file = dir.join("gatehouse-data/gatehouse.db");
    let mut db = sqlx::SqliteConnection::connect(&format!("sqlite://{}", file.display()))
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
                 VALUES (99990101000000, 'from the future', 1, x'00', 0)",
    )
    .execute(&mut db)
    .await
    .unwrap();
    db.close().await.unwrap();
    for args in [&["migrate"][..], &["serve", "--bind", "127.0.0.1:0"][..]] {
        let out = run(dir, args, None).await;
        let err = text(&out.stderr);
        assert!(!out.status.success(), "{args:?} should refuse: {err}");
        assert!(
            err.contains("version 99990101000000") && err.contains("newer"),
            "{err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[tokio::test]
async fn backup_on_postgresql_says_to_use_pg_dump() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let dir = Folder::new();
    let out = run(
        &dir.0,
        &["--database-url", &db.url, "backup", "copy.db"],
        None,
    )
    .await;
    assert_one_line_error(&out, "pg_dump");
    assert!(!dir.0.join("copy.db").exists());
}

#[tokio::test]
async fn a_backup_restores_in_place_of_a_folders_database_and_never_under_a_running_server() {
    use sqlx::Connection as _;
    let count = |file: PathBuf, sql: &'static str| async move {
        let mut db = sqlx::SqliteConnection::connect(&format!("sqlite://{}", file.display()))
            .await
            .unwrap();
        let n: i64 = sqlx::query_scalar(sql).fetch_one(&mut db).await.unwrap();
        db.close().await.unwrap();
        n
    };
    // A backup of a folder where Ada registered.
    let source = Folder::new();
    let served = serve(&source.0, &[]).await;
    register_ada(&served.base).await;
    let backup = source.0.join("ada.db");
    let out = run(&source.0, &["backup", backup.to_str().unwrap()], None).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(terminate(served).await.success());

    // Another folder, with a server running: the restore is refused and
    // changes nothing.
    let target = Folder::new();
    let served = serve(&target.0, &[]).await;
    let db = target.0.join("gatehouse-data/gatehouse.db");
    let accounts = "SELECT count(*) FROM accounts WHERE email = 'ada@example.com'";
    let out = run(&target.0, &["restore", backup.to_str().unwrap()], None).await;
    assert_one_line_error(&out, "server is running");
    assert!(terminate(served).await.success());
    assert_eq!(count(db.clone(), accounts).await, 0, "nothing was changed");

    // A file that is not a backup is refused before anything is touched.
    let junk = target.0.join("junk.db");
    std::fs::write(&junk, b"not a database at all, just some words").unwrap();
    let out = run(&target.0, &["restore", junk.to_str().unwrap()], None).await;
    assert_one_line_error(&out, "nothing was changed");
    assert!(
        text(&out.stderr).contains("is not a SQLite database"),
        "{}",
        text(&out.stderr)
    );

    // With no server, the backup is put in place; the replaced database is
    // kept beside it, and what it holds is said.
    let out = run(&target.0, &["restore", backup.to_str().unwrap()], None).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(
        said.contains("schema version") && said.contains("sites 1") && said.contains("accounts 1"),
        "{said}"
    );
    assert!(said.contains("kept as"), "{said}");
    assert_eq!(
        count(db.clone(), accounts).await,
        1,
        "Ada is in the restored database"
    );
    let kept: Vec<String> = std::fs::read_dir(target.0.join("gatehouse-data"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.starts_with("gatehouse.db.before-restore-")
                && !n.ends_with("-wal")
                && !n.ends_with("-shm")
        })
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    // And a server serves it.
    let served = serve(&target.0, &[]).await;
    assert!(terminate(served).await.success());
}
