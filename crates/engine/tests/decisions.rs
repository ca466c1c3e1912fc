//! Decisions the facts imply, pinned through the engine's public surface.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use common::*;
use kcvs_engine::*;
use kcvs_model::*;

#[test]
fn csap_tiers_follow_the_data() {
    let rules = rules();
    let csap = regime(&rules, "csap-2023");
    let n2sf = regime(&rules, "n2sf-2025");
    let cases = [
        ("[public-open]", "low", "O"),
        ("[public-open, personal]", "medium", "S"),
        ("[non-public]", "medium", "S"),
        ("[investigation]", "high", "C"),
        ("[diplomacy, personal]", "high", "C"),
        ("[internal-administrative]", "high", "S"),
    ];
    for (data, tier, grade) in cases {
        let s = system(&format!(
            "id: s\nname: s\ninstitution: {{kind: local-government}}\ndata: {data}\n"
        ));
        let c = classify(csap, &s);
        assert_eq!(csap.tier(c.tier).unwrap().id, tier, "{data} under CSAP");
        let n = classify(n2sf, &s);
        assert_eq!(n2sf.tier(n.tier).unwrap().id, grade, "{data} under N2SF");
    }
}

#[test]
fn internal_admin_may_be_graded_down_to_medium_but_not_to_low() {
    let rules = rules();
    let csap = regime(&rules, "csap-2023");
    let base = "id: s\nname: s\ninstitution: {kind: central-government}\ndata: [internal-administrative]\n";
    let down = system(&format!(
        "{base}overrides: [{{regime: csap-2023, tier: medium, reason: low importance}}]\n"
    ));
    let c = classify(csap, &down);
    assert_eq!(csap.tier(c.tier).unwrap().id, "medium");
    assert!(matches!(
        c.overridden,
        Some(OverrideOutcome::Lowered { .. })
    ));

    let too_low = system(&format!(
        "{base}overrides: [{{regime: csap-2023, tier: low, reason: wishful}}]\n"
    ));
    let c = classify(csap, &too_low);
    assert_eq!(csap.tier(c.tier).unwrap().id, "high");
    assert!(matches!(
        c.overridden,
        Some(OverrideOutcome::Refused { .. })
    ));

    // Investigation data may not be graded down at all, even with internal-admin beside it.
    let mixed = system(
        "id: s\nname: s\ninstitution: {kind: central-government}\ndata: [internal-administrative, investigation]\noverrides: [{regime: csap-2023, tier: medium, reason: r}]\n",
    );
    let c = classify(csap, &mixed);
    assert_eq!(csap.tier(c.tier).unwrap().id, "high");

    // Grading up is always honoured.
    let up = system(
        "id: s\nname: s\ninstitution: {kind: school}\ndata: [public-open]\noverrides: [{tier: medium, reason: caution}]\n",
    );
    assert_eq!(csap.tier(classify(csap, &up).tier).unwrap().id, "medium");
}

#[test]
fn a_fully_korean_high_tier_iaas_hosts_a_high_system() {
    let rules = rules();
    let a = defaults(&rules);
    let svc = korean_iaas("kr", "high", "2025-03-01", "2030-02-28");
    let services = [svc.clone()];
    let idx = ServiceIndex::new(services.iter());
    let d = Decider::new(&rules, &a, date("2026-11-23"), &idx);
    let sys =
        system("id: s\nname: s\ninstitution: {kind: central-government}\ndata: [investigation]\n");
    let e = eligibility(&d, regime(&rules, "csap-2023"), &sys, &svc);
    assert_eq!(e.verdict, Verdict::Eligible, "{e:#?}");
    assert!(e.in_force);
}

#[test]
fn a_low_certificate_does_not_reach_a_medium_system() {
    let rules = rules();
    let a = defaults(&rules);
    let svc = korean_iaas("kr", "low", "2025-03-01", "2030-02-28");
    let idx = ServiceIndex::default();
    let d = Decider::new(&rules, &a, date("2026-11-23"), &idx);
    let sys = system("id: s\nname: s\ninstitution: {kind: university}\ndata: [personal]\n");
    let e = eligibility(&d, regime(&rules, "csap-2023"), &sys, &svc);
    assert_eq!(e.verdict, Verdict::NotEligible);
    assert!(
        e.blockers
            .iter()
            .any(|b| matches!(b, Blocker::TierTooLow { .. }))
    );
}

