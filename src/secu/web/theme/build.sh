#!/bin/sh
# Rebuilds secu's vendored stylesheet and script (../static/secu/) from GOV.UK Frontend, at the versions pinned in
# package-lock.json. Run it after changing a colour or a rule of secu.scss, or to move to a new GOV.UK Frontend:
#   sh src/secu/web/theme/build.sh
# Needs node 20 and npm; nothing of this directory is needed at run time.
set -eu
cd "$(dirname "$0")"
OUT=../static/secu

npm ci --no-audit --no-fund --ignore-scripts
node -e 'const p = require("govuk-frontend/package.json"); if (p.license !== "MIT") { throw new Error(`govuk-frontend ${p.version}: licence ${p.license}`); }'

mkdir -p "$OUT"
npx sass --no-source-map --style=compressed --load-path=node_modules secu.scss "$OUT/secu.min.css"
# The ES module of the components, without its source map comment (the map is not vendored).
sed '/^\/\/# sourceMappingURL=/d; s#//\# sourceMappingURL=[^ ]*$##' node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js \
  > "$OUT/govuk-frontend.min.js"

# Nothing fetched from elsewhere, no GOV.UK typeface nor image: the stylesheet references no file at all.
if grep -q 'url(' "$OUT/secu.min.css"; then
  echo "secu.min.css references a file (url(...)): a GOV.UK asset slipped in" >&2
  exit 1
fi
echo "built $OUT/secu.min.css and $OUT/govuk-frontend.min.js from govuk-frontend $(node -p 'require("govuk-frontend/package.json").version')"
