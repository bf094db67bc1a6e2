/**
 * Port: where a one-time password waits for its user when no one is at a terminal to read it
 * (a service start, a pipe). Local mode leaves it in a 0600 file in the data directory; the AWS
 * admin host in an SSM SecureString, so it never reaches a log or the instance's disk. Either is
 * removed at the account's first sign-in.
 */
export interface OneTimePasswordDrop {
  /** Leaves the password; returns where it is (a file path, a parameter name), never the password. */
  put(username: string, password: string): Promise<string>;
  /** Removes it; true when there was one. */
  remove(username: string): Promise<boolean>;
}
