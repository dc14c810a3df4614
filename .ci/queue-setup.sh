#!/usr/bin/env bash
# What the queue-mode suite (npm run test:queue) and `npm start -- --queue` need beyond `npm ci`: PostgreSQL and
# Redis from Debian's packages. The suite starts its own servers (own ports, data under .test-output/); the
# packages' own services are kept from starting while they install.
set -euo pipefail

missing=()
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then missing+=(postgresql); fi
if [ ! -x /usr/bin/redis-server ]; then missing+=(redis-server); fi

if [ ${#missing[@]} -eq 0 ]; then
	echo "postgresql: $(ls -d /usr/lib/postgresql/*/ | xargs -n1 basename | sort -n | tail -1), redis-server: $(/usr/bin/redis-server --version | cut -d' ' -f3)"
	exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
echo "installing ${missing[*]} from Debian packages ..."
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
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
