#!/usr/bin/env bash
# A published run of the gpu profile, made on a borrowed GPU machine that has PyTorch but
# no network and no notebook tools, gives a few minutes per command and returns only a
# few files. Every stage resumes where it stopped, so a command cut off by its time limit
# loses at most one validation interval: run this again until it prints "packed".
#
#   here, with network:  make gpu-wheels      (papermill, jupytext, ipykernel, myst-nb and
#                                              SimpleITK as Python 3.12 wheels in .whl/)
#   there, with .whl/:   WRINKLE_GIT_COMMIT=<commit> bash scripts/gpu-publish.sh OUT_DIR
#   here again:          .venv/bin/wrinkle unpack OUT_DIR/gpu-publish.tar.gz
#                        make book-published PUBLISHED=gpu-publish
#
# Settings: PROFILE (gpu), NAME (PROFILE-publish), STEP_S (seconds this call may use,
# 540), PYTHON (python3).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/gpu-publish.sh OUT_DIR}
profile=${PROFILE:-gpu}
name=${NAME:-$profile-publish}
budget=${STEP_S:-540}
py=${PYTHON:-python3}
left() { echo $((budget - SECONDS)); }

if ! "$py" -c "import papermill, jupytext, ipykernel, myst_nb, SimpleITK" 2>/dev/null; then
    "$py" -m pip install -q --no-index --find-links .whl papermill jupytext ipykernel myst-nb SimpleITK
fi
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
wrinkle=("$py" -m wrinklelib.app.cli)
"${wrinkle[@]}" env
if ! timeout --kill-after=10 "$(left)" "${wrinkle[@]}" run --profile "$profile"; then
    echo "not finished within ${budget} s: run scripts/gpu-publish.sh again to resume"
    exit 3
fi
bench_device=$("$py" -c "import torch; print('cuda' if torch.cuda.is_available() else 'cpu')")
# The benchmarks of the performance page, each skipped when time runs out: the paper's
# network on a GPU, make book's sizes on a CPU.
if [ "$bench_device" = cuda ]; then
    benches=("train --sizes 256 512 1024 --width 64" "texture --sizes 1024" "predict --sizes 1024 --width 16")
else
    benches=("train --sizes 128 256 --width 8 --batch 8" "texture --sizes 512 1024" "predict --sizes 512 --width 8")
fi
for bench in "${benches[@]}"; do
    if [ "$(left)" -gt 30 ]; then
        # shellcheck disable=SC2086
        timeout "$(left)" "${wrinkle[@]}" bench $bench --device "$bench_device" || echo "bench $bench: not measured"
    fi
done
"${wrinkle[@]}" pages > /dev/null
mkdir -p "$out"
"${wrinkle[@]}" publish "$name" --archive "$out/$name.tar.gz"
echo "packed $out/$name.tar.gz"
