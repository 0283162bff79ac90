#!/usr/bin/env bash
# Sourced by scripts/test.sh: make sure the tools the tests drive are here, and export
# CHROMIUM_PATH. End-to-end tests drive a system Chromium; the Redis engine's contract suite
# and the multi-node tests start their own redis-server; the Office upload tests run LibreOffice.
# When one is missing and we may install without asking anyone (root, or passwordless sudo), it
# is installed with apt-get, as
# `playwright install --with-deps` does; otherwise the exact command is printed and we fail.

find_chromium() {
  local candidate
  if [[ -n "${CHROMIUM_PATH:-}" && -x "$CHROMIUM_PATH" ]]; then
    echo "$CHROMIUM_PATH"
    return 0
  fi
  for candidate in chromium chromium-browser; do
    command -v "$candidate" && return 0
  done
  local cache="${PLAYWRIGHT_BROWSERS_PATH:-$HOME/.cache/ms-playwright}" found=""
  for candidate in "$cache"/chromium-[0-9]*/chrome-linux/chrome; do
    # Glob order is lexical: the last match is the newest revision.
    [[ -x "$candidate" ]] && found="$candidate"
  done
  [[ -n "$found" ]] && echo "$found"
}

have_redis() { command -v redis-server >/dev/null; }

# The Office upload tests convert presentations with LibreOffice (SOFFICE_PATH, or soffice on PATH).
have_soffice() { command -v "${SOFFICE_PATH:-soffice}" >/dev/null; }

# Prints how to run a command as root without a prompt ("" when we are root, "sudo -n" with
# passwordless sudo); fails when there is no such way, so a person has to install.
root_prefix() {
  if [[ "$(id -u)" -eq 0 ]]; then
    echo ""
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    echo "sudo -n"
  else
    return 1
  fi
}

apt_updated=false
# install_package <what is missing> <Debian package> [hint]: install it, or say how and fail.
install_package() {
  local missing="$1" package="$2" hint="${3:-}" prefix
  if ! command -v apt-get >/dev/null || ! prefix="$(root_prefix)"; then
    echo "${missing} not found. Install it with: sudo apt-get install -y ${package}${hint}" >&2
    return 1
  fi
  echo "${missing} not found: installing it with apt-get install -y ${package}"
  # Once per run: a fresh machine has no package lists yet.
  if [[ "$apt_updated" == false ]]; then
    $prefix env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || return 1
    apt_updated=true
  fi
  $prefix env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
}

ensure_test_tools() {
  if ! CHROMIUM_PATH="$(find_chromium)"; then
    install_package "Chromium" chromium "   (or set CHROMIUM_PATH)" || return 1
    CHROMIUM_PATH="$(find_chromium)" || { echo "Chromium is still not found after installing it." >&2; return 1; }
  fi
  export CHROMIUM_PATH
  if ! have_redis; then
    install_package "redis-server" redis-server || return 1
    have_redis || { echo "redis-server is still not found after installing it." >&2; return 1; }
  fi
  if ! have_soffice; then
    install_package "LibreOffice (soffice)" libreoffice-impress "   (or set SOFFICE_PATH)" || return 1
    have_soffice || { echo "soffice is still not found after installing libreoffice-impress." >&2; return 1; }
  fi
}
