//! From pack files to a checked [`RuleSet`].
//!
//! Loading runs in two passes. First every file is parsed into its on-disk shape; then the shapes
//! are converted in dependency order (sources, assumptions, schemes, catalogs, crosswalks,
//! regimes), checking every reference. A later file replaces an earlier item with the same id,
//! which is how a user pack overrides a built-in rule. Errors are collected, not thrown, so one
//! run reports every broken reference.

use std::collections::{BTreeMap, BTreeSet};

use kcvs_model::*;
use serde::de::DeserializeOwned;
use serde_saphyr::Spanned;

use crate::error::{LoadError, LoadErrorKind, LoadErrors, What};
use crate::files::*;

/// One pack file: a name to show in errors and its text.
#[derive(Clone, Debug)]
pub struct PackFile {
    pub name: String,
    pub text: String,
}

/// Error sink bound to the file being converted.
pub(crate) struct Cx<'a> {
    pub file: String,
    pub errors: &'a mut Vec<LoadError>,
}

impl Cx<'_> {
    pub fn at<T>(&mut self, s: &Spanned<T>, kind: LoadErrorKind) {
        self.errors.push(LoadError {
            file: self.file.clone(),
            line: s.referenced.line(),
            column: s.referenced.column(),
            kind,
        });
    }

    pub fn unknown<T>(&mut self, s: &Spanned<T>, what: What, value: &str, expected: Vec<String>) {
        self.at(
            s,
            LoadErrorKind::Unknown {
                what,
                value: value.to_owned(),
                expected,
            },
        );
    }

    pub fn date(&mut self, s: &Spanned<String>) -> Option<Date> {
        match parse_date(&s.value) {
            Some(d) => Some(d),
            None => {
                self.at(
                    s,
                    LoadErrorKind::Invalid {
                        what: What::Date,
                        value: s.value.clone(),
                        expected: "a real calendar date written YYYY-MM-DD",
                        expected_ko: "YYYY-MM-DD 형식의 실제 날짜",
                    },
                );
                None
            }
        }
    }

    /// A closed-set spelling, reported with the allowed list when wrong.
    pub fn closed<T>(
        &mut self,
        s: &Spanned<String>,
        what: What,
        parse: impl Fn(&str) -> Option<T>,
        spellings: Vec<&'static str>,
    ) -> Option<T> {
        let parsed = parse(&s.value);
        if parsed.is_none() {
            self.unknown(
                s,
                what,
                &s.value,
                spellings.into_iter().map(str::to_owned).collect(),
            );
        }
        parsed
    }

    pub fn categories(&mut self, list: &[Spanned<String>]) -> DataSet {
        list.iter()
            .filter_map(|s| {
                self.closed(
                    s,
                    What::DataCategory,
                    DataCategory::parse,
                    DataCategory::spellings(),
                )
            })
            .collect()
    }
}

/// `YYYY-MM-DD` and a date that exists (2023-02-30 does not).
pub fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    if s.len() != 10 {
        return None;
    }
    s.parse::<Date>().ok()
}

/// Parse one document into its on-disk shape, mapping parser errors to a positioned error.
pub(crate) fn parse_doc<T: DeserializeOwned>(file: &str, text: &str) -> Result<T, LoadError> {
    serde_saphyr::from_str::<T>(text).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((0, 0));
        LoadError {
            file: file.to_owned(),
            line,
            column,
            kind: LoadErrorKind::Syntax(syntax_message(&e)),
        }
    })
}

/// The parser's message on one line, without its own snippet or position (we print those).
fn syntax_message(e: &serde_saphyr::Error) -> String {
    let full = e.without_snippet().to_string();
    let first = full.lines().next().unwrap_or("").trim();
    // The parser appends " at line L, column C"; the position is ours to print.
    match first.rfind(" at line ") {
        Some(i) => first[..i].to_owned(),
        None => first.to_owned(),
    }
}

enum Parsed {
    Sources(String, SourcesFile),
    Assumptions(String, AssumptionsFile),
    Schemes(String, SchemesFile),
    Kcmvp(String, KcmvpFile),
    Regions(String, RegionsFile),
    Regime(String, Box<RegimeF>),
    Catalog(String, CatalogF),
    Crosswalk(String, CrosswalkF),
}

const FILE_KINDS: &[&str] = &[
    "sources",
    "assumptions",
    "schemes",
    "kcmvp",
    "regions",
    "regime",
    "catalog",
    "crosswalk",
];

