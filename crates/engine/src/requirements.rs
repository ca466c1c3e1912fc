//! The categorical requirements: one predicate per [`RequirementKind`], three-valued.
//!
//! A profile that does not state something gives `Unknown` (evidence needed), never `Met`. A
//! location that the region table does not know is unknown, never Korea.

use kcvs_model::*;

use crate::Decider;
use crate::certificates::accepted_tier;

/// The three answers a requirement can get.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Check {
    Met,
    NotMet,
    /// The profile does not say enough; evidence would settle it.
    Unknown,
}

/// Which list of locations a finding is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LocationField {
    Data,
    Management,
    Backups,
    Personnel,
}

/// Why a requirement got its answer, as data; reports word it in either language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    AllInKorea(LocationField),
    Abroad(LocationField, Vec<Location>),
    UnknownLocations(LocationField, Vec<Location>),
    NoLocations(LocationField),
    Separation(Separation),
    SeparationNotStated,
    /// A government-only zone stands as evidence of physical separation.
    GovernmentZone(Location),
    KcmvpModule {
        algorithms: Vec<Algorithm>,
    },
    NoKcmvpModule,
    NoAcceptedAlgorithm {
        stated: Vec<Algorithm>,
        accepted: Vec<Algorithm>,
    },
    Attribute {
        stated: Option<bool>,
    },
    NotSaasOrPaas,
    NoHostStated,
    HostNotFound(ServiceId),
    HostCertified {
        host: ServiceId,
        tier: TierRank,
    },
    HostNotCertified(ServiceId),
    GroundStated(TransferGround),
    NoGroundForAbroad(Vec<Location>),
    NoGroundLocationsUnknown,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequirementResult {
    /// The regime or overlay the rule belongs to.
    pub regime: RegimeId,
    pub rule: RuleId,
    pub kind: RequirementKind,
    pub check: Check,
    pub reasons: Vec<Reason>,
}

fn locations(service: &ServiceProfile, field: LocationField) -> &[Location] {
    match field {
        LocationField::Data => &service.data_locations,
        LocationField::Management => &service.management_locations,
        LocationField::Backups => &service.backup_locations,
        LocationField::Personnel => &service.personnel_locations,
    }
}

/// All listed locations resolve to Korea: met; any abroad: not met; otherwise unknown.
pub fn locations_in_korea(
    rules: &RuleSet,
    service: &ServiceProfile,
    field: LocationField,
) -> (Check, Reason) {
    let list = locations(service, field);
    if list.is_empty() {
        return (Check::Unknown, Reason::NoLocations(field));
    }
    let mut abroad = Vec::new();
    let mut unknown = Vec::new();
    for l in list {
        match rules.regions.resolve(l) {
            Resolved::Korea => {}
            Resolved::Abroad(_) => abroad.push(l.clone()),
            Resolved::Unknown => unknown.push(l.clone()),
        }
    }
    if !abroad.is_empty() {
        (Check::NotMet, Reason::Abroad(field, abroad))
    } else if !unknown.is_empty() {
        (Check::Unknown, Reason::UnknownLocations(field, unknown))
    } else {
        (Check::Met, Reason::AllInKorea(field))
    }
}

fn attribute(stated: Option<bool>, wanted: bool) -> (Check, Reason) {
    let check = match stated {
        Some(v) if v == wanted => Check::Met,
        Some(_) => Check::NotMet,
        None => Check::Unknown,
    };
    (check, Reason::Attribute { stated })
}

/// Evaluate one requirement kind for a service. `system` matters only for the transfer ground,
/// `regime` only for the certified-IaaS rule (the host must be accepted under the same regime).
pub fn check_kind(
    d: &Decider,
    kind: RequirementKind,
    service: &ServiceProfile,
    system: Option<&SystemProfile>,
    regime: Option<&Regime>,
) -> (Check, Vec<Reason>) {
    let one = |(c, r): (Check, Reason)| (c, vec![r]);
    match kind {
        RequirementKind::DataInKorea => {
            one(locations_in_korea(d.rules, service, LocationField::Data))
        }
        RequirementKind::ManagementInKorea => one(locations_in_korea(
            d.rules,
            service,
            LocationField::Management,
        )),
        RequirementKind::BackupsInKorea => {
            one(locations_in_korea(d.rules, service, LocationField::Backups))
        }
        RequirementKind::PersonnelInKorea => one(locations_in_korea(
            d.rules,
            service,
            LocationField::Personnel,
        )),
        RequirementKind::PhysicalSeparation => physical_separation(d.rules, service),
        RequirementKind::KoreanCrypto => korean_crypto(d, service),
        RequirementKind::CcCertifiedProducts => one(attribute(service.cc_certified_products, true)),
        RequirementKind::DoubleEncryption => one(attribute(service.double_encryption, true)),
        RequirementKind::NoForeignAccess => one(attribute(service.foreign_access, false)),
        RequirementKind::FsiPrescreened => one(attribute(service.fsi_prescreened, true)),
        RequirementKind::CertifiedIaas => certified_iaas(d, service, regime),
        RequirementKind::TransferGround => transfer_ground(d.rules, service, system),
    }
}

