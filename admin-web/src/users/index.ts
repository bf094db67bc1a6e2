export type { AdminSession, AdminUser, AdminUserStore, SessionStore } from './admin-user-store.js';
export { SqliteAdminUserStore } from './sqlite-admin-user-store.js';
export { ensureFirstAdmin, issueOneTimePassword, FIRST_ADMIN_USERNAME } from './first-admin.js';
export { hashPassword, verifyPassword, MIN_PASSWORD_LENGTH } from './password.js';
export { SessionManager, DEFAULT_SESSION_POLICY, type SessionPolicy } from './sessions.js';
