//! The `cantiere` command: parses arguments and dispatches to the libraries.

#![forbid(unsafe_code)]
use std::process::ExitCode;

use clap::Parser;

mod catalog;
mod community;
mod index;
mod publiccode;
mod serve;
mod territory;
mod uncertainty;

// Large steps allocate and free whole columns; glibc hands each back to the
// kernel and pays page faults on the next step. mimalloc keeps them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Cantiere: territorial digital agendas, measured, shared and discussed.
#[derive(Debug, Parser)]
#[command(name = "cantiere", version, about)]
enum Command {
    /// Build and analyse composite indices (COINr's method).
    #[command(subcommand)]
    Index(index::Command),
    /// Validate and export publiccode.yml files (the reuse catalog's standard).
    #[command(subcommand)]
    Publiccode(publiccode::Command),
    /// Build the index of Italian municipalities from real open data.
    #[command(subcommand)]
    Territory(territory::Command),
    /// Build the index of every municipality from the real data into the database.
    Import(serve::ImportArgs),
    /// Serve the database's latest run as a web site and JSON API.
    Serve(serve::ServeArgs),
    /// The reuse catalog of publiccode.yml solutions.
    #[command(subcommand)]
    Catalog(catalog::Command),
    /// Thematic communities: imports and roles.
    #[command(subcommand)]
    Community(community::Command),
}

fn main() -> ExitCode {
    let result = match Command::parse() {
        Command::Index(cmd) => index::run(cmd),
        Command::Publiccode(cmd) => publiccode::run(cmd),
        Command::Territory(cmd) => territory::run(cmd),
        Command::Import(a) => serve::import(a),
        Command::Serve(a) => serve::serve(a),
        Command::Catalog(cmd) => catalog::run(cmd),
        Command::Community(cmd) => community::run(cmd),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        super::Command::command().debug_assert();
    }
}
