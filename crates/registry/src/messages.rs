//! The Korean wording of the registry's refusals.
//!
//! The English wording is each error's `Display` (the `#[error]` attribute beside the variant);
//! the Korean is here, one `match` per error type, so a new variant does not compile until it
//! has both. Codes (`TransitionError::code`) and identifiers (`submitted`, `fraud`, regime and
//! certificate ids) stay as they are in both languages: they are what a client matches on and
//! what the records hold. Dates and numbers are filled in the same way as in English.

use kcvs_model::Text;

use crate::agency::{AgencyError, Unmet};
use crate::committee::{Affiliation, CommitteeError, ConflictKind};
use crate::lifecycle::TransitionError;

impl TransitionError {
    /// The refusal in Korean, with the same particulars as the English `Display`.
    pub fn ko(&self) -> String {
        use TransitionError as E;
        match self {
            E::NotAllowed { state, event } => {
                format!("`{state}` 상태에서는 `{event}`을(를) 할 수 없습니다")
            }
            E::OutOfOrder { last, date } => {
                format!("{date} 날짜의 사건이 마지막 사건({last})보다 앞섭니다")
            }
            E::UnknownRegime { regime } => {
                format!("`{regime}` 제도는 이 등록부가 인증하는 제도가 아닙니다")
            }
            E::RegimeNotBinding { regime, status } => {
                format!("`{regime}` 제도는 {status} 상태여서 신청을 받지 않습니다")
            }
            E::RegimeNotOpen { regime, opens } => {
                format!("`{regime}` 제도는 {opens}부터 신청을 받습니다")
            }
            E::RegimeClosed {
                regime,
                closed,
                successor,
            } => format!(
                "`{regime}` 제도는 {closed}에 신청 접수와 인증서 발급을 마쳤습니다{}",
                successor
                    .as_ref()
                    .map(|s| format!(": `{s}` 제도로 신청하십시오"))
                    .unwrap_or_default()
            ),
            E::UnknownTier {
                regime,
                tier,
                expected,
            } => format!(
                "`{tier}`은(는) `{regime}` 제도의 등급이 아닙니다 (가능한 등급: {expected})"
            ),
            E::HostRequired { service_type } => {
                format!("{service_type} 서비스는 이용하는 인증 IaaS를 밝혀야 합니다")
            }
            E::HostNotAllowed { service_type } => format!(
                "{service_type} 서비스는 다른 서비스 위에서 운영되지 않으므로 호스트 인증서를 빼야 합니다"
            ),
            E::HostNotValid { number, date } => {
                format!("호스트 인증서 `{number}`은(는) {date}에 유효하지 않습니다")
            }
            E::HostTierTooLow {
                number,
                regime,
                tier,
            } => format!(
                "호스트 인증서 `{number}`은(는) `{regime}` 제도에서 어느 등급으로도 인정되지 않거나 `{tier}` 등급보다 낮습니다 (SaaS나 PaaS는 이용하는 IaaS보다 높게 인정되지 않습니다)"
            ),
            E::DuplicateFinding { finding } => {
                format!("결함 `{finding}`은(는) 이미 기록되어 있습니다")
            }
            E::UnknownFinding { finding } => {
                format!("결함 `{finding}`은(는) 이 신청에 기록되어 있지 않습니다")
            }
            E::DeadlineInPast { due, date } => {
                format!("보완조치 기한 {due}이(가) 요청일 {date}보다 이릅니다")
            }
            E::RemediationAlreadyOpen { finding } => {
                format!("결함 `{finding}`에 대한 보완조치 요청이 이미 진행 중입니다")
            }
            E::NoOpenRemediation { finding } => {
                format!("결함 `{finding}`에 대해 진행 중인 보완조치 요청이 없습니다")
            }
            E::RemediationOpen { finding, due } => {
                format!("결함 `{finding}`의 보완조치(기한 {due})가 아직 재확인되지 않았습니다")
            }
            E::ResolutionMismatch { expected, got } => {
                format!("의결은 `{expected}`이(가) 아니라 `{got}` 신청에 대한 것입니다")
            }
            E::ResolutionAfterDecision { resolution, date } => {
                format!("의결일 {resolution}이(가) 결정일 {date}보다 늦습니다")
            }
            E::NoQuorum => {
                "심의가 의사정족수를 채우지 못해 이에 근거한 결정을 할 수 없습니다".to_owned()
            }
            E::DateOutOfRange { from, years } => {
                format!("{from}부터 {years}년의 유효기간이 달력 범위를 벗어납니다")
            }
            E::FollowUpYear { year, max } => {
                format!("사후평가 연차 {year}이(가) 1..={max} 범위를 벗어납니다")
            }
            E::FollowUpRepeated { year } => {
                format!("{year}차 사후평가가 이미 기록되었거나 그 이후 연차가 기록되었습니다")
            }
            E::FollowUpTooEarly { year, earliest } => {
                format!("{year}차 사후평가는 {earliest} 이전에 할 수 없습니다")
            }
            E::FollowUpOutsideValidity { date, valid_until } => {
                format!("{date} 날짜의 사후평가가 인증서 유효기간({valid_until}까지)을 벗어납니다")
            }
            E::DocumentOnlyNotAllowed {
                service_type,
                year,
                allowed_types,
                allowed_years,
                from,
            } => format!(
                "서면으로만 하는 사후평가는 {from}부터 {allowed_types} 서비스의 {allowed_years}차에만 허용됩니다. 이 신청은 {service_type} 서비스의 {year}차입니다"
            ),
            E::HearingRequired { ground } => format!(
                "`{}` 사유로 취소하려면 그 사유를 확인한 청문이 먼저 있어야 합니다 (법 제23조의3)",
                ground.as_str()
            ),
            E::RevocationMandatory { event } => format!(
                "청문에서 부정한 방법이 확인되어 인증을 반드시 취소해야 하므로 (법 제23조의3) `{event}`은(는) 거부됩니다"
            ),
            E::RenewalTooLate { deadline, months } => format!(
                "갱신은 만료 {months}개월 전까지 신청해야 합니다: 마지막 날은 {deadline}이었습니다"
            ),
            E::RenewalPending { applied } => {
                format!("{applied}에 낸 갱신 신청이 이미 처리 중입니다")
            }
            E::NoRenewalPending => "처리 중인 갱신 신청이 없습니다".to_owned(),
            E::NotYetExpired { valid_until, date } => {
                format!("인증서는 {valid_until}까지 유효하므로 {date}에 만료될 수 없습니다")
            }
            E::AlreadyExpired { valid_until } => {
                format!("인증서는 {valid_until} 이후 만료되었습니다. 만료를 기록하십시오")
            }
        }
    }

