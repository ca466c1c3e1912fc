//! Snapshot tests of the decision reports on the examples, as of a fixed date, in the formats and
//! languages people read. A change in wording, layout or verdict shows up here in review.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use kcvs_content::{builtin_files, load, parse_service, parse_system};
use kcvs_engine::*;
use kcvs_model::*;
use kcvs_report::{Format, decisions};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn system(id: &str) -> SystemProfile {
    let p = root().join(format!("systems/{id}.yaml"));
    parse_system(id, &std::fs::read_to_string(p).unwrap()).unwrap()
}

fn services() -> Vec<ServiceProfile> {
    let mut out: Vec<ServiceProfile> = std::fs::read_dir(root().join("services"))
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            parse_service("s", &std::fs::read_to_string(p).unwrap()).unwrap()
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

fn setup() -> (RuleSet, AssumptionSet, Vec<ServiceProfile>) {
    let rules = load(&builtin_files()).unwrap();
    let a = AssumptionSet::from_defaults(&rules.assumptions);
    (rules, a, services())
}

fn find<'a>(services: &'a [ServiceProfile], id: &str) -> &'a ServiceProfile {
    services.iter().find(|s| s.id.as_str() == id).unwrap()
}

#[test]
fn eligible_reports() {
    let (rules, a, svcs) = setup();
    let idx = ServiceIndex::new(svcs.iter());
    let d = Decider::new(&rules, &a, "2026-11-23".parse().unwrap(), &idx);
    let sys = system("civil-complaint");
    let svc = find(&svcs, "aws-seoul-iaas");
    let results: Vec<(&Regime, Eligibility)> = eligibility_all(&d, &sys, svc)
        .into_iter()
        .map(|e| (rules.regime(&e.regime).unwrap(), e))
        .collect();
    let view = decisions::eligible_view(&d, &sys, svc, &results, Lang::En);
    insta::assert_snapshot!("eligible_text", view.render(Format::Text));
    insta::assert_snapshot!("eligible_json", view.render(Format::Json));
    let ko = decisions::eligible_view(&d, &sys, svc, &results, Lang::Ko);
    insta::assert_snapshot!("eligible_markdown_ko", ko.render(Format::Markdown));
}

#[test]
fn classify_reports() {
    let (rules, a, _) = setup();
    let idx = ServiceIndex::default();
    let d = Decider::new(&rules, &a, "2026-11-23".parse().unwrap(), &idx);
    let regimes: Vec<&Regime> = rules
        .regimes
        .iter()
        .filter(|r| !r.tiers.is_empty())
        .collect();
    for id in ["e-approval-downgraded", "public-hospital-emr"] {
        let view = decisions::classify_view(&d, &system(id), &regimes, Lang::En);
        insta::assert_snapshot!(format!("classify_{id}_text"), view.render(Format::Text));
    }
    let view = decisions::classify_view(&d, &system("public-loan-system"), &regimes, Lang::Ko);
    insta::assert_snapshot!("classify_public_loan_text_ko", view.render(Format::Text));
}

#[test]
fn assess_and_match_reports() {
    let (rules, a, svcs) = setup();
    let idx = ServiceIndex::new(svcs.iter());
    let d = Decider::new(&rules, &a, "2026-11-23".parse().unwrap(), &idx);
    let csap = rules.regime(&RegimeId::new("csap-2023")).unwrap();
    let svc = find(&svcs, "hanbit-saas-docs");
    let medium = csap.tier_rank("medium").unwrap();
    let assessment = assess(&d, csap, medium, svc);
    let view = decisions::assess_view(&d, csap, svc, &assessment, Lang::En);
    insta::assert_snapshot!("assess_text", view.render(Format::Text));
    insta::assert_snapshot!("assess_json", view.render(Format::Json));

    let sys = system("fin-collab");
    let entries = match_services(&d, csap, &sys, &svcs);
    let view = decisions::match_view(&d, csap, &sys, &entries, Lang::En);
    insta::assert_snapshot!("match_text", view.render(Format::Text));
    let html = view.render(Format::Html);
    assert!(
        html.starts_with("<!DOCTYPE html>") || html.starts_with("<!doctype html>"),
        "{html}"
    );
    assert!(html.contains("fin-saas-collab"));
}
