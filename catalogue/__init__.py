"""The requirement catalogue: the authority's spreadsheets in and out
(django-import-export), search and the version diff.

- ``columns``: the spreadsheet layouts (the authority's, the portal's own).
- ``reading``: bytes of an XLSX, CSV or JSON file → a table, messy files included.
- ``resources``: the django-import-export resources (import through the
  arbitrations' service, exports).
- ``formats``: file formats that never let a spreadsheet evaluate a value.
- ``importing``: the dry run, the confirmation and the record of each import.
"""
