//! Assessment: a service against a regime and a target tier. Categorical requirements first, then
//! every control of the regime's catalog that applies to the tier and the service type, then a
//! remediation list ordered by how many (regime, tier) targets each fix opens.

use std::collections::BTreeMap;

use kcvs_model::*;

use crate::Decider;
use crate::certificates::{CertReview, review_certificates};
use crate::requirements::{Check, RequirementResult, check_kind, evaluate_requirements};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ControlOutcome {
    Met,
    NotMet {
        partial: bool,
        planned: bool,
    },
    /// Declared not applicable by the provider, or outside the service type (zero items).
    NotApplicable {
        declared: bool,
    },
    EvidenceNeeded,
    /// A held certification covers it through a crosswalk whose relation covers fully.
    Covered {
        scheme: SchemeId,
        crosswalk: String,
        relation: Relation,
        via: ControlId,
    },
    /// A held certification covers part of it; evidence is still needed for the rest.
    PartlyCovered {
        scheme: SchemeId,
        crosswalk: String,
        relation: Relation,
        via: ControlId,
    },
}

impl ControlOutcome {
    pub fn key(&self) -> &'static str {
        match self {
            ControlOutcome::Met => "met",
            ControlOutcome::NotMet { .. } => "not-met",
            ControlOutcome::NotApplicable { .. } => "not-applicable",
            ControlOutcome::EvidenceNeeded => "evidence-needed",
            ControlOutcome::Covered { .. } => "covered",
            ControlOutcome::PartlyCovered { .. } => "partly-covered",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControlResult {
    pub control: ControlId,
    pub outcome: ControlOutcome,
    /// The statement the outcome rests on, if the provider gave one (possibly on an ancestor).
    pub statement_on: Option<ControlId>,
    pub evidence: Vec<String>,
}

/// A fix and what it opens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Remediation {
    pub kind: RequirementKind,
    pub rule: RuleId,
    /// Every (scheme regime, tier) target where this requirement binds on the date and the
    /// service does not meet it today.
    pub unblocks: Vec<(RegimeId, TierRank)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assessment {
    pub regime: RegimeId,
    pub tier: TierRank,
    pub service_type: ServiceType,
    pub requirements: Vec<RequirementResult>,
    pub certificates: CertReview,
    /// Whether a held certificate already counts at the target tier.
    pub certified_at_tier: bool,
    pub controls: Vec<ControlResult>,
    pub summary: BTreeMap<&'static str, usize>,
    pub remediation: Vec<Remediation>,
    pub controls_to_fix: Vec<ControlId>,
}

pub fn service_type_of(service: &ServiceProfile) -> ServiceType {
    service.service_type.unwrap_or(match service.model {
        ServiceModel::Iaas => ServiceType::Iaas,
        ServiceModel::Saas => ServiceType::SaasStandard,
        ServiceModel::Daas => ServiceType::Daas,
        ServiceModel::Paas => ServiceType::Paas,
    })
}

pub fn assess(
    d: &Decider,
    regime: &Regime,
    tier: TierRank,
    service: &ServiceProfile,
) -> Assessment {
    let service_type = service_type_of(service);
    let requirements = evaluate_requirements(d, regime, tier, None, service);
    let certificates = review_certificates(d, regime, service);
    let certified_at_tier = certificates.best().is_some_and(|c| c.tier >= tier);
    let controls = regime
        .catalog
        .as_ref()
        .and_then(|c| d.rules.catalog(c))
        .map(|catalog| assess_controls(d, regime, tier, catalog, service, service_type))
        .unwrap_or_default();

    let mut summary: BTreeMap<&'static str, usize> = BTreeMap::new();
    for key in [
        "met",
        "not-met",
        "not-applicable",
        "evidence-needed",
        "covered",
        "partly-covered",
    ] {
        summary.insert(key, 0);
    }
    for c in &controls {
        *summary.entry(c.outcome.key()).or_default() += 1;
    }
    summary.insert(
        "requirements-not-met",
        requirements
            .iter()
            .filter(|r| r.check == Check::NotMet)
            .count(),
    );
    summary.insert(
        "requirements-unknown",
        requirements
            .iter()
            .filter(|r| r.check == Check::Unknown)
            .count(),
    );

    let remediation = remediation(d, &requirements, service);
    let controls_to_fix = controls
        .iter()
        .filter(|c| matches!(c.outcome, ControlOutcome::NotMet { .. }))
        .map(|c| c.control.clone())
        .collect();
    Assessment {
        regime: regime.id.clone(),
        tier,
        service_type,
        requirements,
        certificates,
        certified_at_tier,
        controls,
        summary,
        remediation,
        controls_to_fix,
    }
}

fn remediation(
    d: &Decider,
    failing: &[RequirementResult],
    service: &ServiceProfile,
) -> Vec<Remediation> {
    let mut out: Vec<Remediation> = Vec::new();
    for r in failing.iter().filter(|r| r.check == Check::NotMet) {
        if out.iter().any(|x| x.kind == r.kind) {
            continue;
        }
        let mut unblocks = Vec::new();
        for regime in d
            .rules
            .regimes
            .iter()
            .filter(|g| g.kind == RegimeKind::Scheme)
        {
            for rank in 0..regime.tiers.len() {
                let Ok(rank) = u8::try_from(rank) else {
                    continue;
                };
                let tier = TierRank(rank);
                let binds = regime
                    .requirements
                    .iter()
                    .any(|q| q.kind == r.kind && q.tiers.contains(tier) && d.requirement_active(q));
                if binds && check_kind(d, r.kind, service, None, Some(regime)).0 == Check::NotMet {
                    unblocks.push((regime.id.clone(), tier));
                }
            }
        }
        out.push(Remediation {
            kind: r.kind,
            rule: r.rule.clone(),
            unblocks,
        });
    }
    out.sort_by(|a, b| {
        b.unblocks
            .len()
            .cmp(&a.unblocks.len())
            .then(a.kind.cmp(&b.kind))
    });
    out
}

/// Leaves of the catalog tree: the units a provider states against.
fn leaves(catalog: &Catalog) -> Vec<&CatalogEntry> {
    catalog
        .entries
        .iter()
        .filter(|e| catalog.children(&e.id).next().is_none())
        .collect()
}

fn assess_controls(
    d: &Decider,
    regime: &Regime,
    tier: TierRank,
    catalog: &Catalog,
    service: &ServiceProfile,
    service_type: ServiceType,
) -> Vec<ControlResult> {
    let tier_id = regime.tier(tier).map(|t| t.id.as_str()).unwrap_or("");
    let held: Vec<(&Scheme, &Crosswalk)> = service
        .certifications
        .iter()
        .filter(|c| {
            c.status == CertificateStatus::Active && c.issued <= d.as_of && d.as_of <= c.expires
        })
        .filter_map(|c| d.rules.scheme(&c.scheme))
        .filter_map(|s| {
            let to = s.catalog.as_ref()?;
            let x = d
                .rules
                .crosswalks
                .iter()
                .find(|x| x.from == catalog.id && &x.to == to)?;
            Some((s, x))
        })
        .collect();
    let mut out = Vec::new();
    for leaf in leaves(catalog) {
        let chain = catalog.ancestry(&leaf.id);
        if !chain.iter().all(|e| e.applies_to_tier(tier_id)) {
            continue;
        }
        let zero_items = chain
            .iter()
            .any(|e| e.counts.get(service_type.as_str()) == Some(&0));
        let stated = chain
            .iter()
            .find_map(|e| service.controls.get(&e.id).map(|s| (e.id.clone(), s)));
        let (outcome, statement_on, evidence) = match stated {
            Some((on, s)) => {
                let outcome = match s.status {
                    ControlStatus::Implemented => ControlOutcome::Met,
                    ControlStatus::Partial => ControlOutcome::NotMet {
                        partial: true,
                        planned: false,
                    },
                    ControlStatus::Planned => ControlOutcome::NotMet {
                        partial: false,
                        planned: true,
                    },
                    ControlStatus::NotImplemented => ControlOutcome::NotMet {
                        partial: false,
                        planned: false,
                    },
                    ControlStatus::NotApplicable => {
                        ControlOutcome::NotApplicable { declared: true }
                    }
                };
                (outcome, Some(on), s.evidence.clone())
            }
            None if zero_items => (
                ControlOutcome::NotApplicable { declared: false },
                None,
                Vec::new(),
            ),
            None => (coverage(&chain, &held), None, Vec::new()),
        };
        out.push(ControlResult {
            control: leaf.id.clone(),
            outcome,
            statement_on,
            evidence,
        });
    }
    out
}

/// The best coverage any held certification gives a unit, looking up its ancestry.
fn coverage(chain: &[&CatalogEntry], held: &[(&Scheme, &Crosswalk)]) -> ControlOutcome {
    let mut partly = None;
    for (scheme, x) in held {
        for e in chain {
            if let Some(entry) = x.entries.iter().find(|xe| xe.from == e.id) {
                if entry.relation.covers_fully() {
                    return ControlOutcome::Covered {
                        scheme: scheme.id.clone(),
                        crosswalk: x.id.clone(),
                        relation: entry.relation,
                        via: e.id.clone(),
                    };
                }
                if partly.is_none() {
                    partly = Some(ControlOutcome::PartlyCovered {
                        scheme: scheme.id.clone(),
                        crosswalk: x.id.clone(),
                        relation: entry.relation,
                        via: e.id.clone(),
                    });
                }
                break;
            }
        }
    }
    partly.unwrap_or(ControlOutcome::EvidenceNeeded)
}

// ---- scan evidence --------------------------------------------------------------------------

/// What one configuration-scan result says about the controls it evidences.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EvidenceStatus {
    Pass,
    Fail,
    /// The input could not tell (a value known only after apply, a region not in the table).
    Unknown,
    /// Advisory (a policy's `warn`): noted, never changes an outcome.
    Warn,
}

impl EvidenceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceStatus::Pass => "pass",
            EvidenceStatus::Fail => "fail",
            EvidenceStatus::Unknown => "unknown",
            EvidenceStatus::Warn => "warn",
        }
    }
}

