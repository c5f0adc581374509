"""Tests run on the TensorFlow backend even when ~/.keras/keras.json names another; shared fixtures."""
import os
import socket

import pytest

os.environ.setdefault("KERAS_BACKEND", "tensorflow")


@pytest.fixture
def no_network(monkeypatch):
    """Fail (and record) any attempt to open a Python-level network connection."""
    attempts = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise OSError(f"network disabled in tests: {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts
