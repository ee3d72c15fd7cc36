#!/usr/bin/env bash
# Runs before `npm test` (pretest): makes sure of what the tests need, on a fresh Debian or Ubuntu
# machine too.
#   - MySQL/MariaDB at TEST_MYSQL_URL (default: MariaDB on 127.0.0.1:3306, root, empty password)
#   - Redis at TEST_REDIS_URL (default 127.0.0.1:6379): the shared per-IP rate limit test
#   - /usr/bin/chromium: the Swagger UI test drives /docs in it (playwright-core, no browser download)
#   - jq and curl: the README walk-through test
#   - promtool and prometheus (Debian's prometheus package): the metrics tests
# What is installed but stopped is started; what is missing is installed with apt-get when running
# as root, else the script stops and prints the one command to run. A TEST_MYSQL_URL or
# TEST_REDIS_URL pointing elsewhere is only checked, never started.
set -euo pipefail
cd "$(dirname "$0")/.."

say () { echo "test-prereqs: $*"; }
is_root () { [ "$(id -u)" = 0 ]; }
missing=()
as_root=()

mysql_url="${TEST_MYSQL_URL:-mysql://root@127.0.0.1:3306}"
mysql_answers () {
  node -e "require('mysql2/promise').createConnection(process.argv[1]).then((c) => c.end(), () => process.exit(1))" \
    "$mysql_url" >/dev/null 2>&1
}
redis_host=127.0.0.1 redis_port=6379
if [ -n "${TEST_REDIS_URL:-}" ]; then
  hostport=${TEST_REDIS_URL#*://}; hostport=${hostport#*@}; hostport=${hostport%%/*}
  redis_host=${hostport%:*}; redis_port=${hostport##*:}
  [ "$redis_port" = "$hostport" ] && redis_port=6379
fi
redis_answers () {
  (exec 3<>"/dev/tcp/$redis_host/$redis_port" && printf 'PING\r\n' >&3 && read -r -t 2 reply <&3 && [[ $reply == +PONG* ]]) \
    2>/dev/null
}

# a fresh install lets root in over the unix socket only: allow TCP with the empty password
ROOT_OVER_TCP="ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('') OR unix_socket; \
CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''; \
GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION; FLUSH PRIVILEGES;"

apt_updated=
apt_install () {
  export DEBIAN_FRONTEND=noninteractive
  [ -n "$apt_updated" ] || { say "apt-get update"; apt-get update -qq; apt_updated=1; }
  say "apt-get install $*"
  apt-get install -y -qq "$@" >/dev/null
}

# MariaDB: installed -> started; then root may log in over TCP with the empty password.
ensure_mariadb () {
  mysql_answers && return
  if [ -n "${TEST_MYSQL_URL:-}" ]; then
    say "nothing answers at TEST_MYSQL_URL ($TEST_MYSQL_URL): start that server or unset TEST_MYSQL_URL"; exit 1
  fi
  if [ ! -x /usr/sbin/mariadbd ]; then
    if is_root && command -v apt-get >/dev/null; then apt_install mariadb-server; else missing+=(mariadb-server); return; fi
  fi
  if ! is_root; then
    as_root+=("start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql")
    as_root+=("mysql --protocol=socket -uroot -e \"$ROOT_OVER_TCP\"")
    return
  fi
  mysql_answers && return
  say "starting MariaDB"
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
  for _ in $(seq 1 60); do
    if mysqladmin --protocol=socket -uroot ping >/dev/null 2>&1 || mysql_answers; then break; fi
    sleep 1
  done
  mysql_answers || mysql --protocol=socket -uroot -e "$ROOT_OVER_TCP" || true
  mysql_answers || { say "MariaDB does not answer on 127.0.0.1:3306 as root with an empty password"; exit 1; }
}

# Redis: installed -> started (no root needed: it keeps nothing on disk).
ensure_redis () {
  redis_answers && return
  if [ -n "${TEST_REDIS_URL:-}" ]; then
    say "nothing answers at TEST_REDIS_URL ($TEST_REDIS_URL): start that server or unset TEST_REDIS_URL"; exit 1
  fi
  if ! command -v redis-server >/dev/null; then
    if is_root && command -v apt-get >/dev/null; then apt_install redis-server; else missing+=(redis-server); return; fi
  fi
  say "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no --dir "${TMPDIR:-/tmp}" \
    --logfile "${TMPDIR:-/tmp}/secure-api-test-redis.log"
  for _ in $(seq 1 30); do redis_answers && return; sleep 1; done
  say "Redis does not answer on 127.0.0.1:6379"; exit 1
}

ensure_tool () { # <path or command> <package>
  if [[ $1 == /* ]]; then [ -x "$1" ] && return; else command -v "$1" >/dev/null && return; fi
  if is_root && command -v apt-get >/dev/null; then apt_install "$2"; else missing+=("$2"); fi
}

ensure_mariadb
ensure_redis
ensure_tool /usr/bin/chromium chromium
ensure_tool jq jq
ensure_tool curl curl
ensure_tool /usr/bin/promtool prometheus
ensure_tool /usr/bin/prometheus prometheus

if [ ${#missing[@]} -gt 0 ] || [ ${#as_root[@]} -gt 0 ]; then
  say "the tests need more than this user may set up. Run, then npm test again:"
  [ ${#missing[@]} -eq 0 ] || echo "  sudo apt-get install -y ${missing[*]}"
  for command in "${as_root[@]}"; do echo "  sudo $command"; done
  exit 1
fi
