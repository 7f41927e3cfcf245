#!/usr/bin/env bash
# disable-system-mosquitto.sh stops and disables the broker service that Debian's mosquitto
# package starts on port 1883. Tests start their own brokers on free ports and must never
# depend on it, and `make run` uses campusguard's embedded broker, which wants the port.
# Production runs mosquitto with deploy/mosquitto.conf under its own service instead.
set -euo pipefail

if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  if systemctl is-enabled --quiet mosquitto.service 2>/dev/null || systemctl is-active --quiet mosquitto.service; then
    echo "deps: disabling the system mosquitto service (tests start their own brokers)"
    systemctl disable --now mosquitto.service
  fi
elif [ -x /etc/init.d/mosquitto ]; then
  /etc/init.d/mosquitto stop >/dev/null 2>&1 || true
  update-rc.d mosquitto disable >/dev/null 2>&1 || true
fi
