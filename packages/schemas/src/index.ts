export * from './price-record.ts'
export * from './markets.ts'
export * from './calendar.ts'
export * from './price-record-check.ts'
