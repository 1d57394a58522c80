"""The language catalogue, one module per family of toolchains (see `verdict.judge.languages` for
the registry built from them). Each family module has a ``build()`` returning its languages."""
