//! Fuzz-style properties: arbitrary text never panics the profile parsers or the pack loader, every
//! error they return is positioned inside the input and worded in both languages, and well-shaped
//! random profiles that parse can be decided by the engine without a panic or a contradictory
//! verdict. Saved fuzz inputs under `fuzz/corpus-seed/<target>/` are replayed here too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::OnceLock;

use kcvs_content::{
    LoadErrorKind, LoadErrors, PackFile, What, builtin_files, check_service_schemes,
    check_system_overrides, load, parse_service, parse_system,
};
use kcvs_engine::{Decider, ServiceIndex, Verdict, classify, eligibility};
use kcvs_model::*;
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Shared fixtures and checks
// ---------------------------------------------------------------------------------------------

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| load(&builtin_files()).expect("built-in content loads"))
}

fn builtins() -> &'static [PackFile] {
    static FILES: OnceLock<Vec<PackFile>> = OnceLock::new();
    FILES.get_or_init(builtin_files)
}

/// Lines as YAML counts them: `\n`, `\r\n` and a lone `\r` each end one.
fn line_count(text: &str) -> u64 {
    let mut n = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => n += 1,
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                n += 1;
            }
            _ => {}
        }
    }
    n
}

fn longest_line(text: &str) -> u64 {
    text.split(['\n', '\r'])
        .map(|l| l.chars().count() as u64)
        .max()
        .unwrap_or(0)
}

/// Every error: non-empty in both languages, and positioned within the file it names.
fn check_errors(errors: &LoadErrors, files: &[(&str, &str)]) {
    assert!(!errors.0.is_empty(), "an Err carries at least one error");
    for e in &errors.0 {
        assert!(
            !e.message(Lang::En).trim().is_empty(),
            "empty English message: {e:?}"
        );
        assert!(
            !e.message(Lang::Ko).trim().is_empty(),
            "empty Korean message: {e:?}"
        );
        let Some((_, text)) = files.iter().find(|(name, _)| *name == e.file) else {
            panic!("error names a file that was not given: {e:?}");
        };
        if e.line != 0 {
            let lines = line_count(text);
            assert!(
                e.line <= lines + 1,
                "line {} beyond the input's {lines} lines: {e:?}",
                e.line
            );
        }
        if e.column != 0 {
            let width = longest_line(text);
            assert!(
                e.column <= width + 1,
                "column {} beyond the longest line ({width} chars): {e:?}",
                e.column
            );
        }
    }
}

fn check_system_text(text: &str) -> Option<SystemProfile> {
    match parse_system("system.yaml", text) {
        Ok(s) => {
            if let Err(e) = check_system_overrides("system.yaml", text, &s, rules()) {
                check_errors(&e, &[("system.yaml", text)]);
            }
            Some(s)
        }
        Err(e) => {
            check_errors(&e, &[("system.yaml", text)]);
            None
        }
    }
}

fn check_service_text(text: &str) -> Option<ServiceProfile> {
    match parse_service("service.yaml", text) {
        Ok(s) => {
            if let Err(e) = check_service_schemes("service.yaml", text, rules()) {
                check_errors(&e, &[("service.yaml", text)]);
            }
            Some(s)
        }
        Err(e) => {
            check_errors(&e, &[("service.yaml", text)]);
            None
        }
    }
}

const EXTRA: &str = "extra/fuzz.yaml";

/// One extra file through `load`, beside the built-in files or alone.
fn check_pack_text(text: &str, with_builtins: bool) {
    let mut files = if with_builtins {
        builtins().to_vec()
    } else {
        Vec::new()
    };
    files.push(PackFile {
        name: EXTRA.to_owned(),
        text: text.to_owned(),
    });
    if let Err(e) = load(&files) {
        let named: Vec<(&str, &str)> = files
            .iter()
            .map(|f| (f.name.as_str(), f.text.as_str()))
            .collect();
        check_errors(&e, &named);
    }
}

fn date(y: i16, m: i8, d: i8) -> Date {
    Date::new(y, m, d).expect("valid generated date")
}

