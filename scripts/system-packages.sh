#!/usr/bin/env bash
# The Debian packages that `npm test` drives for real (README "Quick start"): installed when missing if we run as
# root (as on our machines and in CI); otherwise we stop at once with the exact line to run.
#   chromium   renders the API reference page and the mailed-link pages (test/browser)
#   pgbouncer  pools 1,000 client connections in transaction mode (test/performance/pgbouncer.test.ts)
#   ffmpeg     renditions, loudness, waveforms and thumbnails of uploaded files (ADR 0041)
#   clamav     clamscan, the virus scan of uploads (ADR 0040)
#   poppler-utils  pdftoppm and pdftotext, which render and read back licence certificates (ADR 0076)
#   fonts-dejavu-core, fonts-ipafont-gothic  the fonts licence certificates embed for names in any script (ADR 0084)
#   pgbackrest  backups and point-in-time recovery of a private cluster (src/platform/backup/pitr.test.ts, ADR 0091)
#   rclone     `rclone serve webdav`, the real WebDAV server the cloud backup tests write to (ADR 0085)
#   patroni, etcd-server, haproxy  a three-node Patroni cluster behind HAProxy, failed over under writes
#              (test/drill/failover.test.ts, ADR 0098)
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
command -v ffmpeg > /dev/null || missing+=(ffmpeg)
command -v clamscan > /dev/null || missing+=(clamav)
command -v pdftoppm > /dev/null || missing+=(poppler-utils)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf ] || missing+=(fonts-dejavu-core)
[ -f /usr/share/fonts/opentype/ipafont-gothic/ipag.ttf ] || missing+=(fonts-ipafont-gothic)
command -v pgbackrest > /dev/null || missing+=(pgbackrest)
command -v rclone > /dev/null || missing+=(rclone)
command -v patroni > /dev/null || missing+=(patroni)
command -v etcd > /dev/null || missing+=(etcd-server)
[ -x /usr/sbin/haproxy ] || missing+=(haproxy)
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get > /dev/null; then
  echo "npm test needs these programs, which this machine lacks and has no apt-get to install: ${missing[*]}" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "npm test needs Debian packages this machine lacks; install them, then run it again:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing Debian packages the tests use: ${missing[*]}"
(apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}") > /dev/null
