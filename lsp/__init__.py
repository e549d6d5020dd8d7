"""The metalint language server (live diagnostics, quick fixes, hover and completion)."""