/// Run every decision the engine offers on one system and its services.
fn decide(
    system: &SystemProfile,
    services: &[ServiceProfile],
    as_of: Date,
    assumptions: &AssumptionSet,
) {
    let rules = rules();
    let idx = ServiceIndex::new(services.iter());
    let d = Decider::new(rules, assumptions, as_of, &idx);
    for regime in rules.schemes_regimes() {
        let c = classify(regime, system);
        assert!(
            regime.tier(c.tier).is_some(),
            "{}: classification to a tier the regime lacks",
            regime.id
        );
    }
    let _ = d.governing_regime();
    for regime in rules
        .regimes
        .iter()
        .filter(|r| r.kind == RegimeKind::Scheme)
    {
        let _ = d.in_force(regime);
        for service in services {
            let e = eligibility(&d, regime, system, service);
            if e.verdict == Verdict::Eligible {
                assert!(
                    e.blockers.is_empty(),
                    "{}: eligible with blockers {:?}",
                    regime.id,
                    e.blockers
                );
            }
            if !e.blockers.is_empty() {
                assert_eq!(e.verdict, Verdict::NotEligible, "{}", regime.id);
            }
        }
    }
}

/// Defaults, then each assumption varied by a bit of `bits`.
fn varied_assumptions(bits: u64) -> AssumptionSet {
    let rules = rules();
    let mut a = AssumptionSet::from_defaults(&rules.assumptions);
    for (i, asm) in rules.assumptions.iter().enumerate() {
        let bit = (bits >> (i % 64)) & 1 == 1;
        if !bit {
            continue;
        }
        let value = match &asm.default {
            AssumptionValue::Flag(b) => AssumptionValue::Flag(!b),
            AssumptionValue::Choice(c) => match asm.options.iter().find(|o| *o != c) {
                Some(o) => AssumptionValue::Choice(o.clone()),
                None => continue,
            },
            AssumptionValue::Date(_) => {
                AssumptionValue::Date(date(2022 + (bits >> 32) as i16 % 9, 1, 1))
            }
        };
        assert!(a.set(&asm.id, value));
    }
    a
}

// ---------------------------------------------------------------------------------------------
// Strategies: arbitrary text
// ---------------------------------------------------------------------------------------------

fn lossy_bytes() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<u8>(), 0..512)
        .prop_map(|b| String::from_utf8_lossy(&b).into_owned())
}

const KEYS: &[&str] = &[
    "kind",
    "id",
    "name",
    "institution",
    "sector",
    "data",
    "overrides",
    "regime",
    "tier",
    "reason",
    "transfer_ground",
    "provider",
    "headquarters",
    "model",
    "service_type",
    "separation",
    "data_locations",
    "management_locations",
    "backup_locations",
    "operations_personnel_locations",
    "crypto",
    "algorithms",
    "validated_modules",
    "cc_certified_products",
    "double_encryption",
    "foreign_access",
    "fsi_prescreened",
    "runs_on",
    "certifications",
    "scheme",
    "issued",
    "expires",
    "status",
    "controls",
    "statement",
    "evidence",
    "sources",
    "assumptions",
    "schemes",
    "levels",
    "catalog",
    "provenance",
    "confidence",
    "regime_kind",
    "tiers",
    "rules",
    "requirements",
    "extends",
    "entries",
    "parent",
    "relation",
    "default",
    "options",
    "type",
    "url",
    "title",
    "en",
    "ko",
    "<<",
];

const VALUES: &[&str] = &[
    "csap",
    "csap-2023",
    "n2sf-2025",
    "nis-2027",
    "low",
    "medium",
    "high",
    "O",
    "S",
    "C",
    "KR",
    "US",
    "aws:ap-northeast-2",
    "nowhere:x",
    ":",
    "2024-02-29",
    "2023-02-29",
    "9999-99-99",
    "true",
    "false",
    "null",
    "~",
    "0",
    "-1",
    "1e999",
    "0x10",
    ".inf",
    "\"\"",
    "''",
    "\"\\u0000\"",
    "regime",
    "sources",
    "schemes",
    "catalog",
    "crosswalk",
    "assumptions",
    "kcmvp",
    "regions",
    "flag",
    "choice",
    "date",
    "&a x",
    "*a",
    "!!str",
    "!!binary",
    "!tag",
    "|",
    ">-",
    "한국어",
    "🙂",
];

