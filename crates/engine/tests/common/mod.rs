//! Shared set-up for the engine's behaviour tests: the built-in rules and profiles written inline.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]
#![allow(dead_code)]

use kcvs_content::{builtin_files, load, parse_service, parse_system};
use kcvs_model::*;

pub fn rules() -> RuleSet {
    load(&builtin_files()).expect("built-in content loads")
}

pub fn date(s: &str) -> Date {
    s.parse().expect("test date")
}

pub fn system(yaml: &str) -> SystemProfile {
    parse_system("test-system.yaml", yaml).expect("test system parses")
}

pub fn service(yaml: &str) -> ServiceProfile {
    parse_service("test-service.yaml", yaml).expect("test service parses")
}

pub fn regime<'r>(rules: &'r RuleSet, id: &str) -> &'r Regime {
    rules.regime(&RegimeId::new(id)).expect("regime exists")
}

pub fn defaults(rules: &RuleSet) -> AssumptionSet {
    AssumptionSet::from_defaults(&rules.assumptions)
}

pub fn with(rules: &RuleSet, id: &str, value: AssumptionValue) -> AssumptionSet {
    let mut a = defaults(rules);
    assert!(
        a.set(&AssumptionId::new(id), value),
        "assumption {id} exists"
    );
    a
}

/// A Korean IaaS that meets every categorical requirement, certified at `tier` on `issued`.
pub fn korean_iaas(id: &str, tier: &str, issued: &str, expires: &str) -> ServiceProfile {
    service(&format!(
        r#"
id: {id}
name: Korean IaaS
provider: {{name: Example Cloud, headquarters: KR}}
model: iaas
separation: physical
data_locations: [KR]
management_locations: [KR]
backup_locations: [KR]
operations_personnel_locations: [KR]
crypto: {{algorithms: [ARIA, SEED], validated_modules: [KCMVP]}}
cc_certified_products: true
double_encryption: true
foreign_access: false
certifications:
  - {{scheme: csap, tier: {tier}, issued: "{issued}", expires: "{expires}"}}
"#
    ))
}

pub fn open_data_system() -> SystemProfile {
    system(
        r#"
id: open-data
name: Open data portal
institution: {kind: central-government}
data: [public-open]
"#,
    )
}
