"""Whether XLA can compile a function, and which operations stop it, found before training starts."""
from __future__ import annotations

import re

import tensorflow as tf

_UNSUPPORTED = re.compile(r"Detected unsupported operations.*? on (\S+): (.*?)(?:\n|$)", re.DOTALL)


def xla_unsupported(function, *args) -> str | None:
    """None when `function(*args)` compiles with XLA; otherwise a one-line reason naming the ops.

    Only traces and lowers the function (`experimental_get_compiler_ir`), so nothing runs and no
    variable changes.
    """
    try:
        tf.function(function, jit_compile=True).experimental_get_compiler_ir(*args)(stage="hlo")
    except (ValueError, tf.errors.InvalidArgumentError, tf.errors.UnimplementedError) as error:
        match = _UNSUPPORTED.search(str(error))
        if match is None:
            raise
        device, operations = match.groups()
        ops = sorted(set(re.findall(r"(\w+) \(No registered", operations))) or [operations.strip()]
        return f"{', '.join(ops)} cannot be compiled for {device.rstrip(':')}"
    return None
