import { PassThrough, type Readable } from 'node:stream'
import { ByteWriter, ParquetWriter, type ColumnSource, type SchemaElement } from 'hyparquet-writer'
import type { ExportColumn, ExportRow } from './columns.ts'

/**
 * Parquet through hyparquet-writer, streamed: rows are gathered into row groups of
 * `rowGroupRows`, each group is encoded and its bytes handed to the output stream at once (the
 * writer's flush after every group), so a large export never holds more than one group in memory.
 *
 * Types: TIMESTAMP(MILLIS, isAdjustedToUTC) for instants, DATE for dates, DOUBLE, INT32 and
 * STRING (UTF8), each OPTIONAL when the column may be null, REQUIRED otherwise. Snappy pages.
 */

export const DEFAULT_ROW_GROUP_ROWS = 100_000

/** The schema element of one column. */
export function schemaElement(column: ExportColumn): SchemaElement {
  const repetition_type = column.nullable ? 'OPTIONAL' : 'REQUIRED'
  switch (column.kind) {
    case 'string':
      return { name: column.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type }
    case 'timestamp':
      return {
        name: column.name,
        type: 'INT64',
        converted_type: 'TIMESTAMP_MILLIS',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
        repetition_type,
      }
    case 'date':
      return { name: column.name, type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' }, repetition_type }
    case 'double':
      return { name: column.name, type: 'DOUBLE', repetition_type }
    case 'int32':
      return { name: column.name, type: 'INT32', repetition_type }
  }
}

const DAY_MS = 86_400_000

/** A column's cells as the writer takes them: instants as BigInt ms, dates as days since the epoch. */
function columnData(column: ExportColumn, index: number, rows: readonly ExportRow[]): unknown[] {
  const out = new Array<unknown>(rows.length)
  for (let r = 0; r < rows.length; r++) {
    const value = rows[r]![index] ?? null
    if (value === null) {
      out[r] = null
      continue
    }
    switch (column.kind) {
      case 'timestamp':
        out[r] = BigInt(Math.round(Number(value)))
        break
      case 'date':
        out[r] = Math.floor(Date.parse(`${String(value)}T00:00:00Z`) / DAY_MS)
        break
      case 'double':
        out[r] = Number(value)
        break
      case 'int32':
        out[r] = Math.trunc(Number(value))
        break
      case 'string':
        out[r] = String(value)
        break
    }
  }
  return out
}

/** A ByteWriter whose bytes go to `output` after every row group (and at the end), with backpressure. */
class StreamingByteWriter extends ByteWriter {
  constructor(private readonly output: PassThrough) {
    super(1 << 20)
  }

  private push(): Promise<void> {
    if (this.index === 0) return Promise.resolve()
    const chunk = Buffer.from(this.buffer.slice(0, this.index))
    this.index = 0
    if (this.output.write(chunk)) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        this.output.off('drain', onDrain)
        this.output.off('close', onClose)
        if (error) reject(error)
        else resolve()
      }
      const onDrain = () => done()
      const onClose = () => done(new Error('the parquet output closed before the file was written'))
      this.output.once('drain', onDrain)
      this.output.once('close', onClose)
    })
  }

  flush(): Promise<void> {
    return this.push()
  }

  finish(): Promise<void> {
    return this.push()
  }
}

export type ParquetSink = {
  /** The file's bytes, as they are produced. */
  readonly stream: Readable
  /** Adds rows; resolves once any full row group is written (and the stream took its bytes). */
  write(rows: readonly ExportRow[]): Promise<void>
  /** Writes the last row group and the footer, then ends the stream. */
  end(): Promise<void>
}

/** A Parquet file of `columns`, written to `stream` a row group at a time. */
export function createParquetSink(columns: readonly ExportColumn[], options: { rowGroupRows?: number; createdBy?: string } = {}): ParquetSink {
  const rowGroupRows = options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS
  const output = new PassThrough({ highWaterMark: 1 << 20 })
  const writer = new StreamingByteWriter(output)
  const schema: SchemaElement[] = [{ name: 'root', num_children: columns.length }, ...columns.map(schemaElement)]
  const parquet = new ParquetWriter({ writer, schema, codec: 'SNAPPY', createdBy: options.createdBy ?? '254Carbon export (hyparquet-writer)' })
  let pending: ExportRow[] = []

  async function writeGroup(rows: readonly ExportRow[]): Promise<void> {
    if (rows.length === 0) return
    const data: ColumnSource[] = columns.map((column, i) => ({ name: column.name, data: columnData(column, i, rows) as ColumnSource['data'] }))
    await parquet.write({ columnData: data, rowGroupSize: rows.length })
  }

  return {
    stream: output,
    async write(rows) {
      for (const row of rows) {
        pending.push(row)
        if (pending.length >= rowGroupRows) {
          const group = pending
          pending = []
          await writeGroup(group)
        }
      }
    },
    async end() {
      const group = pending
      pending = []
      await writeGroup(group)
      await parquet.finish()
      output.end()
    },
  }
}
