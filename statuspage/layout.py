"""How the public page lists the components: by group, in the configuration's order, a group open only
when one of its components is not operational, and a component marked "only show if degraded" left out
while it is operational (Statuspage's option of that name)."""

from __future__ import annotations

from dataclasses import dataclass

from statuspage.state import Component, Group, PageState
from statuspage.summary import SEVERITY
from statuspage.vocabulary import ComponentStatus


@dataclass(frozen=True)
class Section:
    group: Group | None  # None: a component of no group, listed on its own
    components: tuple[Component, ...]

    @property
    def status(self) -> ComponentStatus:
        """The worst status among the section's components."""
        return max((c.status for c in self.components), key=SEVERITY.__getitem__,
                   default=ComponentStatus.OPERATIONAL)

    @property
    def healthy(self) -> bool:
        """Every component operational: the page shows the group folded."""
        return self.status is ComponentStatus.OPERATIONAL


def shown(component: Component) -> bool:
    return not component.only_show_if_degraded or component.status is not ComponentStatus.OPERATIONAL


def sections(state: PageState) -> tuple[Section, ...]:
    """The page's component list: a group where its first component is configured, an ungrouped component
    where it is; groups with nothing to show are left out."""
    listed: list[Section] = []
    placed: set[str] = set()
    for component in state.components:
        if component.group_id is None:
            if shown(component):
                listed.append(Section(None, (component,)))
            continue
        if component.group_id in placed:
            continue
        placed.add(component.group_id)
        members = tuple(c for c in state.components if c.group_id == component.group_id and shown(c))
        group = state.group(component.group_id) or Group(component.group_id, component.group_id, None)
        if members:
            listed.append(Section(group, members))
    return tuple(listed)
