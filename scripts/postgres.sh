#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on 127.0.0.1:55432 (data in
# /tmp/cantiere-pg) for the store tests, and prints the DATABASE_URL to use.
# Installs Debian's postgresql package first if it is missing.
set -euo pipefail
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2
fi
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
DIR=/tmp/cantiere-pg
PORT=55432
if [ -f "$DIR/data/postmaster.pid" ]; then
  su postgres -c "$PGBIN/pg_ctl -D $DIR/data stop -m fast" >&2 || true
fi
rm -rf "$DIR"
mkdir -p "$DIR"
chown postgres "$DIR"
su postgres -c "$PGBIN/initdb -D $DIR/data -A trust -U cantiere" >/dev/null
su postgres -c "$PGBIN/pg_ctl -D $DIR/data -o '-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off' -l $DIR/log -w start" >&2
su postgres -c "$PGBIN/createdb -h 127.0.0.1 -p $PORT -U cantiere cantiere"
echo "postgres://cantiere@127.0.0.1:$PORT/cantiere"
