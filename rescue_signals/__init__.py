"""rescue-signals: trainer, simulator and decoder for the 5432 mine rescue knock signals."""

__version__ = "0.1.0"
