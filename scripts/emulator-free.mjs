// The production build's guard: main/core/emulators.ts (the one module that reaches emulators/**) is
// swapped for main/core/emulators.production.ts (and its lazy door emulators-door.ts for
// emulators-door.production.ts), and any other path into emulators/** fails the build.
// Used by scripts/build.mjs --production and by test/integration/production-bundle.test.ts.
import path from 'node:path';

/** @param {string} root the repository root */
export function emulatorFreePlugin(root) {
  const emulators = path.join(root, 'emulators') + path.sep;
  // The door (loaded lazily by the core) and the module behind it both have production stand-ins.
  const swaps = new Map([
    [path.join(root, 'main/core/emulators-door.ts'), path.join(root, 'main/core/emulators-door.production.ts')],
    [path.join(root, 'main/core/emulators.ts'), path.join(root, 'main/core/emulators.production.ts')],
  ]);
  return {
    name: 'paydesk-emulator-free',
    setup(build) {
      build.onResolve({ filter: /^\./ }, (args) => {
        const base = path.resolve(args.resolveDir, args.path);
        const target = /\.[cm]?[jt]sx?$/.test(base) ? base : `${base}.ts`;
        const swapped = swaps.get(target);
        if (swapped) return { path: swapped };
        if (base.startsWith(emulators)) {
          return { errors: [{ text: `${path.relative(root, args.importer)} imports ${args.path}: emulator code never enters a production bundle (main/core/emulators.ts is the only door)` }] };
        }
        return undefined;
      });
    },
  };
}

/** Inputs of an esbuild metafile that come from emulators/** (must be none in a production bundle). */
export function emulatorInputs(metafile) {
  return Object.keys(metafile.inputs).filter((f) => f.split(/[\\/]/)[0] === 'emulators');
}

