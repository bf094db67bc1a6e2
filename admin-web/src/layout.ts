/** The page shell shared by every screen: head, navigation, and the sign-out form. */
import { html, type SafeHtml } from './html.js';
import { siteDate, siteDateTime, siteTimeZone } from './site-time.js';

export type Section = 'dashboard' | 'people' | 'doors' | 'events' | 'virtual-door' | 'account' | null;

export interface PageOptions {
  title: string;
  body: SafeHtml;
  /** Signed-in admin, or null on the sign-in page. */
  username: string | null;
  csrfToken: string;
  section?: Section;
  /** Script files under /assets/ (served by this site only: CSP script-src 'self'). */
  scripts?: string[];
  flash?: { kind: 'ok' | 'error'; text: string } | null;
}

const NAV: { section: Exclude<Section, null | 'account'>; href: string; label: string }[] = [
  { section: 'dashboard', href: '/', label: 'Dashboard' },
  { section: 'people', href: '/people', label: 'People' },
  { section: 'doors', href: '/doors', label: 'Doors' },
  { section: 'events', href: '/events', label: 'Access log' },
  { section: 'virtual-door', href: '/virtual-door', label: 'Virtual door' },
];

export function page(o: PageOptions): string {
  const nav = o.username
    ? html`<nav class="nav" aria-label="Main">
        ${NAV.map(
          (n) => html`<a href="${n.href}" ${o.section === n.section ? html`aria-current="page"` : ''}>${n.label}</a>`,
        )}
      </nav>
      <form method="post" action="/logout" class="signout">
        <input type="hidden" name="_csrf" value="${o.csrfToken}">
        <span class="who">${o.username}</span>
        <button type="submit" class="link">Sign out</button>
      </form>`
    : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${o.csrfToken}">
<meta name="site-time-zone" content="${siteTimeZone()}">
<title>${o.title} · FaceGate</title>
<link rel="stylesheet" href="/assets/app.css">
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
</head>
<body>
<header class="topbar">
  <a class="brand" href="/"><img src="/assets/favicon.svg" alt="" width="24" height="24"> FaceGate</a>
  ${nav}
</header>
<main class="content">
${o.flash ? html`<p class="flash flash-${o.flash.kind}" role="status">${o.flash.text}</p>` : ''}
${o.body}
</main>
<footer class="content muted small" data-field="site-time-zone">Times in ${siteTimeZone()}</footer>
${(o.scripts?.length ? ['common.js', ...o.scripts] : []).map((s) => html`<script src="/assets/${s}" defer></script>`)}
</body>
</html>`.value;
}

/** A time in the site's zone, 24-hour; every page names the zone once (see page()). */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return siteDateTime(ms);
}

/** The site-zone day, as <input type="date"> shows it: a validity date saved from a form reads back the same. */
export function formatDate(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  return siteDate(ms);
}
