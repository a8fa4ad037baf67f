"""Video decoding API."""

__all__: list = []
