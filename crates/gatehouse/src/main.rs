//! The `gatehouse` binary: the command line, configuration and wiring of the
//! store, the use cases and the web server. Every command works on a fresh
//! data folder, creating and migrating the database as needed. Every failure
//! ends with one line on stderr naming the problem, and a non-zero exit.

mod config;
mod restore;
mod transfer;

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Parser, Subcommand};
use gatehouse_app::delivery::{FileTransport, RetryPolicy, SmtpTransport, Transport};
use gatehouse_app::{App, api_tokens, setup, staff, startup};
use gatehouse_domain::StaffRole;
use gatehouse_store::{Actor, ConnectOptions, redact_url};
use gatehouse_web::ServeOptions;

use crate::config::{Config, Overrides};

/// Gatehouse: the account desk of your customer portals.
#[derive(Debug, Parser)]
#[command(name = "gatehouse", version, about = "Gatehouse: the account desk of your customer portals", long_about = None)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args)]
struct Global {
    /// Data folder (SQLite database, mail files) [env: GATEHOUSE_DATA] [default: ./gatehouse-data]
    #[arg(long, global = true, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Database URL, sqlite:… or postgres://… [env: GATEHOUSE_DATABASE_URL] [default: SQLite in the data folder]
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
    /// Configuration file [env: GATEHOUSE_CONFIG] [default: ./gatehouse.toml if present]
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        env = "GATEHOUSE_CONFIG",
        hide_env = true
    )]
    config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (portal, console, API)
    Serve {
        /// Address to listen on [env: GATEHOUSE_BIND] [default: 127.0.0.1:8080]
        #[arg(long, value_name = "ADDR")]
        bind: Option<String>,
        /// SMTP relay for outgoing mail [env: GATEHOUSE_SMTP_URL] [default: mail written to files]
        #[arg(long, value_name = "URL")]
        smtp_url: Option<String>,
    },
    /// Create or update the database schema, then exit
    Migrate,
    /// Copy the SQLite database, consistent, into a new FILE while servers
    /// keep serving (written under a temporary name, checked, then named;
    /// an existing FILE is never replaced). On PostgreSQL: use pg_dump
    Backup {
        /// The new file
        file: PathBuf,
    },
    /// Put a backup in place of the data folder's SQLite database (refused
    /// while a server runs on the folder; the database it replaces is kept
    /// beside it), migrate it if it is older, and say what it holds
    Restore {
        /// The backup
        file: PathBuf,
    },
    /// Manage staff users (admins and support)
    #[command(subcommand)]
    Staff(StaffCommand),
    /// Manage API tokens
    #[command(subcommand)]
    Token(TokenCommand),
    /// Check the configuration and the database connection, then exit
    CheckConfig,
    /// Add synthetic customers and accounts (demos and benchmarks)
    Seed {
        /// How many customers
        #[arg(long)]
        customers: usize,
        /// The site their accounts are on
        #[arg(long, default_value = "main")]
        site: String,
    },
    /// Import customers and accounts from a CSV file (one transaction:
    /// all rows or none, or with --skip-bad-rows the good ones)
    Import(transfer::ImportArgs),
    /// Export customers and their accounts (the customer list's filters) as
    /// CSV or JSON lines; the CSV imports again unchanged
    Export(transfer::ExportArgs),
    /// Erase the deleted accounts past their site's deleted_retention_days
    /// now (what every server does each purge_interval_seconds)
    Purge {
        /// List what would be erased; erase nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Measure this machine's raw Argon2id rate with Gatehouse's parameters
    /// and hash-worker count (the ceiling of password sign-ins)
    BenchHash {
        /// How long to hash
        #[arg(long, default_value_t = 5.0)]
        seconds: f64,
        /// Threads hashing at once [default: one per core]
        #[arg(long)]
        workers: Option<usize>,
    },
    /// Print the API's OpenAPI 3.1 document (as served at /api/v1/openapi.json)
    Openapi,
    /// Serve a bare axum "hello" endpoint (GET /hello) for comparison in
    /// benchmarks
    BenchHello {
        /// Address to listen on
        #[arg(long, default_value = "127.0.0.1:8081")]
        bind: std::net::SocketAddr,
    },
}

