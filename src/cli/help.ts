// Help texts, apart from the commands so `help CMD` and `--help` load no command code.
// Each lists every option its command's parser accepts (test/cli/usage.test.ts checks that).

/** the repo options every command that reads repos takes (cli/repo-args.ts) */
const REPO_OPTIONS = `  --mirror URL               rewrite the definition's mirror root to URL
  --repofrompath ID,URL      add or replace a repo (repeatable)
  --repo-file F.repo         read yum .repo files (repeatable)
  --enablerepo GLOB          enable repos of the definition (repeatable, comma lists)
  --disablerepo GLOB         disable repos (repeatable, comma lists; '*' = all)
  --releasever VER           \$releasever in repo URLs
`;

/** dnf's solver options, the same for the build and resolve */
const SOLVER_OPTIONS = `  --skip-broken              leave out requested packages that cannot be installed (a
                             warning names each and why) instead of failing
  --best                     a request takes its newest candidate or fails (the default,
                             except for Fedora definitions)
  --nobest                   let a request fall back to an older installable version
  --module NAME:STREAM       enable a module stream, as dnf module enable (repeatable)
  --setopt KEY=VALUE         dnf main option: best, skip_broken, strict, install_weak_deps,
                             tsflags=nodocs, exclude/excludepkgs, gpgcheck (wins over the flag)
  --setopt REPOID.KEY=VALUE  repo option (REPOID may be a glob): enabled, name, baseurl,
                             mirrorlist, metalink, gpgcheck, gpgkey, priority, cost,
                             exclude/excludepkgs, includepkgs, module_hotfixes (repeatable)
`;

export const TOP_HELP = `usage: rootfs-assemble <distro>:<release> [PKG...] [options]   build an image
       rootfs-assemble build IMAGE.yaml [PKG...] [options]       build from an image spec
       rootfs-assemble update IMAGE [<distro>:<release>] [NAME...] [options]
                                                           apply updates as one new layer
       rootfs-assemble resolve <distro>:<release> [PKG...] [options]
                                                           show what dnf would install
       rootfs-assemble inspect FILE.rpm [--json]           read one package
       rootfs-assemble search|info|provides|repoquery <distro>:<release> ARG...
                                                           query the repos as dnf does
       rootfs-assemble download <distro>:<release> PKG... [--destdir DIR] [--resolve]
                                                           fetch verified .rpm files
       rootfs-assemble list [PREFIX] [--json]              known distro definitions
       rootfs-assemble help COMMAND                        all options of a command

Main build options (rootfs-assemble help build lists all):
  -o, --output PATH          image file ('-' = stdout); .tar, .tar.gz, .tar.xz, .tar.zst
  --format FMT               tar | oci-archive | oci | docker-archive | dir
  --mirror URL               use this mirror instead of the definition's
  --repofrompath ID,URL      add a repo; --repo-file F.repo reads yum .repo files
  --exclude GLOB, --weak-deps, --no-default-packages, --profile NAME
  --lockfile FILE, --locked FILE, --sbom FILE
  -q, --quiet, --json-progress, --cache-dir DIR, -j N

  -V, --version              print the version
  -h, --help                 this text

A first argument that names a definition (rootfs-assemble list) is the distro; every other
argument is a package spec as dnf reads it (name, name.arch, name-[epoch:]version-release[.arch],
a provide, /a/file, @group). Exit codes: 0 ok, 1 no match (info, provides), 2 usage,
3 network/registry, 4 metadata, 5 package, 6 unsolvable, 7 conflict/scriptlet, 8 rpmdb,
9 output, 70 internal, 130/143 interrupted.
`;

