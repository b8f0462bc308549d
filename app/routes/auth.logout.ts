import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { createElement as h } from 'react'
import { getPrincipal, signOut } from '#app/utils/auth.server.ts'

/**
 * Sign out. Only a POST signs out (a link or prefetch must never end a session); a GET shows a
 * small confirmation form. The POST revokes the hub session, clears its cookie and ends the
 * identity provider's session too (RP-initiated logout). Written without JSX, as a .ts module.
 */

export const meta: MetaFunction = () => [{ title: 'Sign out · 254Carbon' }, { name: 'robots', content: 'noindex' }]

export async function loader({ request }: LoaderFunctionArgs) {
  const principal = await getPrincipal(request)
  return { label: principal?.label ?? null, organization: principal?.organizationSlug ?? null }
}

export async function action({ request, context }: ActionFunctionArgs) {
  return signOut(request, context.requestId)
}

export default function Logout() {
  const { label, organization } = useLoaderData<typeof loader>()
  const body = label
    ? [
        h('p', { key: 'who', style: { margin: 0 } }, 'You are signed in as ', h('strong', null, label), ` (${organization}).`),
        h(
          Form,
          { key: 'form', method: 'post', reloadDocument: true },
          h('button', { type: 'submit', className: 'button button-primary' }, 'Sign out'),
        ),
      ]
    : [
        h('p', { key: 'who', style: { margin: 0 } }, 'You are not signed in.'),
        h('p', { key: 'next', style: { margin: 0 } }, h(Link, { to: '/auth/login' }, 'Sign in')),
      ]
  return h(
    'section',
    { className: 'panel', 'aria-labelledby': 'logout-title', style: { maxWidth: 520, margin: '28px auto 0' } },
    h('header', { className: 'panel-header' }, h('h1', { id: 'logout-title' }, 'Sign out')),
    h('div', { style: { padding: '16px 18px', display: 'flex', flexDirection: 'column', gap: 12 } }, ...body),
  )
}
