/*!
The life of one application and the certificate it leads to, as a state machine.

```text
unfiled ─submit→ submitted ─start-document-review→ document-review ─start-on-site-evaluation→
on-site-evaluation (findings, remediation requests with deadlines, re-checks) ─submit-to-committee→
deliberation ─decide→ approved ─issue-certificate→ certified ─expire→ expired
                    └→ rejected            certified: follow-up (years 1–4), hearing, renewal
unfiled ─import-certificate→ certified     (a certificate issued before this registry kept cases)
                                           certified ─revoke (after a hearing)→ revoked
                                           certified ─surrender→ surrendered
any state before the certificate ─withdraw→ withdrawn
```

[`State::apply`] is the only way forward: it takes a dated [`Event`] and returns the next state or
a [`TransitionError`] that says why not (the HTTP layer turns it into a 409). Events must come in
non-decreasing date order; the storage layer keeps the events and can rebuild any state with
[`replay`].

What the statute does not provide is not offered. There is no suspension of a certificate (Act
Art. 23-3 knows only revocation; suspension exists for agencies, Art. 23-4, see [`crate::agency`]),
so [`EventKind`] has no such variant and no JSON spelling of one deserializes:

```compile_fail
let _ = kcvs_registry::lifecycle::EventKind::Suspend;
```

Revocation needs a recorded hearing on the same ground that found the ground established
(Art. 23-3). Fraud is a mandatory ground: once a hearing establishes it, nothing but the revocation
(or the term's natural end) may happen to the certificate.
*/

use jiff::ToSpan;
use serde::{Deserialize, Serialize};

use crate::committee::{Outcome, Resolution};
use crate::ctx::{Ctx, RegimeWindow};
use crate::{
    ApplicationId, CertificateNumber, Date, DeliberationId, FindingId, ProviderId, RegimeRef,
    SchemeRef, ServiceRef,
};

/// The CSAP service types (facts §1.3), the registry's own serializable copy of the model's
/// closed set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceType {
    Iaas,
    SaasStandard,
    SaasSimplified,
    Daas,
    Paas,
}

impl ServiceType {
    /// SaaS and PaaS run on someone's IaaS and must name its certificate (facts §1.1).
    pub fn runs_on_iaas(self) -> bool {
        matches!(
            self,
            ServiceType::SaasStandard | ServiceType::SaasSimplified | ServiceType::Paas
        )
    }

    pub fn as_str(self) -> &'static str {
        self.to_model().as_str()
    }

    pub fn to_model(self) -> kcvs_model::ServiceType {
        match self {
            ServiceType::Iaas => kcvs_model::ServiceType::Iaas,
            ServiceType::SaasStandard => kcvs_model::ServiceType::SaasStandard,
            ServiceType::SaasSimplified => kcvs_model::ServiceType::SaasSimplified,
            ServiceType::Daas => kcvs_model::ServiceType::Daas,
            ServiceType::Paas => kcvs_model::ServiceType::Paas,
        }
    }
}

/// The certified IaaS a SaaS or PaaS runs on, as the storage layer found it in the registry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostCertificate {
    pub service: ServiceRef,
    pub number: CertificateNumber,
    pub scheme: SchemeRef,
    pub tier: String,
    pub issued: Date,
    pub valid_until: Date,
    pub revoked: bool,
}

/// What a provider applies for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Application {
    pub id: ApplicationId,
    pub provider: ProviderId,
    pub service: ServiceRef,
    /// The regime applied under; the scheme is the one it issues (`Regime::issues`).
    pub regime: RegimeRef,
    /// A tier id of the regime's tier scheme (`low`, `medium`, `high` for CSAP).
    pub tier: String,
    pub service_type: ServiceType,
    /// What is certified: the service's boundary in the provider's words.
    pub scope: String,
    /// Required for SaaS and PaaS, refused for IaaS and DaaS.
    pub host: Option<HostCertificate>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

/// Where in the procedure a finding was raised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    DocumentReview,
    OnSite,
    FollowUp,
}

/// A finding as an evaluator files it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewFinding {
    pub id: FindingId,
    pub severity: Severity,
    /// The control it concerns (`9.2.a`), if any.
    pub control: Option<String>,
    pub summary: String,
}

/// A finding as recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub id: FindingId,
    pub severity: Severity,
    pub control: Option<String>,
    pub summary: String,
    pub raised: Date,
    pub stage: Stage,
}

/// A remediation request (보완조치 요청) and its re-check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remediation {
    pub finding: FindingId,
    pub requested: Date,
    pub due: Date,
    pub recheck: Option<Recheck>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recheck {
    pub date: Date,
    pub resolved: bool,
    /// Set when the re-check came after the deadline.
    pub late: bool,
    pub note: String,
}

/// The committee's decision as the case records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub date: Date,
    pub deliberation: DeliberationId,
    pub outcome: Outcome,
    pub votes_for: u32,
    pub votes_against: u32,
    pub eligible: u32,
}

/// Everything known about an application before a certificate exists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub application: Application,
    pub scheme: SchemeRef,
    pub submitted: Date,
    /// The date of the last event applied; the next one may not be earlier.
    pub last_event: Date,
    pub findings: Vec<Finding>,
    pub remediations: Vec<Remediation>,
    pub decision: Option<Decision>,
}

/// A certificate as the registry records it. Its signed, published form is
/// [`crate::signing::CertificateDocument`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateRecord {
    pub number: CertificateNumber,
    pub application: ApplicationId,
    pub provider: ProviderId,
    pub service: ServiceRef,
    pub regime: RegimeRef,
    pub scheme: SchemeRef,
    pub tier: String,
    pub service_type: ServiceType,
    pub scope: String,
    pub host: Option<CertificateNumber>,
    pub issued: Date,
    /// First valid day: the issue date, or for a renewal the day after the previous term ends.
    pub valid_from: Date,
    /// Last valid day (inclusive).
    pub valid_until: Date,
    /// The certificate this one renews.
    pub renews: Option<CertificateNumber>,
}

