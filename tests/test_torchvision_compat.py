import subprocess
import sys

import motion_rnn  # noqa: F401
from motion_rnn import _torchvision_compat as compat


def test_torchvision_imports_and_its_python_parts_work():
    import torch
    import torchvision
    from torchvision.ops import Conv2dNormActivation
    from torchvision.transforms import v2

    block = Conv2dNormActivation(3, 4, kernel_size=3)
    assert block(torch.zeros(1, 3, 8, 8)).shape == (1, 4, 8, 8)
    assert v2.CenterCrop(4)(torch.zeros(3, 8, 8)).shape == (3, 4, 4)
    assert torchvision.__version__.startswith("0.28")


def test_declares_nothing_twice():
    # Every schema torchvision needs is now known: a second pass declares nothing.
    assert compat._declare_missing_operators() == ()


def test_compiled_ops_are_left_alone_where_they_load():
    # In a fresh interpreter: if torchvision imports on its own, the module declares nothing.
    code = (
        "import importlib, sys\n"
        "try:\n    import torchvision; native = True\nexcept RuntimeError:\n    native = False\n"
        "for m in [m for m in sys.modules if m.startswith('torchvision')]: del sys.modules[m]\n"
        "from motion_rnn import _torchvision_compat as c\n"
        "print(native, bool(c.declared))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    native, declared = out[0] == "True", out[1] == "True"
    assert declared == (not native)
