/*!
Views of the loaded rules: `regime list|show`, `catalog list|show` and the `content validate`
summary.

Each view returns a [`View`]: a [`Doc`] in the chosen language and a JSON value whose shape is
documented on the function. JSON is language-independent: every content text is an object
`{"en": …, "ko": …}`, every closed value its kebab-case spelling, every date `YYYY-MM-DD`.

Shared JSON shapes:

- *text*: `{"en": string, "ko": string}`.
- *provenance*: `{"confidence": "C"|"I"|"U", "facts": string, "sources": [source id],
  "note": text|null}`.
- *date ref*: `{"date": "YYYY-MM-DD"|null, "assumption": assumption id|null}`; when
  `assumption` is set, `date` is that assumption's value in this run (default or `--assume`).
- *source*: `{"id", "url", "title": text}`; a view lists every source it cites once, under
  `sources`.
*/

use std::collections::BTreeMap;

use kcvs_model::{
    AcceptanceRule, AssumptionId, AssumptionSet, AssumptionValue, Catalog, CatalogEntry,
    ClassificationRule, Confidence, Date, DateRef, EntryKind, Lang, Provenance, Regime,
    RegimeStatus, Requirement, RuleSet, SourceId, Text, TierMask, TierRank, Trigger,
};
use serde_json::{Value, json};

use crate::doc::{Doc, View};
use crate::i18n::{self, L, labels, t, tf, yes_no};

// ---- shared helpers --------------------------------------------------------------------------

/// Bilingual content text as JSON.
pub fn text_json(text: &Text) -> Value {
    json!({"en": text.en, "ko": text.ko})
}

/// Provenance as JSON (shape in the module docs).
pub fn provenance_json(p: &Provenance) -> Value {
    json!({
        "confidence": p.confidence.mark(),
        "facts": p.facts,
        "sources": p.sources.iter().map(SourceId::as_str).collect::<Vec<_>>(),
        "note": p.note.as_ref().map(text_json),
    })
}

/// The value of an assumption as JSON: a bool, a date string or a choice string.
pub fn assumption_value_json(v: &AssumptionValue) -> Value {
    match v {
        AssumptionValue::Flag(b) => Value::Bool(*b),
        AssumptionValue::Date(d) => Value::String(d.to_string()),
        AssumptionValue::Choice(c) => Value::String(c.clone()),
    }
}

pub fn date_ref_json(d: Option<&DateRef>, assumptions: &AssumptionSet) -> Value {
    match d {
        None => Value::Null,
        Some(d) => json!({
            "date": d.resolve(assumptions).map(|x| x.to_string()),
            "assumption": match d {
                DateRef::Fixed(_) => None,
                DateRef::Assumed(id) => Some(id.as_str()),
            },
        }),
    }
}

/// `2027-07-01 (assumption nis-2027.start)`, or `—` when absent.
pub fn date_ref_text(d: Option<&DateRef>, assumptions: &AssumptionSet, lang: Lang) -> String {
    match d {
        None => DASH.to_owned(),
        Some(DateRef::Fixed(d)) => d.to_string(),
        Some(r @ DateRef::Assumed(id)) => {
            let date = r
                .resolve(assumptions)
                .map(|d| d.to_string())
                .unwrap_or_else(|| "?".to_owned());
            let overridden = assumptions.is_overridden(id);
            match (lang, overridden) {
                (Lang::En, false) => format!("{date} (assumption {id})"),
                (Lang::En, true) => format!("{date} (assumption {id}, overridden)"),
                (Lang::Ko, false) => format!("{date} (가정 {id})"),
                (Lang::Ko, true) => format!("{date} (가정 {id}, 변경됨)"),
            }
        }
    }
}

fn opt_date(d: Option<Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| DASH.to_owned())
}

const DASH: &str = "—";

/// `C (confirmed)`.
pub fn confidence_text(c: Confidence, lang: Lang) -> String {
    format!("{} ({})", c.mark(), i18n::confidence(c).get(lang))
}

