"""Entry point of the packaged phone app (`flet build apk|ipa`, see [tool.flet] in pyproject.toml)."""

from __future__ import annotations

import flet as ft

from mobile.app import main

# The packaged runner executes this file; assets/ beside it (mobile/assets -> ../assets) holds the CJK font.
ft.run(main)
