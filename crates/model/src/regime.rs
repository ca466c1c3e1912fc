//! Regimes: tier schemes, classification rules, requirements, certificate acceptance.
//!
//! The *vocabulary* of rules is closed and lives here (a requirement is one of the
//! [`RequirementKind`]s the engine knows how to test); the *composition* is data: which tiers a
//! requirement binds, which categories raise a tier, which certificates a regime accepts. That is
//! what lets a user pack model tomorrow's reform without recompiling, while every decision stays a
//! fast, explainable function of typed values.

use crate::{
    Algorithm, AssumptionId, CatalogId, DataSet, Date, Provenance, RegimeId, RuleId, SchemeId,
    ServiceModel, Text,
};

/// Where a regime stands in law.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RegimeStatus {
    InForce,
    Announced,
    Proposed,
    Scenario,
}

impl RegimeStatus {
    pub const ALL: &'static [RegimeStatus] = &[
        RegimeStatus::InForce,
        RegimeStatus::Announced,
        RegimeStatus::Proposed,
        RegimeStatus::Scenario,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RegimeStatus::InForce => "in-force",
            RegimeStatus::Announced => "announced",
            RegimeStatus::Proposed => "proposed",
            RegimeStatus::Scenario => "scenario",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == s)
    }
}

/// What a regime does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RegimeKind {
    /// Grades systems into tiers and decides which certified services may host them.
    Scheme,
    /// Grades systems only; certifies no services (N2SF).
    Grading,
    /// A sector law that adds requirements under every scheme.
    Overlay,
    /// A dated change to a shared table (the KCMVP algorithm list).
    Amendment,
}

impl RegimeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RegimeKind::Scheme => "scheme",
            RegimeKind::Grading => "grading",
            RegimeKind::Overlay => "overlay",
            RegimeKind::Amendment => "amendment",
        }
    }
}

/// A date given outright or by a named assumption (the NIS start day is not published).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateRef {
    Fixed(Date),
    Assumed(AssumptionId),
}

impl DateRef {
    /// The date under these assumptions. An assumption the set does not hold (a user pack that
    /// removed it) reads as no date, which callers treat as "no bound".
    pub fn resolve(&self, assumptions: &crate::AssumptionSet) -> Option<Date> {
        match self {
            DateRef::Fixed(d) => Some(*d),
            DateRef::Assumed(id) => assumptions.date(id),
        }
    }
}

/// The position of a tier in its regime's scheme, lowest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TierRank(pub u8);

/// A set of tier ranks (a requirement binds some tiers of its regime).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TierMask(pub u32);

impl TierMask {
    pub fn with(self, rank: TierRank) -> Self {
        TierMask(self.0 | (1 << rank.0))
    }

    pub fn contains(self, rank: TierRank) -> bool {
        self.0 & (1 << rank.0) != 0
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TierDef {
    pub id: String,
    pub label: Text,
}

/// A classification rule: if the system holds any of `when_any`, it is at least `tier`.
/// The system's tier is the highest tier of all matching rules (and the lowest tier if none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassificationRule {
    pub id: RuleId,
    pub title: Text,
    pub when_any: DataSet,
    pub tier: TierRank,
    /// The institution may grade such a system down to this tier (CSAP: internal
    /// administrative systems may go to Medium).
    pub downgradable_to: Option<TierRank>,
    pub provenance: Provenance,
}

/// The categorical requirements the engine can test. Closed on purpose: each has a predicate
/// in the engine and a label in both languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RequirementKind {
    DataInKorea,
    ManagementInKorea,
    BackupsInKorea,
    PersonnelInKorea,
    PhysicalSeparation,
    /// A KCMVP-validated module using an algorithm KCMVP accepts on the date.
    KoreanCrypto,
    CcCertifiedProducts,
    /// SaaS and PaaS must run on a certified IaaS.
    CertifiedIaas,
    DoubleEncryption,
    NoForeignAccess,
    FsiPrescreened,
    /// Personal data stored or processed abroad needs one of the PIPA Art. 28-8 grounds.
    TransferGround,
}

