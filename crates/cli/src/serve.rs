//! `cantiere import` (build the index into the database) and `cantiere
//! serve` (serve a database's latest run in a browser).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use cantiere_store::Store;
use cantiere_territory::Packages;
use cantiere_territory::registry::AreaShapes;
use clap::Args;

use crate::territory::{CommonArgs, load_and_score};

/// The database: --database, else $DATABASE_URL, else the embedded SQLite file.
#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// sqlite://PATH or postgres://… (default: $DATABASE_URL, then sqlite://cantiere.sqlite).
    #[arg(long)]
    database: Option<String>,
}

impl DatabaseArgs {
    pub(crate) fn url(&self) -> String {
        self.database
            .clone()
            .or_else(|| std::env::var("DATABASE_URL").ok())
            .unwrap_or_else(|| "sqlite://cantiere.sqlite".to_string())
    }
}

/// How often `--backfill` rebuilds the past.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Backfill {
    /// At the end of every quarter.
    Quarterly,
}

/// `cantiere import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    db: DatabaseArgs,
    /// Also rebuild every earlier quarter since the data's first from PA digitale's dates (an application counts
    /// from its sending date, its amount from its funding date, its state from its state date), each stored as a
    /// run of its quarter.
    #[arg(long, value_enum)]
    backfill: Option<Backfill>,
    #[command(flatten)]
    common: CommonArgs,
}

/// `cantiere serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    db: DatabaseArgs,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// The front-end packages (`npm ci` in web/ installs them).
    #[arg(long, default_value = "web/node_modules")]
    assets: PathBuf,
    /// Serve this run instead of the latest.
    #[arg(long)]
    run: Option<i64>,
    /// The site's public address, for the links in password-reset mail (default: http://ADDR).
    #[arg(long)]
    public_url: Option<String>,
    /// Where password-reset mail is written for the mail relay to send.
    #[arg(long, default_value = ".cache/mail")]
    mail_dir: PathBuf,
    /// Multiply the sign-in, registration and reset rate limits (load tests from one address).
    #[arg(long, default_value_t = 1)]
    rate_limit_scale: u32,
    /// Log lines as text or as JSON objects (one per line); which lines by
    /// `RUST_LOG` (default `info`; `debug` adds one line per response with
    /// its status and latency).
    #[arg(long, value_enum, default_value = "text")]
    log_format: LogFormat,
}

/// How `serve` writes its log.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line (for a log collector).
    Json,
}

/// Sends the `tracing` events to stderr, filtered by `RUST_LOG`.
fn init_log(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    use std::io::IsTerminal as _;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the async runtime")
}

pub fn import(a: ImportArgs) -> Result<ExitCode> {
    let url = a.db.url();
    let progress = crate::progress::Progress::new(3, "import");
    let built = load_and_score(a.common, &progress, Some(&url))?;
    let start = Instant::now();
    let earlier = match a.backfill {
        None => Vec::new(),
        Some(Backfill::Quarterly) => {
            progress.message("building the earlier quarters");
            let runs = cantiere_territory::as_of::backfill(&built.sources, &built.files, &built.settings)?;
            eprintln!("{} earlier quarters built in {:.2} s", runs.len(), start.elapsed().as_secs_f64());
            runs
        }
    };
    progress.message("storing the run");
    let shapes = AreaShapes::load(&Packages::open(&built.registry)?, built.sources.registry.year)?;
    let snapshot = cantiere_territory::stored::snapshot(
        &built.sources,
        &built.files,
        &built.settings,
        &built.scored,
        Some(&shapes),
    );
    let id = runtime()?.block_on(async {
        let store = Store::open(&url).await?;
        for snap in &earlier {
            store.import(snap).await?;
        }
        let id = store.import(&snapshot).await?;
        store.close().await;
        Ok::<_, cantiere_store::Error>(id)
    })?;
    progress.finish();
    let period = snapshot.run.as_ref().map_or("", |r| r.period.as_str());
    if earlier.is_empty() {
        eprintln!("stored as run {id}, period {period}, in {url} ({:.2} s)", start.elapsed().as_secs_f64());
    } else {
        eprintln!(
            "stored {} earlier quarters and run {id}, period {period}, in {url} ({:.2} s)",
            earlier.len(),
            start.elapsed().as_secs_f64()
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn serve(a: ServeArgs) -> Result<ExitCode> {
    init_log(a.log_format);
    let url = a.db.url();
    let assets = cantiere_web::Assets { node_modules: a.assets.clone() };
    assets.check().map_err(anyhow::Error::msg)?;
    runtime()?.block_on(async {
        let store = Store::open(&url).await?;
        let obs = cantiere_web::live::load(&store, a.run).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        if let Some(catalog) = obs.catalog() {
            eprintln!(
                "catalog: {} solutions listed of {} ingested, {} adoptions",
                catalog.active(),
                catalog.solutions.len(),
                catalog.adoptions.len()
            );
        }
        let obs = std::sync::Arc::new(obs);
        let public_url = a.public_url.clone().unwrap_or_else(|| format!("http://{}", a.addr));
        let mailer = std::sync::Arc::new(cantiere_web::auth::SpoolMailer { dir: a.mail_dir.clone() });
        let limits = cantiere_web::auth::Limits::default().scaled(a.rate_limit_scale.max(1));
        let mut hub = cantiere_web::community::Hub::new(obs.clone(), store, mailer, &public_url, limits);
        // Several servers of one deployment accept each other's forms when they share a secret.
        if let Ok(secret) = std::env::var("CANTIERE_SECRET")
            && !secret.is_empty()
        {
            hub = hub.with_secret(&secret);
        }
        eprintln!(
            "serving run {} ({} municipalities) from {url} on http://{}/ (following changes; Ctrl-C stops)",
            obs.run.id,
            obs.munis.len(),
            a.addr
        );
        cantiere_web::live::serve(std::sync::Arc::new(hub), &assets, a.addr, a.run)
            .await
            .with_context(|| format!("serving on {}", a.addr))?;
        Ok(ExitCode::SUCCESS)
    })
}
