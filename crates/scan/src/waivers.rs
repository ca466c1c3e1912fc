/*!
Waivers: an accepted exception for a resource pattern and a check, with a reason and an expiry.
A waiver past its expiry (compared with `--as-of`) stops applying and is reported as expired.

```yaml
waivers:
  - resource: "module.legacy.*"     # glob over resource addresses: `*` any run, `?` one character
    check: residency                # a check id, or `*` for every check
    reason: "Migrating to Seoul by June; ticket OPS-123"
    expires: 2027-06-30
```
*/

use kcvs_model::Date;
use serde::Deserialize;

use crate::checks::CheckId;
use crate::{ScanError, ScanErrorKind};

/// One waiver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiver {
    pub resource: String,
    /// `None`: every check.
    pub check: Option<CheckId>,
    pub reason: String,
    pub expires: Date,
}

/// A waiver that matched a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaiverMatch {
    pub resource: String,
    pub reason: String,
    pub expires: Date,
    /// False once the expiry date has passed on `as_of`.
    pub in_force: bool,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum WaiverFile {
    Wrapped { waivers: Vec<WaiverRow> },
    List(Vec<WaiverRow>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WaiverRow {
    resource: String,
    check: String,
    reason: String,
    expires: String,
}

/// Read a waivers file (YAML or JSON).
pub fn read_waivers(text: &str, name: &str) -> Result<Vec<Waiver>, ScanError> {
    let file: WaiverFile = serde_saphyr::from_str(text).map_err(|e| {
        let (line, column) = e
            .location()
            .map_or((0, 0), |l| (l.line(), l.column()));
        ScanError::new(
            name,
            line,
            column,
            {
                let text = e.to_string();
                let why = first_line(&text);
                ScanErrorKind::Invalid {
                    en: format!(
                        "invalid waivers file: {why}; expected `waivers:` with a list of {{resource, check, reason, expires}}"
                    ),
                    ko: format!(
                        "잘못된 예외(waiver) 파일: {why}; `waivers:` 아래 {{resource, check, reason, expires}} 목록이어야 합니다"
                    ),
                }
            },
        )
    })?;
    let rows = match file {
        WaiverFile::Wrapped { waivers } => waivers,
        WaiverFile::List(l) => l,
    };
    let mut out = Vec::with_capacity(rows.len());
    for (i, row) in rows.into_iter().enumerate() {
        let n = i + 1;
        let check = if row.check.trim() == "*" {
            None
        } else {
            Some(CheckId::parse(&row.check).ok_or_else(|| {
                let known: Vec<&str> = CheckId::ALL.iter().map(|c| c.as_str()).collect();
                ScanError::new(
                    name,
                    0,
                    0,
                    ScanErrorKind::Invalid {
                        en: format!(
                            "waiver {n}: unknown check `{}`: expected `*` or one of {}",
                            row.check,
                            known.join(", ")
                        ),
                        ko: format!(
                            "예외 {n}: 알 수 없는 점검 `{}`: `*` 또는 다음 중 하나여야 합니다: {}",
                            row.check,
                            known.join(", ")
                        ),
                    },
                )
            })?)
        };
        let expires = row.expires.trim().parse::<Date>().map_err(|_| {
            ScanError::new(
                name,
                0,
                0,
                ScanErrorKind::Invalid {
                    en: format!(
                        "waiver {n}: invalid `expires` `{}`: expected a date written YYYY-MM-DD",
                        row.expires
                    ),
                    ko: format!(
                        "예외 {n}: 잘못된 `expires` `{}`: YYYY-MM-DD 형식의 날짜여야 합니다",
                        row.expires
                    ),
                },
            )
        })?;
        if row.reason.trim().is_empty() {
            return Err(ScanError::new(
                name,
                0,
                0,
                ScanErrorKind::Invalid {
                    en: format!("waiver {n}: `reason` is empty: say why the exception is accepted"),
                    ko: format!(
                        "예외 {n}: `reason`이 비어 있습니다: 예외를 인정하는 이유를 적으십시오"
                    ),
                },
            ));
        }
        out.push(Waiver {
            resource: row.resource,
            check,
            reason: row.reason,
            expires,
        });
    }
    Ok(out)
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// The first waiver for this address and check: one in force if any, else an expired one.
pub fn match_waiver(
    waivers: &[Waiver],
    address: &str,
    check: CheckId,
    as_of: Date,
) -> Option<WaiverMatch> {
    let mut expired = None;
    for w in waivers {
        if w.check.is_some_and(|c| c != check) || !glob(&w.resource, address) {
            continue;
        }
        let m = WaiverMatch {
            resource: w.resource.clone(),
            reason: w.reason.clone(),
            expires: w.expires,
            in_force: as_of <= w.expires,
        };
        if m.in_force {
            return Some(m);
        }
        expired.get_or_insert(m);
    }
    expired
}

/// Glob match: `*` any run of characters (dots and brackets included), `?` one character.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || Some(&c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == '*'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("module.legacy.*", "module.legacy.aws_s3_bucket.b"));
        assert!(glob("*", "x"));
        assert!(glob(
            r#"module.a["*"].aws_s3_bucket.b"#,
            r#"module.a["x"].aws_s3_bucket.b"#
        ));
        assert!(glob("aws_instance.web[?]", "aws_instance.web[0]"));
        assert!(!glob("aws_instance.web", "aws_instance.web[0]"));
        assert!(!glob("a*b", "acc"));
    }

    #[test]
    fn expired_waivers_stop_applying() {
        let text = "waivers:\n  - resource: \"aws_s3_bucket.*\"\n    check: residency\n    reason: moving\n    expires: 2026-01-31\n";
        let w = read_waivers(text, "w.yaml").unwrap();
        let d = |s: &str| s.parse::<Date>().unwrap();
        let m = match_waiver(
            &w,
            "aws_s3_bucket.logs",
            CheckId::Residency,
            d("2026-01-31"),
        )
        .unwrap();
        assert!(m.in_force);
        let m = match_waiver(
            &w,
            "aws_s3_bucket.logs",
            CheckId::Residency,
            d("2026-02-01"),
        )
        .unwrap();
        assert!(!m.in_force);
        assert!(
            match_waiver(
                &w,
                "aws_s3_bucket.logs",
                CheckId::AuditLogging,
                d("2026-01-01")
            )
            .is_none()
        );
    }

    #[test]
    fn bad_waivers_are_named() {
        let e = read_waivers(
            "waivers:\n  - resource: x\n    check: nope\n    reason: r\n    expires: 2026-01-01\n",
            "w.yaml",
        )
        .unwrap_err();
        assert!(
            e.message(kcvs_model::Lang::En)
                .contains("unknown check `nope`")
        );
        let e = read_waivers(
            "waivers:\n  - resource: x\n    check: '*'\n    reason: r\n    expires: 2026-02-30\n",
            "w.yaml",
        )
        .unwrap_err();
        assert!(e.message(kcvs_model::Lang::En).contains("YYYY-MM-DD"));
        let ko = e.message(kcvs_model::Lang::Ko);
        assert!(
            ko.contains("날짜여야") && ko != e.message(kcvs_model::Lang::En),
            "{ko}"
        );
    }
}
