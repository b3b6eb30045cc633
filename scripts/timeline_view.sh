#!/bin/sh
# timeline_view.sh TIMELINE.json OUT.html: a copy of docs/timeline_view.html
# with the timeline inside, to open in any browser (no network, no file
# picker) or to screenshot with headless Chromium:
#   chromium --headless --screenshot=out.png --window-size=1100,420 \
#       "file://$PWD/OUT.html?from=0&to=400"
set -eu
[ $# -eq 2 ] || { echo "usage: $0 TIMELINE.json OUT.html" >&2; exit 2; }
here=$(dirname "$0")
python3 - "$here/../docs/timeline_view.html" "$1" "$2" <<'PY'
import sys
view, data, out = sys.argv[1:]
html = open(view, encoding="utf-8").read()
text = open(data, encoding="utf-8").read().replace("</", "<\\/")
tag = '<script id="timeline-data" type="application/json">'
html = html.replace(tag + "</script>", tag + text + "</script>", 1)
open(out, "w", encoding="utf-8").write(html)
PY
