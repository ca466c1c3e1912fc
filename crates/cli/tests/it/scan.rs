//! `kcvs scan`: exit codes, formats, waivers, and bad input reported with a position (exit 2).

use std::path::PathBuf;

use crate::{kcvs, stderr, stdout};

fn example(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/scan")
        .join(name)
        .display()
        .to_string()
}

fn scan(args: &[&str]) -> std::process::Output {
    kcvs()
        .arg("scan")
        .args(args)
        .args(["--as-of", "2026-11-23"])
        .output()
        .unwrap()
}

#[test]
fn findings_exit_1_and_fail_on_none_exits_0() {
    let plan = example("plan-multicloud.json");
    let out = scan(&[&plan]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).contains("module.net.aws_s3_bucket.flow_logs"));
    let out = scan(&[&plan, "--fail-on", "none"]);
    assert_eq!(out.status.code(), Some(0));
    // Only checks that pass here: nothing at or above `fail` remains.
    let out = scan(&[&plan, "--checks", "audit-logging"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // `unknown` is stricter than `fail`.
    let out = scan(&[
        &plan,
        "--checks",
        "audit-logging,encryption-in-transit",
        "--fail-on",
        "unknown",
    ]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn json_lists_findings_with_stable_keys() {
    let out = scan(&[
        &example("plan-multicloud.json"),
        "--format",
        "json",
        "--checks",
        "residency",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["kind"], "scan");
    assert_eq!(doc["summary"][0]["check"], "residency");
    assert_eq!(doc["summary"][0]["fail"], 1);
    let f = doc["findings"].as_array().unwrap();
    assert!(
        f.iter()
            .all(|x| x["check"] == "residency" && x["status"] != "pass")
    );
    let flow = f
        .iter()
        .find(|x| x["address"] == "module.net.aws_s3_bucket.flow_logs")
        .unwrap();
    assert_eq!(flow["status"], "fail");
    assert_eq!(flow["controls"][0]["catalog"], "csap");
    assert!(flow["line"].as_u64().unwrap() > 1);
}

#[test]
fn sarif_is_printed_for_scan_and_refused_elsewhere() {
    let out = scan(&[&example("plan-multicloud.json"), "--format", "sarif"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["version"], "2.1.0");
    let out = kcvs()
        .args(["regime", "list", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("only for `kcvs scan`"));
}

#[test]
fn inventories_and_waivers() {
    let dir = tempfile::tempdir().unwrap();
    let waivers = dir.path().join("waivers.yaml");
    std::fs::write(
        &waivers,
        "waivers:\n  - resource: \"arn:aws:s3:::corp-backup-*\"\n    check: residency\n    reason: \"DR copy kept in Tokyo by contract\"\n    expires: 2027-01-31\n",
    )
    .unwrap();
    let inv = example("inventory.jsonl");
    let out = scan(&["--inventory", &inv, "--checks", "residency"]);
    assert_eq!(out.status.code(), Some(1));
    let out = scan(&[
        "--inventory",
        &inv,
        "--checks",
        "residency",
        "--waivers",
        &waivers.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("waived until 2027-01-31"));
    // Past its expiry the waiver stops applying and is reported as expired.
    let out = kcvs()
        .args([
            "scan",
            "--inventory",
            &inv,
            "--checks",
            "residency",
            "--waivers",
        ])
        .arg(&waivers)
        .args(["--as-of", "2027-02-01"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("Expired waivers"));
    // CSV gives the same answer as JSON lines.
    let out = scan(&[&example("inventory.csv"), "--checks", "residency"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn regime_and_tier_label_the_checks() {
    let out = scan(&[
        &example("plan-multicloud.json"),
        "--regime",
        "csap-2023",
        "--tier",
        "high",
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["tier"], "high");
    let residency = doc["summary"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["check"] == "residency")
        .unwrap();
    assert!(residency["required_at_tier"].is_boolean());
    let out = scan(&[
        &example("plan-multicloud.json"),
        "--regime",
        "csap-2023",
        "--tier",
        "top",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

fn bad_input(name: &str, bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let out = kcvs().arg("scan").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn bad_input_exits_2_with_a_position() {
    let plan = std::fs::read(example("plan-multicloud.json")).unwrap();
    let err = bad_input("truncated.json", plan.get(..plan.len() / 2).unwrap());
    assert!(
        err.contains("truncated.json:") && err.contains("ends too early"),
        "{err}"
    );
    // The line and column are those of the end of the file.
    let lines = plan
        .get(..plan.len() / 2)
        .unwrap()
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1;
    assert!(err.contains(&format!("truncated.json:{lines}:")), "{err}");

    let err = bad_input(
        "v2.json",
        b"{\n  \"format_version\": \"2.0\",\n  \"planned_values\": {}\n}\n",
    );
    assert!(
        err.contains("v2.json:2:25: unsupported plan format_version `2.0`"),
        "{err}"
    );

    let err = bad_input("state.json", b"{\"format_version\":\"1.0\",\"terraform_version\":\"1.9.8\",\n\"values\":{\"root_module\":{}}}");
    assert!(
        err.contains("state.json:2:8:") && err.contains("state"),
        "{err}"
    );

    let err = bad_input("terraform.tfstate", b"{\n  \"version\": 4,\n  \"terraform_version\": \"1.9.8\",\n  \"serial\": 3,\n  \"lineage\": \"x\"\n}");
    assert!(
        err.contains("terraform.tfstate:4:") && err.contains("raw Terraform state"),
        "{err}"
    );

    let err = bad_input("plan.out", b"PK\x03\x04\x14\x00\x00\x00binary");
    assert!(
        err.contains("plan.out:1:1:") && err.contains("terraform show -json"),
        "{err}"
    );

    let err = bad_input("random.bin", &[0x7b, 0x00, 0xff, 0xfe, 0x01, 0x02]);
    assert!(err.contains("random.bin:1:2: binary data"), "{err}");

    let err = bad_input("syntax.json", b"{\"format_version\": \"1.2\",, }");
    assert!(err.contains("syntax.json:1:26: invalid JSON"), "{err}");
}

#[test]
fn unknown_check_is_a_usage_error() {
    let out = scan(&[
        &example("plan-multicloud.json"),
        "--checks",
        "residency,nope",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown check `nope`"));
}

/// The rules load beside the reading of the inputs; with several mistakes at once the first
/// reported is still the same: a bad pack or option, then the regime and tier, then the input.
#[test]
fn errors_come_in_a_fixed_order() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, b"{\"format_version\": \"1.2\",, }").unwrap();
    let broken = broken.display().to_string();
    let pack = dir.path().join("pack");
    std::fs::create_dir(&pack).unwrap();
    std::fs::write(pack.join("bad.yaml"), "kind: regime\nid: [\n").unwrap();
    let first = |args: &[&str]| {
        let out = kcvs().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        stderr(&out)
    };
    // The pack's error, though the plan is broken too.
    let err = first(&[
        "--content",
        pack.to_str().unwrap(),
        "scan",
        &broken,
        "--as-of",
        "2026-11-23",
    ]);
    assert!(err.contains("bad.yaml"), "{err}");
    assert!(!err.contains("broken.json"), "{err}");
    // The tier's, though the plan is broken.
    let err = first(&[
        "scan",
        &broken,
        "--regime",
        "csap-2023",
        "--tier",
        "top",
        "--as-of",
        "2026-11-23",
    ]);
    assert!(err.contains("top"), "{err}");
    assert!(!err.contains("broken.json"), "{err}");
    // Then the plan's.
    let err = first(&["scan", &broken, "--as-of", "2026-11-23"]);
    assert!(err.contains("broken.json:1:26: invalid JSON"), "{err}");
}

/// A plan of `n` buckets in Seoul and Virginia, every other one unencrypted (about 270 bytes a
/// resource in `planned_values` and `resource_changes` together).
fn bucket_plan(n: usize) -> Vec<u8> {
    let mut planned = Vec::with_capacity(n);
    let mut changes = Vec::with_capacity(n);
    for i in 0..n {
        let address = format!("aws_ebs_volume.v[{i}]");
        let values = serde_json::json!({
            "availability_zone": if i % 3 == 0 { "us-east-1a" } else { "ap-northeast-2a" },
            "encrypted": i % 2 == 0,
            "size": 100,
        });
        planned.push(serde_json::json!({
            "address": address, "mode": "managed", "type": "aws_ebs_volume", "name": "v",
            "index": i, "provider_name": "registry.terraform.io/hashicorp/aws",
            "values": values,
        }));
        changes.push(serde_json::json!({
            "address": address, "mode": "managed", "type": "aws_ebs_volume", "name": "v",
            "index": i, "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {"actions": ["create"], "before": null, "after": values, "after_unknown": {}},
        }));
    }
    let plan = serde_json::json!({
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {"provider_config": {"aws": {"name": "aws", "expressions": {
            "region": {"constant_value": "ap-northeast-2"}}}}},
    });
    serde_json::to_vec(&plan).unwrap()
}

#[test]
fn a_large_plan_mapped_or_copied_gives_the_same_scan_and_the_same_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("large.json");
    let bytes = bucket_plan(6000);
    // Past the size from which the CLI maps a file, and the reader's two-thread threshold.
    assert!(bytes.len() > 1 << 20, "{}", bytes.len());
    std::fs::write(&path, &bytes).unwrap();
    let path = path.display().to_string();
    for format in ["json", "text", "sarif"] {
        let mapped = scan(&[&path, "--format", format]);
        let copied = scan(&[&path, "--format", format, "--no-mmap"]);
        assert_eq!(mapped.status.code(), Some(1), "{}", stderr(&mapped));
        assert_eq!(copied.status.code(), Some(1));
        assert_eq!(stdout(&mapped), stdout(&copied), "{format}");
        if format == "json" {
            let doc: serde_json::Value = serde_json::from_str(&stdout(&mapped)).unwrap();
            assert_eq!(doc["resources"], 6000);
        }
    }
    // A cut-off large file: the same error, with the same position, either way.
    let cut = dir.path().join("cut.json");
    std::fs::write(&cut, bytes.get(..bytes.len() - 1000).unwrap()).unwrap();
    let cut = cut.display().to_string();
    let mapped = scan(&[&cut]);
    let copied = scan(&[&cut, "--no-mmap"]);
    assert_eq!(mapped.status.code(), Some(2));
    assert_eq!(stderr(&mapped), stderr(&copied));
    assert!(
        stderr(&mapped).contains("cut.json:1:"),
        "{}",
        stderr(&mapped)
    );
}
