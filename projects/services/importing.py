"""Create or update a project declaration from the Excel template, all or nothing, through the one write service."""

from projects.choices import DeclarationAction
from projects.models import ProjectDeclaration

from .writing import declaration_write
from .xlsx import ImportedDeclaration


def declaration_import(*, data: ImportedDeclaration, user) -> ProjectDeclaration:
    """Write the imported sheet; ``SheetError`` (nothing written) when it may not or cannot be saved or is stale.

    The template carries the version it was exported at; a template without one (exported before versions were
    written) only creates a declaration that does not exist yet.
    """
    return declaration_write(user=user, data=data, version=data.version, channel=DeclarationAction.IMPORT)
