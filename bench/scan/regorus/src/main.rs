//! regorus_scan: evaluates the four benchmark checks (bench/scan/rego/checks.rego) with the
//! regorus crate on a Terraform plan JSON given whole as input, and prints the number of
//! violations per check id as JSON.
//!
//! Usage: regorus_scan POLICY.rego PLAN.json

use std::process::ExitCode;

fn run(policy: &str, plan: &str) -> Result<String, String> {
    let mut engine = regorus::Engine::new();
    engine
        .add_policy_from_file(policy)
        .map_err(|e| format!("{policy}: {e}"))?;
    let input = regorus::Value::from_json_file(plan).map_err(|e| format!("{plan}: {e}"))?;
    engine.set_input(input);
    let counts = engine
        .eval_rule("data.kcvs.bench.counts".to_string())
        .map_err(|e| format!("evaluating data.kcvs.bench.counts: {e}"))?;
    counts.to_json_str().map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [policy, plan] = args.as_slice() else {
        eprintln!("usage: regorus_scan POLICY.rego PLAN.json");
        return ExitCode::from(2);
    };
    match run(policy, plan) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("regorus_scan: {e}");
            ExitCode::from(2)
        }
    }
}
