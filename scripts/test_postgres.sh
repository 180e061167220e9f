#!/usr/bin/env bash
# Make a local PostgreSQL ready for the tests: started, trust auth for 127.0.0.1, database
# `test`. Idempotent; run by `make test` (and by CI through it). Prints the URL to use, or
# nothing when this machine has no PostgreSQL at all (the PostgreSQL tests then skip).
# Needs root (or the postgres user) for pg_hba.conf and pg_ctlcluster; see DEVELOPERS.md.
set -euo pipefail

if ! command -v pg_lsclusters >/dev/null 2>&1 || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
    echo "no PostgreSQL cluster on this machine; PostgreSQL tests will be skipped" >&2
    exit 0
fi
version=$(ls /etc/postgresql | sort -V | tail -n 1)
hba=/etc/postgresql/$version/main/pg_hba.conf
marker="# precursorwatch tests: trust on loopback"
if [ -w "$hba" ] && ! grep -qF "$marker" "$hba"; then
    # First matching line wins in pg_hba.conf, so the trust line goes on top.
    { echo "$marker"; echo "host all all 127.0.0.1/32 trust"; cat "$hba"; } > "$hba.new"
    mv "$hba.new" "$hba"
    chown postgres:postgres "$hba" 2>/dev/null || true
    reload=1
fi
if pg_lsclusters --no-header | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q down; then
    pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2
elif [ "${reload:-0}" = 1 ]; then
    pg_ctlcluster --skip-systemctl-redirect "$version" main reload >&2
fi
for _ in $(seq 1 50); do
    psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1 && break
    sleep 0.2
done
if ! psql -h 127.0.0.1 -U postgres -d postgres -Atc "select 1 from pg_database where datname='test'" | grep -q 1; then
    psql -h 127.0.0.1 -U postgres -d postgres -qc 'create database test' >&2
fi
echo "postgresql+psycopg://postgres@127.0.0.1:5432/test"
