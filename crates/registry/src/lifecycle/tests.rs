//! The lifecycle against the built-in rules: the windows come from the engine, so these tests also
//! pin that the NIS start is the `nis-2027.start` assumption and that moving it moves the registry.

use kcvs_content::{builtin_files, load};
use kcvs_engine::{Decider, ServiceIndex};
use kcvs_model::{AssumptionId, AssumptionSet, AssumptionValue, RuleSet};

use super::*;
use crate::MemberId;
use crate::committee::{self, Affiliation, Choice, Member, QuorumRule, Sitting, Vote};
use crate::ctx::Policy;

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn rules() -> RuleSet {
    load(&builtin_files()).unwrap()
}

fn ctx_with(nis_start: Option<&str>) -> Ctx {
    let rules = rules();
    let mut assumptions = AssumptionSet::from_defaults(&rules.assumptions);
    if let Some(s) = nis_start {
        assert!(assumptions.set(
            &AssumptionId::new("nis-2027.start"),
            AssumptionValue::Date(d(s))
        ));
    }
    let services = ServiceIndex::default();
    let decider = Decider::new(&rules, &assumptions, d("2026-01-01"), &services);
    Ctx::from_decider(&decider, Policy::default())
}

/// The built-in rules with their default assumptions (NIS start 2027-07-01).
fn ctx() -> Ctx {
    ctx_with(None)
}

/// The same rules with the NIS start moved far out, to run whole CSAP terms.
fn ctx_late_nis() -> Ctx {
    ctx_with(Some("2040-01-01"))
}

fn iaas_app() -> Application {
    Application {
        id: "app-1".into(),
        provider: "acme".into(),
        service: "acme-cloud".into(),
        regime: "csap-2023".into(),
        tier: "medium".into(),
        service_type: ServiceType::Iaas,
        scope: "IaaS, public-agency zone, Seoul".into(),
        host: None,
    }
}

fn saas_app(host: HostCertificate) -> Application {
    Application {
        id: "app-2".into(),
        provider: "docs-inc".into(),
        service: "docs-saas".into(),
        tier: "low".into(),
        service_type: ServiceType::SaasStandard,
        scope: "document collaboration".into(),
        host: Some(host),
        ..iaas_app()
    }
}

fn host(tier: &str) -> HostCertificate {
    HostCertificate {
        service: "acme-cloud".into(),
        number: "CSAP-2025-001".into(),
        scheme: "csap".into(),
        tier: tier.into(),
        issued: d("2025-03-01"),
        valid_until: d("2030-02-28"),
        revoked: false,
    }
}

fn ev(date: &str, kind: EventKind) -> Event {
    Event::new(d(date), kind)
}

fn members() -> Vec<Member> {
    let m = |id: &str, a| Member {
        id: MemberId::new(id),
        name: id.into(),
        affiliation: a,
        term_from: d("2020-01-01"),
        term_until: d("2040-12-31"),
        declarations: Vec::new(),
    };
    vec![
        m("ind", Affiliation::Industry),
        m("aca", Affiliation::Academia),
        m("res", Affiliation::ResearchInstitute),
        m("gov", Affiliation::MsitRecommendedOfficial),
        m("aca2", Affiliation::Academia),
    ]
}

fn resolution(app: &Application, date: &str, approve: bool) -> Resolution {
    let choice = if approve {
        Choice::Approve
    } else {
        Choice::Reject
    };
    let sitting = Sitting {
        id: "sit-1".into(),
        application: app.id.clone(),
        date: d(date),
        present: members().into_iter().map(|m| m.id).collect(),
        votes: members()
            .into_iter()
            .map(|m| Vote {
                member: m.id,
                choice,
                rationale: "evaluation report read".into(),
            })
            .collect(),
    };
    committee::tally(&members(), app, &sitting, &QuorumRule::default()).unwrap()
}

/// Events from submission to an issued certificate, with one remediated finding.
fn to_certificate(app: &Application, issued: &str) -> Vec<Event> {
    vec![
        ev("2026-01-05", EventKind::Submit(app.clone())),
        ev("2026-01-10", EventKind::StartDocumentReview),
        ev("2026-02-01", EventKind::StartOnSiteEvaluation),
        ev(
            "2026-02-03",
            EventKind::RecordFinding(NewFinding {
                id: "F-1".into(),
                severity: Severity::High,
                control: Some("9.2".into()),
                summary: "admin accounts without MFA".into(),
            }),
        ),
        ev(
            "2026-02-03",
            EventKind::RequestRemediation {
                finding: "F-1".into(),
                due: d("2026-03-03"),
            },
        ),
        ev(
            "2026-03-01",
            EventKind::RecheckRemediation {
                finding: "F-1".into(),
                resolved: true,
                note: "MFA enforced".into(),
            },
        ),
        ev("2026-03-10", EventKind::SubmitToCommittee),
        ev(
            "2026-04-01",
            EventKind::Decide(resolution(app, "2026-04-01", true)),
        ),
        ev(
            issued,
            EventKind::IssueCertificate {
                number: "CSAP-2026-042".into(),
            },
        ),
    ]
}

