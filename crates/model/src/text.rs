//! Bilingual text. Every user-facing label exists in English and Korean.

/// The two output languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    Ko,
}

/// A label or sentence in both languages. Construction requires both, so a missing translation
/// is a load error, never a blank in a report.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Text {
    pub en: String,
    pub ko: String,
}

impl Text {
    pub fn new(en: impl Into<String>, ko: impl Into<String>) -> Self {
        Self {
            en: en.into(),
            ko: ko.into(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Ko => &self.ko,
        }
    }
}
