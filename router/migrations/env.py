"""Alembic environment: runs on the connection the service hands it."""

from alembic import context

from router.models import Base

config = context.config
connection = config.attributes.get("connection")


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:
    raise RuntimeError("run migrations through `router init-db` / `router new-migration`, which pass a connection")
