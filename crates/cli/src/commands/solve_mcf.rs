//! `carebridge solve-mcf FILE`: read a DIMACS min-cost-flow instance (a file, or standard input
//! with `-`), solve it exactly with `carebridge_engines::mcf`, and print `s COST` and one
//! `f FROM TO FLOW` line per arc with nonzero flow, in input order. Opens no database.
//!
//! Exit codes, so scripts can tell the cases apart without reading standard error:
//! - 0: solved; the certificate was checked before anything is printed;
//! - 3: infeasible (supplies not summing to zero, or not routable within the bounds): prints
//!   `s infeasible`, and the reason on standard error;
//! - 2: the input cannot be used: unreadable (missing, a directory, not UTF-8), malformed
//!   (`line N: …` on standard error), or an optimal cost beyond 64 bits;
//! - 1: anything else (standard output closed, or a certificate that fails, which is a bug).

use anyhow::{bail, Context};
use carebridge_engines::mcf::{certificate, dimacs};
use std::io::{self, BufWriter, Read, Write};
use std::path::Path;
use std::process::ExitCode;

/// Exit code for input that cannot be used (unreadable or malformed).
const UNUSABLE_INPUT: u8 = 2;
/// Exit code for an infeasible instance.
const INFEASIBLE: u8 = 3;

pub fn run(path: &Path) -> anyhow::Result<ExitCode> {
    let stdin = path == Path::new("-");
    let name = if stdin { "standard input".to_string() } else { path.display().to_string() };
    let text = match read(path, stdin) {
        Ok(text) => text,
        Err(e) => return Ok(refuse(&format!("cannot read {name}: {e}"))),
    };
    let network = match dimacs::parse(&text) {
        Ok(network) => network,
        Err(e) => return Ok(refuse(&format!("{name}: {e}"))),
    };
    drop(text);

    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let code = match network.solve() {
        Ok(solution) => {
            if let Err(v) = certificate::check(&network, &solution) {
                bail!("{name}: the solution failed its optimality certificate ({v}); this is a bug");
            }
            write!(out, "{}", dimacs::solution_text(&network, &solution))
                .and_then(|()| out.flush())
                .context("writing the solution")?;
            ExitCode::SUCCESS
        }
        Err(e) if e.is_infeasible() => {
            writeln!(out, "{}", dimacs::INFEASIBLE).and_then(|()| out.flush()).context("writing the solution")?;
            eprintln!("{name}: {e}");
            ExitCode::from(INFEASIBLE)
        }
        Err(e) => refuse(&format!("{name}: {e}")),
    };
    Ok(code)
}

fn read(path: &Path, stdin: bool) -> io::Result<String> {
    if stdin {
        let mut text = String::new();
        io::stdin().lock().read_to_string(&mut text)?;
        Ok(text)
    } else {
        std::fs::read_to_string(path)
    }
}

/// Say why the input cannot be used, in the same `error: …` form as `main`, and give its code.
fn refuse(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(UNUSABLE_INPUT)
}
