import { yieldToEventLoop } from '../../time-slice.ts'

/**
 * ClickHouse's RowBinary format, written straight into one growing Buffer: the store's fastest
 * input (no text to parse: a server or chDB reads each value at its width). Values are written in
 * the INSERT's column order, each column's type decided by the caller:
 *
 *   String                 LEB128 byte length, then the UTF-8 bytes (LowCardinality(String) alike)
 *   UInt16, UInt64         2 or 8 bytes little-endian
 *   Float64                8 bytes IEEE 754 little-endian
 *   DateTime64(3)          Int64 little-endian, milliseconds since the epoch
 *   Nullable(T)            1 byte, 1 for NULL (and nothing follows), else 0 and T
 *
 * A value that does not fit its type (a non-integer time, an out-of-range UInt16) is refused with
 * a RangeError naming it: RowBinary has no delimiters, so a wrong width would shift every later
 * value of the insert.
 */
export class RowBinaryWriter {
  private buffer: Buffer
  private offset = 0

  constructor(initialBytes = 64 * 1024) {
    this.buffer = Buffer.allocUnsafe(Math.max(16, initialBytes))
  }

  get length(): number {
    return this.offset
  }

  /** The bytes written so far (a view: valid until the next write). */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.offset)
  }

  string(value: string): void {
    // Most values here are short ASCII (node names, markets): written byte by byte, which beats
    // a call into the UTF-8 encoder per value. Anything else goes through Buffer.write.
    const length = value.length
    this.reserve(length * 3 + 10)
    const buffer = this.buffer
    if (length < 128) {
      let at = this.offset + 1
      let ascii = true
      for (let i = 0; i < length; i++) {
        const code = value.charCodeAt(i)
        if (code >= 0x80) {
          ascii = false
          break
        }
        buffer[at++] = code
      }
      if (ascii) {
        buffer[this.offset] = length
        this.offset = at
        return
      }
    }
    const byteLength = Buffer.byteLength(value, 'utf8')
    this.varUInt(byteLength)
    this.offset += buffer.write(value, this.offset, 'utf8')
  }

  uint16(value: number): void {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new RangeError(`not a UInt16: ${value}`)
    this.reserve(2)
    this.buffer.writeUInt16LE(value, this.offset)
    this.offset += 2
  }

  /** UInt64 from its decimal text (bus offsets are strings: they may pass 2^53). */
  uint64(text: string): void {
    // Up to 15 digits a Number holds the value exactly: no BigInt per row.
    if (text.length <= 15 && /^\d+$/.test(text)) return this.safeInteger64(Number(text))
    const value = BigInt(text)
    if (value < 0n || value > 0xffff_ffff_ffff_ffffn) throw new RangeError(`not a UInt64: ${text}`)
    this.reserve(8)
    this.buffer.writeBigUInt64LE(value, this.offset)
    this.offset += 8
  }

  float64(value: number): void {
    this.reserve(8)
    this.buffer.writeDoubleLE(value, this.offset)
    this.offset += 8
  }

  nullableFloat64(value: number | null): void {
    this.nullMarker(value === null)
    if (value !== null) this.float64(value)
  }

  /** DateTime64(3): whole milliseconds since the epoch, as a signed 64-bit integer. */
  dateTime64ms(ms: number): void {
    if (!Number.isSafeInteger(ms)) throw new RangeError(`not a time in whole milliseconds: ${ms}`)
    this.safeInteger64(ms)
  }

  nullableDateTime64ms(ms: number | null): void {
    this.nullMarker(ms === null)
    if (ms !== null) this.dateTime64ms(ms)
  }

  /** A safe integer as 64 bits little-endian, two's complement: no BigInt per value. */
  private safeInteger64(value: number): void {
    this.reserve(8)
    const high = Math.floor(value / 0x1_0000_0000)
    this.buffer.writeUInt32LE(value - high * 0x1_0000_0000, this.offset)
    this.buffer.writeInt32LE(high, this.offset + 4)
    this.offset += 8
  }

  /** Nullable(T)'s leading byte: 1 for NULL (nothing follows), 0 before a value. */
  private nullMarker(isNull: boolean): void {
    this.reserve(1)
    this.buffer[this.offset++] = isNull ? 1 : 0
  }

  private varUInt(value: number): void {
    this.reserve(10)
    let rest = value
    while (rest >= 0x80) {
      this.buffer[this.offset++] = (rest & 0x7f) | 0x80
      rest = Math.floor(rest / 128)
    }
    this.buffer[this.offset++] = rest
  }

  private reserve(bytes: number): void {
    if (this.offset + bytes <= this.buffer.length) return
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.offset + bytes))
    this.buffer.copy(grown, 0, 0, this.offset)
    this.buffer = grown
  }
}

/**
 * Items as RowBinary bytes for insertEncoded(..., 'RowBinary'): `writeRow` writes one item's
 * values in the insert's column order. Written in slices of about `sliceMs` with a turn of the
 * event loop between them, so a large batch never holds up the process's requests for long.
 */
export async function encodeRowBinary<T>(items: readonly T[], writeRow: (writer: RowBinaryWriter, item: T, index: number) => void, sliceMs = 5): Promise<Buffer> {
  const writer = new RowBinaryWriter(items.length * 96)
  let i = 0
  while (i < items.length) {
    if (i > 0) await yieldToEventLoop()
    const until = performance.now() + sliceMs
    do {
      writeRow(writer, items[i]!, i)
      i++
      // The clock is read every 64 rows: reading it per row would cost more than a short row.
    } while (i < items.length && ((i & 63) !== 0 || performance.now() < until))
  }
  return writer.bytes()
}
