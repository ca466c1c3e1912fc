//! Views of the engine's decisions: classify, eligible, match, assess and regime diff.
//!
//! JSON keys are stable (documented on each view). Messages inside the JSON are in the run's
//! language; rule ids, verdicts and kinds are language-neutral keys programs should read.

use kcvs_engine::diff::{CertClass, CryptoClass, FlipGroup, HostClass, RegimeDiff, ServiceClass};
use kcvs_engine::*;
use kcvs_model::*;
use serde_json::{Value, json};

use crate::doc::{Doc, View};
use crate::i18n::{self, L, labels, t, tf};
use crate::rules::{assumption_value_json, confidence_text, regime_assumptions};

// ---- small pieces ---------------------------------------------------------------------------

fn tier_label(regime: &Regime, rank: TierRank, lang: Lang) -> String {
    regime
        .tier(rank)
        .map(|t| t.label.get(lang).to_owned())
        .unwrap_or_else(|| format!("#{}", rank.0))
}

fn tier_id(regime: &Regime, rank: TierRank) -> String {
    regime
        .tier(rank)
        .map(|t| t.id.clone())
        .unwrap_or_else(|| format!("#{}", rank.0))
}

fn field_label(f: LocationField) -> L {
    match f {
        LocationField::Data => L::new("data", "데이터"),
        LocationField::Management => L::new("management", "관리 시스템"),
        LocationField::Backups => L::new("backup", "백업"),
        LocationField::Personnel => L::new("operations staff", "운영 인력"),
    }
}

fn join<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn verdict_label(v: Verdict) -> L {
    match v {
        Verdict::Eligible => L::new("eligible", "이용 가능"),
        Verdict::EvidenceNeeded => L::new("evidence needed", "증빙 필요"),
        Verdict::NotEligible => L::new("not eligible", "이용 불가"),
    }
}

fn check_label(c: Check) -> L {
    match c {
        Check::Met => L::new("met", "충족"),
        Check::NotMet => L::new("not met", "미충족"),
        Check::Unknown => L::new("evidence needed", "증빙 필요"),
    }
}

fn check_key(c: Check) -> &'static str {
    match c {
        Check::Met => "met",
        Check::NotMet => "not-met",
        Check::Unknown => "unknown",
    }
}

/// One reason in words.
pub fn reason_text(r: &Reason, lang: Lang) -> String {
    match r {
        Reason::AllInKorea(f) => tf(
            lang,
            format!("all {} locations are in Korea", field_label(*f).en),
            format!("모든 {} 위치가 국내입니다", field_label(*f).ko),
        ),
        Reason::Abroad(f, l) => tf(
            lang,
            format!("{} located abroad: {}", field_label(*f).en, join(l)),
            format!("{} 국외 위치: {}", field_label(*f).ko, join(l)),
        ),
        Reason::UnknownLocations(f, l) => tf(
            lang,
            format!(
                "{} locations not in the region table, so not known to be in Korea: {}",
                field_label(*f).en,
                join(l)
            ),
            format!(
                "리전 표에 없어 국내로 확인되지 않는 {} 위치: {}",
                field_label(*f).ko,
                join(l)
            ),
        ),
        Reason::NoLocations(f) => tf(
            lang,
            format!("the profile states no {} locations", field_label(*f).en),
            format!("프로필에 {} 위치가 없습니다", field_label(*f).ko),
        ),
        Reason::Separation(s) => tf(
            lang,
            format!("separation is {}", s.as_str()),
            format!(
                "분리 방식: {}",
                match s {
                    Separation::Logical => "논리적",
                    Separation::Physical => "물리적",
                }
            ),
        ),
        Reason::SeparationNotStated => t(
            lang,
            "the profile does not state the separation",
            "프로필에 분리 방식이 없습니다",
        )
        .to_owned(),
        Reason::GovernmentZone(l) => tf(
            lang,
            format!("data held only in the government zone {l}, taken as physical separation"),
            format!("데이터가 공공 전용 존 {l}에만 있어 물리적 분리로 봅니다"),
        ),
        Reason::KcmvpModule { algorithms } => tf(
            lang,
            format!("KCMVP-validated module with {}", join(algorithms)),
            format!("{} 알고리즘의 KCMVP 검증 모듈", join(algorithms)),
        ),
        Reason::NoKcmvpModule => t(
            lang,
            "no KCMVP-validated module stated",
            "KCMVP 검증필 암호모듈이 없습니다",
        )
        .to_owned(),
        Reason::NoAcceptedAlgorithm { stated, accepted } => tf(
            lang,
            format!(
                "algorithms [{}] are not among those KCMVP accepts on the date [{}]",
                join(stated),
                join(accepted)
            ),
            format!(
                "알고리즘 [{}]은(는) 해당 날짜에 KCMVP가 인정하는 알고리즘 [{}]이 아닙니다",
                join(stated),
                join(accepted)
            ),
        ),
        Reason::Attribute { stated } => match stated {
            Some(true) => t(lang, "the profile says yes", "프로필: 예").to_owned(),
            Some(false) => t(lang, "the profile says no", "프로필: 아니요").to_owned(),
            None => t(lang, "the profile does not say", "프로필에 정보가 없습니다").to_owned(),
        },
        Reason::NotSaasOrPaas => t(
            lang,
            "not a SaaS or PaaS, so no host is needed",
            "SaaS·PaaS가 아니므로 기반 IaaS가 필요 없습니다",
        )
        .to_owned(),
        Reason::NoHostStated => t(
            lang,
            "the profile does not name the IaaS it runs on (runs_on)",
            "프로필에 기반 IaaS(runs_on)가 없습니다",
        )
        .to_owned(),
        Reason::HostNotFound(id) => tf(
            lang,
            format!("the IaaS `{id}` it runs on is not among the loaded services"),
            format!("기반 IaaS `{id}`를 불러온 서비스에서 찾을 수 없습니다"),
        ),
        Reason::HostCertified { host, .. } => tf(
            lang,
            format!("runs on `{host}`, which holds an accepted certificate"),
            format!("인정되는 인증서를 가진 `{host}` 위에서 운영됩니다"),
        ),
        Reason::HostNotCertified(id) => tf(
            lang,
            format!("runs on `{id}`, which holds no certificate this regime accepts"),
            format!("이 제도가 인정하는 인증서가 없는 `{id}` 위에서 운영됩니다"),
        ),
        Reason::GroundStated(g) => tf(
            lang,
            format!("the system states the transfer ground `{}`", g.as_str()),
            format!("시스템이 국외 이전 근거 `{}`를 밝혔습니다", g.as_str()),
        ),
        Reason::NoGroundForAbroad(l) => tf(
            lang,
            format!(
                "personal data would be held abroad ({}) and the system states no Art. 28-8 ground",
                join(l)
            ),
            format!(
                "개인정보가 국외({})에 보관되지만 시스템이 제28조의8 근거를 밝히지 않았습니다",
                join(l)
            ),
        ),
        Reason::NoGroundLocationsUnknown => t(
            lang,
            "no transfer ground stated and the locations do not show that data stays in Korea",
            "국외 이전 근거가 없고 위치로도 국내 보관이 확인되지 않습니다",
        )
        .to_owned(),
    }
}

