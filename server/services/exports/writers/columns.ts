/**
 * The typed columns of an export, shared by the CSV and Parquet writers: each dataset declares its
 * columns once, and both formats follow them (names, order, types, nullability).
 *
 * Cell values a source hands the writers:
 * - 'string': a string;
 * - 'timestamp': milliseconds since the epoch (an instant, written as UTC);
 * - 'date': a calendar date `YYYY-MM-DD`;
 * - 'double': a finite number;
 * - 'int32': an integer in the signed 32-bit range;
 * and null where the column is nullable.
 */
export type ColumnKind = 'string' | 'timestamp' | 'date' | 'double' | 'int32'

export type ExportColumn = { name: string; kind: ColumnKind; nullable: boolean }

export type Cell = string | number | null

/** One row: a cell per column, in column order. */
export type ExportRow = readonly Cell[]

/** Column declarations in a compact form: `col('lmp', 'double', true)`. */
export function col(name: string, kind: ColumnKind, nullable = false): ExportColumn {
  return { name, kind, nullable }
}

/** The MIME type of each format (the object's Content-Type, and so the download's). */
export const CONTENT_TYPES = { csv: 'text/csv; charset=utf-8', parquet: 'application/vnd.apache.parquet' } as const
