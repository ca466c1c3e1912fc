//! Classification: the tier a system takes under a regime, and why.
//!
//! The tier is the highest tier of the classification rules whose categories the system holds,
//! or the regime's lowest tier when none matches. An institution may grade a system higher
//! than the rules do, and lower only where every rule that raised it allows a downgrade that far
//! (CSAP: internal administrative systems to Medium).

use kcvs_model::*;

/// What the institution's override did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OverrideOutcome {
    Raised {
        from: TierRank,
        to: TierRank,
        reason: String,
    },
    Lowered {
        from: TierRank,
        to: TierRank,
        reason: String,
        /// The rules whose downgrade clause allowed it.
        allowed_by: Vec<RuleId>,
    },
    /// The override asked for a tier below what the rules allow; the rules' tier stands.
    Refused {
        requested: TierRank,
        reason: String,
        /// The rules that forbid going that low.
        blocked_by: Vec<RuleId>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Classification {
    pub regime: RegimeId,
    /// The tier after any honoured override.
    pub tier: TierRank,
    /// The tier the rules alone give.
    pub rules_tier: TierRank,
    /// Every rule whose categories the system holds, with the categories that matched.
    pub matched: Vec<(RuleId, DataSet)>,
    pub overridden: Option<OverrideOutcome>,
}

/// The rules' tier for a set of data categories. Kept separate so the compiled table and the
/// explained path share one definition.
pub fn rules_tier(regime: &Regime, data: DataSet) -> TierRank {
    regime
        .classification
        .iter()
        .filter(|r| r.when_any.intersects(data))
        .map(|r| r.tier)
        .max()
        .unwrap_or_else(|| regime.lowest_tier())
}

pub fn classify(regime: &Regime, system: &SystemProfile) -> Classification {
    let data = system.data;
    let matched: Vec<(RuleId, DataSet)> = regime
        .classification
        .iter()
        .filter(|r| r.when_any.intersects(data))
        .map(|r| {
            (
                r.id.clone(),
                DataSet::from_bits(r.when_any.bits() & data.bits()),
            )
        })
        .collect();
    let rules_tier = rules_tier(regime, data);
    let request = system.overrides.iter().find_map(|o| {
        let applies = o.regime.as_ref().is_none_or(|r| r == &regime.id);
        if !applies {
            return None;
        }
        regime.tier_rank(&o.tier).map(|t| (t, o.reason.clone()))
    });
    let (tier, overridden) = match request {
        None => (rules_tier, None),
        Some((t, _)) if t == rules_tier => (rules_tier, None),
        Some((t, reason)) if t > rules_tier => (
            t,
            Some(OverrideOutcome::Raised {
                from: rules_tier,
                to: t,
                reason,
            }),
        ),
        Some((t, reason)) => {
            // Every rule that puts the system above `t` must allow a downgrade to `t` or lower.
            let above: Vec<&ClassificationRule> = regime
                .classification
                .iter()
                .filter(|r| r.when_any.intersects(data) && r.tier > t)
                .collect();
            let blocked_by: Vec<RuleId> = above
                .iter()
                .filter(|r| r.downgradable_to.is_none_or(|d| d > t))
                .map(|r| r.id.clone())
                .collect();
            if blocked_by.is_empty() {
                (
                    t,
                    Some(OverrideOutcome::Lowered {
                        from: rules_tier,
                        to: t,
                        reason,
                        allowed_by: above.iter().map(|r| r.id.clone()).collect(),
                    }),
                )
            } else {
                (
                    rules_tier,
                    Some(OverrideOutcome::Refused {
                        requested: t,
                        reason,
                        blocked_by,
                    }),
                )
            }
        }
    };
    Classification {
        regime: regime.id.clone(),
        tier,
        rules_tier,
        matched,
        overridden,
    }
}

/// A sector overlay rule that a system triggers (the service is not yet known).
pub fn overlay_triggered(trigger: &Trigger, system: &SystemProfile) -> bool {
    trigger_matches(trigger, system.data, system.is_financial())
}

pub fn trigger_matches(trigger: &Trigger, data: DataSet, financial: bool) -> bool {
    let data_ok = trigger.when_any.is_empty() || trigger.when_any.intersects(data);
    let not_excluded = !trigger.unless_any.intersects(data);
    let finance_ok = !trigger.financial_only || financial;
    data_ok && not_excluded && finance_ok
}

/// Whether an overlay requirement applies to a given service model.
pub fn trigger_model_matches(trigger: &Trigger, model: ServiceModel) -> bool {
    trigger.service_models.is_empty() || trigger.service_models.contains(&model)
}
