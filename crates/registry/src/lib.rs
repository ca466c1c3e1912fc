/*!
The certification service's pure core: the lifecycle of an application and its certificate, the
agencies that certify and evaluate, the deliberation committee, signed certificates, a
transparency log and a hash-chained audit log.

Nothing here reads a clock, a file, a socket or a database. Time comes in as arguments
([`Date`] for the procedure's calendar days, [`jiff::Timestamp`] for log entries), and every
transition is a function from a state and a dated event to the next state or a reason why not.
The storage layer (SQLite and PostgreSQL) and the HTTP server sit on top: they persist the
records here, which are `Serialize`/`Deserialize` on purpose, because unlike the model crate's
types they *are* a published format (the API, the signed certificate, the log entries).

The registry builds on the engine rather than beside it: which scheme a regime issues, its tier
order, when it opens and closes (the NIS start is the assumption `nis-2027.start`), and which
certificates its successor grandfathers are read from the loaded rules through
[`kcvs_engine::Decider`] by [`ctx::Ctx::from_decider`].

Where the facts are silent the code names an assumption (`ASSUMPTION registry.…` in the doc
comments; the list is in this crate's README) rather than presenting a choice as law.
*/

pub mod agency;
pub mod audit;
pub mod committee;
pub mod ctx;
pub mod digest;
pub mod ids;
pub mod lifecycle;
pub mod schedule;
pub mod signing;
pub mod translog;
pub mod wording;

pub use digest::Digest;
pub use ids::*;

/// A calendar day, as in the model crate.
pub type Date = jiff::civil::Date;
