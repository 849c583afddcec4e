#!/usr/bin/env bash
# Lighthouse (mobile) on the demo served by a real daphne on the embedded default, in Debian's
# Chromium: accessibility, best practices and SEO must be 100 and CLS at most 0.05 on each page.
# Performance is reported, not enforced (it depends on the machine). About 2¼ minutes: ~30 s
# migrate + seed_demo, then ~15 s a page. docs/lighthouse.md has a recorded run.
#
#   bash .ci/lighthouse.sh           LIGHTHOUSE_REPORTS=dir keeps each page's JSON report
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/demo_server.sh
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"

demo_prepare_tools
trap demo_server_stop EXIT
demo_server_start

# A phone that joined DEMO29 through its form: its session cookie goes into the browser.
joined="$DEMO_TMP/joined.jar"
demo_join "$joined" DEMO29 Ana
cat >"$DEMO_TMP/pages.json" <<EOF
[
  {"name": "home", "path": "/"},
  {"name": "office", "path": "/birouri/rezina/"},
  {"name": "join", "path": "/join/"},
  {"name": "participant-joined", "path": "/w/DEMO29/",
   "cookies": {"sessionid": "$(demo_cookie "$joined" sessionid)", "csrftoken": "$(demo_cookie "$joined" csrftoken)"}},
  {"name": "play", "path": "/p/maternitate-online/"},
  {"name": "service", "path": "/services/indemnizatia-de-maternitate/"},
  {"name": "results", "path": "/w/KICK16/results/"}
]
EOF
reports="${LIGHTHOUSE_REPORTS:-$DEMO_TMP/reports}"
mkdir -p "$reports"
timeout 600 node .ci/lighthouse.mjs "$DEMO_URL" "$DEMO_TMP/pages.json" "$reports"
