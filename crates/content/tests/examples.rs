//! The profiles in `examples/` parse, name only schemes, tiers, regimes, regions and CSAP
//! control ids that the built-in content knows, have unique ids, and every `runs_on` names a
//! service in the same folder.

#![allow(
    clippy::panic,
    reason = "test helpers outside #[test] functions report bad example files by panicking"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use kcvs_content::{
    LoadErrors, builtin_files, check_service_schemes, check_system_overrides, load, parse_service,
    parse_system,
};
use kcvs_model::{CatalogId, Lang, Location, Resolved, RuleSet, ServiceProfile, SystemProfile};

fn examples_dir(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(sub)
}

/// Every `.yaml`, `.yml` and `.json` file in `dir`, sorted, with its text.
fn read_dir(dir: &Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            )
        })
        .map(|p| {
            let text = std::fs::read_to_string(&p)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
            (p.display().to_string(), text)
        })
        .collect();
    out.sort();
    out
}

fn show(errs: &LoadErrors) -> String {
    errs.0
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
        .collect::<Vec<_>>()
        .join("\n")
}

fn rules() -> RuleSet {
    load(&builtin_files()).unwrap_or_else(|e| panic!("built-in content: {}", show(&e)))
}

fn systems() -> Vec<(String, String, SystemProfile)> {
    read_dir(&examples_dir("systems"))
        .into_iter()
        .map(|(file, text)| {
            let s = parse_system(&file, &text).unwrap_or_else(|e| panic!("{}", show(&e)));
            (file, text, s)
        })
        .collect()
}

fn services() -> Vec<(String, String, ServiceProfile)> {
    read_dir(&examples_dir("services"))
        .into_iter()
        .map(|(file, text)| {
            let s = parse_service(&file, &text).unwrap_or_else(|e| panic!("{}", show(&e)));
            (file, text, s)
        })
        .collect()
}

/// Each example file says, in a leading comment, what it illustrates.
fn starts_with_comment(file: &str, text: &str) {
    assert!(
        text.trim_start().starts_with('#'),
        "{file} should start with a comment saying what it illustrates"
    );
}

#[test]
fn example_systems_parse_and_their_overrides_name_known_tiers() {
    let rules = rules();
    let systems = systems();
    assert!(systems.len() >= 10, "expected at least 10 example systems");
    let mut ids = BTreeSet::new();
    for (file, text, s) in &systems {
        starts_with_comment(file, text);
        assert!(
            ids.insert(s.id.clone()),
            "{file}: duplicate system id {}",
            s.id
        );
        // An override naming a regime that is not (yet) in the built-in content is skipped: the
        // regimes are written separately, and the check belongs to them.
        let regimes_known = s
            .overrides
            .iter()
            .all(|o| o.regime.as_ref().is_none_or(|r| rules.regime(r).is_some()));
        if regimes_known {
            check_system_overrides(file, text, s, &rules)
                .unwrap_or_else(|e| panic!("{}", show(&e)));
        } else {
            eprintln!("{file}: override names a regime not loaded yet; override check skipped");
        }
    }
    // The downgrade example really carries its override.
    let down = systems
        .iter()
        .find(|(_, _, s)| s.id.as_str() == "e-approval-downgraded")
        .expect("e-approval-downgraded example");
    assert_eq!(down.2.overrides.len(), 1);
    assert_eq!(down.2.overrides[0].tier, "medium");
    // One system relies on a transfer ground; at least one with personal data states none.
    assert!(systems.iter().any(|(_, _, s)| s.transfer_ground.is_some()));
}

#[test]
fn example_services_parse_and_name_known_schemes_regions_and_controls() {
    let rules = rules();
    let services = services();
    assert!(services.len() >= 8, "expected at least 8 example services");
    let csap = rules
        .catalog(&CatalogId::new("csap"))
        .expect("csap catalog loaded");
    let mut ids = BTreeSet::new();
    for (file, text, s) in &services {
        starts_with_comment(file, text);
        assert!(
            ids.insert(s.id.clone()),
            "{file}: duplicate service id {}",
            s.id
        );
        check_service_schemes(file, text, &rules).unwrap_or_else(|e| panic!("{}", show(&e)));
        for l in s
            .data_locations
            .iter()
            .chain(&s.management_locations)
            .chain(&s.backup_locations)
            .chain(&s.personnel_locations)
        {
            if let Location::Region { .. } = l {
                assert_ne!(
                    rules.regions.resolve(l),
                    Resolved::Unknown,
                    "{file}: region {l} is not in the region table"
                );
            }
        }
        for id in s.controls.keys() {
            assert!(
                csap.entry(id).is_some(),
                "{file}: control {} is not in the CSAP catalog",
                id.as_str()
            );
        }
    }
    // Every runs_on names a service in the folder.
    for (file, _, s) in &services {
        if let Some(on) = &s.runs_on {
            assert!(
                ids.contains(on),
                "{file}: runs_on {} names no example service",
                on.as_str()
            );
            assert!(
                s.model.runs_on_iaas(),
                "{file}: only SaaS/PaaS run on an IaaS"
            );
        }
    }
    assert!(
        services
            .iter()
            .filter(|(_, _, s)| !s.controls.is_empty())
            .count()
            >= 2,
        "two example services carry control statements"
    );
}
