#!/usr/bin/env bash
# Starts a Redis server on 127.0.0.1 (a free port, its data in a temporary folder) for the cluster tests and prints its
# connection string (127.0.0.1:PORT) on stdout. Installs it with apt when missing (CI runs as root). Never fails the
# build: without a server the cluster tests skip, saying why. A server this script started earlier is reused.
set -u
log() { echo "redis: $*" >&2; }
port=${BATON_TEST_REDIS_PORT:-6390}
if command -v redis-cli >/dev/null 2>&1 && redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
  log "already running on 127.0.0.1:$port"; echo "127.0.0.1:$port"; exit 0
fi
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing redis-server"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server) >/dev/null 2>&1 || { log "could not install redis-server; the cluster tests will be skipped"; exit 0; }
  else
    log "redis-server is not installed and cannot be installed here; the cluster tests will be skipped"; exit 0
  fi
fi
dir=$(mktemp -d)
# Loopback only, no persistence: membership is rebuilt by the workers that join.
redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --save "" --appendonly no --daemonize yes --logfile "$dir/redis.log" >/dev/null 2>&1 || { log "could not start the server"; exit 0; }
for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG && break; sleep 0.2; done
redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG || { log "the server did not answer"; exit 0; }
log "running on 127.0.0.1:$port"
echo "127.0.0.1:$port"
