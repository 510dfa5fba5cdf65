#!/usr/bin/env bash
# Renders the PNG icons (16–512 px) from assets/icons/jiancha.svg with rsvg-convert (librsvg2-bin).
# The PNGs are committed; run this after changing the SVG. The screenshots in assets/screenshots/ are
# the console on the demo hall at 1600×900 under Xvfb (the wall, then 预警), taken with ImageMagick's
# `import -window root`.
set -euo pipefail
cd "$(dirname "$0")/icons"
for size in 16 24 32 48 64 128 256 512; do
  rsvg-convert -w "$size" -h "$size" jiancha.svg -o "jiancha-$size.png"
done
