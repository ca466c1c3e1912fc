//! The on-disk shapes of content packs and profiles.
//!
//! These types mirror the YAML (or JSON) a person writes, field for field, and are converted by
//! hand into model types in `load.rs`. Every value that can be wrong in a way the parser cannot
//! see (an id that must exist, a category spelling, a date) is kept `Spanned`, so the error can
//! name its line and column.

use serde::Deserialize;
use serde_saphyr::Spanned;

pub type S<T> = Spanned<T>;

/// Just the `kind` of a pack file, read first to pick the full shape.
#[derive(Deserialize)]
pub struct Head {
    pub kind: S<String>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct TextF {
    pub en: String,
    pub ko: String,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct ProvenanceF {
    #[serde(default)]
    pub sources: Vec<S<String>>,
    pub confidence: S<String>,
    pub facts: String,
    #[serde(default)]
    pub note: Option<TextF>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourcesFile {
    #[allow(
        dead_code,
        reason = "read by Head; kept so deny_unknown_fields accepts it"
    )]
    pub kind: String,
    pub sources: Vec<SourceF>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceF {
    pub id: S<String>,
    pub url: String,
    pub title: TextF,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssumptionsFile {
    #[allow(dead_code, reason = "read by Head")]
    pub kind: String,
    pub assumptions: Vec<AssumptionF>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssumptionF {
    pub id: S<String>,
    pub title: TextF,
    /// `flag`, `date` or `choice`.
    #[serde(rename = "type")]
    pub kind: S<String>,
    pub default: S<String>,
    #[serde(default)]
    pub options: Vec<String>,
    pub provenance: ProvenanceF,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemesFile {
    #[allow(dead_code, reason = "read by Head")]
    pub kind: String,
    pub schemes: Vec<SchemeF>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemeF {
    pub id: S<String>,
    pub name: TextF,
    #[serde(default)]
    pub levels: Vec<String>,
    #[serde(default)]
    pub international: bool,
    #[serde(default)]
    pub catalog: Option<S<String>>,
    pub provenance: ProvenanceF,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KcmvpFile {
    #[allow(dead_code, reason = "read by Head")]
    pub kind: String,
    pub algorithms: Vec<S<String>>,
    pub provenance: ProvenanceF,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionsFile {
    #[allow(dead_code, reason = "read by Head")]
    pub kind: String,
    pub regions: Vec<RegionF>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionF {
    pub provider: String,
    pub region: String,
    pub country: S<String>,
    pub name: TextF,
    #[serde(default)]
    pub government_zone: bool,
    pub provenance: ProvenanceF,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegimeF {
    #[allow(dead_code, reason = "read by Head")]
    pub kind: String,
    pub id: S<String>,
    pub name: TextF,
    pub summary: TextF,
    pub status: S<String>,
    pub regime_kind: S<String>,
    #[serde(default)]
    pub extends: Option<S<String>>,
    #[serde(default)]
    pub issues: Option<S<String>>,
    #[serde(default)]
    pub effective_from: Option<S<String>>,
    #[serde(default)]
    pub effective_until: Option<S<String>>,
    #[serde(default)]
    pub catalog: Option<S<String>>,
    #[serde(default)]
    pub assumptions: Vec<S<String>>,
    pub provenance: ProvenanceF,
    #[serde(default)]
    pub tiers: Vec<TierF>,
    #[serde(default)]
    pub classification: Vec<ClassRuleF>,
    #[serde(default)]
    pub requirements: Vec<RequirementF>,
    #[serde(default)]
    pub acceptance: Vec<AcceptanceF>,
    #[serde(default)]
    pub kcmvp_additions: Vec<KcmvpAdditionF>,
    /// With `extends`: inherited rule ids to drop.
    #[serde(default)]
    pub remove: Vec<S<String>>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct TierF {
    pub id: String,
    pub label: TextF,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct ClassRuleF {
    pub id: S<String>,
    pub title: TextF,
    pub when_any: Vec<S<String>>,
    pub tier: S<String>,
    #[serde(default)]
    pub downgradable_to: Option<S<String>>,
    pub provenance: ProvenanceF,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct TriggerF {
    #[serde(default)]
    pub when_any: Vec<S<String>>,
    #[serde(default)]
    pub unless_any: Vec<S<String>>,
    #[serde(default)]
    pub financial_only: bool,
    #[serde(default)]
    pub service_models: Vec<S<String>>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct RequirementF {
    pub id: S<String>,
    #[serde(rename = "requirement")]
    pub kind: S<String>,
    pub title: TextF,
    #[serde(default)]
    pub tiers: Vec<S<String>>,
    #[serde(default)]
    pub trigger: Option<TriggerF>,
    #[serde(default)]
    pub assumption: Option<S<String>>,
    #[serde(default)]
    pub from: Option<S<String>>,
    #[serde(default)]
    pub until: Option<S<String>>,
    pub provenance: ProvenanceF,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct TierMapF {
    /// The scheme's tier, or `untiered` for certificates issued before the scheme had tiers.
    pub from: String,
    pub to: S<String>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct AcceptanceF {
    pub id: S<String>,
    pub title: TextF,
    pub scheme: S<String>,
    pub tier_map: Vec<TierMapF>,
    #[serde(default)]
    pub untiered_assumption: Option<S<String>>,
    #[serde(default)]
    pub issued_from: Option<S<String>>,
    #[serde(default)]
    pub issued_before: Option<S<String>>,
    #[serde(default)]
    pub max_tier: Option<S<String>>,
    #[serde(default)]
    pub grandfathered: bool,
    pub provenance: ProvenanceF,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct KcmvpAdditionF {
    pub algorithm: S<String>,
    pub from: S<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogF {
    #[allow(dead_code, reason = "read by Head")]
    pub kind: String,
    pub id: S<String>,
    pub name: TextF,
    pub version: String,
    pub description: TextF,
    pub provenance: ProvenanceF,
    #[serde(default)]
    pub totals: Vec<TotalF>,
    pub entries: Vec<EntryF>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TotalF {
    pub key: String,
    pub controls: u32,
    #[serde(default)]
    pub areas: Option<u32>,
    pub provenance: ProvenanceF,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryF {
    pub id: S<String>,
    #[serde(default)]
    pub parent: Option<S<String>>,
    #[serde(rename = "level")]
    pub kind: S<String>,
    pub title: TextF,
    #[serde(default)]
    pub summary: Option<TextF>,
    #[serde(default)]
    pub counts: std::collections::BTreeMap<String, u32>,
    #[serde(default)]
    pub tiers: Vec<String>,
    #[serde(default)]
    pub text_public: bool,
    /// Entries inherit the catalog's provenance unless they carry their own.
    #[serde(default)]
    pub provenance: Option<ProvenanceF>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrosswalkF {
    #[allow(dead_code, reason = "read by Head")]
    pub kind: String,
    pub id: S<String>,
    pub from: S<String>,
    pub to: S<String>,
    pub provenance: ProvenanceF,
    pub entries: Vec<CrosswalkEntryF>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrosswalkEntryF {
    pub from: S<String>,
    pub to: Vec<S<String>>,
    pub relation: S<String>,
    pub rationale: TextF,
    #[serde(default)]
    pub provenance: Option<ProvenanceF>,
}

// ---- profiles -------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemF {
    pub id: S<String>,
    pub name: String,
    pub institution: InstitutionF,
    #[serde(default)]
    pub sector: Option<S<String>>,
    pub data: Vec<S<String>>,
    #[serde(default)]
    pub overrides: Vec<OverrideF>,
    #[serde(default)]
    pub transfer_ground: Option<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstitutionF {
    pub kind: S<String>,
    #[serde(default)]
    #[allow(
        dead_code,
        reason = "descriptive field shown to people, not used in decisions"
    )]
    pub name: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverrideF {
    #[serde(default)]
    pub regime: Option<S<String>>,
    pub tier: S<String>,
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceF {
    pub id: S<String>,
    pub name: String,
    pub provider: ProviderF,
    pub model: S<String>,
    #[serde(default)]
    pub service_type: Option<S<String>>,
    #[serde(default)]
    pub separation: Option<S<String>>,
    #[serde(default)]
    pub data_locations: Vec<S<String>>,
    #[serde(default)]
    pub management_locations: Vec<S<String>>,
    #[serde(default)]
    pub backup_locations: Vec<S<String>>,
    #[serde(default)]
    pub operations_personnel_locations: Vec<S<String>>,
    #[serde(default)]
    pub crypto: Option<CryptoF>,
    #[serde(default)]
    pub cc_certified_products: Option<bool>,
    #[serde(default)]
    pub double_encryption: Option<bool>,
    #[serde(default)]
    pub foreign_access: Option<bool>,
    #[serde(default)]
    pub fsi_prescreened: Option<bool>,
    #[serde(default)]
    pub runs_on: Option<S<String>>,
    #[serde(default)]
    pub certifications: Vec<CertificateF>,
    #[serde(default)]
    pub controls: std::collections::BTreeMap<String, ControlF>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderF {
    pub name: String,
    #[serde(default)]
    pub headquarters: Option<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CryptoF {
    #[serde(default)]
    pub algorithms: Vec<S<String>>,
    #[serde(default)]
    pub validated_modules: Vec<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateF {
    pub scheme: S<String>,
    #[serde(default)]
    pub tier: Option<S<String>>,
    #[serde(default)]
    pub service_type: Option<S<String>>,
    #[serde(default)]
    pub number: Option<String>,
    pub issued: S<String>,
    pub expires: S<String>,
    #[serde(default)]
    pub status: Option<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlF {
    pub status: S<String>,
    #[serde(default)]
    pub statement: Option<String>,
    #[serde(default)]
    pub evidence: Vec<String>,
}
