//! `kcvs catalog list|show`.

use clap::Subcommand;
use kcvs_model::CatalogId;
use kcvs_report::i18n::tf;
use kcvs_report::rules::{catalog_list, catalog_show};

use crate::args::GlobalArgs;
use crate::commands::Output;
use crate::diag::CliError;

#[derive(Debug, Subcommand)]
pub enum CatalogCmd {
    /// List the loaded control catalogs with their published totals
    List,
    /// Show one catalog as a tree (area, group, control) with counts per service type, the
    /// published totals beside the sum of counts, and crosswalks from and to it
    Show {
        /// The catalog id, e.g. csap
        id: String,
    },
}

pub fn run(global: &GlobalArgs, cmd: &CatalogCmd) -> Result<Output, CliError> {
    let ctx = global.ctx()?;
    match cmd {
        CatalogCmd::List => Ok(ctx.output(&catalog_list(&ctx.rules, ctx.lang))),
        CatalogCmd::Show { id } => {
            let Some(catalog) = ctx.rules.catalog(&CatalogId::new(id.as_str())) else {
                let known: Vec<String> = ctx
                    .rules
                    .catalogs
                    .iter()
                    .map(|c| format!("`{}`", c.id))
                    .collect();
                return Err(CliError::input(tf(
                    ctx.lang,
                    format!("unknown catalog `{id}`"),
                    format!("알 수 없는 통제 목록 `{id}`"),
                ))
                .with_help(tf(
                    ctx.lang,
                    format!("known catalogs: {}", known.join(", ")),
                    format!("알려진 통제 목록: {}", known.join(", ")),
                )));
            };
            Ok(ctx.output(&catalog_show(&ctx.rules, catalog, ctx.lang)))
        }
    }
}
