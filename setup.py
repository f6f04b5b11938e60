"""Optional C accelerators for the variant stage.

Each extension is optional: without a C compiler the package installs without them and the
pure-Python code paths run instead (same output, tested for identity). Each records the digest
of the source it was built from, so a build older than its .c file is not used
(``her2resist.variants.fast``).
"""

import hashlib
from pathlib import Path

from setuptools import Extension, setup


def _extension(name: str) -> Extension:
    source = f"src/her2resist/variants/{name}.c"
    digest = hashlib.sha256(Path(source).read_bytes()).hexdigest()[:16]
    return Extension(
        f"her2resist.variants.{name}",
        [source],
        optional=True,
        extra_compile_args=["-O2"],
        define_macros=[("SOURCE_DIGEST", f'"{digest}"')],
    )


setup(ext_modules=[_extension(name) for name in ("_csq_choice", "_sample_counts", "_vcf_lines")])
