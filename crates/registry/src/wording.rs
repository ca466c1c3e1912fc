//! The registry's refusals, states and grounds in both languages.
//!
//! The errors' `Display` is the English the API has always sent; this is the wording for people,
//! in English and Korean with the same dates and names, so the API (problem+json in the asked
//! language) and the web UI say the same thing. It lives beside the errors so that a new variant
//! is a compile error here (every `match` is without a wildcard) until it is worded.

use crate::agency::{
    AgencyError, AgencyRevocationGround, DiscretionaryGround, MandatoryGround, Unmet,
};
use crate::committee::{Affiliation, CommitteeError, ConflictKind, SittingError};
use crate::lifecycle::{HostLookupError, RevocationGround, StateName, TransitionError};
use kcvs_model::Text;

fn both(en: String, ko: String) -> Text {
    Text::new(en, ko)
}

/// A lifecycle state's name in both languages.
pub fn state_name(s: StateName) -> Text {
    let (en, ko) = match s {
        StateName::Unfiled => ("not filed", "미신청"),
        StateName::Submitted => ("submitted", "신청 접수"),
        StateName::DocumentReview => ("document review", "서면 평가"),
        StateName::OnSiteEvaluation => ("on-site evaluation", "현장 평가"),
        StateName::Deliberation => ("committee deliberation", "위원회 심의"),
        StateName::Approved => ("approved", "승인"),
        StateName::Rejected => ("rejected", "거부"),
        StateName::Withdrawn => ("withdrawn", "철회"),
        StateName::Certified => ("certified", "인증"),
        StateName::Revoked => ("revoked", "취소"),
        StateName::Expired => ("expired", "만료"),
        StateName::Surrendered => ("surrendered", "반납"),
    };
    Text::new(en, ko)
}

/// A statutory ground for revoking a certificate (Act Art. 23-3).
pub fn revocation_ground(g: RevocationGround) -> Text {
    match g {
        RevocationGround::Fraud => Text::new(
            "obtained by fraud (revocation mandatory)",
            "거짓이나 부정한 방법으로 인증을 받음 (취소 의무)",
        ),
        RevocationGround::CriteriaNoLongerMet => Text::new(
            "no longer meets the certification criteria (revocation discretionary)",
            "인증 기준에 미달하게 됨 (취소 재량)",
        ),
    }
}

/// A ground on which an agency may be suspended or revoked (Act Art. 23-4).
pub fn discretionary_ground(g: DiscretionaryGround) -> Text {
    match g {
        DiscretionaryGround::RefusedWithoutCause => Text::new(
            "refused work without good reason",
            "정당한 사유 없이 업무를 거부함",
        ),
        DiscretionaryGround::BreachedCriteria => Text::new(
            "certified or evaluated in breach of the criteria",
            "기준을 위반하여 인증 또는 평가를 함",
        ),
        DiscretionaryGround::NoLongerMeetsDesignationCriteria => Text::new(
            "no longer meets the designation criteria",
            "지정 기준에 미달하게 됨",
        ),
    }
}

/// A ground for revoking an agency's designation.
pub fn agency_revocation_ground(g: AgencyRevocationGround) -> Text {
    match g {
        AgencyRevocationGround::Mandatory(MandatoryGround::Fraud) => Text::new(
            "designated by fraud (revocation mandatory)",
            "거짓이나 부정한 방법으로 지정을 받음 (취소 의무)",
        ),
        AgencyRevocationGround::Mandatory(MandatoryGround::WorkedWhileSuspended) => Text::new(
            "worked while suspended (revocation mandatory)",
            "업무정지 기간 중 업무를 함 (취소 의무)",
        ),
        AgencyRevocationGround::Discretionary(d) => {
            let t = discretionary_ground(d);
            Text::new(
                format!("{} (revocation discretionary)", t.en),
                format!("{} (취소 재량)", t.ko),
            )
        }
    }
}

