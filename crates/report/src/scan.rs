//! Views of `kcvs scan`: the findings as a document, as JSON (shape in `docs/scan.md`), and as
//! SARIF 2.1.0.
//!
//! The JSON lists every non-pass finding (and the passes when asked) with per-check counts; the
//! SARIF has one rule per check and one result per non-pass finding, located at the line of the
//! resource's address in the input where known, and logically at the resource address.

use kcvs_model::{Lang, RequirementKind};
use kcvs_scan::{
    CheckId, Finding, PolicyControl, PolicyLevel, PolicyPackage, PolicyResults, Status, Tally,
    WaiverMatch, tally,
};
use serde::Serialize;
use serde_json::{Value, json};

use crate::doc::{Doc, View};
use crate::i18n::{self, L, t, tf};

/// What a scan run read and was asked.
#[derive(Clone, Debug, Default)]
pub struct ScanRun {
    /// Input files, as named on the command line.
    pub files: Vec<String>,
    /// Resources that exist after the plan (managed, not deleted), over all files.
    pub resources: usize,
    /// Resources the plans delete (not checked).
    pub deleted: usize,
    pub checks: Vec<CheckId>,
    /// `--regime` / `--tier`, with the requirement kinds bound at that tier.
    pub applies: Option<(String, String, Vec<RequirementKind>)>,
    /// List passing results too.
    pub include_passes: bool,
    /// The date waivers were judged on.
    pub as_of: String,
    /// `--baseline`: the earlier scan compared with, and how this one compares.
    pub baseline: Option<BaselineRun>,
}

/// The baseline a scan was compared with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaselineRun {
    pub file: String,
    pub counts: kcvs_scan::BaselineCounts,
}

/// A result's label, marked when the baseline already held it.
fn baseline_label(label: String, state: Option<kcvs_scan::BaselineState>, lang: Lang) -> String {
    match state {
        Some(kcvs_scan::BaselineState::Unchanged) => {
            format!("{label} ({})", t(lang, "in baseline", "기준선에 있음"))
        }
        _ => label,
    }
}

fn status_label(s: Status) -> L {
    match s {
        Status::Pass => L::new("pass", "통과"),
        Status::Fail => L::new("fail", "실패"),
        Status::Unknown => L::new("unknown", "미확인"),
    }
}

fn controls_text(f: &[kcvs_scan::ControlRef]) -> String {
    f.iter()
        .map(|c| format!("{}:{}", c.catalog, c.id))
        .collect::<Vec<_>>()
        .join(", ")
}

