/**
 * Sets process environment variables for a test and puts back what was there before: for
 * composition roots that read their configuration from the environment (Lambdas, serve-aws).
 * `undefined` removes a variable, so nothing from the shell (AWS_PROFILE, AWS_ENDPOINT_URL…) leaks in.
 */
export interface EnvPatch {
  set(vars: Record<string, string | undefined>): void;
  restore(): void;
}

export function envPatch(): EnvPatch {
  const saved = new Map<string, string | undefined>();
  return {
    set(vars) {
      for (const [name, value] of Object.entries(vars)) {
        if (!saved.has(name)) saved.set(name, process.env[name]);
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    },
    restore() {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      saved.clear();
    },
  };
}
