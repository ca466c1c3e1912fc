/*!
The vocabulary of kcvs: regimes, tiers, requirements, catalogs, system and service profiles.

This crate holds plain data and the invariants that make it well-formed. It does no IO, knows no
file format and reads no clock: loaders (`kcvs-content`) build these values, the engine
(`kcvs-engine`) decides with them, and reports (`kcvs-report`) render what the engine returns.
Types here are deliberately not `Serialize`: a published format is defined at the edge that
publishes it, so a refactor here never silently changes a file someone depends on.
*/

pub mod catalog;
pub mod category;
pub mod ids;
pub mod location;
pub mod profile;
pub mod provenance;
pub mod regime;
pub mod rules;
pub mod text;

pub use catalog::*;
pub use category::*;
pub use ids::*;
pub use location::*;
pub use profile::*;
pub use provenance::*;
pub use regime::*;
pub use rules::*;
pub use text::*;

/// A calendar date. Every decision takes one as `as_of`; nothing in the core reads the clock.
pub type Date = jiff::civil::Date;
