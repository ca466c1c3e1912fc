//! Where each yearly follow-up of a certificate term stands on a date.
//!
//! The lifecycle takes follow-ups as they come: year *k* no earlier than *k − 1* years after the
//! term starts, and none once a later year is recorded ([`crate::lifecycle`]). What it does not
//! say is which years were passed over, or which are late, and an authority running the
//! certification needs both on the file. This module reads them off a term, without changing
//! what the lifecycle accepts: refusing surveillance is not itself a statutory ground for
//! revocation (facts Pass 2, Act Arts. 23-3 and 23-4), so a skipped or late year is shown, not
//! sanctioned.
//!
//! ASSUMPTION `registry.follow-up-due`: the Decree (Art. 15-8) asks for a follow-up "every year"
//! of validity and names no deadline; year *k* is taken to be due by the last day of the *k*-th
//! year of validity (the day before the *k*-th anniversary of the term's start).

use jiff::ToSpan;
use serde::Serialize;

use crate::Date;
use crate::ctx::Policy;
use crate::lifecycle::{FollowUpMethod, State, Term};

/// One follow-up year and where it stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FollowUpYear {
    pub year: u8,
    /// First day it may be held (the *k − 1*-th anniversary of the term's start).
    pub opens: Date,
    /// Last day it is due by (assumption `registry.follow-up-due`).
    pub due_by: Date,
    pub standing: Standing,
}

/// Where a follow-up year stands on the date asked about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Standing {
    /// Recorded on `date`.
    Recorded {
        date: Date,
        method: FollowUpMethod,
        passed: bool,
    },
    /// Never recorded, and a later year was: it can no longer be.
    Skipped { later_year: u8 },
    /// Not recorded and past its due day; it can still be recorded (no later year is).
    Overdue,
    /// Open now and not yet due.
    Open,
    /// Not open yet.
    NotYet,
    /// The term ended (expiry, revocation, surrender) before it opened or before it was held.
    TermEnded,
    /// Not recorded, on a term taken over from an earlier register, and already due or passed
    /// over: it may have been held there, so it is neither late nor skipped on this record.
    NotOnRecord,
}

impl Standing {
    /// Whether the year calls for the authority's attention: passed over, or late.
    pub fn is_flagged(&self) -> bool {
        matches!(self, Standing::Skipped { .. } | Standing::Overdue)
    }
}

/// The follow-up years of `term` as they stand on `as_of`. `ended` is the first day the
/// certificate no longer held (expiry, revocation, surrender), if it ended; years not recorded by
/// then are [`Standing::TermEnded`] rather than late. `imported`: the term came from an earlier
/// register ([`crate::lifecycle::Held::imported_term`]), whose follow-ups this one does not
/// hold, so a year it would call skipped or overdue is [`Standing::NotOnRecord`]. `None` only
/// for a term whose dates leave the calendar.
pub fn follow_up_years(
    term: &Term,
    policy: &Policy,
    as_of: Date,
    ended: Option<Date>,
    imported: bool,
) -> Option<Vec<FollowUpYear>> {
    // An end after `as_of` had not happened yet on that day.
    let ended = ended.filter(|e| *e <= as_of);
    let start = term.certificate.valid_from;
    let last_recorded = term.follow_ups.iter().map(|f| f.year).max();
    let mut out = Vec::with_capacity(usize::from(policy.follow_up_years));
    for year in 1..=policy.follow_up_years {
        let opens = start.checked_add(i32::from(year - 1).years()).ok()?;
        let due_by = start
            .checked_add(i32::from(year).years())
            .ok()?
            .checked_sub(1.day())
            .ok()?;
        let recorded = term.follow_ups.iter().find(|f| f.year == year);
        let standing = match recorded {
            Some(f) => Standing::Recorded {
                date: f.date,
                method: f.method,
                passed: f.passed,
            },
            None => match last_recorded.filter(|&l| l > year) {
                Some(later_year) => Standing::Skipped { later_year },
                None if ended.is_some_and(|e| e <= as_of.min(due_by).max(opens)) => {
                    Standing::TermEnded
                }
                None if as_of < opens => Standing::NotYet,
                None if as_of > due_by => Standing::Overdue,
                None => Standing::Open,
            },
        };
        let standing = if imported && standing.is_flagged() {
            Standing::NotOnRecord
        } else {
            standing
        };
        out.push(FollowUpYear {
            year,
            opens,
            due_by,
            standing,
        });
    }
    Some(out)
}

