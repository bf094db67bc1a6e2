/** Admin usernames are boring on purpose: they end up in audit events and logs. */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
