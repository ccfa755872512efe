// Writes a .gz and a .br copy next to every text asset in dist/ (after `vite build`), so the server can send the
// smaller one to browsers that accept it without compressing on each request. Node's own zlib does both.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const ROOT = new URL("../dist/", import.meta.url).pathname;
const TEXT = /\.(js|mjs|css|html|svg|json|txt|map)$/;
const MIN_BYTES = 1024; // smaller files gain nothing worth a second request header

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (TEXT.test(name)) yield path;
  }
}

let raw = 0;
let gz = 0;
let br = 0;
for (const path of files(ROOT)) {
  const data = readFileSync(path);
  if (data.length < MIN_BYTES) continue;
  const g = gzipSync(data, { level: 9 });
  const b = brotliCompressSync(data, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
  });
  writeFileSync(path + ".gz", g);
  writeFileSync(path + ".br", b);
  raw += data.length;
  gz += g.length;
  br += b.length;
}
const kb = (n) => (n / 1024).toFixed(1) + " kB";
console.log(`compressed assets: ${kb(raw)} raw, ${kb(gz)} gzip, ${kb(br)} brotli`);
