#!/bin/bash
# FaceGate door installer. Run from the unpacked door package (npm run build:agent) on the Pi:
#
#   sudo ./install.sh --door-key DOOR_ID   # 1. the door makes its own key; give door.csr to the admin
#   sudo ./install.sh BUNDLE.json          # 2. install the bundle made from it, enable and start
#   sudo ./install.sh                      # later: upgrade the agent, keep config and keys
#
# (A bundle made with its key on the server, 'facegate provision ID', installs in one step: 2.)
#
# What it does, each time (it is safe to run again):
#   - a system user 'facegate' (no login, no home) in the groups gpio and video
#   - the package's bin/, app/, systemd/ and docs/ into /opt/facegate, owned by root (the agent
#     cannot change its own code); the previous version is replaced as a whole
#   - /etc/facegate (0700) with door.json, door.key (0600), owned by facegate: owner-only, and
#     never printed or logged by this script. An existing door.key is never replaced.
#   - /etc/systemd/system/facegate-agent.service, enabled; (re)started once a door.json is there
#   - /usr/local/bin/facegate: the door's own command (facegate doctor, facegate door-key)
#
# --root DIR installs into DIR instead of / (tests, image builders): files and modes are real;
# user, ownership and service changes cannot be made there, so they are written, one command a
# line, to DIR/install-actions.txt instead, except 'systemctl --root=DIR enable', which works on
# a tree. The package layout this script expects is the contract with the package build:
#   bin/node, app/agent/src/{main,relay-off,door-cli}.js, systemd/facegate-agent.service, docs/
set -euo pipefail
# Code and units are world-readable; every secret is written under umask 077 (see "secret").
umask 022

PKG="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT=""
DOOR_KEY_ID=""
BUNDLE=""
SERVICE_USER=facegate
UNIT=facegate-agent.service

usage() {
  echo "usage: sudo $0 [--door-key DOOR_ID] [BUNDLE.json] [--root DIR]" >&2
  exit 2
}
die() {
  echo "install.sh: $*" >&2
  exit 1
}
say() { echo "==> $*"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --root) [ $# -ge 2 ] || usage; ROOT="$2"; shift 2 ;;
    --root=*) ROOT="${1#--root=}"; shift ;;
    --door-key) [ $# -ge 2 ] || usage; DOOR_KEY_ID="$2"; shift 2 ;;
    -h | --help) usage ;;
    -*) echo "install.sh: unknown option $1" >&2; usage ;;
    *) [ -z "$BUNDLE" ] || usage; BUNDLE="$1"; shift ;;
  esac
done

if [ -n "$ROOT" ]; then
  mkdir -p "$ROOT"
  ROOT="$(cd "$ROOT" && pwd)"
  ACTIONS="$ROOT/install-actions.txt"
  : >"$ACTIONS"
elif [ "$(id -u)" -ne 0 ]; then
  die "run it as root: sudo $0 $*"
fi

OPT="$ROOT/opt/facegate"
ETC="$ROOT/etc/facegate"
UNIT_DIR="$ROOT/etc/systemd/system"
CONFIG="$ETC/door.json"
NODE="$PKG/bin/node"
DOOR_CLI="$PKG/app/agent/src/door-cli.js"

# A change to the system (users, owners, services): made on /, recorded under --root.
system() {
  if [ -n "$ROOT" ]; then
    local line="" arg
    for arg in "$@"; do line+="${line:+ }${arg//"$ROOT"/}"; done
    echo "$line" >>"$ACTIONS"
  else
    "$@"
  fi
}

# --- the package must be complete before anything changes --------------------------------------
for f in bin/node app/agent/src/main.js app/agent/src/relay-off.js app/agent/src/door-cli.js "systemd/$UNIT"; do
  [ -e "$PKG/$f" ] || die "the package is incomplete: $f is missing (unpack the whole archive)"
done
[ -x "$NODE" ] || die "$NODE is not executable"
[ -z "$DOOR_KEY_ID" ] || [[ "$DOOR_KEY_ID" =~ ^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$ ]] ||
  die "invalid door id '$DOOR_KEY_ID': 1-64 characters of a-z, 0-9 and -"

if [ -n "$BUNDLE" ]; then
  [ -f "$BUNDLE" ] || die "no bundle file $BUNDLE"
  # Validated as if already in /etc/facegate (its keyFile, for a door-made key, resolves there).
  # The checker prints only the door id; its errors are plain sentences without the file's secrets.
  BUNDLE_DOOR="$("$NODE" "$DOOR_CLI" check-bundle "$BUNDLE" --as "$CONFIG")" || die "the bundle was not installed"
  say "bundle for door '$BUNDLE_DOOR' checked"
fi

# --- user and groups ----------------------------------------------------------------------------
say "service user '$SERVICE_USER' in groups gpio and video"
for group in gpio video; do
  if [ -n "$ROOT" ] || ! getent group "$group" >/dev/null; then system groupadd -f --system "$group"; fi
