//! `kcvs scan`: Terraform plan JSON and inventory exports against the technical requirements.
//!
//! Reads each file whole (the plan reader streams over the bytes without building a JSON tree),
//! runs the selected checks, applies the waivers on `--as-of`, and exits 1 when a result at or
//! above `--fail-on` remains (waivers in force excepted), 2 on bad input.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, ValueEnum};
use kcvs_filemap::How;
use kcvs_model::{Date, Lang, RegimeId, RequirementKind, RuleSet};
use kcvs_report::i18n::tf;
use kcvs_report::scan::{
    BaselineRun, ScanRun, add_policies_sarif, add_policies_view, scan_sarif, scan_view_tallied,
    write_scan_json,
};
use kcvs_report::{Format, render_json};
use kcvs_scan::{
    Baseline, CheckId, CheckSelection, InventoryFormat, Policies, PolicyError, PolicyFile,
    PolicyLevel, PolicyResults, ReadOptions, ScanError, Status, read_inventory, read_plan,
    read_waivers,
};

use crate::args::{FormatArg, GlobalArgs};
use crate::commands::regime::unknown_regime;
use crate::commands::{Exit, Output};
use crate::diag::CliError;

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Terraform plan JSON (`terraform show -json plan.out`); files ending in .jsonl, .ndjson or
    /// .csv are read as inventory exports
    pub files: Vec<PathBuf>,
    /// An inventory export (JSON lines or CSV; see docs/inventory.md), repeatable
    #[arg(long, value_name = "FILE")]
    pub inventory: Vec<PathBuf>,
    /// Checks to run, comma-separated [default: all]: residency, replica-location,
    /// dedicated-tenancy, encryption-at-rest, encryption-in-transit, audit-logging,
    /// public-exposure
    #[arg(long, value_name = "LIST")]
    pub checks: Option<String>,
    /// A waivers file (YAML: resource, check, reason, expires)
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    /// Exit 1 when a result at or above this remains: fail, unknown (fail or unknown), none
    #[arg(long, value_enum, default_value_t = FailOn::Fail)]
    pub fail_on: FailOn,
    /// Label which checks speak to requirements of this regime and tier
    #[arg(long, requires = "tier")]
    pub regime: Option<String>,
    /// The tier, as the regime names it
    #[arg(long, requires = "regime")]
    pub tier: Option<String>,
    /// List passing results too (JSON and documents; SARIF lists only failing and unknown)
    #[arg(long)]
    pub include_passes: bool,
    /// A folder of Rego policies (every .rego file in it and below, `_test.rego` excepted) or
    /// one .rego file, repeatable: their `deny` and `warn` rules run over the resources
    #[arg(long, value_name = "DIR")]
    pub policy: Vec<PathBuf>,
    /// Copy input files into memory instead of mapping them (for files on network filesystems
    /// or ones another program may rewrite during the scan)
    #[arg(long)]
    pub no_mmap: bool,
    /// An earlier scan's JSON (`--format json`): results it already held stay listed, marked
    /// unchanged, but do not count for --fail-on; only new ones do
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Fail,
    Unknown,
    None,
}

/// Inputs at least this large get a progress bar (share of bytes read) on a terminal.
const PROGRESS_BYTES: u64 = 16 * 1024 * 1024;

/// Inputs at least this large are mapped rather than copied (`kcvs_filemap`): a 10 MB plan scans
/// 1.21× faster mapped (README). Below it the copy is small; the threshold is a round guess.
const MAP_FROM: u64 = 1 << 20;

/// What a scan needs of the global options: the rules, the date and the output settings.
struct ScanCtx {
    rules: RuleSet,
    as_of: Date,
    format: Format,
    lang: Lang,
}

