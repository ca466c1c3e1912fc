/*!
The document model every command renders through, and its renderers.

A view builds one [`Doc`] (already in the chosen language) and, separately, one JSON value with
stable snake_case keys. The JSON is not derived from the `Doc`: a document is for people and may
change its layout freely, while the JSON is a published shape that scripts depend on.

Renderers:

- [`render_text`]: plain terminal text. Columns are aligned by display width (Hangul counts two
  cells), and an over-long last column is wrapped so a table stays readable.
- [`render_markdown`]: GitHub-flavoured Markdown; table cells escape `|` and line breaks.
- [`render_html`]: one self-contained UTF-8 page with minimal inline CSS; every text is escaped.
*/

use std::fmt::Write as _;

use kcvs_model::Lang;
use unicode_width::UnicodeWidthStr;

use crate::i18n::{labels, lang_code};

/// The output formats every command accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Format {
    #[default]
    Text,
    Json,
    Markdown,
    Html,
}

impl Format {
    pub const ALL: &'static [Format] =
        &[Format::Text, Format::Json, Format::Markdown, Format::Html];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Markdown => "markdown",
            Format::Html => "html",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "md" => Some(Format::Markdown),
            _ => Self::ALL.iter().copied().find(|f| f.as_str() == s),
        }
    }
}

/// One block of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// A section heading. Level 2 is a section, 3 a subsection; the title is level 1.
    Heading(u8, String),
    Paragraph(String),
    /// Label / value pairs, shown as an aligned list.
    KeyValues(Vec<(String, String)>),
    Table {
        headers: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    List(Vec<String>),
    /// A flagged remark: an assumption in force, a gloss on a source.
    Note(String),
    /// A flagged caution: a low-confidence rule, an overridden assumption, a scenario.
    Warning(String),
}

/// A document in one language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Doc {
    pub title: String,
    pub lang: Lang,
    pub blocks: Vec<Block>,
}

impl Doc {
    pub fn new(title: impl Into<String>, lang: Lang) -> Self {
        Self {
            title: title.into(),
            lang,
            blocks: Vec::new(),
        }
    }

    pub fn push(&mut self, block: Block) -> &mut Self {
        self.blocks.push(block);
        self
    }

    pub fn heading(&mut self, level: u8, text: impl Into<String>) -> &mut Self {
        self.push(Block::Heading(level, text.into()))
    }

    pub fn paragraph(&mut self, text: impl Into<String>) -> &mut Self {
        self.push(Block::Paragraph(text.into()))
    }

    pub fn key_values(&mut self, pairs: Vec<(String, String)>) -> &mut Self {
        self.push(Block::KeyValues(pairs))
    }

    pub fn table(&mut self, headers: Vec<String>, rows: Vec<Vec<String>>) -> &mut Self {
        self.push(Block::Table { headers, rows })
    }

    pub fn list(&mut self, items: Vec<String>) -> &mut Self {
        self.push(Block::List(items))
    }

    pub fn note(&mut self, text: impl Into<String>) -> &mut Self {
        self.push(Block::Note(text.into()))
    }

    pub fn warning(&mut self, text: impl Into<String>) -> &mut Self {
        self.push(Block::Warning(text.into()))
    }
}

/// What a view returns: the document for people and the JSON for programs.
#[derive(Clone, Debug, PartialEq)]
pub struct View {
    pub doc: Doc,
    pub json: serde_json::Value,
}

impl View {
    pub fn render(&self, format: Format) -> String {
        render(&self.doc, &self.json, format)
    }
}

/// Render a document (or, for [`Format::Json`], the view's JSON value). The result ends with a
/// newline.
pub fn render(doc: &Doc, json: &serde_json::Value, format: Format) -> String {
    match format {
        Format::Text => render_text(doc),
        Format::Json => render_json(json),
        Format::Markdown => render_markdown(doc),
        Format::Html => render_html(doc),
    }
}

/// Pretty-printed JSON with a final newline.
pub fn render_json(json: &serde_json::Value) -> String {
    format!("{json:#}\n")
}

/// How many terminal cells a string takes (Hangul and other wide characters count two).
pub fn display_width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

// ---- text ------------------------------------------------------------------------------------

/// Lines of a text table wider than this get their last column wrapped.
const TEXT_WIDTH: usize = 110;
/// …but the last column is never squeezed below this.
const MIN_LAST_COLUMN: usize = 30;

fn pad(s: &str, width: usize) -> String {
    let w = display_width(s);
    let mut out = s.to_owned();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    out
}

