#!/usr/bin/env python3
"""Check an ONNX policy exported by sinew and run it on a batch of observations.

    check_onnx.py MODEL.onnx INPUT.npy OUTPUT.npy

onnx.checker.check_model (full check, with shape inference) validates MODEL; onnx's
ReferenceEvaluator (numpy only, no onnxruntime) runs it on INPUT, float [batch, nobs] fed as the
graph input "obs", and OUTPUT gets the graph output "action", float32 [batch, nu].
Exit status 0 on success, 1 when the model is invalid or fails to run, 2 on usage or input errors.
Needs numpy and onnx (tested with onnx 1.23.2).
"""
import sys


def fail(code, msg):
    print(f"check_onnx: {msg}", file=sys.stderr)
    return code


def main(argv):
    if len(argv) != 4:
        return fail(2, "usage: check_onnx.py MODEL.onnx INPUT.npy OUTPUT.npy")
    model_path, input_path, output_path = argv[1:]
    try:
        import numpy as np
        import onnx
        from onnx.reference import ReferenceEvaluator
    except ImportError as e:
        return fail(2, f"{e} (pip install numpy onnx)")

    try:
        model = onnx.load(model_path)
        onnx.checker.check_model(model, full_check=True)
    except Exception as e:  # onnx raises several types; all mean the same here
        return fail(1, f"{model_path}: invalid model: {e}")
    inputs = [i.name for i in model.graph.input]
    outputs = [o.name for o in model.graph.output]
    if inputs != ["obs"] or outputs != ["action"]:
        return fail(1, f"{model_path}: expected input 'obs' and output 'action', got {inputs} -> {outputs}")

    try:
        obs = np.load(input_path)
    except Exception as e:
        return fail(2, f"{input_path}: cannot read: {e}")
    if obs.ndim != 2 or obs.dtype.kind != "f":
        return fail(2, f"{input_path}: expected a float [batch, nobs] array, got {obs.dtype} {obs.shape}")
    dims = model.graph.input[0].type.tensor_type.shape.dim
    nobs = dims[-1].dim_value if len(dims) == 2 else 0
    if nobs and obs.shape[1] != nobs:
        return fail(2, f"{input_path}: {obs.shape[1]} observation columns, the model takes nobs = {nobs}")

    try:
        (action,) = ReferenceEvaluator(model).run(["action"], {"obs": obs.astype(np.float32)})
    except Exception as e:
        return fail(1, f"{model_path}: evaluation failed: {e}")
    action = np.asarray(action, dtype=np.float32)
    if action.ndim != 2 or action.shape[0] != obs.shape[0]:
        return fail(1, f"{model_path}: action has shape {action.shape} for {obs.shape[0]} observations")
    try:
        with open(output_path, "wb") as f:  # np.save(path) would append ".npy" to other names
            np.save(f, action)
    except OSError as e:
        return fail(2, f"{output_path}: cannot write: {e}")
    print(f"check_onnx: {model_path}: ok, obs {obs.shape} -> action {action.shape}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
