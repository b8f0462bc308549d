/**
 * Example: save a scenario that extends the house base, run it (deterministic, then a small Monte
 * Carlo), poll until done, and print its MISO Indiana Hub prices against the base run.
 *
 *   CARBON_TOKEN=cbn_... npx tsx packages/sdk/examples/scenarios.ts [baseUrl]
 *
 * The token needs the scopes read:curves and write:curves (and your account the analyst role);
 * baseUrl defaults to CARBON_URL or http://localhost:3000 (start the platform with `npm start`).
 */
import { createCarbonClient, isCarbonError } from '../src/index.ts'
import { exampleSettings } from './settings.ts'

const { baseUrl, token } = exampleSettings()
const client = createCarbonClient({ baseUrl, token })

const TEXT = `# Gas at 5 $/MMBtu from 2027 and a carbon price from 2030
scenario "SDK example: high gas and carbon" extends "base"
set fuel.gas = 5.00 $/MMBtu from 2027-01 escalate 2 %/yr
set policy.carbon = 30 $/t from 2030-01 escalate 3 %/yr
`

type Run = Awaited<ReturnType<typeof client.scenarios.status.query>>

/** Polls a run until it is done or failed, printing its progress. */
async function untilFinished(runId: string): Promise<Run> {
  for (;;) {
    const run = await client.scenarios.status.query({ runId })
    if (run.status === 'done' || run.status === 'failed') return run
    process.stdout.write(`  ${run.status} ${(run.progress * 100).toFixed(0)} %\r`)
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}

async function main() {
  const check = await client.scenarios.validate.mutate({ text: TEXT })
  if (!check.ok) {
    for (const d of check.diagnostics) console.error(`${d.file}:${d.line}:${d.col}: ${d.message}`)
    process.exit(2)
  }
  const saved = await client.scenarios.save.mutate({ text: TEXT })
  console.log(`Saved scenario ${saved.id}, version ${saved.version}${saved.created ? '' : ' (unchanged)'}`)

  const queued = await client.scenarios.run.mutate({ id: saved.id, mode: 'deterministic' })
  const run = await untilFinished(queued.runId)
  if (run.status === 'failed') throw new Error(`run ${run.runId} failed: ${run.error}`)
  console.log(`Run ${run.runId} done (engine ${run.engineVersion}, base data ${run.baseDataVersion})`)
  console.log(`  lineage: ${run.lineage.chain.map((l) => `${l.name} v${l.version}`).join(' <- ')}`)

  const diff = await client.scenarios.diff.query({ a: 'base', b: run.runId, market: 'MISO' })
  console.log('\nChanged assumptions:')
  for (const change of diff.assumptions) console.log(`  ${change.target}: ${change.a ?? '(none)'}  ->  ${change.b ?? '(none)'}`)
  console.log('\nMISO Indiana Hub on-peak, each January ($/MWh): base -> this scenario')
  for (const row of diff.prices.filter((p) => p.hub === 'INDIANA.HUB' && p.block === 'onpeak' && p.month.endsWith('-01') && Number(p.month.slice(0, 4)) % 5 === 0)) {
    console.log(`  ${row.month}  ${row.a.toFixed(2).padStart(7)} -> ${row.b.toFixed(2).padStart(7)}  (${row.deltaPct === null ? '-' : `${row.deltaPct.toFixed(1)} %`})`)
  }

  const mc = await untilFinished((await client.scenarios.run.mutate({ id: saved.id, mode: 'montecarlo', draws: 100, seed: 42 })).runId)
  const { prices } = await client.scenarios.results.query({ runId: mc.runId, market: 'MISO', from: '2035-01', to: '2035-12' })
  const july = prices.find((p) => p.hub === 'INDIANA.HUB' && p.block === 'onpeak' && p.month === '2035-07')
  if (july) console.log(`\nMonte Carlo (100 draws, seed 42), Indiana Hub on-peak 2035-07: P10 ${july.p10.toFixed(2)}  P50 ${july.p50.toFixed(2)}  P90 ${july.p90.toFixed(2)} $/MWh`)
}

main().catch((error: unknown) => {
  if (isCarbonError(error)) console.error(`254Carbon answered ${error.data?.httpStatus ?? ''} ${error.message}`)
  else console.error(error)
  process.exit(1)
})
