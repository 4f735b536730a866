//! Seeded min-cost-flow instances for `benches/mcf.rs`, shaped like the work the solver is for.
//!
//! - [`placement`]: patients → facility units as a transportation problem. Patients and units sit
//!   at random points in a 100 km square; each patient may go to its `candidates` nearest units
//!   (all of them when `candidates` ≥ the unit count) at a cost of the distance in 100 m steps,
//!   or stay unplaced at a penalty larger than any trip; units have 3 to 12 beds. Every instance
//!   is feasible, the penalty arcs make sure of it.
//! - [`grid`]: a NETGEN-like instance on a square grid: neighbours joined both ways by cheap,
//!   roomy arcs (so every instance is feasible), random extra arcs with random costs and
//!   capacities, some sources and sinks.
//!
//! The generators live here rather than in the engine: the engine takes networks, it does not
//! invent them.

use carebridge_engines::mcf::{Network, NodeId};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The cost of leaving a patient unplaced: more than any trip (at most ~1,415 steps of 100 m).
pub const UNPLACED: i64 = 100_000;

fn node(i: usize) -> NodeId {
    NodeId::new(u32::try_from(i).expect("bench instances have fewer than 2³² nodes"))
}

fn arc(network: &mut Network, from: usize, to: usize, cap: i64, cost: i64) {
    network.add_arc(node(from), node(to), 0, cap, cost).expect("generated arcs are valid");
}

/// `patients` patients (nodes `0..patients`, supply 1), `units` units, one sink (demand
/// −patients); arcs patient → unit (capacity 1), unit → sink (its beds, cost 0) and
/// patient → sink (unplaced, [`UNPLACED`]).
pub fn placement(seed: u64, patients: usize, units: usize, candidates: usize) -> Network {
    transport(
        seed,
        &TransportSpec { groups: patients, facilities: units, nearest: candidates, group_size: 1..=1, beds: 3..=12 },
    )
}

/// The shape of a transport-like placement instance: patient groups at random points in a
/// 100 km square, each linked to its `nearest` facilities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportSpec {
    pub groups: usize,
    pub facilities: usize,
    pub nearest: usize,
    /// Patients per group, drawn uniformly.
    pub group_size: std::ops::RangeInclusive<i64>,
    /// Beds per facility, drawn uniformly.
    pub beds: std::ops::RangeInclusive<i64>,
}

impl TransportSpec {
    /// `groups` groups of 1–4 patients and `facilities` facilities with beds for about 1.2 times
    /// the patients in all, spread from half to one and a half times the mean: the instances of
    /// `carebridge bench placement`.
    pub fn bench(groups: usize, facilities: usize, nearest: usize) -> Self {
        let mean = (1.2 * 2.5 * groups as f64 / facilities.max(1) as f64).ceil().max(2.0) as i64;
        Self { groups, facilities, nearest, group_size: 1..=4, beds: (mean / 2).max(1)..=(mean * 3 / 2).max(1) }
    }
}

/// Groups (nodes `0..groups`, supply = the group's size), facilities, one sink (demand − all
/// patients); arcs group → facility (capacity the group's size, cost the distance in 100 m
/// steps), facility → sink (its beds, cost 0) and group → sink (unplaced, [`UNPLACED`] per
/// patient). Group sizes come from a stream of their own, so groups of one reproduce
/// [`placement`]'s instances exactly.
pub fn transport(seed: u64, spec: &TransportSpec) -> Network {
    let (patients, units) = (spec.groups, spec.facilities);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut sizes_rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_9e0d);
    let sizes: Vec<i64> = (0..patients)
        .map(|_| {
            if spec.group_size.start() == spec.group_size.end() {
                *spec.group_size.start()
            } else {
                sizes_rng.gen_range(spec.group_size.clone())
            }
        })
        .collect();
    let point = |rng: &mut ChaCha8Rng| (rng.gen_range(0.0..100.0f64), rng.gen_range(0.0..100.0f64));
    let patient_at: Vec<(f64, f64)> = (0..patients).map(|_| point(&mut rng)).collect();
    let unit_at: Vec<(f64, f64)> = (0..units).map(|_| point(&mut rng)).collect();
    let sink = patients + units;
    let candidates = spec.nearest.min(units);
    let mut network = Network::new(patients + units + 1).expect("small enough");
    network.reserve_arcs(patients * (candidates + 1) + units);
    for (p, &size) in sizes.iter().enumerate() {
        network.add_node_supply(node(p), size).expect("in range");
    }
    network.add_node_supply(node(sink), -sizes.iter().sum::<i64>()).expect("in range");
    let grid = Grid::new(&unit_at, candidates);
    let mut nearest: Vec<(i64, usize)> = Vec::with_capacity(units);
    for (p, &at) in patient_at.iter().enumerate() {
        grid.nearest(at, candidates, &mut nearest);
        for &(steps, u) in &nearest {
            arc(&mut network, p, patients + u, sizes[p], steps);
        }
        arc(&mut network, p, sink, sizes[p], UNPLACED);
    }
    for u in 0..units {
        arc(&mut network, patients + u, sink, rng.gen_range(spec.beds.clone()), 0);
    }
    network
}

/// The distance from `a` to `b` in 100 m steps, rounded.
fn steps(a: (f64, f64), b: (f64, f64)) -> i64 {
    ((a.0 - b.0).hypot(a.1 - b.1) * 10.0).round() as i64
}

