//! Service profiles: any input parses or fails with positioned, worded errors; never panics.
#![no_main]

use kcvs_model::Lang;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(errors) = kcvs_content::parse_service("fuzz.yaml", &text) {
        assert!(!errors.0.is_empty());
        for e in &errors.0 {
            assert!(!e.message(Lang::En).is_empty() && !e.message(Lang::Ko).is_empty());
        }
    }
});
