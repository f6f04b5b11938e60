"""Optional C accelerators for the variant stage.

Each extension is optional: without a C compiler the package installs without them and the
pure-Python code paths run instead (same output, tested for identity).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            f"her2resist.variants.{name}",
            [f"src/her2resist/variants/{name}.c"],
            optional=True,
            extra_compile_args=["-O2"],
        )
        for name in ("_csq_choice", "_sample_counts", "_vcf_lines")
    ]
)
