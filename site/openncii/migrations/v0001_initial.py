"""The first schema: cases, their hashes, partners, feedback and the change log."""
from ..models import MODELS


def upgrade(database):
    database.create_tables(MODELS)
