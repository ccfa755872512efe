#!/usr/bin/env bash
# Browser tests need Debian's chromium and CJK fonts (STACK.md). Install them when missing and possible;
# otherwise say so — the browser tests then skip with a message.
set -u
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium chromium-driver)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${need[*]} (for the browser tests)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${need[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q "${need[@]}" >/dev/null; } \
    || echo "could not install ${need[*]}; browser tests will be skipped"
else
  echo "missing ${need[*]} and not root: browser tests will be skipped (sudo apt-get install ${need[*]})"
fi
exit 0
