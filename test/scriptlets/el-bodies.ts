// Scriptlet bodies of CentOS 5/6 packages, as rpmbuild expands them (x86_64), kept as test data.
// Sources: gooselinux/* are RHEL 6 dist-git imports; the pam one is EL5's pam-0.99.6.2 spec.

// gooselinux/docbook-dtds docbook-dtds.spec (1.0-51.el6) %post;
// %{version_list} = "{3,4}.{0,1}-sgml 4.1.2-xml 4.{2,3,4,5}-{sgml,xml}", %{version}-%{release} = 1.0-51.el6
export const DOCBOOK_DTDS_POST = `catcmd='/usr/bin/xmlcatalog --noout'
xmlcatalog=/usr/share/sgml/docbook/xmlcatalog

## Clean up pre-docbook-dtds mess caused by broken trigger.
for v in 3.0 3.1 4.0 4.1 4.2
do
  if [ -f /etc/sgml/sgml-docbook-$v.cat ]
  then
    $catcmd --sgml --del /etc/sgml/sgml-docbook-$v.cat \\
      /usr/share/sgml/openjade-1.3.1/catalog 2>/dev/null
  fi
done

# The STYLESHEETS/catalog command is for the case in which the style sheets
# were installed after another DTD but before this DTD
for STYLESHEETS in /usr/share/sgml/docbook/dsssl-stylesheets-*; do : ; done
case $STYLESHEETS in
  *-"*") STYLESHEETS= ;;
esac
eval set "{3,4}.{0,1}-sgml 4.1.2-xml 4.{2,3,4,5}-{sgml,xml}"
for dir
do
  fmt=\${dir#*-} ver=\${dir%%-*} vvr=$ver-1.0-51.el6
  sgmldir=/usr/share/sgml/docbook/$fmt-dtd-$vvr
  ## SGML catalog
  # Update the centralized catalog corresponding to this version of the DTD
  for cat_dir in /usr/share/sgml/sgml-iso-entities-8879.1986 $sgmldir $STYLESHEETS; do
    $catcmd --sgml --add /etc/sgml/$fmt-docbook-$vvr.cat $cat_dir/catalog
  done
  ## XML catalog
  if [ $fmt = xml -a -w $xmlcatalog ]; then
    while read f desc; do
      case $ver in 4.[45]) f=\${f/-/} ;; esac
      $catcmd --add public "$desc" $sgmldir/$f $xmlcatalog
    done <<ENDENT
      ent/iso-pub.ent\tISO 8879:1986//ENTITIES Publishing//EN
      ent/iso-grk1.ent\tISO 8879:1986//ENTITIES Greek Letters//EN
      dbpoolx.mod\t-//OASIS//ELEMENTS DocBook XML Information Pool V$ver//EN
      ent/iso-box.ent\tISO 8879:1986//ENTITIES Box and Line Drawing//EN
      docbookx.dtd\t-//OASIS//DTD DocBook XML V$ver//EN
      ent/iso-grk3.ent\tISO 8879:1986//ENTITIES Greek Symbols//EN
      ent/iso-amsn.ent\tISO 8879:1986//ENTITIES Added Math Symbols: Negated Relations//EN
      ent/iso-num.ent\tISO 8879:1986//ENTITIES Numeric and Special Graphic//EN
      dbcentx.mod\t-//OASIS//ENTITIES DocBook XML Character Entities V$ver//EN
      ent/iso-grk4.ent\tISO 8879:1986//ENTITIES Alternative Greek Symbols//EN
      dbnotnx.mod\t-//OASIS//ENTITIES DocBook XML Notations V$ver//EN
      ent/iso-dia.ent\tISO 8879:1986//ENTITIES Diacritical Marks//EN
      ent/iso-grk2.ent\tISO 8879:1986//ENTITIES Monotoniko Greek//EN
      dbgenent.mod\t-//OASIS//ENTITIES DocBook XML Additional General Entities V$ver//EN
      dbhierx.mod\t-//OASIS//ELEMENTS DocBook XML Document Hierarchy V$ver//EN
      ent/iso-amsa.ent\tISO 8879:1986//ENTITIES Added Math Symbols: Arrow Relations//EN
      ent/iso-amso.ent\tISO 8879:1986//ENTITIES Added Math Symbols: Ordinary//EN
      ent/iso-cyr1.ent\tISO 8879:1986//ENTITIES Russian Cyrillic//EN
      ent/iso-tech.ent\tISO 8879:1986//ENTITIES General Technical//EN
      ent/iso-amsc.ent\tISO 8879:1986//ENTITIES Added Math Symbols: Delimiters//EN
      soextblx.dtd\t-//OASIS//DTD XML Exchange Table Model 19990315//EN
      calstblx.dtd\t-//OASIS//DTD DocBook XML CALS Table Model V$ver//EN
      ent/iso-lat1.ent\tISO 8879:1986//ENTITIES Added Latin 1//EN
      ent/iso-amsb.ent\tISO 8879:1986//ENTITIES Added Math Symbols: Binary Operators//EN
      ent/iso-lat2.ent\tISO 8879:1986//ENTITIES Added Latin 2//EN
      ent/iso-amsr.ent\tISO 8879:1986//ENTITIES Added Math Symbols: Relations//EN
      ent/iso-cyr2.ent\tISO 8879:1986//ENTITIES Non-Russian Cyrillic//EN
ENDENT
    for f in System URI; do
      $catcmd --add rewrite$f "http://www.oasis-open.org/docbook/xml/$ver" \\
\t$sgmldir $xmlcatalog
    done
  fi
done

sed -ni '
  /xml-docbook/ H
  /xml-docbook/ !p
  $ {
          g
          s/^\\n//p
  }
  ' /etc/sgml/catalog

# Finally, make sure everything in /etc/sgml is readable!
/bin/chmod a+r /etc/sgml/*
`;

