"""One module per subcommand of ``rescue-signals``: ``add_arguments(parser)`` and ``run(args) -> int``."""