impl CertificateRecord {
    /// The engine's view of this certificate, so eligibility and matching can use the registry.
    pub fn to_model(&self, status: kcvs_model::CertificateStatus) -> kcvs_model::Certificate {
        kcvs_model::Certificate {
            scheme: self.scheme.to_model(),
            tier: Some(self.tier.clone()),
            service_type: Some(self.service_type.to_model()),
            number: Some(self.number.to_string()),
            issued: self.issued,
            expires: self.valid_until,
            status,
        }
    }

    pub fn covers(&self, date: Date) -> bool {
        self.valid_from <= date && date <= self.valid_until
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FollowUpMethod {
    OnSite,
    /// 서면평가: allowed only where [`crate::ctx::DocumentOnlyRule`] says.
    DocumentOnly,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    pub date: Date,
    pub year: u8,
    pub method: FollowUpMethod,
    pub passed: bool,
    pub findings: Vec<Finding>,
}

/// One certificate term with its follow-up evaluations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    pub certificate: CertificateRecord,
    pub follow_ups: Vec<FollowUp>,
}

/// The statutory grounds for revoking a certificate (Act Art. 23-3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RevocationGround {
    /// Obtained by false or other fraudulent means: revocation is mandatory.
    Fraud,
    /// The service no longer meets the certification criteria: revocation is discretionary.
    CriteriaNoLongerMet,
}

impl RevocationGround {
    pub fn mandatory(self) -> bool {
        matches!(self, RevocationGround::Fraud)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RevocationGround::Fraud => "fraud",
            RevocationGround::CriteriaNoLongerMet => "criteria-no-longer-met",
        }
    }
}

/// A hearing (청문) held before a revocation, as Art. 23-3 requires.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hearing {
    pub date: Date,
    pub ground: RevocationGround,
    /// Whether the hearing found the ground established.
    pub established: bool,
    /// Reference to the hearing record (minutes, file number).
    pub record: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Renewal {
    pub applied: Date,
}

/// A certified case: the current term, the terms it renewed, hearings, a pending renewal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    pub case: Case,
    pub current: Term,
    pub past: Vec<Term>,
    pub hearings: Vec<Hearing>,
    pub renewal: Option<Renewal>,
}

impl Held {
    /// A case's first certificate, from its application and scheme: issued by the committee's
    /// decision or taken over from an earlier register. The term starts on the issue date.
    fn first(case: Case, number: &CertificateNumber, issued: Date, valid_until: Date) -> Self {
        let app = &case.application;
        let certificate = CertificateRecord {
            number: number.clone(),
            application: app.id.clone(),
            provider: app.provider.clone(),
            service: app.service.clone(),
            regime: app.regime.clone(),
            scheme: case.scheme.clone(),
            tier: app.tier.clone(),
            service_type: app.service_type,
            scope: app.scope.clone(),
            host: app.host.as_ref().map(|h| h.number.clone()),
            issued,
            valid_from: issued,
            valid_until,
            renews: None,
        };
        Held {
            case,
            current: Term {
                certificate,
                follow_ups: Vec::new(),
            },
            past: Vec::new(),
            hearings: Vec::new(),
            renewal: None,
        }
    }

    /// Whether the current term came in with the case from an earlier register
    /// (`import-certificate`) rather than being issued or renewed here: such a case has no
    /// committee decision and no earlier term in this registry, and what happened to the term
    /// before (its follow-ups among it) is not on this registry's record.
    pub fn imported_term(&self) -> bool {
        self.case.decision.is_none() && self.past.is_empty()
    }

    /// A hearing that established fraud and has not been followed by the revocation.
    pub fn mandatory_revocation_pending(&self) -> bool {
        self.hearings
            .iter()
            .any(|h| h.established && h.ground.mandatory())
    }

    /// The certificate in force on a date, across renewals.
    pub fn certificate_on(&self, date: Date) -> Option<&CertificateRecord> {
        std::iter::once(&self.current)
            .chain(self.past.iter())
            .map(|t| &t.certificate)
            .find(|c| c.covers(date))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "cause", rename_all = "kebab-case")]
pub enum EndCause {
    Revoked {
        ground: RevocationGround,
    },
    Expired,
    /// The provider gave the certificate up (voluntary cancellation, facts §3).
    Surrendered {
        reason: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ended {
    pub held: Held,
    pub on: Date,
    pub cause: EndCause,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closed {
    pub case: Case,
    pub on: Date,
    pub reason: String,
}

/// Where a case stands. Payloads are boxed to keep the enum small.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "state", content = "case", rename_all = "kebab-case")]
pub enum State {
    /// Nothing filed yet: the start of [`replay`].
    #[default]
    Unfiled,
    Submitted(Box<Case>),
    DocumentReview(Box<Case>),
    OnSiteEvaluation(Box<Case>),
    Deliberation(Box<Case>),
    Approved(Box<Case>),
    Rejected(Box<Case>),
    Withdrawn(Box<Closed>),
    Certified(Box<Held>),
    Revoked(Box<Ended>),
    Expired(Box<Ended>),
    Surrendered(Box<Ended>),
}

/// The names of the states, for messages and for the storage layer's state column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StateName {
    Unfiled,
    Submitted,
    DocumentReview,
    OnSiteEvaluation,
    Deliberation,
    Approved,
    Rejected,
    Withdrawn,
    Certified,
    Revoked,
    Expired,
    Surrendered,
}

impl StateName {
    pub fn as_str(self) -> &'static str {
        match self {
            StateName::Unfiled => "unfiled",
            StateName::Submitted => "submitted",
            StateName::DocumentReview => "document-review",
            StateName::OnSiteEvaluation => "on-site-evaluation",
            StateName::Deliberation => "deliberation",
            StateName::Approved => "approved",
            StateName::Rejected => "rejected",
            StateName::Withdrawn => "withdrawn",
            StateName::Certified => "certified",
            StateName::Revoked => "revoked",
            StateName::Expired => "expired",
            StateName::Surrendered => "surrendered",
        }
    }
}

impl StateName {
    /// Whether the authority may assign an evaluator in this state: while an evaluation is ahead
    /// or under way (from submission to the on-site evaluation), and while a certificate is held,
    /// for its yearly follow-ups (Decree 15-8). Not once the evaluation is over (deliberation,
    /// approval) and never on a closed case (rejected, withdrawn, or a certificate that ended),
    /// where no evaluation can come.
    pub fn takes_evaluator(self) -> bool {
        matches!(
            self,
            StateName::Submitted
                | StateName::DocumentReview
                | StateName::OnSiteEvaluation
                | StateName::Certified
        )
    }
}

impl std::fmt::Display for StateName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One dated event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub date: Date,
    pub kind: EventKind,
}

