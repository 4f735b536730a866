//! A fast exact solver for the transportation shape placement produces: supply nodes ("groups")
//! with arcs to "facilities" and to one sink, facilities with one arc each to the sink (their
//! beds). [`detect`] recognises the shape from the network's structure alone; anything else
//! (and any instance this solver cannot finish, such as an infeasible one) goes to the network
//! simplex, which stays the general algorithm.
//!
//! The shape, precisely (self-loops are ignored: [`super::Network::solve`] sets them apart):
//! - exactly one node, the sink `t`, has a negative supply; it has no out-arcs;
//! - a facility is a node with in-arcs: supply 0, every in-arc from a group, at most one out-arc,
//!   to `t` (no out-arc: no beds);
//! - a group is any other node (no in-arcs): supply ≥ 0, out-arcs to facilities or straight to
//!   `t`, each with room for the group's whole supply (so arc capacities never bind);
//! - every lower bound is 0.
//!
//! The algorithm: successive shortest paths on the facilities, after a greedy start.
//! - Each group's option is an arc out of it; its cost is the arc's cost plus, for a facility,
//!   the facility's own sink-arc cost. A direct arc to `t` is an option at the virtual facility
//!   `U` ("unplaced"), which has unbounded room and price 0.
//! - Every facility has a price ≥ 0. Invariant: every unit of a group sits on an option of least
//!   `cost + price` among the group's options, and a facility with a positive price is at least
//!   full. With all prices 0, the greedy start (every group on its cheapest option) holds it.
//! - Repair: while some facility `s` holds more than its beds, run Dijkstra from `s` on the
//!   facilities, where moving one unit of a group `p` from its facility `f` to another option at
//!   `g` is an arc `f → g` of length `(cost + price)` at g minus that at f (≥ 0 by the
//!   invariant), stopping at the first facility with a free bed (or `U`) at distance `D`. Shift
//!   the units along that path (a facility on it loses one group's units and gains another's,
//!   so only `s` and the end change load) and raise the price of every facility settled before
//!   the end by `D − d`. That is Dijkstra with potentials and early termination, so all lengths
//!   stay ≥ 0 and the invariant holds; the settled facilities were full, so raised prices sit on
//!   full facilities.
//! - The facility graph is built lazily and kept: a facility's moves (for each other facility,
//!   the cheapest step of one of its members, and the next two off other arcs, see [`Move`])
//!   come from one scan of its members' options (about P·K/F of them), made when it is first
//!   settled. A member that arrives is merged in; one that leaves only drops its steps, and the
//!   scan is redone only when a move is left with no known step. Settling a facility then costs
//!   one relaxation per neighbouring facility, and most paths settle a handful of facilities,
//!   because free beds are usually close by.
//! - Options are held by their position in the groups' adjacency (a group's options side by
//!   side), so scanning a member reads one block of memory; flows go back to arc ids at the end.
//!
//! The certificate, integer and exact: π(t) = 0, π(f) = price(f) + (f's sink-arc cost) and
//! π(p) = the least `cost + price` over p's options. Every group arc then has reduced cost
//! `(cost + price) − π(p) ≥ 0`, zero where it carries flow; a facility's sink arc has reduced
//! cost `−price(f) ≤ 0`, and zero unless the facility is full (then the arc is at capacity).
//! Those are not the canonical potentials yet: `Solver::canonical` turns them into the
//! canonical ones with one Dijkstra on the facilities.
//!
//! Amounts are `i64`. [`detect`] refuses costs beyond ±2⁵⁹ (an option's cost adds two of them);
//! a price beyond 2⁶⁰ or a distance beyond 2⁶¹ hands the instance to the simplex, so no sum can
//! wrap.

use super::{Arc, Network};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

const NONE: u32 = u32::MAX;
/// The largest |cost| of an arc this solver accepts, so that an option's cost (two arc costs)
/// and a price stay far inside `i64`.
const MAX_COST: i64 = 1 << 59;
/// Prices above this hand the instance to the simplex (they cannot happen with costs of real
/// instances); with [`MAX_COST`] it keeps every sum of a price and an option's cost within
/// ±2⁶¹.
const MAX_PRICE: i64 = 1 << 60;
/// Distances above this hand the instance to the simplex too: a distance, less one sum of a price
/// and a cost, plus another, then stays within ±2⁶³.
const MAX_DIST: i64 = 1 << 61;

