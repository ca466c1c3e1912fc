/*!
Reports: every command's output goes through here.

A view (`rules::regime_show`, and later the decision views) turns model values into a
[`View`]: a [`Doc`] for people, in one language, and a JSON value for programs. The
renderers in [`doc`] turn the `Doc` into text, Markdown or HTML; JSON is printed as built.
Views never decide anything: they render what the loader or the engine returns.

All labels are bilingual at the definition site ([`i18n`]).
*/

pub mod decisions;
pub mod doc;
pub mod i18n;
pub mod rules;
pub mod scan;

pub use doc::{
    Block, Doc, Format, View, display_width, render, render_html, render_json, render_markdown,
    render_text,
};
pub use i18n::{L, t};
