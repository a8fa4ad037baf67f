#!/usr/bin/env bash
# The main job (README line 1): set up everything, then detect objects in the sample video with the
# sample model (YOLOv8n, ONNX, CPU) and write them to detections.jsonl.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck disable=SC1091
source "$ROOT/scripts/setup.sh"
cd "$ROOT"
VIDEO="$(python -c 'import vxfast.shared_data as s; print(s.shared_path("media/vtest.avi"))')"
MODEL="$(python -c 'import vxfast.shared_data as s; print(s.shared_path("models/yolov8n.onnx"))')"
vxfast info "$VIDEO"
vxfast detect "$VIDEO" --model "$MODEL" --out detections.jsonl "$@"
