/*!
User checks in Rego, conftest style, evaluated in-process with [`regorus`].

Every loaded package may define the rules `deny` and `warn`: sets (or partial sets) whose
elements are strings or objects `{"msg": text, "resource": address?, "controls": [..]?}`. A
`deny` element is a failing result, a `warn` element an advisory one. A package declares the
catalog controls its results evidence with the rule `__controls__` (strings `"csap:12.3"` or
objects `{"catalog", "id"}`), and may name itself with `__title__`; a message's own `controls`
replace the package's for that result.

The input is the normalised document of `docs/scan.md`:
`{"source": {"files": [..]}, "resources": [Resource::to_json(), ..]}`.

Files are read as Rego v1 (OPA 1.0 syntax); a file that does not parse as v1 but parses as v0 is
read as v0. Only pure builtins are compiled in (no `time`, `http` or `opa.runtime`): a policy
cannot read the clock, the network or the environment. Like the rest of the crate, nothing here
reads a file: the caller hands in the texts.
*/

use std::collections::BTreeMap;

use kcvs_model::Date;
use serde_json::{Value, json};

use crate::resource::{Resource, SourceLoc};
use crate::waivers::{Waiver, WaiverMatch, match_policy_waiver};

/// A policy file: its name (as given on the command line) and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyFile {
    pub name: String,
    pub text: String,
}

/// A catalog control a policy names (`csap` `12.3`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PolicyControl {
    pub catalog: String,
    pub id: String,
}

impl PolicyControl {
    /// `csap:12.3`
    pub fn parse(s: &str) -> Option<Self> {
        let (catalog, id) = s.split_once(':')?;
        let (catalog, id) = (catalog.trim(), id.trim());
        (!catalog.is_empty() && !id.is_empty()).then(|| Self {
            catalog: catalog.to_owned(),
            id: id.to_owned(),
        })
    }
}

/// Which rule a result came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PolicyLevel {
    /// `deny`: a failing result.
    Deny,
    /// `warn`: an advisory result.
    Warn,
}

impl PolicyLevel {
    /// The rule's name.
    pub fn rule(self) -> &'static str {
        match self {
            PolicyLevel::Deny => "deny",
            PolicyLevel::Warn => "warn",
        }
    }

    /// The status in `kcvs scan` output: `fail` or `warn`.
    pub fn status(self) -> &'static str {
        match self {
            PolicyLevel::Deny => "fail",
            PolicyLevel::Warn => "warn",
        }
    }
}

/// A package that defines `deny` or `warn`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyPackage {
    /// Without the `data.` prefix: `kcvs.kms_cmk`.
    pub name: String,
    /// The files that contribute to it.
    pub files: Vec<String>,
    /// `__title__`, if the package gives one.
    pub title: Option<String>,
    /// `__controls__`.
    pub controls: Vec<PolicyControl>,
    /// Whether it defines `deny` (a package with only `warn` never fails).
    pub has_deny: bool,
    pub has_warn: bool,
}

impl PolicyPackage {
    /// The check id in `kcvs scan` output: `rego:kcvs.kms_cmk`.
    pub fn check_id(&self) -> String {
        format!("rego:{}", self.name)
    }
}

/// One result of a policy.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyFinding {
    /// The package name (see [`PolicyPackage::name`]).
    pub package: String,
    pub level: PolicyLevel,
    pub message: String,
    /// The resource address the message names (`resource`), if any.
    pub address: Option<String>,
    /// The type of that resource, when it is in the input.
    pub resource_type: Option<String>,
    /// The message's own controls, else the package's.
    pub controls: Vec<PolicyControl>,
    /// Where the resource is in the input, when the message names one that is there.
    pub location: Option<SourceLoc>,
    /// The waiver covering this result (see [`PolicyResults::apply_waivers`]), in force or expired.
    pub waiver: Option<WaiverMatch>,
    /// New or unchanged against `--baseline` (`None` without one).
    pub baseline: Option<crate::baseline::BaselineState>,
}

impl PolicyFinding {
    /// Whether the result still counts: a waiver in force excepts it.
    pub fn counts(&self) -> bool {
        !self.waiver.as_ref().is_some_and(|w| w.in_force)
    }

    /// Held by the baseline: it stands, but `--fail-on` does not count it.
    pub fn in_baseline(&self) -> bool {
        self.baseline == Some(crate::baseline::BaselineState::Unchanged)
    }
}