    /// The refusal in both languages.
    pub fn text(&self) -> Text {
        Text::new(self.to_string(), self.ko())
    }
}

fn unmet_ko(u: &Unmet) -> String {
    match u {
        Unmet::DedicatedUnit => "전담 조직".to_owned(),
        Unmet::DedicatedExperts { have, need } => {
            format!("전담 전문인력 {have}명 (필요 {need}명)")
        }
        Unmet::SecurityMeasures => "보안 대책".to_owned(),
        Unmet::FinancialCapacity => "재정 능력".to_owned(),
    }
}

impl AgencyError {
    /// The refusal in Korean, with the same particulars as the English `Display`.
    pub fn ko(&self) -> String {
        use AgencyError as E;
        match self {
            E::NotAllowed { state, event } => {
                format!("{state} 상태인 기관에는 `{event}`을(를) 할 수 없습니다")
            }
            E::OutOfOrder { last, date } => {
                format!("{date} 날짜의 사건이 {last}보다 앞섭니다")
            }
            E::CriteriaNotMet { unmet } => format!(
                "지정 요건을 갖추지 못했습니다 (시행령 제15조의10): {}",
                unmet.iter().map(unmet_ko).collect::<Vec<_>>().join(", ")
            ),
            E::SuspensionTooLong { from, until } => format!(
                "업무정지는 1년을 넘을 수 없습니다: {from}부터 {until}까지는 더 깁니다 (법 제23조의4)"
            ),
            E::SuspensionEndsBeforeStart => "업무정지는 시작일 이후에 끝나야 합니다".to_owned(),
            E::AlreadySuspended { until } => {
                format!("기관은 이미 {until}까지 업무정지 중입니다")
            }
            E::NoWorkWhileSuspended => {
                "업무정지 중 업무 수행을 이유로 취소하려면 정지 기간의 업무 기록이 있어야 합니다"
                    .to_owned()
            }
            E::RevocationMandatory { on } => format!(
                "필수 취소 사유가 기록되어 있어 ({on} 업무정지 중 업무 수행) 지정 취소만 할 수 있습니다"
            ),
            E::NotYetExpired { until, date } => {
                format!("지정은 {until}까지이므로 {date}에 만료될 수 없습니다")
            }
            E::DesignationEnded { until } => format!("지정이 {until} 이후 끝났습니다"),
            E::Revoked => "지정이 취소되었습니다. 취소 후 재지정은 다루지 않습니다".to_owned(),
        }
    }

