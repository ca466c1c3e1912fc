//! `kcvs serve`: the certification service (JSON API under `/api/v1`), with `--demo` data.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;
use kcvs_server::serve::{IdempotencyRetention, ServeOptions, run};

use crate::args::GlobalArgs;
use crate::commands::Output;
use crate::diag::CliError;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The database: a SQLite file path, `sqlite://PATH` or `postgres://…`
    #[arg(long, default_value = "kcvs.db", value_name = "URL")]
    pub database: String,
    /// The address to listen on
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub listen: SocketAddr,
    /// Seed an empty database with the example services, certificates, a committee and users
    /// per role (their passwords are printed once)
    #[arg(long)]
    pub demo: bool,
    /// The Ed25519 seed file [default: kcvs-signing.key beside the SQLite file]; created at
    /// first start
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// How long a client's `Idempotency-Key` is remembered (`24h`, `90m`, `2 days`); after
    /// that the same key is a new request, and expired keys are purged every hour
    #[arg(long, default_value = "24h", value_name = "DURATION")]
    pub idempotency_retention: IdempotencyRetention,
    /// Failed sign-ins allowed per client address within 15 minutes before 429; 0 turns the
    /// per-address limit off, for a server behind a reverse proxy (every client then has the
    /// proxy's address; the per-account limit stays). X-Forwarded-For is not read
    #[arg(long, default_value_t = kcvs_server::auth::LoginLimit::default().per_address, value_name = "N")]
    pub login_limit_per_address: u32,
}

pub fn run_serve(global: &GlobalArgs, args: &ServeArgs) -> Result<Output, CliError> {
    let ctx = global.ctx_any_format()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::input(format!("cannot start the runtime: {e}")))?;
    let opts = ServeOptions {
        database: args.database.clone(),
        listen: args.listen,
        demo: args.demo,
        key_file: args.key.clone(),
        idempotency_retention: args.idempotency_retention,
        login_limit_per_address: args.login_limit_per_address,
    };
    runtime
        .block_on(run(opts, ctx.rules, ctx.assumptions))
        .map_err(|e| CliError::input(e.to_string()))?;
    Ok(Output::success(String::new()))
}
