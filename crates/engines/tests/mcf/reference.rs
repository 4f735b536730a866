//! Two reference solvers written as plainly as possible, sharing nothing with the engine, for the
//! property tests to compare optimal costs against:
//!
//! - [`enumerate`]: try every integer flow in the bounds (tiny instances only);
//! - [`successive_shortest_paths`]: start from a flow that saturates every negative-cost arc (so
//!   the residual network has no negative cycle), then repeatedly send flow along a cheapest path
//!   from a node with excess to a node with deficit, found by Bellman–Ford. Each augmentation
//!   along a shortest path keeps the residual network free of negative cycles, so the flow stays
//!   optimal for the supplies it meets; when the excess is gone it is optimal, and when no path
//!   exists the instance is infeasible.
//!
//! Both return `None` for an infeasible instance (unbalanced or not routable).

use carebridge_engines::mcf::Network;

/// The least cost over all flows within the bounds that meet the supplies, by enumeration.
pub fn enumerate(network: &Network) -> Option<i64> {
    let arcs = network.arcs();
    let mut flow: Vec<i64> = arcs.iter().map(|a| a.low).collect();
    let mut best: Option<i64> = None;
    loop {
        let mut balance: Vec<i64> = network.supplies().to_vec();
        for (a, &f) in arcs.iter().zip(&flow) {
            balance[a.from.index()] -= f;
            balance[a.to.index()] += f;
        }
        if balance.iter().all(|&b| b == 0) {
            let cost: i64 = arcs.iter().zip(&flow).map(|(a, &f)| a.cost * f).sum();
            best = Some(best.map_or(cost, |b| b.min(cost)));
        }
        // Next flow vector, like an odometer.
        let mut k = 0;
        loop {
            if k == arcs.len() {
                return best;
            }
            if flow[k] < arcs[k].cap {
                flow[k] += 1;
                break;
            }
            flow[k] = arcs[k].low;
            k += 1;
        }
    }
}

/// One residual arc: `to`, remaining capacity, cost, and the index of its reverse.
struct Residual {
    to: usize,
    cap: i64,
    cost: i64,
    rev: usize,
}

/// The least cost by successive shortest paths with Bellman–Ford (small values only: plain i64).
pub fn successive_shortest_paths(network: &Network) -> Option<i64> {
    let n = network.node_count();
    if network.supplies().iter().sum::<i64>() != 0 {
        return None;
    }
    let mut excess: Vec<i64> = network.supplies().to_vec();
    let mut graph: Vec<Vec<Residual>> = (0..n).map(|_| Vec::new()).collect();
    let mut cost = 0i64;
    for a in network.arcs() {
        let (u, v) = (a.from.index(), a.to.index());
        // Send the lower bound, then saturate the arc if it is cheaper used than not.
        let start = if a.cost < 0 { a.cap } else { a.low };
        cost += start * a.cost;
        excess[u] -= start;
        excess[v] += start;
        if u == v {
            continue; // a self-loop at its cheaper bound never helps a path
        }
        let (fwd, bwd) = (a.cap - start, start - a.low);
        let (iu, iv) = (graph[u].len(), graph[v].len());
        graph[u].push(Residual { to: v, cap: fwd, cost: a.cost, rev: iv });
        graph[v].push(Residual { to: u, cap: bwd, cost: -a.cost, rev: iu });
    }
    loop {
        if excess.iter().all(|&e| e == 0) {
            return Some(cost);
        }
        // Bellman–Ford from every node with excess at once.
        let mut dist: Vec<Option<i64>> = excess.iter().map(|&e| (e > 0).then_some(0)).collect();
        let mut parent: Vec<Option<(usize, usize)>> = vec![None; n];
        for _ in 0..n {
            let mut changed = false;
            for u in 0..n {
                let Some(du) = dist[u] else { continue };
                for (i, r) in graph[u].iter().enumerate() {
                    if r.cap > 0 && dist[r.to].is_none_or(|dv| du + r.cost < dv) {
                        dist[r.to] = Some(du + r.cost);
                        parent[r.to] = Some((u, i));
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        // The cheapest reachable deficit.
        let sink = (0..n).filter(|&v| excess[v] < 0 && dist[v].is_some()).min_by_key(|&v| dist[v])?;
        // Walk back to the source (a node with excess and no parent: the parent pointers of a
        // network without negative cycles form a forest), finding the bottleneck.
        let mut amount = -excess[sink];
        let mut v = sink;
        while let Some((u, i)) = parent[v] {
            amount = amount.min(graph[u][i].cap);
            v = u;
        }
        let source = v;
        amount = amount.min(excess[source]);
        let mut v = sink;
        while v != source {
            let (u, i) = parent[v].expect("on the path");
            graph[u][i].cap -= amount;
            let rev = graph[u][i].rev;
            graph[v][rev].cap += amount;
            cost += amount * graph[u][i].cost;
            v = u;
        }
        excess[source] -= amount;
        excess[sink] += amount;
    }
}