/// The renewal rule (Decree Art. 15-7), as the page states it beside the deadline.
pub fn renewal_rule(months: i16) -> Text {
    both(
        format!("at least {months} months before expiry, Decree Art. 15-7"),
        format!("만료 {months}개월 전까지, 시행령 제15조의7"),
    )
}

/// Why the registry refused a lifecycle event.
pub fn transition(e: &TransitionError) -> Text {
    use TransitionError as T;
    match e {
        T::NotAllowed { state, event } => {
            let s = state_name(*state);
            both(
                format!(
                    "`{event}` is not allowed while the application is {}.",
                    s.en
                ),
                format!(
                    "신청이 {} 상태일 때는 `{event}`을(를) 할 수 없습니다.",
                    s.ko
                ),
            )
        }
        T::OutOfOrder { last, date } => both(
            format!("An event dated {date} cannot follow the last one, dated {last}."),
            format!("{date}자 처리는 마지막 처리일({last})보다 앞설 수 없습니다."),
        ),
        T::UnknownRegime { regime } => both(
            format!("`{regime}` is not a certifying regime of this registry."),
            format!("`{regime}`은(는) 이 등록부가 인증하는 제도가 아닙니다."),
        ),
        T::RegimeNotBinding { regime, status } => both(
            format!("Regime `{regime}` is {status} and takes no applications."),
            format!("`{regime}` 제도는 {status} 상태로 신청을 받지 않습니다."),
        ),
        T::RegimeNotOpen { regime, opens } => both(
            format!("Regime `{regime}` takes applications from {opens}."),
            format!("`{regime}` 제도는 {opens}부터 신청을 받습니다."),
        ),
        T::RegimeClosed {
            regime,
            closed,
            successor,
        } => both(
            format!(
                "Regime `{regime}` stopped taking applications and issuing on {closed}{}.",
                successor
                    .as_ref()
                    .map(|s| format!("; apply under `{s}`"))
                    .unwrap_or_default()
            ),
            format!(
                "`{regime}` 제도는 {closed}에 신청 접수와 발급을 마쳤습니다{}.",
                successor
                    .as_ref()
                    .map(|s| format!(". `{s}`(으)로 신청하십시오"))
                    .unwrap_or_default()
            ),
        ),
        T::UnknownTier {
            regime,
            tier,
            expected,
        } => both(
            format!("`{tier}` is not a tier of `{regime}` (one of {expected})."),
            format!("`{tier}`은(는) `{regime}`의 등급이 아닙니다 (가능한 등급: {expected})."),
        ),
        T::HostRequired { service_type } => both(
            format!("A {service_type} service must name the certified IaaS it runs on."),
            format!("{service_type} 서비스는 기반 IaaS의 인증번호를 밝혀야 합니다."),
        ),
        T::HostNotAllowed { service_type } => both(
            format!("A {service_type} service runs on no host: remove the host certificate."),
            format!("{service_type} 서비스에는 기반 IaaS가 없습니다. 기반 인증번호를 지우십시오."),
        ),
        T::HostNotValid { number, date } => both(
            format!("Host certificate `{number}` is not valid on {date}."),
            format!("기반 IaaS 인증 `{number}`은(는) {date}에 유효하지 않습니다."),
        ),
        T::HostTierTooLow {
            number,
            regime,
            tier,
        } => both(
            format!(
                "Host certificate `{number}` counts below tier `{tier}` under `{regime}`: a SaaS or PaaS counts no higher than its IaaS."
            ),
            format!(
                "기반 IaaS 인증 `{number}`은(는) `{regime}`에서 `{tier}` 등급에 미치지 못합니다. SaaS·PaaS는 기반 IaaS보다 높은 등급을 받을 수 없습니다."
            ),
        ),
        T::DuplicateFinding { finding } => both(
            format!("Finding `{finding}` is already recorded."),
            format!("결함 `{finding}`은(는) 이미 기록되어 있습니다."),
        ),
        T::UnknownFinding { finding } => both(
            format!("Finding `{finding}` is not recorded on this application."),
            format!("결함 `{finding}`은(는) 이 신청에 기록되어 있지 않습니다."),
        ),
        T::DeadlineInPast { due, date } => both(
            format!("The remediation deadline {due} is before today, {date}."),
            format!("보완조치 기한 {due}이(가) 오늘({date})보다 앞섭니다."),
        ),
        T::RemediationAlreadyOpen { finding } => both(
            format!("A remediation for finding `{finding}` is already open."),
            format!("결함 `{finding}`에 대한 보완조치 요청이 이미 진행 중입니다."),
        ),
        T::NoOpenRemediation { finding } => both(
            format!("No remediation request is open for finding `{finding}`."),
            format!("결함 `{finding}`에 대해 진행 중인 보완조치 요청이 없습니다."),
        ),
        T::RemediationOpen { finding, due } => both(
            format!(
                "The remediation for finding `{finding}` (due {due}) has not been re-checked yet."
            ),
            format!("결함 `{finding}`의 보완조치(기한 {due})가 아직 재확인되지 않았습니다."),
        ),
        T::ResolutionMismatch { expected, got } => both(
            format!("The resolution is for application `{got}`, not `{expected}`."),
            format!("의결은 `{expected}`이(가) 아니라 `{got}` 신청에 대한 것입니다."),
        ),
        T::ResolutionAfterDecision { resolution, date } => both(
            format!("The resolution is dated {resolution}, after the decision ({date})."),
            format!("의결일({resolution})이 결정일({date})보다 늦습니다."),
        ),
        T::NoQuorum => both(
            "The sitting had no quorum; no decision can rest on it.".to_owned(),
            "회의가 정족수에 미달하여 의결할 수 없습니다.".to_owned(),
        ),
        T::DateOutOfRange { from, years } => both(
            format!("A term of {years} years from {from} falls outside the calendar."),
            format!("{from}부터 {years}년의 기간은 달력 범위를 벗어납니다."),
        ),
        T::ImportDates {
            issued,
            valid_until,
        } => both(
            format!(
                "An imported certificate issued on {issued} cannot be valid only until {valid_until}."
            ),
            format!(
                "{issued}에 발급된 인증서를 {valid_until}까지만 유효한 것으로 가져올 수 없습니다."
            ),
        ),
        T::FollowUpYear { year, max } => both(
            format!("Follow-up year {year} is outside 1 to {max}."),
            format!("사후평가 연차 {year}은(는) 1~{max} 범위를 벗어납니다."),
        ),
        T::FollowUpRepeated { year } => both(
            format!("The follow-up for year {year}, or a later one, is already recorded."),
            format!("{year}차 또는 그 이후 연차의 사후평가가 이미 기록되어 있습니다."),
        ),
        T::FollowUpTooEarly { year, earliest } => both(
            format!("The follow-up for year {year} cannot be held before {earliest}."),
            format!("{year}차 사후평가는 {earliest} 전에 할 수 없습니다."),
        ),
        T::FollowUpOutsideValidity { date, valid_until } => both(
            format!(
                "A follow-up dated {date} falls outside the certificate's validity (to {valid_until})."
            ),
            format!("{date}자 사후평가는 인증 유효기간({valid_until}까지)을 벗어납니다."),
        ),
        T::DocumentOnlyNotAllowed {
            service_type,
            year,
            allowed_types,
            allowed_years,
            from,
        } => both(
            format!(
                "A document-only follow-up is allowed only for {allowed_types} in years {allowed_years} from {from}; this is a {service_type} service in year {year}."
            ),
            format!(
                "서면 사후평가는 {from}부터 {allowed_types} 서비스의 {allowed_years}차에만 허용됩니다. 이 서비스는 {service_type}, {year}차입니다."
            ),
        ),
        T::HearingRequired { ground } => {
            let g = revocation_ground(*ground);
            both(
                format!(
                    "Revocation on the ground \"{}\" needs a prior hearing that established it (Act Art. 23-3).",
                    g.en
                ),
                format!(
                    "\"{}\" 사유로 취소하려면 그 사유를 인정한 청문이 먼저 있어야 합니다 (법 제23조의3).",
                    g.ko
                ),
            )
        }
        T::RevocationMandatory { event } => both(
            format!(
                "A hearing established fraud: the certificate must be revoked (Act Art. 23-3), so `{event}` is refused."
            ),
            format!(
                "청문에서 부정 취득이 인정되어 인증을 취소해야 하므로 (법 제23조의3) `{event}`은(는) 할 수 없습니다."
            ),
        ),
        T::RenewalTooLate { deadline, months } => both(
            format!(
                "Renewal must be applied for at least {months} months before expiry: the last day was {deadline}."
            ),
            format!(
                "갱신은 만료 {months}개월 전까지 신청해야 합니다. 마지막 신청일은 {deadline}이었습니다."
            ),
        ),
        T::RenewalPending { applied } => both(
            format!("A renewal application is already pending since {applied}."),
            format!("{applied}에 신청한 갱신이 이미 처리 중입니다."),
        ),
        T::NoRenewalPending => both(
            "No renewal application is pending.".to_owned(),
            "처리 중인 갱신 신청이 없습니다.".to_owned(),
        ),
        T::NotYetExpired { valid_until, date } => both(
            format!("The certificate is valid until {valid_until}; it cannot expire on {date}."),
            format!("인증은 {valid_until}까지 유효하므로 {date}에 만료 처리할 수 없습니다."),
        ),
        T::AlreadyExpired { valid_until } => both(
            format!("The certificate expired after {valid_until}; record the expiry instead."),
            format!("인증은 {valid_until}이 지나 만료되었습니다. 만료를 기록하십시오."),
        ),
    }
}

