/**
 * The committed schema snapshots (`packages/schemas/schemas/`): their file names and their exact
 * text. Pure (no file system): `scripts/write-schemas.ts` writes what this renders and the tests
 * compare the committed files with it.
 */
import { PRICE_RECORD_AVRO, priceRecordJsonSchema } from './formats.ts'
import { PRICE_RECORD_VERSION } from './price-record.ts'

/** The command that regenerates the snapshots, for messages. */
export const WRITE_SCHEMAS_COMMAND = 'npm run schemas:write -w @carbon/schemas'

export const jsonSchemaSnapshotName = (version: number) => `price-record.v${version}.schema.json`
export const avroSnapshotName = (version: number) => `price-record.v${version}.avsc`

/** The version of a snapshot file name, or undefined for other files. */
export function snapshotVersion(fileName: string): { version: number; kind: 'json-schema' | 'avro' } | undefined {
  const match = /^price-record\.v([1-9]\d*)\.(schema\.json|avsc)$/.exec(fileName)
  if (!match) return undefined
  return { version: Number(match[1]), kind: match[2] === 'avsc' ? 'avro' : 'json-schema' }
}

/**
 * JSON with object keys sorted at every depth (array order kept: Avro field order is part of the
 * binary format), two-space indent and a trailing newline.
 */
export function stableJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort)
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      )
    }
    return v
  }
  return `${JSON.stringify(sort(value), null, 2)}\n`
}

export type SnapshotFile = { fileName: string; text: string }

/** The snapshot files of the current PRICE_RECORD_VERSION. */
export function currentSchemaSnapshots(): SnapshotFile[] {
  return [
    { fileName: jsonSchemaSnapshotName(PRICE_RECORD_VERSION), text: stableJson(priceRecordJsonSchema()) },
    { fileName: avroSnapshotName(PRICE_RECORD_VERSION), text: stableJson(PRICE_RECORD_AVRO) },
  ]
}

/**
 * The snapshot with its documentation (`doc`, `description`) removed, so a reworded description
 * is told apart from a change consumers can see. Names under a JSON Schema `properties` object
 * are field names, not annotations, and are kept.
 */
export function withoutDocs(value: unknown, parentKey?: string): unknown {
  if (Array.isArray(value)) return value.map((v) => withoutDocs(v))
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => parentKey === 'properties' || (k !== 'doc' && k !== 'description'))
      .map(([k, v]) => [k, withoutDocs(v, parentKey === 'properties' ? undefined : k)]),
  )
}

export type SnapshotMismatch = { kind: 'missing' | 'documentation' | 'contract'; message: string }

/**
 * How a committed snapshot differs from the generated one, or undefined when it does not.
 * `committed` is undefined when the file does not exist. A difference in documentation only is
 * refreshed without a version bump; any other difference needs one.
 */
export function snapshotMismatch(fileName: string, committed: string | undefined, generated: string): SnapshotMismatch | undefined {
  if (committed === generated) return undefined
  if (committed === undefined) {
    return { kind: 'missing', message: `${fileName} is not committed. Run \`${WRITE_SCHEMAS_COMMAND}\` and commit packages/schemas/schemas/.` }
  }
  let sameContract = false
  try {
    sameContract = stableJson(withoutDocs(JSON.parse(committed))) === stableJson(withoutDocs(JSON.parse(generated)))
  } catch {
    // A committed file that is not JSON is a contract difference.
  }
  if (sameContract) {
    return {
      kind: 'documentation',
      message: `Descriptions in ${fileName} are out of date (the contract is unchanged). Run \`${WRITE_SCHEMAS_COMMAND}\` to refresh it; no version bump is needed.`,
    }
  }
  return {
    kind: 'contract',
    message:
      `PriceRecord no longer matches the committed snapshot ${fileName} (version ${PRICE_RECORD_VERSION}). ` +
      'A change consumers can see needs a new version: bump PRICE_RECORD_VERSION in packages/schemas/src/price-record.ts, ' +
      `run \`${WRITE_SCHEMAS_COMMAND}\` and commit the new snapshots. Never edit the snapshot of a released version.`,
  }
}
