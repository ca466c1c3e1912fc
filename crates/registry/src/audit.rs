/*!
A hash-chained audit log of every state change.

Each record carries its sequence number, the previous record's hash and its own hash, which is
SHA-256 over a domain tag and the canonical JSON of every other field. [`verify_chain`] walks the
records and names the first one that was edited, deleted or moved. Deleting the *last* records
leaves a shorter chain that is consistent in itself; to catch that, compare with a
[`ChainHead`] kept elsewhere (for instance logged in the transparency log) using
[`verify_chain_with_head`].

The export format is JSON Lines, one canonical record per line; [`verify_jsonl`] also refuses a
line that is not exactly the canonical form of the record it parses to, so even an edit that
leaves the meaning alone (a changed escape, spacing) is reported.
*/

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Digest;
use crate::signing::canonical_json;

const DOMAIN: &[u8] = b"kcvs-audit-v1\0";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditRecord {
    /// Position in the chain, from 0.
    pub seq: u64,
    pub at: Timestamp,
    /// Who acted (a user id, `system`).
    pub actor: String,
    /// What was done (`application.submit`, `certificate.revoke`).
    pub action: String,
    /// What it was done to (an application id, a certificate number).
    pub subject: String,
    /// The event or change itself.
    pub payload: Value,
    /// The previous record's hash; zeros for the first.
    pub prev: Digest,
    pub hash: Digest,
}

/// What a caller appends; the chain fields are filled in by [`AuditRecord::next`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRecord {
    pub at: Timestamp,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub payload: Value,
}

#[derive(Serialize)]
struct Hashed<'a> {
    seq: u64,
    at: &'a Timestamp,
    actor: &'a str,
    action: &'a str,
    subject: &'a str,
    payload: &'a Value,
    prev: &'a Digest,
}

impl AuditRecord {
    /// The hash this record should carry.
    pub fn compute_hash(&self) -> Digest {
        let body = Hashed {
            seq: self.seq,
            at: &self.at,
            actor: &self.actor,
            action: &self.action,
            subject: &self.subject,
            payload: &self.payload,
            prev: &self.prev,
        };
        // Serializing these field types to a JSON value cannot fail; an empty body would only
        // make verification fail, never pass.
        let canonical = serde_json::to_value(&body)
            .map(|v| canonical_json(&v))
            .unwrap_or_default();
        Digest::of(&[DOMAIN, canonical.as_bytes()])
    }

    /// The record that follows `prev` (or starts the chain).
    pub fn next(prev: Option<&AuditRecord>, new: NewRecord) -> AuditRecord {
        let mut r = AuditRecord {
            seq: prev.map_or(0, |p| p.seq + 1),
            at: new.at,
            actor: new.actor,
            action: new.action,
            subject: new.subject,
            payload: new.payload,
            prev: prev.map_or(Digest::ZERO, |p| p.hash),
            hash: Digest::ZERO,
        };
        r.hash = r.compute_hash();
        r
    }

    /// The canonical JSON line for export.
    pub fn to_line(&self) -> String {
        serde_json::to_value(self)
            .map(|v| canonical_json(&v))
            .unwrap_or_default()
    }
}

/// An in-memory chain, for tests and for the storage layer to build records with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditLog {
    records: Vec<AuditRecord>,
}

impl AuditLog {
    pub fn append(&mut self, new: NewRecord) -> &AuditRecord {
        let r = AuditRecord::next(self.records.last(), new);
        self.records.push(r);
        // INVARIANT: just pushed, so `last` is the new record.
        &self.records[self.records.len() - 1]
    }

    pub fn records(&self) -> &[AuditRecord] {
        &self.records
    }

    pub fn head(&self) -> ChainHead {
        ChainHead::of(&self.records)
    }
}

/// The length and last hash of a chain, kept apart from it to catch a truncated tail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    pub len: u64,
    pub hash: Digest,
}

