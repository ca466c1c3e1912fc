//! The normalised resource every check reads, whatever file it came from.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, LazyLock};

use serde_json::{Map, Value, json};

/// A shared, immutable string: type names, provider names, module addresses, regions and
/// attribute names repeat across thousands of resources, and a plan reader hands out one copy
/// of each. Reads like a `&str` (`as_str`, `==` with `&str` and `String`, `Deref`, `Display`).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name(Arc<str>);

static EMPTY: LazyLock<Name> = LazyLock::new(|| Name(Arc::from("")));

impl Name {
    pub fn new(s: &str) -> Self {
        if s.is_empty() {
            return Self::default();
        }
        Self(Arc::from(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for Name {
    fn default() -> Self {
        EMPTY.clone()
    }
}

impl Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Name {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl From<&str> for Name {
    fn from(s: &str) -> Self {
        Self::new(s)
    }
}

impl From<String> for Name {
    fn from(s: String) -> Self {
        Self::new(&s)
    }
}

impl From<&String> for Name {
    fn from(s: &String) -> Self {
        Self::new(s)
    }
}

impl From<Name> for String {
    fn from(n: Name) -> Self {
        n.0.as_ref().to_owned()
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, o: &str) -> bool {
        &*self.0 == o
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, o: &&str) -> bool {
        &*self.0 == *o
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, o: &String) -> bool {
        *self.0 == **o
    }
}

impl PartialEq<Name> for str {
    fn eq(&self, o: &Name) -> bool {
        self == &*o.0
    }
}

impl PartialEq<Name> for &str {
    fn eq(&self, o: &Name) -> bool {
        *self == &*o.0
    }
}

impl PartialEq<Name> for String {
    fn eq(&self, o: &Name) -> bool {
        **self == *o.0
    }
}

impl serde::Serialize for Name {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// Hands out one [`Name`] per distinct string.
#[derive(Default)]
pub(crate) struct Interner {
    set: std::collections::HashSet<Name, crate::checks::FnvBuild>,
}

impl Interner {
    pub(crate) fn get(&mut self, s: &str) -> Name {
        if let Some(n) = self.set.get(s) {
            return n.clone();
        }
        let n = Name::new(s);
        self.set.insert(n.clone());
        n
    }
}

/// Managed resource or data source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    Managed,
    Data,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Managed => "managed",
            Mode::Data => "data",
        }
    }
}

/// What the plan does to a resource. Inventory rows are [`Action::Existing`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    Create,
    Update,
    /// Destroy and create again (in either order).
    Replace,
    Delete,
    NoOp,
    Read,
    /// Found in an inventory export or only in the prior state: exists, nothing planned.
    Existing,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Replace => "replace",
            Action::Delete => "delete",
            Action::NoOp => "no-op",
            Action::Read => "read",
            Action::Existing => "existing",
        }
    }

    /// Terraform's `actions` list, as in `resource_changes[].change.actions`.
    pub fn from_actions(actions: &[String]) -> Self {
        let has = |a: &str| actions.iter().any(|x| x == a);
        match (has("create"), has("delete")) {
            (true, true) => Action::Replace,
            (true, false) => Action::Create,
            (false, true) => Action::Delete,
            _ if has("update") => Action::Update,
            _ if has("read") => Action::Read,
            _ => Action::NoOp,
        }
    }

    /// Whether the resource exists once the plan is applied.
    pub fn present_after(self) -> bool {
        self != Action::Delete
    }
}

/// A `count` or `for_each` key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum IndexKey {
    Int(i64),
    Str(String),
}

impl IndexKey {
    pub fn to_json(&self) -> Value {
        match self {
            IndexKey::Int(i) => json!(i),
            IndexKey::Str(s) => json!(s),
        }
    }
}

/// Where a resource was read: file, and (for plans, once located) line and column of its
/// address, both 1-based.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SourceLoc {
    pub file: Arc<str>,
    pub line: Option<u64>,
    pub column: Option<u64>,
}

/// Where the region of a resource came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegionSource {
    /// The resource's own attribute (`region`, `location`, `availability_zone`, `zone`, …).
    Attribute(Name),
    /// The provider configuration the resource uses, by its key in `configuration.provider_config`
    /// (or the local name in the module, when the configuration block is absent).
    Provider(Name),
    /// The `region` column of an inventory row.
    Inventory,
    /// Nowhere: see [`Placement::unknown_because`].
    None,
}

impl RegionSource {
    pub fn describe(&self) -> String {
        let mut out = String::new();
        self.describe_into(&mut out, kcvs_model::Lang::En);
        out
    }

    pub fn describe_ko(&self) -> String {
        let mut out = String::new();
        self.describe_into(&mut out, kcvs_model::Lang::Ko);
        out
    }

