//! Times the phases of a scan on one plan: `cargo run --release -p kcvs-scan --example
//! scan_timing -- PLAN.json`. Prints read, parse, place and check times and the counts.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a measuring tool")]

use std::time::Instant;

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: scan_timing PLAN.json");
    let t = Instant::now();
    let bytes = std::fs::read(&path).unwrap();
    let t_read = t.elapsed();
    let t = Instant::now();
    let _: serde::de::IgnoredAny = serde_json::from_slice(&bytes).unwrap();
    let t_floor = t.elapsed();
    let t = Instant::now();
    let opts = kcvs_scan::ReadOptions {
        skip_locations: true,
        ..Default::default()
    };
    let mut plan = kcvs_scan::read_plan(&bytes, &path, &opts).unwrap();
    let t_parse = t.elapsed();
    let t = Instant::now();
    let rules = kcvs_content::load_rules(None).unwrap();
    let t_rules = t.elapsed();
    let t = Instant::now();
    kcvs_scan::resolve_all(&mut plan.resources, &rules.regions);
    let t_place = t.elapsed();
    let t = Instant::now();
    let sel = kcvs_scan::CheckSelection {
        checks: kcvs_scan::CheckSelection::parse_list(
            "residency,encryption-at-rest,dedicated-tenancy,audit-logging",
        )
        .unwrap(),
        waivers: vec![],
    };
    let findings =
        kcvs_scan::run_checks(&plan.resources, &rules, &sel, "2026-11-23".parse().unwrap());
    let t_checks = t.elapsed();
    let t = Instant::now();
    let opts = kcvs_scan::ReadOptions::default();
    let located = kcvs_scan::read_plan(&bytes, &path, &opts).unwrap();
    let t_located = t.elapsed();
    println!(
        "read {t_read:?} floor {t_floor:?} parse {t_parse:?} (with locations {t_located:?}) rules {t_rules:?} place {t_place:?} checks {t_checks:?}; {} resources, {} findings, {} located",
        plan.resources.len(),
        findings.len(),
        located
            .resources
            .iter()
            .filter(|r| r.location.line.is_some())
            .count()
    );
    for (c, n) in kcvs_scan::tally(&findings) {
        if n.pass + n.fail + n.unknown > 0 {
            println!(
                "{}: pass {} fail {} unknown {}",
                c.as_str(),
                n.pass,
                n.fail,
                n.unknown
            );
        }
    }
}
