//! Eligibility decisions per second on compiled rules, beside the explained path on the same
//! inputs (the ratio goes in the README), and `regime diff` over the full space.
//!
//! Run: `cargo bench -p kcvs-engine --bench decisions`.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kcvs_content::{builtin_files, load};
use kcvs_engine::compiled::{CompiledRegime, decide};
use kcvs_engine::diff::{ServiceClass, diff, diff_hosts};
use kcvs_engine::*;
use kcvs_model::*;

const SYSTEMS: u16 = 1024;
const SERVICES: usize = 1024;

fn inputs(as_of: Date) -> (Vec<SystemProfile>, Vec<ServiceProfile>) {
    // Spread over the whole category space and the whole service-class space.
    let systems = (0..SYSTEMS)
        .map(|i| SystemProfile {
            id: SystemId::new(format!("s{i}")),
            name: String::new(),
            institution: if i % 7 == 0 {
                InstitutionKind::FinancialInstitution
            } else {
                InstitutionKind::CentralGovernment
            },
            sector: Sector::General,
            data: DataSet::from_bits(i.wrapping_mul(16)),
            overrides: Vec::new(),
            transfer_ground: None,
        })
        .collect();
    let classes = ServiceClass::all();
    let step = classes.len() / SERVICES;
    let services = (0..SERVICES)
        .map(|i| classes[i * step].profile(as_of))
        .collect();
    (systems, services)
}

fn bench(c: &mut Criterion) {
    let rules = load(&builtin_files()).expect("built-in content");
    let a = AssumptionSet::from_defaults(&rules.assumptions);
    let as_of: Date = "2026-11-23".parse().unwrap();
    let hosts = diff_hosts(as_of);
    let idx = ServiceIndex::new(hosts.iter());
    let d = Decider::new(&rules, &a, as_of, &idx);
    let csap = rules.regime(&RegimeId::new("csap-2023")).unwrap();
    let (systems, services) = inputs(as_of);

    let compiled = CompiledRegime::new(&d, csap);
    let cs: Vec<_> = systems.iter().map(|s| compiled.system(s)).collect();
    let cv: Vec<_> = services.iter().map(|s| compiled.service(&d, s)).collect();

    let mut g = c.benchmark_group("eligibility");
    g.throughput(Throughput::Elements((cs.len() * cv.len()) as u64));
    g.bench_function("compiled", |b| {
        b.iter(|| {
            let mut eligible = 0u32;
            for s in &cs {
                for v in &cv {
                    eligible += u32::from(decide(black_box(s), black_box(v)) == Verdict::Eligible);
                }
            }
            eligible
        })
    });
    // The explained path builds every reason; a smaller slice keeps the run short.
    let few = 32;
    g.throughput(Throughput::Elements((few * few) as u64));
    g.bench_function("explained", |b| {
        b.iter(|| {
            let mut eligible = 0u32;
            for s in systems.iter().take(few) {
                for v in services.iter().take(few) {
                    let e = eligibility(&d, csap, black_box(s), black_box(v));
                    eligible += u32::from(e.verdict == Verdict::Eligible);
                }
            }
            eligible
        })
    });
    g.finish();

    let bsa = rules.regime(&RegimeId::new("bsa-2026")).unwrap();
    let mut g = c.benchmark_group("regime-diff");
    g.sample_size(10);
    g.bench_function("csap-2023 vs bsa-2026, full space", |b| {
        b.iter(|| diff(&d, black_box(csap), black_box(bsa)).flipped_pairs)
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