const PUNCT: &[&str] = &[
    ": ",
    ":",
    "\n",
    "\n  ",
    "\n    ",
    "\n- ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    ", ",
    "\"",
    "'",
    "#",
    "&",
    "*",
    "!",
    "?",
    "|",
    "%YAML 1.2\n",
    "---\n",
    "...\n",
    "\t",
    "\r\n",
    "\r",
    " ",
];

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(KEYS).prop_map(|k| format!("{k}: ")),
        3 => prop::sample::select(VALUES).prop_map(str::to_owned),
        1 => prop::sample::select(DataCategory::spellings()).prop_map(str::to_owned),
        1 => prop::sample::select(InstitutionKind::spellings()).prop_map(str::to_owned),
        1 => prop::sample::select(ServiceModel::spellings()).prop_map(str::to_owned),
        1 => prop::sample::select(Algorithm::spellings()).prop_map(str::to_owned),
        4 => prop::sample::select(PUNCT).prop_map(str::to_owned),
        1 => "[a-z0-9 -]{0,8}",
    ]
}

fn yamlish() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..60).prop_map(|v| v.concat())
}

/// A random built-in file with a random stretch replaced by a fragment: mostly valid, so the
/// loader gets past the parser into its reference checks.
fn mutated_builtin() -> impl Strategy<Value = String> {
    (
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        0usize..64,
        yamlish(),
    )
        .prop_map(|(file, at, len, insert)| {
            let files = builtins();
            let text = &files[file.index(files.len())].text;
            let mut start = at.index(text.len().max(1)).min(text.len());
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = (start + len).min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            format!("{}{}{}", &text[..start], insert, &text[end..])
        })
}

/// Text for an extra pack file: arbitrary, fragment soup, soup under a `kind:` head, or a
/// built-in file with a stretch replaced.
fn pack_text() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => lossy_bytes(),
        1 => ".*",
        1 => yamlish(),
        1 => (
            prop::sample::select(vec![
                "sources",
                "assumptions",
                "schemes",
                "kcmvp",
                "regions",
                "regime",
                "catalog",
                "crosswalk",
                "nonsense",
            ]),
            yamlish()
        )
            .prop_map(|(k, rest)| format!("kind: {k}\n{rest}")),
        2 => mutated_builtin(),
    ]
}

// ---------------------------------------------------------------------------------------------
// Strategies: well-shaped profiles
// ---------------------------------------------------------------------------------------------

/// Mostly a valid spelling from `set`, sometimes a wrong one.
fn spelling(set: Vec<&'static str>) -> impl Strategy<Value = String> {
    prop_oneof![
        24 => prop::sample::select(set).prop_map(str::to_owned),
        1 => prop::sample::select(vec!["bogus", "", "IAAS", "Low", "kr"]).prop_map(str::to_owned),
    ]
}

fn spellings(set: Vec<&'static str>) -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(spelling(set), 0..5)
}

fn yaml_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
    format!("[{}]", quoted.join(", "))
}

/// `YYYY-MM-DD` with month and day a little past their ranges, so some dates do not exist.
fn date_text() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => (2018i32..2033, 1u32..14, 1u32..32).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        1 => prop::sample::select(vec!["2024/01/01", "2024-1-1", "", "yesterday", "20240101"])
            .prop_map(str::to_owned),
    ]
}

fn location() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => prop::sample::select(vec![
            "KR",
            "KR",
            "US",
            "JP",
            "DE",
            "aws:ap-northeast-2",
            "aws:us-east-1",
            "azure:koreacentral",
            "gcp:asia-northeast3",
            "nowhere:x",
        ]),
        1 => prop::sample::select(vec!["ZZ", "kr", ":", "x:", "Korea"]),
    ]
    .prop_map(str::to_owned)
}

fn locations() -> impl Strategy<Value = Option<Vec<String>>> {
    prop::option::of(prop::collection::vec(location(), 0..4))
}

fn tier_name() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "low", "medium", "high", "O", "S", "C", "top", "low", "medium", "high",
    ])
    .prop_map(str::to_owned)
}

#[derive(Clone, Debug)]
struct CertGen {
    scheme: String,
    tier: Option<String>,
    service_type: Option<String>,
    issued: String,
    expires: String,
    status: Option<String>,
}

