// Repo files of end-of-life releases point at mirrors that no longer serve them: turn
// mirrorlist= into baseurl= on the vault (or the --mirror given) with the release's exact
// version, and do the same for up2date's /etc/sysconfig/rhn/sources on CentOS 4.
import type { DistroRelease } from '../../types/index.js';
import type { ImageFS } from '../../types/imagefs.js';

const CENTOS_HOSTS = /^https?:\/\/(mirror|mirrorlist|vault)\.centos\.org\//;

function root(url: string): string {
  return url.endsWith('/') ? url : url + '/';
}

/** http://mirror.centos.org/centos/$releasever/os/$basearch/ -> <base><release>/os/$basearch/ */
export function vaultUrl(url: string, base: string, release: string): string | undefined {
  if (!CENTOS_HOSTS.test(url)) return undefined;
  const m = /^https?:\/\/[^/]+\/(?:centos(?:-\d+)?\/|\$contentdir\/)?(?:\$releasever|[\d.]+)(?:-stream)?\/(.*)$/.exec(url);
  return m ? `${root(base)}${release}/${m[1]}` : undefined;
}

/** Rewrite one .repo file's text; returns undefined when nothing needed changing. */
export function rewriteRepoText(text: string, base: string, release: string): string | undefined {
  const out: string[] = [];
  let changed = false;
  let section: { start: number; hasBaseurl: boolean; repo?: string } | null = null;
  const closeSection = (): void => {
    if (section && !section.hasBaseurl && section.repo) {
      out.splice(section.start + 1, 0, `baseurl=${root(base)}${release}/${section.repo}/$basearch/`);
      changed = true;
    }
  };
  for (const line of text.split('\n')) {
    if (/^\s*\[.+\]\s*$/.test(line)) {
      closeSection();
      section = { start: out.length, hasBaseurl: false };
      out.push(line);
      continue;
    }
    const ml = /^\s*(mirrorlist|metalink)\s*=\s*(\S+)/.exec(line);
    if (ml && CENTOS_HOSTS.test(ml[2]!)) {
      const repo = /[?&]repo=([^&]+)/.exec(ml[2]!)?.[1];
      if (section && repo) section.repo = repo;
      out.push(`#${line.trim()}`);
      changed = true;
      continue;
    }
    const gk = /^(\s*gpgkey\s*=\s*)https?:\/\/mirror\.centos\.org\/centos\/(RPM-GPG-KEY\S*)\s*$/.exec(line);
    if (gk) {
      out.push(`${gk[1]}${root(base)}${gk[2]}`);
      changed = true;
      continue;
    }
    const bu = /^\s*#?\s*baseurl\s*=\s*(\S+)\s*$/.exec(line);
    if (bu) {
      const url = vaultUrl(bu[1]!, base, release);
      if (url !== undefined) {
        if (section?.hasBaseurl) continue; // one baseurl per section
        if (section) section.hasBaseurl = true;
        const next = `baseurl=${url}`;
        if (next !== line) changed = true;
        out.push(next);
        continue;
      }
      if (section && !line.trimStart().startsWith('#')) section.hasBaseurl = true;
    }
    out.push(line);
  }
  closeSection();
  return changed ? out.join('\n') : undefined;
}

export function rewriteRepos(fs: ImageFS, distro: DistroRelease, mirror: string | undefined): string[] {
  const base = mirror ?? distro.mirrorRoot;
  const changed: string[] = [];
  for (const f of fs.list('/etc/yum.repos.d')) {
    if (!f.endsWith('.repo')) continue;
    const p = `/etc/yum.repos.d/${f}`;
    const text = fs.readFile(p);
    if (!text) continue;
    const next = rewriteRepoText(new TextDecoder().decode(text), base, distro.release);
    if (next !== undefined) { fs.writeFile(p, next); changed.push(p); }
  }
  // up2date (CentOS 4) reads `yum NAME URL` lines from here
  const rhn = '/etc/sysconfig/rhn/sources';
  const data = fs.readFile(rhn);
  const up2date = distro.distro === 'centos' && /^4(\.|$)/.test(distro.release) && fs.lstat('/etc/sysconfig/rhn')?.type === 'dir';
  if (data || up2date) {
    let active = 0;
    const lines = (data ? new TextDecoder().decode(data).split('\n') : []).map((l) => {
      const m = /^(\s*yum\s+\S+\s+)(\S+)(.*)$/.exec(l);
      const url = m ? vaultUrl(m[2]!.replace(/\$ARCH/g, '$basearch'), base, distro.release) : undefined;
      if (m) active++;
      return m && url ? `${m[1]}${url.replace(/\$basearch/g, '$ARCH')}${m[3]}` : l;
    });
    if (up2date && active === 0) {
      for (const repo of ['os', 'updates']) lines.push(`yum ${repo === 'os' ? 'base' : repo} ${root(base)}${distro.release}/${repo}/$ARCH/`);
      lines.push('');
    }
    fs.writeFile(rhn, lines.join('\n'), data ? {} : { mode: 0o644 });
    changed.push(rhn);
  }
  return changed;
}
