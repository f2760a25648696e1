"""Reading TwiML documents the project returns (never writing them)."""

from __future__ import annotations

import xml.etree.ElementTree as ET


def parse_response(body: str) -> ET.Element:
    """Parse a TwiML document; raise ValueError when it is not one."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as error:
        raise ValueError(f"not XML ({error})") from None
    if root.tag != "Response":
        raise ValueError(f"root element is <{root.tag}>, not <Response>")
    return root


def text_of(element: ET.Element) -> str:
    """The element's text, SSML children included, with whitespace collapsed."""
    return " ".join("".join(element.itertext()).split())


def message_texts(body: str) -> list[str]:
    """The SMS replies (<Message>) in a messaging TwiML response."""
    if not body.strip():
        return []
    return [text_of(message) for message in parse_response(body).iter("Message")]
