"""UI downloads of the documents (statement CSV/PDF, allocation statement PDF, board report PDF), fetched from
the ledger with the browser's session: the same paths as the ledger's, under /documents."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from habitat_common.web.inputs import iso_date
from pydantic_core import PydanticCustomError

from habitat_gateway.routes.deps import ServicesDep
from habitat_gateway.routes.ui_common import ApiError, SessionDep, for_spreadsheets, render

router = APIRouter(include_in_schema=False)
FORMATS = ("csv", "pdf")


async def download(request: Request, session, services, path: str, params: dict | None = None) -> Response:
    """The ledger's document as a file; its refusal as the error page with its sentence."""
    try:
        upstream = await services.ledger.download(path, token=session.principal.token, params=params or {})
    except ApiError as error:
        return render(request, "error.html", status=error.status, session=session, error=error.message)
    headers = {k: v for k, v in upstream.headers.items() if k.lower() == "content-disposition"}
    media_type = upstream.headers.get("content-type")
    return Response(for_spreadsheets(upstream.content, media_type), media_type=media_type, headers=headers)


@router.get("/documents/capital-accounts/{member_id}/statement.{kind}")
async def statement(request: Request, member_id: str, kind: str, session: SessionDep, services: ServicesDep):
    if kind not in FORMATS:
        return render(request, "error.html", status=404, session=session, error="Unknown document.")
    params = {}
    for name in ("from", "to"):
        if value := request.query_params.get(name):
            try:
                params[name] = iso_date(value).isoformat()
            except PydanticCustomError as error:
                return render(request, "error.html", status=422, session=session, error=f"{name}: {error}")
    return await download(request, session, services, f"/capital-accounts/{member_id}/statement.{kind}", params)


@router.get("/documents/allocations/{allocation_id}/statement/{member_id}.pdf")
async def allocation_statement(
    request: Request, allocation_id: str, member_id: str, session: SessionDep, services: ServicesDep
):
    return await download(request, session, services, f"/allocations/{allocation_id}/statement/{member_id}.pdf")


@router.get("/documents/periods/{period_id}/report.pdf")
async def period_report(request: Request, period_id: str, session: SessionDep, services: ServicesDep):
    return await download(request, session, services, f"/periods/{period_id}/report.pdf")