impl ScanCtx {
    /// The whole rule set only when something reads more than the region table: a user pack
    /// (which may change anything, and whose errors must be reported), `--assume` (checked
    /// against the assumptions), `--regime` (its tiers) or `--policy` (the catalogs its controls
    /// name). Otherwise only the region table and its sources are loaded, which keeps a scan's
    /// start-up small (loading every built-in pack costs more than reading a plan of 10,000
    /// resources).
    fn new(global: &GlobalArgs, args: &ScanArgs) -> Result<Self, CliError> {
        let everything = global.content.is_some()
            || !global.assume.is_empty()
            || args.regime.is_some()
            || !args.policy.is_empty();
        if everything {
            let ctx = global.ctx_any_format()?;
            return Ok(Self {
                rules: ctx.rules,
                as_of: ctx.as_of,
                format: ctx.format,
                lang: ctx.lang,
            });
        }
        let lang = global.lang();
        let as_of = global.as_of()?;
        let rules = kcvs_content::load_region_rules().map_err(CliError::Load)?;
        Ok(Self {
            rules,
            as_of,
            format: global.format(),
            lang,
        })
    }
}

/// Parse the check list and waivers, load the policies and read every input file.
fn read_inputs(global: &GlobalArgs, args: &ScanArgs, lang: Lang) -> Result<Inputs, CliError> {
    let checks = match &args.checks {
        Some(list) => CheckSelection::parse_list(list).map_err(|bad| {
            let known: Vec<&str> = CheckId::ALL.iter().map(|c| c.as_str()).collect();
            CliError::input(tf(
                lang,
                format!("unknown check `{bad}` in --checks"),
                format!("--checks에 알 수 없는 검사 `{bad}`"),
            ))
            .with_help(tf(
                lang,
                format!("checks: {}", known.join(", ")),
                format!("검사 목록: {}", known.join(", ")),
            ))
        })?,
        None => CheckId::ALL.to_vec(),
    };
    let waivers = match &args.waivers {
        Some(path) => {
            let text = read_text(path, lang)?;
            read_waivers(&text, &path.display().to_string()).map_err(|e| scan_error(&e, lang))?
        }
        None => Vec::new(),
    };
    let baseline = match &args.baseline {
        Some(path) => {
            let name = path.display().to_string();
            let text = read_text(path, lang)?;
            let b = Baseline::read(&text, &name).map_err(|e| scan_error(&e, lang))?;
            Some((name, b))
        }
        None => None,
    };

    let mut inputs: Vec<(PathBuf, Option<InventoryFormat>)> = Vec::new();
    for f in &args.files {
        let name = f.display().to_string().to_ascii_lowercase();
        let inv = [".jsonl", ".ndjson", ".csv"]
            .iter()
            .any(|e| name.ends_with(e));
        inputs.push((f.clone(), inv.then(|| InventoryFormat::from_name(&name))));
    }
    for f in &args.inventory {
        let name = f.display().to_string();
        inputs.push((f.clone(), Some(InventoryFormat::from_name(&name))));
    }
    if inputs.is_empty() {
        return Err(CliError::input(tf(
            lang,
            "nothing to scan: name a plan JSON file or --inventory FILE".to_owned(),
            "검사할 파일이 없습니다: 플랜 JSON 파일이나 --inventory FILE을 지정하십시오".to_owned(),
        )));
    }

    let policies = load_policies(&args.policy, lang)?;

    // The bar is on stderr, so it never mixes with the JSON or SARIF on stdout.
    let show_progress = std::io::stderr().is_terminal();
    let mut resources = Vec::new();
    let mut files = Vec::new();
    for (path, inventory) in &inputs {
        let name = path.display().to_string();
        let how = if args.no_mmap {
            How::Read
        } else {
            How::Map {
                from: MAP_FROM,
                truncated: tf(
                    lang,
                    format!(
                        "error: `{name}` was cut short while it was being read (another program changed it); nothing was written. Scan it again once it is complete, or use --no-mmap"
                    ),
                    format!(
                        "오류: `{name}`을(를) 읽는 동안 파일이 잘렸습니다(다른 프로그램이 바꾸었습니다). 아무것도 쓰지 않았습니다. 파일이 완성된 뒤 다시 검사하거나 --no-mmap을 쓰십시오"
                    ),
                ),
            }
        };
        let bytes = kcvs_filemap::read(path, &how).map_err(|e| {
            CliError::input(tf(
                lang,
                format!("cannot read `{name}`: {e}"),
                format!("`{name}`을(를) 읽을 수 없습니다: {e}"),
            ))
        })?;
        // On a terminal, a large file gets a bar of the share of its bytes read.
        let total = bytes.len() as u64;
        let bar = (show_progress && total >= PROGRESS_BYTES).then(|| {
            let bar = indicatif::ProgressBar::new(total);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{msg} [{bar:30}] {percent:>3}% {binary_bytes}/{binary_total_bytes} ({eta})",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message(tf(
                lang,
                format!("reading {name}"),
                format!("{name} 읽는 중"),
            ));
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        let tick = |n: usize| {
            if let Some(b) = &bar {
                b.set_position(n as u64);
            }
        };
        let mut opts = ReadOptions {
            progress_bytes: Some(&tick),
            skip_locations: !matches!(global.format, FormatArg::Sarif | FormatArg::Json),
            ..ReadOptions::default()
        };
        if policies.is_some() {
            // Policies see every attribute, and their results are located at the resource.
            opts.full_attributes = true;
            opts.skip_locations = false;
        }
        let read = match inventory {
            Some(format) => read_inventory(&bytes, &name, *format, &opts),
            None => read_plan(&bytes, &name, &opts).map(|p| p.resources),
        };
        if let Some(b) = &bar {
            b.finish_and_clear();
        }
        let mut read = read.map_err(|e| scan_error(&e, lang))?;
        // The records own their data: free the input before merging, and take the first
        // file's records as they are, so the peak holds neither two copies of the records nor
        // the file beside them.
        drop(bytes);
        if resources.is_empty() {
            resources = read;
        } else {
            resources.append(&mut read);
        }
        files.push(name);
    }

    Ok(Inputs {
        checks,
        waivers,
        baseline,
        policies,
        resources,
        files,
    })
}

