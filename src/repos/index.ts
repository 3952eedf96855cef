export { listDistros, loadDistro, knownDistroTag, keyFilePath, DEFAULT_REPOS_DIR } from './load.js';
export { applyRepoOptions, rewriteMirror, type RepoOptions } from './options.js';
export { parseRepoFile } from './repofile.js';
export { baseArch, standardVars, substitute } from './vars.js';
export { validateDistroFile, type DistroFile } from './schema.js';
export { parseSetopts, applyRepoSetopts, MAIN_SETOPT_KEYS, REPO_SETOPT_KEYS, type Setopts, type MainSetopt, type RepoSetopt } from './setopt.js';