/// The transportation shape of a network, found by [`detect`].
pub(crate) struct Shape {
    /// Facility index by node: `0..facilities` for a facility, `facilities` (`U`) for the sink,
    /// `NONE` for a group.
    fac_of: Vec<u32>,
    /// Node of each facility (`U` excluded).
    fac_node: Vec<u32>,
    /// Arc id of each facility's sink arc, `NONE` when it has none (no beds).
    sink_arc: Vec<u32>,
    /// Each group's option arcs: `adj[start[p]..start[p + 1]]` for node `p` (empty for
    /// facilities and the sink).
    start: Vec<u32>,
    adj: Vec<u32>,
}

fn is_loop(a: &Arc) -> bool {
    a.from == a.to
}

/// The network's transportation shape, or `None` when it has another one.
pub(crate) fn detect(network: &Network) -> Option<Shape> {
    let supply = network.supplies();
    let arcs = network.arcs();
    let n = supply.len();
    if n == 0 || arcs.len() >= NONE as usize {
        return None;
    }
    let mut sinks = supply.iter().enumerate().filter(|(_, &s)| s < 0);
    let (sink, _) = sinks.next()?;
    if sinks.next().is_some() {
        return None;
    }
    let mut indeg = vec![0u32; n];
    let mut outdeg = vec![0u32; n + 1];
    for a in arcs.iter().filter(|a| !is_loop(a)) {
        if a.low != 0 || !(-MAX_COST..=MAX_COST).contains(&a.cost) {
            return None;
        }
        indeg[a.to.index()] = indeg[a.to.index()].saturating_add(1);
        outdeg[a.from.index()] += 1;
    }
    if outdeg[sink] != 0 {
        return None;
    }
    // Facilities: nodes other than the sink with in-arcs.
    let mut fac_of = vec![NONE; n];
    let mut fac_node = Vec::new();
    for v in 0..n {
        if v != sink && indeg[v] > 0 {
            if supply[v] != 0 || outdeg[v] > 1 {
                return None;
            }
            fac_of[v] = fac_node.len() as u32;
            fac_node.push(v as u32);
        }
    }
    let facilities = fac_node.len() as u32;
    fac_of[sink] = facilities;
    let mut sink_arc = vec![NONE; fac_node.len()];
    // Group adjacency (counting sort by source); every arc is checked for its role.
    let mut start = vec![0u32; n + 1];
    for (id, a) in arcs.iter().enumerate() {
        if is_loop(a) {
            continue;
        }
        let (u, v) = (a.from.index(), a.to.index());
        let fu = fac_of[u];
        if fu != NONE {
            // A facility's out-arc: it must go to the sink (at most one, checked above).
            if v != sink {
                return None;
            }
            sink_arc[fu as usize] = id as u32;
        } else {
            // A group's arc: to a facility or the sink, with room for the whole supply.
            if fac_of[v] == NONE || a.cap < supply[u] {
                return None;
            }
            start[u + 1] += 1;
        }
    }
    for v in 0..n {
        start[v + 1] += start[v];
    }
    let mut fill = start.clone();
    let mut adj = vec![0u32; start[n] as usize];
    for (id, a) in arcs.iter().enumerate() {
        let u = a.from.index();
        if !is_loop(a) && fac_of[u] == NONE {
            adj[fill[u] as usize] = id as u32;
            fill[u] += 1;
        }
    }
    drop(fill);
    Some(Shape { fac_of, fac_node, sink_arc, start, adj })
}

/// Flows by arc id (self-loops left at 0 for the caller) and the canonical potentials, or `None` when this solver gives up: the instance is
/// infeasible, or a price would leave its bound. The simplex then answers.
pub(crate) fn solve(network: &Network, shape: &Shape) -> Option<(Vec<i64>, Vec<i128>)> {
    Solver::new(network, shape)?.run()
}

/// One way to move a unit from a facility: off arc `from_arc` (a member's), onto arc `to_arc`
/// (another option of the same group), changing the cost by `delta`.
#[derive(Debug, Clone, Copy)]
struct Step {
    from_arc: u32,
    to_arc: u32,
    delta: i64,
}