/// Parse one file into its shape. The `kind` is read first (a whole parse of the document)
/// unless the caller already knows it: `build.rs` records it for every built-in file, which
/// halves the cost of loading them (a scan's start-up is mostly this).
fn parse_file(
    f: &PackFile,
    known_kind: Option<&str>,
    errors: &mut Vec<LoadError>,
) -> Option<Parsed> {
    let name = f.name.clone();
    let kind = match known_kind.filter(|k| FILE_KINDS.contains(k)) {
        Some(k) => k.to_owned(),
        None => {
            let head: Head = match parse_doc(&name, &f.text) {
                Ok(h) => h,
                Err(e) => {
                    errors.push(e);
                    return None;
                }
            };
            match head.kind.value.as_str() {
                k if FILE_KINDS.contains(&k) => k.to_owned(),
                other => {
                    Cx {
                        file: name.clone(),
                        errors,
                    }
                    .unknown(
                        &head.kind,
                        What::FileKind,
                        other,
                        FILE_KINDS.iter().map(|s| s.to_string()).collect(),
                    );
                    return None;
                }
            }
        }
    };
    macro_rules! doc {
        ($variant:ident) => {
            match parse_doc(&name, &f.text) {
                Ok(v) => Some(Parsed::$variant(name, v)),
                Err(e) => {
                    errors.push(e);
                    None
                }
            }
        };
    }
    match kind.as_str() {
        "sources" => doc!(Sources),
        "assumptions" => doc!(Assumptions),
        "schemes" => doc!(Schemes),
        "kcmvp" => doc!(Kcmvp),
        "regions" => doc!(Regions),
        "regime" => match parse_doc::<RegimeF>(&name, &f.text) {
            Ok(v) => Some(Parsed::Regime(name, Box::new(v))),
            Err(e) => {
                errors.push(e);
                None
            }
        },
        "catalog" => doc!(Catalog),
        "crosswalk" => doc!(Crosswalk),
        // Unreachable: `kind` is one of FILE_KINDS, checked above.
        _ => None,
    }
}

/// Insert or replace by id, keeping first-seen order.
fn upsert<T>(list: &mut Vec<T>, item: T, same: impl Fn(&T, &T) -> bool) {
    match list.iter().position(|x| same(x, &item)) {
        Some(i) => list[i] = item,
        None => list.push(item),
    }
}

/// Load and check a set of pack files (built-in first, user packs after).
pub fn load(files: &[PackFile]) -> Result<RuleSet, LoadErrors> {
    load_kinds(files, &[])
}

