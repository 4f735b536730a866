//! Min-cost-flow solve times on seeded instances shaped like placement (see
//! `carebridge_benches::mcf`): `cargo bench -p carebridge-benches --bench mcf`.
//!
//! Before criterion's timing loop, each instance is printed with its size, its optimal cost
//! (so a change that alters the answer shows) and the time of one cold solve plus its
//! certificate check. The instances are built once, outside the timed loop. With
//! `CAREBRIDGE_MCF_DUMP=DIR`, each instance is also written to `DIR/<name>.min` in DIMACS form,
//! for a peer solver to run on the same input (`benches/peers/ortools_mcf.py`).

use carebridge_benches::mcf::{grid, placement};
use carebridge_engines::mcf::{certificate, dimacs, Network};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const SEED: u64 = 2020;

/// File name, description, instance.
fn instances() -> Vec<(&'static str, &'static str, Network)> {
    vec![
        ("placement-40", "placement 2000x300, 40 nearest", placement(SEED, 2000, 300, 40)),
        ("placement-all", "placement 2000x300, all pairs", placement(SEED, 2000, 300, 300)),
        ("grid", "grid 100x100 + 6 random arcs/node", grid(SEED, 100, 6)),
    ]
}

fn bench(c: &mut Criterion) {
    let dump = std::env::var_os("CAREBRIDGE_MCF_DUMP").map(PathBuf::from);
    let mut group = c.benchmark_group("mcf");
    group.sample_size(10).measurement_time(Duration::from_secs(10));
    for (file, name, network) in instances() {
        if let Some(dir) = &dump {
            let path = dir.join(format!("{file}.min"));
            std::fs::write(&path, dimacs::instance_text(&network).to_string())
                .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        }
        let start = Instant::now();
        let solution = network.solve().expect("bench instances are feasible");
        let solve = start.elapsed();
        let start = Instant::now();
        certificate::check(&network, &solution).expect("certificate holds");
        let check = start.elapsed();
        println!(
            "{name}: {} nodes, {} arcs, optimal cost {}; one solve {:.1} ms, certificate check {:.1} ms",
            network.node_count(),
            network.arc_count(),
            solution.cost,
            solve.as_secs_f64() * 1e3,
            check.as_secs_f64() * 1e3,
        );
        group.bench_with_input(BenchmarkId::from_parameter(name), &network, |b, n| {
            b.iter(|| black_box(n.solve().expect("feasible")).cost)
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