/// Cells and labels are one line each in text tables.
fn one_line(s: &str) -> String {
    s.split(['\n', '\r'])
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Greedy word wrap by display width. A single word wider than `width` stays whole.
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    let mut cur_w = 0;
    for word in s.split_whitespace() {
        let w = display_width(word);
        if cur_w > 0 && cur_w + 1 + w > width {
            lines.push(std::mem::take(&mut cur));
            cur_w = 0;
        }
        if cur_w > 0 {
            cur.push(' ');
            cur_w += 1;
        }
        cur.push_str(word);
        cur_w += w;
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

fn underline(s: &str, ch: char) -> String {
    std::iter::repeat_n(ch, display_width(s).max(1)).collect()
}

/// Plain terminal text.
pub fn render_text(doc: &Doc) -> String {
    let mut out = String::new();
    let title = one_line(&doc.title);
    let _ = writeln!(out, "{title}");
    let _ = writeln!(out, "{}", underline(&title, '='));
    for block in &doc.blocks {
        out.push('\n');
        match block {
            Block::Heading(level, text) => {
                let text = one_line(text);
                if *level <= 2 {
                    let _ = writeln!(out, "{text}");
                    let _ = writeln!(out, "{}", underline(&text, '-'));
                } else {
                    let _ = writeln!(out, "{text}");
                }
            }
            Block::Paragraph(text) => {
                let _ = writeln!(out, "{}", text.trim_end());
            }
            Block::KeyValues(pairs) => {
                let width = pairs
                    .iter()
                    .map(|(k, _)| display_width(&one_line(k)))
                    .max()
                    .unwrap_or(0);
                for (k, v) in pairs {
                    let label = format!("{}:", one_line(k));
                    let mut lines = v.lines();
                    let first = lines.next().unwrap_or("");
                    let _ = writeln!(out, "{} {}", pad(&label, width + 1), first);
                    trim_line_end(&mut out);
                    for more in lines {
                        let _ = writeln!(out, "{}{}", " ".repeat(width + 2), more);
                    }
                }
            }
            Block::Table { headers, rows } => text_table(&mut out, headers, rows),
            Block::List(items) => {
                for item in items {
                    let mut lines = item.lines();
                    let _ = writeln!(out, "- {}", lines.next().unwrap_or(""));
                    for more in lines {
                        let _ = writeln!(out, "  {more}");
                    }
                }
            }
            Block::Note(text) => callout(&mut out, labels::NOTE.get(doc.lang), text),
            Block::Warning(text) => callout(&mut out, labels::WARNING.get(doc.lang), text),
        }
    }
    out
}

/// Remove trailing spaces before the last newline, so padded lines with an empty value end clean.
fn trim_line_end(out: &mut String) {
    if out.ends_with('\n') {
        out.pop();
        let trimmed = out.trim_end_matches(' ').len();
        out.truncate(trimmed);
        out.push('\n');
    }
}

fn callout(out: &mut String, label: &str, text: &str) {
    let mut lines = text.lines();
    let _ = writeln!(out, "[{label}] {}", lines.next().unwrap_or(""));
    let indent = display_width(label) + 3;
    for more in lines {
        let _ = writeln!(out, "{}{}", " ".repeat(indent), more);
    }
}

fn text_table(out: &mut String, headers: &[String], rows: &[Vec<String>]) {
    let ncols = headers
        .len()
        .max(rows.iter().map(Vec::len).max().unwrap_or(0));
    if ncols == 0 {
        return;
    }
    let cell = |row: &[String], i: usize| one_line(row.get(i).map(String::as_str).unwrap_or(""));
    let header: Vec<String> = (0..ncols).map(|i| cell(headers, i)).collect();
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| (0..ncols).map(|i| cell(r, i)).collect())
        .collect();
    let mut widths: Vec<usize> = (0..ncols)
        .map(|i| {
            std::iter::once(&header)
                .chain(body.iter())
                .filter_map(|r| r.get(i))
                .map(|c| display_width(c))
                .max()
                .unwrap_or(0)
        })
        .collect();
    // Wrap the last column if the table is too wide and the others leave room for it.
    let sep = 2;
    let fixed: usize = widths.iter().rev().skip(1).map(|w| w + sep).sum();
    let last_budget = TEXT_WIDTH.saturating_sub(fixed).max(MIN_LAST_COLUMN);
    if let Some(last) = widths.last_mut()
        && *last > last_budget
    {
        *last = last_budget;
    }
    let write_row = |out: &mut String, row: &[String]| {
        let Some((last, init)) = row.split_last() else {
            return;
        };
        let mut prefix = String::new();
        for (c, w) in init.iter().zip(&widths) {
            prefix.push_str(&pad(c, *w));
            prefix.push_str(&" ".repeat(sep));
        }
        let last_w = widths.last().copied().unwrap_or(0);
        let wrapped = wrap(last, last_w.max(1));
        let blank = " ".repeat(display_width(&prefix));
        for (k, line) in wrapped.iter().enumerate() {
            let lead = if k == 0 { &prefix } else { &blank };
            let full = format!("{lead}{line}");
            let _ = writeln!(out, "{}", full.trim_end());
        }
    };
    write_row(out, &header);
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat((*w).max(1))).collect();
    write_row(out, &rule);
    for r in &body {
        write_row(out, r);
    }
}