/// [`load`], with the `kind` of the first files already known (`kinds[i]` for `files[i]`; a
/// missing or unknown entry is read from the file). Only for files whose kind was read by
/// `build.rs` from the same text.
pub(crate) fn load_kinds(
    files: &[PackFile],
    kinds: &[Option<&str>],
) -> Result<RuleSet, LoadErrors> {
    let mut errors = Vec::new();
    let parsed: Vec<Parsed> = files
        .iter()
        .enumerate()
        .filter_map(|(i, f)| parse_file(f, kinds.get(i).copied().flatten(), &mut errors))
        .collect();

    // Pass 1: sources, so everything after can check its citations.
    let mut sources: Vec<Source> = Vec::new();
    for p in &parsed {
        if let Parsed::Sources(file, sf) = p {
            let mut seen = BTreeSet::new();
            for s in &sf.sources {
                if !seen.insert(s.id.value.clone()) {
                    Cx {
                        file: file.clone(),
                        errors: &mut errors,
                    }
                    .at(
                        &s.id,
                        LoadErrorKind::Duplicate {
                            what: What::Source,
                            id: s.id.value.clone(),
                        },
                    );
                }
                upsert(
                    &mut sources,
                    Source {
                        id: SourceId::new(&s.id.value),
                        url: s.url.clone(),
                        title: text(&s.title),
                    },
                    |a, b| a.id == b.id,
                );
            }
        }
    }
    let source_ids: BTreeSet<String> = sources.iter().map(|s| s.id.to_string()).collect();

    // Pass 2: assumptions.
    let mut assumptions: Vec<Assumption> = Vec::new();
    for p in &parsed {
        if let Parsed::Assumptions(file, af) = p {
            let mut cx = Cx {
                file: file.clone(),
                errors: &mut errors,
            };
            for a in &af.assumptions {
                if let Some(conv) = convert_assumption(&mut cx, &source_ids, a) {
                    upsert(&mut assumptions, conv, |x, y| x.id == y.id);
                }
            }
        }
    }

    let mut schemes: Vec<Scheme> = Vec::new();
    let mut kcmvp: Option<KcmvpBaseline> = None;
    let mut regions = RegionTable::default();
    let mut catalogs: Vec<Catalog> = Vec::new();
    for p in &parsed {
        match p {
            Parsed::Schemes(file, sf) => {
                let mut cx = Cx {
                    file: file.clone(),
                    errors: &mut errors,
                };
                for s in &sf.schemes {
                    let scheme = Scheme {
                        id: SchemeId::new(&s.id.value),
                        name: text(&s.name),
                        levels: s.levels.clone(),
                        international: s.international,
                        catalog: s.catalog.as_ref().map(|c| CatalogId::new(&c.value)),
                        provenance: provenance(&mut cx, &source_ids, &s.provenance),
                    };
                    upsert(&mut schemes, scheme, |a, b| a.id == b.id);
                }
            }
            Parsed::Kcmvp(file, kf) => {
                let mut cx = Cx {
                    file: file.clone(),
                    errors: &mut errors,
                };
                let algorithms = kf
                    .algorithms
                    .iter()
                    .filter_map(|a| {
                        cx.closed(a, What::Algorithm, Algorithm::parse, Algorithm::spellings())
                    })
                    .collect();
                kcmvp = Some(KcmvpBaseline {
                    algorithms,
                    provenance: provenance(&mut cx, &source_ids, &kf.provenance),
                });
            }
            Parsed::Regions(file, rf) => {
                let mut cx = Cx {
                    file: file.clone(),
                    errors: &mut errors,
                };
                for r in &rf.regions {
                    let Some(country) = Country::parse(&r.country.value) else {
                        cx.at(
                            &r.country,
                            LoadErrorKind::Invalid {
                                what: What::Country,
                                value: r.country.value.clone(),
                                expected: "an ISO 3166-1 alpha-2 code such as `KR`",
                                expected_ko: "`KR` 같은 ISO 3166-1 두 글자 국가 코드",
                            },
                        );
                        continue;
                    };
                    regions.insert(RegionInfo {
                        provider: r.provider.clone(),
                        region: r.region.clone(),
                        country,
                        name: text(&r.name),
                        government_zone: r.government_zone,
                        provenance: provenance(&mut cx, &source_ids, &r.provenance),
                    });
                }
            }
            Parsed::Catalog(file, cf) => {
                let mut cx = Cx {
                    file: file.clone(),
                    errors: &mut errors,
                };
                if let Some(c) = crate::catalog::convert_catalog(&mut cx, &source_ids, cf) {
                    upsert(&mut catalogs, c, |a, b| a.id == b.id);
                }
            }
            _ => {}
        }
    }

    // Scheme → catalog references, now that catalogs are known.
    for p in &parsed {
        if let Parsed::Schemes(file, sf) = p {
            let mut cx = Cx {
                file: file.clone(),
                errors: &mut errors,
            };
            for s in &sf.schemes {
                if let Some(c) = &s.catalog {
                    check_ref(
                        &mut cx,
                        c,
                        What::Catalog,
                        catalogs.iter().map(|c| c.id.as_str()),
                    );
                }
            }
        }
    }

    let mut crosswalks: Vec<Crosswalk> = Vec::new();
    for p in &parsed {
        if let Parsed::Crosswalk(file, xf) = p {
            let mut cx = Cx {
                file: file.clone(),
                errors: &mut errors,
            };
            if let Some(x) = crate::catalog::convert_crosswalk(&mut cx, &source_ids, &catalogs, xf)
            {
                upsert(&mut crosswalks, x, |a, b| a.id == b.id);
            }
        }
    }

    let regime_files: Vec<(&String, &RegimeF)> = parsed
        .iter()
        .filter_map(|p| match p {
            Parsed::Regime(file, r) => Some((file, r.as_ref())),
            _ => None,
        })
        .collect();
    let refs = Refs {
        sources: &source_ids,
        assumptions: &assumptions,
        schemes: &schemes,
        catalogs: &catalogs,
    };
    let regimes = crate::regime::convert_regimes(&mut errors, &refs, &regime_files);

    let kcmvp = kcmvp.unwrap_or(KcmvpBaseline {
        algorithms: Vec::new(),
        provenance: Provenance {
            sources: Vec::new(),
            confidence: Confidence::Unknown,
            facts: String::new(),
            note: None,
        },
    });

    if errors.is_empty() {
        Ok(RuleSet {
            regimes,
            schemes,
            assumptions,
            sources,
            regions,
            catalogs,
            crosswalks,
            kcmvp,
        })
    } else {
        Err(LoadErrors(errors))
    }
}

