/** Issue 7 item 8: the first admin's one-time password reaches a terminal, or a 0600 file, never the log. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { handOverFirstAdminPassword } from '../../cli/first-admin-password.js';
import { captureLogger } from '../support/capture-logger.js';

const PASSWORD = 'Kp3vXq9TmWc4RfHy7LdA';

describe('first admin one-time password hand-over', () => {
  let dir: string;
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('on a terminal: printed in the banner, no file, nothing logged', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-otp-'));
    const log = captureLogger();
    const handover = handOverFirstAdminPassword(PASSWORD, { dataDir: dir, logger: log.logger, interactive: true });
    expect(handover.lines.join('\n')).toContain(PASSWORD);
    expect(handover.file).toBeNull();
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(log.lines).toEqual([]);
  });

  it('without a terminal: a 0600 file; the banner and the log carry its path, never the password', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facegate-otp-'));
    const log = captureLogger();
    const handover = handOverFirstAdminPassword(PASSWORD, { dataDir: dir, logger: log.logger, interactive: false });
    const file = path.join(dir, 'one-time-password-admin.txt');
    expect(handover.file).toBe(file);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8').trim()).toBe(PASSWORD);
    expect(handover.lines.join('\n')).toContain(file);
    expect(handover.lines.join('\n')).not.toContain(PASSWORD);
    expect(log.lines.map((l) => l.file)).toEqual([file]);
    expect(JSON.stringify(log.lines)).not.toContain(PASSWORD);
  });
});
