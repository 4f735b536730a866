//! An independent check that a [`Solution`] is an optimal flow of a [`Network`], using nothing
//! from the solver: feasibility (bounds, conservation), the dual certificate (no residual arc
//! with a negative reduced cost) and the reported cost.
//!
//! Why it proves optimality: for any feasible flow y and the checked flow x, y − x is a
//! circulation in x's residual network, a sum of residual cycles; a cycle's cost equals the sum of
//! its reduced costs `c − π(u) + π(v)` (the potentials cancel round a cycle), which the check
//! shows is ≥ 0. So cost(y) ≥ cost(x).
//!
//! Arithmetic is `i128` and checked, so a hostile [`Solution`] (potentials near `i128::MAX`)
//! yields a violation, not a panic.

use super::{Network, Solution};
use std::fmt;

/// The first thing found wrong with a solution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// `flows` or `potentials` has the wrong length.
    Shape { flows: usize, arcs: usize, potentials: usize, nodes: usize },
    /// An arc's flow is outside `low..=cap`.
    Bounds { arc: usize, flow: i64, low: i64, cap: i64 },
    /// Out-flow minus in-flow at a node differs from its supply.
    Conservation { node: usize, supply: i64, net_outflow: i128 },
    /// A residual arc has a negative reduced cost: `forward` (flow below capacity, reduced cost
    /// < 0) or backward (flow above the lower bound, reduced cost > 0).
    ReducedCost { arc: usize, forward: bool, reduced_cost: i128 },
    /// A reduced cost or the cost total overflows `i128`.
    Overflow { arc: usize },
    /// Σ flow × cost differs from the reported cost.
    Cost { reported: i64, recomputed: i128 },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Shape { flows, arcs, potentials, nodes } => {
                write!(f, "{flows} flows for {arcs} arcs, {potentials} potentials for {nodes} nodes")
            }
            Self::Bounds { arc, flow, low, cap } => write!(f, "arc {arc}: flow {flow} outside {low}..={cap}"),
            Self::Conservation { node, supply, net_outflow } => {
                write!(f, "node {node}: net outflow {net_outflow}, supply {supply}")
            }
            Self::ReducedCost { arc, forward, reduced_cost } => write!(
                f,
                "arc {arc}: {} residual arc with reduced cost {reduced_cost}",
                if *forward { "forward" } else { "backward" }
            ),
            Self::Overflow { arc } => write!(f, "arc {arc}: reduced cost or cost total overflows"),
            Self::Cost { reported, recomputed } => write!(f, "reported cost {reported}, recomputed {recomputed}"),
        }
    }
}

impl std::error::Error for Violation {}

/// `Ok` when `solution` is a feasible flow of `network` whose potentials prove it optimal and
/// whose cost is Σ flow × cost.
pub fn check(network: &Network, solution: &Solution) -> Result<(), Violation> {
    let (arcs, nodes) = (network.arcs(), network.supplies());
    if solution.flows.len() != arcs.len() || solution.potentials.len() != nodes.len() {
        return Err(Violation::Shape {
            flows: solution.flows.len(),
            arcs: arcs.len(),
            potentials: solution.potentials.len(),
            nodes: nodes.len(),
        });
    }
    let pi = &solution.potentials;
    let mut net_outflow = vec![0i128; nodes.len()];
    let mut cost: i128 = 0;
    for (i, (arc, &flow)) in arcs.iter().zip(&solution.flows).enumerate() {
        if flow < arc.low || flow > arc.cap {
            return Err(Violation::Bounds { arc: i, flow, low: arc.low, cap: arc.cap });
        }
        let (u, v) = (arc.from.index(), arc.to.index());
        net_outflow[u] += i128::from(flow);
        net_outflow[v] -= i128::from(flow);

        let reduced = i128::from(arc.cost).checked_sub(pi[u]).and_then(|r| r.checked_add(pi[v]));
        let reduced = reduced.ok_or(Violation::Overflow { arc: i })?;
        if flow < arc.cap && reduced < 0 {
            return Err(Violation::ReducedCost { arc: i, forward: true, reduced_cost: reduced });
        }
        if flow > arc.low && reduced > 0 {
            return Err(Violation::ReducedCost { arc: i, forward: false, reduced_cost: reduced });
        }
        cost = cost.checked_add(i128::from(flow) * i128::from(arc.cost)).ok_or(Violation::Overflow { arc: i })?;
    }
    for (node, (&supply, &out)) in nodes.iter().zip(&net_outflow).enumerate() {
        if out != i128::from(supply) {
            return Err(Violation::Conservation { node, supply, net_outflow: out });
        }
    }
    if cost != i128::from(solution.cost) {
        return Err(Violation::Cost { reported: solution.cost, recomputed: cost });
    }
    Ok(())
}
