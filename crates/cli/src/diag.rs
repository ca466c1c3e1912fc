//! Errors on stderr, in the chosen language.
//!
//! Content errors print as `file:line:column: message`, then the offending line of the file and
//! a caret under the column (built-in files are read from the embedded text, user files from
//! disk). Caret placement counts display cells, so it lines up under Hangul too.

use std::collections::HashMap;
use std::fmt::Write as _;

use kcvs_content::{LoadError, LoadErrors};
use kcvs_model::Lang;
use kcvs_report::display_width;
use kcvs_report::i18n::{t, tf};

/// Why a command could not produce its output. Every variant exits 2.
#[derive(Debug)]
pub enum CliError {
    /// Bad input or usage: a message already in the chosen language, and help lines.
    Input { message: String, help: Vec<String> },
    /// The content packs did not load.
    Load(LoadErrors),
}

impl CliError {
    pub fn input(message: String) -> Self {
        CliError::Input {
            message,
            help: Vec::new(),
        }
    }

    pub fn with_help(mut self, line: String) -> Self {
        if let CliError::Input { help, .. } = &mut self {
            help.push(line);
        }
        self
    }
}

/// The whole error report, ending in a newline.
pub fn render(err: &CliError, lang: Lang) -> String {
    match err {
        CliError::Input { message, help } => {
            let mut out = format!("{}: {message}\n", t(lang, "error", "오류"));
            for h in help {
                let _ = writeln!(out, "  {}: {h}", t(lang, "help", "도움말"));
            }
            out
        }
        CliError::Load(errors) => render_load_errors(errors, lang),
    }
}

pub fn io_message(e: &std::io::Error, lang: Lang) -> String {
    tf(
        lang,
        format!("error: cannot write the output: {e}"),
        format!("오류: 출력을 쓸 수 없습니다: {e}"),
    )
}

/// Every load error with its source line, then a one-line count.
pub fn render_load_errors(errors: &LoadErrors, lang: Lang) -> String {
    let mut sources: HashMap<String, Option<String>> = HashMap::new();
    let mut out = String::new();
    for e in &errors.0 {
        let text = sources
            .entry(e.file.clone())
            .or_insert_with(|| source_text(&e.file));
        render_one(&mut out, e, text.as_deref(), lang);
    }
    let n = errors.0.len();
    let _ = writeln!(
        out,
        "{}",
        tf(
            lang,
            format!(
                "error: {n} error{} in content; nothing was loaded",
                if n == 1 { "" } else { "s" }
            ),
            format!("오류: 콘텐츠에서 오류 {n}개가 발견되어 아무것도 불러오지 않았습니다"),
        )
    );
    out
}

/// The text of a pack file: the embedded copy for built-ins, else the file on disk.
fn source_text(file: &str) -> Option<String> {
    kcvs_content::builtin_files()
        .into_iter()
        .find(|f| f.name == file)
        .map(|f| f.text)
        .or_else(|| std::fs::read_to_string(file).ok())
}

fn render_one(out: &mut String, e: &LoadError, text: Option<&str>, lang: Lang) {
    if e.line == 0 {
        let _ = writeln!(out, "{}: {}", e.file, e.message(lang));
        return;
    }
    let _ = writeln!(
        out,
        "{}:{}:{}: {}",
        e.file,
        e.line,
        e.column,
        e.message(lang)
    );
    let line = usize::try_from(e.line - 1)
        .ok()
        .and_then(|i| text.and_then(|t| t.lines().nth(i)));
    if let Some(line) = line {
        let line = line.trim_end_matches('\r');
        let number = e.line.to_string();
        let gutter = " ".repeat(number.len());
        let _ = writeln!(out, "{number} | {line}");
        let _ = writeln!(out, "{gutter} | {}^", caret_padding(line, e.column));
    }
    out.push('\n');
}

/// Blank space as wide as the text before `column` (1-based, in characters); tabs are kept so
/// the caret lands where the terminal draws the character.
fn caret_padding(line: &str, column: u64) -> String {
    let before = usize::try_from(column.saturating_sub(1)).unwrap_or(usize::MAX);
    let mut pad = String::new();
    for ch in line.chars().take(before) {
        if ch == '\t' {
            pad.push('\t');
        } else {
            pad.push_str(&" ".repeat(display_width(ch.encode_utf8(&mut [0; 4]))));
        }
    }
    pad
}

#[cfg(test)]
mod tests {
    use super::*;
    use kcvs_content::LoadErrorKind;

    #[test]
    fn caret_under_hangul() {
        assert_eq!(caret_padding("ko: 한국어 x", 9), " ".repeat(11));
        assert_eq!(caret_padding("\tx", 2), "\t");
    }

    #[test]
    fn error_with_source_line() {
        let e = LoadError {
            file: "pack/a.yaml".into(),
            line: 2,
            column: 12,
            kind: LoadErrorKind::Syntax("boom".into()),
        };
        let mut out = String::new();
        render_one(
            &mut out,
            &e,
            Some("kind: regime\nwhen_any: [oops]\n"),
            Lang::En,
        );
        assert_eq!(
            out,
            "pack/a.yaml:2:12: invalid document: boom\n2 | when_any: [oops]\n  |            ^\n\n"
        );
    }
}
