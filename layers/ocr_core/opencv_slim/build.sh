#!/usr/bin/env bash
# Rebuilds layers/ocr_core/wheels/lite_ocr_opencv_slim-*.whl: OpenCV 4.10.0.84 for CPython 3.12 on x86_64
# Lambda, with only the modules the core calls (core, imgproc, imgcodecs) and the Python bindings.
#
# The stock opencv-python-headless wheel is ~128 MB unzipped on x86_64 (videoio with FFmpeg, OpenBLAS,
# dnn, ...); this one is a few MB. Same OpenCV source (the pinned sdist), same compiler family, same
# CPU baseline and dispatch (SSE3 + runtime AVX2/AVX-512), image codecs bundled and linked statically.
# Left out: videoio/FFmpeg, LAPACK/OpenBLAS, dnn and the other modules, GUI, OpenCL, IPP (its package
# is a download at configure time), OpenEXR and JPEG 2000 (the core does not accept them).
#
# Lambda's python3.12 runs Amazon Linux 2023 (glibc 2.34, libstdc++ of GCC 11): libstdc++ and libgcc
# are linked statically, dl_find_object.c stands in for glibc 2.35's _dl_find_object, and check_elf.py
# refuses a module that needs newer symbol versions or non-system libraries.
#
# Usage: layers/ocr_core/opencv_slim/build.sh [WORKDIR]     (`make opencv-slim` from the repo root)
# Env: JOBS (default: all cores), NICE (default 19: the build yields to everything else).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WHEELS="$(cd "$HERE/../wheels" && pwd)"
WORK="$(mkdir -p "${1:-$HERE/../../../build/opencv-slim}" && cd "${1:-$HERE/../../../build/opencv-slim}" && pwd)"
JOBS="${JOBS:-$(nproc)}"
NICE="${NICE:-19}"
VERSION=4.10.0.84
SDIST="opencv-python-headless-$VERSION.tar.gz"
SDIST_SHA256=f2017c6101d7c2ef8d7bc3b414c37ff7f54d64413a1847d89970b6b7069b4e1a
NUMPY=numpy==2.4.6
WHEEL_NAME="lite_ocr_opencv_slim-$VERSION-cp312-abi3-manylinux_2_34_x86_64.whl"
export SOURCE_DATE_EPOCH=1717200000  # fixed timestamps in the build info and the wheel

[ "$(uname -m)" = x86_64 ] || { echo "build on x86_64 (this is $(uname -m))" >&2; exit 1; }
PY312="$(for p in python3.12 "$HOME"/.pyenv/versions/3.12*/bin/python3.12; do
  "$p" -V >/dev/null 2>&1 && { echo "$p"; break; }; done)"
[ -n "$PY312" ] || { echo "needs a Python 3.12 (python3.12 or pyenv's)" >&2; exit 1; }
command -v nasm >/dev/null || { echo "needs nasm (libjpeg-turbo's SIMD decoder): apt-get install nasm" >&2; exit 1; }

cd "$WORK"
# a Python 3.12 with numpy 2.x headers (the layer's numpy) for the bindings
if [ ! -x venv312/bin/python ]; then "$PY312" -m venv venv312; fi
venv312/bin/pip install -q --disable-pip-version-check "$NUMPY" scikit-build==0.18.1 setuptools wheel

# the pinned sdist, checked; --no-build-isolation because pip would otherwise build numpy to read metadata
if [ ! -f "$SDIST" ]; then
  venv312/bin/pip download -q --disable-pip-version-check --no-deps --no-build-isolation \
    --no-binary :all: "opencv-python-headless==$VERSION" -d .
fi
echo "$SDIST_SHA256  $SDIST" | sha256sum -c --quiet
SRC="$WORK/opencv-python-headless-$VERSION/opencv"
[ -d "$SRC" ] || tar xzf "$SDIST"

PYINC="$(venv312/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["include"])')"
# found by the configure step, never linked: the module resolves Python's symbols from the interpreter
PYLIB="$(venv312/bin/python -c 'import sysconfig as s; print(s.get_config_var("LIBDIR") + "/" + s.get_config_var("LDLIBRARY"))')"
NPINC="$(venv312/bin/python -c 'import numpy; print(numpy.get_include())')"
SHIM="$WORK/dl_find_object.o"
gcc -O2 -fPIC -Wall -Wextra -c "$HERE/dl_find_object.c" -o "$SHIM"