impl RequirementKind {
    pub const ALL: &'static [RequirementKind] = &[
        RequirementKind::DataInKorea,
        RequirementKind::ManagementInKorea,
        RequirementKind::BackupsInKorea,
        RequirementKind::PersonnelInKorea,
        RequirementKind::PhysicalSeparation,
        RequirementKind::KoreanCrypto,
        RequirementKind::CcCertifiedProducts,
        RequirementKind::CertifiedIaas,
        RequirementKind::DoubleEncryption,
        RequirementKind::NoForeignAccess,
        RequirementKind::FsiPrescreened,
        RequirementKind::TransferGround,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RequirementKind::DataInKorea => "data-in-korea",
            RequirementKind::ManagementInKorea => "management-in-korea",
            RequirementKind::BackupsInKorea => "backups-in-korea",
            RequirementKind::PersonnelInKorea => "personnel-in-korea",
            RequirementKind::PhysicalSeparation => "physical-separation",
            RequirementKind::KoreanCrypto => "korean-crypto",
            RequirementKind::CcCertifiedProducts => "cc-certified-products",
            RequirementKind::CertifiedIaas => "certified-iaas",
            RequirementKind::DoubleEncryption => "double-encryption",
            RequirementKind::NoForeignAccess => "no-foreign-access",
            RequirementKind::FsiPrescreened => "fsi-prescreened",
            RequirementKind::TransferGround => "transfer-ground",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == s)
    }

    pub fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

/// When an overlay requirement applies. Scheme requirements use tiers instead.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trigger {
    /// The system holds any of these categories (empty: no condition on data).
    pub when_any: DataSet,
    /// …and none of these.
    pub unless_any: DataSet,
    /// Only for financial institutions or finance-sector systems.
    pub financial_only: bool,
    /// Only for services of these models (empty: every model).
    pub service_models: Vec<ServiceModel>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    pub id: RuleId,
    pub kind: RequirementKind,
    pub title: Text,
    /// For scheme regimes: the tiers this requirement binds.
    pub tiers: TierMask,
    /// For overlays: when it applies.
    pub trigger: Option<Trigger>,
    /// The requirement binds only while this flag assumption is true (so a user can switch off
    /// a requirement that rests on an advocacy source).
    pub assumption: Option<AssumptionId>,
    /// Dates between which it binds (from inclusive, until exclusive).
    pub from: Option<Date>,
    pub until: Option<Date>,
    pub provenance: Provenance,
}

/// Which certificates satisfy a regime's certification requirement, and at what tier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcceptanceRule {
    pub id: RuleId,
    pub title: Text,
    pub scheme: SchemeId,
    /// Scheme tier → this regime's tier. `None` on the left maps an untiered certificate.
    pub tier_map: Vec<(Option<String>, TierRank)>,
    /// A choice assumption whose value (a tier id) maps untiered SaaS-simplified certificates,
    /// whose pre-2023 transition the sources tell two ways (facts §2).
    pub untiered_assumption: Option<AssumptionId>,
    /// Only certificates issued on or after / before these dates.
    pub issued_from: Option<DateRef>,
    pub issued_before: Option<DateRef>,
    /// Accepted only for systems up to this tier (international certifications in a scenario).
    pub max_tier: Option<TierRank>,
    /// Marks grandfathered acceptance, so reports can say so.
    pub grandfathered: bool,
    pub provenance: Provenance,
}

/// A regime, with any `extends` already resolved by the loader.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Regime {
    pub id: RegimeId,
    pub name: Text,
    pub summary: Text,
    pub status: RegimeStatus,
    pub kind: RegimeKind,
    pub extends: Option<RegimeId>,
    /// The scheme this regime issues certificates under, if it issues any.
    pub issues: Option<SchemeId>,
    /// When the regime starts and stops governing (and issuing).
    pub effective_from: Option<DateRef>,
    pub effective_until: Option<DateRef>,
    pub tiers: Vec<TierDef>,
    pub classification: Vec<ClassificationRule>,
    pub requirements: Vec<Requirement>,
    pub acceptance: Vec<AcceptanceRule>,
    /// For amendments: algorithms KCMVP accepts from a date.
    pub kcmvp_additions: Vec<(Algorithm, Date)>,
    /// The control catalog `assess` walks for this regime.
    pub catalog: Option<CatalogId>,
    /// Assumptions this regime's rules lean on, listed in its output.
    pub assumptions: Vec<AssumptionId>,
    pub provenance: Provenance,
}

impl Regime {
    pub fn tier_rank(&self, id: &str) -> Option<TierRank> {
        self.tiers
            .iter()
            .position(|t| t.id == id)
            .and_then(|i| u8::try_from(i).ok())
            .map(TierRank)
    }

    pub fn tier(&self, rank: TierRank) -> Option<&TierDef> {
        self.tiers.get(usize::from(rank.0))
    }

    pub fn lowest_tier(&self) -> TierRank {
        TierRank(0)
    }
}

/// A certification scheme (CSAP, ISO 27001, FedRAMP, …) and its levels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scheme {
    pub id: SchemeId,
    pub name: Text,
    pub levels: Vec<String>,
    pub international: bool,
    /// The catalog whose controls a holder of this certificate has been audited against.
    pub catalog: Option<CatalogId>,
    pub provenance: Provenance,
}

/// The baseline KCMVP algorithm list, before any amendment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KcmvpBaseline {
    pub algorithms: Vec<Algorithm>,
    pub provenance: Provenance,
}
