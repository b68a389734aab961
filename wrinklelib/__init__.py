"""Facial wrinkle detection: texture pretraining and multi-annotator finetuning."""

__version__ = "0.1.0"