fn requirements_text(r: &[RequirementKind], lang: Lang) -> String {
    r.iter()
        .map(|k| i18n::requirement_kind(*k).get(lang).to_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

fn bound(run: &ScanRun, check: CheckId) -> Option<bool> {
    run.applies
        .as_ref()
        .map(|(_, _, kinds)| check.requirements().iter().any(|k| kinds.contains(k)))
}

/// The document and JSON of a scan.
pub fn scan_view(run: &ScanRun, findings: &[Finding], lang: Lang) -> View {
    scan_view_tallied(run, findings, &tally(findings), lang)
}

/// The selected checks' counts, in the order of [`CheckId::ALL`].
fn selected(run: &ScanRun, counts: &[(CheckId, Tally)]) -> Vec<(CheckId, Tally)> {
    counts
        .iter()
        .filter(|(c, _)| run.checks.contains(c))
        .copied()
        .collect()
}

/// [`scan_view`] with the counts given (`kcvs_scan::run_checks_tallied`), for findings that
/// leave the passes out.
pub fn scan_view_tallied(
    run: &ScanRun,
    findings: &[Finding],
    counts: &[(CheckId, Tally)],
    lang: Lang,
) -> View {
    let counts = selected(run, counts);
    let mut doc = Doc::new(t(lang, "Configuration scan", "구성 검사"), lang);
    let mut kv = vec![
        (t(lang, "Files", "파일").to_owned(), run.files.join(", ")),
        (
            t(lang, "Resources checked", "검사한 리소스").to_owned(),
            run.resources.to_string(),
        ),
        (
            t(
                lang,
                "Deleted by the plan (not checked)",
                "플랜이 삭제(검사 제외)",
            )
            .to_owned(),
            run.deleted.to_string(),
        ),
        (
            t(lang, "Waivers judged on", "예외 판단 기준일").to_owned(),
            run.as_of.clone(),
        ),
    ];
    if let Some((regime, tier, _)) = &run.applies {
        kv.push((
            t(lang, "Regime and tier", "제도와 등급").to_owned(),
            format!("{regime} / {tier}"),
        ));
    }
    if let Some(b) = &run.baseline {
        let c = b.counts;
        kv.push((
            t(lang, "Baseline", "기준선").to_owned(),
            tf(
                lang,
                format!(
                    "{}: {} new, {} unchanged (not counted for --fail-on), {} no longer found",
                    b.file, c.new, c.unchanged, c.absent
                ),
                format!(
                    "{}: 새 결과 {}건, 그대로 {}건(--fail-on에서 제외), 더는 나오지 않는 결과 {}건",
                    b.file, c.new, c.unchanged, c.absent
                ),
            ),
        ));
    }
    doc.key_values(kv);

    doc.heading(2, t(lang, "Checks", "검사 항목"));
    let mut headers = vec![
        t(lang, "Check", "검사").to_owned(),
        status_label(Status::Pass).get(lang).to_owned(),
        status_label(Status::Fail).get(lang).to_owned(),
        status_label(Status::Unknown).get(lang).to_owned(),
        t(lang, "Waived", "예외").to_owned(),
        t(lang, "Controls", "통제 항목").to_owned(),
    ];
    if run.applies.is_some() {
        headers.push(t(lang, "Required at tier", "해당 등급 요구").to_owned());
    }
    let rows = counts
        .iter()
        .map(|(c, n)| {
            let mut row = vec![
                c.as_str().to_owned(),
                n.pass.to_string(),
                n.fail.to_string(),
                n.unknown.to_string(),
                n.waived.to_string(),
                controls_text(c.controls()),
            ];
            if let Some(b) = bound(run, *c) {
                let reqs = requirements_text(c.requirements(), lang);
                row.push(if b {
                    reqs
                } else {
                    t(lang, "no", "아니요").to_owned()
                });
            }
            row
        })
        .collect();
    doc.table(headers, rows);

    let shown: Vec<&Finding> = findings
        .iter()
        .filter(|f| run.include_passes || f.status != Status::Pass)
        .collect();
    doc.heading(2, t(lang, "Findings", "검사 결과"));
    if shown.is_empty() {
        doc.paragraph(t(
            lang,
            "No failing or unknown results.",
            "실패나 미확인 결과가 없습니다.",
        ));
    } else {
        let rows = shown
            .iter()
            .map(|f| {
                let mut reason = f.reason.get(lang).to_owned();
                if let Some(s) = &f.settle {
                    reason.push_str(&tf(
                        lang,
                        format!(" — settled by: {}", s.get(lang)),
                        format!(" — 확인 방법: {}", s.get(lang)),
                    ));
                }
                let status = baseline_label(
                    waived_label(status_label(f.status).get(lang), f.waiver.as_ref(), lang),
                    f.baseline,
                    lang,
                );
                vec![
                    status,
                    f.check.as_str().to_owned(),
                    f.address.clone(),
                    reason,
                ]
            })
            .collect();
        doc.table(
            vec![
                t(lang, "Result", "결과").to_owned(),
                t(lang, "Check", "검사").to_owned(),
                t(lang, "Resource", "리소스").to_owned(),
                t(lang, "Reason", "사유").to_owned(),
            ],
            rows,
        );
    }
    let expired: Vec<String> = findings
        .iter()
        .filter_map(|f| expired_line(f.waiver.as_ref(), f.check.as_str(), &f.address, lang))
        .collect();
    expired_section(&mut doc, expired, lang);

    let json = scan_json(run, findings, &counts, lang);
    View { doc, json }
}

/// A result's label with its waiver: "fail (waived until …)" or "fail (waiver expired …)".
fn waived_label(status: &str, waiver: Option<&WaiverMatch>, lang: Lang) -> String {
    match waiver {
        Some(w) if w.in_force => tf(
            lang,
            format!("{status} (waived until {})", w.expires),
            format!("{status} ({}까지 예외)", w.expires),
        ),
        Some(w) => tf(
            lang,
            format!("{status} (waiver expired {})", w.expires),
            format!("{status} (예외 만료 {})", w.expires),
        ),
        None => status.to_owned(),
    }
}

/// The line for an expired waiver that matched a result, for the "Expired waivers" list.
fn expired_line(
    waiver: Option<&WaiverMatch>,
    check: &str,
    address: &str,
    lang: Lang,
) -> Option<String> {
    let w = waiver.filter(|w| !w.in_force)?;
    Some(tf(
        lang,
        format!(
            "`{}` for {check} on {address} expired {}: {}",
            w.resource, w.expires, w.reason
        ),
        format!(
            "{address}의 {check} 대상 `{}` 예외가 {}에 만료됨: {}",
            w.resource, w.expires, w.reason
        ),
    ))
}

fn expired_section(doc: &mut Doc, expired: Vec<String>, lang: Lang) {
    if !expired.is_empty() {
        doc.heading(
            2,
            t(
                lang,
                "Expired waivers (no longer applied)",
                "만료된 예외(적용 안 함)",
            ),
        );
        doc.list(expired);
    }
}

/// A waiver in SARIF: one in force is an accepted external suppression; an expired one is
/// recorded as a property, and the result stands.
fn sarif_waiver(result: &mut Value, waiver: Option<&WaiverMatch>) {
    match waiver {
        Some(w) if w.in_force => {
            result["suppressions"] = json!([{
                "kind": "external",
                "status": "accepted",
                "justification": format!("{} (expires {})", w.reason, w.expires),
            }]);
        }
        Some(w) => {
            result["properties"]["expired_waiver"] = json!({
                "resource": w.resource,
                "reason": w.reason,
                "expires": w.expires.to_string(),
            });
        }
        None => {}
    }
}

fn waiver_json(w: &WaiverMatch) -> WaiverJson<'_> {
    WaiverJson {
        resource: &w.resource,
        reason: &w.reason,
        expires: w.expires.to_string(),
        in_force: w.in_force,
    }
}

#[derive(Serialize)]
struct ControlJson {
    catalog: &'static str,
    id: &'static str,
}

fn controls_json(c: &[kcvs_scan::ControlRef]) -> Vec<ControlJson> {
    c.iter()
        .map(|x| ControlJson {
            catalog: x.catalog,
            id: x.id,
        })
        .collect()
}

#[derive(Serialize)]
struct WaiverJson<'a> {
    resource: &'a str,
    reason: &'a str,
    expires: String,
    in_force: bool,
}

