/*!
Where a resource is, following Terraform: the resource's own attribute first (`region`,
`location`, or a zone within the provider's region), else the provider configuration it uses
(an aliased configuration passed into a module included). The value is then looked up in the
region table by (provider, region); a zone not in the table is tried as its region
(`ap-northeast-2d` → `ap-northeast-2`). A region not in the table is unknown, never Korea.
*/

use kcvs_model::RegionTable;

use crate::resource::{Interner, Name, Placement, RegionSource, Residency, Resource};

/// A provider configuration's region expression, as far as the plan tells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegionExpr {
    Known(String),
    /// A root variable with a value in the plan's `variables`: (value, reference).
    FromVariable(String, String),
    /// A reference the plan does not evaluate: (reference, module).
    Reference(String, String),
    /// A constant that is not a string.
    Other(String),
    /// The configuration exists but sets no region (the environment decides).
    NotSet,
    /// No configuration block at all (the environment decides).
    NoConfig,
}

/// The provider configuration a resource uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderRegion {
    pub key: String,
    pub region: RegionExpr,
    /// `site` (Naver Cloud: `public`, `gov`, `fin`).
    pub site: Option<String>,
}

impl ProviderRegion {
    pub fn none() -> Self {
        Self {
            key: String::new(),
            region: RegionExpr::NoConfig,
            site: None,
        }
    }
}

/// How a resource attribute places it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum AttrKind {
    /// Names the region outright; replaces the provider's.
    Region,
    /// A zone inside the provider's region; if unknown, the provider's region still holds.
    Zone,
}

/// The attributes that place a resource, by provider, in order of preference.
fn placement_attrs(provider: &str) -> &'static [(&'static str, AttrKind)] {
    use AttrKind::{Region, Zone};
    match provider {
        // `region` (provider v6 per-resource override, or S3's computed region) defaults to the
        // provider's, so an unknown value still leaves the provider's region.
        "aws" => &[("availability_zone", Zone), ("region", Zone)],
        "azurerm" | "azuread" => &[("location", Region)],
        "google" | "google-beta" => &[("zone", Zone), ("region", Zone), ("location", Region)],
        "alicloud" => &[("availability_zone", Zone), ("zone_id", Zone)],
        "oci" => &[("availability_domain", Zone), ("region", Region)],
        "ncloud" => &[("zone", Zone), ("region", Region)],
        "nhncloud" | "openstack" => &[("availability_zone", Zone), ("region", Region)],
        "ktcloud" => &[("zone", Region), ("zone_name", Region), ("region", Region)],
        _ => &[("region", Region), ("location", Region), ("zone", Zone)],
    }
}

/// The table key for a provider: Naver Cloud's government site is its own provider key.
pub fn provider_key(provider: &str, site: Option<&str>) -> String {
    match (provider, site) {
        ("ncloud", Some(s)) if s.eq_ignore_ascii_case("gov") => "ncloud-gov".to_owned(),
        ("google-beta", _) => "google".to_owned(),
        _ => provider.to_owned(),
    }
}

/// Where the plan says a resource is, before the table is consulted. `key` is the table's
/// provider key ([`provider_key`]); `names` hands out the strings.
pub(crate) fn claim_placement(
    r: &Resource,
    provider: &ProviderRegion,
    key: Name,
    names: &mut Interner,
) -> Placement {
    for &(attr, kind) in placement_attrs(&r.provider) {
        match r.attributes.get(attr) {
            Some(serde_json::Value::String(s)) if !s.is_empty() => {
                return Placement {
                    provider_key: key,
                    region: Some(names.get(s)),
                    source: RegionSource::Attribute(names.get(attr)),
                    ..Placement::default()
                };
            }
            _ if kind == AttrKind::Region && r.is_unknown(&[attr]) => {
                return unknown_placement(
                    key,
                    RegionSource::Attribute(names.get(attr)),
                    true,
                    format!("`{attr}` is known only after apply"),
                    format!("`{attr}` 값은 적용(apply) 후에야 알 수 있습니다"),
                );
            }
            _ => {}
        }
    }
    let source = RegionSource::Provider(names.get(&provider.key));
    match &provider.region {
        RegionExpr::Known(s) | RegionExpr::FromVariable(s, _) => Placement {
            provider_key: key,
            region: Some(names.get(s)),
            source,
            ..Placement::default()
        },
        RegionExpr::Reference(reference, module) => {
            let at = if module.is_empty() {
                "the root module".to_owned()
            } else {
                format!("`{module}`")
            };
            unknown_placement(
                key,
                source,
                false,
                format!("the provider's region is `{reference}` in {at}, which the plan does not evaluate"),
                format!("프로바이더 리전이 {at}의 `{reference}`이며, 플랜에 그 값이 없습니다"),
            )
        }
        RegionExpr::Other(v) => unknown_placement(
            key,
            source,
            false,
            format!("the provider's region is not a string: {v}"),
            format!("프로바이더 리전이 문자열이 아닙니다: {v}"),
        ),
        RegionExpr::NotSet | RegionExpr::NoConfig => unknown_placement(
            key,
            RegionSource::None,
            false,
            "neither the resource nor its provider configuration names a region (the environment, e.g. AWS_REGION, decides)".to_owned(),
            "리소스와 프로바이더 설정 어디에도 리전이 없습니다(AWS_REGION 같은 환경 변수가 정합니다)".to_owned(),
        ),
    }
}