// ---- markdown --------------------------------------------------------------------------------

/// Escape text for Markdown prose: backslashes and the characters that would start raw HTML.
fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            _ => out.push(ch),
        }
    }
    out
}

/// Escape a table cell: prose escapes plus `|`, and line breaks as `<br>`.
fn md_cell(s: &str) -> String {
    md_text(s.trim())
        .replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace('\n', "<br>")
}

/// GitHub-flavoured Markdown.
pub fn render_markdown(doc: &Doc) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}", md_text(&one_line(&doc.title)));
    for block in &doc.blocks {
        out.push('\n');
        match block {
            Block::Heading(level, text) => {
                let n = usize::from((*level).clamp(2, 6));
                let _ = writeln!(out, "{} {}", "#".repeat(n), md_text(&one_line(text)));
            }
            Block::Paragraph(text) => {
                let _ = writeln!(out, "{}", md_text(text.trim_end()));
            }
            Block::KeyValues(pairs) => {
                for (k, v) in pairs {
                    let _ = writeln!(
                        out,
                        "- **{}**: {}",
                        md_text(&one_line(k)),
                        md_text(v).replace('\n', "  \n  ")
                    );
                }
            }
            Block::Table { headers, rows } => {
                let ncols = headers
                    .len()
                    .max(rows.iter().map(Vec::len).max().unwrap_or(0));
                if ncols == 0 {
                    continue;
                }
                let line = |row: &[String]| {
                    let cells: Vec<String> = (0..ncols)
                        .map(|i| md_cell(row.get(i).map(String::as_str).unwrap_or("")))
                        .collect();
                    format!("| {} |", cells.join(" | "))
                };
                let _ = writeln!(out, "{}", line(headers));
                let _ = writeln!(out, "|{}", " --- |".repeat(ncols));
                for r in rows {
                    let _ = writeln!(out, "{}", line(r));
                }
            }
            Block::List(items) => {
                for item in items {
                    let _ = writeln!(out, "- {}", md_text(item).replace('\n', "  \n  "));
                }
            }
            Block::Note(text) => {
                let _ = writeln!(
                    out,
                    "> **{}:** {}",
                    labels::NOTE.get(doc.lang),
                    md_text(text).replace('\n', "\n> ")
                );
            }
            Block::Warning(text) => {
                let _ = writeln!(
                    out,
                    "> **{}:** {}",
                    labels::WARNING.get(doc.lang),
                    md_text(text).replace('\n', "\n> ")
                );
            }
        }
    }
    out
}

// ---- html ------------------------------------------------------------------------------------

/// Escape text for HTML element content and attribute values.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

const CSS: &str = "body{font-family:system-ui,-apple-system,'Apple SD Gothic Neo','Noto Sans KR',sans-serif;line-height:1.5;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1a1a1a}\
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.92rem}\
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top;white-space:pre-line}\
th{background:#f2f2f2}\
dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}\
dt{font-weight:600}dd{margin:0;white-space:pre-line}\
p{white-space:pre-line}\
.note,.warning{border-left:4px solid;padding:.4rem .8rem;margin:.8rem 0;white-space:pre-line}\
.note{border-color:#3b7dd8;background:#eef4fc}\
.warning{border-color:#d89b3b;background:#fdf6ea}";