fn requirement_message(r: &RequirementResult, lang: Lang) -> String {
    let reasons: Vec<String> = r.reasons.iter().map(|x| reason_text(x, lang)).collect();
    format!(
        "{}: {}",
        i18n::requirement_kind(r.kind).get(lang),
        reasons.join("; ")
    )
}

fn cert_problem_text(cert: &Certificate, p: &CertProblem, lang: Lang) -> String {
    let name = format!(
        "{}{}",
        cert.scheme,
        cert.tier
            .as_ref()
            .map(|t| format!(" {t}"))
            .unwrap_or_default()
    );
    match p {
        CertProblem::Revoked => tf(
            lang,
            format!("{name} certificate was revoked"),
            format!("{name} 인증이 취소되었습니다"),
        ),
        CertProblem::Withdrawn => tf(
            lang,
            format!("{name} certificate was withdrawn"),
            format!("{name} 인증이 반납되었습니다"),
        ),
        CertProblem::NotYetValid { issued } => tf(
            lang,
            format!("{name} certificate is valid only from {issued}"),
            format!("{name} 인증서는 {issued}부터 유효합니다"),
        ),
        CertProblem::Expired { expired } => tf(
            lang,
            format!("{name} certificate expired on {expired}"),
            format!("{name} 인증서가 {expired}에 만료되었습니다"),
        ),
        CertProblem::IssuedOutsideWindow {
            issued,
            from,
            before,
        } => {
            let closed = before.is_some_and(|b| *issued >= b);
            if closed {
                let b = before.map(|b| b.to_string()).unwrap_or_default();
                tf(
                    lang,
                    format!(
                        "{name} certificate issued {issued}, after the scheme stopped issuing for this regime on {b}"
                    ),
                    format!(
                        "{name} 인증서가 {issued}에 발급되었으나, 이 제도에서는 {b}부터 해당 인증을 더 이상 발급하지 않습니다"
                    ),
                )
            } else {
                let f = from.map(|f| f.to_string()).unwrap_or_default();
                tf(
                    lang,
                    format!(
                        "{name} certificate issued {issued}, before this regime accepts it (from {f})"
                    ),
                    format!(
                        "{name} 인증서가 {issued}에 발급되어 이 제도의 인정 시작일({f}) 이전입니다"
                    ),
                )
            }
        }
        CertProblem::LevelNotMapped { level } => tf(
            lang,
            format!(
                "{name}: level {} has no counterpart in this regime",
                level.as_deref().unwrap_or("(untiered)")
            ),
            format!(
                "{name}: 등급 {}에 대응하는 등급이 이 제도에 없습니다",
                level.as_deref().unwrap_or("(등급 없음)")
            ),
        ),
        CertProblem::SchemeNotAccepted => tf(
            lang,
            format!("{name} is not a certification this regime accepts"),
            format!("{name}은(는) 이 제도가 인정하는 인증이 아닙니다"),
        ),
    }
}

fn cert_problem_key(p: &CertProblem) -> &'static str {
    match p {
        CertProblem::Revoked => "revoked",
        CertProblem::Withdrawn => "withdrawn",
        CertProblem::NotYetValid { .. } => "not-yet-valid",
        CertProblem::Expired { .. } => "expired",
        CertProblem::IssuedOutsideWindow { .. } => "issued-outside-window",
        CertProblem::LevelNotMapped { .. } => "level-not-mapped",
        CertProblem::SchemeNotAccepted => "scheme-not-accepted",
    }
}

/// The provenance of a rule, wherever it sits (a regime's or an overlay's rule).
fn rule_provenance<'r>(
    rules: &'r RuleSet,
    regime: &RegimeId,
    rule: &RuleId,
) -> Option<&'r Provenance> {
    let r = rules.regime(regime)?;
    r.requirements
        .iter()
        .find(|x| &x.id == rule)
        .map(|x| &x.provenance)
        .or_else(|| {
            r.acceptance
                .iter()
                .find(|x| &x.id == rule)
                .map(|x| &x.provenance)
        })
        .or_else(|| {
            r.classification
                .iter()
                .find(|x| &x.id == rule)
                .map(|x| &x.provenance)
        })
}

fn cite(rules: &RuleSet, regime: &RegimeId, rule: &RuleId, lang: Lang) -> String {
    match rule_provenance(rules, regime, rule) {
        Some(p) => format!(
            "[{rule}; {}; facts {}; {}]",
            confidence_text(p.confidence, lang),
            p.facts,
            join(&p.sources)
        ),
        None => format!("[{rule}]"),
    }
}

fn cite_json(rules: &RuleSet, regime: &RegimeId, rule: &RuleId) -> (Value, Value) {
    match rule_provenance(rules, regime, rule) {
        Some(p) => (
            Value::from(p.sources.iter().map(|s| s.as_str()).collect::<Vec<_>>()),
            Value::from(p.confidence.mark()),
        ),
        None => (Value::Array(Vec::new()), Value::Null),
    }
}