/// No other step (yet): any step offered is cheaper.
const NO_STEP: Step = Step { from_arc: NONE, to_arc: NONE, delta: i64::MAX };
/// A step that is not known (one before it left): no step offered can be trusted to come
/// before it, so none is put there.
const UNKNOWN_STEP: Step = Step { from_arc: NONE, to_arc: NONE, delta: i64::MIN };
/// How many of the cheapest steps (off distinct arcs) a move keeps.
const KEPT: usize = 3;

/// A facility's move to facility `to`: its `KEPT` cheapest steps off distinct member arcs, in
/// order, the first being the move; the later ones take over when the member of an earlier one
/// leaves. A slot is [`NO_STEP`] when no member has another step and [`UNKNOWN_STEP`] when
/// one left and the next is not known. Prices are not in it: the move's length is
/// `steps[0].delta + price(to) − price(from)`.
#[derive(Debug, Clone, Copy)]
struct Move {
    to: u32,
    steps: [Step; KEPT],
}

impl Move {
    /// Take `step` into account (a member's option to `to`).
    fn offer(&mut self, step: Step) {
        let Some(at) = self.steps.iter().position(|s| step.delta < s.delta) else { return };
        // The same arc's step, if kept: already at least as cheap (before `at`), or replaced.
        let same = self.steps.iter().position(|s| s.from_arc == step.from_arc);
        let end = match same {
            Some(i) if i < at => return,
            Some(i) => i,
            None => KEPT - 1,
        };
        self.steps.copy_within(at..end, at + 1);
        self.steps[at] = step;
    }

    /// Forget the step off `arc`, if kept. `false` when the move is no longer known.
    fn leave(&mut self, arc: u32) -> bool {
        if let Some(i) = self.steps.iter().position(|s| s.from_arc == arc) {
            let last = self.steps[KEPT - 1];
            self.steps.copy_within(i + 1.., i);
            self.steps[KEPT - 1] = if last.delta == i64::MAX { NO_STEP } else { UNKNOWN_STEP };
        }
        self.steps[0].from_arc != NONE
    }
}

/// An option with flow, as its facility lists it: its position and its group's block of
/// options `begin..end`.
#[derive(Debug, Clone, Copy)]
struct Member {
    pos: u32,
    begin: u32,
    end: u32,
}

struct Solver<'a> {
    network: &'a Network,
    shape: &'a Shape,
    /// Facility count; index `u` is the unplaced option `U`.
    u: usize,
    /// Per option, by its position in `shape.adj` (a group's options are side by side, so a
    /// member's scan reads one block of memory): the option's facility, cost and flow. The
    /// solver's "arcs" are these positions; only the result is by arc id.
    fac: Vec<u32>,
    ocost: Vec<i64>,
    flow: Vec<i64>,
    /// Per facility (and `U`): beds, load, price.
    beds: Vec<i64>,
    load: Vec<i64>,
    price: Vec<i64>,
    /// Per facility and `U`: the options with flow into it.
    members: Vec<Vec<Member>>,
    /// Per facility: its moves, the cheapest to each other facility (see [`Move`]), valid while
    /// `stale` is false, for the members it had then and those in `arrived` since. A member
    /// that leaves makes them stale only when a move needs it and has no second.
    moves: Vec<Vec<Move>>,
    stale: Vec<bool>,
    arrived: Vec<Vec<Member>>,
    /// Scratch for building moves: `slot[g]` is g's place in the list when `mark[g] == tag`.
    mark: Vec<u32>,
    slot: Vec<u32>,
    tag: u32,
    // Dijkstra's scratch, by facility; `stamp` tells which entries belong to this search.
    dist: Vec<i64>,
    stamp: Vec<u32>,
    epoch: u32,
    /// The move that reached a facility: the arc its units leave and the arc they join.
    pred: Vec<(u32, u32)>,
    settled: Vec<u32>,
    heap: BinaryHeap<Reverse<(i64, u32)>>,
}

