//! The `import` and `export` commands: files of customers and accounts in
//! and out, with a progress bar on stderr (stdout carries the report, or
//! the export itself when no output file is named).

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;
use gatehouse_app::App;
use gatehouse_app::transfer::{export, import};
use gatehouse_store::Actor;

/// `gatehouse import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The CSV file (UTF-8, a header line first)
    pub file: PathBuf,
    /// Map a header of the file to a Gatehouse column, HEADER=COLUMN
    /// (repeat; HEADER= leaves a column out). Unmapped headers must be
    /// Gatehouse's column names.
    #[arg(long = "map", value_name = "HEADER=COLUMN")]
    pub map: Vec<String>,
    /// Check every row and report; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Import the good rows and report the bad ones (default: any bad row
    /// and nothing is imported)
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// Mail every new account without a password an invitation to set one
    #[arg(long)]
    pub send_invitations: bool,
}

/// `gatehouse export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Write here instead of to standard output
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// csv or jsonl
    #[arg(long, default_value = "csv", value_parser = parse_format)]
    pub format: export::Format,
    /// Include the accounts' password hashes (to move to another Gatehouse)
    #[arg(long)]
    pub with_password_hashes: bool,
    /// Only customers whose name, e-mail address or company contains this
    #[arg(long)]
    pub search: Option<String>,
    /// Only customers with an account on this site
    #[arg(long)]
    pub site: Option<String>,
    /// Only customers with an account in this status
    #[arg(long)]
    pub status: Option<String>,
    /// Only customers with an account of this role
    #[arg(long)]
    pub role: Option<String>,
    /// Only customers of companies whose name contains this
    #[arg(long)]
    pub company: Option<String>,
    /// Only customers in this country (code or name)
    #[arg(long)]
    pub country: Option<String>,
    /// Only customers in this group (its ID)
    #[arg(long)]
    pub group: Option<String>,
    /// Only customers with an account that has two-step sign-in on
    /// (`two_step`) or a passkey (`passkey`)
    #[arg(long)]
    pub sign_in: Option<String>,
}

fn parse_format(raw: &str) -> Result<export::Format, String> {
    match raw {
        "csv" => Ok(export::Format::Csv),
        "jsonl" => Ok(export::Format::Jsonl),
        other => Err(format!("'{other}' is not a format; use csv or jsonl")),
    }
}

fn bar(len: u64, template: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template(template)
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// Runs an import and prints its report; fails (exit 1) when rows were bad
/// and nothing was written, so that scripts notice.
pub async fn run_import(app: &App, args: ImportArgs) -> Result<()> {
    let options = import::Options::chosen(
        args.skip_bad_rows,
        args.dry_run,
        args.send_invitations,
        args.map.iter().map(String::as_str),
    )
    .map_err(|pair| {
        anyhow::anyhow!("--map '{pair}' must be HEADER=COLUMN (or HEADER= to leave a column out)")
    })?;
    let file = std::fs::File::open(&args.file)
        .with_context(|| format!("cannot open {}", args.file.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let progress = bar(
        size,
        "{bar:40} {bytes}/{total_bytes}, {msg} rows, {eta} left",
    );
    let started = std::time::Instant::now();
    let report = import::import(
        app,
        &Actor::system("cli"),
        std::io::BufReader::with_capacity(1 << 16, file),
        &options,
        |p| {
            progress.set_position(p.bytes);
            progress.set_message(p.rows.to_string());
        },
    )
    .await?;
    progress.finish_and_clear();
    for bad in &report.bad {
        println!("line {}: {}", bad.line, bad.problems.join("; "));
    }
    println!(
        "{} ({:.1} s)",
        report.summary(options.dry_run),
        started.elapsed().as_secs_f64()
    );
    if !report.bad.is_empty() && !report.written && !options.dry_run {
        bail!(
            "nothing was imported; mend the rows above, or import the good ones with --skip-bad-rows"
        );
    }
    Ok(())
}

/// Runs an export to a file or standard output.
pub async fn run_export(app: &App, args: ExportArgs) -> Result<()> {
    let query = gatehouse_app::customers::ListQuery {
        q: args.search,
        site: args.site,
        group: args.group,
        role: args.role,
        company: args.company,
        country: args.country,
        status: args.status,
        sign_in: args.sign_in,
        ..Default::default()
    };
    let filter = gatehouse_app::customers::filter_of(app, &query).await?;
    let options = export::Options {
        format: args.format,
        password_hashes: args.with_password_hashes,
    };
    let progress = bar(0, "{spinner} {pos} customers, {per_sec}");
    let started = std::time::Instant::now();
    let report = |w: export::Written| progress.set_position(w.customers);
    let written = match &args.output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            export::export(app, &filter, &options, file, report).await?
        }
        None => {
            progress.set_draw_target(indicatif::ProgressDrawTarget::hidden());
            export::export(app, &filter, &options, std::io::stdout(), report).await?
        }
    };
    progress.finish_and_clear();
    eprintln!(
        "exported {} customers and {} accounts in {} lines ({:.1} s)",
        written.customers,
        written.accounts,
        written.rows,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
