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
