"""Renders mail with Jinja2: per kind a subject, a text and an HTML template; HTML is autoescaped."""

from __future__ import annotations

import re

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from habitat_notifications.domain.links import Links
from habitat_notifications.domain.mailing import MailPlan
from habitat_notifications.service_layer.ports import Draft

_WHITESPACE = re.compile(r"\s+")


def environment() -> Environment:
    """Templates from the package; autoescaping for .html only (a text body shows a reason as written)."""
    return Environment(
        loader=PackageLoader("habitat_notifications", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), disabled_extensions=("txt",), default=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


class JinjaComposer:
    """The co-op's name and public URL go into every mail; non-essential mail links to the preferences."""

    def __init__(self, *, coop_name: str, links: Links, env: Environment | None = None) -> None:
        self.coop_name = coop_name
        self.links = links
        self.env = env or environment()

    def compose(self, plan: MailPlan) -> Draft:
        """Render the plan's kind with its facts."""
        unsubscribe = None if plan.kind.essential else self.links.preferences()
        context = {
            **plan.facts,
            "name": plan.display_name,
            "coop_name": self.coop_name,
            "public_url": self.links.base,
            "unsubscribe_url": unsubscribe,
        }
        # one line: a header cannot hold a newline, whatever a template or a name brings
        subject = _WHITESPACE.sub(" ", self.env.get_template(f"{plan.kind}.subject.txt").render(context)).strip()
        text = self.env.get_template(f"{plan.kind}.txt").render(context)
        html = self.env.get_template(f"{plan.kind}.html").render({**context, "subject": subject})
        return Draft(subject=subject, text=text, html=html, unsubscribe_url=unsubscribe)
