#!/usr/bin/env bash
# What the suites need beyond `npm ci`, by part (no part named: all of them):
#   e2e        Chromium (playwright-core drives /usr/bin/chromium; nothing is downloaded by npm) and the pinned
#              n8n 2.41.1 runtime in .n8n-runtime/ (first time ~3-7 minutes, then reused)
#   platforms  tinyproxy (the real HTTPS proxy test/e2e/proxy.e2e.test.ts runs on 127.0.0.1) and the n8n 1.x runtime
#              (n8n 1.123.81 on Node 22) in .n8n-runtime-1.x/ (first time ~5-15 minutes, then reused)
#   queue      PostgreSQL and Redis, for the queue-mode suite (npm run test:queue) and `npm start -- --queue`; the
#              suite starts its own servers (own ports, data under .test-output/)
# Debian's packages that are missing are installed in one apt-get run, with the packages' own services kept from
# starting (the suites run their own). SETUP_SKIP_RUNTIME=1 installs the packages only (.ci/run installs the two
# runtimes side by side afterwards).
set -euo pipefail
cd "$(dirname "$0")/.."

parts=("$@")
if [ ${#parts[@]} -eq 0 ]; then parts=(e2e platforms queue); fi

# chromium and tinyproxy with their recommended packages (fonts and the like), PostgreSQL and Redis without
missing=()
bare=()
runtimes=()
for part in "${parts[@]}"; do
	case "$part" in
	e2e)
		if [ -x /usr/bin/chromium ]; then echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"; else missing+=(chromium); fi
		runtimes+=(2)
		;;
	platforms)
		if [ -x /usr/bin/tinyproxy ]; then echo "tinyproxy: $(/usr/bin/tinyproxy -v 2>/dev/null || echo present)"; else missing+=(tinyproxy); fi
		runtimes+=(1)
		;;
	queue)
		if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
			echo "postgresql: $(ls -d /usr/lib/postgresql/*/ | xargs -n1 basename | sort -n | tail -1)"
		else
			bare+=(postgresql)
		fi
		if [ -x /usr/bin/redis-server ]; then echo "redis-server: $(/usr/bin/redis-server --version | cut -d' ' -f3)"; else bare+=(redis-server); fi
		;;
	*)
		echo "unknown part \"$part\": use e2e, platforms or queue" >&2
		exit 2
		;;
	esac
done

all=("${missing[@]}" "${bare[@]}")
if [ ${#all[@]} -gt 0 ]; then
	SUDO=""
	if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
	echo "installing ${all[*]} from Debian packages ..."
	# policy-rc.d answering 101 keeps the packages from starting their system-wide services (Debian's convention)
	policy=/usr/sbin/policy-rc.d
	placed=""
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
		$SUDO chmod +x "$policy"
		placed=1
	fi
	cleanup() { if [ -n "$placed" ]; then $SUDO rm -f "$policy"; fi; }
	trap cleanup EXIT
	$SUDO apt-get update
	if [ ${#missing[@]} -gt 0 ]; then DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${missing[@]}"; fi
	if [ ${#bare[@]} -gt 0 ]; then DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${bare[@]}"; fi
	if [[ " ${missing[*]} " == *" tinyproxy "* ]]; then
		# nor at the next boot: tinyproxy's own service would hold port 8888; the proxy test runs its own
		$SUDO systemctl disable tinyproxy >/dev/null 2>&1 || true
	fi
fi

if [ "${SETUP_SKIP_RUNTIME:-}" != "1" ]; then
	for line in "${runtimes[@]}"; do npx tsx dev/n8n/runtime.ts "$line" >/dev/null; done
fi
