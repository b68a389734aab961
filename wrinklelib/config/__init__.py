"""Run settings: the profiles, one resolved run per execution, the folders and the machine."""
