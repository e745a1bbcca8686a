// The production build's guard: main/core/emulators.ts (the one module that reaches emulators/**) is
// swapped for main/core/emulators.production.ts, and any other path into emulators/** fails the build.
// Used by scripts/build.mjs --production and by test/integration/production-bundle.test.ts.
import path from 'node:path';

/** @param {string} root the repository root */
export function emulatorFreePlugin(root) {
  const emulators = path.join(root, 'emulators') + path.sep;
  const swap = path.join(root, 'main/core/emulators.ts');
  return {
    name: 'paydesk-emulator-free',
    setup(build) {
      build.onResolve({ filter: /^\./ }, (args) => {
        const base = path.resolve(args.resolveDir, args.path);
        const target = /\.[cm]?[jt]sx?$/.test(base) ? base : `${base}.ts`;
        if (target === swap) return { path: path.join(root, 'main/core/emulators.production.ts') };
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

