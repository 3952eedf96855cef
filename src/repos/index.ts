export { listDistros, loadDistro, knownDistroTag, keyFilePath, DEFAULT_REPOS_DIR } from './load.js';
export { applyRepoOptions, rewriteMirror, globToRegExp, type RepoOptions } from './options.js';
export { parseRepoFile } from './repofile.js';
export { baseArch, standardVars, substitute } from './vars.js';
export { validateDistroFile, type DistroFile } from './schema.js';