fn unknown_placement(
    key: Name,
    source: RegionSource,
    after_apply: bool,
    en: String,
    ko: String,
) -> Placement {
    Placement {
        provider_key: key,
        region: None,
        source,
        after_apply,
        unknown_because: Some(Box::new((en, ko))),
        ..Placement::default()
    }
}

/// Look the claimed region up in the table and fill in residency and government zone.
pub fn resolve(p: &mut Placement, table: &RegionTable) {
    p.resolved = true;
    let Some(region) = p.region.clone() else {
        p.residency = Residency::Unknown;
        return;
    };
    let candidates = [
        Some(region.to_string()),
        zone_region(&p.provider_key, &region),
    ];
    for c in candidates.into_iter().flatten() {
        if let Some(info) = table.get(&p.provider_key, &c) {
            p.matched = Some(Name::from(info.region.as_str()));
            p.government_zone = info.government_zone;
            p.residency = if info.country.is_korea() {
                Residency::Korea
            } else {
                Residency::Abroad(Name::from(info.country.as_str()))
            };
            p.unknown_because = None;
            return;
        }
    }
    p.residency = Residency::Unknown;
    p.unknown_because = Some(Box::new((
        format!(
            "region `{region}` of provider `{}` is not in the region table, so kcvs cannot place it",
            p.provider_key
        ),
        format!(
            "프로바이더 `{}`의 리전 `{region}`이(가) 리전 표에 없어 위치를 알 수 없습니다",
            p.provider_key
        ),
    )));
}

/// Fill in residency for every resource.
pub fn resolve_all(resources: &mut [Resource], table: &RegionTable) {
    // Most resources share a handful of (provider, region) pairs: resolve each pair once.
    let mut seen: std::collections::HashMap<(Name, Name), Placement, crate::checks::FnvBuild> =
        std::collections::HashMap::with_hasher(crate::checks::FnvBuild);
    for r in resources {
        let p = &mut r.placement;
        let Some(region) = &p.region else {
            resolve(p, table);
            continue;
        };
        let key = (p.provider_key.clone(), region.clone());
        match seen.get(&key) {
            Some(done) => {
                p.matched.clone_from(&done.matched);
                p.government_zone = done.government_zone;
                p.residency = done.residency.clone();
                p.unknown_because.clone_from(&done.unknown_because);
                p.resolved = true;
            }
            None => {
                resolve(p, table);
                seen.insert(key, p.clone());
            }
        }
    }
}

/// The region a zone belongs to, by each provider's naming.
pub fn zone_region(provider: &str, zone: &str) -> Option<String> {
    let z = zone.trim();
    match provider {
        // ap-northeast-2d → ap-northeast-2 (AWS, Alibaba)
        "aws" | "alicloud" => {
            let mut chars = z.chars().rev();
            let last = chars.next()?;
            let before = chars.next()?;
            (last.is_ascii_lowercase() && before.is_ascii_digit())
                .then(|| z.get(..z.len() - 1).unwrap_or(z).to_owned())
        }
        // asia-northeast3-a → asia-northeast3
        "google" => {
            let (region, suffix) = z.rsplit_once('-')?;
            (suffix.len() == 1 && region.ends_with(|c: char| c.is_ascii_digit()))
                .then(|| region.to_owned())
        }
        // Uocm:AP-SEOUL-1-AD-1 → ap-seoul-1
        "oci" => {
            let ad = z.rsplit(':').next().unwrap_or(z).to_ascii_lowercase();
            let i = ad.find("-ad-")?;
            ad.get(..i).map(str::to_owned)
        }
        // KR-1 → KR (Naver, public and government sites)
        "ncloud" | "ncloud-gov" => {
            let (region, n) = z.rsplit_once('-')?;
            n.chars()
                .all(|c| c.is_ascii_digit())
                .then(|| region.to_owned())
        }
        // kr-pub-a → KR1, kr2-pub-a → KR2 (NHN Cloud)
        "nhncloud" => {
            let first = z.split('-').next()?.to_ascii_uppercase();
            if first == "KR" {
                Some("KR1".to_owned())
            } else {
                Some(first)
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_fold_to_regions() {
        assert_eq!(
            zone_region("aws", "ap-northeast-2d").as_deref(),
            Some("ap-northeast-2")
        );
        assert_eq!(zone_region("aws", "ap-northeast-2"), None);
        assert_eq!(
            zone_region("google", "asia-northeast3-a").as_deref(),
            Some("asia-northeast3")
        );
        assert_eq!(
            zone_region("oci", "Uocm:AP-SEOUL-1-AD-1").as_deref(),
            Some("ap-seoul-1")
        );
        assert_eq!(zone_region("ncloud-gov", "KR-1").as_deref(), Some("KR"));
        assert_eq!(zone_region("nhncloud", "kr-pub-a").as_deref(), Some("KR1"));
        assert_eq!(zone_region("nhncloud", "kr2-pub-b").as_deref(), Some("KR2"));
    }

    #[test]
    fn naver_government_site_has_its_own_key() {
        assert_eq!(provider_key("ncloud", Some("gov")), "ncloud-gov");
        assert_eq!(provider_key("ncloud", Some("public")), "ncloud");
    }
}
