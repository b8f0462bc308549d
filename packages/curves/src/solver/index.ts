/** The forward-curve solver's public API: problem shape, the structured KKT solver and the dense reference. */
export {
  type CurveConstraint,
  type CurveProblem,
  type CurveSegment,
  type ExportedCurveProblem,
  constraintValue,
  curveObjective,
  exportProblem,
  importProblem,
  validateProblem,
} from './problem.ts'
export {
  type BandedCholesky,
  type SymmetricBandedMatrix,
  CURVE_BANDWIDTH,
  addToBanded,
  bandedEntry,
  buildCurveHessian,
  choleskyBanded,
  createBandedMatrix,
  multiplyBanded,
  solveBandedCholesky,
} from './banded.ts'
export { type CurveConflict, type CurveSolution, type CurveSolveOptions, CurveConflictError, solveCurveProblem } from './kkt.ts'
export { type DenseKkt, buildDenseKkt, solveCurveProblemDense, solveDenseLinearSystem } from './dense.ts'