/// One result of a configuration scan (`kcvs scan --format json`), as the engine needs it: the
/// caller converts. `count` is how many results it stands for: 1 for a finding, the number of
/// passes for a summary row whose passes were not listed (then `address` is `*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanEvidence {
    /// A built-in check (`residency`) or a policy package (`rego:kcvs.kms_cmk`).
    pub check: String,
    pub address: String,
    pub status: EvidenceStatus,
    /// The controls it evidences, as (catalog, control).
    pub controls: Vec<(CatalogId, ControlId)>,
    /// For unknown results: what settles them.
    pub settle: Option<String>,
    pub count: usize,
}

impl ScanEvidence {
    /// `scan:<check>@<address>`, the line this result adds to a control's evidence.
    pub fn line(&self) -> String {
        let mut s = format!("scan:{}@{}", self.check, self.address);
        if self.count != 1 {
            s.push_str(&format!(" ×{}", self.count));
        }
        if self.status != EvidenceStatus::Pass {
            s.push_str(&format!(" ({})", self.status.as_str()));
        }
        s
    }
}

/// How scan evidence changed (or, against a provider statement, did not change) one control.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvidenceFold {
    pub control: ControlId,
    pub before: ControlOutcome,
    pub after: ControlOutcome,
    /// Results counted (a summary row counts its passes).
    pub pass: usize,
    pub fail: usize,
    pub unknown: usize,
    pub warn: usize,
    /// The provider states the control not implemented (or planned); the statement stands.
    pub statement_wins: bool,
    /// What settles the unknown results, each once.
    pub settle: Vec<String>,
}