    /// [`RegionSource::describe`] or [`RegionSource::describe_ko`] appended to `out`, without
    /// a `String` of its own (it is written into the reason of every failing result).
    pub fn describe_into(&self, out: &mut String, lang: kcvs_model::Lang) {
        let en = lang == kcvs_model::Lang::En;
        let (label, name) = match self {
            RegionSource::Attribute(a) => (if en { "attribute `" } else { "속성 `" }, Some(a)),
            RegionSource::Provider(k) => (
                if en {
                    "provider configuration `"
                } else {
                    "프로바이더 설정 `"
                },
                Some(k),
            ),
            RegionSource::Inventory => (
                if en {
                    "inventory row"
                } else {
                    "인벤토리 행"
                },
                None,
            ),
            RegionSource::None => (if en { "nowhere" } else { "없음" }, None),
        };
        out.push_str(label);
        if let Some(name) = name {
            out.push_str(name);
            out.push('`');
        }
    }
}

/// What the region turned out to mean, through the region table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Residency {
    Korea,
    /// A table entry placed it in another country.
    Abroad(Name),
    /// A region the table does not know, or no region at all: never Korea.
    Unknown,
}

/// Where a resource is, as far as the input tells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    /// The key the region table was asked with (`aws`, `ncloud-gov`, …).
    pub provider_key: Name,
    /// The region or zone as written.
    pub region: Option<Name>,
    /// The table's region the value matched (`ap-northeast-2` for zone `ap-northeast-2d`).
    pub matched: Option<Name>,
    pub source: RegionSource,
    pub residency: Residency,
    pub government_zone: bool,
    /// Why the region could not be told, when it could not: in English and Korean.
    pub unknown_because: Option<Box<(String, String)>>,
    /// True when the value is known only after apply.
    pub after_apply: bool,
    /// Whether the region table has been consulted ([`crate::resolve`]).
    pub resolved: bool,
}

impl Default for Placement {
    fn default() -> Self {
        Self {
            provider_key: Name::default(),
            region: None,
            matched: None,
            source: RegionSource::None,
            residency: Residency::Unknown,
            government_zone: false,
            unknown_because: None,
            after_apply: false,
            resolved: false,
        }
    }
}

/// Where a resource was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Plan,
    Inventory { id: String },
}

/// A resource's attributes: a small vector of (name, value), cheaper than a map for the few
/// attributes the checks keep (a B-tree node per resource would cost more than the resource).
/// Sized exactly: attributes are read once and seldom changed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Attrs(Box<[(Name, Value)]>);

impl Attrs {
    pub fn new() -> Self {
        Self(Box::default())
    }

    pub(crate) fn from_vec(v: Vec<(Name, Value)>) -> Self {
        Self(v.into_boxed_slice())
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Insert or replace.
    pub fn insert(&mut self, key: impl Into<Name>, value: Value) {
        let key = key.into();
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => {
                let mut v = std::mem::take(&mut self.0).into_vec();
                v.push((key, value));
                self.0 = v.into_boxed_slice();
            }
        }
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&str, &Value) -> bool) {
        let mut v = std::mem::take(&mut self.0).into_vec();
        v.retain(|(k, v)| keep(k, v));
        self.0 = v.into_boxed_slice();
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// As a JSON object.
    pub fn to_map(&self) -> Map<String, Value> {
        self.0
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }
}

impl From<Map<String, Value>> for Attrs {
    fn from(m: Map<String, Value>) -> Self {
        Self(m.into_iter().map(|(k, v)| (Name::from(k), v)).collect())
    }
}

/// One resource, normalised. Attributes are the planned values (`after`, or `before` for a
/// resource being deleted), and for inventory rows the row's `attributes`. By default only the
/// attributes the built-in checks read are kept; [`crate::ReadOptions::full_attributes`] keeps all.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    /// Full address: `module.a["x"].aws_s3_bucket.b[0]`; for inventory rows, the row's `id`.
    pub address: String,
    /// The module instance address (`module.a["x"]`), empty at the root.
    pub module: Name,
    pub mode: Mode,
    /// Resource type (`aws_s3_bucket`).
    pub kind: Name,
    pub name: Name,
    pub index: Option<IndexKey>,
    /// Short provider name (`aws`, `azurerm`, `ncloud`).
    pub provider: Name,
    /// As the plan writes it (`registry.terraform.io/hashicorp/aws`).
    pub provider_name: Name,
    /// The provider configuration key, from `configuration` (`aws.us`, `module.net:aws`).
    pub provider_config_key: Option<Name>,
    pub action: Action,
    pub attributes: Attrs,
    /// Attributes known only after apply (`after_unknown`), same shape as Terraform writes it.
    pub unknown: Attrs,
    pub placement: Placement,
    pub location: SourceLoc,
    pub origin: Origin,
}

impl Resource {
    /// Whether the resource exists after the plan is applied (a deleted resource does not).
    pub fn present(&self) -> bool {
        self.action.present_after()
    }

    /// The attribute at a path of keys and indices, e.g. `["root_block_device", "0", "encrypted"]`.
    pub fn attr(&self, path: &[&str]) -> Option<&Value> {
        walk(&self.attributes, path)
    }

