"""Times, hours and case numbers as the caller hears them, per language."""

from __future__ import annotations

import datetime as dt

import phonenumbers

from schedules import SupportHours, Window

_WEEKDAYS = {
    "en-US": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "pt-BR": ("segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado", "domingo"),
}
_MONTHS = {
    "en-US": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December"),
    "pt-BR": ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro",
              "outubro", "novembro", "dezembro"),
}


def digits(number: int | str) -> str:
    """A case number read digit by digit: 1042 -> "1, 0, 4, 2"."""
    return ", ".join(str(number))


def phone_number(number: str) -> str:
    """A phone number read in the groups it is written in: "+55 11 98888-7777" -> "plus 5 5, 1 1, 9 8 8 8 8, 7 7 7 7".

    Group by group, so an engineer writing it down hears where each part ends; digit by digit inside a group,
    so "98888" is never read as ninety-eight thousand.
    """
    try:
        written = phonenumbers.format_number(phonenumbers.parse(number), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        written = number
    groups = [group for group in written.replace("-", " ").split(" ") if group]
    spoken = [" ".join(group.lstrip("+")) for group in groups]
    return ("plus " if written.startswith("+") else "") + ", ".join(spoken)


def clock(time: dt.time, language: str) -> str:
    """A clock time: "9 AM", "5:30 PM" in English; "9h", "17h30" in Portuguese."""
    if language == "pt-BR":
        return f"{time.hour}h" + (f"{time.minute:02d}" if time.minute else "")
    hour = time.hour % 12 or 12
    minutes = f":{time.minute:02d}" if time.minute else ""
    if (time.hour, time.minute) == (12, 0):
        return "noon"
    return f"{hour}{minutes} {'AM' if time.hour < 12 else 'PM'}"


def moment(at: dt.datetime, language: str) -> str:
    """A day and time in the moment's own time zone: "Monday, November 23, at 9 AM"."""
    weekday = _WEEKDAYS[language][at.weekday()]
    month = _MONTHS[language][at.month - 1]
    if language == "pt-BR":
        return f"{weekday}, {at.day} de {month}, às {clock(at.timetz(), language)}"
    return f"{weekday}, {month} {at.day}, at {clock(at.timetz(), language)}"


def _span(window: Window, language: str) -> str:
    opens, closes = clock(window.opens, language), clock(window.closes, language)
    return f"das {opens} às {closes}" if language == "pt-BR" else f"{opens} to {closes}"


def _days(first: int, last: int, language: str) -> str:
    names = _WEEKDAYS[language]
    if first == last:
        return names[first]
    joiner = " a " if language == "pt-BR" else " to "
    return names[first] + joiner + names[last]


def weekly_hours(hours: SupportHours, language: str) -> str:
    """The weekly hours in words: "Monday to Friday, 9 AM to 6 PM"."""
    groups: list[tuple[int, int, tuple[Window, ...]]] = []
    for day, windows in enumerate(hours.weekly):
        if windows and groups and groups[-1][2] == windows and groups[-1][1] == day - 1:
            groups[-1] = (groups[-1][0], day, windows)
        elif windows:
            groups.append((day, day, windows))
    and_ = " e " if language == "pt-BR" else " and "
    parts = [
        f"{_days(first, last, language)}, {and_.join(_span(w, language) for w in windows)}"
        for first, last, windows in groups
    ]
    return "; ".join(parts)
