//! What every decision needs besides the profiles: the rules, the assumption values in force and
//! the date, plus the other services a SaaS may run on.

use std::collections::BTreeMap;

use kcvs_model::*;

/// Other services by id, so a SaaS or PaaS can be checked against the IaaS it runs on.
#[derive(Clone, Debug, Default)]
pub struct ServiceIndex<'a> {
    by_id: BTreeMap<&'a ServiceId, &'a ServiceProfile>,
}

impl<'a> ServiceIndex<'a> {
    pub fn new(services: impl IntoIterator<Item = &'a ServiceProfile>) -> Self {
        Self {
            by_id: services.into_iter().map(|s| (&s.id, s)).collect(),
        }
    }

    pub fn get(&self, id: &ServiceId) -> Option<&'a ServiceProfile> {
        self.by_id.get(id).copied()
    }
}

/// The fixed inputs of one run.
#[derive(Clone, Copy, Debug)]
pub struct Decider<'a> {
    pub rules: &'a RuleSet,
    pub assumptions: &'a AssumptionSet,
    pub as_of: Date,
    pub services: &'a ServiceIndex<'a>,
}

impl<'a> Decider<'a> {
    pub fn new(
        rules: &'a RuleSet,
        assumptions: &'a AssumptionSet,
        as_of: Date,
        services: &'a ServiceIndex<'a>,
    ) -> Self {
        Self {
            rules,
            assumptions,
            as_of,
            services,
        }
    }

    /// A date given outright or through an assumption ([`DateRef::resolve`]).
    pub fn date(&self, d: &DateRef) -> Option<Date> {
        d.resolve(self.assumptions)
    }

    /// Whether a regime governs on the decision date (from inclusive, until exclusive).
    pub fn in_force(&self, regime: &Regime) -> bool {
        let from_ok = regime
            .effective_from
            .as_ref()
            .and_then(|d| self.date(d))
            .is_none_or(|d| d <= self.as_of);
        let until_ok = regime
            .effective_until
            .as_ref()
            .and_then(|d| self.date(d))
            .is_none_or(|d| self.as_of < d);
        from_ok && until_ok
    }

    /// Whether a requirement binds on the date and under the assumptions.
    pub fn requirement_active(&self, r: &Requirement) -> bool {
        let switched_on = r
            .assumption
            .as_ref()
            .is_none_or(|a| self.assumptions.flag(a, true));
        let from_ok = r.from.is_none_or(|d| d <= self.as_of);
        let until_ok = r.until.is_none_or(|d| self.as_of < d);
        switched_on && from_ok && until_ok
    }

    /// Algorithms KCMVP accepts on the decision date: the baseline, plus amendments already in
    /// effect whose flag assumptions all hold (AES from 2026, if cloud verification takes it).
    pub fn kcmvp_algorithms(&self) -> Vec<Algorithm> {
        let mut out = self.rules.kcmvp.algorithms.clone();
        for amendment in self.rules.amendments() {
            let switched_on = amendment
                .assumptions
                .iter()
                .all(|a| self.assumptions.flag(a, true));
            if !switched_on {
                continue;
            }
            for (alg, from) in &amendment.kcmvp_additions {
                if *from <= self.as_of && !out.contains(alg) {
                    out.push(*alg);
                }
            }
        }
        out
    }

    /// The scheme regime that governs public procurement on the date: the one in force whose
    /// status is law or announced policy (never a scenario). `None` before CSAP's tiers.
    pub fn governing_regime(&self) -> Option<&'a Regime> {
        self.rules.regimes.iter().find(|r| {
            r.kind == RegimeKind::Scheme
                && matches!(r.status, RegimeStatus::InForce | RegimeStatus::Announced)
                && self.in_force(r)
        })
    }
}
