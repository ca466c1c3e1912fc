//! Identifiers of the registry's records, as newtypes so an application id is never passed where a
//! certificate number is expected. They serialize as plain strings (`#[serde(transparent)]`): the
//! storage layer keeps them in TEXT columns and the API shows them as they are.

/// The model's id macro with its serde arm; a local name keeps the declarations below short.
macro_rules! record_id {
    ($(#[$meta:meta])* $name:ident) => {
        kcvs_model::string_id!(serde $(#[$meta])* $name);
    };
}

record_id!(
    /// One application for certification (initial evaluation), chosen by the storage layer.
    ApplicationId
);
record_id!(
    /// A certificate number as printed on the certificate.
    CertificateNumber
);
record_id!(
    /// A cloud service provider (the applicant: certification is per service, facts §3).
    ProviderId
);
record_id!(
    /// A certified or applying service. The same spelling as the engine's service profile id.
    ServiceRef
);
record_id!(
    /// A certification or evaluation agency (Act Art. 23-2(5)–(7), 23-4).
    AgencyId
);
record_id!(
    /// A member of the deliberation committee.
    MemberId
);
record_id!(
    /// One committee sitting on one application.
    DeliberationId
);
record_id!(
    /// A finding of an evaluation, unique within its application.
    FindingId
);

record_id!(
    /// A regime id as the registry stores it (`csap-2023`); the engine's `RegimeId` spelled the same.
    RegimeRef
);
record_id!(
    /// A certification scheme id as the registry stores it (`csap`); the engine's `SchemeId`.
    SchemeRef
);

impl From<&kcvs_model::RegimeId> for RegimeRef {
    fn from(id: &kcvs_model::RegimeId) -> Self {
        Self::new(id.as_str())
    }
}

impl From<&kcvs_model::SchemeId> for SchemeRef {
    fn from(id: &kcvs_model::SchemeId) -> Self {
        Self::new(id.as_str())
    }
}

impl RegimeRef {
    pub fn to_model(&self) -> kcvs_model::RegimeId {
        kcvs_model::RegimeId::new(self.as_str())
    }
}

impl SchemeRef {
    pub fn to_model(&self) -> kcvs_model::SchemeId {
        kcvs_model::SchemeId::new(self.as_str())
    }
}
