#!/usr/bin/env bash
# Installs the Debian packages the test suite talks to for real: PyTorch for the torch engine,
# OpenSSH for the loopback sshd, Chromium for the VS Code workbench tests, Slurm for the executor.
# Idempotent: a package already present is skipped, so repeated CI runs on the same machine are fast.
set -euo pipefail
packages=(python3-numpy python3-torch openssh-server openssh-client chromium slurm-wlm munge)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-system: all packages present"; exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "setup-system: missing ${missing[*]}; run this script as root (or with sudo) to install them" >&2
  exit 1
fi
echo "setup-system: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup-system: done"
