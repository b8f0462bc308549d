"""The SciPy baseline of `npm run bench:curves` (run by scripts/bench-curves.ts, with Debian's python3-scipy).

Reads the curve problems the TypeScript solver just solved (JSON: packages/curves exportProblem, plus
the TypeScript solution x), builds each one's KKT system exactly as the QP defines it:

    minimize (x - p)' H (x - p)   subject to  A x = b,   H = sum over segments D2' D2 + diag(w)
    [[2H, A'], [A, 0]] [x; lambda] = [2 H p; b]

as a scipy.sparse matrix and solves it with scipy.sparse.linalg.spsolve (SuperLU), timing the
assembly + solve of each problem (not the JSON reading). Prints one JSON object: per-problem
times, the total, and the largest |x_scipy - x_ts| over all problems.
"""
import json
import sys
import time

import numpy as np
import scipy
import scipy.sparse as sp
import scipy.sparse.linalg as spla


def second_differences(n, segments):
    rows, cols, vals = [], [], []
    r = 0
    for seg in segments:
        start, length = seg["start"], seg["length"]
        for i in range(start + 1, start + length - 1):
            rows += [r, r, r]
            cols += [i - 1, i, i + 1]
            vals += [1.0, -2.0, 1.0]
            r += 1
    return sp.csr_matrix((vals, (rows, cols)), shape=(r, n))


def kkt(problem):
    n = problem["n"]
    d2 = second_differences(n, problem["segments"])
    h = (d2.T @ d2) + sp.diags(np.asarray(problem["priorWeight"], dtype=float))
    rows, cols, vals, b = [], [], [], []
    for k, c in enumerate(problem["constraints"]):
        for index, weight in c["terms"]:
            rows.append(k)
            cols.append(index)
            vals.append(weight)
        b.append(c["target"])
    m = len(b)
    a = sp.csr_matrix((vals, (rows, cols)), shape=(m, n))
    prior = np.asarray(problem["prior"], dtype=float)
    matrix = sp.bmat([[2 * h, a.T], [a, None]], format="csc")
    rhs = np.concatenate([2 * (h @ prior), np.asarray(b, dtype=float)])
    return matrix, rhs


def main():
    data = json.load(open(sys.argv[1]))
    times = []
    max_diff = 0.0
    for item in data["problems"]:
        problem = item["problem"]
        started = time.perf_counter()
        matrix, rhs = kkt(problem)
        solution = spla.spsolve(matrix, rhs)
        times.append(time.perf_counter() - started)
        x = solution[: problem["n"]]
        diff = float(np.max(np.abs(x - np.asarray(item["x"], dtype=float))))
        max_diff = max(max_diff, diff)
    print(
        json.dumps(
            {
                "scipy": scipy.__version__,
                "numpy": np.__version__,
                "problems": len(times),
                "totalMs": sum(times) * 1000,
                "firstMs": times[0] * 1000 if times else None,
                "medianMs": float(np.median(times)) * 1000 if times else None,
                "maxAbsDiff": max_diff,
            }
        )
    )


if __name__ == "__main__":
    main()
