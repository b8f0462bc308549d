import type { DemoOrganization, DemoUser } from '../../services/auth/demo-identities.ts'

/**
 * The development identity provider's HTML: sign-in, sign-out and error pages. Self-contained
 * (inline CSS, no scripts, no outside assets), styled like the hub (app/styles/app.css).
 */

/** Headers for every page: nothing may load from elsewhere, nothing may frame it, nothing is cached. */
export const PAGE_HEADERS: Record<string, string> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
}

export function escapeHtml(value: unknown): string {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;')
}

const CSS = `
:root{--bg:#f3f5f8;--surface:#fff;--border:#dde3ea;--text:#111827;--text-2:#374151;--muted:#6b7280;
--accent:#1d4ed8;--accent-dark:#1e40af;--accent-soft:#e8eefc;--topbar:#0b1220;--topbar-text:#cbd5e1;
--warn-bg:#fff7e6;--warn-border:#f3c46b;--neg:#c0262d;--neg-soft:#fdecec;--radius:6px;
--font:system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;color-scheme:light}
*,*::before,*::after{box-sizing:border-box}
body{margin:0;min-height:100vh;background:var(--bg);color:var(--text);font:14px/1.5 var(--font)}
header{background:var(--topbar);color:var(--topbar-text);padding:12px 24px;display:flex;align-items:center;gap:12px}
header strong{color:#fff;font-size:15px;letter-spacing:.2px}
header .tag{margin-left:auto;font-size:12px;border:1px solid #334155;border-radius:999px;padding:2px 10px}
main{max-width:980px;margin:0 auto;padding:28px 24px 48px}
h1{font-size:22px;margin:0 0 6px}
.lead{color:var(--text-2);margin:0 0 18px}
.notice{background:var(--warn-bg);border:1px solid var(--warn-border);border-radius:var(--radius);padding:10px 14px;margin:0 0 20px}
.error{background:var(--neg-soft);border:1px solid var(--neg);color:var(--neg);border-radius:var(--radius);padding:10px 14px;margin:0 0 20px;font-weight:600}
.users{list-style:none;margin:0;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(280px,1fr));gap:14px}
.card{background:var(--surface);border:1px solid var(--border);border-radius:var(--radius);padding:16px;display:flex;flex-direction:column;gap:6px}
.card h2{font-size:16px;margin:0}
.card dl{margin:0;display:grid;grid-template-columns:auto 1fr;gap:2px 10px;font-size:13px}
.card dt{color:var(--muted)}
.card dd{margin:0;overflow-wrap:anywhere}
.card p{margin:4px 0 8px;color:var(--text-2);font-size:13px;flex:1}
.card form{margin:0}
button{font:inherit;font-weight:600;border-radius:var(--radius);padding:8px 14px;cursor:pointer;width:100%}
.primary{background:var(--accent);color:#fff;border:1px solid var(--accent)}
.primary:hover,.primary:focus{background:var(--accent-dark)}
.secondary{background:var(--surface);color:var(--text-2);border:1px solid var(--border)}
.secondary:hover,.secondary:focus{background:var(--accent-soft)}
.panel{max-width:460px;margin:40px auto;background:var(--surface);border:1px solid var(--border);border-radius:var(--radius);padding:24px}
.panel .actions{display:flex;flex-direction:column;gap:10px;margin-top:18px}
.cancel{margin-top:22px;max-width:280px}
code{font-size:12px;background:var(--accent-soft);padding:1px 5px;border-radius:4px}
footer{color:var(--muted);font-size:12px;text-align:center;padding:0 24px 24px}
`

/** The document shell every page shares. */
export function layout(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header><strong>254Carbon</strong><span>Development identity provider</span><span class="tag">development only</span></header>
<main>
${body}
</main>
<footer>254Carbon development identity provider. Not for production: anyone who can reach it can sign in as any demo user.</footer>
</body>
</html>`
}

export type LoginPageInput = {
  /** Where each card's form posts (the interaction's login action). */
  loginAction: string
  /** Where the cancel form posts. */
  abortAction: string
  clientName: string
  users: readonly DemoUser[]
  organizations: readonly DemoOrganization[]
  /** A message shown above the cards, e.g. an unknown user name. */
  error?: string
}

export function loginPage(input: LoginPageInput): string {
  const orgName = (slug: string) => input.organizations.find((o) => o.slug === slug)?.name ?? slug
  const cards = input.users
    .map(
      (user) => `<li class="card">
<h2>${escapeHtml(user.name)}</h2>
<dl>
<dt>Email</dt><dd>${escapeHtml(user.email)}</dd>
<dt>Organization</dt><dd>${escapeHtml(orgName(user.organization))} <code>${escapeHtml(user.organization)}</code></dd>
<dt>Roles</dt><dd>${escapeHtml(user.roles.join(', '))}</dd>
<dt>User name</dt><dd><code>${escapeHtml(user.username)}</code></dd>
</dl>
<p>${escapeHtml(user.description)}</p>
<form method="post" action="${escapeHtml(input.loginAction)}">
<input type="hidden" name="username" value="${escapeHtml(user.username)}">
<button class="primary" type="submit">Sign in as ${escapeHtml(user.name)}</button>
</form>
</li>`,
    )
    .join('\n')
  return layout(
    '254Carbon development sign-in',
    `<h1>254Carbon development sign-in</h1>
<p class="lead">Signing in to <strong>${escapeHtml(input.clientName)}</strong>. Choose a demo user: each one shows a different set of market rights.</p>
<div class="notice"><strong>This is the development identity provider, not for production.</strong> It has no passwords:
any visitor can sign in as any demo user. Production uses your organization's OpenID Connect provider.</div>
${input.error ? `<div class="error" role="alert">${escapeHtml(input.error)}</div>` : ''}
<ul class="users">
${cards}
</ul>
<form class="cancel" method="post" action="${escapeHtml(input.abortAction)}">
<button class="secondary" type="submit">Cancel sign-in</button>
</form>`,
  )
}

/** The RP-initiated logout confirmation; `form` is the provider's hidden form (id op.logoutForm, with its xsrf token). */
export function logoutPage(form: string, clientName: string | undefined): string {
  return layout(
    'Sign out of 254Carbon development',
    `<div class="panel">
<h1>Sign out?</h1>
<p class="lead">${clientName ? `<strong>${escapeHtml(clientName)}</strong> asks to end your session` : 'End your session'} on the 254Carbon development identity provider.</p>
${form}
<div class="actions">
<button class="primary" autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button class="secondary" type="submit" form="op.logoutForm">No, stay signed in</button>
</div>
</div>`,
  )
}

export function logoutSuccessPage(clientName: string | undefined): string {
  return layout(
    'Signed out of 254Carbon development',
    `<div class="panel">
<h1>You are signed out</h1>
<p class="lead">Your session on the 254Carbon development identity provider${clientName ? ` for <strong>${escapeHtml(clientName)}</strong>` : ''} has ended. You can close this page.</p>
</div>`,
  )
}

export function errorPage(title: string, message: string, details?: Record<string, string | undefined>): string {
  const rows = Object.entries(details ?? {})
    .filter(([, value]) => value)
    .map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(value)}</dd>`)
    .join('')
  return layout(
    title,
    `<div class="panel">
<h1>${escapeHtml(title)}</h1>
<p class="lead">${escapeHtml(message)}</p>
${rows ? `<div class="card"><dl>${rows}</dl></div>` : ''}
</div>`,
  )
}
