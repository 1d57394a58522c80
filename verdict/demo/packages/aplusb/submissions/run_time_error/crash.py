# Crashes with an uncaught exception: must end as RE.
a, b = map(int, input().split())
raise RuntimeError("deliberate crash")