/// One self-contained HTML page.
pub fn render_html(doc: &Doc) -> String {
    let mut out = String::new();
    let title = html_escape(&one_line(&doc.title));
    let _ = writeln!(out, "<!DOCTYPE html>");
    let _ = writeln!(out, "<html lang=\"{}\">", lang_code(doc.lang));
    let _ = writeln!(out, "<head>");
    let _ = writeln!(out, "<meta charset=\"utf-8\">");
    let _ = writeln!(
        out,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    );
    let _ = writeln!(out, "<title>{title}</title>");
    let _ = writeln!(out, "<style>{CSS}</style>");
    let _ = writeln!(out, "</head>");
    let _ = writeln!(out, "<body>");
    let _ = writeln!(out, "<main>");
    let _ = writeln!(out, "<h1>{title}</h1>");
    for block in &doc.blocks {
        match block {
            Block::Heading(level, text) => {
                let n = (*level).clamp(2, 6);
                let _ = writeln!(out, "<h{n}>{}</h{n}>", html_escape(text));
            }
            Block::Paragraph(text) => {
                let _ = writeln!(out, "<p>{}</p>", html_escape(text.trim_end()));
            }
            Block::KeyValues(pairs) => {
                let _ = writeln!(out, "<dl>");
                for (k, v) in pairs {
                    let _ = writeln!(
                        out,
                        "<dt>{}</dt><dd>{}</dd>",
                        html_escape(k),
                        html_escape(v)
                    );
                }
                let _ = writeln!(out, "</dl>");
            }
            Block::Table { headers, rows } => {
                let _ = writeln!(out, "<table>");
                if !headers.is_empty() {
                    let _ = write!(out, "<thead><tr>");
                    for h in headers {
                        let _ = write!(out, "<th>{}</th>", html_escape(h));
                    }
                    let _ = writeln!(out, "</tr></thead>");
                }
                let _ = writeln!(out, "<tbody>");
                for r in rows {
                    let _ = write!(out, "<tr>");
                    for c in r {
                        let _ = write!(out, "<td>{}</td>", html_escape(c));
                    }
                    let _ = writeln!(out, "</tr>");
                }
                let _ = writeln!(out, "</tbody>");
                let _ = writeln!(out, "</table>");
            }
            Block::List(items) => {
                let _ = writeln!(out, "<ul>");
                for item in items {
                    let _ = writeln!(out, "<li>{}</li>", html_escape(item));
                }
                let _ = writeln!(out, "</ul>");
            }
            Block::Note(text) => {
                let _ = writeln!(
                    out,
                    "<aside class=\"note\" role=\"note\"><strong>{}:</strong> {}</aside>",
                    html_escape(labels::NOTE.get(doc.lang)),
                    html_escape(text)
                );
            }
            Block::Warning(text) => {
                let _ = writeln!(
                    out,
                    "<aside class=\"warning\" role=\"note\"><strong>{}:</strong> {}</aside>",
                    html_escape(labels::WARNING.get(doc.lang)),
                    html_escape(text)
                );
            }
        }
    }
    let _ = writeln!(out, "</main>");
    let _ = writeln!(out, "</body>");
    let _ = writeln!(out, "</html>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(lang: Lang) -> Doc {
        let mut d = Doc::new("Title <x>", lang);
        d.heading(2, "Section")
            .key_values(vec![
                ("Name".into(), "CSAP".into()),
                ("상태".into(), "시행 중".into()),
            ])
            .table(
                vec!["id".into(), "제목".into()],
                vec![
                    vec!["1".into(), "정보보호 정책".into()],
                    vec!["10".into(), "a | b".into()],
                ],
            )
            .list(vec!["one".into()])
            .note("n & m")
            .warning("w");
        d
    }

    #[test]
    fn text_aligns_hangul_by_display_width() {
        let out = render_text(&sample(Lang::En));
        let lines: Vec<&str> = out.lines().collect();
        let header = lines.iter().position(|l| l.starts_with("id")).unwrap();
        // Columns start at the same cell on every row; "정보보호 정책" is 13 cells wide.
        assert_eq!(lines[header], "id  제목");
        assert_eq!(lines[header + 1], "--  -------------");
        assert!(lines[header + 2].starts_with("1   정보보호 정책"));
        assert!(lines[header + 3].starts_with("10  a | b"));
        assert!(out.contains("Name: CSAP"));
        assert!(out.contains("상태: 시행 중"));
        assert!(out.contains("[Note] n & m"));
        assert!(!out.lines().any(|l| l.ends_with(' ')));
    }

    #[test]
    fn markdown_escapes_pipes() {
        let out = render_markdown(&sample(Lang::En));
        assert!(out.contains("| 10 | a \\| b |"));
        assert!(out.contains("# Title &lt;x&gt;"));
        assert!(out.contains("| --- | --- |"));
    }

    #[test]
    fn html_escapes_and_sets_lang() {
        let out = render_html(&sample(Lang::Ko));
        assert!(out.contains("<html lang=\"ko\">"));
        assert!(out.contains("<meta charset=\"utf-8\">"));
        assert!(out.contains("Title &lt;x&gt;"));
        assert!(out.contains("n &amp; m"));
        assert!(out.contains("<strong>참고:</strong>"));
        assert!(!out.contains("<x>"));
    }

    #[test]
    fn long_last_column_wraps() {
        let mut d = Doc::new("t", Lang::En);
        let long = "word ".repeat(60);
        d.table(vec!["a".into(), "b".into()], vec![vec!["x".into(), long]]);
        let out = render_text(&d);
        assert!(out.lines().all(|l| display_width(l) <= TEXT_WIDTH));
        assert!(out.lines().filter(|l| l.starts_with("   word")).count() >= 2);
    }

    #[test]
    fn format_names() {
        for f in Format::ALL {
            assert_eq!(Format::parse(f.as_str()), Some(*f));
        }
    }
}