/// A blocker as (rule id, the regime the rule sits in, kind key, message).
fn blocker_parts(
    regime: &Regime,
    b: &Blocker,
    lang: Lang,
) -> (RuleId, RegimeId, &'static str, String) {
    match b {
        Blocker::NoCertificate => (
            b.rule(regime),
            regime.id.clone(),
            "no-certificate",
            t(
                lang,
                "the service holds no certificate this regime accepts",
                "이 제도가 인정하는 인증서가 없습니다",
            )
            .to_owned(),
        ),
        Blocker::Certificate { cert, problem } => (
            b.rule(regime),
            regime.id.clone(),
            cert_problem_key(problem),
            cert_problem_text(cert, problem, lang),
        ),
        Blocker::TierTooLow { held, needed } => {
            let mut msg = tf(
                lang,
                format!(
                    "the certificate counts at {}, the system needs {}",
                    tier_label(regime, held.tier, lang),
                    tier_label(regime, *needed, lang)
                ),
                format!(
                    "인증서는 {} 등급으로 인정되지만 시스템은 {} 등급이 필요합니다",
                    tier_label(regime, held.tier, lang),
                    tier_label(regime, *needed, lang)
                ),
            );
            if let Some((host, ht)) = &held.capped_by_host {
                msg.push_str(&tf(
                    lang,
                    format!(
                        " (capped by its IaaS `{host}` at {})",
                        tier_label(regime, *ht, lang)
                    ),
                    format!(
                        " (기반 IaaS `{host}`의 {} 등급으로 제한)",
                        tier_label(regime, *ht, lang)
                    ),
                ));
            }
            if let Some(max) = held.capped_by_rule {
                msg.push_str(&tf(
                    lang,
                    format!(
                        " (this regime accepts it only up to {})",
                        tier_label(regime, max, lang)
                    ),
                    format!(
                        " (이 제도는 {} 등급까지만 인정)",
                        tier_label(regime, max, lang)
                    ),
                ));
            }
            (held.rule.clone(), regime.id.clone(), "tier-too-low", msg)
        }
        Blocker::Requirement(r) => (
            r.rule.clone(),
            r.regime.clone(),
            r.kind.as_str(),
            requirement_message(r, lang),
        ),
    }
}

fn assumptions_block(
    doc: &mut Doc,
    rules: &RuleSet,
    a: &AssumptionSet,
    ids: &[AssumptionId],
    lang: Lang,
) -> Value {
    let mut out = Vec::new();
    for id in ids {
        let Some(def) = rules.assumptions.iter().find(|x| &x.id == id) else {
            continue;
        };
        let value = a.get(id).cloned().unwrap_or_else(|| def.default.clone());
        let overridden = a.is_overridden(id);
        let state = if overridden {
            labels::OVERRIDDEN.get(lang)
        } else {
            labels::DEFAULT.get(lang)
        };
        doc.note(format!(
            "{} {id} = {value} ({state}; {}): {}",
            labels::ASSUMPTION.get(lang),
            confidence_text(def.provenance.confidence, lang),
            def.title.get(lang)
        ));
        out.push(json!({
            "id": id.as_str(),
            "value": assumption_value_json(&value),
            "overridden": overridden,
            "confidence": def.provenance.confidence.mark(),
        }));
    }
    Value::Array(out)
}

fn status_warning(doc: &mut Doc, regime: &Regime, in_force: bool, lang: Lang) {
    if regime.status == RegimeStatus::Scenario {
        doc.warning(tf(
            lang,
            format!("{} is a scenario, not law.", regime.id),
            format!("{}은(는) 법이 아닌 시나리오입니다.", regime.id),
        ));
    } else if !in_force {
        doc.warning(tf(
            lang,
            format!(
                "{} does not govern on this date; this is a what-if.",
                regime.id
            ),
            format!(
                "{}은(는) 이 날짜에 시행 중이 아니므로 가정적 판단입니다.",
                regime.id
            ),
        ));
    }
}

// ---- classify -------------------------------------------------------------------------------