#[derive(Serialize)]
struct FindingJson<'a> {
    check: &'static str,
    address: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    status: &'static str,
    reason: &'a str,
    settle: Option<&'a str>,
    controls: Vec<ControlJson>,
    requirements: Vec<&'static str>,
    file: &'a str,
    line: Option<u64>,
    column: Option<u64>,
    waiver: Option<WaiverJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<&'static str>,
}

#[derive(Serialize)]
struct SummaryJson {
    check: &'static str,
    title: String,
    pass: usize,
    fail: usize,
    unknown: usize,
    waived: usize,
    violations: usize,
    controls: Vec<ControlJson>,
    requirements: Vec<&'static str>,
    required_at_tier: Option<bool>,
}

#[derive(Serialize)]
struct ScanJson<'a> {
    kind: &'static str,
    files: &'a [String],
    as_of: &'a str,
    resources: usize,
    deleted: usize,
    regime: Option<&'a str>,
    tier: Option<&'a str>,
    summary: Vec<SummaryJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<BaselineJson<'a>>,
    findings_include_passes: bool,
    findings: Vec<FindingJson<'a>>,
}

#[derive(Serialize)]
struct BaselineJson<'a> {
    file: &'a str,
    new: usize,
    unchanged: usize,
    absent: usize,
}

fn scan_doc<'a>(
    run: &'a ScanRun,
    findings: &'a [Finding],
    counts: &[(CheckId, Tally)],
    lang: Lang,
) -> ScanJson<'a> {
    let list = findings
        .iter()
        .filter(|f| run.include_passes || f.status != Status::Pass)
        .map(|f| FindingJson {
            check: f.check.as_str(),
            address: &f.address,
            kind: &f.resource_type,
            status: f.status.as_str(),
            reason: f.reason.get(lang),
            settle: f.settle.as_ref().map(|s| s.get(lang)),
            controls: controls_json(f.controls),
            requirements: f.requirements.iter().map(|k| k.as_str()).collect(),
            file: &f.location.file,
            line: f.location.line,
            column: f.location.column,
            waiver: f.waiver.as_ref().map(waiver_json),
            baseline: f.baseline.map(kcvs_scan::BaselineState::as_str),
        })
        .collect();
    scan_head(run, counts, lang, list)
}

/// Everything of the scan's JSON but the findings, which are given.
fn scan_head<'a>(
    run: &'a ScanRun,
    counts: &[(CheckId, Tally)],
    lang: Lang,
    findings: Vec<FindingJson<'a>>,
) -> ScanJson<'a> {
    let summary = counts
        .iter()
        .map(|(c, n)| SummaryJson {
            check: c.as_str(),
            title: c.title().get(lang).to_owned(),
            pass: n.pass,
            fail: n.fail,
            unknown: n.unknown,
            waived: n.waived,
            violations: n.violations(),
            controls: controls_json(c.controls()),
            requirements: c.requirements().iter().map(|k| k.as_str()).collect(),
            required_at_tier: bound(run, *c),
        })
        .collect();
    ScanJson {
        kind: "scan",
        files: &run.files,
        as_of: &run.as_of,
        resources: run.resources,
        deleted: run.deleted,
        regime: run.applies.as_ref().map(|a| a.0.as_str()),
        tier: run.applies.as_ref().map(|a| a.1.as_str()),
        summary,
        baseline: run.baseline.as_ref().map(|b| BaselineJson {
            file: &b.file,
            new: b.counts.new,
            unchanged: b.counts.unchanged,
            absent: b.counts.absent,
        }),
        findings_include_passes: run.include_passes,
        findings,
    }
}

fn scan_json(
    run: &ScanRun,
    findings: &[Finding],
    counts: &[(CheckId, Tally)],
    lang: Lang,
) -> Value {
    serde_json::to_value(scan_doc(run, findings, counts, lang)).unwrap_or(Value::Null)
}

/// The JSON of a scan written straight to text (pretty, final newline), without building a
/// `Value` first: the same shape as [`scan_view`]'s JSON, keys in document order.
pub fn scan_json_text(run: &ScanRun, findings: &[Finding], lang: Lang) -> String {
    scan_json_text_tallied(run, findings, &tally(findings), lang)
}

/// [`scan_json_text`] with the counts given (`kcvs_scan::run_checks_tallied`), for findings
/// that leave the passes out.
pub fn scan_json_text_tallied(
    run: &ScanRun,
    findings: &[Finding],
    counts: &[(CheckId, Tally)],
    lang: Lang,
) -> String {
    let mut out = Vec::new();
    match write_scan_json(&mut out, run, findings, counts, lang) {
        // The writer writes only JSON text built from `&str`s: UTF-8.
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(e) => format!("{{\"error\": \"{e}\"}}\n"),
    }
}

