//! System profiles (what an institution runs) and service profiles (what a provider offers).

use std::collections::BTreeMap;

use crate::{
    Algorithm, ControlId, DataSet, Date, InstitutionKind, Location, ModuleProgram, RegimeId,
    SchemeId, Sector, Separation, ServiceId, ServiceModel, ServiceType, SystemId, TransferGround,
};

/// A public data system to classify and to host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SystemProfile {
    pub id: SystemId,
    pub name: String,
    pub institution: InstitutionKind,
    pub sector: Sector,
    pub data: DataSet,
    /// Institution decisions that move a tier away from what the rules give.
    pub overrides: Vec<TierOverride>,
    /// The ground the institution relies on for any transfer of personal data abroad.
    pub transfer_ground: Option<TransferGround>,
}

impl SystemProfile {
    /// Finance rules key on either the institution or the sector.
    pub fn is_financial(&self) -> bool {
        self.sector == Sector::Finance || self.institution == InstitutionKind::FinancialInstitution
    }
}

/// An institution's own grading. `regime` limits it to one regime; without it, it applies to
/// every regime whose tier scheme has that tier id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TierOverride {
    pub regime: Option<RegimeId>,
    pub tier: String,
    pub reason: String,
}

/// The state of a certificate as recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertificateStatus {
    Active,
    Revoked,
    Withdrawn,
}

/// A certificate a service holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    pub scheme: SchemeId,
    /// The tier or level in the scheme's own words; `None` for a certificate issued before the
    /// scheme had tiers (pre-2023 CSAP).
    pub tier: Option<String>,
    pub service_type: Option<ServiceType>,
    pub number: Option<String>,
    pub issued: Date,
    pub expires: Date,
    pub status: CertificateStatus,
}

/// What a provider states about one control.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ControlStatus {
    Implemented,
    Partial,
    Planned,
    NotImplemented,
    NotApplicable,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControlStatement {
    pub status: ControlStatus,
    pub statement: Option<String>,
    pub evidence: Vec<String>,
}

/// A cloud service as its provider describes it. `None` on an optional attribute means the
/// profile does not say, which decisions report as "evidence needed", never as met.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceProfile {
    pub id: ServiceId,
    pub name: String,
    pub provider: String,
    pub headquarters: Option<crate::Country>,
    pub model: ServiceModel,
    pub service_type: Option<ServiceType>,
    pub separation: Option<Separation>,
    pub data_locations: Vec<Location>,
    pub management_locations: Vec<Location>,
    pub backup_locations: Vec<Location>,
    pub personnel_locations: Vec<Location>,
    pub algorithms: Vec<Algorithm>,
    pub validated_modules: Vec<ModuleProgram>,
    pub cc_certified_products: Option<bool>,
    pub double_encryption: Option<bool>,
    pub foreign_access: Option<bool>,
    pub fsi_prescreened: Option<bool>,
    /// For SaaS and PaaS: the IaaS service it runs on.
    pub runs_on: Option<ServiceId>,
    pub certifications: Vec<Certificate>,
    pub controls: BTreeMap<ControlId, ControlStatement>,
}
