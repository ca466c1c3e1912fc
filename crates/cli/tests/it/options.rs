use crate::{kcvs, stderr, stdout};

#[test]
fn help_works() {
    let out = kcvs().arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let s = stdout(&out);
    for word in [
        "regime", "catalog", "content", "--as-of", "--assume", "--lang", "--format",
    ] {
        assert!(s.contains(word), "{word} missing from help:\n{s}");
    }
    let out = kcvs().args(["catalog", "show", "--help"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        vec!["regime", "lst"],
        vec!["catalog", "show"],
        vec!["--format", "pdf", "regime", "list"],
        vec!["--lang", "fr", "regime", "list"],
        vec![],
    ] {
        let out = kcvs().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn impossible_as_of_date_exits_2() {
    let out = kcvs()
        .args(["--as-of", "2023-02-30", "regime", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("2023-02-30") && err.contains("YYYY-MM-DD"),
        "{err}"
    );
    assert!(out.stdout.is_empty());

    let out = kcvs()
        .args(["catalog", "list", "--as-of", "2024-02-29"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn unknown_assumption_exits_2_with_the_known_ids() {
    let out = kcvs()
        .args(["--assume", "nope=1", "regime", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("unknown assumption `nope`"), "{err}");
    assert!(err.contains("csap.kcmvp-required"), "{err}");
}

#[test]
fn bad_assumption_value_exits_2_with_the_allowed_values() {
    let out = kcvs()
        .args(["regime", "list", "--assume", "csap.kcmvp-required=maybe"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`true` or `false`"),
        "{}",
        stderr(&out)
    );

    let out = kcvs()
        .args([
            "regime",
            "list",
            "--assume",
            "csap.untiered-saas-simplified=high",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("`low`") && err.contains("`medium`"), "{err}");

    let out = kcvs()
        .args(["regime", "list", "--assume", "no-equals-sign"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("ID=VALUE"));
}

#[test]
fn lang_ko_prints_korean() {
    let out = kcvs()
        .args(["catalog", "show", "csap", "--lang", "ko"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let s = stdout(&out);
    assert!(s.contains("클라우드 보안인증(CSAP) 평가기준"), "{s}");
    assert!(s.contains("공표 항목 수"));

    // KCVS_LANG is honoured, and --lang wins over it.
    let out = kcvs()
        .env("KCVS_LANG", "ko")
        .args(["catalog", "list"])
        .output()
        .unwrap();
    assert!(stdout(&out).contains("통제 목록"));
    let out = kcvs()
        .env("KCVS_LANG", "ko")
        .args(["catalog", "list", "--lang", "en"])
        .output()
        .unwrap();
    assert!(stdout(&out).contains("Control catalogs"));

    // Errors follow the language too.
    let out = kcvs()
        .args(["--lang", "ko", "catalog", "show", "nope"])
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains("알 수 없는 통제 목록 `nope`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn every_format_renders() {
    for (format, needle) in [
        ("text", "CSAP evaluation criteria (csap)\n====="),
        ("markdown", "# CSAP evaluation criteria (csap)"),
        ("html", "<html lang=\"en\">"),
        ("json", "\"id\": \"csap\""),
    ] {
        let out = kcvs()
            .args(["catalog", "show", "csap", "--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{format}");
        assert!(stdout(&out).contains(needle), "{format}");
    }
}
