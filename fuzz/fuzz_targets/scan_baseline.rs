//! The `--baseline` reader: any text reads into a baseline or fails with a worded error whose
//! line and column lie within the input; never a panic.
#![no_main]

use kcvs_model::Lang;
use kcvs_scan::Baseline;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = Baseline::read(text, "fuzz.json") {
        assert!(!e.message(Lang::En).is_empty() && !e.message(Lang::Ko).is_empty());
        let lines: Vec<&str> = text.split('\n').collect();
        let line = usize::try_from(e.line).unwrap_or(usize::MAX);
        assert!(e.line == 0 || line <= lines.len(), "{e}");
    }
});
