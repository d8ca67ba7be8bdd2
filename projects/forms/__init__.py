from .declaration import DeclarationForm, declaration_formsets
from .department import DepartmentDeclarationForm, department_formsets

__all__ = ["DeclarationForm", "DepartmentDeclarationForm", "declaration_formsets", "department_formsets"]
