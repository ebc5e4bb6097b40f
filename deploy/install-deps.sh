#!/usr/bin/env bash
# Installs and starts what the stack needs from the operating system when it is missing:
# RabbitMQ (when nothing answers on the configured AMQP address), a CJK font for the
# watermarks and HAProxy for the cluster shape (`make cluster-up`). Uses Debian/Ubuntu
# packages; elsewhere it says what to install by hand.
set -euo pipefail

amqp="${AMQP_URI:-amqp://guest:guest@127.0.0.1:5672/}"
hostport="${amqp#*://}"; hostport="${hostport#*@}"; hostport="${hostport%%/*}"
host="${hostport%%:*}"; port="${hostport##*:}"; [ "$port" = "$hostport" ] && port=5672

answers() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

apt_install() {
  command -v apt-get >/dev/null || return 1
  if [ ! -f /var/lib/apt/periodic/court-updated ] || ! apt-cache show "$1" >/dev/null 2>&1; then
    as_root apt-get update -qq && as_root mkdir -p /var/lib/apt/periodic && as_root touch /var/lib/apt/periodic/court-updated
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# `install-deps.sh python PYTHON`: before the virtualenv is made (Makefile), a Python new
# enough and its venv module (Debian's python3-venv), so a fresh machine gets past `make`.
if [ "${1:-}" = "python" ]; then
  python="${2:-python3}"
  if ! command -v "$python" >/dev/null; then
    echo "[deps] $python not found: install Python 3.11 or newer (apt-get install python3), or run make PYTHON=/path/to/python3" >&2; exit 1
  fi
  if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "[deps] $python is Python $("$python" -c 'import platform; print(platform.python_version())'): the project needs 3.11 or newer; run make PYTHON=python3.11 (or newer)" >&2; exit 1
  fi
  if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
    version="$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
    echo "[deps] installing python$version-venv (the virtualenv module)"
    apt_install "python$version-venv" || apt_install python3-venv || \
      { echo "[deps] $python has no venv module: install python3-venv, then run make again" >&2; exit 1; }
  fi
  exit 0
fi

if ! command -v npm >/dev/null; then
  echo "[deps] installing Node.js and npm (the pages' front-end package, weui)"
  apt_install nodejs npm || { echo "[deps] npm is missing: install Node.js with npm, then run make again" >&2; exit 1; }
fi

if ! answers "$host" "$port"; then
  if [ "$host" != "127.0.0.1" ] && [ "$host" != "localhost" ]; then
    echo "RabbitMQ at $host:$port does not answer" >&2; exit 1
  fi
  if ! command -v rabbitmq-server >/dev/null; then
    echo "[deps] installing RabbitMQ from the OS packages"
    apt_install rabbitmq-server || { echo "install RabbitMQ (rabbitmq-server) and start it" >&2; exit 1; }
  fi
  if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null; then
    echo "[deps] RabbitMQ does not answer on $host:$port and starting it needs root: run rabbitmq-server -detached (or systemctl start rabbitmq-server) as root, or set AMQP_URI to a broker of yours" >&2
    exit 1
  fi
  echo "[deps] starting RabbitMQ on loopback"
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  as_root env RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 rabbitmq-server -detached || true
  for _ in $(seq 1 60); do answers "$host" "$port" && break; sleep 1; done
  answers "$host" "$port" || { echo "RabbitMQ did not start" >&2; exit 1; }
fi

if ! fc-list 2>/dev/null | grep -qiE "Noto (Sans|Serif) CJK|WenQuanYi"; then
  echo "[deps] installing a CJK font for the watermarks"
  apt_install fonts-noto-cjk fontconfig || apt_install fonts-wqy-zenhei fontconfig || \
    echo "[deps] no CJK font: install fonts-noto-cjk" >&2
fi

if ! command -v haproxy >/dev/null && [ ! -x /usr/sbin/haproxy ]; then
  echo "[deps] installing HAProxy (the cluster shape's proxy in front of the gateways)"
  apt_install haproxy || echo "[deps] no HAProxy: install haproxy for make cluster-up" >&2
fi
