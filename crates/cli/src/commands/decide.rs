//! The decision commands: `classify`, `eligible`, `assess`, `match`.
//!
//! They read profiles (YAML or JSON), check them against the loaded rules, and hand typed values
//! to the engine. A SaaS or PaaS is judged with the IaaS it runs on, so services are looked up
//! in the service file's own folder and in `--services`.

use std::path::{Path, PathBuf};

use clap::Args;
use kcvs_engine::*;
use kcvs_model::*;
use kcvs_report::decisions::{
    assess_evidence_view, assess_view, classify_view, eligible_view, match_view,
};
use kcvs_report::i18n::tf;

use crate::args::{Ctx, GlobalArgs};
use crate::commands::regime::unknown_regime;
use crate::commands::{Exit, Output};
use crate::diag::CliError;

#[derive(Debug, Args)]
pub struct ClassifyArgs {
    /// The system profile (YAML or JSON)
    pub system: PathBuf,
    /// Only this regime (default: every regime that grades systems)
    #[arg(long)]
    pub regime: Option<String>,
}

#[derive(Debug, Args)]
pub struct EligibleArgs {
    /// The system profile
    #[arg(long)]
    pub system: PathBuf,
    /// The service profile
    #[arg(long)]
    pub service: PathBuf,
    /// Only this regime (default: every scheme regime, the governing one first)
    #[arg(long)]
    pub regime: Option<String>,
    /// A folder of further service profiles, where a SaaS's IaaS may be found
    #[arg(long)]
    pub services: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AssessArgs {
    /// The service profile
    pub service: PathBuf,
    /// The regime to assess against
    #[arg(long)]
    pub regime: String,
    /// The target tier, as the regime names it (e.g. low, medium, high; O, S, C)
    #[arg(long)]
    pub tier: String,
    /// A folder of further service profiles, where a SaaS's IaaS may be found
    #[arg(long)]
    pub services: Option<PathBuf>,
    /// `kcvs scan --format json` output to fold into the control results, repeatable (scan
    /// with --include-passes to list each passing resource)
    #[arg(long, value_name = "SCAN_JSON")]
    pub evidence: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct MatchArgs {
    /// The system profile
    pub system: PathBuf,
    /// A folder of service profiles to rank
    #[arg(long)]
    pub services: PathBuf,
    /// The regime (default: the one governing on --as-of)
    #[arg(long)]
    pub regime: Option<String>,
}

fn read(path: &Path, lang: Lang) -> Result<(String, String), CliError> {
    let name = path.display().to_string();
    std::fs::read_to_string(path)
        .map(|text| (name.clone(), text))
        .map_err(|e| {
            CliError::input(tf(
                lang,
                format!("cannot read `{name}`: {e}"),
                format!("`{name}`을(를) 읽을 수 없습니다: {e}"),
            ))
        })
}

fn load_system(ctx: &Ctx, path: &Path) -> Result<SystemProfile, CliError> {
    let (name, text) = read(path, ctx.lang)?;
    let system = kcvs_content::parse_system(&name, &text).map_err(CliError::Load)?;
    kcvs_content::check_system_overrides(&name, &text, &system, &ctx.rules)
        .map_err(CliError::Load)?;
    Ok(system)
}

fn parse_service_text(ctx: &Ctx, name: &str, text: &str) -> Result<ServiceProfile, CliError> {
    let service = kcvs_content::parse_service(name, text).map_err(CliError::Load)?;
    kcvs_content::check_service_schemes(name, text, &ctx.rules).map_err(CliError::Load)?;
    Ok(service)
}

fn load_service(ctx: &Ctx, path: &Path) -> Result<ServiceProfile, CliError> {
    let (name, text) = read(path, ctx.lang)?;
    parse_service_text(ctx, &name, &text)
}

/// Every profile in a folder; all of their errors at once.
fn load_services_dir(ctx: &Ctx, dir: &Path) -> Result<Vec<ServiceProfile>, CliError> {
    if !dir.is_dir() {
        return Err(CliError::input(tf(
            ctx.lang,
            format!("`{}` is not a folder of service profiles", dir.display()),
            format!("`{}`은(는) 서비스 프로필 폴더가 아닙니다", dir.display()),
        )));
    }
    let files = kcvs_content::read_pack_dir(dir).map_err(CliError::Load)?;
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for f in files {
        match parse_service_text(ctx, &f.name, &f.text) {
            Ok(s) => out.push(s),
            Err(CliError::Load(e)) => errors.extend(e.0),
            Err(other) => return Err(other),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(CliError::Load(kcvs_content::LoadErrors(errors)))
    }
}

/// The service's siblings and `--services`, minus the service itself, for host look-ups.
/// A sibling that does not parse is skipped: it is not what the user asked about.
fn neighbours(
    ctx: &Ctx,
    service: &Path,
    extra: Option<&Path>,
) -> Result<Vec<ServiceProfile>, CliError> {
    let mut out = Vec::new();
    if let Some(dir) = service.parent().filter(|p| p.is_dir())
        && let Ok(files) = kcvs_content::read_pack_dir(dir)
    {
        for f in files {
            if Path::new(&f.name) == service {
                continue;
            }
            if let Ok(s) = kcvs_content::parse_service(&f.name, &f.text) {
                out.push(s);
            }
        }
    }
    if let Some(dir) = extra {
        out.extend(load_services_dir(ctx, dir)?);
    }
    Ok(out)
}

fn regime_arg<'r>(ctx: &'r Ctx, id: &str) -> Result<&'r Regime, CliError> {
    ctx.rules
        .regime(&RegimeId::new(id))
        .ok_or_else(|| unknown_regime(&ctx.rules, id, ctx.lang))
}

fn scheme_regime<'r>(ctx: &'r Ctx, id: &str) -> Result<&'r Regime, CliError> {
    let r = regime_arg(ctx, id)?;
    if r.kind != RegimeKind::Scheme {
        let schemes: Vec<String> = ctx
            .rules
            .regimes
            .iter()
            .filter(|r| r.kind == RegimeKind::Scheme)
            .map(|r| format!("`{}`", r.id))
            .collect();
        return Err(CliError::input(tf(
            ctx.lang,
            format!("`{id}` certifies no services, so it cannot decide eligibility"),
            format!("`{id}`은(는) 서비스를 인증하지 않으므로 이용 가능 여부를 판단할 수 없습니다"),
        ))
        .with_help(tf(
            ctx.lang,
            format!("regimes that do: {}", schemes.join(", ")),
            format!("판단할 수 있는 제도: {}", schemes.join(", ")),
        )));
    }
    Ok(r)
}