#[test]
fn pre_tier_certificates_count_as_medium_until_they_expire() {
    let rules = rules();
    let a = defaults(&rules);
    let svc = service(
        r#"
id: old
name: Old IaaS
provider: {name: Example}
model: iaas
separation: physical
data_locations: [KR]
management_locations: [KR]
backup_locations: [KR]
operations_personnel_locations: [KR]
crypto: {algorithms: [SEED], validated_modules: [KCMVP]}
cc_certified_products: true
certifications:
  - {scheme: csap, service_type: iaas, issued: "2021-03-15", expires: "2026-03-14"}
"#,
    );
    let sys = system("id: s\nname: s\ninstitution: {kind: university}\ndata: [personal]\n");
    let idx = ServiceIndex::default();
    let csap = regime(&rules, "csap-2023");
    let before = Decider::new(&rules, &a, date("2026-03-14"), &idx);
    let e = eligibility(&before, csap, &sys, &svc);
    assert_eq!(e.verdict, Verdict::Eligible, "{e:#?}");
    assert!(e.certificate.as_ref().unwrap().grandfathered);
    let after = Decider::new(&rules, &a, date("2026-03-15"), &idx);
    let e = eligibility(&after, csap, &sys, &svc);
    assert_eq!(e.verdict, Verdict::NotEligible);
    assert!(e.blockers.iter().any(|b| matches!(
        b,
        Blocker::Certificate {
            problem: CertProblem::Expired { .. },
            ..
        }
    )));
}

#[test]
fn saas_simplified_pre_tier_mapping_is_an_assumption() {
    let rules = rules();
    let svc = service(
        r#"
id: simple
name: Simple SaaS
provider: {name: Example}
model: saas
service_type: saas-simplified
certifications:
  - {scheme: csap, service_type: saas-simplified, issued: "2022-06-01", expires: "2027-05-31"}
"#,
    );
    let csap = regime(&rules, "csap-2023");
    let idx = ServiceIndex::default();
    let tier_under = |a: &AssumptionSet| {
        let d = Decider::new(&rules, a, date("2026-11-23"), &idx);
        review_certificates(&d, csap, &svc)
            .best()
            .map(|c| csap.tier(c.tier).unwrap().id.clone())
    };
    assert_eq!(tier_under(&defaults(&rules)).as_deref(), Some("medium"));
    let low = with(
        &rules,
        "csap.untiered-saas-simplified",
        AssumptionValue::Choice("low".into()),
    );
    assert_eq!(tier_under(&low).as_deref(), Some("low"));
}

#[test]
fn nis_takes_over_and_grandfathers_csap_certificates() {
    let rules = rules();
    let a = defaults(&rules);
    let idx = ServiceIndex::default();
    let nis = regime(&rules, "nis-2027");
    let csap = regime(&rules, "csap-2023");
    let sys = system("id: s\nname: s\ninstitution: {kind: university}\ndata: [personal]\n");

    let d = Decider::new(&rules, &a, date("2027-08-01"), &idx);
    assert_eq!(
        d.governing_regime().map(|r| r.id.as_str()),
        Some("nis-2027")
    );
    assert!(!d.in_force(csap));
    // Issued before the start: grandfathered, counts as S.
    let old = korean_iaas("old", "medium", "2025-01-10", "2030-01-09");
    let e = eligibility(&d, nis, &sys, &old);
    assert_eq!(e.verdict, Verdict::Eligible, "{e:#?}");
    assert!(e.certificate.as_ref().unwrap().grandfathered);
    // Issued after the start: the scheme no longer issues.
    let late = korean_iaas("late", "medium", "2027-07-15", "2032-07-14");
    let e = eligibility(&d, nis, &sys, &late);
    assert_eq!(e.verdict, Verdict::NotEligible);
    assert!(e.blockers.iter().any(|b| matches!(
        b,
        Blocker::Certificate {
            problem: CertProblem::IssuedOutsideWindow { .. },
            ..
        }
    )));

    // Moving the assumed start moves the hand-over.
    let later = with(
        &rules,
        "nis-2027.start",
        AssumptionValue::Date(date("2027-10-01")),
    );
    let d = Decider::new(&rules, &later, date("2027-08-01"), &idx);
    assert_eq!(
        d.governing_regime().map(|r| r.id.as_str()),
        Some("csap-2023")
    );
}

