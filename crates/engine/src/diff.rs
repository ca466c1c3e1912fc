//! `regime diff`: every (system class, service class) pair whose verdict differs between two
//! regimes, over the whole finite space, grouped and explained.
//!
//! The space. Systems: every set of the 14 data categories (2^14), financial or not, stating a
//! PIPA transfer ground or not: 65,536 classes. Services: the attribute classes below, 20,736 in
//! all. That is 1.36 billion pairs per regime pair; instead of walking them one by one, systems
//! are first folded into classes that both regimes see identically (same tiers, same needed
//! requirements per model), which is exact, not a sample: two systems with the same signature
//! get the same verdict from every service under both regimes, because `decide` reads nothing
//! else. Every pair is still accounted for in the counts.

use std::collections::{BTreeMap, BTreeSet};

use kcvs_model::*;

use crate::Decider;
use crate::compiled::{CompiledRegime, CompiledService, CompiledSystem, blocking, decide};
use crate::context::ServiceIndex;
use crate::eligibility::Verdict;

/// How a service class hosts: as IaaS, or as SaaS on a host that is or is not certified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HostClass {
    Iaas,
    SaasOnCertifiedIaas,
    SaasOnUncertifiedIaas,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CryptoClass {
    /// A KCMVP module with a Korean algorithm (ARIA).
    KcmvpKorean,
    /// A KCMVP module with AES only.
    KcmvpAes,
    /// A FIPS 140-3 module with AES.
    FipsAes,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CertClass {
    None,
    /// A certificate of `scheme` at `level`, issued the day before the decision date.
    Held {
        scheme: &'static str,
        level: Option<&'static str>,
    },
}

pub const CERT_CLASSES: &[CertClass] = &[
    CertClass::None,
    CertClass::Held {
        scheme: "csap",
        level: Some("low"),
    },
    CertClass::Held {
        scheme: "csap",
        level: Some("medium"),
    },
    CertClass::Held {
        scheme: "csap",
        level: Some("high"),
    },
    CertClass::Held {
        scheme: "nis-verification",
        level: Some("O"),
    },
    CertClass::Held {
        scheme: "nis-verification",
        level: Some("S"),
    },
    CertClass::Held {
        scheme: "nis-verification",
        level: Some("C"),
    },
    CertClass::Held {
        scheme: "iso-27001",
        level: None,
    },
    CertClass::Held {
        scheme: "fedramp",
        level: Some("moderate"),
    },
];

/// One service attribute class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServiceClass {
    pub host: HostClass,
    pub separation: Separation,
    pub data_in_korea: bool,
    pub management_in_korea: bool,
    pub backups_in_korea: bool,
    pub personnel_in_korea: bool,
    pub crypto: CryptoClass,
    pub cc_products: bool,
    pub cert: CertClass,
    /// Double encryption and no foreign access (the national-core-technology controls).
    pub nct_controls: bool,
    pub fsi_prescreened: bool,
}