impl<'a> Solver<'a> {
    fn new(network: &'a Network, shape: &'a Shape) -> Option<Self> {
        let arcs = network.arcs();
        let u = shape.fac_node.len();
        let mut sink_cost = vec![0i64; u + 1];
        let mut beds = vec![0i64; u + 1];
        beds[u] = i64::MAX;
        for (f, &id) in shape.sink_arc.iter().enumerate() {
            if id != NONE {
                sink_cost[f] = arcs[id as usize].cost;
                beds[f] = arcs[id as usize].cap;
            }
        }
        let fac: Vec<u32> = shape.adj.iter().map(|&id| shape.fac_of[arcs[id as usize].to.index()]).collect();
        // Both terms are within ±2⁵⁹ (checked by `detect`).
        let ocost: Vec<i64> =
            shape.adj.iter().zip(&fac).map(|(&id, &f)| arcs[id as usize].cost + sink_cost[f as usize]).collect();
        Some(Self {
            network,
            shape,
            u,
            fac,
            ocost,
            flow: vec![0; shape.adj.len()],
            beds,
            load: vec![0; u + 1],
            price: vec![0; u + 1],
            members: vec![Vec::new(); u + 1],
            moves: vec![Vec::new(); u],
            stale: vec![true; u],
            arrived: vec![Vec::new(); u],
            mark: vec![0; u + 1],
            slot: vec![0; u + 1],
            tag: 0,
            dist: vec![0; u + 1],
            stamp: vec![0; u + 1],
            epoch: 0,
            pred: vec![(NONE, NONE); u + 1],
            settled: Vec::new(),
            heap: BinaryHeap::new(),
        })
    }

    /// Group `p`'s block of options.
    fn block(&self, p: usize) -> (u32, u32) {
        (self.shape.start[p], self.shape.start[p + 1])
    }

    fn run(mut self) -> Option<(Vec<i64>, Vec<i128>)> {
        let supply = self.network.supplies();
        // Greedy start: every group's whole supply on its cheapest option (the first of equals).
        for (p, &s) in supply.iter().enumerate() {
            if s <= 0 || self.shape.fac_of[p] != NONE {
                continue;
            }
            let (begin, end) = self.block(p);
            let best = (begin..end).min_by_key(|&k| self.ocost[k as usize])?;
            self.add_flow(Member { pos: best, begin, end }, s);
        }
        // Repair every over-full facility.
        for s in 0..self.u {
            while self.load[s] > self.beds[s] {
                let (target, distance) = self.shortest_path(s)?;
                self.raise_prices(distance)?;
                self.augment(s, target)?;
            }
        }
        Some(self.finish())
    }

    fn add_flow(&mut self, member: Member, amount: i64) {
        let k = member.pos as usize;
        let f = self.fac[k] as usize;
        let old = self.flow[k];
        self.flow[k] = old + amount;
        self.load[f] += amount;
        if old == 0 {
            self.members[f].push(member);
            if f != self.u && !self.stale[f] {
                self.arrived[f].push(member);
            }
        }
    }

    fn remove_flow(&mut self, arc: u32, amount: i64) {
        let f = self.fac[arc as usize] as usize;
        let left = self.flow[arc as usize] - amount;
        self.flow[arc as usize] = left;
        self.load[f] -= amount;
        if left == 0 {
            let list = &mut self.members[f];
            if let Some(k) = list.iter().position(|m| m.pos == arc) {
                list.swap_remove(k);
            }
            if f != self.u && !self.stale[f] {
                for m in &mut self.moves[f] {
                    if !m.leave(arc) {
                        self.stale[f] = true;
                        break;
                    }
                }
            }
        }
    }

