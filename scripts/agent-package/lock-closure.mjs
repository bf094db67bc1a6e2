// The part of the repository's package-lock.json that a set of direct dependencies needs: every
// package they reach through dependencies, optional and peer dependencies, resolved the way Node
// resolves them (nearest node_modules upwards). The door package installs from this cut-down lock,
// so it gets exactly the versions the repository is tested with, and nothing of the back end.

/** The lock key a package named `name` resolves to when required from the package at `fromKey`. */
function resolveKey(packages, fromKey, name) {
  let base = fromKey;
  for (;;) {
    const key = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (packages[key]) return key;
    if (!base) return null;
    const at = base.lastIndexOf('/node_modules/');
    base = at === -1 ? '' : base.slice(0, at);
  }
}

/**
 * A lockfile (v3) for a package.json whose dependencies are `direct` (name → version), cut out of
 * `lock`. Throws when a direct dependency is not in the lock.
 */
export function lockClosure(lock, rootEntry) {
  const packages = lock.packages;
  const keep = new Set();
  const queue = [];
  for (const name of Object.keys(rootEntry.dependencies)) {
    const key = resolveKey(packages, '', name);
    if (!key) throw new Error(`${name} is not in package-lock.json`);
    queue.push(key);
  }
  while (queue.length > 0) {
    const key = queue.pop();
    if (keep.has(key)) continue;
    keep.add(key);
    const entry = packages[key];
    const optionalPeers = entry.peerDependenciesMeta ?? {};
    const wanted = { ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies };
    for (const name of Object.keys(wanted)) {
      const found = resolveKey(packages, key, name);
      if (found) queue.push(found);
      else if (!entry.optionalDependencies?.[name] && !optionalPeers[name]?.optional && !entry.peerDependencies?.[name])
        throw new Error(`${key} needs ${name}, which package-lock.json does not have`);
    }
  }
  const cut = { '': rootEntry };
  for (const key of [...keep].sort()) {
    // A package only a dev dependency reached in the repository is a production one here.
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = packages[key];
    cut[key] = entry;
  }
  return { name: rootEntry.name, version: rootEntry.version, lockfileVersion: 3, requires: true, packages: cut };
}