/// `classify`.
///
/// JSON: `{"system", "as_of", "results": [{"regime", "status", "in_force", "tier", "rules_tier",
/// "matched": [{"rule", "categories": [..], "source": [..], "confidence"}], "override":
/// {"outcome": "raised"|"lowered"|"refused", "requested"|"to", "reason", "rules": [..]}|null}],
/// "sector_rules": [{"regime", "rule", "requirement", "title", "source", "confidence"}],
/// "assumptions": [..]}`.
pub fn classify_view(d: &Decider, system: &SystemProfile, regimes: &[&Regime], lang: Lang) -> View {
    let mut doc = Doc::new(
        tf(
            lang,
            format!("Classification of {}", system.id),
            format!("{} 등급 분류", system.id),
        ),
        lang,
    );
    doc.key_values(vec![
        (
            t(lang, "System", "시스템").into(),
            format!("{} ({})", system.id, system.name),
        ),
        (
            t(lang, "Data", "데이터").into(),
            system
                .data
                .iter()
                .map(|c| i18n::data_category(c).get(lang))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (t(lang, "As of", "기준일").into(), d.as_of.to_string()),
    ]);
    let mut results = Vec::new();
    let mut assumption_ids = Vec::new();
    for regime in regimes {
        let c = classify(regime, system);
        let in_force = d.in_force(regime);
        doc.heading(2, format!("{} — {}", regime.id, regime.name.get(lang)));
        status_warning(&mut doc, regime, in_force, lang);
        doc.key_values(vec![
            (
                labels::TIER.get(lang).into(),
                tier_label(regime, c.tier, lang),
            ),
            (
                t(lang, "Tier by the rules alone", "규칙상 등급").into(),
                tier_label(regime, c.rules_tier, lang),
            ),
        ]);
        let mut matched = Vec::new();
        let mut items = Vec::new();
        for (rule, cats) in &c.matched {
            let title = regime
                .classification
                .iter()
                .find(|r| &r.id == rule)
                .map(|r| r.title.get(lang).to_owned())
                .unwrap_or_default();
            let cats_text: Vec<&str> = cats
                .iter()
                .map(|x| i18n::data_category(x).get(lang))
                .collect();
            items.push(format!(
                "{title} ({}) {}",
                cats_text.join(", "),
                cite(d.rules, &regime.id, rule, lang)
            ));
            let (source, confidence) = cite_json(d.rules, &regime.id, rule);
            matched.push(json!({
                "rule": rule.as_str(),
                "categories": cats.iter().map(|x| x.as_str()).collect::<Vec<_>>(),
                "source": source,
                "confidence": confidence,
            }));
        }
        if items.is_empty() {
            doc.paragraph(tf(
                lang,
                format!(
                    "No rule matches; the lowest tier applies ({}).",
                    tier_label(regime, c.rules_tier, lang)
                ),
                format!(
                    "해당 규칙이 없어 최저 등급({})이 적용됩니다.",
                    tier_label(regime, c.rules_tier, lang)
                ),
            ));
        } else {
            doc.list(items);
        }
        let override_json = match &c.overridden {
            None => Value::Null,
            Some(OverrideOutcome::Raised { to, reason, .. }) => {
                doc.note(tf(
                    lang,
                    format!(
                        "The institution grades it up to {} ({reason}).",
                        tier_label(regime, *to, lang)
                    ),
                    format!(
                        "기관이 {} 등급으로 상향했습니다({reason}).",
                        tier_label(regime, *to, lang)
                    ),
                ));
                json!({"outcome": "raised", "to": tier_id(regime, *to), "reason": reason})
            }
            Some(OverrideOutcome::Lowered {
                to,
                reason,
                allowed_by,
                ..
            }) => {
                doc.note(tf(
                    lang,
                    format!(
                        "The institution grades it down to {} ({reason}), as {} allows.",
                        tier_label(regime, *to, lang),
                        join(allowed_by)
                    ),
                    format!(
                        "기관이 {} 등급으로 하향했으며({reason}) {}이(가) 이를 허용합니다.",
                        tier_label(regime, *to, lang),
                        join(allowed_by)
                    ),
                ));
                json!({"outcome": "lowered", "to": tier_id(regime, *to), "reason": reason,
                       "rules": allowed_by.iter().map(|r| r.as_str()).collect::<Vec<_>>()})
            }
            Some(OverrideOutcome::Refused {
                requested,
                reason,
                blocked_by,
            }) => {
                doc.warning(tf(
                    lang,
                    format!("The institution's grading to {} ({reason}) is not honoured: {} allow no such downgrade.", tier_label(regime, *requested, lang), join(blocked_by)),
                    format!("기관의 {} 등급 지정({reason})은 반영되지 않았습니다: {}은(는) 그런 하향을 허용하지 않습니다.", tier_label(regime, *requested, lang), join(blocked_by)),
                ));
                json!({"outcome": "refused", "requested": tier_id(regime, *requested), "reason": reason,
                       "rules": blocked_by.iter().map(|r| r.as_str()).collect::<Vec<_>>()})
            }
        };
        for id in regime_assumptions(regime) {
            if !assumption_ids.contains(&id) {
                assumption_ids.push(id);
            }
        }
        results.push(json!({
            "regime": regime.id.as_str(),
            "status": regime.status.as_str(),
            "in_force": in_force,
            "tier": tier_id(regime, c.tier),
            "rules_tier": tier_id(regime, c.rules_tier),
            "matched": matched,
            "override": override_json,
        }));
    }
    // Sector laws the system triggers, whatever the service.
    let triggered = triggered_overlays(d, system);
    doc.heading(2, t(lang, "Sector laws triggered", "적용되는 분야별 법규"));
    let mut sector = Vec::new();
    if triggered.is_empty() {
        doc.paragraph(t(lang, "None.", "없습니다."));
    } else {
        let rows = triggered
            .iter()
            .map(|(o, r)| {
                sector.push(json!({
                    "regime": o.id.as_str(),
                    "rule": r.id.as_str(),
                    "requirement": r.kind.as_str(),
                    "title": r.title.get(lang),
                    "source": r.provenance.sources.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
                    "confidence": r.provenance.confidence.mark(),
                }));
                vec![
                    o.name.get(lang).to_owned(),
                    r.title.get(lang).to_owned(),
                    cite(d.rules, &o.id, &r.id, lang),
                ]
            })
            .collect();
        doc.table(
            vec![
                t(lang, "Law", "법규").into(),
                t(lang, "Requirement", "요구사항").into(),
                labels::SOURCES.get(lang).into(),
            ],
            rows,
        );
    }
    if system.transfer_ground.is_none()
        && system.data.intersects(
            [
                DataCategory::Personal,
                DataCategory::SensitivePersonal,
                DataCategory::UniqueIdentifier,
                DataCategory::Credit,
                DataCategory::MedicalRecord,
            ]
            .into_iter()
            .collect(),
        )
    {
        doc.note(t(
            lang,
            "No PIPA Art. 28-8 transfer ground is shown: personal data must stay in Korea unless one is.",
            "개인정보 보호법 제28조의8 국외 이전 근거가 없습니다. 근거가 없으면 개인정보는 국내에 있어야 합니다.",
        ));
    }
    doc.heading(2, labels::ASSUMPTIONS.get(lang));
    let assumptions = assumptions_block(&mut doc, d.rules, d.assumptions, &assumption_ids, lang);
    let json = json!({
        "system": system.id.as_str(),
        "as_of": d.as_of.to_string(),
        "results": results,
        "sector_rules": sector,
        "transfer_ground": system.transfer_ground.map(|g| g.as_str()),
        "assumptions": assumptions,
    });
    View { doc, json }
}

// ---- eligible -------------------------------------------------------------------------------

fn eligibility_json(rules: &RuleSet, regime: &Regime, e: &Eligibility, lang: Lang) -> Value {
    let blockers: Vec<Value> = e
        .blockers
        .iter()
        .map(|b| {
            let (rule, in_regime, kind, message) = blocker_parts(regime, b, lang);
            let (source, confidence) = cite_json(rules, &in_regime, &rule);
            json!({"rule": rule.as_str(), "regime": in_regime.as_str(), "kind": kind,
                   "message": message, "source": source, "confidence": confidence})
        })
        .collect();
    let evidence: Vec<Value> = e
        .evidence_needed
        .iter()
        .map(|r| {
            let (source, confidence) = cite_json(rules, &r.regime, &r.rule);
            json!({"rule": r.rule.as_str(), "regime": r.regime.as_str(), "kind": r.kind.as_str(),
                   "message": requirement_message(r, lang), "source": source, "confidence": confidence})
        })
        .collect();
    let requirements: Vec<Value> = e
        .requirements
        .iter()
        .map(|r| {
            json!({"rule": r.rule.as_str(), "regime": r.regime.as_str(), "kind": r.kind.as_str(),
                        "check": check_key(r.check), "message": requirement_message(r, lang)})
        })
        .collect();
    json!({
        "regime": regime.id.as_str(),
        "status": regime.status.as_str(),
        "in_force": e.in_force,
        "tier": tier_id(regime, e.classification.tier),
        "eligible": e.verdict == Verdict::Eligible,
        "verdict": e.verdict.as_str(),
        "certificate": e.certificate.as_ref().map(|c| json!({
            "scheme": c.scheme.as_str(), "level": c.level, "number": c.number,
            "counts_as": tier_id(regime, c.tier), "grandfathered": c.grandfathered,
            "expires": c.expires.to_string(), "rule": c.rule.as_str(),
        })),
        "blockers": blockers,
        "evidence_needed": evidence,
        "requirements": requirements,
    })
}

fn eligibility_section(
    doc: &mut Doc,
    rules: &RuleSet,
    regime: &Regime,
    e: &Eligibility,
    lang: Lang,
) {
    doc.heading(2, format!("{} — {}", regime.id, regime.name.get(lang)));
    status_warning(doc, regime, e.in_force, lang);
    let cert = match &e.certificate {
        Some(c) => {
            let mut s = format!(
                "{}{} → {}",
                c.scheme,
                c.level
                    .as_ref()
                    .map(|l| format!(" {l}"))
                    .unwrap_or_default(),
                tier_label(regime, c.tier, lang)
            );
            if c.grandfathered {
                s.push_str(t(lang, " (grandfathered)", " (경과 인정)"));
            }
            s.push_str(&tf(
                lang,
                format!(", expires {}", c.expires),
                format!(", {} 만료", c.expires),
            ));
            s
        }
        None => labels::NONE.get(lang).to_owned(),
    };
    doc.key_values(vec![
        (
            t(lang, "Verdict", "판정").into(),
            verdict_label(e.verdict).get(lang).to_owned(),
        ),
        (
            t(lang, "System tier", "시스템 등급").into(),
            tier_label(regime, e.classification.tier, lang),
        ),
        (t(lang, "Accepted certificate", "인정 인증서").into(), cert),
    ]);
    if !e.blockers.is_empty() {
        doc.heading(3, t(lang, "Blockers", "차단 사유"));
        doc.list(
            e.blockers
                .iter()
                .map(|b| {
                    let (rule, in_regime, _, message) = blocker_parts(regime, b, lang);
                    format!("{message} {}", cite(rules, &in_regime, &rule, lang))
                })
                .collect(),
        );
    }
    if !e.evidence_needed.is_empty() {
        doc.heading(3, t(lang, "Evidence needed", "필요한 증빙"));
        doc.list(
            e.evidence_needed
                .iter()
                .map(|r| {
                    format!(
                        "{} {}",
                        requirement_message(r, lang),
                        cite(rules, &r.regime, &r.rule, lang)
                    )
                })
                .collect(),
        );
    }
}

/// `eligible`.
///
/// JSON: `{"system", "service", "as_of", "governing_regime", "eligible": bool (under the
/// governing or chosen regime), "results": [{"regime", "status", "in_force", "tier", "eligible",
/// "verdict", "certificate", "blockers": [{"rule", "regime", "kind", "message", "source",
/// "confidence"}], "evidence_needed": [..], "requirements": [{"rule", "regime", "kind",
/// "check", "message"}]}], "assumptions": [..]}`.
pub fn eligible_view(
    d: &Decider,
    system: &SystemProfile,
    service: &ServiceProfile,
    results: &[(&Regime, Eligibility)],
    lang: Lang,
) -> View {
    let mut doc = Doc::new(
        tf(
            lang,
            format!("May {} host {}?", service.id, system.id),
            format!("{}이(가) {}을(를) 수용할 수 있는가?", service.id, system.id),
        ),
        lang,
    );
    let governing = d.governing_regime();
    doc.key_values(vec![
        (
            t(lang, "System", "시스템").into(),
            format!("{} ({})", system.id, system.name),
        ),
        (
            t(lang, "Service", "서비스").into(),
            format!("{} ({}, {})", service.id, service.name, service.provider),
        ),
        (t(lang, "As of", "기준일").into(), d.as_of.to_string()),
        (
            t(lang, "Governing regime", "시행 중인 제도").into(),
            governing
                .map(|r| r.id.to_string())
                .unwrap_or_else(|| labels::NONE.get(lang).into()),
        ),
    ]);
    let mut ids = Vec::new();
    let mut out = Vec::new();
    for (regime, e) in results {
        eligibility_section(&mut doc, d.rules, regime, e, lang);
        out.push(eligibility_json(d.rules, regime, e, lang));
        for id in regime_assumptions(regime) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    doc.heading(2, labels::ASSUMPTIONS.get(lang));
    let assumptions = assumptions_block(&mut doc, d.rules, d.assumptions, &ids, lang);
    let headline = results.first().map(|(_, e)| e.verdict == Verdict::Eligible);
    let json = json!({
        "system": system.id.as_str(),
        "service": service.id.as_str(),
        "as_of": d.as_of.to_string(),
        "governing_regime": governing.map(|r| r.id.as_str()),
        "eligible": headline,
        "results": out,
        "assumptions": assumptions,
    });
    View { doc, json }
}

// ---- match ----------------------------------------------------------------------------------

/// `match`.
///
/// JSON: `{"system", "regime", "as_of", "tier", "eligible": [service id], "services": [{"service",
/// "rank", "verdict", "eligible", "certificate", "blockers": [..], "evidence_needed": [..]}]}`.
pub fn match_view(
    d: &Decider,
    regime: &Regime,
    system: &SystemProfile,
    entries: &[MatchEntry],
    lang: Lang,
) -> View {
    let mut doc = Doc::new(
        tf(
            lang,
            format!("Services for {} under {}", system.id, regime.id),
            format!("{}에 쓸 수 있는 서비스 ({})", system.id, regime.id),
        ),
        lang,
    );
    let tier = classify(regime, system).tier;
    status_warning(&mut doc, regime, d.in_force(regime), lang);
    doc.key_values(vec![
        (
            t(lang, "System", "시스템").into(),
            format!("{} ({})", system.id, system.name),
        ),
        (
            labels::TIER.get(lang).into(),
            tier_label(regime, tier, lang),
        ),
        (t(lang, "As of", "기준일").into(), d.as_of.to_string()),
    ]);
    let rows = entries
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let e = &m.eligibility;
            let first = e
                .blockers
                .first()
                .map(|b| blocker_parts(regime, b, lang).3)
                .or_else(|| {
                    e.evidence_needed
                        .first()
                        .map(|r| requirement_message(r, lang))
                })
                .unwrap_or_default();
            vec![
                (i + 1).to_string(),
                m.service.to_string(),
                verdict_label(e.verdict).get(lang).to_owned(),
                e.blockers.len().to_string(),
                first,
            ]
        })
        .collect();
    doc.table(
        vec![
            "#".into(),
            t(lang, "Service", "서비스").into(),
            t(lang, "Verdict", "판정").into(),
            t(lang, "Blockers", "차단 사유 수").into(),
            t(
                lang,
                "First blocker or open question",
                "첫 차단 사유 또는 확인 사항",
            )
            .into(),
        ],
        rows,
    );
    let services: Vec<Value> = entries
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let mut v = eligibility_json(d.rules, regime, &m.eligibility, lang);
            if let Value::Object(o) = &mut v {
                o.insert("service".into(), Value::from(m.service.as_str()));
                o.insert("rank".into(), Value::from(i + 1));
            }
            v
        })
        .collect();
    let assumptions = assumptions_block(
        &mut doc,
        d.rules,
        d.assumptions,
        &regime_assumptions(regime),
        lang,
    );
    let json = json!({
        "system": system.id.as_str(),
        "regime": regime.id.as_str(),
        "as_of": d.as_of.to_string(),
        "tier": tier_id(regime, tier),
        "eligible": entries.iter().filter(|m| m.eligibility.verdict == Verdict::Eligible).map(|m| m.service.as_str()).collect::<Vec<_>>(),
        "services": services,
        "assumptions": assumptions,
    });
    View { doc, json }
}

