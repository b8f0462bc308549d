"""The SciPy peer of `npm run bench:curves` (run by scripts/bench-curves.ts, with Debian's python3-scipy).

Reads the curve problems the TypeScript solver just solved (JSON: packages/curves exportProblem, the
constraint matrix A also as CSR arrays, the rows to keep and the TypeScript solution x) and, per problem:

  (untimed) reading: the JSON, then each problem as numpy arrays (prior, weights, CSR of A, kept rows);
  assembly  builds the KKT system of the equality-constrained QP on the kept rows, vectorized:
                minimize (x - p)' H (x - p)  subject to  A_K x = b_K,   H = sum over segments D2' D2 + diag(w)
                [[2H, A_K'], [A_K, 0]] [x; lambda] = [2 H p; b_K]
            as a scipy.sparse CSC matrix (D2 per segment, H, A and its kept rows A_K, scipy.sparse.bmat)
            and its right-hand side;
  solve     scipy.sparse.linalg.spsolve (SuperLU, its default COLAMD ordering) on that system.

Which rows are kept (what the TypeScript side found, so both sides solve the same linear system):
  - every equality quote, except those the TypeScript solver dropped as redundant (with them the KKT
    matrix is singular and spsolve cannot solve it; SciPy does no rank detection of its own here);
  - every bid/ask band the TypeScript solver found active, as an equality at the bound it holds
    (spsolve is no QP solver: this is one linear solve at the final active set, not the active-set search).
Times each phase per problem (not the reading) and reports the largest |x_scipy - x_ts|.
Prints one JSON object.
"""
import gc
import json
import sys
import time

import numpy as np
import scipy
import scipy.sparse as sp
import scipy.sparse.linalg as spla


def second_differences(n, segments):
    pieces = []
    for seg in segments:
        start, length = seg["start"], seg["length"]
        if length >= 3:
            rows = np.repeat(np.arange(length - 2), 3)
            cols = (start + np.arange(length - 2))[:, None] + np.arange(3)[None, :]
            vals = np.tile(np.array([1.0, -2.0, 1.0]), length - 2)
            pieces.append(sp.csr_matrix((vals, (rows, cols.ravel())), shape=(length - 2, n)))
    return sp.vstack(pieces, format="csr") if pieces else sp.csr_matrix((0, n))


def compact(item):
    """One problem as numpy arrays (untimed: this is reading the input, as the JSON parse is)."""
    problem = item["problem"]
    csr = item["csr"]
    return {
        "n": problem["n"],
        "segments": problem["segments"],
        "prior": np.asarray(problem["prior"], dtype=float),
        "weight": np.asarray(problem["priorWeight"], dtype=float),
        "data": np.asarray(csr["data"], dtype=float),
        "indices": np.asarray(csr["indices"], dtype=np.int32),
        "indptr": np.asarray(csr["indptr"], dtype=np.int32),
        "keep": np.asarray([k for k, _ in item["keep"]], dtype=np.int64),
        "b": np.asarray([value for _, value in item["keep"]], dtype=float),
        "x": np.asarray(item["x"], dtype=float),
    }


def kkt(problem):
    n = problem["n"]
    d2 = second_differences(n, problem["segments"])
    h = (d2.T @ d2 + sp.diags(problem["weight"])).tocsr()
    a = sp.csr_matrix((problem["data"], problem["indices"], problem["indptr"]), shape=(len(problem["indptr"]) - 1, n))
    keep = problem["keep"]
    a_kept = a[keep] if len(keep) else sp.csr_matrix((0, n))
    matrix = sp.bmat([[2 * h, a_kept.T], [a_kept, None]], format="csc")
    rhs = np.concatenate([2 * (h @ problem["prior"]), problem["b"]])
    return matrix, rhs


def main():
    data = json.load(open(sys.argv[1]))
    problems = [compact(item) for item in data["problems"]]
    # The parsed JSON is millions of Python objects; kept alive, it made every spsolve call about five
    # times slower (measured: median 0.22 ms with it freed, 1.3 to 2.0 ms with 1,000 problems' lists
    # alive, presumably the allocator's doing). Only the compact arrays stay.
    del data
    gc.collect()
    assembly, solve = [], []
    max_diff = 0.0
    for problem in problems:
        started = time.perf_counter()
        matrix, rhs = kkt(problem)
        assembled = time.perf_counter()
        solution = spla.spsolve(matrix, rhs)
        solved = time.perf_counter()
        assembly.append(assembled - started)
        solve.append(solved - assembled)
        max_diff = max(max_diff, float(np.max(np.abs(solution[: problem["n"]] - problem["x"]))))
    both = [p + q for p, q in zip(assembly, solve)]
    ms = lambda values: {"medianMs": float(np.median(values)) * 1000, "totalMs": float(np.sum(values)) * 1000}
    print(
        json.dumps(
            {
                "scipy": scipy.__version__,
                "numpy": np.__version__,
                "problems": len(solve),
                "assembly": ms(assembly),
                "solve": ms(solve),
                "assemblyAndSolve": ms(both),
                "maxAbsDiff": max_diff,
            }
        )
    )


if __name__ == "__main__":
    main()
