//! Embeds every file under the repository's `content/` folder, so the binary carries the built-in
//! packs and a new pack file needs no code change. Each file's top-level `kind:` is read here too,
//! so a command that needs only some kinds (`kcvs scan`: the region table and the sources it
//! cites) can load those without parsing the rest.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        ) {
            out.push(path);
        }
    }
}

/// The value of the file's top-level `kind:` line, or empty when there is none (the loader then
/// reports the file; a subset load leaves it out).
fn kind_of(text: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix("kind:"))
        .map(|v| {
            let v = v.split('#').next().unwrap_or("").trim();
            v.trim_matches(|c| c == '"' || c == '\'').to_owned()
        })
        .unwrap_or_default()
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let root = manifest.join("../../content");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    let mut code = String::from("pub(crate) static BUILTIN: &[(&str, &str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f.strip_prefix(&root).unwrap_or(f);
        let kind = kind_of(&std::fs::read_to_string(f).unwrap_or_default());
        let _ = writeln!(
            code,
            "    ({:?}, {kind:?}, include_str!({:?})),",
            format!("content/{}", rel.display()),
            f.canonicalize().unwrap_or(f.clone()).display().to_string()
        );
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("builtin.rs");
    let _ = std::fs::write(out, code);
}