/// A policy that cannot be loaded or evaluated: the `.rego` file, a 1-based line and column
/// (0 when regorus gives none) and what went wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct PolicyError {
    pub file: String,
    pub line: u64,
    pub column: u64,
    pub message: String,
    /// The source line with a caret under the column, as regorus prints it.
    pub snippet: Option<String>,
}

impl PolicyError {
    fn plain(file: &str, line: u64, column: u64, message: String) -> Self {
        Self {
            file: file.to_owned(),
            line,
            column,
            message,
            snippet: None,
        }
    }

    /// From a regorus error, whose text carries `--> file:line:col`, a snippet and `error: …`;
    /// `fallback` names the file when the text does not.
    fn from_regorus(e: &impl std::fmt::Display, fallback: &str) -> Self {
        let text = e.to_string();
        let mut file = fallback.to_owned();
        let (mut line, mut column) = (0, 0);
        let mut snippet = Vec::new();
        let mut message = None;
        for l in text.lines() {
            if let Some(at) = l.trim_start().strip_prefix("--> ") {
                let mut parts = at.rsplitn(3, ':');
                let c = parts.next().and_then(|c| c.trim().parse().ok());
                let n = parts.next().and_then(|n| n.trim().parse().ok());
                if let (Some(c), Some(n), Some(f)) = (c, n, parts.next()) {
                    file = f.to_owned();
                    line = n;
                    column = c;
                }
            } else if let Some(m) = l.strip_prefix("error: ") {
                message = Some(m.trim().to_owned());
            } else if l.contains('|') && l.trim() != "|" {
                snippet.push(l.to_owned());
            }
        }
        let message = message.unwrap_or_else(|| text.trim().replace('\n', " "));
        Self {
            file,
            line,
            column,
            message,
            snippet: (!snippet.is_empty()).then(|| snippet.join("\n")),
        }
    }
}

/// Loaded policies, ready to evaluate.
#[derive(Clone)]
pub struct Policies {
    engine: regorus::Engine,
    files: Vec<PolicyFile>,
    /// Package (without `data.`) → files, in load order.
    packages: BTreeMap<String, Vec<String>>,
}

impl std::fmt::Debug for Policies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policies")
            .field("packages", &self.packages)
            .finish_non_exhaustive()
    }
}

/// What the policies gave on one input.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PolicyResults {
    /// The packages that define `deny` or `warn`, by name.
    pub packages: Vec<PolicyPackage>,
    /// Their results: per package, `deny` then `warn`, each in the order regorus gives (sorted).
    pub findings: Vec<PolicyFinding>,
}

impl PolicyResults {
    /// Fail (deny) and warn counts of a package.
    pub fn counts(&self, package: &str) -> (usize, usize) {
        let of = |l: PolicyLevel| {
            self.findings
                .iter()
                .filter(|f| f.package == package && f.level == l)
                .count()
        };
        (of(PolicyLevel::Deny), of(PolicyLevel::Warn))
    }

    /// Results of a package that a waiver in force excepts.
    pub fn waived(&self, package: &str) -> usize {
        self.findings
            .iter()
            .filter(|f| f.package == package && !f.counts())
            .count()
    }

    /// Match every result against the waivers on `as_of` (`check: rego:<package>` or `*`).
    pub fn apply_waivers(&mut self, waivers: &[Waiver], as_of: Date) {
        if waivers.is_empty() {
            return;
        }
        for f in &mut self.findings {
            f.waiver = match_policy_waiver(waivers, f.address.as_deref(), &f.package, as_of);
        }
    }
}

impl Policies {
    /// Parse every file. The first file that does not parse is the error.
    pub fn load(files: &[PolicyFile]) -> Result<Self, PolicyError> {
        let mut engine = regorus::Engine::new();
        let mut packages: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for f in files {
            engine.set_rego_v0(false);
            let pkg = match engine.add_policy(f.name.clone(), f.text.clone()) {
                Ok(p) => p,
                Err(v1) => {
                    // An older policy in v0 syntax (`deny[msg] { … }`); if it is not that either,
                    // the v1 error is the one to show.
                    engine.set_rego_v0(true);
                    let r = engine.add_policy(f.name.clone(), f.text.clone());
                    engine.set_rego_v0(false);
                    r.map_err(|_| PolicyError::from_regorus(&v1, &f.name))?
                }
            };
            let name = pkg.strip_prefix("data.").unwrap_or(&pkg).to_owned();
            let list = packages.entry(name).or_default();
            if !list.contains(&f.name) {
                list.push(f.name.clone());
            }
        }
        Ok(Self {
            engine,
            files: files.to_vec(),
            packages,
        })
    }

