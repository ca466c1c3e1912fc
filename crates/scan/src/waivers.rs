/*!
Waivers: an accepted exception for a resource pattern and a check, with a reason and an expiry.
A waiver past its expiry (compared with `--as-of`) stops applying and is reported as expired.

```yaml
waivers:
  - resource: "module.legacy.*"     # glob over resource addresses: `*` any run, `?` one character
    check: residency                # a check id, `rego:<package>` (globs allowed), or `*`
    reason: "Migrating to Seoul by June; ticket OPS-123"
    expires: 2027-06-30
  - resource: "aws_s3_bucket.archive"
    check: "rego:kcvs.custom.*"     # the Rego policies whose package matches
    reason: "Archive tags are set by the backup job"
    expires: 2027-01-31
```

A waiver covers a result, it does not change it: the result keeps its status in every output
(SARIF marks it suppressed), only the exit code and the `waived` counts see the waiver. Scan
evidence handed to `kcvs assess` is therefore unchanged by waivers: an accepted exception is not
a met control.
*/

use kcvs_model::Date;
use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::checks::CheckId;
use crate::{ScanError, ScanErrorKind};

/// One waiver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiver {
    pub resource: String,
    pub check: WaiverCheck,
    pub reason: String,
    pub expires: Date,
}

/// Which results a waiver covers, besides its resource pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WaiverCheck {
    /// `*`: every built-in check and every policy.
    Every,
    /// A built-in check.
    Check(CheckId),
    /// `rego:<pattern>`: the Rego policies whose package name matches the glob.
    Policy(String),
}

impl WaiverCheck {
    fn covers_check(&self, check: CheckId) -> bool {
        match self {
            WaiverCheck::Every => true,
            WaiverCheck::Check(c) => *c == check,
            WaiverCheck::Policy(_) => false,
        }
    }

    fn covers_policy(&self, package: &str) -> bool {
        match self {
            WaiverCheck::Every => true,
            WaiverCheck::Check(_) => false,
            WaiverCheck::Policy(pattern) => glob(pattern, package),
        }
    }
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

/// `waivers:` with a list. A bare list is read too (see [`read_waivers`]); not an untagged enum,
/// because serde buffers untagged input and the rows would lose their positions.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WaiverFile {
    waivers: Vec<WaiverRow>,
}

