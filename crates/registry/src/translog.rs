/*!
An append-only transparency log, hashed as Certificate Transparency does (RFC 6962 §2.1, and the
verification algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2).

- leaf hash = SHA-256(0x00 ‖ entry), node hash = SHA-256(0x01 ‖ left ‖ right); the empty tree's
  root is SHA-256 of nothing;
- an entry is the canonical JSON of a [`LogEntry`]: an issue, renewal, revocation, expiry or
  surrender, with the digest of the signed certificate it concerns;
- a signed tree head is Ed25519 over a domain tag, the tree size, the root and the timestamp;
- an inclusion proof shows an entry is in a tree of a given size; a consistency proof shows a
  larger tree extends a smaller one, so a log cannot drop or rewrite an entry (a silent revocation
  or a back-dated issue) without a signed head that contradicts an earlier one.

Entries must be appended with non-decreasing `logged_at` timestamps, and a head cannot be signed
with a timestamp earlier than the last entry.
*/

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::digest::{hex_decode, hex_encode};
use crate::lifecycle::RevocationGround;
use crate::signing::{canonical_bytes, key_id};
use crate::{CertificateNumber, Date, Digest, RegimeRef, ServiceRef};

pub fn leaf_hash(data: &[u8]) -> Digest {
    Digest::of(&[&[0u8], data])
}

pub fn node_hash(left: &Digest, right: &Digest) -> Digest {
    Digest::of(&[&[1u8], left.as_bytes(), right.as_bytes()])
}

/// The largest power of two strictly below `n` (n ≥ 2).
fn split_point(n: usize) -> usize {
    let mut k = 1;
    while k << 1 < n {
        k <<= 1;
    }
    k
}

/// MTH over leaf hashes.
fn mth(leaves: &[Digest]) -> Digest {
    match leaves {
        [] => Digest::of(&[]),
        [one] => *one,
        _ => {
            let (l, r) = leaves.split_at(split_point(leaves.len()));
            node_hash(&mth(l), &mth(r))
        }
    }
}

/// RFC 6962 PATH(m, D[n]).
fn path(m: usize, leaves: &[Digest], out: &mut Vec<Digest>) {
    if leaves.len() <= 1 {
        return;
    }
    let k = split_point(leaves.len());
    let (l, r) = leaves.split_at(k);
    if m < k {
        path(m, l, out);
        out.push(mth(r));
    } else {
        path(m - k, r, out);
        out.push(mth(l));
    }
}

