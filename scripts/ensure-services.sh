#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on 127.0.0.1: start local packages if installed (installing them
# with apt when we are root and they are missing), else fall back to `docker compose up -d postgres redis`.
set -euo pipefail
cd "$(dirname "$0")/.."

pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
redis_up() { [ "$( (printf 'PING\r\n'; sleep 0.2) | timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/6379; cat >&3; timeout 1 head -c 7 <&3' 2>/dev/null)" = "+PONG"$'\r' ] || (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; }
have() { command -v "$1" >/dev/null 2>&1; }
can_apt() { [ "$(id -u)" = 0 ] && have apt-get; }
compose() { have docker && docker info >/dev/null 2>&1 && docker compose up -d "$@"; }

if ! pg_up; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1 && can_apt; then
    echo "Installing PostgreSQL…"; apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
  fi
  if ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "Starting PostgreSQL…"; pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | tail -1)" main start || true
  else
    compose postgres || true
  fi
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  pg_up || { echo "PostgreSQL is not reachable on 127.0.0.1:5432." >&2; exit 1; }
fi

if ! redis_up; then
  if ! have redis-server && can_apt; then
    echo "Installing Redis…"; apt-get update -qq && apt-get install -y -qq redis-server >/dev/null
  fi
  if have redis-server; then
    echo "Starting Redis…"; redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  else
    compose redis || true
  fi
  for _ in $(seq 1 30); do redis_up && break; sleep 1; done
  redis_up || { echo "Redis is not reachable on 127.0.0.1:6379." >&2; exit 1; }
fi
echo "PostgreSQL and Redis are up."