    /// Dijkstra from the over-full facility `s` to the nearest facility with a free bed (or `U`):
    /// that facility and its distance, with `pred` and `settled` filled. `None` when none is
    /// reachable (or a distance would overflow).
    fn shortest_path(&mut self, s: usize) -> Option<(usize, i64)> {
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.stamp.fill(0);
            self.epoch = 1;
        }
        let epoch = self.epoch;
        self.settled.clear();
        self.heap.clear();
        self.dist[s] = 0;
        self.stamp[s] = epoch;
        self.heap.push(Reverse((0, s as u32)));
        while let Some(Reverse((d, f))) = self.heap.pop() {
            let f = f as usize;
            if d > self.dist[f] {
                continue;
            }
            if f == self.u || self.load[f] < self.beds[f] {
                return Some((f, d));
            }
            self.settled.push(f as u32);
            if self.stale[f] {
                self.rebuild_moves(f);
            } else if !self.arrived[f].is_empty() {
                self.merge_arrivals(f);
            }
            let base = d - self.price[f];
            for m in &self.moves[f] {
                let g = m.to as usize;
                let nd = base + m.steps[0].delta + self.price[g];
                if nd > MAX_DIST {
                    return None;
                }
                if self.stamp[g] != epoch || nd < self.dist[g] {
                    self.stamp[g] = epoch;
                    self.dist[g] = nd;
                    self.pred[g] = (m.steps[0].from_arc, m.steps[0].to_arc);
                    self.heap.push(Reverse((nd, g as u32)));
                }
            }
        }
        None
    }

    /// `f`'s moves from its members as they are now.
    fn rebuild_moves(&mut self, f: usize) {
        let mut moves = std::mem::take(&mut self.moves[f]);
        moves.clear();
        let members = std::mem::take(&mut self.members[f]);
        self.offer_all(f, &mut moves, &members);
        self.members[f] = members;
        self.moves[f] = moves;
        self.arrived[f].clear();
        self.stale[f] = false;
    }

    /// Take the members that arrived since `f`'s moves were made into account.
    fn merge_arrivals(&mut self, f: usize) {
        let mut moves = std::mem::take(&mut self.moves[f]);
        let mut arrived = std::mem::take(&mut self.arrived[f]);
        // A member that arrived and left again is not one.
        arrived.retain(|m| self.flow[m.pos as usize] > 0);
        let tag = self.next_tag();
        for (k, m) in moves.iter().enumerate() {
            self.mark[m.to as usize] = tag;
            self.slot[m.to as usize] = k as u32;
        }
        self.offer_tagged(f, &mut moves, &arrived, tag);
        arrived.clear();
        self.arrived[f] = arrived;
        self.moves[f] = moves;
    }

    fn next_tag(&mut self) -> u32 {
        self.tag = self.tag.wrapping_add(1);
        if self.tag == 0 {
            self.mark.fill(0);
            self.tag = 1;
        }
        self.tag
    }

    fn offer_all(&mut self, f: usize, moves: &mut Vec<Move>, members: &[Member]) {
        let tag = self.next_tag();
        self.offer_tagged(f, moves, members, tag);
    }

    /// Offer every option of these members of `f` to `f`'s moves; `mark[g] == tag` tells that
    /// `moves[slot[g]]` is the move to g.
    fn offer_tagged(&mut self, f: usize, moves: &mut Vec<Move>, members: &[Member], tag: u32) {
        for m in members {
            let here = self.ocost[m.pos as usize];
            let (begin, end) = (m.begin as usize, m.end as usize);
            for (k, (&g, &cost)) in self.fac[begin..end].iter().zip(&self.ocost[begin..end]).enumerate() {
                if g as usize == f {
                    continue;
                }
                // Both within ±2⁶⁰ (two arc costs each).
                let step = Step { from_arc: m.pos, to_arc: (begin + k) as u32, delta: cost - here };
                if self.mark[g as usize] != tag {
                    self.mark[g as usize] = tag;
                    self.slot[g as usize] = moves.len() as u32;
                    let mut steps = [NO_STEP; KEPT];
                    steps[0] = step;
                    moves.push(Move { to: g, steps });
                } else {
                    moves[self.slot[g as usize] as usize].offer(step);
                }
            }
        }
    }

    /// Raise the price of every facility settled before the target (at distance `distance`) by
    /// `distance − d`, which keeps every move's length ≥ 0 and makes the path's lengths 0.
    fn raise_prices(&mut self, distance: i64) -> Option<()> {
        for &f in &self.settled {
            let f = f as usize;
            let raised = self.price[f] + (distance - self.dist[f]);
            if raised > MAX_PRICE {
                return None;
            }
            self.price[f] = raised;
        }
        Some(())
    }

    /// Shift as many units as the path from `s` to `target` allows. Every step of a path has
    /// units to move, so this is at least 1; `None` (hand the instance to the simplex rather than
    /// loop) would mean a bug.
    fn augment(&mut self, s: usize, target: usize) -> Option<()> {
        let mut amount = self.load[s] - self.beds[s];
        if target != self.u {
            amount = amount.min(self.beds[target] - self.load[target]);
        }
        let mut g = target;
        while g != s {
            let (a, _) = self.pred[g];
            amount = amount.min(self.flow[a as usize]);
            g = self.fac[a as usize] as usize;
        }
        debug_assert!(amount > 0, "a shortest path without units to move");
        if amount <= 0 {
            return None;
        }
        let start = &self.shape.start;
        let mut g = target;
        while g != s {
            let (a, b) = self.pred[g];
            // The group whose block holds `a` (and `b`): the last node whose block starts at or
            // before it (the nodes after it with empty blocks start past it).
            let p = start.partition_point(|&x| x <= a) - 1;
            self.add_flow(Member { pos: b, begin: start[p], end: start[p + 1] }, amount);
            self.remove_flow(a, amount);
            g = self.fac[a as usize] as usize;
        }
        Some(())
    }

    /// The flows by arc id and the canonical potentials (see `canonical`).
    fn finish(mut self) -> (Vec<i64>, Vec<i128>) {
        let arcs = self.network.arcs();
        let shape = self.shape;
        // π as in the module doc: facilities' and the sink's by facility, groups' by node.
        let mut pi_fac: Vec<i64> = (0..=self.u)
            .map(|f| {
                let id = shape.sink_arc.get(f).copied().unwrap_or(NONE);
                self.price[f] + if id == NONE { 0 } else { arcs[id as usize].cost }
            })
            .collect();
        pi_fac[self.u] = 0;
        let least = self.canonical(&pi_fac);
        let n = self.network.node_count();
        let mut pi = vec![0i128; n];
        for (v, slot) in pi.iter_mut().enumerate() {
            let f = shape.fac_of[v];
            let (own, label) = if f == NONE {
                // A group's own π, and its least label: that or the label of a facility holding
                // its units (the backward arc costs 0 reduced).
                let (begin, end) = (shape.start[v] as usize, shape.start[v + 1] as usize);
                let mut own = None::<i64>;
                let mut label = i64::MAX;
                for k in begin..end {
                    let g = self.fac[k] as usize;
                    let c = self.ocost[k] + self.price[g];
                    own = Some(own.map_or(c, |o| o.min(c)));
                    if self.flow[k] > 0 {
                        label = label.min(least[g]);
                    }
                }
                let own = own.unwrap_or(0);
                (own, own.min(label))
            } else {
                (pi_fac[f as usize], least[f as usize])
            };
            *slot = i128::from(own) - i128::from(label);
        }
        // The flows by arc id; the solver's arrays go first, to keep the peak low.
        self.fac = Vec::new();
        self.ocost = Vec::new();
        self.members = Vec::new();
        self.moves = Vec::new();
        let mut flows = vec![0i64; arcs.len()];
        for (&id, &x) in shape.adj.iter().zip(&self.flow) {
            flows[id as usize] = x;
        }
        for (f, &id) in shape.sink_arc.iter().enumerate() {
            if id != NONE {
                flows[id as usize] = self.load[f];
            }
        }
        (flows, pi)
    }

    /// The canonical potentials' labels on the facilities and `U` (the sink): `D(v)` = the least,
    /// over all nodes `w`, of `π(w)` plus the reduced length of the cheapest residual path from
    /// `w` to `v`, so that `π(v) − D(v)` is minus the cheapest residual path cost ending at `v`,
    /// the canonical potential of [`super::Solution::potentials`] (the same as the simplex path's
    /// `potentials::canonical`, since an instance's optimal dual solutions do not depend on which
    /// optimal flow is found).
    ///
    /// Paths reach a group only through the backward arc from a facility holding its units, so
    /// a multi-source Dijkstra on the facilities suffices: each facility starts at the least of
    /// its own π and `π(p) +` the reduced cost of a residual option arc `p → f` (which is
    /// `ocost + price(f)`), and settling `f` relaxes its members' options, its sink arc (while it
    /// has a free bed, reduced cost 0) and, for the sink, the backward sink arcs of facilities
    /// that hold units (reduced cost `price(f)`). Every group is scanned once per facility it is
    /// at: one pass over the arcs.
    fn canonical(&self, pi_fac: &[i64]) -> Vec<i64> {
        let arcs = self.network.arcs();
        let shape = self.shape;
        let u = self.u;
        let mut label = pi_fac.to_vec();
        for (k, (&g, &cost)) in self.fac.iter().zip(&self.ocost).enumerate() {
            if self.flow[k] < arcs[shape.adj[k] as usize].cap {
                let g = g as usize;
                label[g] = label[g].min(cost + self.price[g]);
            }
        }
        let mut done = vec![false; u + 1];
        let mut heap: BinaryHeap<Reverse<(i64, u32)>> =
            label.iter().enumerate().map(|(f, &d)| Reverse((d, f as u32))).collect();
        while let Some(Reverse((d, f))) = heap.pop() {
            let f = f as usize;
            if done[f] || d > label[f] {
                continue;
            }
            done[f] = true;
            let mut relax = |g: usize, nd: i64, heap: &mut BinaryHeap<Reverse<(i64, u32)>>| {
                if nd < label[g] {
                    label[g] = nd;
                    heap.push(Reverse((nd, g as u32)));
                }
            };
            let price_f = self.price[f];
            for m in &self.members[f] {
                let base = d - (self.ocost[m.pos as usize] + price_f);
                let (begin, end) = (m.begin as usize, m.end as usize);
                for (&g, &cost) in self.fac[begin..end].iter().zip(&self.ocost[begin..end]) {
                    let g = g as usize;
                    if g != f {
                        relax(g, base + cost + self.price[g], &mut heap);
                    }
                }
            }
            if f == u {
                for g in 0..u {
                    if self.load[g] > 0 {
                        relax(g, d + self.price[g], &mut heap);
                    }
                }
            } else if self.load[f] < self.beds[f] {
                relax(u, d - self.price[f], &mut heap);
            }
        }
        label
    }
}

