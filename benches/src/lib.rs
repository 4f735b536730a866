//! Engine benchmarks live here as engines land; the registry benchmark is `carebridge bench registry`.
