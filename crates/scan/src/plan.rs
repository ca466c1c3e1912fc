/*!
The Terraform plan reader (`terraform show -json`, format 1.x; OpenTofu writes the same).

One pass over the bytes with serde visitors: no `serde_json::Value` of the whole document is
ever built. For each resource only a compact record is kept: address, type, name, mode, module,
index, provider, action, and the attributes the built-in checks read (all attributes when
[`ReadOptions::full_attributes`] asks, e.g. for Rego). Everything else is skipped with
`IgnoredAny`, which still validates it.

The `configuration` block, which comes after the resources in Terraform's output, is read into a
small index of provider configurations and module calls; regions are resolved once it is known.
Errors carry serde_json's line and column.
*/

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::checks::interesting;
use crate::error::{MARK_RAW_STATE, MARK_STATE, MARK_VERSION, from_json};
use crate::region::{ProviderRegion, RegionExpr, claim_placement};
use crate::resource::{
    Action, Attrs, IndexKey, Mode, Origin, Placement, Resource, SourceLoc, config_path,
    short_provider,
};
use crate::{ScanError, ScanErrorKind};

/// How to read an input.
#[derive(Clone, Copy, Default)]
pub struct ReadOptions<'a> {
    /// Keep every attribute of every resource (for Rego checks), not only those the built-in
    /// checks read. Costs memory in proportion to the plan.
    pub full_attributes: bool,
    /// Skip the pass that finds the line and column of each resource's address.
    pub skip_locations: bool,
    /// Called now and then with the number of resource records read so far.
    pub progress: Option<&'a (dyn Fn(usize) + Sync)>,
}

impl fmt::Debug for ReadOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadOptions")
            .field("full_attributes", &self.full_attributes)
            .field("skip_locations", &self.skip_locations)
            .finish_non_exhaustive()
    }
}

/// A plan, read.
#[derive(Clone, Debug)]
pub struct Plan {
    pub file: Arc<str>,
    pub format_version: String,
    pub terraform_version: Option<String>,
    /// Every resource the plan names: planned (created, updated, unchanged, replaced), deleted
    /// (present = false) and data sources, in file order of `planned_values`, then the rest.
    pub resources: Vec<Resource>,
}

/// Read a plan from its bytes. `name` is used in errors and locations.
pub fn read_plan(bytes: &[u8], name: &str, opts: &ReadOptions<'_>) -> Result<Plan, ScanError> {
    let (bytes, bom) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    sniff(bytes, name)?;
    let mut raw = RawPlan::default();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let seed = TopSeed {
        out: &mut raw,
        opts,
        count: 0,
    };
    let parsed = seed.deserialize(&mut de).and_then(|()| de.end());
    if let Err(e) = parsed {
        let mut err = from_json(name, &e);
        if bom && err.line == 1 {
            err.column += 1;
        }
        return Err(err);
    }
    let Some(format_version) = raw.format_version.take() else {
        return Err(ScanError::new(name, 1, 1, ScanErrorKind::NoFormatVersion));
    };
    if !raw.saw_planned && !raw.saw_changes {
        return Err(ScanError::new(
            name,
            1,
            1,
            ScanErrorKind::Shape("no `planned_values` and no `resource_changes`".to_owned()),
        ));
    }
    let file: Arc<str> = Arc::from(name);
    let mut resources = merge(raw.planned, raw.changes, raw.prior, &file);
    let config = ConfigIndex::new(raw.configuration.unwrap_or_default(), &raw.variables);
    // Instances of one block (`count`, `for_each`) sit together and share a configuration.
    let mut prev: Option<(String, Mode, String, String, Option<String>, ProviderRegion)> = None;
    for r in &mut resources {
        let hit = prev
            .as_ref()
            .filter(|p| p.0 == r.module && p.1 == r.mode && p.2 == r.kind && p.3 == r.name);
        let (key, provider) = match hit {
            Some(p) => (p.4.clone(), p.5.clone()),
            None => {
                let (key, provider) = config.provider_for(r);
                prev = Some((
                    r.module.clone(),
                    r.mode,
                    r.kind.clone(),
                    r.name.clone(),
                    key.clone(),
                    provider.clone(),
                ));
                (key, provider)
            }
        };
        r.provider_config_key = key;
        r.placement = claim_placement(r, &provider);
    }
    if !opts.skip_locations {
        locate(bytes, &mut resources, if bom { 3 } else { 0 });
    }
    Ok(Plan {
        file,
        format_version,
        terraform_version: raw.terraform_version,
        resources,
    })
}