done
if [ -n "$ROOT" ] || ! id -u "$SERVICE_USER" >/dev/null 2>&1; then
  system useradd --system --user-group --home-dir /var/lib/facegate --no-create-home \
    --shell /usr/sbin/nologin --comment "FaceGate door agent" "$SERVICE_USER"
fi
system usermod --append --groups gpio,video "$SERVICE_USER"

# --- the agent: replaced as a whole, so an upgrade leaves no file of the previous version -------
say "agent into /opt/facegate"
mkdir -p "$ROOT/opt"  # exists on a real system; under --root, made 0755 (umask 022)
rm -rf "$OPT.new" "$OPT.old"
mkdir -m 0755 "$OPT.new"
for part in bin app systemd docs VERSION; do
  if [ -e "$PKG/$part" ]; then cp -a "$PKG/$part" "$OPT.new/"; fi
done
# Installed code is world-readable and writable by root only (the archive may carry the builder's uid).
chmod -R u+rwX,go+rX,go-w "$OPT.new"
if [ -e "$OPT" ]; then mv "$OPT" "$OPT.old"; fi
mv "$OPT.new" "$OPT"
rm -rf "$OPT.old"
system chown -R root:root "$OPT"

# --- /etc/facegate: owner-only --------------------------------------------------------------------
say "config and keys in /etc/facegate (owner-only)"
secret() { (umask 077 && "$@"); }
secret mkdir -p "$ETC"
chmod 0700 "$ETC"
system chown "$SERVICE_USER:$SERVICE_USER" "$ETC"

if [ -n "$DOOR_KEY_ID" ]; then
  # The door's own key: made here (kept if it exists), never copied anywhere.
  secret "$OPT/bin/node" "$OPT/app/agent/src/door-cli.js" door-key "$DOOR_KEY_ID" --dir "$ETC"
  chmod 0600 "$ETC/door.key"
  chmod 0644 "$ETC/door.csr"
  system chown "$SERVICE_USER:$SERVICE_USER" "$ETC/door.key" "$ETC/door.csr"
fi

if [ -n "$BUNDLE" ]; then
  # Written beside the old one and renamed over it: a power cut leaves either, never half a file.
  # A renewed bundle for the same door keeps the settings made on the door (camera, door timings,
  # offline queue); the bundle decides identity, certificates and wiring. Prints setting names
  # and pin numbers only.
  rm -f "$CONFIG.new"
  secret "$OPT/bin/node" "$OPT/app/agent/src/door-cli.js" install-bundle "$BUNDLE" --as "$CONFIG" --out "$CONFIG.new" |
    sed 's/^/==> /' || die "the bundle was not installed"
  chmod 0600 "$CONFIG.new"
  mv "$CONFIG.new" "$CONFIG"
  system chown "$SERVICE_USER:$SERVICE_USER" "$CONFIG"
elif [ -f "$CONFIG" ]; then
  "$OPT/bin/node" "$OPT/app/agent/src/door-cli.js" check-config "$CONFIG" >/dev/null ||
    die "the installed $CONFIG is not usable: install a new bundle (sudo $0 BUNDLE.json)"
  chmod 0600 "$CONFIG"
fi
if [ -f "$ETC/door.key" ]; then chmod 0600 "$ETC/door.key"; fi

# --- the service and the door's command ---------------------------------------------------------
say "systemd unit $UNIT"
mkdir -p "$UNIT_DIR" "$ROOT/usr/local/bin"
install -m 0644 "$OPT/systemd/$UNIT" "$UNIT_DIR/$UNIT"
cat >"$ROOT/usr/local/bin/facegate.new" <<'EOF'
#!/bin/sh
# FaceGate door command (install.sh): facegate doctor | door-key | agent
exec /opt/facegate/bin/node /opt/facegate/app/agent/src/door-cli.js "$@"
EOF
chmod 0755 "$ROOT/usr/local/bin/facegate.new"
mv "$ROOT/usr/local/bin/facegate.new" "$ROOT/usr/local/bin/facegate"

system systemctl daemon-reload
if [ -n "$ROOT" ]; then
  systemctl --quiet --root="$ROOT" enable "$UNIT" 2>/dev/null
else
  systemctl --quiet enable "$UNIT"
fi

if [ -f "$CONFIG" ]; then
  system systemctl restart "$UNIT"
  say "done: the agent runs (journalctl -u facegate-agent -f). Check the door: sudo facegate doctor --test-relay"
elif [ -n "$DOOR_KEY_ID" ]; then
  say "done, the agent waits for its bundle. Give this request to your admin"
  say "  (facegate provision $DOOR_KEY_ID --csr door.csr, or paste it in Doors → Add door):"
  cat "$ETC/door.csr" # a public request, no secret in it
  say "then: sudo $0 facegate-door-$DOOR_KEY_ID.json"
else
  say "done, no door config yet: run sudo $0 BUNDLE.json (or --door-key DOOR_ID first)"
fi