#[cfg(test)]
mod tests {
    use super::super::{certificate, Network, NodeId, Solution};
    use super::*;
    use proptest::prelude::*;

    /// A transport-shaped instance from raw parts: groups `0..g` with the given supplies,
    /// facilities `g..g + beds.len()` (beds, sink-arc cost; `None`: no sink arc), the sink last.
    /// Options are (group, facility or `None` for the sink, extra room, cost); self-loops
    /// (node, cost) are added as given.
    #[allow(clippy::type_complexity)]
    fn build(
        supplies: &[i64],
        beds: &[Option<(i64, i64)>],
        options: &[(usize, Option<usize>, i64, i64)],
        loops: &[(usize, i64)],
    ) -> Network {
        let (g, f) = (supplies.len(), beds.len());
        let n = g + f + 1;
        let sink = g + f;
        let node = |i: usize| NodeId::new(i as u32);
        let mut network = Network::new(n).expect("small");
        for (p, &s) in supplies.iter().enumerate() {
            network.add_node_supply(node(p), s).expect("in range");
        }
        network.add_node_supply(node(sink), -supplies.iter().sum::<i64>()).expect("in range");
        for &(p, to, extra, cost) in options {
            let p = p % g;
            let to = to.map_or(sink, |k| g + k % f.max(1));
            let to = if f == 0 { sink } else { to };
            network.add_arc(node(p), node(to), 0, supplies[p] + extra, cost).expect("valid");
        }
        for (k, b) in beds.iter().enumerate() {
            if let Some((cap, cost)) = *b {
                network.add_arc(node(g + k), node(sink), 0, cap, cost).expect("valid");
            }
        }
        for &(v, cost) in loops {
            network.add_arc(node(v % n), node(v % n), 0, 2, cost).expect("valid");
        }
        network
    }

