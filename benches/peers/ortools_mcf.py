"""OR-Tools' min-cost flow (SimpleMinCostFlow, cost scaling) on DIMACS files, as the peer figure
for `cargo bench -p carebridge-benches --bench mcf` and `carebridge bench placement` (which
embeds this script and runs it with `--runs 1` on each instance it generates).

    python3 -m venv /tmp/ortools && /tmp/ortools/bin/pip install ortools numpy
    mkdir -p /tmp/mcf && CAREBRIDGE_MCF_DUMP=/tmp/mcf cargo bench -p carebridge-benches --bench mcf
    /tmp/ortools/bin/python benches/peers/ortools_mcf.py /tmp/mcf/*.min

Prints, per file, the optimal cost (it must equal ours) and the best of five (or `--runs N`)
solve times, separately the time to load the arcs into the solver (ours counts its own setup in
the solve), and the process's peak resident memory.
Lower bounds are not supported here: the bench instances have none.
"""

import resource
import sys
import time

import numpy as np
from ortools.graph.python import min_cost_flow


def read(path):
    tails, heads, caps, costs, supply, nodes = [], [], [], [], {}, 0
    with open(path) as f:
        for line in f:
            t = line.split()
            if not t or t[0] == "c":
                continue
            if t[0] == "p":
                nodes = int(t[2])
            elif t[0] == "n":
                supply[int(t[1]) - 1] = int(t[2])
            elif t[0] == "a":
                if int(t[3]) != 0:
                    sys.exit(f"{path}: lower bounds are not supported by this script")
                tails.append(int(t[1]) - 1)
                heads.append(int(t[2]) - 1)
                caps.append(int(t[4]))
                costs.append(int(t[5]))
    supplies = np.array([supply.get(v, 0) for v in range(nodes)])
    return np.array(tails), np.array(heads), np.array(caps), np.array(costs), supplies


def main():
    args, runs = sys.argv[1:], 5
    if args[:1] == ["--runs"]:
        runs, args = int(args[1]), args[2:]
    for path in args:
        tails, heads, caps, costs, supplies = read(path)
        best_solve, best_load, cost = None, None, None
        for _ in range(runs):
            solver = min_cost_flow.SimpleMinCostFlow()
            t0 = time.perf_counter()
            solver.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
            solver.set_nodes_supplies(np.arange(len(supplies)), supplies)
            t1 = time.perf_counter()
            status = solver.solve()
            t2 = time.perf_counter()
            if status != solver.OPTIMAL:
                sys.exit(f"{path}: status {status}")
            cost = solver.optimal_cost()
            best_load = t1 - t0 if best_load is None else min(best_load, t1 - t0)
            best_solve = t2 - t1 if best_solve is None else min(best_solve, t2 - t1)
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{path}: optimal cost {cost}; solve {best_solve * 1e3:.1f} ms (best of {runs}), "
            f"loading {best_load * 1e3:.1f} ms; peak RSS {peak_mib:.1f} MiB"
        )


if __name__ == "__main__":
    main()
