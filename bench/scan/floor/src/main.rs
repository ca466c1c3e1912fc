//! floor: the least any plan scanner must do — read the file and check that it is JSON.
//! Reads the whole file and validates it with serde_json into `IgnoredAny` (no allocation per
//! value). Prints `{"bytes":N}` on success; exit 2 with the position on invalid JSON.

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: floor PLAN.json");
        return ExitCode::from(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("floor: {path}: {e}");
            return ExitCode::from(2);
        }
    };
    match serde_json::from_slice::<serde::de::IgnoredAny>(&bytes) {
        Ok(_) => {
            println!("{{\"bytes\":{}}}", bytes.len());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("floor: {path}: invalid JSON: {e}");
            ExitCode::from(2)
        }
    }
}