    fn instance() -> impl Strategy<Value = Network> {
        (1usize..=7, 0usize..=4).prop_flat_map(|(g, f)| {
            (
                prop::collection::vec(0i64..=4, g),
                prop::collection::vec(prop::option::weighted(0.9, (0i64..=6, -4i64..=4)), f),
                prop::collection::vec(
                    (
                        0..g,
                        prop::option::weighted(0.8, 0..f.max(1)),
                        prop::sample::select(vec![0i64, 0, 1, 5]),
                        -10i64..=30,
                    ),
                    0..=3 * g + 2,
                ),
                prop::collection::vec((0usize..12, -3i64..=3), 0..=1),
            )
                .prop_map(|(supplies, beds, options, loops)| build(&supplies, &beds, &options, &loops))
        })
    }

    /// Placement-like: every group has a direct "unplaced" arc at a penalty, so every instance is
    /// feasible, and options to nearby facilities at small costs.
    fn placement_like() -> impl Strategy<Value = Network> {
        (1usize..=30, 1usize..=6).prop_flat_map(|(g, f)| {
            (
                prop::collection::vec(1i64..=4, g),
                prop::collection::vec((0i64..=8).prop_map(|b| Some((b, 0))), f),
                prop::collection::vec((0..g, 0..f, 0i64..=20), 0..=4 * g),
            )
                .prop_map(move |(supplies, beds, near)| {
                    let mut options: Vec<_> = near.into_iter().map(|(p, k, c)| (p, Some(k), 0, c)).collect();
                    options.extend((0..g).map(|p| (p, None, 0, 100)));
                    build(&supplies, &beds, &options, &[])
                })
        })
    }