/// Facilities bucketed by a square grid over the 100 km square, so that a group's nearest ones
/// are found by scanning rings of cells around it instead of every facility.
struct Grid<'a> {
    at: &'a [(f64, f64)],
    side: usize,
    cell: f64,
    /// Facilities of cell `c`: `items[start[c]..start[c + 1]]`.
    start: Vec<usize>,
    items: Vec<usize>,
}

impl<'a> Grid<'a> {
    /// About `per_cell` facilities per cell on average (at least one cell).
    fn new(at: &'a [(f64, f64)], per_cell: usize) -> Self {
        let side = ((at.len() as f64 / per_cell.max(1) as f64).sqrt() as usize).clamp(1, 1024);
        let cell = 100.0 / side as f64;
        let index = |(x, y): (f64, f64)| {
            let c = |v: f64| ((v / cell) as usize).min(side - 1);
            c(y) * side + c(x)
        };
        let mut start = vec![0usize; side * side + 1];
        for &p in at {
            start[index(p) + 1] += 1;
        }
        for c in 0..side * side {
            start[c + 1] += start[c];
        }
        let mut fill = start.clone();
        let mut items = vec![0usize; at.len()];
        for (u, &p) in at.iter().enumerate() {
            let c = index(p);
            items[fill[c]] = u;
            fill[c] += 1;
        }
        Self { at, side, cell, start, items }
    }

    /// The `k` facilities least far from `from` by (distance in steps, index), in that order:
    /// exactly those a scan of every facility picks. Rings of cells are added until the `k`-th
    /// candidate's rounded distance is inside the square scanned so far.
    fn nearest(&self, from: (f64, f64), k: usize, out: &mut Vec<(i64, usize)>) {
        out.clear();
        if k == 0 {
            return;
        }
        let side = self.side as i64;
        let c = |v: f64| ((v / self.cell) as i64).min(side - 1);
        let (cx, cy) = (c(from.0), c(from.1));
        let mut ring = 0i64;
        loop {
            for y in (cy - ring).max(0)..=(cy + ring).min(side - 1) {
                for x in (cx - ring).max(0)..=(cx + ring).min(side - 1) {
                    if (x - cx).abs() != ring && (y - cy).abs() != ring {
                        continue;
                    }
                    let cell = (y * side + x) as usize;
                    for &u in &self.items[self.start[cell]..self.start[cell + 1]] {
                        out.push((steps(from, self.at[u]), u));
                    }
                }
            }
            let everything = ring >= side;
            if out.len() >= k {
                out.select_nth_unstable(k - 1);
                // Every facility outside the scanned square is at least `ring · cell` km away,
                // so more than this many steps (with a step to spare for rounding).
                let beyond = (ring as f64 * self.cell * 10.0).floor() as i64 - 1;
                if out[k - 1].0 < beyond || everything {
                    out.truncate(k);
                    out.sort_unstable();
                    return;
                }
            } else if everything {
                out.sort_unstable();
                return;
            }
            ring += 1;
        }
    }
}

/// A `side` × `side` grid with `extra` random arcs per node (costs 1–100, capacities 1–100),
/// `side` sources and `side` sinks spreading `side` × 100 units.
pub fn grid(seed: u64, side: usize, extra: usize) -> Network {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = side * side;
    let mut network = Network::new(n).expect("small enough");
    network.reserve_arcs(n * (4 + extra));
    for r in 0..side {
        for c in 0..side {
            let v = r * side + c;
            if c + 1 < side {
                arc(&mut network, v, v + 1, 1000, rng.gen_range(50..=100));
                arc(&mut network, v + 1, v, 1000, rng.gen_range(50..=100));
            }
            if r + 1 < side {
                arc(&mut network, v, v + side, 1000, rng.gen_range(50..=100));
                arc(&mut network, v + side, v, 1000, rng.gen_range(50..=100));
            }
        }
    }
    for v in 0..n {
        for _ in 0..extra {
            let w = rng.gen_range(0..n);
            if w != v {
                arc(&mut network, v, w, rng.gen_range(1..=100), rng.gen_range(1..=100));
            }
        }
    }
    let total = side as i64 * 100;
    let mut supply = vec![0i64; n];
    let share = total / side as i64;
    for _ in 0..side {
        supply[rng.gen_range(0..n)] += share;
        supply[rng.gen_range(0..n)] -= share;
    }
    for (v, s) in supply.into_iter().enumerate() {
        network.add_node_supply(node(v), s).expect("in range");
    }
    network
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_instance_and_every_instance_is_feasible() {
        let a = placement(7, 200, 30, 10);
        let b = placement(7, 200, 30, 10);
        assert_eq!(a.arcs(), b.arcs());
        assert_eq!((a.node_count(), a.arc_count()), (231, 200 * 11 + 30));
        let solution = a.solve().expect("placement instances are feasible");
        assert!(solution.cost > 0);

        let spec = TransportSpec::bench(300, 20, 5);
        let t = transport(7, &spec);
        assert_eq!((t.node_count(), t.arc_count()), (321, 300 * 6 + 20));
        let demand: i64 = t.supplies()[..300].iter().sum();
        assert!(t.supplies()[..300].iter().all(|s| (1..=4).contains(s)));
        assert_eq!(t.supplies()[320], -demand, "the sink takes every patient");
        let beds: i64 = t.arcs()[t.arc_count() - 20..].iter().map(|a| a.cap).sum();
        assert!(beds > demand, "beds for more than the patients: {beds} vs {demand}");
        assert!(t.solve().is_ok(), "transport instances are feasible");

        let g = grid(7, 12, 3);
        assert_eq!(g.node_count(), 144);
        assert!(g.solve().is_ok(), "grid instances are feasible");
    }
}
