"""The kinds the search finds, each registered by its module (see ``registry``).

Importing this package registers them all; ``inhouse.search.index`` does.
"""

from inhouse.search.kinds import catalog, desk, knowledge, org

__all__ = ["catalog", "desk", "knowledge", "org"]