fn source_ids_text(p: &Provenance) -> String {
    if p.sources.is_empty() {
        DASH.to_owned()
    } else {
        p.sources
            .iter()
            .map(SourceId::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Confidence, facts section and sources as label/value pairs.
fn provenance_pairs(p: &Provenance, lang: Lang) -> Vec<(String, String)> {
    vec![
        (
            labels::CONFIDENCE.get(lang).to_owned(),
            confidence_text(p.confidence, lang),
        ),
        (
            labels::FACTS.get(lang).to_owned(),
            if p.facts.is_empty() {
                DASH.to_owned()
            } else {
                p.facts.clone()
            },
        ),
        (labels::SOURCES.get(lang).to_owned(), source_ids_text(p)),
    ]
}

/// The callouts a rule's provenance calls for: its note, and a warning when it is not confirmed.
fn provenance_callouts(doc: &mut Doc, p: &Provenance, lang: Lang) {
    if let Some(note) = &p.note {
        doc.note(note.get(lang));
    }
    match p.confidence {
        Confidence::Confirmed => {}
        Confidence::Inferred => {
            doc.warning(t(
                lang,
                "Confidence I (inferred): derived or resting on a secondary or single low-authority source; treat as provisional.",
                "신뢰도 I(추정): 추론했거나 2차·단일 저권위 자료에 근거하므로 잠정적인 내용입니다.",
            ));
        }
        Confidence::Unknown => {
            doc.warning(t(
                lang,
                "Confidence U (unknown): the public record is silent; the value here is our assumption.",
                "신뢰도 U(미확인): 공개 자료에서 확인되지 않아 여기의 값은 자체 가정입니다.",
            ));
        }
    }
}

/// Every source cited by these provenances, once, in first-cited order.
fn cited_sources<'a>(provs: impl IntoIterator<Item = &'a Provenance>) -> Vec<SourceId> {
    let mut out: Vec<SourceId> = Vec::new();
    for p in provs {
        for s in &p.sources {
            if !out.contains(s) {
                out.push(s.clone());
            }
        }
    }
    out
}

fn sources_json(rules: &RuleSet, ids: &[SourceId]) -> Value {
    Value::Array(
        ids.iter()
            .map(|id| match rules.source(id) {
                Some(s) => json!({"id": s.id.as_str(), "url": s.url, "title": text_json(&s.title)}),
                None => json!({"id": id.as_str(), "url": null, "title": null}),
            })
            .collect(),
    )
}

fn sources_section(doc: &mut Doc, rules: &RuleSet, ids: &[SourceId], lang: Lang) {
    if ids.is_empty() {
        return;
    }
    doc.heading(2, labels::SOURCES.get(lang));
    let rows = ids
        .iter()
        .map(|id| match rules.source(id) {
            Some(s) => vec![id.to_string(), s.url.clone(), s.title.get(lang).to_owned()],
            None => vec![id.to_string(), DASH.to_owned(), DASH.to_owned()],
        })
        .collect();
    doc.table(
        vec![
            labels::ID.get(lang).to_owned(),
            labels::URL.get(lang).to_owned(),
            labels::TITLE.get(lang).to_owned(),
        ],
        rows,
    );
}

fn tier_id(regime: &Regime, rank: TierRank) -> String {
    regime
        .tier(rank)
        .map(|t| t.id.clone())
        .unwrap_or_else(|| format!("#{}", rank.0))
}

fn mask_ids(regime: &Regime, mask: TierMask) -> Vec<String> {
    regime
        .tiers
        .iter()
        .enumerate()
        .filter_map(|(i, t)| {
            let rank = TierRank(u8::try_from(i).ok()?);
            mask.contains(rank).then(|| t.id.clone())
        })
        .collect()
}

fn join_or_dash(items: &[String]) -> String {
    if items.is_empty() {
        DASH.to_owned()
    } else {
        items.join(", ")
    }
}

fn categories_text(set: kcvs_model::DataSet, lang: Lang) -> String {
    let items: Vec<String> = set
        .iter()
        .map(|c| format!("{} ({})", c.as_str(), i18n::data_category(c).get(lang)))
        .collect();
    join_or_dash(&items)
}

fn categories_json(set: kcvs_model::DataSet) -> Value {
    Value::Array(set.iter().map(|c| Value::from(c.as_str())).collect())
}

/// Every assumption a regime leans on: its declared list plus those its rules and dates name.
pub fn regime_assumptions(regime: &Regime) -> Vec<AssumptionId> {
    let mut out: Vec<AssumptionId> = regime.assumptions.clone();
    let mut add = |id: &AssumptionId| {
        if !out.contains(id) {
            out.push(id.clone());
        }
    };
    let dates = [
        regime.effective_from.as_ref(),
        regime.effective_until.as_ref(),
    ];
    for d in dates.into_iter().flatten() {
        if let DateRef::Assumed(id) = d {
            add(id);
        }
    }
    for r in &regime.requirements {
        if let Some(id) = &r.assumption {
            add(id);
        }
    }
    for a in &regime.acceptance {
        if let Some(id) = &a.untiered_assumption {
            add(id);
        }
        for d in [a.issued_from.as_ref(), a.issued_before.as_ref()]
            .into_iter()
            .flatten()
        {
            if let DateRef::Assumed(id) = d {
                add(id);
            }
        }
    }
    out
}

// ---- regime list -----------------------------------------------------------------------------

/// `regime list`.
///
/// JSON: `{"regimes": [{"id", "name": text, "status", "kind", "extends": id|null,
/// "effective_from": date ref|null, "effective_until": date ref|null, "tiers": [tier id],
/// "confidence": "C"|"I"|"U"}]}`, in load order.
pub fn regime_list(rules: &RuleSet, assumptions: &AssumptionSet, lang: Lang) -> View {
    let mut doc = Doc::new(t(lang, "Regimes", "제도 목록"), lang);
    if rules.regimes.is_empty() {
        doc.paragraph(t(lang, "No regimes are loaded.", "불러온 제도가 없습니다."));
    } else {
        let rows = rules
            .regimes
            .iter()
            .map(|r| {
                vec![
                    r.id.to_string(),
                    r.name.get(lang).to_owned(),
                    i18n::regime_status(r.status).get(lang).to_owned(),
                    i18n::regime_kind(r.kind).get(lang).to_owned(),
                    date_ref_text(r.effective_from.as_ref(), assumptions, lang),
                    date_ref_text(r.effective_until.as_ref(), assumptions, lang),
                    join_or_dash(&r.tiers.iter().map(|t| t.id.clone()).collect::<Vec<_>>()),
                ]
            })
            .collect();
        doc.table(
            vec![
                labels::ID.get(lang).to_owned(),
                labels::NAME.get(lang).to_owned(),
                labels::STATUS.get(lang).to_owned(),
                labels::KIND.get(lang).to_owned(),
                labels::EFFECTIVE_FROM.get(lang).to_owned(),
                labels::EFFECTIVE_UNTIL.get(lang).to_owned(),
                labels::TIERS.get(lang).to_owned(),
            ],
            rows,
        );
        let assumed = rules.regimes.iter().any(|r| {
            [r.effective_from.as_ref(), r.effective_until.as_ref()]
                .into_iter()
                .flatten()
                .any(|d| matches!(d, DateRef::Assumed(_)))
        });
        if assumed {
            doc.note(t(
                lang,
                "A date shown with an assumption id is not published; it is that assumption's value in this run (change it with --assume ID=YYYY-MM-DD).",
                "가정 ID가 붙은 날짜는 공개되지 않은 것으로, 이번 실행에서 해당 가정이 가진 값입니다(--assume ID=YYYY-MM-DD로 바꿀 수 있습니다).",
            ));
        }
    }
    let json = json!({
        "regimes": rules.regimes.iter().map(|r| json!({
            "id": r.id.as_str(),
            "name": text_json(&r.name),
            "status": r.status.as_str(),
            "kind": r.kind.as_str(),
            "extends": r.extends.as_ref().map(|e| e.as_str()),
            "effective_from": date_ref_json(r.effective_from.as_ref(), assumptions),
            "effective_until": date_ref_json(r.effective_until.as_ref(), assumptions),
            "tiers": r.tiers.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
            "confidence": r.provenance.confidence.mark(),
        })).collect::<Vec<_>>(),
    });
    View { doc, json }
}

// ---- regime show -----------------------------------------------------------------------------

fn trigger_text(tr: &Trigger, lang: Lang) -> String {
    let mut parts = Vec::new();
    if !tr.when_any.is_empty() {
        parts.push(tf(
            lang,
            format!("holds any of: {}", categories_text(tr.when_any, lang)),
            format!(
                "다음 중 하나를 보유: {}",
                categories_text(tr.when_any, lang)
            ),
        ));
    }
    if !tr.unless_any.is_empty() {
        parts.push(tf(
            lang,
            format!("and none of: {}", categories_text(tr.unless_any, lang)),
            format!(
                "다음은 하나도 없음: {}",
                categories_text(tr.unless_any, lang)
            ),
        ));
    }
    if tr.financial_only {
        parts.push(
            t(
                lang,
                "financial institutions or finance-sector systems only",
                "금융기관 또는 금융 분야 시스템만",
            )
            .to_owned(),
        );
    }
    if !tr.service_models.is_empty() {
        let models: Vec<String> = tr
            .service_models
            .iter()
            .map(|m| i18n::service_model(*m).get(lang).to_owned())
            .collect();
        parts.push(tf(
            lang,
            format!("services of model {}", models.join(", ")),
            format!("서비스 모델 {}", models.join(", ")),
        ));
    }
    if parts.is_empty() {
        t(lang, "always", "항상").to_owned()
    } else {
        parts.join("; ")
    }
}

fn trigger_json(tr: &Trigger) -> Value {
    json!({
        "when_any": categories_json(tr.when_any),
        "unless_any": categories_json(tr.unless_any),
        "financial_only": tr.financial_only,
        "service_models": tr.service_models.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
    })
}

fn assumption_ref_text(id: &AssumptionId, assumptions: &AssumptionSet) -> String {
    match assumptions.get(id) {
        Some(v) => format!("{id} = {v}"),
        None => id.to_string(),
    }
}

fn classification_section(doc: &mut Doc, regime: &Regime, lang: Lang) {
    if regime.classification.is_empty() {
        return;
    }
    doc.heading(2, t(lang, "Classification rules", "등급 분류 규칙"));
    doc.paragraph(t(
        lang,
        "A system is graded at the highest tier of every rule whose data categories it holds; if none matches, at the lowest tier.",
        "시스템은 보유한 데이터 범주에 해당하는 규칙 중 가장 높은 등급으로 분류되며, 해당하는 규칙이 없으면 가장 낮은 등급입니다.",
    ));
    for c in &regime.classification {
        classification_rule(doc, regime, c, lang);
    }
}

fn classification_rule(doc: &mut Doc, regime: &Regime, c: &ClassificationRule, lang: Lang) {
    doc.heading(3, format!("{}: {}", c.id, c.title.get(lang)));
    let mut pairs = vec![
        (
            t(lang, "Holds any of", "다음 중 하나를 보유").to_owned(),
            categories_text(c.when_any, lang),
        ),
        (labels::TIER.get(lang).to_owned(), tier_id(regime, c.tier)),
        (
            t(lang, "May be graded down to", "하향 조정 가능 등급").to_owned(),
            c.downgradable_to
                .map(|r| tier_id(regime, r))
                .unwrap_or_else(|| DASH.to_owned()),
        ),
    ];
    pairs.extend(provenance_pairs(&c.provenance, lang));
    doc.key_values(pairs);
    provenance_callouts(doc, &c.provenance, lang);
}

fn requirement(
    doc: &mut Doc,
    regime: &Regime,
    r: &Requirement,
    assumptions: &AssumptionSet,
    lang: Lang,
) {
    doc.heading(3, format!("{}: {}", r.id, r.title.get(lang)));
    let mut pairs = vec![
        (
            t(lang, "Requirement", "요구사항").to_owned(),
            format!(
                "{} ({})",
                r.kind.as_str(),
                i18n::requirement_kind(r.kind).get(lang)
            ),
        ),
        (
            t(lang, "Tiers bound", "적용 등급").to_owned(),
            join_or_dash(&mask_ids(regime, r.tiers)),
        ),
    ];
    if let Some(tr) = &r.trigger {
        pairs.push((
            t(lang, "Applies when", "적용 조건").to_owned(),
            trigger_text(tr, lang),
        ));
    }
    pairs.push((
        t(lang, "Binds while assumption holds", "적용 전제 가정").to_owned(),
        r.assumption
            .as_ref()
            .map(|a| assumption_ref_text(a, assumptions))
            .unwrap_or_else(|| DASH.to_owned()),
    ));
    pairs.push((labels::FROM.get(lang).to_owned(), opt_date(r.from)));
    pairs.push((labels::UNTIL.get(lang).to_owned(), opt_date(r.until)));
    pairs.extend(provenance_pairs(&r.provenance, lang));
    doc.key_values(pairs);
    provenance_callouts(doc, &r.provenance, lang);
}

fn tier_map_text(
    regime: &Regime,
    a: &AcceptanceRule,
    assumptions: &AssumptionSet,
    lang: Lang,
) -> String {
    let mut parts: Vec<String> = a
        .tier_map
        .iter()
        .map(|(from, to)| {
            let from = from
                .clone()
                .unwrap_or_else(|| t(lang, "untiered", "등급 없음").to_owned());
            format!("{from} → {}", tier_id(regime, *to))
        })
        .collect();
    if let Some(id) = &a.untiered_assumption {
        parts.push(tf(
            lang,
            format!(
                "untiered → per assumption {}",
                assumption_ref_text(id, assumptions)
            ),
            format!(
                "등급 없음 → 가정 {}에 따름",
                assumption_ref_text(id, assumptions)
            ),
        ));
    }
    join_or_dash(&parts)
}

fn acceptance_rule(
    doc: &mut Doc,
    rules: &RuleSet,
    regime: &Regime,
    a: &AcceptanceRule,
    assumptions: &AssumptionSet,
    lang: Lang,
) {
    doc.heading(3, format!("{}: {}", a.id, a.title.get(lang)));
    let scheme = match rules.scheme(&a.scheme) {
        Some(s) => format!("{} ({})", a.scheme, s.name.get(lang)),
        None => a.scheme.to_string(),
    };
    let mut pairs = vec![
        (t(lang, "Scheme", "인증 제도").to_owned(), scheme),
        (
            t(lang, "Tier map", "등급 대응").to_owned(),
            tier_map_text(regime, a, assumptions, lang),
        ),
        (
            t(lang, "Issued on or after", "발급일 이후(포함)").to_owned(),
            date_ref_text(a.issued_from.as_ref(), assumptions, lang),
        ),
        (
            t(lang, "Issued before", "발급일 이전").to_owned(),
            date_ref_text(a.issued_before.as_ref(), assumptions, lang),
        ),
        (
            t(lang, "For systems up to tier", "적용 상한 등급").to_owned(),
            a.max_tier
                .map(|r| tier_id(regime, r))
                .unwrap_or_else(|| DASH.to_owned()),
        ),
        (
            t(lang, "Grandfathered", "기존 인증 인정(경과 조치)").to_owned(),
            yes_no(lang, a.grandfathered).to_owned(),
        ),
    ];
    pairs.extend(provenance_pairs(&a.provenance, lang));
    doc.key_values(pairs);
    provenance_callouts(doc, &a.provenance, lang);
}

/// `regime show ID`.
///
/// JSON: `{"id", "name": text, "summary": text, "status", "kind", "extends": id|null,
/// "issues": scheme id|null, "catalog": catalog id|null, "effective_from": date ref|null,
/// "effective_until": date ref|null, "provenance",
/// "tiers": [{"rank": int, "id", "label": text}],
/// "classification": [{"id", "title": text, "when_any": [category], "tier": tier id,
///   "downgradable_to": tier id|null, "provenance"}],
/// "requirements": [{"id", "kind": requirement kind, "title": text, "tiers": [tier id],
///   "trigger": {"when_any": [category], "unless_any": [category], "financial_only": bool,
///   "service_models": [model]}|null, "assumption": assumption id|null,
///   "from": date|null, "until": date|null, "provenance"}],
/// "acceptance": [{"id", "title": text, "scheme": scheme id,
///   "tier_map": [{"from": scheme tier|null (null: untiered), "to": tier id}],
///   "untiered_assumption": assumption id|null, "issued_from": date ref|null,
///   "issued_before": date ref|null, "max_tier": tier id|null, "grandfathered": bool,
///   "provenance"}],
/// "kcmvp_additions": [{"algorithm", "from": date}],
/// "assumptions": [{"id", "title": text, "value", "default", "overridden": bool,
///   "options": [string], "provenance"}],
/// "sources": [source]}`.
pub fn regime_show(
    rules: &RuleSet,
    regime: &Regime,
    assumptions: &AssumptionSet,
    lang: Lang,
) -> View {
    let mut doc = Doc::new(format!("{} ({})", regime.name.get(lang), regime.id), lang);
    doc.paragraph(regime.summary.get(lang));
    match regime.status {
        RegimeStatus::InForce => {}
        RegimeStatus::Announced => {
            doc.note(t(
                lang,
                "Announced by the government but not yet in force in every detail.",
                "정부가 발표했으나 세부 사항까지 모두 시행된 것은 아닙니다.",
            ));
        }
        RegimeStatus::Proposed | RegimeStatus::Scenario => {
            doc.warning(t(
                lang,
                "Not law: a proposal or scenario modelled for comparison.",
                "법령이 아닙니다. 비교를 위해 모델링한 제안 또는 시나리오입니다.",
            ));
        }
    }
    let mut pairs = vec![
        (labels::ID.get(lang).to_owned(), regime.id.to_string()),
        (
            labels::STATUS.get(lang).to_owned(),
            i18n::regime_status(regime.status).get(lang).to_owned(),
        ),
        (
            labels::KIND.get(lang).to_owned(),
            i18n::regime_kind(regime.kind).get(lang).to_owned(),
        ),
        (
            t(lang, "Extends", "기반 제도").to_owned(),
            regime
                .extends
                .as_ref()
                .map(|e| e.to_string())
                .unwrap_or_else(|| DASH.to_owned()),
        ),
        (
            t(lang, "Issues certificates under", "발급 인증").to_owned(),
            regime
                .issues
                .as_ref()
                .map(|s| s.to_string())
                .unwrap_or_else(|| DASH.to_owned()),
        ),
        (
            labels::CATALOG.get(lang).to_owned(),
            regime
                .catalog
                .as_ref()
                .map(|c| c.to_string())
                .unwrap_or_else(|| DASH.to_owned()),
        ),
        (
            labels::EFFECTIVE_FROM.get(lang).to_owned(),
            date_ref_text(regime.effective_from.as_ref(), assumptions, lang),
        ),
        (
            labels::EFFECTIVE_UNTIL.get(lang).to_owned(),
            date_ref_text(regime.effective_until.as_ref(), assumptions, lang),
        ),
    ];
    pairs.extend(provenance_pairs(&regime.provenance, lang));
    doc.key_values(pairs);
    provenance_callouts(&mut doc, &regime.provenance, lang);

    if !regime.tiers.is_empty() {
        doc.heading(2, labels::TIERS.get(lang));
        let rows = regime
            .tiers
            .iter()
            .enumerate()
            .map(|(i, td)| vec![i.to_string(), td.id.clone(), td.label.get(lang).to_owned()])
            .collect();
        doc.table(
            vec![
                t(lang, "Rank (lowest first)", "순위(낮은 등급부터)").to_owned(),
                labels::ID.get(lang).to_owned(),
                labels::NAME.get(lang).to_owned(),
            ],
            rows,
        );
    }

    classification_section(&mut doc, regime, lang);

    if !regime.requirements.is_empty() {
        doc.heading(2, t(lang, "Requirements", "요구사항"));
        for r in &regime.requirements {
            requirement(&mut doc, regime, r, assumptions, lang);
        }
    }

    if !regime.acceptance.is_empty() {
        doc.heading(2, t(lang, "Accepted certificates", "인정되는 인증"));
        for a in &regime.acceptance {
            acceptance_rule(&mut doc, rules, regime, a, assumptions, lang);
        }
    }

    if !regime.kcmvp_additions.is_empty() {
        doc.heading(
            2,
            t(
                lang,
                "KCMVP algorithm additions",
                "KCMVP 허용 알고리즘 추가",
            ),
        );
        let rows = regime
            .kcmvp_additions
            .iter()
            .map(|(a, d)| vec![a.as_str().to_owned(), d.to_string()])
            .collect();
        doc.table(
            vec![
                t(lang, "Algorithm", "알고리즘").to_owned(),
                labels::FROM.get(lang).to_owned(),
            ],
            rows,
        );
    }

    let used = regime_assumptions(regime);
    let used_defs: Vec<&kcvs_model::Assumption> = used
        .iter()
        .filter_map(|id| rules.assumptions.iter().find(|a| &a.id == id))
        .collect();
    if !used_defs.is_empty() {
        doc.heading(2, labels::ASSUMPTIONS.get(lang));
        doc.note(t(
            lang,
            "Where the public record is silent these rules use named assumptions. Change one for a run with --assume ID=VALUE.",
            "공개 자료가 없는 부분은 이름 붙은 가정을 사용합니다. 실행할 때 --assume ID=VALUE로 바꿀 수 있습니다.",
        ));
        let rows = used_defs
            .iter()
            .map(|a| {
                let value = assumptions
                    .get(&a.id)
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| a.default.to_string());
                vec![
                    a.id.to_string(),
                    value,
                    a.default.to_string(),
                    yes_no(lang, assumptions.is_overridden(&a.id)).to_owned(),
                    a.provenance.confidence.mark().to_owned(),
                    a.title.get(lang).to_owned(),
                ]
            })
            .collect();
        doc.table(
            vec![
                labels::ID.get(lang).to_owned(),
                labels::VALUE.get(lang).to_owned(),
                labels::DEFAULT.get(lang).to_owned(),
                labels::OVERRIDDEN.get(lang).to_owned(),
                labels::CONFIDENCE.get(lang).to_owned(),
                labels::TITLE.get(lang).to_owned(),
            ],
            rows,
        );
        let overridden: Vec<String> = used_defs
            .iter()
            .filter(|a| assumptions.is_overridden(&a.id))
            .map(|a| assumption_ref_text(&a.id, assumptions))
            .collect();
        if !overridden.is_empty() {
            doc.warning(tf(
                lang,
                format!("Overridden for this run: {}", overridden.join(", ")),
                format!("이번 실행에서 변경된 가정: {}", overridden.join(", ")),
            ));
        }
    }

    let mut provs: Vec<&Provenance> = vec![&regime.provenance];
    provs.extend(regime.classification.iter().map(|c| &c.provenance));
    provs.extend(regime.requirements.iter().map(|r| &r.provenance));
    provs.extend(regime.acceptance.iter().map(|a| &a.provenance));
    provs.extend(used_defs.iter().map(|a| &a.provenance));
    let cited = cited_sources(provs);
    sources_section(&mut doc, rules, &cited, lang);

    let json = json!({
        "id": regime.id.as_str(),
        "name": text_json(&regime.name),
        "summary": text_json(&regime.summary),
        "status": regime.status.as_str(),
        "kind": regime.kind.as_str(),
        "extends": regime.extends.as_ref().map(|e| e.as_str()),
        "issues": regime.issues.as_ref().map(|s| s.as_str()),
        "catalog": regime.catalog.as_ref().map(|c| c.as_str()),
        "effective_from": date_ref_json(regime.effective_from.as_ref(), assumptions),
        "effective_until": date_ref_json(regime.effective_until.as_ref(), assumptions),
        "provenance": provenance_json(&regime.provenance),
        "tiers": regime.tiers.iter().enumerate().map(|(i, td)| json!({
            "rank": i, "id": td.id, "label": text_json(&td.label),
        })).collect::<Vec<_>>(),
        "classification": regime.classification.iter().map(|c| json!({
            "id": c.id.as_str(),
            "title": text_json(&c.title),
            "when_any": categories_json(c.when_any),
            "tier": tier_id(regime, c.tier),
            "downgradable_to": c.downgradable_to.map(|r| tier_id(regime, r)),
            "provenance": provenance_json(&c.provenance),
        })).collect::<Vec<_>>(),
        "requirements": regime.requirements.iter().map(|r| json!({
            "id": r.id.as_str(),
            "kind": r.kind.as_str(),
            "title": text_json(&r.title),
            "tiers": mask_ids(regime, r.tiers),
            "trigger": r.trigger.as_ref().map(trigger_json),
            "assumption": r.assumption.as_ref().map(|a| a.as_str()),
            "from": r.from.map(|d| d.to_string()),
            "until": r.until.map(|d| d.to_string()),
            "provenance": provenance_json(&r.provenance),
        })).collect::<Vec<_>>(),
        "acceptance": regime.acceptance.iter().map(|a| json!({
            "id": a.id.as_str(),
            "title": text_json(&a.title),
            "scheme": a.scheme.as_str(),
            "tier_map": a.tier_map.iter().map(|(from, to)| json!({
                "from": from, "to": tier_id(regime, *to),
            })).collect::<Vec<_>>(),
            "untiered_assumption": a.untiered_assumption.as_ref().map(|x| x.as_str()),
            "issued_from": date_ref_json(a.issued_from.as_ref(), assumptions),
            "issued_before": date_ref_json(a.issued_before.as_ref(), assumptions),
            "max_tier": a.max_tier.map(|r| tier_id(regime, r)),
            "grandfathered": a.grandfathered,
            "provenance": provenance_json(&a.provenance),
        })).collect::<Vec<_>>(),
        "kcmvp_additions": regime.kcmvp_additions.iter().map(|(a, d)| json!({
            "algorithm": a.as_str(), "from": d.to_string(),
        })).collect::<Vec<_>>(),
        "assumptions": used_defs.iter().map(|a| json!({
            "id": a.id.as_str(),
            "title": text_json(&a.title),
            "value": assumptions.get(&a.id).map(assumption_value_json),
            "default": assumption_value_json(&a.default),
            "overridden": assumptions.is_overridden(&a.id),
            "options": a.options,
            "provenance": provenance_json(&a.provenance),
        })).collect::<Vec<_>>(),
        "sources": sources_json(rules, &cited),
    });
    View { doc, json }
}

// ---- catalogs --------------------------------------------------------------------------------

/// The count keys of a catalog: those of its published totals first, then any others, sorted.
fn count_keys(catalog: &Catalog) -> Vec<String> {
    let mut keys: Vec<String> = catalog.totals.iter().map(|t| t.key.clone()).collect();
    let mut rest: Vec<String> = catalog
        .entries
        .iter()
        .flat_map(|e| e.counts.keys().cloned())
        .filter(|k| !keys.contains(k))
        .collect();
    rest.sort();
    rest.dedup();
    keys.extend(rest);
    keys
}

/// Does any ancestor of `e` carry a count for `key`? Then `e`'s count is already inside it.
fn counted_above(catalog: &Catalog, e: &CatalogEntry, key: &str) -> bool {
    catalog
        .ancestry(&e.id)
        .iter()
        .skip(1)
        .any(|a| a.counts.contains_key(key))
}

/// What the entries' counts add up to for one key, counting each subtree once (at the highest
/// entry that carries a count for the key).
pub fn sum_of_counts(catalog: &Catalog, key: &str) -> u32 {
    catalog
        .entries
        .iter()
        .filter(|e| !counted_above(catalog, e, key))
        .filter_map(|e| e.counts.get(key))
        .sum()
}

/// Areas whose subtree counts at least one control for `key`.
fn areas_with_counts(catalog: &Catalog, key: &str) -> usize {
    catalog
        .areas()
        .filter(|area| {
            catalog.entries.iter().any(|e| {
                e.counts.get(key).is_some_and(|n| *n > 0)
                    && catalog.ancestry(&e.id).iter().any(|a| a.id == area.id)
            })
        })
        .count()
}

fn kind_counts(catalog: &Catalog) -> (usize, usize, usize) {
    let n = |k: EntryKind| catalog.entries.iter().filter(|e| e.kind == k).count();
    (
        n(EntryKind::Area),
        n(EntryKind::Group),
        n(EntryKind::Control),
    )
}

fn totals_text(catalog: &Catalog) -> String {
    let parts: Vec<String> = catalog
        .totals
        .iter()
        .map(|t| format!("{} {}", t.key, t.controls))
        .collect();
    join_or_dash(&parts)
}

/// `catalog list`.
///
/// JSON: `{"catalogs": [{"id", "name": text, "version", "entries": int, "areas": int,
/// "groups": int, "controls": int, "totals": [{"key", "controls": int, "areas": int|null}],
/// "confidence"}]}`.
pub fn catalog_list(rules: &RuleSet, lang: Lang) -> View {
    let mut doc = Doc::new(t(lang, "Control catalogs", "통제 목록"), lang);
    if rules.catalogs.is_empty() {
        doc.paragraph(t(
            lang,
            "No catalogs are loaded.",
            "불러온 통제 목록이 없습니다.",
        ));
    } else {
        let rows = rules
            .catalogs
            .iter()
            .map(|c| {
                vec![
                    c.id.to_string(),
                    c.name.get(lang).to_owned(),
                    c.entries.len().to_string(),
                    totals_text(c),
                    c.version.clone(),
                ]
            })
            .collect();
        doc.table(
            vec![
                labels::ID.get(lang).to_owned(),
                labels::NAME.get(lang).to_owned(),
                labels::ENTRIES.get(lang).to_owned(),
                t(lang, "Published totals", "공표된 총계").to_owned(),
                labels::VERSION.get(lang).to_owned(),
            ],
            rows,
        );
    }
    let json = json!({
        "catalogs": rules.catalogs.iter().map(|c| {
            let (areas, groups, controls) = kind_counts(c);
            json!({
                "id": c.id.as_str(),
                "name": text_json(&c.name),
                "version": c.version,
                "entries": c.entries.len(),
                "areas": areas,
                "groups": groups,
                "controls": controls,
                "totals": c.totals.iter().map(|t| json!({
                    "key": t.key, "controls": t.controls, "areas": t.areas,
                })).collect::<Vec<_>>(),
                "confidence": c.provenance.confidence.mark(),
            })
        }).collect::<Vec<_>>(),
    });
    View { doc, json }
}

/// Entries in tree order below `parent` (depth first), with their depth.
fn descendants<'a>(
    catalog: &'a Catalog,
    parent: &'a CatalogEntry,
    depth: usize,
    out: &mut Vec<(usize, &'a CatalogEntry)>,
) {
    if depth > catalog.entries.len() {
        return; // a cycle; the loader rejects these, this only keeps the walk finite
    }
    for child in catalog.children(&parent.id) {
        out.push((depth, child));
        descendants(catalog, child, depth + 1, out);
    }
}

fn roots(catalog: &Catalog) -> impl Iterator<Item = &CatalogEntry> {
    catalog
        .entries
        .iter()
        .filter(|e| e.parent.as_ref().is_none_or(|p| catalog.entry(p).is_none()))
}

fn entry_json(catalog: &Catalog, e: &CatalogEntry, depth: usize) -> Value {
    let children: Vec<Value> = if depth > catalog.entries.len() {
        Vec::new()
    } else {
        catalog
            .children(&e.id)
            .map(|c| entry_json(catalog, c, depth + 1))
            .collect()
    };
    json!({
        "id": e.id.as_str(),
        "level": e.kind.as_str(),
        "title": text_json(&e.title),
        "summary": e.summary.as_ref().map(text_json),
        "counts": e.counts,
        "tiers": e.tiers,
        "text_public": e.text_public,
        "provenance": provenance_json(&e.provenance),
        "children": children,
    })
}

fn text_public_cell(e: &CatalogEntry, lang: Lang) -> String {
    if e.text_public {
        t(lang, "public", "공개").to_owned()
    } else {
        t(lang, "not public", "비공개").to_owned()
    }
}

/// `catalog show ID`.
///
/// JSON: `{"id", "name": text, "version", "description": text, "provenance",
/// "totals": [{"key", "controls": int, "areas": int|null, "sum_of_counts": int,
///   "areas_with_counts": int, "agrees": bool, "provenance"}],
/// "entries": [entry], "crosswalks": [{"id", "from": catalog id, "to": catalog id,
///   "provenance", "entries": [{"from": control id, "to": [control id], "relation",
///   "rationale": text, "provenance"}]}],
/// "sources": [source]}`, where *entry* is `{"id", "level": "area"|"group"|"control",
/// "title": text, "summary": text|null, "counts": {service type: int}, "tiers": [tier id],
/// "text_public": bool, "provenance", "children": [entry]}` and `entries` holds the roots.
pub fn catalog_show(rules: &RuleSet, catalog: &Catalog, lang: Lang) -> View {
    let mut doc = Doc::new(format!("{} ({})", catalog.name.get(lang), catalog.id), lang);
    doc.paragraph(catalog.description.get(lang));
    let (areas, groups, controls) = kind_counts(catalog);
    let mut pairs = vec![
        (labels::ID.get(lang).to_owned(), catalog.id.to_string()),
        (
            labels::VERSION.get(lang).to_owned(),
            catalog.version.clone(),
        ),
        (
            labels::ENTRIES.get(lang).to_owned(),
            tf(
                lang,
                format!("{areas} areas, {groups} groups, {controls} controls"),
                format!("분야 {areas}개, 세부 분야 {groups}개, 항목 {controls}개"),
            ),
        ),
    ];
    pairs.extend(provenance_pairs(&catalog.provenance, lang));
    doc.key_values(pairs);
    provenance_callouts(&mut doc, &catalog.provenance, lang);

    let hidden = catalog.entries.iter().filter(|e| !e.text_public).count();
    if hidden > 0 {
        doc.warning(tf(
            lang,
            format!(
                "The official wording of {hidden} of {} entries is not public: for those only our own summary is shown, never the official text.",
                catalog.entries.len()
            ),
            format!(
                "항목 {}개 중 {hidden}개는 공식 문구가 공개되지 않았습니다. 해당 항목은 공식 문구가 아닌 자체 요약만 보여 줍니다.",
                catalog.entries.len()
            ),
        ));
    }

    let keys = count_keys(catalog);

    // Published totals beside what the entries add up to.
    if !catalog.totals.is_empty() {
        doc.heading(2, t(lang, "Totals", "총계"));
        let rows = catalog
            .totals
            .iter()
            .map(|tot| {
                let sum = sum_of_counts(catalog, &tot.key);
                vec![
                    tot.key.clone(),
                    tot.controls.to_string(),
                    tot.areas
                        .map(|a| a.to_string())
                        .unwrap_or_else(|| DASH.to_owned()),
                    sum.to_string(),
                    areas_with_counts(catalog, &tot.key).to_string(),
                    tot.provenance.confidence.mark().to_owned(),
                ]
            })
            .collect();
        doc.table(
            vec![
                t(lang, "Service type", "서비스 유형").to_owned(),
                t(lang, "Published controls", "공표 항목 수").to_owned(),
                t(lang, "Published areas", "공표 분야 수").to_owned(),
                t(lang, "Sum of entry counts", "항목 수 합계").to_owned(),
                t(lang, "Areas with counts", "항목 수가 있는 분야").to_owned(),
                labels::CONFIDENCE.get(lang).to_owned(),
            ],
            rows,
        );
        let notes: Vec<String> = catalog
            .totals
            .iter()
            .filter_map(|tot| {
                tot.provenance
                    .note
                    .as_ref()
                    .map(|n| format!("{}: {}", tot.key, n.get(lang)))
            })
            .collect();
        if !notes.is_empty() {
            doc.list(notes);
        }
        if catalog
            .totals
            .iter()
            .any(|tot| sum_of_counts(catalog, &tot.key) != tot.controls)
        {
            doc.note(t(
                lang,
                "Where the sum of entry counts differs from the published total, the entries cover only the part of the catalog whose counts were published.",
                "항목 수 합계가 공표 총계와 다른 경우, 항목 수가 공개된 부분만 항목에 반영되어 있기 때문입니다.",
            ));
        }
    }

    // The tree.
    doc.heading(2, t(lang, "Structure", "구조"));
    let mut headers = vec![
        labels::ID.get(lang).to_owned(),
        t(lang, "Level", "수준").to_owned(),
        labels::TITLE.get(lang).to_owned(),
    ];
    headers.extend(keys.iter().cloned());
    headers.push(labels::TIERS.get(lang).to_owned());
    headers.push(t(lang, "Conf.", "신뢰도").to_owned());
    headers.push(t(lang, "Official text", "공식 문구").to_owned());
    for root in roots(catalog) {
        doc.heading(3, format!("{} {}", root.id, root.title.get(lang)));
        let mut rows_entries = vec![(0usize, root)];
        descendants(catalog, root, 1, &mut rows_entries);
        let rows = rows_entries
            .iter()
            .map(|(depth, e)| {
                let mut row = vec![
                    format!("{}{}", "  ".repeat(*depth), e.id),
                    i18n::entry_kind(e.kind).get(lang).to_owned(),
                    e.title.get(lang).to_owned(),
                ];
                row.extend(
                    keys.iter()
                        .map(|k| e.counts.get(k).map(|n| n.to_string()).unwrap_or_default()),
                );
                row.push(if e.tiers.is_empty() {
                    labels::ALL_TIERS.get(lang).to_owned()
                } else {
                    e.tiers.join(", ")
                });
                row.push(e.provenance.confidence.mark().to_owned());
                row.push(text_public_cell(e, lang));
                row
            })
            .collect();
        doc.table(headers.clone(), rows);
        let summaries: Vec<String> = rows_entries
            .iter()
            .filter_map(|(_, e)| {
                e.summary.as_ref().map(|s| {
                    let mark = if e.text_public {
                        ""
                    } else {
                        t(lang, " (our summary)", " (자체 요약)")
                    };
                    format!("{}{mark}: {}", e.id, s.get(lang))
                })
            })
            .collect();
        if !summaries.is_empty() {
            doc.list(summaries);
        }
    }

    // Crosswalks from and to this catalog.
    let xws: Vec<&kcvs_model::Crosswalk> = rules
        .crosswalks
        .iter()
        .filter(|x| x.from == catalog.id || x.to == catalog.id)
        .collect();
    if !xws.is_empty() {
        doc.heading(2, t(lang, "Crosswalks", "매핑"));
        doc.paragraph(t(
            lang,
            "Each row reads: the control on the left is <relation> of the controls on the right.",
            "각 행은 '왼쪽 통제는 오른쪽 통제들의 <관계>이다'로 읽습니다.",
        ));
        for x in &xws {
            doc.heading(3, format!("{}: {} → {}", x.id, x.from, x.to));
            doc.key_values(provenance_pairs(&x.provenance, lang));
            provenance_callouts(&mut doc, &x.provenance, lang);
            let rows = x
                .entries
                .iter()
                .map(|e| {
                    vec![
                        e.from.to_string(),
                        i18n::relation(e.relation).get(lang).to_owned(),
                        e.to.iter()
                            .map(|c| c.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                        e.provenance.confidence.mark().to_owned(),
                        e.rationale.get(lang).to_owned(),
                    ]
                })
                .collect();
            doc.table(
                vec![
                    format!("{} ({})", labels::FROM.get(lang), x.from),
                    t(lang, "Relation", "관계").to_owned(),
                    format!("{} ({})", t(lang, "To", "대상"), x.to),
                    t(lang, "Conf.", "신뢰도").to_owned(),
                    t(lang, "Rationale", "근거").to_owned(),
                ],
                rows,
            );
        }
    }

    let mut provs: Vec<&Provenance> = vec![&catalog.provenance];
    provs.extend(catalog.totals.iter().map(|t| &t.provenance));
    provs.extend(catalog.entries.iter().map(|e| &e.provenance));
    for x in &xws {
        provs.push(&x.provenance);
        provs.extend(x.entries.iter().map(|e| &e.provenance));
    }
    let cited = cited_sources(provs);
    sources_section(&mut doc, rules, &cited, lang);

    let json = json!({
        "id": catalog.id.as_str(),
        "name": text_json(&catalog.name),
        "version": catalog.version,
        "description": text_json(&catalog.description),
        "provenance": provenance_json(&catalog.provenance),
        "totals": catalog.totals.iter().map(|tot| {
            let sum = sum_of_counts(catalog, &tot.key);
            json!({
                "key": tot.key,
                "controls": tot.controls,
                "areas": tot.areas,
                "sum_of_counts": sum,
                "areas_with_counts": areas_with_counts(catalog, &tot.key),
                "agrees": sum == tot.controls,
                "provenance": provenance_json(&tot.provenance),
            })
        }).collect::<Vec<_>>(),
        "entries": roots(catalog).map(|r| entry_json(catalog, r, 0)).collect::<Vec<_>>(),
        "crosswalks": xws.iter().map(|x| json!({
            "id": x.id,
            "from": x.from.as_str(),
            "to": x.to.as_str(),
            "provenance": provenance_json(&x.provenance),
            "entries": x.entries.iter().map(|e| json!({
                "from": e.from.as_str(),
                "to": e.to.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
                "relation": e.relation.as_str(),
                "rationale": text_json(&e.rationale),
                "provenance": provenance_json(&e.provenance),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "sources": sources_json(rules, &cited),
    });
    View { doc, json }
}

// ---- content validate ------------------------------------------------------------------------

/// Labels for the keys of `kcvs_content::summary`; an unknown key is shown as written.
fn summary_label(key: &str) -> Option<L> {
    Some(match key {
        "regimes" => L::new("regimes", "제도"),
        "schemes" => L::new("certification schemes", "인증 제도"),
        "assumptions" => L::new("assumptions", "가정"),
        "sources" => L::new("sources", "출처"),
        "regions" => L::new("provider regions", "클라우드 리전"),
        "catalogs" => L::new("catalogs", "통제 목록"),
        "catalog entries" => L::new("catalog entries", "통제 항목"),
        "crosswalks" => L::new("crosswalks", "매핑"),
        "crosswalk entries" => L::new("crosswalk entries", "매핑 항목"),
        _ => return None,
    })
}

/// `content validate [DIR]` on success: what was loaded.
///
/// `counts` is `kcvs_content::summary(&rules)`; `user_pack` the folder loaded after the built-ins.
///
/// JSON: `{"valid": true, "user_pack": string|null, "counts": {snake_case key: int}}`, e.g.
/// `"catalog_entries"`.
pub fn content_summary(
    counts: &BTreeMap<&str, usize>,
    user_pack: Option<&str>,
    lang: Lang,
) -> View {
    let mut doc = Doc::new(t(lang, "Content is valid", "콘텐츠 검증 통과"), lang);
    doc.key_values(vec![(
        t(lang, "Loaded", "불러온 팩").to_owned(),
        match user_pack {
            Some(p) => tf(
                lang,
                format!("built-in packs, then {p}"),
                format!("내장 팩, 이어서 {p}"),
            ),
            None => t(lang, "built-in packs", "내장 팩").to_owned(),
        },
    )]);
    let rows = counts
        .iter()
        .map(|(k, n)| {
            vec![
                summary_label(k)
                    .map(|l| l.get(lang).to_owned())
                    .unwrap_or_else(|| (*k).to_owned()),
                n.to_string(),
            ]
        })
        .collect();
    doc.table(
        vec![
            t(lang, "Item", "구분").to_owned(),
            labels::COUNT.get(lang).to_owned(),
        ],
        rows,
    );
    let json = json!({
        "valid": true,
        "user_pack": user_pack,
        "counts": counts
            .iter()
            .map(|(k, n)| (k.replace([' ', '-'], "_"), Value::from(*n)))
            .collect::<serde_json::Map<String, Value>>(),
    });
    View { doc, json }
}
