//! A baseline: an earlier scan's results, so CI can fail on what is new and let what was already
//! there stand (Checkov's `--baseline`, SARIF's `baselineState`).
//!
//! The baseline is the JSON `kcvs scan --format json` wrote. A result of this scan is
//! *unchanged* when the baseline holds a failing or unknown result with the same key, and *new*
//! otherwise; a baseline result no longer met is *absent* (fixed, or its resource gone). The key
//! is the check and the resource address for a built-in check, whose reason text may change with
//! the wording or `--lang`; for a Rego result it is the package, the address and the message,
//! since one package may say several things of one resource. Like a waiver, a baseline never
//! changes a result's status: it only takes unchanged results out of what `--fail-on` counts.

use std::collections::HashSet;

use serde::Deserialize;

use crate::checks::{Finding, Status};
use crate::error::from_json;
use crate::rego::PolicyResults;
use crate::{ScanError, ScanErrorKind};

/// Where a result stands against the baseline (two of SARIF's `baselineState` values; the third
/// kcvs uses, `absent`, has no result of this scan to stand on and is only counted).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BaselineState {
    New,
    Unchanged,
}

impl BaselineState {
    pub fn as_str(self) -> &'static str {
        match self {
            BaselineState::New => "new",
            BaselineState::Unchanged => "unchanged",
        }
    }
}

/// The failing and unknown results of an earlier scan, by key.
#[derive(Clone, Debug, Default)]
pub struct Baseline {
    /// (check, address) of built-in results.
    checks: HashSet<(String, String)>,
    /// (`rego:<package>`, address, message) of Rego results.
    policies: HashSet<(String, String, String)>,
}

/// How this scan's results compare with the baseline.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BaselineCounts {
    pub new: usize,
    pub unchanged: usize,
    pub absent: usize,
}

#[derive(Deserialize)]
struct Doc {
    kind: String,
    findings: Vec<DocFinding>,
}

#[derive(Deserialize)]
struct DocFinding {
    check: String,
    address: String,
    status: String,
    #[serde(default)]
    reason: String,
}

impl Baseline {
    /// Read the JSON of an earlier `kcvs scan --format json`; `file` names it in errors.
    pub fn read(text: &str, file: &str) -> Result<Baseline, ScanError> {
        let doc: Doc = serde_json::from_str(text).map_err(|e| {
            let mut err = from_json(file, &e);
            if e.is_data() {
                let m = err.kind.message(kcvs_model::Lang::En);
                err.kind = ScanErrorKind::Invalid {
                    en: format!("not the JSON of `kcvs scan --format json`: {m}"),
                    ko: format!("`kcvs scan --format json`의 JSON이 아닙니다: {m}"),
                };
            }
            err
        })?;
        if doc.kind != "scan" {
            return Err(ScanError::new(
                file,
                1,
                1,
                ScanErrorKind::Invalid {
                    en: format!(
                        "a baseline is the JSON of `kcvs scan --format json` (`\"kind\": \"scan\"`), not `{}`",
                        doc.kind
                    ),
                    ko: format!(
                        "기준선은 `kcvs scan --format json`의 JSON(`\"kind\": \"scan\"`)이어야 합니다. `{}`이(가) 아닙니다",
                        doc.kind
                    ),
                },
            ));
        }
        let mut b = Baseline::default();
        for f in doc.findings.into_iter().filter(|f| f.status != "pass") {
            if f.check.starts_with("rego:") {
                b.policies.insert((f.check, f.address, f.reason));
            } else {
                b.checks.insert((f.check, f.address));
            }
        }
        Ok(b)
    }

    /// Mark every failing or unknown result of this scan new or unchanged, and count them and the
    /// baseline's results no longer met.
    pub fn mark(
        &self,
        findings: &mut [Finding],
        policies: Option<&mut PolicyResults>,
    ) -> BaselineCounts {
        let mut counts = BaselineCounts::default();
        // The baseline keys this scan met, each once (a key met twice is still one result held).
        let mut met: HashSet<(String, String, String)> = HashSet::new();
        let mut mark = |key: (String, String, String), held: bool| {
            if held {
                counts.unchanged += 1;
                met.insert(key);
                BaselineState::Unchanged
            } else {
                counts.new += 1;
                BaselineState::New
            }
        };
        for f in findings.iter_mut().filter(|f| f.status != Status::Pass) {
            let key = (
                f.check.as_str().to_owned(),
                f.address.clone(),
                String::new(),
            );
            let held = self.checks.contains(&(key.0.clone(), key.1.clone()));
            f.baseline = Some(mark(key, held));
        }
        for f in policies.into_iter().flat_map(|p| p.findings.iter_mut()) {
            let key = (
                format!("rego:{}", f.package),
                f.address.clone().unwrap_or_else(|| "*".to_owned()),
                f.message.clone(),
            );
            let held = self.policies.contains(&key);
            f.baseline = Some(mark(key, held));
        }
        counts.absent = self.checks.len() + self.policies.len() - met.len();
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_baselines_are_named_with_a_position() {
        let e = Baseline::read("{\"kind\": \"scan\",\n \"findings\": [", "b.json").unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("b.json", 2));
        assert!(matches!(e.kind, ScanErrorKind::Truncated(_)), "{e:?}");
        let e = Baseline::read("{\"kind\": \"scan\", \"findings\": 3}", "b.json").unwrap_err();
        assert!(
            e.kind
                .message(kcvs_model::Lang::En)
                .contains("kcvs scan --format json"),
            "{e:?}"
        );
        let e = Baseline::read("{\"kind\": \"assess\", \"findings\": []}", "b.json").unwrap_err();
        assert!(
            e.kind.message(kcvs_model::Lang::Ko).contains("기준선"),
            "{e:?}"
        );
    }
}
