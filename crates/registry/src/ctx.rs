//! What the lifecycle needs to know besides the case itself: the Decree's numbers ([`Policy`]) and,
//! per issuing regime, its dates, tiers and successor ([`RegimeWindow`]).
//!
//! The windows are read off the engine, not restated: [`Ctx::from_decider`] walks the loaded
//! regimes, resolves each `effective_from` / `effective_until` through [`Decider::date`] (so the
//! NIS start is the assumption `nis-2027.start`, overridable like any other), takes the scheme a
//! regime issues from `Regime::issues`, and takes tier order and certificate acceptance from the
//! regime's own tier scheme and acceptance rules. A caller that has no rule set can build the
//! windows by hand with [`Ctx::new`].

use jiff::ToSpan;
use kcvs_engine::Decider;
use kcvs_model::{DateRef, Regime, RegimeKind, RegimeStatus};
use serde::{Deserialize, Serialize};

use crate::lifecycle::ServiceType;
use crate::{Date, RegimeRef, SchemeRef};

/// The fixed numbers of the procedure, with their sources. Configurable so a test or a future
/// amendment can change them without touching the state machine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Years a certificate is valid. Decree Art. 15-7(1): five years, no exception by type or
    /// grade (facts Pass 2 §2, §6).
    pub validity_years: i16,
    /// A renewal must be applied for at least this many months before expiry (Decree 15-7).
    pub renewal_lead_months: i16,
    /// Follow-up evaluations happen every year within validity (Decree 15-8); these are the years
    /// that need one (the fifth year is the renewal's). Facts §3: "four over 5 years".
    /// ASSUMPTION `registry.follow-up-years`: years 1–4, year *k* no earlier than *k − 1* years
    /// after the term starts.
    pub follow_up_years: u8,
    /// When a follow-up may be document-only.
    pub document_only: DocumentOnlyRule,
}

/// Since 2025, SaaS follow-ups in years 1, 3 and 4 may be document reviews (facts §3 and Pass 2 §6,
/// KISA notice of the April 2024 reform).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentOnlyRule {
    pub service_types: Vec<ServiceType>,
    pub years: Vec<u8>,
    /// Follow-ups dated on or after this day may use it.
    pub from: Date,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            validity_years: 5,
            renewal_lead_months: 6,
            follow_up_years: 4,
            document_only: DocumentOnlyRule {
                service_types: vec![ServiceType::SaasStandard, ServiceType::SaasSimplified],
                years: vec![1, 3, 4],
                from: jiff::civil::date(2025, 1, 1),
            },
        }
    }
}

impl Policy {
    /// The last valid day of a term that starts on `from`: `from` + the validity term − 1 day.
    ///
    /// ASSUMPTION `registry.term-arithmetic`: calendar years in jiff's arithmetic, which clamps a
    /// 29 February start to 28 February before the day is taken off. The Decree says "five years";
    /// how the last day is counted is not in the facts.
    pub fn valid_until(&self, from: Date, term_years: i16) -> Option<Date> {
        from.checked_add(term_years.years())
            .ok()?
            .checked_sub(1.day())
            .ok()
    }

    /// The last day on which a renewal may be applied for: `valid_until` − the lead time.
    ///
    /// ASSUMPTION `registry.renewal-deadline`: "at least six months before expiry" read as "on or
    /// before the day six calendar months before the last valid day".
    pub fn renewal_deadline(&self, valid_until: Date) -> Option<Date> {
        valid_until
            .checked_sub(self.renewal_lead_months.months())
            .ok()
    }
}

/// One acceptance rule of a regime, with its dates resolved: which tier a certificate of a scheme
/// counts at. Read from the regime's `acceptance` (the same table the engine's certificate review
/// uses), so a SaaS's host is judged by the rules the engine would judge it by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcceptRule {
    pub scheme: SchemeRef,
    /// (scheme level, or `None` for untiered) → rank in the regime's tier order.
    pub tier_map: Vec<(Option<String>, u8)>,
    pub issued_from: Option<Date>,
    pub issued_before: Option<Date>,
    pub grandfathered: bool,
}

