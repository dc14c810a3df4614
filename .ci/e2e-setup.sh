#!/usr/bin/env bash
# What the end-to-end suite (npm run test:e2e) needs beyond `npm ci`:
#   - Chromium from Debian's packages (playwright-core drives /usr/bin/chromium; nothing is downloaded by npm)
#   - the pinned n8n runtime in .n8n-runtime/ (first time ~3-7 minutes, then reused; the suite would do it too,
#     this just makes it a separate, visible step)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -x /usr/bin/chromium ]; then
	echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"
else
	SUDO=""
	if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
	echo "installing chromium from Debian packages ..."
	$SUDO apt-get update
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium
fi

if [ "${E2E_SETUP_SKIP_RUNTIME:-}" != "1" ]; then
	npx tsx dev/n8n/runtime.ts >/dev/null
fi
