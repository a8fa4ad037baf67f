"""Frame-quality features and clip tensors (filled in by its issue)."""

__all__: list = []
