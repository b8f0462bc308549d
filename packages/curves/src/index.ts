/**
 * @carbon/curves: forward curves from traded quotes. Framework-free, no native dependency.
 *
 * calendar.ts  months and exact hours per block (NERC on-peak, DST, holidays) per market
 * contracts.ts contract codes: 2027-01, 2027-Q3, Cal-2028, 2027-01/2027-03
 * quotes.ts    quotes from CSV or JSON, validated with line/field/contract errors
 * prior.ts     the escalation prior (placeholder where no scenario prices are given or cover a month)
 * scenario-prior.ts a fundamentals scenario's hub prices as the prior: scaled to the quotes, fading to the scenario
 * solver/      the maximum-smoothness QP through its KKT system (banded Cholesky + Schur
 *              complement), bid/ask bands by an active set, conflicts named
 * build.ts     quotes -> monthly curve to 2050-12 (on-peak, off-peak, ATC)
 * fuel.ts      gas and LNG basis quotes -> one $/MMBtu price per month to 2050-12, days-weighted
 * views.ts     hours-weighted quarters and calendar years
 */
export * from './build.ts'
export * from './calendar.ts'
export * from './contracts.ts'
export * from './errors.ts'
export * from './fuel.ts'
export * from './prior.ts'
export * from './quotes.ts'
export * from './scenario-prior.ts'
export * from './solver/index.ts'
export * from './views.ts'
