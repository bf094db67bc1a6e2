// What the door never reads, removed from the installed node_modules so the archive carries only
// what runs: other platforms' native binaries, source maps, type declarations, sources of
// compiled addons, and the Human models the door's face gate does not load (BlazeFace only).
import fs from 'node:fs';
import path from 'node:path';

const rm = (p) => fs.rmSync(p, { recursive: true, force: true });

function walk(dir, visit) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p, visit);
    else visit(p);
  }
}

export function trimNodeModules(modules) {
  // aws-crt ships its addon for seven platforms; the Pi is linux-arm64 with glibc.
  const crtBin = path.join(modules, 'aws-crt/dist/bin');
  for (const platform of fs.readdirSync(crtBin)) if (platform !== 'linux-arm64-glibc') rm(path.join(crtBin, platform));
  rm(path.join(modules, 'aws-crt/dist.browser'));
  rm(path.join(modules, 'aws-crt/source'));
  // Human: the door runs BlazeFace through dist/human.node-wasm.js (lib/human/load-human.ts).
  const human = path.join(modules, '@vladmandic/human');
  for (const dir of ['demo', 'assets', 'src', 'types', 'tmp', 'tfjs']) rm(path.join(human, dir));
  for (const file of fs.readdirSync(path.join(human, 'models')))
    if (!file.startsWith('blazeface.')) rm(path.join(human, 'models', file));
  // human.node.js stays because it is the package's main (require.resolve needs it to exist).
  for (const file of fs.readdirSync(path.join(human, 'dist')))
    if (!['human.node-wasm.js', 'human.node.js'].includes(file)) rm(path.join(human, 'dist', file));
  // tfjs: Node loads each package's main, one self-contained dist/*.node.js bundle (its requires are
  // packages), and the WASM backend its .wasm files; the other bundles and the ES module tree are not read.
  for (const tf of fs.readdirSync(path.join(modules, '@tensorflow'))) {
    const dist = path.join(modules, '@tensorflow', tf, 'dist');
    for (const file of fs.readdirSync(dist)) if (!/\.node\.js$|\.wasm$/.test(file)) rm(path.join(dist, file));
  }
  // epoll was compiled here for arm64: keep the addon, drop the build's objects.
  rm(path.join(modules, 'epoll/build/Release/obj.target'));
  rm(path.join(modules, 'epoll/build/Release/.deps'));
  walk(modules, (file) => {
    if (/\.(map|d\.ts|d\.mts|d\.cts|md|markdown)$/i.test(file) && !/LICEN[CS]E/i.test(path.basename(file))) rm(file);
  });
}
