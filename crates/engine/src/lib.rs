/*!
The decisions kcvs makes, as pure functions of loaded rules, profiles, assumptions and a date.

Nothing here reads a file, a socket or the clock: the caller passes `as_of`. Each decision comes
in two forms that must agree: an *explained* form (`classify`, `eligibility`, `assess`) that
records every rule it used and why, for reports; and a *compiled* form ([`compiled`]) that turns a
regime, a system and a service into bit sets so a verdict is a few machine instructions, for
`match`, `regime diff` and the simulator. A property test holds the two to the same verdicts.
*/

pub mod assess;
pub mod certificates;
pub mod classify;
pub mod compiled;
pub mod context;
pub mod diff;
pub mod eligibility;
pub mod matching;
pub mod requirements;

pub use assess::*;
pub use certificates::*;
pub use classify::*;
pub use context::*;
pub use eligibility::*;
pub use matching::*;
pub use requirements::*;
