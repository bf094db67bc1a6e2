/** `facegate admin create|reset-password USER`: admin accounts for the website. */
import { issueOneTimePassword } from '../../admin-web/src/users/index.js';
import { OneTimePasswordFiles } from '../../admin-web/src/users/one-time-password-file.js';
import { secureDataDir } from '../data-dir.js';
import { openAdminUsers } from '../admin-users.js';
import type { LocalSettings } from '../settings.js';

export async function adminCommand(
  settings: Pick<LocalSettings, 'dataDir'>,
  action: 'create' | 'reset-password',
  username: string,
): Promise<number> {
  secureDataDir(settings.dataDir);
  const store = openAdminUsers(settings.dataDir);
  try {
    const exists = (await store.findByUsername(username)) !== null;
    if (action === 'create' && exists) {
      console.error(`Admin ${username} already exists; use: facegate admin reset-password ${username}`);
      return 1;
    }
    if (action === 'reset-password' && !exists) {
      console.error(`No admin named ${username}; use: facegate admin create ${username}`);
      return 1;
    }
    const password = await issueOneTimePassword(store, username);
    // A file left by a service start holds the password just replaced.
    await new OneTimePasswordFiles(settings.dataDir).remove(username);
    console.log(`One-time password for ${username} (shown once; a new one must be chosen at sign-in):`);
    console.log(`  ${password}`);
    return 0;
  } finally {
    await store.close();
  }
}