#[derive(Debug, Subcommand)]
enum StaffCommand {
    /// Add a staff user
    Add {
        /// Their e-mail address, used to sign in
        #[arg(long)]
        email: String,
        /// admin or support
        #[arg(long, value_parser = parse_role)]
        role: StaffRole,
        /// Read the password from standard input (it is never taken as an argument)
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Print a single-use link (valid 24 hours) through which a staff user
    /// who lost their password chooses a new one; the link is printed on the
    /// last line
    Reset {
        /// Their e-mail address
        #[arg(long)]
        email: String,
        /// Also turn their authenticator app off (a lost phone); they can set
        /// it up again after signing in
        #[arg(long)]
        remove_second_factor: bool,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create an API token for a staff user; the token is printed once, on the last line
    Create {
        /// The staff user's e-mail address
        #[arg(long)]
        staff: String,
        /// A name to recognise the token by
        #[arg(long)]
        name: String,
        /// read, write or admin (repeat for several; default: all the role allows)
        #[arg(long = "scope", value_name = "SCOPE")]
        scopes: Vec<String>,
    },
}

fn parse_role(raw: &str) -> Result<StaffRole, String> {
    StaffRole::parse(raw)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<()> {
    if let Command::Openapi = cli.command {
        print!("{}", gatehouse_web::openapi::document_json());
        return Ok(());
    }
    let (bind, smtp_url) = match &cli.command {
        Command::Serve { bind, smtp_url } => (bind.clone(), smtp_url.clone()),
        _ => (None, None),
    };
    let overrides = Overrides {
        data: cli.global.data.clone(),
        database_url: cli.global.database_url.clone(),
        bind,
        smtp_url,
    };
    let config = Config::load(cli.global.config.as_deref(), &overrides)?;
    config.check()?;
    init_logging(&config);
    match cli.command {
        Command::Serve { .. } => serve(&config).await,
        Command::Migrate => {
            let app = open(&config).await?;
            app.store
                .migrate()
                .await
                .context("the database could not be migrated")?;
            let adopted = gatehouse_app::companies::adopt_free_text(&app)
                .await
                .context("free-text companies could not be turned into records")?;
            say_adopted(&adopted);
            println!("the {} database is up to date", app.store.engine().as_str());
            Ok(())
        }
        Command::Staff(StaffCommand::Add {
            email,
            role,
            password_stdin: _,
        }) => {
            let password = read_password()?;
            let app = prepared(&config).await?;
            let added =
                staff::add_staff(&app, &Actor::system("cli"), &email, role, &password).await?;
            println!("added {} {} ({})", added.role, added.email, added.id);
            Ok(())
        }
        Command::Staff(StaffCommand::Reset {
            email,
            remove_second_factor,
        }) => {
            let app = prepared(&config).await?;
            let reset =
                staff::reset_link(&app, &Actor::system("cli"), &email, remove_second_factor)
                    .await?;
            if reset.second_factor_removed {
                println!(
                    "the authenticator app of {} is off; they can set it up again after signing in",
                    reset.email
                );
            }
            println!(
                "{} chooses a new password with this single-use link (valid 24 hours; it is shown only now):",
                reset.email
            );
            println!("{}", reset.link);
            Ok(())
        }
        Command::Token(TokenCommand::Create {
            staff,
            name,
            scopes,
        }) => {
            let app = prepared(&config).await?;
            let made =
                api_tokens::create_token(&app, &Actor::system("cli"), &staff, &name, &scopes)
                    .await?;
            println!(
                "API token '{}' for {staff}, scopes: {}. It is shown only now:",
                made.token.name, made.token.scopes
            );
            println!("{}", made.secret);
            Ok(())
        }
        Command::Seed { customers, site } => {
            let app = prepared(&config).await?;
            let bar = indicatif::ProgressBar::new(customers as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} customers, {per_sec}, {eta} left",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let started = std::time::Instant::now();
            gatehouse_app::seed::seed(&app, &site, customers, |n| bar.set_position(n as u64))
                .await?;
            bar.finish_and_clear();
            println!(
                "added {customers} customers in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Backup { file } => {
            // The database is copied as it is: no migration, no change.
            let app = open(&config).await?;
            let made = app
                .store
                .backup_into(&file)
                .await
                .map_err(|e| anyhow!("no backup was made: {e}"))?;
            println!(
                "Backed up the database to {} ({:.1} MB, schema version {}; checked whole).",
                file.display(),
                made.bytes as f64 / 1_000_000.0,
                made.schema_version
            );
            Ok(())
        }
        Command::Restore { file } => run_restore(&config, &file).await,
        Command::Import(args) => transfer::run_import(&prepared(&config).await?, args).await,
        Command::Export(args) => transfer::run_export(&prepared(&config).await?, args).await,
        Command::Purge { dry_run } => {
            let app = prepared(&config).await?;
            let purged =
                gatehouse_app::privacy::purge(&app, &Actor::system("cli"), dry_run).await?;
            for p in &purged {
                println!(
                    "site {}: account {} (deleted {})",
                    p.site, p.account_id, p.deleted_at
                );
            }
            let verb = if dry_run { "would erase" } else { "erased" };
            println!(
                "{verb} {} deleted accounts past their site's retention",
                purged.len()
            );
            Ok(())
        }
        Command::BenchHash { seconds, workers } => {
            let rate = gatehouse_app::passwords::raw_rate(workers, seconds)?;
            println!(
                "raw Argon2id rate (m={} KiB, t={}, p={}; argon2-rust, {} backend): {:.1} hashes/s with {} workers ({} hashes, {:.1} ms each per worker)",
                gatehouse_app::passwords::M_COST,
                gatehouse_app::passwords::T_COST,
                gatehouse_app::passwords::P_COST,
                rate.backend,
                rate.per_second,
                rate.workers,
                rate.hashes,
                1000.0 * rate.workers as f64 / rate.per_second.max(f64::MIN_POSITIVE),
            );
            Ok(())
        }
        Command::Openapi => Ok(()),
        Command::BenchHello { bind } => Ok(gatehouse_web::serve_hello(bind).await?),
        Command::CheckConfig => {
            let app = open(&config).await?;
            app.store
                .ping()
                .await
                .context("the database does not answer")?;
            println!("data folder:  {}", config.data.display());
            println!("database:     {}", redact_url(&config.database_url()));
            println!("bind:         {}", config.bind);
            println!(
                "mail:         {}",
                config
                    .smtp_url
                    .as_deref()
                    .map_or_else(|| "files in the data folder".to_string(), redact_url)
            );
            println!(
                "rate limits:  {} per minute per client address, {} per login ID",
                config.rate_limit_per_ip, config.rate_limit_per_account
            );
            println!("configuration is valid and the database answers");
            Ok(())
        }
    }
}

fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Opens the data folder and the database (not yet migrated).
async fn open(config: &Config) -> Result<App> {
    config.prepare_data_folder()?;
    let url = config.database_url();
    let store = gatehouse_store::connect(&url, &ConnectOptions::default())
        .await
        .map_err(|e| anyhow!("cannot open the database at {}: {e}", redact_url(&url)))?;
    Ok(App::new(store))
}

/// Opens and prepares the database (migrated, default site present).
async fn prepared(config: &Config) -> Result<App> {
    let app = open(config).await?;
    let found = startup::prepare(&app)
        .await
        .context("the database could not be prepared")?;
    say_adopted(&found.companies);
    Ok(app)
}

/// Says which free-text companies became records, and which spellings were
/// merged into one (on stderr: an export may be writing to stdout).
fn say_adopted(adopted: &gatehouse_app::companies::Adopted) {
    if adopted.customers == 0 {
        return;
    }
    eprintln!(
        "Companies are records now: {} customers linked to {} companies made from their free-text company.",
        adopted.customers, adopted.companies
    );
    for (name, spellings) in &adopted.merged {
        let quoted: Vec<String> = spellings.iter().map(|s| format!("\"{s}\"")).collect();
        eprintln!("  merged into \"{name}\": {}", quoted.join(", "));
    }
}

fn read_password() -> Result<String> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .context("cannot read the password from standard input")?;
    let password = input.strip_suffix('\n').unwrap_or(&input);
    let password = password.strip_suffix('\r').unwrap_or(password);
    if password.is_empty() {
        bail!(
            "no password on standard input; pipe it in, e.g. printf '%s' \"$PASSWORD\" | gatehouse staff add …"
        );
    }
    Ok(password.to_string())
}

/// `gatehouse restore FILE` (see [`restore`]): puts the backup in place,
/// migrates it, and says what it holds.
async fn run_restore(config: &Config, file: &std::path::Path) -> Result<()> {
    if config.database_url.is_some() {
        bail!(
            "restore puts a backup in place of the data folder's SQLite database, and database_url names another database; on PostgreSQL use pg_restore (docs/deploy.md)"
        );
    }
    let data = config.prepare_data_folder()?;
    let restored = restore::put_in_place(file, &data, &data.join("gatehouse.db")).await?;
    let app = prepared(config).await?;
    let now = app.clock.now();
    let mut tx = app.store.read().await?;
    let sites = tx.list_sites().await?.len();
    let accounts = tx
        .count_accounts(&gatehouse_store::AccountFilter::default(), now)
        .await?;
    let customers = tx
        .count_customers(&gatehouse_store::CustomerFilter::default(), now, None)
        .await?;
    let newest = tx.list_audit(1).await?.first().map(|e| e.at);
    drop(tx);
    let newest = newest
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| "none".into());
    println!(
        "Restored {} (schema version {}): sites {sites}, accounts {accounts}, customers {customers}; newest audit event {newest}.",
        file.display(),
        restored.schema_version,
    );
    if let Some(kept) = restored.kept {
        println!("The database it replaced is kept as {}.", kept.display());
    }
    Ok(())
}

async fn serve(config: &Config) -> Result<()> {
    let bind = config.bind_addr()?;
    let data = config.prepare_data_folder()?;
    // Held until the server ends: a restore waits for no server.
    let _serving = restore::hold_while_serving(&data)?;
    let app = open(config).await?;
    let engine = app.store.engine().as_str();
    if let Some(public) = &config.public_url {
        app.links.set_origin(public);
    }
    let sender = config.mail_sender()?;
    let transport: Arc<dyn Transport> = match &config.smtp_url {
        Some(url) => Arc::new(SmtpTransport::from_url(url, sender).map_err(|e| anyhow!(e))?),
        None => Arc::new(FileTransport::new(data.join("mail"), sender)),
    };
    let options = ServeOptions {
        secure_cookies: config.secure_cookies,
        limits: config.rate_limits(),
        trusted_proxies: gatehouse_web::client::TrustedProxies::parse(&config.trusted_proxies)
            .map_err(|e| anyhow::anyhow!("trusted_proxies: {e}"))?,
        transport: Some(transport),
        retry: RetryPolicy {
            lease: time::Duration::seconds(i64::from(config.mail_lease_seconds)),
            ..RetryPolicy::default()
        },
        // Listening from the start, so that /healthz answers and /readyz
        // says "starting" while the database is migrated.
        starting: true,
        stop_delay: std::time::Duration::from_secs(u64::from(config.stop_delay_seconds)),
        purge_every: (config.purge_interval_seconds > 0)
            .then(|| std::time::Duration::from_secs(u64::from(config.purge_interval_seconds))),
        key_rotation: (config.signing_key_rotation_days > 0)
            .then(|| time::Duration::days(i64::from(config.signing_key_rotation_days))),
        ..ServeOptions::new(bind)
    };
    let server = gatehouse_web::start(app.clone(), options)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    let addr = server.addr;
    let stop = shutdown_signal()?;
    tokio::pin!(stop);
    let found = tokio::select! {
        found = startup::prepare(&app) => found.context("the database could not be prepared")?,
        () = &mut stop => {
            tracing::info!("stopped while preparing the database");
            server.stop().await.context("the server did not stop cleanly")?;
            return Ok(());
        }
    };
    server.ready();
    say_adopted(&found.companies);
    if found.created_default_site {
        println!("Created the default site 'main' (portal at http://{addr}/s/main).");
    }
    if found.staff_count == 0
        && let Some(token) = setup::issue_setup_token(&app)
            .await
            .context("cannot issue the setup link")?
    {
        println!(
            "No staff user exists yet. Create the first admin at this single-use link (valid 24 hours):\n  \
                 http://{addr}/admin/setup/{token}\n\
                 or on this machine with:\n  \
                 printf '%s' \"$ADMIN_PASSWORD\" | gatehouse --data {} staff add --email you@example.com --role admin --password-stdin",
            data.display()
        );
    }
    match &config.smtp_url {
        Some(url) => println!(
            "Mail: delivered through the SMTP relay {}.",
            redact_url(url)
        ),
        None => println!(
            "Mail: written as .eml files to {}.",
            data.join("mail").display()
        ),
    }
    println!("Gatehouse is listening on http://{addr} (database: {engine})");
    println!("  console:  http://{addr}/admin");
    let sites = match app.store.read().await {
        Ok(mut tx) => tx.list_sites().await.unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    for site in sites {
        println!("  portal:   http://{addr}/s/{}/ ({})", site.key, site.name);
    }
    stop.await;
    tracing::info!(
        "shutting down: /readyz fails, jobs give back their claims, requests in flight finish"
    );
    server
        .stop()
        .await
        .context("the server did not stop cleanly")?;
    println!("Gatehouse stopped.");
    Ok(())
}

/// Listens for SIGTERM and SIGINT from the moment it is called (not from its
/// first poll): a signal that arrives right after the server announced itself
/// still stops it gracefully.
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?;
    Ok(async move {
        tokio::select! {
            _ = terminate.recv() => {},
            _ = interrupt.recv() => {},
        }
    })
}