impl ChainHead {
    pub fn of(records: &[AuditRecord]) -> Self {
        ChainHead {
            len: records.len() as u64,
            hash: records.last().map_or(Digest::ZERO, |r| r.hash),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuditErrorKind {
    /// The record's content, hash or link does not match.
    Edited,
    /// A record is missing before this position.
    Deleted,
    /// The record is not where its sequence number puts it.
    Reordered,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("audit record {index}: {kind:?}")]
pub struct AuditError {
    /// The first position where the chain breaks.
    pub index: usize,
    pub kind: AuditErrorKind,
}

fn err(index: usize, kind: AuditErrorKind) -> AuditError {
    AuditError { index, kind }
}

/// Check every record's hash, sequence and link, and report the first break.
pub fn verify_chain(records: &[AuditRecord]) -> Result<(), AuditError> {
    let mut prev_hash = Digest::ZERO;
    for (i, r) in records.iter().enumerate() {
        if r.compute_hash() != r.hash {
            return Err(err(i, AuditErrorKind::Edited));
        }
        let expected = i as u64;
        if r.seq != expected {
            let missing_later = records
                .iter()
                .skip(i + 1)
                .any(|later| later.seq == expected);
            let kind = if r.seq > expected && !missing_later {
                AuditErrorKind::Deleted
            } else {
                AuditErrorKind::Reordered
            };
            return Err(err(i, kind));
        }
        if r.prev != prev_hash {
            return Err(err(i, AuditErrorKind::Edited));
        }
        prev_hash = r.hash;
    }
    Ok(())
}

/// [`verify_chain`], and the chain must reach the head kept elsewhere (catches a cut tail).
pub fn verify_chain_with_head(records: &[AuditRecord], head: &ChainHead) -> Result<(), AuditError> {
    verify_chain(records)?;
    let n = usize::try_from(head.len).unwrap_or(usize::MAX);
    if records.len() < n {
        return Err(err(records.len(), AuditErrorKind::Deleted));
    }
    let reached = match n.checked_sub(1) {
        None => head.hash == Digest::ZERO,
        Some(last) => records.get(last).is_some_and(|r| r.hash == head.hash),
    };
    if !reached {
        return Err(err(n.saturating_sub(1), AuditErrorKind::Edited));
    }
    Ok(())
}

/// Export as JSON Lines, one canonical record per line.
pub fn to_jsonl(records: &[AuditRecord]) -> String {
    records.iter().map(|r| r.to_line() + "\n").collect()
}

/// Parse and check an export: every line must be a record in canonical form, then the chain.
pub fn verify_jsonl(text: &str) -> Result<Vec<AuditRecord>, AuditError> {
    let body = text.strip_suffix('\n').unwrap_or(text);
    if body.is_empty() {
        return Ok(Vec::new());
    }
    let mut records = Vec::new();
    for (i, line) in body.split('\n').enumerate() {
        let record: AuditRecord =
            serde_json::from_str(line).map_err(|_| err(i, AuditErrorKind::Edited))?;
        if record.to_line() != line {
            return Err(err(i, AuditErrorKind::Edited));
        }
        records.push(record);
    }
    verify_chain(&records)?;
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn chain(n: usize) -> Vec<AuditRecord> {
        let mut log = AuditLog::default();
        for i in 0..n {
            log.append(NewRecord {
                at: Timestamp::from_second(1_780_000_000 + i as i64 * 60).unwrap(),
                actor: format!("user-{}", i % 3),
                action: "application.event".into(),
                subject: format!("app-{}", i % 4),
                payload: json!({"event": {"type": "start-document-review"}, "n": i, "note": "검토 시작"}),
            });
        }
        log.records().to_vec()
    }

    #[test]
    fn an_intact_chain_verifies_and_round_trips() {
        let c = chain(5);
        assert_eq!(verify_chain(&c), Ok(()));
        assert_eq!(verify_chain_with_head(&c, &ChainHead::of(&c)), Ok(()));
        assert_eq!(verify_jsonl(&to_jsonl(&c)), Ok(c));
        assert_eq!(verify_jsonl(""), Ok(vec![]));
    }

    #[test]
    fn each_kind_of_tampering_is_named() {
        let c = chain(5);
        let mut edited = c.clone();
        edited[2].actor = "someone-else".into();
        assert_eq!(verify_chain(&edited), Err(err(2, AuditErrorKind::Edited)));
        // Edited and re-hashed: the next record's link gives it away.
        edited[2].hash = edited[2].compute_hash();
        assert_eq!(verify_chain(&edited), Err(err(3, AuditErrorKind::Edited)));
        let mut deleted = c.clone();
        deleted.remove(1);
        assert_eq!(verify_chain(&deleted), Err(err(1, AuditErrorKind::Deleted)));
        let mut swapped = c.clone();
        swapped.swap(1, 3);
        assert_eq!(
            verify_chain(&swapped),
            Err(err(1, AuditErrorKind::Reordered))
        );
        let cut = &c[..4];
        assert_eq!(
            verify_chain(cut),
            Ok(()),
            "a cut tail is consistent in itself"
        );
        assert_eq!(
            verify_chain_with_head(cut, &ChainHead::of(&c)),
            Err(err(4, AuditErrorKind::Deleted))
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn any_single_byte_edit_of_the_export_is_detected(
            n in 1usize..8, pos in any::<usize>(), byte in any::<u8>()
        ) {
            let text = to_jsonl(&chain(n));
            let mut bytes = text.clone().into_bytes();
            let pos = pos % bytes.len();
            prop_assume!(bytes[pos] != byte);
            bytes[pos] = byte;
            // An edit that breaks UTF-8 cannot even be read as an export.
            if let Ok(edited) = String::from_utf8(bytes) {
                prop_assert!(verify_jsonl(&edited).is_err(), "edit at {} undetected", pos);
            }
        }

        #[test]
        fn any_deletion_is_detected(n in 1usize..12, pick in any::<usize>()) {
            let c = chain(n);
            let head = ChainHead::of(&c);
            let i = pick % n;
            let mut d = c.clone();
            d.remove(i);
            let got = verify_chain_with_head(&d, &head);
            prop_assert_eq!(got, Err(err(i, AuditErrorKind::Deleted)));
            if i + 1 < n {
                prop_assert_eq!(verify_chain(&d), Err(err(i, AuditErrorKind::Deleted)));
            }
        }

        #[test]
        fn any_swap_is_detected(n in 2usize..12, a in any::<usize>(), b in any::<usize>()) {
            let c = chain(n);
            let (i, j) = (a % n, b % n);
            prop_assume!(i != j);
            let mut s = c.clone();
            s.swap(i, j);
            prop_assert_eq!(verify_chain(&s), Err(err(i.min(j), AuditErrorKind::Reordered)));
        }
    }
}
