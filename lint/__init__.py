"""metalint: lint Alibaba Cloud Image Search increment.meta manifests before they are uploaded."""

from __future__ import annotations

__version__ = "0.1.0"