    /// Whether the value at `path` is known only after apply (`after_unknown` marks it, or one
    /// of its parents, `true`).
    pub fn is_unknown(&self, path: &[&str]) -> bool {
        let Some((first, rest)) = path.split_first() else {
            return false;
        };
        let mut cur = match self.unknown.get(first) {
            Some(v) => v,
            None => return false,
        };
        for key in rest {
            match cur {
                Value::Bool(b) => return *b,
                Value::Object(m) => match m.get(*key) {
                    Some(v) => cur = v,
                    None => return false,
                },
                Value::Array(a) => match key.parse::<usize>().ok().and_then(|i| a.get(i)) {
                    Some(v) => cur = v,
                    None => return false,
                },
                _ => return false,
            }
        }
        matches!(cur, Value::Bool(true))
    }

    /// The document a Rego check sees as one element of `input.resources` (schema in
    /// `docs/scan.md`). Stable keys; adding a key is compatible, renaming one is not.
    pub fn to_json(&self) -> Value {
        let residency = match &self.placement.residency {
            Residency::Korea => json!("korea"),
            Residency::Abroad(_) => json!("abroad"),
            Residency::Unknown => json!("unknown"),
        };
        let country = match &self.placement.residency {
            Residency::Korea => json!("KR"),
            Residency::Abroad(c) => json!(c),
            Residency::Unknown => Value::Null,
        };
        let source = match &self.placement.source {
            RegionSource::Attribute(a) => json!({"kind": "attribute", "name": a}),
            RegionSource::Provider(k) => json!({"kind": "provider", "key": k}),
            RegionSource::Inventory => json!({"kind": "inventory"}),
            RegionSource::None => json!({"kind": "none"}),
        };
        let origin = match &self.origin {
            Origin::Plan => json!({"kind": "plan"}),
            Origin::Inventory { id } => json!({"kind": "inventory", "id": id}),
        };
        json!({
            "address": self.address,
            "module": self.module,
            "mode": self.mode.as_str(),
            "type": self.kind,
            "name": self.name,
            "index": self.index.as_ref().map_or(Value::Null, IndexKey::to_json),
            "provider": self.provider,
            "provider_name": self.provider_name,
            "provider_config_key": self.provider_config_key,
            "action": self.action.as_str(),
            "present": self.present(),
            "attributes": Value::Object(self.attributes.to_map()),
            "unknown": Value::Object(self.unknown.to_map()),
            "placement": {
                "provider_key": self.placement.provider_key,
                "region": self.placement.region,
                "matched_region": self.placement.matched,
                "source": source,
                "residency": residency,
                "country": country,
                "government_zone": self.placement.government_zone,
                "known_after_apply": self.placement.after_apply,
                "unknown_because": self.placement.unknown_because.as_deref().map(|(en, _)| en),
            },
            "file": &*self.location.file,
            "line": self.location.line,
            "origin": origin,
        })
    }
}

pub(crate) fn walk<'v>(map: &'v Attrs, path: &[&str]) -> Option<&'v Value> {
    let (first, rest) = path.split_first()?;
    let mut cur = map.get(first)?;
    for key in rest {
        cur = match cur {
            Value::Object(m) => m.get(*key)?,
            Value::Array(a) => a.get(key.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// `registry.terraform.io/hashicorp/aws` → `aws`; a bare name stays as it is.
pub fn short_provider(provider_name: &str) -> &str {
    provider_name.rsplit('/').next().unwrap_or(provider_name)
}

/// `module.a["x"].module.b[0]` → `module.a.module.b`: the configuration path of a module
/// instance (instance keys dropped).
pub fn config_path(module_address: &str) -> String {
    let mut out = String::with_capacity(module_address.len());
    let mut depth = 0usize;
    let mut in_str = false;
    let mut escaped = false;
    for ch in module_address.chars() {
        if in_str {
            if escaped {
                escaped = false;
            } else if ch == '\\' {
                escaped = true;
            } else if ch == '"' {
                in_str = false;
            }
            continue;
        }
        match ch {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '"' if depth > 0 => in_str = true,
            _ if depth == 0 => out.push(ch),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_paths_drop_instance_keys() {
        assert_eq!(config_path(r#"module.a["x"]"#), "module.a");
        assert_eq!(
            config_path(r#"module.a["x.]y"].module.b[0]"#),
            "module.a.module.b"
        );
        assert_eq!(config_path(""), "");
    }

    #[test]
    fn actions_fold_like_terraform() {
        let a =
            |v: &[&str]| Action::from_actions(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(a(&["create"]), Action::Create);
        assert_eq!(a(&["delete", "create"]), Action::Replace);
        assert_eq!(a(&["create", "delete"]), Action::Replace);
        assert_eq!(a(&["delete"]), Action::Delete);
        assert_eq!(a(&["no-op"]), Action::NoOp);
        assert_eq!(a(&["read"]), Action::Read);
        assert_eq!(a(&["update"]), Action::Update);
        assert!(!Action::Delete.present_after());
    }

    #[test]
    fn short_provider_names() {
        assert_eq!(short_provider("registry.terraform.io/hashicorp/aws"), "aws");
        assert_eq!(short_provider("ncloud"), "ncloud");
    }
}
