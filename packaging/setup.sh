#!/usr/bin/env bash
# Installs the system packages Jiancha needs to build, run and test, when they are missing.
#
# Idempotent: packages already installed are not touched, and nothing runs apt when all are present.
# Supported: apt on Debian, Ubuntu, Kylin and UOS. Elsewhere it prints what to install and exits 1.
#
# Usage: packaging/setup.sh [--check]
#   --check   only report what is missing (exit 1 when something is)
set -euo pipefail

# Build: compiler, pkg-config and the GStreamer development headers.
# Run:   GStreamer plugins (RTSP, H.264 encode/decode, text overlay), GL/Vulkan drivers, X libraries,
#        a CJK font, CUPS (lp) for printing. Tests: Xvfb for screenshots, poppler for PDF checks,
#        ffmpeg to probe clips, cupsd for a private print queue. HTTPS to a server: the system CAs.
#        Python with venv for the test tools packaging/pytools.sh installs from PyPI. PostgreSQL's
#        server (the PostgreSQL tests start a throw-away cluster of their own as the postgres user).
# Package: dpkg-dev (dpkg-shlibdeps for cargo-deb), and the checkers packaging/deb-test.sh runs:
#        desktop-file-validate, appstreamcli, systemd-analyze; adduser for the package's own user.
PACKAGES=(
  build-essential pkg-config
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstrtspserver-1.0-dev
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-x
  libgl1 libegl1 libegl-mesa0 libgl1-mesa-dri libvulkan1 mesa-vulkan-drivers
  libxkbcommon-x11-0 libx11-xcb1 libxcursor1 libxrandr2 libxi6
  fonts-noto-cjk xvfb xauth imagemagick poppler-utils ffmpeg
  cups-client cups-daemon
  ca-certificates
  python3 python3-venv
  postgresql postgresql-client
  dpkg-dev desktop-file-utils appstream systemd adduser curl
)

check_only=0
[ "${1:-}" = "--check" ] && check_only=1

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "jiancha setup: this system has no apt/dpkg. Install the equivalents of these Debian packages" >&2
  echo "with your package manager, then run again:" >&2
  printf '  %s\n' "${PACKAGES[@]}" >&2
  exit 1
fi

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing+=("$p") ;;
  esac
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "jiancha setup: all ${#PACKAGES[@]} system packages present."
  exit 0
fi

echo "jiancha setup: missing ${#missing[@]} package(s): ${missing[*]}"
[ $check_only -eq 1 ] && exit 1

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "jiancha setup: not root and no sudo; run as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "jiancha setup: installed ${missing[*]}"
