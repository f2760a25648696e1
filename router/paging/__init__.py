"""Paging: pages to on-call engineers, from the critical call to the acknowledgement.

The decisions are pure (`machine` for a page's life, on the data of `page`;
`dialogue` for the SMS replies; `statuses` for the vocabulary); the rest is the
shell: `pages` changes
a page under its row lock, `sender` makes the Twilio requests after the commit,
`recovery` follows up what Twilio went quiet about or a dead sender left,
`dispatcher` sends at once from the web process, `worker` is the loop that
`router serve` and `router worker` run, `health` tells a monitor how it goes.
"""
