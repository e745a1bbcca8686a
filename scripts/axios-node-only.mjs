// axios's fetch adapter is never used by our Node bundles (they send with its http adapter), but its module
// probes globalThis.Request when imported, and that first touch loads Node's internal undici: ~25 ms of every
// start of the core on this hardware (docs/architecture.md "Start-up"). The Node bundles get a stand-in that
// says "fetch is not available here", which axios already handles (it picks http). axios's utils probe
// globalThis.FormData the same way at import, only to recognise FormData bodies by class; without the class
// isFormData still knows one by its tag ('[object FormData]'), and we send none, so the probe is left out (made
// lazily it would load undici at the first payment's request instead). If a new axios no longer has either,
// the build fails instead of silently keeping the probe.
import fs from 'node:fs';
import path from 'node:path';

/** axios's probe (`FormDataCtor` is read only in isFormData, which falls back to the tag). */
const FORMDATA_PROBE = "const FormDataCtor = typeof G.FormData !== 'undefined' ? G.FormData : undefined;";

/** @param {string} root the repository root */
export function axiosNodeOnlyPlugin(root) {
  const target = path.join(root, 'node_modules/axios/lib/adapters/fetch.js');
  const utils = path.join(root, 'node_modules/axios/lib/utils.js');
  return {
    name: 'paydesk-axios-node-only',
    setup(build) {
      let sawAxios = false;
      let replaced = false;
      let patched = false;
      build.onStart(() => {
        sawAxios = false;
        replaced = false;
        patched = false;
      });
      build.onLoad({ filter: /[\\/]node_modules[\\/]axios[\\/]/ }, (args) => {
        sawAxios = true;
        if (path.resolve(args.path) === utils) {
          const text = fs.readFileSync(utils, 'utf8');
          const rest = text.split(FORMDATA_PROBE);
          // Exactly one probe, and FormDataCtor used nowhere but isFormData's class test; else reported at the end.
          if (rest.length !== 2 || (rest[1] ?? '').split('FormDataCtor').length !== 3) return undefined;
          patched = true;
          return { contents: text.replace(FORMDATA_PROBE, 'const FormDataCtor = undefined;'), loader: 'js' };
        }
        if (path.resolve(args.path) !== target) return undefined;
        replaced = true;
        return { contents: 'export const getFetch = () => false;\nexport default false;\n', loader: 'js' };
      });
      build.onEnd((result) => {
        if (sawAxios && !replaced && result.errors.length === 0) {
          result.errors.push({ text: `axios-node-only: the bundle has axios but not ${path.relative(root, target)} (a new axios?): re-check what its fetch adapter does at import` });
        }
        if (sawAxios && !patched && result.errors.length === 0) {
          result.errors.push({ text: `axios-node-only: ${path.relative(root, utils)} no longer probes FormData as expected (a new axios?): re-check what it touches at import` });
        }
      });
    },
  };
}
