#!/usr/bin/env bash
# Debian packages jsna needs besides Python: Node.js and npm (front-end assets),
# Chromium (browser tests), poppler (pdftotext/pdftoppm for PDF tests), and the
# Pango/HarfBuzz libraries and fonts WeasyPrint draws PDFs with.
# Installs only what is missing; needs root (or sudo) the first time.
set -euo pipefail

packages=(nodejs npm chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0
          libharfbuzz-subset0 fonts-dejavu-core fonts-liberation)
# A Node.js that is already on the PATH (e.g. from nodesource or nvm) is used as is.
if command -v node >/dev/null && command -v npm >/dev/null; then
  packages=("${packages[@]:2}")
fi
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing Debian packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