    /// The package names, without `data.`.
    pub fn package_names(&self) -> impl Iterator<Item = &str> {
        self.packages.keys().map(String::as_str)
    }

    /// The input document the policies see (schema in `docs/scan.md`).
    pub fn input(resources: &[Resource], files: &[String]) -> Value {
        json!({
            "source": {"files": files},
            "resources": resources.iter().map(Resource::to_json).collect::<Vec<_>>(),
        })
    }

    /// Evaluate `deny`, `warn`, `__controls__` and `__title__` of every package over the input.
    pub fn evaluate(
        &mut self,
        resources: &[Resource],
        files: &[String],
    ) -> Result<PolicyResults, PolicyError> {
        let input = Self::input(resources, files);
        self.engine.set_input(regorus::Value::from(input));
        let by_address: BTreeMap<&str, &Resource> =
            resources.iter().map(|r| (r.address.as_str(), r)).collect();
        let mut out = PolicyResults::default();
        let packages: Vec<(String, Vec<String>)> = self
            .packages
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (name, pkg_files) in packages {
            let first = pkg_files.first().cloned().unwrap_or_default();
            let deny = self.query(&name, "deny", &first)?;
            let warn = self.query(&name, "warn", &first)?;
            if deny.is_none() && warn.is_none() {
                continue; // a library of helpers
            }
            let controls = match self.query(&name, "__controls__", &first)? {
                Some(v) => self.controls(&v, &name, &pkg_files, "__controls__")?,
                None => Vec::new(),
            };
            let title = match self.query(&name, "__title__", &first)? {
                Some(regorus::Value::String(s)) => Some(s.to_string()),
                Some(_) => {
                    return Err(self.rule_error(
                        &pkg_files,
                        "__title__",
                        "`__title__` must be a string".to_owned(),
                    ));
                }
                None => None,
            };
            let package = PolicyPackage {
                name: name.clone(),
                files: pkg_files.clone(),
                title,
                controls,
                has_deny: deny.is_some(),
                has_warn: warn.is_some(),
            };
            for (level, value) in [(PolicyLevel::Deny, deny), (PolicyLevel::Warn, warn)] {
                let Some(value) = value else { continue };
                let rule = level.rule();
                let items: Vec<&regorus::Value> = match &value {
                    regorus::Value::Set(s) => s.iter().collect(),
                    regorus::Value::Array(a) => a.iter().collect(),
                    _ => {
                        return Err(self.rule_error(
                            &pkg_files,
                            rule,
                            format!(
                                "`{rule}` in package `{name}` must be a set of messages (`{rule} contains msg if {{ … }}`)"
                            ),
                        ));
                    }
                };
                for item in items {
                    let f = self.finding(item, level, &package, &by_address)?;
                    out.findings.push(f);
                }
            }
            out.packages.push(package);
        }
        Ok(out)
    }

    /// Every control the results name must be known (`known`); the first that is not is an
    /// error at its first mention in the package's files.
    pub fn check_controls(
        &self,
        results: &PolicyResults,
        known: impl Fn(&PolicyControl) -> bool,
    ) -> Result<(), PolicyError> {
        let named = results
            .packages
            .iter()
            .flat_map(|p| p.controls.iter().map(move |c| (c, &p.files)))
            .chain(results.findings.iter().flat_map(|f| {
                let files = results
                    .packages
                    .iter()
                    .find(|p| p.name == f.package)
                    .map(|p| &p.files);
                f.controls
                    .iter()
                    .filter_map(move |c| files.map(|fs| (c, fs)))
            }));
        for (c, files) in named {
            if known(c) {
                continue;
            }
            let message = format!(
                "unknown control `{}:{}`: no such control in the `{}` catalog",
                c.catalog, c.id, c.catalog
            );
            let whole = format!("{}:{}", c.catalog, c.id);
            let quoted = format!("\"{}\"", c.id);
            for needle in [whole.as_str(), quoted.as_str()] {
                if let Some(e) = self.find_text(files, needle, &message) {
                    return Err(e);
                }
            }
            return Err(PolicyError::plain(
                files.first().map_or("", |s| s),
                0,
                0,
                message,
            ));
        }
        Ok(())
    }

