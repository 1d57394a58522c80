"""Game problems (Jutge ``handler: game``, issue 16): the game and its players built in the
sandbox (`build`), a match played with the referee and each player in a sandbox of its own,
joined only by FIFOs (`match`), and a submission judged as a player against the Dummy
(`accept`). The package's ``game:`` keys are read by `verdict.judge.packages.jutge_game`.
"""
