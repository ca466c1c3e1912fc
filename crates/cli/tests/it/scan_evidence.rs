//! `kcvs scan --policy` (Rego checks) and `kcvs assess --evidence` (scan results folded into the
//! control results).

use std::path::PathBuf;

use crate::{kcvs, stderr, stdout, write};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn path(rel: &str) -> String {
    root().join(rel).display().to_string()
}

fn run(args: &[&str]) -> std::process::Output {
    kcvs()
        .args(["--as-of", "2026-11-23"])
        .args(args)
        .output()
        .unwrap()
}

fn json_of(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_str(&stdout(out)).unwrap_or_else(|e| panic!("{e}: {}", stderr(out)))
}

#[test]
fn example_policies_deny_and_warn_with_their_controls() {
    let plan = path("examples/scan/plan-multicloud.json");
    let policies = path("examples/scan/policies");
    let out = run(&[
        "scan",
        &plan,
        "--policy",
        &policies,
        "--checks",
        "audit-logging",
        "--format",
        "json",
    ]);
    // audit-logging alone passes; the KMS policy's denies make it exit 1.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = json_of(&out);
    let row = |check: &str| {
        doc["summary"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["check"] == check)
            .unwrap()
            .clone()
    };
    let kms = row("rego:kcvs.examples.kms_cmk");
    assert_eq!(kms["fail"], 7);
    assert_eq!(
        kms["controls"][0],
        serde_json::json!({"catalog": "csap", "id": "12.3"})
    );
    let ip = row("rego:kcvs.examples.public_ip");
    assert_eq!(
        (ip["fail"].as_u64(), ip["warn"].as_u64()),
        (Some(0), Some(2))
    );
    assert_eq!(ip["pass"], 1);
    let findings = doc["findings"].as_array().unwrap();
    let ebs = findings
        .iter()
        .find(|f| {
            f["check"] == "rego:kcvs.examples.kms_cmk" && f["address"] == "aws_ebs_volume.data"
        })
        .unwrap();
    assert_eq!(ebs["status"], "fail");
    assert_eq!(ebs["type"], "aws_ebs_volume");
    assert!(ebs["line"].as_u64().unwrap() > 1);
    assert!(findings.iter().any(|f| f["status"] == "warn"));

    // Only the warnings left: exit 0 at --fail-on fail, 1 at --fail-on unknown.
    let dir = tempfile::tempdir().unwrap();
    let only_ip = dir.path().join("ip.rego");
    std::fs::copy(
        root().join("examples/scan/policies/public_ip.rego"),
        &only_ip,
    )
    .unwrap();
    let ip = only_ip.display().to_string();
    let out = run(&["scan", &plan, "--policy", &ip, "--checks", "audit-logging"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("rego:kcvs.examples.public_ip"));
    let out = run(&[
        "scan",
        &plan,
        "--policy",
        &ip,
        "--checks",
        "audit-logging",
        "--fail-on",
        "unknown",
    ]);
    assert_eq!(out.status.code(), Some(1));

    // SARIF: deny is an error, warn a warning, each with a rule.
    let out = run(&["scan", &plan, "--policy", &policies, "--format", "sarif"]);
    let sarif = json_of(&out);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    for r in results
        .iter()
        .filter(|r| r["properties"]["source"] == "rego")
    {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        let want = if r["properties"]["kcvs_status"] == "fail" {
            "error"
        } else {
            "warning"
        };
        assert_eq!(r["level"], want);
    }
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "rego:kcvs.examples.public_ip" && r["level"] == "warning")
    );
}

