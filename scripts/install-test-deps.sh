#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real: Chromium (browser tests of the
# admin site), ffmpeg (the streaming camera source), and for the door's watchdog test the real
# systemd-notify (package systemd) with python3 as a stand-in notify socket; for the door package
# (npm run build:agent) and its arm64 test, the arm64 cross compiler (onoff's epoll) and qemu's
# user-mode emulator; boto3 for running the README's rekognition-local snippet unchanged. Skips
# what is already there.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v systemd-notify >/dev/null 2>&1 || need+=(systemd)
command -v python3 >/dev/null 2>&1 || need+=(python3)
[ -f /usr/lib/python3/dist-packages/boto3/__init__.py ] || need+=(python3-boto3)
command -v aarch64-linux-gnu-g++ >/dev/null 2>&1 || need+=(g++-aarch64-linux-gnu)
command -v qemu-aarch64-static >/dev/null 2>&1 || need+=(qemu-user-static)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
echo "installing Debian packages for the tests: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
