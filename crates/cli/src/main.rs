//! The `cantiere` command: parses arguments and dispatches to the libraries.

#![forbid(unsafe_code)]
use std::process::ExitCode;

use clap::Parser;

/// `println!` for the commands: a write error is returned (with `?`) instead
/// of a panic, and a reader that went away (`cantiere … | head -1`) ends the
/// command quietly in [`main`].
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)?
    }};
}

/// `print!` likewise.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)?
    }};
}

mod build;
mod catalog;
mod community;
mod data;
mod index;
mod memory;
mod progress;
mod publiccode;
mod publish;
mod serve;
mod territory;
mod uncertainty;
mod units;

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
    /// Indicator data: values by unit and period, and their dictionary.
    #[command(subcommand)]
    Data(data::Command),
    /// Units beyond comuni: unions of municipalities and their members over time.
    #[command(subcommand)]
    Units(units::Command),
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
        Command::Data(cmd) => data::run(cmd),
        Command::Units(cmd) => units::run(cmd),
    };
    match result {
        Ok(code) => code,
        // The reader of our output went away: nothing left to say.
        Err(e) if broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Whether an error comes from writing to a closed pipe.
fn broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        super::Command::command().debug_assert();
    }
}
