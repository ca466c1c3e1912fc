//! `kcvs content validate [DIR]`.

use std::path::PathBuf;

use clap::Subcommand;
use kcvs_report::rules::content_summary;

use crate::args::GlobalArgs;
use crate::commands::Output;
use crate::diag::CliError;

#[derive(Debug, Subcommand)]
pub enum ContentCmd {
    /// Load the built-in packs and DIR (or --content) and report every error with its file,
    /// line and column; exit 0 when all is well, 2 otherwise
    Validate {
        /// A user pack folder to check together with the built-in packs
        dir: Option<PathBuf>,
    },
}

pub fn run(global: &GlobalArgs, cmd: &ContentCmd) -> Result<Output, CliError> {
    match cmd {
        ContentCmd::Validate { dir } => {
            let lang = global.lang();
            let dir = dir.as_ref().or(global.content.as_ref());
            let rules =
                kcvs_content::load_rules(dir.map(PathBuf::as_path)).map_err(CliError::Load)?;
            let counts = kcvs_content::summary(&rules);
            let pack = dir.map(|d| d.display().to_string());
            let view = content_summary(&counts, pack.as_deref(), lang);
            Ok(Output::success(view.render(global.format())))
        }
    }
}
