#!/usr/bin/env bash
# Renders the app icon (resources/icons/io.queuedeck.QueueDeck.svg) to the PNG sizes the
# package installs into the hicolor theme, in resources/icons/hicolor/. The PNGs are
# committed, so building the package needs no SVG renderer; run this after editing the SVG.
set -euo pipefail
cd "$(dirname "$0")/../resources/icons"
for size in 16 24 32 48 64 128 256 512; do
  mkdir -p "hicolor/${size}x${size}/apps"
  rsvg-convert -w "$size" -h "$size" io.queuedeck.QueueDeck.svg \
    -o "hicolor/${size}x${size}/apps/io.queuedeck.QueueDeck.png"
done
