//! Why an input could not be read: always with the file, and a 1-based line and column where
//! the input has them.

use kcvs_model::Lang;

/// One input error. `line` and `column` are 1-based; 0 means the position is not known (an IO
/// error, an empty file).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {}", kind.message(Lang::En))]
pub struct ScanError {
    pub file: String,
    pub line: u64,
    pub column: u64,
    pub kind: ScanErrorKind,
}

impl ScanError {
    pub fn new(file: &str, line: u64, column: u64, kind: ScanErrorKind) -> Self {
        Self {
            file: file.to_owned(),
            line,
            column,
            kind,
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        self.kind.message(lang)
    }

    /// A further hint for the user, if there is one.
    pub fn help(&self, lang: Lang) -> Option<String> {
        self.kind.help(lang)
    }
}

/// What went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScanErrorKind {
    /// Not well-formed JSON (or CSV); serde_json's (or csv's) description.
    Syntax(String),
    /// The file ends in the middle of a value.
    Truncated(String),
    /// The document is JSON but not of the expected shape; what was expected.
    Shape(String),
    /// `format_version` has a major version other than 1.
    FormatVersion(String),
    /// No `format_version` at the top level.
    NoFormatVersion,
    /// `terraform show -json` of a state, not of a plan.
    StateNotPlan,
    /// A raw `terraform.tfstate` file.
    RawState,
    /// A binary plan file from `terraform plan -out` (a zip archive).
    BinaryPlan,
    /// Compressed or other binary data.
    Binary(String),
    /// An empty file.
    Empty,
    /// A waiver or inventory row with a bad value: what was wrong, in English and Korean.
    Invalid { en: String, ko: String },
    /// Reading the file failed.
    Io(String),
}

impl ScanErrorKind {
    pub fn message(&self, lang: Lang) -> String {
        let (en, ko) = match self {
            ScanErrorKind::Syntax(m) => {
                (format!("invalid JSON: {m}"), format!("JSON 형식 오류: {m}"))
            }
            ScanErrorKind::Truncated(m) => (
                format!("the file ends too early (truncated?): {m}"),
                format!("파일이 중간에 끝납니다(잘렸을 수 있음): {m}"),
            ),
            ScanErrorKind::Shape(m) => (
                format!("not a Terraform plan: {m}"),
                format!("Terraform 플랜이 아닙니다: {m}"),
            ),
            ScanErrorKind::FormatVersion(v) => (
                format!("unsupported plan format_version `{v}`: expected 1.x"),
                format!("지원하지 않는 플랜 format_version `{v}`: 1.x여야 합니다"),
            ),
            ScanErrorKind::NoFormatVersion => (
                "not a Terraform plan: no `format_version` at the top level".to_owned(),
                "Terraform 플랜이 아닙니다: 최상위에 `format_version`이 없습니다".to_owned(),
            ),
            ScanErrorKind::StateNotPlan => (
                "this is Terraform state JSON (it has `values`), not a plan".to_owned(),
                "Terraform 상태(state) JSON입니다(`values` 있음). 플랜이 아닙니다".to_owned(),
            ),
            ScanErrorKind::RawState => (
                "this is a raw Terraform state file (terraform.tfstate), not a plan".to_owned(),
                "Terraform 상태 파일(terraform.tfstate)입니다. 플랜이 아닙니다".to_owned(),
            ),
            ScanErrorKind::BinaryPlan => (
                "this is a binary plan file from `terraform plan -out`, not plan JSON".to_owned(),
                "`terraform plan -out`으로 만든 바이너리 플랜 파일입니다. 플랜 JSON이 아닙니다"
                    .to_owned(),
            ),
            ScanErrorKind::Binary(what) => (
                format!("binary data, not JSON: {what}"),
                format!("JSON이 아닌 바이너리 데이터입니다: {what}"),
            ),
            ScanErrorKind::Empty => (
                "the file is empty".to_owned(),
                "파일이 비어 있습니다".to_owned(),
            ),
            ScanErrorKind::Invalid { en, ko } => (en.clone(), ko.clone()),
            ScanErrorKind::Io(m) => (
                format!("cannot read: {m}"),
                format!("읽을 수 없습니다: {m}"),
            ),
        };
        match lang {
            Lang::En => en,
            Lang::Ko => ko,
        }
    }

    pub fn help(&self, lang: Lang) -> Option<String> {
        let (en, ko) = match self {
            ScanErrorKind::StateNotPlan | ScanErrorKind::RawState | ScanErrorKind::BinaryPlan => (
                "write the plan JSON with `terraform plan -out=plan.out && terraform show -json plan.out > plan.json`",
                "`terraform plan -out=plan.out && terraform show -json plan.out > plan.json`으로 플랜 JSON을 만드십시오",
            ),
            ScanErrorKind::FormatVersion(_) => (
                "kcvs reads the JSON output format 1.x of Terraform and OpenTofu",
                "kcvs는 Terraform과 OpenTofu의 JSON 출력 형식 1.x를 읽습니다",
            ),
            ScanErrorKind::Truncated(_) => (
                "the file may have been cut off while writing or copying; produce it again",
                "쓰거나 복사하는 중에 잘렸을 수 있습니다. 다시 만드십시오",
            ),
            _ => return None,
        };
        Some(match lang {
            Lang::En => en.to_owned(),
            Lang::Ko => ko.to_owned(),
        })
    }
}

/// A serde_json error, with its position, as a [`ScanError`].
pub(crate) fn from_json(file: &str, e: &serde_json::Error) -> ScanError {
    let msg = strip_position(&e.to_string());
    let kind = if e.is_eof() {
        ScanErrorKind::Truncated(msg)
    } else if e.is_data() {
        // Our own visitors raise shape errors through `de::Error::custom` with a marker.
        decode_custom(&msg).unwrap_or(ScanErrorKind::Shape(msg))
    } else {
        ScanErrorKind::Syntax(msg)
    };
    ScanError::new(file, e.line() as u64, e.column() as u64, kind)
}

/// serde_json appends " at line L column C"; we print the position ourselves.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg.get(..i).unwrap_or(msg).to_owned(),
        None => msg.to_owned(),
    }
}

pub(crate) const MARK_STATE: &str = "\u{1}state";
pub(crate) const MARK_RAW_STATE: &str = "\u{1}raw-state";
pub(crate) const MARK_VERSION: &str = "\u{1}version:";
/// A kept map key that is not UTF-8 (the plan reader reads keys as bytes): serde_json's own
/// syntax error for such a string.
pub(crate) const MARK_UNICODE: &str = "\u{1}unicode";

fn decode_custom(msg: &str) -> Option<ScanErrorKind> {
    if msg == MARK_STATE {
        Some(ScanErrorKind::StateNotPlan)
    } else if msg == MARK_RAW_STATE {
        Some(ScanErrorKind::RawState)
    } else if msg == MARK_UNICODE {
        Some(ScanErrorKind::Syntax(
            "invalid unicode code point".to_owned(),
        ))
    } else {
        msg.strip_prefix(MARK_VERSION)
            .map(|v| ScanErrorKind::FormatVersion(v.to_owned()))
    }
}
