/**
 * Example: REC quotes uploaded as a CSV through the typed client (REST: POST /api/v1/series/upload),
 * the refused rows by line, field and value, then the stored quotes read back.
 *
 *   CARBON_TOKEN=cbn_... npx tsx packages/sdk/examples/rec-upload.ts [baseUrl] [quotes.csv]
 *
 * The CSV has the layout of the hub's template (/recs/template):
 * date,state,program,class,vintage,price,bid,ask,source_note; without a file, two quotes of NJ
 * solar RECs are sent, the second with a misspelt class, which is refused. The token needs the
 * scopes write:series and read:prices, your account the analyst role, and your organization RECs
 * through the API (the demo's Lakeshore Quant has them). baseUrl defaults to CARBON_URL or
 * http://localhost:3000 (start the platform with `npm start`).
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { createCarbonClient, isCarbonError } from '../src/index.ts'
import { exampleSettings } from './settings.ts'

const { baseUrl, token, args } = exampleSettings()
const client = createCarbonClient({ baseUrl, token })

const today = new Date().toISOString().slice(0, 10)
const year = Number(today.slice(0, 4))
const SAMPLE = [
  'date,state,program,class,vintage,price,bid,ask,source_note',
  `${today},NJ,RPS,SOLAR,${year + 1},194.00,192.00,196.00,broker indication`,
  `${today},NJ,RPS,Solar carve-out,${year + 1},193.50,,,misspelt class: refused`,
].join('\n')

/** The file named on the command line, else the sample. */
async function quotes(): Promise<{ file: string; csv: string }> {
  const given = args[0]
  if (!given) return { file: `rec_quotes_${today}.csv`, csv: SAMPLE }
  return { file: path.basename(given), csv: await readFile(given, 'utf8') }
}

async function main() {
  const { file, csv } = await quotes()
  const answer = await client.series.upload.mutate({ product: 'REC', source: 'carbon.rec_prices_csv', file, csv })
  console.log(`${answer.file}: ${answer.status}, ${answer.records} quotes sent to the store, ${answer.issues} refused (ingest run ${answer.runId})`)
  for (const row of answer.refused) console.log(`  line ${row.line ?? '-'}, ${row.field} = ${JSON.stringify(row.value)}: ${row.reason}`)
  if (answer.records === 0) return

  // The series consumer stores the quotes within seconds.
  await new Promise((resolve) => setTimeout(resolve, 3_000))
  const { series } = await client.series.list.query({ product: 'REC' })
  console.log('\nREC series stored:')
  for (const s of series) console.log(`  ${s.series.padEnd(22)} ${s.count} quotes, latest ${s.lastValue} ${s.unit} (${s.last.slice(0, 10)})`)
}

main().catch((error: unknown) => {
  if (isCarbonError(error)) console.error(`254Carbon answered ${error.data?.httpStatus ?? ''} ${error.message}`)
  else console.error(error)
  process.exit(1)
})
