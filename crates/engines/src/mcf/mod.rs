//! Exact integer minimum-cost flow: a [`Network`] of nodes with supplies and arcs with lower
//! bounds, capacities and costs, solved to optimality by the primal network simplex method,
//! returned as a [`Solution`] that carries its own optimality certificate (node potentials).
//! Networks of placement's transportation shape (supply nodes → facilities → one sink) are
//! recognised by their structure and solved far faster by successive shortest paths on the
//! facilities (`transport`); the answer and its certificate are the same kind either way.
//!
//! Why its own solver: placement (patients → facility units, dialysis patients → weekday shift
//! patterns) is a transportation problem solved as one batch, and no maintained Rust crate solves
//! min-cost flow exactly on integers with a dual certificate. Everything here is integer
//! arithmetic: inputs are `i64`; the transformed problem is held in `i128` so that no
//! intermediate (the big-M artificial cost, node potentials, supply totals after moving lower
//! bounds) can wrap, and the pivot loop runs in `i64` only when bounds prove that nothing it can
//! meet leaves 64 bits. Every result that must fit 64 bits is converted with a checked
//! conversion that reports [`SolveError::Overflow`] instead of wrapping or panicking.
//!
//! The modules, one job each:
//! - [`dimacs`]: the DIMACS text format in and out, with line-numbered errors;
//! - `transport`: the transportation shape's detection and its own solver;
//! - `simplex`: the pivot loop (block-search pricing, strongly feasible ratio test);
//! - `amount`: the two widths (`i64`, `i128`) the pivot loop runs in;
//! - `tree`: the spanning-tree basis and its re-hanging after a pivot;
//! - `potentials`: canonical, small node potentials recomputed on the residual network;
//! - [`certificate`]: an independent checker of a solution against its network.
//!
//! A [`Solution`]'s `potentials` π satisfy, for every arc `(u, v)` with cost `c`, that the
//! reduced cost `c − π(u) + π(v)` is `≥ 0` when the arc's flow is below its capacity and `≤ 0`
//! when its flow is above its lower bound: no residual arc has a negative reduced cost, which
//! proves no cheaper flow exists. [`certificate::check`] verifies exactly that.

mod amount;
pub mod certificate;
pub mod dimacs;
mod potentials;
mod simplex;
mod transport;
mod tree;

use std::fmt;

/// The most nodes (and, separately, arcs) a network may have. Indices are `u32` internally (flat
/// arrays, half the memory of `usize`), and the solver adds one root node and one artificial arc
/// per node, so each count stays below 2³¹. This bound also keeps every node potential far inside
/// `i128` (|π| ≤ (n + 1)·M with the big-M cost M ≤ 1 + n·2⁶³).
pub const MAX_NODES: usize = i32::MAX as usize;
/// The most arcs a network may have; see [`MAX_NODES`].
pub const MAX_ARCS: usize = i32::MAX as usize;

/// A node of a [`Network`], numbered from 0 in creation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(u32);

impl NodeId {
    /// The node with this 0-based index (checked against the network when used).
    pub fn new(index: u32) -> Self {
        Self(index)
    }

    /// The 0-based index.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// An arc of a [`Network`], numbered from 0 in insertion order; [`Solution::flows`] is indexed
/// by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ArcId(u32);

impl ArcId {
    /// The 0-based index (insertion order).
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// One arc as given: flow on it must lie in `low..=cap` and costs `cost` per unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arc {
    pub from: NodeId,
    pub to: NodeId,
    pub low: i64,
    pub cap: i64,
    pub cost: i64,
}

/// A min-cost-flow instance. A value that exists is well formed: every arc joins nodes of the
/// network and has `0 ≤ low ≤ cap`; the builder refuses anything else.
#[derive(Debug, Clone, Default)]
pub struct Network {
    supply: Vec<i64>,
    arcs: Vec<Arc>,
}

/// Why the builder refused a node or an arc.
///
/// The engines crate depends on `carebridge-domain` only, so errors implement `Display` and
/// `Error` by hand rather than through `thiserror`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetworkError {
    /// More than [`MAX_NODES`] nodes or [`MAX_ARCS`] arcs.
    TooLarge { what: &'static str, count: usize, max: usize },
    /// A node index at or past the node count.
    NodeOutOfRange { node: usize, nodes: usize },
    /// A negative lower bound (lower bounds are flow that must pass; DIMACS requires `≥ 0`).
    NegativeLower { low: i64 },
    /// A capacity below the lower bound: no flow fits.
    CapBelowLower { low: i64, cap: i64 },
    /// A node's accumulated supply left the 64-bit range.
    SupplyOverflow { node: usize },
}

impl fmt::Display for NetworkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge { what, count, max } => write!(f, "{count} {what} is more than the {max} supported"),
            Self::NodeOutOfRange { node, nodes } => {
                write!(f, "node index {node} is out of range (the network has {nodes} nodes)")
            }
            Self::NegativeLower { low } => write!(f, "lower bound {low} is negative (DIMACS requires 0 ≤ LOW)"),
            Self::CapBelowLower { low, cap } => write!(f, "capacity {cap} is below the lower bound {low}"),
            Self::SupplyOverflow { node } => write!(f, "the supply of node index {node} overflows 64 bits"),
        }
    }
}

