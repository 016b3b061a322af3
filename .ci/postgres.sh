# Starts a throwaway PostgreSQL (Debian's packages, installed if missing) on 127.0.0.1 and
# exports DATABASE_URL for the test suite. By hand: `source .ci/postgres.sh && make test`.
# The server stops when the shell that sourced this exits.

server_bin() { ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 | xargs -r dirname; }
pg_bin=$(server_bin)
if [ -z "$pg_bin" ]; then  # the machine may have only the client
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    pg_bin=$(server_bin)
fi

pg_dir=$(mktemp -d /tmp/extranet-pg.XXXXXX)
pg_port=${PG_PORT:-54329}
chown postgres: "$pg_dir"
# The server refuses to run as root.
as_postgres() { runuser -u postgres -- "$@"; }
as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -A trust >/dev/null
as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w start -o \
    "-h 127.0.0.1 -p $pg_port -k $pg_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
trap 'runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast stop >/dev/null; rm -rf "$pg_dir"' EXIT
as_postgres "$pg_bin/psql" -q -h 127.0.0.1 -p "$pg_port" -U postgres -c \
    "CREATE ROLE extranet LOGIN PASSWORD 'extranet' CREATEDB" -c "CREATE DATABASE extranet OWNER extranet"
export DATABASE_URL="postgres://extranet:extranet@127.0.0.1:$pg_port/extranet"
echo "PostgreSQL ready: $DATABASE_URL"
