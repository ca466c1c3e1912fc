//! Where a rule comes from and how sure we are of it.

use crate::{AssumptionId, Date, SourceId, Text};

/// The confidence marks of `facts.md`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Confidence {
    /// The cited source says it directly.
    Confirmed,
    /// Derived, secondary, or from a single low-authority source. Provisional.
    Inferred,
    /// Searched and not found. Values marked so are assumptions.
    Unknown,
}

impl Confidence {
    pub fn mark(self) -> &'static str {
        match self {
            Confidence::Confirmed => "C",
            Confidence::Inferred => "I",
            Confidence::Unknown => "U",
        }
    }
}

/// Source and confidence of one rule, control or figure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provenance {
    pub sources: Vec<SourceId>,
    pub confidence: Confidence,
    /// The section of `facts.md` the rule rests on (`§2`, `Pass 2 §1`).
    pub facts: String,
    /// Why the rule reads as it does where the source needs a gloss.
    pub note: Option<Text>,
}

/// One entry of the sources register.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    pub id: SourceId,
    pub url: String,
    pub title: Text,
}

/// The value an assumption takes. Closed: the engine must know how to read every kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AssumptionValue {
    Flag(bool),
    Date(Date),
    /// One of a fixed list of options (for example a tier id).
    Choice(String),
}

impl std::fmt::Display for AssumptionValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AssumptionValue::Flag(b) => write!(f, "{b}"),
            AssumptionValue::Date(d) => write!(f, "{d}"),
            AssumptionValue::Choice(c) => f.write_str(c),
        }
    }
}

/// Where the public record is silent we decide with a named assumption that the output flags and
/// the user may override (`--assume ID=VALUE`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assumption {
    pub id: AssumptionId,
    pub title: Text,
    pub default: AssumptionValue,
    /// For `Choice` assumptions, the allowed values.
    pub options: Vec<String>,
    pub provenance: Provenance,
}

/// The assumption values in force for one run: defaults, then user overrides.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AssumptionSet {
    values: Vec<(AssumptionId, AssumptionValue, bool)>,
}

impl AssumptionSet {
    pub fn from_defaults<'a>(all: impl IntoIterator<Item = &'a Assumption>) -> Self {
        Self {
            values: all
                .into_iter()
                .map(|a| (a.id.clone(), a.default.clone(), false))
                .collect(),
        }
    }

    /// Override one value. Returns false when the id is not known, so callers can report it.
    pub fn set(&mut self, id: &AssumptionId, value: AssumptionValue) -> bool {
        match self.values.iter_mut().find(|(i, _, _)| i == id) {
            Some(slot) => {
                slot.1 = value;
                slot.2 = true;
                true
            }
            None => false,
        }
    }

    pub fn get(&self, id: &AssumptionId) -> Option<&AssumptionValue> {
        self.values
            .iter()
            .find(|(i, _, _)| i == id)
            .map(|(_, v, _)| v)
    }

    /// A flag assumption; an unknown id or a non-flag value reads as `true` only if `default` says so.
    pub fn flag(&self, id: &AssumptionId, default: bool) -> bool {
        match self.get(id) {
            Some(AssumptionValue::Flag(b)) => *b,
            _ => default,
        }
    }

    pub fn date(&self, id: &AssumptionId) -> Option<Date> {
        match self.get(id) {
            Some(AssumptionValue::Date(d)) => Some(*d),
            _ => None,
        }
    }

    pub fn choice(&self, id: &AssumptionId) -> Option<&str> {
        match self.get(id) {
            Some(AssumptionValue::Choice(c)) => Some(c),
            _ => None,
        }
    }

    pub fn is_overridden(&self, id: &AssumptionId) -> bool {
        self.values.iter().any(|(i, _, o)| i == id && *o)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&AssumptionId, &AssumptionValue, bool)> {
        self.values.iter().map(|(i, v, o)| (i, v, *o))
    }
}
