#!/usr/bin/env bash
# The Nu HTML checker (vnu-jar from npm, on Java) over every public screen of the demo, served
# by a real daphne on the embedded default, and the join QR (qr.svg) checked as SVG.
# Exits non-zero on any error. 1 to 1½ minutes: ~30 s migrate + seed_demo, ~15 s for vnu.
#
#   bash .ci/html_check.sh            KEEP_TMP=1 keeps the pages under /tmp/atelier-pages.*
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/demo_server.sh

demo_prepare_tools
trap demo_server_stop EXIT
demo_server_start
out="$DEMO_TMP/pages"
mkdir -p "$out"

anon="$DEMO_TMP/anon.jar" joined="$DEMO_TMP/joined.jar" facilitator="$DEMO_TMP/facilitator.jar"
: >"$anon"
demo_join "$joined" DEMO29 Ana
demo_login "$facilitator" facilitator
item="$("$DEMO_PY" manage.py shell -v0 -c \
  'from plans.models import ActionItem; print(ActionItem.objects.filter(plan__office__slug="rezina").order_by("pk").first().pk)')"

# name  session  path
pages="
home                 anon         /
home-ru              anon         /ru/
office               anon         /birouri/rezina/
office-ru            anon         /ru/birouri/rezina/
workshop             anon         /ateliere/echipa-mobila/
workshop-kickoff     anon         /ateliere/atelier-de-lansare-2016/
join                 anon         /join/
participant          anon         /w/DEMO29/
participant-joined   joined       /w/DEMO29/
presenter            anon         /w/DEMO29/present/
presenter-facilitator facilitator /w/DEMO29/present/
results              anon         /w/KICK16/results/
results-facilitator  facilitator  /w/KICK16/results/
service              anon         /services/indemnizatia-de-maternitate/
play                 anon         /p/maternitate-online/
version-summary      anon         /p/maternitate-online/v1/summary/
summary              anon         /w/KICK16/summary/
poster               anon         /w/DEMO29/poster/
handout              anon         /w/DEMO29/handout/
plans-overview       facilitator  /plans/overview/
item                 anon         /plans/items/$item/
item-facilitator     facilitator  /plans/items/$item/
"

failed=0
fetch() {  # name jar path ext
  local status
  status="$(curl -s -b "$2" -o "$out/$1.$4" -w '%{http_code}' --max-time 30 "$DEMO_URL$3")"
  if [ "$status" != 200 ]; then echo "FAIL $3 answered $status" >&2; failed=1; fi
}
while read -r name session path; do
  [ -n "$name" ] || continue
  fetch "$name" "$DEMO_TMP/$session.jar" "$path" html
done <<<"$pages"
fetch qr "$anon" /w/DEMO29/qr.svg svg
count="$(ls "$out" | wc -l)"

vnu=.ci/node_modules/vnu-jar/build/dist/vnu.jar
echo "vnu: $count documents ($(java -jar "$vnu" --version))"
status=0
timeout 180 java -jar "$vnu" --errors-only --html "$out"/*.html || status=1
timeout 60 java -jar "$vnu" --errors-only --svg "$out"/qr.svg || status=1
if [ "$status" = 0 ] && [ "$failed" = 0 ]; then
  echo "vnu: 0 errors in $count documents"
else
  echo "vnu: errors found (above)" >&2
  exit 1
fi