    /// The refusal in both languages.
    pub fn text(&self) -> Text {
        Text::new(self.to_string(), self.ko())
    }
}

fn affiliation_ko(a: Affiliation) -> &'static str {
    match a {
        Affiliation::Industry => "산업계",
        Affiliation::Academia => "학계",
        Affiliation::ResearchInstitute => "연구기관",
        Affiliation::MsitRecommendedOfficial => "과기정통부 추천 공무원",
    }
}

fn conflict_ko(k: ConflictKind) -> &'static str {
    match k {
        ConflictKind::Employer => "신청인 소속",
        ConflictKind::Competitor => "신청인의 경쟁사 소속",
        ConflictKind::Consultant => "신청인 자문",
    }
}

impl CommitteeError {
    /// The refusal in Korean, with the same particulars as the English `Display`.
    pub fn ko(&self) -> String {
        use CommitteeError as E;
        match self {
            E::WrongApplication { expected, got } => {
                format!("이 회의는 `{expected}`이(가) 아니라 `{got}` 신청에 대한 것입니다")
            }
            E::UnknownMember { member } => format!("`{member}`은(는) 위원회 위원이 아닙니다"),
            E::OutOfTerm { member, date } => {
                format!("`{member}`은(는) {date}에 임기 중이 아닙니다")
            }
            E::DuplicatePresence { member } => {
                format!("`{member}`이(가) 출석자로 두 번 기록되었습니다")
            }
            E::NotPresent { member } => {
                format!("`{member}`이(가) 투표했지만 출석으로 기록되어 있지 않습니다")
            }
            E::DuplicateVote { member } => format!("`{member}`이(가) 두 번 투표했습니다"),
            E::RecusedMemberVoted { member, kind } => format!(
                "`{member}`은(는) 제척 대상({})이므로 투표할 수 없습니다",
                conflict_ko(*kind)
            ),
            E::MissingRationale { member } => {
                format!("`{member}`의 투표에 사유가 없습니다")
            }
            E::NoQuorum {
                eligible,
                required,
                shortfalls,
            } => format!(
                "의사정족수 미달: 투표 가능한 출석 위원 {eligible}명, 필요 {required}명{}",
                shortfalls
                    .iter()
                    .map(|(a, have, need)| format!("; {} {need}명 중 {have}명", affiliation_ko(*a)))
                    .collect::<String>()
            ),
        }
    }

    /// The refusal in both languages.
    pub fn text(&self) -> Text {
        Text::new(self.to_string(), self.ko())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::StateName;

    fn hangul(s: &str) -> bool {
        s.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c))
    }

    #[test]
    fn korean_refusals_keep_the_particulars() {
        let d = |s: &str| s.parse::<crate::Date>().unwrap();
        let t = TransitionError::RenewalTooLate {
            deadline: d("2026-05-31"),
            months: 6,
        };
        assert!(hangul(&t.ko()), "{}", t.ko());
        assert!(t.ko().contains("2026-05-31") && t.ko().contains('6'));
        assert!(t.to_string().contains("2026-05-31"));
        let t = TransitionError::NotAllowed {
            state: StateName::Certified,
            event: "withdraw",
        };
        assert_eq!(
            t.ko(),
            "`certified` 상태에서는 `withdraw`을(를) 할 수 없습니다"
        );
        assert_eq!(t.text().en, t.to_string());
        let a = AgencyError::CriteriaNotMet {
            unmet: vec![Unmet::DedicatedExperts { have: 3, need: 4 }],
        };
        assert!(
            a.ko().contains("3명") && a.ko().contains("4명"),
            "{}",
            a.ko()
        );
        let c = CommitteeError::NoQuorum {
            eligible: 2,
            required: 5,
            shortfalls: vec![(Affiliation::Academia, 0, 1)],
        };
        assert!(c.ko().contains("학계 1명 중 0명"), "{}", c.ko());
        assert!(hangul(&c.text().ko) && !hangul(&c.text().en));
    }
}
