export * from './price-record.ts'
export * from './markets.ts'
export * from './calendar.ts'
