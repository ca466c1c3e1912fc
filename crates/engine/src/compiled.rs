//! Compiled decisions: a regime, a system and a service reduced to bit sets on a date, so that an
//! eligibility verdict is a table lookup and three mask tests.
//!
//! Compilation does all the work that depends on only one side: the regime's tier table over all
//! 2^14 data-category sets and its per-tier requirement masks; a system's tier and the mask of
//! requirements it needs per service model (overlays included); a service's accepted tier and
//! its met / not-met / unknown masks. `decide` then joins the two. Its verdict equals
//! [`crate::eligibility`]'s for every input; a property test holds them to that.

use kcvs_model::*;

use crate::Decider;
use crate::certificates::accepted_tier;
use crate::classify::{classify, rules_tier, trigger_matches, trigger_model_matches};
use crate::eligibility::Verdict;
use crate::requirements::{Check, check_kind};

const MODELS: usize = 4;

fn model_index(m: ServiceModel) -> usize {
    match m {
        ServiceModel::Iaas => 0,
        ServiceModel::Paas => 1,
        ServiceModel::Saas => 2,
        ServiceModel::Daas => 3,
    }
}

const ALL_MODELS: [ServiceModel; MODELS] = [
    ServiceModel::Iaas,
    ServiceModel::Paas,
    ServiceModel::Saas,
    ServiceModel::Daas,
];

struct CompiledOverlay {
    trigger: Trigger,
    bit: u32,
}

/// One regime on one date under one set of assumptions.
pub struct CompiledRegime<'r> {
    pub regime: &'r Regime,
    /// The rules' tier of every data-category set, indexed by the set's bits.
    tier_of: Box<[u8]>,
    /// Requirement kinds that bind each tier.
    tier_required: Vec<u32>,
    overlays: Vec<CompiledOverlay>,
}

/// A system as one regime sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CompiledSystem {
    pub tier: u8,
    /// Requirement kinds the system needs met, by service model.
    pub needed: [u32; MODELS],
    /// The system states a PIPA Art. 28-8 ground, which settles the transfer requirement.
    pub has_ground: bool,
}

/// A service as one regime sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CompiledService {
    model: u8,
    /// Accepted tier plus one; zero when no certificate counts.
    cert_tier_plus_one: u8,
    pub not_met: u32,
    pub unknown: u32,
}

impl<'r> CompiledRegime<'r> {
    pub fn new(d: &Decider, regime: &'r Regime) -> Self {
        let tier_of: Box<[u8]> = (0..DataSet::SPACE)
            .map(|bits| rules_tier(regime, DataSet::from_bits(bits as u16)).0)
            .collect();
        let tier_required = (0..regime.tiers.len())
            .map(|t| {
                let rank = TierRank(u8::try_from(t).unwrap_or(u8::MAX));
                regime
                    .requirements
                    .iter()
                    .filter(|r| r.tiers.contains(rank) && d.requirement_active(r))
                    .fold(0u32, |m, r| m | r.kind.bit())
            })
            .collect();
        let overlays = d
            .rules
            .overlays()
            .filter(|o| d.in_force(o))
            .flat_map(|o| o.requirements.iter())
            .filter(|r| d.requirement_active(r))
            .filter_map(|r| {
                r.trigger.as_ref().map(|t| CompiledOverlay {
                    trigger: t.clone(),
                    bit: r.kind.bit(),
                })
            })
            .collect();
        Self {
            regime,
            tier_of,
            tier_required,
            overlays,
        }
    }

    /// A system from its class alone (no institution override).
    pub fn system_class(&self, data: DataSet, financial: bool, has_ground: bool) -> CompiledSystem {
        let tier = self.tier_of[usize::from(data.bits())];
        self.system_at(tier, data, financial, has_ground)
    }

    fn system_at(
        &self,
        tier: u8,
        data: DataSet,
        financial: bool,
        has_ground: bool,
    ) -> CompiledSystem {
        let base = self
            .tier_required
            .get(usize::from(tier))
            .copied()
            .unwrap_or(0);
        let mut needed = [base; MODELS];
        for o in &self.overlays {
            if trigger_matches(&o.trigger, data, financial) {
                for (i, m) in ALL_MODELS.iter().enumerate() {
                    if trigger_model_matches(&o.trigger, *m) {
                        needed[i] |= o.bit;
                    }
                }
            }
        }
        CompiledSystem {
            tier,
            needed,
            has_ground,
        }
    }

    /// A system profile, institution overrides honoured as `classify` honours them.
    pub fn system(&self, system: &SystemProfile) -> CompiledSystem {
        let tier = if system.overrides.is_empty() {
            self.tier_of[usize::from(system.data.bits())]
        } else {
            classify(self.regime, system).tier.0
        };
        self.system_at(
            tier,
            system.data,
            system.is_financial(),
            system.transfer_ground.is_some(),
        )
    }

    pub fn service(&self, d: &Decider, service: &ServiceProfile) -> CompiledService {
        let mut not_met = 0;
        let mut unknown = 0;
        for kind in RequirementKind::ALL {
            match check_kind(d, *kind, service, None, Some(self.regime)).0 {
                Check::Met => {}
                Check::NotMet => not_met |= kind.bit(),
                Check::Unknown => unknown |= kind.bit(),
            }
        }
        let cert_tier_plus_one = accepted_tier(d, self.regime, service, 0).map_or(0, |t| t.0 + 1);
        CompiledService {
            model: model_index(service.model) as u8,
            cert_tier_plus_one,
            not_met,
            unknown,
        }
    }
}

/// The verdict, from compiled sides. Equal to `eligibility(..).verdict`.
#[inline]
pub fn decide(system: &CompiledSystem, service: &CompiledService) -> Verdict {
    let mut needed = system.needed[usize::from(service.model) & (MODELS - 1)];
    if system.has_ground {
        needed &= !RequirementKind::TransferGround.bit();
    }
    if service.cert_tier_plus_one <= system.tier || needed & service.not_met != 0 {
        Verdict::NotEligible
    } else if needed & service.unknown != 0 {
        Verdict::EvidenceNeeded
    } else {
        Verdict::Eligible
    }
}

/// The requirement kinds that block, from compiled sides (for grouping diff results).
pub fn blocking(system: &CompiledSystem, service: &CompiledService) -> (bool, u32) {
    let mut needed = system.needed[usize::from(service.model) & (MODELS - 1)];
    if system.has_ground {
        needed &= !RequirementKind::TransferGround.bit();
    }
    (
        service.cert_tier_plus_one <= system.tier,
        needed & service.not_met,
    )
}
