//! Hand-made instances whose optimum is worked out in the comment above each: the DIMACS sample,
//! negative costs and cycles, lower bounds, parallel arcs, self-loops, transportation and
//! assignment, empty instances, infeasible ones, and values at the edge of 64 bits.

use super::{parse, solve};
use carebridge_engines::mcf::{Network, NodeId, Overflow, SolveError};

/// The optimal cost and the flow per arc (in input order).
fn optimum(input: &str) -> (i64, Vec<i64>) {
    let network = parse(input);
    let s = solve(&network).unwrap_or_else(|e| panic!("{e}\n{input}"));
    (s.cost, s.flows)
}

fn error(input: &str) -> SolveError {
    match solve(&parse(input)) {
        Ok(s) => panic!("expected no solution, got cost {} flows {:?}\n{input}", s.cost, s.flows),
        Err(e) => e,
    }
}

/// The sample of the DIMACS format description: 4 units from 1 to 4. Path 1-3-4 costs 3 (2
/// units fit), then 1-2-3-4 costs 4 (arc 2-3 takes 2), while 1-2-4 would cost 5: 6 + 8 = 14.
#[test]
fn dimacs_sample() {
    let (cost, flows) = optimum(
        "c the DIMACS sample\np min 4 5\nn 1 4\nn 4 -4\n\
         a 1 2 0 4 2\na 1 3 0 2 2\na 2 3 0 2 1\na 2 4 0 3 3\na 3 4 0 5 1\n",
    );
    assert_eq!(cost, 14);
    assert_eq!(flows, vec![2, 2, 2, 0, 4]);
}

/// A circulation with a negative cycle 1 → 2 → 3 → 1 of cost −3 + 1 + 1 = −1 per unit, limited
/// by arc 2 → 3 to 4 units: −4. No supplies at all.
#[test]
fn negative_cycle_is_saturated() {
    let (cost, flows) = optimum("p min 3 3\na 1 2 0 5 -3\na 2 3 0 4 1\na 3 1 0 10 1\n");
    assert_eq!((cost, flows), (-4, vec![4, 4, 4]));
}

/// Negative costs on a path: 3 units from 1 to 3, direct at cost 2 or via 2 at −1 + −1 = −2
/// (capacity 2): 2·(−2) + 1·2 = −2.
#[test]
fn negative_costs_on_paths() {
    let (cost, flows) = optimum("p min 3 3\nn 1 3\nn 3 -3\na 1 3 0 9 2\na 1 2 0 2 -1\na 2 3 0 9 -1\n");
    assert_eq!((cost, flows), (-2, vec![1, 2, 2]));
}

/// A lower bound forces 3 units onto the expensive parallel arc: 3·10 + 1·1 = 31.
#[test]
fn lower_bounds_are_met() {
    let (cost, flows) = optimum("p min 2 2\nn 1 4\nn 2 -4\na 1 2 3 5 10\na 1 2 0 10 1\n");
    assert_eq!((cost, flows), (31, vec![3, 1]));
}

/// A lower bound on a cycle with no supplies: the cycle must carry 2 units, at 2·(1 + 1) = 4,
/// even though every arc costs something.
#[test]
fn lower_bound_on_a_cycle_forces_circulation() {
    let (cost, flows) = optimum("p min 2 2\na 1 2 2 5 1\na 2 1 0 5 1\n");
    assert_eq!((cost, flows), (4, vec![2, 2]));
}

/// Three parallel arcs of costs 3, 1, 2 and capacity 2 each, 5 units: 2·1 + 2·2 + 1·3 = 9.
#[test]
fn parallel_arcs_fill_cheapest_first() {
    let (cost, flows) = optimum("p min 2 3\nn 1 5\nn 2 -5\na 1 2 0 2 3\na 1 2 0 2 1\na 1 2 0 2 2\n");
    assert_eq!((cost, flows), (9, vec![1, 2, 2]));
}

/// Self-loops move nothing: a negative one saturates (7·−2), a positive one carries its lower
/// bound (2·5), a free one its lower bound (1·0); beside them, 1 unit from 1 to 2 at cost 3.
#[test]
fn self_loops_sit_at_their_cheaper_bound() {
    let (cost, flows) = optimum("p min 2 4\nn 1 1\nn 2 -1\na 1 1 1 7 -2\na 2 2 2 9 5\na 1 1 1 4 0\na 1 2 0 1 3\n");
    assert_eq!((cost, flows), (-14 + 10 + 3, vec![7, 2, 1, 1]));
}

