//! The plan reader and checks on the example plans in `examples/scan/`, and on generated plans
//! that follow the benchmark contract (`bench/scan/CHECKS.md`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a fixture that cannot be read fails the test"
)]

use std::path::PathBuf;

use kcvs_model::{Date, RuleSet};
use kcvs_scan::*;

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/scan")
        .join(name)
}

fn rules() -> RuleSet {
    kcvs_content::load_rules(None).unwrap()
}

fn as_of() -> Date {
    "2026-11-23".parse().unwrap()
}

fn multicloud() -> (Plan, RuleSet) {
    let bytes = std::fs::read(example("plan-multicloud.json")).unwrap();
    let mut plan = read_plan(&bytes, "plan-multicloud.json", &ReadOptions::default()).unwrap();
    let rules = rules();
    resolve_all(&mut plan.resources, &rules.regions);
    (plan, rules)
}

fn resource<'p>(plan: &'p Plan, address: &str) -> &'p Resource {
    plan.resources
        .iter()
        .find(|r| r.address == address)
        .unwrap_or_else(|| panic!("no resource {address}"))
}

fn finding<'f>(f: &'f [Finding], check: CheckId, address: &str) -> &'f Finding {
    f.iter()
        .find(|x| x.check == check && x.address == address)
        .unwrap_or_else(|| panic!("no {} finding for {address}", check.as_str()))
}

