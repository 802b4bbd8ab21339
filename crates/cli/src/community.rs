//! `cantiere community import` (thematic areas, communities and
//! registrations from CSV, each file all or nothing, one line per bad row)
//! and `cantiere community grant` (roles: the first platform admin is
//! granted here, after registering on the site).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use cantiere_store::Store;
use cantiere_store::community::CsvKind;
use clap::{Args, Subcommand, ValueEnum};

use crate::serve::DatabaseArgs;

/// `cantiere community …`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import areas (columns slug, name, optional description), communities (slug, area, name,
    /// optional description) and registrations (community, email, name, codice_ipa, optional
    /// referent), in that order.
    Import(ImportArgs),
    /// Grant a role to the account with an email.
    Grant(GrantArgs),
}

/// `cantiere community import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Thematic areas.
    #[arg(long)]
    areas: Option<PathBuf>,
    /// Communities.
    #[arg(long)]
    communities: Option<PathBuf>,
    /// Registrations (accounts are created without a password: a reset sets one).
    #[arg(long)]
    registrations: Option<PathBuf>,
    #[command(flatten)]
    db: DatabaseArgs,
}

/// A role.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Role {
    /// Platform admin.
    Admin,
    /// Coordinator of a community (--target SLUG).
    Coordinator,
    /// Editor for an administration (--target CODICE_IPA).
    Editor,
}

/// `cantiere community grant`.
#[derive(Debug, Args)]
pub struct GrantArgs {
    /// The account's email.
    email: String,
    /// The role.
    role: Role,
    /// The community slug (coordinator) or iPA code (editor).
    #[arg(long)]
    target: Option<String>,
    #[command(flatten)]
    db: DatabaseArgs,
}

pub fn run(cmd: Command) -> Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?;
    rt.block_on(async {
        match cmd {
            Command::Import(a) => import(a).await,
            Command::Grant(a) => grant(a).await,
        }
    })
}

async fn import(a: ImportArgs) -> Result<ExitCode> {
    let store = Store::open(&a.db.url()).await?;
    let files =
        [(CsvKind::Areas, a.areas), (CsvKind::Communities, a.communities), (CsvKind::Registrations, a.registrations)];
    if files.iter().all(|(_, f)| f.is_none()) {
        bail!("nothing to import: pass --areas, --communities and/or --registrations");
    }
    for (kind, file) in files {
        let Some(file) = file else { continue };
        let name = file.display().to_string();
        let bytes = std::fs::read(&file).with_context(|| format!("reading {name}"))?;
        match store.community().import_csv(kind, &name, &bytes).await {
            Ok(n) => eprintln!("{name}: {n} rows written"),
            Err(cantiere_store::Error::Rows { file, errors }) => {
                eprintln!("{file}: {} bad rows; nothing was imported from it:", errors.len());
                for e in &errors {
                    eprintln!("  {file}: {e}");
                }
                store.close().await;
                return Ok(ExitCode::FAILURE);
            }
            Err(e) => return Err(e.into()),
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

async fn grant(a: GrantArgs) -> Result<ExitCode> {
    let store = Store::open(&a.db.url()).await?;
    let c = store.community();
    let Some((account, _)) = c.credentials(&a.email).await? else {
        bail!("no account with email `{}`: register on the site first", a.email)
    };
    let target = || a.target.clone().context("--target is required for this role");
    match a.role {
        Role::Admin => c.set_admin(account.id, true).await?,
        Role::Editor => c.grant_editor(account.id, &target()?, "cantiere community grant").await?,
        Role::Coordinator => {
            let community = c.community_by_slug(&target()?).await?;
            c.grant_coordinator(account.id, community.id).await?
        }
    }
    eprintln!("{}: {:?} granted", account.email, a.role);
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