fn certified(ctx: &Ctx) -> State {
    replay(&to_certificate(&iaas_app(), "2026-06-01"), ctx).unwrap()
}

fn apply(s: &State, date: &str, kind: EventKind, ctx: &Ctx) -> Result<State, TransitionError> {
    s.apply(&ev(date, kind), ctx)
}

#[test]
fn windows_come_from_the_engine() {
    let c = ctx();
    let csap = c.regime(&"csap-2023".into()).unwrap();
    assert_eq!(csap.scheme, SchemeRef::new("csap"));
    assert_eq!(csap.tiers, ["low", "medium", "high"]);
    assert_eq!(csap.opens, Some(d("2023-01-31")));
    assert_eq!(
        csap.closes,
        Some(d("2027-07-01")),
        "assumption nis-2027.start"
    );
    assert_eq!(csap.successor, Some(RegimeRef::new("nis-2027")));
    assert!(csap.grandfathered_by_successor);
    let nis = c.regime(&"nis-2027".into()).unwrap();
    assert_eq!(nis.scheme, SchemeRef::new("nis-verification"));
    assert_eq!(nis.opens, Some(d("2027-07-01")));
    // Overriding the assumption moves both ends.
    let moved = ctx_with(Some("2028-01-01"));
    assert_eq!(
        moved.regime(&"csap-2023".into()).unwrap().closes,
        Some(d("2028-01-01"))
    );
}

#[test]
fn the_whole_procedure_runs_and_the_term_is_five_years_less_a_day() {
    let s = certified(&ctx());
    let State::Certified(h) = &s else {
        panic!("expected certified, got {:?}", s.name());
    };
    let c = &h.current.certificate;
    assert_eq!(c.scheme, SchemeRef::new("csap"), "Regime.issues");
    assert_eq!(c.issued, d("2026-06-01"));
    assert_eq!(c.valid_until, d("2031-05-31"), "Decree 15-7: five years");
    assert_eq!(h.case.findings.len(), 1);
    assert!(h.case.remediations[0].recheck.as_ref().unwrap().resolved);
    assert_eq!(h.case.decision.as_ref().unwrap().outcome, Outcome::Approve);
    // The engine can read the registry's certificate.
    let m = c.to_model(kcvs_model::CertificateStatus::Active);
    assert_eq!(m.expires, d("2031-05-31"));
    assert_eq!(m.tier.as_deref(), Some("medium"));
}