pub fn classify(global: &GlobalArgs, args: &ClassifyArgs) -> Result<Output, CliError> {
    let ctx = global.ctx()?;
    let system = load_system(&ctx, &args.system)?;
    let regimes: Vec<&Regime> = match &args.regime {
        Some(id) => vec![regime_arg(&ctx, id)?],
        None => ctx
            .rules
            .regimes
            .iter()
            .filter(|r| !r.tiers.is_empty())
            .collect(),
    };
    let index = ServiceIndex::default();
    let d = Decider::new(&ctx.rules, &ctx.assumptions, ctx.as_of, &index);
    Ok(ctx.output(&classify_view(&d, &system, &regimes, ctx.lang)))
}

pub fn eligible(global: &GlobalArgs, args: &EligibleArgs) -> Result<Output, CliError> {
    let ctx = global.ctx()?;
    let system = load_system(&ctx, &args.system)?;
    let service = load_service(&ctx, &args.service)?;
    let others = neighbours(&ctx, &args.service, args.services.as_deref())?;
    let index = ServiceIndex::new(others.iter().chain(std::iter::once(&service)));
    let d = Decider::new(&ctx.rules, &ctx.assumptions, ctx.as_of, &index);
    let results: Vec<(&Regime, Eligibility)> = match &args.regime {
        Some(id) => {
            let r = scheme_regime(&ctx, id)?;
            vec![(r, eligibility(&d, r, &system, &service))]
        }
        None => eligibility_all(&d, &system, &service)
            .into_iter()
            .filter_map(|e| ctx.rules.regime(&e.regime).map(|r| (r, e)))
            .collect(),
    };
    let view = eligible_view(&d, &system, &service, &results, ctx.lang);
    let eligible = results
        .first()
        .is_some_and(|(_, e)| e.verdict == Verdict::Eligible);
    Ok(Output {
        stdout: view.render(ctx.format),
        exit: if eligible {
            Exit::Success
        } else {
            Exit::Negative
        },
    })
}