/// Whether the first line that says something starts a YAML list (or a JSON array).
fn looks_like_list(text: &str) -> bool {
    text.lines()
        .map(str::trim_start)
        .find(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("---"))
        .is_some_and(|l| l.starts_with('-') || l.starts_with('['))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WaiverRow {
    resource: String,
    check: Spanned<String>,
    reason: Spanned<String>,
    expires: Spanned<String>,
}

/// A positioned error at a waiver's field.
fn at_field(name: &str, s: &Spanned<String>, en: String, ko: String) -> ScanError {
    ScanError::new(
        name,
        s.referenced.line(),
        s.referenced.column(),
        ScanErrorKind::Invalid { en, ko },
    )
}

/// Read a waivers file (YAML or JSON).
pub fn read_waivers(text: &str, name: &str) -> Result<Vec<Waiver>, ScanError> {
    let parsed = if looks_like_list(text) {
        serde_saphyr::from_str::<Vec<WaiverRow>>(text)
    } else {
        serde_saphyr::from_str::<WaiverFile>(text).map(|f| f.waivers)
    };
    let rows = parsed.map_err(|e| {
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
    let mut out = Vec::with_capacity(rows.len());
    for (i, row) in rows.into_iter().enumerate() {
        let n = i + 1;
        let spelled = row.check.value.trim();
        let check = if spelled == "*" {
            WaiverCheck::Every
        } else if let Some(pattern) = spelled.strip_prefix("rego:") {
            if pattern.trim().is_empty() {
                return Err(at_field(
                    name,
                    &row.check,
                    format!(
                        "waiver {n}: `rego:` names no package: expected `rego:<package>`, e.g. `rego:kcvs.custom.tags` or `rego:kcvs.custom.*`"
                    ),
                    format!(
                        "예외 {n}: `rego:` 뒤에 패키지가 없습니다: `rego:kcvs.custom.tags`나 `rego:kcvs.custom.*`처럼 `rego:<패키지>` 형식이어야 합니다"
                    ),
                ));
            }
            WaiverCheck::Policy(pattern.trim().to_owned())
        } else {
            WaiverCheck::Check(CheckId::parse(spelled).ok_or_else(|| {
                let known: Vec<&str> = CheckId::ALL.iter().map(|c| c.as_str()).collect();
                at_field(
                    name,
                    &row.check,
                    format!(
                        "waiver {n}: unknown check `{spelled}`: expected `*`, `rego:<package>` or one of {}",
                        known.join(", ")
                    ),
                    format!(
                        "예외 {n}: 알 수 없는 점검 `{spelled}`: `*`, `rego:<패키지>` 또는 다음 중 하나여야 합니다: {}",
                        known.join(", ")
                    ),
                )
            })?)
        };
        let expires = row.expires.value.trim().parse::<Date>().map_err(|_| {
            at_field(
                name,
                &row.expires,
                format!(
                    "waiver {n}: invalid `expires` `{}`: expected a date written YYYY-MM-DD",
                    row.expires.value
                ),
                format!(
                    "예외 {n}: 잘못된 `expires` `{}`: YYYY-MM-DD 형식의 날짜여야 합니다",
                    row.expires.value
                ),
            )
        })?;
        if row.reason.value.trim().is_empty() {
            return Err(at_field(
                name,
                &row.reason,
                format!("waiver {n}: `reason` is empty: say why the exception is accepted"),
                format!("예외 {n}: `reason`이 비어 있습니다: 예외를 인정하는 이유를 적으십시오"),
            ));
        }
        out.push(Waiver {
            resource: row.resource,
            check,
            reason: row.reason.value,
            expires,
        });
    }
    Ok(out)
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// The first waiver for this address and built-in check: one in force if any, else an expired one.
pub fn match_waiver(
    waivers: &[Waiver],
    address: &str,
    check: CheckId,
    as_of: Date,
) -> Option<WaiverMatch> {
    first_match(waivers, address, as_of, |w| w.covers_check(check))
}

/// The first waiver for a Rego policy's result: its package, and the resource it names (a
/// result that names none is covered only by a resource pattern matching everything, `*`).
pub fn match_policy_waiver(
    waivers: &[Waiver],
    address: Option<&str>,
    package: &str,
    as_of: Date,
) -> Option<WaiverMatch> {
    first_match(waivers, address.unwrap_or(""), as_of, |w| {
        w.covers_policy(package)
    })
}

fn first_match(
    waivers: &[Waiver],
    address: &str,
    as_of: Date,
    covers: impl Fn(&WaiverCheck) -> bool,
) -> Option<WaiverMatch> {
    let mut expired = None;
    for w in waivers {
        if !covers(&w.check) || !glob(&w.resource, address) {
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
    fn policy_waivers_cover_only_matching_packages() {
        let text = "waivers:\n  - resource: \"aws_s3_bucket.*\"\n    check: \"rego:kcvs.custom.*\"\n    reason: tags set by the backup job\n    expires: 2026-12-31\n  - resource: \"*\"\n    check: \"rego:org.naming\"\n    reason: naming rule not adopted yet\n    expires: 2026-12-31\n";
        let w = read_waivers(text, "w.yaml").unwrap();
        let d = |s: &str| s.parse::<Date>().unwrap();
        let on = d("2026-11-23");
        assert!(
            match_policy_waiver(&w, Some("aws_s3_bucket.a"), "kcvs.custom.tags", on)
                .is_some_and(|m| m.in_force)
        );
        // Another resource, another package, a built-in check: not covered.
        assert!(match_policy_waiver(&w, Some("aws_instance.a"), "kcvs.custom.tags", on).is_none());
        assert!(match_policy_waiver(&w, Some("aws_s3_bucket.a"), "other.tags", on).is_none());
        assert!(match_waiver(&w, "aws_s3_bucket.a", CheckId::Residency, on).is_none());
        // A result naming no resource is covered only by the `*` pattern.
        assert!(match_policy_waiver(&w, None, "kcvs.custom.tags", on).is_none());
        assert!(match_policy_waiver(&w, None, "org.naming", on).is_some());
        // `*` covers built-in checks and policies alike.
        let every = read_waivers(
            "- resource: \"*\"\n  check: \"*\"\n  reason: r\n  expires: 2026-12-31\n",
            "w.yaml",
        )
        .unwrap();
        assert!(match_policy_waiver(&every, None, "any.pkg", on).is_some());
        assert!(match_waiver(&every, "x.y", CheckId::AuditLogging, on).is_some());
    }

    #[test]
    fn waiver_errors_point_at_the_field() {
        let e = read_waivers(
            "waivers:\n  - resource: x\n    check: residency\n    reason: r\n    expires: 2026-13-01\n",
            "w.yaml",
        )
        .unwrap_err();
        assert_eq!((e.line, e.column), (5, 14), "{e:?}");
        let e = read_waivers(
            "waivers:\n  - resource: x\n    check: \"rego:\"\n    reason: r\n    expires: 2026-12-01\n",
            "w.yaml",
        )
        .unwrap_err();
        assert_eq!(e.line, 3, "{e:?}");
        assert!(e.message(kcvs_model::Lang::En).contains("rego:<package>"));
        let e = read_waivers(
            "waivers:\n  - resource: x\n    check: residency\n    reason: \"  \"\n    expires: 2026-12-01\n",
            "w.yaml",
        )
        .unwrap_err();
        assert_eq!(e.line, 4, "{e:?}");
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
