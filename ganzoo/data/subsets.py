"""Which examples of a labelled source a run sees: the held-out split, chosen classes, and the
class-balanced few whose labels a semi-supervised model or a small-data classifier is given."""
from __future__ import annotations

import numpy as np

from ganzoo.data.checks import DataError
from ganzoo.data.pairs import split_indices


def labelled_indices(labels, n: int, seed: int = 0) -> np.ndarray:
    """Sorted indices of `n` examples, as evenly spread over the classes as `n` allows (the first
    n mod K classes get one more), each class's chosen by a generator seeded with (`seed`, class):
    the same labelled set for every run of that seed, whatever else the run changes."""
    labels = np.asarray(labels)
    classes = np.unique(labels)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < len(classes):
        raise DataError(
            f"data.labelled must give every one of the {len(classes)} classes at least one label; "
            f"got {n!r}. Use at least {len(classes)}."
        )
    chosen = []
    for rank, label in enumerate(classes):
        members = np.flatnonzero(labels == label)
        wanted = n // len(classes) + (rank < n % len(classes))
        if wanted > len(members):
            raise DataError(
                f"data.labelled {n} asks for {wanted} examples of class {label}, which has {len(members)}; "
                "lower data.labelled or use more data."
            )
        chosen.append(np.random.default_rng([seed, int(label)]).permutation(members)[:wanted])
    return np.sort(np.concatenate(chosen))


def select_examples(labels, split: str = "train", hold_out: bool = False, classes=None) -> np.ndarray | None:
    """Sorted indices of the examples to keep, or None for all of them: the held-out `test` fifth of
    each class (`split: test`), the rest (`hold_out`), and of those only the labels in `classes`."""
    if split == "train" and not hold_out and classes is None:
        return None
    labels = np.asarray(labels)
    keep = split_indices(labels, split) if split == "test" or hold_out else np.arange(len(labels))
    if classes is not None:
        missing = sorted(set(classes) - set(np.unique(labels).tolist()))
        if missing:
            raise DataError(f"data.classes names {missing}, which the data's labels never take; its labels are "
                            f"{sorted(np.unique(labels).tolist())}.")
        keep = keep[np.isin(labels[keep], list(classes))]
    return keep
