"""Data: one JSON contract per simulated Partner Center operation (see README.md here)."""
