const fs = require('node:fs');
const path = require('node:path');
const { task, src, dest } = require('gulp');

/** tsc compiles the TypeScript; the icons (and the node's codex JSON) are copied next to the built files. */
function buildAssets() {
	return src(['nodes/**/*.{png,svg,json}', 'credentials/**/*.{png,svg}'], {
		base: '.',
		encoding: false,
	}).pipe(dest(path.resolve('dist')));
}

/** Every build starts from an empty dist/, so that a module moved or removed in the source is not shipped from an earlier build. */
function clean(done) {
	fs.rmSync(path.resolve('dist'), { recursive: true, force: true });
	done();
}

task('clean', clean);
task('build:icons', buildAssets);
