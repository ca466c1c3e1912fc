/*!
The deliberation committee: members, recusal, quorum, votes and the decision rule.

The 2026 announcement names a Public-Private Verification Deliberation Committee of industry,
academia, research institutes and MSIT-recommended officials (facts §5.1); the Decree has a
security-certification committee deliberate on every certificate (Decree Art. 15-6). Neither
publishes a quorum or a voting rule, so both are configuration ([`QuorumRule`]), and the defaults
are our ASSUMPTION `registry.committee-defaults`: at least five eligible members present, at least
one from each affiliation, approval by a majority of the eligible members present.

A member with a declared conflict of interest with the applicant (employer, competitor,
consultant) is recused automatically: [`can_view`] is false for that file, the member does not
count toward the quorum, and a vote from the member makes [`tally`] fail.
*/

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::lifecycle::{Application, StateName};
use crate::{ApplicationId, Date, DeliberationId, MemberId, ProviderId};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Affiliation {
    Industry,
    Academia,
    ResearchInstitute,
    MsitRecommendedOfficial,
}

impl Affiliation {
    pub const ALL: &'static [Affiliation] = &[
        Affiliation::Industry,
        Affiliation::Academia,
        Affiliation::ResearchInstitute,
        Affiliation::MsitRecommendedOfficial,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Affiliation::Industry => "industry",
            Affiliation::Academia => "academia",
            Affiliation::ResearchInstitute => "research-institute",
            Affiliation::MsitRecommendedOfficial => "msit-recommended-official",
        }
    }
}

/// Why a member may not sit on a provider's file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConflictKind {
    /// The member works for the provider.
    Employer,
    /// The member works for a competitor of the provider.
    Competitor,
    /// The member advises or advised the provider.
    Consultant,
}

/// A declared conflict of interest with one provider.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Declaration {
    pub provider: ProviderId,
    pub kind: ConflictKind,
    pub declared: Date,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    pub id: MemberId,
    pub name: String,
    pub affiliation: Affiliation,
    /// First and last day of the appointment (inclusive).
    pub term_from: Date,
    pub term_until: Date,
    pub declarations: Vec<Declaration>,
}

impl Member {
    pub fn in_term(&self, date: Date) -> bool {
        self.term_from <= date && date <= self.term_until
    }

    /// The member's declared conflict with a provider, if any.
    pub fn conflict_with(&self, provider: &ProviderId) -> Option<ConflictKind> {
        self.declarations
            .iter()
            .find(|d| &d.provider == provider)
            .map(|d| d.kind)
    }
}

/// The conflict that recuses a member from an application, if any.
pub fn recusal(member: &Member, application: &Application) -> Option<ConflictKind> {
    member.conflict_with(&application.provider)
}

/// Whether a member may see an application's file: never when recused.
pub fn can_view(member: &Member, application: &Application) -> bool {
    recusal(member, application).is_none()
}

/// How many votes carry a decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "kebab-case")]
pub enum DecisionRule {
    /// More than half of the eligible (present, not recused) members approve; abstentions and
    /// missing votes count against.
    Majority,
    /// At least `numerator / denominator` of the eligible members approve.
    AtLeast { numerator: u32, denominator: u32 },
}

