"""The page log: every page the user may see, newest first, and one page's notifications and history."""

from __future__ import annotations

from flask import abort, render_template, request

from router import db
from router.console import bp
from router.console.access import ON_CALL, allow, user
from router.console.scope import visible_pages
from router.models.base import MAX_ID
from router.page_story import page_log, page_story
from router.runtime import runtime


@bp.get("/pages")
@allow(*ON_CALL)
def pages():
    """Newest first, a screen at a time: `?older=<id>` goes on after that page."""
    older = request.args.get("older", type=int)
    log = page_log(db.session(), runtime().support, visible_pages(user()),
                   older if older is not None and 0 < older <= MAX_ID else None)
    return render_template("console/pages.html", log=log, continued=older is not None)


@bp.get("/pages/<int:page_id>")
@allow(*ON_CALL)
def page(page_id: int):
    # 404, not 403, for a page that never reached this engineer: a 403 would tell them it exists.
    story = page_story(db.session(), page_id, runtime().support, visible_pages(user()))
    if story is None:
        abort(404, "There is no page with this number among the pages you may see.")
    return render_template("console/page.html", story=story)
