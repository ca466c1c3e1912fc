//! `kcvs regime list|show`.

use clap::Subcommand;
use kcvs_engine::{Decider, ServiceIndex};
use kcvs_model::{RegimeId, RegimeKind};
use kcvs_report::decisions::diff_view;
use kcvs_report::i18n::tf;
use kcvs_report::rules::{regime_list, regime_show};

use crate::args::GlobalArgs;
use crate::commands::{Exit, Output};
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
    /// Every (system class, service class) pair whose verdict differs between two scheme
    /// regimes, over the whole space, grouped and explained; exit 1 when any differs
    Diff {
        /// The regime to compare from, e.g. csap-2023
        a: String,
        /// The regime to compare to, e.g. bsa-2026
        b: String,
        /// Groups shown in text, Markdown and HTML (JSON has them all)
        #[arg(long, default_value_t = 25)]
        limit: usize,
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
        RegimeCmd::Diff { a, b, limit } => {
            let ra = scheme(&ctx, a)?;
            let rb = scheme(&ctx, b)?;
            let index = ServiceIndex::default();
            let d = Decider::new(&ctx.rules, &ctx.assumptions, ctx.as_of, &index);
            let x = kcvs_engine::diff::diff(&d, ra, rb);
            let view = diff_view(&d, ra, rb, &x, *limit, ctx.lang);
            Ok(Output {
                stdout: view.render(ctx.format),
                exit: if x.flipped_pairs == 0 {
                    Exit::Success
                } else {
                    Exit::Negative
                },
            })
        }
    }
}

/// A regime that certifies services; diff compares eligibility, which only those decide.
fn scheme<'r>(ctx: &'r crate::args::Ctx, id: &str) -> Result<&'r kcvs_model::Regime, CliError> {
    let r = ctx
        .rules
        .regime(&RegimeId::new(id))
        .ok_or_else(|| unknown_regime(&ctx.rules, id, ctx.lang))?;
    if r.kind != RegimeKind::Scheme {
        return Err(CliError::input(tf(
            ctx.lang,
            format!("`{id}` certifies no services, so there is no eligibility to compare"),
            format!("`{id}`은(는) 서비스를 인증하지 않으므로 비교할 이용 가능 여부가 없습니다"),
        )));
    }
    Ok(r)
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