#[test]
fn nested_modules_and_instance_keys_are_read() {
    let (plan, _) = multicloud();
    assert_eq!(plan.format_version, "1.2");
    let web0 = resource(&plan, "aws_instance.web[0]");
    assert_eq!(web0.index, Some(IndexKey::Int(0)));
    assert_eq!(web0.module, "");
    let b = resource(&plan, r#"module.a["x"].aws_s3_bucket.b"#);
    assert_eq!(b.module, r#"module.a["x"]"#);
    assert_eq!(b.kind, "aws_s3_bucket");
    let inner = resource(&plan, r#"module.a["x"].module.inner.aws_ebs_volume.v"#);
    assert_eq!(inner.module, r#"module.a["x"].module.inner"#);
    // The nested module inherits the root's default aws configuration; its zone is unknown
    // until apply, so the provider's region places it.
    assert_eq!(inner.placement.source, RegionSource::Provider("aws".into()));
    assert_eq!(inner.placement.residency, Residency::Korea);
}

#[test]
fn an_aliased_provider_passed_into_a_module_places_its_resources() {
    let (plan, rules) = multicloud();
    let flow = resource(&plan, "module.net.aws_s3_bucket.flow_logs");
    assert_eq!(flow.provider_config_key.as_deref(), Some("module.net:aws"));
    assert_eq!(
        flow.placement.source,
        RegionSource::Provider("aws.us".into())
    );
    assert_eq!(flow.placement.region.as_deref(), Some("us-east-1"));
    assert_eq!(flow.placement.residency, Residency::Abroad("US".into()));
    let f = run_checks(&plan.resources, &rules, &CheckSelection::all(), as_of());
    assert_eq!(
        finding(&f, CheckId::Residency, "module.net.aws_s3_bucket.flow_logs").status,
        Status::Fail
    );
}

#[test]
fn provider_keys_that_already_name_the_root_configuration_work_too() {
    // Newer Terraform writes the root configuration's key on resources in modules.
    let text = std::fs::read_to_string(example("plan-multicloud.json")).unwrap();
    let text = text.replace(
        r#""provider_config_key": "module.net:aws""#,
        r#""provider_config_key": "aws.us""#,
    );
    let plan = read_plan(text.as_bytes(), "p.json", &ReadOptions::default()).unwrap();
    let flow = resource(&plan, "module.net.aws_s3_bucket.flow_logs");
    assert_eq!(flow.placement.region.as_deref(), Some("us-east-1"));
}

#[test]
fn values_known_only_after_apply_give_unknown_with_what_settles_them() {
    let (plan, rules) = multicloud();
    let f = run_checks(&plan.resources, &rules, &CheckSelection::all(), as_of());
    let t = finding(&f, CheckId::DedicatedTenancy, "aws_instance.web[1]");
    assert_eq!(t.status, Status::Unknown);
    assert!(t.reason.en.contains("after apply"), "{}", t.reason.en);
    assert!(t.settle.as_ref().unwrap().en.contains("applied state"));
    let e = finding(&f, CheckId::EncryptionAtRest, "aws_instance.web[1]");
    assert_eq!(e.status, Status::Unknown);
    // S3's computed `region` is unknown, but it defaults to the provider's: still Korea.
    let logs = finding(&f, CheckId::Residency, "aws_s3_bucket.logs");
    assert_eq!(logs.status, Status::Pass, "{}", logs.reason.en);
}

#[test]
fn deleted_resources_are_not_counted() {
    let (plan, rules) = multicloud();
    let old = resource(&plan, "aws_db_instance.old");
    assert_eq!(old.action, Action::Delete);
    assert!(!old.present());
    let f = run_checks(&plan.resources, &rules, &CheckSelection::all(), as_of());
    assert!(f.iter().all(|x| x.address != "aws_db_instance.old"));
}

#[test]
fn every_provider_of_the_region_table_is_placed() {
    let (plan, _) = multicloud();
    let want = [
        ("aws_ebs_volume.data", "aws", "ap-northeast-2c", false),
        ("aws_instance.web[1]", "aws", "ap-northeast-2", false), // zone 2d
        (
            "azurerm_storage_account.docs",
            "azurerm",
            "koreacentral",
            false,
        ), // "Korea Central"
        (
            "azurerm_resource_group.main",
            "azurerm",
            "koreacentral",
            false,
        ),
        (
            "google_compute_instance.app",
            "google",
            "asia-northeast3-a",
            false,
        ),
        (
            "alicloud_instance.seoul",
            "alicloud",
            "ap-northeast-2",
            false,
        ),
        ("oci_core_volume.data", "oci", "ap-seoul-1", false),
        ("ncloud_server.pub", "ncloud", "KR-2", false),
        ("ncloud_server.gov", "ncloud-gov", "KR", true),
        ("nhncloud_compute_instance_v2.app", "nhncloud", "KR1", false),
        ("ktcloud_instance.app", "ktcloud", "KR-M2", false),
    ];
    for (addr, key, matched, gov) in want {
        let r = resource(&plan, addr);
        assert_eq!(r.placement.provider_key, key, "{addr}");
        assert_eq!(
            r.placement.residency,
            Residency::Korea,
            "{addr}: {:?}",
            r.placement
        );
        assert_eq!(r.placement.matched.as_deref(), Some(matched), "{addr}");
        assert_eq!(r.placement.government_zone, gov, "{addr}");
    }
    // Alibaba's and AWS's ap-northeast-2 are different table rows.
    let rules = rules();
    assert!(rules.regions.get("alicloud", "ap-northeast-2").is_some());
    // A region in no table row is unknown, never Korea.
    let g = resource(&plan, "google_storage_bucket.archive");
    assert_eq!(g.placement.residency, Residency::Unknown);
}

#[test]
fn government_zones_evidence_physical_separation() {
    let (plan, rules) = multicloud();
    let f = run_checks(&plan.resources, &rules, &CheckSelection::all(), as_of());
    assert_eq!(
        finding(&f, CheckId::DedicatedTenancy, "ncloud_server.gov").status,
        Status::Pass
    );
    assert_eq!(
        finding(&f, CheckId::DedicatedTenancy, "ncloud_server.pub").status,
        Status::Fail
    );
    assert_eq!(
        finding(&f, CheckId::DedicatedTenancy, "aws_instance.web[0]").status,
        Status::Pass
    );
}

#[test]
fn replicas_and_copies_are_located() {
    let (plan, rules) = multicloud();
    let f = run_checks(&plan.resources, &rules, &CheckSelection::all(), as_of());
    assert_eq!(
        finding(&f, CheckId::ReplicaLocation, "aws_dynamodb_table.sessions").status,
        Status::Fail
    );
    assert_eq!(
        finding(
            &f,
            CheckId::ReplicaLocation,
            "aws_s3_bucket_replication_configuration.logs"
        )
        .status,
        Status::Pass
    );
    assert_eq!(
        finding(&f, CheckId::ReplicaLocation, "azurerm_storage_account.docs").status,
        Status::Pass
    );
}

/// Every control a check names exists and is a leaf of its catalog: evidence for a control
/// also speaks to the controls under it (`kcvs assess --evidence`), so naming a group would
/// claim evidence for items the check never looked at (9.1 would reach the lifecycle procedure
/// 9.1.a).
#[test]
fn every_check_names_leaf_controls_that_exist() {
    let rules = rules();
    for c in CheckId::ALL {
        assert!(!c.controls().is_empty(), "{}", c.as_str());
        for ctl in c.controls() {
            let cat = rules
                .catalog(&kcvs_model::CatalogId::new(ctl.catalog))
                .unwrap_or_else(|| panic!("no catalog {}", ctl.catalog));
            let id = kcvs_model::ControlId::new(ctl.id);
            assert!(
                cat.entry(&id).is_some(),
                "{}: no control {}:{}",
                c.as_str(),
                ctl.catalog,
                ctl.id
            );
            let under: Vec<String> = cat.children(&id).map(|e| e.id.to_string()).collect();
            assert!(
                under.is_empty(),
                "{}: {}:{} is not a leaf; it would spread evidence to {under:?}",
                c.as_str(),
                ctl.catalog,
                ctl.id
            );
        }
    }
}

#[test]
fn locations_point_at_the_address_line() {
    let (plan, _) = multicloud();
    let text = std::fs::read_to_string(example("plan-multicloud.json")).unwrap();
    for r in &plan.resources {
        let line = r
            .location
            .line
            .unwrap_or_else(|| panic!("{} not located", r.address)) as usize;
        let l = text.lines().nth(line - 1).unwrap();
        let quoted = serde_json::to_string(&r.address).unwrap();
        assert!(l.contains(&quoted), "{}: line {line} is {l}", r.address);
    }
}

#[test]
fn full_attributes_keep_everything_and_feed_rego_input() {
    let bytes = std::fs::read(example("plan-multicloud.json")).unwrap();
    let opts = ReadOptions {
        full_attributes: true,
        ..ReadOptions::default()
    };
    let plan = read_plan(&bytes, "p.json", &opts).unwrap();
    let web = resource(&plan, "aws_instance.web[0]");
    assert!(web.attributes.get("ami").is_some());
    let j = web.to_json();
    assert_eq!(j["address"], "aws_instance.web[0]");
    assert_eq!(j["index"], 0);
    assert_eq!(j["attributes"]["instance_type"], "t3.micro");
    assert_eq!(j["action"], "create");
    // Selective reading keeps only what the checks read.
    let lean = read_plan(&bytes, "p.json", &ReadOptions::default()).unwrap();
    assert!(
        resource(&lean, "aws_instance.web[0]")
            .attributes
            .get("ami")
            .is_none()
    );
}

#[test]
fn waivers_cover_until_they_expire() {
    let (plan, rules) = multicloud();
    let waivers = read_waivers(
        "waivers:\n  - resource: \"module.net.*\"\n    check: residency\n    reason: moving to Seoul\n    expires: 2026-12-31\n",
        "w.yaml",
    )
    .unwrap();
    let sel = CheckSelection {
        checks: vec![CheckId::Residency],
        waivers,
    };
    let f = run_checks(&plan.resources, &rules, &sel, as_of());
    let x = finding(&f, CheckId::Residency, "module.net.aws_s3_bucket.flow_logs");
    assert!(x.waiver.as_ref().unwrap().in_force);
    assert!(!x.counts());
    let later = run_checks(&plan.resources, &rules, &sel, "2027-01-01".parse().unwrap());
    let x = finding(
        &later,
        CheckId::Residency,
        "module.net.aws_s3_bucket.flow_logs",
    );
    assert!(!x.waiver.as_ref().unwrap().in_force);
    assert!(x.counts());
}

#[test]
fn inventories_are_checked_like_plans() {
    let rules = rules();
    for name in ["inventory.jsonl", "inventory.csv"] {
        let bytes = std::fs::read(example(name)).unwrap();
        let mut res = read_inventory(
            &bytes,
            name,
            InventoryFormat::from_name(name),
            &ReadOptions::default(),
        )
        .unwrap();
        resolve_all(&mut res, &rules.regions);
        let f = run_checks(&res, &rules, &CheckSelection::all(), as_of());
        let gov = finding(&f, CheckId::DedicatedTenancy, "ncloud-gov-srv-001");
        assert_eq!(gov.status, Status::Pass, "{name}");
        let tokyo = finding(&f, CheckId::Residency, "arn:aws:s3:::corp-backup-tokyo");
        assert_eq!(tokyo.status, Status::Fail, "{name}");
    }
}

// ---- the benchmark contract ----------------------------------------------------------------

/// A plan in the shape `bench/scan/CHECKS.md` describes, with the counts it defines.
fn contract_plan(n: usize) -> (String, [usize; 4]) {
    const KR: [&str; 4] = [
        "ap-northeast-2a",
        "ap-northeast-2b",
        "ap-northeast-2c",
        "ap-northeast-2d",
    ];
    const US: [&str; 3] = ["us-east-1a", "us-east-1b", "us-east-1c"];
    let mut planned = Vec::new();
    let mut changes = Vec::new();
    let mut cfg = Vec::new();
    let mut expect = [0usize; 4]; // residency, encryption, tenancy, audit
    let mut seed = 7u64;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    for i in 0..n {
        let kind = [
            "aws_instance",
            "aws_ebs_volume",
            "aws_db_instance",
            "aws_cloudtrail",
        ][next() % 4];
        let us = next() % 5 == 0;
        let az = if us && kind != "aws_ebs_volume" && next() % 3 == 0 {
            serde_json::Value::Null
        } else if us {
            US[next() % 3].into()
        } else {
            KR[next() % 4].into()
        };
        let flag = next() % 5 != 0;
        let tenancy = ["default", "dedicated", "host"][next() % 3];
        let values = match kind {
            "aws_instance" => {
                serde_json::json!({"availability_zone": az, "tenancy": tenancy, "ami": "ami-1"})
            }
            "aws_ebs_volume" => {
                serde_json::json!({"availability_zone": az, "encrypted": flag, "size": 10})
            }
            "aws_db_instance" => {
                serde_json::json!({"availability_zone": az, "storage_encrypted": flag})
            }
            _ => serde_json::json!({"enable_logging": flag, "name": format!("t{i}")}),
        };
        if kind != "aws_cloudtrail" {
            let ok = az.as_str().is_some_and(|z| KR.contains(&z));
            expect[0] += usize::from(!ok);
        }
        if matches!(kind, "aws_ebs_volume" | "aws_db_instance") && !flag {
            expect[1] += 1;
        }
        if kind == "aws_instance" && tenancy == "default" {
            expect[2] += 1;
        }
        if kind == "aws_cloudtrail" && !flag {
            expect[3] += 1;
        }
        let name = format!("r{i}");
        let address = format!("{kind}.{name}");
        let provider = "registry.terraform.io/hashicorp/aws";
        planned.push(serde_json::json!({"address": address, "mode": "managed", "type": kind, "name": name, "provider_name": provider, "schema_version": 0, "values": values, "sensitive_values": {}}));
        changes.push(serde_json::json!({"address": address, "mode": "managed", "type": kind, "name": name, "provider_name": provider, "change": {"actions": ["create"], "before": null, "after": values, "after_unknown": {}}}));
        cfg.push(serde_json::json!({"address": address, "mode": "managed", "type": kind, "name": name, "provider_config_key": if us {"aws.us"} else {"aws"}, "expressions": {}}));
    }
    let plan = serde_json::json!({
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {
                "aws": {"name": "aws", "expressions": {"region": {"constant_value": "ap-northeast-2"}}},
                "aws.us": {"name": "aws", "alias": "us", "expressions": {"region": {"constant_value": "us-east-1"}}}
            },
            "root_module": {"resources": cfg}
        }
    });
    (plan.to_string(), expect)
}

#[test]
fn benchmark_contract_counts_are_exact() {
    let rules = rules();
    let (text, expect) = contract_plan(2000);
    let mut plan = read_plan(text.as_bytes(), "bench.json", &ReadOptions::default()).unwrap();
    resolve_all(&mut plan.resources, &rules.regions);
    let sel = CheckSelection {
        checks: CheckSelection::parse_list(
            "residency,encryption-at-rest,dedicated-tenancy,audit-logging",
        )
        .unwrap(),
        waivers: vec![],
    };
    let f = run_checks(&plan.resources, &rules, &sel, as_of());
    let fails = |c: CheckId| {
        f.iter()
            .filter(|x| x.check == c && x.status == Status::Fail)
            .count()
    };
    assert_eq!(
        [
            fails(CheckId::Residency),
            fails(CheckId::EncryptionAtRest),
            fails(CheckId::DedicatedTenancy),
            fails(CheckId::AuditLogging)
        ],
        expect
    );
    assert!(f.iter().all(|x| x.status != Status::Unknown));
}

/// The worked example of docs/scan.md reads, and covers what it says it covers on the example plan.
#[test]
fn example_waivers_read_and_cover_the_example_plan() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/scan");
    let text = std::fs::read_to_string(root.join("waivers.yaml")).unwrap();
    let waivers = read_waivers(&text, "waivers.yaml").unwrap();
    assert_eq!(waivers.len(), 3);
    assert!(matches!(&waivers[2].check, WaiverCheck::Policy(p) if p == "kcvs.examples.public_*"));
    let on = |s: &str| s.parse::<Date>().unwrap();
    let m = match_waiver(
        &waivers,
        "aws_dynamodb_table.sessions",
        CheckId::ReplicaLocation,
        on("2026-11-23"),
    )
    .unwrap();
    assert!(m.in_force);
    assert!(
        !match_waiver(
            &waivers,
            "aws_dynamodb_table.sessions",
            CheckId::ReplicaLocation,
            on("2027-07-01"),
        )
        .unwrap()
        .in_force
    );
    assert!(
        match_policy_waiver(
            &waivers,
            Some("aws_instance.web[0]"),
            "kcvs.examples.public_ip",
            on("2026-11-23"),
        )
        .is_some_and(|m| m.in_force)
    );
}
