/**
 * Example: follow live MISO real-time hub prices and print each one as it arrives.
 *
 *   CARBON_TOKEN=cbn_... npx tsx packages/sdk/examples/live-prices.ts [baseUrl] [market] [runs] [types]
 *
 * baseUrl defaults to CARBON_URL or http://localhost:3000 (start the platform with `npm start`: it
 * ingests from the publisher simulator, so prices keep coming). Stop with Ctrl-C. If the connection
 * drops, or the stream reaches its maximum lifetime, the SDK reconnects and resumes after the last
 * event it received; if access ends (token revoked, entitlement removed) it reports why and exits.
 */
import { createCarbonClient, isCarbonError, type RouterInputs } from '../src/index.ts'
import { exampleSettings } from './settings.ts'

type LiveInput = RouterInputs['prices']['live']

const { baseUrl, token, args } = exampleSettings()
const input: LiveInput = {
  market: (args[0] ?? 'MISO') as LiveInput['market'],
  runs: args[1] ?? 'RT5',
  types: args[2] ?? 'hub',
}
const carbon = createCarbonClient({ baseUrl, token })

const subscription = carbon.prices.live.subscribe(input, {
  onStarted() {
    console.log(`Following ${input.market} ${input.runs} ${input.types} prices from ${baseUrl} (Ctrl-C to stop)`)
  },
  onData({ id, data }) {
    if (data.type === 'reset') console.log(`[reset] ${data.reason ?? ''}: reload your snapshot (e.g. prices.latest)`)
    if (data.type === 'skipped') console.log(`[skipped] ${data.skipped} updates dropped while this client was behind; latest values follow`)
    // max_lifetime: the SDK reconnects from this event's id by itself; any other reason: access ended (onError follows).
    if (data.type === 'end') console.log(`[end] ${data.reason ?? ''}${data.reason === 'max_lifetime' ? ': reconnecting' : ''}`)
    for (const p of data.prices) {
      const components = [p.energy, p.congestion, p.loss].map((v) => (v === null ? '-' : v.toFixed(2))).join(' / ')
      console.log(
        `${p.intervalStart}  ${p.node.padEnd(16)} ${p.run.padEnd(4)} ${p.lmp.toFixed(2).padStart(9)} $/MWh  (E/C/L ${components})  event ${id}`,
      )
    }
  },
  onError(error) {
    if (isCarbonError(error)) console.error(`254Carbon answered ${error.data?.httpStatus ?? ''} ${error.message}`)
    else console.error(error)
    process.exit(1)
  },
})

process.once('SIGINT', () => {
  subscription.unsubscribe()
  process.exit(0)
})
