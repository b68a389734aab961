"""The application: the command line, own-photo prediction, benchmarks and publishing."""
