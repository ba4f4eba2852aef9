"""Organisation units: a tree with a materialised path, so that a subtree is one indexed range scan."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow


class OrganisationUnit(Base):
    """A ministry, directorate-general, directorate, department or team."""

    __tablename__ = "organisation_unit"
    # varchar_pattern_ops lets PostgreSQL use the index for `path LIKE '/1/5/%'` under any collation.
    __table_args__ = (Index("ix_organisation_unit_path", "path", postgresql_ops={"path": "varchar_pattern_ops"}),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisation_unit.id"), index=True)
    # "/<root id>/<child id>/.../<own id>/": every descendant's path starts with this one.
    path: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    parent: Mapped[OrganisationUnit | None] = relationship(remote_side=[id])

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    def __repr__(self) -> str:
        return f"<OrganisationUnit {self.code}>"
