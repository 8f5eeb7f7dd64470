#!/usr/bin/env bash
# Starts a PostgreSQL server on 127.0.0.1 for the PostgreSQL store's tests and prints the connection string on stdout.
# Installs it with apt when missing (CI runs as root). Never fails the build: without a server the tests skip, saying why.
set -u
log() { echo "postgres: $*" >&2; }
conn="Host=127.0.0.1;Port=5432;Username=baton;Password=baton;Database=baton_test"
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing postgresql"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >/dev/null 2>&1 || { log "could not install postgresql; its tests will be skipped"; exit 0; }
  else
    log "postgresql is not installed and cannot be installed here; its tests will be skipped"; exit 0
  fi
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
cluster=$(pg_lsclusters -h 2>/dev/null | awk -v v="$version" '$1 == v {print $2; exit}')
if [ -z "$cluster" ]; then pg_createcluster "$version" main >/dev/null 2>&1 || { log "could not create a cluster"; exit 0; }; cluster=main; fi
conf="/etc/postgresql/$version/$cluster/postgresql.conf"
# Loopback only: nothing outside this machine can reach the test server.
grep -q "^listen_addresses = '127.0.0.1'" "$conf" 2>/dev/null || echo "listen_addresses = '127.0.0.1'" >> "$conf"
pg_ctlcluster "$version" "$cluster" start >/dev/null 2>&1 || pg_ctlcluster "$version" "$cluster" status >/dev/null 2>&1 || { log "could not start the server"; exit 0; }
for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 0.5; done
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='baton'\"" | grep -q 1 || su postgres -c "psql -qc \"CREATE ROLE baton LOGIN PASSWORD 'baton'\"" >/dev/null
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='baton_test'\"" | grep -q 1 || su postgres -c "psql -qc \"CREATE DATABASE baton_test OWNER baton\"" >/dev/null
log "running on 127.0.0.1:5432 (database baton_test)"
echo "$conn"
