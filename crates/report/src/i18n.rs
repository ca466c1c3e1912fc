/*!
Bilingual labels.

Every user-facing word a report prints is written here or at its use site as an [`L`] (or through
[`t`]), which takes the English and the Korean together. There is no constructor that takes one
language, so a label cannot exist in one language only. Content text (rule titles, summaries)
arrives as [`kcvs_model::Text`], which has the same property.

Labels of the closed vocabularies (regime status, requirement kinds, data categories, …) live
here so every command, today's and the decision commands to come, names them the same way.
*/

use kcvs_model::{
    Confidence, DataCategory, EntryKind, Lang, RegimeKind, RegimeStatus, Relation, RequirementKind,
    ServiceModel, Text,
};

/// A label in both languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct L {
    pub en: &'static str,
    pub ko: &'static str,
}

impl L {
    /// Both languages, always.
    pub const fn new(en: &'static str, ko: &'static str) -> Self {
        Self { en, ko }
    }

    pub fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Ko => self.ko,
        }
    }

    /// As owned bilingual text, for JSON or for [`Text`]-shaped fields.
    pub fn text(self) -> Text {
        Text::new(self.en, self.ko)
    }
}

/// Pick one of two spellings written side by side at the call site.
pub fn t(lang: Lang, en: &'static str, ko: &'static str) -> &'static str {
    L::new(en, ko).get(lang)
}

/// Like [`t`] for formatted sentences: both arguments are already formatted strings.
pub fn tf(lang: Lang, en: String, ko: String) -> String {
    match lang {
        Lang::En => en,
        Lang::Ko => ko,
    }
}

/// The language a `--lang` value or `KCVS_LANG` names (`en`, `ko`, and common variants).
pub fn parse_lang(s: &str) -> Option<Lang> {
    let s = s.trim().to_ascii_lowercase();
    let base = s.split(['-', '_', '.']).next().unwrap_or("");
    match base {
        "en" => Some(Lang::En),
        "ko" | "kr" => Some(Lang::Ko),
        _ => None,
    }
}

/// The language code, as written in `<html lang>`.
pub fn lang_code(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "en",
        Lang::Ko => "ko",
    }
}

/// Labels shared by several views.
pub mod labels {
    use super::L;

    pub const ID: L = L::new("ID", "ID");
    pub const NAME: L = L::new("Name", "이름");
    pub const TITLE: L = L::new("Title", "제목");
    pub const STATUS: L = L::new("Status", "상태");
    pub const KIND: L = L::new("Kind", "종류");
    pub const VERSION: L = L::new("Version", "버전");
    pub const SUMMARY: L = L::new("Summary", "요약");
    pub const EFFECTIVE_FROM: L = L::new("Effective from", "시행일");
    pub const EFFECTIVE_UNTIL: L = L::new("Effective until", "종료일");
    pub const TIERS: L = L::new("Tiers", "등급");
    pub const TIER: L = L::new("Tier", "등급");
    pub const CONFIDENCE: L = L::new("Confidence", "신뢰도");
    pub const FACTS: L = L::new("Facts section", "근거 절");
    pub const SOURCES: L = L::new("Sources", "출처");
    pub const NOTE: L = L::new("Note", "참고");
    pub const WARNING: L = L::new("Warning", "주의");
    pub const ASSUMPTION: L = L::new("Assumption", "가정");
    pub const ASSUMPTIONS: L = L::new("Assumptions", "가정");
    pub const VALUE: L = L::new("Value", "값");
    pub const DEFAULT: L = L::new("Default", "기본값");
    pub const OVERRIDDEN: L = L::new("Overridden", "변경됨");
    pub const YES: L = L::new("yes", "예");
    pub const NO: L = L::new("no", "아니요");
    pub const NONE: L = L::new("none", "없음");
    pub const ALL_TIERS: L = L::new("all", "전체");
    pub const URL: L = L::new("URL", "URL");
    pub const FROM: L = L::new("From", "시작");
    pub const UNTIL: L = L::new("Until", "종료");
    pub const CATALOG: L = L::new("Catalog", "통제 목록");
    pub const ENTRIES: L = L::new("Entries", "항목 수");
    pub const COUNT: L = L::new("Count", "개수");
}

/// `yes` / `no` in the chosen language.
pub fn yes_no(lang: Lang, b: bool) -> &'static str {
    if b {
        labels::YES.get(lang)
    } else {
        labels::NO.get(lang)
    }
}

pub fn regime_status(s: RegimeStatus) -> L {
    match s {
        RegimeStatus::InForce => L::new("in force", "시행 중"),
        RegimeStatus::Announced => L::new("announced", "발표됨"),
        RegimeStatus::Proposed => L::new("proposed", "제안됨"),
        RegimeStatus::Scenario => L::new("scenario", "시나리오"),
    }
}

pub fn regime_kind(k: RegimeKind) -> L {
    match k {
        RegimeKind::Scheme => L::new("certification scheme", "인증 제도"),
        RegimeKind::Grading => L::new("grading only", "등급 분류 전용"),
        RegimeKind::Overlay => L::new("sector overlay", "분야별 규제"),
        RegimeKind::Amendment => L::new("amendment", "개정"),
    }
}

