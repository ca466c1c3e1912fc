use crate::{TEST_REGIME, kcvs, stderr, stdout, write};

#[test]
fn builtin_content_validates() {
    let out = kcvs().args(["content", "validate"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("Content is valid"));
}

#[test]
fn a_good_pack_validates_with_json_counts() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "test.yaml", TEST_REGIME);
    let out = kcvs()
        .args(["content", "validate", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], true);
    assert!(v["counts"]["regimes"].as_u64().unwrap() >= 1);
}

fn broken_pack() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "bad-category.yaml",
        &TEST_REGIME.replace("when_any: [personal]", "when_any: [personal, secrets]"),
    );
    write(
        dir.path(),
        "malformed.yaml",
        "kind: catalog\nid: broken\nname: {en: \"x\"\n",
    );
    dir
}

#[test]
fn a_broken_pack_exits_2_naming_file_line_column_and_expected() {
    let dir = broken_pack();
    let out = kcvs()
        .args(["content", "validate"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    // The unknown category: file, line 17 (the `when_any` line), column of `secrets`.
    assert!(
        err.contains("bad-category.yaml:17:26: unknown data category `secrets`"),
        "{err}"
    );
    assert!(
        err.contains("expected one of `public-open`, `non-public`"),
        "{err}"
    );
    assert!(
        err.contains("17 |     when_any: [personal, secrets]"),
        "{err}"
    );
    assert!(err.contains("   |                          ^"), "{err}");
    // The malformed line.
    assert!(err.contains("malformed.yaml:3:"), "{err}");
    assert!(err.contains("invalid document"), "{err}");
    assert!(err.contains("2 errors in content"), "{err}");
}

#[test]
fn a_broken_pack_reports_in_korean() {
    let dir = broken_pack();
    let out = kcvs()
        .args(["content", "validate", "--lang", "ko"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("알 수 없는 데이터 범주 `secrets`"), "{err}");
    assert!(err.contains("오류 2개"), "{err}");
}

#[test]
fn a_broken_content_option_fails_every_command() {
    let dir = broken_pack();
    let out = kcvs()
        .args(["catalog", "list", "--content"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bad-category.yaml:17:26"));
}

#[test]
fn a_missing_pack_folder_exits_2() {
    let out = kcvs()
        .args(["content", "validate", "/nonexistent/kcvs-pack"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("/nonexistent/kcvs-pack"));
}
