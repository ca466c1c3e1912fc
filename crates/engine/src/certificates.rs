//! Which of a service's certificates a regime accepts on a date, and at what tier.
//!
//! Grandfathering and expiry come from dates alone: a certificate counts if it is active, the
//! date falls inside its validity, it was issued inside the acceptance rule's window (a CSAP
//! certificate issued after the NIS verification took over does not count), and its tier maps
//! into the regime. A SaaS or PaaS counts no higher than the IaaS it runs on.

use kcvs_model::*;

use crate::Decider;

/// Why one certificate does not count under one acceptance rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertProblem {
    Revoked,
    Withdrawn,
    NotYetValid {
        issued: Date,
    },
    Expired {
        expired: Date,
    },
    /// Issued after the scheme stopped issuing for this regime (or before the window opened).
    IssuedOutsideWindow {
        issued: Date,
        from: Option<Date>,
        before: Option<Date>,
    },
    /// The regime has no mapping for this certificate's level.
    LevelNotMapped {
        level: Option<String>,
    },
    /// No acceptance rule of the regime names this certificate's scheme.
    SchemeNotAccepted,
}

/// A certificate that counts, and the tier it counts at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcceptedCert {
    pub scheme: SchemeId,
    pub number: Option<String>,
    pub level: Option<String>,
    pub rule: RuleId,
    /// The tier the certificate maps to before any cap.
    pub mapped: TierRank,
    /// The tier it counts at: capped by the rule's ceiling and by the IaaS host's tier.
    pub tier: TierRank,
    pub grandfathered: bool,
    pub expires: Date,
    /// Set when the host's tier lowered it.
    pub capped_by_host: Option<(ServiceId, TierRank)>,
    pub capped_by_rule: Option<TierRank>,
}

/// The verdict on every certificate a service holds.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct CertReview {
    pub accepted: Vec<AcceptedCert>,
    /// Certificates that do not count, with the problem of the closest rule.
    pub rejected: Vec<(Certificate, CertProblem)>,
}

impl CertReview {
    pub fn best(&self) -> Option<&AcceptedCert> {
        self.accepted.iter().max_by_key(|c| c.tier)
    }
}

/// Maximum depth of `runs_on` chains followed; protects against a cycle in user profiles.
const HOST_DEPTH: u8 = 4;

/// The tier a certificate's level maps to under a rule, if any.
fn map_level(d: &Decider, rule: &AcceptanceRule, cert: &Certificate) -> Option<TierRank> {
    let level: Option<String> = match (&cert.tier, &rule.untiered_assumption) {
        (None, Some(a)) if cert.service_type == Some(ServiceType::SaasSimplified) => {
            d.assumptions.choice(a).map(str::to_owned)
        }
        (t, _) => t.clone(),
    };
    rule.tier_map
        .iter()
        .find(|(from, _)| from == &level)
        .map(|(_, to)| *to)
}

/// Judge one certificate against one rule.
fn judge(d: &Decider, rule: &AcceptanceRule, cert: &Certificate) -> Result<TierRank, CertProblem> {
    match cert.status {
        CertificateStatus::Revoked => return Err(CertProblem::Revoked),
        CertificateStatus::Withdrawn => return Err(CertProblem::Withdrawn),
        CertificateStatus::Active => {}
    }
    let mapped = map_level(d, rule, cert).ok_or_else(|| CertProblem::LevelNotMapped {
        level: cert.tier.clone(),
    })?;
    let from = rule.issued_from.as_ref().and_then(|x| d.date(x));
    let before = rule.issued_before.as_ref().and_then(|x| d.date(x));
    let inside = from.is_none_or(|f| f <= cert.issued) && before.is_none_or(|b| cert.issued < b);
    if !inside {
        return Err(CertProblem::IssuedOutsideWindow {
            issued: cert.issued,
            from,
            before,
        });
    }
    if d.as_of < cert.issued {
        return Err(CertProblem::NotYetValid {
            issued: cert.issued,
        });
    }
    if d.as_of > cert.expires {
        return Err(CertProblem::Expired {
            expired: cert.expires,
        });
    }
    Ok(mapped)
}

/// How bad a problem is, to report the closest miss when several rules reject one certificate.
fn closeness(p: &CertProblem) -> u8 {
    match p {
        CertProblem::SchemeNotAccepted => 0,
        CertProblem::LevelNotMapped { .. } => 1,
        CertProblem::IssuedOutsideWindow { .. } => 2,
        CertProblem::Revoked | CertProblem::Withdrawn => 3,
        CertProblem::NotYetValid { .. } | CertProblem::Expired { .. } => 4,
    }
}

pub fn review_certificates(d: &Decider, regime: &Regime, service: &ServiceProfile) -> CertReview {
    review_at_depth(d, regime, service, 0)
}

fn review_at_depth(
    d: &Decider,
    regime: &Regime,
    service: &ServiceProfile,
    depth: u8,
) -> CertReview {
    let host_tier = if service.model.runs_on_iaas() && depth < HOST_DEPTH {
        service
            .runs_on
            .as_ref()
            .and_then(|h| d.services.get(h))
            .map(|h| (h.id.clone(), accepted_tier(d, regime, h, depth + 1)))
    } else {
        None
    };
    let mut review = CertReview::default();
    for cert in &service.certifications {
        let mut best: Option<AcceptedCert> = None;
        let mut problem: Option<CertProblem> = None;
        for rule in regime.acceptance.iter().filter(|r| r.scheme == cert.scheme) {
            match judge(d, rule, cert) {
                Ok(mapped) => {
                    let mut tier = mapped;
                    let mut capped_by_rule = None;
                    if let Some(max) = rule.max_tier
                        && tier > max
                    {
                        tier = max;
                        capped_by_rule = Some(max);
                    }
                    let mut capped_by_host = None;
                    if let Some((host, Some(ht))) = &host_tier
                        && tier > *ht
                    {
                        tier = *ht;
                        capped_by_host = Some((host.clone(), *ht));
                    }
                    let candidate = AcceptedCert {
                        scheme: cert.scheme.clone(),
                        number: cert.number.clone(),
                        level: cert.tier.clone(),
                        rule: rule.id.clone(),
                        mapped,
                        tier,
                        grandfathered: rule.grandfathered,
                        expires: cert.expires,
                        capped_by_host,
                        capped_by_rule,
                    };
                    if best.as_ref().is_none_or(|b| candidate.tier > b.tier) {
                        best = Some(candidate);
                    }
                }
                Err(p) => {
                    if problem
                        .as_ref()
                        .is_none_or(|q| closeness(&p) > closeness(q))
                    {
                        problem = Some(p);
                    }
                }
            }
        }
        match best {
            Some(b) => review.accepted.push(b),
            None => review.rejected.push((
                cert.clone(),
                problem.unwrap_or(CertProblem::SchemeNotAccepted),
            )),
        }
    }
    review
}

/// The best tier a service's certificates count at under a regime (host cap included).
pub fn accepted_tier(
    d: &Decider,
    regime: &Regime,
    service: &ServiceProfile,
    depth: u8,
) -> Option<TierRank> {
    review_at_depth(d, regime, service, depth)
        .best()
        .map(|c| c.tier)
}
