"""The older name of the container API (``import inginious.feedback``)."""
