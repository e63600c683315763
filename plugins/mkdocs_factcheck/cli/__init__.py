"""The command line for CI (`mkdocs-factcheck check`): the same extension and core as a build, for any host."""