pub fn assess(global: &GlobalArgs, args: &AssessArgs) -> Result<Output, CliError> {
    let ctx = global.ctx()?;
    let regime = scheme_regime(&ctx, &args.regime)?;
    let tier = regime.tier_rank(&args.tier).ok_or_else(|| {
        let known: Vec<String> = regime.tiers.iter().map(|t| format!("`{}`", t.id)).collect();
        CliError::input(tf(
            ctx.lang,
            format!("`{}` is not a tier of {}", args.tier, regime.id),
            format!("`{}`은(는) {}의 등급이 아닙니다", args.tier, regime.id),
        ))
        .with_help(tf(
            ctx.lang,
            format!("tiers: {}", known.join(", ")),
            format!("등급: {}", known.join(", ")),
        ))
    })?;
    let service = load_service(&ctx, &args.service)?;
    let others = neighbours(&ctx, &args.service, args.services.as_deref())?;
    let index = ServiceIndex::new(others.iter().chain(std::iter::once(&service)));
    let d = Decider::new(&ctx.rules, &ctx.assumptions, ctx.as_of, &index);
    if !args.evidence.is_empty() {
        let mut evidence = Vec::new();
        let mut files = Vec::new();
        for path in &args.evidence {
            let (name, text) = read(path, ctx.lang)?;
            evidence.extend(scan_evidence(&name, &text, ctx.lang)?);
            files.push(name);
        }
        let e = assess_with_evidence(&d, regime, tier, &service, &evidence);
        let a = &e.assessment;
        let clean =
            a.requirements.iter().all(|r| r.check != Check::NotMet) && a.controls_to_fix.is_empty();
        let view = assess_evidence_view(&d, regime, &service, &e, &files, ctx.lang);
        return Ok(Output {
            stdout: view.render(ctx.format),
            exit: if clean { Exit::Success } else { Exit::Negative },
        });
    }
    let a = kcvs_engine::assess(&d, regime, tier, &service);
    let clean =
        a.requirements.iter().all(|r| r.check != Check::NotMet) && a.controls_to_fix.is_empty();
    let view = assess_view(&d, regime, &service, &a, ctx.lang);
    Ok(Output {
        stdout: view.render(ctx.format),
        exit: if clean { Exit::Success } else { Exit::Negative },
    })
}

pub fn matching(global: &GlobalArgs, args: &MatchArgs) -> Result<Output, CliError> {
    let ctx = global.ctx()?;
    let system = load_system(&ctx, &args.system)?;
    let services = load_services_dir(&ctx, &args.services)?;
    let index = ServiceIndex::new(services.iter());
    let d = Decider::new(&ctx.rules, &ctx.assumptions, ctx.as_of, &index);
    let regime = match &args.regime {
        Some(id) => scheme_regime(&ctx, id)?,
        None => d.governing_regime().ok_or_else(|| {
            CliError::input(tf(
                ctx.lang,
                format!(
                    "no scheme regime governs on {}; name one with --regime",
                    ctx.as_of
                ),
                format!(
                    "{}에 시행 중인 제도가 없습니다. --regime으로 지정하십시오",
                    ctx.as_of
                ),
            ))
        })?,
    };
    let entries = match_services(&d, regime, &system, &services);
    let any = entries
        .iter()
        .any(|m| m.eligibility.verdict == Verdict::Eligible);
    let view = match_view(&d, regime, &system, &entries, ctx.lang);
    Ok(Output {
        stdout: view.render(ctx.format),
        exit: if any { Exit::Success } else { Exit::Negative },
    })
}

