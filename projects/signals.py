"""Signals of the declaration workflow (sent once the transaction has committed)."""

from django.dispatch import Signal

# sender: the declaration's model class; declaration: the approved ProjectDeclaration or DepartmentDeclaration
declaration_approved = Signal()