impl DecisionRule {
    fn carried(self, votes_for: u32, eligible: u32) -> bool {
        let (f, e) = (u64::from(votes_for), u64::from(eligible));
        match self {
            DecisionRule::Majority => 2 * f > e,
            DecisionRule::AtLeast {
                numerator,
                denominator,
            } => e > 0 && f * u64::from(denominator) >= e * u64::from(numerator),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuorumRule {
    /// Eligible members who must be present.
    pub min_present: u32,
    /// Eligible members of each affiliation who must be present.
    pub min_per_affiliation: BTreeMap<Affiliation, u32>,
    pub decision: DecisionRule,
}

impl Default for QuorumRule {
    fn default() -> Self {
        QuorumRule {
            min_present: 5,
            min_per_affiliation: Affiliation::ALL.iter().map(|a| (*a, 1)).collect(),
            decision: DecisionRule::Majority,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Choice {
    Approve,
    Reject,
    Abstain,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vote {
    pub member: MemberId,
    pub choice: Choice,
    pub rationale: String,
}

/// One sitting on one application, as the secretariat records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sitting {
    pub id: DeliberationId,
    pub application: ApplicationId,
    pub date: Date,
    pub present: Vec<MemberId>,
    pub votes: Vec<Vote>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Approve,
    Reject,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recusal {
    pub member: MemberId,
    pub kind: ConflictKind,
}

/// The result of a sitting, which the lifecycle's `decide` event carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resolution {
    pub deliberation: DeliberationId,
    pub application: ApplicationId,
    pub date: Date,
    pub outcome: Outcome,
    pub quorum_met: bool,
    pub votes_for: u32,
    pub votes_against: u32,
    pub abstentions: u32,
    /// Present members who were not recused: the denominator of the decision rule.
    pub eligible: u32,
    /// Present members recused automatically, with the conflict.
    pub recused: Vec<Recusal>,
    pub votes: Vec<Vote>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CommitteeError {
    #[error("the sitting is for application `{got}`, not `{expected}`")]
    WrongApplication {
        expected: ApplicationId,
        got: ApplicationId,
    },
    #[error("`{member}` is not a member of the committee")]
    UnknownMember { member: MemberId },
    #[error("`{member}` is not in term on {date}")]
    OutOfTerm { member: MemberId, date: Date },
    #[error("`{member}` is listed as present twice")]
    DuplicatePresence { member: MemberId },
    #[error("`{member}` voted but is not recorded as present")]
    NotPresent { member: MemberId },
    #[error("`{member}` voted twice")]
    DuplicateVote { member: MemberId },
    #[error("`{member}` is recused ({kind:?} of the applicant) and may not vote")]
    RecusedMemberVoted {
        member: MemberId,
        kind: ConflictKind,
    },
    #[error("the vote of `{member}` has no rationale")]
    MissingRationale { member: MemberId },
    #[error("no quorum: {eligible} eligible members present, {required} required{}", shortfall_text(.shortfalls))]
    NoQuorum {
        eligible: u32,
        required: u32,
        /// Affiliations below their minimum: (affiliation, present, required).
        shortfalls: Vec<(Affiliation, u32, u32)>,
    },
}

/// Why a sitting cannot be opened, or a vote cast on it, before anything is tallied. The
/// storage layer asks [`may_open_sitting`] and [`may_vote`]; `code` is the problem's spelling.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SittingError {
    #[error("application `{application}` is in state `{state}`, not `deliberation`")]
    NotUnderDeliberation {
        application: ApplicationId,
        state: StateName,
    },
    #[error("application `{application}` already has an open sitting (`{sitting}` of {date})")]
    AlreadyOpen {
        application: ApplicationId,
        sitting: DeliberationId,
        date: Date,
    },
    #[error("deliberation `{sitting}` of {date} is already decided")]
    Decided { sitting: DeliberationId, date: Date },
    #[error("`{member}` is not recorded as present at sitting `{sitting}` of {date}")]
    VoterNotPresent {
        member: MemberId,
        sitting: DeliberationId,
        date: Date,
    },
    #[error("the vote of `{member}` needs a rationale")]
    VoteWithoutRationale { member: MemberId },
}

impl SittingError {
    pub fn code(&self) -> &'static str {
        match self {
            SittingError::NotUnderDeliberation { .. } => "not-under-deliberation",
            SittingError::AlreadyOpen { .. } => "sitting-already-open",
            SittingError::Decided { .. } => "sitting-decided",
            SittingError::VoterNotPresent { .. } => "voter-not-present",
            SittingError::VoteWithoutRationale { .. } => "vote-without-rationale",
        }
    }
}

/// May a sitting be opened on an application in `state`, given the sitting still open on it
/// (undecided), if any? Only under deliberation, and one open sitting at a time.
pub fn may_open_sitting(
    application: &ApplicationId,
    state: StateName,
    open: Option<(&DeliberationId, Date)>,
) -> Result<(), SittingError> {
    if state != StateName::Deliberation {
        return Err(SittingError::NotUnderDeliberation {
            application: application.clone(),
            state,
        });
    }
    if let Some((sitting, date)) = open {
        return Err(SittingError::AlreadyOpen {
            application: application.clone(),
            sitting: sitting.clone(),
            date,
        });
    }
    Ok(())
}

/// May `vote` be cast on `sitting` (`decided` once it has a resolution)? Only on an undecided
/// sitting, by a member recorded present, with a rationale. Recusal is the tally's to judge
/// (and the storage layer hides the sitting from a recused member).
pub fn may_vote(sitting: &Sitting, decided: bool, vote: &Vote) -> Result<(), SittingError> {
    if decided {
        return Err(SittingError::Decided {
            sitting: sitting.id.clone(),
            date: sitting.date,
        });
    }
    if !sitting.present.contains(&vote.member) {
        return Err(SittingError::VoterNotPresent {
            member: vote.member.clone(),
            sitting: sitting.id.clone(),
            date: sitting.date,
        });
    }
    if vote.rationale.trim().is_empty() {
        return Err(SittingError::VoteWithoutRationale {
            member: vote.member.clone(),
        });
    }
    Ok(())
}

fn shortfall_text(s: &[(Affiliation, u32, u32)]) -> String {
    s.iter()
        .map(|(a, have, need)| format!("; {} {have} of {need}", a.as_str()))
        .collect()
}

/// Count a sitting: recuse the conflicted, check the quorum among the rest, apply the rule.
pub fn tally(
    members: &[Member],
    application: &Application,
    sitting: &Sitting,
    rule: &QuorumRule,
) -> Result<Resolution, CommitteeError> {
    if sitting.application != application.id {
        return Err(CommitteeError::WrongApplication {
            expected: application.id.clone(),
            got: sitting.application.clone(),
        });
    }
    let find = |id: &MemberId| {
        members
            .iter()
            .find(|m| &m.id == id)
            .ok_or_else(|| CommitteeError::UnknownMember { member: id.clone() })
    };
    let mut eligible: Vec<&Member> = Vec::new();
    let mut recused: Vec<Recusal> = Vec::new();
    for (i, id) in sitting.present.iter().enumerate() {
        if sitting.present.iter().take(i).any(|p| p == id) {
            return Err(CommitteeError::DuplicatePresence { member: id.clone() });
        }
        let m = find(id)?;
        if !m.in_term(sitting.date) {
            return Err(CommitteeError::OutOfTerm {
                member: id.clone(),
                date: sitting.date,
            });
        }
        match recusal(m, application) {
            Some(kind) => recused.push(Recusal {
                member: id.clone(),
                kind,
            }),
            None => eligible.push(m),
        }
    }
    let (mut votes_for, mut votes_against, mut abstentions) = (0u32, 0u32, 0u32);
    for (i, v) in sitting.votes.iter().enumerate() {
        if let Some(r) = recused.iter().find(|r| r.member == v.member) {
            return Err(CommitteeError::RecusedMemberVoted {
                member: v.member.clone(),
                kind: r.kind,
            });
        }
        if !eligible.iter().any(|m| m.id == v.member) {
            find(&v.member)?;
            return Err(CommitteeError::NotPresent {
                member: v.member.clone(),
            });
        }
        if sitting.votes.iter().take(i).any(|p| p.member == v.member) {
            return Err(CommitteeError::DuplicateVote {
                member: v.member.clone(),
            });
        }
        if v.rationale.trim().is_empty() {
            return Err(CommitteeError::MissingRationale {
                member: v.member.clone(),
            });
        }
        match v.choice {
            Choice::Approve => votes_for += 1,
            Choice::Reject => votes_against += 1,
            Choice::Abstain => abstentions += 1,
        }
    }
    let count = |a: Affiliation| {
        u32::try_from(eligible.iter().filter(|m| m.affiliation == a).count()).unwrap_or(u32::MAX)
    };
    let shortfalls: Vec<(Affiliation, u32, u32)> = rule
        .min_per_affiliation
        .iter()
        .filter(|(a, need)| count(**a) < **need)
        .map(|(a, need)| (*a, count(*a), *need))
        .collect();
    let n_eligible = u32::try_from(eligible.len()).unwrap_or(u32::MAX);
    if n_eligible < rule.min_present || !shortfalls.is_empty() {
        return Err(CommitteeError::NoQuorum {
            eligible: n_eligible,
            required: rule.min_present,
            shortfalls,
        });
    }
    let outcome = if rule.decision.carried(votes_for, n_eligible) {
        Outcome::Approve
    } else {
        Outcome::Reject
    };
    Ok(Resolution {
        deliberation: sitting.id.clone(),
        application: sitting.application.clone(),
        date: sitting.date,
        outcome,
        quorum_met: true,
        votes_for,
        votes_against,
        abstentions,
        eligible: n_eligible,
        recused,
        votes: sitting.votes.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RegimeRef;
    use crate::lifecycle::ServiceType;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn app() -> Application {
        Application {
            id: "app-1".into(),
            provider: "acme".into(),
            service: "acme-iaas".into(),
            regime: RegimeRef::new("csap-2023"),
            tier: "medium".into(),
            service_type: ServiceType::Iaas,
            scope: "IaaS, Seoul region".into(),
            host: None,
        }
    }

    fn member(id: &str, a: Affiliation, conflicts: &[(&str, ConflictKind)]) -> Member {
        Member {
            id: id.into(),
            name: id.to_uppercase(),
            affiliation: a,
            term_from: d("2026-01-01"),
            term_until: d("2027-12-31"),
            declarations: conflicts
                .iter()
                .map(|(p, k)| Declaration {
                    provider: ProviderId::new(*p),
                    kind: *k,
                    declared: d("2026-01-01"),
                })
                .collect(),
        }
    }

    /// Six members, two from industry; `ind2` works for the applicant.
    fn committee() -> Vec<Member> {
        use Affiliation::*;
        vec![
            member("ind1", Industry, &[("rival", ConflictKind::Competitor)]),
            member("ind2", Industry, &[("acme", ConflictKind::Employer)]),
            member("aca1", Academia, &[]),
            member("res1", ResearchInstitute, &[]),
            member("gov1", MsitRecommendedOfficial, &[]),
            member("aca2", Academia, &[("acme", ConflictKind::Consultant)]),
        ]
    }

    fn vote(m: &str, c: Choice) -> Vote {
        Vote {
            member: m.into(),
            choice: c,
            rationale: format!("{m} read the evaluation report"),
        }
    }

    fn sitting(present: &[&str], votes: Vec<Vote>) -> Sitting {
        Sitting {
            id: "sit-1".into(),
            application: "app-1".into(),
            date: d("2026-06-01"),
            present: present.iter().map(|p| MemberId::new(*p)).collect(),
            votes,
        }
    }

    fn rule(min_present: u32) -> QuorumRule {
        QuorumRule {
            min_present,
            ..QuorumRule::default()
        }
    }

    #[test]
    fn declared_conflicts_recuse_and_hide_the_file() {
        let m = committee();
        let a = app();
        assert!(!can_view(&m[1], &a), "employer of the applicant");
        assert!(!can_view(&m[5], &a), "consultant of the applicant");
        assert!(can_view(&m[0], &a), "a competitor of someone else");
        assert_eq!(recusal(&m[1], &a), Some(ConflictKind::Employer));
        let mut rival_app = a.clone();
        rival_app.provider = "rival".into();
        assert_eq!(recusal(&m[0], &rival_app), Some(ConflictKind::Competitor));
    }

    #[test]
    fn recused_members_are_excluded_from_quorum_and_listed() {
        use Choice::*;
        let s = sitting(
            &["ind1", "ind2", "aca1", "res1", "gov1"],
            vec![
                vote("ind1", Approve),
                vote("aca1", Approve),
                vote("res1", Approve),
                vote("gov1", Reject),
            ],
        );
        let r = tally(&committee(), &app(), &s, &rule(4)).unwrap();
        assert_eq!(r.eligible, 4);
        assert_eq!(
            r.recused,
            vec![Recusal {
                member: "ind2".into(),
                kind: ConflictKind::Employer
            }]
        );
        assert_eq!((r.votes_for, r.votes_against), (3, 1));
        assert_eq!(r.outcome, Outcome::Approve);
        // With the default minimum of five, the recusal costs the quorum.
        let err = tally(&committee(), &app(), &s, &rule(5)).unwrap_err();
        assert!(matches!(
            err,
            CommitteeError::NoQuorum {
                eligible: 4,
                required: 5,
                ..
            }
        ));
    }

    #[test]
    fn a_recused_member_may_not_vote() {
        let s = sitting(
            &["ind1", "ind2", "aca1", "res1", "gov1"],
            vec![vote("ind2", Choice::Approve)],
        );
        let err = tally(&committee(), &app(), &s, &rule(4)).unwrap_err();
        assert_eq!(
            err,
            CommitteeError::RecusedMemberVoted {
                member: "ind2".into(),
                kind: ConflictKind::Employer
            }
        );
    }

    #[test]
    fn quorum_needs_each_affiliation() {
        // Industry's only eligible member is absent: the mix fails though the count is met.
        let s = sitting(&["ind2", "aca1", "aca2", "res1", "gov1"], vec![]);
        let mut r = rule(2);
        r.min_per_affiliation.insert(Affiliation::Academia, 1);
        let err = tally(&committee(), &app(), &s, &r).unwrap_err();
        let CommitteeError::NoQuorum { shortfalls, .. } = &err else {
            panic!("expected no quorum, got {err:?}");
        };
        assert_eq!(shortfalls, &vec![(Affiliation::Industry, 0, 1)]);
        assert!(err.to_string().contains("industry 0 of 1"), "{err}");
        // Relaxing the mix lets the sitting proceed.
        r.min_per_affiliation.clear();
        assert!(tally(&committee(), &app(), &s, &r).is_ok());
    }

    #[test]
    fn majority_counts_abstentions_and_missing_votes_against() {
        use Choice::*;
        let present = ["ind1", "aca1", "res1", "gov1"];
        let two_of_four = sitting(
            &present,
            vec![
                vote("ind1", Approve),
                vote("aca1", Approve),
                vote("res1", Abstain),
            ],
        );
        let r = tally(&committee(), &app(), &two_of_four, &rule(4)).unwrap();
        assert_eq!(r.outcome, Outcome::Reject, "2 of 4 is not a majority");
        let half = QuorumRule {
            decision: DecisionRule::AtLeast {
                numerator: 1,
                denominator: 2,
            },
            ..rule(4)
        };
        let r = tally(&committee(), &app(), &two_of_four, &half).unwrap();
        assert_eq!(r.outcome, Outcome::Approve, "configurable: at least half");
    }

    #[test]
    fn malformed_sittings_are_refused() {
        use Choice::*;
        let c = committee();
        let a = app();
        let r = rule(1);
        let s = sitting(&["ghost"], vec![]);
        assert!(matches!(
            tally(&c, &a, &s, &r),
            Err(CommitteeError::UnknownMember { .. })
        ));
        let s = sitting(&["aca1", "aca1"], vec![]);
        assert!(matches!(
            tally(&c, &a, &s, &r),
            Err(CommitteeError::DuplicatePresence { .. })
        ));
        let s = sitting(&["aca1"], vec![vote("res1", Approve)]);
        assert!(matches!(
            tally(&c, &a, &s, &r),
            Err(CommitteeError::NotPresent { .. })
        ));
        let s = sitting(&["aca1"], vec![vote("aca1", Approve), vote("aca1", Reject)]);
        assert!(matches!(
            tally(&c, &a, &s, &r),
            Err(CommitteeError::DuplicateVote { .. })
        ));
        let mut v = vote("aca1", Approve);
        v.rationale = "  ".into();
        let s = sitting(&["aca1"], vec![v]);
        assert!(matches!(
            tally(&c, &a, &s, &r),
            Err(CommitteeError::MissingRationale { .. })
        ));
        let mut s = sitting(&["aca1"], vec![]);
        s.date = d("2028-01-01");
        assert!(matches!(
            tally(&c, &a, &s, &r),
            Err(CommitteeError::OutOfTerm { .. })
        ));
        let mut s = sitting(&["aca1"], vec![]);
        s.application = "other".into();
        assert!(matches!(
            tally(&c, &a, &s, &r),
            Err(CommitteeError::WrongApplication { .. })
        ));
    }
}