impl Event {
    pub fn new(date: Date, kind: EventKind) -> Self {
        Event { date, kind }
    }
}

/// What can happen to a case. Closed: there is deliberately no suspension of a certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum EventKind {
    Submit(Application),
    StartDocumentReview,
    StartOnSiteEvaluation,
    RecordFinding(NewFinding),
    RequestRemediation {
        finding: FindingId,
        due: Date,
    },
    RecheckRemediation {
        finding: FindingId,
        resolved: bool,
        note: String,
    },
    SubmitToCommittee,
    /// The committee's resolution, as [`crate::committee::tally`] produced it.
    Decide(Resolution),
    IssueCertificate {
        number: CertificateNumber,
    },
    FollowUp {
        year: u8,
        method: FollowUpMethod,
        passed: bool,
        findings: Vec<NewFinding>,
    },
    Hearing {
        ground: RevocationGround,
        established: bool,
        record: String,
    },
    Revoke {
        ground: RevocationGround,
    },
    ApplyForRenewal,
    GrantRenewal {
        number: CertificateNumber,
    },
    RefuseRenewal {
        reason: String,
    },
    Expire,
    /// The provider withdraws the application (before a certificate).
    Withdraw {
        reason: String,
    },
    /// The provider gives up its certificate.
    Surrender {
        reason: String,
    },
    /// A certificate issued before this registry kept its case (a migration from an earlier
    /// register; the demo's examples): the case starts certified, with the application as it
    /// was certified and the certificate's own number and dates. Nothing of the procedure that
    /// led to it (findings, committee decision) is invented; from here on it is a case like any
    /// other, so a hearing and a revocation, follow-ups and renewal apply to it. Not offered by
    /// the API: only the storage layer's import records it.
    ImportCertificate {
        application: Application,
        number: CertificateNumber,
        issued: Date,
        valid_until: Date,
    },
}

impl EventKind {
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Submit(_) => "submit",
            EventKind::StartDocumentReview => "start-document-review",
            EventKind::StartOnSiteEvaluation => "start-on-site-evaluation",
            EventKind::RecordFinding(_) => "record-finding",
            EventKind::RequestRemediation { .. } => "request-remediation",
            EventKind::RecheckRemediation { .. } => "recheck-remediation",
            EventKind::SubmitToCommittee => "submit-to-committee",
            EventKind::Decide(_) => "decide",
            EventKind::IssueCertificate { .. } => "issue-certificate",
            EventKind::FollowUp { .. } => "follow-up",
            EventKind::Hearing { .. } => "hearing",
            EventKind::Revoke { .. } => "revoke",
            EventKind::ApplyForRenewal => "apply-for-renewal",
            EventKind::GrantRenewal { .. } => "grant-renewal",
            EventKind::RefuseRenewal { .. } => "refuse-renewal",
            EventKind::Expire => "expire",
            EventKind::Withdraw { .. } => "withdraw",
            EventKind::Surrender { .. } => "surrender",
            EventKind::ImportCertificate { .. } => "import-certificate",
        }
    }
}

/// Why the certificate a SaaS or PaaS names as its host cannot stand in its application, found
/// when the storage layer looks the number up (before the registry judges the application).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HostLookupError {
    #[error("no certificate `{number}` in the registry")]
    Unknown { number: CertificateNumber },
    #[error(
        "host certificate `{number}` (issued {issued}) predates tiers and cannot carry a tiered SaaS"
    )]
    Untiered {
        number: CertificateNumber,
        issued: Date,
    },
}

impl HostLookupError {
    pub fn code(&self) -> &'static str {
        match self {
            HostLookupError::Unknown { .. } => "unknown-host-certificate",
            HostLookupError::Untiered { .. } => "host-untiered",
        }
    }
}

