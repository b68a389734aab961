"""Data: the synthetic world, the release layout and its checks, splits, face parsing and alignment."""
