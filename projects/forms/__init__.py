from .declaration import DeclarationForm, declaration_formsets

__all__ = ["DeclarationForm", "declaration_formsets"]