/// Recognise what is plainly not plan JSON before parsing, so the error says what it is.
fn sniff(bytes: &[u8], name: &str) -> Result<(), ScanError> {
    let first = bytes.iter().position(|b| !b.is_ascii_whitespace());
    let Some(first) = first else {
        return Err(ScanError::new(name, 0, 0, ScanErrorKind::Empty));
    };
    let rest = bytes.get(first..).unwrap_or_default();
    let err = |kind| Err(ScanError::new(name, 1, 1, kind));
    if rest.starts_with(b"PK\x03\x04") {
        return err(ScanErrorKind::BinaryPlan);
    }
    if rest.starts_with(b"\x1f\x8b") {
        return err(ScanErrorKind::Binary("gzip-compressed data".to_owned()));
    }
    let head = bytes.get(..bytes.len().min(8192)).unwrap_or_default();
    if let Some(i) = head
        .iter()
        .position(|&b| b == 0 || (b < 0x20 && !b.is_ascii_whitespace()))
    {
        let (line, column) = line_col(bytes, i);
        return Err(ScanError::new(
            name,
            line,
            column,
            ScanErrorKind::Binary(format!(
                "control byte 0x{:02x} at byte {i}",
                head.get(i).copied().unwrap_or(0)
            )),
        ));
    }
    Ok(())
}

fn line_col(bytes: &[u8], offset: usize) -> (u64, u64) {
    let before = bytes.get(..offset).unwrap_or_default();
    let line = memchr::memchr_iter(b'\n', before).count() as u64 + 1;
    let col = match memchr::memrchr(b'\n', before) {
        Some(nl) => offset - nl,
        None => offset + 1,
    };
    (line, col as u64)
}

// ---- the raw records ----------------------------------------------------------------------

#[derive(Default)]
struct RawPlan {
    format_version: Option<String>,
    terraform_version: Option<String>,
    saw_planned: bool,
    saw_changes: bool,
    planned: Vec<RawRes>,
    changes: Vec<RawRes>,
    prior: Vec<RawRes>,
    configuration: Option<Configuration>,
    variables: BTreeMap<String, Value>,
}

#[derive(Default)]
struct RawRes {
    address: String,
    module_address: Option<String>,
    mode: Option<Mode>,
    kind: String,
    name: String,
    index: Option<IndexKey>,
    provider_name: String,
    values: Option<Attrs>,
    before: Option<Attrs>,
    unknown: Option<Attrs>,
    actions: Option<Vec<String>>,
}

/// A map key, borrowed from the input when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

// ---- top level ----------------------------------------------------------------------------

