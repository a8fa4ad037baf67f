#!/usr/bin/env bash
# cibuildwheel before-all (manylinux_2_28 container): build FFmpeg's shared libraries from a pinned
# release into /opt/ffmpeg. auditwheel then copies them (and their deps) into vxfast.libs/ and
# rewrites the RPATH, so the wheel runs without a system FFmpeg. Decoders only, no GPL parts, no
# programs: an LGPL build that is small and fast to compile.
set -euo pipefail
FFMPEG_VERSION="${FFMPEG_VERSION:-7.1.1}"
PREFIX=/opt/ffmpeg
if [ -f "$PREFIX/lib/pkgconfig/libavcodec.pc" ]; then exit 0; fi
if command -v dnf >/dev/null; then dnf install -y -q nasm pkgconfig xz; elif command -v yum >/dev/null; then yum install -y -q nasm pkgconfig xz; fi
cd /tmp
curl -fsSL "https://ffmpeg.org/releases/ffmpeg-${FFMPEG_VERSION}.tar.xz" -o ffmpeg.tar.xz
tar xf ffmpeg.tar.xz
cd "ffmpeg-${FFMPEG_VERSION}"
./configure --prefix="$PREFIX" --enable-shared --disable-static --disable-programs --disable-doc \
  --disable-avdevice --disable-avfilter --disable-postproc --disable-network --disable-encoders \
  --disable-muxers --enable-pic
make -j"$(nproc)"
make install
