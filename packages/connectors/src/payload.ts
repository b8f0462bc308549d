import { unzipSync } from 'fflate'
import { ParseError } from './errors.ts'

/** One text document of a publisher payload (a file, or one entry of a zip). */
export type PayloadDocument = { file: string; text: string }

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04]
const EMPTY_ZIP_MAGIC = [0x50, 0x4b, 0x05, 0x06]

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => bytes[i] === b)
}

/**
 * The documents of a publisher payload: a CAISO OASIS answer is a zip holding one CSV (or one per
 * component, or an XML error document); everything else is one UTF-8 text. A truncated or corrupt
 * zip is a ParseError naming the file, never a crash or a silent empty result.
 */
export function unpackPayload(bytes: Uint8Array, file: string): PayloadDocument[] {
  if (!startsWith(bytes, ZIP_MAGIC) && !startsWith(bytes, EMPTY_ZIP_MAGIC)) {
    return [{ file, text: new TextDecoder('utf-8').decode(bytes) }]
  }
  let entries: Record<string, Uint8Array>
  try {
    entries = unzipSync(bytes)
  } catch (error) {
    throw new ParseError({
      file,
      line: 0,
      field: '(zip)',
      value: `${bytes.length} bytes`,
      reason: `truncated or corrupt zip: ${error instanceof Error ? error.message : String(error)}`,
    })
  }
  const names = Object.keys(entries).filter((name) => !name.endsWith('/'))
  if (names.length === 0) {
    throw new ParseError({ file, line: 0, field: '(zip)', value: '', reason: 'the zip holds no file' })
  }
  return names.sort().map((name) => ({ file: `${file}!${name}`, text: new TextDecoder('utf-8').decode(entries[name]) }))
}