struct TopSeed<'p, 'o> {
    out: &'p mut RawPlan,
    opts: &'p ReadOptions<'o>,
    count: usize,
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Terraform plan JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let full = self.opts.full_attributes;
        while let Some(key) = map.next_key::<Key>()? {
            match &*key.0 {
                "format_version" => {
                    let v: String = map.next_value()?;
                    let major = v.split('.').next().unwrap_or("");
                    if major != "1" {
                        return Err(de::Error::custom(format!("{MARK_VERSION}{v}")));
                    }
                    self.out.format_version = Some(v);
                }
                "terraform_version" => self.out.terraform_version = Some(map.next_value()?),
                "values" => return Err(de::Error::custom(MARK_STATE)),
                "lineage" | "serial" | "resources" => {
                    return Err(de::Error::custom(MARK_RAW_STATE));
                }
                "planned_values" => {
                    self.out.saw_planned = true;
                    map.next_value_seed(RootSeed {
                        out: &mut self.out.planned,
                        full,
                        values_key: "root_module",
                    })?;
                }
                "prior_state" => {
                    map.next_value_seed(PriorSeed {
                        out: &mut self.out.prior,
                        full,
                    })?;
                }
                "resource_changes" => {
                    self.out.saw_changes = true;
                    // Terraform writes `planned_values` first: changes to resources already read
                    // are folded into them as they stream past (only the action and
                    // `after_unknown` are kept); the rest (deletions) become records of their own.
                    let index = address_index(&self.out.planned);
                    map.next_value_seed(ChangesSeed {
                        planned: &mut self.out.planned,
                        index: &index,
                        out: &mut self.out.changes,
                        full,
                        progress: self.opts.progress,
                        count: &mut self.count,
                    })?;
                }
                "configuration" => self.out.configuration = Some(map.next_value()?),
                "variables" => {
                    let vars: BTreeMap<String, Variable> = map.next_value()?;
                    self.out.variables = vars
                        .into_iter()
                        .filter_map(|(k, v)| v.value.map(|v| (k, v)))
                        .collect();
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

#[derive(Deserialize)]
struct Variable {
    #[serde(default)]
    value: Option<Value>,
}

/// `planned_values` (and `prior_state.values`): an object whose `root_module` is a module.
struct RootSeed<'p> {
    out: &'p mut Vec<RawRes>,
    full: bool,
    values_key: &'static str,
}

impl<'de> DeserializeSeed<'de> for RootSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for RootSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object with `root_module`")
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Key>()? {
            if *key.0 == *self.values_key {
                map.next_value_seed(ModuleSeed {
                    out: &mut *self.out,
                    full: self.full,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// `prior_state`: `{ "values": { "root_module": … } }`.
struct PriorSeed<'p> {
    out: &'p mut Vec<RawRes>,
    full: bool,
}

impl<'de> DeserializeSeed<'de> for PriorSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for PriorSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a state object with `values`")
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Key>()? {
            if &*key.0 == "values" {
                map.next_value_seed(RootSeed {
                    out: &mut *self.out,
                    full: self.full,
                    values_key: "root_module",
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// A module in `planned_values`: `resources`, `address`, `child_modules` (recursive).
struct ModuleSeed<'p> {
    out: &'p mut Vec<RawRes>,
    full: bool,
}

impl<'de> DeserializeSeed<'de> for ModuleSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for ModuleSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a module object")
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let start = self.out.len();
        let mut address = String::new();
        while let Some(key) = map.next_key::<Key>()? {
            match &*key.0 {
                "resources" => map.next_value_seed(ResSeqSeed {
                    out: &mut *self.out,
                    full: self.full,
                    progress: None,
                    count: None,
                })?,
                "child_modules" => map.next_value_seed(ModuleSeqSeed {
                    out: &mut *self.out,
                    full: self.full,
                })?,
                "address" => address = map.next_value()?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        // Resources of child modules already carry their module; ours get it now (Terraform
        // writes `address` after `resources`).
        for r in self.out.iter_mut().skip(start) {
            if r.module_address.is_none() {
                r.module_address = Some(address.clone());
            }
        }
        Ok(())
    }
}

struct ModuleSeqSeed<'p> {
    out: &'p mut Vec<RawRes>,
    full: bool,
}

impl<'de> DeserializeSeed<'de> for ModuleSeqSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for ModuleSeqSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of modules")
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(ModuleSeed {
                out: &mut *self.out,
                full: self.full,
            })?
            .is_some()
        {}
        Ok(())
    }
}

/// `resource_changes`.
struct ChangesSeed<'p, 'o> {
    planned: &'p mut Vec<RawRes>,
    index: &'p HashMap<u64, usize>,
    out: &'p mut Vec<RawRes>,
    full: bool,
    progress: Option<&'o (dyn Fn(usize) + Sync)>,
    count: &'p mut usize,
}

impl<'de> DeserializeSeed<'de> for ChangesSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for ChangesSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of resource changes")
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            let seed = ChangeEntrySeed {
                planned: &mut *self.planned,
                index: self.index,
                full: self.full,
            };
            match seq.next_element_seed(seed)? {
                None => break,
                Some(Some(r)) => self.out.push(r),
                Some(None) => {}
            }
            *self.count += 1;
            if let Some(progress) = self.progress
                && (*self.count).is_multiple_of(4096)
            {
                progress(*self.count);
            }
        }
        Ok(())
    }
}

fn hash_address(a: &str) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = crate::checks::FnvBuild.build_hasher();
    h.write(a.as_bytes());
    h.finish()
}

/// Address hash → position in `planned`. A (vanishingly rare) hash collision is checked against
/// the stored address and falls back to a record of its own.
fn address_index(planned: &[RawRes]) -> HashMap<u64, usize> {
    let mut ix = HashMap::with_capacity(planned.len());
    for (i, r) in planned.iter().enumerate() {
        ix.entry(hash_address(&r.address)).or_insert(i);
    }
    ix
}

/// One `resource_changes` entry: folded into its planned record when there is one (returns
/// `None`), else read whole.
struct ChangeEntrySeed<'p> {
    planned: &'p mut Vec<RawRes>,
    index: &'p HashMap<u64, usize>,
    full: bool,
}

impl<'de> DeserializeSeed<'de> for ChangeEntrySeed<'_> {
    type Value = Option<RawRes>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ChangeEntrySeed<'_> {
    type Value = Option<RawRes>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a resource change object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut r = RawRes::default();
        let mut target: Option<usize> = None;
        while let Some(key) = map.next_key::<Key>()? {
            match &*key.0 {
                "address" => {
                    let a: Key = map.next_value()?;
                    let hit = self
                        .index
                        .get(&hash_address(&a.0))
                        .copied()
                        .filter(|&i| self.planned.get(i).is_some_and(|p| p.address == *a.0));
                    match hit {
                        Some(i) => target = Some(i),
                        None => r.address = a.0.into_owned(),
                    }
                }
                "change" if target.is_some() => map.next_value_seed(ChangeSeed {
                    r: &mut r,
                    full: self.full,
                    skip_values: true,
                })?,
                _ if target.is_some() => {
                    map.next_value::<IgnoredAny>()?;
                }
                "module_address" => r.module_address = Some(map.next_value()?),
                "mode" => {
                    let m: Key = map.next_value()?;
                    r.mode = Some(if &*m.0 == "data" {
                        Mode::Data
                    } else {
                        Mode::Managed
                    });
                }
                "type" => r.kind = map.next_value()?,
                "name" => r.name = map.next_value()?,
                "index" => r.index = map.next_value::<Option<IndexValue>>()?.map(|i| i.0),
                "provider_name" => r.provider_name = map.next_value()?,
                "change" => map.next_value_seed(ChangeSeed {
                    r: &mut r,
                    full: self.full,
                    skip_values: false,
                })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let Some(i) = target else {
            return Ok(Some(r));
        };
        if let Some(p) = self.planned.get_mut(i) {
            p.actions = r.actions;
            p.unknown = r.unknown;
            if p.values.is_none() {
                p.values = r.values;
            }
            if p.before.is_none() {
                p.before = r.before;
            }
        }
        Ok(None)
    }
}

/// A list of resource objects (in a module, or `resource_changes`).
struct ResSeqSeed<'p, 'o> {
    out: &'p mut Vec<RawRes>,
    full: bool,
    progress: Option<&'o (dyn Fn(usize) + Sync)>,
    count: Option<&'p mut usize>,
}

impl<'de> DeserializeSeed<'de> for ResSeqSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for ResSeqSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of resources")
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while let Some(r) = seq.next_element_seed(ResSeed { full: self.full })? {
            self.out.push(r);
            if let (Some(count), Some(progress)) = (self.count.as_deref_mut(), self.progress) {
                *count += 1;
                if *count % 4096 == 0 {
                    progress(*count);
                }
            }
        }
        Ok(())
    }
}

