"""Ctrl-C that always stops training: every adversarial model's `fit` runs inside a CtrlCGuard."""
from __future__ import annotations

import signal
import threading

import keras


class CtrlCGuard(keras.callbacks.Callback):
    """Stop training at Ctrl-C even when Python drops the KeyboardInterrupt.

    Python ignores an exception raised inside a finalizer (`__del__`, a weakref callback), and
    TensorFlow runs finalizers throughout training (each epoch's data iterator ends in one), so
    a Ctrl-C that lands there would be lost and training would run on to its end. Entered as a
    context manager around `fit`, the guard notes every SIGINT as Python's own handler raises it;
    as a callback, it raises the interrupt again at the next batch end. It only stands in for
    Python's default handler in the main thread: a notebook's or a program's own handler stays.
    """

    def __init__(self):
        super().__init__()
        self.pressed = False
        self._previous = None

    def _note(self, signum, frame):
        self.pressed = True
        signal.default_int_handler(signum, frame)

    def __enter__(self):
        in_main_thread = threading.current_thread() is threading.main_thread()
        if in_main_thread and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self._previous = signal.signal(signal.SIGINT, self._note)
        return self

    def __exit__(self, *exception):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None

    def on_train_batch_end(self, batch, logs=None):
        if self.pressed:
            raise KeyboardInterrupt
