/*!
`kcvs scan`'s core: read Terraform plan JSON and cloud inventory exports into normalised
[`Resource`]s, place each in a region through the region table, and run checks that give pass,
fail or unknown per resource, each naming the catalog controls and requirement kinds it evidences.

Pure apart from the bytes the caller hands in: no file, clock or environment is read here.

```no_run
# fn main() -> Result<(), Box<dyn std::error::Error>> {
let bytes = std::fs::read("plan.json")?;
let rules = kcvs_content::load_rules(None)?;
let plan = kcvs_scan::read_plan(&bytes, "plan.json", &kcvs_scan::ReadOptions::default())?;
let as_of = "2026-11-23".parse()?;
let findings = kcvs_scan::run_checks(&plan.resources, &rules, &kcvs_scan::CheckSelection::all(), as_of);
# let _ = findings; Ok(()) }
```

Modules: [`plan`] (the streaming plan reader), [`inventory`], [`region`] (placement),
[`checks`], [`waivers`], [`resource`] (the normalised resource and its JSON for Rego),
[`rego`] (user checks in Rego, evaluated with regorus).
*/

pub mod baseline;
pub mod checks;
mod error;
pub mod inventory;
pub mod plan;
pub mod region;
pub mod rego;
pub mod resource;
pub mod waivers;

pub use baseline::{Baseline, BaselineCounts, BaselineState};
pub use checks::{
    CheckId, CheckRun, CheckSelection, ControlRef, Finding, Status, holds_data, interesting,
    run_checks, run_checks_tallied,
};
pub use error::{ScanError, ScanErrorKind};
pub use inventory::{InventoryFormat, read_inventory};
pub use plan::{Plan, ReadOptions, read_plan};
pub use region::{resolve, resolve_all, zone_region};
pub use rego::{
    Policies, PolicyControl, PolicyError, PolicyFile, PolicyFinding, PolicyLevel, PolicyPackage,
    PolicyResults,
};
pub use resource::{
    Action, Attrs, IndexKey, Mode, Name, Origin, Placement, RegionSource, Residency, Resource,
    SourceLoc,
};
pub use waivers::{
    Waiver, WaiverCheck, WaiverMatch, glob, match_policy_waiver, match_waiver, read_waivers,
};

/// Counts per check: pass, fail, unknown, and how many non-pass results a waiver in force covers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub pass: usize,
    pub fail: usize,
    pub unknown: usize,
    pub waived: usize,
}

impl Tally {
    /// Fail plus unknown, waived ones included: what the benchmark contract counts as violations.
    pub fn violations(&self) -> usize {
        self.fail + self.unknown
    }
}

/// Counts per check, in the order of [`CheckId::ALL`].
pub fn tally(findings: &[Finding]) -> Vec<(CheckId, Tally)> {
    let mut out: Vec<(CheckId, Tally)> = CheckId::ALL
        .iter()
        .map(|&c| (c, Tally::default()))
        .collect();
    for f in findings {
        if let Some((_, t)) = out.iter_mut().find(|(c, _)| *c == f.check) {
            match f.status {
                Status::Pass => t.pass += 1,
                Status::Fail => t.fail += 1,
                Status::Unknown => t.unknown += 1,
            }
            if f.status != Status::Pass && f.waiver.as_ref().is_some_and(|w| w.in_force) {
                t.waived += 1;
            }
        }
    }
    out
}
