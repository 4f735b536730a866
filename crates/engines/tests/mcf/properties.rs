//! Property tests on random networks (negative costs, lower bounds, parallel arcs, self-loops,
//! balanced and unbalanced supplies): the solver's verdict and optimal cost agree with the
//! reference solvers, and every solution passes the certificate check (inside [`solve`]).
//! A certificate that accepted anything would make that check empty, so wrong solutions are
//! shown to be rejected too.

use super::reference::{enumerate, successive_shortest_paths};
use super::solve;
use carebridge_engines::mcf::{certificate, Network, NodeId, Overflow, SolveError};
use proptest::prelude::*;

/// An arc as generated: ends (indices into the node count), lower bound, extra capacity, cost.
type RawArc = (usize, usize, i64, i64, i64);

/// A network of `nodes` nodes from raw parts; with `balance`, the last node's supply makes the
/// supplies sum to zero.
fn build(nodes: usize, supplies: &[i64], arcs: &[RawArc], balance: bool) -> Network {
    let mut network = Network::new(nodes).expect("small");
    let mut total = 0;
    for (v, &s) in supplies.iter().enumerate().take(nodes) {
        let s = if balance && v == nodes - 1 { -total } else { s };
        total += s;
        network.add_node_supply(NodeId::new(v as u32), s).expect("in range");
    }
    for &(u, v, low, extra, cost) in arcs {
        let (u, v) = (NodeId::new((u % nodes) as u32), NodeId::new((v % nodes) as u32));
        network.add_arc(u, v, low, low + extra, cost).expect("valid arc");
    }
    network
}

/// The solver's answer as the references give it: the optimal cost, or `None` if infeasible.
fn verdict(network: &Network) -> Option<i64> {
    match solve(network) {
        Ok(s) => Some(s.cost),
        Err(e) if e.is_infeasible() => None,
        Err(e) => panic!("unexpected {e} on {network:?}"),
    }
}

/// Lower bounds: mostly 0, so that a good share of instances is feasible.
fn low(max: i64) -> impl Strategy<Value = i64> {
    prop_oneof![3 => Just(0i64), 1 => 1..=max]
}

/// At most 4 nodes and 5 arcs of capacity at most 3: at most 4⁵ flows to enumerate.
fn tiny() -> impl Strategy<Value = Network> {
    (
        1usize..=4,
        prop::collection::vec(-2i64..=2, 4),
        prop::collection::vec((0usize..4, 0usize..4, low(1), 0i64..=2, -5i64..=5), 0..=5),
        prop::bool::weighted(0.8),
    )
        .prop_map(|(n, supplies, arcs, balance)| build(n, &supplies, &arcs, balance))
}

/// Up to 12 nodes and 60 arcs.
fn small() -> impl Strategy<Value = Network> {
    (
        1usize..=12,
        prop::collection::vec(-4i64..=4, 12),
        prop::collection::vec((0usize..12, 0usize..12, low(3), 0i64..=10, -20i64..=20), 0..=60),
        prop::bool::weighted(0.9),
    )
        .prop_map(|(n, supplies, arcs, balance)| build(n, &supplies, &arcs, balance))
}

/// 20 to 60 nodes and 100 to 400 random arcs with costs up to ±1000, plus a ring of expensive
/// arcs both ways so that every instance is feasible: long pivot sequences and deep trees.
fn medium() -> impl Strategy<Value = Network> {
    (
        20usize..=60,
        prop::collection::vec(-20i64..=20, 60),
        prop::collection::vec((0usize..60, 0usize..60, low(5), 0i64..=30, -1000i64..=1000), 100..=400),
    )
        .prop_map(|(n, supplies, mut arcs)| {
            for v in 0..n {
                arcs.push((v, v + 1, 0, 2000, 3000));
                arcs.push((v + 1, v, 0, 2000, 3000));
            }
            build(n, &supplies, &arcs, true)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn matches_successive_shortest_paths_on_medium_networks(network in medium()) {
        prop_assert_eq!(verdict(&network), successive_shortest_paths(&network), "{:?}", network);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Every flow in the bounds is tried; the solver's cost must be the least.
    #[test]
    fn matches_enumeration_on_tiny_networks(network in tiny()) {
        prop_assert_eq!(verdict(&network), enumerate(&network), "{:?}", network);
    }

    #[test]
    fn matches_successive_shortest_paths(network in small()) {
        prop_assert_eq!(verdict(&network), successive_shortest_paths(&network), "{:?}", network);
    }

    /// Costs scaled by 2⁵⁷ put the big-M cost and potentials beyond 64 bits, so the solver runs
    /// in `i128`: the optimum is the reference's times 2⁵⁷, or an overflow error when that does
    /// not fit 64 bits.
    #[test]
    fn huge_costs_scale_the_optimum_or_overflow(network in small()) {
        const SCALE: i64 = 1 << 57;
        let mut scaled = Network::new(network.node_count()).expect("small");
        for (v, &s) in network.supplies().iter().enumerate() {
            scaled.add_node_supply(NodeId::new(v as u32), s).expect("in range");
        }
        for a in network.arcs() {
            scaled.add_arc(a.from, a.to, a.low, a.cap, a.cost * SCALE).expect("valid");
        }
        let expected = successive_shortest_paths(&network)
            .map(|cost| cost.checked_mul(SCALE).ok_or(SolveError::Overflow(Overflow::Cost)));
        let got = match solve(&scaled) {
            Ok(s) => Some(Ok(s.cost)),
            Err(e) if e.is_infeasible() => None,
            Err(e) => Some(Err(e)),
        };
        prop_assert_eq!(got, expected, "{:?}", network);
    }

    /// Unbalanced supplies are infeasible whatever the arcs, and the error gives the exact sum.
    #[test]
    fn unbalanced_supplies_are_reported_with_their_sum(network in small()) {
        let total: i128 = network.supplies().iter().map(|&s| i128::from(s)).sum();
        if total != 0 {
            prop_assert_eq!(solve(&network), Err(SolveError::Unbalanced { total }));
        }
    }

    /// Moving one unit of flow, raising one potential or misreporting the cost must each be
    /// caught by the certificate check.
    #[test]
    fn the_certificate_rejects_tampered_solutions(network in small(), pick in any::<prop::sample::Index>()) {
        if let Ok(solution) = solve(&network) {
            let mut bad = solution.clone();
            bad.cost += 1;
            prop_assert!(certificate::check(&network, &bad).is_err());
            if !network.arcs().is_empty() {
                let k = pick.index(network.arcs().len());
                let mut bad = solution.clone();
                bad.flows[k] += 1;
                let arc = network.arcs()[k];
                if arc.from != arc.to {
                    // A self-loop's flow keeps conservation; elsewhere it breaks it or a bound.
                    prop_assert!(certificate::check(&network, &bad).is_err());
                }
            }
            // Potentials that differ by more than the largest |cost| across an arc with slack
            // in the forward direction give a negative reduced cost.
            if let Some(k) = network.arcs().iter().enumerate().position(|(i, a)| a.from != a.to && solution.flows[i] < a.cap) {
                let arc = network.arcs()[k];
                let mut bad = solution.clone();
                bad.potentials[arc.from.index()] += 1000 + bad.potentials[arc.to.index()].abs();
                bad.potentials[arc.to.index()] = 0;
                prop_assert!(certificate::check(&network, &bad).is_err());
            }
        }
    }
}