/// Why an event cannot be applied. Every variant names the rule; `code` is a stable spelling
/// for the problem+json `type` the HTTP layer will publish.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("`{event}` is not allowed in state `{state}`")]
    NotAllowed {
        state: StateName,
        event: &'static str,
    },
    #[error("event dated {date} comes before the last event, dated {last}")]
    OutOfOrder { last: Date, date: Date },
    #[error("regime `{regime}` is not a certifying regime of this registry")]
    UnknownRegime { regime: RegimeRef },
    #[error("regime `{regime}` is a {status} regime and takes no applications")]
    RegimeNotBinding { regime: RegimeRef, status: String },
    #[error("regime `{regime}` takes applications from {opens}")]
    RegimeNotOpen { regime: RegimeRef, opens: Date },
    #[error(
        "regime `{regime}` stopped taking applications and issuing on {closed}{}",
        .successor.as_ref().map(|s| format!(": apply under `{s}`")).unwrap_or_default()
    )]
    RegimeClosed {
        regime: RegimeRef,
        closed: Date,
        successor: Option<RegimeRef>,
    },
    #[error("tier `{tier}` is not a tier of regime `{regime}` (expected one of {expected})")]
    UnknownTier {
        regime: RegimeRef,
        tier: String,
        expected: String,
    },
    #[error("a {service_type} service must name the certified IaaS it runs on")]
    HostRequired { service_type: &'static str },
    #[error("a {service_type} service does not run on a host; remove the host certificate")]
    HostNotAllowed { service_type: &'static str },
    #[error("host certificate `{number}` is not valid on {date}")]
    HostNotValid {
        number: CertificateNumber,
        date: Date,
    },
    #[error(
        "host certificate `{number}` counts at no tier of regime `{regime}`, or below tier `{tier}` (a SaaS or PaaS counts no higher than its IaaS)"
    )]
    HostTierTooLow {
        number: CertificateNumber,
        regime: RegimeRef,
        tier: String,
    },
    #[error("finding `{finding}` is already recorded")]
    DuplicateFinding { finding: FindingId },
    #[error("finding `{finding}` is not recorded on this application")]
    UnknownFinding { finding: FindingId },
    #[error("remediation deadline {due} is before the request date {date}")]
    DeadlineInPast { due: Date, date: Date },
    #[error("a remediation for finding `{finding}` is already open")]
    RemediationAlreadyOpen { finding: FindingId },
    #[error("no open remediation request for finding `{finding}`")]
    NoOpenRemediation { finding: FindingId },
    #[error("remediation for finding `{finding}` (due {due}) has not been re-checked")]
    RemediationOpen { finding: FindingId, due: Date },
    #[error("the resolution is for application `{got}`, not `{expected}`")]
    ResolutionMismatch {
        expected: ApplicationId,
        got: ApplicationId,
    },
    #[error("the resolution is dated {resolution}, after the decision {date}")]
    ResolutionAfterDecision { resolution: Date, date: Date },
    #[error("the deliberation had no quorum; no decision can rest on it")]
    NoQuorum,
    #[error("the term of {years} years from {from} falls outside the calendar")]
    DateOutOfRange { from: Date, years: i16 },
    #[error("an imported certificate issued on {issued} cannot be valid only until {valid_until}")]
    ImportDates { issued: Date, valid_until: Date },
    #[error("follow-up year {year} is outside 1..={max}")]
    FollowUpYear { year: u8, max: u8 },
    #[error("follow-up for year {year} is already recorded or a later year was")]
    FollowUpRepeated { year: u8 },
    #[error("follow-up for year {year} cannot be held before {earliest}")]
    FollowUpTooEarly { year: u8, earliest: Date },
    #[error("follow-up dated {date} falls outside the certificate's validity (to {valid_until})")]
    FollowUpOutsideValidity { date: Date, valid_until: Date },
    #[error(
        "a document-only follow-up is allowed only for {allowed_types} in years {allowed_years} from {from}; this is a {service_type} service in year {year}"
    )]
    DocumentOnlyNotAllowed {
        service_type: &'static str,
        year: u8,
        allowed_types: String,
        allowed_years: String,
        from: Date,
    },
    #[error(
        "revocation on ground `{}` needs a prior hearing that established it (Act Art. 23-3)",
        .ground.as_str()
    )]
    HearingRequired { ground: RevocationGround },
    #[error(
        "a hearing established fraud: the certificate must be revoked (Act Art. 23-3), so `{event}` is refused"
    )]
    RevocationMandatory { event: &'static str },
    #[error(
        "renewal must be applied for at least {months} months before expiry: the last day was {deadline}"
    )]
    RenewalTooLate { deadline: Date, months: i16 },
    #[error("a renewal application is already pending since {applied}")]
    RenewalPending { applied: Date },
    #[error("no renewal application is pending")]
    NoRenewalPending,
    #[error("the certificate is valid until {valid_until}; it cannot expire on {date}")]
    NotYetExpired { valid_until: Date, date: Date },
    #[error("the certificate expired after {valid_until}; record the expiry instead")]
    AlreadyExpired { valid_until: Date },
}

impl TransitionError {
    /// A stable kebab-case code for the variant.
    pub fn code(&self) -> &'static str {
        match self {
            TransitionError::NotAllowed { .. } => "not-allowed",
            TransitionError::OutOfOrder { .. } => "out-of-order",
            TransitionError::UnknownRegime { .. } => "unknown-regime",
            TransitionError::RegimeNotBinding { .. } => "regime-not-binding",
            TransitionError::RegimeNotOpen { .. } => "regime-not-open",
            TransitionError::RegimeClosed { .. } => "regime-closed",
            TransitionError::UnknownTier { .. } => "unknown-tier",
            TransitionError::HostRequired { .. } => "host-required",
            TransitionError::HostNotAllowed { .. } => "host-not-allowed",
            TransitionError::HostNotValid { .. } => "host-not-valid",
            TransitionError::HostTierTooLow { .. } => "host-tier-too-low",
            TransitionError::DuplicateFinding { .. } => "duplicate-finding",
            TransitionError::UnknownFinding { .. } => "unknown-finding",
            TransitionError::DeadlineInPast { .. } => "deadline-in-past",
            TransitionError::RemediationAlreadyOpen { .. } => "remediation-already-open",
            TransitionError::NoOpenRemediation { .. } => "no-open-remediation",
            TransitionError::RemediationOpen { .. } => "remediation-open",
            TransitionError::ResolutionMismatch { .. } => "resolution-mismatch",
            TransitionError::ResolutionAfterDecision { .. } => "resolution-after-decision",
            TransitionError::NoQuorum => "no-quorum",
            TransitionError::DateOutOfRange { .. } => "date-out-of-range",
            TransitionError::ImportDates { .. } => "import-dates",
            TransitionError::FollowUpYear { .. } => "follow-up-year",
            TransitionError::FollowUpRepeated { .. } => "follow-up-repeated",
            TransitionError::FollowUpTooEarly { .. } => "follow-up-too-early",
            TransitionError::FollowUpOutsideValidity { .. } => "follow-up-outside-validity",
            TransitionError::DocumentOnlyNotAllowed { .. } => "document-only-not-allowed",
            TransitionError::HearingRequired { .. } => "hearing-required",
            TransitionError::RevocationMandatory { .. } => "revocation-mandatory",
            TransitionError::RenewalTooLate { .. } => "renewal-too-late",
            TransitionError::RenewalPending { .. } => "renewal-pending",
            TransitionError::NoRenewalPending => "no-renewal-pending",
            TransitionError::NotYetExpired { .. } => "not-yet-expired",
            TransitionError::AlreadyExpired { .. } => "already-expired",
        }
    }
}

