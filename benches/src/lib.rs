//! Engine micro-benchmarks (criterion) live here as engines land: the instance generators in this
//! library (seeded, so the same seed gives the same instance and figures compare across runs),
//! the timing loops in `benches/`. The registry's benchmark is a command, `carebridge bench
//! registry`, because it measures the whole stack (database, HTTP); its figures are in
//! `docs/BENCHMARKS.md`.

pub mod mcf;
