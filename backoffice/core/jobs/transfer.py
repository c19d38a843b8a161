"""The CSV engine of the Symphony Import/Export API: exports and imports of one object type within
an organization's hierarchy, and the files they read and write. No HTTP here: the request runner
calls these in a transaction it owns.

Scope: a request names a hierarchy node of its organization (none: the Enterprise) and a Level:
0 SelectedHierarchy = rows at the node; 1 WithAncestors = rows at the node and at every ancestor;
2 WithInherited = the node's effective set (rows at the node, plus ancestors' rows not overridden
by a row with the same natural key, HierarchyId aside, at a nearer node); 3 = 1 and 2 together
(the same rows as 1). Imports write at the node or below it, whatever the Level.
"""

from .csvfiles import ChunkWriter, iter_chunks, store_file
from .exporting import export_csv
from .importing import (
    ACTION_COLUMN,
    COMPLETE,
    COMPLETED_WITH_ERRORS,
    ERROR,
    TRANSLATIONS_COLUMN,
    ImportOutcome,
    import_csv,
)
from .interchange import Scope, parse_number_filter

__all__ = ["ACTION_COLUMN", "COMPLETE", "COMPLETED_WITH_ERRORS", "ERROR", "TRANSLATIONS_COLUMN", "ChunkWriter",
           "ImportOutcome", "Scope", "export_csv", "import_csv", "iter_chunks", "parse_number_filter", "store_file"]