pub fn confidence(c: Confidence) -> L {
    match c {
        Confidence::Confirmed => L::new("confirmed", "확인됨"),
        Confidence::Inferred => L::new("inferred", "추정"),
        Confidence::Unknown => L::new("unknown", "미확인"),
    }
}

pub fn requirement_kind(k: RequirementKind) -> L {
    match k {
        RequirementKind::DataInKorea => L::new("data stored in Korea", "데이터 국내 보관"),
        RequirementKind::ManagementInKorea => {
            L::new("management systems in Korea", "관리 시스템 국내 위치")
        }
        RequirementKind::BackupsInKorea => L::new("backups kept in Korea", "백업 국내 보관"),
        RequirementKind::PersonnelInKorea => {
            L::new("operations staff in Korea", "운영 인력 국내 상주")
        }
        RequirementKind::PhysicalSeparation => L::new("physical separation", "물리적 망 분리"),
        RequirementKind::KoreanCrypto => L::new(
            "KCMVP-validated Korean cryptography",
            "검증필 국산 암호(KCMVP)",
        ),
        RequirementKind::CcCertifiedProducts => {
            L::new("CC-certified security products", "CC 인증 보안 제품")
        }
        RequirementKind::CertifiedIaas => {
            L::new("runs on a certified IaaS", "인증받은 IaaS 위 운영")
        }
        RequirementKind::DoubleEncryption => L::new("double encryption", "이중 암호화"),
        RequirementKind::NoForeignAccess => L::new("no access from abroad", "국외 접근 금지"),
        RequirementKind::FsiPrescreened => L::new(
            "prescreened by the Financial Security Institute",
            "금융보안원 사전 점검",
        ),
        RequirementKind::TransferGround => {
            L::new("lawful ground for transfer abroad", "국외 이전 법적 근거")
        }
    }
}

pub fn data_category(c: DataCategory) -> L {
    match c {
        DataCategory::PublicOpen => L::new("public open data", "공개 데이터"),
        DataCategory::NonPublic => L::new("non-public data", "비공개 데이터"),
        DataCategory::InternalAdministrative => {
            L::new("internal administrative data", "내부 행정 데이터")
        }
        DataCategory::Personal => L::new("personal data", "개인정보"),
        DataCategory::SensitivePersonal => L::new("sensitive personal data", "민감정보"),
        DataCategory::UniqueIdentifier => L::new("unique identifiers", "고유식별정보"),
        DataCategory::Credit => L::new("credit information", "신용정보"),
        DataCategory::MedicalRecord => L::new("medical records", "전자의무기록"),
        DataCategory::Classified => L::new("classified information", "비밀"),
        DataCategory::NationalSecurity => L::new("national security", "국가안보"),
        DataCategory::Diplomacy => L::new("diplomacy", "외교"),
        DataCategory::Investigation => L::new("criminal investigation", "수사"),
        DataCategory::Trial => L::new("trials", "재판"),
        DataCategory::NationalCoreTechnology => L::new("national core technology", "국가핵심기술"),
    }
}

pub fn service_model(m: ServiceModel) -> L {
    match m {
        ServiceModel::Iaas => L::new("IaaS", "IaaS"),
        ServiceModel::Paas => L::new("PaaS", "PaaS"),
        ServiceModel::Saas => L::new("SaaS", "SaaS"),
        ServiceModel::Daas => L::new("DaaS", "DaaS"),
    }
}

pub fn relation(r: Relation) -> L {
    match r {
        Relation::Equal => L::new("equal", "동일"),
        Relation::Subset => L::new("subset (fully covered)", "부분집합(전부 포괄)"),
        Relation::Superset => L::new("superset (partly covered)", "상위집합(일부 포괄)"),
        Relation::Intersect => L::new("intersect (partly covered)", "교집합(일부 포괄)"),
    }
}

pub fn entry_kind(k: EntryKind) -> L {
    match k {
        EntryKind::Area => L::new("area", "분야"),
        EntryKind::Group => L::new("group", "세부 분야"),
        EntryKind::Control => L::new("control", "항목"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_closed_label_has_both_languages() {
        let all: Vec<L> = RequirementKind::ALL
            .iter()
            .map(|k| requirement_kind(*k))
            .chain(DataCategory::ALL.iter().map(|c| data_category(*c)))
            .chain(RegimeStatus::ALL.iter().map(|s| regime_status(*s)))
            .chain(Relation::ALL.iter().map(|r| relation(*r)))
            .collect();
        for l in all {
            assert!(!l.en.is_empty() && !l.ko.is_empty(), "{l:?}");
        }
    }

    #[test]
    fn lang_spellings() {
        assert_eq!(parse_lang("ko"), Some(Lang::Ko));
        assert_eq!(parse_lang("ko_KR.UTF-8"), Some(Lang::Ko));
        assert_eq!(parse_lang("EN"), Some(Lang::En));
        assert_eq!(parse_lang("fr"), None);
    }
}
