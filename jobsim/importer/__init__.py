"""``jobsim import``: a scenario from a cluster's ``kubectl get nodes,jobs,pods -o json``.

``dump`` reads the files, ``cluster`` groups the Nodes into pools, ``jobs`` cleans the Job
manifests and reads the pods' runs, ``fit`` fits run times with scipy.stats, and ``build``
puts the scenario together (``import_dumps``).
"""

from jobsim.importer.build import GroupFit, Imported, import_dumps
from jobsim.importer.dump import DumpError

__all__ = ["DumpError", "GroupFit", "Imported", "import_dumps"]