/// [`scan_json_text_tallied`] written straight to `w` (pretty, final newline), so the text of a
/// large scan is never held whole.
pub fn write_scan_json(
    w: &mut impl std::io::Write,
    run: &ScanRun,
    findings: &[Finding],
    counts: &[(CheckId, Tally)],
    lang: Lang,
) -> std::io::Result<()> {
    let counts = selected(run, counts);
    // The head (every key but the findings) through serde, with an empty findings list whose
    // `[]` is then replaced by the findings written by hand: a large scan has tens of thousands
    // of findings, and serde's pretty printer cost about as much as running the checks. The
    // text is byte for byte what `serde_json::to_writer_pretty` gives for [`scan_doc`] (test
    // `hand_written_findings_match_serde`).
    let head = serde_json::to_vec_pretty(&scan_head(run, &counts, lang, Vec::new()))?;
    let mut kept = findings
        .iter()
        .filter(|f| run.include_passes || f.status != Status::Pass)
        .peekable();
    let stem = match head.strip_suffix(b"[]\n}") {
        Some(stem) if kept.peek().is_some() => stem,
        // No findings (or a head not of the expected shape, which cannot happen: `findings`
        // is the last key): the head is the whole document.
        _ => {
            if kept.peek().is_some() {
                serde_json::to_writer_pretty(&mut *w, &scan_doc(run, findings, &counts, lang))?;
            } else {
                w.write_all(&head)?;
            }
            return w.write_all(b"\n");
        }
    };
    w.write_all(stem)?;
    w.write_all(b"[\n")?;
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 12);
    let mut first = true;
    for f in kept {
        buf.clear();
        if !first {
            buf.extend_from_slice(b",\n");
        }
        first = false;
        finding_json(&mut buf, f, lang);
        w.write_all(&buf)?;
    }
    w.write_all(b"\n  ]\n}\n")
}

/// One finding as `serde_json`'s pretty printer writes a [`FindingJson`] at depth 2 (inside
/// the top-level object's `findings` list).
fn finding_json(b: &mut Vec<u8>, f: &Finding, lang: Lang) {
    const I3: &[u8] = b"      ";
    b.extend_from_slice(b"    {\n");
    let field = |b: &mut Vec<u8>, key: &[u8]| {
        b.extend_from_slice(I3);
        b.extend_from_slice(key);
    };
    field(b, b"\"check\": ");
    json_str(b, f.check.as_str());
    b.extend_from_slice(b",\n");
    field(b, b"\"address\": ");
    json_str(b, &f.address);
    b.extend_from_slice(b",\n");
    field(b, b"\"type\": ");
    json_str(b, &f.resource_type);
    b.extend_from_slice(b",\n");
    field(b, b"\"status\": ");
    json_str(b, f.status.as_str());
    b.extend_from_slice(b",\n");
    field(b, b"\"reason\": ");
    json_str(b, f.reason.get(lang));
    b.extend_from_slice(b",\n");
    field(b, b"\"settle\": ");
    match &f.settle {
        Some(s) => json_str(b, s.get(lang)),
        None => b.extend_from_slice(b"null"),
    }
    b.extend_from_slice(b",\n");
    field(b, b"\"controls\": ");
    json_list(b, f.controls, |b, c| {
        b.extend_from_slice(b"{\n          \"catalog\": ");
        json_str(b, c.catalog);
        b.extend_from_slice(b",\n          \"id\": ");
        json_str(b, c.id);
        b.extend_from_slice(b"\n        }");
    });
    b.extend_from_slice(b",\n");
    field(b, b"\"requirements\": ");
    json_list(b, f.requirements, |b, k| json_str(b, k.as_str()));
    b.extend_from_slice(b",\n");
    field(b, b"\"file\": ");
    json_str(b, &f.location.file);
    b.extend_from_slice(b",\n");
    field(b, b"\"line\": ");
    json_opt_u64(b, f.location.line);
    b.extend_from_slice(b",\n");
    field(b, b"\"column\": ");
    json_opt_u64(b, f.location.column);
    b.extend_from_slice(b",\n");
    field(b, b"\"waiver\": ");
    match &f.waiver {
        None => b.extend_from_slice(b"null"),
        Some(w) => {
            b.extend_from_slice(b"{\n        \"resource\": ");
            json_str(b, &w.resource);
            b.extend_from_slice(b",\n        \"reason\": ");
            json_str(b, &w.reason);
            b.extend_from_slice(b",\n        \"expires\": ");
            json_str(b, &w.expires.to_string());
            b.extend_from_slice(b",\n        \"in_force\": ");
            b.extend_from_slice(if w.in_force { b"true" } else { b"false" });
            b.extend_from_slice(b"\n      }");
        }
    }
    if let Some(state) = f.baseline {
        b.extend_from_slice(b",\n");
        field(b, b"\"baseline\": ");
        json_str(b, state.as_str());
    }
    b.extend_from_slice(b"\n    }");
}

/// A list inside a finding (depth 3) as `serde_json`'s pretty printer writes it: `[]` when empty,
/// else one item a line, each written by `item` after its indentation.
fn json_list<T>(b: &mut Vec<u8>, items: &[T], mut item: impl FnMut(&mut Vec<u8>, &T)) {
    if items.is_empty() {
        b.extend_from_slice(b"[]");
        return;
    }
    b.extend_from_slice(b"[\n");
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            b.extend_from_slice(b",\n");
        }
        b.extend_from_slice(b"        ");
        item(b, x);
    }
    b.extend_from_slice(b"\n      ]");
}

/// A JSON string as `serde_json` writes it: `"` and `\\` escaped, control characters as their
/// short escape or `\u00XX`, everything else (non-ASCII included) as it is.
fn json_str(b: &mut Vec<u8>, s: &str) {
    b.push(b'"');
    let bytes = s.as_bytes();
    if !needs_escape(bytes) {
        b.extend_from_slice(bytes);
        b.push(b'"');
        return;
    }
    let mut start = 0;
    for (i, &c) in bytes.iter().enumerate() {
        let short: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0x00..=0x1f => b"",
            _ => continue,
        };
        b.extend_from_slice(bytes.get(start..i).unwrap_or_default());
        if short.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            b.extend_from_slice(b"\\u00");
            b.push(HEX[usize::from(c >> 4)]);
            b.push(HEX[usize::from(c & 0xf)]);
        } else {
            b.extend_from_slice(short);
        }
        start = i + 1;
    }
    b.extend_from_slice(bytes.get(start..).unwrap_or_default());
    b.push(b'"');
}