/// The follow-up years of a case's current (or last) term on `as_of`: `None` before a
/// certificate is issued. A certificate that ended (revoked, expired, surrendered) ended its term.
pub fn of_case(state: &State, policy: &Policy, as_of: Date) -> Option<Vec<FollowUpYear>> {
    let (held, ended) = match state {
        State::Certified(h) => (h.as_ref(), None),
        State::Revoked(e) | State::Expired(e) | State::Surrendered(e) => (&e.held, Some(e.on)),
        _ => return None,
    };
    follow_up_years(&held.current, policy, as_of, ended, held.imported_term())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::{CertificateRecord, FollowUp};

    fn d(s: &str) -> Date {
        s.parse().expect("date")
    }

    fn term(follow_ups: &[(u8, &str)]) -> Term {
        let certificate: CertificateRecord = serde_json::from_value(serde_json::json!({
            "number": "CSAP-IaaS-2026-0001",
            "application": "app-1",
            "provider": "acme",
            "service": "acme-cloud",
            "regime": "csap-2023",
            "scheme": "csap",
            "tier": "medium",
            "service_type": "iaas",
            "scope": "the whole service",
            "host": null,
            "issued": "2026-03-02",
            "valid_from": "2026-03-02",
            "valid_until": "2031-03-01",
            "renews": null,
        }))
        .expect("certificate record");
        Term {
            certificate,
            follow_ups: follow_ups
                .iter()
                .map(|&(year, date)| FollowUp {
                    date: d(date),
                    year,
                    method: FollowUpMethod::OnSite,
                    passed: true,
                    findings: Vec::new(),
                })
                .collect(),
        }
    }

    fn statuses(t: &Term, as_of: &str, ended: Option<&str>) -> Vec<Standing> {
        follow_up_years(t, &Policy::default(), d(as_of), ended.map(d), false)
            .expect("in range")
            .into_iter()
            .map(|y| y.standing)
            .collect()
    }

    #[test]
    fn each_year_opens_on_an_anniversary_and_is_due_the_day_before_the_next() {
        let years = follow_up_years(&term(&[]), &Policy::default(), d("2026-03-02"), None, false)
            .expect("in range");
        let dates: Vec<(u8, Date, Date)> =
            years.iter().map(|y| (y.year, y.opens, y.due_by)).collect();
        assert_eq!(
            dates,
            vec![
                (1, d("2026-03-02"), d("2027-03-01")),
                (2, d("2027-03-02"), d("2028-03-01")),
                (3, d("2028-03-02"), d("2029-03-01")),
                (4, d("2029-03-02"), d("2030-03-01")),
            ]
        );
    }

    #[test]
    fn open_then_overdue_then_skipped_once_a_later_year_is_recorded() {
        use Standing::*;
        let t = term(&[]);
        assert_eq!(
            statuses(&t, "2026-03-02", None),
            vec![Open, NotYet, NotYet, NotYet]
        );
        // The last day of the first year: still open, not late.
        assert_eq!(
            statuses(&t, "2027-03-01", None),
            vec![Open, NotYet, NotYet, NotYet]
        );
        assert_eq!(
            statuses(&t, "2027-03-02", None),
            vec![Overdue, Open, NotYet, NotYet]
        );
        let t = term(&[(2, "2027-06-01")]);
        let s = statuses(&t, "2027-06-02", None);
        assert_eq!(s[0], Skipped { later_year: 2 });
        assert!(matches!(s[1], Recorded { passed: true, .. }));
        assert_eq!(&s[2..], &[NotYet, NotYet]);
        assert!(s[0].is_flagged() && !s[1].is_flagged() && !s[2].is_flagged());
    }

    #[test]
    fn a_term_that_ended_leaves_later_years_ended_not_late() {
        use Standing::*;
        let t = term(&[(1, "2026-09-01")]);
        // Revoked in the second year, looked at years later.
        let s = statuses(&t, "2030-06-01", Some("2027-05-01"));
        assert!(matches!(s[0], Recorded { .. }));
        assert_eq!(&s[1..], &[TermEnded, TermEnded, TermEnded]);
        // A year already overdue when the term ended stays overdue.
        let t = term(&[]);
        let s = statuses(&t, "2030-06-01", Some("2027-05-01"));
        assert_eq!(s, vec![Overdue, TermEnded, TermEnded, TermEnded]);
    }

    #[test]
    fn an_imported_term_flags_nothing_it_may_have_held_elsewhere() {
        use Standing::*;
        let policy = Policy::default();
        let at = |t: &Term, as_of: &str| -> Vec<Standing> {
            follow_up_years(t, &policy, d(as_of), None, true)
                .expect("in range")
                .into_iter()
                .map(|y| y.standing)
                .collect()
        };
        // Overdue and skipped on this register's own terms are not on record on an imported one;
        // what is recorded, open or not yet open reads the same.
        assert_eq!(
            at(&term(&[]), "2027-04-01"),
            vec![NotOnRecord, Open, NotYet, NotYet]
        );
        let s = at(&term(&[(3, "2028-04-01")]), "2028-04-02");
        assert_eq!(&s[..2], &[NotOnRecord, NotOnRecord]);
        assert!(matches!(s[2], Recorded { .. }));
        assert!(!s.iter().any(Standing::is_flagged));
    }
}
