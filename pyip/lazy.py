"""importlib.import_module() for pyip's lazily loaded submodules, without `import importlib`.

importlib's package __init__ imports warnings; a drop-in loads the modules of
one object only (pyip.ast, pyip.show, pyip.netlink choose them when asked),
and this is all it needs to do so.
"""

from __future__ import annotations

import sys


def submodule(package: str, name: str):
    """The module PACKAGE.NAME, imported if it is not yet."""
    full_name = f"{package}.{name}"
    module = sys.modules.get(full_name)
    if module is None:
        __import__(full_name)
        module = sys.modules[full_name]
    return module


class LazyModule:
    """`ipaddress = LazyModule("ipaddress")`: the module, imported at its first use, not at start-up
    (a module whose other functions a drop-in runs uses it only to build pyip.ast nodes)."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute: str):
        if attribute.startswith("__"):  # copy, pickle, inspect asking: not a use
            raise AttributeError(attribute)
        if self._name not in sys.modules:
            __import__(self._name)
        value = getattr(sys.modules[self._name], attribute)
        setattr(self, attribute, value)  # found in the instance's dict from now on
        return value

    def __repr__(self) -> str:
        return f"<lazily imported module {self._name!r}>"
