//! The min-cost-flow solver's tests, one binary: hand-made instances with known optima
//! (`known`), DIMACS parsing and printing (`dimacs`), and property tests against independent
//! reference solvers (`properties`, using `reference`). Every solve goes through [`solve`], which
//! checks the certificate, so no test can accept an unproven answer.

mod dimacs;
mod known;
mod properties;
mod reference;

use carebridge_engines::mcf::{certificate, dimacs as text, Network, Solution, SolveError};

/// Solve and, when it succeeds, insist the certificate holds.
pub fn solve(network: &Network) -> Result<Solution, SolveError> {
    let result = network.solve();
    if let Ok(solution) = &result {
        if let Err(v) = certificate::check(network, solution) {
            panic!("certificate rejected: {v}\nnetwork: {network:?}\nsolution: {solution:?}");
        }
    }
    result
}

/// Parse a DIMACS text that the test knows is well formed.
pub fn parse(input: &str) -> Network {
    text::parse(input).unwrap_or_else(|e| panic!("{e}\n{input}"))
}
