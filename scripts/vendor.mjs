// Copies the files the browser needs from node_modules into static/vendor/,
// so they are served from our own origin (run after `npm ci`).
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const vendor = join(root, 'static', 'vendor');

const FILES = {
  'hash-wasm': {
    'dist/index.esm.min.js': 'index.esm.min.js',
    LICENSE: 'LICENSE',
  },
  '@imagemagick/magick-wasm': {
    'dist/index.js': 'index.js',
    // The 32-bit build: the x64 one needs 64-bit WebAssembly memory.
    'dist/x86/magick.wasm': 'magick.wasm',
    LICENSE: 'LICENSE',
    NOTICE: 'NOTICE',
  },
  // Test-only: the wizard's accessibility test injects it from our origin.
  'axe-core': {
    'axe.min.js': 'axe.min.js',
    LICENSE: 'LICENSE',
  },
};

// Beside each module the wizard imports, a declaration file that points the type
// checker (`tsc --noEmit`) at the package's own types instead of its minified code.
const TYPES = {
  'hash-wasm/index.esm.min.d.ts': 'hash-wasm',
  'magick-wasm/index.d.ts': '@imagemagick/magick-wasm',
};

rmSync(vendor, { recursive: true, force: true });
for (const [pkg, files] of Object.entries(FILES)) {
  const target = join(vendor, pkg.split('/').pop());
  mkdirSync(target, { recursive: true });
  for (const [from, to] of Object.entries(files)) {
    cpSync(join(root, 'node_modules', pkg, from), join(target, to));
  }
}
for (const [file, pkg] of Object.entries(TYPES)) {
  writeFileSync(join(vendor, file), `export * from '${pkg}';\n`);
}
console.log(`vendored ${Object.keys(FILES).join(', ')} into ${vendor}`);
