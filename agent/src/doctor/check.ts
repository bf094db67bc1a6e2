/** What a doctor check returns: a verdict in plain words and, when not fine, what to do about it. */
export interface CheckResult {
  name: string;
  status: 'pass' | 'warn' | 'fail';
  /** What was found, in plain words (figures included). */
  detail: string;
  /** What the technician should do; set when status is not pass. */
  fix?: string;
}

export const pass = (name: string, detail: string): CheckResult => ({ name, status: 'pass', detail });
export const warn = (name: string, detail: string, fix: string): CheckResult => ({ name, status: 'warn', detail, fix });
export const fail = (name: string, detail: string, fix: string): CheckResult => ({ name, status: 'fail', detail, fix });

const MARK = { pass: 'OK  ', warn: 'WARN', fail: 'FAIL' } as const;

/** One line per check, the fix indented under it. */
export function formatResults(results: readonly CheckResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${MARK[r.status]}  ${r.name}: ${r.detail}`);
    if (r.fix) lines.push(`      -> ${r.fix}`);
  }
  const failed = results.filter((r) => r.status === 'fail').length;
  const warned = results.filter((r) => r.status === 'warn').length;
  lines.push(
    failed
      ? `${failed} check(s) failed${warned ? `, ${warned} warning(s)` : ''}: fix them before leaving the door.`
      : `All checks passed${warned ? ` (${warned} warning(s))` : ''}.`,
  );
  return lines.join('\n');
}
