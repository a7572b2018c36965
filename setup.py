"""The optional C part of the package; everything else is declared in pyproject.toml.

``councils.counting._bltscan`` is the BLT reader's fast path (see ``blt.py``). It is optional:
without a C compiler the install goes on and the NumPy parser does the same work, slower. CI
checks that it was built (tests/counting/test_bltscan.py).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "councils.counting._bltscan",
            ["src/councils/counting/_bltscan.c"],
            optional=True,
            extra_compile_args=["-O3"],
        ),
        Extension(
            "councils.voting.crypto._ristretto",
            ["src/councils/voting/crypto/_ristretto.c"],
            optional=True,
            extra_compile_args=["-O3"],
        ),
    ]
)
