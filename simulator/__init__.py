"""pcsim: a stateful simulator of the Microsoft Partner Center REST API."""

__version__ = "0.1.0"
