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

From 1 MB (`PARALLEL_MIN`) on, `resource_changes` is read on a second thread
(`read_parallel`); whenever that could differ from the one-thread pass, the one-thread pass
runs instead.
*/

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::checks::{ATTRIBUTES, FnvBuild, attribute_index};
use crate::error::{MARK_RAW_STATE, MARK_STATE, MARK_UNICODE, MARK_VERSION, from_json};
use crate::region::{ProviderRegion, RegionExpr, claim_placement, provider_key};
use crate::resource::{
    Action, Attrs, IndexKey, Interner, Mode, Name, Origin, Placement, Resource, SourceLoc,
    config_path, short_provider,
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
    /// Called now and then with how many bytes of the input have been read (for a bar that
    /// shows a percentage of the file).
    pub progress_bytes: Option<&'a (dyn Fn(usize) + Sync)>,
}

impl fmt::Debug for ReadOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadOptions")
            .field("full_attributes", &self.full_attributes)
            .field("skip_locations", &self.skip_locations)
            .field("progress", &self.progress.is_some())
            .field("progress_bytes", &self.progress_bytes.is_some())
            .finish_non_exhaustive()
    }
}

/// A plan, read.
#[derive(Clone, Debug, PartialEq)]
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
    read_plan_from(bytes, name, opts, PARALLEL_MIN)
}

/// [`read_plan`], reading on two threads from `parallel_min` bytes on (tests compare both ways).
fn read_plan_from(
    bytes: &[u8],
    name: &str,
    opts: &ReadOptions<'_>,
    parallel_min: usize,
) -> Result<Plan, ScanError> {
    let (bytes, bom) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    sniff(bytes, name)?;
    let file: Arc<str> = Arc::from(name);
    let parallel = if bytes.len() >= parallel_min && !opts.full_attributes {
        read_parallel(bytes, &file, opts)
    } else {
        None
    };
    let mut st = match parallel {
        Some(st) => st,
        None => {
            let mut st = new_st(bytes, &file, opts);
            let mut de = serde_json::Deserializer::from_slice(bytes);
            let parsed = TopSeed { st: &mut st }
                .deserialize(&mut de)
                .and_then(|()| de.end());
            if let Err(e) = parsed {
                let mut err = from_json(name, &e);
                if bom && err.line == 1 {
                    err.column += 1;
                }
                return Err(err);
            }
            st
        }
    };
    let Some(format_version) = st.format_version.take() else {
        return Err(ScanError::new(name, 1, 1, ScanErrorKind::NoFormatVersion));
    };
    if !st.saw_planned && !st.saw_changes {
        return Err(ScanError::new(
            name,
            1,
            1,
            ScanErrorKind::Shape("no `planned_values` and no `resource_changes`".to_owned()),
        ));
    }
    let (mut resources, at) = merge(&mut st);
    let mut names = std::mem::take(&mut st.names);
    let config = ConfigIndex::new(st.configuration.take().unwrap_or_default(), &st.variables);
    // Instances of one block (`count`, `for_each`) sit together and share a configuration.
    struct Block {
        module: Name,
        mode: Mode,
        kind: Name,
        name: Name,
        provider: Name,
        key: Option<Name>,
        region: ProviderRegion,
        table_key: Name,
    }
    let mut prev: Option<Block> = None;
    for r in &mut resources {
        let hit = prev.as_ref().is_some_and(|p| {
            p.module == r.module
                && p.mode == r.mode
                && p.kind == r.kind
                && p.name == r.name
                && p.provider == r.provider
        });
        if !hit {
            let (key, region) = config.provider_for(r);
            let table_key = names.get(&provider_key(&r.provider, region.site.as_deref()));
            prev = Some(Block {
                module: r.module.clone(),
                mode: r.mode,
                kind: r.kind.clone(),
                name: r.name.clone(),
                provider: r.provider.clone(),
                key: key.map(|k| names.get(&k)),
                region,
                table_key,
            });
        }
        if let Some(b) = &prev {
            r.provider_config_key.clone_from(&b.key);
            r.placement = claim_placement(r, &b.region, b.table_key.clone(), &mut names);
        }
    }
    if !opts.skip_locations {
        locate(bytes, &mut resources, &at, if bom { 3 } else { 0 });
    }
    Ok(Plan {
        file,
        format_version,
        terraform_version: st.terraform_version.take(),
        resources,
    })
}

/// JSON's insignificant whitespace (RFC 8259 §2).
fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

/// The smallest input read with two threads: below it, the structural pass and the thread's
/// start cost more than the second core saves (measured on the bench plans; see
/// `read_parallel`).
const PARALLEL_MIN: usize = 1 << 20;

fn new_st<'o>(bytes: &[u8], file: &Arc<str>, opts: &ReadOptions<'o>) -> St<'o> {
    let base = bytes.as_ptr() as usize;
    St {
        full: opts.full_attributes,
        base,
        end: base + bytes.len(),
        names: Interner::default(),
        last: Default::default(),
        attr_names: vec![None; ATTRIBUTES.len()],
        scratch: Vec::new(),
        file: file.clone(),
        progress: opts.progress,
        progress_bytes: opts.progress_bytes,
        last_at: usize::MAX,
        count: 0,
        format_version: None,
        terraform_version: None,
        saw_planned: false,
        saw_changes: false,
        planned: Vec::new(),
        planned_at: Vec::new(),
        changes: Vec::new(),
        prior: Vec::new(),
        configuration: None,
        variables: BTreeMap::new(),
        defer_values: false,
        odd: false,
        head_only: false,
        head_ended: false,
        keys: Vec::new(),
        shift: 0,
        deferred: Vec::new(),
        deferred_owned: Vec::new(),
        deferred_unknown: Vec::new(),
    }
}

// ---- reading on two cores ------------------------------------------------------------------

