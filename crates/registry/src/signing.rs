/*!
Certificates as Ed25519-signed JSON documents that anyone can check offline with the published
key.

The signature covers a domain tag (`kcvs-certificate-v1` and a NUL) followed by the document's
canonical JSON: object keys sorted, no whitespace, strings and numbers as `serde_json` prints them.
That is RFC 8785 (JCS) for every document this crate writes (ASCII keys, integer numbers); it is
not full JCS for arbitrary input (keys are sorted by UTF-8 bytes rather than UTF-16 units, and
floats are not normalised), which is why [`CertificateDocument`] refuses unknown fields and holds
no floats.

A signed document is a snapshot: its `status` is what the registry knew when it signed. That a
certificate was not revoked *since* is what the transparency log ([`crate::translog`]) proves.
*/

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ctx::Ctx;
use crate::digest::{hex_decode, hex_encode};
use crate::lifecycle::{
    CertStatus, CertificateRecord, EndCause, RevocationGround, ServiceType, State,
};
use crate::{
    ApplicationId, CertificateNumber, Date, Digest, ProviderId, RegimeRef, SchemeRef, ServiceRef,
};

/// The format tag every document carries.
pub const FORMAT: &str = "kcvs-certificate/1";
const DOMAIN: &[u8] = b"kcvs-certificate-v1\0";

/// Serialize a JSON value canonically: keys sorted, no whitespace.
pub fn canonical_json(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*k).clone()).to_string());
                out.push(':');
                if let Some(item) = map.get(*k) {
                    write_canonical(item, out);
                }
            }
            out.push('}');
        }
        // Leaves print compactly through serde_json's own Display.
        leaf => out.push_str(&leaf.to_string()),
    }
}

/// The canonical JSON of any serializable value.
pub fn canonical_bytes<T: Serialize>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    Ok(canonical_json(&serde_json::to_value(value)?).into_bytes())
}

/// A key's short id: the first 8 bytes of SHA-256 over the public key, in hex.
pub fn key_id(key: &VerifyingKey) -> String {
    hex_encode(&Digest::of(&[key.as_bytes()]).0[..8])
}

/// The certificate's standing as the registry knew it when signing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case", deny_unknown_fields)]
pub enum DocumentStatus {
    Active,
    Revoked { on: Date, ground: RevocationGround },
    Surrendered { on: Date },
}

/// Its regime closed and the successor accepts it to the end of its term.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grandfathering {
    pub successor: RegimeRef,
    pub since: Date,
}

/// The published certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateDocument {
    pub format: String,
    /// Who signed: the certification body (KISA or a designated one, Act Art. 23-2(5)).
    pub issuer: String,
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
    pub valid_from: Date,
    pub valid_until: Date,
    pub renews: Option<CertificateNumber>,
    pub status: DocumentStatus,
    pub grandfathered: Option<Grandfathering>,
    /// The day the registry signed this snapshot.
    pub signed_on: Date,
}

impl CertificateDocument {
    pub fn from_record(
        record: &CertificateRecord,
        issuer: &str,
        status: DocumentStatus,
        grandfathered: Option<Grandfathering>,
        signed_on: Date,
    ) -> Self {
        CertificateDocument {
            format: FORMAT.to_owned(),
            issuer: issuer.to_owned(),
            number: record.number.clone(),
            application: record.application.clone(),
            provider: record.provider.clone(),
            service: record.service.clone(),
            regime: record.regime.clone(),
            scheme: record.scheme.clone(),
            tier: record.tier.clone(),
            service_type: record.service_type,
            scope: record.scope.clone(),
            host: record.host.clone(),
            issued: record.issued,
            valid_from: record.valid_from,
            valid_until: record.valid_until,
            renews: record.renews.clone(),
            status,
            grandfathered,
            signed_on,
        }
    }

