//! The pack loader: the input as one pack file, alone and, when it gets past the parser, after the
//! built-in files (loading those costs tens of milliseconds, so only inputs that parse pay it).
#![no_main]

use std::sync::OnceLock;

use kcvs_content::{LoadErrorKind, LoadErrors, PackFile, builtin_files, load};
use kcvs_model::Lang;
use libfuzzer_sys::fuzz_target;

fn builtins() -> &'static [PackFile] {
    static FILES: OnceLock<Vec<PackFile>> = OnceLock::new();
    FILES.get_or_init(builtin_files)
}

fn check(errors: &LoadErrors) {
    assert!(!errors.0.is_empty());
    for e in &errors.0 {
        assert!(!e.message(Lang::En).is_empty() && !e.message(Lang::Ko).is_empty());
    }
}

fuzz_target!(|data: &[u8]| {
    let extra = PackFile {
        name: "extra/fuzz.yaml".to_owned(),
        text: String::from_utf8_lossy(data).into_owned(),
    };
    let parsed = match load(std::slice::from_ref(&extra)) {
        Ok(_) => true,
        Err(errors) => {
            check(&errors);
            !errors
                .0
                .iter()
                .any(|e| matches!(e.kind, LoadErrorKind::Syntax(_)))
        }
    };
    if parsed {
        let mut files = builtins().to_vec();
        files.push(extra);
        if let Err(errors) = load(&files) {
            check(&errors);
        }
    }
});