/// Whether any byte is `"`, `\\` or a control character, eight bytes at a time (most strings
/// have none, and a byte-by-byte loop was most of the writer's cost).
fn needs_escape(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::MAX / 255;
    const HIGH: u64 = ONES << 7;
    let special = |c: u8| c < 0x20 || c == b'"' || c == b'\\';
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        // A byte is flagged when below 0x20, or equal to `"` or `\\` (zero after the xor);
        // bytes of 0x80 and above never flag a false "below" (Mycroft's test, as serde_json's).
        let ctrl = x.wrapping_sub(ONES * 0x20) & !x;
        let q = x ^ (ONES * u64::from(b'"'));
        let quote = q.wrapping_sub(ONES) & !q;
        let s = x ^ (ONES * u64::from(b'\\'));
        let slash = s.wrapping_sub(ONES) & !s;
        if (ctrl | quote | slash) & HIGH != 0 {
            return true;
        }
    }
    chunks.remainder().iter().any(|&c| special(c))
}

fn json_opt_u64(b: &mut Vec<u8>, n: Option<u64>) {
    let Some(mut n) = n else {
        b.extend_from_slice(b"null");
        return;
    };
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        // `n % 10` is below 10: the cast cannot truncate.
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    b.extend_from_slice(digits.get(i..).unwrap_or_default());
}

/// SARIF 2.1.0: one rule per selected check, one result per non-pass finding. Fail is level
/// `error`; unknown is `warning` (property `kcvs_status: unknown`); a waiver in force becomes an
/// accepted external suppression.
pub fn scan_sarif(run: &ScanRun, findings: &[Finding], lang: Lang) -> Value {
    let rules: Vec<Value> = run
        .checks
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "name": c.as_str(),
                "shortDescription": {"text": c.title().get(lang)},
                "fullDescription": {"text": tf(lang,
                    format!("{}. Evidence for {}.", c.title().en, controls_text(c.controls())),
                    format!("{}. 근거 통제 항목: {}.", c.title().ko, controls_text(c.controls())))},
                "defaultConfiguration": {"level": "error"},
                "properties": {
                    "controls": c.controls().iter().map(|x| format!("{}:{}", x.catalog, x.id)).collect::<Vec<_>>(),
                    "requirements": c.requirements().iter().map(|k| k.as_str()).collect::<Vec<_>>(),
                    "tags": ["compliance", "korea", "csap"],
                },
            })
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .filter(|f| f.status != Status::Pass)
        .map(|f| {
            let rule_index = run.checks.iter().position(|c| *c == f.check).unwrap_or(0);
            let mut message = f.reason.get(lang).to_owned();
            if let Some(s) = &f.settle {
                message.push_str(&tf(
                    lang,
                    format!(". Settled by: {}", s.get(lang)),
                    format!(". 확인 방법: {}", s.get(lang)),
                ));
            }
            let mut physical = json!({"artifactLocation": {"uri": artifact_uri(&f.location.file)}});
            if let Some(line) = f.location.line {
                physical["region"] = json!({
                    "startLine": line.max(1),
                    "startColumn": f.location.column.unwrap_or(1).max(1),
                });
            }
            let mut result = json!({
                "ruleId": f.check.as_str(),
                "ruleIndex": rule_index,
                "kind": "fail",
                "level": if f.status == Status::Fail { "error" } else { "warning" },
                "message": {"text": format!("{}: {message}", f.address)},
                "locations": [{
                    "physicalLocation": physical,
                    "logicalLocations": [{
                        "name": f.address,
                        "fullyQualifiedName": f.address,
                        "kind": "resource",
                    }],
                }],
                "properties": {
                    "kcvs_status": f.status.as_str(),
                    "resource_type": f.resource_type,
                },
            });
            sarif_waiver(&mut result, f.waiver.as_ref());
            if let Some(state) = f.baseline {
                result["baselineState"] = json!(state.as_str());
            }
            result
        })
        .collect();
    let artifacts: Vec<Value> = run
        .files
        .iter()
        .map(|f| json!({"location": {"uri": artifact_uri(f)}}))
        .collect();
    let mut sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "kcvs",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "artifacts": artifacts,
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    });
    // The baseline compared with, in the run's property bag (`baselineState` on each result says
    // which results it held).
    if let (Some(b), Some(r)) = (&run.baseline, sarif.pointer_mut("/runs/0")) {
        r["properties"] = json!({"kcvs_baseline": {
            "file": b.file,
            "new": b.counts.new,
            "unchanged": b.counts.unchanged,
            "absent": b.counts.absent,
        }});
    }
    sarif
}

// ---- Rego policies (`kcvs scan --policy`) ---------------------------------------------------

fn policy_controls_text(c: &[PolicyControl]) -> String {
    c.iter()
        .map(|x| format!("{}:{}", x.catalog, x.id))
        .collect::<Vec<_>>()
        .join(", ")
}

fn policy_controls_json(c: &[PolicyControl]) -> Vec<Value> {
    c.iter()
        .map(|x| json!({"catalog": x.catalog, "id": x.id}))
        .collect()
}

fn policy_title(p: &PolicyPackage) -> String {
    p.title.clone().unwrap_or_else(|| p.name.clone())
}

