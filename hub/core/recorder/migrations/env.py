"""Alembic's entry: the recorder runs it at start on the connection it
opened (config.attributes["connection"]); there is no alembic.ini."""

from alembic import context

from hub.core.recorder.tables import METADATA


def run_migrations() -> None:
    context.configure(
        connection=context.config.attributes["connection"],
        target_metadata=METADATA,
        # SQLite alters a table by copying it: Alembic's batch mode does that
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if getattr(context, "config", None) is not None:  # run by Alembic (not imported by a test)
    run_migrations()
