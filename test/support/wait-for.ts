/**
 * Polls `probe` until it returns something truthy and returns that value; fails naming `what`
 * after `timeoutMs`. For tests that wait for the event proving their case (a row, a relay pulse, a
 * connection) instead of sleeping and hoping.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 20_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
