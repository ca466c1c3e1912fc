//! `kcvs scan` output: the SARIF is valid against the official SARIF 2.1.0 schema, and the text
//! and SARIF of the multi-cloud example plan are pinned as snapshots.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a fixture that cannot be read fails the test"
)]

use std::path::PathBuf;

use kcvs_model::Lang;
use kcvs_report::Format;
use kcvs_report::scan::{ScanRun, scan_json_text, scan_sarif, scan_view};
use kcvs_scan::*;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example_run(waivers: Vec<Waiver>) -> (ScanRun, Vec<Finding>) {
    let name = "examples/scan/plan-multicloud.json";
    let bytes = std::fs::read(root().join(name)).unwrap();
    let rules = kcvs_content::load_rules(None).unwrap();
    let mut plan = read_plan(&bytes, name, &ReadOptions::default()).unwrap();
    resolve_all(&mut plan.resources, &rules.regions);
    let as_of: kcvs_model::Date = "2026-11-23".parse().unwrap();
    let sel = CheckSelection {
        checks: CheckId::ALL.to_vec(),
        waivers,
    };
    let findings = run_checks(&plan.resources, &rules, &sel, as_of);
    let run = ScanRun {
        files: vec![name.to_owned()],
        resources: plan
            .resources
            .iter()
            .filter(|r| r.mode == Mode::Managed && r.present())
            .count(),
        deleted: plan.resources.iter().filter(|r| !r.present()).count(),
        checks: CheckId::ALL.to_vec(),
        applies: None,
        include_passes: false,
        as_of: as_of.to_string(),
        baseline: None,
    };
    (run, findings)
}

fn waivers() -> Vec<Waiver> {
    read_waivers(
        "waivers:\n  - resource: \"module.net.*\"\n    check: residency\n    reason: \"moving flow logs to Seoul, OPS-12\"\n    expires: 2027-03-31\n  - resource: \"aws_security_group.web\"\n    check: public-exposure\n    reason: \"public web front end\"\n    expires: 2026-06-30\n",
        "waivers.yaml",
    )
    .unwrap()
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let schema_path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/schemas/sarif-schema-2.1.0.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&schema_path).unwrap()).unwrap();
    // The schema declares draft-04, which jsonschema implements offline: nothing is fetched.
    let validator = jsonschema::validator_for(&schema).unwrap();
    let (run, findings) = example_run(waivers());
    let sarif = scan_sarif(&run, &findings, Lang::En);
    let schema_errors = |sarif: &serde_json::Value| -> Vec<String> {
        validator
            .iter_errors(sarif)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect()
    };
    let errors = schema_errors(&sarif);
    assert!(errors.is_empty(), "{errors:#?}");
    // The validator does reject what the schema forbids.
    let mut bad = sarif.clone();
    bad["version"] = serde_json::json!("3.0");
    assert!(!validator.is_valid(&bad));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        let loc = &r["locations"][0];
        assert!(
            loc["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
                > 1
        );
        assert_eq!(loc["logicalLocations"][0]["kind"], "resource");
    }
    // The waiver in force is an accepted suppression; the expired one is not.
    let waived = results
        .iter()
        .find(|r| {
            r["locations"][0]["logicalLocations"][0]["name"] == "module.net.aws_s3_bucket.flow_logs"
        })
        .unwrap();
    assert_eq!(waived["suppressions"][0]["status"], "accepted");
    let expired = results
        .iter()
        .find(|r| r["locations"][0]["logicalLocations"][0]["name"] == "aws_security_group.web")
        .unwrap();
    assert!(expired.get("suppressions").is_none());
    assert_eq!(
        expired["properties"]["expired_waiver"]["expires"],
        "2026-06-30"
    );

    // Against a baseline (this scan's own JSON, less its first result): that result is new, the
    // rest unchanged, and the SARIF is still valid.
    let (mut run, mut findings) = example_run(waivers());
    let mut before: serde_json::Value =
        serde_json::from_str(&scan_json_text(&run, &findings, Lang::En)).unwrap();
    let dropped = before["findings"].as_array_mut().unwrap().remove(0);
    let baseline = Baseline::read(&before.to_string(), "before.json").unwrap();
    let counts = baseline.mark(&mut findings, None);
    assert_eq!((counts.new, counts.absent), (1, 0));
    run.baseline = Some(kcvs_report::scan::BaselineRun {
        file: "before.json".to_owned(),
        counts,
    });
    let sarif = scan_sarif(&run, &findings, Lang::En);
    let errors = schema_errors(&sarif);
    assert!(errors.is_empty(), "{errors:#?}");
    let states: Vec<(&str, &str)> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["locations"][0]["logicalLocations"][0]["name"]
                    .as_str()
                    .unwrap(),
                r["baselineState"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        states.contains(&(dropped["address"].as_str().unwrap(), "new")),
        "{states:?}"
    );
    assert_eq!(
        states.iter().filter(|s| s.1 == "new").count(),
        1,
        "{states:?}"
    );
    assert_eq!(
        sarif["runs"][0]["properties"]["kcvs_baseline"]["unchanged"],
        counts.unchanged
    );
}

#[test]
fn json_text_and_view_json_have_the_same_shape() {
    let (run, findings) = example_run(vec![]);
    let text: serde_json::Value =
        serde_json::from_str(&scan_json_text(&run, &findings, Lang::En)).unwrap();
    let view = scan_view(&run, &findings, Lang::En);
    assert_eq!(text, view.json);
}

#[test]
fn text_snapshot() {
    let (run, findings) = example_run(waivers());
    insta::assert_snapshot!(
        "scan_text_en",
        scan_view(&run, &findings, Lang::En).render(Format::Text)
    );
    insta::assert_snapshot!(
        "scan_text_ko",
        scan_view(&run, &findings, Lang::Ko).render(Format::Text)
    );
}

#[test]
fn sarif_snapshot() {
    let (run, findings) = example_run(waivers());
    insta::assert_json_snapshot!("scan_sarif", scan_sarif(&run, &findings, Lang::En));
}