/// What a scan read before it needs the rules: the checks and waivers asked for, the policies,
/// and the records of every input file.
struct Inputs {
    checks: Vec<CheckId>,
    waivers: Vec<kcvs_scan::Waiver>,
    /// `--baseline`: its file name and the results it held.
    baseline: Option<(String, Baseline)>,
    policies: Option<Policies>,
    resources: Vec<kcvs_scan::Resource>,
    files: Vec<String>,
}

pub fn run(global: &GlobalArgs, args: &ScanArgs) -> Result<Output, CliError> {
    // Loading the rules and reading the inputs do not depend on each other, so the rules load on
    // a second thread while this one reads (at 10,000 resources the region tables are a tenth of
    // the work). Errors still come in a fixed order: the rules' and options' first, then the
    // regime and tier, then the inputs'.
    let (ctx, inputs) = std::thread::scope(|s| {
        let loading = s.spawn(|| ScanCtx::new(global, args));
        let inputs = read_inputs(global, args, global.lang());
        let ctx = loading
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (ctx, inputs)
    });
    let ctx = ctx?;
    let lang = ctx.lang;
    let applies = match (&args.regime, &args.tier) {
        (Some(regime), Some(tier)) => Some(bound_kinds(&ctx, regime, tier)?),
        _ => None,
    };
    let Inputs {
        checks,
        waivers,
        baseline,
        mut policies,
        mut resources,
        files,
    } = inputs?;

    kcvs_scan::resolve_all(&mut resources, &ctx.rules.regions);
    let selection = CheckSelection {
        checks: checks.clone(),
        waivers,
    };
    // Passes are counted; they become findings (with their reasons) only when listed.
    let checked = kcvs_scan::run_checks_tallied(
        &resources,
        &ctx.rules,
        &selection,
        ctx.as_of,
        args.include_passes,
    );
    let (mut findings, counts) = (checked.findings, checked.tally);
    let mut run = ScanRun {
        files,
        resources: resources
            .iter()
            .filter(|r| r.mode == kcvs_scan::Mode::Managed && r.present())
            .count(),
        deleted: resources.iter().filter(|r| !r.present()).count(),
        checks,
        applies,
        include_passes: args.include_passes,
        as_of: ctx.as_of.to_string(),
        baseline: None,
    };
    let mut policy_results = match &mut policies {
        Some(p) => {
            let mut results = evaluate_policies(p, &resources, &run.files, &ctx)?;
            results.apply_waivers(&selection.waivers, ctx.as_of);
            Some(results)
        }
        None => None,
    };
    if let Some((file, b)) = &baseline {
        let counts = b.mark(&mut findings, policy_results.as_mut());
        run.baseline = Some(BaselineRun {
            file: file.clone(),
            counts,
        });
    }
    let stdout = match (global.format, &policy_results) {
        (FormatArg::Sarif, None) => render_json(&scan_sarif(&run, &findings, lang)),
        (FormatArg::Json, None) => {
            // Straight to a buffered stdout: the text of a large scan is never held whole.
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
            let written = write_scan_json(&mut w, &run, &findings, &counts, lang)
                .and_then(|()| std::io::Write::flush(&mut w));
            match written {
                Ok(()) => String::new(),
                // A closed pipe (`kcvs … | head`) is the reader's choice, not our failure.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => String::new(),
                Err(e) => {
                    return Err(CliError::input(tf(
                        lang,
                        format!("cannot write the output: {e}"),
                        format!("출력을 쓸 수 없습니다: {e}"),
                    )));
                }
            }
        }
        (_, None) => scan_view_tallied(&run, &findings, &counts, lang).render(ctx.format),
        (FormatArg::Sarif, Some(p)) => {
            let mut sarif = scan_sarif(&run, &findings, lang);
            add_policies_sarif(&mut sarif, &run, p, lang);
            render_json(&sarif)
        }
        (_, Some(p)) => {
            let mut view = scan_view_tallied(&run, &findings, &counts, lang);
            add_policies_view(&mut view, &run, p, lang);
            view.render(ctx.format)
        }
    };
    let threshold = |s: Status| match args.fail_on {
        FailOn::Fail => s == Status::Fail,
        FailOn::Unknown => s != Status::Pass,
        FailOn::None => false,
    };
    // Waivers in force and results the baseline already held do not count.
    let negative = findings
        .iter()
        .any(|f| f.counts() && !f.in_baseline() && threshold(f.status))
        || policy_results.as_ref().is_some_and(|p| {
            // `deny` is a fail; `warn` counts from `--fail-on unknown` on.
            p.findings.iter().any(|f| {
                f.counts()
                    && !f.in_baseline()
                    && threshold(match f.level {
                        PolicyLevel::Deny => Status::Fail,
                        PolicyLevel::Warn => Status::Unknown,
                    })
            })
        });
    // The process ends right after printing: freeing a million small allocations one by one
    // would cost more than the checks did, and the OS reclaims them at exit anyway.
    std::mem::forget(resources);
    std::mem::forget(findings);
    Ok(Output {
        stdout,
        exit: if negative {
            Exit::Negative
        } else {
            Exit::Success
        },
    })
}

