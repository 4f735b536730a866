//! Locating the `carebridge` binary. Tests that run it live in the `carebridge-cli` package,
//! where Cargo builds the binary first and names it in `CARGO_BIN_EXE_carebridge`.

use std::path::PathBuf;

/// The binary named by Cargo for the calling test (pass `env!("CARGO_BIN_EXE_carebridge")`).
pub fn carebridge_bin(from_cargo: &str) -> PathBuf {
    PathBuf::from(from_cargo)
}
