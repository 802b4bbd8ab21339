//! `cantiere units import --unions FILE`: unions of municipalities and
//! their members over time, replacing those stored; all or nothing.

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use cantiere_store::Store;
use clap::{Args, Subcommand};

use crate::serve::DatabaseArgs;

/// `cantiere units …`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import unions of municipalities and their members over time (columns union_ipa, union_name, member,
    /// from, to; member an ISTAT code of a stored comune; to empty while the membership lasts), replacing the
    /// unions stored; all or nothing.
    Import(ImportArgs),
}

/// `cantiere units import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The unions file (CSV).
    #[arg(long)]
    unions: PathBuf,
    /// The memberships are invented examples: every page showing them says so.
    #[arg(long)]
    example: bool,
    #[command(flatten)]
    db: DatabaseArgs,
}

pub fn run(cmd: Command) -> Result<ExitCode> {
    match cmd {
        Command::Import(a) => import(a),
    }
}

fn import(a: ImportArgs) -> Result<ExitCode> {
    let url = a.db.url();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let store = rt.block_on(Store::open(&url))?;
    let comuni: HashSet<String> = rt.block_on(store.comuni())?.into_iter().map(|b| b.code).collect();
    let members = match cantiere_territory::unions::read(&a.unions, &|c: &str| comuni.contains(c), a.example) {
        Ok(m) => m,
        Err(errors) => {
            rt.block_on(store.close());
            eprintln!("{} errors; nothing was imported:", errors.len());
            for e in errors.iter().take(100) {
                eprintln!("  {e}");
            }
            return Ok(ExitCode::FAILURE);
        }
    };
    let unions: HashSet<&str> = members.iter().map(|m| m.union_ipa.as_str()).collect();
    let stored = rt.block_on(async {
        let n = store.replace_unions(&members).await;
        store.close().await;
        n
    })?;
    eprintln!(
        "{stored} memberships of {} unions stored ({url}){}",
        unions.len(),
        if a.example { ", as examples" } else { "" }
    );
    Ok(ExitCode::SUCCESS)
}
