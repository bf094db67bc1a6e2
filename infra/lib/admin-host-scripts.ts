/**
 * Shell scripts of the admin host. The user data (first boot) only installs packages and these
 * files, so it never changes between deploys and the host is never replaced: admin accounts and
 * sessions in /var/lib/facegate survive updates. Each deploy changes two SSM parameters (code
 * location, environment) and an SSM association that runs `update.sh`, which installs the new
 * release side by side, switches the `app` symlink and restarts the service.
 */

export interface HostScriptNames {
  region: string;
  codeParameter: string;
  envParameter: string;
  startCommand: string;
}

export const UPDATE_SCRIPT = '/opt/facegate/bin/update.sh';
/** Written by the user data once Node and the tools are installed; update.sh waits for it. */
const BOOTSTRAPPED = '/opt/facegate/.bootstrapped';

export function updateScript(names: HostScriptNames): string {
  const ssm = (name: string) =>
    `aws ssm get-parameter --region ${names.region} --name ${name} --query Parameter.Value --output text`;
  return [
    '#!/bin/bash',
    '# Installs the release named in SSM and restarts the admin site. Safe to run again.',
    'set -euo pipefail',
    'exec 9>/run/facegate-update.lock',
    'flock 9',
    `if [ ! -f ${BOOTSTRAPPED} ]; then echo "host still bootstrapping; its user data runs this update"; exit 0; fi`,
    `CODE="$(${ssm(names.codeParameter)})"`,
    `${ssm(names.envParameter)} > /etc/facegate/admin.env.new`,
    'chmod 0644 /etc/facegate/admin.env.new && mv /etc/facegate/admin.env.new /etc/facegate/admin.env',
    'RELEASE="/opt/facegate/releases/$(basename "$CODE" .zip)"',
    'if [ ! -d "$RELEASE" ]; then',
    '  WORK="$(mktemp -d)"',
    '  aws s3 cp --region ' + names.region + ' "$CODE" "$WORK/code.zip"',
    '  rm -rf "$RELEASE.partial" && mkdir -p "$RELEASE.partial"',
    '  unzip -q "$WORK/code.zip" -d "$RELEASE.partial"',
    '  (cd "$RELEASE.partial" && npm-20 ci --omit=dev --no-audit --no-fund)',
    '  mv "$RELEASE.partial" "$RELEASE" && rm -rf "$WORK"',
    'fi',
    'ln -sfn "$RELEASE" /opt/facegate/app',
    // A self-signed certificate so the site starts on HTTPS; replace it with a real one (README).
    '[ -f /etc/facegate/tls/key.pem ] || openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=facegate-admin" ' +
      '-keyout /etc/facegate/tls/key.pem -out /etc/facegate/tls/cert.pem',
    'chown facegate:facegate /etc/facegate/tls/*.pem && chmod 0600 /etc/facegate/tls/key.pem',
    'systemctl daemon-reload',
    'systemctl enable facegate-admin.service',
    'systemctl restart facegate-admin.service',
    '# keep the three newest releases for a quick roll back (ln -sfn … /opt/facegate/app)',
    'ls -1dt /opt/facegate/releases/*/ | tail -n +4 | xargs -r rm -rf',
    'echo "facegate admin site now runs $RELEASE"',
    '',
  ].join('\n');
}

export function bootstrapCommands(names: HostScriptNames): string[] {
  return [
    'set -euo pipefail',
    'dnf install -y nodejs20 nodejs20-npm unzip openssl gcc-c++ make python3',
    'id facegate >/dev/null 2>&1 || useradd --system --home-dir /var/lib/facegate --shell /sbin/nologin facegate',
    'install -d -m 0755 /opt/facegate /opt/facegate/bin /opt/facegate/releases /etc/facegate',
    'install -d -m 0700 -o facegate -g facegate /var/lib/facegate /etc/facegate/tls',
    `cat > ${UPDATE_SCRIPT} <<'SCRIPT'\n${updateScript(names)}SCRIPT`,
    `chmod 0755 ${UPDATE_SCRIPT}`,
    `cat > /etc/systemd/system/facegate-admin.service <<'UNIT'\n${systemdUnit(names.startCommand)}UNIT`,
    `touch ${BOOTSTRAPPED}`,
    UPDATE_SCRIPT,
  ];
}

function systemdUnit(startCommand: string): string {
  return `[Unit]
Description=FaceGate admin site
After=network-online.target
Wants=network-online.target

[Service]
User=facegate
Group=facegate
WorkingDirectory=/opt/facegate/app
EnvironmentFile=/etc/facegate/admin.env
ExecStart=/usr/bin/node-20 ${startCommand}
Restart=always
RestartSec=5
AmbientCapabilities=CAP_NET_BIND_SERVICE
CapabilityBoundingSet=CAP_NET_BIND_SERVICE
NoNewPrivileges=true
ProtectSystem=strict
ProtectHome=true
PrivateTmp=true
ReadWritePaths=/var/lib/facegate

[Install]
WantedBy=multi-user.target
`;
}
