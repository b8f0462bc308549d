import type { LoaderFunctionArgs } from '@remix-run/node'
import { completeSignIn } from '#app/utils/auth.server.ts'

/**
 * The OpenID Connect redirect URI: state, PKCE, id_token and nonce are checked, the user is
 * provisioned and a new session starts; then back to the page that asked for sign-in.
 * Any failure lands on /auth/login?error=<code>.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  return completeSignIn(request, { requestId: context.requestId, clientAddress: context.clientAddress })
}
