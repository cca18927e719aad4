#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A throwaway PostgreSQL 15 server for the tests.
#
#   pg-server.sh start STATE_DIR   initdb into a new temporary folder, start the
#                                  server on a free port of 127.0.0.1 and write
#                                  STATE_DIR/admin-url (the superuser's URL),
#                                  STATE_DIR/ca.pem (the CA that signed the
#                                  server's certificate) and STATE_DIR/other-ca.pem
#                                  (an unrelated CA, which must not verify it)
#   pg-server.sh stop STATE_DIR    stop that server (fast) and remove its folder;
#                                  does nothing when none is running
#
# The server runs as the unprivileged `postgres` system user when this script
# runs as root (PostgreSQL refuses root), else as the current user. TCP on
# 127.0.0.1 only, scram-sha-256 with a random superuser password; the Unix
# socket lives in the temporary folder. TLS is on: a throwaway CA (made with the
# openssl command) signs a certificate for localhost (not 127.0.0.1); clients may
# connect with or without TLS (the admin URL says sslmode=disable, the TLS tests
# use verify-full with STATE_DIR/ca.pem). With DERMLABEL_NO_POSTGRES=1, start
# writes STATE_DIR/disabled instead and the tests that need the server skip.
set -euo pipefail

pg_bin=${DERMLABEL_PG_BIN:-/usr/lib/postgresql/15/bin}
action=${1:-}
state_dir=${2:-}
if [[ -z "$action" || -z "$state_dir" ]]; then
    echo "usage: $0 start|stop STATE_DIR" >&2
    exit 2
fi

as_server_user() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

stop_server() {
    local server_dir
    [[ -f "$state_dir/server-dir" ]] || return 0
    server_dir=$(<"$state_dir/server-dir")
    if [[ -f "$server_dir/data/postmaster.pid" ]]; then
        as_server_user "$pg_bin/pg_ctl" stop -D "$server_dir/data" -m fast -w -t 60 >/dev/null || true
    fi
    rm -rf -- "$server_dir"
    rm -f -- "$state_dir/server-dir" "$state_dir/admin-url" "$state_dir/ca.pem" "$state_dir/other-ca.pem"
}

case "$action" in
stop)
    stop_server
    exit 0
    ;;
start) ;;
*)
    echo "usage: $0 start|stop STATE_DIR" >&2
    exit 2
    ;;
esac

mkdir -p "$state_dir"
chmod 700 "$state_dir"
stop_server # a server left over by an interrupted run
rm -f -- "$state_dir/disabled"
if [[ "${DERMLABEL_NO_POSTGRES:-}" == 1 ]]; then
    echo "DERMLABEL_NO_POSTGRES=1: no PostgreSQL server; the tests that need one are skipped."
    echo "DERMLABEL_NO_POSTGRES=1" >"$state_dir/disabled"
    exit 0
fi

for tool in initdb pg_ctl; do
    if [[ ! -x "$pg_bin/$tool" ]]; then
        echo "No $pg_bin/$tool: install the Debian package postgresql (packaging/debian-deps.sh does)," >&2
        echo "or set DERMLABEL_NO_POSTGRES=1 to skip the tests that need a PostgreSQL server." >&2
        exit 1
    fi
done
if ! command -v openssl >/dev/null; then
    echo "No openssl command (Debian package openssl): the test server's TLS certificate cannot be made." >&2
    exit 1
fi
if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    echo "Running as root, but there is no 'postgres' system user to run the server as." >&2
    exit 1
fi

server_dir=$(mktemp -d "${TMPDIR:-/tmp}/dermlabel-pg.XXXXXX")
echo "$server_dir" >"$state_dir/server-dir"
# Stop and clean up whatever was started if anything below fails.
trap 'status=$?; if [[ $status -ne 0 ]]; then echo "--- server log ---" >&2; cat "$server_dir/server.log" >&2 2>/dev/null || true; stop_server; fi' EXIT

password=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
mkdir -p "$server_dir/socket"
printf '%s\n' "$password" >"$server_dir/password"
chmod 700 "$server_dir"
chmod 600 "$server_dir/password"
if [[ $(id -u) -eq 0 ]]; then
    chown -R postgres: "$server_dir"
fi

as_server_user "$pg_bin/initdb" -D "$server_dir/data" -U postgres --pwfile="$server_dir/password" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C >"$server_dir/initdb.log" 2>&1 || {
    cat "$server_dir/initdb.log" >&2
    exit 1
}
rm -f -- "$server_dir/password"

# TLS: a CA of this run only, and the server's certificate for localhost signed by it; another
# CA that signed nothing of this server, for the tests that must see verification fail.
tls_dir="$server_dir/tls"
mkdir -p "$tls_dir"
cat >"$tls_dir/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = DermLabel test
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost
EOF
make_ca() { # NAME SUBJECT
    openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 7 \
        -config "$tls_dir/openssl.cnf" -extensions ca -subj "$2" -keyout "$tls_dir/$1.key" -out "$tls_dir/$1.pem"
}
{
    make_ca ca "/CN=DermLabel test CA" &&
        make_ca other-ca "/CN=Another CA" &&
        openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -config "$tls_dir/openssl.cnf" \
            -subj "/CN=localhost" -keyout "$tls_dir/server.key" -out "$tls_dir/server.csr" &&
        openssl x509 -req -in "$tls_dir/server.csr" -CA "$tls_dir/ca.pem" -CAkey "$tls_dir/ca.key" \
            -CAcreateserial -days 7 -extfile "$tls_dir/openssl.cnf" -extensions server -out "$tls_dir/server.crt"
} >"$server_dir/openssl.log" 2>&1 || {
    cat "$server_dir/openssl.log" >&2
    exit 1
}
rm -f -- "$tls_dir/ca.key" "$tls_dir/other-ca.key" "$tls_dir/server.csr"
chmod 600 "$tls_dir/server.key"
if [[ $(id -u) -eq 0 ]]; then
    chown -R postgres: "$tls_dir"
fi

cat >"$server_dir/data/pg_hba.conf" <<'EOF'
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 scram-sha-256
host    all       all   127.0.0.1/32  scram-sha-256
EOF

started=0
for attempt in 1 2 3 4 5 6 7 8 9 10; do
    port=$((20000 + RANDOM % 40000))
    port_in_use "$port" && continue
    cat >>"$server_dir/data/postgresql.conf" <<EOF
# dermlabel tests (attempt $attempt)
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$server_dir/socket'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
lc_messages = 'C'
ssl = on
ssl_cert_file = '$tls_dir/server.crt'
ssl_key_file = '$tls_dir/server.key'
EOF
    if as_server_user "$pg_bin/pg_ctl" start -D "$server_dir/data" -l "$server_dir/server.log" -w -t 60 >/dev/null; then
        started=1
        break
    fi
    # Lost the race for the port to another program: try another one.
    grep -q "Address already in use" "$server_dir/server.log" 2>/dev/null || exit 1
done
[[ $started -eq 1 ]] || { echo "No free port found for the test server." >&2; exit 1; }

umask 077
echo "postgresql://postgres:$password@127.0.0.1:$port/postgres?sslmode=disable" >"$state_dir/admin-url"
cp -- "$tls_dir/ca.pem" "$state_dir/ca.pem"
cp -- "$tls_dir/other-ca.pem" "$state_dir/other-ca.pem"
echo "PostgreSQL test server on 127.0.0.1:$port, TLS on (data in $server_dir)."
