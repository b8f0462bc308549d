/**
 * Example: export a week of MISO Indiana Hub day-ahead prices as a file (download center), poll the
 * job until it is done and download it through its short-lived signed link.
 *
 *   CARBON_TOKEN=... npx tsx packages/sdk/examples/exports.ts [baseUrl] [csv|parquet]
 *
 * The credential needs the MISO downloads entitlement (and, through the API, MISO's API channel):
 * a personal access token with read:prices, or a client-credentials token of a service. On the
 * embedded demo the development provider's service client `lakeshore-quant-service` has both, so
 * its credentials alone will do:
 *
 *   CARBON_TOKEN=$(curl -s -u lakeshore-quant-service:dev-service-secret-change-me \
 *     -d grant_type=client_credentials -d 'scope=read:prices read:curves' \
 *     http://localhost:3000/dev-idp/token | node -pe 'JSON.parse(fs.readFileSync(0)).access_token')
 *
 * Over plain REST the same is POST /api/v1/exports with the JSON body below (answer: the job and
 * its `id`), then GET /api/v1/exports/{id} until `status` is done, then GET its `url` (valid for
 * at most 15 minutes: ask GET /api/v1/exports/{id} again for a fresh one).
 */
import { writeFile } from 'node:fs/promises'
import { createCarbonClient, isCarbonError } from '../src/index.ts'
import { exampleSettings } from './settings.ts'

const { baseUrl, token, args } = exampleSettings()
const client = createCarbonClient({ baseUrl, token })
const format = args[0] === 'parquet' ? 'parquet' : 'csv'

async function main() {
  const to = new Date()
  to.setUTCHours(0, 0, 0, 0)
  const from = new Date(to.getTime() - 7 * 86_400_000)
  const request = {
    dataset: 'prices',
    market: 'MISO',
    nodes: 'INDIANA.HUB',
    run: 'DA',
    from: from.toISOString(),
    to: to.toISOString(),
    format,
  } as const

  const estimate = await client.exports.estimate.mutate(request)
  console.log(`${estimate.filename}: about ${estimate.rows} rows, ${(estimate.bytes / 1024).toFixed(0)} KiB`)
  if (!estimate.withinLimits) throw new Error(`not within the limits: ${estimate.limitReason}`)

  const queued = await client.exports.create.mutate(request)
  let job = queued
  while (job.status === 'queued' || job.status === 'running') {
    process.stdout.write(`  ${job.status} ${(job.progress * 100).toFixed(0)} %\r`)
    await new Promise((resolve) => setTimeout(resolve, 500))
    job = await client.exports.get.query({ id: queued.id })
  }
  if (job.status !== 'done' || !job.url) throw new Error(`export ${job.id} ${job.status}: ${job.error ?? 'no file'}`)
  console.log(`Export ${job.id} done: ${job.rows} rows, ${job.bytes} bytes (sha256 ${job.sha256}); link valid until ${job.urlExpiresAt}`)

  // The signed link needs no credential: it is the credential, for a few minutes.
  const response = await fetch(job.url)
  if (!response.ok) throw new Error(`download answered ${response.status}`)
  await writeFile(job.filename, Buffer.from(await response.arrayBuffer()))
  console.log(`Saved ${job.filename}`)
}

main().catch((error: unknown) => {
  if (isCarbonError(error)) console.error(`254Carbon answered ${error.data?.httpStatus ?? ''} ${error.message}`)
  else console.error(error)
  process.exit(1)
})
