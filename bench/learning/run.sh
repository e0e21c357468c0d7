#!/bin/sh
# bench/learning/run.sh MAAT - the learning curve of the correction loop
# on Banking77: 100, 500 and 2,000 approved corrections next to a full
# retrain, and a model of wrong corrections the promotion rule refuses
# (curve.py says how).
set -eu
maat=${1:?usage: bench/learning/run.sh PATH_TO_MAAT}
command -v python3 >/dev/null || { echo "learning: skipped: python3 is not installed"; exit 0; }
python3 "$(dirname "$0")/curve.py" "$maat"
