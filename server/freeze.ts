/**
 * Freezes an object and everything it holds, for values handed to many callers from one cache:
 * a caller that changed one in place would throw (ES modules are strict) instead of changing
 * every later caller's value.
 */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value
  Object.freeze(value)
  for (const child of Object.values(value)) deepFreeze(child)
  return value
}
