//! Snapshot tests of the rule views, built from the built-in content.
//!
//! Regime views use a small regime pack written here, loaded with the built-in sources,
//! assumptions, schemes and catalogs but without the built-in regimes, so these snapshots change
//! only when this crate's rendering or the shared vocabulary changes.

use kcvs_content::{PackFile, builtin_files, load};
use kcvs_model::{
    AssumptionId, AssumptionSet, AssumptionValue, CatalogId, Lang, RegimeId, RuleSet,
};
use kcvs_report::{Format, rules};

const TEST_PACK: &str = r#"
kind: regime
id: test-scheme
name: {en: "Test scheme", ko: "시험 제도"}
summary: {en: "A two-tier scheme for tests.", ko: "시험용 2등급 제도입니다."}
status: scenario
regime_kind: scheme
issues: csap
effective_from: "2024-01-01"
effective_until: "assume:nis-2027.start"
catalog: csap
assumptions: [csap.kcmvp-required]
provenance: {sources: [kisa-csap-intro], confidence: C, facts: "§1"}
tiers:
  - {id: low, label: {en: "Low", ko: "하"}}
  - {id: high, label: {en: "High", ko: "상"}}
classification:
  - id: test.class.high
    title: {en: "Personal data makes a system High", ko: "개인정보가 있으면 상 등급"}
    when_any: [personal, unique-identifier]
    tier: high
    downgradable_to: low
    provenance:
      sources: [kisa-csap-intro]
      confidence: I
      facts: "§2"
      note: {en: "Our reading.", ko: "자체 해석입니다."}
requirements:
  - id: test.req.crypto
    requirement: korean-crypto
    title: {en: "Korean cryptography at High", ko: "상 등급은 국산 암호"}
    tiers: [high]
    assumption: csap.kcmvp-required
    from: "2024-06-01"
    provenance: {sources: [kisa-csap-intro], confidence: U, facts: "Pass 2 §1"}
acceptance:
  - id: test.accept
    title: {en: "CSAP certificates count", ko: "CSAP 인증서 인정"}
    scheme: csap
    tier_map:
      - {from: low, to: low}
      - {from: high, to: high}
    untiered_assumption: csap.untiered-saas-simplified
    issued_before: "assume:nis-2027.start"
    grandfathered: true
    provenance: {sources: [kisa-csap-intro], confidence: C, facts: "§2"}
---
"#;

const TEST_OVERLAY: &str = r#"
kind: regime
id: test-overlay
name: {en: "Test overlay", ko: "시험 분야 규제"}
summary: {en: "A sector overlay for tests.", ko: "시험용 분야 규제입니다."}
status: in-force
regime_kind: overlay
provenance: {sources: [kisa-csap-intro], confidence: C, facts: "§4"}
requirements:
  - id: test.overlay.residency
    requirement: data-in-korea
    title: {en: "Medical records stay in Korea", ko: "전자의무기록은 국내 보관"}
    trigger:
      when_any: [medical-record]
      unless_any: [public-open]
      service_models: [saas]
    provenance: {sources: [kisa-csap-intro], confidence: C, facts: "§4"}
"#;

