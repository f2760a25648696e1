"""The status page's shell: it stores incidents and component statuses, serves /status and the v2 JSON,
lets engineers write, texts subscribers and tells callers; the decisions are `statuspage`'s."""
