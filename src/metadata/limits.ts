// Bounds on what one repo's metadata may hold, with margin over real repodata (CentOS Stream 9
// BaseOS/AppStream, openSUSE, Fedora): a mirror that exceeds one is refused, not believed.
import type { XmlLimits } from './xml.js';

/** primary.xml: descriptions and licenses are the longest texts (real max ~11 KB). */
export const PRIMARY_LIMITS: Partial<XmlLimits> = { maxDepth: 64, maxText: 1024 * 1024 };
/** filelists.xml: only paths (PATH_MAX is 4096) and tiny attributes. */
export const FILELISTS_LIMITS: Partial<XmlLimits> = { maxDepth: 64, maxText: 64 * 1024, maxAttrValue: 16 * 1024, maxMarkup: 1024 * 1024 };
/** comps.xml: read whole by xml2js afterwards (~430 MB for 1M elements), so kept small: Fedora's has 25k elements. */
export const COMPS_LIMITS: Partial<XmlLimits> = { maxDepth: 32, maxText: 1024 * 1024, maxElements: 500_000 };
/** decompressed size cap of comps, read whole into memory (Fedora's: 2 MB) */
export const COMPS_MAX_BYTES = 64 * 1024 * 1024;
/** decompressed size cap of modules.yaml: the yaml parser takes ~10 s and 170 MB per 8 MB (CS9 AppStream's: 135 KB) */
export const MODULES_MAX_BYTES = 16 * 1024 * 1024;
/** YAML documents in modules.yaml (RHEL 8 AppStream: a few thousand) */
export const MODULES_MAX_DOCUMENTS = 100_000;
/** alias uses per document (the yaml package's own default); each is counted with what it expands to */
export const MODULES_MAX_ALIASES = 100;

/** decompressed size cap of primary.sqlite, held whole in memory by sql.js (Fedora's everything: ~250 MB) */
export const SQLITE_MAX_BYTES = 1024 ** 3;

/** packages in one repo (Fedora's everything: ~75k) */
export const MAX_PACKAGES = 1_000_000;
/** dependency entries of one package, all kinds together (real max: 21,458 provides) */
export const MAX_DEPS_PER_PACKAGE = 200_000;
/** files listed for one package, in primary or filelists (the biggest real packages: ~100k) */
export const MAX_FILES_PER_PACKAGE = 1_000_000;

/** updateinfo.xml: descriptions are the long texts; only ids, titles and NEVRAs are kept. */
export const UPDATEINFO_LIMITS: Partial<XmlLimits> = { maxDepth: 32, maxText: 1024 * 1024, maxAttrValue: 16 * 1024 };
/** decompressed size cap of updateinfo.xml (Fedora's and EL's run to tens of MB) */
export const UPDATEINFO_MAX_BYTES = 1024 ** 3;
/** advisories in one repo (a release's whole life of updates: tens of thousands) */
export const MAX_ADVISORIES = 1_000_000;
/** packages of one advisory, all collections together (texlive-sized updates: thousands) */
export const MAX_ADVISORY_PACKAGES = 100_000;
/** package entries of all advisories of one repo together: what is held in memory */
export const MAX_ADVISORY_PACKAGES_TOTAL = 10_000_000;
/** references of one advisory (kernel advisories: hundreds of CVEs and bugs) */
export const MAX_ADVISORY_REFERENCES = 100_000;
/** characters of one kept value (id, title, severity, a reference's href, a package's name…) */
export const MAX_ADVISORY_FIELD = 16 * 1024;
