"""Augmentation, two ways: DiffAugment's differentiable transforms for a discriminator on small data
(`ganzoo.augment.diff`), and examples drawn from a conditional GAN to enlarge a classifier's
training set (`ganzoo.augment.synthetic`)."""
from ganzoo.augment.diff import AUGMENTATIONS, color, cutout, diff_augment, translation
from ganzoo.augment.synthetic import balanced_labels, mixed_dataset, synthetic

__all__ = ["AUGMENTATIONS", "balanced_labels", "color", "cutout", "diff_augment", "mixed_dataset", "synthetic", "translation"]
