// axios's fetch adapter is never used by our Node bundles (they send with its http adapter), but its module
// probes globalThis.Request when imported, and that first touch loads Node's internal undici: ~25 ms of every
// start of the core on this hardware (docs/architecture.md "Start-up"). The Node bundles get a stand-in that
// says "fetch is not available here", which axios already handles (it picks http). If a new axios no longer
// has that file, the build fails instead of silently keeping the probe.
import path from 'node:path';

/** @param {string} root the repository root */
export function axiosNodeOnlyPlugin(root) {
  const target = path.join(root, 'node_modules/axios/lib/adapters/fetch.js');
  return {
    name: 'paydesk-axios-node-only',
    setup(build) {
      let sawAxios = false;
      let replaced = false;
      build.onStart(() => {
        sawAxios = false;
        replaced = false;
      });
      build.onLoad({ filter: /[\\/]node_modules[\\/]axios[\\/]/ }, (args) => {
        sawAxios = true;
        if (path.resolve(args.path) !== target) return undefined;
        replaced = true;
        return { contents: 'export const getFetch = () => false;\nexport default false;\n', loader: 'js' };
      });
      build.onEnd((result) => {
        if (sawAxios && !replaced && result.errors.length === 0) {
          result.errors.push({ text: `axios-node-only: the bundle has axios but not ${path.relative(root, target)} (a new axios?): re-check what its fetch adapter does at import` });
        }
      });
    },
  };
}