export const BUILD_HELP = `usage: rootfs-assemble <distro>:<release> [PKG...] [options]
       rootfs-assemble build IMAGE.yaml [options]

Builds an image from the distro definition's repos (see 'rootfs-assemble list').
PKG... are installed on top of the definition's container package set.

Output:
  -o, --output PATH          image file ('-' = stdout); default <distro>-<release>.tar
  --format FMT               tar | oci-archive | oci | docker-archive | dir  (default tar;
                             .tar.gz/.tar.xz/.tar.zst compress by extension)
  --layers N                 oci/oci-archive/docker-archive: at most N layers, split by package
                             (big packages alone, the rest by name hash, rpmdb and scriptlet
                             changes last) so images share layers; default 1
  --from IMAGE               install on top of a base image, as dnf would into it: an OCI
                             layout dir, oci-archive, docker-archive, rootfs tar, directory,
                             or docker://REGISTRY/REPO:TAG; only PKG... are installed, the
                             base's rpmdb (any flavour) is updated in its own format, and
                             oci/docker outputs keep the base's layers and add one
  --lockfile FILE            write the exact package set and what it was made for
  --locked FILE              rebuild a lockfile's set without solving (same distro, arch, request)
  --sbom FILE                write an SPDX 2.3 JSON SBOM
Registry (instead of -o; -o docker://REGISTRY/REPO:TAG is the same):
  --push REGISTRY/REPO:TAG   push the image (OCI) to a registry; prints REGISTRY/REPO@DIGEST
  --digest-file FILE         write the pushed (or oci/oci-archive) image's digest to FILE
  --authfile FILE            credentials file (default $REGISTRY_AUTH_FILE, else
                             $XDG_RUNTIME_DIR/containers/auth.json, ~/.docker/config.json)
  --cert-dir DIR             the registry's CA (*.crt) and client certificate (*.cert, *.key)
  --tls-verify=false         accept any certificate, and a plain-http registry
Repos:
${REPO_OPTIONS}  --arch ARCH                target architecture (default: the definition's); repeated: as --platform
  --platform LIST            multi-arch: linux/amd64,linux/arm64,linux/ppc64le,linux/s390x,
                             linux/386,linux/arm/v7 (repeatable); one OCI image index (oci,
                             oci-archive or --push); --lockfile/--sbom/--locked FILE per arch
                             as FILE with the arch before the extension (lock.x86_64.json)
Packages:
  --no-default-packages      start from an empty set
  --exclude GLOB             never install matching packages (repeatable)
  --weak-deps                install Recommends/Supplements
  --no-weak-deps             do not (the default)
${SOLVER_OPTIONS}  --nodocs                   leave out %doc files
  --install-langs L1:L2      keep only these languages' %lang files
Signatures (as dnf): packages from a repo with gpgcheck on (all definitions) must be signed
by one of its keys; a BAD signature always fails. The summary and --sbom say what was verified.
  --nogpgcheck               do not require signatures (packages are reported unverified)
  --gpgcheck                 the default; accepted for compatibility (overrides an image
                             spec's gpgcheck: false)
  --gpgkey FILE|URL          also trust this key (repeatable; URLs must be https); a
                             --repofrompath repo is checked only when keys are given
Image:
  --profile NAME             minimal | systemd | init | baseimage | system-container (repeatable)
  --user NAME:UID            add a user
  --add-file SRC:DEST[:MODE] copy a host file into the image (its mode, or octal MODE)
  --env K=V                  image environment (repeatable)
  --label K=V                image label (repeatable)
  --cmd JSON|STRING          image command (a string runs under /bin/sh -c)
  --entrypoint JSON|STRING   image entrypoint
  --rpmdb FLAVOUR            bdb-hash-v8 | bdb-hash-v9 | sqlite | ndb (override)
  --rpmdb-path PATH          /var/lib/rpm or /usr/lib/sysimage/rpm (override)
  --strict-scriptlets        fail when a scriptlet cannot be reproduced
  --run-scriptlets=userns    run the scriptlets emulation did not reproduce in a user
                             namespace + chroot of the image (off by default)
  --repo-rewrite=off         keep end-of-life .repo files as shipped
  --image-mirror URL         mirror root written into the image's .repo files (default: the
                             --mirror built from; 'default': the definition's public root)
Run:
  --clamp-mtime              clamp package mtimes to SOURCE_DATE_EPOCH (files we create
                             always get SOURCE_DATE_EPOCH)
  --cache-dir DIR            download and metadata cache
  -j, --jobs N               concurrent downloads/unpacks (default 4)
  -q, --quiet                print nothing on success (warnings about unverified
                             packages still print)
  --json-progress            progress and a final error, if any, as JSON lines on stderr
  -h, --help                 this text
`;

export const RESOLVE_HELP = `usage: rootfs-assemble resolve <distro>:<release> [PKG...] [options]
       rootfs-assemble resolve --repofrompath ID,URL ... PKG... [options]

Shows exactly the packages the build with the same options would install: the
definition's container package set, the profiles' packages, then PKG...

Repos:
${REPO_OPTIONS}  --arch ARCH                target architecture (default: the distro's, else x86_64, as
                             the build)
Packages (as the build):
  --no-default-packages      start from an empty set
  --profile NAME             add a profile's packages (repeatable)
  --exclude GLOB             never install matching packages (repeatable)
  --weak-deps                install Recommends/Supplements
  --no-weak-deps             do not (the default)
${SOLVER_OPTIONS}Output:
  --json                     one JSON array of {name, epoch, version, release, arch, repo}
  --dump-testcase FILE       write the request as a libsolv testcase (testsolv replays it)
Run:
  --cache-dir DIR            metadata cache
  -h, --help                 this text
`;

export const INSPECT_HELP = `usage: rootfs-assemble inspect FILE.rpm [options]

Reads one RPM: its metadata, digests, signatures, archive listing, and names the unpacker
would refuse. Each signature is shown with what it covers (header, header+payload), its
algorithm, hash and key ID, and whether it verified, is BAD, or is from an unknown key; the
known keys are those shipped in repos/keys/ plus --gpgkey.

  --json                     print JSON
  --gpgkey FILE|URL          also check signatures against this armored key (repeatable;
                             URLs must be https, as for the build)
  --no-verify                skip the header and payload digest checks
  --header-only              read the header only, not the payload
  --strict                   exit 5 when a path is unsafe, a digest does not match or a
                             signature is BAD
  -h, --help                 this text
`;