fn physical_separation(rules: &RuleSet, service: &ServiceProfile) -> (Check, Vec<Reason>) {
    match service.separation {
        Some(Separation::Physical) => (Check::Met, vec![Reason::Separation(Separation::Physical)]),
        other => {
            // Data held only in government-only zones is evidence of physical separation.
            let gov_zone = !service.data_locations.is_empty()
                && service.data_locations.iter().all(|l| match l {
                    Location::Region { provider, region } => rules
                        .regions
                        .get(provider, region)
                        .is_some_and(|r| r.government_zone),
                    Location::Country(_) => false,
                });
            if gov_zone {
                let first = service.data_locations[0].clone();
                return (Check::Met, vec![Reason::GovernmentZone(first)]);
            }
            match other {
                Some(s) => (Check::NotMet, vec![Reason::Separation(s)]),
                None => (Check::Unknown, vec![Reason::SeparationNotStated]),
            }
        }
    }
}

fn korean_crypto(d: &Decider, service: &ServiceProfile) -> (Check, Vec<Reason>) {
    let has_module = service.validated_modules.contains(&ModuleProgram::Kcmvp);
    if !has_module {
        return if service.validated_modules.is_empty() && service.algorithms.is_empty() {
            (Check::Unknown, vec![Reason::NoKcmvpModule])
        } else {
            (Check::NotMet, vec![Reason::NoKcmvpModule])
        };
    }
    let accepted = d.kcmvp_algorithms();
    let used: Vec<Algorithm> = service
        .algorithms
        .iter()
        .copied()
        .filter(|a| accepted.contains(a))
        .collect();
    if used.is_empty() {
        let check = if service.algorithms.is_empty() {
            Check::Unknown
        } else {
            Check::NotMet
        };
        (
            check,
            vec![Reason::NoAcceptedAlgorithm {
                stated: service.algorithms.clone(),
                accepted,
            }],
        )
    } else {
        (Check::Met, vec![Reason::KcmvpModule { algorithms: used }])
    }
}

fn certified_iaas(
    d: &Decider,
    service: &ServiceProfile,
    regime: Option<&Regime>,
) -> (Check, Vec<Reason>) {
    if !service.model.runs_on_iaas() {
        return (Check::Met, vec![Reason::NotSaasOrPaas]);
    }
    let Some(host_id) = &service.runs_on else {
        return (Check::Unknown, vec![Reason::NoHostStated]);
    };
    let Some(host) = d.services.get(host_id) else {
        return (Check::Unknown, vec![Reason::HostNotFound(host_id.clone())]);
    };
    let tier = regime.and_then(|r| accepted_tier(d, r, host, 0));
    match tier {
        Some(tier) => (
            Check::Met,
            vec![Reason::HostCertified {
                host: host_id.clone(),
                tier,
            }],
        ),
        None => (
            Check::NotMet,
            vec![Reason::HostNotCertified(host_id.clone())],
        ),
    }
}

fn transfer_ground(
    rules: &RuleSet,
    service: &ServiceProfile,
    system: Option<&SystemProfile>,
) -> (Check, Vec<Reason>) {
    if let Some(g) = system.and_then(|s| s.transfer_ground) {
        return (Check::Met, vec![Reason::GroundStated(g)]);
    }
    let mut abroad = Vec::new();
    let mut unsure = false;
    for field in [
        LocationField::Data,
        LocationField::Management,
        LocationField::Backups,
    ] {
        match locations_in_korea(rules, service, field) {
            (Check::NotMet, Reason::Abroad(_, l)) => abroad.extend(l),
            (Check::Met, _) => {}
            _ => unsure = true,
        }
    }
    if !abroad.is_empty() {
        (Check::NotMet, vec![Reason::NoGroundForAbroad(abroad)])
    } else if unsure {
        (Check::Unknown, vec![Reason::NoGroundLocationsUnknown])
    } else {
        (Check::Met, vec![Reason::AllInKorea(LocationField::Data)])
    }
}

/// The requirements that bind a system of `tier` under `regime` on the date, plus every overlay
/// rule the system triggers for this service's model, each evaluated against the service.
pub fn evaluate_requirements(
    d: &Decider,
    regime: &Regime,
    tier: TierRank,
    system: Option<&SystemProfile>,
    service: &ServiceProfile,
) -> Vec<RequirementResult> {
    let mut out = Vec::new();
    for r in &regime.requirements {
        if r.tiers.contains(tier) && d.requirement_active(r) {
            let (check, reasons) = check_kind(d, r.kind, service, system, Some(regime));
            out.push(RequirementResult {
                regime: regime.id.clone(),
                rule: r.id.clone(),
                kind: r.kind,
                check,
                reasons,
            });
        }
    }
    if let Some(system) = system {
        for overlay in d.rules.overlays() {
            if !d.in_force(overlay) {
                continue;
            }
            for r in &overlay.requirements {
                let Some(trigger) = &r.trigger else { continue };
                if d.requirement_active(r)
                    && crate::classify::overlay_triggered(trigger, system)
                    && crate::classify::trigger_model_matches(trigger, service.model)
                {
                    let (check, reasons) =
                        check_kind(d, r.kind, service, Some(system), Some(regime));
                    out.push(RequirementResult {
                        regime: overlay.id.clone(),
                        rule: r.id.clone(),
                        kind: r.kind,
                        check,
                        reasons,
                    });
                }
            }
        }
    }
    out
}

/// The overlay rules a system triggers whatever the service (for `classify`).
pub fn triggered_overlays<'r>(
    d: &Decider<'r>,
    system: &SystemProfile,
) -> Vec<(&'r Regime, &'r Requirement)> {
    let mut out = Vec::new();
    for overlay in d.rules.overlays() {
        if !d.in_force(overlay) {
            continue;
        }
        for r in &overlay.requirements {
            if let Some(trigger) = &r.trigger
                && d.requirement_active(r)
                && crate::classify::overlay_triggered(trigger, system)
            {
                out.push((overlay, r));
            }
        }
    }
    out
}