/// RFC 6962 SUBPROOF(m, D[n], b).
fn subproof(m: usize, leaves: &[Digest], whole: bool, out: &mut Vec<Digest>) {
    let n = leaves.len();
    if m == n {
        if !whole {
            out.push(mth(leaves));
        }
        return;
    }
    let k = split_point(n);
    let (l, r) = leaves.split_at(k);
    if m <= k {
        subproof(m, l, whole, out);
        out.push(mth(r));
    } else {
        subproof(m - k, r, false, out);
        out.push(mth(l));
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("leaf {index} is not in a tree of size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("tree size {size} is larger than the log ({len} entries)")]
    SizeOutOfRange { size: u64, len: u64 },
    #[error("a consistency proof needs first ≤ second, got {first} and {second}")]
    BadRange { first: u64, second: u64 },
}

/// A Merkle tree over leaf hashes; it answers for every earlier size too.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MerkleTree {
    leaves: Vec<Digest>,
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

impl MerkleTree {
    pub fn new() -> Self {
        Self::default()
    }

    /// Append an entry's data; returns its index.
    pub fn push(&mut self, data: &[u8]) -> u64 {
        self.leaves.push(leaf_hash(data));
        self.len() - 1
    }

    pub fn len(&self) -> u64 {
        self.leaves.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.leaves.is_empty()
    }

    pub fn leaf(&self, index: u64) -> Option<&Digest> {
        self.leaves.get(to_usize(index))
    }

    fn prefix(&self, size: u64) -> Result<&[Digest], ProofError> {
        self.leaves
            .get(..to_usize(size))
            .ok_or(ProofError::SizeOutOfRange {
                size,
                len: self.len(),
            })
    }

    /// The root of the tree of the first `size` entries.
    pub fn root(&self, size: u64) -> Result<Digest, ProofError> {
        Ok(mth(self.prefix(size)?))
    }

    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<InclusionProof, ProofError> {
        let leaves = self.prefix(size)?;
        if index >= size {
            return Err(ProofError::IndexOutOfRange { index, size });
        }
        let mut out = Vec::new();
        path(to_usize(index), leaves, &mut out);
        Ok(InclusionProof {
            index,
            tree_size: size,
            path: out,
        })
    }

    pub fn consistency_proof(
        &self,
        first: u64,
        second: u64,
    ) -> Result<ConsistencyProof, ProofError> {
        let leaves = self.prefix(second)?;
        if first > second {
            return Err(ProofError::BadRange { first, second });
        }
        let mut out = Vec::new();
        if first > 0 && first < second {
            subproof(to_usize(first), leaves, true, &mut out);
        }
        Ok(ConsistencyProof {
            first,
            second,
            path: out,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionProof {
    pub index: u64,
    pub tree_size: u64,
    pub path: Vec<Digest>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsistencyProof {
    pub first: u64,
    pub second: u64,
    pub path: Vec<Digest>,
}

/// RFC 9162 §2.1.3.2: does `leaf` sit at `proof.index` in the tree with `root`?
pub fn verify_inclusion(leaf: &Digest, proof: &InclusionProof, root: &Digest) -> bool {
    if proof.index >= proof.tree_size {
        return false;
    }
    let (mut f, mut s) = (proof.index, proof.tree_size - 1);
    let mut r = *leaf;
    for p in &proof.path {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && &r == root
}

/// RFC 9162 §2.1.4.2: is the tree with `second_root` an append-only extension of the one with
/// `first_root`?
pub fn verify_consistency(
    proof: &ConsistencyProof,
    first_root: &Digest,
    second_root: &Digest,
) -> bool {
    let (m, n) = (proof.first, proof.second);
    if m > n {
        return false;
    }
    if m == n {
        return proof.path.is_empty() && first_root == second_root;
    }
    if m == 0 {
        // Every tree extends the empty one.
        return proof.path.is_empty();
    }
    let mut path: Vec<Digest> = Vec::with_capacity(proof.path.len() + 1);
    if m.is_power_of_two() {
        path.push(*first_root);
    }
    path.extend(proof.path.iter().copied());
    let Some((head, rest)) = path.split_first() else {
        return false;
    };
    let (mut f, mut s) = (m - 1, n - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (*head, *head);
    for c in rest {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    &fr == first_root && &sr == second_root && s == 0
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
/// What happened to a certificate. Every way a certificate starts or ends is logged, so a
/// relying party can tell from the log alone whether it still stands: a certificate the provider
/// gave up (`surrender`) ends as visibly as a revoked or expired one.
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    Issue,
    Renewal,
    Revocation,
    Expiry,
    Surrender,
}

/// One logged event about a certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogEntry {
    pub kind: EntryKind,
    pub certificate: CertificateNumber,
    pub service: ServiceRef,
    pub regime: RegimeRef,
    /// The day the event takes effect (issue date, revocation date, …).
    pub effective: Date,
    /// When the log accepted it.
    pub logged_at: Timestamp,
    /// SHA-256 of the signed certificate document this entry concerns.
    pub document: Digest,
    /// For a renewal: the certificate renewed.
    pub renews: Option<CertificateNumber>,
    /// For a revocation: the statutory ground.
    pub ground: Option<RevocationGround>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LogError {
    #[error("entry logged at {at} is earlier than the last entry, logged at {last}")]
    BackDated { at: Timestamp, last: Timestamp },
    #[error(transparent)]
    Proof(#[from] ProofError),
    #[error("entry could not be encoded: {0}")]
    Encoding(String),
}

/// The tree head: size, root and time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TreeHead {
    pub tree_size: u64,
    pub root_hash: Digest,
    pub timestamp: Timestamp,
}

impl TreeHead {
    fn message(&self) -> Vec<u8> {
        let mut m = b"kcvs-tree-head-v1\0".to_vec();
        m.extend(self.tree_size.to_be_bytes());
        m.extend(self.root_hash.as_bytes());
        m.extend(self.timestamp.as_nanosecond().to_be_bytes());
        m
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedTreeHead {
    pub head: TreeHead,
    pub key_id: String,
    /// 64 bytes, lowercase hex.
    pub signature: String,
}

pub fn sign_tree_head(head: TreeHead, key: &SigningKey) -> SignedTreeHead {
    let sig = key.sign(&head.message());
    SignedTreeHead {
        key_id: key_id(&key.verifying_key()),
        signature: hex_encode(&sig.to_bytes()),
        head,
    }
}

pub fn verify_tree_head(sth: &SignedTreeHead, key: &VerifyingKey) -> bool {
    let Some(bytes) = hex_decode(&sth.signature) else {
        return false;
    };
    let Ok(arr) = <[u8; 64]>::try_from(bytes.as_slice()) else {
        return false;
    };
    sth.key_id == key_id(key)
        && key
            .verify(&sth.head.message(), &Signature::from_bytes(&arr))
            .is_ok()
}

/// The log: entries and their tree. The storage layer persists entries; the tree is rebuilt
/// from them (leaf hashes are a pure function of the entries).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TransparencyLog {
    entries: Vec<LogEntry>,
    tree: MerkleTree,
}

impl TransparencyLog {
    pub fn new() -> Self {
        Self::default()
    }

    /// Rebuild from stored entries, checking their order.
    pub fn from_entries(entries: Vec<LogEntry>) -> Result<Self, LogError> {
        let mut log = Self::new();
        for e in entries {
            log.append(e)?;
        }
        Ok(log)
    }

    pub fn entry_data(entry: &LogEntry) -> Result<Vec<u8>, LogError> {
        canonical_bytes(entry).map_err(|e| LogError::Encoding(e.to_string()))
    }

    /// Append an entry; returns its index.
    pub fn append(&mut self, entry: LogEntry) -> Result<u64, LogError> {
        if let Some(last) = self.entries.last()
            && entry.logged_at < last.logged_at
        {
            return Err(LogError::BackDated {
                at: entry.logged_at,
                last: last.logged_at,
            });
        }
        let index = self.tree.push(&Self::entry_data(&entry)?);
        self.entries.push(entry);
        Ok(index)
    }

    pub fn entries(&self) -> &[LogEntry] {
        &self.entries
    }

    pub fn tree(&self) -> &MerkleTree {
        &self.tree
    }

    pub fn len(&self) -> u64 {
        self.tree.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tree.is_empty()
    }

    /// The current head, signed. `timestamp` comes from the caller (no clock here) and may not be
    /// earlier than the last entry.
    pub fn sign_head(
        &self,
        timestamp: Timestamp,
        key: &SigningKey,
    ) -> Result<SignedTreeHead, LogError> {
        if let Some(last) = self.entries.last()
            && timestamp < last.logged_at
        {
            return Err(LogError::BackDated {
                at: timestamp,
                last: last.logged_at,
            });
        }
        Ok(sign_tree_head(
            TreeHead {
                tree_size: self.len(),
                root_hash: self.tree.root(self.len())?,
                timestamp,
            },
            key,
        ))
    }

    /// Prove entry `index` is in the tree of a signed head.
    pub fn prove_inclusion(&self, index: u64, head: &TreeHead) -> Result<InclusionProof, LogError> {
        Ok(self.tree.inclusion_proof(index, head.tree_size)?)
    }

    pub fn prove_consistency(
        &self,
        older: &TreeHead,
        newer: &TreeHead,
    ) -> Result<ConsistencyProof, LogError> {
        Ok(self
            .tree
            .consistency_proof(older.tree_size, newer.tree_size)?)
    }
}

/// Check, against a signed head, that an entry is in the log: the head's signature, then the
/// entry's inclusion at the proof's index.
pub fn verify_entry(
    entry: &LogEntry,
    proof: &InclusionProof,
    sth: &SignedTreeHead,
    key: &VerifyingKey,
) -> bool {
    let Ok(data) = TransparencyLog::entry_data(entry) else {
        return false;
    };
    verify_tree_head(sth, key)
        && proof.tree_size == sth.head.tree_size
        && verify_inclusion(&leaf_hash(&data), proof, &sth.head.root_hash)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tree(n: u64) -> MerkleTree {
        let mut t = MerkleTree::new();
        for i in 0..n {
            t.push(format!("entry {i}").as_bytes());
        }
        t
    }

    #[test]
    fn known_roots() {
        // The empty root is SHA-256 of nothing; one leaf's root is its leaf hash.
        assert_eq!(
            tree(0).root(0).unwrap().to_hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let t = tree(3);
        let l: Vec<Digest> = (0..3).map(|i| *t.leaf(i).unwrap()).collect();
        assert_eq!(t.root(1).unwrap(), l[0]);
        assert_eq!(
            t.root(3).unwrap(),
            node_hash(&node_hash(&l[0], &l[1]), &l[2])
        );
    }

    /// Flip one bit of one digest in a path.
    fn tamper(path: &mut [Digest], which: usize, bit: u8) {
        if let Some(d) = path.get_mut(which % path.len().max(1)) {
            d.0[usize::from(bit / 8) % 32] ^= 1 << (bit % 8);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]

        #[test]
        fn every_inclusion_proof_verifies_and_a_tampered_one_does_not(
            n in 1u64..130, which in any::<usize>(), bit in any::<u8>(), seed in any::<u64>()
        ) {
            let t = tree(n);
            let root = t.root(n).unwrap();
            for i in 0..n {
                let leaf = *t.leaf(i).unwrap();
                let proof = t.inclusion_proof(i, n).unwrap();
                prop_assert!(verify_inclusion(&leaf, &proof, &root), "leaf {} of {}", i, n);
                // Wrong leaf, wrong index, wrong root.
                prop_assert!(!verify_inclusion(&leaf_hash(b"forged"), &proof, &root));
                let other = (i + 1 + seed % n) % n;
                if other != i {
                    let moved = InclusionProof { index: other, ..proof.clone() };
                    prop_assert!(!verify_inclusion(&leaf, &moved, &root));
                }
                prop_assert!(!verify_inclusion(&leaf, &proof, &leaf_hash(b"root")));
                if !proof.path.is_empty() {
                    let mut bad = proof.clone();
                    tamper(&mut bad.path, which, bit);
                    prop_assert!(!verify_inclusion(&leaf, &bad, &root));
                    let mut short = proof.clone();
                    short.path.pop();
                    prop_assert!(!verify_inclusion(&leaf, &short, &root));
                }
                let mut long = proof.clone();
                long.path.push(leaf);
                prop_assert!(!verify_inclusion(&leaf, &long, &root));
            }
        }

        #[test]
        fn consistency_proofs_between_any_sizes_verify(
            n in 1u64..130, which in any::<usize>(), bit in any::<u8>()
        ) {
            let t = tree(n);
            let new_root = t.root(n).unwrap();
            for m in 0..=n {
                let old_root = t.root(m).unwrap();
                let proof = t.consistency_proof(m, n).unwrap();
                prop_assert!(verify_consistency(&proof, &old_root, &new_root), "{} -> {}", m, n);
                if m > 0 && m < n {
                    let mut bad = proof.clone();
                    tamper(&mut bad.path, which, bit);
                    prop_assert!(!verify_consistency(&bad, &old_root, &new_root));
                    prop_assert!(!verify_consistency(&proof, &leaf_hash(b"x"), &new_root));
                    prop_assert!(!verify_consistency(&proof, &old_root, &leaf_hash(b"x")));
                }
            }
        }

        #[test]
        fn a_rewritten_entry_breaks_consistency(n in 2u64..100, pick in any::<u64>()) {
            let t = tree(n);
            let m = 1 + pick % (n - 1);
            let old_root = t.root(m).unwrap();
            // Rewrite one of the first m entries, then extend: no proof can join the two.
            let mut forged = MerkleTree::new();
            for i in 0..n {
                let text = if i == pick % m { "rewritten".to_owned() } else { format!("entry {i}") };
                forged.push(text.as_bytes());
            }
            let proof = forged.consistency_proof(m, n).unwrap();
            prop_assert!(!verify_consistency(&proof, &old_root, &forged.root(n).unwrap()));
        }
    }

    fn entry(kind: EntryKind, at: &str) -> LogEntry {
        LogEntry {
            kind,
            certificate: "CSAP-2026-042".into(),
            service: "acme-cloud".into(),
            regime: "csap-2023".into(),
            effective: "2026-06-01".parse().unwrap(),
            logged_at: at.parse().unwrap(),
            document: Digest::of(&[b"signed certificate"]),
            renews: None,
            ground: (kind == EntryKind::Revocation).then_some(RevocationGround::Fraud),
        }
    }

    #[test]
    fn signed_heads_prove_issue_and_revocation() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let vk = key.verifying_key();
        let mut log = TransparencyLog::new();
        let issued = entry(EntryKind::Issue, "2026-06-01T09:00:00Z");
        log.append(issued.clone()).unwrap();
        let sth1 = log
            .sign_head("2026-06-01T10:00:00Z".parse().unwrap(), &key)
            .unwrap();
        log.append(entry(EntryKind::Renewal, "2026-07-01T09:00:00Z"))
            .unwrap();
        let revoked = entry(EntryKind::Revocation, "2027-03-01T09:00:00Z");
        let i = log.append(revoked.clone()).unwrap();
        let sth2 = log
            .sign_head("2027-03-01T10:00:00Z".parse().unwrap(), &key)
            .unwrap();
        assert!(verify_tree_head(&sth1, &vk) && verify_tree_head(&sth2, &vk));
        let proof = log.prove_inclusion(i, &sth2.head).unwrap();
        assert!(verify_entry(&revoked, &proof, &sth2, &vk));
        assert!(!verify_entry(&issued, &proof, &sth2, &vk));
        let c = log.prove_consistency(&sth1.head, &sth2.head).unwrap();
        assert!(verify_consistency(
            &c,
            &sth1.head.root_hash,
            &sth2.head.root_hash
        ));
        // A head whose fields were edited no longer verifies.
        let mut edited = sth2.clone();
        edited.head.tree_size = 2;
        assert!(!verify_tree_head(&edited, &vk));
        let mut later = sth2.clone();
        later.head.timestamp = "2027-03-01T10:00:00.000000001Z".parse().unwrap();
        assert!(!verify_tree_head(&later, &vk));
        // Back-dating is refused, for entries and for heads.
        let err = log
            .append(entry(EntryKind::Expiry, "2027-01-01T00:00:00Z"))
            .unwrap_err();
        assert!(matches!(err, LogError::BackDated { .. }));
        assert!(
            log.sign_head("2027-01-01T00:00:00Z".parse().unwrap(), &key)
                .is_err()
        );
        // Entries are a published format and rebuild the same tree.
        let json = serde_json::to_string(log.entries()).unwrap();
        let back = TransparencyLog::from_entries(serde_json::from_str(&json).unwrap()).unwrap();
        assert_eq!(back.tree().root(3).unwrap(), sth2.head.root_hash);
    }
}
