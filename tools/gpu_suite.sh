#!/usr/bin/env bash
# The suite on a borrowed GPU machine that has no Rust and no network (benches/results/README.md
# says how to prepare and carry what it needs): run from the repository root there, with
#   dist/sinew-*-x86_64-linux.tar.gz   made here by tools/bundle
#   .gl/*.deb                          the Vulkan loader, when the machine has none
#   .whl/*.whl                         optional: mujoco and mujoco-mjx wheels for its python3
# Writes the suite's JSON, its log, nvidia-smi and the adapter list under $OUT (default /tmp/out).
#   BENCH_SECONDS (1)  seconds per world count     PEER_NWORLD (4096)  MJX / MuJoCo Warp counts
#   SUITE_TIMEOUT (360) seconds before the suite is stopped (its JSON keeps the finished parts)
#   SOLVER_NWORLD (4096) worlds for the solver variants run after it (0 skips them): myolegs and
#   mm_fullbody with shader f64 on and off (SINEW_F64) × the factor's rank-one updates on and off
#   (SINEW_NEWTON_UPDATES), `sinew bench --json --stages` each, into $OUT/solver/
# Extra arguments go to `sinew bench --suite`.
set -uo pipefail
out="${OUT:-/tmp/out}"
mkdir -p "$out"
if ls .gl/*.deb >/dev/null 2>&1; then
  for f in .gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -f "$nvidia_icd" ] && [ -z "${VK_DRIVER_FILES:-}" ]; then export VK_DRIVER_FILES="$nvidia_icd"; fi
work=/tmp/sinew-bundle
rm -rf "$work" && mkdir -p "$work"
tar -xzf dist/sinew-*-x86_64-linux.tar.gz -C "$work" || { echo "gpu_suite: no bundle in dist/" >&2; exit 2; }
if ls .whl/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
    && export PYTHONPATH=/tmp/site
fi
export SINEW_PYTHON="${SINEW_PYTHON:-python3}"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/xdg-runtime}"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
(nvidia-smi || true) > "$out/nvidia-smi.txt" 2>&1
"$work/sinew/bin/sinew" adapters | tee "$out/adapters.txt"
timeout "${SUITE_TIMEOUT:-360}" "$work/sinew/bin/sinew" bench --suite --seconds "${BENCH_SECONDS:-1}" \
  --peer-nworld "${PEER_NWORLD:-4096}" --out "$out" "$@" 2>&1 | tee "$out/suite.log"
solver_nworld="${SOLVER_NWORLD:-4096}"
if [ "$solver_nworld" != 0 ]; then
  mkdir -p "$out/solver"
  for model in myolegs mm_fullbody; do
    for f64 in on off; do
      for updates in on off; do
        name="$out/solver/${model}_f64-${f64}_updates-${updates}"
        SINEW_F64=$f64 SINEW_NEWTON_UPDATES=$updates timeout 60 "$work/sinew/bin/sinew" bench "$model" \
          --nworld "$solver_nworld" --seconds "${BENCH_SECONDS:-1}" --no-peer --stages --json \
          > "$name.json" 2> "$name.log" || echo "gpu_suite: $name failed (see its log)" >&2
      done
    done
  done
fi