/// Why the host certificate named in an application cannot stand in it.
pub fn host_lookup(e: &HostLookupError) -> Text {
    match e {
        HostLookupError::Unknown { number } => both(
            format!("There is no certificate `{number}` in the registry."),
            format!("등록부에 인증서 `{number}`이(가) 없습니다."),
        ),
        HostLookupError::Untiered { number, issued } => both(
            format!(
                "Host certificate `{number}` was issued on {issued}, before CSAP had tiers, so it cannot carry a tiered SaaS or PaaS."
            ),
            format!(
                "기반 IaaS 인증 `{number}`은(는) 등급제 도입 전({issued})에 발급되어 등급이 있는 SaaS·PaaS를 받칠 수 없습니다."
            ),
        ),
    }
}

/// Why a sitting cannot be opened or a vote cast on it.
pub fn sitting(e: &SittingError) -> Text {
    match e {
        SittingError::NotUnderDeliberation { application, state } => {
            let s = state_name(*state);
            both(
                format!(
                    "Application `{application}` is {}, not under committee deliberation: no sitting can be opened.",
                    s.en
                ),
                format!(
                    "신청 `{application}`은(는) {} 상태로 위원회 심의 중이 아니어서 회의를 열 수 없습니다.",
                    s.ko
                ),
            )
        }
        SittingError::AlreadyOpen {
            application,
            sitting,
            date,
        } => both(
            format!(
                "Application `{application}` already has an open sitting, `{sitting}` of {date}: decide it first."
            ),
            format!(
                "신청 `{application}`에는 이미 열린 회의(`{sitting}`, {date})가 있습니다. 먼저 의결하십시오."
            ),
        ),
        SittingError::Decided { sitting, date } => both(
            format!("Sitting `{sitting}` of {date} is already decided."),
            format!("{date} 회의 `{sitting}`은(는) 이미 의결되었습니다."),
        ),
        SittingError::VoterNotPresent {
            member,
            sitting,
            date,
        } => both(
            format!(
                "`{member}` is not recorded as present at sitting `{sitting}` of {date} and may not vote."
            ),
            format!(
                "`{member}` 위원은 {date} 회의 `{sitting}`에 출석으로 기록되지 않아 표결할 수 없습니다."
            ),
        ),
        SittingError::VoteWithoutRationale { member } => both(
            format!("The vote of `{member}` needs a rationale."),
            format!("`{member}` 위원의 표결에는 사유가 있어야 합니다."),
        ),
    }
}

