#!/usr/bin/env bash
# What the n8n version matrix and the proxy test of the end-to-end suite need beyond .ci/e2e-setup.sh:
#   - tinyproxy from Debian's packages (the real HTTPS proxy test/e2e/proxy.e2e.test.ts runs on 127.0.0.1)
#   - the n8n 1.x runtime (n8n 1.123.81 on Node 22) in .n8n-runtime-1.x/ (first time ~5-15 minutes, then reused)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -x /usr/bin/tinyproxy ]; then
	echo "tinyproxy: $(/usr/bin/tinyproxy -v 2>/dev/null || echo present)"
else
	SUDO=""
	if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
	echo "installing tinyproxy from Debian packages ..."
	$SUDO apt-get update
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y tinyproxy
	# the package starts a system-wide tinyproxy on port 8888; the test runs its own
	$SUDO systemctl disable --now tinyproxy >/dev/null 2>&1 || $SUDO service tinyproxy stop >/dev/null 2>&1 || true
fi

if [ "${PLATFORMS_SETUP_SKIP_RUNTIME:-}" != "1" ]; then
	npx tsx dev/n8n/runtime.ts 1 >/dev/null
fi
