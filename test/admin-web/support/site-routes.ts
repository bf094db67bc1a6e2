/** The admin site's state-changing routes, each with a body that passes its schema, for the CSRF and origin tests. */

export const PERSON = '0b0f6c1e-1111-4222-8333-444455556666';

export const STATE_CHANGING: { method: 'POST' | 'PATCH' | 'DELETE'; url: string; payload?: unknown }[] = [
  { method: 'POST', url: '/logout' },
  { method: 'POST', url: '/account/password', payload: { current: 'x', password: 'y', confirm: 'y' } },
  { method: 'POST', url: '/people', payload: { name: 'Ann' } },
  { method: 'POST', url: `/people/${PERSON}`, payload: { name: 'Ann' } },
  { method: 'POST', url: `/people/${PERSON}/erase`, payload: { confirm: 'erase' } },
  { method: 'POST', url: '/doors', payload: { doorId: 'back-door', name: 'Back' } },
  { method: 'POST', url: '/doors/front-door/unlock', payload: { reason: 'delivery' } },
  { method: 'POST', url: '/api/people', payload: { name: 'Ann' } },
  { method: 'PATCH', url: `/api/people/${PERSON}`, payload: { name: 'Ann' } },
  { method: 'DELETE', url: `/api/people/${PERSON}`, payload: { confirm: true } },
  { method: 'POST', url: `/people/${PERSON}/faces/${PERSON}/remove` },
  { method: 'DELETE', url: `/api/people/${PERSON}/faces/${PERSON}` },
  { method: 'POST', url: '/api/photos/check' },
  { method: 'POST', url: `/api/people/${PERSON}/photos` },
  { method: 'POST', url: '/api/doors/front-door/unlock', payload: { reason: 'delivery' } },
  { method: 'POST', url: '/virtual-door/frames' },
];
