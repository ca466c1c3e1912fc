//! `kcvs cert verify FILE --key PUBKEY`: check a signed certificate offline: the signature with
//! the registry's published key, the dates against `--as-of`, and the status it was signed with.
//! Exit 0 when it is good for use on the date, 1 when not, 2 on bad input.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use kcvs_registry::signing::{SignedCertificate, VerifiedStatus, verify_certificate};

use crate::args::{FormatArg, GlobalArgs};
use crate::commands::{Exit, Output};
use crate::diag::CliError;

#[derive(Debug, Subcommand)]
pub enum CertCmd {
    /// Check a signed certificate (JSON from /api/v1/certificates/NUMBER) with the public key
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The signed certificate (JSON)
    pub file: PathBuf,
    /// The registry's public key: 64 hex digits, or a file holding them (GET /api/v1/keys)
    #[arg(long, value_name = "PUBKEY")]
    pub key: String,
}

pub fn run(global: &GlobalArgs, cmd: &CertCmd) -> Result<Output, CliError> {
    let CertCmd::Verify(args) = cmd;
    let as_of = global.as_of()?;
    let key_text = if args.key.len() == 64 && args.key.bytes().all(|b| b.is_ascii_hexdigit()) {
        args.key.clone()
    } else {
        std::fs::read_to_string(&args.key)
            .map_err(|e| CliError::input(format!("cannot read the key `{}`: {e}", args.key)))?
    };
    let key = kcvs_server::keys::parse_public_key(&key_text).ok_or_else(|| {
        CliError::input(format!(
            "`{}` is not an Ed25519 public key in 64 lowercase hex digits",
            args.key
        ))
    })?;
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| CliError::input(format!("cannot read `{}`: {e}", args.file.display())))?;
    let signed: SignedCertificate = serde_json::from_str(&text).map_err(|e| {
        CliError::input(format!(
            "`{}` is not a signed kcvs certificate: {e}",
            args.file.display()
        ))
    })?;
    let verdict = verify_certificate(&signed, &key, as_of);
    let exit = if verdict.is_valid() {
        Exit::Success
    } else {
        Exit::Negative
    };
    let doc = &signed.document;
    let stdout = if global.format == FormatArg::Json {
        let v = serde_json::json!({
            "number": doc.number,
            "as_of": as_of,
            "valid": verdict.is_valid(),
            "signature_ok": verdict.signature_ok,
            "within_dates": verdict.within_dates,
            "status": verdict.status,
        });
        format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default())
    } else {
        let status = match &verdict.status {
            VerifiedStatus::Untrusted => "untrusted (bad signature)".to_owned(),
            VerifiedStatus::NotYetValid => "not yet valid".to_owned(),
            VerifiedStatus::Valid => "valid".to_owned(),
            VerifiedStatus::Grandfathered { successor, until } => {
                format!("grandfathered under `{successor}` until {until}")
            }
            VerifiedStatus::Expired => "expired".to_owned(),
            VerifiedStatus::Revoked { on, ground } => {
                format!("revoked on {on} ({})", ground.as_str())
            }
            VerifiedStatus::Surrendered { on } => format!("surrendered on {on}"),
        };
        format!(
            "certificate {} ({}, {} {}, {} to {})\nsignature: {}\ndates on {as_of}: {}\nstatus: {status}\nverdict: {}\n",
            doc.number,
            doc.service,
            doc.regime,
            doc.tier,
            doc.valid_from,
            doc.valid_until,
            if verdict.signature_ok { "ok" } else { "FAILED" },
            if verdict.within_dates {
                "within"
            } else {
                "outside"
            },
            if verdict.is_valid() {
                "VALID"
            } else {
                "NOT VALID"
            },
        )
    };
    Ok(Output { stdout, exit })
}
