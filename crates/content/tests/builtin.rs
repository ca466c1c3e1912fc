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

#[test]
fn builtin_regimes_are_all_there_with_their_kinds() {
    use kcvs_model::{RegimeId, RegimeKind, RegimeStatus};
    let rules = load(&builtin_files()).expect("built-in content loads");
    let expect = [
        ("csap-2023", RegimeKind::Scheme, RegimeStatus::InForce),
        ("nis-2027", RegimeKind::Scheme, RegimeStatus::Announced),
        ("n2sf-2025", RegimeKind::Grading, RegimeStatus::InForce),
        (
            "kcmvp-aes-2026",
            RegimeKind::Amendment,
            RegimeStatus::InForce,
        ),
        ("bsa-2026", RegimeKind::Scheme, RegimeStatus::Scenario),
        ("us-2026", RegimeKind::Scheme, RegimeStatus::Scenario),
        ("efsr", RegimeKind::Overlay, RegimeStatus::InForce),
        ("medical-emr", RegimeKind::Overlay, RegimeStatus::InForce),
        ("pipa-28-8", RegimeKind::Overlay, RegimeStatus::InForce),
        (
            "national-core-technology",
            RegimeKind::Overlay,
            RegimeStatus::InForce,
        ),
    ];
    for (id, kind, status) in expect {
        let r = rules
            .regime(&RegimeId::new(id))
            .unwrap_or_else(|| panic!("regime {id} missing"));
        assert_eq!(r.kind, kind, "{id}");
        assert_eq!(r.status, status, "{id}");
    }
    // The scenario restates only what it changes: it inherits CSAP's classification minus the
    // personal-information rule, and keeps the CC and certified-IaaS requirements.
    let bsa = rules.regime(&RegimeId::new("bsa-2026")).unwrap();
    assert!(
        bsa.classification
            .iter()
            .all(|c| c.id.as_str() != "csap.class.medium-personal")
    );
    assert!(
        bsa.requirements
            .iter()
            .any(|r| r.id.as_str() == "csap.req.cc-products")
    );
    assert_eq!(bsa.catalog.as_ref().map(|c| c.as_str()), Some("csap"));
}

#[test]
fn region_rules_match_the_full_load() {
    let full = load(&builtin_files()).expect("built-in content loads");
    let part = kcvs_content::load_region_rules().expect("region rules load");
    let all: Vec<_> = full.regions.iter().collect();
    let some: Vec<_> = part.regions.iter().collect();
    assert!(all.len() > 40, "the region table has {} entries", all.len());
    assert_eq!(all, some);
    // Only the region files and the source registers were parsed.
    assert!(part.regimes.is_empty() && part.catalogs.is_empty() && part.crosswalks.is_empty());
    let names: Vec<String> = kcvs_content::builtin_files_of(&["sources", "regions"])
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert!(
        names.iter().any(|n| n.ends_with("regions-abroad.yaml")),
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .all(|n| n.contains("regions") || n.contains("sources")),
        "{names:?}"
    );
}