/// Read `resource_changes`, and what comes after it, on a second thread while this one reads
/// what comes before it (`planned_values`, the larger share of the work).
///
/// The split is found without a pass over the whole input: the first `"resource_changes": [`
/// is taken as the top-level key, the text before it is read as an object cut short (which
/// must end, at the top level, exactly there), the changes thread reads the array and then the
/// rest, as an object of its own. Each part is a piece of the
/// one-thread reader's own pass, so when all three succeed the result is the same; otherwise
/// (a wrong guess, duplicate top-level keys, any error) this returns `None` and the caller
/// reads the input the usual way, so errors keep exactly their message and position.
///
/// The changes thread does not know the planned records, so it skips every `before` and
/// `after` (as the one-thread reader does for a change it folds); [`merge`] then folds them as
/// it folds unfolded ones. If some change has no planned record (a deletion), its values are
/// needed: `resource_changes` is read again on this thread, as the one-thread reader reads it.
fn read_parallel<'o>(bytes: &[u8], file: &Arc<str>, opts: &ReadOptions<'o>) -> Option<St<'o>> {
    const KEY: &[u8] = b"\"resource_changes\"";
    let (key_at, value_at) = memchr::memmem::find_iter(bytes, KEY).find_map(|k| {
        let mut p = k + KEY.len();
        while bytes.get(p).is_some_and(|&c| is_ws(c)) {
            p += 1;
        }
        if bytes.get(p) != Some(&b':') {
            return None;
        }
        p += 1;
        while bytes.get(p).is_some_and(|&c| is_ws(c)) {
            p += 1;
        }
        (bytes.get(p) == Some(&b'[')).then_some((k, p))
    })?;
    // The text before the key, up to and not including its comma (or including the brace).
    let mut cut = key_at;
    while cut > 0 && bytes.get(cut - 1).is_some_and(|&c| is_ws(c)) {
        cut -= 1;
    }
    let head = match bytes.get(cut.checked_sub(1)?)? {
        b',' => bytes.get(..cut - 1)?,
        b'{' => bytes.get(..cut)?,
        _ => return None,
    };
    let changes_bytes = bytes.get(value_at..)?;
    let (main, side) = std::thread::scope(|s| {
        let side = s.spawn(|| {
            let mut st = new_st(bytes, file, opts);
            st.defer_values = true;
            let empty = HashMap::with_hasher(FnvBuild);
            let mut de = serde_json::Deserializer::from_slice(changes_bytes);
            ChangesSeed {
                st: &mut st,
                index: &empty,
            }
            .deserialize(&mut de)
            .ok()
            .filter(|()| !st.odd)?;
            let end = value_at + de.into_iter::<IgnoredAny>().byte_offset();
            // What follows the array is read here too: this thread is done long before the
            // other has read `planned_values`.
            let after = read_after_changes(bytes, end, file, opts)?;
            Some((st.deferred, st.deferred_owned, st.deferred_unknown, after))
        });
        let mut st = new_st(bytes, file, opts);
        st.head_only = true;
        let mut de = serde_json::Deserializer::from_slice(head);
        let read = TopSeed { st: &mut st }.deserialize(&mut de);
        // The head must stop for want of more text at the top level just after a value (not
        // inside a key, which is "EOF while parsing a string"), nowhere else.
        let ok = st.head_ended
            && read.is_err_and(|e| {
                e.is_eof() && e.to_string().starts_with("EOF while parsing an object")
            });
        // A panic on the side thread is a bug; reading again on one thread reports nothing
        // worse than the one-thread reader would.
        (ok.then_some(st), side.join().ok().flatten())
    });
    let (mut st, (changes, owned, unknowns, after)) = (main?, side?);
    st.head_only = false;
    st.saw_changes = true;
    st.keys.push(b"resource_changes".to_vec());
    if let Some(t) = after {
        join(&mut st, t)?;
    }
    // Fold the changes as [`merge`] does when every one has a planned record; else read them
    // again with their values.
    let index = address_index(&st.planned);
    let mut folds = Vec::with_capacity(changes.len());
    let mut owned = owned.into_iter().peekable();
    for (n, c) in changes.iter().enumerate() {
        let aside = owned.next_if(|(m, _)| *m == n).map(|(_, a)| a);
        let address = match &aside {
            Some(a) => a,
            None => {
                // A borrowed address has no escapes: it runs to the next quote.
                let text = bytes.get(c.at..)?;
                let len = memchr::memchr(b'"', text)?;
                std::str::from_utf8(text.get(..len)?).ok()?
            }
        };
        let hit = index
            .get(&hash_address(address))
            .copied()
            .filter(|&i| st.planned.get(i).is_some_and(|p| p.address == address));
        match hit {
            Some(i) => folds.push(i),
            None => break,
        }
    }
    if folds.len() == changes.len() {
        let mut unknowns = unknowns.into_iter().peekable();
        for (n, (c, i)) in changes.into_iter().zip(folds).enumerate() {
            let aside = unknowns.next_if(|(m, _)| *m == n).map(|(_, u)| u);
            if let Some(r) = st.planned.get_mut(i) {
                r.action = c.action.unwrap_or(Action::NoOp);
                match c.unknown {
                    Unknown::Absent => {}
                    Unknown::Empty => r.unknown = Attrs::new(),
                    Unknown::Aside => r.unknown = aside.unwrap_or_default(),
                }
            }
        }
    } else {
        drop(changes);
        let mut de = serde_json::Deserializer::from_slice(changes_bytes);
        ChangesSeed {
            st: &mut st,
            index: &index,
        }
        .deserialize(&mut de)
        .ok()?;
    }
    Some(st)
}

/// What follows `resource_changes`, which ends at `end`: `Some(None)` when the document ends
/// there, `Some(Some(st))` for the members after it (read as an object of their own, from a copy
/// whose string offsets are mapped back to the input's), `None` when it cannot be read in part.
fn read_after_changes<'o>(
    bytes: &[u8],
    end: usize,
    file: &Arc<str>,
    opts: &ReadOptions<'o>,
) -> Option<Option<St<'o>>> {
    let mut p = end;
    while bytes.get(p).is_some_and(|&c| is_ws(c)) {
        p += 1;
    }
    match bytes.get(p)? {
        b'}' => {
            if bytes.get(p + 1..)?.iter().any(|&c| !is_ws(c)) {
                return None;
            }
            Some(None)
        }
        b',' => {
            let rest = bytes.get(p + 1..)?;
            if rest.iter().find(|&&c| !is_ws(c)) == Some(&b'}') {
                return None;
            }
            let mut tail = Vec::with_capacity(rest.len() + 1);
            tail.push(b'{');
            tail.extend_from_slice(rest);
            let mut t = new_st(&tail, file, opts);
            t.shift = p;
            let mut de = serde_json::Deserializer::from_slice(&tail);
            TopSeed { st: &mut t }
                .deserialize(&mut de)
                .and_then(|()| de.end())
                .ok()?;
            Some(Some(t))
        }
        _ => None,
    }
}