// EL5 pam-0.99.6.2 pam.spec %pre and %post
export const PAM_PRE = `# Figure whether or not we're using shadow/md5 passwords if we're upgrading.
if [ -f /etc/pam.d/other ] ; then
\tUSEMD5=
\tif [ -f /etc/sysconfig/authconfig ] ; then
\t\t. /etc/sysconfig/authconfig
\tfi
\tif [ -z "$USEMD5" ] ; then
\t\tif [ -f /etc/shadow ] ; then
\t\t\tpasswdfiles="/etc/passwd /etc/shadow"
\t\telse
\t\t\tpasswdfiles="/etc/passwd"
\t\tfi
\t\tif cut -f2 -d: $passwdfiles | grep -q '^\\$1\\$' ; then
\t\t\techo USEMD5=yes >> /etc/sysconfig/authconfig
\t\t\tUSEMD5=yes
\t\telse
\t\t\techo USEMD5=no  >> /etc/sysconfig/authconfig
\t\t\tUSEMD5=no
\t\tfi
\tfi
fi
exit 0
`;
export const PAM_POST = `/sbin/ldconfig
if [ ! -f /etc/shadow ] ; then
\ttmp=\`mktemp /etc/pam.d/pam-post.XXXXXX\`
\tif [ -n "$tmp" ] ; then
\t\tsed 's| shadow||g' /etc/pam.d/system-auth > $tmp && \\
\t\tcat $tmp > /etc/pam.d/system-auth
\t\trm -f $tmp
\tfi
fi
if [ -f /etc/sysconfig/authconfig ] ; then
\t. /etc/sysconfig/authconfig
fi
if [ "$USEMD5" = "no" ] ; then
\ttmp=\`mktemp /etc/pam.d/pam-post.XXXXXX\`
\tif [ -n "$tmp" ] ; then
\t\tsed 's| md5||g' /etc/pam.d/system-auth > $tmp && \\
\t\tcat $tmp > /etc/pam.d/system-auth
\t\trm -f $tmp
\tfi
fi
if [ ! -a /var/log/faillog ] ; then
\tinstall -m 600 /dev/null /var/log/faillog
fi
if [ ! -a /var/log/tallylog ] ; then
\tinstall -m 600 /dev/null /var/log/tallylog
fi
`;

