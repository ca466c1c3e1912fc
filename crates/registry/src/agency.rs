/*!
Certification and evaluation agencies: designation, suspension, revocation (Act Art. 23-2(5)–(7),
23-4; Decree Arts. 15-10 to 15-12).

- Designation needs a dedicated unit, at least four full-time dedicated experts, systems with
  security measures and financial capacity (Decree 15-10); it lasts five years (Decree 15-11).
- Revocation is mandatory for fraud and for certifying or evaluating while suspended; it is
  discretionary, as is a suspension of up to one year, for refusing work without good reason,
  certifying in breach of the criteria, or no longer meeting the designation criteria (Art. 23-4).
  A suspension can only carry a discretionary ground: [`AgencyEventKind::Suspend`] takes a
  [`DiscretionaryGround`], so suspending instead of revoking for fraud cannot be written down.

The same shape as [`crate::lifecycle`]: a state enum, dated events, and
[`AgencyState::apply`] returning the next state or the reason why not.
*/

use jiff::ToSpan;
use serde::{Deserialize, Serialize};

use crate::{AgencyId, Date};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AgencyKind {
    /// Issues certificates (KISA or a designated certification body, Act Art. 23-2(5)).
    Certification,
    /// Evaluates services (Act Art. 23-2(6)).
    Evaluation,
}

/// The designation criteria of Decree Art. 15-10, as the applicant evidences them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capacity {
    pub dedicated_unit: bool,
    /// Full-time experts dedicated to the work.
    pub dedicated_experts: u32,
    pub security_measures: bool,
    pub financial_capacity: bool,
}

/// The minimum number of dedicated experts (Decree 15-10).
pub const MIN_EXPERTS: u32 = 4;
/// Years a designation lasts (Decree 15-11).
pub const DESIGNATION_YEARS: i16 = 5;

/// One unmet designation criterion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unmet {
    DedicatedUnit,
    DedicatedExperts { have: u32, need: u32 },
    SecurityMeasures,
    FinancialCapacity,
}

impl Capacity {
    pub fn unmet(&self) -> Vec<Unmet> {
        let mut out = Vec::new();
        if !self.dedicated_unit {
            out.push(Unmet::DedicatedUnit);
        }
        if self.dedicated_experts < MIN_EXPERTS {
            out.push(Unmet::DedicatedExperts {
                have: self.dedicated_experts,
                need: MIN_EXPERTS,
            });
        }
        if !self.security_measures {
            out.push(Unmet::SecurityMeasures);
        }
        if !self.financial_capacity {
            out.push(Unmet::FinancialCapacity);
        }
        out
    }
}

/// Grounds on which revocation is mandatory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MandatoryGround {
    /// Designated by false or fraudulent means.
    Fraud,
    /// Certified or evaluated while suspended.
    WorkedWhileSuspended,
}

/// Grounds on which the ministry may revoke or suspend for up to a year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiscretionaryGround {
    RefusedWithoutCause,
    BreachedCriteria,
    NoLongerMeetsDesignationCriteria,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "ground", rename_all = "kebab-case")]
