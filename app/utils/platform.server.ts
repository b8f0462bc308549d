/**
 * The hub's door to the server: loaders import the platform and the service functions from
 * here (a *.server.ts file, so none of it reaches the browser bundle).
 */
export { getPlatform } from '#server/platform.ts'
export { listMarkets } from '#server/services/markets/index.ts'
export { getNode, listNodes, searchNodes } from '#server/services/nodes/index.ts'
export { latestPrices, priceHistory } from '#server/services/prices/index.ts'
export { isAppError, AppError } from '#server/errors.ts'