#[test]
fn a_rejection_ends_the_case() {
    let app = iaas_app();
    let mut events = to_certificate(&app, "2026-06-01");
    events.truncate(7);
    events.push(ev(
        "2026-04-01",
        EventKind::Decide(resolution(&app, "2026-04-01", false)),
    ));
    let s = replay(&events, &ctx()).unwrap();
    assert_eq!(s.name(), StateName::Rejected);
    let err = apply(
        &s,
        "2026-05-01",
        EventKind::IssueCertificate { number: "X".into() },
        &ctx(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "`issue-certificate` is not allowed in state `rejected`"
    );
}

/// One representative state per state name.
fn sample_states(c: &Ctx) -> Vec<State> {
    let app = iaas_app();
    let all = to_certificate(&app, "2026-06-01");
    let upto = |n: usize| replay(&all[..n], c).unwrap();
    let held = certified(c);
    let end = |s: &State, date: &str, kind| apply(s, date, kind, c).unwrap();
    let heard = end(
        &held,
        "2027-01-01",
        EventKind::Hearing {
            ground: RevocationGround::Fraud,
            established: true,
            record: "H-1".into(),
        },
    );
    let mut rejected = all[..7].to_vec();
    rejected.push(ev(
        "2026-04-01",
        EventKind::Decide(resolution(&app, "2026-04-01", false)),
    ));
    vec![
        State::Unfiled,
        upto(1),
        upto(2),
        upto(3),
        upto(7),
        upto(8),
        replay(&rejected, c).unwrap(),
        end(
            &upto(1),
            "2026-01-06",
            EventKind::Withdraw { reason: "x".into() },
        ),
        held.clone(),
        end(
            &heard,
            "2027-01-02",
            EventKind::Revoke {
                ground: RevocationGround::Fraud,
            },
        ),
        end(&held, "2031-06-01", EventKind::Expire),
        end(
            &held,
            "2026-07-01",
            EventKind::Surrender {
                reason: "fees".into(),
            },
        ),
    ]
}

/// One representative event per event kind.
fn sample_events() -> Vec<EventKind> {
    let finding = NewFinding {
        id: "F-9".into(),
        severity: Severity::Low,
        control: None,
        summary: "x".into(),
    };
    vec![
        EventKind::Submit(iaas_app()),
        EventKind::StartDocumentReview,
        EventKind::StartOnSiteEvaluation,
        EventKind::RecordFinding(finding.clone()),
        EventKind::RequestRemediation {
            finding: "F-1".into(),
            due: d("2040-01-01"),
        },
        EventKind::RecheckRemediation {
            finding: "F-1".into(),
            resolved: true,
            note: String::new(),
        },
        EventKind::SubmitToCommittee,
        EventKind::Decide(resolution(&iaas_app(), "2026-04-01", true)),
        EventKind::IssueCertificate { number: "N".into() },
        EventKind::FollowUp {
            year: 1,
            method: FollowUpMethod::OnSite,
            passed: true,
            findings: vec![finding],
        },
        EventKind::Hearing {
            ground: RevocationGround::CriteriaNoLongerMet,
            established: false,
            record: "H".into(),
        },
        EventKind::Revoke {
            ground: RevocationGround::CriteriaNoLongerMet,
        },
        EventKind::ApplyForRenewal,
        EventKind::GrantRenewal {
            number: "N2".into(),
        },
        EventKind::RefuseRenewal { reason: "x".into() },
        EventKind::Expire,
        EventKind::Withdraw { reason: "x".into() },
        EventKind::Surrender { reason: "x".into() },
        EventKind::ImportCertificate {
            application: iaas_app(),
            number: "N3".into(),
            issued: d("2025-06-10"),
            valid_until: d("2030-06-09"),
        },
    ]
}

/// The transitions the machine has at all (guards may still refuse them).
const ALLOWED: &[(StateName, &str)] = &[
    (StateName::Unfiled, "submit"),
    (StateName::Unfiled, "import-certificate"),
    (StateName::Submitted, "start-document-review"),
    (StateName::Submitted, "withdraw"),
    (StateName::DocumentReview, "start-on-site-evaluation"),
    (StateName::DocumentReview, "record-finding"),
    (StateName::DocumentReview, "withdraw"),
    (StateName::OnSiteEvaluation, "record-finding"),
    (StateName::OnSiteEvaluation, "request-remediation"),
    (StateName::OnSiteEvaluation, "recheck-remediation"),
    (StateName::OnSiteEvaluation, "submit-to-committee"),
    (StateName::OnSiteEvaluation, "withdraw"),
    (StateName::Deliberation, "decide"),
    (StateName::Deliberation, "withdraw"),
    (StateName::Approved, "issue-certificate"),
    (StateName::Approved, "withdraw"),
    (StateName::Certified, "follow-up"),
    (StateName::Certified, "hearing"),
    (StateName::Certified, "revoke"),
    (StateName::Certified, "apply-for-renewal"),
    (StateName::Certified, "grant-renewal"),
    (StateName::Certified, "refuse-renewal"),
    (StateName::Certified, "expire"),
    (StateName::Certified, "surrender"),
];

#[test]
fn every_transition_outside_the_table_is_refused_with_its_reason() {
    let c = ctx_late_nis();
    let states = sample_states(&c);
    let names: Vec<StateName> = states.iter().map(State::name).collect();
    assert_eq!(names.len(), 12, "one sample per state");
    let mut refused = 0;
    for s in &states {
        for kind in sample_events() {
            let allowed = ALLOWED.contains(&(s.name(), kind.name()));
            let date = s.case().map_or(d("2026-01-05"), |c| c.last_event);
            let result = s.apply(&Event::new(date, kind.clone()), &c);
            if !allowed {
                let err = result.expect_err("illegal transition applied");
                assert_eq!(
                    err,
                    TransitionError::NotAllowed {
                        state: s.name(),
                        event: kind.name()
                    }
                );
                assert_eq!(
                    err.to_string(),
                    format!("`{}` is not allowed in state `{}`", kind.name(), s.name())
                );
                refused += 1;
            }
        }
    }
    assert_eq!(refused, 12 * 19 - ALLOWED.len());
}

#[test]
fn events_must_not_go_back_in_time() {
    let c = ctx();
    let s = replay(&to_certificate(&iaas_app(), "2026-06-01")[..2], &c).unwrap();
    let err = apply(&s, "2026-01-09", EventKind::StartOnSiteEvaluation, &c).unwrap_err();
    assert_eq!(
        err,
        TransitionError::OutOfOrder {
            last: d("2026-01-10"),
            date: d("2026-01-09")
        }
    );
    // The same day is fine.
    assert!(apply(&s, "2026-01-10", EventKind::StartOnSiteEvaluation, &c).is_ok());
    // replay names the offending event.
    let mut events = to_certificate(&iaas_app(), "2026-06-01");
    events.swap(1, 2);
    let (i, _) = replay(&events, &c).unwrap_err();
    assert_eq!(i, 1);
}

#[test]
fn revocation_needs_an_established_hearing_on_the_same_ground() {
    let c = ctx();
    let held = certified(&c);
    let revoke = |s: &State, ground| apply(s, "2027-03-01", EventKind::Revoke { ground }, &c);
    let hearing = |s: &State, ground, established| {
        apply(
            s,
            "2027-02-01",
            EventKind::Hearing {
                ground,
                established,
                record: "H-2027-7".into(),
            },
            &c,
        )
        .unwrap()
    };
    use RevocationGround::*;
    let err = revoke(&held, CriteriaNoLongerMet).unwrap_err();
    assert_eq!(
        err,
        TransitionError::HearingRequired {
            ground: CriteriaNoLongerMet
        }
    );
    assert!(err.to_string().contains("Art. 23-3"), "{err}");
    let cleared = hearing(&held, CriteriaNoLongerMet, false);
    assert!(
        revoke(&cleared, CriteriaNoLongerMet).is_err(),
        "not established"
    );
    let other = hearing(&held, CriteriaNoLongerMet, true);
    assert!(revoke(&other, Fraud).is_err(), "hearing on another ground");
    // Discretionary: established, and the authority may still let the certificate run.
    let kept = apply(
        &other,
        "2027-06-02",
        EventKind::FollowUp {
            year: 1,
            method: FollowUpMethod::OnSite,
            passed: true,
            findings: vec![],
        },
        &c,
    );
    assert!(kept.is_ok());
    let revoked = revoke(&other, CriteriaNoLongerMet).unwrap();
    assert_eq!(revoked.name(), StateName::Revoked);
    // As-of: revoked from that day, certified before it.
    assert_eq!(
        revoked.certificate_status(d("2027-03-01"), &c),
        Some(CertStatus::Revoked {
            on: d("2027-03-01"),
            ground: CriteriaNoLongerMet
        })
    );
    assert_eq!(
        revoked.certificate_status(d("2027-02-28"), &c),
        Some(CertStatus::Active {
            valid_until: d("2031-05-31")
        })
    );
}

#[test]
fn established_fraud_makes_revocation_mandatory() {
    let c = ctx_late_nis();
    let heard = apply(
        &certified(&c),
        "2027-02-01",
        EventKind::Hearing {
            ground: RevocationGround::Fraud,
            established: true,
            record: "H-1".into(),
        },
        &c,
    )
    .unwrap();
    for kind in [
        EventKind::ApplyForRenewal,
        EventKind::Surrender {
            reason: "leaving".into(),
        },
        EventKind::FollowUp {
            year: 1,
            method: FollowUpMethod::OnSite,
            passed: true,
            findings: vec![],
        },
    ] {
        let err = apply(&heard, "2027-06-02", kind.clone(), &c).unwrap_err();
        assert_eq!(
            err,
            TransitionError::RevocationMandatory { event: kind.name() }
        );
    }
    let s = apply(
        &heard,
        "2027-06-02",
        EventKind::Revoke {
            ground: RevocationGround::Fraud,
        },
        &c,
    )
    .unwrap();
    assert_eq!(s.name(), StateName::Revoked);
}

#[test]
fn renewal_must_be_applied_for_six_months_before_expiry() {
    let c = ctx_late_nis();
    let held = certified(&c);
    // Valid until 2031-05-31: the last day to apply is 2030-11-30.
    let late = apply(&held, "2030-12-01", EventKind::ApplyForRenewal, &c).unwrap_err();
    assert_eq!(
        late,
        TransitionError::RenewalTooLate {
            deadline: d("2030-11-30"),
            months: 6
        }
    );
    assert!(late.to_string().contains("2030-11-30"), "{late}");
    let applied = apply(&held, "2030-11-30", EventKind::ApplyForRenewal, &c).unwrap();
    let again = apply(&applied, "2030-12-01", EventKind::ApplyForRenewal, &c).unwrap_err();
    assert_eq!(again.code(), "renewal-pending");
    // Granted before expiry: the new term starts the day after the old one ends.
    let renewed = apply(
        &applied,
        "2031-03-01",
        EventKind::GrantRenewal {
            number: "CSAP-2031-007".into(),
        },
        &c,
    )
    .unwrap();
    let h = renewed.held().unwrap();
    assert_eq!(h.current.certificate.valid_from, d("2031-06-01"));
    assert_eq!(h.current.certificate.valid_until, d("2036-05-31"));
    assert_eq!(
        h.current.certificate.renews,
        Some(CertificateNumber::new("CSAP-2026-042"))
    );
    assert_eq!(
        h.certificate_on(d("2031-05-31")).unwrap().number.as_str(),
        "CSAP-2026-042"
    );
    assert_eq!(
        h.certificate_on(d("2031-06-01")).unwrap().number.as_str(),
        "CSAP-2031-007"
    );
    // Nothing pending any more.
    let err = apply(
        &renewed,
        "2031-03-02",
        EventKind::RefuseRenewal { reason: "x".into() },
        &c,
    )
    .unwrap_err();
    assert_eq!(err, TransitionError::NoRenewalPending);
}

#[test]
fn after_the_nis_start_csap_takes_no_applications_and_its_certificates_are_grandfathered() {
    let c = ctx();
    let err = apply(
        &State::Unfiled,
        "2027-07-01",
        EventKind::Submit(iaas_app()),
        &c,
    )
    .unwrap_err();
    assert_eq!(
        err,
        TransitionError::RegimeClosed {
            regime: "csap-2023".into(),
            closed: d("2027-07-01"),
            successor: Some("nis-2027".into()),
        }
    );
    assert_eq!(
        err.to_string(),
        "regime `csap-2023` stopped taking applications and issuing on 2027-07-01: apply under `nis-2027`"
    );
    assert!(
        apply(
            &State::Unfiled,
            "2027-06-30",
            EventKind::Submit(iaas_app()),
            &c
        )
        .is_ok()
    );
    // The NIS verification takes them instead, on its own tier scheme.
    let nis = Application {
        regime: "nis-2027".into(),
        tier: "S".into(),
        ..iaas_app()
    };
    assert!(
        apply(
            &State::Unfiled,
            "2027-07-01",
            EventKind::Submit(nis.clone()),
            &c
        )
        .is_ok()
    );
    let early = apply(&State::Unfiled, "2027-06-30", EventKind::Submit(nis), &c).unwrap_err();
    assert_eq!(early.code(), "regime-not-open");
    // A renewal is a new application: refused too, pointing at the successor.
    let held = certified(&c);
    let err = apply(&held, "2027-07-01", EventKind::ApplyForRenewal, &c).unwrap_err();
    assert_eq!(err.code(), "regime-closed");
    // The certificate runs to the end of its term, reported as grandfathered.
    assert_eq!(
        held.certificate_status(d("2027-06-30"), &c),
        Some(CertStatus::Active {
            valid_until: d("2031-05-31")
        })
    );
    assert_eq!(
        held.certificate_status(d("2027-07-01"), &c),
        Some(CertStatus::Grandfathered {
            successor: "nis-2027".into(),
            since: d("2027-07-01"),
            until: d("2031-05-31"),
        })
    );
    assert_eq!(
        held.certificate_status(d("2031-06-01"), &c),
        Some(CertStatus::Expired {
            valid_until: d("2031-05-31")
        })
    );
    // Moving the assumed start moves the refusal.
    let later = ctx_with(Some("2028-01-01"));
    assert!(
        apply(
            &State::Unfiled,
            "2027-07-01",
            EventKind::Submit(iaas_app()),
            &later
        )
        .is_ok()
    );
}

#[test]
fn an_approved_csap_case_cannot_be_issued_after_the_start() {
    let c = ctx();
    let events = to_certificate(&iaas_app(), "2027-07-01");
    let (issue, before) = events.split_last().unwrap();
    assert_eq!(issue.kind.name(), "issue-certificate");
    let approved = replay(before, &c).unwrap();
    let err = approved.apply(issue, &c).unwrap_err();
    assert_eq!(err.code(), "regime-closed");
}

#[test]
fn saas_and_paas_name_a_valid_host_at_no_lower_tier() {
    let c = ctx();
    let submit =
        |app: Application| apply(&State::Unfiled, "2026-01-05", EventKind::Submit(app), &c);
    assert!(submit(saas_app(host("medium"))).is_ok());
    let mut no_host = saas_app(host("medium"));
    no_host.host = None;
    assert_eq!(
        submit(no_host).unwrap_err(),
        TransitionError::HostRequired {
            service_type: "saas-standard"
        }
    );
    let mut iaas_with_host = iaas_app();
    iaas_with_host.host = Some(host("high"));
    assert_eq!(
        submit(iaas_with_host).unwrap_err().code(),
        "host-not-allowed"
    );
    let mut above_host = saas_app(host("low"));
    above_host.tier = "medium".into();
    assert_eq!(submit(above_host).unwrap_err().code(), "host-tier-too-low");
    let mut expired = host("medium");
    expired.valid_until = d("2025-12-31");
    assert_eq!(
        submit(saas_app(expired)).unwrap_err().code(),
        "host-not-valid"
    );
    let mut revoked = host("medium");
    revoked.revoked = true;
    assert_eq!(
        submit(saas_app(revoked)).unwrap_err().code(),
        "host-not-valid"
    );
}

#[test]
fn applications_name_a_known_binding_regime_and_tier() {
    let c = ctx();
    let submit =
        |app: Application| apply(&State::Unfiled, "2026-01-05", EventKind::Submit(app), &c);
    let bad_tier = Application {
        tier: "S".into(),
        ..iaas_app()
    };
    let err = submit(bad_tier).unwrap_err();
    assert_eq!(
        err.to_string(),
        "tier `S` is not a tier of regime `csap-2023` (expected one of low, medium, high)"
    );
    let unknown = Application {
        regime: "n2sf-2025".into(),
        ..iaas_app()
    };
    assert_eq!(
        submit(unknown).unwrap_err().code(),
        "unknown-regime",
        "grading only"
    );
    for w in c.regimes.iter().filter(|w| !w.binding) {
        let scenario = Application {
            regime: w.regime.clone(),
            ..iaas_app()
        };
        assert_eq!(submit(scenario).unwrap_err().code(), "regime-not-binding");
    }
}

fn follow_up(year: u8, method: FollowUpMethod) -> EventKind {
    EventKind::FollowUp {
        year,
        method,
        passed: true,
        findings: vec![],
    }
}

#[test]
fn document_only_follow_ups_only_where_the_2025_rule_allows() {
    let c = ctx_late_nis();
    let saas = replay(&to_certificate(&saas_app(host("medium")), "2026-06-01"), &c).unwrap();
    let y1 = apply(
        &saas,
        "2026-09-01",
        follow_up(1, FollowUpMethod::DocumentOnly),
        &c,
    )
    .unwrap();
    let err = apply(
        &y1,
        "2027-06-01",
        follow_up(2, FollowUpMethod::DocumentOnly),
        &c,
    )
    .unwrap_err();
    assert_eq!(err.code(), "document-only-not-allowed");
    assert!(err.to_string().contains("years 1, 3, 4"), "{err}");
    let y2 = apply(&y1, "2027-06-01", follow_up(2, FollowUpMethod::OnSite), &c).unwrap();
    let y3 = apply(
        &y2,
        "2028-06-01",
        follow_up(3, FollowUpMethod::DocumentOnly),
        &c,
    )
    .unwrap();
    let y4 = apply(
        &y3,
        "2029-06-01",
        follow_up(4, FollowUpMethod::DocumentOnly),
        &c,
    )
    .unwrap();
    assert_eq!(y4.held().unwrap().current.follow_ups.len(), 4);
    // IaaS: never document-only.
    let iaas = certified(&c);
    let err = apply(
        &iaas,
        "2026-09-01",
        follow_up(1, FollowUpMethod::DocumentOnly),
        &c,
    )
    .unwrap_err();
    assert_eq!(err.code(), "document-only-not-allowed");
    // Before 2025: SaaS too had on-site follow-ups only.
    let mut old = to_certificate(&saas_app(host("medium")), "2024-03-01");
    for (e, day) in old
        .iter_mut()
        .zip(["2023-06-01", "2023-07-01", "2023-08-01"])
    {
        e.date = d(day);
    }
    for e in old.iter_mut().skip(3).take(5) {
        e.date = d("2023-09-01");
    }
    let mut host_2023 = host("medium");
    host_2023.issued = d("2023-03-01");
    if let EventKind::Submit(app) = &mut old[0].kind {
        app.host = Some(host_2023);
    }
    if let EventKind::Decide(r) = &mut old[7].kind {
        r.date = d("2023-09-01");
    }
    let s = replay(&old, &c).unwrap();
    let err = apply(
        &s,
        "2024-12-01",
        follow_up(1, FollowUpMethod::DocumentOnly),
        &c,
    )
    .unwrap_err();
    assert_eq!(err.code(), "document-only-not-allowed");
}

#[test]
fn follow_up_years_are_ordered_and_inside_the_term() {
    let c = ctx_late_nis();
    let s = certified(&c);
    let on = FollowUpMethod::OnSite;
    assert_eq!(
        apply(&s, "2026-09-01", follow_up(0, on), &c)
            .unwrap_err()
            .code(),
        "follow-up-year"
    );
    assert_eq!(
        apply(&s, "2030-09-01", follow_up(5, on), &c)
            .unwrap_err()
            .code(),
        "follow-up-year"
    );
    assert_eq!(
        apply(&s, "2026-09-01", follow_up(3, on), &c).unwrap_err(),
        TransitionError::FollowUpTooEarly {
            year: 3,
            earliest: d("2028-06-01")
        }
    );
    let y2 = apply(&s, "2027-09-01", follow_up(2, on), &c).unwrap();
    assert_eq!(
        apply(&y2, "2027-10-01", follow_up(1, on), &c)
            .unwrap_err()
            .code(),
        "follow-up-repeated"
    );
    assert_eq!(
        apply(&y2, "2027-10-01", follow_up(2, on), &c)
            .unwrap_err()
            .code(),
        "follow-up-repeated"
    );
}

#[test]
fn expiry_only_after_the_last_valid_day_and_nothing_after_it() {
    let c = ctx_late_nis();
    let s = certified(&c);
    assert_eq!(
        apply(&s, "2031-05-31", EventKind::Expire, &c).unwrap_err(),
        TransitionError::NotYetExpired {
            valid_until: d("2031-05-31"),
            date: d("2031-05-31")
        }
    );
    let lapsed = apply(&s, "2031-06-01", follow_up(4, FollowUpMethod::OnSite), &c).unwrap_err();
    assert_eq!(lapsed.code(), "already-expired");
    let e = apply(&s, "2031-06-01", EventKind::Expire, &c).unwrap();
    assert_eq!(e.name(), StateName::Expired);
}

#[test]
fn open_remediation_blocks_the_committee() {
    let c = ctx();
    let mut events = to_certificate(&iaas_app(), "2026-06-01");
    events.remove(5); // the re-check
    let (i, err) = replay(&events, &c).unwrap_err();
    assert_eq!(i, 5);
    assert_eq!(
        err,
        TransitionError::RemediationOpen {
            finding: "F-1".into(),
            due: d("2026-03-03")
        }
    );
    // Deadlines lie ahead; re-checks need a request; findings are unique.
    let s = replay(&events[..4], &c).unwrap();
    let past = apply(
        &s,
        "2026-02-04",
        EventKind::RequestRemediation {
            finding: "F-1".into(),
            due: d("2026-02-03"),
        },
        &c,
    );
    assert_eq!(past.unwrap_err().code(), "deadline-in-past");
    let unknown = apply(
        &s,
        "2026-02-04",
        EventKind::RequestRemediation {
            finding: "F-2".into(),
            due: d("2026-03-03"),
        },
        &c,
    );
    assert_eq!(unknown.unwrap_err().code(), "unknown-finding");
    let recheck = apply(
        &s,
        "2026-02-04",
        EventKind::RecheckRemediation {
            finding: "F-1".into(),
            resolved: true,
            note: String::new(),
        },
        &c,
    );
    assert_eq!(recheck.unwrap_err().code(), "no-open-remediation");
    let dup = apply(&s, "2026-02-04", events[3].kind.clone(), &c);
    assert_eq!(dup.unwrap_err().code(), "duplicate-finding");
}

#[test]
fn a_late_recheck_is_marked_late() {
    let c = ctx();
    let mut events = to_certificate(&iaas_app(), "2026-06-01");
    events[5].date = d("2026-03-05");
    let s = replay(&events[..6], &c).unwrap();
    assert!(
        s.case().unwrap().remediations[0]
            .recheck
            .as_ref()
            .unwrap()
            .late
    );
}

#[test]
fn a_decision_must_rest_on_this_applications_quorate_resolution() {
    let c = ctx();
    let events = to_certificate(&iaas_app(), "2026-06-01");
    let s = replay(&events[..7], &c).unwrap();
    let mut other = resolution(&iaas_app(), "2026-04-01", true);
    other.application = "app-9".into();
    assert_eq!(
        apply(&s, "2026-04-01", EventKind::Decide(other), &c)
            .unwrap_err()
            .code(),
        "resolution-mismatch"
    );
    let mut no_quorum = resolution(&iaas_app(), "2026-04-01", true);
    no_quorum.quorum_met = false;
    assert_eq!(
        apply(&s, "2026-04-01", EventKind::Decide(no_quorum), &c).unwrap_err(),
        TransitionError::NoQuorum
    );
    let future = resolution(&iaas_app(), "2026-05-01", true);
    assert_eq!(
        apply(&s, "2026-04-01", EventKind::Decide(future), &c)
            .unwrap_err()
            .code(),
        "resolution-after-decision"
    );
}

#[test]
fn there_is_no_suspension_of_a_certificate_in_the_published_format() {
    let json = r#"{"date":"2027-01-01","kind":{"type":"suspend","until":"2027-06-01"}}"#;
    let err = serde_json::from_str::<Event>(json).unwrap_err();
    assert!(
        err.to_string().contains("unknown variant `suspend`"),
        "{err}"
    );
    let status = r#"{"status":"suspended","on":"2027-01-01"}"#;
    assert!(serde_json::from_str::<CertStatus>(status).is_err());
}

#[test]
fn states_and_events_round_trip_through_json() {
    let c = ctx_late_nis();
    for s in sample_states(&c) {
        let json = serde_json::to_string(&s).unwrap();
        let back: State = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
    }
    for e in to_certificate(&iaas_app(), "2026-06-01") {
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), e);
    }
    let json = serde_json::to_string(&ev("2026-01-10", EventKind::StartDocumentReview)).unwrap();
    assert_eq!(
        json,
        r#"{"date":"2026-01-10","kind":{"type":"start-document-review"}}"#
    );
}

