#!/usr/bin/env bash
# Installs every Debian 12 package that CellForge's build, tests, benchmarks and
# interop peers need. Non-interactive and idempotent; run as root (or via sudo).
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache git pkg-config clang-format
  # Qt 6
  qt6-base-dev libqt6opengl6-dev qt6-charts-dev libgl1-mesa-dev libglx-dev
  # VTK, ITK, CGAL, Eigen, LibTorch
  libvtk9-dev libinsighttoolkit5-dev libcgal-dev libgmp-dev libmpfr-dev libboost-dev
  libeigen3-dev libtorch-dev zlib1g-dev libtiff-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # headless display for GUI tests
  xvfb xauth
  # independent peers for interop tests and benchmarks (Debian's /usr/bin/python3)
  python3 python3-mrcfile python3-numpy python3-scipy python3-skimage python3-torch
  python3-meshio python3-h5py gmsh python3-gmsh python3-dolfinx
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
