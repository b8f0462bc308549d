import { PassThrough, type Readable } from 'node:stream'
import type { ExportFormat } from '../schemas.ts'
import type { ExportColumn, ExportRow } from './columns.ts'
import { csvHeader, csvLines } from './csv.ts'
import { createParquetSink } from './parquet.ts'

export * from './columns.ts'
export { csvHeader, csvLines, csvText, isoUtc, plainNumber } from './csv.ts'
export { createParquetSink, DEFAULT_ROW_GROUP_ROWS, schemaElement, type ParquetSink } from './parquet.ts'

/** A file being written in one format: rows in, bytes out of `stream` (for the object store's put). */
export type FileSink = {
  readonly stream: Readable
  write(rows: readonly ExportRow[]): Promise<void>
  end(): Promise<void>
}

/** Writes a chunk, waiting for the stream to drain when its buffer is full. */
function writeWithBackpressure(output: PassThrough, chunk: string): Promise<void> {
  if (output.write(chunk, 'utf8')) return Promise.resolve()
  return new Promise<void>((resolve, reject) => {
    const onDrain = () => {
      output.off('close', onClose)
      resolve()
    }
    const onClose = () => {
      output.off('drain', onDrain)
      reject(new Error('the CSV output closed before the file was written'))
    }
    output.once('drain', onDrain)
    output.once('close', onClose)
  })
}

/** CSV: the header at once, then the rows as they come. */
export function createCsvSink(columns: readonly ExportColumn[]): FileSink {
  const output = new PassThrough({ highWaterMark: 1 << 20 })
  output.write(csvHeader(columns), 'utf8')
  return {
    stream: output,
    write: (rows) => (rows.length === 0 ? Promise.resolve() : writeWithBackpressure(output, csvLines(columns, rows))),
    async end() {
      output.end()
    },
  }
}

/** The sink of a format. `rowGroupRows` sizes Parquet row groups (default 100,000). */
export function createFileSink(format: ExportFormat, columns: readonly ExportColumn[], options: { rowGroupRows?: number } = {}): FileSink {
  return format === 'csv' ? createCsvSink(columns) : createParquetSink(columns, options)
}