# source paths in assertion messages read opencv/modules/..., not this machine's folders
PREFIX_MAP="-ffile-prefix-map=$SRC=opencv -ffile-prefix-map=$WORK=build"
rm -rf stage cmake-build  # a clean configure: cached detection results would outlive changed options
cmake -S "$SRC" -B cmake-build -G Ninja -Wno-dev \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_INSTALL_PREFIX="$WORK/stage" \
  -DCMAKE_C_FLAGS="$PREFIX_MAP" -DCMAKE_CXX_FLAGS="$PREFIX_MAP" \
  -DCMAKE_MODULE_LINKER_FLAGS="-static-libstdc++ -static-libgcc -s $SHIM" \
  -DBUILD_LIST=core,imgproc,imgcodecs,python3,python_bindings_generator \
  -DBUILD_SHARED_LIBS=OFF -DINSTALL_CREATE_DISTRIB=ON -DOPENCV_GENERATE_PKGCONFIG=OFF \
  -DBUILD_TESTS=OFF -DBUILD_PERF_TESTS=OFF -DBUILD_DOCS=OFF -DBUILD_EXAMPLES=OFF -DBUILD_opencv_apps=OFF \
  -DBUILD_JAVA=OFF -DBUILD_opencv_python2=OFF -DBUILD_opencv_js=OFF \
  -DPYTHON3_EXECUTABLE="$WORK/venv312/bin/python" -DPYTHON3_INCLUDE_DIR="$PYINC" -DPYTHON3_LIBRARY="$PYLIB" \
  -DPYTHON3_NUMPY_INCLUDE_DIRS="$NPINC" -DPYTHON3_LIMITED_API=ON \
  -DPYTHON3_PACKAGES_PATH=python -DOPENCV_PYTHON3_INSTALL_PATH=python \
  -DBUILD_ZLIB=ON -DBUILD_PNG=ON -DBUILD_JPEG=ON -DBUILD_TIFF=ON -DBUILD_WEBP=ON \
  -DWITH_OPENJPEG=OFF -DWITH_JASPER=OFF -DWITH_OPENEXR=OFF -DWITH_AVIF=OFF -DWITH_GDAL=OFF -DWITH_GDCM=OFF \
  -DWITH_FFMPEG=OFF -DWITH_GSTREAMER=OFF -DWITH_V4L=OFF -DWITH_1394=OFF -DWITH_OBSENSOR=OFF \
  -DWITH_GTK=OFF -DWITH_QT=OFF -DWITH_OPENGL=OFF -DWITH_VTK=OFF -DWITH_WAYLAND=OFF \
  -DWITH_IPP=OFF -DWITH_OPENCL=OFF -DWITH_VA=OFF -DWITH_VA_INTEL=OFF -DWITH_CUDA=OFF -DWITH_VULKAN=OFF \
  -DWITH_OPENVX=OFF -DWITH_ITT=OFF -DWITH_TBB=OFF -DWITH_OPENMP=OFF -DWITH_PTHREADS_PF=ON \
  -DWITH_EIGEN=OFF -DWITH_LAPACK=OFF -DWITH_PROTOBUF=OFF -DWITH_QUIRC=OFF -DWITH_ADE=OFF \
  -DWITH_FLATBUFFERS=OFF -DWITH_KLEIDICV=OFF -DWITH_CAROTENE=OFF
nice -n "$NICE" cmake --build cmake-build -j "$JOBS"
cmake --install cmake-build --component python >/dev/null

# opencv-python's layout: cv2/ with the loader and the extension beside it (no python-3/ subfolder)
rm -rf wheel && mkdir -p wheel/cv2
cp stage/python/cv2/__init__.py stage/python/cv2/load_config_py3.py wheel/cv2/
cp stage/python/cv2/python-3/cv2.abi3.so wheel/cv2/
cat > wheel/cv2/config.py <<'EOF'
BINARIES_PATHS = [] + BINARIES_PATHS
EOF
cat > wheel/cv2/config-3.py <<'EOF'
PYTHON_EXTENSIONS_PATHS = [
    LOADER_DIR
] + PYTHON_EXTENSIONS_PATHS
EOF
cat > wheel/cv2/version.py <<EOF
opencv_version = "$VERSION"
contrib = False
headless = True
rolling = False
ci_build = False
EOF
cp "$SRC/LICENSE" wheel/cv2/LICENSE.txt
cp "$SRC/../LICENSE-3RD-PARTY.txt" wheel/cv2/LICENSE-3RD-PARTY.txt
venv312/bin/python "$HERE/check_elf.py" wheel/cv2/cv2.abi3.so
venv312/bin/python "$HERE/make_wheel.py" wheel "$WHEELS/$WHEEL_NAME" --name lite-ocr-opencv-slim \
  --version "$VERSION" --tag cp312-abi3-manylinux_2_34_x86_64 \
  --summary "OpenCV $VERSION core, imgproc and imgcodecs for lite-ocr's x86_64 Lambda layer (built by build.sh)"
(cd "$WHEELS" && sha256sum "$WHEEL_NAME" > "$WHEEL_NAME.sha256")
ls -l "$WHEELS/$WHEEL_NAME" && cat "$WHEELS/$WHEEL_NAME.sha256"