/// A certificate's standing on a date, for the registry and for verification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum CertStatus {
    NotYetValid {
        valid_from: Date,
    },
    Active {
        valid_until: Date,
    },
    /// Its regime has closed, and the successor accepts it to the end of its term.
    Grandfathered {
        successor: RegimeRef,
        since: Date,
        until: Date,
    },
    Expired {
        valid_until: Date,
    },
    Revoked {
        on: Date,
        ground: RevocationGround,
    },
    Surrendered {
        on: Date,
    },
}

/// The standing of a certificate covering `date` under its regime's window (no revocation or
/// surrender considered): active, grandfathered, expired or not yet valid.
pub fn standing(cert: &CertificateRecord, date: Date, ctx: &Ctx) -> CertStatus {
    if date < cert.valid_from {
        return CertStatus::NotYetValid {
            valid_from: cert.valid_from,
        };
    }
    if date > cert.valid_until {
        return CertStatus::Expired {
            valid_until: cert.valid_until,
        };
    }
    let window = ctx.regime(&cert.regime);
    if let Some(w) = window
        && let (Some(closed), Some(successor)) = (w.closes, w.successor.as_ref())
        && closed <= date
        && w.grandfathered_by_successor
    {
        return CertStatus::Grandfathered {
            successor: successor.clone(),
            since: closed,
            until: cert.valid_until,
        };
    }
    CertStatus::Active {
        valid_until: cert.valid_until,
    }
}

impl State {
    pub fn name(&self) -> StateName {
        match self {
            State::Unfiled => StateName::Unfiled,
            State::Submitted(_) => StateName::Submitted,
            State::DocumentReview(_) => StateName::DocumentReview,
            State::OnSiteEvaluation(_) => StateName::OnSiteEvaluation,
            State::Deliberation(_) => StateName::Deliberation,
            State::Approved(_) => StateName::Approved,
            State::Rejected(_) => StateName::Rejected,
            State::Withdrawn(_) => StateName::Withdrawn,
            State::Certified(_) => StateName::Certified,
            State::Revoked(_) => StateName::Revoked,
            State::Expired(_) => StateName::Expired,
            State::Surrendered(_) => StateName::Surrendered,
        }
    }

    /// Refuse an evaluator assignment in a state that takes none ([`StateName::takes_evaluator`]),
    /// as a transition the state does not allow.
    pub fn may_assign_evaluator(&self) -> Result<(), TransitionError> {
        let state = self.name();
        if state.takes_evaluator() {
            Ok(())
        } else {
            Err(TransitionError::NotAllowed {
                state,
                event: "assign-evaluator",
            })
        }
    }

    /// The case behind any state but `Unfiled`.
    pub fn case(&self) -> Option<&Case> {
        match self {
            State::Unfiled => None,
            State::Submitted(c)
            | State::DocumentReview(c)
            | State::OnSiteEvaluation(c)
            | State::Deliberation(c)
            | State::Approved(c)
            | State::Rejected(c) => Some(c),
            State::Withdrawn(c) => Some(&c.case),
            State::Certified(h) => Some(&h.case),
            State::Revoked(e) | State::Expired(e) | State::Surrendered(e) => Some(&e.held.case),
        }
    }

    pub fn held(&self) -> Option<&Held> {
        match self {
            State::Certified(h) => Some(h),
            State::Revoked(e) | State::Expired(e) | State::Surrendered(e) => Some(&e.held),
            _ => None,
        }
    }

    /// The standing on `as_of` of the certificate this case led to, if any: answers "what was
    /// certified on that date" as well as "what is certified now".
    pub fn certificate_status(&self, as_of: Date, ctx: &Ctx) -> Option<CertStatus> {
        let held = self.held()?;
        if let State::Revoked(e) | State::Surrendered(e) = self
            && e.on <= as_of
        {
            return Some(match &e.cause {
                EndCause::Revoked { ground } => CertStatus::Revoked {
                    on: e.on,
                    ground: *ground,
                },
                _ => CertStatus::Surrendered { on: e.on },
            });
        }
        let cert = held
            .certificate_on(as_of)
            .unwrap_or(&held.current.certificate);
        Some(standing(cert, as_of, ctx))
    }

    /// Apply one new dated event: every rule of the current content, assumptions and policy
    /// guards it ([`Guard::CurrentRules`]).
    pub fn apply(&self, event: &Event, ctx: &Ctx) -> Result<State, TransitionError> {
        self.apply_under(event, ctx, Guard::CurrentRules)
    }

