import { describe, expect, it } from 'vitest';
import { decideAccess, type AccessDecision } from '../../cloud/src/domain/access-rules.js';
import type { Door, Person } from '../../cloud/src/domain/types.js';
import { makeDoor, makePerson } from '../support/records.js';

const NOW = 1_767_225_600_000;
const door = makeDoor('front-door');

const cases: [string, Person | null, Door, AccessDecision][] = [
  ['active person, no limits', makePerson('p1'), door, { result: 'granted' }],
  ['no match', null, door, { result: 'denied', reason: 'unknown' }],
  ['deactivated', makePerson('p1', { status: 'inactive' }), door, { result: 'denied', reason: 'inactive' }],
  ['before validFrom', makePerson('p1', { validFrom: NOW + 1 }), door, { result: 'denied', reason: 'not_yet_valid' }],
  ['exactly at validFrom', makePerson('p1', { validFrom: NOW }), door, { result: 'granted' }],
  ['exactly at validUntil', makePerson('p1', { validUntil: NOW }), door, { result: 'granted' }],
  ['after validUntil', makePerson('p1', { validUntil: NOW - 1 }), door, { result: 'denied', reason: 'expired' }],
  ['inside validity', makePerson('p1', { validFrom: NOW - 10, validUntil: NOW + 10 }), door, { result: 'granted' }],
  ['door in allowed list', makePerson('p1', { allowedDoors: ['lab', 'front-door'] }), door, { result: 'granted' }],
  [
    'door not in allowed list',
    makePerson('p1', { allowedDoors: ['lab'] }),
    door,
    { result: 'denied', reason: 'door_not_allowed' },
  ],
  [
    'empty allowed list = no doors',
    makePerson('p1', { allowedDoors: [] }),
    door,
    { result: 'denied', reason: 'door_not_allowed' },
  ],
  [
    'disabled door, known person',
    makePerson('p1'),
    makeDoor('front-door', { enabled: false }),
    { result: 'denied', reason: 'door_disabled' },
  ],
  [
    'disabled door, stranger',
    null,
    makeDoor('front-door', { enabled: false }),
    { result: 'denied', reason: 'door_disabled' },
  ],
  [
    'inactive wins over expired',
    makePerson('p1', { status: 'inactive', validUntil: NOW - 1 }),
    door,
    { result: 'denied', reason: 'inactive' },
  ],
  [
    'expired wins over door',
    makePerson('p1', { validUntil: NOW - 1, allowedDoors: ['lab'] }),
    door,
    { result: 'denied', reason: 'expired' },
  ],
];

describe('decideAccess', () => {
  it.each(cases)('%s', (_name, person, d, expected) => {
    expect(decideAccess(person, d, NOW)).toEqual(expected);
  });
});