fn read_text(path: &Path, lang: Lang) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|e| {
        CliError::input(tf(
            lang,
            format!("cannot read `{}`: {e}", path.display()),
            format!("`{}`을(를) 읽을 수 없습니다: {e}", path.display()),
        ))
    })
}

/// `file:line:column: message`, with the help line if there is one.
fn scan_error(e: &ScanError, lang: Lang) -> CliError {
    let at = if e.line > 0 {
        format!("{}:{}:{}", e.file, e.line, e.column)
    } else {
        e.file.clone()
    };
    let err = CliError::input(format!("{at}: {}", e.message(lang)));
    match e.help(lang) {
        Some(h) => err.with_help(h),
        None => err,
    }
}

/// The requirement kinds a regime binds at a tier, for labelling.
fn bound_kinds(
    ctx: &ScanCtx,
    regime: &str,
    tier: &str,
) -> Result<(String, String, Vec<RequirementKind>), CliError> {
    let r = ctx
        .rules
        .regime(&RegimeId::new(regime))
        .ok_or_else(|| unknown_regime(&ctx.rules, regime, ctx.lang))?;
    let rank = r.tier_rank(tier).ok_or_else(|| {
        let tiers: Vec<String> = r.tiers.iter().map(|t| format!("`{}`", t.id)).collect();
        CliError::input(tf(
            ctx.lang,
            format!(
                "unknown tier `{tier}` for `{regime}`: expected one of {}",
                tiers.join(", ")
            ),
            format!(
                "`{regime}`에 없는 등급 `{tier}`: {} 중 하나여야 합니다",
                tiers.join(", ")
            ),
        ))
    })?;
    let mut kinds: Vec<RequirementKind> = r
        .requirements
        .iter()
        .filter(|q| q.trigger.is_none() && q.tiers.contains(rank))
        .filter(|q| q.from.is_none_or(|d| d <= ctx.as_of) && q.until.is_none_or(|d| ctx.as_of < d))
        .map(|q| q.kind)
        .collect();
    kinds.sort();
    kinds.dedup();
    Ok((regime.to_owned(), tier.to_owned(), kinds))
}

