"""Registry import and export through files (CSV/XLSX): one module per step of an import.

``cells`` parses one cell, ``headers`` binds the file's columns, ``validation`` checks a whole table, ``service``
runs the job (report, write through ``bulk_service``), ``progress`` holds the live progress of running jobs,
``jobs`` their lease and clean-up (QUALITY R3), ``awards`` the import of award lists; ``router`` and ``schemas``
are the HTTP side (imports, exports, award lists).
"""
