"""Print the gateway's OpenAPI document, its JSON API part, as the input of the
mini-program's types.

Only the paths under /api/ are kept: a client calls those; the pages the gateway serves to
browsers (/m/, /static/, ...) and the operations endpoints are not its business, and their
entries would only add noise to the generated types. ``make client-types`` runs it. It
imports the gateway's routes the way the gateway process does, so the document is exactly
what the gateway would serve."""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[3]


def document() -> dict:
    if str(REPOSITORY) not in sys.path:
        sys.path.insert(0, str(REPOSITORY))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # eventlet's deprecation notice is not part of the document
        import gateway.service  # noqa: F401  (registers every route)
        from gateway.openapi import openapi_document
    full = openapi_document()
    return {**full, "paths": {path: item for path, item in full["paths"].items() if path.startswith("/api/")}}


if __name__ == "__main__":
    json.dump(document(), sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)
    sys.stdout.write("\n")
