//! Where data, systems and people are: ISO countries or provider regions.
//!
//! Region names are not unique across providers (AWS and Alibaba both say `ap-northeast-2`,
//! facts §8.1), so a region is always keyed by (provider, region). A region missing from the
//! table resolves to `Unknown`, never to Korea.

use std::collections::BTreeMap;
use std::fmt;

use crate::{Provenance, Text};

/// An ISO 3166-1 alpha-2 country code, upper case.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Country(String);

impl Country {
    /// Accepts two ASCII letters in either case.
    pub fn parse(s: &str) -> Option<Self> {
        (s.len() == 2 && s.bytes().all(|b| b.is_ascii_alphabetic()))
            .then(|| Country(s.to_ascii_uppercase()))
    }

    pub fn korea() -> Self {
        Country("KR".to_owned())
    }

    pub fn is_korea(&self) -> bool {
        self.0 == "KR"
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A location as a profile states it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Location {
    Country(Country),
    Region { provider: String, region: String },
}

impl Location {
    /// `KR`, `us`, or `provider:region` (`aws:ap-northeast-2`). The region part keeps its
    /// spelling; the table lookup normalises case and spaces (`Korea Central` = `koreacentral`).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if let Some((provider, region)) = s.split_once(':') {
            let provider = provider.trim().to_ascii_lowercase();
            let region = region.trim();
            if provider.is_empty() || region.is_empty() {
                return None;
            }
            return Some(Location::Region {
                provider,
                region: region.to_owned(),
            });
        }
        Country::parse(s).map(Location::Country)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Country(c) => write!(f, "{c}"),
            Location::Region { provider, region } => write!(f, "{provider}:{region}"),
        }
    }
}

/// What a location turned out to mean.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    Korea,
    Abroad(Country),
    /// A region the table does not know: reported as unknown, never assumed to be Korea.
    Unknown,
}

/// One known region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegionInfo {
    pub provider: String,
    pub region: String,
    pub country: Country,
    pub name: Text,
    /// Marks a government-only or public-sector zone, which counts as evidence of physical
    /// separation (Naver's government zone, facts §8.1).
    pub government_zone: bool,
    pub provenance: Provenance,
}

/// The region table, keyed by (provider, normalised region).
#[derive(Clone, Debug, Default)]
pub struct RegionTable {
    regions: BTreeMap<(String, String), RegionInfo>,
}

/// Lower case, spaces and underscores removed: `Korea Central` and `koreacentral` meet.
pub fn normalise_region(region: &str) -> String {
    region
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

impl RegionTable {
    pub fn insert(&mut self, info: RegionInfo) {
        let key = (
            info.provider.to_ascii_lowercase(),
            normalise_region(&info.region),
        );
        self.regions.insert(key, info);
    }

    pub fn get(&self, provider: &str, region: &str) -> Option<&RegionInfo> {
        self.regions
            .get(&(provider.to_ascii_lowercase(), normalise_region(region)))
    }

    pub fn resolve(&self, location: &Location) -> Resolved {
        let country = match location {
            Location::Country(c) => c.clone(),
            Location::Region { provider, region } => match self.get(provider, region) {
                Some(info) => info.country.clone(),
                None => return Resolved::Unknown,
            },
        };
        if country.is_korea() {
            Resolved::Korea
        } else {
            Resolved::Abroad(country)
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &RegionInfo> {
        self.regions.values()
    }

    pub fn len(&self) -> usize {
        self.regions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Confidence;

    fn table() -> RegionTable {
        let mut t = RegionTable::default();
        t.insert(RegionInfo {
            provider: "azurerm".into(),
            region: "koreacentral".into(),
            country: Country::korea(),
            name: Text::new("Korea Central", "한국 중부"),
            government_zone: false,
            provenance: Provenance {
                sources: vec![],
                confidence: Confidence::Confirmed,
                facts: "§8.1".into(),
                note: None,
            },
        });
        t
    }

    #[test]
    fn region_spellings_meet_and_unknown_is_not_korea() {
        let t = table();
        let spaced = Location::parse("azurerm:Korea Central").unwrap();
        assert_eq!(t.resolve(&spaced), Resolved::Korea);
        let other = Location::parse("aws:ap-northeast-2").unwrap();
        assert_eq!(t.resolve(&other), Resolved::Unknown);
        let jp = Location::parse("jp").unwrap();
        assert_eq!(
            t.resolve(&jp),
            Resolved::Abroad(Country::parse("JP").unwrap())
        );
    }

    #[test]
    fn malformed_locations_are_rejected() {
        assert_eq!(Location::parse("Korea"), None);
        assert_eq!(Location::parse(":x"), None);
        assert_eq!(Location::parse("aws:"), None);
    }
}
