#!/usr/bin/env bash
# Schemathesis (v4, every check) over the JSON API's own schema, /api/openapi.json, against the
# demo served by a real daphne on the embedded default (a scratch SQLite file, the in-memory
# channel layer): once as an anonymous visitor (with the CSRF cookie and header every page
# hands out), once as the demo `facilitator` logged in through the admin's login form. Exits
# non-zero on any failure. About 2½ minutes on 2 cores: ~30 s migrate + seed_demo, then ~80 s
# a run (about 2,000 requests each); each is bounded by --max-examples and a timeout.
#
#   bash .ci/schemathesis.sh                       KEEP_TMP=1 keeps the reports under /tmp/atelier-pages.*
#   ST_MAX_EXAMPLES=100 ST_SEED=42 bash .ci/schemathesis.sh     more cases, or another seed
#
# One worker: Schemathesis's workers are threads, and Hypothesis parses lambda sources with `ast`
# while it describes a case; on CPython 3.11 before 3.11.8 two threads doing that at once can
# raise "SystemError: AST constructor recursion depth mismatch" (python/cpython#106905), which
# failed a CI run with no fault in the API.
#
# Rate limits are raised for the run (ATELIER_RATE_LIMITS): the fuzzer sends hundreds of
# requests a minute from one address and one session, which the real limits answer with 429.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
. .ci/demo_server.sh

MAX_EXAMPLES="${ST_MAX_EXAMPLES:-50}"
SEED="${ST_SEED:-20161603}"
RUN_TIMEOUT="${ST_RUN_TIMEOUT:-420}"
# Dev settings with DEBUG on, whatever the caller's environment says: seed_demo needs it, and an
# exception that escapes the API is then a 500 (ninja's traceback page), never hidden as a 400.
export DJANGO_DEBUG=1
export ATELIER_RATE_LIMITS="http_session=100000/10,http_ip=100000/10,join_failed_ip=100000/60,feedback_session=100000/600,feedback_ip=100000/600,taps_session=100000/600"

make -s install-dev messages
trap demo_server_stop EXIT
demo_server_start
for _ in $(seq 30); do curl -fs -o /dev/null "$DEMO_URL/api/health" && break; sleep 0.5; done
curl -fs -o /dev/null "$DEMO_URL/api/health"

# An anonymous browser: the CSRF cookie a page sets. The facilitator: a real login.
anon="$DEMO_TMP/anon.jar" facilitator="$DEMO_TMP/facilitator.jar"
curl -fs -c "$anon" -o /dev/null "$DEMO_URL/join/"
demo_login "$facilitator" facilitator

fuzz() {  # name cookie-header csrf-token
  local name="$1" cookie="$2" token="$3" status=0
  echo
  echo "==> schemathesis as $name ($MAX_EXAMPLES examples per operation, seed $SEED)"
  mkdir -p "$DEMO_TMP/schemathesis-$name"
  # From the temp dir: nothing (reports, the examples database) lands in the repository. The
  # credentials are real (a login, a page's CSRF cookie): the fuzzer must not generate or negate
  # them (it would report a "missing" session cookie that the Cookie header still carries); its
  # `ignored_auth` check still strips them to see each protected operation refuse.
  (cd "$DEMO_TMP/schemathesis-$name" && timeout "$RUN_TIMEOUT" "$repo/.venv/bin/schemathesis" run \
    "$DEMO_URL/api/openapi.json" \
    --checks all \
    --max-examples "$MAX_EXAMPLES" \
    --seed "$SEED" \
    --workers 1 \
    --request-timeout 20 \
    --continue-on-failure \
    --generation-database none \
    --generation-with-security-parameters false \
    --report junit --report-dir . \
    --no-color \
    -H "Cookie: $cookie" \
    -H "X-CSRFToken: $token") || status=$?
  return "$status"
}

failed=0
anon_csrf="$(demo_cookie "$anon" csrftoken)"
fuzz anonymous "csrftoken=$anon_csrf" "$anon_csrf" || failed=1
csrf="$(demo_cookie "$facilitator" csrftoken)"
fuzz facilitator "sessionid=$(demo_cookie "$facilitator" sessionid); csrftoken=$csrf" "$csrf" || failed=1

if [ "$failed" = 0 ]; then
  echo "schemathesis: 0 failures, anonymous and as the facilitator"
else
  echo "schemathesis: failures found (above). The end of daphne's log:" >&2
  tail -n 40 "$DEMO_TMP/daphne.log" >&2 || true
  exit 1
fi
