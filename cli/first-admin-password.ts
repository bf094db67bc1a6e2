/**
 * How a server start hands over the first admin's one-time password: on an interactive terminal
 * it is printed once; otherwise (a service, a pipe, a log collector) it goes to a 0600 file in the
 * data directory, and only that file's path is printed and logged. The file is removed at the
 * first sign-in (the admin site is given the same OneTimePasswordFiles).
 */
import type { Logger } from '../lib/logger.js';
import { FIRST_ADMIN_USERNAME } from '../admin-web/src/users/first-admin.js';
import { OneTimePasswordFiles } from '../admin-web/src/users/one-time-password-file.js';

export interface FirstAdminHandover {
  /** Lines for the start banner. */
  lines: string[];
  /** Where the password was written, when not shown. */
  file: string | null;
}

export function handOverFirstAdminPassword(
  password: string,
  options: { dataDir: string; logger: Logger; interactive?: boolean },
): FirstAdminHandover {
  const interactive = options.interactive ?? process.stdout.isTTY === true;
  if (interactive) {
    return {
      lines: [
        `  First sign-in: user "${FIRST_ADMIN_USERNAME}", one-time password ${password}`,
        '  (shown only now; you choose a new password when you sign in)',
      ],
      file: null,
    };
  }
  const file = new OneTimePasswordFiles(options.dataDir).write(FIRST_ADMIN_USERNAME, password);
  options.logger.warn({ file }, 'one-time password of the first admin written to a file (deleted at first sign-in)');
  return {
    lines: [
      `  First sign-in: user "${FIRST_ADMIN_USERNAME}"; the one-time password is in`,
      `    ${file}`,
      '  (readable by this user only; deleted when you first sign in)',
    ],
    file,
  };
}
