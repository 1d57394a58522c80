"""The web layer the faces plug into: the app factory (:mod:`.app`), the request dependencies
(:mod:`.deps`), the one error route (:mod:`.errors`), body caps and HTTP method middleware."""
