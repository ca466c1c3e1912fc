//! One module per command group. Each exposes a clap `Subcommand` enum and
//! `run(&GlobalArgs, &Cmd) -> Result<Output, CliError>`.

pub mod audit;
pub mod catalog;
pub mod cert;
pub mod content;
pub mod decide;
pub mod regime;
pub mod scan;
pub mod serve;

use std::process::ExitCode;

/// How a command ended when it did not fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0: success (and, for decision commands, a positive verdict).
    Success,
    /// 1: a negative verdict or findings (decision commands).
    Negative,
    /// 2: bad input or usage.
    BadInput,
}

impl Exit {
    pub fn code(self) -> ExitCode {
        match self {
            Exit::Success => ExitCode::SUCCESS,
            Exit::Negative => ExitCode::from(1),
            Exit::BadInput => ExitCode::from(2),
        }
    }
}

/// What a command prints on stdout and how it exits.
#[derive(Debug)]
pub struct Output {
    pub stdout: String,
    pub exit: Exit,
}

impl Output {
    pub fn success(stdout: String) -> Self {
        Self {
            stdout,
            exit: Exit::Success,
        }
    }
}
