"""One module per dashboard page, each with its typed page context and its routes."""

__all__: list[str] = []
