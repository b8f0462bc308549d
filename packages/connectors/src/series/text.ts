/** UTF-8 text of a file's bytes, a leading byte-order mark dropped. */
export function textOf(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes)
}
