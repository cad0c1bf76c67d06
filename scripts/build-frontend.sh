#!/usr/bin/env bash
# Rebuild AP Hub's copy of GOV.UK Frontend into app/static/govuk/ (committed, so scripts/run.sh needs only Python).
# Needs npm: the versions come from package-lock.json (govuk-frontend and sass, both exact). Run after changing
# app/frontend/*.scss or upgrading govuk-frontend (then also govuk-frontend-jinja in pyproject.toml, whose
# version must render the same govuk-frontend release), and commit what it writes.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules/govuk-frontend ] && [ -d node_modules/sass ] \
    || npm ci --no-audit --no-fund --loglevel=error >/dev/null
out=app/static/govuk
src=node_modules/govuk-frontend/dist/govuk
version=$(node -p "require('./node_modules/govuk-frontend/package.json').version")
mkdir -p "$out"

# The trust's colours and a system font stack; no GDS Transport font face and no crown (app/frontend/aphub.scss).
npx --no-install sass --no-source-map --style=compressed --load-path=node_modules --quiet-deps \
    app/frontend/aphub.scss "$out/aphub.css"
if grep -q "GDS Transport" "$out/aphub.css"; then
    echo "build-frontend.sh: the compiled CSS still names GDS Transport" >&2
    exit 1
fi
# The components' JavaScript as shipped (an ES module, loaded by app/static/app.js; no inline script).
sed "s,//# sourceMappingURL=.*$,," "$src/govuk-frontend.min.js" > "$out/govuk-frontend.min.js"
printf '%s\n' "$version" > "$out/VERSION"
cat > "$out/LICENCE.txt" <<LICENCE
GOV.UK Frontend $version (npm package govuk-frontend), compiled for AP Hub by scripts/build-frontend.sh.

The code is released under the MIT licence:

The MIT License (MIT)

Copyright (c) 2018 Crown Copyright (Government Digital Service)

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated
documentation files (the "Software"), to deal in the Software without restriction, including without limitation
the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and
to permit persons to whom the Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial portions of
the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO
THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF
CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS
IN THE SOFTWARE.

GOV.UK Frontend's assets (images, fonts) are Crown copyright under the Open Government Licence v3.0. AP Hub
ships none of them: the GOV.UK crown, crest and the GDS Transport typeface are reserved for GOV.UK, so the build
leaves them out and uses a system font stack and AP Hub's own favicon.
LICENCE
echo "GOV.UK Frontend $version built into $out"