    /// Apply one dated event under `guard`: [`State::apply`] for a new transition, [`replay`] for
    /// recorded history.
    pub fn apply_under(
        &self,
        event: &Event,
        ctx: &Ctx,
        guard: Guard,
    ) -> Result<State, TransitionError> {
        let date = event.date;
        if let Some(case) = self.case()
            && date < case.last_event
        {
            return Err(TransitionError::OutOfOrder {
                last: case.last_event,
                date,
            });
        }
        let not_allowed = || TransitionError::NotAllowed {
            state: self.name(),
            event: event.kind.name(),
        };
        let stamp = |c: &Case| {
            let mut c = c.clone();
            c.last_event = date;
            Box::new(c)
        };
        use EventKind as E;
        match (self, &event.kind) {
            (State::Unfiled, E::Submit(app)) => submit(app, date, ctx, guard),
            (
                State::Unfiled,
                E::ImportCertificate {
                    application,
                    number,
                    issued,
                    valid_until,
                },
            ) => import(application, number, *issued, *valid_until, date, ctx, guard),

            (State::Submitted(c), E::StartDocumentReview) => Ok(State::DocumentReview(stamp(c))),
            (State::DocumentReview(c), E::StartOnSiteEvaluation) => {
                Ok(State::OnSiteEvaluation(stamp(c)))
            }
            (State::DocumentReview(c), E::RecordFinding(f)) => Ok(State::DocumentReview(
                record_finding(stamp(c), f, date, Stage::DocumentReview)?,
            )),
            (State::OnSiteEvaluation(c), E::RecordFinding(f)) => Ok(State::OnSiteEvaluation(
                record_finding(stamp(c), f, date, Stage::OnSite)?,
            )),
            (State::OnSiteEvaluation(c), E::RequestRemediation { finding, due }) => {
                let mut c = stamp(c);
                if !c.findings.iter().any(|f| &f.id == finding) {
                    return Err(TransitionError::UnknownFinding {
                        finding: finding.clone(),
                    });
                }
                if *due < date {
                    return Err(TransitionError::DeadlineInPast { due: *due, date });
                }
                if c.remediations
                    .iter()
                    .any(|r| &r.finding == finding && r.recheck.is_none())
                {
                    return Err(TransitionError::RemediationAlreadyOpen {
                        finding: finding.clone(),
                    });
                }
                c.remediations.push(Remediation {
                    finding: finding.clone(),
                    requested: date,
                    due: *due,
                    recheck: None,
                });
                Ok(State::OnSiteEvaluation(c))
            }
            (
                State::OnSiteEvaluation(c),
                E::RecheckRemediation {
                    finding,
                    resolved,
                    note,
                },
            ) => {
                let mut c = stamp(c);
                let open = c
                    .remediations
                    .iter_mut()
                    .find(|r| &r.finding == finding && r.recheck.is_none())
                    .ok_or_else(|| TransitionError::NoOpenRemediation {
                        finding: finding.clone(),
                    })?;
                open.recheck = Some(Recheck {
                    date,
                    resolved: *resolved,
                    late: date > open.due,
                    note: note.clone(),
                });
                Ok(State::OnSiteEvaluation(c))
            }
            (State::OnSiteEvaluation(c), E::SubmitToCommittee) => {
                // Our rule, not the notice's (unread): the committee sees a closed evaluation,
                // so every remediation request must have been re-checked first.
                if let Some(r) = c.remediations.iter().find(|r| r.recheck.is_none()) {
                    return Err(TransitionError::RemediationOpen {
                        finding: r.finding.clone(),
                        due: r.due,
                    });
                }
                Ok(State::Deliberation(stamp(c)))
            }
            (State::Deliberation(c), E::Decide(res)) => {
                if res.application != c.application.id {
                    return Err(TransitionError::ResolutionMismatch {
                        expected: c.application.id.clone(),
                        got: res.application.clone(),
                    });
                }
                if res.date > date {
                    return Err(TransitionError::ResolutionAfterDecision {
                        resolution: res.date,
                        date,
                    });
                }
                if !res.quorum_met {
                    return Err(TransitionError::NoQuorum);
                }
                let mut c = stamp(c);
                c.decision = Some(Decision {
                    date,
                    deliberation: res.deliberation.clone(),
                    outcome: res.outcome,
                    votes_for: res.votes_for,
                    votes_against: res.votes_against,
                    eligible: res.eligible,
                });
                Ok(match res.outcome {
                    Outcome::Approve => State::Approved(c),
                    Outcome::Reject => State::Rejected(c),
                })
            }
            (State::Approved(c), E::IssueCertificate { number }) => {
                let term_years = term_years(ctx, &c.application.regime, date, guard)?;
                let valid_until = ctx.policy.valid_until(date, term_years).ok_or(
                    TransitionError::DateOutOfRange {
                        from: date,
                        years: term_years,
                    },
                )?;
                Ok(State::Certified(Box::new(Held::first(
                    *stamp(c),
                    number,
                    date,
                    valid_until,
                ))))
            }
            (
                State::Submitted(c)
                | State::DocumentReview(c)
                | State::OnSiteEvaluation(c)
                | State::Deliberation(c)
                | State::Approved(c),
                E::Withdraw { reason },
            ) => Ok(State::Withdrawn(Box::new(Closed {
                case: *stamp(c),
                on: date,
                reason: reason.clone(),
            }))),
            (State::Certified(h), kind) => {
                certified(h, kind, date, ctx, guard).map_err(|e| match e {
                    Refusal::NotAllowed => not_allowed(),
                    Refusal::Because(e) => e,
                })
            }
            _ => Err(not_allowed()),
        }
    }
}

/// What an event is checked against.
///
/// A new transition must satisfy the rules in force now. A recorded event already happened: it
/// was valid under the content, assumptions and policy of its day, and a later change (moving
/// the NIS start with `--assume nis-2027.start=…`, a pack that shortens a window, a new policy
/// default) must not make history unreadable. So replay re-checks only what keeps the state
/// machine coherent: the transition exists from the state reached, dates never go back, the
/// findings, remediations, hearings and renewals an event names exist, a lapsed certificate only
/// expires. Regime windows, tiers, host acceptance, follow-up years, document-only follow-ups
/// and the renewal deadline are rules, checked for [`Guard::CurrentRules`] only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guard {
    /// A new event: every rule applies.
    CurrentRules,
    /// A stored event, replayed as a fact: structure only.
    RecordedFact,
}

/// Rebuild a state from its recorded events ([`Guard::RecordedFact`]), reporting the index of
/// the first event that does not apply.
pub fn replay<'a>(
    events: impl IntoIterator<Item = &'a Event>,
    ctx: &Ctx,
) -> Result<State, (usize, TransitionError)> {
    events
        .into_iter()
        .enumerate()
        .try_fold(State::Unfiled, |s, (i, e)| {
            s.apply_under(e, ctx, Guard::RecordedFact)
                .map_err(|x| (i, x))
        })
}

/// The validity term for a certificate issued (or renewed) on `date` under `regime`. A new one
/// needs the regime open; a recorded one takes the regime's term, or the policy's if the regime
/// has since left the content.
fn term_years(
    ctx: &Ctx,
    regime: &RegimeRef,
    date: Date,
    guard: Guard,
) -> Result<i16, TransitionError> {
    match guard {
        Guard::CurrentRules => {
            let w = window(ctx, regime)?;
            ensure_open(w, date)?;
            Ok(w.term_years)
        }
        Guard::RecordedFact => Ok(ctx
            .regime(regime)
            .map_or(ctx.policy.validity_years, |w| w.term_years)),
    }
}

