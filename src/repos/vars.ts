// yum/dnf variable substitution: $name and ${name}; unknown variables stay as written.

/** $basearch for an $arch, as rpm/dnf map them. */
export function baseArch(arch: string): string {
  if (/^i[3-6]86$|^athlon$|^geode$/.test(arch)) return 'i386';
  if (arch === 'amd64' || arch === 'x86_64_v2' || arch === 'x86_64_v3' || arch === 'x86_64_v4') return 'x86_64';
  if (arch === 'arm64') return 'aarch64';
  if (/^armv7/.test(arch)) return 'armhfp';
  return arch;
}

/** The standard variables for a release and arch, plus extras. */
export function standardVars(releasever: string, arch: string, extra: Record<string, string> = {}): Record<string, string> {
  const [major = releasever, ...minor] = releasever.split('.');
  return {
    ...extra,
    releasever,
    releasever_major: major,
    releasever_minor: minor.join('.'),
    arch,
    basearch: baseArch(arch),
  };
}

export function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole: string, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    const v = vars[name];
    return v === undefined ? whole : v;
  });
}
