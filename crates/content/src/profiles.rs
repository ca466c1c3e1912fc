//! System and service profiles, YAML or JSON, into model types.
//!
//! JSON is read by the same YAML parser (JSON is YAML's flow syntax), so both get the same
//! line-and-column errors.

use std::collections::BTreeMap;

use kcvs_model::*;

use crate::error::{LoadError, LoadErrorKind, LoadErrors, What};
use crate::files::*;
use crate::load::{Cx, parse_doc};

pub fn parse_system(file: &str, text: &str) -> Result<SystemProfile, LoadErrors> {
    let sf: SystemF = parse_doc(file, text).map_err(|e| LoadErrors(vec![e]))?;
    let mut errors = Vec::new();
    let mut cx = Cx {
        file: file.to_owned(),
        errors: &mut errors,
    };
    let institution = cx.closed(
        &sf.institution.kind,
        What::InstitutionKind,
        InstitutionKind::parse,
        InstitutionKind::spellings(),
    );
    let sector = match &sf.sector {
        Some(s) => cx.closed(s, What::Sector, Sector::parse, Sector::spellings()),
        None => Some(Sector::General),
    };
    let data = cx.categories(&sf.data);
    let transfer_ground = sf.transfer_ground.as_ref().and_then(|t| {
        cx.closed(
            t,
            What::TransferGround,
            TransferGround::parse,
            TransferGround::spellings(),
        )
    });
    let overrides = sf
        .overrides
        .iter()
        .map(|o| TierOverride {
            regime: o.regime.as_ref().map(|r| RegimeId::new(&r.value)),
            tier: o.tier.value.clone(),
            reason: o.reason.clone(),
        })
        .collect();
    if !errors.is_empty() {
        return Err(LoadErrors(errors));
    }
    match (institution, sector) {
        (Some(institution), Some(sector)) => Ok(SystemProfile {
            id: SystemId::new(&sf.id.value),
            name: sf.name,
            institution,
            sector,
            data,
            overrides,
            transfer_ground,
        }),
        _ => Err(LoadErrors(errors)),
    }
}

