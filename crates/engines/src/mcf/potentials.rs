//! Canonical node potentials for an optimal flow: π(v) = −d(v), where d(v) ≤ 0 is the cost of
//! the cheapest path in the residual network ending at v (from anywhere, the empty path counting
//! as 0).
//!
//! Why recompute them: the simplex's own potentials are valid but carry the big-M cost wherever an
//! artificial arc stayed in the final basis (degenerate, at flow 0), so they are huge and depend
//! on the pivot history. Shortest-path potentials depend on the optimal flow only, are bounded by
//! the costs of simple paths, and satisfy the certificate by construction: for a residual arc
//! `u → v` of cost `c`, `d(v) ≤ d(u) + c`, i.e. `c − π(u) + π(v) ≥ 0`.
//!
//! How: the simplex potentials already make every residual arc's reduced cost non-negative, so
//! they serve as Johnson's reweighting and one multi-source Dijkstra run finds d in
//! O(m log n); no Bellman–Ford is needed.

use super::simplex::Problem;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// `flow` and `basis_pi` are the simplex's optimal flow and potentials for `problem`: every
/// residual arc has a non-negative reduced cost under `basis_pi`.
pub(crate) fn canonical(problem: &Problem, flow: &[i128], basis_pi: &[i128]) -> Vec<i128> {
    let n = problem.nodes;
    if n == 0 {
        return Vec::new();
    }
    // The residual network as adjacency arrays, each arc with its (non-negative) reduced cost:
    // forward u → v while flow < cap, backward v → u (cost −c) while flow > 0.
    let reduced =
        |e: usize| problem.cost[e] - basis_pi[problem.source[e] as usize] + basis_pi[problem.target[e] as usize];
    let mut start = vec![0u32; n + 1];
    for (e, &f) in flow.iter().enumerate() {
        if f < problem.cap[e] {
            start[problem.source[e] as usize + 1] += 1;
        }
        if f > 0 {
            start[problem.target[e] as usize + 1] += 1;
        }
    }
    for v in 0..n {
        start[v + 1] += start[v];
    }
    let mut fill = start.clone();
    let mut head = vec![0u32; start[n] as usize];
    let mut weight = vec![0i128; start[n] as usize];
    for (e, &f) in flow.iter().enumerate() {
        let (u, v) = (problem.source[e] as usize, problem.target[e] as usize);
        if f < problem.cap[e] {
            let slot = fill[u] as usize;
            head[slot] = v as u32;
            weight[slot] = reduced(e);
            fill[u] += 1;
        }
        if f > 0 {
            let slot = fill[v] as usize;
            head[slot] = u as u32;
            weight[slot] = -reduced(e);
            fill[v] += 1;
        }
    }

    // A virtual source joins every node at cost 0; with its potential set to the least basis
    // potential, those arcs' reduced costs are `basis_pi[v] − least ≥ 0` too, and a path's
    // reduced length is its cost plus `basis_pi[end] − least`.
    let least = basis_pi.iter().copied().min().unwrap_or(0);
    let mut dist: Vec<i128> = basis_pi.iter().map(|&p| p - least).collect();
    let mut heap: BinaryHeap<Reverse<(i128, u32)>> =
        dist.iter().enumerate().map(|(v, &d)| Reverse((d, v as u32))).collect();
    while let Some(Reverse((d, u))) = heap.pop() {
        let u = u as usize;
        if d > dist[u] {
            continue;
        }
        for k in start[u] as usize..start[u + 1] as usize {
            let v = head[k] as usize;
            let nd = d + weight[k];
            if nd < dist[v] {
                dist[v] = nd;
                heap.push(Reverse((nd, v as u32)));
            }
        }
    }
    // d(v) = dist[v] − basis_pi[v] + least, and π(v) = −d(v).
    (0..n).map(|v| basis_pi[v] - least - dist[v]).collect()
}
