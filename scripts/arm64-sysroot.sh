#!/usr/bin/env bash
# The arm64 C/C++ runtime (libc6, libstdc++6, libgcc-s1 from Debian) unpacked into one folder, for
# running the door package's arm64 Node under qemu user-mode emulation (QEMU_LD_PREFIX=that folder).
# Usage: scripts/arm64-sysroot.sh DIR   — does nothing when DIR already holds the runtime.
# Downloading arm64 packages needs arm64 in dpkg's architectures for a moment: added for the
# download and removed again (nothing arm64 is installed on this machine).
set -euo pipefail
dir=${1:?usage: arm64-sysroot.sh DIR}
if [ -e "$dir/lib/ld-linux-aarch64.so.1" ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
mkdir -p "$dir"
debs=$(mktemp -d)
trap 'rm -rf "$debs"' EXIT
added=
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $SUDO dpkg --add-architecture arm64
  added=1
fi
cleanup_arch() { if [ -n "$added" ]; then $SUDO dpkg --remove-architecture arm64 || true; fi; }
trap 'cleanup_arch; rm -rf "$debs"' EXIT
$SUDO apt-get update -qq
(cd "$debs" && apt-get download -qq libc6:arm64 libstdc++6:arm64 libgcc-s1:arm64)
for deb in "$debs"/*.deb; do dpkg -x "$deb" "$dir"; done
[ -e "$dir/lib/ld-linux-aarch64.so.1" ] || { echo "arm64-sysroot: no arm64 loader in $dir" >&2; exit 1; }
echo "arm64 runtime in $dir"
