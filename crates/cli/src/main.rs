/*!
`kcvs`, the command line. Thin: it parses arguments, reads files and the clock, and hands typed
values to the library crates; every output goes through `kcvs-report`.

Layout: `args` turns the global options into a [`args::Ctx`]; `commands/` holds one file per
command group, each with a clap `Subcommand` enum and a `run` function returning an
[`commands::Output`]; `diag` renders errors to stderr. Exit codes: 0 success, 1 a negative verdict
or findings, 2 bad input or usage (clap's own usage errors included).
*/

mod args;
mod commands;
mod diag;

use std::io::Write as _;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::args::GlobalArgs;
use crate::commands::{Exit, audit, catalog, cert, content, decide, regime, scan, serve};

/// Korea's public-cloud security verification rules (CSAP, NIS verification, N2SF, sector laws)
/// as data.
#[derive(Debug, Parser)]
#[command(name = "kcvs", version, propagate_version = true)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

/// One variant per command group; a new group is one variant here, one arm in `main` and one file
/// under `commands/`.
#[derive(Debug, Subcommand)]
enum Command {
    /// Check content packs (the rules as data)
    #[command(subcommand)]
    Content(content::ContentCmd),
    /// List and show regimes: tiers, classification rules, requirements, accepted certificates
    #[command(subcommand)]
    Regime(regime::RegimeCmd),
    /// List and show control catalogs and their crosswalks
    #[command(subcommand)]
    Catalog(catalog::CatalogCmd),
    /// The tier of a system under each regime, the sector laws it triggers, and why
    Classify(decide::ClassifyArgs),
    /// May a service host a system on a date? Per regime, with every blocker
    Eligible(decide::EligibleArgs),
    /// A service against a regime and tier: requirements, controls, remediation
    Assess(decide::AssessArgs),
    /// Rank a folder of services for one system, with the blockers of the rest
    Match(decide::MatchArgs),
    /// Terraform plans and inventory exports against the technical requirements
    Scan(scan::ScanArgs),
    /// The certification service: JSON API, registry, transparency log (`--demo` seeds examples)
    Serve(serve::ServeArgs),
    /// Signed certificates: verify offline with the registry's public key
    #[command(subcommand)]
    Cert(cert::CertCmd),
    /// The audit chain of a `kcvs serve` database
    #[command(subcommand)]
    Audit(audit::AuditCmd),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version print to stdout and succeed; usage errors exit 2.
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    let lang = cli.global.lang();
    let result = match &cli.command {
        Command::Content(cmd) => content::run(&cli.global, cmd),
        Command::Regime(cmd) => regime::run(&cli.global, cmd),
        Command::Catalog(cmd) => catalog::run(&cli.global, cmd),
        Command::Classify(args) => decide::classify(&cli.global, args),
        Command::Eligible(args) => decide::eligible(&cli.global, args),
        Command::Assess(args) => decide::assess(&cli.global, args),
        Command::Match(args) => decide::matching(&cli.global, args),
        Command::Scan(args) => scan::run(&cli.global, args),
        Command::Serve(args) => serve::run_serve(&cli.global, args),
        Command::Cert(cmd) => cert::run(&cli.global, cmd),
        Command::Audit(cmd) => audit::run(&cli.global, cmd),
    };
    match result {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(out.stdout.as_bytes())
                .and_then(|()| stdout.flush())
            {
                Ok(()) => out.exit.code(),
                // A closed pipe (`kcvs … | head`) is the reader's choice, not our failure.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => out.exit.code(),
                Err(e) => {
                    eprintln!("{}", diag::io_message(&e, lang));
                    Exit::BadInput.code()
                }
            }
        }
        Err(err) => {
            eprint!("{}", diag::render(&err, lang));
            Exit::BadInput.code()
        }
    }
}