pub enum AgencyRevocationGround {
    Mandatory(MandatoryGround),
    Discretionary(DiscretionaryGround),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Designation {
    pub agency: AgencyId,
    pub name: String,
    pub kind: AgencyKind,
    pub from: Date,
    /// Last day of the designation (inclusive).
    pub until: Date,
    pub capacity: Capacity,
    /// Suspensions served under this designation.
    pub suspensions: Vec<Suspension>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspension {
    pub from: Date,
    /// Last day of the suspension (inclusive).
    pub until: Date,
    pub ground: DiscretionaryGround,
    /// Set when the agency is recorded working during the suspension.
    pub violated_on: Option<Date>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", content = "record", rename_all = "kebab-case")]
pub enum AgencyState {
    /// Not (or no longer) designated; holds the last designation if there was one.
    Undesignated(Option<Box<Designation>>),
    Designated(Box<Designation>),
    Revoked(Box<(Designation, Date, AgencyRevocationGround)>),
}

impl Default for AgencyState {
    fn default() -> Self {
        AgencyState::Undesignated(None)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencyEvent {
    pub date: Date,
    pub kind: AgencyEventKind,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum AgencyEventKind {
    Designate {
        agency: AgencyId,
        name: String,
        kind: AgencyKind,
        capacity: Capacity,
    },
    /// Suspend all or part of the work up to and including `until`.
    Suspend {
        until: Date,
        ground: DiscretionaryGround,
    },
    /// The agency certified or evaluated on the event's date (the storage layer records this
    /// for every evaluation or certificate an agency signs). During a suspension it is recorded
    /// and makes revocation mandatory.
    RecordWork,
    Revoke {
        ground: AgencyRevocationGround,
    },
    /// The designation ran out (after its last day).
    Expire,
}

impl AgencyEventKind {
    pub fn name(&self) -> &'static str {
        match self {
            AgencyEventKind::Designate { .. } => "designate",
            AgencyEventKind::Suspend { .. } => "suspend",
            AgencyEventKind::RecordWork => "record-work",
            AgencyEventKind::Revoke { .. } => "revoke",
            AgencyEventKind::Expire => "expire",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AgencyError {
    #[error("`{event}` is not allowed for an agency that is {state}")]
    NotAllowed {
        state: &'static str,
        event: &'static str,
    },
    #[error("event dated {date} comes before {last}")]
    OutOfOrder { last: Date, date: Date },
    #[error("designation criteria not met (Decree Art. 15-10): {unmet:?}")]
    CriteriaNotMet { unmet: Vec<Unmet> },
    #[error(
        "a suspension may last at most one year: from {from} to {until} is longer (Act Art. 23-4)"
    )]
    SuspensionTooLong { from: Date, until: Date },
    #[error("a suspension must end on or after the day it starts")]
    SuspensionEndsBeforeStart,
    #[error("the agency is already suspended until {until}")]
    AlreadySuspended { until: Date },
    #[error("revocation for working while suspended needs recorded work during a suspension")]
    NoWorkWhileSuspended,
    #[error(
        "a mandatory ground for revocation is on record (work while suspended on {on}): only revocation is possible"
    )]
    RevocationMandatory { on: Date },
    #[error("the designation runs until {until}; it cannot expire on {date}")]
    NotYetExpired { until: Date, date: Date },
    #[error("the designation ended after {until}")]
    DesignationEnded { until: Date },
    /// ASSUMPTION `registry.no-redesignation-after-revocation`: the facts say nothing on it.
    #[error("the designation was revoked; re-designation after revocation is not modelled")]
    Revoked,
}

impl Designation {
    /// The suspension in force on a date.
    pub fn suspension_on(&self, date: Date) -> Option<&Suspension> {
        self.suspensions
            .iter()
            .find(|s| s.from <= date && date <= s.until)
    }

    fn violation(&self) -> Option<Date> {
        self.suspensions.iter().find_map(|s| s.violated_on)
    }

    fn last_event(&self) -> Date {
        self.suspensions
            .iter()
            .flat_map(|s| std::iter::once(s.from).chain(s.violated_on))
            .fold(self.from, Date::max)
    }
}

impl AgencyState {
    fn name(&self) -> &'static str {
        match self {
            AgencyState::Undesignated(_) => "not designated",
            AgencyState::Designated(_) => "designated",
            AgencyState::Revoked(_) => "revoked",
        }
    }

    /// Whether the agency may certify or evaluate on a date: designated, in term, not suspended.
    pub fn may_work(&self, date: Date) -> bool {
        match self {
            AgencyState::Designated(d) => {
                d.from <= date && date <= d.until && d.suspension_on(date).is_none()
            }
            _ => false,
        }
    }

    /// Apply one dated event.
    pub fn apply(&self, event: &AgencyEvent) -> Result<AgencyState, AgencyError> {
        let date = event.date;
        let last = match self {
            AgencyState::Undesignated(Some(d)) | AgencyState::Designated(d) => Some(d.last_event()),
            AgencyState::Revoked(r) => Some(r.1),
            AgencyState::Undesignated(None) => None,
        };
        if let Some(last) = last
            && date < last
        {
            return Err(AgencyError::OutOfOrder { last, date });
        }
        let not_allowed = || AgencyError::NotAllowed {
            state: self.name(),
            event: event.kind.name(),
        };
        use AgencyEventKind as K;
        match (self, &event.kind) {
            (AgencyState::Revoked(_), K::Designate { .. }) => Err(AgencyError::Revoked),
            (
                AgencyState::Undesignated(prev),
                K::Designate {
                    agency,
                    name,
                    kind,
                    capacity,
                },
            ) => {
                if let Some(p) = prev
                    && date <= p.until
                {
                    return Err(not_allowed());
                }
                let unmet = capacity.unmet();
                if !unmet.is_empty() {
                    return Err(AgencyError::CriteriaNotMet { unmet });
                }
                let until = date
                    .checked_add(DESIGNATION_YEARS.years())
                    .and_then(|d| d.checked_sub(1.day()))
                    .map_err(|_| AgencyError::DesignationEnded { until: date })?;
                Ok(AgencyState::Designated(Box::new(Designation {
                    agency: agency.clone(),
                    name: name.clone(),
                    kind: *kind,
                    from: date,
                    until,
                    capacity: capacity.clone(),
                    suspensions: Vec::new(),
                })))
            }
            (AgencyState::Designated(d), kind) => designated(d, kind, date),
            _ => Err(not_allowed()),
        }
    }
}

fn designated(
    d: &Designation,
    kind: &AgencyEventKind,
    date: Date,
) -> Result<AgencyState, AgencyError> {
    use AgencyEventKind as K;
    if let Some(on) = d.violation()
        && !matches!(kind, K::Revoke { .. })
    {
        return Err(AgencyError::RevocationMandatory { on });
    }
    if date > d.until && !matches!(kind, K::Expire) {
        return Err(AgencyError::DesignationEnded { until: d.until });
    }
    let mut d = Box::new(d.clone());
    match kind {
        K::Suspend { until, ground } => {
            if let Some(s) = d.suspension_on(date) {
                return Err(AgencyError::AlreadySuspended { until: s.until });
            }
            if *until < date {
                return Err(AgencyError::SuspensionEndsBeforeStart);
            }
            // ASSUMPTION `registry.suspension-year`: "up to one year" read as a last day no later
            // than the day before the same date a year on.
            let limit = date
                .checked_add(1.year())
                .and_then(|x| x.checked_sub(1.day()))
                .map_err(|_| AgencyError::SuspensionEndsBeforeStart)?;
            if *until > limit {
                return Err(AgencyError::SuspensionTooLong {
                    from: date,
                    until: *until,
                });
            }
            d.suspensions.push(Suspension {
                from: date,
                until: *until,
                ground: *ground,
                violated_on: None,
            });
            Ok(AgencyState::Designated(d))
        }
        K::RecordWork => {
            if let Some(s) = d
                .suspensions
                .iter_mut()
                .find(|s| s.from <= date && date <= s.until)
            {
                s.violated_on.get_or_insert(date);
            }
            Ok(AgencyState::Designated(d))
        }
        K::Revoke { ground } => {
            if *ground == AgencyRevocationGround::Mandatory(MandatoryGround::WorkedWhileSuspended)
                && d.violation().is_none()
            {
                return Err(AgencyError::NoWorkWhileSuspended);
            }
            Ok(AgencyState::Revoked(Box::new((*d, date, *ground))))
        }
        K::Expire => {
            if date <= d.until {
                return Err(AgencyError::NotYetExpired {
                    until: d.until,
                    date,
                });
            }
            Ok(AgencyState::Undesignated(Some(d)))
        }
        K::Designate { .. } => Err(AgencyError::NotAllowed {
            state: "designated",
            event: "designate",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn capacity(experts: u32) -> Capacity {
        Capacity {
            dedicated_unit: true,
            dedicated_experts: experts,
            security_measures: true,
            financial_capacity: true,
        }
    }

    fn ev(date: &str, kind: AgencyEventKind) -> AgencyEvent {
        AgencyEvent {
            date: d(date),
            kind,
        }
    }

    fn designate(experts: u32) -> AgencyEventKind {
        AgencyEventKind::Designate {
            agency: "kait".into(),
            name: "Korea Association for ICT Promotion".into(),
            kind: AgencyKind::Evaluation,
            capacity: capacity(experts),
        }
    }

    fn designated() -> AgencyState {
        AgencyState::default()
            .apply(&ev("2026-01-01", designate(4)))
            .unwrap()
    }

    #[test]
    fn designation_needs_four_dedicated_experts_and_lasts_five_years() {
        let err = AgencyState::default()
            .apply(&ev("2026-01-01", designate(3)))
            .unwrap_err();
        assert_eq!(
            err,
            AgencyError::CriteriaNotMet {
                unmet: vec![Unmet::DedicatedExperts { have: 3, need: 4 }]
            }
        );
        let mut all_missing = capacity(0);
        all_missing.dedicated_unit = false;
        all_missing.financial_capacity = false;
        assert_eq!(all_missing.unmet().len(), 3);
        let AgencyState::Designated(des) = designated() else {
            panic!("expected designated");
        };
        assert_eq!(des.until, d("2030-12-31"));
        assert!(designated().may_work(d("2030-12-31")));
        assert!(!designated().may_work(d("2031-01-01")));
        // Expiry only after the last day; then a new designation may follow.
        let s = designated();
        assert!(matches!(
            s.apply(&ev("2030-12-31", AgencyEventKind::Expire)),
            Err(AgencyError::NotYetExpired { .. })
        ));
        let expired = s.apply(&ev("2031-01-01", AgencyEventKind::Expire)).unwrap();
        assert!(!expired.may_work(d("2031-01-01")));
        assert!(expired.apply(&ev("2031-02-01", designate(5))).is_ok());
    }

    #[test]
    fn suspension_is_at_most_a_year_and_stops_work() {
        let s = designated();
        let suspend = |until: &str| AgencyEventKind::Suspend {
            until: d(until),
            ground: DiscretionaryGround::RefusedWithoutCause,
        };
        let err = s
            .apply(&ev("2027-03-01", suspend("2028-03-01")))
            .unwrap_err();
        assert!(matches!(err, AgencyError::SuspensionTooLong { .. }));
        assert!(err.to_string().contains("at most one year"));
        let sus = s.apply(&ev("2027-03-01", suspend("2028-02-29"))).unwrap();
        assert!(!sus.may_work(d("2027-03-01")));
        assert!(!sus.may_work(d("2028-02-29")));
        assert!(
            sus.may_work(d("2028-03-01")),
            "work resumes after the last day"
        );
        let again = sus
            .apply(&ev("2027-04-01", suspend("2027-05-01")))
            .unwrap_err();
        assert!(matches!(again, AgencyError::AlreadySuspended { .. }));
    }

    #[test]
    fn working_while_suspended_makes_revocation_mandatory() {
        let s = designated();
        let no_work = s
            .apply(&ev(
                "2027-03-01",
                AgencyEventKind::Revoke {
                    ground: AgencyRevocationGround::Mandatory(
                        MandatoryGround::WorkedWhileSuspended,
                    ),
                },
            ))
            .unwrap_err();
        assert_eq!(no_work, AgencyError::NoWorkWhileSuspended);
        let sus = s
            .apply(&ev(
                "2027-03-01",
                AgencyEventKind::Suspend {
                    until: d("2027-08-31"),
                    ground: DiscretionaryGround::BreachedCriteria,
                },
            ))
            .unwrap();
        let worked = sus
            .apply(&ev("2027-04-01", AgencyEventKind::RecordWork))
            .unwrap();
        let blocked = worked
            .apply(&ev(
                "2027-09-01",
                AgencyEventKind::Suspend {
                    until: d("2027-10-01"),
                    ground: DiscretionaryGround::BreachedCriteria,
                },
            ))
            .unwrap_err();
        assert_eq!(
            blocked,
            AgencyError::RevocationMandatory {
                on: d("2027-04-01")
            }
        );
        let revoked = worked
            .apply(&ev(
                "2027-04-02",
                AgencyEventKind::Revoke {
                    ground: AgencyRevocationGround::Mandatory(
                        MandatoryGround::WorkedWhileSuspended,
                    ),
                },
            ))
            .unwrap();
        assert!(!revoked.may_work(d("2027-09-01")));
        assert_eq!(
            revoked.apply(&ev("2028-01-01", designate(6))),
            Err(AgencyError::Revoked)
        );
    }

    #[test]
    fn discretionary_grounds_allow_revocation_and_fraud_cannot_be_a_suspension() {
        let r = designated()
            .apply(&ev(
                "2027-01-01",
                AgencyEventKind::Revoke {
                    ground: AgencyRevocationGround::Discretionary(
                        DiscretionaryGround::NoLongerMeetsDesignationCriteria,
                    ),
                },
            ))
            .unwrap();
        assert!(matches!(r, AgencyState::Revoked(_)));
        // The published format has no suspension on a mandatory ground.
        let json = r#"{"date":"2027-01-01","kind":{"type":"suspend","until":"2027-02-01","ground":"fraud"}}"#;
        assert!(serde_json::from_str::<AgencyEvent>(json).is_err());
        let json = r#"{"date":"2027-01-01","kind":{"type":"suspend","until":"2027-02-01","ground":"breached-criteria"}}"#;
        assert!(serde_json::from_str::<AgencyEvent>(json).is_ok());
    }

    #[test]
    fn illegal_agency_transitions_are_refused() {
        let none = AgencyState::default();
        for kind in [
            AgencyEventKind::RecordWork,
            AgencyEventKind::Expire,
            AgencyEventKind::Suspend {
                until: d("2026-02-01"),
                ground: DiscretionaryGround::BreachedCriteria,
            },
        ] {
            assert!(matches!(
                none.apply(&ev("2026-01-01", kind)),
                Err(AgencyError::NotAllowed { .. })
            ));
        }
        let s = designated();
        assert!(matches!(
            s.apply(&ev("2026-06-01", designate(4))),
            Err(AgencyError::NotAllowed { .. })
        ));
        assert!(matches!(
            s.apply(&ev("2025-12-31", AgencyEventKind::RecordWork)),
            Err(AgencyError::OutOfOrder { .. })
        ));
        assert!(matches!(
            s.apply(&ev("2031-01-01", AgencyEventKind::RecordWork)),
            Err(AgencyError::DesignationEnded { .. })
        ));
    }
}
