#!/usr/bin/env bash
# Copy Swagger UI (npm package swagger-ui-dist, exact in package-lock.json) into app/static/swagger-ui/ for the
# API's reference page (/api/v1/docs): committed, so nothing is fetched from a CDN and scripts/run.sh needs only
# Python. Run after upgrading swagger-ui-dist, and commit what it writes. (package.json turns Scarf's install-time
# analytics off.)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules/swagger-ui-dist ] || npm ci --no-audit --no-fund --loglevel=error >/dev/null
src=node_modules/swagger-ui-dist
out=app/static/swagger-ui
mkdir -p "$out"
for file in swagger-ui-bundle.js swagger-ui.css; do
    sed "s,//# sourceMappingURL=.*$,,;s,/\*# sourceMappingURL=.*\*/,," "$src/$file" > "$out/$file"
done
cp "$src/LICENSE" "$out/LICENSE"
cp "$src/swagger-ui-bundle.js.LICENSE.txt" "$out/swagger-ui-bundle.js.LICENSE.txt"
node -p "require('./$src/package.json').version" > "$out/VERSION"
echo "Swagger UI $(cat "$out/VERSION") written to $out/"
