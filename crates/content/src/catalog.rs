//! Catalog and crosswalk files to model types, with parent and reference checks.

use std::collections::{BTreeMap, BTreeSet};

use kcvs_model::*;

use crate::error::{LoadErrorKind, What};
use crate::files::*;
use crate::load::{Cx, check_ref, provenance, text};

pub(crate) fn convert_catalog(
    cx: &mut Cx,
    sources: &BTreeSet<String>,
    cf: &CatalogF,
) -> Option<Catalog> {
    let base = provenance(cx, sources, &cf.provenance);
    let mut ids: BTreeSet<&str> = BTreeSet::new();
    for e in &cf.entries {
        if !ids.insert(e.id.value.as_str()) {
            cx.at(
                &e.id,
                LoadErrorKind::Duplicate {
                    what: What::CatalogEntry,
                    id: e.id.value.clone(),
                },
            );
        }
    }
    let parents: BTreeMap<&str, &str> = cf
        .entries
        .iter()
        .filter_map(|e| {
            e.parent
                .as_ref()
                .map(|p| (e.id.value.as_str(), p.value.as_str()))
        })
        .collect();
    let mut entries = Vec::new();
    for e in &cf.entries {
        let kind = cx.closed(
            &e.kind,
            What::EntryLevel,
            |s| match s {
                "area" => Some(EntryKind::Area),
                "group" => Some(EntryKind::Group),
                "control" => Some(EntryKind::Control),
                _ => None,
            },
            vec!["area", "group", "control"],
        );
        if let Some(p) = &e.parent {
            if !ids.contains(p.value.as_str()) {
                cx.unknown(p, What::CatalogEntry, &p.value, Vec::new());
            }
            // Walk up; a chain longer than the catalog is a cycle.
            let mut cur = e.id.value.as_str();
            let mut steps = 0;
            while let Some(next) = parents.get(cur) {
                steps += 1;
                if steps > cf.entries.len() {
                    cx.at(
                        p,
                        LoadErrorKind::Cycle {
                            what: What::CatalogEntry,
                            id: e.id.value.clone(),
                        },
                    );
                    break;
                }
                cur = next;
            }
        }
        let Some(kind) = kind else { continue };
        entries.push(CatalogEntry {
            id: ControlId::new(&e.id.value),
            parent: e.parent.as_ref().map(|p| ControlId::new(&p.value)),
            kind,
            title: text(&e.title),
            summary: e.summary.as_ref().map(text),
            counts: e.counts.clone(),
            tiers: e.tiers.clone(),
            text_public: e.text_public,
            provenance: match &e.provenance {
                Some(p) => provenance(cx, sources, p),
                None => base.clone(),
            },
        });
    }
    let totals = cf
        .totals
        .iter()
        .map(|t| CatalogTotal {
            key: t.key.clone(),
            controls: t.controls,
            areas: t.areas,
            provenance: provenance(cx, sources, &t.provenance),
        })
        .collect();
    Some(Catalog {
        id: CatalogId::new(&cf.id.value),
        name: text(&cf.name),
        version: cf.version.clone(),
        description: text(&cf.description),
        entries,
        totals,
        provenance: base,
    })
}

pub(crate) fn convert_crosswalk(
    cx: &mut Cx,
    sources: &BTreeSet<String>,
    catalogs: &[Catalog],
    xf: &CrosswalkF,
) -> Option<Crosswalk> {
    let base = provenance(cx, sources, &xf.provenance);
    let from_ok = check_ref(
        cx,
        &xf.from,
        What::Catalog,
        catalogs.iter().map(|c| c.id.as_str()),
    );
    let to_ok = check_ref(
        cx,
        &xf.to,
        What::Catalog,
        catalogs.iter().map(|c| c.id.as_str()),
    );
    if !(from_ok && to_ok) {
        return None;
    }
    let from_cat = catalogs.iter().find(|c| c.id.as_str() == xf.from.value)?;
    let to_cat = catalogs.iter().find(|c| c.id.as_str() == xf.to.value)?;
    let mut entries = Vec::new();
    for e in &xf.entries {
        let relation = cx.closed(
            &e.relation,
            What::Relation,
            Relation::parse,
            Relation::ALL.iter().map(|r| r.as_str()).collect(),
        );
        let from_known = check_ref(
            cx,
            &e.from,
            What::CatalogEntry,
            from_cat.entries.iter().map(|x| x.id.as_str()),
        );
        let mut to = Vec::new();
        for t in &e.to {
            if check_ref(
                cx,
                t,
                What::CatalogEntry,
                to_cat.entries.iter().map(|x| x.id.as_str()),
            ) {
                to.push(ControlId::new(&t.value));
            }
        }
        let (Some(relation), true) = (relation, from_known) else {
            continue;
        };
        entries.push(CrosswalkEntry {
            from: ControlId::new(&e.from.value),
            to,
            relation,
            rationale: text(&e.rationale),
            provenance: match &e.provenance {
                Some(p) => provenance(cx, sources, p),
                None => base.clone(),
            },
        });
    }
    Some(Crosswalk {
        id: xf.id.value.clone(),
        from: from_cat.id.clone(),
        to: to_cat.id.clone(),
        entries,
        provenance: base,
    })
}