fn window<'c>(ctx: &'c Ctx, regime: &RegimeRef) -> Result<&'c RegimeWindow, TransitionError> {
    ctx.regime(regime)
        .ok_or_else(|| TransitionError::UnknownRegime {
            regime: regime.clone(),
        })
}

/// A regime takes applications and issues only inside its window. After it closes, the error
/// names the successor (for CSAP: `nis-2027`, opening on the assumption `nis-2027.start`).
fn ensure_open(w: &RegimeWindow, date: Date) -> Result<(), TransitionError> {
    if !w.binding {
        return Err(TransitionError::RegimeNotBinding {
            regime: w.regime.clone(),
            status: w.status.clone(),
        });
    }
    if let Some(opens) = w.opens
        && date < opens
    {
        return Err(TransitionError::RegimeNotOpen {
            regime: w.regime.clone(),
            opens,
        });
    }
    if let Some(closed) = w.closes
        && closed <= date
    {
        return Err(TransitionError::RegimeClosed {
            regime: w.regime.clone(),
            closed,
            successor: w.successor.clone(),
        });
    }
    Ok(())
}

fn submit(
    app: &Application,
    date: Date,
    ctx: &Ctx,
    guard: Guard,
) -> Result<State, TransitionError> {
    // Even a recorded case needs its regime: the case records the scheme it names.
    let w = window(ctx, &app.regime)?;
    match (&app.host, app.service_type.runs_on_iaas()) {
        (None, true) => {
            return Err(TransitionError::HostRequired {
                service_type: app.service_type.as_str(),
            });
        }
        (Some(_), false) => {
            return Err(TransitionError::HostNotAllowed {
                service_type: app.service_type.as_str(),
            });
        }
        _ => {}
    }
    if guard == Guard::CurrentRules {
        submit_rules(app, w, date)?;
    }
    Ok(State::Submitted(Box::new(Case {
        application: app.clone(),
        scheme: w.scheme.clone(),
        submitted: date,
        last_event: date,
        findings: Vec::new(),
        remediations: Vec::new(),
        decision: None,
    })))
}

/// A certified case from a certificate issued outside this registry. Its regime must be known
/// (the case records the scheme it issues) and, for a new import, the tier one of the regime's;
/// the window, the host's acceptance and the term's length are not re-judged, since the
/// certificate was issued under the rules of its day, as its earlier register recorded it.
fn import(
    app: &Application,
    number: &CertificateNumber,
    issued: Date,
    valid_until: Date,
    date: Date,
    ctx: &Ctx,
    guard: Guard,
) -> Result<State, TransitionError> {
    let w = window(ctx, &app.regime)?;
    if guard == Guard::CurrentRules && w.tier_rank(&app.tier).is_none() {
        return Err(TransitionError::UnknownTier {
            regime: app.regime.clone(),
            tier: app.tier.clone(),
            expected: w.tiers.join(", "),
        });
    }
    if valid_until < issued {
        return Err(TransitionError::ImportDates {
            issued,
            valid_until,
        });
    }
    let case = Case {
        application: app.clone(),
        scheme: w.scheme.clone(),
        submitted: issued.min(date),
        last_event: date,
        findings: Vec::new(),
        remediations: Vec::new(),
        decision: None,
    };
    Ok(State::Certified(Box::new(Held::first(
        case,
        number,
        issued,
        valid_until,
    ))))
}

/// The rules a new application must meet: the regime open, the tier known, the host's
/// certificate valid on the day and accepted at least at the tier applied for.
fn submit_rules(app: &Application, w: &RegimeWindow, date: Date) -> Result<(), TransitionError> {
    ensure_open(w, date)?;
    let tier_rank = w
        .tier_rank(&app.tier)
        .ok_or_else(|| TransitionError::UnknownTier {
            regime: app.regime.clone(),
            tier: app.tier.clone(),
            expected: w.tiers.join(", "),
        })?;
    if let Some(h) = &app.host {
        if h.revoked || date < h.issued || h.valid_until < date {
            return Err(TransitionError::HostNotValid {
                number: h.number.clone(),
                date,
            });
        }
        // The host's certificate counts at the tier this regime's acceptance rules give it
        // (the engine's table); the SaaS may not apply above it.
        if w.accepted_rank(&h.scheme, &h.tier, h.issued)
            .is_none_or(|r| r < tier_rank)
        {
            return Err(TransitionError::HostTierTooLow {
                number: h.number.clone(),
                regime: app.regime.clone(),
                tier: app.tier.clone(),
            });
        }
    }
    Ok(())
}

fn to_finding(f: &NewFinding, date: Date, stage: Stage) -> Finding {
    Finding {
        id: f.id.clone(),
        severity: f.severity,
        control: f.control.clone(),
        summary: f.summary.clone(),
        raised: date,
        stage,
    }
}

fn record_finding(
    mut c: Box<Case>,
    f: &NewFinding,
    date: Date,
    stage: Stage,
) -> Result<Box<Case>, TransitionError> {
    if c.findings.iter().any(|x| x.id == f.id) {
        return Err(TransitionError::DuplicateFinding {
            finding: f.id.clone(),
        });
    }
    c.findings.push(to_finding(f, date, stage));
    Ok(c)
}

enum Refusal {
    NotAllowed,
    Because(TransitionError),
}

impl From<TransitionError> for Refusal {
    fn from(e: TransitionError) -> Self {
        Refusal::Because(e)
    }
}

