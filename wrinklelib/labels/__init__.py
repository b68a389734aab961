"""Labels: texture maps (the weak labels), simulated annotators and the ways to fuse them."""