/// Add what the members after `resource_changes` gave to what the ones before it gave; `None`
/// when a top-level key was met twice (the one-thread reader's handling of that is left to it).
fn join(st: &mut St<'_>, t: St<'_>) -> Option<()> {
    for (i, k) in st.keys.iter().chain(&t.keys).enumerate() {
        if st.keys.iter().chain(&t.keys).skip(i + 1).any(|k2| k2 == k) {
            return None;
        }
    }
    if t.format_version.is_some() {
        st.format_version = t.format_version;
    }
    if t.terraform_version.is_some() {
        st.terraform_version = t.terraform_version;
    }
    if t.configuration.is_some() {
        st.configuration = t.configuration;
    }
    if !t.variables.is_empty() {
        st.variables = t.variables;
    }
    if t.saw_planned {
        st.saw_planned = true;
        st.planned = t.planned;
        st.planned_at = t.planned_at;
    }
    st.prior.extend(t.prior);
    Some(())
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

/// What the streaming pass collects.
struct St<'o> {
    full: bool,
    /// The input's address range, to tell where a borrowed string sits in it.
    base: usize,
    end: usize,
    names: Interner,
    /// The last type, name and provider name read ([`St::intern`]): instances of one block
    /// come one after another, so most are the same as the one before and need no hashing.
    last: [Name; 3],
    /// One name per entry of [`ATTRIBUTES`], filled as the keys are first met.
    attr_names: Vec<Option<Name>>,
    /// Attributes of the object being read, moved into an exactly sized [`Attrs`] at its end.
    scratch: Vec<(Name, Value)>,
    file: Arc<str>,
    progress: Option<&'o (dyn Fn(usize) + Sync)>,
    progress_bytes: Option<&'o (dyn Fn(usize) + Sync)>,
    /// Offset of the last address read, for `progress_bytes`.
    last_at: usize,
    count: usize,
    format_version: Option<String>,
    terraform_version: Option<String>,
    saw_planned: bool,
    saw_changes: bool,
    /// `planned_values` resources, already in their final shape; changes fold into them.
    planned: Vec<Resource>,
    /// Byte offset of each planned resource's address value (`usize::MAX`: not known).
    planned_at: Vec<usize>,
    changes: Vec<(RawRes, usize)>,
    prior: Vec<(Resource, usize)>,
    configuration: Option<Configuration>,
    variables: BTreeMap<String, Value>,
    /// Skip every change's `before` and `after` (the changes thread of [`read_parallel`]).
    defer_values: bool,
    /// A change entry had two `address` keys: the deferred read cannot stand for the usual one.
    odd: bool,
    /// Reading the text before `resource_changes` ([`read_parallel`]): a top-level `resource_changes`
    /// there means the guess was wrong.
    head_only: bool,
    /// That text ended where a top-level key was expected.
    head_ended: bool,
    /// The top-level keys met, in order (to refuse duplicates when reading in parts).
    keys: Vec<Vec<u8>>,
    /// Added to offsets: the input position of `base` when reading a copy of its tail.
    shift: usize,
    /// The changes read by the changes thread of [`read_parallel`].
    deferred: Vec<Deferred>,
    /// Addresses of deferred changes that have escapes, by position in `deferred`.
    deferred_owned: Vec<(usize, Box<str>)>,
    /// Non-empty `after_unknown`s of deferred changes, by position in `deferred`.
    deferred_unknown: Vec<(usize, Attrs)>,
}

impl St<'_> {
    /// Where a string borrowed from the input starts, as a byte offset (`usize::MAX` for a
    /// copy, which lives elsewhere).
    fn offset(&self, s: &str) -> usize {
        let p = s.as_ptr() as usize;
        if p >= self.base && p < self.end {
            p - self.base + self.shift
        } else {
            usize::MAX
        }
    }

    /// The shared name for a record field: slot 0 the type, 1 the name, 2 the provider name.
    fn intern(&mut self, slot: usize, s: &str) -> Name {
        if let Some(last) = self.last.get(slot)
            && last.as_str() == s
        {
            return last.clone();
        }
        let n = self.names.get(s);
        if let Some(last) = self.last.get_mut(slot) {
            last.clone_from(&n);
        }
        n
    }

    fn tick(&mut self) {
        self.count += 1;
        if self.count.is_multiple_of(4096) {
            if let Some(progress) = self.progress {
                progress(self.count);
            }
            if let Some(progress) = self.progress_bytes
                && self.last_at != usize::MAX
            {
                progress(self.last_at);
            }
        }
    }
}

/// A change read without its values ([`read_parallel`]), kept to 16 bytes (100,000 of them sit
/// beside the planned records at the reader's peak of memory): where its address sits in the
/// input, its action, and what its `after_unknown` was. An address with escapes and a
/// non-empty `after_unknown` are kept on the side ([`St::deferred_owned`], [`St::deferred_unknown`]).
struct Deferred {
    /// Offset of the address text; `usize::MAX`: a copy on the side.
    at: usize,
    action: Option<Action>,
    unknown: Unknown,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Unknown {
    Absent,
    Empty,
    Aside,
}

/// A resource change that did not fold into a planned record (a deletion, mostly).
#[derive(Default)]
struct RawRes {
    address: String,
    module_address: Option<Name>,
    mode: Option<Mode>,
    kind: Name,
    name: Name,
    index: Option<IndexKey>,
    provider_name: Name,
    values: Option<Attrs>,
    before: Option<Attrs>,
    unknown: Option<Attrs>,
    action: Option<Action>,
}

/// A short string value kept in a record (address, type, name), borrowed from the input when it
/// has no escapes; checked to be UTF-8.
struct Str<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Str<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// A map key (or an `actions` word), as raw bytes: it is only compared with the names the reader
/// knows, so it is not checked to be UTF-8, which saved a fifth of the reader's instructions (most
/// keys are skipped; the floor does not check skipped text either). A key that is kept (an
/// attribute name) is checked when kept ([`key_str`]).
struct Key<'de>(Cow<'de, [u8]>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v)))
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v.as_bytes())))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.as_bytes().to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.into_bytes())))
            }
        }
        d.deserialize_bytes(V)
    }
}