    /// An error at the first occurrence of `needle` in the files.
    fn find_text(&self, files: &[String], needle: &str, message: &str) -> Option<PolicyError> {
        for name in files {
            let Some(f) = self.files.iter().find(|f| &f.name == name) else {
                continue;
            };
            for (i, line) in f.text.lines().enumerate() {
                if let Some(col) = line.find(needle) {
                    let col = line.get(..col).map_or(col, |p| p.chars().count());
                    return Some(PolicyError::plain(
                        name,
                        i as u64 + 1,
                        col as u64 + 1,
                        message.to_owned(),
                    ));
                }
            }
        }
        None
    }

    /// `data.<package>.<rule>`; `None` when the package does not define it.
    fn query(
        &mut self,
        package: &str,
        rule: &str,
        file: &str,
    ) -> Result<Option<regorus::Value>, PolicyError> {
        let q = format!("data.{package}.{rule}");
        let results = self
            .engine
            .eval_query(q, false)
            .map_err(|e| PolicyError::from_regorus(&e, file))?;
        Ok(results
            .result
            .into_iter()
            .next()
            .and_then(|r| r.expressions.into_iter().next())
            .map(|e| e.value)
            .filter(|v| *v != regorus::Value::Undefined))
    }

    /// An error about a rule of a package, at the first line that defines it.
    fn rule_error(&self, files: &[String], rule: &str, message: String) -> PolicyError {
        for name in files {
            if let Some(f) = self.files.iter().find(|f| &f.name == name) {
                for (i, line) in f.text.lines().enumerate() {
                    if let Some(col) = line.find(rule)
                        && line[..col].trim().is_empty()
                    {
                        return PolicyError::plain(name, i as u64 + 1, col as u64 + 1, message);
                    }
                }
            }
        }
        PolicyError::plain(files.first().map_or("", |s| s), 0, 0, message)
    }

    fn controls(
        &self,
        v: &regorus::Value,
        package: &str,
        files: &[String],
        rule: &str,
    ) -> Result<Vec<PolicyControl>, PolicyError> {
        let bad = || {
            self.rule_error(
                files,
                rule,
                format!(
                    "`{rule}` in package `{package}` must list controls as \"catalog:id\" strings or {{\"catalog\", \"id\"}} objects"
                ),
            )
        };
        let json = serde_json::to_value(v).map_err(|_| bad())?;
        controls_of(&json).ok_or_else(bad)
    }

    fn finding(
        &self,
        item: &regorus::Value,
        level: PolicyLevel,
        package: &PolicyPackage,
        by_address: &BTreeMap<&str, &Resource>,
    ) -> Result<PolicyFinding, PolicyError> {
        let rule = level.rule();
        let bad = |why: &str| {
            self.rule_error(
                &package.files,
                rule,
                format!(
                    "a `{rule}` message of package `{}` {why}: expected a string or {{\"msg\": string, \"resource\"?: address, \"controls\"?: [..]}}",
                    package.name
                ),
            )
        };
        let json = serde_json::to_value(item).map_err(|_| bad("cannot be read"))?;
        let (message, address, controls) = match &json {
            Value::String(s) => (s.clone(), None, package.controls.clone()),
            Value::Object(m) => {
                let msg = match m.get("msg") {
                    Some(Value::String(s)) => s.clone(),
                    _ => return Err(bad("has no string `msg`")),
                };
                let address = match m.get("resource") {
                    None | Some(Value::Null) => None,
                    Some(Value::String(s)) => Some(s.clone()),
                    Some(_) => return Err(bad("has a `resource` that is not a string")),
                };
                let controls = match m.get("controls") {
                    None | Some(Value::Null) => package.controls.clone(),
                    Some(c) => controls_of(c).ok_or_else(|| bad("has malformed `controls`"))?,
                };
                (msg, address, controls)
            }
            _ => return Err(bad("is neither")),
        };
        let resource = address.as_deref().and_then(|a| by_address.get(a));
        Ok(PolicyFinding {
            package: package.name.clone(),
            level,
            message,
            resource_type: resource.map(|r| r.kind.to_string()),
            location: resource.map(|r| r.location.clone()),
            address,
            controls,
            waiver: None,
            baseline: None,
        })
    }
}

