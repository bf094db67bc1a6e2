/** Types of scripts/build-admin-site.mjs, for the test that builds and runs the artifact. */
export declare const ENTRY: string;
/** The bundle's path inside the artifact (what the host's service runs). */
export declare const BUNDLE: string;
/** `facegate admin create|reset-password USER` inside the artifact. */
export declare const ADMIN_CLI: string;
/** Package names that must never reach the admin host. */
export declare const FORBIDDEN: readonly string[];
export declare function buildAdminSite(options: {
  outDir: string;
  arch?: 'arm64' | 'x64';
  log?: (what: string) => void;
}): Promise<{ bundle: string; modules: string[] }>;
