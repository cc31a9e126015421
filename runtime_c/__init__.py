"""The bundled C runtime sources, shipped as package data."""

from pathlib import Path

SOURCE_DIR = Path(__file__).resolve().parent