/// `["csap:12.3", {"catalog": "n2sf", "id": "EK"}]` (a set serialises as an array; a single
/// string is one control).
fn controls_of(v: &Value) -> Option<Vec<PolicyControl>> {
    let one = |x: &Value| match x {
        Value::String(s) => PolicyControl::parse(s),
        Value::Object(m) => match (m.get("catalog"), m.get("id")) {
            (Some(Value::String(c)), Some(Value::String(i))) if !c.is_empty() && !i.is_empty() => {
                Some(PolicyControl {
                    catalog: c.clone(),
                    id: i.clone(),
                })
            }
            _ => None,
        },
        _ => None,
    };
    let mut out: Vec<PolicyControl> = match v {
        Value::Array(a) => a.iter().map(one).collect::<Option<_>>()?,
        other => vec![one(other)?],
    };
    out.sort();
    out.dedup();
    Some(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> PolicyFile {
        PolicyFile {
            name: name.to_owned(),
            text: text.to_owned(),
        }
    }

    #[test]
    fn syntax_errors_name_file_line_and_column() {
        let e = Policies::load(&[file(
            "p/bad.rego",
            "package x\n\ndeny contains msg if {\n  msg := input.x +\n}\n",
        )])
        .unwrap_err();
        assert_eq!((e.file.as_str(), e.line, e.column), ("p/bad.rego", 4, 7));
        assert!(e.message.contains("expecting"), "{e:?}");
        assert!(e.snippet.is_some());
    }

    #[test]
    fn v0_policies_are_read_and_undefined_functions_are_positioned() {
        let mut p = Policies::load(&[file(
            "old.rego",
            "package old\n\ndeny[msg] {\n  msg := \"x\"\n}\n",
        )])
        .unwrap();
        let r = p.evaluate(&[], &[]).unwrap();
        assert_eq!(r.findings.len(), 1);

        let mut p = Policies::load(&[file(
            "f.rego",
            "package f\n\ndeny contains msg if {\n  msg := time.now_ns()\n}\n",
        )])
        .unwrap();
        let e = p.evaluate(&[], &[]).unwrap_err();
        assert_eq!((e.file.as_str(), e.line, e.column), ("f.rego", 4, 21));
    }

    #[test]
    fn messages_controls_and_levels() {
        let mut p = Policies::load(&[
            file(
                "a.rego",
                r#"package t.a

__controls__ := ["csap:12.3", {"catalog": "n2sf", "id": "EK"}]
__title__ := "A"

deny contains "plain" if { count(input.resources) == 0 }
deny contains {"msg": "own", "resource": "x.y", "controls": ["csap:11"]} if { true }
warn contains {"msg": "careful"} if { true }
"#,
            ),
            file("lib.rego", "package t.lib\n\nhelper := 1\n"),
        ])
        .unwrap();
        let r = p.evaluate(&[], &["plan.json".to_owned()]).unwrap();
        assert_eq!(r.packages.len(), 1);
        let pkg = &r.packages[0];
        assert_eq!(pkg.check_id(), "rego:t.a");
        assert_eq!(pkg.title.as_deref(), Some("A"));
        assert_eq!(pkg.controls.len(), 2);
        assert_eq!(r.counts("t.a"), (2, 1));
        let own = r.findings.iter().find(|f| f.message == "own").unwrap();
        assert_eq!(own.address.as_deref(), Some("x.y"));
        assert_eq!(own.controls, vec![PolicyControl::parse("csap:11").unwrap()]);
        let plain = r.findings.iter().find(|f| f.message == "plain").unwrap();
        assert_eq!(plain.controls, pkg.controls);
    }

    #[test]
    fn malformed_results_are_errors_at_the_rule() {
        let mut p = Policies::load(&[file(
            "m.rego",
            "package m\n\ndeny contains {\"text\": \"no msg\"} if { true }\n",
        )])
        .unwrap();
        let e = p.evaluate(&[], &[]).unwrap_err();
        assert_eq!((e.line, e.column), (3, 1));
        assert!(e.message.contains("msg"), "{e:?}");
        let mut p = Policies::load(&[file(
            "c.rego",
            "package c\n\n__controls__ := [12]\ndeny contains \"x\" if { true }\n",
        )])
        .unwrap();
        let e = p.evaluate(&[], &[]).unwrap_err();
        assert_eq!((e.line, e.column), (3, 1));

        let mut p = Policies::load(&[file(
            "u.rego",
            "package u\n\n__controls__ := [\"csap:12.3\", \"csap:99.9\"]\ndeny contains \"x\" if { true }\n",
        )])
        .unwrap();
        let r = p.evaluate(&[], &[]).unwrap();
        let e = p.check_controls(&r, |c| c.id != "99.9").unwrap_err();
        assert_eq!((e.file.as_str(), e.line, e.column), ("u.rego", 3, 32));
        assert!(e.message.contains("csap:99.9"), "{e:?}");
    }
}
