#!/bin/sh
# Rebuilds the vendored browser bundle byte for byte from the exact versions pinned in
# package.json and package-lock.json:
#   cd tools/browser-crypto && npm ci && sh build.sh
# and then `git diff --exit-code` shows nothing. `sh build.sh OTHER.js` writes elsewhere (the
# test tests/voting/test_booth_crypto.py does so when node_modules is there, and compares).
set -eu
cd "$(dirname "$0")"
OUT=${1:-../../src/councils/web/static/web/vendor/noble-ristretto255.js}
./node_modules/.bin/esbuild entry.js --bundle --format=iife --minify --target=es2020 \
  --legal-comments=inline --charset=utf8 --log-level=warning --outfile="$OUT" \
  "--banner:js=/*! @noble/curves 2.4.0 and @noble/hashes 2.4.0, MIT License, (c) 2022 Paul Miller (paulmillr.com). Bundled by tools/browser-crypto/build.sh with esbuild 0.28.2. */"
# Subresource Integrity value for the <script integrity=...> attribute.
printf 'sha384-%s\n' "$(openssl dgst -sha384 -binary "$OUT" | openssl base64 -A)"
