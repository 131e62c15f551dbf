"""The screens of the trainer, one module each; :mod:`rescue_signals.app.router` opens them by name."""
