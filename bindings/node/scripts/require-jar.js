'use strict';
// Run by `npm pack` (prepack): refuses to pack a package without the engine jar, which would install and then
// fail at its first open. bindings/package.sh puts the jar in place and packs.
const fs = require('node:fs');
const path = require('node:path');

const jar = path.join(__dirname, '..', 'jars', 'ferrumdb-bindings.jar');
if (!fs.existsSync(jar)) {
  console.error(`refusing to pack ferrumdb without the engine jar at ${jar}; build the packages with bindings/package.sh`);
  process.exit(1);
}