/// The results of a `kcvs scan --format json` output as evidence: every listed finding, and for
/// a check whose passes were not listed (no `--include-passes`), one entry counting them.
fn scan_evidence(name: &str, text: &str, lang: Lang) -> Result<Vec<ScanEvidence>, CliError> {
    let doc: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        CliError::input(format!(
            "{name}:{}:{}: {}",
            e.line(),
            e.column(),
            tf(
                lang,
                format!("not a kcvs scan JSON output: {e}"),
                format!("kcvs scan JSON 출력이 아닙니다: {e}"),
            )
        ))
    })?;
    if doc.get("kind").and_then(|k| k.as_str()) != Some("scan") {
        return Err(CliError::input(tf(
            lang,
            format!("{name}: not a kcvs scan JSON output (no \"kind\": \"scan\")"),
            format!("{name}: kcvs scan JSON 출력이 아닙니다(\"kind\": \"scan\" 없음)"),
        ))
        .with_help(tf(
            lang,
            "write it with `kcvs scan PLAN --format json --include-passes > scan.json`".to_owned(),
            "`kcvs scan PLAN --format json --include-passes > scan.json`으로 만드십시오".to_owned(),
        )));
    }
    let controls = |v: &serde_json::Value| -> Vec<(CatalogId, ControlId)> {
        v.get("controls")
            .and_then(|c| c.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|c| {
                        Some((
                            CatalogId::new(c.get("catalog")?.as_str()?),
                            ControlId::new(c.get("id")?.as_str()?),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let str_of = |v: &serde_json::Value, k: &str| {
        v.get(k)
            .and_then(|x| x.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let mut out = Vec::new();
    let findings = doc
        .get("findings")
        .and_then(|f| f.as_array())
        .map(Vec::as_slice)
        .unwrap_or_default();
    for f in findings {
        let status = match f.get("status").and_then(|s| s.as_str()) {
            Some("pass") => EvidenceStatus::Pass,
            Some("fail") => EvidenceStatus::Fail,
            Some("unknown") => EvidenceStatus::Unknown,
            Some("warn") => EvidenceStatus::Warn,
            other => {
                return Err(CliError::input(tf(
                    lang,
                    format!(
                        "{name}: a finding has status {other:?}; expected pass, fail, unknown or warn"
                    ),
                    format!(
                        "{name}: 결과의 status가 {other:?}입니다; pass, fail, unknown, warn 중 하나여야 합니다"
                    ),
                )));
            }
        };
        out.push(ScanEvidence {
            check: str_of(f, "check"),
            address: str_of(f, "address"),
            status,
            controls: controls(f),
            settle: f.get("settle").and_then(|s| s.as_str()).map(str::to_owned),
            count: 1,
        });
    }
    let listed = doc
        .get("findings_include_passes")
        .and_then(|b| b.as_bool())
        .unwrap_or(false);
    if !listed {
        for row in doc
            .get("summary")
            .and_then(|s| s.as_array())
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            let pass = row
                .get("pass")
                .and_then(|p| p.as_u64())
                .and_then(|p| usize::try_from(p).ok())
                .unwrap_or(0);
            if pass > 0 {
                out.push(ScanEvidence {
                    check: str_of(row, "check"),
                    address: "*".to_owned(),
                    status: EvidenceStatus::Pass,
                    controls: controls(row),
                    settle: None,
                    count: pass,
                });
            }
        }
    }
    Ok(out)
}
