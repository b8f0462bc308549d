/**
 * The examples' one reading of their settings (STYLE.md habit 6: the environment is read in one
 * place and checked): the platform's URL from the first argument or CARBON_URL (default
 * http://localhost:3000, what `npm start` serves) and the bearer token from CARBON_TOKEN. The
 * remaining arguments are the example's own.
 */
export type ExampleSettings = { baseUrl: string; token: string | undefined; args: string[] }

export function exampleSettings(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): ExampleSettings {
  const baseUrl = argv[0] ?? env.CARBON_URL ?? 'http://localhost:3000'
  const protocol = URL.canParse(baseUrl) ? new URL(baseUrl).protocol : null
  if (protocol !== 'http:' && protocol !== 'https:') throw new Error(`The platform URL must be an http(s) URL, got "${baseUrl}" (first argument or CARBON_URL)`)
  const token = env.CARBON_TOKEN?.trim() || undefined
  return { baseUrl, token, args: argv.slice(1) }
}
