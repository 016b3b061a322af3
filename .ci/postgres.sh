#!/usr/bin/env bash
# Starts a throwaway PostgreSQL (Debian's packages, installed if missing) on 127.0.0.1 and
# exports DATABASE_URL. By hand: `source .ci/postgres.sh && make test`, or `.ci/postgres.sh make test`.
# The server stops when that shell exits, or earlier with `pg_stop`.

_pg_bindir() { printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1; }

# The server refuses to run as root; cd / because postgres may not be able to read the cwd.
_pg_as() { if [ "$EUID" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }

pg_stop() {
    trap - EXIT
    if [ -f "${_pg_dir:-}/data/postmaster.pid" ]; then
        _pg_as "$_pg_bin/pg_ctl" -D "$_pg_dir/data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "${_pg_dir:-/nonexistent}"
    unset _pg_dir DATABASE_URL
}

# Every step ends in `|| return`: when sourced, `set -e` may be off (a developer's shell)
# or ignored (bash ignores it inside a function called from `||`).
_pg_start() {
    local sudo= port=54329
    [ "$EUID" -eq 0 ] || sudo=sudo
    _pg_bin=$(_pg_bindir)
    if [ ! -x "$_pg_bin/postgres" ]; then  # the machine may have only the client, or nothing
        $sudo apt-get update -qq || return
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || return
        _pg_bin=$(_pg_bindir)
    fi

    _pg_dir=$(mktemp -d /tmp/extranet-pg.XXXXXX) || return
    trap pg_stop EXIT
    if [ "$EUID" -eq 0 ]; then chown postgres: "$_pg_dir" || return; fi
    while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done

    _pg_as "$_pg_bin/initdb" -D "$_pg_dir/data" -U postgres -E UTF8 --locale=C --no-sync \
        --auth-local=trust --auth-host=scram-sha-256 >/dev/null || return
    cat >>"$_pg_dir/data/postgresql.conf" <<EOF || return
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$_pg_dir'
# Durability is pointless for a throwaway test database.
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    _pg_as "$_pg_bin/pg_ctl" -D "$_pg_dir/data" -l "$_pg_dir/log" -w start >/dev/null ||
        { cat "$_pg_dir/log" >&2; return 1; }
    "$_pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$_pg_dir" -p "$port" -U postgres -d postgres \
        -c "CREATE ROLE extranet LOGIN PASSWORD 'extranet' CREATEDB" \
        -c "CREATE DATABASE extranet OWNER extranet" || return
    export DATABASE_URL="postgres://extranet:extranet@127.0.0.1:$port/extranet"
    echo "PostgreSQL ready: DATABASE_URL=$DATABASE_URL"
}

if ! _pg_start; then
    echo "postgres.sh: could not start PostgreSQL" >&2
    pg_stop
    return 1 2>/dev/null || exit 1
fi
if [ "${BASH_SOURCE[0]}" = "$0" ]; then "$@"; fi  # executed rather than sourced: run the command