/// One resource object: a `planned_values` resource or a `resource_changes` entry.
struct ResSeed {
    full: bool,
}

impl<'de> DeserializeSeed<'de> for ResSeed {
    type Value = RawRes;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<RawRes, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ResSeed {
    type Value = RawRes;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a resource object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawRes, A::Error> {
        let mut r = RawRes::default();
        while let Some(key) = map.next_key::<Key>()? {
            match &*key.0 {
                "address" => r.address = map.next_value()?,
                "module_address" => r.module_address = Some(map.next_value()?),
                "mode" => {
                    let m: Key = map.next_value()?;
                    r.mode = Some(if &*m.0 == "data" {
                        Mode::Data
                    } else {
                        Mode::Managed
                    });
                }
                "type" => r.kind = map.next_value()?,
                "name" => r.name = map.next_value()?,
                "index" => r.index = map.next_value::<Option<IndexValue>>()?.map(|i| i.0),
                "provider_name" => r.provider_name = map.next_value()?,
                "values" => r.values = map.next_value_seed(AttrSeed { full: self.full })?,
                "change" => map.next_value_seed(ChangeSeed {
                    r: &mut r,
                    full: self.full,
                    skip_values: false,
                })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(r)
    }
}

struct ChangeSeed<'r> {
    r: &'r mut RawRes,
    full: bool,
    /// The planned record already has the values: skip `before` and `after`.
    skip_values: bool,
}

impl<'de> DeserializeSeed<'de> for ChangeSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ChangeSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a change object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let full = self.full;
        while let Some(key) = map.next_key::<Key>()? {
            match &*key.0 {
                "actions" => self.r.actions = Some(map.next_value()?),
                "before" | "after" if self.skip_values => {
                    map.next_value::<IgnoredAny>()?;
                }
                "before" => self.r.before = map.next_value_seed(AttrSeed { full })?,
                "after" => self.r.values = map.next_value_seed(AttrSeed { full })?,
                "after_unknown" => self.r.unknown = map.next_value_seed(AttrSeed { full })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// An attribute object, keeping only the keys the checks read (or all of them).
/// `null` and `true`/`false` (an `after_unknown` of a whole value) read as `None`.
struct AttrSeed {
    full: bool,
}

impl<'de> DeserializeSeed<'de> for AttrSeed {
    type Value = Option<Attrs>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for AttrSeed {
    type Value = Option<Attrs>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an attribute object or null")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Attrs::new();
        while let Some(key) = map.next_key::<Key>()? {
            if self.full || interesting(&key.0) {
                let v: Value = map.next_value()?;
                out.insert(key.0.into_owned(), v);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Some(out))
    }
}

/// A `count` index (number) or `for_each` key (string).
struct IndexValue(IndexKey);

impl<'de> Deserialize<'de> for IndexValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = IndexValue;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or a string")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<IndexValue, E> {
                Ok(IndexValue(IndexKey::Int(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<IndexValue, E> {
                Ok(IndexValue(IndexKey::Int(
                    i64::try_from(v).unwrap_or(i64::MAX),
                )))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<IndexValue, E> {
                Ok(IndexValue(IndexKey::Str(v.to_owned())))
            }
        }
        d.deserialize_any(V)
    }
}

// ---- configuration --------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct Configuration {
    #[serde(default)]
    provider_config: BTreeMap<String, ProviderConfig>,
    #[serde(default)]
    root_module: Option<ConfigModule>,
}

#[derive(Deserialize, Default)]
struct ProviderConfig {
    #[serde(default)]
    name: String,
    #[serde(default)]
    alias: Option<String>,
    #[serde(default)]
    module_address: Option<String>,
    #[serde(default)]
    expressions: BTreeMap<String, Expression>,
}

#[derive(Deserialize, Default, Clone)]
struct Expression {
    #[serde(default)]
    constant_value: Option<Value>,
    #[serde(default)]
    references: Vec<String>,
}

#[derive(Deserialize, Default)]
struct ConfigModule {
    #[serde(default)]
    resources: Vec<ConfigResource>,
    #[serde(default)]
    module_calls: BTreeMap<String, ModuleCall>,
}

#[derive(Deserialize)]
struct ConfigResource {
    address: String,
    #[serde(default)]
    provider_config_key: Option<String>,
}

#[derive(Deserialize)]
struct ModuleCall {
    #[serde(default)]
    module: Option<Box<ConfigModule>>,
    /// `{ "aws": "aws.us" }`: the child's local name → the parent's configuration. Terraform's
    /// own output carries this in `provider_config` keys; some tools write it here.
    #[serde(default)]
    providers: BTreeMap<String, Value>,
}

/// What the configuration says about providers, indexed for look-ups.
struct ConfigIndex {
    /// By (module config path, local name with alias).
    providers: HashMap<(String, String), (String, ProviderConfig)>,
    /// By raw key.
    by_key: HashMap<String, (String, String)>,
    /// (module config path, relative address) → provider_config_key.
    resources: HashMap<(String, String), String>,
    /// module config path → (child local name → parent local name).
    passes: HashMap<String, BTreeMap<String, String>>,
    variables: BTreeMap<String, Value>,
}

impl ConfigIndex {
    fn new(c: Configuration, variables: &BTreeMap<String, Value>) -> Self {
        let mut ix = ConfigIndex {
            providers: HashMap::new(),
            by_key: HashMap::new(),
            resources: HashMap::new(),
            passes: HashMap::new(),
            variables: variables.clone(),
        };
        for (key, pc) in c.provider_config {
            let (module, local) = match &pc.module_address {
                Some(m) => (config_path(m), local_name(&pc)),
                None => match key.rsplit_once(':') {
                    Some((m, l)) => (normalise_module(m), l.to_owned()),
                    None => (String::new(), local_name(&pc)),
                },
            };
            ix.by_key
                .insert(key.clone(), (module.clone(), local.clone()));
            ix.providers.insert((module, local), (key, pc));
        }
        if let Some(root) = c.root_module {
            ix.walk("", root);
        }
        ix
    }

    fn walk(&mut self, path: &str, m: ConfigModule) {
        for r in m.resources {
            if let Some(k) = r.provider_config_key {
                self.resources.insert((path.to_owned(), r.address), k);
            }
        }
        for (name, call) in m.module_calls {
            let child = if path.is_empty() {
                format!("module.{name}")
            } else {
                format!("{path}.module.{name}")
            };
            let passes: BTreeMap<String, String> = call
                .providers
                .into_iter()
                .filter_map(|(k, v)| match v {
                    Value::String(s) => Some((k, s)),
                    Value::Object(o) => o.get("name").and_then(Value::as_str).map(|n| {
                        let alias = o.get("alias").and_then(Value::as_str);
                        (
                            k,
                            alias.map_or_else(|| n.to_owned(), |a| format!("{n}.{a}")),
                        )
                    }),
                    _ => None,
                })
                .collect();
            if !passes.is_empty() {
                self.passes.insert(child.clone(), passes);
            }
            if let Some(module) = call.module {
                self.walk(&child, *module);
            }
        }
    }

    /// The provider configuration a resource uses, and its region as far as the plan tells.
    fn provider_for(&self, r: &Resource) -> (Option<String>, ProviderRegion) {
        let path = config_path(&r.module);
        let rel = match r.mode {
            Mode::Managed => format!("{}.{}", r.kind, r.name),
            Mode::Data => format!("data.{}.{}", r.kind, r.name),
        };
        let raw_key = self.resources.get(&(path.clone(), rel)).cloned();
        let (module, local) = match &raw_key {
            Some(k) => match self.by_key.get(k) {
                Some((m, l)) => (m.clone(), l.clone()),
                None => match k.rsplit_once(':') {
                    Some((m, l)) => (normalise_module(m), l.to_owned()),
                    None => (String::new(), k.clone()),
                },
            },
            None => (path, default_local(r)),
        };
        let found = self.lookup(&module, &local, 0);
        (raw_key, found)
    }

    fn lookup(&self, module: &str, local: &str, depth: usize) -> ProviderRegion {
        let shown = if module.is_empty() {
            local.to_owned()
        } else {
            format!("{module}:{local}")
        };
        if let Some((key, pc)) = self.providers.get(&(module.to_owned(), local.to_owned())) {
            let region = pc
                .expressions
                .get("region")
                .or_else(|| pc.expressions.get("zone"))
                .map(|e| self.expr(module, e));
            let site = pc
                .expressions
                .get("site")
                .and_then(|e| e.constant_value.as_ref())
                .and_then(Value::as_str)
                .map(str::to_owned);
            if let Some(region) = region {
                return ProviderRegion {
                    key: key.clone(),
                    region,
                    site,
                };
            }
            if module.is_empty() || depth > 64 {
                return ProviderRegion {
                    key: key.clone(),
                    region: RegionExpr::NotSet,
                    site,
                };
            }
        } else if module.is_empty() || depth > 64 {
            return ProviderRegion {
                key: shown,
                region: RegionExpr::NoConfig,
                site: None,
            };
        }
        // A module's provider comes from its caller: passed explicitly (`providers = { aws =
        // aws.us }`), or, for a default configuration, inherited.
        let (parent, call) = split_module(module);
        let parent_local = self
            .passes
            .get(module)
            .and_then(|m| m.get(local))
            .cloned()
            .unwrap_or_else(|| local.to_owned());
        let _ = call;
        self.lookup(parent, &parent_local, depth + 1)
    }

    fn expr(&self, module: &str, e: &Expression) -> RegionExpr {
        if let Some(v) = &e.constant_value {
            return match v {
                Value::String(s) => RegionExpr::Known(s.clone()),
                _ => RegionExpr::Other(v.to_string()),
            };
        }
        match e.references.first() {
            Some(r) => {
                if module.is_empty()
                    && let Some(name) = r.strip_prefix("var.")
                    && let Some(Value::String(s)) = self.variables.get(name)
                {
                    return RegionExpr::FromVariable(s.clone(), r.clone());
                }
                RegionExpr::Reference(r.clone(), module.to_owned())
            }
            None => RegionExpr::NotSet,
        }
    }
}

fn local_name(pc: &ProviderConfig) -> String {
    match &pc.alias {
        Some(a) => format!("{}.{a}", pc.name),
        None => pc.name.clone(),
    }
}

/// `module.net` stays; `net` (older Terraform keys) becomes `module.net`; instance keys go.
fn normalise_module(m: &str) -> String {
    let p = config_path(m);
    if p.is_empty() || p.starts_with("module.") {
        p
    } else {
        format!("module.{p}")
    }
}

/// `module.a.module.b` → (`module.a`, `b`); `module.a` → (``, `a`).
fn split_module(path: &str) -> (&str, &str) {
    match path.rfind(".module.") {
        Some(i) => (path.get(..i).unwrap_or(""), path.get(i + 8..).unwrap_or("")),
        None => ("", path.strip_prefix("module.").unwrap_or(path)),
    }
}

/// Without a configuration entry, a resource uses the default configuration of its provider.
fn default_local(r: &Resource) -> String {
    if r.provider.is_empty() {
        r.kind.split('_').next().unwrap_or("").to_owned()
    } else {
        r.provider.clone()
    }
}

// ---- merging --------------------------------------------------------------------------------

fn to_resource(raw: RawRes, file: &Arc<str>, action: Action) -> Resource {
    let provider = if raw.provider_name.is_empty() {
        raw.kind.split('_').next().unwrap_or("").to_owned()
    } else {
        short_provider(&raw.provider_name).to_owned()
    };
    let module = raw
        .module_address
        .unwrap_or_else(|| module_of(&raw.address));
    let attributes = if action == Action::Delete {
        raw.before.or(raw.values)
    } else {
        raw.values
    };
    Resource {
        address: raw.address,
        module,
        mode: raw.mode.unwrap_or(Mode::Managed),
        kind: raw.kind,
        name: raw.name,
        index: raw.index,
        provider,
        provider_name: raw.provider_name,
        provider_config_key: None,
        action,
        attributes: attributes.unwrap_or_default(),
        unknown: raw.unknown.unwrap_or_default(),
        placement: Placement::default(),
        location: SourceLoc {
            file: file.clone(),
            line: None,
            column: None,
        },
        origin: Origin::Plan,
    }
}

/// The module part of a resource address, for records that do not say it.
fn module_of(address: &str) -> String {
    // Walk `module.NAME[KEY].` prefixes.
    let mut rest = address;
    let mut end = 0usize;
    while let Some(after) = rest.strip_prefix("module.") {
        let mut i = 0usize;
        let bytes = after.as_bytes();
        let mut depth = 0usize;
        let mut in_str = false;
        while let Some(&b) = bytes.get(i) {
            if in_str {
                if b == b'\\' {
                    i += 1;
                } else if b == b'"' {
                    in_str = false;
                }
            } else if b == b'"' && depth > 0 {
                in_str = true;
            } else if b == b'[' {
                depth += 1;
            } else if b == b']' {
                depth = depth.saturating_sub(1);
            } else if b == b'.' && depth == 0 {
                break;
            }
            i += 1;
        }
        let seg = "module.".len() + i;
        end += seg + 1;
        rest = match address.get(end..) {
            Some(r) => r,
            None => break,
        };
    }
    address
        .get(..end.saturating_sub(1))
        .unwrap_or("")
        .to_owned()
}

fn merge(
    planned: Vec<RawRes>,
    changes: Vec<RawRes>,
    prior: Vec<RawRes>,
    file: &Arc<str>,
) -> Vec<Resource> {
    let mut out: Vec<Resource> = Vec::with_capacity(planned.len() + changes.len());
    for raw in planned {
        let action = raw
            .actions
            .as_deref()
            .map_or(Action::NoOp, Action::from_actions);
        out.push(to_resource(raw, file, action));
    }
    if changes.is_empty() && prior.is_empty() {
        return out;
    }
    // Records not folded while streaming: deletions, changes without a planned value, and the
    // prior state. Index what we have by address hash (checked against the address).
    let mut index: HashMap<u64, usize> = HashMap::with_capacity(out.len());
    for (i, r) in out.iter().enumerate() {
        index.entry(hash_address(&r.address)).or_insert(i);
    }
    let find = |index: &HashMap<u64, usize>, out: &[Resource], a: &str| {
        index
            .get(&hash_address(a))
            .copied()
            .filter(|&i| out.get(i).is_some_and(|r| r.address == a))
    };
    for raw in changes {
        let action = raw
            .actions
            .as_deref()
            .map_or(Action::NoOp, Action::from_actions);
        match find(&index, &out, &raw.address) {
            Some(i) => {
                if let Some(r) = out.get_mut(i) {
                    r.action = action;
                    if let Some(u) = raw.unknown {
                        r.unknown = u;
                    }
                }
            }
            None => {
                index.insert(hash_address(&raw.address), out.len());
                out.push(to_resource(raw, file, action));
            }
        }
    }
    for raw in prior {
        match find(&index, &out, &raw.address) {
            Some(i) => {
                if let Some(r) = out.get_mut(i)
                    && r.action == Action::Delete
                    && r.attributes.is_empty()
                    && let Some(v) = raw.values
                {
                    r.attributes = v;
                }
            }
            None => {
                index.insert(hash_address(&raw.address), out.len());
                out.push(to_resource(raw, file, Action::Existing));
            }
        }
    }
    out
}

// ---- locations --------------------------------------------------------------------------------

/// Find the first `"address": "<addr>"` of each resource and record its line and column.
fn locate(bytes: &[u8], resources: &mut [Resource], bom: usize) {
    let mut want: HashMap<&str, usize, crate::checks::FnvBuild> =
        HashMap::with_capacity_and_hasher(resources.len(), crate::checks::FnvBuild);
    for (i, r) in resources.iter().enumerate() {
        want.entry(r.address.as_str()).or_insert(i);
    }
    let mut found: Vec<(usize, usize)> = Vec::new();
    let finder = memchr::memmem::Finder::new(b"\"address\"");
    for at in finder.find_iter(bytes) {
        let mut p = at + 9;
        while matches!(bytes.get(p), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            p += 1;
        }
        if bytes.get(p) != Some(&b':') {
            continue;
        }
        p += 1;
        while matches!(bytes.get(p), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            p += 1;
        }
        if bytes.get(p) != Some(&b'"') {
            continue;
        }
        let start = p + 1;
        let mut q = start;
        let mut escaped = false;
        while let Some(&b) = bytes.get(q) {
            if b == b'\\' {
                escaped = true;
                q += 1;
            } else if b == b'"' {
                break;
            }
            q += 1;
        }
        let Some(raw) = bytes.get(start..q) else {
            continue;
        };
        let text: Cow<str> = if escaped {
            match bytes
                .get(p..=q)
                .and_then(|s| serde_json::from_slice::<String>(s).ok())
            {
                Some(s) => Cow::Owned(s),
                None => continue,
            }
        } else {
            match std::str::from_utf8(raw) {
                Ok(s) => Cow::Borrowed(s),
                Err(_) => continue,
            }
        };
        if let Some(i) = want.remove(&*text) {
            found.push((at, i));
            if want.is_empty() {
                break;
            }
        }
    }
    found.sort_unstable();
    let mut line = 1u64;
    let mut line_start = 0usize;
    let mut pos = 0usize;
    for (at, i) in found {
        if let Some(seg) = bytes.get(pos..at) {
            for nl in memchr::memchr_iter(b'\n', seg) {
                line += 1;
                line_start = pos + nl + 1;
            }
        }
        pos = at;
        if let Some(r) = resources.get_mut(i) {
            r.location.line = Some(line);
            let col = (at - line_start) as u64 + 1 + if line == 1 { bom as u64 } else { 0 };
            r.location.column = Some(col);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_prefix_of_addresses() {
        assert_eq!(module_of("aws_s3_bucket.b"), "");
        assert_eq!(
            module_of(r#"module.a["x.y"].aws_s3_bucket.b"#),
            r#"module.a["x.y"]"#
        );
        assert_eq!(
            module_of("module.a.module.b[0].aws_instance.w[1]"),
            "module.a.module.b[0]"
        );
    }

    #[test]
    fn split_module_paths() {
        assert_eq!(split_module("module.a"), ("", "a"));
        assert_eq!(split_module("module.a.module.b"), ("module.a", "b"));
    }

    #[test]
    fn bad_inputs_are_named() {
        let o = ReadOptions::default();
        let e = read_plan(b"", "p.json", &o).unwrap_err();
        assert_eq!(e.kind, ScanErrorKind::Empty);
        let e = read_plan(b"PK\x03\x04....", "p.json", &o).unwrap_err();
        assert_eq!(e.kind, ScanErrorKind::BinaryPlan);
        let e = read_plan(b"{\"format_version\":\"2.0\"}", "p.json", &o).unwrap_err();
        assert_eq!(e.kind, ScanErrorKind::FormatVersion("2.0".into()));
        // serde_json reports the position just after the offending value.
        assert_eq!((e.line, e.column), (1, 24));
        let e = read_plan(b"{\"format_version\":\"1.0\",\"values\":{}}", "p.json", &o).unwrap_err();
        assert_eq!(e.kind, ScanErrorKind::StateNotPlan);
        let e = read_plan(b"{\"version\":4,\"lineage\":\"x\"}", "p.json", &o).unwrap_err();
        assert_eq!(e.kind, ScanErrorKind::RawState);
        let e = read_plan(
            b"{\"format_version\":\"1.2\",\n\"planned_values\":{",
            "p.json",
            &o,
        )
        .unwrap_err();
        assert!(matches!(e.kind, ScanErrorKind::Truncated(_)), "{e:?}");
        assert_eq!(e.line, 2);
        let e = read_plan(b"{\"format_version\":\"1.2\"}", "p.json", &o).unwrap_err();
        assert!(matches!(e.kind, ScanErrorKind::Shape(_)));
        let e = read_plan(b"{}", "p.json", &o).unwrap_err();
        assert_eq!(e.kind, ScanErrorKind::NoFormatVersion);
        let e = read_plan(b"\x00\x01\x02", "p.json", &o).unwrap_err();
        assert!(matches!(e.kind, ScanErrorKind::Binary(_)));
    }
}
