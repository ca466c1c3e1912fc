/*!
Content packs: the rules as data, and the loaders that turn files into checked model values.

The built-in packs live in the repository's `content/` folder and are embedded at build time
(`build.rs`). A user pack is a folder of the same kinds of files; loaded after the built-ins, it
adds items and replaces items with the same id. Profiles (systems, services) are read here too.
Every error names file, line and column and says what was expected.
*/

mod catalog;
pub mod error;
mod files;
pub mod load;
pub mod profiles;
mod regime;

use std::path::Path;

pub use error::{LoadError, LoadErrorKind, LoadErrors, What};
pub use load::{PackFile, load, parse_assumption_value, parse_date, summary};
pub use profiles::{check_service_schemes, check_system_overrides, parse_service, parse_system};

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin.rs"));
}

/// The built-in pack files, as embedded in the binary.
pub fn builtin_files() -> Vec<PackFile> {
    builtin::BUILTIN
        .iter()
        .map(|(name, _, text)| PackFile {
            name: (*name).to_owned(),
            text: (*text).to_owned(),
        })
        .collect()
}

/// The built-in pack files whose top-level `kind` is one of `kinds` (read by `build.rs`), in the
/// order of [`builtin_files`].
pub fn builtin_files_of(kinds: &[&str]) -> Vec<PackFile> {
    builtin::BUILTIN
        .iter()
        .filter(|(_, kind, _)| kinds.contains(kind))
        .map(|(name, _, text)| PackFile {
            name: (*name).to_owned(),
            text: (*text).to_owned(),
        })
        .collect()
}

/// The built-in region table and the source registers its entries cite, and nothing else: all
/// `kcvs scan` reads of the rules. Parsing every built-in pack costs more than scanning a plan of
/// 10,000 resources, and a scan never consults regimes, catalogs or crosswalks; the region table
/// is the same as the full load's (test `region_rules_match_the_full_load`).
pub fn load_region_rules() -> Result<kcvs_model::RuleSet, LoadErrors> {
    let kinds: Vec<Option<&str>> = builtin::BUILTIN
        .iter()
        .filter(|(_, kind, _)| matches!(*kind, "sources" | "regions"))
        .map(|(_, kind, _)| Some(*kind))
        .collect();
    load::load_kinds(&builtin_files_of(&["sources", "regions"]), &kinds)
}

/// The `kind` of each built-in file as `build.rs` read it, in the order of [`builtin_files`].
fn builtin_kinds() -> Vec<Option<&'static str>> {
    builtin::BUILTIN
        .iter()
        .map(|(_, kind, _)| Some(*kind))
        .collect()
}

/// Every `.yaml`, `.yml` and `.json` file under `dir`, sorted by path so loading is repeatable.
pub fn read_pack_dir(dir: &Path) -> Result<Vec<PackFile>, LoadErrors> {
    let mut paths = Vec::new();
    let mut errors = Vec::new();
    walk(dir, &mut paths, &mut errors);
    paths.sort();
    let mut files = Vec::new();
    for p in paths {
        match std::fs::read_to_string(&p) {
            Ok(text) => files.push(PackFile {
                name: p.display().to_string(),
                text,
            }),
            Err(e) => errors.push(io_error(&p, &e)),
        }
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(LoadErrors(errors))
    }
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>, errors: &mut Vec<LoadError>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(io_error(dir, &e));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out, errors);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        ) {
            out.push(path);
        }
    }
}

pub fn io_error(path: &Path, e: &std::io::Error) -> LoadError {
    LoadError {
        file: path.display().to_string(),
        line: 0,
        column: 0,
        kind: LoadErrorKind::Io(e.to_string()),
    }
}

/// The built-in packs, then the user's pack folder if one is given.
pub fn load_rules(user_pack: Option<&Path>) -> Result<kcvs_model::RuleSet, LoadErrors> {
    let mut files = builtin_files();
    if let Some(dir) = user_pack {
        files.extend(read_pack_dir(dir)?);
    }
    // The user's files come after the built-ins and have no recorded kind: read from the file.
    load::load_kinds(&files, &builtin_kinds())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The loader trusts `build.rs`'s reading of each built-in file's `kind` (a line scan) and
    /// skips its own; they must agree, or a file would be parsed as the wrong shape.
    #[test]
    fn recorded_kinds_match_the_parsed_kinds() {
        for (name, kind, text) in builtin::BUILTIN {
            let head: files::Head = load::parse_doc(name, text).expect("built-in file parses");
            assert_eq!(head.kind.value, *kind, "{name}");
        }
        assert!(
            builtin_kinds().iter().all(|k| k.is_some()),
            "every built-in file has a recorded kind"
        );
    }

    #[test]
    fn known_kinds_give_the_same_rules() {
        let files = builtin_files();
        let hinted = load::load_kinds(&files, &builtin_kinds()).expect("built-in content loads");
        let plain = load(&files).expect("built-in content loads");
        assert_eq!(format!("{hinted:?}"), format!("{plain:?}"));
    }
}
