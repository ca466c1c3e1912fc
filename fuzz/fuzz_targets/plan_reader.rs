//! The plan reader: any bytes read into a plan or fail with a worded error whose line and column
//! lie within the input; never a panic. Read twice: lean (the checks' attributes) and with every
//! attribute (as for Rego policies).
#![no_main]

use kcvs_model::Lang;
use kcvs_scan::{ReadOptions, ScanError, read_plan};
use libfuzzer_sys::fuzz_target;

/// Line and column (1-based, 0 = unknown) lie within `data`: the line exists and the column is at
/// most one past its end, counted in bytes or in characters.
fn within(data: &[u8], e: &ScanError) {
    assert!(!e.message(Lang::En).is_empty() && !e.message(Lang::Ko).is_empty());
    if e.line == 0 {
        return;
    }
    let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    let line = usize::try_from(e.line).unwrap_or(usize::MAX);
    assert!(line <= lines.len(), "line {} of {}: {e}", e.line, lines.len());
    let len = lines[line - 1].len() as u64;
    assert!(e.column <= len + 1, "column {} past {len}: {e}", e.column);
}

fuzz_target!(|data: &[u8]| {
    for full in [false, true] {
        let opts = ReadOptions {
            full_attributes: full,
            ..ReadOptions::default()
        };
        match read_plan(data, "fuzz.json", &opts) {
            Ok(plan) => {
                for r in &plan.resources {
                    let _ = r.to_json();
                }
            }
            Err(e) => within(data, &e),
        }
    }
});
