"""Who is recording: the notebook (path or session name) and the kernel, as the kernel sees them."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from typing import Any


@dataclass
class NotebookIdentity:
    #: the notebook's path, or a session name when there is no file
    notebook: str
    #: where that came from: ``"__session__"``, ``"JPY_SESSION_NAME"``, ``"vscode"``, ``"kernel"``
    #: or ``"process"``
    source: str
    kernel_name: str
    kernel_id: str
    program: str
    version: str

    def folder(self) -> str:
        """The notebook's folder when it is a file that exists, else the working directory."""
        if self.source != "kernel" and self.source != "process" and os.path.isfile(self.notebook):
            return os.path.dirname(os.path.abspath(self.notebook))
        return os.getcwd()

    def default_name(self) -> str:
        base = os.path.basename(self.notebook)
        stem = base[:-6] if base.endswith(".ipynb") else base
        return stem or "notebook"


def _connection_info() -> tuple[str, dict[str, Any]]:
    """The kernel's connection file and its content (without the signing key), when running in
    an ipykernel; else empty."""
    if "ipykernel" not in sys.modules:
        return "", {}
    try:
        from ipykernel.connect import get_connection_file

        path = get_connection_file()
        with open(path, encoding="utf-8") as f:
            info = json.load(f)
    except Exception:  # noqa: BLE001 - an in-process shell, or a kernel without a file
        return "", {}
    info.pop("key", None)  # a secret: never recorded
    return path, info if isinstance(info, dict) else {}


def identify(user_ns: dict[str, Any]) -> NotebookIdentity:
    """The notebook and kernel this shell runs in. The notebook's path comes, in order, from
    ``__session__`` (ipykernel sets it from the server's ``JPY_SESSION_NAME``), the environment
    variable itself, VS Code's ``__vsc_ipynb_file__``; else the kernel's id, else this process."""
    connection_file, info = _connection_info()
    kernel_id = ""
    base = os.path.basename(connection_file)
    if base.startswith("kernel-") and base.endswith(".json"):
        kernel_id = base[len("kernel-") : -len(".json")]
    kernel_name = str(info.get("kernel_name") or "")  # older jupyter_client does not write it

    notebook, source = "", ""
    for candidate, where in (
        (user_ns.get("__session__"), "__session__"),
        (os.environ.get("JPY_SESSION_NAME"), "JPY_SESSION_NAME"),
        (user_ns.get("__vsc_ipynb_file__"), "vscode"),
    ):
        if isinstance(candidate, str) and candidate.strip():
            notebook, source = candidate.strip(), where
            break
    if not notebook and kernel_id:
        notebook, source = f"kernel-{kernel_id}", "kernel"
    if not notebook:
        notebook, source = f"ipython-{os.getpid()}", "process"
    if source in ("__session__", "JPY_SESSION_NAME", "vscode") and not notebook.startswith(("http:", "https:")):
        notebook = os.path.abspath(notebook) if os.path.exists(notebook) else notebook

    if "ipykernel" in sys.modules and connection_file:
        import ipykernel

        program, version = "ipykernel", str(getattr(ipykernel, "__version__", ""))
    else:
        import IPython

        program, version = "IPython", str(getattr(IPython, "__version__", ""))
    return NotebookIdentity(notebook, source, kernel_name, kernel_id, program, version)