impl std::error::Error for NetworkError {}

/// A self-loop moves nothing between nodes, so no solver sees it: it is at its cheaper bound (and
/// so never has a residual arc of negative reduced cost).
fn self_loop_flow(arc: &Arc) -> i64 {
    if arc.cost < 0 {
        arc.cap
    } else {
        arc.low
    }
}

impl Network {
    /// A network of `nodes` nodes (indices `0..nodes`), every supply 0, no arcs.
    pub fn new(nodes: usize) -> Result<Self, NetworkError> {
        if nodes > MAX_NODES {
            return Err(NetworkError::TooLarge { what: "nodes", count: nodes, max: MAX_NODES });
        }
        Ok(Self { supply: vec![0; nodes], arcs: Vec::new() })
    }

    /// Add `supply` to `node`'s supply: positive is a source, negative a demand.
    pub fn add_node_supply(&mut self, node: NodeId, supply: i64) -> Result<(), NetworkError> {
        let nodes = self.supply.len();
        let slot =
            self.supply.get_mut(node.index()).ok_or(NetworkError::NodeOutOfRange { node: node.index(), nodes })?;
        *slot = slot.checked_add(supply).ok_or(NetworkError::SupplyOverflow { node: node.index() })?;
        Ok(())
    }

    /// Add an arc `from → to` carrying between `low` and `cap` units at `cost` per unit. Parallel
    /// arcs and self-loops (`from == to`) are allowed; costs may be negative.
    pub fn add_arc(&mut self, from: NodeId, to: NodeId, low: i64, cap: i64, cost: i64) -> Result<ArcId, NetworkError> {
        let nodes = self.supply.len();
        for node in [from, to] {
            if node.index() >= nodes {
                return Err(NetworkError::NodeOutOfRange { node: node.index(), nodes });
            }
        }
        if low < 0 {
            return Err(NetworkError::NegativeLower { low });
        }
        if cap < low {
            return Err(NetworkError::CapBelowLower { low, cap });
        }
        if self.arcs.len() >= MAX_ARCS {
            return Err(NetworkError::TooLarge { what: "arcs", count: self.arcs.len() + 1, max: MAX_ARCS });
        }
        let id = ArcId(self.arcs.len() as u32);
        self.arcs.push(Arc { from, to, low, cap, cost });
        Ok(id)
    }

    /// Reserve room for `additional` more arcs.
    pub fn reserve_arcs(&mut self, additional: usize) {
        self.arcs.reserve(additional);
    }

    pub fn node_count(&self) -> usize {
        self.supply.len()
    }

    pub fn arc_count(&self) -> usize {
        self.arcs.len()
    }

    /// Supplies by node index.
    pub fn supplies(&self) -> &[i64] {
        &self.supply
    }

    /// Arcs in insertion order.
    pub fn arcs(&self) -> &[Arc] {
        &self.arcs
    }

    /// Solve to optimality. The flow returned is a minimum-cost flow meeting every supply and
    /// bound; its potentials prove it (see [`certificate::check`]).
    ///
    /// A network of the transportation shape placement builds (supply nodes → facilities → one
    /// sink, see `transport`) is solved by successive shortest paths on its facilities from a
    /// greedy start; every other network, and any such network that solver gives up on (an
    /// infeasible one), by the network simplex. Both return the canonical potentials.
    pub fn solve(&self) -> Result<Solution, SolveError> {
        let total: i128 = self.supply.iter().map(|&s| i128::from(s)).sum();
        if total != 0 {
            return Err(SolveError::Unbalanced { total });
        }
        if let Some(shape) = transport::detect(self) {
            if let Some((mut flows, potentials)) = transport::solve(self, &shape) {
                for (arc, flow) in self.arcs.iter().zip(flows.iter_mut()) {
                    if arc.from == arc.to {
                        *flow = self_loop_flow(arc);
                    }
                }
                return self.solution(flows, potentials);
            }
        }
        self.solve_by_simplex()
    }

