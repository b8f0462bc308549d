/**
 * `npx tsx scripts/bench-curves-profile.ts [solve|build|prepare] [demo|bands|redundant] [rounds]`: a
 * profiling harness for the curve builder (run it under `node --cpu-prof --import tsx`): times one
 * phase over 200 curves of a quote set (scripts/bench-curves-sets.ts), round after round, and prints
 * the mean per curve of each round. Measures only.
 */
import { buildCurve, curveProblem, solveCurveProblem } from '@carbon/curves'
import { curveInputs, QUOTE_SETS, type QuoteSet } from './bench-curves-sets.ts'

const phase = process.argv[2] ?? 'solve'
const set = (process.argv[3] ?? 'demo') as QuoteSet
const rounds = Number(process.argv[4] ?? 10)
if (!QUOTE_SETS.includes(set)) throw new Error(`unknown quote set ${set}: ${QUOTE_SETS.join(', ')}`)
const inputs = curveInputs(set, 0, 200)
const problems = inputs.map(curveProblem)
const run: Record<string, () => void> = {
  solve: () => problems.forEach((p) => solveCurveProblem(p)),
  build: () => inputs.forEach((i) => buildCurve(i)),
  prepare: () => inputs.forEach((i) => curveProblem(i)),
}
const step = run[phase]
if (step === undefined) throw new Error(`unknown phase ${phase}: solve, build or prepare`)
// CPU time of this thread (user + system) as well as wall time: on a busy machine the CPU time is
// the steadier of the two.
const wall: number[] = []
const cpu: number[] = []
for (let r = 0; r < rounds; r++) {
  const started = performance.now()
  const usage = process.cpuUsage()
  step()
  const spent = process.cpuUsage(usage)
  wall.push((performance.now() - started) / inputs.length)
  cpu.push((spent.user + spent.system) / 1000 / inputs.length)
}
const show = (values: number[]) => values.map((t) => t.toFixed(3)).join(' ')
process.stdout.write(`${phase} ${set} ms per curve by round, wall: ${show(wall)}\n  cpu: ${show(cpu)}\n`)
