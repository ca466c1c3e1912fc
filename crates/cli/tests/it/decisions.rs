//! The decision commands on the examples in `examples/`: each gives the answer the facts imply
//! (the table in examples/README.md), pinned here as of 2026-11-23.

use std::path::PathBuf;

use serde_json::Value;

use crate::{kcvs, stderr, stdout};

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn system(id: &str) -> String {
    examples()
        .join(format!("systems/{id}.yaml"))
        .display()
        .to_string()
}

fn service(id: &str) -> String {
    examples()
        .join(format!("services/{id}.yaml"))
        .display()
        .to_string()
}

fn json(args: &[&str]) -> (Value, Option<i32>) {
    let out = kcvs()
        .args(["--as-of", "2026-11-23", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let v: Value = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("json from {args:?}: {e}\n{}", stderr(&out)));
    (v, out.status.code())
}

/// (system, CSAP tier, N2SF grade, services that may host it under csap-2023).
const TABLE: &[(&str, &str, &str, &[&str])] = &[
    ("open-data-portal", "low", "O", MOST),
    ("school-website", "low", "O", MOST),
    ("civil-complaint", "medium", "S", MOST),
    ("university-lms", "medium", "S", MOST),
    ("citizen-survey", "medium", "S", MOST),
    ("export-buyer-portal", "medium", "S", MOST),
    ("e-approval", "high", "S", &["hanbit-gov-iaas"]),
    ("e-approval-downgraded", "medium", "S", MOST),
    (
        "police-investigation-records",
        "high",
        "C",
        &["hanbit-gov-iaas"],
    ),
    ("diplomatic-cable", "high", "C", &["hanbit-gov-iaas"]),
    ("public-hospital-emr", "medium", "S", MOST),
    ("public-loan-system", "medium", "S", MOST),
    // EFSR: a SaaS without FSI pre-screening is out.
    (
        "fin-collab",
        "medium",
        "S",
        &[
            "fin-saas-collab",
            "gaon-iaas-aes",
            "hanbit-gov-iaas",
            "mirae-iaas-pretier",
            "nuri-daas",
        ],
    ),
    // MOTIE guide: double encryption and no foreign access.
    (
        "nct-research",
        "medium",
        "S",
        &["gaon-iaas-aes", "hanbit-gov-iaas"],
    ),
];

const MOST: &[&str] = &[
    "dasom-saas-simple-pretier",
    "fin-saas-collab",
    "gaon-iaas-aes",
    "hanbit-gov-iaas",
    "hanbit-saas-docs",
    "mirae-iaas-pretier",
    "nuri-daas",
];

#[test]
fn every_example_system_gets_the_tier_and_hosts_the_facts_imply() {
    for (id, tier, grade, hosts) in TABLE {
        let (c, code) = json(&["classify", &system(id)]);
        assert_eq!(code, Some(0), "{id}");
        let tier_of = |regime: &str| {
            c["results"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["regime"] == regime)
                .map(|r| r["tier"].as_str().unwrap().to_owned())
        };
        assert_eq!(
            tier_of("csap-2023").as_deref(),
            Some(*tier),
            "{id} CSAP tier"
        );
        assert_eq!(
            tier_of("n2sf-2025").as_deref(),
            Some(*grade),
            "{id} N2SF grade"
        );

        let services = examples().join("services").display().to_string();
        let (m, code) = json(&["match", &system(id), "--services", &services]);
        let mut eligible: Vec<String> = m["eligible"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        eligible.sort();
        assert_eq!(eligible, hosts.to_vec(), "{id}: eligible services");
        assert_eq!(code, Some(if hosts.is_empty() { 1 } else { 0 }));
    }
}

#[test]
fn the_sector_laws_a_system_triggers_are_named() {
    let rules_of = |id: &str| -> Vec<String> {
        let (c, _) = json(&["classify", &system(id)]);
        c["sector_rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["rule"].as_str().unwrap().to_owned())
            .collect()
    };
    let emr = rules_of("public-hospital-emr");
    assert!(
        emr.contains(&"emr.req.backups-in-korea".to_owned()),
        "{emr:?}"
    );
    let loan = rules_of("public-loan-system");
    assert!(
        loan.contains(&"efsr.req.management-in-korea".to_owned()),
        "{loan:?}"
    );
    let nct = rules_of("nct-research");
    assert!(
        nct.contains(&"nct.req.no-foreign-access".to_owned()),
        "{nct:?}"
    );
    assert!(rules_of("open-data-portal").is_empty());
}

#[test]
fn eligible_names_every_blocker_with_rule_and_source() {
    let (e, code) = json(&[
        "eligible",
        "--system",
        &system("civil-complaint"),
        "--service",
        &service("aws-seoul-iaas"),
    ]);
    assert_eq!(code, Some(1));
    assert_eq!(e["governing_regime"], "csap-2023");
    assert_eq!(e["eligible"], false);
    let csap = &e["results"][0];
    assert_eq!(csap["regime"], "csap-2023");
    assert_eq!(csap["tier"], "medium");
    let rules: Vec<&str> = csap["blockers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["rule"].as_str().unwrap())
        .collect();
    for expected in [
        "csap.accept.tiered",
        "csap.req.physical-separation",
        "csap.req.korean-crypto",
        "csap.req.personnel-in-korea",
    ] {
        assert!(
            rules.contains(&expected),
            "{expected} missing from {rules:?}"
        );
    }
    for b in csap["blockers"].as_array().unwrap() {
        assert!(!b["message"].as_str().unwrap().is_empty());
        assert!(!b["source"].as_array().unwrap().is_empty(), "{b}");
    }
}

#[test]
fn the_expired_pre_tier_certificate_blocks_after_its_end_date_only() {
    let args = |day: &'static str| {
        kcvs()
            .args([
                "--as-of",
                day,
                "--format",
                "json",
                "eligible",
                "--regime",
                "csap-2023",
            ])
            .args(["--system", &system("civil-complaint")])
            .args(["--service", &service("daehan-iaas-legacy")])
            .output()
            .unwrap()
    };
    let before = args("2026-03-14");
    assert_eq!(before.status.code(), Some(0), "{}", stdout(&before));
    let after = args("2026-03-15");
    assert_eq!(after.status.code(), Some(1));
    let v: Value = serde_json::from_str(&stdout(&after)).unwrap();
    assert_eq!(v["results"][0]["blockers"][0]["kind"], "expired");
}

#[test]
fn bsa_scenario_lets_a_transfer_ground_decide_for_the_hyperscaler() {
    let verdict = |sys: &str| {
        let (e, _) = json(&[
            "eligible",
            "--regime",
            "bsa-2026",
            "--system",
            &system(sys),
            "--service",
            &service("aws-seoul-iaas"),
        ]);
        e["results"][0]["verdict"].as_str().unwrap().to_owned()
    };
    // Only the CC-products statement is missing from the profile.
    assert_eq!(verdict("export-buyer-portal"), "evidence-needed");
    assert_eq!(verdict("citizen-survey"), "not-eligible");
}

#[test]
fn assess_lists_requirements_controls_and_remediation() {
    let (a, code) = json(&[
        "assess",
        &service("aws-seoul-iaas"),
        "--regime",
        "csap-2023",
        "--tier",
        "medium",
    ]);
    assert_eq!(code, Some(1));
    let remediation = a["remediation"].as_array().unwrap();
    assert!(!remediation.is_empty());
    // Ordered by how many targets each fix opens.
    let counts: Vec<usize> = remediation
        .iter()
        .map(|r| r["unblocks"].as_array().unwrap().len())
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    // ISO 27001 and FedRAMP cover CSAP domains partly through the crosswalks.
    let controls = a["controls"].as_array().unwrap();
    assert!(
        controls.iter().any(|c| c["outcome"] == "partly-covered"),
        "no crosswalk coverage"
    );
    // The High-tier additions do not apply to a Medium assessment.
    assert!(!controls.iter().any(|c| c["control"] == "H.1"));

    let (high, _) = json(&[
        "assess",
        &service("hanbit-gov-iaas"),
        "--regime",
        "csap-2023",
        "--tier",
        "high",
    ]);
    let controls = high["controls"].as_array().unwrap();
    assert!(controls.iter().any(|c| c["control"] == "H.1"));
    assert_eq!(high["certified_at_tier"], true);
}

#[test]
fn regime_diff_is_empty_for_a_regime_with_itself() {
    let (d, code) = json(&["regime", "diff", "csap-2023", "csap-2023"]);
    assert_eq!(code, Some(0));
    assert_eq!(d["flipped_pairs"], 0);
    let (d, code) = json(&["regime", "diff", "csap-2023", "us-2026"]);
    assert_eq!(code, Some(1));
    assert!(d["gained"].as_u64().unwrap() > 0);
    assert_eq!(d["pairs"], 65_536u64 * 20_736);
}

#[test]
fn bad_profiles_exit_2_naming_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yaml");
    std::fs::write(
        &path,
        "id: x\nname: x\ninstitution: {kind: school}\ndata: [public-open, secret-stuff]\n",
    )
    .unwrap();
    let out = kcvs()
        .args(["classify", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("bad.yaml:4:21"), "{err}");
    assert!(
        err.contains("secret-stuff") && err.contains("public-open"),
        "{err}"
    );

    std::fs::write(&path, "id: [unclosed\n").unwrap();
    let out = kcvs()
        .args(["classify", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bad.yaml:"), "{}", stderr(&out));

    let out = kcvs()
        .args([
            "assess",
            &service("orbit-iaas"),
            "--regime",
            "csap-2023",
            "--tier",
            "top",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`low`"), "{}", stderr(&out));
}

#[test]
fn korean_output_for_decisions() {
    let out = kcvs()
        .args([
            "--as-of",
            "2026-11-23",
            "--lang",
            "ko",
            "classify",
            &system("civil-complaint"),
        ])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(text.contains("등급"), "{text}");
    assert!(text.contains("개인정보"), "{text}");
}
