/**
 * @carbon/compliance: compliance tracking per organization, framework-free and pure. Programs
 * (California LCFS, state RPS with carve-outs), their compliance years and banking windows;
 * obligations (deficits, or retail sales x percentage), holdings and retirements; positions
 * (holdings - remaining obligation) valued at the latest price, exact to the unit and the cent.
 */
export { ComplianceError, type ComplianceErrorCode, type ComplianceErrorDetails } from './errors.ts'
export {
  ProgramDefinition,
  ProgramClass,
  LcfsProgram,
  RpsProgram,
  ProgramId,
  ClassName,
  Year,
  periodRange,
  periodOf,
  vintageIneligibility,
  CA_LCFS,
  NJ_RPS,
  PROGRAMS,
  type ProgramDefinitionInput,
} from './programs.ts'
export {
  ComplianceInput,
  Obligation,
  DeficitObligation,
  RetailSalesObligation,
  CarveOut,
  HoldingLot,
  Retirement,
  LatestPrice,
  MAX_QUANTITY,
  MAX_PRICE,
  type ComplianceInputIn,
} from './inputs.ts'
export { compliancePositions, Position, ExcludedLot } from './positions.ts'
export {
  QUANTITY_DECIMALS,
  PERCENT_DECIMALS,
  scaledDecimal,
  hasAtMostDecimals,
  divideRounded,
  wholeUnits,
  unitsOfShare,
  toCents,
  dollarsOf,
  type ObligationRounding,
} from './quantity.ts'