/// A kept key as text; not UTF-8 is the same syntax error serde_json gives for a string, at the
/// same position (just after the key).
fn key_str<'k, E: de::Error>(key: &'k Key<'_>) -> Result<&'k str, E> {
    std::str::from_utf8(&key.0).map_err(|_| E::custom(MARK_UNICODE))
}

fn mode_of(m: &[u8]) -> Mode {
    if m == b"data" {
        Mode::Data
    } else {
        Mode::Managed
    }
}

/// Terraform's `actions` list folded as it is read (see [`Action::from_actions`]).
struct ActionsValue(Action);

impl<'de> Deserialize<'de> for ActionsValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ActionsValue;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of actions")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ActionsValue, A::Error> {
                let (mut create, mut delete, mut update, mut read) = (false, false, false, false);
                while let Some(a) = seq.next_element::<Key>()? {
                    match &*a.0 {
                        b"create" => create = true,
                        b"delete" => delete = true,
                        b"update" => update = true,
                        b"read" => read = true,
                        _ => {}
                    }
                }
                Ok(ActionsValue(match (create, delete) {
                    (true, true) => Action::Replace,
                    (true, false) => Action::Create,
                    (false, true) => Action::Delete,
                    _ if update => Action::Update,
                    _ if read => Action::Read,
                    _ => Action::NoOp,
                }))
            }
        }
        d.deserialize_seq(V)
    }
}

/// A planned (or prior-state) resource in its final shape, before placement.
fn new_resource(file: &Arc<str>) -> Resource {
    Resource {
        address: String::new(),
        module: Name::default(),
        mode: Mode::Managed,
        kind: Name::default(),
        name: Name::default(),
        index: None,
        provider: Name::default(),
        provider_name: Name::default(),
        provider_config_key: None,
        action: Action::NoOp,
        attributes: Attrs::new(),
        unknown: Attrs::new(),
        placement: Placement::default(),
        location: SourceLoc {
            file: file.clone(),
            line: None,
            column: None,
        },
        origin: Origin::Plan,
    }
}

// ---- top level ----------------------------------------------------------------------------

