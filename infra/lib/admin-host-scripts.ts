/**
 * Shell scripts of the admin host. The user data (first boot) only installs packages and these
 * files, so it never changes between deploys and the host is never replaced by a deploy; nor does
 * a replacement lose anything (accounts and sessions are in the admins table, the first password
 * and a real TLS certificate in SSM). Each deploy changes two SSM parameters (code
 * location, environment) and an SSM association that runs `update.sh`, which installs the new
 * release side by side, switches the `app` symlink and restarts the service.
 */

export interface HostScriptNames {
  region: string;
  codeParameter: string;
  envParameter: string;
  startCommand: string;
  /** CloudWatch Logs group the service's output goes to (a literal name: the user data must not change). */
  logGroupName: string;
  /** Optional SSM parameters (String, SecureString) holding a real certificate and its key (README). */
  tlsCertParameter: string;
  tlsKeyParameter: string;
}

/** The service's stdout/stderr (pino JSON), shipped to CloudWatch Logs by the CloudWatch agent. */
const SERVICE_LOG = '/var/log/facegate/admin.log';
const CW_AGENT_CONFIG = '/opt/aws/amazon-cloudwatch-agent/etc/facegate-admin.json';

function cloudWatchAgentConfig(logGroupName: string): string {
  return JSON.stringify(
    {
      agent: { run_as_user: 'cwagent' },
      logs: {
        logs_collected: {
          files: {
            collect_list: [
              {
                file_path: SERVICE_LOG,
                log_group_name: logGroupName,
                log_stream_name: '{instance_id}',
                retention_in_days: -1,
              },
            ],
          },
        },
      },
    },
    null,
    2,
  );
}

const LOGROTATE = `${SERVICE_LOG} {
  daily
  rotate 7
  compress
  missingok
  notifempty
  copytruncate
}
`;

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
    // The release is the admin site already built (scripts/build-admin-site.mjs): nothing to install.
    '  unzip -q "$WORK/code.zip" -d "$RELEASE.partial"',
    '  mv "$RELEASE.partial" "$RELEASE" && rm -rf "$WORK"',
    'fi',
    'ln -sfn "$RELEASE" /opt/facegate/app',
    // A real certificate when one was put in SSM (infra/README.md), so a new host gets it too ...
    `if CERT="$(${ssm(names.tlsCertParameter)} 2>/dev/null)"; then`,
    `  (umask 077 && ${ssm(names.tlsKeyParameter)} --with-decryption > /etc/facegate/tls/key.pem.new)`,
    '  printf "%s\\n" "$CERT" > /etc/facegate/tls/cert.pem.new',
    '  mv /etc/facegate/tls/key.pem.new /etc/facegate/tls/key.pem && mv /etc/facegate/tls/cert.pem.new /etc/facegate/tls/cert.pem',
    'fi',
    // ... else a self-signed one so the site starts on HTTPS.
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
    // Node to run the release; no npm and no compiler: the release arrives built.
    'dnf install -y nodejs20 unzip openssl amazon-cloudwatch-agent logrotate',
    'id facegate >/dev/null 2>&1 || useradd --system --home-dir /var/lib/facegate --shell /sbin/nologin facegate',
    'install -d -m 0755 /opt/facegate /opt/facegate/bin /opt/facegate/releases /etc/facegate',
    'install -d -m 0700 -o facegate -g facegate /var/lib/facegate /etc/facegate/tls',
    `cat > ${UPDATE_SCRIPT} <<'SCRIPT'\n${updateScript(names)}SCRIPT`,
    `chmod 0755 ${UPDATE_SCRIPT}`,
    `cat > /etc/systemd/system/facegate-admin.service <<'UNIT'\n${systemdUnit(names.startCommand)}UNIT`,
    // The service's logs go to CloudWatch Logs (and stay on disk a week for Session Manager users).
    'install -d -m 0755 /var/log/facegate && touch /var/log/facegate/admin.log && chmod 0644 /var/log/facegate/admin.log',
    `cat > /etc/logrotate.d/facegate-admin <<'ROTATE'\n${LOGROTATE}ROTATE`,
    `cat > ${CW_AGENT_CONFIG} <<'CWAGENT'\n${cloudWatchAgentConfig(names.logGroupName)}\nCWAGENT`,
    `/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:${CW_AGENT_CONFIG}`,
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
StandardOutput=append:${SERVICE_LOG}
StandardError=append:${SERVICE_LOG}
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
