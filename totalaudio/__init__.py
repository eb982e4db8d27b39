"""tap: the command-line toolkit of a music-promotion business."""

__version__ = "0.1.0"
