# Sourced by .ci/html_check.sh and .ci/lighthouse.sh: the demo served by a real daphne on the
# embedded default (a scratch SQLite file, the in-memory channel layer), as `make run` serves it,
# and curl sessions for the screens that need one. Needs: cd to the repository first.
#
#   demo_server_start         migrate + seed_demo in a temp dir, daphne on a free 127.0.0.1 port;
#                             sets DEMO_URL, DEMO_TMP, DEMO_PY; stopped by demo_server_stop (trap)
#   demo_join JAR CODE NAME   joins a live workshop through its form (the session lands in JAR)
#   demo_login JAR USER       logs a demo user in through the admin's login form
#   demo_cookie JAR NAME      prints a cookie's value from a curl cookie jar

DEMO_PY="${DEMO_PY:-.venv/bin/python}"
DEMO_PID=""
DEMO_TMP=""

demo_prepare_tools() {
  # The venv and the compiled translations (`make run` does the same); the npm tools of .ci/
  # from the committed lock file. --ignore-scripts: vnu-jar's postinstall would fetch a Java
  # runtime when `java` is missing; the machine's Java 17 runs the jar.
  make -s install messages
  if [ ! -f .ci/node_modules/.package-lock.json ] || [ .ci/package-lock.json -nt .ci/node_modules/.package-lock.json ]; then
    npm ci --prefix .ci --ignore-scripts --no-audit --no-fund --loglevel=error
  fi
}

demo_server_start() {
  DEMO_TMP="$(mktemp -d "${TMPDIR:-/tmp}/atelier-pages.XXXXXX")"
  # The embedded default and the demo's dev settings, whatever the caller's environment says.
  unset DATABASE_URL REDIS_URL MEDIA_ROOT DJANGO_DEBUG DJANGO_ALLOWED_HOSTS
  export ATELIER_VAR_DIR="$DEMO_TMP/var" DJANGO_SETTINGS_MODULE=workshop_site.settings.dev
  mkdir -p "$ATELIER_VAR_DIR"
  timeout 300 "$DEMO_PY" manage.py migrate --no-input -v0
  timeout 300 "$DEMO_PY" manage.py seed_demo >"$DEMO_TMP/seed.log"
  local port
  port="$("$DEMO_PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  DEMO_URL="http://127.0.0.1:$port"
  .venv/bin/daphne -b 127.0.0.1 -p "$port" workshop_site.asgi:application >"$DEMO_TMP/daphne.log" 2>&1 &
  DEMO_PID=$!
  for _ in $(seq 60); do
    if curl -fs -m 5 -o /dev/null "$DEMO_URL/"; then return 0; fi
    if ! kill -0 "$DEMO_PID" 2>/dev/null; then break; fi
    sleep 0.5
  done
  echo "daphne did not answer on $DEMO_URL:" >&2
  cat "$DEMO_TMP/daphne.log" >&2
  return 1
}

demo_server_stop() {
  if [ -n "$DEMO_PID" ]; then
    kill "$DEMO_PID" 2>/dev/null || true
    wait "$DEMO_PID" 2>/dev/null || true
    DEMO_PID=""
  fi
  if [ -n "$DEMO_TMP" ] && [ -z "${KEEP_TMP:-}" ]; then rm -rf "$DEMO_TMP"; fi
}

# The CSRF token of the first form in an HTML file.
_demo_csrf() { grep -o 'name="csrfmiddlewaretoken" value="[^"]*"' "$1" | head -n1 | sed 's/.*value="//; s/"$//'; }

demo_join() {
  local jar="$1" code="$2" name="$3" form="$DEMO_TMP/join-form.html" status
  curl -fs -m 30 -c "$jar" -b "$jar" -o "$form" "$DEMO_URL/w/$code/"
  # A room with tables asks which one (DEMO29 seats people at its offices'): the first offered.
  local table
  table="$(sed -n '/id="id_table"/,/<\/select>/p' "$form" | grep -o '<option value="[a-z0-9-][a-z0-9-]*"' \
    | head -n1 | sed 's/.*value="//; s/"$//' || true)"
  status="$(curl -s -m 30 -c "$jar" -b "$jar" -o /dev/null -w '%{http_code}' -e "$DEMO_URL/w/$code/" \
    --data-urlencode "csrfmiddlewaretoken=$(_demo_csrf "$form")" --data-urlencode "table=$table" \
    --data-urlencode "display_name=$name" --data-urlencode "role=citizen" "$DEMO_URL/w/$code/")"
  [ "$status" = 302 ] || { echo "joining $code answered $status, not 302" >&2; return 1; }
}

demo_login() {
  local jar="$1" user="$2" form="$DEMO_TMP/login-form.html" status
  curl -fs -m 30 -c "$jar" -b "$jar" -o "$form" "$DEMO_URL/admin/login/"
  status="$(curl -s -m 30 -c "$jar" -b "$jar" -o /dev/null -w '%{http_code}' -e "$DEMO_URL/admin/login/" \
    --data-urlencode "csrfmiddlewaretoken=$(_demo_csrf "$form")" --data-urlencode "next=/admin/" \
    --data-urlencode "username=$user" --data-urlencode "password=${DEMO_PASSWORD:-atelier-demo}" \
    "$DEMO_URL/admin/login/")"
  [ "$status" = 302 ] || { echo "logging in as $user answered $status, not 302" >&2; return 1; }
}

# curl writes HttpOnly cookies as "#HttpOnly_<domain>"; the value is the 7th field.
demo_cookie() { awk -v name="$2" '$6 == name { print $7 }' "$1" | tail -n1; }
