"""Evaluation: one inference path, one metrics core, statistics and the paper's tables."""
