const path = require('node:path');
const { task, src, dest } = require('gulp');

/** tsc compiles the TypeScript; the icons (and the node's codex JSON) are copied next to the built files. */
function buildAssets() {
	return src(['nodes/**/*.{png,svg,json}', 'credentials/**/*.{png,svg}'], { base: '.', encoding: false }).pipe(
		dest(path.resolve('dist')),
	);
}

task('build:icons', buildAssets);