#[expect(
    clippy::panic,
    reason = "a fixture that does not load must fail the test with its errors"
)]
fn rules_with_test_pack() -> RuleSet {
    let mut files: Vec<PackFile> = builtin_files()
        .into_iter()
        .filter(|f| !f.text.lines().any(|l| l.trim_end() == "kind: regime"))
        .collect();
    files.push(PackFile {
        name: "test/scheme.yaml".into(),
        text: TEST_PACK.trim_end_matches("---\n").into(),
    });
    files.push(PackFile {
        name: "test/overlay.yaml".into(),
        text: TEST_OVERLAY.into(),
    });
    match load(&files) {
        Ok(r) => r,
        Err(e) => panic!(
            "{}",
            e.0.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

fn builtin_rules() -> RuleSet {
    rules_with_test_pack()
}

#[test]
fn regime_list_text_and_json() {
    let rules = rules_with_test_pack();
    let a = AssumptionSet::from_defaults(&rules.assumptions);
    let view = rules::regime_list(&rules, &a, Lang::En);
    insta::assert_snapshot!("regime_list_text", view.render(Format::Text));
    insta::assert_json_snapshot!("regime_list_json", view.json);
    let ko = rules::regime_list(&rules, &a, Lang::Ko);
    insta::assert_snapshot!("regime_list_text_ko", ko.render(Format::Text));
}

#[test]
fn regime_show_with_an_override() {
    let rules = rules_with_test_pack();
    let mut a = AssumptionSet::from_defaults(&rules.assumptions);
    assert!(a.set(
        &AssumptionId::new("csap.kcmvp-required"),
        AssumptionValue::Flag(false)
    ));
    let regime = rules.regime(&RegimeId::new("test-scheme")).unwrap();
    let view = rules::regime_show(&rules, regime, &a, Lang::En);
    insta::assert_snapshot!("regime_show_text", view.render(Format::Text));
    insta::assert_json_snapshot!("regime_show_json", view.json);
    insta::assert_snapshot!("regime_show_markdown", view.render(Format::Markdown));
    let overlay = rules.regime(&RegimeId::new("test-overlay")).unwrap();
    let view = rules::regime_show(&rules, overlay, &a, Lang::Ko);
    insta::assert_snapshot!("overlay_show_text_ko", view.render(Format::Text));
}

#[test]
fn catalog_list_text_and_json() {
    let rules = builtin_rules();
    let view = rules::catalog_list(&rules, Lang::En);
    insta::assert_snapshot!("catalog_list_text", view.render(Format::Text));
    insta::assert_json_snapshot!("catalog_list_json", view.json);
}

#[test]
fn catalog_show_csap_text_and_json() {
    let rules = builtin_rules();
    let csap = rules.catalog(&CatalogId::new("csap")).unwrap();
    let view = rules::catalog_show(&rules, csap, Lang::En);
    let text = view.render(Format::Text);
    assert!(text.contains("14 Additional security requirements"));
    insta::assert_snapshot!("catalog_show_csap_text", text);
    insta::assert_json_snapshot!("catalog_show_csap_json", view.json);
    let ko = rules::catalog_show(&rules, csap, Lang::Ko).render(Format::Text);
    assert!(ko.contains("국가기관 등의 보안 요구사항"));
}

#[test]
fn catalog_totals_sum_each_subtree_once() {
    let rules = builtin_rules();
    let csap = rules.catalog(&CatalogId::new("csap")).unwrap();
    for key in ["iaas", "saas-standard", "saas-simplified", "daas"] {
        let sum = rules::sum_of_counts(csap, key);
        let leaf_sum: u32 = csap
            .entries
            .iter()
            .filter(|e| csap.children(&e.id).next().is_none())
            .filter_map(|e| e.counts.get(key))
            .sum();
        assert!(sum >= leaf_sum, "{key}: {sum} < {leaf_sum}");
    }
}

#[test]
fn html_is_one_escaped_page() {
    let rules = builtin_rules();
    let csap = rules.catalog(&CatalogId::new("csap")).unwrap();
    let html = rules::catalog_show(&rules, csap, Lang::Ko).render(Format::Html);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"ko\">"));
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(!html.contains("<script"));
    assert!(!html.contains("<link"));
}

#[test]
fn content_summary_keys_are_snake_case() {
    let rules = builtin_rules();
    let counts = kcvs_content::summary(&rules);
    let view = rules::content_summary(&counts, Some("pack"), Lang::En);
    let obj = view.json["counts"].as_object().unwrap();
    assert!(obj.keys().all(|k| !k.contains(' ')));
    assert!(obj.contains_key("catalog_entries"));
    assert_eq!(view.json["valid"], true);
}
