"""A response body validated once and written by pydantic itself."""

from __future__ import annotations

from fastapi import Response
from pydantic import BaseModel


def json_answer(body: BaseModel) -> Response:
    """The body as JSON, already validated: returned as a model or a dict, FastAPI would validate it again
    against the route's response model and encode it in two more passes (the hot reads and the large answers
    skip that; the route keeps its response_model for the OpenAPI)."""
    return Response(body.model_dump_json(), media_type="application/json")