/// Every `.rego` file under the `--policy` folders (sorted; `_test.rego` files, which hold OPA
/// unit tests, left out), or the files named; `None` without `--policy`.
fn load_policies(paths: &[PathBuf], lang: Lang) -> Result<Option<Policies>, CliError> {
    if paths.is_empty() {
        return Ok(None);
    }
    let mut found: Vec<PathBuf> = Vec::new();
    for p in paths {
        if p.is_dir() {
            let before = found.len();
            collect_rego(p, &mut found, lang)?;
            if found.len() == before {
                return Err(CliError::input(tf(
                    lang,
                    format!("no .rego files in `{}`", p.display()),
                    format!("`{}`에 .rego 파일이 없습니다", p.display()),
                )));
            }
        } else {
            found.push(p.clone());
        }
    }
    let mut files = Vec::new();
    for p in &found {
        files.push(PolicyFile {
            name: p.display().to_string(),
            text: read_text(p, lang)?,
        });
    }
    Policies::load(&files)
        .map(Some)
        .map_err(|e| policy_error(&e))
}

fn collect_rego(dir: &Path, out: &mut Vec<PathBuf>, lang: Lang) -> Result<(), CliError> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        CliError::input(tf(
            lang,
            format!("cannot read `{}`: {e}", dir.display()),
            format!("`{}`을(를) 읽을 수 없습니다: {e}", dir.display()),
        ))
    })?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            collect_rego(&p, out, lang)?;
        } else {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
            if name.is_some_and(|n| n.ends_with(".rego") && !n.ends_with("_test.rego")) {
                out.push(p);
            }
        }
    }
    Ok(())
}

/// Run the policies, and hold the controls they name to the loaded catalogs.
fn evaluate_policies(
    policies: &mut Policies,
    resources: &[kcvs_scan::Resource],
    files: &[String],
    ctx: &ScanCtx,
) -> Result<PolicyResults, CliError> {
    let results = policies
        .evaluate(resources, files)
        .map_err(|e| policy_error(&e))?;
    policies
        .check_controls(&results, |c| {
            ctx.rules
                .catalog(&kcvs_model::CatalogId::new(c.catalog.as_str()))
                .is_some_and(|cat| {
                    cat.entry(&kcvs_model::ControlId::new(c.id.as_str()))
                        .is_some()
                })
        })
        .map_err(|e| policy_error(&e))?;
    Ok(results)
}

/// `file.rego:line:column: message`, with regorus's snippet as help.
fn policy_error(e: &PolicyError) -> CliError {
    let at = if e.line > 0 {
        format!("{}:{}:{}", e.file, e.line, e.column)
    } else {
        e.file.clone()
    };
    let err = CliError::input(format!("{at}: {}", e.message));
    match &e.snippet {
        Some(s) => err.with_help(s.clone()),
        None => err,
    }
}