/// An assessment with scan evidence folded into its control results.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvidencedAssessment {
    pub assessment: Assessment,
    /// One per control some evidence spoke to, in catalog order.
    pub folds: Vec<EvidenceFold>,
}

/// At most this many `scan:` lines are added to one control's evidence; the rest are counted.
pub const EVIDENCE_LINES_PER_CONTROL: usize = 10;

/// [`assess`], then fold configuration-scan results into the control results.
///
/// Evidence for a control also speaks to the leaves under it (as a provider statement does).
/// Per leaf, over the results that speak to it: any fail → not met; else any unknown → evidence
/// needed (with what settles it); else passes → met. Warnings are counted and never change an
/// outcome. A provider statement of not-implemented or planned still wins (`statement_wins`);
/// a control outside the service type (zero items) stays not applicable. Evidence naming another
/// catalog than the regime's is ignored.
pub fn assess_with_evidence(
    d: &Decider,
    regime: &Regime,
    tier: TierRank,
    service: &ServiceProfile,
    evidence: &[ScanEvidence],
) -> EvidencedAssessment {
    let mut assessment = assess(d, regime, tier, service);
    let folds = match regime.catalog.as_ref().and_then(|c| d.rules.catalog(c)) {
        Some(catalog) => fold_evidence(&mut assessment, catalog, service, evidence),
        None => Vec::new(),
    };
    EvidencedAssessment { assessment, folds }
}

