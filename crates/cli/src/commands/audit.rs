//! `kcvs audit verify --database URL`: walk the audit chain stored by `kcvs serve` and name the
//! first record that was edited, deleted or moved. Exit 0 intact, 1 broken, 2 bad input.

use clap::{Args, Subcommand};
use kcvs_store::{OpenOptions, Store};

use crate::args::{FormatArg, GlobalArgs};
use crate::commands::{Exit, Output};
use crate::diag::CliError;

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// Check every link of the hash-chained audit log
    Verify(AuditVerifyArgs),
}

#[derive(Debug, Args)]
pub struct AuditVerifyArgs {
    /// The database: a SQLite file path, `sqlite://PATH` or `postgres://…`
    #[arg(long, default_value = "kcvs.db", value_name = "URL")]
    pub database: String,
}

pub fn run(global: &GlobalArgs, cmd: &AuditCmd) -> Result<Output, CliError> {
    let AuditCmd::Verify(args) = cmd;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::input(format!("cannot start the runtime: {e}")))?;
    let result = runtime.block_on(async {
        let mut opts = OpenOptions::new(args.database.clone());
        opts.create = false;
        opts.migrate = false;
        opts.max_connections = 1;
        let store = Store::open(opts).await?;
        let r = store.verify_audit().await;
        store.close().await;
        r
    });
    let json = global.format == FormatArg::Json;
    let (stdout, exit) = match result {
        Ok(Ok(head)) => (
            if json {
                serde_json::json!({ "ok": true, "records": head.len, "head": head.hash })
                    .to_string()
            } else {
                format!(
                    "audit chain intact: {} records, head {}",
                    head.len, head.hash
                )
            },
            Exit::Success,
        ),
        Ok(Err(e)) => {
            let kind = format!("{:?}", e.kind).to_lowercase();
            (
                if json {
                    serde_json::json!({ "ok": false, "first_break": e.index, "kind": kind })
                        .to_string()
                } else {
                    format!("audit chain BROKEN at record {}: {kind}", e.index)
                },
                Exit::Negative,
            )
        }
        Err(kcvs_store::StoreError::Corrupt(detail)) => (
            if json {
                serde_json::json!({ "ok": false, "unreadable": detail }).to_string()
            } else {
                format!("audit chain BROKEN: {detail}")
            },
            Exit::Negative,
        ),
        Err(e) => {
            return Err(CliError::input(format!(
                "cannot read the audit log in `{}`: {e}",
                args.database
            )));
        }
    };
    Ok(Output {
        stdout: stdout + "\n",
        exit,
    })
}
