"""Starting the server: ``metalint server`` runs ``serve``."""

from __future__ import annotations

from metalint.lsp import features
from metalint.lsp.server import MetalintServer


def create_server() -> MetalintServer:
    server = MetalintServer()
    features.register(server)
    return server


def serve() -> int:
    """Run the server over standard input and output until the client ends it."""
    create_server().start_io()
    return 0
