//! Global options, and the context every command runs in.
//!
//! Only this module reads the clock and the environment. `GlobalArgs` is what was typed;
//! [`Ctx`] is what commands use: the loaded rules, the assumption values in force, the date,
//! the output format and language, all checked.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use kcvs_model::{AssumptionId, AssumptionSet, AssumptionValue, Date, Lang, RuleSet};
use kcvs_report::i18n::{parse_lang, tf};
use kcvs_report::{Format, View};

use crate::commands::Output;
use crate::diag::CliError;

/// Options every command accepts, before or after the subcommand.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// A user content pack folder, loaded after the built-in packs; its items replace built-in
    /// items with the same id
    #[arg(long, global = true, value_name = "DIR")]
    pub content: Option<PathBuf>,

    /// The date decisions are made for [default: today in Asia/Seoul]
    #[arg(long = "as-of", global = true, value_name = "YYYY-MM-DD")]
    pub as_of: Option<String>,

    /// Output format
    #[arg(long, global = true, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,

    /// Output language [default: $KCVS_LANG, else en]
    #[arg(long, global = true, value_enum)]
    pub lang: Option<LangArg>,

    /// Override a named assumption for this run (repeatable), e.g.
    /// --assume csap.kcmvp-required=false
    #[arg(long = "assume", global = true, value_name = "ID=VALUE")]
    pub assume: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Text,
    Json,
    #[value(alias = "md")]
    Markdown,
    Html,
    /// SARIF 2.1.0 (`kcvs scan` only)
    Sarif,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Text => Format::Text,
            FormatArg::Json => Format::Json,
            FormatArg::Markdown => Format::Markdown,
            FormatArg::Html => Format::Html,
            // Only `kcvs scan` writes SARIF; `Ctx` refuses it for every other command.
            FormatArg::Sarif => Format::Json,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    En,
    Ko,
}

/// Everything a command needs, checked.
#[derive(Debug)]
pub struct Ctx {
    pub rules: RuleSet,
    pub assumptions: AssumptionSet,
    pub as_of: Date,
    pub format: Format,
    pub lang: Lang,
}

impl Ctx {
    /// Render a view in the chosen format, as a successful result.
    pub fn output(&self, view: &View) -> Output {
        Output::success(view.render(self.format))
    }
}

impl GlobalArgs {
    /// `--lang`, else `KCVS_LANG` when it names a language we speak, else English.
    pub fn lang(&self) -> Lang {
        match self.lang {
            Some(LangArg::En) => Lang::En,
            Some(LangArg::Ko) => Lang::Ko,
            None => std::env::var("KCVS_LANG")
                .ok()
                .and_then(|v| parse_lang(&v))
                .unwrap_or(Lang::En),
        }
    }

    pub fn format(&self) -> Format {
        self.format.into()
    }

    /// `--as-of`, or today in Korea.
    pub fn as_of(&self) -> Result<Date, CliError> {
        let lang = self.lang();
        match &self.as_of {
            Some(raw) => kcvs_content::parse_date(raw).ok_or_else(|| {
                CliError::input(tf(
                    lang,
                    format!("invalid date `{raw}` for --as-of: expected a real calendar date written YYYY-MM-DD"),
                    format!("--as-of의 날짜 `{raw}`이(가) 잘못되었습니다: YYYY-MM-DD 형식의 실제 날짜여야 합니다"),
                ))
            }),
            None => Ok(today_in_seoul()),
        }
    }

    /// Load the built-in packs and `--content`, then apply `--assume`.
    pub fn ctx(&self) -> Result<Ctx, CliError> {
        if self.format == FormatArg::Sarif {
            let lang = self.lang();
            return Err(CliError::input(tf(
                lang,
                "--format sarif is only for `kcvs scan`".to_owned(),
                "--format sarif는 `kcvs scan`에서만 쓸 수 있습니다".to_owned(),
            )));
        }
        self.ctx_any_format()
    }

    /// [`GlobalArgs::ctx`] without the format check, for commands that accept every format.
    pub fn ctx_any_format(&self) -> Result<Ctx, CliError> {
        let lang = self.lang();
        let as_of = self.as_of()?;
        let rules = kcvs_content::load_rules(self.content.as_deref()).map_err(CliError::Load)?;
        let assumptions = apply_assumptions(&rules, &self.assume, lang)?;
        Ok(Ctx {
            rules,
            assumptions,
            as_of,
            format: self.format(),
            lang,
        })
    }
}

/// Today's date in Asia/Seoul. Korea has kept UTC+9 without daylight saving since 1988, so
/// without a time-zone database the fixed offset gives the same day.
fn today_in_seoul() -> Date {
    let now = jiff::Timestamp::now();
    match now.in_tz("Asia/Seoul") {
        Ok(z) => z.date(),
        Err(_) => now
            .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(9)))
            .date(),
    }
}

/// The defaults of every loaded assumption, with each `--assume ID=VALUE` applied.
pub fn apply_assumptions(
    rules: &RuleSet,
    assume: &[String],
    lang: Lang,
) -> Result<AssumptionSet, CliError> {
    let mut set = AssumptionSet::from_defaults(&rules.assumptions);
    let known = || {
        let ids: Vec<String> = rules
            .assumptions
            .iter()
            .map(|a| format!("`{}`", a.id))
            .collect();
        tf(
            lang,
            format!("known assumptions: {}", ids.join(", ")),
            format!("알려진 가정: {}", ids.join(", ")),
        )
    };
    for raw in assume {
        let Some((id, value)) = raw.split_once('=') else {
            return Err(CliError::input(tf(
                lang,
                format!("invalid --assume `{raw}`: expected ID=VALUE"),
                format!("--assume `{raw}` 형식이 잘못되었습니다: ID=VALUE 형식이어야 합니다"),
            ))
            .with_help(known()));
        };
        let (id, value) = (id.trim(), value.trim());
        let Some(def) = rules.assumptions.iter().find(|a| a.id.as_str() == id) else {
            return Err(CliError::input(tf(
                lang,
                format!("unknown assumption `{id}`"),
                format!("알 수 없는 가정 `{id}`"),
            ))
            .with_help(known()));
        };
        match kcvs_content::parse_assumption_value(def, value) {
            Ok(v) => {
                set.set(&AssumptionId::new(id), v);
            }
            Err(_) => {
                let (en, ko) = match &def.default {
                    AssumptionValue::Flag(_) => (
                        "`true` or `false`".to_owned(),
                        "`true` 또는 `false`".to_owned(),
                    ),
                    AssumptionValue::Date(_) => (
                        "a real calendar date written YYYY-MM-DD".to_owned(),
                        "YYYY-MM-DD 형식의 실제 날짜".to_owned(),
                    ),
                    AssumptionValue::Choice(_) => {
                        let opts: Vec<String> =
                            def.options.iter().map(|o| format!("`{o}`")).collect();
                        (
                            format!("one of {}", opts.join(", ")),
                            format!("{} 중 하나", opts.join(", ")),
                        )
                    }
                };
                return Err(CliError::input(tf(
                    lang,
                    format!("invalid value `{value}` for assumption `{id}`: expected {en}"),
                    format!("가정 `{id}`의 값 `{value}`이(가) 잘못되었습니다: {ko}이어야 합니다"),
                )));
            }
        }
    }
    Ok(set)
}