struct TopSeed<'p, 'o> {
    st: &'p mut St<'o>,
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
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let st = self.st;
        loop {
            let key = match map.next_key::<Key>() {
                Ok(Some(key)) => key,
                Ok(None) => break,
                Err(e) => {
                    st.head_ended = st.head_only;
                    return Err(e);
                }
            };
            st.keys.push(key.0.to_vec());
            match &*key.0 {
                b"resource_changes" if st.head_only => {
                    return Err(de::Error::custom("resource_changes"));
                }
                b"format_version" => {
                    let v: String = map.next_value()?;
                    let major = v.split('.').next().unwrap_or("");
                    if major != "1" {
                        return Err(de::Error::custom(format!("{MARK_VERSION}{v}")));
                    }
                    st.format_version = Some(v);
                }
                b"terraform_version" => st.terraform_version = Some(map.next_value()?),
                b"values" => return Err(de::Error::custom(MARK_STATE)),
                b"lineage" | b"serial" | b"resources" => {
                    return Err(de::Error::custom(MARK_RAW_STATE));
                }
                b"planned_values" => {
                    st.saw_planned = true;
                    map.next_value_seed(RootSeed {
                        st: &mut *st,
                        prior: false,
                    })?;
                }
                b"prior_state" => {
                    map.next_value_seed(PriorSeed { st: &mut *st })?;
                }
                b"resource_changes" => {
                    st.saw_changes = true;
                    // Terraform writes `planned_values` first: changes to resources already read
                    // are folded into them as they stream past (only the action and
                    // `after_unknown` are kept); the rest (deletions) become records of their own.
                    let index = address_index(&st.planned);
                    map.next_value_seed(ChangesSeed {
                        st: &mut *st,
                        index: &index,
                    })?;
                }
                b"configuration" => st.configuration = Some(map.next_value()?),
                b"variables" => {
                    let vars: BTreeMap<String, Variable> = map.next_value()?;
                    st.variables = vars
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
struct RootSeed<'p, 'o> {
    st: &'p mut St<'o>,
    prior: bool,
}

impl<'de> DeserializeSeed<'de> for RootSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for RootSeed<'_, '_> {
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
            if &*key.0 == b"root_module" {
                map.next_value_seed(ModuleSeed {
                    st: &mut *self.st,
                    prior: self.prior,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// `prior_state`: `{ "values": { "root_module": … } }`.
struct PriorSeed<'p, 'o> {
    st: &'p mut St<'o>,
}

impl<'de> DeserializeSeed<'de> for PriorSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for PriorSeed<'_, '_> {
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
            if &*key.0 == b"values" {
                map.next_value_seed(RootSeed {
                    st: &mut *self.st,
                    prior: true,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// A module in `planned_values`: `resources`, `address`, `child_modules` (recursive).
struct ModuleSeed<'p, 'o> {
    st: &'p mut St<'o>,
    prior: bool,
}

impl<'de> DeserializeSeed<'de> for ModuleSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for ModuleSeed<'_, '_> {
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
        let st = self.st;
        let start = if self.prior {
            st.prior.len()
        } else {
            st.planned.len()
        };
        let mut address = Name::default();
        // Resources of child modules already carry their module; ours get it at the end
        // (Terraform writes `address` after `resources`).
        let mut mine: Vec<(usize, usize)> = Vec::new();
        while let Some(key) = map.next_key::<Key>()? {
            match &*key.0 {
                b"resources" => {
                    let from = if self.prior {
                        st.prior.len()
                    } else {
                        st.planned.len()
                    };
                    map.next_value_seed(ResSeqSeed {
                        st: &mut *st,
                        prior: self.prior,
                    })?;
                    let to = if self.prior {
                        st.prior.len()
                    } else {
                        st.planned.len()
                    };
                    mine.push((from, to));
                }
                b"child_modules" => map.next_value_seed(ModuleSeqSeed {
                    st: &mut *st,
                    prior: self.prior,
                })?,
                b"address" => {
                    let a: Str = map.next_value()?;
                    address = st.names.get(&a.0);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let _ = start;
        for (from, to) in mine {
            for i in from..to {
                let r = if self.prior {
                    st.prior.get_mut(i).map(|(r, _)| r)
                } else {
                    st.planned.get_mut(i)
                };
                if let Some(r) = r {
                    r.module = address.clone();
                }
            }
        }
        Ok(())
    }
}

struct ModuleSeqSeed<'p, 'o> {
    st: &'p mut St<'o>,
    prior: bool,
}

impl<'de> DeserializeSeed<'de> for ModuleSeqSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for ModuleSeqSeed<'_, '_> {
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
                st: &mut *self.st,
                prior: self.prior,
            })?
            .is_some()
        {}
        Ok(())
    }
}

/// `resource_changes`.
struct ChangesSeed<'p, 'o> {
    st: &'p mut St<'o>,
    index: &'p HashMap<u64, usize, FnvBuild>,
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
                st: &mut *self.st,
                index: self.index,
            };
            match seq.next_element_seed(seed)? {
                None => break,
                Some(Some((r, at))) if self.st.defer_values => {
                    let n = self.st.deferred.len();
                    if at == usize::MAX {
                        self.st.deferred_owned.push((n, r.address.into_boxed_str()));
                    }
                    let unknown = match r.unknown {
                        None => Unknown::Absent,
                        Some(u) if u.is_empty() => Unknown::Empty,
                        Some(u) => {
                            self.st.deferred_unknown.push((n, u));
                            Unknown::Aside
                        }
                    };
                    self.st.deferred.push(Deferred {
                        at,
                        action: r.action,
                        unknown,
                    });
                }
                Some(Some(r)) => self.st.changes.push(r),
                Some(None) => {}
            }
            self.st.tick();
        }
        Ok(())
    }
}

fn hash_address(a: &str) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = FnvBuild.build_hasher();
    h.write(a.as_bytes());
    h.finish()
}

/// Address hash → position in `planned`. A (vanishingly rare) hash collision is checked against
/// the stored address and falls back to a record of its own.
fn address_index(planned: &[Resource]) -> HashMap<u64, usize, FnvBuild> {
    let mut ix = HashMap::with_capacity_and_hasher(planned.len(), FnvBuild);
    for (i, r) in planned.iter().enumerate() {
        ix.entry(hash_address(&r.address)).or_insert(i);
    }
    ix
}

/// The fields that name a resource, which a planned or prior record and a change entry both
/// carry under the same keys.
struct Identity<'r> {
    kind: &'r mut Name,
    name: &'r mut Name,
    index: &'r mut Option<IndexKey>,
    provider_name: &'r mut Name,
}

/// The [`Identity`] fields of a record or change entry (both name them alike).
macro_rules! identity {
    ($r:expr) => {
        Identity {
            kind: &mut $r.kind,
            name: &mut $r.name,
            index: &mut $r.index,
            provider_name: &mut $r.provider_name,
        }
    };
}

/// Read the value of `key` into `id` when it is one of the identity keys (`type`, `name`,
/// `index`, `provider_name`); `Ok(false)`, with the value left unread, for any other key.
fn read_identity<'de, A: MapAccess<'de>>(
    st: &mut St<'_>,
    key: &[u8],
    map: &mut A,
    id: Identity<'_>,
) -> Result<bool, A::Error> {
    match key {
        b"type" => *id.kind = st.intern(0, &map.next_value::<Str>()?.0),
        b"name" => *id.name = st.intern(1, &map.next_value::<Str>()?.0),
        b"index" => *id.index = map.next_value::<Option<IndexValue>>()?.map(|i| i.0),
        b"provider_name" => *id.provider_name = st.intern(2, &map.next_value::<Str>()?.0),
        _ => return Ok(false),
    }
    Ok(true)
}

/// One `resource_changes` entry: folded into its planned record when there is one (returns
/// `None`), else read whole, with the offset of its address.
struct ChangeEntrySeed<'p, 'o> {
    st: &'p mut St<'o>,
    index: &'p HashMap<u64, usize, FnvBuild>,
}

impl<'de> DeserializeSeed<'de> for ChangeEntrySeed<'_, '_> {
    type Value = Option<(RawRes, usize)>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ChangeEntrySeed<'_, '_> {
    type Value = Option<(RawRes, usize)>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a resource change object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let st = self.st;
        let mut r = RawRes::default();
        let mut at = usize::MAX;
        let mut target: Option<usize> = None;
        while let Some(key) = map.next_key::<Key>()? {
            match &*key.0 {
                b"address" => {
                    let a: Str = map.next_value()?;
                    if st.defer_values && (!r.address.is_empty() || at != usize::MAX) {
                        st.odd = true;
                    }
                    st.last_at = st.offset(&a.0);
                    let hit = self
                        .index
                        .get(&hash_address(&a.0))
                        .copied()
                        .filter(|&i| st.planned.get(i).is_some_and(|p| p.address == *a.0));
                    match hit {
                        Some(i) => target = Some(i),
                        None => {
                            at = st.offset(&a.0);
                            r.address = a.0.into_owned();
                        }
                    }
                }
                b"change" if target.is_some() => map.next_value_seed(ChangeSeed {
                    r: &mut r,
                    st: &mut *st,
                    skip_values: true,
                })?,
                _ if target.is_some() => {
                    map.next_value::<IgnoredAny>()?;
                }
                // A deferred change keeps only its address, action and `after_unknown`.
                _ if st.defer_values && &*key.0 != b"change" => {
                    map.next_value::<IgnoredAny>()?;
                }
                b"module_address" => {
                    let m: Str = map.next_value()?;
                    r.module_address = Some(st.names.get(&m.0));
                }
                b"mode" => {
                    let m: Key = map.next_value()?;
                    r.mode = Some(mode_of(&m.0));
                }
                b"change" => map.next_value_seed(ChangeSeed {
                    r: &mut r,
                    st: &mut *st,
                    skip_values: false,
                })?,
                other => {
                    if !read_identity(st, other, &mut map, identity!(r))? {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
        }
        let Some(i) = target else {
            return Ok(Some((r, at)));
        };
        if let Some(p) = st.planned.get_mut(i) {
            p.action = r.action.unwrap_or(Action::NoOp);
            if let Some(u) = r.unknown {
                p.unknown = u;
            }
        }
        Ok(None)
    }
}

/// A list of resource objects in a module.
struct ResSeqSeed<'p, 'o> {
    st: &'p mut St<'o>,
    prior: bool,
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
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let st = self.st;
        while let Some((r, at)) = seq.next_element_seed(ResSeed { st: &mut *st })? {
            if self.prior {
                st.prior.push((r, at));
            } else {
                st.planned.push(r);
                st.planned_at.push(at);
                st.tick();
            }
        }
        Ok(())
    }
}

/// One resource object of a module (`planned_values` or `prior_state`).
struct ResSeed<'p, 'o> {
    st: &'p mut St<'o>,
}

impl<'de> DeserializeSeed<'de> for ResSeed<'_, '_> {
    type Value = (Resource, usize);
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ResSeed<'_, '_> {
    type Value = (Resource, usize);
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a resource object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let st = self.st;
        let mut r = new_resource(&st.file);
        let mut at = usize::MAX;
        while let Some(key) = map.next_key::<Key>()? {
            match &*key.0 {
                b"address" => {
                    let a: Str = map.next_value()?;
                    at = st.offset(&a.0);
                    if at != usize::MAX {
                        st.last_at = at;
                    }
                    r.address = a.0.into_owned();
                }
                b"mode" => {
                    let m: Key = map.next_value()?;
                    r.mode = mode_of(&m.0);
                }
                b"values" => {
                    if let Some(v) = map.next_value_seed(AttrSeed { st: &mut *st })? {
                        r.attributes = v;
                    }
                }
                other => {
                    if !read_identity(st, other, &mut map, identity!(r))? {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
        }
        r.provider = provider_of(&mut st.names, &r.provider_name, &r.kind);
        Ok((r, at))
    }
}

/// The short provider name: from `provider_name`, else the type's prefix.
fn provider_of(names: &mut Interner, provider_name: &str, kind: &str) -> Name {
    if provider_name.is_empty() {
        names.get(kind.split('_').next().unwrap_or(""))
    } else {
        names.get(short_provider(provider_name))
    }
}

struct ChangeSeed<'r, 'p, 'o> {
    r: &'r mut RawRes,
    st: &'p mut St<'o>,
    /// The planned record already has the values: skip `before` and `after`.
    skip_values: bool,
}

impl<'de> DeserializeSeed<'de> for ChangeSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ChangeSeed<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a change object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let st = self.st;
        while let Some(key) = map.next_key::<Key>()? {
            match &*key.0 {
                b"actions" => self.r.action = Some(map.next_value::<ActionsValue>()?.0),
                b"before" | b"after" if self.skip_values || st.defer_values => {
                    map.next_value::<IgnoredAny>()?;
                }
                b"before" => self.r.before = map.next_value_seed(AttrSeed { st: &mut *st })?,
                b"after" => self.r.values = map.next_value_seed(AttrSeed { st: &mut *st })?,
                b"after_unknown" => {
                    self.r.unknown = map.next_value_seed(AttrSeed { st: &mut *st })?;
                }
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
struct AttrSeed<'p, 'o> {
    st: &'p mut St<'o>,
}

impl<'de> DeserializeSeed<'de> for AttrSeed<'_, '_> {
    type Value = Option<Attrs>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for AttrSeed<'_, '_> {
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
        let st = self.st;
        let full = st.full;
        // Values are read into `scratch` (nested objects cannot reach it: `Value` reads them),
        // so the record's own vector is allocated once, at its final size.
        st.scratch.clear();
        while let Some(key) = map.next_key::<Key>()? {
            let known = attribute_index(&key.0);
            if full || known.is_some() {
                // A key of the list is ASCII (no check needed) and has its name already once met.
                let cached = known.and_then(|i| st.attr_names.get(i).cloned().flatten());
                let name = match cached {
                    Some(n) => n,
                    None => {
                        let n = st.names.get(key_str(&key)?);
                        if let Some(slot) = known.and_then(|i| st.attr_names.get_mut(i)) {
                            *slot = Some(n.clone());
                        }
                        n
                    }
                };
                let v: Value = map.next_value()?;
                match st.scratch.iter_mut().find(|(k, _)| *k == name) {
                    Some(slot) => slot.1 = v,
                    None => st.scratch.push((name, v)),
                }
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Some(Attrs::from_vec(st.scratch.drain(..).collect())))
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
        r.provider.to_string()
    }
}

// ---- merging --------------------------------------------------------------------------------

fn to_resource(raw: RawRes, names: &mut Interner, file: &Arc<str>, action: Action) -> Resource {
    let provider = provider_of(names, &raw.provider_name, &raw.kind);
    let module = match raw.module_address {
        Some(m) => m,
        None => names.get(&module_of(&raw.address)),
    };
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

/// The planned records with the changes not folded while streaming (deletions, changes without
/// a planned value) and the prior state's resources; and each one's address offset.
fn merge(st: &mut St<'_>) -> (Vec<Resource>, Vec<usize>) {
    let mut out = std::mem::take(&mut st.planned);
    let mut at = std::mem::take(&mut st.planned_at);
    let changes = std::mem::take(&mut st.changes);
    let prior = std::mem::take(&mut st.prior);
    if changes.is_empty() && prior.is_empty() {
        return (out, at);
    }
    // Index what we have by address hash (checked against the address).
    let mut index = address_index(&out);
    let find = |index: &HashMap<u64, usize, FnvBuild>, out: &[Resource], a: &str| {
        index
            .get(&hash_address(a))
            .copied()
            .filter(|&i| out.get(i).is_some_and(|r| r.address == a))
    };
    for (raw, off) in changes {
        let action = raw.action.unwrap_or(Action::NoOp);
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
                out.push(to_resource(raw, &mut st.names, &st.file, action));
                at.push(off);
            }
        }
    }
    for (mut res, off) in prior {
        match find(&index, &out, &res.address) {
            Some(i) => {
                if let Some(r) = out.get_mut(i)
                    && r.action == Action::Delete
                    && r.attributes.is_empty()
                {
                    r.attributes = res.attributes;
                }
            }
            None => {
                index.insert(hash_address(&res.address), out.len());
                res.action = Action::Existing;
                out.push(res);
                at.push(off);
            }
        }
    }
    (out, at)
}

// ---- locations --------------------------------------------------------------------------------

/// The start of the `"address"` key whose string value begins at `value` (just after its
/// opening quote).
fn key_before(bytes: &[u8], value: usize) -> Option<usize> {
    let mut p = value.checked_sub(1)?;
    if bytes.get(p) != Some(&b'"') {
        return None;
    }
    while p > 0 && bytes.get(p - 1).is_some_and(|&b| is_ws(b)) {
        p -= 1;
    }
    p = p.checked_sub(1)?;
    if bytes.get(p) != Some(&b':') {
        return None;
    }
    while p > 0 && bytes.get(p - 1).is_some_and(|&b| is_ws(b)) {
        p -= 1;
    }
    let start = p.checked_sub(9)?;
    (bytes.get(start..p) == Some(b"\"address\"")).then_some(start)
}

/// Record the line and column of each resource's `"address"`: where the reader saw it (`at`,
/// the offset of the value), else the first `"address": "<addr>"` in the file (addresses with
/// escapes, which the reader could not borrow).
fn locate(bytes: &[u8], resources: &mut [Resource], at: &[usize], bom: usize) {
    let mut found: Vec<(usize, usize)> = Vec::with_capacity(resources.len());
    let mut want: HashMap<&str, usize, FnvBuild> = HashMap::with_hasher(FnvBuild);
    for (i, r) in resources.iter().enumerate() {
        match at
            .get(i)
            .copied()
            .filter(|&o| o != usize::MAX)
            .and_then(|o| key_before(bytes, o))
        {
            Some(k) => found.push((k, i)),
            None => {
                want.entry(r.address.as_str()).or_insert(i);
            }
        }
    }
    if !want.is_empty() {
        search(bytes, &mut want, &mut found);
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

/// Find the first `"address": "<addr>"` of each wanted address.
fn search(
    bytes: &[u8],
    want: &mut HashMap<&str, usize, FnvBuild>,
    found: &mut Vec<(usize, usize)>,
) {
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

    /// Read both ways; the two-thread read must give exactly the one-thread result or error.
    fn both(bytes: &[u8]) -> Result<Plan, ScanError> {
        let o = ReadOptions::default();
        let one = read_plan_from(bytes, "p.json", &o, usize::MAX);
        let two = read_plan_from(bytes, "p.json", &o, 0);
        assert_eq!(one, two, "{}", String::from_utf8_lossy(bytes));
        one
    }

    /// Whether the two-thread reader accepted the input (rather than handing it back).
    fn went_parallel(bytes: &[u8]) -> bool {
        read_parallel(bytes, &Arc::from("p.json"), &ReadOptions::default()).is_some()
    }

    /// A plan shaped like the bench's (`bench/scan`): modules, `count` instances, providers
    /// with regions, variables; `deleted` extra changes without a planned record and a prior
    /// state when asked.
    fn generated(n: usize, deleted: usize, prior: bool) -> String {
        let mut planned = Vec::new();
        let mut changes = Vec::new();
        for i in 0..n {
            let module = if i % 3 == 0 { "module.net." } else { "" };
            let addr = format!("{module}aws_s3_bucket.b_{}[{}]", i / 4, i % 4);
            let values = format!(
                r#"{{"bucket":"b-{i}","tags":{{"Owner":"x\"y"}},"server_side_encryption_configuration":[]}}"#
            );
            planned.push(format!(
                r#"{{"address":"{addr}","mode":"managed","type":"aws_s3_bucket","name":"b_{}","index":{},"provider_name":"registry.terraform.io/hashicorp/aws","values":{values}}}"#,
                i / 4,
                i % 4
            ));
            changes.push(format!(
                r#"{{"address":"{addr}","type":"aws_s3_bucket","name":"b_{}","provider_name":"registry.terraform.io/hashicorp/aws","change":{{"actions":["{}"],"before":null,"after":{values},"after_unknown":{{"arn":true}}}}}}"#,
                i / 4,
                if i % 2 == 0 { "create" } else { "update" }
            ));
        }
        for i in 0..deleted {
            changes.push(format!(
                r#"{{"address":"aws_instance.gone[{i}]","type":"aws_instance","name":"gone","provider_name":"registry.terraform.io/hashicorp/aws","change":{{"actions":["delete"],"before":{{"tenancy":"dedicated"}},"after":null}}}}"#
            ));
        }
        let prior = if prior {
            r#","prior_state":{"values":{"root_module":{"resources":[{"address":"aws_instance.old","type":"aws_instance","name":"old","values":{"tenancy":"default"}},{"address":"aws_s3_bucket.b_0[0]","type":"aws_s3_bucket","name":"b_0","values":{}}]}}}"#
        } else {
            ""
        };
        format!(
            r#"{{"format_version":"1.2","terraform_version":"1.9.0","variables":{{"region":{{"value":"ap-northeast-2"}}}},
"planned_values":{{"root_module":{{"resources":[{}]}}}},
"resource_changes":[{}]{prior},
"configuration":{{"provider_config":{{"aws":{{"name":"aws","expressions":{{"region":{{"references":["var.region"]}}}}}}}},"root_module":{{}}}},"timestamp":"2026-11-23T00:00:00Z"}}"#,
            planned.join(","),
            changes.join(",\n")
        )
    }

    #[test]
    fn two_threads_read_the_bench_shape_as_one_does() {
        let plain = generated(200, 0, false);
        assert!(went_parallel(plain.as_bytes()));
        assert_eq!(both(plain.as_bytes()).unwrap().resources.len(), 200);
        // Deletions need the changes' values: `resource_changes` is read again.
        let deleting = generated(200, 3, true);
        assert!(went_parallel(deleting.as_bytes()));
        let plan = both(deleting.as_bytes()).unwrap();
        // 200 planned, 3 deleted, and both prior records (the planned bucket sits in `module.net`).
        assert_eq!(plan.resources.len(), 205);
        let gone = plan
            .resources
            .iter()
            .find(|r| r.address == "aws_instance.gone[2]");
        assert_eq!(gone.map(|r| r.action), Some(Action::Delete));
        assert!(gone.is_some_and(|r| !r.attributes.is_empty()));
    }

    #[test]
    fn two_threads_read_the_example_plans_as_one_does() {
        let bytes = include_bytes!("../../../examples/scan/plan-multicloud.json");
        assert!(went_parallel(bytes));
        let plan = both(bytes).unwrap();
        assert!(plan.resources.iter().any(|r| r.action == Action::Delete));
        // With a byte-order mark (positions shift by one column on line 1 only).
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(bytes);
        both(&bom).unwrap();
    }

    #[test]
    fn two_threads_keep_order_duplicates_and_missing_sections() {
        let p = r#""planned_values":{"root_module":{"resources":[{"address":"a.b","type":"a","name":"b","values":{}}]}}"#;
        let c = r#""resource_changes":[{"address":"a.b","change":{"actions":["delete"],"before":{"x":1}}},{"address":"c.d","type":"c","name":"d","change":{"actions":["delete"],"before":{"tenancy":"host"}}}]"#;
        let g = r#""configuration":{"provider_config":{"a":{"name":"a","expressions":{"region":{"constant_value":"eu-west-1"}}}}}"#;
        let v = r#""format_version":"1.1""#;
        let cases = [
            format!("{{{v},{p},{c},{g}}}"),
            format!("{{{g},{c},{p},{v}}}"),
            format!("{{ {c} ,\n {v} , {p} }}\n"),
            // Duplicate top-level keys: serde_json's one-thread reading (the later one wins).
            format!("{{{v},{p},{c},{c},{g}}}"),
            format!("{{{v},{p},{c},{p}}}"),
            format!("{{{v},{v},{p},{c}}}"),
            // Sections missing.
            format!("{{{v},{p}}}"),
            format!("{{{v},{c}}}"),
            format!("{{{v},{g}}}"),
            format!("{{{p},{c}}}"),
            // An escaped key is left to the one-thread reader.
            format!("{{\"format_\\u0076ersion\":\"1.0\",{p},{c}}}"),
        ];
        for case in &cases {
            let _ = both(case.as_bytes());
        }
        assert!(went_parallel(cases[1].as_bytes()));
        assert!(!went_parallel(cases[3].as_bytes()));
        assert!(both(cases[6].as_bytes()).is_ok());
        assert!(both(cases[9].as_bytes()).is_err());
    }

    #[test]
    fn two_threads_give_the_one_thread_errors() {
        let text = generated(20, 2, true);
        let bytes = text.as_bytes();
        // Every truncation, and every bracket, quote, comma or colon broken.
        for cut in (0..bytes.len()).step_by(7) {
            let _ = both(bytes.get(..cut).unwrap());
        }
        for (i, &b) in bytes.iter().enumerate() {
            if matches!(b, b'{' | b'}' | b'[' | b']' | b'"' | b',' | b':') && i % 3 == 0 {
                for with in [b' ', b'x', b'}', b'"'] {
                    let mut broken = bytes.to_vec();
                    if let Some(c) = broken.get_mut(i) {
                        *c = with;
                    }
                    let _ = both(&broken);
                }
            }
        }
        assert!(both(b"{\"format_version\":\"1.2\",\"planned_values\":{}} x").is_err());
        assert!(both(b"{\"format_version\":\"1.2\",\"planned_values\":{},\"values\":{}}").is_err());
        assert!(
            both(b"{\"format_version\":\"9\",\"resource_changes\":[],\"planned_values\":{}}")
                .is_err()
        );
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Shuffled top-level members, any byte replaced: the same plan or the same error.
        #[test]
        fn two_threads_match_one_on_shuffled_and_damaged_plans(
            order in proptest::sample::subsequence((0..5usize).collect::<Vec<_>>(), 0..=5)
                .prop_shuffle(),
            at in 0usize..4000,
            with in proptest::sample::select(b" x{}[]\",:\\0".to_vec()),
        ) {
            let parts = [
                r#""format_version":"1.2""#.to_owned(),
                r#""planned_values":{"root_module":{"resources":[{"address":"a.b[0]","type":"a","name":"b","index":0,"values":{"tags":{"k":"v"}}}],"child_modules":[{"address":"module.m","resources":[{"address":"module.m.a.c","type":"a","name":"c","values":{}}]}]}}"#.to_owned(),
                r#""resource_changes":[{"address":"a.b[0]","change":{"actions":["create"],"after":{},"after_unknown":{"id":true}}},{"address":"x.y","mode":"data","type":"x","name":"y","change":{"actions":["read"],"after":{"a":[1,2.5e3,null,true]}}}]"#.to_owned(),
                r#""prior_state":{"values":{"root_module":{"resources":[{"address":"p.q","type":"p","name":"q","values":{"s":"\u00e9\n"}}]}}}"#.to_owned(),
                r#""configuration":{"provider_config":{"a":{"name":"a","expressions":{"region":{"constant_value":"ap-northeast-2"}}}},"root_module":{"module_calls":{"m":{"module":{}}}}}"#.to_owned(),
            ];
            let text = format!("{{{}}}", order.iter().filter_map(|&i| parts.get(i).cloned()).collect::<Vec<_>>().join(",\n"));
            both(text.as_bytes()).ok();
            let mut broken = text.into_bytes();
            let n = broken.len();
            if let Some(c) = broken.get_mut(at % n.max(1)) {
                *c = with;
            }
            both(&broken).ok();
        }
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
