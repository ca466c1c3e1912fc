//! Identifiers as newtypes, so a regime id is never passed where a rule id is expected.

/// A string newtype id with `new`, `as_str`, `Display` and `From<&str>`. The `serde` arm adds
/// transparent (de)serialisation for crates that store or publish ids (the registry); the model
/// itself stays free of serde derives, so it is exported for them rather than repeated there.
#[macro_export]
macro_rules! string_id {
    (serde $(#[$meta:meta])* $name:ident) => {
        $crate::string_id!(@def
            [$(#[$meta])*
            #[derive(::serde::Serialize, ::serde::Deserialize)]
            #[serde(transparent)]]
            $name);
    };
    ($(#[$meta:meta])* $name:ident) => {
        $crate::string_id!(@def [$(#[$meta])*] $name);
    };
    (@def [$($attr:tt)*] $name:ident) => {
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        $($attr)*
        pub struct $name(String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }
    };
}

string_id!(
    /// A regime (`csap-2023`, `nis-2027`, a scenario, a sector overlay).
    RegimeId
);
string_id!(
    /// A rule inside a regime: a classification rule, a requirement, an acceptance rule.
    RuleId
);
string_id!(
    /// A certification scheme whose certificates a service may hold (`csap`, `iso-27001`).
    SchemeId
);
string_id!(
    /// A source entry in the sources register (a URL from `facts.md`).
    SourceId
);
string_id!(
    /// A named, overridable assumption (`csap.kcmvp-required`).
    AssumptionId
);
string_id!(
    /// A control catalog (`csap`, `n2sf`, `isms-p`, `iso-27001-2022`).
    CatalogId
);
string_id!(
    /// A control or control group inside a catalog (`1.1`, `9.2.a`, `A.5`).
    ControlId
);
string_id!(
    /// A system profile (what an institution runs).
    SystemId
);
string_id!(
    /// A service profile (what a provider offers).
    ServiceId
);