fn cert() -> impl Strategy<Value = CertGen> {
    (
        prop::sample::select(vec![
            "csap",
            "csap",
            "csap",
            "nis-verification",
            "isms",
            "isms-p",
            "iso-27001",
            "fedramp",
            "unknown-scheme",
        ]),
        prop::option::of(tier_name()),
        prop::option::of(spelling(ServiceType::spellings())),
        date_text(),
        prop_oneof![
            // Mostly a term of 1 to 5 years after the issue date, else any date.
            4 => (1i32..6).prop_map(Some),
            1 => Just(None),
        ],
        date_text(),
        prop::option::of(prop::sample::select(vec![
            "active",
            "active",
            "active",
            "active",
            "revoked",
            "withdrawn",
            "expired",
        ])),
    )
        .prop_map(
            |(scheme, tier, service_type, issued, term, other, status)| {
                let expires = match (term, issued.get(..4).and_then(|y| y.parse::<i32>().ok())) {
                    (Some(t), Some(y)) if issued.len() == 10 => {
                        format!("{}{}", y + t, &issued[4..])
                    }
                    _ => other,
                };
                CertGen {
                    scheme: scheme.to_owned(),
                    tier,
                    service_type,
                    issued,
                    expires,
                    status: status.map(str::to_owned),
                }
            },
        )
}

/// A certificate in block style, one key a line, so its `expires` line can be found.
fn cert_yaml(c: &CertGen) -> String {
    let mut s = format!("  - scheme: {:?}\n", c.scheme);
    if let Some(t) = &c.tier {
        s += &format!("    tier: {t:?}\n");
    }
    if let Some(t) = &c.service_type {
        s += &format!("    service_type: {t:?}\n");
    }
    s += &format!("    issued: {:?}\n", c.issued);
    s += &format!("    expires: {:?}\n", c.expires);
    if let Some(st) = &c.status {
        s += &format!("    status: {st:?}\n");
    }
    s
}

fn system_yaml() -> impl Strategy<Value = String> {
    (
        spelling(InstitutionKind::spellings()),
        prop::option::of(spelling(Sector::spellings())),
        spellings(DataCategory::spellings()),
        prop::collection::vec(
            (
                prop::option::of(prop::sample::select(vec![
                    "csap-2023",
                    "n2sf-2025",
                    "nis-2027",
                    "bsa-2026",
                    "us-2026",
                    "no-such-regime",
                ])),
                tier_name(),
            ),
            0..3,
        ),
        prop::option::of(spelling(TransferGround::spellings())),
    )
        .prop_map(|(kind, sector, data, overrides, ground)| {
            let mut s = format!(
                "id: sys\nname: Random system\ninstitution: {{kind: {kind:?}}}\ndata: {}\n",
                yaml_list(&data)
            );
            if let Some(sector) = sector {
                s += &format!("sector: {sector:?}\n");
            }
            if !overrides.is_empty() {
                s += "overrides:\n";
                for (regime, tier) in overrides {
                    match regime {
                        Some(r) => {
                            s += &format!("  - {{regime: {r}, tier: {tier:?}, reason: r}}\n")
                        }
                        None => s += &format!("  - {{tier: {tier:?}, reason: r}}\n"),
                    }
                }
            }
            if let Some(g) = ground {
                s += &format!("transfer_ground: {g:?}\n");
            }
            s
        })
}

#[derive(Clone, Debug)]
struct ServiceGen {
    yaml: String,
    certs: Vec<CertGen>,
}

fn service_yaml(
    id: &'static str,
    runs_on: Option<&'static str>,
) -> impl Strategy<Value = ServiceGen> {
    let head = (
        spelling(ServiceModel::spellings()),
        prop::option::of(spelling(ServiceType::spellings())),
        prop::option::of(spelling(Separation::spellings())),
        prop::option::of(location()),
        locations(),
        locations(),
        locations(),
        locations(),
    );
    let tail = (
        prop::option::of((
            spellings(Algorithm::spellings()),
            spellings(ModuleProgram::spellings()),
        )),
        prop::collection::vec(prop::option::of(any::<bool>()), 4),
        prop::collection::vec(cert(), 0..4),
        any::<bool>(),
    );
    (head, tail).prop_map(
        move |(
            (model, service_type, separation, hq, data, mgmt, backup, personnel),
            (crypto, flags, certs, on),
        )| {
            let mut s = format!("id: {id}\nname: Random service\nprovider:\n  name: P\n");
            if let Some(hq) = hq {
                s += &format!("  headquarters: {hq:?}\n");
            }
            s += &format!("model: {model:?}\n");
            if let Some(t) = service_type {
                s += &format!("service_type: {t:?}\n");
            }
            if let Some(t) = separation {
                s += &format!("separation: {t:?}\n");
            }
            for (key, list) in [
                ("data_locations", data),
                ("management_locations", mgmt),
                ("backup_locations", backup),
                ("operations_personnel_locations", personnel),
            ] {
                if let Some(list) = list {
                    s += &format!("{key}: {}\n", yaml_list(&list));
                }
            }
            if let Some((algs, mods)) = crypto {
                s += &format!(
                    "crypto:\n  algorithms: {}\n  validated_modules: {}\n",
                    yaml_list(&algs),
                    yaml_list(&mods)
                );
            }
            for (key, flag) in [
                "cc_certified_products",
                "double_encryption",
                "foreign_access",
                "fsi_prescreened",
            ]
            .iter()
            .zip(flags)
            {
                if let Some(b) = flag {
                    s += &format!("{key}: {b}\n");
                }
            }
            if let (Some(r), true) = (runs_on, on) {
                s += &format!("runs_on: {r}\n");
            }
            if !certs.is_empty() {
                s += "certifications:\n";
                for c in &certs {
                    s += &cert_yaml(c);
                }
            }
            ServiceGen { yaml: s, certs }
        },
    )
}