#[test]
fn kcmvp_accepts_aes_from_2026_unless_the_assumption_is_off() {
    let rules = rules();
    let mut svc = korean_iaas("aes", "low", "2025-03-01", "2030-02-28");
    svc.algorithms = vec![Algorithm::Aes];
    let idx = ServiceIndex::default();
    let check = |a: &AssumptionSet, day: &str| {
        let d = Decider::new(&rules, a, date(day), &idx);
        check_kind(&d, RequirementKind::KoreanCrypto, &svc, None, None).0
    };
    let a = defaults(&rules);
    assert_eq!(check(&a, "2025-12-31"), Check::NotMet);
    assert_eq!(check(&a, "2026-01-01"), Check::Met);
    let off = with(
        &rules,
        "csap.kcmvp-aes-accepted",
        AssumptionValue::Flag(false),
    );
    assert_eq!(check(&off, "2026-06-01"), Check::NotMet);
}

#[test]
fn advocacy_requirements_can_be_switched_off() {
    let rules = rules();
    let mut svc = korean_iaas("k", "low", "2025-03-01", "2030-02-28");
    svc.personnel_locations = vec![Location::parse("US").unwrap()];
    svc.validated_modules = vec![ModuleProgram::Fips140_3];
    svc.algorithms = vec![Algorithm::Aes];
    let idx = ServiceIndex::default();
    let sys = open_data_system();
    let csap = regime(&rules, "csap-2023");
    let a = defaults(&rules);
    let d = Decider::new(&rules, &a, date("2026-11-23"), &idx);
    let e = eligibility(&d, csap, &sys, &svc);
    let kinds: Vec<_> = e
        .blockers
        .iter()
        .filter_map(|b| match b {
            Blocker::Requirement(r) => Some(r.kind),
            _ => None,
        })
        .collect();
    assert!(kinds.contains(&RequirementKind::KoreanCrypto));
    assert!(kinds.contains(&RequirementKind::PersonnelInKorea));
    let mut off = with(&rules, "csap.kcmvp-required", AssumptionValue::Flag(false));
    off.set(
        &AssumptionId::new("csap.ops-personnel-in-korea"),
        AssumptionValue::Flag(false),
    );
    let d = Decider::new(&rules, &off, date("2026-11-23"), &idx);
    assert_eq!(eligibility(&d, csap, &sys, &svc).verdict, Verdict::Eligible);
}

#[test]
fn saas_needs_a_certified_iaas_and_counts_no_higher() {
    let rules = rules();
    let a = defaults(&rules);
    let host = korean_iaas("host", "medium", "2024-05-01", "2029-04-30");
    let mut saas = korean_iaas("saas", "high", "2025-05-01", "2030-04-30");
    saas.model = ServiceModel::Saas;
    saas.runs_on = Some(ServiceId::new("host"));
    let services = [host.clone(), saas.clone()];
    let idx = ServiceIndex::new(services.iter());
    let d = Decider::new(&rules, &a, date("2026-11-23"), &idx);
    let csap = regime(&rules, "csap-2023");
    let best = review_certificates(&d, csap, &saas)
        .best()
        .cloned()
        .unwrap();
    assert_eq!(csap.tier(best.tier).unwrap().id, "medium");
    assert!(best.capped_by_host.is_some());

    let mut bare = host.clone();
    bare.certifications.clear();
    let services = [bare, saas.clone()];
    let idx = ServiceIndex::new(services.iter());
    let d = Decider::new(&rules, &a, date("2026-11-23"), &idx);
    let e = eligibility(&d, csap, &open_data_system(), &saas);
    assert!(e.blockers.iter().any(|b| matches!(
        b,
        Blocker::Requirement(r) if r.kind == RequirementKind::CertifiedIaas
    )));
}

#[test]
fn sector_laws_bind_under_every_regime() {
    let rules = rules();
    let a = defaults(&rules);
    let mut svc = korean_iaas("k", "high", "2025-03-01", "2030-02-28");
    svc.management_locations = vec![Location::parse("US").unwrap()];
    let idx = ServiceIndex::default();
    let d = Decider::new(&rules, &a, date("2026-11-23"), &idx);
    let bank = system(
        "id: b\nname: b\ninstitution: {kind: financial-institution}\nsector: finance\ndata: [unique-identifier, credit]\n",
    );
    for id in ["csap-2023", "bsa-2026", "us-2026", "nis-2027"] {
        let e = eligibility(&d, regime(&rules, id), &bank, &svc);
        assert!(
            e.blockers.iter().any(|b| matches!(b, Blocker::Requirement(r) if r.rule.as_str() == "efsr.req.management-in-korea")),
            "{id}: {e:#?}"
        );
    }
    // An EMR system needs backups in Korea; a region the table does not know is not Korea.
    let mut svc = korean_iaas("k", "high", "2025-03-01", "2030-02-28");
    svc.backup_locations = vec![Location::parse("nowhere:zone-9").unwrap()];
    let emr = system(
        "id: h\nname: h\ninstitution: {kind: public-hospital}\nsector: health\ndata: [medical-record]\n",
    );
    let e = eligibility(&d, regime(&rules, "us-2026"), &emr, &svc);
    assert!(
        e.evidence_needed
            .iter()
            .any(|r| r.rule.as_str() == "emr.req.backups-in-korea"),
        "{e:#?}"
    );
    assert_eq!(e.verdict, Verdict::EvidenceNeeded);
}

