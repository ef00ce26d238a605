"""The help page draws the workflow table, generated from remarks.workflow.TRANSITIONS."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.utils import translation

from remarks import workflow
from remarks.diagram import _edges
from remarks.workflow import Action, Status


def svg_of(html: str) -> str:
    match = re.search(r"<svg .*?</svg>", html, re.S)
    assert match, "the page has no inline diagram"
    return match.group(0)


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_help_page_draws_every_state_and_action_in_the_users_language(language, client, db):
    response = client.get("/help/workflow/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    svg = unescape(svg_of(response.content.decode()))
    with translation.override(language):
        for status in Status:
            assert f">{status.label}<" in svg, status
        for action in Action:
            assert str(action.label) in svg, action


def test_diagram_has_an_arrow_for_every_move_of_the_table():
    drawn = {(number, source, target) for number, source, target in _edges()}
    for number, transition in enumerate(workflow.TRANSITIONS.values(), start=1):
        if workflow.STAY in transition.targets:
            continue  # the state does not change: no arrow, the table lists it
        for source in transition.sources:
            targets = {t for t in transition.targets if t != workflow.RETURN}
            if workflow.RETURN in transition.targets:
                targets |= {s for t in workflow.TRANSITIONS.values() if source in t.targets
                            for s in t.sources}
            for target in targets:
                assert (number, source, target) in drawn, (transition.action, source, target)
    assert len(drawn) == len(_edges())


def test_diagram_obeys_the_content_security_policy(client, db):
    html = client.get("/help/workflow/").content.decode()
    svg = svg_of(html)
    assert "style=" not in svg and "<style" not in svg and "<script" not in svg
    assert 'role="img"' in svg and "<title" in svg
