//! Everything loaded for one run: the built-in packs plus any user packs, resolved and checked.

use crate::{
    Assumption, Catalog, CatalogId, Crosswalk, KcmvpBaseline, Regime, RegimeId, RegimeKind,
    RegionTable, Scheme, SchemeId, Source, SourceId,
};

#[derive(Clone, Debug)]
pub struct RuleSet {
    pub regimes: Vec<Regime>,
    pub schemes: Vec<Scheme>,
    pub assumptions: Vec<Assumption>,
    pub sources: Vec<Source>,
    pub regions: RegionTable,
    pub catalogs: Vec<Catalog>,
    pub crosswalks: Vec<Crosswalk>,
    pub kcmvp: KcmvpBaseline,
}

impl RuleSet {
    pub fn regime(&self, id: &RegimeId) -> Option<&Regime> {
        self.regimes.iter().find(|r| &r.id == id)
    }

    pub fn scheme(&self, id: &SchemeId) -> Option<&Scheme> {
        self.schemes.iter().find(|s| &s.id == id)
    }

    pub fn catalog(&self, id: &CatalogId) -> Option<&Catalog> {
        self.catalogs.iter().find(|c| &c.id == id)
    }

    pub fn source(&self, id: &SourceId) -> Option<&Source> {
        self.sources.iter().find(|s| &s.id == id)
    }

    /// Regimes that grade systems (schemes and grading-only regimes such as N2SF).
    pub fn schemes_regimes(&self) -> impl Iterator<Item = &Regime> {
        self.regimes
            .iter()
            .filter(|r| matches!(r.kind, RegimeKind::Scheme | RegimeKind::Grading))
    }

    pub fn overlays(&self) -> impl Iterator<Item = &Regime> {
        self.regimes
            .iter()
            .filter(|r| r.kind == RegimeKind::Overlay)
    }

    pub fn amendments(&self) -> impl Iterator<Item = &Regime> {
        self.regimes
            .iter()
            .filter(|r| r.kind == RegimeKind::Amendment)
    }
}
