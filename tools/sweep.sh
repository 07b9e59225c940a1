#!/bin/bash
# The outside sweep, run locally: wapiti (every default module) and sqlmap against the demo
# under gunicorn on loopback, first as a visitor, then signed in as an admin.
# Usage: tools/sweep.sh [output folder]   (needs network access once, to install the tools)
# Afterwards: grep '" 500 ' <out>/*access.log, and read <out>/wapiti-*.txt.
set -u
cd "$(dirname "$0")/.."
OUT=${1:-/tmp/engage-sweep}
TOOLS=$OUT/venv
mkdir -p "$OUT"
test -x "$TOOLS/bin/wapiti" || { python3 -m venv "$TOOLS" && "$TOOLS/bin/pip" install -q wapiti3 sqlmap; }
make install >/dev/null
PASSWORD='sweep passphrase 2026 long enough'

serve() {  # serve PORT NAME: a fresh demo database behind gunicorn; sets GPID
  export DATABASE_URL=sqlite:///$OUT/$2.sqlite3 SECRET_KEY=sweep-secret-key-0123456789abcdef0123
  export SITE_URL=http://127.0.0.1:$1 MAIL_PORT=1 SESSION_IDLE_MINUTES=600
  rm -f "$OUT/$2.sqlite3" "$OUT/$2-access.log"
  .venv/bin/flask --app wsgi db upgrade >/dev/null 2>&1
  .venv/bin/flask --app wsgi engage demo >/dev/null 2>&1
  echo "$PASSWORD" | .venv/bin/flask --app wsgi engage create-user --role admin --password-stdin sweep@example.org
  .venv/bin/gunicorn -w 2 -b 127.0.0.1:$1 --access-logfile "$OUT/$2-access.log" \
    --error-logfile "$OUT/$2-error.log" wsgi:app &
  GPID=$!
  sleep 3
}

serve 8111 public
nice -n 10 "$TOOLS/bin/wapiti" -u http://127.0.0.1:8111/ --scope folder --flush-session -l 2 \
  --max-scan-time 1500 --max-attack-time 300 -f txt -o "$OUT/wapiti-public.txt" \
  -x 'http://127.0.0.1:8111/account/sign-out' >"$OUT/wapiti-public.log" 2>&1
nice -n 10 "$TOOLS/bin/sqlmap" -u 'http://127.0.0.1:8111/news/?page=1' --batch --level 3 --risk 1 \
  --crawl 2 --forms --output-dir "$OUT/sqlmap" >"$OUT/sqlmap.log" 2>&1
kill $GPID

serve 8112 staff
"$TOOLS/bin/python" tools/sweep_cookie.py http://127.0.0.1:8112 sweep@example.org "$PASSWORD" "$OUT/cookies.json"
nice -n 10 "$TOOLS/bin/wapiti" -u http://127.0.0.1:8112/admin/ --scope folder --flush-session \
  -c "$OUT/cookies.json" --max-scan-time 1800 --max-attack-time 400 -f txt -o "$OUT/wapiti-staff.txt" \
  -x 'http://127.0.0.1:8112/account/sign-out' -x 'http://127.0.0.1:8112/admin/users/*/disable' \
  -x 'http://127.0.0.1:8112/account/password' >"$OUT/wapiti-staff.log" 2>&1
kill $GPID
for log in "$OUT"/public-access.log "$OUT"/staff-access.log; do
  echo "$log: $(wc -l <"$log") requests, $(grep -c '" 500 ' "$log") answered 500"
done