/// What regimes may refer to.
pub(crate) struct Refs<'a> {
    pub sources: &'a BTreeSet<String>,
    pub assumptions: &'a [Assumption],
    pub schemes: &'a [Scheme],
    pub catalogs: &'a [Catalog],
}

pub(crate) fn check_ref<'a>(
    cx: &mut Cx,
    s: &Spanned<String>,
    what: What,
    known: impl Iterator<Item = &'a str>,
) -> bool {
    let known: Vec<String> = known.map(str::to_owned).collect();
    if known.iter().any(|k| k == &s.value) {
        true
    } else {
        cx.unknown(s, what, &s.value, known);
        false
    }
}

pub(crate) fn text(t: &TextF) -> Text {
    Text::new(t.en.clone(), t.ko.clone())
}

pub(crate) fn provenance(cx: &mut Cx, sources: &BTreeSet<String>, p: &ProvenanceF) -> Provenance {
    let confidence = cx
        .closed(
            &p.confidence,
            What::Confidence,
            |s| match s {
                "C" => Some(Confidence::Confirmed),
                "I" => Some(Confidence::Inferred),
                "U" => Some(Confidence::Unknown),
                _ => None,
            },
            vec!["C", "I", "U"],
        )
        .unwrap_or(Confidence::Unknown);
    let mut ids = Vec::new();
    for s in &p.sources {
        if check_ref(cx, s, What::Source, sources.iter().map(String::as_str)) {
            ids.push(SourceId::new(&s.value));
        }
    }
    Provenance {
        sources: ids,
        confidence,
        facts: p.facts.clone(),
        note: p.note.as_ref().map(text),
    }
}

fn convert_assumption(
    cx: &mut Cx,
    sources: &BTreeSet<String>,
    a: &AssumptionF,
) -> Option<Assumption> {
    let default = match a.kind.value.as_str() {
        "flag" => match a.default.value.as_str() {
            "true" => Some(AssumptionValue::Flag(true)),
            "false" => Some(AssumptionValue::Flag(false)),
            _ => {
                cx.unknown(
                    &a.default,
                    What::AssumptionValue,
                    &a.default.value,
                    vec!["true".into(), "false".into()],
                );
                None
            }
        },
        "date" => cx.date(&a.default).map(AssumptionValue::Date),
        "choice" => {
            if a.options.contains(&a.default.value) {
                Some(AssumptionValue::Choice(a.default.value.clone()))
            } else {
                cx.unknown(
                    &a.default,
                    What::AssumptionValue,
                    &a.default.value,
                    a.options.clone(),
                );
                None
            }
        }
        other => {
            cx.unknown(
                &a.kind,
                What::AssumptionType,
                other,
                vec!["flag".into(), "date".into(), "choice".into()],
            );
            None
        }
    }?;
    Some(Assumption {
        id: AssumptionId::new(&a.id.value),
        title: text(&a.title),
        default,
        options: a.options.clone(),
        provenance: provenance(cx, sources, &a.provenance),
    })
}

/// Parse a user's `--assume ID=VALUE` against the loaded assumption's type.
pub fn parse_assumption_value(a: &Assumption, raw: &str) -> Result<AssumptionValue, String> {
    match &a.default {
        AssumptionValue::Flag(_) => match raw {
            "true" | "yes" | "on" => Ok(AssumptionValue::Flag(true)),
            "false" | "no" | "off" => Ok(AssumptionValue::Flag(false)),
            _ => Err("`true` or `false`".to_owned()),
        },
        AssumptionValue::Date(_) => parse_date(raw)
            .map(AssumptionValue::Date)
            .ok_or_else(|| "a real calendar date written YYYY-MM-DD".to_owned()),
        AssumptionValue::Choice(_) => {
            if a.options.iter().any(|o| o == raw) {
                Ok(AssumptionValue::Choice(raw.to_owned()))
            } else {
                Err(format!("one of {}", a.options.join(", ")))
            }
        }
    }
}

/// Names of all items by kind, for `content validate` summaries.
pub fn summary(rules: &RuleSet) -> BTreeMap<&'static str, usize> {
    BTreeMap::from([
        ("regimes", rules.regimes.len()),
        ("schemes", rules.schemes.len()),
        ("assumptions", rules.assumptions.len()),
        ("sources", rules.sources.len()),
        ("regions", rules.regions.len()),
        ("catalogs", rules.catalogs.len()),
        (
            "catalog entries",
            rules.catalogs.iter().map(|c| c.entries.len()).sum(),
        ),
        ("crosswalks", rules.crosswalks.len()),
        (
            "crosswalk entries",
            rules.crosswalks.iter().map(|c| c.entries.len()).sum(),
        ),
    ])
}