/// Two depots (supplies 5 and 4) and three hospitals (demands 3, 3, 3), costs
/// `[[1, 4, 6], [5, 2, 1]]`: depot 1 serves hospital 1 (3) and 2 units of hospital 2, depot 2
/// serves 1 unit of hospital 2 and all of hospital 3: 3 + 8 + 2 + 3 = 16.
#[test]
fn transportation() {
    let (cost, flows) = optimum(
        "p min 5 6\nn 1 5\nn 2 4\nn 3 -3\nn 4 -3\nn 5 -3\n\
         a 1 3 0 9 1\na 1 4 0 9 4\na 1 5 0 9 6\na 2 3 0 9 5\na 2 4 0 9 2\na 2 5 0 9 1\n",
    );
    assert_eq!((cost, flows), (16, vec![3, 2, 0, 0, 1, 3]));
}

/// Assignment with costs `[[4, 1, 3], [2, 0, 5], [3, 2, 2]]`: rows to columns 2, 1, 3 for
/// 1 + 2 + 2 = 5 (every other permutation costs more).
#[test]
fn assignment() {
    let mut text = String::from("p min 6 9\n");
    for r in 1..=3 {
        text.push_str(&format!("n {r} 1\nn {} -1\n", r + 3));
    }
    let costs = [[4, 1, 3], [2, 0, 5], [3, 2, 2]];
    for (r, row) in costs.iter().enumerate() {
        for (c, cost) in row.iter().enumerate() {
            text.push_str(&format!("a {} {} 0 1 {cost}\n", r + 1, c + 4));
        }
    }
    let (cost, flows) = optimum(&text);
    assert_eq!(cost, 5);
    assert_eq!(flows, vec![0, 1, 0, 1, 0, 0, 0, 0, 1]);
}

/// All costs equal: every pivot is degenerate in cost, and the solver must still stop with a
/// feasible assignment of cost n.
#[test]
fn ties_everywhere_still_terminate() {
    let n = 12;
    let mut network = Network::new(2 * n).expect("small");
    for i in 0..n as u32 {
        network.add_node_supply(NodeId::new(i), 1).expect("in range");
        network.add_node_supply(NodeId::new(i + n as u32), -1).expect("in range");
        for j in 0..n as u32 {
            network.add_arc(NodeId::new(i), NodeId::new(j + n as u32), 0, 1, 7).expect("valid");
        }
    }
    assert_eq!(solve(&network).expect("feasible").cost, 7 * n as i64);
}

#[test]
fn zero_arcs_and_zero_supplies_cost_nothing() {
    assert_eq!(optimum("p min 3 0\n"), (0, vec![]));
    assert_eq!(optimum("p min 0 0\n"), (0, vec![]));
    assert_eq!(optimum("p min 2 0\nn 1 0\n"), (0, vec![]));
}

#[test]
fn zero_arcs_with_supply_is_not_routable() {
    assert_eq!(error("p min 2 0\nn 1 3\nn 2 -3\n"), SolveError::NotRoutable { unrouted: 3 });
}

#[test]
fn supplies_that_do_not_sum_to_zero_are_infeasible() {
    assert_eq!(error("p min 2 1\nn 1 3\nn 2 -2\na 1 2 0 9 1\n"), SolveError::Unbalanced { total: 1 });
}

/// Capacity 2 between a supply of 3 and a demand of 3: 1 unit cannot be routed.
#[test]
fn too_little_capacity_is_not_routable() {
    assert_eq!(error("p min 2 1\nn 1 3\nn 2 -3\na 1 2 0 2 1\n"), SolveError::NotRoutable { unrouted: 1 });
}

/// A lower bound of 5 on an arc with nothing to feed its tail.
#[test]
fn unmeetable_lower_bound_is_not_routable() {
    assert_eq!(error("p min 2 1\na 1 2 5 9 1\n"), SolveError::NotRoutable { unrouted: 5 });
}

