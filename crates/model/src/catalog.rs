//! Control catalogs and crosswalks between them.
//!
//! Official control texts are mostly unpublished (facts §1.4): a catalog entry carries our
//! paraphrase only where a source was readable, and `text_public: false` where it was not, so a
//! report never shows invented wording.

use std::collections::BTreeMap;

use crate::{CatalogId, ControlId, Provenance, Text};

/// The level of an entry in a catalog tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EntryKind {
    /// A top-level division: a CSAP domain, an N2SF area, an ISMS-P part, an ISO theme.
    Area,
    /// A CSAP sub-area, an N2SF family, an ISMS-P area.
    Group,
    /// One control.
    Control,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Area => "area",
            EntryKind::Group => "group",
            EntryKind::Control => "control",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogEntry {
    pub id: ControlId,
    pub parent: Option<ControlId>,
    pub kind: EntryKind,
    pub title: Text,
    /// Our paraphrase of what the control asks, where a source was readable.
    pub summary: Option<Text>,
    /// Control counts under this entry, keyed by service type (`iaas`) or `all`.
    pub counts: BTreeMap<String, u32>,
    /// Tiers or grades the entry applies to; empty means all.
    pub tiers: Vec<String>,
    /// Whether the official wording is public; when false, only our summary (if any) is shown.
    pub text_public: bool,
    pub provenance: Provenance,
}

impl CatalogEntry {
    pub fn applies_to_tier(&self, tier: &str) -> bool {
        self.tiers.is_empty() || self.tiers.iter().any(|t| t == tier)
    }
}

/// A published total (the press totals of facts §1.3), kept apart from what the entries add up
/// to, so a test can show where the two agree and a report can show where they do not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogTotal {
    pub key: String,
    pub controls: u32,
    pub areas: Option<u32>,
    pub provenance: Provenance,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Catalog {
    pub id: CatalogId,
    pub name: Text,
    pub version: String,
    pub description: Text,
    pub entries: Vec<CatalogEntry>,
    pub totals: Vec<CatalogTotal>,
    pub provenance: Provenance,
}

impl Catalog {
    pub fn entry(&self, id: &ControlId) -> Option<&CatalogEntry> {
        self.entries.iter().find(|e| &e.id == id)
    }

    pub fn children<'a>(&'a self, id: &'a ControlId) -> impl Iterator<Item = &'a CatalogEntry> {
        self.entries
            .iter()
            .filter(move |e| e.parent.as_ref() == Some(id))
    }

    pub fn areas(&self) -> impl Iterator<Item = &CatalogEntry> {
        self.entries.iter().filter(|e| e.kind == EntryKind::Area)
    }

    /// The chain from an entry up to its area, the entry first.
    pub fn ancestry<'a>(&'a self, id: &ControlId) -> Vec<&'a CatalogEntry> {
        let mut chain = Vec::new();
        let mut next = self.entry(id);
        while let Some(e) = next {
            if chain.len() > self.entries.len() {
                break; // a cycle; the loader rejects these, this only keeps the walk finite
            }
            chain.push(e);
            next = e.parent.as_ref().and_then(|p| self.entry(p));
        }
        chain
    }
}

/// How the controls of one side relate to the other, read as "from is … of to".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Relation {
    /// Same scope.
    Equal,
    /// Everything `from` asks is inside `to`: holding `to` covers `from`.
    Subset,
    /// `from` asks more than `to`: holding `to` covers part.
    Superset,
    /// They overlap: holding `to` covers part.
    Intersect,
}

impl Relation {
    pub const ALL: &'static [Relation] = &[
        Relation::Equal,
        Relation::Subset,
        Relation::Superset,
        Relation::Intersect,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Equal => "equal",
            Relation::Subset => "subset",
            Relation::Superset => "superset",
            Relation::Intersect => "intersect",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|r| r.as_str() == s)
    }

    /// Does holding the `to` side cover all of the `from` side?
    pub fn covers_fully(self) -> bool {
        matches!(self, Relation::Equal | Relation::Subset)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrosswalkEntry {
    pub from: ControlId,
    pub to: Vec<ControlId>,
    pub relation: Relation,
    pub rationale: Text,
    pub provenance: Provenance,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Crosswalk {
    pub id: String,
    pub from: CatalogId,
    pub to: CatalogId,
    pub entries: Vec<CrosswalkEntry>,
    pub provenance: Provenance,
}