#[test]
fn pipa_needs_a_ground_only_when_personal_data_leaves_korea() {
    let rules = rules();
    let a = defaults(&rules);
    let mut svc = korean_iaas("k", "high", "2025-03-01", "2030-02-28");
    svc.backup_locations = vec![Location::parse("JP").unwrap()];
    let idx = ServiceIndex::default();
    let d = Decider::new(&rules, &a, date("2026-11-23"), &idx);
    let bsa = regime(&rules, "bsa-2026");
    let without = system("id: p\nname: p\ninstitution: {kind: university}\ndata: [personal]\n");
    let e = eligibility(&d, bsa, &without, &svc);
    assert!(e.blockers.iter().any(
        |b| matches!(b, Blocker::Requirement(r) if r.kind == RequirementKind::TransferGround)
    ));
    let with_ground = system(
        "id: p\nname: p\ninstitution: {kind: university}\ndata: [personal]\ntransfer_ground: consent\n",
    );
    let e = eligibility(&d, bsa, &with_ground, &svc);
    assert!(!e.blockers.iter().any(
        |b| matches!(b, Blocker::Requirement(r) if r.kind == RequirementKind::TransferGround)
    ));
}

#[test]
fn regime_diff_of_a_regime_with_itself_is_empty_and_reforms_differ() {
    let rules = rules();
    let a = defaults(&rules);
    let idx = ServiceIndex::default();
    let d = Decider::new(&rules, &a, date("2026-11-23"), &idx);
    let csap = regime(&rules, "csap-2023");
    let same = kcvs_engine::diff::diff(&d, csap, csap);
    assert_eq!(same.flipped_pairs, 0);
    assert!(same.groups.is_empty());
    assert_eq!(same.system_classes, 65_536);

    let bsa = regime(&rules, "bsa-2026");
    let x = kcvs_engine::diff::diff(&d, csap, bsa);
    assert!(x.gained > 0, "BSA's asks open pairs CSAP closes");
    assert_eq!(
        x.flipped_pairs,
        x.groups.iter().map(|g| g.pairs).sum::<u64>()
    );
    // Personal data out of the tier test: some group goes from Medium to Low.
    assert!(
        x.groups
            .iter()
            .any(|g| g.a.tier == TierRank(1) && g.b.tier == TierRank(0))
    );
}

#[test]
fn a_profile_that_does_not_say_needs_evidence_and_is_never_met() {
    let rules = rules();
    let a = defaults(&rules);
    let idx = ServiceIndex::default();
    let d = Decider::new(&rules, &a, date("2026-11-23"), &idx);
    let silent = service("id: quiet\nname: Quiet\nprovider: {name: Q}\nmodel: saas\n");
    for kind in RequirementKind::ALL {
        let (check, _) = check_kind(&d, *kind, &silent, None, None);
        assert_eq!(check, Check::Unknown, "{kind:?} on a silent profile");
    }
    // A region the table does not know is unknown, not Korea.
    let mut elsewhere = korean_iaas("x", "low", "2025-03-01", "2030-02-28");
    elsewhere.data_locations = vec![Location::parse("mystery:ap-northeast-2").unwrap()];
    let (check, _) = check_kind(&d, RequirementKind::DataInKorea, &elsewhere, None, None);
    assert_eq!(check, Check::Unknown);
    // Alibaba's ap-northeast-2 is Seoul too, but only under its own provider key.
    elsewhere.data_locations = vec![Location::parse("alicloud:ap-northeast-2").unwrap()];
    let (check, _) = check_kind(&d, RequirementKind::DataInKorea, &elsewhere, None, None);
    assert_eq!(check, Check::Met);
}