    /// [`Self::solve`] by the network simplex, whatever the network's shape.
    fn solve_by_simplex(&self) -> Result<Solution, SolveError> {
        let problem = simplex::Problem::from_network(self);
        let optimum = simplex::solve(&problem).map_err(|unrouted| SolveError::NotRoutable { unrouted })?;
        let potentials = potentials::canonical(&problem, &optimum.flow, &optimum.pi);

        let mut flows = Vec::with_capacity(self.arcs.len());
        let mut internal = optimum.flow.iter();
        for arc in &self.arcs {
            let flow = if arc.from == arc.to {
                self_loop_flow(arc)
            } else {
                let shifted = internal.next().copied().unwrap_or(0);
                // `low + shifted ≤ cap` fits because the simplex keeps `shifted ≤ cap − low`.
                i64::try_from(i128::from(arc.low) + shifted).map_err(|_| SolveError::Overflow(Overflow::Flow))?
            };
            flows.push(flow);
        }
        self.solution(flows, potentials)
    }

    /// The solution of these flows (by arc) and potentials, with its cost Σ flow × cost checked
    /// to fit 64 bits.
    fn solution(&self, flows: Vec<i64>, potentials: Vec<i128>) -> Result<Solution, SolveError> {
        let mut cost: i128 = 0;
        for (arc, &flow) in self.arcs.iter().zip(&flows) {
            let term = i128::from(flow) * i128::from(arc.cost);
            cost = cost.checked_add(term).ok_or(SolveError::Overflow(Overflow::Cost))?;
        }
        let cost = i64::try_from(cost).map_err(|_| SolveError::Overflow(Overflow::Cost))?;
        Ok(Solution { cost, flows, potentials })
    }
}

/// An optimal flow with its certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Solution {
    /// Σ flow × cost over all arcs.
    pub cost: i64,
    /// Flow per arc, in insertion order (index with [`ArcId::index`]).
    pub flows: Vec<i64>,
    /// Node potentials π, by node index, with no residual arc of negative reduced cost
    /// `c − π(u) + π(v)`. They are `i128` because they are sums of costs along paths and can
    /// exceed 64 bits even when the optimal cost does not (a chain of unused arcs of cost −2⁶²).
    /// They are the canonical ones: π(v) ≥ 0 is minus the cheapest residual path cost ending at
    /// v (or 0 when no path is negative).
    pub potentials: Vec<i128>,
}

impl Solution {
    pub fn flow(&self, arc: ArcId) -> i64 {
        self.flows[arc.index()]
    }
}

/// Why there is no optimal flow to return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SolveError {
    /// The supplies do not sum to zero (the sum is given, exactly).
    Unbalanced { total: i128 },
    /// Balanced, but the bounds cannot route it: at best `unrouted` units of supply cannot reach
    /// a demand (or a lower bound cannot be met).
    NotRoutable { unrouted: i128 },
    /// A total that must fit 64 bits does not.
    Overflow(Overflow),
}

/// Which 64-bit total overflowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overflow {
    /// The optimal cost Σ flow × cost.
    Cost,
    /// An arc's flow (cannot happen for a network the builder accepted; kept for safety).
    Flow,
}

impl SolveError {
    /// Whether the instance has no feasible flow (as opposed to a result out of range).
    pub fn is_infeasible(&self) -> bool {
        matches!(self, Self::Unbalanced { .. } | Self::NotRoutable { .. })
    }
}

impl fmt::Display for SolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unbalanced { total } => write!(f, "infeasible: the supplies sum to {total}, not 0"),
            Self::NotRoutable { unrouted } => {
                write!(f, "infeasible: {unrouted} units of supply cannot be routed within the arc bounds")
            }
            Self::Overflow(Overflow::Cost) => write!(f, "overflow: the optimal cost does not fit in 64 bits"),
            Self::Overflow(Overflow::Flow) => write!(f, "overflow: an arc's flow does not fit in 64 bits"),
        }
    }
}

impl std::error::Error for SolveError {}