/// A certified case's events. For a recorded event ([`Guard::RecordedFact`]) the follow-up year
/// limit, the document-only rule, the regime window and the renewal deadline are not re-checked.
fn certified(
    h: &Held,
    kind: &EventKind,
    date: Date,
    ctx: &Ctx,
    guard: Guard,
) -> Result<State, Refusal> {
    let rules = guard == Guard::CurrentRules;
    use EventKind as E;
    let mut h = Box::new(h.clone());
    h.case.last_event = date;
    let cert = &h.current.certificate;
    let valid_until = cert.valid_until;
    let blocked_by_fraud = matches!(
        kind,
        E::FollowUp { .. }
            | E::ApplyForRenewal
            | E::GrantRenewal { .. }
            | E::Surrender { .. }
            | E::Hearing { .. }
    );
    if blocked_by_fraud && h.mandatory_revocation_pending() {
        return Err(TransitionError::RevocationMandatory { event: kind.name() }.into());
    }
    let lapsed = date > valid_until;
    if lapsed && !matches!(kind, E::Expire) {
        return Err(TransitionError::AlreadyExpired { valid_until }.into());
    }
    match kind {
        E::FollowUp {
            year,
            method,
            passed,
            findings,
        } => {
            let max = ctx.policy.follow_up_years;
            if *year == 0 || (rules && *year > max) {
                return Err(TransitionError::FollowUpYear { year: *year, max }.into());
            }
            if h.current.follow_ups.iter().any(|f| f.year >= *year) {
                return Err(TransitionError::FollowUpRepeated { year: *year }.into());
            }
            // Year k's follow-up falls in the k-th year of validity or later.
            let earliest = cert
                .valid_from
                .checked_add(i32::from(*year - 1).years())
                .map_err(|_| TransitionError::DateOutOfRange {
                    from: cert.valid_from,
                    years: i16::from(*year),
                })?;
            if date < earliest {
                return Err(TransitionError::FollowUpTooEarly {
                    year: *year,
                    earliest,
                }
                .into());
            }
            if !cert.covers(date) {
                return Err(TransitionError::FollowUpOutsideValidity { date, valid_until }.into());
            }
            let rule = &ctx.policy.document_only;
            let doc_ok = rule.service_types.contains(&cert.service_type)
                && rule.years.contains(year)
                && rule.from <= date;
            if rules && *method == FollowUpMethod::DocumentOnly && !doc_ok {
                return Err(TransitionError::DocumentOnlyNotAllowed {
                    service_type: cert.service_type.as_str(),
                    year: *year,
                    allowed_types: rule
                        .service_types
                        .iter()
                        .map(|t| t.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    allowed_years: rule
                        .years
                        .iter()
                        .map(u8::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                    from: rule.from,
                }
                .into());
            }
            let findings = findings
                .iter()
                .map(|f| to_finding(f, date, Stage::FollowUp))
                .collect();
            h.current.follow_ups.push(FollowUp {
                date,
                year: *year,
                method: *method,
                passed: *passed,
                findings,
            });
            Ok(State::Certified(h))
        }
        E::Hearing {
            ground,
            established,
            record,
        } => {
            h.hearings.push(Hearing {
                date,
                ground: *ground,
                established: *established,
                record: record.clone(),
            });
            Ok(State::Certified(h))
        }
        E::Revoke { ground } => {
            if !h
                .hearings
                .iter()
                .any(|x| x.ground == *ground && x.established)
            {
                return Err(TransitionError::HearingRequired { ground: *ground }.into());
            }
            Ok(State::Revoked(Box::new(Ended {
                held: *h,
                on: date,
                cause: EndCause::Revoked { ground: *ground },
            })))
        }
        E::ApplyForRenewal => {
            if let Some(r) = &h.renewal {
                return Err(TransitionError::RenewalPending { applied: r.applied }.into());
            }
            if rules {
                ensure_open(window(ctx, &cert.regime)?, date)?;
            }
            let deadline = ctx.policy.renewal_deadline(valid_until).ok_or(
                TransitionError::DateOutOfRange {
                    from: valid_until,
                    years: 0,
                },
            )?;
            if rules && date > deadline {
                return Err(TransitionError::RenewalTooLate {
                    deadline,
                    months: ctx.policy.renewal_lead_months,
                }
                .into());
            }
            h.renewal = Some(Renewal { applied: date });
            Ok(State::Certified(h))
        }
        E::GrantRenewal { number } => {
            if h.renewal.is_none() {
                return Err(TransitionError::NoRenewalPending.into());
            }
            let term = term_years(ctx, &cert.regime, date, guard)?;
            // ASSUMPTION `registry.renewal-continues-term`: a renewal granted before expiry starts
            // its term the day after the old one ends, so terms neither overlap nor gap.
            let next_day =
                valid_until
                    .checked_add(1.day())
                    .map_err(|_| TransitionError::DateOutOfRange {
                        from: valid_until,
                        years: 0,
                    })?;
            let valid_from = next_day.max(date);
            let new_until = ctx.policy.valid_until(valid_from, term).ok_or(
                TransitionError::DateOutOfRange {
                    from: valid_from,
                    years: term,
                },
            )?;
            let renewed = CertificateRecord {
                number: number.clone(),
                issued: date,
                valid_from,
                valid_until: new_until,
                renews: Some(cert.number.clone()),
                ..cert.clone()
            };
            let old = std::mem::replace(
                &mut h.current,
                Term {
                    certificate: renewed,
                    follow_ups: Vec::new(),
                },
            );
            h.past.push(old);
            h.renewal = None;
            Ok(State::Certified(h))
        }
        E::RefuseRenewal { .. } => {
            if h.renewal.take().is_none() {
                return Err(TransitionError::NoRenewalPending.into());
            }
            Ok(State::Certified(h))
        }
        E::Expire => {
            if !lapsed {
                return Err(TransitionError::NotYetExpired { valid_until, date }.into());
            }
            Ok(State::Expired(Box::new(Ended {
                held: *h,
                on: date,
                cause: EndCause::Expired,
            })))
        }
        E::Surrender { reason } => Ok(State::Surrendered(Box::new(Ended {
            held: *h,
            on: date,
            cause: EndCause::Surrendered {
                reason: reason.clone(),
            },
        }))),
        _ => Err(Refusal::NotAllowed),
    }
}

#[cfg(test)]
mod tests;