#[test]
fn policy_errors_exit_2_naming_the_file_line_and_column() {
    let plan = path("examples/scan/plan-multicloud.json");
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "bad.rego",
        "package bad\n\ndeny contains msg if {\n  msg := input.x +\n}\n",
    );
    let out = run(&["scan", &plan, "--policy", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("bad.rego:4:7"), "{err}");

    // Undefined at evaluation: an unknown function.
    write(
        dir.path(),
        "bad.rego",
        "package bad\n\ndeny contains msg if {\n  msg := nosuch(input)\n}\n",
    );
    let out = run(&["scan", &plan, "--policy", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("bad.rego:4:16") && err.contains("nosuch"),
        "{err}"
    );

    // A control the catalogs do not have.
    write(
        dir.path(),
        "bad.rego",
        "package bad\n\n__controls__ := [\"csap:99.9\"]\n\ndeny contains \"x\" if { false }\n",
    );
    let out = run(&["scan", &plan, "--policy", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("bad.rego:3:19") && err.contains("csap:99.9"),
        "{err}"
    );
}

fn outcome(doc: &serde_json::Value, control: &str) -> String {
    doc["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["control"] == control)
        .map(|c| c["outcome"].as_str().unwrap().to_owned())
        .unwrap()
}

#[test]
fn assess_folds_scan_results_into_controls() {
    let dir = tempfile::tempdir().unwrap();
    let scan_json = dir.path().join("scan.json");
    let out = run(&[
        "scan",
        &path("examples/scan/plan-multicloud.json"),
        "--policy",
        &path("examples/scan/policies"),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    std::fs::write(&scan_json, stdout(&out)).unwrap();
    let evidence = scan_json.display().to_string();
    let service = path("examples/services/aws-seoul-iaas.yaml");
    let assess = |service: &str, extra: &[&str]| {
        let mut args = vec![
            "assess",
            service,
            "--regime",
            "csap-2023",
            "--tier",
            "medium",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        json_of(&run(&args))
    };
    let before = assess(&service, &[]);
    let after = assess(&service, &["--evidence", &evidence]);
    // 7.2 (security audit): audit logging passes on every resource it applies to → met.
    assert_ne!(outcome(&before, "7.2"), "met");
    assert_eq!(outcome(&after, "7.2"), "met");
    let c72 = after["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["control"] == "7.2")
        .unwrap();
    // Passes not listed in the scan: one counted line per check.
    assert!(
        c72["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e.as_str().unwrap().starts_with("scan:audit-logging@* ×")),
        "{c72}"
    );
    // 11 (network security): public exposure fails on the open security group → not met.
    assert_eq!(outcome(&after, "11"), "not-met");
    assert!(
        after["controls_to_fix"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "11")
    );
    let folded = after["scan_evidence"]["controls"].as_array().unwrap();
    let f11 = folded.iter().find(|f| f["control"] == "11").unwrap();
    assert_eq!(f11["changed"], true);
    assert!(f11["fail"].as_u64().unwrap() >= 1);

    // A provider statement of not-implemented wins, and the output says so.
    let text = std::fs::read_to_string(&service).unwrap().replace(
        "certifications:",
        "controls:\n  \"7.2\": {status: not-implemented}\ncertifications:",
    );
    write(dir.path(), "svc.yaml", &text);
    let own = dir.path().join("svc.yaml").display().to_string();
    let stated = assess(&own, &["--evidence", &evidence]);
    assert_eq!(outcome(&stated, "7.2"), "not-met");
    let f72 = stated["scan_evidence"]["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["control"] == "7.2")
        .unwrap();
    assert_eq!(f72["statement_wins"], true);
    let out = run(&[
        "assess",
        &own,
        "--regime",
        "csap-2023",
        "--tier",
        "medium",
        "--evidence",
        &evidence,
        "--format",
        "markdown",
    ]);
    assert!(
        stdout(&out).contains("the statement stands"),
        "{}",
        stdout(&out)
    );

    // Not a scan output: exit 2 with the position.
    write(
        dir.path(),
        "bad.json",
        "{\"kind\": \"scan\",\n  \"findings\": [}",
    );
    let bad = dir.path().join("bad.json").display().to_string();
    let out = run(&[
        "assess",
        &service,
        "--regime",
        "csap-2023",
        "--tier",
        "medium",
        "--evidence",
        &bad,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bad.json:2:"), "{}", stderr(&out));
}

/// A waiver with `check: rego:<package>` covers that policy's results as it covers built-in ones:
/// in force, the results stay listed (status unchanged) but stop counting for `--fail-on`;
/// past expiry they count again and are listed as expired.
#[test]
fn waivers_cover_policy_results() {
    let plan = path("examples/scan/plan-multicloud.json");
    let policies = path("examples/scan/policies");
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "waivers.yaml",
        "waivers:\n  - resource: \"*\"\n    check: \"rego:kcvs.examples.kms_*\"\n    reason: \"CMK rollout tracked in SEC-9\"\n    expires: 2027-01-31\n",
    );
    let waivers = dir.path().join("waivers.yaml").display().to_string();
    let scan = |as_of: &str, format: &str| {
        kcvs()
            .args(["--as-of", as_of, "scan", &plan, "--policy", &policies])
            .args(["--checks", "audit-logging", "--waivers", &waivers])
            .args(["--format", format])
            .output()
            .unwrap()
    };
    let out = scan("2026-11-23", "json");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = json_of(&out);
    let kms = doc["summary"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["check"] == "rego:kcvs.examples.kms_cmk")
        .unwrap()
        .clone();
    assert_eq!(
        (kms["fail"].as_u64(), kms["waived"].as_u64()),
        (Some(7), Some(7))
    );
    let listed: Vec<&serde_json::Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "rego:kcvs.examples.kms_cmk")
        .collect();
    assert_eq!(listed.len(), 7);
    assert!(listed.iter().all(|f| f["status"] == "fail"
        && f["waiver"]["in_force"] == true
        && f["waiver"]["reason"] == "CMK rollout tracked in SEC-9"));
    // The other policy's warnings are not covered.
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| { f["check"] == "rego:kcvs.examples.public_ip" && f["waiver"].is_null() })
    );

    // The text report's policy table counts them in its own column.
    let text = stdout(&scan("2026-11-23", "text"));
    let cells = |line: &str| -> Vec<String> {
        line.split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let header = text.lines().find(|l| l.starts_with("Policy ")).unwrap();
    let row = text
        .lines()
        .find(|l| l.starts_with("rego:kcvs.examples.kms_cmk "))
        .unwrap();
    assert_eq!(cells(header)[2..6], ["pass", "fail", "warn", "Waived"]);
    assert_eq!(cells(row)[2..6], ["0", "7", "0", "7"], "{text}");

    // SARIF marks the covered results as accepted suppressions.
    let sarif = json_of(&scan("2026-11-23", "sarif"));
    let kms_results: Vec<&serde_json::Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "rego:kcvs.examples.kms_cmk")
        .collect();
    assert_eq!(kms_results.len(), 7);
    assert!(
        kms_results
            .iter()
            .all(|r| r["suppressions"][0]["status"] == "accepted")
    );

    // After the expiry the denies count again, and the text report lists the expired waiver.
    let out = scan("2027-02-01", "text");
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("Expired waivers"), "{text}");
    assert!(
        text.contains("rego:kcvs.examples.kms_cmk on aws_ebs_volume.data expired 2027-01-31"),
        "{text}"
    );
}

/// `--baseline` with an earlier scan's JSON: results it held (built-in and Rego) stay listed,
/// marked unchanged, and no longer count for `--fail-on`; a result it did not hold is new and
/// does; one it held that no longer comes is counted absent. A file that is not a scan's JSON
/// is refused with its position.
#[test]
fn a_baseline_lets_only_new_results_fail() {
    let dir = tempfile::tempdir().unwrap();
    let plan = path("examples/scan/plan-multicloud.json");
    let policies = path("examples/scan/policies");
    let scan = |extra: &[&str]| {
        let mut args = vec![
            "scan",
            plan.as_str(),
            "--policy",
            policies.as_str(),
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        run(&args)
    };
    let first = scan(&[]);
    assert_eq!(first.status.code(), Some(1), "{}", stderr(&first));
    let before = json_of(&first);
    write(dir.path(), "before.json", &stdout(&first));
    let base = dir.path().join("before.json").display().to_string();

    // The same plan against its own scan: everything unchanged, nothing fails the run.
    let again = scan(&["--baseline", &base]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let doc = json_of(&again);
    let held = before["findings"].as_array().unwrap().len();
    assert_eq!(doc["baseline"]["unchanged"], held, "{}", doc["baseline"]);
    assert_eq!(
        (
            doc["baseline"]["new"].as_u64(),
            doc["baseline"]["absent"].as_u64()
        ),
        (Some(0), Some(0))
    );
    let findings = doc["findings"].as_array().unwrap();
    assert!(
        findings.iter().all(|f| f["baseline"] == "unchanged"),
        "{doc:#}"
    );
    assert!(findings.iter().any(|f| f["source"] == "rego"));
    // Statuses are untouched: the baseline only changes what counts.
    assert_eq!(doc["summary"], before["summary"]);

    // A baseline that lacks one built-in and one Rego result, and holds one that no longer
    // comes: the two are new and fail the run, the third is absent.
    let mut edited = before.clone();
    let list = edited["findings"].as_array_mut().unwrap();
    let builtin = list.iter().position(|f| f["source"] != "rego").unwrap();
    let gone_builtin = list.remove(builtin);
    let rego = list.iter().position(|f| f["source"] == "rego").unwrap();
    let gone_rego = list.remove(rego);
    list.push(serde_json::json!({"check": "residency", "address": "aws_s3_bucket.removed", "status": "fail"}));
    write(dir.path(), "edited.json", &edited.to_string());
    let edited_path = dir.path().join("edited.json").display().to_string();
    let out = scan(&["--baseline", &edited_path]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = json_of(&out);
    assert_eq!(
        (
            doc["baseline"]["new"].as_u64(),
            doc["baseline"]["absent"].as_u64()
        ),
        (Some(2), Some(1)),
        "{}",
        doc["baseline"]
    );
    let new: Vec<(String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["baseline"] == "new")
        .map(|f| {
            (
                f["check"].as_str().unwrap().to_owned(),
                f["address"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for gone in [&gone_builtin, &gone_rego] {
        let key = (
            gone["check"].as_str().unwrap().to_owned(),
            gone["address"].as_str().unwrap().to_owned(),
        );
        assert!(new.contains(&key), "{key:?} not in {new:?}");
    }
    // With the fail threshold off, the same run exits 0.
    assert_eq!(
        scan(&["--baseline", &edited_path, "--fail-on", "none"])
            .status
            .code(),
        Some(0)
    );
    // The text view says what the baseline did.
    let text = run(&["scan", &plan, "--baseline", &base]);
    assert!(
        stdout(&text).contains("(in baseline)") && stdout(&text).contains("0 new"),
        "{}",
        stdout(&text)
    );

    // A plan given as the baseline: exit 2, naming the file and what it should be.
    let out = scan(&["--baseline", &plan]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("plan-multicloud.json:") && err.contains("kcvs scan --format json"),
        "{err}"
    );
}