impl ServiceClass {
    /// Every class, in a fixed order.
    pub fn all() -> Vec<ServiceClass> {
        let b = [false, true];
        let mut out = Vec::new();
        for host in [
            HostClass::Iaas,
            HostClass::SaasOnCertifiedIaas,
            HostClass::SaasOnUncertifiedIaas,
        ] {
            for separation in [Separation::Logical, Separation::Physical] {
                for data_in_korea in b {
                    for management_in_korea in b {
                        for backups_in_korea in b {
                            for personnel_in_korea in b {
                                for crypto in [
                                    CryptoClass::KcmvpKorean,
                                    CryptoClass::KcmvpAes,
                                    CryptoClass::FipsAes,
                                ] {
                                    for cc_products in b {
                                        for cert in CERT_CLASSES {
                                            for nct_controls in b {
                                                for fsi_prescreened in b {
                                                    out.push(ServiceClass {
                                                        host,
                                                        separation,
                                                        data_in_korea,
                                                        management_in_korea,
                                                        backups_in_korea,
                                                        personnel_in_korea,
                                                        crypto,
                                                        cc_products,
                                                        cert: *cert,
                                                        nct_controls,
                                                        fsi_prescreened,
                                                    });
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        out
    }

    /// A concrete profile standing for the class on the date.
    pub fn profile(&self, as_of: Date) -> ServiceProfile {
        let here = |yes: bool| {
            vec![if yes {
                Location::Country(Country::korea())
            } else {
                abroad()
            }]
        };
        let (algorithms, validated_modules) = match self.crypto {
            CryptoClass::KcmvpKorean => (vec![Algorithm::Aria], vec![ModuleProgram::Kcmvp]),
            CryptoClass::KcmvpAes => (vec![Algorithm::Aes], vec![ModuleProgram::Kcmvp]),
            CryptoClass::FipsAes => (vec![Algorithm::Aes], vec![ModuleProgram::Fips140_3]),
        };
        let (model, runs_on) = match self.host {
            HostClass::Iaas => (ServiceModel::Iaas, None),
            HostClass::SaasOnCertifiedIaas => {
                (ServiceModel::Saas, Some(ServiceId::new(CERTIFIED_HOST)))
            }
            HostClass::SaasOnUncertifiedIaas => {
                (ServiceModel::Saas, Some(ServiceId::new(UNCERTIFIED_HOST)))
            }
        };
        ServiceProfile {
            id: ServiceId::new("class"),
            name: String::new(),
            provider: String::new(),
            headquarters: None,
            model,
            service_type: None,
            separation: Some(self.separation),
            data_locations: here(self.data_in_korea),
            management_locations: here(self.management_in_korea),
            backup_locations: here(self.backups_in_korea),
            personnel_locations: here(self.personnel_in_korea),
            algorithms,
            validated_modules,
            cc_certified_products: Some(self.cc_products),
            double_encryption: Some(self.nct_controls),
            foreign_access: Some(!self.nct_controls),
            fsi_prescreened: Some(self.fsi_prescreened),
            runs_on,
            certifications: cert_of(self.cert, as_of),
            controls: Default::default(),
        }
    }
}

const CERTIFIED_HOST: &str = "diff-host-certified";
const UNCERTIFIED_HOST: &str = "diff-host-uncertified";

fn abroad() -> Location {
    Location::Country(Country::parse("US").unwrap_or_else(Country::korea))
}

fn cert_of(c: CertClass, as_of: Date) -> Vec<Certificate> {
    match c {
        CertClass::None => Vec::new(),
        CertClass::Held { scheme, level } => {
            let issued = as_of.yesterday().unwrap_or(as_of);
            let expires = issued
                .checked_add(jiff::Span::new().years(5))
                .unwrap_or(Date::MAX);
            vec![Certificate {
                scheme: SchemeId::new(scheme),
                tier: level.map(str::to_owned),
                service_type: None,
                number: None,
                issued,
                expires,
                status: CertificateStatus::Active,
            }]
        }
    }
}

/// The two hosts the SaaS classes run on: one holding every certificate class at its highest
/// tier and meeting everything, one holding none.
pub fn diff_hosts(as_of: Date) -> Vec<ServiceProfile> {
    let mut good = ServiceClass {
        host: HostClass::Iaas,
        separation: Separation::Physical,
        data_in_korea: true,
        management_in_korea: true,
        backups_in_korea: true,
        personnel_in_korea: true,
        crypto: CryptoClass::KcmvpKorean,
        cc_products: true,
        cert: CertClass::None,
        nct_controls: true,
        fsi_prescreened: true,
    }
    .profile(as_of);
    good.id = ServiceId::new(CERTIFIED_HOST);
    good.certifications = CERT_CLASSES
        .iter()
        .flat_map(|c| cert_of(*c, as_of))
        .collect();
    let mut bad = good.clone();
    bad.id = ServiceId::new(UNCERTIFIED_HOST);
    bad.certifications.clear();
    vec![good, bad]
}

/// A system class: the data it holds and the two flags the overlays read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SystemClass {
    pub data: DataSet,
    pub financial: bool,
    pub has_ground: bool,
}

/// What blocks under one regime, for grouping.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Outcome {
    pub verdict: Verdict,
    pub tier: TierRank,
    /// The certificate does not reach the tier.
    pub certificate_short: bool,
    /// Requirement kinds not met (bits of [`RequirementKind::bit`]).
    pub requirements_not_met: u32,
}

/// One group of flipped pairs sharing both outcomes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlipGroup {
    pub a: Outcome,
    pub b: Outcome,
    /// System classes and service classes involved, and the number of pairs.
    pub system_classes: u64,
    pub service_classes: u64,
    pub pairs: u64,
    /// The smallest system class and first service class of the group, as an example.
    pub example_system: SystemClass,
    pub example_service: ServiceClass,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegimeDiff {
    pub a: RegimeId,
    pub b: RegimeId,
    pub system_classes: u64,
    pub service_classes: u64,
    pub pairs: u64,
    pub flipped_pairs: u64,
    /// Pairs eligible under A and not under B, and the reverse.
    pub lost: u64,
    pub gained: u64,
    pub groups: Vec<FlipGroup>,
}

fn outcome(s: &CompiledSystem, v: &CompiledService, verdict: Verdict) -> Outcome {
    let (short, bits) = blocking(s, v);
    Outcome {
        verdict,
        tier: TierRank(s.tier),
        certificate_short: short,
        requirements_not_met: bits,
    }
}

/// Compare two scheme regimes over the whole space on the date.
pub fn diff(d: &Decider, a: &Regime, b: &Regime) -> RegimeDiff {
    let hosts = diff_hosts(d.as_of);
    let index = ServiceIndex::new(hosts.iter());
    let dd = Decider::new(d.rules, d.assumptions, d.as_of, &index);
    let ca = CompiledRegime::new(&dd, a);
    let cb = CompiledRegime::new(&dd, b);

    // Fold systems into signatures both regimes see identically.
    let mut signatures: BTreeMap<(CompiledSystem, CompiledSystem), (u64, SystemClass)> =
        BTreeMap::new();
    let mut system_classes = 0u64;
    for bits in 0..DataSet::SPACE {
        let data = DataSet::from_bits(bits as u16);
        for financial in [false, true] {
            for has_ground in [false, true] {
                system_classes += 1;
                let key = (
                    ca.system_class(data, financial, has_ground),
                    cb.system_class(data, financial, has_ground),
                );
                let class = SystemClass {
                    data,
                    financial,
                    has_ground,
                };
                signatures
                    .entry(key)
                    .and_modify(|(n, _)| *n += 1)
                    .or_insert((1, class));
            }
        }
    }

    let classes = ServiceClass::all();
    let compiled: Vec<(CompiledService, CompiledService)> = classes
        .iter()
        .map(|c| {
            let p = c.profile(d.as_of);
            (ca.service(&dd, &p), cb.service(&dd, &p))
        })
        .collect();
    // Fold identical compiled services too; keep the first class as the example.
    let mut services: BTreeMap<(CompiledService, CompiledService), (u64, usize)> = BTreeMap::new();
    for (i, key) in compiled.iter().enumerate() {
        services
            .entry(*key)
            .and_modify(|(n, _)| *n += 1)
            .or_insert((1, i));
    }

    let signatures: Vec<((CompiledSystem, CompiledSystem), (u64, SystemClass))> =
        signatures.into_iter().collect();
    let services: Vec<((CompiledService, CompiledService), (u64, usize))> =
        services.into_iter().collect();
    // Per group: the outcome pair, and which signatures and services appear in it.
    type Members = (FlipGroup, BTreeSet<usize>, BTreeSet<usize>);
    let mut groups: BTreeMap<(Outcome, Outcome), Members> = BTreeMap::new();
    let mut flipped = 0u64;
    let mut lost = 0u64;
    let mut gained = 0u64;
    for (si, ((sa, sb), (sys_n, sys_ex))) in signatures.iter().enumerate() {
        for (vi, ((va, vb), (svc_n, svc_ex))) in services.iter().enumerate() {
            let verdict_a = decide(sa, va);
            let verdict_b = decide(sb, vb);
            if verdict_a == verdict_b {
                continue;
            }
            let pairs = sys_n * svc_n;
            flipped += pairs;
            if verdict_a == Verdict::Eligible {
                lost += pairs;
            }
            if verdict_b == Verdict::Eligible {
                gained += pairs;
            }
            let key = (outcome(sa, va, verdict_a), outcome(sb, vb, verdict_b));
            let (g, sys_set, svc_set) = groups.entry(key).or_insert_with(|| {
                (
                    FlipGroup {
                        a: key.0,
                        b: key.1,
                        system_classes: 0,
                        service_classes: 0,
                        pairs: 0,
                        example_system: *sys_ex,
                        example_service: classes[*svc_ex],
                    },
                    BTreeSet::new(),
                    BTreeSet::new(),
                )
            });
            g.pairs += pairs;
            if sys_ex.data.bits().count_ones() < g.example_system.data.bits().count_ones() {
                g.example_system = *sys_ex;
                g.example_service = classes[*svc_ex];
            }
            sys_set.insert(si);
            svc_set.insert(vi);
        }
    }
    let groups = groups.into_values().map(|(mut g, sys_set, svc_set)| {
        g.system_classes = sys_set.iter().map(|i| signatures[*i].1.0).sum();
        g.service_classes = svc_set.iter().map(|i| services[*i].1.0).sum();
        g
    });
    let mut groups: Vec<FlipGroup> = groups.collect();
    groups.sort_by(|x, y| {
        y.pairs
            .cmp(&x.pairs)
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    RegimeDiff {
        a: a.id.clone(),
        b: b.id.clone(),
        system_classes,
        service_classes: classes.len() as u64,
        pairs: system_classes * classes.len() as u64,
        flipped_pairs: flipped,
        lost,
        gained,
        groups,
    }
}