/// A package with `deny` and no `deny` result passes (over the whole input, address `*`).
fn policy_passes(p: &PolicyPackage, results: &PolicyResults) -> bool {
    p.has_deny && results.counts(&p.name).0 == 0
}

fn policy_level_label(l: PolicyLevel) -> L {
    match l {
        PolicyLevel::Deny => L::new("fail", "실패"),
        PolicyLevel::Warn => L::new("warn", "경고"),
    }
}

/// Add the policy results to a scan's document and JSON (`scan_view`): a "Policies (Rego)"
/// section, one `summary` row per package and their findings (shape in `docs/scan.md`).
pub fn add_policies_view(view: &mut View, run: &ScanRun, results: &PolicyResults, lang: Lang) {
    let doc = &mut view.doc;
    doc.heading(2, t(lang, "Policies (Rego)", "정책(Rego)"));
    let rows = results
        .packages
        .iter()
        .map(|p| {
            let (fail, warn) = results.counts(&p.name);
            vec![
                p.check_id(),
                policy_title(p),
                usize::from(policy_passes(p, results)).to_string(),
                fail.to_string(),
                warn.to_string(),
                results.waived(&p.name).to_string(),
                policy_controls_text(&p.controls),
            ]
        })
        .collect();
    doc.table(
        vec![
            t(lang, "Policy", "정책").to_owned(),
            t(lang, "Title", "제목").to_owned(),
            status_label(Status::Pass).get(lang).to_owned(),
            status_label(Status::Fail).get(lang).to_owned(),
            policy_level_label(PolicyLevel::Warn).get(lang).to_owned(),
            t(lang, "Waived", "예외").to_owned(),
            t(lang, "Controls", "통제 항목").to_owned(),
        ],
        rows,
    );
    if !results.findings.is_empty() {
        let rows = results
            .findings
            .iter()
            .map(|f| {
                vec![
                    baseline_label(
                        waived_label(
                            policy_level_label(f.level).get(lang),
                            f.waiver.as_ref(),
                            lang,
                        ),
                        f.baseline,
                        lang,
                    ),
                    format!("rego:{}", f.package),
                    f.address.clone().unwrap_or_else(|| "*".to_owned()),
                    f.message.clone(),
                ]
            })
            .collect();
        doc.table(
            vec![
                t(lang, "Result", "결과").to_owned(),
                t(lang, "Policy", "정책").to_owned(),
                t(lang, "Resource", "리소스").to_owned(),
                t(lang, "Message", "메시지").to_owned(),
            ],
            rows,
        );
    }
    let expired = results
        .findings
        .iter()
        .filter_map(|f| {
            expired_line(
                f.waiver.as_ref(),
                &format!("rego:{}", f.package),
                f.address.as_deref().unwrap_or("*"),
                lang,
            )
        })
        .collect();
    expired_section(doc, expired, lang);
    add_policies_json(&mut view.json, run, results);
}

/// Add the policy results to a scan's JSON (`scan_view`'s, or `scan_json_text` parsed): one
/// `summary` row per package (`check: "rego:<package>"`, `source: "rego"`, with a `warn` count)
/// and a finding per `deny` (`status: "fail"`) and `warn` (`status: "warn"`) message; with
/// `--include-passes`, a `pass` finding at address `*` for a package whose `deny` is empty.
pub fn add_policies_json(json: &mut Value, run: &ScanRun, results: &PolicyResults) {
    let first_file = run.files.first().cloned().unwrap_or_default();
    if let Some(summary) = json.get_mut("summary").and_then(Value::as_array_mut) {
        for p in &results.packages {
            let (fail, warn) = results.counts(&p.name);
            summary.push(json!({
                "check": p.check_id(),
                "title": policy_title(p),
                "pass": usize::from(policy_passes(p, results)),
                "fail": fail,
                "unknown": 0,
                "warn": warn,
                "waived": results.waived(&p.name),
                "violations": fail,
                "controls": policy_controls_json(&p.controls),
                "requirements": [],
                "required_at_tier": null,
                "source": "rego",
                "policy_files": p.files,
            }));
        }
    }
    if let Some(findings) = json.get_mut("findings").and_then(Value::as_array_mut) {
        for f in &results.findings {
            let files = results
                .packages
                .iter()
                .find(|p| p.name == f.package)
                .map(|p| p.files.clone())
                .unwrap_or_default();
            findings.push(json!({
                "check": format!("rego:{}", f.package),
                "address": f.address.as_deref().unwrap_or("*"),
                "type": f.resource_type,
                "status": f.level.status(),
                "reason": f.message,
                "settle": null,
                "controls": policy_controls_json(&f.controls),
                "requirements": [],
                "file": f.location.as_ref().map_or(first_file.clone(), |l| l.file.to_string()),
                "line": f.location.as_ref().and_then(|l| l.line),
                "column": f.location.as_ref().and_then(|l| l.column),
                "waiver": f.waiver.as_ref().map(waiver_json),
                "source": "rego",
                "policy": {"package": f.package, "rule": f.level.rule(), "files": files},
            }));
            if let (Some(state), Some(last)) = (f.baseline, findings.last_mut()) {
                last["baseline"] = json!(state.as_str());
            }
        }
        if run.include_passes {
            for p in results
                .packages
                .iter()
                .filter(|p| policy_passes(p, results))
            {
                findings.push(json!({
                    "check": p.check_id(),
                    "address": "*",
                    "type": null,
                    "status": "pass",
                    "reason": "no deny result",
                    "settle": null,
                    "controls": policy_controls_json(&p.controls),
                    "requirements": [],
                    "file": first_file,
                    "line": null,
                    "column": null,
                    "waiver": null,
                    "source": "rego",
                    "policy": {"package": p.name, "rule": "deny", "files": p.files},
                }));
            }
        }
    }
}

