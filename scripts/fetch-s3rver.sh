#!/usr/bin/env bash
# Installs s3rver (an S3-compatible server, from npm) into DIR for the S3
# source's tests, once. Never fails the build: when npm or the registry is
# out of reach it writes the reason to DIR/unavailable.txt, and the tests
# that need s3rver skip with that reason.
set -u
dir="$1"
version="3.7.1"
mkdir -p "$dir"
if [ -x "$dir/node_modules/.bin/s3rver" ]; then
  rm -f "$dir/unavailable.txt"
  exit 0
fi
if ! command -v npm > /dev/null 2>&1 || ! command -v node > /dev/null 2>&1; then
  echo "npm and node are not installed (apt-get install npm)" > "$dir/unavailable.txt"
  exit 0
fi
if npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "s3rver@$version" \
    > "$dir/npm.log" 2>&1; then
  rm -f "$dir/unavailable.txt"
else
  { echo "npm install s3rver@$version failed:"; tail -n 5 "$dir/npm.log"; } > "$dir/unavailable.txt"
fi
exit 0
