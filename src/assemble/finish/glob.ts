// Profiles name files to remove with the same sh patterns scriptlets use.
export { globImage } from '../../scriptlets/shell/glob.js';
