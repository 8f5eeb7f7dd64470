#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the dashboard's browser tests (Playwright drives it; its own browser
# download is not reachable) and prints its path on stdout. Installs it with apt when missing (CI runs as root).
# Never fails the build: without a browser those tests skip, saying why.
set -u
log() { echo "chromium: $*" >&2; }
for candidate in /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -x "$candidate" ]; then echo "$candidate"; exit 0; fi
done
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  log "installing chromium"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 || { log "could not install chromium; the browser tests will be skipped"; exit 0; }
  [ -x /usr/bin/chromium ] && echo /usr/bin/chromium
else
  log "chromium is not installed and cannot be installed here; the browser tests will be skipped"
fi
exit 0