/// Add the policy results to a scan's SARIF: a rule per package (`rego:<package>`) and a result
/// per message, level `error` for `deny` and `warning` for `warn` (`properties.kcvs_status`).
/// A message naming a resource in the input is located at it; otherwise at the first input
/// file, logically at the package.
pub fn add_policies_sarif(sarif: &mut Value, run: &ScanRun, results: &PolicyResults, lang: Lang) {
    let Some(run_json) = sarif.pointer_mut("/runs/0") else {
        return;
    };
    let base = run_json
        .pointer("/tool/driver/rules")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let mut rules = Vec::new();
    for p in &results.packages {
        let controls = policy_controls_text(&p.controls);
        rules.push(json!({
            "id": p.check_id(),
            "name": p.check_id(),
            "shortDescription": {"text": policy_title(p)},
            "fullDescription": {"text": if controls.is_empty() {
                tf(lang, format!("Rego policy {} ({}).", p.name, p.files.join(", ")),
                   format!("Rego 정책 {} ({}).", p.name, p.files.join(", ")))
            } else {
                tf(lang, format!("Rego policy {} ({}). Evidence for {controls}.", p.name, p.files.join(", ")),
                   format!("Rego 정책 {} ({}). 근거 통제 항목: {controls}.", p.name, p.files.join(", ")))
            }},
            "defaultConfiguration": {"level": if p.has_deny { "error" } else { "warning" }},
            "properties": {
                "controls": p.controls.iter().map(|x| format!("{}:{}", x.catalog, x.id)).collect::<Vec<_>>(),
                "source": "rego",
                "tags": ["compliance", "korea", "rego"],
            },
        }));
    }
    let first_file = run.files.first().cloned().unwrap_or_default();
    let mut out = Vec::new();
    for f in &results.findings {
        let index = results
            .packages
            .iter()
            .position(|p| p.name == f.package)
            .unwrap_or(0);
        let file = f
            .location
            .as_ref()
            .map_or(first_file.clone(), |l| l.file.to_string());
        let mut physical = json!({"artifactLocation": {"uri": artifact_uri(&file)}});
        if let Some(line) = f.location.as_ref().and_then(|l| l.line) {
            physical["region"] = json!({
                "startLine": line.max(1),
                "startColumn": f.location.as_ref().and_then(|l| l.column).unwrap_or(1).max(1),
            });
        }
        let logical = match &f.address {
            Some(a) => json!({"name": a, "fullyQualifiedName": a, "kind": "resource"}),
            None => json!({
                "name": f.package,
                "fullyQualifiedName": format!("rego:{}", f.package),
                "kind": "namespace",
            }),
        };
        let text = match &f.address {
            Some(a) => format!("{a}: {}", f.message),
            None => f.message.clone(),
        };
        let mut result = json!({
            "ruleId": format!("rego:{}", f.package),
            "ruleIndex": base + index,
            "kind": "fail",
            "level": if f.level == PolicyLevel::Deny { "error" } else { "warning" },
            "message": {"text": text},
            "locations": [{"physicalLocation": physical, "logicalLocations": [logical]}],
            "properties": {
                "kcvs_status": f.level.status(),
                "resource_type": f.resource_type,
                "source": "rego",
            },
        });
        sarif_waiver(&mut result, f.waiver.as_ref());
        if let Some(state) = f.baseline {
            result["baselineState"] = json!(state.as_str());
        }
        out.push(result);
    }
    if let Some(r) = run_json
        .pointer_mut("/tool/driver/rules")
        .and_then(Value::as_array_mut)
    {
        r.extend(rules);
    }
    if let Some(r) = run_json.get_mut("results").and_then(Value::as_array_mut) {
        r.extend(out);
    }
}

