//! Load errors: every one names the file, line and column and says what was expected, in English
//! and Korean.

use kcvs_model::Lang;

/// The kind of thing an error is about, with its name in both languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum What {
    FileKind,
    DataCategory,
    InstitutionKind,
    Sector,
    ServiceModel,
    ServiceType,
    Separation,
    Location,
    Country,
    Algorithm,
    ModuleProgram,
    Date,
    CertificateStatus,
    CertificateDates,
    ControlStatus,
    TransferGround,
    Regime,
    RegimeStatus,
    RegimeKind,
    Requirement,
    Rule,
    Tier,
    Scheme,
    Source,
    Assumption,
    AssumptionType,
    AssumptionValue,
    Confidence,
    Catalog,
    CatalogEntry,
    EntryLevel,
    Relation,
    Crosswalk,
    Service,
    System,
}

impl What {
    pub fn label(self, lang: Lang) -> &'static str {
        use What::*;
        let (en, ko) = match self {
            FileKind => ("file kind", "파일 종류"),
            DataCategory => ("data category", "데이터 범주"),
            InstitutionKind => ("institution kind", "기관 유형"),
            Sector => ("sector", "분야"),
            ServiceModel => ("service model", "서비스 모델"),
            ServiceType => ("service type", "서비스 유형"),
            Separation => ("separation", "분리 방식"),
            Location => ("location", "위치"),
            Country => ("country code", "국가 코드"),
            Algorithm => ("algorithm", "암호 알고리즘"),
            ModuleProgram => ("module validation programme", "암호모듈 검증제도"),
            Date => ("date", "날짜"),
            CertificateStatus => ("certificate status", "인증서 상태"),
            CertificateDates => ("certificate dates", "인증서 유효기간"),
            ControlStatus => ("control status", "통제 이행 상태"),
            TransferGround => ("transfer ground", "국외 이전 근거"),
            Regime => ("regime", "제도"),
            RegimeStatus => ("regime status", "제도 상태"),
            RegimeKind => ("regime kind", "제도 종류"),
            Requirement => ("requirement", "요구사항"),
            Rule => ("rule", "규칙"),
            Tier => ("tier", "등급"),
            Scheme => ("certification scheme", "인증 제도"),
            Source => ("source", "출처"),
            Assumption => ("assumption", "가정"),
            AssumptionType => ("assumption type", "가정 유형"),
            AssumptionValue => ("assumption value", "가정 값"),
            Confidence => ("confidence mark", "신뢰도 표시"),
            Catalog => ("catalog", "통제 목록"),
            CatalogEntry => ("catalog entry", "통제 항목"),
            EntryLevel => ("entry level", "항목 수준"),
            Relation => ("crosswalk relation", "매핑 관계"),
            Crosswalk => ("crosswalk", "매핑"),
            Service => ("service", "서비스"),
            System => ("system", "시스템"),
        };
        match lang {
            Lang::En => en,
            Lang::Ko => ko,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadErrorKind {
    /// The file could not be read.
    Io(String),
    /// The parser rejected the text (bad YAML/JSON, wrong type, unknown field).
    Syntax(String),
    /// A spelling or id that is not among the known ones.
    Unknown {
        what: What,
        value: String,
        expected: Vec<String>,
    },
    /// A value of the wrong form.
    Invalid {
        what: What,
        value: String,
        expected: &'static str,
        expected_ko: &'static str,
    },
    Duplicate {
        what: What,
        id: String,
    },
    /// A reference cycle (`extends`, catalog parents).
    Cycle {
        what: What,
        id: String,
    },
}

/// One error in one file, at a line and column (1-based; 0 when the position is unknown, as for
/// a file that cannot be read).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    pub file: String,
    pub line: u64,
    pub column: u64,
    pub kind: LoadErrorKind,
}

impl LoadError {
    /// The message, lowercase and without a final period (STYLE.md).
    pub fn message(&self, lang: Lang) -> String {
        const LIST_MAX: usize = 40;
        let list = |expected: &[String]| {
            let mut shown: Vec<String> = expected
                .iter()
                .take(LIST_MAX)
                .map(|e| format!("`{e}`"))
                .collect();
            if expected.len() > LIST_MAX {
                shown.push("…".to_owned());
            }
            shown.join(", ")
        };
        match (&self.kind, lang) {
            (LoadErrorKind::Io(e), Lang::En) => format!("cannot read the file: {e}"),
            (LoadErrorKind::Io(e), Lang::Ko) => format!("파일을 읽을 수 없습니다: {e}"),
            (LoadErrorKind::Syntax(e), Lang::En) => format!("invalid document: {e}"),
            (LoadErrorKind::Syntax(e), Lang::Ko) => format!("문서 형식 오류: {e}"),
            (
                LoadErrorKind::Unknown {
                    what,
                    value,
                    expected,
                },
                Lang::En,
            ) => {
                if expected.is_empty() {
                    format!("unknown {} `{value}`", what.label(lang))
                } else {
                    format!(
                        "unknown {} `{value}`: expected one of {}",
                        what.label(lang),
                        list(expected)
                    )
                }
            }
            (
                LoadErrorKind::Unknown {
                    what,
                    value,
                    expected,
                },
                Lang::Ko,
            ) => {
                if expected.is_empty() {
                    format!("알 수 없는 {} `{value}`", what.label(lang))
                } else {
                    format!(
                        "알 수 없는 {} `{value}`: 다음 중 하나여야 합니다: {}",
                        what.label(lang),
                        list(expected)
                    )
                }
            }
            (
                LoadErrorKind::Invalid {
                    what,
                    value,
                    expected,
                    ..
                },
                Lang::En,
            ) => format!(
                "invalid {} `{value}`: expected {expected}",
                what.label(lang)
            ),
            (
                LoadErrorKind::Invalid {
                    what,
                    value,
                    expected_ko,
                    ..
                },
                Lang::Ko,
            ) => format!(
                "잘못된 {} `{value}`: {expected_ko} 형식이어야 합니다",
                what.label(lang)
            ),
            (LoadErrorKind::Duplicate { what, id }, Lang::En) => {
                format!("duplicate {} `{id}`", what.label(lang))
            }
            (LoadErrorKind::Duplicate { what, id }, Lang::Ko) => {
                format!("중복된 {} `{id}`", what.label(lang))
            }
            (LoadErrorKind::Cycle { what, id }, Lang::En) => {
                format!(
                    "{} `{id}` refers to itself through a cycle",
                    what.label(lang)
                )
            }
            (LoadErrorKind::Cycle { what, id }, Lang::Ko) => {
                format!("{} `{id}`이(가) 순환 참조를 이룹니다", what.label(lang))
            }
        }
    }
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file,
            self.line,
            self.column,
            self.message(Lang::En)
        )
    }
}

impl std::error::Error for LoadError {}

/// All errors found in one load, in file order. Loading goes on past the first error so a user
/// fixes a pack in one pass.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} error(s) in content", .0.len())]
pub struct LoadErrors(pub Vec<LoadError>);
