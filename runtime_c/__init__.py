"""The bundled C runtime sources, shipped as package data."""

import os

# A string, not a pathlib.Path: every gated compile of `initgate cc` reads
# gate.h from here, and importing pathlib costs it 4 ms.
SOURCE_DIR = os.path.dirname(os.path.realpath(__file__))