/// The demand sits behind an arc pointing the wrong way; expensive negative arcs elsewhere must
/// not tempt the solver into calling it feasible.
#[test]
fn unreachable_demand_is_not_routable() {
    let e = error("p min 4 3\nn 1 2\nn 4 -2\na 4 1 0 9 1\na 2 3 0 9 -1000000\na 3 2 0 9 -1000000\n");
    assert_eq!(e, SolveError::NotRoutable { unrouted: 2 });
}

/// Values at the top of the 64-bit range that the totals still fit: i64::MAX units at cost 1.
#[test]
fn extreme_values_that_fit() {
    let max = i64::MAX;
    let (cost, flows) = optimum(&format!("p min 2 2\nn 1 {max}\nn 2 -{max}\na 1 2 0 {max} 1\na 1 2 0 {max} 2\n"));
    assert_eq!((cost, flows), (max, vec![max, 0]));
    // Lower bounds whose shifted supplies leave 64 bits in between (−2·MAX at node 1).
    let (cost, flows) =
        optimum(&format!("p min 2 4\na 1 2 {max} {max} 0\na 1 2 {max} {max} 0\na 2 1 0 {max} 0\na 2 1 0 {max} 0\n"));
    assert_eq!((cost, flows), (0, vec![max; 4]));
    // Supplies whose running sum leaves 64 bits (MAX + MAX) before the demands bring it back.
    let (cost, flows) = optimum(&format!(
        "p min 4 3\nn 1 {max}\nn 2 {max}\nn 3 -{max}\nn 4 -{max}\na 1 3 0 {max} 0\na 2 4 0 {max} 0\na 1 2 0 1 0\n"
    ));
    assert_eq!((cost, flows), (0, vec![max, max, 0]));
}

/// 2 · i64::MAX does not fit: an overflow error, not a wrapped cost.
#[test]
fn cost_overflow_is_reported() {
    let max = i64::MAX;
    let e = error(&format!("p min 2 1\nn 1 {max}\nn 2 -{max}\na 1 2 0 {max} 2\n"));
    assert_eq!(e, SolveError::Overflow(Overflow::Cost));
    // Running sums may leave 64 bits when the total fits: MAX + MAX − 2·MAX = 0.
    let (cost, _) = optimum(&format!(
        "p min 6 3\nn 1 {max}\nn 2 -{max}\nn 3 {max}\nn 4 -{max}\nn 5 {max}\nn 6 -{max}\n\
         a 1 2 0 {max} 1\na 3 4 0 {max} 1\na 5 6 0 {max} -2\n"
    ));
    assert_eq!(cost, 0);
}

/// Unused arcs of cost −2⁶² in a chain: the optimum costs 0 but the certificate needs
/// π(4) − π(1) ≥ 3·2⁶², beyond i64; the potentials are i128 so the certificate still holds.
#[test]
fn potentials_may_exceed_64_bits() {
    let c = -(1i64 << 62);
    let network = parse(&format!("p min 4 3\na 1 2 0 1 {c}\na 2 3 0 1 {c}\na 3 4 0 1 {c}\n"));
    let s = solve(&network).expect("feasible");
    // Nothing can flow: there is no supply and no cycle.
    assert_eq!((s.cost, s.flows.clone()), (0, vec![0, 0, 0]));
    assert!(s.potentials[3] - s.potentials[0] >= 3 * (1i128 << 62));
}

/// The builder refuses what the type promises never to hold.
#[test]
fn builder_refuses_bad_arcs() {
    use carebridge_engines::mcf::NetworkError;
    let mut n = Network::new(2).expect("small");
    let (a, b, c) = (NodeId::new(0), NodeId::new(1), NodeId::new(2));
    assert_eq!(n.add_arc(a, c, 0, 1, 0), Err(NetworkError::NodeOutOfRange { node: 2, nodes: 2 }));
    assert_eq!(n.add_arc(a, b, -1, 1, 0), Err(NetworkError::NegativeLower { low: -1 }));
    assert_eq!(n.add_arc(a, b, 2, 1, 0), Err(NetworkError::CapBelowLower { low: 2, cap: 1 }));
    assert_eq!(n.add_node_supply(c, 1), Err(NetworkError::NodeOutOfRange { node: 2, nodes: 2 }));
    n.add_node_supply(a, i64::MAX).expect("fits");
    assert_eq!(n.add_node_supply(a, 1), Err(NetworkError::SupplyOverflow { node: 0 }));
    assert_eq!(n.arc_count(), 0);
}