// ---- assess ---------------------------------------------------------------------------------

fn control_outcome_text(o: &ControlOutcome, lang: Lang) -> String {
    match o {
        ControlOutcome::Met => t(lang, "met", "충족").into(),
        ControlOutcome::NotMet { partial: true, .. } => {
            t(lang, "not met (partial)", "미충족(부분 이행)").into()
        }
        ControlOutcome::NotMet { planned: true, .. } => {
            t(lang, "not met (planned)", "미충족(계획)").into()
        }
        ControlOutcome::NotMet { .. } => t(lang, "not met", "미충족").into(),
        ControlOutcome::NotApplicable { declared: true } => {
            t(lang, "not applicable (declared)", "해당 없음(제공자 선언)").into()
        }
        ControlOutcome::NotApplicable { declared: false } => t(
            lang,
            "not applicable to this service type",
            "이 서비스 유형에 해당 없음",
        )
        .into(),
        ControlOutcome::EvidenceNeeded => t(lang, "evidence needed", "증빙 필요").into(),
        ControlOutcome::Covered {
            scheme,
            relation,
            via,
            ..
        } => tf(
            lang,
            format!(
                "covered by {scheme} (crosswalk at {via}: {})",
                relation.as_str()
            ),
            format!("{scheme}로 충족 (매핑 {via}: {})", relation.as_str()),
        ),
        ControlOutcome::PartlyCovered {
            scheme,
            relation,
            via,
            ..
        } => tf(
            lang,
            format!(
                "partly covered by {scheme} (crosswalk at {via}: {}); evidence needed for the rest",
                relation.as_str()
            ),
            format!(
                "{scheme}로 일부 충족 (매핑 {via}: {}), 나머지는 증빙 필요",
                relation.as_str()
            ),
        ),
    }
}