/// A Korean IaaS that meets the categorical requirements, with one CSAP certificate of random
/// tier and term, so that `Eligible` verdicts turn up too.
fn korean_iaas() -> impl Strategy<Value = ServiceGen> {
    (
        prop::sample::select(vec!["low", "medium", "high"]),
        2019i32..2030,
        1u32..13,
        1u32..29,
        1i32..6,
    )
        .prop_map(|(tier, y, m, d, term)| {
            let c = CertGen {
                scheme: "csap".to_owned(),
                tier: Some(tier.to_owned()),
                service_type: Some("iaas".to_owned()),
                issued: format!("{y:04}-{m:02}-{d:02}"),
                expires: format!("{:04}-{m:02}-{d:02}", y + term),
                status: None,
            };
            let yaml = format!(
                "id: rand-iaas\nname: Korean IaaS\nprovider: {{name: P, headquarters: KR}}\n\
                 model: iaas\nservice_type: iaas\nseparation: physical\ndata_locations: [KR]\n\
                 management_locations: [KR]\nbackup_locations: [KR]\n\
                 operations_personnel_locations: [KR]\n\
                 crypto: {{algorithms: [ARIA, SEED], validated_modules: [KCMVP]}}\n\
                 cc_certified_products: true\ndouble_encryption: true\nforeign_access: false\n\
                 fsi_prescreened: true\ncertifications:\n{}",
                cert_yaml(&c)
            );
            ServiceGen {
                yaml,
                certs: vec![c],
            }
        })
}

fn as_of() -> impl Strategy<Value = Date> {
    (2022i16..=2030, 1i8..=12, 1i8..=28).prop_map(|(y, m, d)| date(y, m, d))
}

/// The 1-based line of the `n`th `expires:` key in `text`.
fn expires_line(text: &str, n: usize) -> u64 {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("expires:"))
        .nth(n)
        .map(|(i, _)| i as u64 + 1)
        .expect("the certificate's expires line")
}

