//! Regime files to model regimes, resolving `extends` (a scenario restates only what it changes).

use std::collections::BTreeMap;

use kcvs_model::*;
use serde_saphyr::Spanned;

use crate::error::{LoadError, LoadErrorKind, What};
use crate::files::*;
use crate::load::{Cx, Refs, check_ref, provenance, text};

pub(crate) fn convert_regimes(
    errors: &mut Vec<LoadError>,
    refs: &Refs,
    files: &[(&String, &RegimeF)],
) -> Vec<Regime> {
    // The last file with an id wins (user packs come after built-ins).
    let mut by_id: BTreeMap<&str, (&String, &RegimeF)> = BTreeMap::new();
    let mut order: Vec<&str> = Vec::new();
    for (file, r) in files {
        if by_id.insert(r.id.value.as_str(), (file, r)).is_none() {
            order.push(r.id.value.as_str());
        }
    }
    let mut done: BTreeMap<String, Option<Regime>> = BTreeMap::new();
    for id in &order {
        resolve(errors, refs, &by_id, id, &mut Vec::new(), &mut done);
    }
    order
        .iter()
        .filter_map(|id| done.get(*id).cloned().flatten())
        .collect()
}

fn resolve(
    errors: &mut Vec<LoadError>,
    refs: &Refs,
    by_id: &BTreeMap<&str, (&String, &RegimeF)>,
    id: &str,
    stack: &mut Vec<String>,
    done: &mut BTreeMap<String, Option<Regime>>,
) -> Option<Regime> {
    if let Some(r) = done.get(id) {
        return r.clone();
    }
    let (file, rf) = *by_id.get(id)?;
    let mut cx = Cx {
        file: file.clone(),
        errors,
    };
    if stack.iter().any(|s| s == id) {
        cx.at(
            &rf.id,
            LoadErrorKind::Cycle {
                what: What::Regime,
                id: id.to_owned(),
            },
        );
        return None;
    }
    let parent = match &rf.extends {
        Some(ext) => {
            if !by_id.contains_key(ext.value.as_str()) {
                cx.unknown(
                    ext,
                    What::Regime,
                    &ext.value,
                    by_id.keys().map(|k| k.to_string()).collect(),
                );
                None
            } else {
                stack.push(id.to_owned());
                let p = resolve(cx.errors, refs, by_id, &ext.value, stack, done);
                stack.pop();
                p
            }
        }
        None => None,
    };
    let mut cx = Cx {
        file: file.clone(),
        errors,
    };
    let regime = convert_one(&mut cx, refs, rf, parent);
    done.insert(id.to_owned(), regime.clone());
    regime
}

