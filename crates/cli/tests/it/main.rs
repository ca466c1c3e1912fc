//! The CLI's integration tests, in one binary (see STYLE.md, "one integration-test binary").
//!
//! - `options`: the global options (`--lang`, `--as-of`, `--assume`, `--format`) and usage errors.
//! - `rules`: `regime list|show`, `catalog list|show`.
//! - `content`: `content validate` and how load errors are reported.
//! - `scan`: `kcvs scan` exit codes, formats, waivers and bad input.
//! - `serve`: `kcvs audit verify` on an edited database, `kcvs cert verify` offline.
//! - `scan_evidence`: `kcvs scan --policy` (Rego) and `kcvs assess --evidence`.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers: a fixture that cannot be set up fails the test"
)]

mod content;
mod decisions;
mod options;
mod rules;
mod scan;
mod scan_evidence;
mod serve;

use std::path::Path;

use assert_cmd::Command;

/// `kcvs` with a clean environment for the settings it reads.
pub fn kcvs() -> Command {
    let mut cmd = Command::cargo_bin("kcvs").unwrap();
    cmd.env_remove("KCVS_LANG");
    cmd
}

pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// A small regime written for these tests, so they do not depend on the built-in regimes.
pub const TEST_REGIME: &str = r#"kind: regime
id: test-scheme
name: {en: "Test scheme", ko: "시험 제도"}
summary: {en: "A two-tier scheme for tests.", ko: "시험용 2등급 제도입니다."}
status: scenario
regime_kind: scheme
effective_from: "2024-01-01"
effective_until: "assume:nis-2027.start"
assumptions: [csap.kcmvp-required]
provenance: {sources: [kisa-csap-intro], confidence: C, facts: "§1"}
tiers:
  - {id: low, label: {en: "Low", ko: "하"}}
  - {id: high, label: {en: "High", ko: "상"}}
classification:
  - id: test.class.high
    title: {en: "Personal data makes a system High", ko: "개인정보가 있으면 상 등급"}
    when_any: [personal]
    tier: high
    provenance: {sources: [kisa-csap-intro], confidence: I, facts: "§2"}
requirements:
  - id: test.req.crypto
    requirement: korean-crypto
    title: {en: "Korean cryptography at High", ko: "상 등급은 국산 암호"}
    tiers: [high]
    assumption: csap.kcmvp-required
    provenance: {sources: [kisa-csap-intro], confidence: U, facts: "Pass 2 §1"}
"#;

pub fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// A temporary user pack holding [`TEST_REGIME`].
pub fn test_pack() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "test-scheme.yaml", TEST_REGIME);
    dir
}