/// An issuing regime as the registry sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegimeWindow {
    pub regime: RegimeRef,
    /// The scheme its certificates are issued under (`Regime::issues`).
    pub scheme: SchemeRef,
    /// Whether the regime binds (in force or announced); scenarios take no applications.
    pub binding: bool,
    pub status: String,
    /// Tier ids, lowest first.
    pub tiers: Vec<String>,
    /// First day it takes applications (inclusive).
    pub opens: Option<Date>,
    /// First day it no longer does (exclusive), e.g. the NIS start for CSAP.
    pub closes: Option<Date>,
    /// The binding issuing regime that opens the day this one closes.
    pub successor: Option<RegimeRef>,
    /// Whether the successor accepts this regime's certificates as grandfathered.
    pub grandfathered_by_successor: bool,
    pub term_years: i16,
    pub accepts: Vec<AcceptRule>,
}

impl RegimeWindow {
    pub fn tier_rank(&self, tier: &str) -> Option<u8> {
        self.tiers
            .iter()
            .position(|t| t == tier)
            .and_then(|i| u8::try_from(i).ok())
    }

    /// Whether the regime takes applications (and issues) on `date`.
    pub fn open_on(&self, date: Date) -> bool {
        self.opens.is_none_or(|o| o <= date) && self.closes.is_none_or(|c| date < c)
    }

    /// The rank a certificate of `scheme` at `level`, issued on `issued`, counts at here.
    pub fn accepted_rank(&self, scheme: &SchemeRef, level: &str, issued: Date) -> Option<u8> {
        self.accepts
            .iter()
            .filter(|r| &r.scheme == scheme)
            .filter(|r| r.issued_from.is_none_or(|f| f <= issued))
            .filter(|r| r.issued_before.is_none_or(|b| issued < b))
            .flat_map(|r| r.tier_map.iter())
            .filter(|(from, _)| from.as_deref() == Some(level))
            .map(|(_, rank)| *rank)
            .max()
    }
}

/// Everything [`crate::lifecycle::State::apply`] reads besides the case and the event.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Ctx {
    pub policy: Policy,
    pub regimes: Vec<RegimeWindow>,
}

impl Ctx {
    pub fn new(policy: Policy, regimes: Vec<RegimeWindow>) -> Self {
        Ctx { policy, regimes }
    }

    pub fn regime(&self, id: &RegimeRef) -> Option<&RegimeWindow> {
        self.regimes.iter().find(|r| &r.regime == id)
    }

    /// The issuing regimes of a rule set, with every date resolved by the engine's decider (its
    /// assumptions decide the NIS start; its `as_of` is not used).
    ///
    /// ASSUMPTION `registry.nis-term`: the NIS verification's validity term is not published; the
    /// policy's term (five years, CSAP's) is used for every regime.
    pub fn from_decider(d: &Decider, policy: Policy) -> Self {
        let resolve = |r: &Option<DateRef>| r.as_ref().and_then(|x| d.date(x));
        let issuing: Vec<&Regime> = d
            .rules
            .regimes
            .iter()
            .filter(|r| r.kind == RegimeKind::Scheme && r.issues.is_some())
            .collect();
        let binding =
            |r: &Regime| matches!(r.status, RegimeStatus::InForce | RegimeStatus::Announced);
        let mut regimes = Vec::new();
        for r in &issuing {
            let Some(scheme) = r.issues.as_ref() else {
                continue;
            };
            let closes = resolve(&r.effective_until);
            let successor = closes.and_then(|c| {
                issuing
                    .iter()
                    .find(|s| s.id != r.id && binding(s) && resolve(&s.effective_from) == Some(c))
            });
            let grandfathered_by_successor = successor.is_some_and(|s| {
                s.acceptance
                    .iter()
                    .any(|a| a.grandfathered && &a.scheme == scheme)
            });
            let accepts = r
                .acceptance
                .iter()
                .map(|a| AcceptRule {
                    scheme: SchemeRef::from(&a.scheme),
                    tier_map: a
                        .tier_map
                        .iter()
                        .map(|(from, to)| (from.clone(), to.0))
                        .collect(),
                    issued_from: resolve(&a.issued_from),
                    issued_before: resolve(&a.issued_before),
                    grandfathered: a.grandfathered,
                })
                .collect();
            regimes.push(RegimeWindow {
                regime: RegimeRef::from(&r.id),
                scheme: SchemeRef::from(scheme),
                binding: binding(r),
                status: r.status.as_str().to_owned(),
                tiers: r.tiers.iter().map(|t| t.id.clone()).collect(),
                opens: resolve(&r.effective_from),
                closes,
                successor: successor.map(|s| RegimeRef::from(&s.id)),
                grandfathered_by_successor,
                term_years: policy.validity_years,
                accepts,
            });
        }
        Ctx { policy, regimes }
    }
}