/// `assess`.
///
/// JSON: `{"service", "regime", "tier", "as_of", "service_type", "certified_at_tier",
/// "requirements": [{"rule", "kind", "check", "message", "source", "confidence"}], "controls":
/// [{"control", "outcome", "message", "statement_on", "evidence"}], "summary": {outcome: count},
/// "remediation": [{"requirement", "rule", "unblocks": [{"regime", "tier"}]}],
/// "controls_to_fix": [id], "assumptions": [..]}`.
pub fn assess_view(
    d: &Decider,
    regime: &Regime,
    service: &ServiceProfile,
    a: &Assessment,
    lang: Lang,
) -> View {
    let mut doc = Doc::new(
        tf(
            lang,
            format!(
                "Assessment of {} against {} {}",
                service.id,
                regime.id,
                tier_label(regime, a.tier, lang)
            ),
            format!(
                "{} 평가: {} {} 등급",
                service.id,
                regime.id,
                tier_label(regime, a.tier, lang)
            ),
        ),
        lang,
    );
    status_warning(&mut doc, regime, d.in_force(regime), lang);
    let summary_text: Vec<String> = a.summary.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    doc.key_values(vec![
        (
            t(lang, "Service", "서비스").into(),
            format!("{} ({}, {})", service.id, service.name, service.provider),
        ),
        (
            t(lang, "Service type", "서비스 유형").into(),
            a.service_type.as_str().into(),
        ),
        (t(lang, "As of", "기준일").into(), d.as_of.to_string()),
        (
            t(lang, "Certified at this tier", "이 등급 인증 보유").into(),
            i18n::yes_no(lang, a.certified_at_tier).into(),
        ),
        (t(lang, "Summary", "요약").into(), summary_text.join(", ")),
    ]);
    doc.heading(2, t(lang, "Categorical requirements", "범주 요건"));
    let rows = a
        .requirements
        .iter()
        .map(|r| {
            vec![
                check_label(r.check).get(lang).to_owned(),
                requirement_message(r, lang),
                cite(d.rules, &r.regime, &r.rule, lang),
            ]
        })
        .collect();
    doc.table(
        vec![
            t(lang, "Result", "결과").into(),
            t(lang, "Requirement", "요구사항").into(),
            labels::SOURCES.get(lang).into(),
        ],
        rows,
    );
    if !a.remediation.is_empty() {
        doc.heading(
            2,
            t(
                lang,
                "Remediation, most unblocking first",
                "개선 과제 (효과 큰 순)",
            ),
        );
        doc.list(
            a.remediation
                .iter()
                .map(|r| {
                    let targets: Vec<String> = r
                        .unblocks
                        .iter()
                        .map(|(g, tr)| {
                            let tier = d
                                .rules
                                .regime(g)
                                .map(|x| tier_id(x, *tr))
                                .unwrap_or_default();
                            format!("{g}/{tier}")
                        })
                        .collect();
                    tf(
                        lang,
                        format!(
                            "{}: needed for {} target(s): {}",
                            i18n::requirement_kind(r.kind).en,
                            targets.len(),
                            targets.join(", ")
                        ),
                        format!(
                            "{}: {}개 대상에 필요: {}",
                            i18n::requirement_kind(r.kind).ko,
                            targets.len(),
                            targets.join(", ")
                        ),
                    )
                })
                .collect(),
        );
    }
    let catalog = regime.catalog.as_ref().and_then(|c| d.rules.catalog(c));
    doc.heading(2, t(lang, "Controls", "통제 항목"));
    if let Some(catalog) = catalog {
        doc.note(t(
            lang,
            "Official control wording is not public for most items; titles and summaries are ours.",
            "대부분 항목의 공식 문구는 공개되지 않았으며 제목과 요약은 자체 작성한 것입니다.",
        ));
        let rows = a
            .controls
            .iter()
            .map(|c| {
                let title = catalog
                    .entry(&c.control)
                    .map(|e| e.title.get(lang).to_owned())
                    .unwrap_or_default();
                vec![
                    c.control.to_string(),
                    title,
                    control_outcome_text(&c.outcome, lang),
                    c.evidence.join(", "),
                ]
            })
            .collect();
        doc.table(
            vec![
                labels::ID.get(lang).into(),
                labels::TITLE.get(lang).into(),
                t(lang, "Result", "결과").into(),
                t(lang, "Evidence", "증빙").into(),
            ],
            rows,
        );
    }
    let assumptions = assumptions_block(
        &mut doc,
        d.rules,
        d.assumptions,
        &regime_assumptions(regime),
        lang,
    );
    let json = json!({
        "service": service.id.as_str(),
        "regime": regime.id.as_str(),
        "tier": tier_id(regime, a.tier),
        "as_of": d.as_of.to_string(),
        "service_type": a.service_type.as_str(),
        "certified_at_tier": a.certified_at_tier,
        "requirements": a.requirements.iter().map(|r| {
            let (source, confidence) = cite_json(d.rules, &r.regime, &r.rule);
            json!({"rule": r.rule.as_str(), "regime": r.regime.as_str(), "kind": r.kind.as_str(),
                   "check": check_key(r.check), "message": requirement_message(r, lang),
                   "source": source, "confidence": confidence})
        }).collect::<Vec<_>>(),
        "controls": a.controls.iter().map(|c| json!({
            "control": c.control.as_str(), "outcome": c.outcome.key(),
            "message": control_outcome_text(&c.outcome, lang),
            "statement_on": c.statement_on.as_ref().map(|x| x.as_str()), "evidence": c.evidence,
        })).collect::<Vec<_>>(),
        "summary": a.summary,
        "remediation": a.remediation.iter().map(|r| json!({
            "requirement": r.kind.as_str(), "rule": r.rule.as_str(),
            "unblocks": r.unblocks.iter().map(|(g, tr)| json!({
                "regime": g.as_str(),
                "tier": d.rules.regime(g).map(|x| tier_id(x, *tr)),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "controls_to_fix": a.controls_to_fix.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "assumptions": assumptions,
    });
    View { doc, json }
}

/// `assess --evidence`: [`assess_view`] of the folded assessment, plus a "Configuration scan
/// evidence" section listing, per control some scan result spoke to, the outcome before and
/// after, the counts, what settles the unknowns, and where a provider statement of
/// not-implemented kept its outcome.
///
/// JSON: `assess_view`'s, plus `"scan_evidence": {"files": [path], "controls": [{"control",
/// "before", "after", "changed", "pass", "fail", "unknown", "warn", "statement_wins",
/// "settle": [text]}]}`.
pub fn assess_evidence_view(
    d: &Decider,
    regime: &Regime,
    service: &ServiceProfile,
    e: &EvidencedAssessment,
    files: &[String],
    lang: Lang,
) -> View {
    let mut view = assess_view(d, regime, service, &e.assessment, lang);
    let doc = &mut view.doc;
    doc.heading(2, t(lang, "Configuration scan evidence", "구성 검사 증빙"));
    doc.key_values(vec![(
        t(lang, "Scan results", "검사 결과 파일").into(),
        files.join(", "),
    )]);
    if e.folds.is_empty() {
        doc.paragraph(t(
            lang,
            "No scan result speaks to a control of this assessment.",
            "이 평가의 통제 항목에 해당하는 검사 결과가 없습니다.",
        ));
    } else {
        let rows = e
            .folds
            .iter()
            .map(|f| {
                let mut note: Vec<String> = Vec::new();
                if f.statement_wins {
                    note.push(
                        t(
                            lang,
                            "the provider states it not implemented; the statement stands",
                            "제공자가 미이행으로 밝혀 그 진술을 유지함",
                        )
                        .into(),
                    );
                }
                if !f.settle.is_empty() {
                    note.push(tf(
                        lang,
                        format!("settled by: {}", f.settle.join("; ")),
                        format!("확인 방법: {}", f.settle.join("; ")),
                    ));
                }
                vec![
                    f.control.to_string(),
                    control_outcome_text(&f.before, lang),
                    control_outcome_text(&f.after, lang),
                    format!("{}/{}/{}/{}", f.pass, f.fail, f.unknown, f.warn),
                    note.join("; "),
                ]
            })
            .collect();
        doc.table(
            vec![
                labels::ID.get(lang).into(),
                t(lang, "Before", "반영 전").into(),
                t(lang, "With scan", "검사 반영").into(),
                t(lang, "pass/fail/unknown/warn", "통과/실패/미확인/경고").into(),
                t(lang, "Note", "비고").into(),
            ],
            rows,
        );
    }
    if let Some(obj) = view.json.as_object_mut() {
        obj.insert(
            "scan_evidence".to_owned(),
            json!({
                "files": files,
                "controls": e.folds.iter().map(|f| json!({
                    "control": f.control.as_str(),
                    "before": f.before.key(),
                    "after": f.after.key(),
                    "changed": f.before != f.after,
                    "pass": f.pass, "fail": f.fail, "unknown": f.unknown, "warn": f.warn,
                    "statement_wins": f.statement_wins,
                    "settle": f.settle,
                })).collect::<Vec<_>>(),
            }),
        );
    }
    view
}

// ---- regime diff ----------------------------------------------------------------------------

fn kinds_of(bits: u32) -> Vec<RequirementKind> {
    RequirementKind::ALL
        .iter()
        .copied()
        .filter(|k| bits & k.bit() != 0)
        .collect()
}

fn outcome_text(regime: &Regime, o: &kcvs_engine::diff::Outcome, lang: Lang) -> String {
    let mut why: Vec<String> = Vec::new();
    if o.certificate_short {
        why.push(t(lang, "certificate short of the tier", "인증 등급 부족").into());
    }
    why.extend(
        kinds_of(o.requirements_not_met)
            .into_iter()
            .map(|k| i18n::requirement_kind(k).get(lang).to_owned()),
    );
    let verdict = verdict_label(o.verdict).get(lang);
    if why.is_empty() {
        format!("{} @ {verdict}", tier_label(regime, o.tier, lang))
    } else {
        format!(
            "{} @ {verdict}: {}",
            tier_label(regime, o.tier, lang),
            why.join(", ")
        )
    }
}

fn outcome_json(regime: &Regime, o: &kcvs_engine::diff::Outcome) -> Value {
    json!({
        "tier": tier_id(regime, o.tier),
        "verdict": o.verdict.as_str(),
        "certificate_short": o.certificate_short,
        "requirements_not_met": kinds_of(o.requirements_not_met).iter().map(|k| k.as_str()).collect::<Vec<_>>(),
    })
}

/// A service class in a compact form: only what departs from a fully Korean, physically
/// separated, KCMVP-using service is spelled out.
fn service_class_text(s: &ServiceClass, lang: Lang) -> String {
    let mut parts: Vec<String> = Vec::new();
    parts.push(
        match s.host {
            HostClass::Iaas => "IaaS",
            HostClass::SaasOnCertifiedIaas => {
                t(lang, "SaaS on certified IaaS", "인증 IaaS 위 SaaS")
            }
            HostClass::SaasOnUncertifiedIaas => {
                t(lang, "SaaS on uncertified IaaS", "미인증 IaaS 위 SaaS")
            }
        }
        .to_owned(),
    );
    parts.push(match s.cert {
        CertClass::None => t(lang, "no certificate", "인증 없음").to_owned(),
        CertClass::Held { scheme, level } => {
            format!(
                "{scheme}{}",
                level.map(|l| format!(" {l}")).unwrap_or_default()
            )
        }
    });
    if s.separation == Separation::Logical {
        parts.push(t(lang, "logical separation", "논리적 분리").into());
    }
    let abroad: Vec<&str> = [
        (s.data_in_korea, L::new("data", "데이터")),
        (s.management_in_korea, L::new("management", "관리")),
        (s.backups_in_korea, L::new("backups", "백업")),
        (s.personnel_in_korea, L::new("staff", "인력")),
    ]
    .iter()
    .filter(|(here, _)| !here)
    .map(|(_, l)| l.get(lang))
    .collect();
    if !abroad.is_empty() {
        parts.push(tf(
            lang,
            format!("abroad: {}", abroad.join("/")),
            format!("국외: {}", abroad.join("/")),
        ));
    }
    match s.crypto {
        CryptoClass::KcmvpKorean => {}
        CryptoClass::KcmvpAes => parts.push("KCMVP+AES".into()),
        CryptoClass::FipsAes => parts.push("FIPS+AES".into()),
    }
    if !s.cc_products {
        parts.push(t(lang, "no CC products", "CC 제품 없음").into());
    }
    parts.join(", ")
}

fn group_json(a: &Regime, b: &Regime, g: &FlipGroup) -> Value {
    json!({
        "a": outcome_json(a, &g.a),
        "b": outcome_json(b, &g.b),
        "pairs": g.pairs,
        "system_classes": g.system_classes,
        "service_classes": g.service_classes,
        "example": {
            "system": {
                "data": g.example_system.data.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
                "financial": g.example_system.financial,
                "transfer_ground": g.example_system.has_ground,
            },
            "service": format!("{:?}", g.example_service),
        },
    })
}

/// `regime diff A B`.
///
/// JSON: `{"a", "b", "as_of", "system_classes", "service_classes", "pairs", "flipped_pairs",
/// "lost", "gained", "groups": [{"a": outcome, "b": outcome, "pairs", "system_classes",
/// "service_classes", "example": {"system", "service"}}]}` where an outcome is `{"tier",
/// "verdict", "certificate_short", "requirements_not_met": [kind]}`.
pub fn diff_view(
    d: &Decider,
    a: &Regime,
    b: &Regime,
    x: &RegimeDiff,
    limit: usize,
    lang: Lang,
) -> View {
    let mut doc = Doc::new(
        tf(
            lang,
            format!("What changes from {} to {}", a.id, b.id),
            format!("{}에서 {}로 바뀌는 것", a.id, b.id),
        ),
        lang,
    );
    for r in [a, b] {
        status_warning(&mut doc, r, d.in_force(r), lang);
    }
    doc.key_values(vec![
        (t(lang, "As of", "기준일").into(), d.as_of.to_string()),
        (
            t(lang, "System classes", "시스템 유형 수").into(),
            x.system_classes.to_string(),
        ),
        (
            t(lang, "Service classes", "서비스 유형 수").into(),
            x.service_classes.to_string(),
        ),
        (
            t(lang, "Pairs examined", "검토한 쌍").into(),
            x.pairs.to_string(),
        ),
        (
            t(lang, "Pairs whose verdict flips", "판정이 바뀌는 쌍").into(),
            x.flipped_pairs.to_string(),
        ),
        (
            t(lang, "Become eligible", "새로 이용 가능").into(),
            x.gained.to_string(),
        ),
        (
            t(lang, "Stop being eligible", "이용 불가로 바뀜").into(),
            x.lost.to_string(),
        ),
    ]);
    doc.paragraph(t(
        lang,
        "Exhaustive: every set of data categories (financial or not, with or without a PIPA transfer ground) against every service attribute class; nothing is sampled.",
        "전수 비교입니다: 모든 데이터 범주 조합(금융 여부, 국외 이전 근거 유무 포함)을 모든 서비스 속성 유형과 대조했으며 표본 추출은 없습니다.",
    ));
    if x.groups.is_empty() {
        doc.paragraph(t(lang, "No verdict changes.", "바뀌는 판정이 없습니다."));
    } else {
        doc.heading(
            2,
            t(
                lang,
                "Groups of flipped pairs, largest first",
                "판정이 바뀌는 쌍의 묶음 (큰 순)",
            ),
        );
        let rows = x
            .groups
            .iter()
            .take(limit)
            .map(|g| {
                let data: Vec<&str> = g
                    .example_system
                    .data
                    .iter()
                    .map(|c| i18n::data_category(c).get(lang))
                    .collect();
                vec![
                    g.pairs.to_string(),
                    outcome_text(a, &g.a, lang),
                    outcome_text(b, &g.b, lang),
                    format!(
                        "{} | {}",
                        if data.is_empty() {
                            "—".to_owned()
                        } else {
                            data.join(", ")
                        },
                        service_class_text(&g.example_service, lang)
                    ),
                ]
            })
            .collect();
        doc.table(
            vec![
                t(lang, "Pairs", "쌍 수").into(),
                a.id.to_string(),
                b.id.to_string(),
                t(
                    lang,
                    "Example (system data | service)",
                    "예 (시스템 데이터 | 서비스)",
                )
                .into(),
            ],
            rows,
        );
        if x.groups.len() > limit {
            doc.note(tf(
                lang,
                format!(
                    "{} more groups not shown; use --limit or --format json.",
                    x.groups.len() - limit
                ),
                format!(
                    "{}개 묶음이 더 있습니다. --limit 또는 --format json을 쓰십시오.",
                    x.groups.len() - limit
                ),
            ));
        }
    }
    let mut ids = regime_assumptions(a);
    for id in regime_assumptions(b) {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let assumptions = assumptions_block(&mut doc, d.rules, d.assumptions, &ids, lang);
    let json = json!({
        "a": a.id.as_str(),
        "b": b.id.as_str(),
        "as_of": d.as_of.to_string(),
        "system_classes": x.system_classes,
        "service_classes": x.service_classes,
        "pairs": x.pairs,
        "flipped_pairs": x.flipped_pairs,
        "lost": x.lost,
        "gained": x.gained,
        "groups": x.groups.iter().map(|g| group_json(a, b, g)).collect::<Vec<_>>(),
        "assumptions": assumptions,
    });
    View { doc, json }
}