// EL6 p11-kit-0.18.5-2.el6_5.2 p11-kit.spec %post trust, and the script it runs
// (eurolinux-enterprise-linux-sources/p11-kit p11-kit-redhat-setup-trust.in, sed as %build does)
export const P11_KIT_TRUST_POST = `# On multilib systems packages of different p11-kit-trust can be installed
# independently from each other. After installing a p11-kit-trust.rpm package
# we'll check if the paired multilib package is currently enabled, and enable
# this one if so.
/usr/lib64/p11-kit/p11-kit-redhat-setup-trust status | grep -q "for other arch"
if test $? -eq 0; then
\t/usr/lib64/p11-kit/p11-kit-redhat-setup-trust enable
fi\t
`;
export const P11_KIT_REDHAT_SETUP_TRUST = `#!/bin/sh -e

set -e

usage()
{
\techo "usage: p11-kit redhat-setup-trust enable" >&2
\techo "       p11-kit redhat-setup-trust disable" >&2
\techo "       p11-kit redhat-setup-trust status" >&2
\texit 2
}

if test $# -ne 1; then
    usage
fi

if test "$1" = "enable"; then
\t/usr/sbin/update-alternatives --install /usr/lib64/libnssckbi.so \\
\t\tlibnssckbi.so.x86_64 /usr/lib64/pkcs11/p11-kit-trust.so 30

elif test "$1" = "disable"; then
\t/usr/sbin/update-alternatives --remove libnssckbi.so.x86_64 \\
\t\t/usr/lib64/pkcs11/p11-kit-trust.so

elif test "$1" = "status"; then
\tret=2
\tcd /etc/alternatives
\tfor name in libnssckbi.so*; do
\t\ttest -L $name || continue
\t\tif readlink $name | grep -q p11-kit-trust.so; then
\t\t\tstatus="enabled"
\t\t\tret=0
\t\telif /usr/sbin/update-alternatives --display $name | grep -q p11-kit-trust.so; then
\t\t\tstatus="available"
\t\t\tret=1
\t\telse
\t\t\tcontinue
\t\tfi
\t\tcase $name in
\t\tlibnssckbi.so.x86_64)
\t\t\techo "libnssckbi.so alternative $status"
\t\t\t;;
\t\tlibnssckbi.so*)
\t\t\techo "libnssckbi.so alternative $status for other arch"
\t\t\t;;
\t\tesac
\tdone
\texit $ret
else
\tusage
fi
`;
// the same package's %postun (run here only to check --remove)
export const P11_KIT_TRUST_POSTUN = `if ! test -e /usr/lib64/pkcs11/p11-kit-trust.so; then
\t/usr/sbin/update-alternatives --remove libnssckbi.so.x86_64 /usr/lib64/pkcs11/p11-kit-trust.so
fi
`;
// EL6 nss %post line that makes the libnssckbi.so alternative p11-kit-trust joins
export const NSS_CKBI_ALT = `/usr/sbin/update-alternatives --install /usr/lib64/libnssckbi.so libnssckbi.so.x86_64 /usr/lib64/nss/libnssckbi.so 10\n`;

// gooselinux/rpm rpm.spec (4.8.0, EL6) %posttrans
export const RPM_POSTTRANS = `# XXX this is klunky and ugly, rpm itself should handle this
dbstat=/usr/lib/rpm/rpmdb_stat
if [ -x "$dbstat" ]; then
    if "$dbstat" -e -h /var/lib/rpm 2>&1 | grep -q "doesn't match environment version \\| Invalid argument"; then
        rm -f /var/lib/rpm/__db.* 
    fi
fi
exit 0
`;

// EL6 iscsi-initiator-utils-6.2.0.873 %post
export const ISCSI_POST = `/sbin/ldconfig
if [ "$1" -eq "1" ]; then
\tif [ ! -f /etc/iscsi/initiatorname.iscsi ]; then
\t\techo "InitiatorName=\`/sbin/iscsi-iname\`" > /etc/iscsi/initiatorname.iscsi
\tfi
\t/sbin/chkconfig --add iscsid
\t/sbin/chkconfig --add iscsi
fi
`;

// RHEL 8.0 systemd-libs-239-13.el8_0.3 %post, first part (from the header in ../shared's rhel-8.0 rpmdb)
export const SYSTEMD_LIBS_NSS_POST = `function mod_nss() {
    if [ -f "$1" ] ; then
        # sed-fu to add myhostanme to hosts line
        grep -E -q '^hosts:.* myhostname' "$1" ||
        sed -i.bak -e '
                /^hosts:/ !b
                /\\<myhostname\\>/ b
                s/[[:blank:]]*$/ myhostname/
                ' "$1" &>/dev/null || :

        # Add nss-systemd to passwd and group
        grep -E -q '^(passwd|group):.* systemd' "$1" ||
        sed -i.bak -r -e '
                s/^(passwd|group):(.*)/\\1: \\2 systemd/
                ' "$1" &>/dev/null || :
    fi
}

FILE="$(readlink /etc/nsswitch.conf || echo /etc/nsswitch.conf)"
mod_nss "$FILE"
`;
