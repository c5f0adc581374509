"""Tests run on the TensorFlow backend even when ~/.keras/keras.json names another."""
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
