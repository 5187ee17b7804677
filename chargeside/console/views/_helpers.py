"""Small helpers the console views share."""

from __future__ import annotations

from django.http import Http404


def get_in_workspace(model, request, pk, **filters):
    """A row of the caller's workspace by id; any other workspace's id is "not found"."""
    row = model.objects.filter(workspace=request.workspace, pk=pk, **filters).first()
    if row is None:
        raise Http404
    return row
