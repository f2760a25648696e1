"""Configuration that is valid but probably not meant: told at start-up, not found out at 3 AM."""

from __future__ import annotations

from router.config import SupportConfig


def config_warnings(support: SupportConfig) -> list[str]:
    """Each warning names the key and what will happen, like a configuration error does."""
    participants = {r.id: r.participants for r in support.rotations}
    found = []
    for i, person in enumerate(support.people):
        if not person.contact:
            found.append(f"people[{i}].contact: {person.id} has no contact method: a page reaches them by nothing")
    for i, policy in enumerate(support.escalation_policies):
        if not policy.fallback:
            found.append(f"escalation_policies[{i}].fallback: none: when its rotations have nobody on call, "
                         "a page reaches no one")
        for j, step in enumerate(policy.steps):
            people = []
            for target in step.targets:
                kind, name = target.split(":", 1)
                people += participants[name] if kind == "rotation" else [name]
            for person_id in dict.fromkeys(people):
                for contact in support.person(person_id).contact:
                    if contact.after_minutes >= step.delay_minutes:
                        found.append(
                            f"escalation_policies[{i}].steps[{j}]: {person_id}'s {contact.channel} comes "
                            f"{contact.after_minutes:g} min into the step, but the step moves on after "
                            f"{step.delay_minutes:g} min: it is never sent")
    return found
