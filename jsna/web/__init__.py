"""The web app (``jsna serve``): chapter dashboards, the public API, accounts and the workflow.

One FastAPI application made by :func:`jsna.web.app.create_app` from a
project and its store:

- ``/``: the static site built by ``jsna build`` (the public JSNA), served as files;
- ``/dashboards/...``: one interactive dashboard per chapter (:mod:`.dashboards`);
- ``/api/v1/...``: indicators, areas, results, custom areas, versions (:mod:`.api`),
  one JSON envelope (:mod:`.envelope`) and CSV for every endpoint, OpenAPI at ``/api/v1/docs``;
- ``/account/...``: sign in and out, user administration (:mod:`.accounts`);
- ``/workflow/...``: chapter lifecycle, history and review timetable (:mod:`.workflow`);
- ``/upload/...``: data upload for analysts (:mod:`.uploads`);
- ``/requests/...``: requests for bespoke analysis (:mod:`.analysis`).

Roles, passwords, sessions, CSRF and the audit log live in :mod:`.auth` and
:mod:`.users`; only this package knows HTTP status codes.
"""

from __future__ import annotations

__all__: list[str] = []
