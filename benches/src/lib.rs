//! Engine micro-benchmarks (criterion) live here as engines land. The registry's benchmark is a
//! command, `carebridge bench registry`, because it measures the whole stack (database, HTTP);
//! its figures are in `docs/BENCHMARKS.md`.