/// Fold scan results into an assessment's control results (see [`assess_with_evidence`]) and
/// bring its summary and `controls_to_fix` up to date.
pub fn fold_evidence(
    a: &mut Assessment,
    catalog: &Catalog,
    service: &ServiceProfile,
    evidence: &[ScanEvidence],
) -> Vec<EvidenceFold> {
    let mut folds = Vec::new();
    for c in &mut a.controls {
        if matches!(c.outcome, ControlOutcome::NotApplicable { declared: false }) {
            continue;
        }
        let chain = catalog.ancestry(&c.control);
        let speaks: Vec<&ScanEvidence> = evidence
            .iter()
            .filter(|e| {
                e.controls
                    .iter()
                    .any(|(cat, id)| *cat == catalog.id && chain.iter().any(|x| &x.id == id))
            })
            .collect();
        if speaks.is_empty() {
            continue;
        }
        let count = |s: EvidenceStatus| {
            speaks
                .iter()
                .filter(|e| e.status == s)
                .map(|e| e.count)
                .sum::<usize>()
        };
        let (pass, fail, unknown, warn) = (
            count(EvidenceStatus::Pass),
            count(EvidenceStatus::Fail),
            count(EvidenceStatus::Unknown),
            count(EvidenceStatus::Warn),
        );
        let mut settle: Vec<String> = Vec::new();
        for e in &speaks {
            if e.status == EvidenceStatus::Unknown
                && let Some(s) = &e.settle
                && !settle.contains(s)
            {
                settle.push(s.clone());
            }
        }
        let statement_wins = chain
            .iter()
            .find_map(|e| service.controls.get(&e.id))
            .is_some_and(|s| {
                matches!(
                    s.status,
                    ControlStatus::NotImplemented | ControlStatus::Planned
                )
            });
        let before = c.outcome.clone();
        let scanned = if fail > 0 {
            Some(ControlOutcome::NotMet {
                partial: false,
                planned: false,
            })
        } else if unknown > 0 {
            Some(ControlOutcome::EvidenceNeeded)
        } else if pass > 0 {
            Some(ControlOutcome::Met)
        } else {
            None // warnings only
        };
        if !statement_wins && let Some(o) = scanned {
            c.outcome = o;
        }
        // Failing and unknown results first: they are what a reader acts on.
        let mut ordered = speaks.clone();
        ordered.sort_by_key(|e| match e.status {
            EvidenceStatus::Fail => 0,
            EvidenceStatus::Unknown => 1,
            EvidenceStatus::Warn => 2,
            EvidenceStatus::Pass => 3,
        });
        let mut lines: Vec<String> = Vec::new();
        for e in &ordered {
            let l = e.line();
            if !lines.contains(&l) {
                lines.push(l);
            }
        }
        let more = lines.len().saturating_sub(EVIDENCE_LINES_PER_CONTROL);
        lines.truncate(EVIDENCE_LINES_PER_CONTROL);
        if more > 0 {
            lines.push(format!("scan: {more} more"));
        }
        c.evidence.extend(lines);
        folds.push(EvidenceFold {
            control: c.control.clone(),
            after: c.outcome.clone(),
            before,
            pass,
            fail,
            unknown,
            warn,
            statement_wins,
            settle,
        });
    }
    for key in [
        "met",
        "not-met",
        "not-applicable",
        "evidence-needed",
        "covered",
        "partly-covered",
    ] {
        a.summary.insert(key, 0);
    }
    for c in &a.controls {
        *a.summary.entry(c.outcome.key()).or_default() += 1;
    }
    a.controls_to_fix = a
        .controls
        .iter()
        .filter(|c| matches!(c.outcome, ControlOutcome::NotMet { .. }))
        .map(|c| c.control.clone())
        .collect();
    folds
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod evidence_tests {
    use super::*;
    use crate::ServiceIndex;

    fn ev(check: &str, address: &str, status: EvidenceStatus, ids: &[&str]) -> ScanEvidence {
        ScanEvidence {
            check: check.to_owned(),
            address: address.to_owned(),
            status,
            controls: ids
                .iter()
                .map(|id| (CatalogId::new("csap"), ControlId::new(*id)))
                .collect(),
            settle: (status == EvidenceStatus::Unknown).then(|| "the applied state".to_owned()),
            count: 1,
        }
    }

    fn outcome<'a>(a: &'a Assessment, id: &str) -> &'a ControlOutcome {
        &a.controls
            .iter()
            .find(|c| c.control.as_str() == id)
            .unwrap()
            .outcome
    }

    #[test]
    fn scan_results_decide_controls_and_statements_of_not_implemented_win() {
        let rules = kcvs_content::load(&kcvs_content::builtin_files()).unwrap();
        let assumptions = AssumptionSet::from_defaults(&rules.assumptions);
        let service = kcvs_content::parse_service(
            "s.yaml",
            "id: s\nname: s\nprovider: {name: p, headquarters: KR}\nmodel: iaas\n\
             separation: physical\ndata_locations: [KR]\n\
             controls:\n  \"12.3\": {status: not-implemented}\n",
        )
        .unwrap();
        let index = ServiceIndex::new(std::iter::once(&service));
        let d = Decider::new(&rules, &assumptions, "2026-11-23".parse().unwrap(), &index);
        let regime = rules.regime(&RegimeId::new("csap-2023")).unwrap();
        let tier = regime.tier_rank("medium").unwrap();
        let plain = assess(&d, regime, tier, &service);
        assert_eq!(outcome(&plain, "11"), &ControlOutcome::EvidenceNeeded);

        let evidence = [
            // Control 11: one pass, one fail → not met.
            ev(
                "public-exposure",
                "aws_s3_bucket.a",
                EvidenceStatus::Pass,
                &["11"],
            ),
            ev(
                "public-exposure",
                "aws_security_group.w",
                EvidenceStatus::Fail,
                &["11"],
            ),
            // 10.1 is a group: its leaves 10.1.a and 10.1.b take the passes → met.
            ev(
                "audit-logging",
                "aws_cloudtrail.main",
                EvidenceStatus::Pass,
                &["10.1"],
            ),
            ev(
                "audit-logging",
                "aws_cloudtrail.main",
                EvidenceStatus::Warn,
                &["10.1"],
            ),
            // L.1 is high-only; 6.1: pass and unknown → evidence needed.
            ev("replica-location", "a", EvidenceStatus::Pass, &["6.1"]),
            ev("replica-location", "b", EvidenceStatus::Unknown, &["6.1"]),
            // 12.3 fails, but the provider says not implemented: the statement stands.
            ev("encryption-at-rest", "v", EvidenceStatus::Fail, &["12.3"]),
            // Another catalog: ignored.
            ScanEvidence {
                controls: vec![(CatalogId::new("n2sf"), ControlId::new("13.1"))],
                ..ev("x", "y", EvidenceStatus::Fail, &[])
            },
        ];
        let e = assess_with_evidence(&d, regime, tier, &service, &evidence);
        let a = &e.assessment;
        assert!(matches!(outcome(a, "11"), ControlOutcome::NotMet { .. }));
        assert!(a.controls_to_fix.iter().any(|c| c.as_str() == "11"));
        assert_eq!(outcome(a, "10.1.b"), &ControlOutcome::Met);
        assert_eq!(outcome(a, "10.1.a"), &ControlOutcome::Met);
        assert_eq!(outcome(a, "6.1"), &ControlOutcome::EvidenceNeeded);
        assert_eq!(outcome(a, "13.1"), outcome(&plain, "13.1"));
        assert!(matches!(
            outcome(a, "12.3"),
            ControlOutcome::NotMet {
                partial: false,
                planned: false
            }
        ));
        let f = e
            .folds
            .iter()
            .find(|f| f.control.as_str() == "12.3")
            .unwrap();
        assert!(f.statement_wins && f.fail == 1);
        let f = e
            .folds
            .iter()
            .find(|f| f.control.as_str() == "6.1")
            .unwrap();
        assert_eq!((f.pass, f.unknown), (1, 1));
        assert_eq!(f.settle, vec!["the applied state".to_owned()]);
        let f = e
            .folds
            .iter()
            .find(|f| f.control.as_str() == "10.1.b")
            .unwrap();
        assert_eq!((f.pass, f.warn), (1, 1));
        let c11 = a
            .controls
            .iter()
            .find(|c| c.control.as_str() == "11")
            .unwrap();
        assert_eq!(
            c11.evidence,
            vec![
                "scan:public-exposure@aws_security_group.w (fail)".to_owned(),
                "scan:public-exposure@aws_s3_bucket.a".to_owned(),
            ]
        );
        // The summary counts the folded outcomes.
        assert_eq!(a.summary["met"], plain.summary["met"] + 2);
        assert_eq!(a.summary.values().take(6).sum::<usize>(), a.controls.len());
    }
}