    /// Larger placement-like instances, tight on beds, so that repairs take long paths and
    /// members come and go many times at each facility (the cached moves' bookkeeping).
    fn crowded() -> impl Strategy<Value = Network> {
        (50usize..=250, 4usize..=16).prop_flat_map(|(g, f)| {
            (
                prop::collection::vec(1i64..=4, g),
                prop::collection::vec((0i64..=20).prop_map(|b| Some((b, 0))), f),
                prop::collection::vec(prop::collection::vec((0..f, 0i64..=40), 1..=6), g),
            )
                .prop_map(move |(supplies, beds, near)| {
                    let mut options = Vec::new();
                    for (p, list) in near.into_iter().enumerate() {
                        options.extend(list.into_iter().map(|(k, c)| (p, Some(k), 0, c)));
                        options.push((p, None, 0, 200));
                    }
                    build(&supplies, &beds, &options, &[])
                })
        })
    }

    fn check(network: &Network) -> Result<(), TestCaseError> {
        if network.supplies().iter().all(|&s| s == 0) {
            // No sink, so not the shape (the simplex's zero flow is optimal).
            prop_assert!(detect(network).is_none());
            return Ok(());
        }
        let shape = detect(network);
        prop_assert!(shape.is_some(), "not detected: {network:?}");
        let by_simplex = network.solve_by_simplex();
        let fast = solve(network, &shape.expect("detected"));
        match (&by_simplex, fast) {
            (Ok(expected), Some(_)) => {
                let got: Solution = network.solve().expect("feasible");
                certificate::check(network, &got).map_err(|v| TestCaseError::fail(format!("{v}: {network:?}")))?;
                prop_assert_eq!(got.cost, expected.cost, "{:?}", network);
                prop_assert_eq!(&got.potentials, &expected.potentials, "{:?}", network);
            }
            (Err(e), None) => prop_assert!(e.is_infeasible(), "{e}"),
            (Ok(_), None) => prop_assert!(false, "the fast path gave up on a feasible instance: {network:?}"),
            (Err(e), Some(_)) => prop_assert!(false, "the fast path solved an instance the simplex refused ({e})"),
        }
        // Whatever path it takes, `solve` agrees with the simplex.
        prop_assert_eq!(network.solve().map(|s| s.cost), by_simplex.map(|s| s.cost));
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Negative costs, parallel options, facilities without beds or sink arc, groups
        /// without options, self-loops: the cost and the canonical potentials equal the
        /// simplex's, the certificate holds, and only infeasible instances fall back.
        #[test]
        fn matches_the_simplex(network in instance()) {
            check(&network)?;
        }

        #[test]
        fn placement_like_instances_match_the_simplex(network in placement_like()) {
            check(&network)?;
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(150))]

        #[test]
        fn crowded_instances_match_the_simplex(network in crowded()) {
            check(&network)?;
        }
    }

    #[test]
    fn other_shapes_are_not_detected() {
        let node = NodeId::new;
        // Two demand nodes.
        let mut two_sinks = Network::new(3).expect("small");
        two_sinks.add_node_supply(node(0), 2).expect("ok");
        two_sinks.add_node_supply(node(1), -1).expect("ok");
        two_sinks.add_node_supply(node(2), -1).expect("ok");
        two_sinks.add_arc(node(0), node(1), 0, 2, 1).expect("ok");
        two_sinks.add_arc(node(0), node(2), 0, 2, 1).expect("ok");
        assert!(detect(&two_sinks).is_none());
        // A lower bound, an arc too small for its group, a facility → facility arc.
        for (low, cap, extra) in [(1, 2, false), (0, 1, false), (0, 2, true)] {
            let mut n = Network::new(4).expect("small");
            n.add_node_supply(node(0), 2).expect("ok");
            n.add_node_supply(node(3), -2).expect("ok");
            n.add_arc(node(0), node(1), low, cap, 1).expect("ok");
            n.add_arc(node(1), node(3), 0, 2, 0).expect("ok");
            n.add_arc(node(0), node(3), 0, 2, 9).expect("ok");
            if extra {
                n.add_arc(node(1), node(2), 0, 2, 0).expect("ok");
                n.add_arc(node(2), node(3), 0, 2, 0).expect("ok");
            }
            assert!(detect(&n).is_none(), "{n:?}");
        }
    }
}
