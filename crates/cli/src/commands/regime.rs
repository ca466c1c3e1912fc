//! `kcvs regime list|show`.

use clap::Subcommand;
use kcvs_model::RegimeId;
use kcvs_report::i18n::tf;
use kcvs_report::rules::{regime_list, regime_show};

use crate::args::GlobalArgs;
use crate::commands::Output;
use crate::diag::CliError;

#[derive(Debug, Subcommand)]
pub enum RegimeCmd {
    /// List the loaded regimes with status, kind, effective dates and tiers
    List,
    /// Show one regime: tiers, classification rules, requirements, accepted certificates,
    /// assumptions and sources
    Show {
        /// The regime id, e.g. csap-2023
        id: String,
    },
}

pub fn run(global: &GlobalArgs, cmd: &RegimeCmd) -> Result<Output, CliError> {
    let ctx = global.ctx()?;
    match cmd {
        RegimeCmd::List => Ok(ctx.output(&regime_list(&ctx.rules, &ctx.assumptions, ctx.lang))),
        RegimeCmd::Show { id } => {
            let regime = ctx
                .rules
                .regime(&RegimeId::new(id.as_str()))
                .ok_or_else(|| unknown_regime(&ctx.rules, id, ctx.lang))?;
            Ok(ctx.output(&regime_show(&ctx.rules, regime, &ctx.assumptions, ctx.lang)))
        }
    }
}

/// `unknown regime`, with the known ids as help. Decision commands taking `--regime` use it too.
pub fn unknown_regime(rules: &kcvs_model::RuleSet, id: &str, lang: kcvs_model::Lang) -> CliError {
    let known: Vec<String> = rules
        .regimes
        .iter()
        .map(|r| format!("`{}`", r.id))
        .collect();
    let help = if known.is_empty() {
        tf(
            lang,
            "no regimes are loaded".to_owned(),
            "불러온 제도가 없습니다".to_owned(),
        )
    } else {
        tf(
            lang,
            format!("known regimes: {}", known.join(", ")),
            format!("알려진 제도: {}", known.join(", ")),
        )
    };
    CliError::input(tf(
        lang,
        format!("unknown regime `{id}`"),
        format!("알 수 없는 제도 `{id}`"),
    ))
    .with_help(help)
}
