#!/usr/bin/env bash
# Install the Debian packages DeskPhone needs: `run` (the app) or `test` (the app + test peers).
# As root it installs what is missing with apt-get; otherwise it prints the exact apt line.
set -euo pipefail
what=${1:-run}

run_pkgs=(python3 python3-venv python3-pip libportaudio2 xvfb xauth
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
  libxkbcommon-x11-0 libxcb-xinerama0 libxcb-randr0 libxcb-shape0 libxcb-xkb1
  libegl1 libgl1 libfontconfig1 libdbus-1-3 fonts-dejavu-core)
# gnome-keyring: a real Secret Service for the password tests (tests/integration/test_secret_service.py).
# pipewire, wireplumber and pipewire-pulse: the default-device audio test on PipeWire (they run
# headless beside PulseAudio; pipewire-alsa is left out so ALSA's default stays the pulse plugin).
# kamailio-presence-modules: BLF (presence, presence_dialoginfo, pua_dialoginfo) and voice mail
# (presence_mwi); db_text ships with kamailio itself.
test_pkgs=(sip-tester kamailio kamailio-tls-modules kamailio-presence-modules pulseaudio
  pulseaudio-utils libasound2-plugins baresip tshark procps xdg-utils dbus-daemon pipewire
  wireplumber pipewire-pulse gnome-keyring)

pkgs=("${run_pkgs[@]}")
[ "$what" = test ] && pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "DeskPhone needs these Debian packages. Install them with:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