#[test]
fn withdrawal_is_open_until_the_certificate_and_surrender_after() {
    let c = ctx();
    let s = replay(&to_certificate(&iaas_app(), "2026-06-01")[..8], &c).unwrap();
    assert_eq!(s.name(), StateName::Approved);
    let w = apply(
        &s,
        "2026-04-02",
        EventKind::Withdraw {
            reason: "fees".into(),
        },
        &c,
    )
    .unwrap();
    assert_eq!(w.name(), StateName::Withdrawn);
    let held = certified(&c);
    let gone = apply(
        &held,
        "2026-07-01",
        EventKind::Surrender {
            reason: "fees".into(),
        },
        &c,
    )
    .unwrap();
    assert_eq!(
        gone.certificate_status(d("2026-07-01"), &c),
        Some(CertStatus::Surrendered {
            on: d("2026-07-01")
        })
    );
}

#[test]
fn recorded_events_replay_under_changed_assumptions() {
    // Recorded under the default NIS start (2027-07-01), when CSAP took applications.
    let events = to_certificate(&iaas_app(), "2026-06-01");
    assert!(replay(&events, &ctx()).is_ok());
    // The NIS start moved before the application: CSAP would refuse it now...
    let moved = ctx_with(Some("2026-01-01"));
    let refused = State::Unfiled.apply(&events[0], &moved).unwrap_err();
    assert_eq!(refused.code(), "regime-closed");
    // ...but what was recorded happened, and replays to the same state.
    let s = replay(&events, &moved).unwrap();
    assert_eq!(s, replay(&events, &ctx()).unwrap());
    assert_eq!(s.name(), StateName::Certified);
    // New transitions still meet the current rules: renewal needs CSAP open.
    let err = apply(&s, "2030-06-01", EventKind::ApplyForRenewal, &moved).unwrap_err();
    assert_eq!(err.code(), "regime-closed");
    // Structure is still checked on replay: an event out of its state is refused.
    let mut broken = events.clone();
    broken.remove(1);
    assert!(replay(&broken, &moved).is_err());
}

