use crate::{kcvs, stderr, stdout, test_pack};

#[test]
fn regime_list_json_parses() {
    let pack = test_pack();
    let out = kcvs()
        .args(["regime", "list", "--format", "json", "--content"])
        .arg(pack.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let regimes = v["regimes"].as_array().unwrap();
    let test = regimes.iter().find(|r| r["id"] == "test-scheme").unwrap();
    assert_eq!(test["status"], "scenario");
    assert_eq!(test["tiers"], serde_json::json!(["low", "high"]));
    assert_eq!(test["effective_until"]["assumption"], "nis-2027.start");
    assert_eq!(test["effective_until"]["date"], "2027-07-01");
}

#[test]
fn regime_list_without_a_pack_parses_too() {
    let out = kcvs()
        .args(["regime", "list", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["regimes"].is_array());
}

#[test]
fn regime_show_reflects_assumption_overrides() {
    let pack = test_pack();
    let out = kcvs()
        .args([
            "regime",
            "show",
            "test-scheme",
            "--assume",
            "nis-2027.start=2028-01-01",
        ])
        .args(["--assume", "csap.kcmvp-required=false", "--content"])
        .arg(pack.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let s = stdout(&out);
    assert!(
        s.contains("2028-01-01 (assumption nis-2027.start, overridden)"),
        "{s}"
    );
    assert!(s.contains("csap.kcmvp-required = false"), "{s}");
    assert!(s.contains("Confidence U (unknown)"), "{s}");
    assert!(
        s.contains("https://isms.kisa.or.kr/main/csap/intro/"),
        "{s}"
    );
}

#[test]
fn regime_show_unknown_exits_2_and_names_known_ids() {
    let pack = test_pack();
    let out = kcvs()
        .args(["regime", "show", "nope", "--content"])
        .arg(pack.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("unknown regime `nope`"), "{err}");
    assert!(err.contains("`test-scheme`"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn catalog_show_csap_mentions_domain_14() {
    let out = kcvs().args(["catalog", "show", "csap"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let s = stdout(&out);
    assert!(
        s.contains("14 Additional security requirements of national and public agencies"),
        "{s}"
    );
    assert!(s.contains("not public"));
    assert!(s.contains("csap-isms-p: csap → isms-p"));
}

#[test]
fn catalog_show_unknown_exits_2_and_names_known_ids() {
    let out = kcvs().args(["catalog", "show", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("unknown catalog `nope`"), "{err}");
    assert!(err.contains("`csap`") && err.contains("`n2sf`"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn catalog_list_json_has_totals() {
    let out = kcvs()
        .args(["catalog", "list", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let csap = v["catalogs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "csap")
        .unwrap();
    assert!(
        csap["totals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["key"] == "iaas")
    );
}
