/**
 * Writes the schema snapshots of the current PRICE_RECORD_VERSION to packages/schemas/schemas/:
 * `price-record.v<N>.schema.json` (JSON Schema) and `price-record.v<N>.avsc` (Avro).
 *
 *   npm run schemas:write -w @carbon/schemas            write missing snapshots
 *   npm run schemas:write -w @carbon/schemas -- --check  exit 1 when a snapshot is missing or differs
 *   npm run schemas:write -w @carbon/schemas -- --force  overwrite a differing snapshot (only while
 *                                                        version N is unreleased)
 *
 * A committed snapshot whose contract differs from the generated one is not overwritten without
 * --force: the snapshot of a released version is a promise to consumers, and the fix is a version
 * bump. A snapshot whose descriptions alone differ is refreshed.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { currentSchemaSnapshots, snapshotMismatch } from '../src/schema-snapshots.ts'

const dir = fileURLToPath(new URL('../schemas/', import.meta.url))
const args = new Set(process.argv.slice(2))
const check = args.has('--check')
const force = args.has('--force')

let failed = false
mkdirSync(dir, { recursive: true })
for (const { fileName, text } of currentSchemaSnapshots()) {
  const path = `${dir}${fileName}`
  const committed = existsSync(path) ? readFileSync(path, 'utf8') : undefined
  const mismatch = snapshotMismatch(fileName, committed, text)
  if (!mismatch) {
    console.log(`${fileName}: up to date`)
  } else if (check || (mismatch.kind === 'contract' && !force)) {
    const hint = check ? '' : '\n(While this version is unreleased, --force overwrites the snapshot.)'
    console.error(`${mismatch.message}${hint}`)
    failed = true
  } else {
    writeFileSync(path, text)
    console.log(`${fileName}: written`)
  }
}
if (failed) process.exitCode = 1