/// An imported certificate starts a certified case with its own number and dates, under the
/// regime's scheme; a hearing and a revocation then apply to it like to any other; its tier
/// must be the regime's and its dates in order; replay reads it back.
#[test]
fn an_imported_certificate_is_a_case_that_can_be_heard_and_revoked() {
    let c = ctx();
    let import = |tier: &str, issued: &str, until: &str| EventKind::ImportCertificate {
        application: Application {
            tier: tier.into(),
            ..iaas_app()
        },
        number: "CSAP-IaaS-2025-0142".into(),
        issued: d(issued),
        valid_until: d(until),
    };
    let s = apply(
        &State::Unfiled,
        "2026-03-02",
        import("high", "2025-06-10", "2030-06-09"),
        &c,
    )
    .unwrap();
    let held = s.held().unwrap();
    let cert = &held.current.certificate;
    assert_eq!(s.name(), StateName::Certified);
    assert_eq!(cert.number.as_str(), "CSAP-IaaS-2025-0142");
    assert_eq!(cert.scheme, SchemeRef::new("csap"));
    assert_eq!(
        (cert.issued, cert.valid_until),
        (d("2025-06-10"), d("2030-06-09"))
    );
    assert_eq!(cert.application.as_str(), "app-1");
    assert!(held.case.decision.is_none() && held.case.findings.is_empty());
    // Its term is not this registry's own (follow-ups before it are not on record here); an
    // issued certificate's is.
    assert!(held.imported_term());
    assert!(!certified(&c).held().unwrap().imported_term());

    let revoke = EventKind::Revoke {
        ground: RevocationGround::CriteriaNoLongerMet,
    };
    assert_eq!(
        apply(&s, "2026-03-03", revoke.clone(), &c).unwrap_err(),
        TransitionError::HearingRequired {
            ground: RevocationGround::CriteriaNoLongerMet
        }
    );
    let heard = apply(
        &s,
        "2026-03-03",
        EventKind::Hearing {
            ground: RevocationGround::CriteriaNoLongerMet,
            established: true,
            record: "H-7".into(),
        },
        &c,
    )
    .unwrap();
    let revoked = apply(&heard, "2026-03-04", revoke.clone(), &c).unwrap();
    assert_eq!(revoked.name(), StateName::Revoked);
    let events = [
        ev("2026-03-02", import("high", "2025-06-10", "2030-06-09")),
        ev(
            "2026-03-03",
            EventKind::Hearing {
                ground: RevocationGround::CriteriaNoLongerMet,
                established: true,
                record: "H-7".into(),
            },
        ),
        ev("2026-03-04", revoke),
    ];
    assert_eq!(replay(&events, &c).unwrap(), revoked);

    assert!(matches!(
        apply(
            &State::Unfiled,
            "2026-03-02",
            import("top", "2025-06-10", "2030-06-09"),
            &c
        ),
        Err(TransitionError::UnknownTier { .. })
    ));
    let err = apply(
        &State::Unfiled,
        "2026-03-02",
        import("high", "2025-06-10", "2025-06-09"),
        &c,
    )
    .unwrap_err();
    assert_eq!(err.code(), "import-dates");
    let t = crate::wording::transition(&err);
    assert!(t.en.contains("2025-06-10") && t.ko.contains("2025-06-09"));
}
