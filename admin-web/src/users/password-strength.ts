/**
 * Password strength for admin accounts, judged by zxcvbn-ts (common passwords, English words and
 * names, keyboard patterns, repeats, sequences, dates, l33t) rather than by character classes:
 * `aaaaaaaaaaaa` has twelve characters and is guessed at once. A password must reach score 3
 * ("safely unguessable: moderate protection from an offline slow-hash scenario", >= 10^8
 * guesses); the admin's username and the site's name count as known words.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary as commonWords } from '@zxcvbn-ts/language-common';
import { dictionary as englishWords, translations } from '@zxcvbn-ts/language-en';
import { MIN_PASSWORD_LENGTH } from './password.js';

export const MIN_PASSWORD_SCORE = 3;
const JUDGED_LENGTH = 64;

let factory: ZxcvbnFactory | null = null;
/** Built on first use: the dictionaries take a moment to load and only password changes need them. */
function zxcvbn(): ZxcvbnFactory {
  factory ??= new ZxcvbnFactory({
    translations,
    graphs: adjacencyGraphs,
    dictionary: { ...commonWords, ...englishWords },
  });
  return factory;
}

export type StrengthVerdict = { ok: true; score: number } | { ok: false; score: number; message: string };

/** Why a new password is refused, in a sentence for the person choosing it; or ok. */
export function judgePassword(password: string, knownWords: string[] = []): StrengthVerdict {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return { ok: false, score: 0, message: `The new password must have at least ${MIN_PASSWORD_LENGTH} characters.` };
  }
  // zxcvbn's matching grows faster than linearly with length (seconds for 200 characters here);
  // the first 64 say whether a password is guessable, and a longer one is never judged weaker.
  const result = zxcvbn().check(password.slice(0, JUDGED_LENGTH), ['facegate', 'admin', ...knownWords]);
  if (result.score >= MIN_PASSWORD_SCORE) return { ok: true, score: result.score };
  const hints = [result.feedback.warning, ...result.feedback.suggestions].filter((h): h is string => !!h);
  return {
    ok: false,
    score: result.score,
    message: [
      'This password is too easy to guess.',
      ...hints,
      'A few unrelated words (a passphrase) make a strong password that is easy to remember.',
    ].join(' '),
  };
}