/// Check a system's overrides against the loaded regimes: an override names a known regime and
/// a tier of it (or, without a regime, a tier of at least one regime).
pub fn check_system_overrides(
    file: &str,
    text: &str,
    system: &SystemProfile,
    rules: &RuleSet,
) -> Result<(), LoadErrors> {
    // Re-read for positions: overrides are few and this runs once per command.
    let Ok(sf) = parse_doc::<SystemF>(file, text) else {
        return Ok(());
    };
    let mut errors = Vec::new();
    let mut cx = Cx {
        file: file.to_owned(),
        errors: &mut errors,
    };
    for (o, of) in system.overrides.iter().zip(&sf.overrides) {
        match (&o.regime, &of.regime) {
            (Some(rid), Some(span)) => match rules.regime(rid) {
                None => cx.unknown(
                    span,
                    What::Regime,
                    rid.as_str(),
                    rules.schemes_regimes().map(|r| r.id.to_string()).collect(),
                ),
                Some(r) if r.tier_rank(&o.tier).is_none() => cx.unknown(
                    &of.tier,
                    What::Tier,
                    &o.tier,
                    r.tiers.iter().map(|t| t.id.clone()).collect(),
                ),
                Some(_) => {}
            },
            _ => {
                if !rules
                    .schemes_regimes()
                    .any(|r| r.tier_rank(&o.tier).is_some())
                {
                    let mut all: Vec<String> = rules
                        .schemes_regimes()
                        .flat_map(|r| r.tiers.iter().map(|t| t.id.clone()))
                        .collect();
                    all.sort();
                    all.dedup();
                    cx.unknown(&of.tier, What::Tier, &o.tier, all);
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(LoadErrors(errors))
    }
}

pub fn parse_service(file: &str, text: &str) -> Result<ServiceProfile, LoadErrors> {
    let sf: ServiceF = parse_doc(file, text).map_err(|e| LoadErrors(vec![e]))?;
    let mut errors = Vec::new();
    let mut cx = Cx {
        file: file.to_owned(),
        errors: &mut errors,
    };
    let model = cx.closed(
        &sf.model,
        What::ServiceModel,
        ServiceModel::parse,
        ServiceModel::spellings(),
    );
    let service_type = sf.service_type.as_ref().and_then(|s| {
        cx.closed(
            s,
            What::ServiceType,
            ServiceType::parse,
            ServiceType::spellings(),
        )
    });
    let separation = sf.separation.as_ref().and_then(|s| {
        cx.closed(
            s,
            What::Separation,
            Separation::parse,
            Separation::spellings(),
        )
    });
    let headquarters = sf.provider.headquarters.as_ref().and_then(|h| {
        let c = Country::parse(&h.value);
        if c.is_none() {
            cx.at(h, invalid_country(&h.value));
        }
        c
    });
    let mut locations = |list: &[S<String>]| -> Vec<Location> {
        list.iter()
            .filter_map(|s| {
                let l = Location::parse(&s.value);
                if l.is_none() {
                    cx.at(
                        s,
                        LoadErrorKind::Invalid {
                            what: What::Location,
                            value: s.value.clone(),
                            expected: "an ISO country code (`KR`) or `provider:region` (`aws:ap-northeast-2`)",
                            expected_ko: "ISO 국가 코드(`KR`) 또는 `제공자:리전`(`aws:ap-northeast-2`)",
                        },
                    );
                }
                l
            })
            .collect()
    };
    let data_locations = locations(&sf.data_locations);
    let management_locations = locations(&sf.management_locations);
    let backup_locations = locations(&sf.backup_locations);
    let personnel_locations = locations(&sf.operations_personnel_locations);
    let (algorithms, validated_modules) = match &sf.crypto {
        Some(c) => (
            c.algorithms
                .iter()
                .filter_map(|a| {
                    cx.closed(a, What::Algorithm, Algorithm::parse, Algorithm::spellings())
                })
                .collect(),
            c.validated_modules
                .iter()
                .filter_map(|m| {
                    cx.closed(
                        m,
                        What::ModuleProgram,
                        ModuleProgram::parse,
                        ModuleProgram::spellings(),
                    )
                })
                .collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    let mut certifications = Vec::new();
    for c in &sf.certifications {
        let issued = cx.date(&c.issued);
        let expires = cx.date(&c.expires);
        let status = match &c.status {
            Some(s) => cx.closed(
                s,
                What::CertificateStatus,
                |v| match v {
                    "active" => Some(CertificateStatus::Active),
                    "revoked" => Some(CertificateStatus::Revoked),
                    "withdrawn" => Some(CertificateStatus::Withdrawn),
                    _ => None,
                },
                vec!["active", "revoked", "withdrawn"],
            ),
            None => Some(CertificateStatus::Active),
        };
        let service_type = c.service_type.as_ref().and_then(|s| {
            cx.closed(
                s,
                What::ServiceType,
                ServiceType::parse,
                ServiceType::spellings(),
            )
        });
        let (Some(issued), Some(expires), Some(status)) = (issued, expires, status) else {
            continue;
        };
        if expires <= issued {
            cx.at(
                &c.expires,
                LoadErrorKind::Invalid {
                    what: What::CertificateDates,
                    value: format!("{issued} .. {expires}"),
                    expected: "an expiry date after the issue date",
                    expected_ko: "발급일보다 늦은 만료일",
                },
            );
            continue;
        }
        certifications.push(Certificate {
            scheme: SchemeId::new(&c.scheme.value),
            tier: c.tier.as_ref().map(|t| t.value.clone()),
            service_type,
            number: c.number.clone(),
            issued,
            expires,
            status,
        });
    }
    let mut controls = BTreeMap::new();
    for (id, c) in &sf.controls {
        let status = cx.closed(
            &c.status,
            What::ControlStatus,
            |v| match v {
                "implemented" => Some(ControlStatus::Implemented),
                "partial" => Some(ControlStatus::Partial),
                "planned" => Some(ControlStatus::Planned),
                "not-implemented" => Some(ControlStatus::NotImplemented),
                "not-applicable" => Some(ControlStatus::NotApplicable),
                _ => None,
            },
            vec![
                "implemented",
                "partial",
                "planned",
                "not-implemented",
                "not-applicable",
            ],
        );
        if let Some(status) = status {
            controls.insert(
                ControlId::new(id.as_str()),
                ControlStatement {
                    status,
                    statement: c.statement.clone(),
                    evidence: c.evidence.clone(),
                },
            );
        }
    }
    if !errors.is_empty() {
        return Err(LoadErrors(errors));
    }
    let Some(model) = model else {
        return Err(LoadErrors(errors));
    };
    Ok(ServiceProfile {
        id: ServiceId::new(&sf.id.value),
        name: sf.name,
        provider: sf.provider.name,
        headquarters,
        model,
        service_type,
        separation,
        data_locations,
        management_locations,
        backup_locations,
        personnel_locations,
        algorithms,
        validated_modules,
        cc_certified_products: sf.cc_certified_products,
        double_encryption: sf.double_encryption,
        foreign_access: sf.foreign_access,
        fsi_prescreened: sf.fsi_prescreened,
        runs_on: sf.runs_on.as_ref().map(|r| ServiceId::new(&r.value)),
        certifications,
        controls,
    })
}

/// Check a service's certificates against the loaded schemes (scheme id and level spelling).
pub fn check_service_schemes(file: &str, text: &str, rules: &RuleSet) -> Result<(), LoadErrors> {
    let Ok(sf) = parse_doc::<ServiceF>(file, text) else {
        return Ok(());
    };
    let mut errors: Vec<LoadError> = Vec::new();
    let mut cx = Cx {
        file: file.to_owned(),
        errors: &mut errors,
    };
    for c in &sf.certifications {
        match rules.scheme(&SchemeId::new(&c.scheme.value)) {
            None => cx.unknown(
                &c.scheme,
                What::Scheme,
                &c.scheme.value,
                rules.schemes.iter().map(|s| s.id.to_string()).collect(),
            ),
            Some(s) => {
                if let Some(t) = &c.tier
                    && !s.levels.contains(&t.value)
                {
                    cx.unknown(t, What::Tier, &t.value, s.levels.clone());
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(LoadErrors(errors))
    }
}

fn invalid_country(value: &str) -> LoadErrorKind {
    LoadErrorKind::Invalid {
        what: What::Country,
        value: value.to_owned(),
        expected: "an ISO 3166-1 alpha-2 code such as `KR`",
        expected_ko: "`KR` 같은 ISO 3166-1 두 글자 국가 코드",
    }
}