    /// The document for a case's current certificate as of `signed_on`, with its status and any
    /// grandfathering read from the lifecycle. `None` before a certificate exists.
    pub fn from_state(state: &State, issuer: &str, signed_on: Date, ctx: &Ctx) -> Option<Self> {
        let held = state.held()?;
        let status = match state {
            State::Revoked(e) | State::Surrendered(e) if e.on <= signed_on => match e.cause {
                EndCause::Revoked { ground } => DocumentStatus::Revoked { on: e.on, ground },
                _ => DocumentStatus::Surrendered { on: e.on },
            },
            _ => DocumentStatus::Active,
        };
        let record = held
            .certificate_on(signed_on)
            .unwrap_or(&held.current.certificate);
        let grandfathered = match crate::lifecycle::standing(record, signed_on, ctx) {
            CertStatus::Grandfathered {
                successor, since, ..
            } => Some(Grandfathering { successor, since }),
            _ => None,
        };
        Some(Self::from_record(
            record,
            issuer,
            status,
            grandfathered,
            signed_on,
        ))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureBlock {
    /// Always `Ed25519`.
    pub algorithm: String,
    pub key_id: String,
    /// 64 bytes, lowercase hex.
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedCertificate {
    pub document: CertificateDocument,
    pub signature: SignatureBlock,
}

impl SignedCertificate {
    /// SHA-256 of the signed certificate's canonical JSON: what the transparency log records.
    pub fn digest(&self) -> Result<Digest, serde_json::Error> {
        Ok(Digest::of(&[&canonical_bytes(self)?]))
    }
}

fn message(doc: &CertificateDocument) -> Result<Vec<u8>, serde_json::Error> {
    let mut m = DOMAIN.to_vec();
    m.extend(canonical_bytes(doc)?);
    Ok(m)
}

pub fn sign_certificate(
    doc: CertificateDocument,
    key: &SigningKey,
) -> Result<SignedCertificate, serde_json::Error> {
    let sig = key.sign(&message(&doc)?);
    Ok(SignedCertificate {
        document: doc,
        signature: SignatureBlock {
            algorithm: "Ed25519".to_owned(),
            key_id: key_id(&key.verifying_key()),
            value: hex_encode(&sig.to_bytes()),
        },
    })
}

/// What an offline check concludes on a date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum VerifiedStatus {
    /// The signature does not verify: nothing in the document can be trusted.
    Untrusted,
    NotYetValid,
    Valid,
    Grandfathered {
        successor: RegimeRef,
        until: Date,
    },
    Expired,
    Revoked {
        on: Date,
        ground: RevocationGround,
    },
    Surrendered {
        on: Date,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// The signature verifies with the given key over this exact document.
    pub signature_ok: bool,
    /// `as_of` falls between `valid_from` and `valid_until`.
    pub within_dates: bool,
    pub status: VerifiedStatus,
}

impl Verdict {
    /// Good for use on the date: signed, in dates, active or grandfathered.
    pub fn is_valid(&self) -> bool {
        self.signature_ok
            && self.within_dates
            && matches!(
                self.status,
                VerifiedStatus::Valid | VerifiedStatus::Grandfathered { .. }
            )
    }
}

fn signature_ok(signed: &SignedCertificate, key: &VerifyingKey) -> bool {
    if signed.signature.algorithm != "Ed25519" || signed.signature.key_id != key_id(key) {
        return false;
    }
    let Some(bytes) = hex_decode(&signed.signature.value) else {
        return false;
    };
    let Ok(arr) = <[u8; 64]>::try_from(bytes.as_slice()) else {
        return false;
    };
    let Ok(msg) = message(&signed.document) else {
        return false;
    };
    key.verify(&msg, &Signature::from_bytes(&arr)).is_ok()
}

/// Check a signed certificate with the published key, on a date, without asking the registry.
pub fn verify_certificate(signed: &SignedCertificate, key: &VerifyingKey, as_of: Date) -> Verdict {
    let doc = &signed.document;
    let ok = signature_ok(signed, key) && doc.format == FORMAT;
    let within_dates = doc.valid_from <= as_of && as_of <= doc.valid_until;
    let status = if !ok {
        VerifiedStatus::Untrusted
    } else {
        match (&doc.status, &doc.grandfathered) {
            (DocumentStatus::Revoked { on, ground }, _) if *on <= as_of => {
                VerifiedStatus::Revoked {
                    on: *on,
                    ground: *ground,
                }
            }
            (DocumentStatus::Surrendered { on }, _) if *on <= as_of => {
                VerifiedStatus::Surrendered { on: *on }
            }
            _ if as_of < doc.valid_from => VerifiedStatus::NotYetValid,
            _ if as_of > doc.valid_until => VerifiedStatus::Expired,
            (_, Some(g)) if g.since <= as_of => VerifiedStatus::Grandfathered {
                successor: g.successor.clone(),
                until: doc.valid_until,
            },
            _ => VerifiedStatus::Valid,
        }
    };
    Verdict {
        signature_ok: ok,
        within_dates,
        status,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn doc() -> CertificateDocument {
        let record = CertificateRecord {
            number: "CSAP-2026-042".into(),
            application: "app-1".into(),
            provider: "acme".into(),
            service: "acme-cloud".into(),
            regime: "csap-2023".into(),
            scheme: "csap".into(),
            tier: "medium".into(),
            service_type: ServiceType::Iaas,
            scope: "IaaS, Seoul".into(),
            host: None,
            issued: d("2026-06-01"),
            valid_from: d("2026-06-01"),
            valid_until: d("2031-05-31"),
            renews: None,
        };
        CertificateDocument::from_record(
            &record,
            "KISA",
            DocumentStatus::Active,
            Some(Grandfathering {
                successor: "nis-2027".into(),
                since: d("2027-07-01"),
            }),
            d("2026-06-01"),
        )
    }

    #[test]
    fn canonical_json_sorts_keys_and_drops_whitespace() {
        let v = json!({"b": [1, {"z": null, "a": true}], "a": "x\"y", "é": 1.5});
        assert_eq!(
            canonical_json(&v),
            r#"{"a":"x\"y","b":[1,{"a":true,"z":null}],"é":1.5}"#
        );
    }

    #[test]
    fn a_signed_certificate_verifies_offline_and_reports_its_status_by_date() {
        let k = key(7);
        let signed = sign_certificate(doc(), &k).unwrap();
        let vk = k.verifying_key();
        let v = verify_certificate(&signed, &vk, d("2026-12-01"));
        assert_eq!(
            v,
            Verdict {
                signature_ok: true,
                within_dates: true,
                status: VerifiedStatus::Valid
            }
        );
        assert!(v.is_valid());
        let v = verify_certificate(&signed, &vk, d("2028-01-01"));
        assert_eq!(
            v.status,
            VerifiedStatus::Grandfathered {
                successor: "nis-2027".into(),
                until: d("2031-05-31")
            }
        );
        assert!(v.is_valid());
        let v = verify_certificate(&signed, &vk, d("2031-06-01"));
        assert_eq!((v.within_dates, v.status), (false, VerifiedStatus::Expired));
        let v = verify_certificate(&signed, &vk, d("2026-05-31"));
        assert_eq!(v.status, VerifiedStatus::NotYetValid);
    }

    #[test]
    fn the_file_round_trips_and_any_change_breaks_the_signature() {
        let k = key(7);
        let signed = sign_certificate(doc(), &k).unwrap();
        let text = serde_json::to_string_pretty(&signed).unwrap();
        let back: SignedCertificate = serde_json::from_str(&text).unwrap();
        assert!(verify_certificate(&back, &k.verifying_key(), d("2027-01-01")).signature_ok);

        let mut forged = signed.clone();
        forged.document.tier = "high".into();
        let v = verify_certificate(&forged, &k.verifying_key(), d("2027-01-01"));
        assert_eq!(
            (v.signature_ok, v.status),
            (false, VerifiedStatus::Untrusted)
        );
        let mut extended = signed.clone();
        extended.document.valid_until = d("2035-05-31");
        assert!(!verify_certificate(&extended, &k.verifying_key(), d("2027-01-01")).signature_ok);
        // Another key, or an unknown field smuggled into the file.
        assert!(
            !verify_certificate(&signed, &key(8).verifying_key(), d("2027-01-01")).signature_ok
        );
        let smuggled = text.replacen("\"tier\"", "\"note\": \"x\", \"tier\"", 1);
        assert!(serde_json::from_str::<SignedCertificate>(&smuggled).is_err());
    }

    #[test]
    fn a_revoked_snapshot_says_so_from_its_date() {
        let k = key(1);
        let mut d0 = doc();
        d0.status = DocumentStatus::Revoked {
            on: d("2027-03-01"),
            ground: RevocationGround::Fraud,
        };
        let signed = sign_certificate(d0, &k).unwrap();
        let v = verify_certificate(&signed, &k.verifying_key(), d("2027-03-01"));
        assert!(!v.is_valid());
        assert_eq!(
            v.status,
            VerifiedStatus::Revoked {
                on: d("2027-03-01"),
                ground: RevocationGround::Fraud
            }
        );
        let v = verify_certificate(&signed, &k.verifying_key(), d("2027-02-28"));
        assert_eq!(v.status, VerifiedStatus::Valid);
    }
}
