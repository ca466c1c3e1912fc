//! The plan reader and the inventory reader on hostile input: the fuzz seeds
//! (`fuzz/corpus-seed/plan_reader/`) replayed, and random bytes and JSON-ish fragments. Never a
//! panic; every error names a line and column inside the input (or 0, unknown).

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests: a fixture that cannot be read fails the test"
)]

use std::path::PathBuf;

use kcvs_model::Lang;
use kcvs_scan::{InventoryFormat, ReadOptions, ScanError, read_inventory, read_plan};
use proptest::prelude::*;

/// The error's position lies within `data`: the line exists and the column is at most one past
/// its end (in bytes).
fn within(data: &[u8], e: &ScanError) -> Result<(), String> {
    if e.message(Lang::En).is_empty() || e.message(Lang::Ko).is_empty() {
        return Err(format!("no message: {e:?}"));
    }
    if e.line == 0 {
        return if e.column == 0 {
            Ok(())
        } else {
            Err(format!("column without a line: {e}"))
        };
    }
    let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    let Some(line) = usize::try_from(e.line).ok().and_then(|l| lines.get(l - 1)) else {
        return Err(format!("line {} of {}: {e}", e.line, lines.len()));
    };
    if e.column > line.len() as u64 + 1 {
        return Err(format!("column {} past {}: {e}", e.column, line.len()));
    }
    Ok(())
}

fn read_all(data: &[u8]) -> Result<(), String> {
    for full in [false, true] {
        let opts = ReadOptions {
            full_attributes: full,
            ..ReadOptions::default()
        };
        match read_plan(data, "in.json", &opts) {
            Ok(plan) => {
                for r in &plan.resources {
                    let _ = r.to_json();
                }
            }
            Err(e) => within(data, &e)?,
        }
    }
    for format in [InventoryFormat::JsonLines, InventoryFormat::Csv] {
        if let Err(e) = read_inventory(data, "in", format, &ReadOptions::default()) {
            within(data, &e).map_err(|m| format!("{format:?}: {m}"))?;
        }
    }
    // A baseline is text (the CLI reads it as UTF-8 first).
    if let Ok(text) = std::str::from_utf8(data)
        && let Err(e) = kcvs_scan::Baseline::read(text, "in.json")
    {
        within(data, &e).map_err(|m| format!("baseline: {m}"))?;
    }
    Ok(())
}

#[test]
fn fuzz_seeds_replay_without_panic() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus-seed/plan_reader");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        read_all(&data).unwrap_or_else(|m| panic!("{}: {m}", path.display()));
        let plan = read_plan(&data, "seed", &ReadOptions::default());
        // `.json` seeds are valid plans; the others are refused.
        let is_json = path.extension().is_some_and(|e| e == "json");
        assert_eq!(
            plan.is_ok(),
            is_json,
            "{}: {:?}",
            path.display(),
            plan.err()
        );
        n += 1;
    }
    assert!(n >= 3, "seeds in {}", dir.display());
}

/// Pieces of plans and inventories, glued at random.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just(",".to_owned()),
        Just(":".to_owned()),
        Just("\n".to_owned()),
        Just("\"format_version\": \"1.2\"".to_owned()),
        Just("\"format_version\": \"2.0\"".to_owned()),
        Just("\"planned_values\"".to_owned()),
        Just("\"root_module\"".to_owned()),
        Just("\"child_modules\"".to_owned()),
        Just("\"resources\"".to_owned()),
        Just("\"resource_changes\"".to_owned()),
        Just("\"prior_state\"".to_owned()),
        Just("\"configuration\"".to_owned()),
        Just("\"provider_config\"".to_owned()),
        Just("\"values\"".to_owned()),
        Just("\"serial\": 1".to_owned()),
        Just("\"address\": \"aws_s3_bucket.b\"".to_owned()),
        Just("\"type\": \"aws_instance\"".to_owned()),
        Just("\"mode\": \"managed\"".to_owned()),
        Just("\"provider_name\": \"registry.terraform.io/hashicorp/aws\"".to_owned()),
        Just("\"change\": {\"actions\": [\"delete\"]".to_owned()),
        Just("\"after_unknown\": {\"a\": true}".to_owned()),
        Just("\"availability_zone\": \"ap-northeast-2a\"".to_owned()),
        Just("provider,region,type,id,attributes".to_owned()),
        Just("aws,ap-northeast-2,aws_s3_bucket,b,\"{}\"".to_owned()),
        Just("{\"provider\": \"aws\", \"type\": \"t\", \"id\": \"i\"}".to_owned()),
        Just("null".to_owned()),
        Just("1e999".to_owned()),
        Just("\"\\ud800\"".to_owned()),
        Just("\u{feff}".to_owned()),
        Just("한국".to_owned()),
        "[ -~]{0,12}".prop_map(|s| s),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(512)
    })]

    #[test]
    fn random_bytes_never_panic_the_readers(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        prop_assert_eq!(read_all(&data), Ok(()));
    }

    #[test]
    fn json_ish_fragments_never_panic_the_readers(parts in proptest::collection::vec(fragment(), 0..40)) {
        let text = parts.concat();
        prop_assert_eq!(read_all(text.as_bytes()), Ok(()));
    }

    #[test]
    fn truncated_example_plans_are_positioned_errors(cut in 0usize..100_000) {
        let plan = include_bytes!("../../../examples/scan/plan-multicloud.json");
        let cut = cut % plan.len();
        let data = &plan[..cut];
        let e = read_plan(data, "cut.json", &ReadOptions::default());
        // Anything short of the whole file is refused (the last bytes are the closing brace and
        // newline, so the last cut or two may still parse).
        if cut + 2 < plan.len() {
            let e = e.err().unwrap();
            prop_assert_eq!(within(data, &e), Ok(()));
        }
    }
}
