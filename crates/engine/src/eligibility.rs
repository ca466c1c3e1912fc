//! Eligibility: may this service host this system under this regime on this date?

use kcvs_model::*;

use crate::Decider;
use crate::certificates::{AcceptedCert, CertProblem, CertReview, review_certificates};
use crate::classify::{Classification, classify};
use crate::requirements::{Check, RequirementResult, evaluate_requirements};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    Eligible,
    /// No blocker found, but some requirement needs evidence the profile does not give.
    EvidenceNeeded,
    NotEligible,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Eligible => "eligible",
            Verdict::EvidenceNeeded => "evidence-needed",
            Verdict::NotEligible => "not-eligible",
        }
    }
}

/// One thing that stands between the service and the system.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Blocker {
    /// The service holds no certificate the regime accepts at any tier.
    NoCertificate,
    /// A certificate that would count but for this problem.
    Certificate {
        cert: Box<Certificate>,
        problem: CertProblem,
    },
    /// The best accepted certificate is below the system's tier.
    TierTooLow {
        held: Box<AcceptedCert>,
        needed: TierRank,
    },
    /// A categorical requirement of the regime or of a sector overlay.
    Requirement(RequirementResult),
}

impl Blocker {
    /// The rule a report cites for this blocker.
    pub fn rule(&self, regime: &Regime) -> RuleId {
        match self {
            Blocker::NoCertificate | Blocker::Certificate { .. } => regime
                .acceptance
                .first()
                .map(|a| a.id.clone())
                .unwrap_or_else(|| RuleId::new(format!("{}.acceptance", regime.id))),
            Blocker::TierTooLow { held, .. } => held.rule.clone(),
            Blocker::Requirement(r) => r.rule.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Eligibility {
    pub regime: RegimeId,
    pub status: RegimeStatus,
    /// Whether the regime governs on the date; a decision under a regime not in force is a
    /// what-if, and reports say so.
    pub in_force: bool,
    pub classification: Classification,
    pub verdict: Verdict,
    pub certificate: Option<AcceptedCert>,
    pub blockers: Vec<Blocker>,
    /// Requirements the profile does not settle.
    pub evidence_needed: Vec<RequirementResult>,
    /// Every requirement checked, met or not.
    pub requirements: Vec<RequirementResult>,
    pub certificates: CertReview,
}

pub fn eligibility(
    d: &Decider,
    regime: &Regime,
    system: &SystemProfile,
    service: &ServiceProfile,
) -> Eligibility {
    let classification = classify(regime, system);
    let needed = classification.tier;
    let certificates = review_certificates(d, regime, service);
    let best = certificates.best().cloned();
    let mut blockers = Vec::new();
    match &best {
        Some(b) if b.tier >= needed => {}
        Some(b) => blockers.push(Blocker::TierTooLow {
            held: Box::new(b.clone()),
            needed,
        }),
        None if certificates
            .rejected
            .iter()
            .all(|(_, p)| *p == CertProblem::SchemeNotAccepted) =>
        {
            blockers.push(Blocker::NoCertificate)
        }
        None => {}
    }
    if best.as_ref().is_none_or(|b| b.tier < needed) {
        for (cert, problem) in &certificates.rejected {
            if *problem != CertProblem::SchemeNotAccepted {
                blockers.push(Blocker::Certificate {
                    cert: Box::new(cert.clone()),
                    problem: problem.clone(),
                });
            }
        }
    }
    let requirements = evaluate_requirements(d, regime, needed, Some(system), service);
    let mut evidence_needed = Vec::new();
    for r in &requirements {
        match r.check {
            Check::Met => {}
            Check::NotMet => blockers.push(Blocker::Requirement(r.clone())),
            Check::Unknown => evidence_needed.push(r.clone()),
        }
    }
    let verdict = if !blockers.is_empty() {
        Verdict::NotEligible
    } else if !evidence_needed.is_empty() {
        Verdict::EvidenceNeeded
    } else {
        Verdict::Eligible
    };
    Eligibility {
        regime: regime.id.clone(),
        status: regime.status,
        in_force: d.in_force(regime),
        classification,
        verdict,
        certificate: best,
        blockers,
        evidence_needed,
        requirements,
        certificates,
    }
}

/// Eligibility under every scheme regime, the governing one first.
pub fn eligibility_all(
    d: &Decider,
    system: &SystemProfile,
    service: &ServiceProfile,
) -> Vec<Eligibility> {
    let governing = d.governing_regime().map(|r| r.id.clone());
    let mut out: Vec<Eligibility> = d
        .rules
        .regimes
        .iter()
        .filter(|r| r.kind == RegimeKind::Scheme)
        .map(|r| eligibility(d, r, system, service))
        .collect();
    out.sort_by_key(|e| Some(&e.regime) != governing.as_ref());
    out
}