/// When a generated certificate has real dates with `expires <= issued`, the service must be
/// rejected with a certificate-dates error on that certificate's `expires` line. (A certificate
/// whose `status` is misspelt is reported for that and its dates are not compared.)
fn check_backwards_certs(g: &ServiceGen, result: &Option<ServiceProfile>) {
    for (n, c) in g.certs.iter().enumerate() {
        if c.status
            .as_deref()
            .is_some_and(|s| !matches!(s, "active" | "revoked" | "withdrawn"))
        {
            continue;
        }
        let (Some(i), Some(e)) = (
            kcvs_content::parse_date(&c.issued),
            kcvs_content::parse_date(&c.expires),
        ) else {
            continue;
        };
        if e > i {
            continue;
        }
        assert!(
            result.is_none(),
            "a certificate expiring {e} on or before its issue {i} was accepted:\n{}",
            g.yaml
        );
        let line = expires_line(&g.yaml, n);
        let errors = parse_service("service.yaml", &g.yaml).expect_err("rejected");
        assert!(
            errors.0.iter().any(|err| matches!(
                err.kind,
                LoadErrorKind::Invalid {
                    what: What::CertificateDates,
                    ..
                }
            ) && err.line == line),
            "no certificate-dates error on line {line}: {errors:?}\n{}",
            g.yaml
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig {
        // Integration tests have no lib.rs beside them to persist failures next to.
        failure_persistence: None,
        ..ProptestConfig::with_cases(256)
    })]

    #[test]
    fn arbitrary_bytes_never_panic_the_profile_parsers(text in lossy_bytes()) {
        check_system_text(&text);
        check_service_text(&text);
    }

    #[test]
    fn arbitrary_strings_never_panic_the_profile_parsers(text in ".*") {
        check_system_text(&text);
        check_service_text(&text);
    }

    #[test]
    fn yamlish_fragments_never_panic_the_profile_parsers(text in yamlish()) {
        check_system_text(&text);
        check_service_text(&text);
    }

    #[test]
    fn an_arbitrary_pack_file_alone_never_panics_load(text in pack_text()) {
        check_pack_text(&text, false);
    }

    #[test]
    fn well_shaped_profiles_parse_or_fail_cleanly_and_decide_without_contradiction(
        system in system_yaml(),
        iaas in prop_oneof![2 => service_yaml("rand-iaas", None), 1 => korean_iaas()],
        saas in service_yaml("rand-saas", Some("rand-iaas")),
        when in as_of(),
        bits in any::<u64>(),
    ) {
        let sys = check_system_text(&system);
        let iaas_p = check_service_text(&iaas.yaml);
        check_backwards_certs(&iaas, &iaas_p);
        let saas_p = check_service_text(&saas.yaml);
        check_backwards_certs(&saas, &saas_p);
        if let Some(sys) = sys {
            let services: Vec<ServiceProfile> = iaas_p.into_iter().chain(saas_p).collect();
            decide(&sys, &services, when, &varied_assumptions(bits));
        }
    }

    #[test]
    fn a_certificate_expiring_on_or_before_issue_is_rejected_at_its_expires_line(
        issued in as_of(),
        back in 0i32..2000,
        before in prop::collection::vec(cert(), 0..2),
    ) {
        let expires = issued.checked_sub(jiff::Span::new().days(back)).expect("date in range");
        let bad = CertGen {
            scheme: "csap".to_owned(),
            tier: Some("high".to_owned()),
            service_type: None,
            issued: issued.to_string(),
            expires: expires.to_string(),
            status: None,
        };
        let mut yaml = "id: s\nname: s\nprovider: {name: P, headquarters: KR}\nmodel: iaas\ncertifications:\n".to_owned();
        for c in &before {
            yaml += &cert_yaml(c);
        }
        yaml += &cert_yaml(&bad);
        let mut certs = before.clone();
        certs.push(bad);
        let g = ServiceGen { yaml, certs };
        let parsed = check_service_text(&g.yaml);
        prop_assert!(parsed.is_none(), "accepted:\n{}", g.yaml);
        check_backwards_certs(&g, &parsed);
    }
}

proptest! {
    // Loading the ~200 KB of built-in content takes ~0.1 s a case in a debug build, so this one
    // runs fewer cases than the others to keep the file under ~20 s.
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(96)
    })]

    #[test]
    fn an_arbitrary_pack_file_beside_the_builtins_never_panics_load(text in pack_text()) {
        check_pack_text(&text, true);
    }
}

// ---------------------------------------------------------------------------------------------
// Saved fuzz inputs
// ---------------------------------------------------------------------------------------------

fn seed_dir(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus-seed")
        .join(target)
}

fn seeds(target: &str) -> Vec<(PathBuf, String)> {
    let Ok(entries) = std::fs::read_dir(seed_dir(target)) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).expect("seed readable");
            (p, String::from_utf8_lossy(&bytes).into_owned())
        })
        .collect()
}

#[test]
fn fuzz_seed_inputs_replay_without_panic() {
    let mut replayed = 0;
    for (_, text) in seeds("profile_system") {
        check_system_text(&text);
        replayed += 1;
    }
    for (_, text) in seeds("profile_service") {
        check_service_text(&text);
        replayed += 1;
    }
    for (_, text) in seeds("content_pack") {
        check_pack_text(&text, false);
        check_pack_text(&text, true);
        replayed += 1;
    }
    assert!(
        replayed > 0,
        "no seeds found under {}",
        seed_dir("").display()
    );
}

#[test]
fn example_seeds_parse() {
    // The committed seeds copied from examples/ are valid profiles; keep them so.
    for (path, text) in seeds("profile_system") {
        if path.extension().is_some_and(|e| e == "yaml") {
            assert!(check_system_text(&text).is_some(), "{}", path.display());
        }
    }
    for (path, text) in seeds("profile_service") {
        if path.extension().is_some_and(|e| e == "yaml") {
            assert!(check_service_text(&text).is_some(), "{}", path.display());
        }
    }
}
