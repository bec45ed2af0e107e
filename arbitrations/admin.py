"""Admin site registrations of the arbitrations app."""

from .catalogue.admin import CatalogueImportAdmin, RequirementSonsAdmin

__all__ = ["CatalogueImportAdmin", "RequirementSonsAdmin"]