fn convert_one(cx: &mut Cx, refs: &Refs, rf: &RegimeF, parent: Option<Regime>) -> Option<Regime> {
    let status = cx.closed(
        &rf.status,
        What::RegimeStatus,
        RegimeStatus::parse,
        RegimeStatus::ALL.iter().map(|s| s.as_str()).collect(),
    )?;
    let kind = cx.closed(
        &rf.regime_kind,
        What::RegimeKind,
        |s| match s {
            "scheme" => Some(RegimeKind::Scheme),
            "grading" => Some(RegimeKind::Grading),
            "overlay" => Some(RegimeKind::Overlay),
            "amendment" => Some(RegimeKind::Amendment),
            _ => None,
        },
        vec!["scheme", "grading", "overlay", "amendment"],
    )?;
    let tiers: Vec<TierDef> = if rf.tiers.is_empty() {
        parent.as_ref().map(|p| p.tiers.clone()).unwrap_or_default()
    } else {
        rf.tiers
            .iter()
            .map(|t| TierDef {
                id: t.id.clone(),
                label: text(&t.label),
            })
            .collect()
    };
    if matches!(kind, RegimeKind::Scheme | RegimeKind::Grading) && tiers.is_empty() {
        cx.at(
            &rf.id,
            LoadErrorKind::Invalid {
                what: What::Tier,
                value: rf.id.value.clone(),
                expected: "a scheme regime with at least one tier under `tiers`",
                expected_ko: "`tiers`에 등급이 하나 이상 있는 제도",
            },
        );
        return None;
    }
    let tier_of = |cx: &mut Cx, s: &Spanned<String>| -> Option<TierRank> {
        let rank = tiers
            .iter()
            .position(|t| t.id == s.value)
            .and_then(|i| u8::try_from(i).ok())
            .map(TierRank);
        if rank.is_none() {
            cx.unknown(
                s,
                What::Tier,
                &s.value,
                tiers.iter().map(|t| t.id.clone()).collect(),
            );
        }
        rank
    };
    let date_ref = |cx: &mut Cx, s: &Spanned<String>| -> Option<DateRef> {
        if let Some(a) = s.value.strip_prefix("assume:") {
            let ok = refs
                .assumptions
                .iter()
                .any(|x| x.id.as_str() == a && matches!(x.default, AssumptionValue::Date(_)));
            if !ok {
                cx.unknown(
                    s,
                    What::Assumption,
                    a,
                    refs.assumptions
                        .iter()
                        .filter(|x| matches!(x.default, AssumptionValue::Date(_)))
                        .map(|x| x.id.to_string())
                        .collect(),
                );
                return None;
            }
            Some(DateRef::Assumed(AssumptionId::new(a)))
        } else {
            cx.date(s).map(DateRef::Fixed)
        }
    };
    let assumption_ref = |cx: &mut Cx, s: &Spanned<String>, flag_only: bool| -> bool {
        let ok = refs.assumptions.iter().any(|x| {
            x.id.as_str() == s.value
                && (!flag_only || matches!(x.default, AssumptionValue::Flag(_)))
        });
        if !ok {
            cx.unknown(
                s,
                What::Assumption,
                &s.value,
                refs.assumptions
                    .iter()
                    .filter(|x| !flag_only || matches!(x.default, AssumptionValue::Flag(_)))
                    .map(|x| x.id.to_string())
                    .collect(),
            );
        }
        ok
    };

    let mut classification = parent
        .as_ref()
        .map(|p| p.classification.clone())
        .unwrap_or_default();
    let mut requirements = parent
        .as_ref()
        .map(|p| p.requirements.clone())
        .unwrap_or_default();
    let mut acceptance = parent
        .as_ref()
        .map(|p| p.acceptance.clone())
        .unwrap_or_default();
    if parent.is_some() && !rf.tiers.is_empty() {
        // A new tier scheme invalidates inherited ranks; the child must restate its rules.
        classification.clear();
        requirements.clear();
        acceptance.clear();
    }
    for r in &rf.remove {
        let known = classification.iter().any(|c| c.id.as_str() == r.value)
            || requirements.iter().any(|c| c.id.as_str() == r.value)
            || acceptance.iter().any(|c| c.id.as_str() == r.value);
        if !known {
            let ids = classification
                .iter()
                .map(|c| c.id.to_string())
                .chain(requirements.iter().map(|c| c.id.to_string()))
                .chain(acceptance.iter().map(|c| c.id.to_string()))
                .collect();
            cx.unknown(r, What::Rule, &r.value, ids);
        }
        classification.retain(|c| c.id.as_str() != r.value);
        requirements.retain(|c| c.id.as_str() != r.value);
        acceptance.retain(|c| c.id.as_str() != r.value);
    }

    let mut seen: BTreeMap<String, ()> = BTreeMap::new();
    let mut dup = |cx: &mut Cx, s: &Spanned<String>| {
        if seen.insert(s.value.clone(), ()).is_some() {
            cx.at(
                s,
                LoadErrorKind::Duplicate {
                    what: What::Rule,
                    id: s.value.clone(),
                },
            );
        }
    };

    for c in &rf.classification {
        dup(cx, &c.id);
        let when_any = cx.categories(&c.when_any);
        let Some(tier) = tier_of(cx, &c.tier) else {
            continue;
        };
        let downgradable_to = c.downgradable_to.as_ref().and_then(|d| tier_of(cx, d));
        let rule = ClassificationRule {
            id: RuleId::new(&c.id.value),
            title: text(&c.title),
            when_any,
            tier,
            downgradable_to,
            provenance: provenance(cx, refs.sources, &c.provenance),
        };
        replace_or_push(&mut classification, rule, |a, b| a.id == b.id);
    }

    for r in &rf.requirements {
        dup(cx, &r.id);
        let Some(rkind) = cx.closed(
            &r.kind,
            What::Requirement,
            RequirementKind::parse,
            RequirementKind::ALL.iter().map(|k| k.as_str()).collect(),
        ) else {
            continue;
        };
        let mut mask = TierMask::default();
        for t in &r.tiers {
            if let Some(rank) = tier_of(cx, t) {
                mask = mask.with(rank);
            }
        }
        let trigger = r.trigger.as_ref().map(|t| Trigger {
            when_any: cx.categories(&t.when_any),
            unless_any: cx.categories(&t.unless_any),
            financial_only: t.financial_only,
            service_models: t
                .service_models
                .iter()
                .filter_map(|m| {
                    cx.closed(
                        m,
                        What::ServiceModel,
                        ServiceModel::parse,
                        ServiceModel::spellings(),
                    )
                })
                .collect(),
        });
        if kind == RegimeKind::Overlay && trigger.is_none() {
            cx.at(
                &r.id,
                LoadErrorKind::Invalid {
                    what: What::Requirement,
                    value: r.id.value.clone(),
                    expected: "an overlay requirement with a `trigger`",
                    expected_ko: "`trigger`가 있는 분야 규제 요구사항",
                },
            );
            continue;
        }
        let assumption = match &r.assumption {
            Some(a) if assumption_ref(cx, a, true) => Some(AssumptionId::new(&a.value)),
            _ => None,
        };
        let req = Requirement {
            id: RuleId::new(&r.id.value),
            kind: rkind,
            title: text(&r.title),
            tiers: mask,
            trigger,
            assumption,
            from: r.from.as_ref().and_then(|d| cx.date(d)),
            until: r.until.as_ref().and_then(|d| cx.date(d)),
            provenance: provenance(cx, refs.sources, &r.provenance),
        };
        replace_or_push(&mut requirements, req, |a, b| a.id == b.id);
    }

    for a in &rf.acceptance {
        dup(cx, &a.id);
        let Some(scheme) = refs
            .schemes
            .iter()
            .find(|s| s.id.as_str() == a.scheme.value)
        else {
            cx.unknown(
                &a.scheme,
                What::Scheme,
                &a.scheme.value,
                refs.schemes.iter().map(|s| s.id.to_string()).collect(),
            );
            continue;
        };
        let mut tier_map = Vec::new();
        for m in &a.tier_map {
            let from = if m.from == "untiered" {
                None
            } else {
                if !scheme.levels.contains(&m.from) {
                    let mut expected = scheme.levels.clone();
                    expected.push("untiered".into());
                    cx.unknown(&m.to, What::Tier, &m.from, expected);
                    continue;
                }
                Some(m.from.clone())
            };
            if let Some(rank) = tier_of(cx, &m.to) {
                tier_map.push((from, rank));
            }
        }
        let untiered_assumption = match &a.untiered_assumption {
            Some(s) if assumption_ref(cx, s, false) => Some(AssumptionId::new(&s.value)),
            _ => None,
        };
        let rule = AcceptanceRule {
            id: RuleId::new(&a.id.value),
            title: text(&a.title),
            scheme: scheme.id.clone(),
            tier_map,
            untiered_assumption,
            issued_from: a.issued_from.as_ref().and_then(|d| date_ref(cx, d)),
            issued_before: a.issued_before.as_ref().and_then(|d| date_ref(cx, d)),
            max_tier: a.max_tier.as_ref().and_then(|t| tier_of(cx, t)),
            grandfathered: a.grandfathered,
            provenance: provenance(cx, refs.sources, &a.provenance),
        };
        replace_or_push(&mut acceptance, rule, |x, y| x.id == y.id);
    }

    let kcmvp_additions = rf
        .kcmvp_additions
        .iter()
        .filter_map(|k| {
            let alg = cx.closed(
                &k.algorithm,
                What::Algorithm,
                Algorithm::parse,
                Algorithm::spellings(),
            )?;
            let from = cx.date(&k.from)?;
            Some((alg, from))
        })
        .collect();

    let issues = rf.issues.as_ref().and_then(|s| {
        check_ref(
            cx,
            s,
            What::Scheme,
            refs.schemes.iter().map(|s| s.id.as_str()),
        )
        .then(|| SchemeId::new(&s.value))
    });
    let catalog = rf.catalog.as_ref().and_then(|s| {
        check_ref(
            cx,
            s,
            What::Catalog,
            refs.catalogs.iter().map(|c| c.id.as_str()),
        )
        .then(|| CatalogId::new(&s.value))
    });
    let mut assumptions: Vec<AssumptionId> = parent
        .as_ref()
        .map(|p| p.assumptions.clone())
        .unwrap_or_default();
    for a in &rf.assumptions {
        if assumption_ref(cx, a, false) {
            let id = AssumptionId::new(&a.value);
            if !assumptions.contains(&id) {
                assumptions.push(id);
            }
        }
    }

    Some(Regime {
        id: RegimeId::new(&rf.id.value),
        name: text(&rf.name),
        summary: text(&rf.summary),
        status,
        kind,
        extends: rf.extends.as_ref().map(|e| RegimeId::new(&e.value)),
        issues,
        effective_from: rf.effective_from.as_ref().and_then(|d| date_ref(cx, d)),
        effective_until: rf.effective_until.as_ref().and_then(|d| date_ref(cx, d)),
        tiers,
        classification,
        requirements,
        acceptance,
        kcmvp_additions,
        catalog: catalog.or_else(|| parent.as_ref().and_then(|p| p.catalog.clone())),
        assumptions,
        provenance: provenance(cx, refs.sources, &rf.provenance),
    })
}

fn replace_or_push<T>(list: &mut Vec<T>, item: T, same: impl Fn(&T, &T) -> bool) {
    match list.iter().position(|x| same(x, &item)) {
        Some(i) => list[i] = item,
        None => list.push(item),
    }
}