export const LIST_HELP = `usage: rootfs-assemble list [PREFIX] [options]

Lists the known distro definitions (tags), those starting with PREFIX if given.

  --json                     print JSON: [{tag, prettyName, eol}]
  --repos-dir DIR            read definitions from DIR instead of the shipped repos/
  -h, --help                 this text
`;

const QUERY_REPOS = `Repos (as resolve):
${REPO_OPTIONS}  --setopt REPOID.KEY=VALUE  a repo option, as the build takes it (repeatable)
  --module NAME:STREAM       see that module stream's packages (as dnf module enable)
`;
const QUERY_RUN = `Run:
  --cache-dir DIR            metadata cache
  -h, --help                 this text
`;

export const SEARCH_HELP = `usage: rootfs-assemble search <distro>:<release> WORD... [options]

Packages whose name or summary contains every WORD (case-insensitive; globs allowed), as
dnf search prints them: "=== Name Exactly Matched: WORD ===" sections of "name.arch : summary".

${QUERY_REPOS}  --arch ARCH                target architecture (default: the distro's, else x86_64)
${QUERY_RUN}`;

export const INFO_HELP = `usage: rootfs-assemble info <distro>:<release> [PKG...] [options]

dnf info's "Name : bash" blocks for the newest package of each name.arch matching PKG (name
globs, name.arch, NEVRA, /file; all packages without PKG). No match: exit 1. URL and
Description are not printed: the metadata read leaves them out.

  --showduplicates           every version, not only the newest
${QUERY_REPOS}  --arch ARCH                target architecture (default: the distro's, else x86_64)
${QUERY_RUN}`;

export const PROVIDES_HELP = `usage: rootfs-assemble provides <distro>:<release> SPEC... [options]

Packages providing SPEC (a provide, 'name >= 1.0', a /file or glob, or a command name looked
up in /bin, /sbin, /usr/bin, /usr/sbin), as dnf provides prints them. No match: exit 1.

${QUERY_REPOS}  --arch ARCH                target architecture (default: the distro's, else x86_64)
${QUERY_RUN}`;

export const REPOQUERY_HELP = `usage: rootfs-assemble repoquery <distro>:<release> [PKG...] [options]

One line per matching package, sorted, as dnf repoquery (default format
%{name}-%{epoch}:%{version}-%{release}.%{arch}); nothing and exit 0 when nothing matches.

Query:
  --whatprovides SPEC        packages providing SPEC (glob or 'name OP evr'; else files)
  --whatrequires SPEC        packages requiring SPEC or what a package SPEC provides
  --arch ARCH[,ARCH]         only these architectures (dnf's filter; alias --archlist)
  --archlist ARCH[,ARCH]     the same
  --latest-limit N           the N newest per name.arch (negative: all but the N newest)
Output:
  --queryformat FMT, --qf FMT  dnf's %{tag} format (\\n, \\t; %-20{name} pads)
  --querytags                list the tags
  --nevra, --nvr, --envra    the usual formats
  --requires, --provides, --conflicts, --obsoletes, --recommends, --suggests,
  --supplements, --enhances  list that dependency of the matches instead
${QUERY_REPOS}  --forcearch ARCH           target architecture (what --arch is elsewhere)
${QUERY_RUN}`;

export const DOWNLOAD_HELP = `usage: rootfs-assemble download <distro>:<release> PKG... [options]

Downloads the newest package of each name.arch matching PKG (as the build reads PKG),
checksum-verified and signature-checked as the build does, into DIR under its file name.

  --destdir DIR              where to write (default: the current directory)
  --resolve                  also their dependencies, as an install on an empty system needs
  --nogpgcheck               do not require signatures (a BAD signature still fails)
  --gpgkey FILE|URL          also trust this key (repeatable; URLs must be https)
${QUERY_REPOS}  --arch ARCH                target architecture (default: the distro's, else x86_64)
${QUERY_RUN}`;

export const UPDATE_HELP = `usage: rootfs-assemble update IMAGE [<distro>:<release>] [NAME...] [options]

Applies the available updates to IMAGE, as dnf upgrade would inside it, and writes the image
with one more layer (oci, oci-archive, docker-archive; tar and dir write the whole tree).
NAME... (globs) limit the upgrade to those packages. IMAGE is what --from takes: an OCI
layout dir, oci:DIR, oci-archive:FILE, docker-archive:FILE, a rootfs tar, a directory, or
docker://REGISTRY/REPO:TAG. The repos are the distro's, or --repofrompath / --repo-file.
Prints what changed (upgraded, replaced, removed), with the advisories that name it when
the repos have updateinfo.xml.

Options:
  --security                 take only updates a security advisory names (dnf --security)
  -o, --output PATH          default <IMAGE name>-updated.tar
  and every build option (rootfs-assemble help build): --format, --push, --mirror, ...
`;

export const COMMAND_HELP: Record<string, string> = {
  update: UPDATE_HELP,
  build: BUILD_HELP, resolve: RESOLVE_HELP, inspect: INSPECT_HELP, list: LIST_HELP,
  search: SEARCH_HELP, info: INFO_HELP, provides: PROVIDES_HELP, repoquery: REPOQUERY_HELP, download: DOWNLOAD_HELP,
};