/// A relative path as a URI reference: forward slashes, spaces and other reserved bytes escaped.
fn artifact_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-written findings are byte for byte serde_json's pretty output of the same
    /// document: waivers in force and expired, a settle hint, no line, escapes, non-ASCII,
    /// empty and full control lists, passes listed and not, no findings at all.
    #[test]
    #[allow(clippy::unwrap_used)]
    fn hand_written_findings_match_serde() {
        use kcvs_model::Text;
        use kcvs_scan::{SourceLoc, WaiverMatch};
        let date = |s: &str| s.parse::<kcvs_model::Date>().unwrap();
        let finding = |check: CheckId, status: Status, address: &str| Finding {
            check,
            address: address.to_owned(),
            resource_type: "aws_s3_bucket".to_owned(),
            status,
            reason: Text::new(
                "in \"Korea\"\\ \u{1}\u{1f}\u{7f}\n\t\r\u{8}\u{c}",
                "국내 저장",
            ),
            settle: None,
            controls: check.controls(),
            requirements: check.requirements(),
            location: SourceLoc {
                file: "plans/p \"1\".json".into(),
                line: Some(1234567),
                column: Some(1),
            },
            waiver: None,
            baseline: None,
        };
        let mut findings = [
            finding(
                CheckId::Residency,
                Status::Fail,
                "module.a[\"x\"].aws_s3_bucket.b[0]",
            ),
            finding(CheckId::AuditLogging, Status::Pass, "aws_cloudtrail.t"),
            finding(
                CheckId::EncryptionAtRest,
                Status::Unknown,
                "aws_ebs_volume.v",
            ),
            finding(CheckId::DedicatedTenancy, Status::Fail, "aws_instance.i"),
        ];
        findings[2].settle = Some(Text::new("after apply", "적용 후"));
        findings[2].location.line = None;
        findings[2].location.column = None;
        findings[0].waiver = Some(WaiverMatch {
            resource: "module.a*".to_owned(),
            reason: "migration \"soon\"".to_owned(),
            expires: date("2027-01-31"),
            in_force: true,
        });
        findings[3].waiver = Some(WaiverMatch {
            resource: "*".to_owned(),
            reason: "old".to_owned(),
            expires: date("2026-01-01"),
            in_force: false,
        });
        findings[0].baseline = Some(kcvs_scan::BaselineState::Unchanged);
        findings[2].baseline = Some(kcvs_scan::BaselineState::New);
        let compared = BaselineRun {
            file: "before \"1\".json".to_owned(),
            counts: kcvs_scan::BaselineCounts {
                new: 1,
                unchanged: 1,
                absent: 2,
            },
        };
        for (include_passes, baseline) in [(false, None), (true, None), (false, Some(compared))] {
            for lang in [Lang::En, Lang::Ko] {
                for list in [&findings[..], &findings[1..2], &[]] {
                    let run = ScanRun {
                        files: vec!["plans/p \"1\".json".to_owned()],
                        resources: 4,
                        checks: CheckId::ALL.to_vec(),
                        applies: Some(("csap-2023".into(), "high".into(), vec![])),
                        include_passes,
                        as_of: "2026-11-23".to_owned(),
                        baseline: baseline.clone(),
                        ..ScanRun::default()
                    };
                    let counts = tally(list);
                    let selected_counts = selected(&run, &counts);
                    let mut want =
                        serde_json::to_string_pretty(&scan_doc(&run, list, &selected_counts, lang))
                            .unwrap();
                    want.push('\n');
                    let mut got = Vec::new();
                    write_scan_json(&mut got, &run, list, &counts, lang).unwrap();
                    assert_eq!(String::from_utf8(got).unwrap(), want);
                }
            }
        }
    }

    /// The eight-at-a-time test agrees with a byte-by-byte one for every byte at every position
    /// of a word, beside ASCII and non-ASCII neighbours.
    #[test]
    fn escape_test_matches_the_plain_one() {
        let naive = |b: &[u8]| b.iter().any(|&c| c < 0x20 || c == b'"' || c == b'\\');
        for fill in [b'a', 0xea, 0x7f, 0x20, 0x80] {
            for len in [0usize, 1, 7, 8, 9, 16, 23] {
                for at in 0..len {
                    for c in 0..=255u8 {
                        let mut v = vec![fill; len];
                        v[at] = c;
                        assert_eq!(needs_escape(&v), naive(&v), "{fill} {len} {at} {c}");
                    }
                }
                assert_eq!(needs_escape(&vec![fill; len]), naive(&vec![fill; len]));
            }
        }
    }

    #[test]
    fn uris_are_escaped() {
        assert_eq!(
            artifact_uri("examples/scan/plan a.json"),
            "examples/scan/plan%20a.json"
        );
        assert_eq!(artifact_uri("C:\\x\\p.json"), "C:/x/p.json");
    }

    /// The SARIF with policy rules and results added stays valid against the official schema.
    #[test]
    #[allow(clippy::unwrap_used)]
    fn sarif_with_policies_is_valid() {
        use kcvs_scan::*;
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let name = "examples/scan/plan-multicloud.json";
        let bytes = std::fs::read(root.join(name)).unwrap();
        let rules = kcvs_content::load_rules(None).unwrap();
        let opts = ReadOptions {
            full_attributes: true,
            ..ReadOptions::default()
        };
        let mut plan = read_plan(&bytes, name, &opts).unwrap();
        resolve_all(&mut plan.resources, &rules.regions);
        let mut files = Vec::new();
        for f in ["kms_cmk.rego", "public_ip.rego"] {
            let path = root.join("examples/scan/policies").join(f);
            files.push(PolicyFile {
                name: format!("examples/scan/policies/{f}"),
                text: std::fs::read_to_string(path).unwrap(),
            });
        }
        files.push(PolicyFile {
            name: "whole.rego".to_owned(),
            text: "package whole\n\ndeny contains \"no resource named\" if { true }\n".to_owned(),
        });
        let mut policies = Policies::load(&files).unwrap();
        let results = policies
            .evaluate(&plan.resources, &[name.to_owned()])
            .unwrap();
        let as_of: kcvs_model::Date = "2026-11-23".parse().unwrap();
        let findings = run_checks(&plan.resources, &rules, &CheckSelection::all(), as_of);
        let run = ScanRun {
            files: vec![name.to_owned()],
            checks: CheckId::ALL.to_vec(),
            as_of: as_of.to_string(),
            ..ScanRun::default()
        };
        let mut sarif = scan_sarif(&run, &findings, Lang::En);
        add_policies_sarif(&mut sarif, &run, &results, Lang::En);
        let schema_path = root.join("../shared/schemas/sarif-schema-2.1.0.json");
        let schema: Value =
            serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        let rego: Vec<&Value> = results
            .iter()
            .filter(|r| r["properties"]["source"] == "rego")
            .collect();
        assert_eq!(rego.len(), 7 + 2 + 1);
        assert!(
            rego.iter()
                .any(|r| r["locations"][0]["logicalLocations"][0]["kind"] == "namespace")
        );
    }
}