fn unmet(u: &Unmet) -> Text {
    match u {
        Unmet::DedicatedUnit => Text::new("a dedicated unit", "전담 조직"),
        Unmet::DedicatedExperts { have, need } => both(
            format!("at least {need} dedicated experts (has {have})"),
            format!("전담 전문인력 {need}명 이상 (현재 {have}명)"),
        ),
        Unmet::SecurityMeasures => Text::new("security measures", "보안 대책"),
        Unmet::FinancialCapacity => Text::new("financial capacity", "재정 능력"),
    }
}

/// Why the registry refused an agency event.
pub fn agency(e: &AgencyError) -> Text {
    use AgencyError as A;
    match e {
        A::NotAllowed { state, event } => {
            let ko_state = match *state {
                "designated" => "지정",
                "revoked" => "지정 취소",
                _ => "미지정",
            };
            both(
                format!("`{event}` is not allowed for an agency that is {state}."),
                format!("{ko_state} 상태인 기관에는 `{event}`을(를) 할 수 없습니다."),
            )
        }
        A::OutOfOrder { last, date } => both(
            format!("An event dated {date} cannot follow the last one, dated {last}."),
            format!("{date}자 처리는 마지막 처리일({last})보다 앞설 수 없습니다."),
        ),
        A::CriteriaNotMet { unmet: u } => {
            let list: Vec<Text> = u.iter().map(unmet).collect();
            both(
                format!(
                    "The designation criteria are not met (Decree Art. 15-10): {}.",
                    list.iter()
                        .map(|t| t.en.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                format!(
                    "지정 기준을 충족하지 못합니다 (시행령 제15조의10): {}.",
                    list.iter()
                        .map(|t| t.ko.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        }
        A::SuspensionTooLong { from, until } => both(
            format!(
                "A suspension may last at most one year: {from} to {until} is longer (Act Art. 23-4)."
            ),
            format!(
                "업무정지는 1년을 넘을 수 없습니다: {from}부터 {until}까지는 1년을 넘습니다 (법 제23조의4)."
            ),
        ),
        A::SuspensionEndsBeforeStart => both(
            "A suspension must end on or after the day it starts.".to_owned(),
            "업무정지 종료일은 시작일 이후여야 합니다.".to_owned(),
        ),
        A::AlreadySuspended { until } => both(
            format!("The agency is already suspended until {until}."),
            format!("이 기관은 이미 {until}까지 업무정지 중입니다."),
        ),
        A::NoWorkWhileSuspended => both(
            "Revocation for working while suspended needs work recorded during a suspension."
                .to_owned(),
            "업무정지 중 업무를 이유로 취소하려면 정지 기간 중의 업무가 기록되어 있어야 합니다."
                .to_owned(),
        ),
        A::RevocationMandatory { on } => both(
            format!(
                "The agency worked while suspended (on {on}): only revocation is possible (Act Art. 23-4)."
            ),
            format!(
                "이 기관은 업무정지 중({on})에 업무를 하여 지정 취소만 가능합니다 (법 제23조의4)."
            ),
        ),
        A::NotYetExpired { until, date } => both(
            format!("The designation runs until {until}; it cannot expire on {date}."),
            format!("지정은 {until}까지 유효하므로 {date}에 만료 처리할 수 없습니다."),
        ),
        A::DesignationEnded { until } => both(
            format!("The designation ended after {until}."),
            format!("지정 기간이 {until}에 끝났습니다."),
        ),
        A::Revoked => both(
            "The designation was revoked; re-designation after revocation is not modelled."
                .to_owned(),
            "지정이 취소된 기관으로, 취소 후 재지정은 다루지 않습니다.".to_owned(),
        ),
    }
}

fn affiliation(a: Affiliation) -> Text {
    let (en, ko) = match a {
        Affiliation::Industry => ("industry", "산업계"),
        Affiliation::Academia => ("academia", "학계"),
        Affiliation::ResearchInstitute => ("research institute", "연구기관"),
        Affiliation::MsitRecommendedOfficial => {
            ("MSIT-recommended official", "과기정통부 추천 공무원")
        }
    };
    Text::new(en, ko)
}

fn conflict(k: ConflictKind) -> Text {
    let (en, ko) = match k {
        ConflictKind::Employer => ("employer", "소속 기관"),
        ConflictKind::Competitor => ("competitor", "경쟁사"),
        ConflictKind::Consultant => ("consultant", "자문"),
    };
    Text::new(en, ko)
}

/// Why the registry's tally refused a sitting or its decision.
pub fn committee(e: &CommitteeError) -> Text {
    use CommitteeError as C;
    match e {
        C::WrongApplication { expected, got } => both(
            format!("The sitting is for application `{got}`, not `{expected}`."),
            format!("이 회의는 `{expected}`이(가) 아니라 `{got}` 신청에 대한 것입니다."),
        ),
        C::UnknownMember { member } => both(
            format!("`{member}` is not a member of the committee."),
            format!("`{member}`은(는) 위원회 위원이 아닙니다."),
        ),
        C::OutOfTerm { member, date } => both(
            format!("`{member}` is not in term on {date}."),
            format!("`{member}` 위원은 {date}에 임기 중이 아닙니다."),
        ),
        C::DuplicatePresence { member } => both(
            format!("`{member}` is listed as present twice."),
            format!("`{member}` 위원이 출석 명단에 두 번 있습니다."),
        ),
        C::NotPresent { member } => both(
            format!("`{member}` voted but is not recorded as present."),
            format!("`{member}` 위원은 출석하지 않았는데 표결했습니다."),
        ),
        C::DuplicateVote { member } => both(
            format!("`{member}` voted twice."),
            format!("`{member}` 위원이 두 번 표결했습니다."),
        ),
        C::RecusedMemberVoted { member, kind } => {
            let k = conflict(*kind);
            both(
                format!(
                    "`{member}` is recused ({} of the applicant) and may not vote.",
                    k.en
                ),
                format!(
                    "`{member}` 위원은 신청인과의 이해충돌({})로 회피 대상이어서 표결할 수 없습니다.",
                    k.ko
                ),
            )
        }
        C::MissingRationale { member } => both(
            format!("The vote of `{member}` has no rationale."),
            format!("`{member}` 위원의 표결에 사유가 없습니다."),
        ),
        C::NoQuorum {
            eligible,
            required,
            shortfalls,
        } => {
            let short: Vec<(Text, u32, u32)> = shortfalls
                .iter()
                .map(|(a, have, need)| (affiliation(*a), *have, *need))
                .collect();
            both(
                format!(
                    "No quorum: {eligible} eligible members present, {required} required{}.",
                    short
                        .iter()
                        .map(|(a, have, need)| format!("; {} {have} of {need}", a.en))
                        .collect::<String>()
                ),
                format!(
                    "정족수 미달: 회피 대상이 아닌 출석 위원 {eligible}명, 필요 {required}명{}.",
                    short
                        .iter()
                        .map(|(a, have, need)| format!("; {} {need}명 중 {have}명", a.ko))
                        .collect::<String>()
                ),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Date;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn refusals_carry_their_dates_in_both_languages() {
        let t = transition(&TransitionError::RenewalTooLate {
            deadline: d("2030-10-19"),
            months: 6,
        });
        assert!(t.en.contains("2030-10-19") && t.en.contains("6 months"));
        assert!(t.ko.contains("2030-10-19") && t.ko.contains("6개월"));
        let h = transition(&TransitionError::HearingRequired {
            ground: RevocationGround::Fraud,
        });
        assert!(h.en.contains("hearing") && h.ko.contains("청문"));
        let a = agency(&AgencyError::CriteriaNotMet {
            unmet: vec![Unmet::DedicatedExperts { have: 3, need: 4 }],
        });
        assert!(a.en.contains("at least 4") && a.en.contains("has 3"));
        assert!(a.ko.contains("4명") && a.ko.contains("3명"));
    }

    /// The apply form's host refusals and the committee's sitting refusals carry their ids and
    /// dates in both languages, and the Korean is Korean.
    #[test]
    fn host_and_sitting_refusals_carry_ids_and_dates_in_both_languages() {
        use crate::committee::{Choice, Sitting, Vote, may_open_sitting, may_vote};
        let untiered = host_lookup(&HostLookupError::Untiered {
            number: "CSAP-2022-IaaS-011".into(),
            issued: d("2022-06-01"),
        });
        for t in [&untiered.en, &untiered.ko] {
            assert!(
                t.contains("CSAP-2022-IaaS-011") && t.contains("2022-06-01"),
                "{t}"
            );
        }
        assert!(untiered.ko.contains("등급제"));
        let unknown = host_lookup(&HostLookupError::Unknown {
            number: "CSAP-X-1".into(),
        });
        assert!(unknown.en.contains("CSAP-X-1") && unknown.ko.contains("CSAP-X-1"));
        assert!(unknown.ko.contains("등록부"));

        let app = crate::ApplicationId::new("app-7");
        let e = may_open_sitting(&app, StateName::Submitted, None).unwrap_err();
        assert_eq!(e.code(), "not-under-deliberation");
        let t = sitting(&e);
        assert!(t.en.contains("app-7") && t.en.contains("submitted"));
        assert!(
            t.ko.contains("app-7") && t.ko.contains("신청 접수"),
            "{}",
            t.ko
        );
        let open = crate::DeliberationId::new("dl-1");
        let e = may_open_sitting(
            &app,
            StateName::Deliberation,
            Some((&open, d("2026-03-02"))),
        )
        .unwrap_err();
        assert_eq!(e.code(), "sitting-already-open");
        let t = sitting(&e);
        assert!(t.en.contains("dl-1") && t.en.contains("2026-03-02"));
        assert!(t.ko.contains("dl-1") && t.ko.contains("2026-03-02") && t.ko.contains("열린 회의"));
        assert_eq!(
            may_open_sitting(&app, StateName::Deliberation, None),
            Ok(())
        );

        let s = Sitting {
            id: open.clone(),
            application: app,
            date: d("2026-03-02"),
            present: vec!["m1".into()],
            votes: Vec::new(),
        };
        let vote = |member: &str, rationale: &str| Vote {
            member: member.into(),
            choice: Choice::Approve,
            rationale: rationale.into(),
        };
        assert_eq!(may_vote(&s, false, &vote("m1", "holds")), Ok(()));
        let e = may_vote(&s, false, &vote("m9", "holds")).unwrap_err();
        assert_eq!(e.code(), "voter-not-present");
        let t = sitting(&e);
        assert!(t.ko.contains("m9") && t.ko.contains("2026-03-02") && t.ko.contains("출석"));
        let e = may_vote(&s, false, &vote("m1", "  ")).unwrap_err();
        assert_eq!(e.code(), "vote-without-rationale");
        assert!(sitting(&e).ko.contains("사유"));
        let e = may_vote(&s, true, &vote("m1", "holds")).unwrap_err();
        assert_eq!(e.code(), "sitting-decided");
        let t = sitting(&e);
        assert!(t.en.contains("dl-1") && t.ko.contains("이미 의결"));
    }

    #[test]
    fn every_state_name_differs_between_languages() {
        for s in [
            StateName::Submitted,
            StateName::Certified,
            StateName::Revoked,
            StateName::Surrendered,
        ] {
            let t = state_name(s);
            assert_ne!(t.en, t.ko);
            assert!(!t.ko.is_ascii());
        }
    }
}
