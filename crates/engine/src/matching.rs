//! Match: every service against one system, ranked.

use kcvs_model::*;

use crate::Decider;
use crate::eligibility::{Eligibility, Verdict, eligibility};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchEntry {
    pub service: ServiceId,
    pub eligibility: Eligibility,
}

/// Eligible services first, then those needing evidence, then the rest; within a group, fewer
/// blockers and fewer open questions first, then a higher accepted tier, then id.
pub fn match_services(
    d: &Decider,
    regime: &Regime,
    system: &SystemProfile,
    services: &[ServiceProfile],
) -> Vec<MatchEntry> {
    let mut out: Vec<MatchEntry> = services
        .iter()
        .map(|s| MatchEntry {
            service: s.id.clone(),
            eligibility: eligibility(d, regime, system, s),
        })
        .collect();
    out.sort_by(|a, b| {
        let key = |e: &MatchEntry| {
            let el = &e.eligibility;
            (
                verdict_rank(el.verdict),
                el.blockers.len(),
                el.evidence_needed.len(),
                std::cmp::Reverse(el.certificate.as_ref().map(|c| c.tier)),
            )
        };
        key(a).cmp(&key(b)).then_with(|| a.service.cmp(&b.service))
    });
    out
}

fn verdict_rank(v: Verdict) -> u8 {
    match v {
        Verdict::Eligible => 0,
        Verdict::EvidenceNeeded => 1,
        Verdict::NotEligible => 2,
    }
}
